package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sharedDir is the shared directory holding the corpus (GPL data, never
// copied into the repository): $NFTLINT_SHARED, else ../../shared.
func sharedDir() string {
	if d := os.Getenv("NFTLINT_SHARED"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "shared")
}

// perfFile reads a file of the performance corpus, skipping the benchmark
// when it is absent.
func perfFile(tb testing.TB, name string) []byte {
	tb.Helper()
	path := filepath.Join(sharedDir(), "corpus", "perf", name)
	src, err := os.ReadFile(path)
	if err != nil {
		tb.Skipf("performance corpus file not found (set NFTLINT_SHARED): %v", err)
	}
	return src
}

// corpusFile is one text file of the corpus.
type corpusFile struct {
	name string
	src  []byte
}

// textCorpus returns every nft text file of the corpus manifest, or skips.
func textCorpus(tb testing.TB) []corpusFile {
	tb.Helper()
	dir := filepath.Join(sharedDir(), "corpus")
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		tb.Skipf("corpus not found (set NFTLINT_SHARED): %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(manifest))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var header []string
	var files []corpusFile
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = cols
			continue
		}
		row := map[string]string{}
		for i, h := range header {
			if i < len(cols) {
				row[h] = cols[i]
			}
		}
		if row["syntax"] != "nft" {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(row["file"])))
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, corpusFile{row["file"], src})
	}
	if len(files) == 0 {
		tb.Fatal("no text files in the corpus manifest")
	}
	return files
}

// Scaled inputs: the benchmarks at 1×, 2× and 4× show whether time grows
// linearly with the input.

// largeBody is where the tables of large-ruleset.nft begin: the part
// before (flush ruleset and the defines) is not repeated.
const largeBody = "table inet filter {"

// tableRenames renames the tables of one copy of large-ruleset.nft.
var tableRenames = []struct{ old, new string }{
	{"table inet filter {", "table inet filter%d {"},
	{"table ip6 filter6 {", "table ip6 filter6%d {"},
	{"table ip nat {", "table ip nat%d {"},
	{"table bridge br {", "table bridge br%d {"},
	{" arp arpf", " arp arpf%d"},
}

// scaleRuleset returns large-ruleset.nft with its tables repeated n times
// in all, the copies under new table names: n times the rules, chains and
// sets.
func scaleRuleset(tb testing.TB, src []byte, n int) []byte {
	tb.Helper()
	i := bytes.Index(src, []byte(largeBody))
	if i < 0 {
		tb.Fatalf("large-ruleset.nft has no %q", largeBody)
	}
	body := string(src[i:])
	var b bytes.Buffer
	b.Write(src)
	for k := 1; k < n; k++ {
		c := body
		for _, r := range tableRenames {
			if !strings.Contains(c, r.old) {
				tb.Fatalf("large-ruleset.nft has no %q", r.old)
			}
			c = strings.ReplaceAll(c, r.old, fmt.Sprintf(r.new, k))
		}
		b.WriteString("\n")
		b.WriteString(c)
	}
	return b.Bytes()
}

// firstOctet matches the first octet 10 of an IPv4 address in big-set.nft.
var firstOctet = regexp.MustCompile(`(^|[^0-9.])10\.`)

// scaleSet returns big-set.nft with its element list grown n times: copy
// k repeats the elements with first octet 10+k, so the set stays free of
// overlaps.
func scaleSet(tb testing.TB, src []byte, n int) []byte {
	tb.Helper()
	s := string(src)
	open := strings.Index(s, "elements = {")
	if open < 0 {
		tb.Fatal("big-set.nft has no element list")
	}
	open += len("elements = {")
	end := open + strings.IndexByte(s[open:], '}')
	elems := strings.TrimRight(s[open:end], " \t\n")
	var b strings.Builder
	b.WriteString(s[:open])
	b.WriteString(elems)
	for k := 1; k < n; k++ {
		b.WriteString(",")
		b.WriteString(firstOctet.ReplaceAllString(elems, fmt.Sprintf("${1}%d.", 10+k)))
	}
	b.WriteString("\n\t\t")
	b.WriteString(s[end:])
	return []byte(b.String())
}
