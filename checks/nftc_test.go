package checks

// Differential and corpus tests of the load-time checks (NFT2xx):
//
//   - TestNftDifferential runs the real nft over every NFT2xx case: a case
//     where the check fires must be refused by `nft -c -f` (by a real load
//     in a private network namespace for loadTimeChecks, which `-c` does
//     not see) at a line the case expects a finding on (for the checks in
//     exactLineChecks: on exactly those lines); a case where it must not
//     fire, and every fixed.nft, must be accepted.
//   - TestCorpusAcceptedFilesQuiet lints every corpus file nft 1.0.6
//     accepts and requires that no NFT2xx check fires.
//   - TestCorpusPyRulesFlagged wraps the rules upstream's tests/py expect to
//     fail in a table and chain and requires that at least 80% of them are
//     flagged by NFT001 or an NFT2xx check.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nftlint/nftlint/internal/kerneltest"
)

// localNft returns the path and version of a usable nft, skipping (or
// failing, when NFTLINT_KERNEL_TESTS=required) when there is none or the
// test cannot create network namespaces.
func localNft(t *testing.T) (string, nftVersion) {
	t.Helper()
	skip := func(format string, args ...any) {
		t.Helper()
		kerneltest.Unavailable(t, fmt.Sprintf(format, args...))
	}
	if os.Geteuid() != 0 {
		skip("not root")
	}
	nft, err := exec.LookPath("nft")
	if err != nil {
		skip("nft not installed")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		skip("unshare not installed")
	}
	out, err := exec.Command(nft, "--version").Output()
	if err != nil {
		skip("nft --version: %v", err)
	}
	v, ok := parseNftVersion(string(out))
	if !ok {
		skip("cannot parse nft version from %q", out)
	}
	kerneltest.Ran(t)
	return nft, v
}

// runNft runs nft (with -c when check is set) on dir/name inside a private
// network namespace, so nothing touches the host's ruleset, and returns
// its combined output and whether it succeeded.
func runNft(t *testing.T, nft, dir, name string, check bool) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // hang guard only
	defer cancel()
	args := []string{"-n", nft}
	if check {
		args = append(args, "-c")
	}
	args = append(args, "-f", name)
	cmd := exec.CommandContext(ctx, "unshare", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

// loadTimeChecks are the checks whose errors only the kernel finds, when
// the rules are committed: `nft -c` does not see them, so their cases are
// loaded for real in a private network namespace. NFT202: jump loops;
// NFT215 and NFT216: statements at hooks where the kernel refuses them.
var loadTimeChecks = map[string]bool{"NFT202": true, "NFT215": true, "NFT216": true}

// exactLineChecks are the checks whose every finding is an error nft
// reports on the same line (and which find every such error of their
// cases): nft reports all of them in one run.
var exactLineChecks = map[string]bool{"NFT213": true}

var nftErrorLine = regexp.MustCompile(`(?m)^([^:\s]+):(\d+):\d+(?:-\d+)?: Error:`)

func TestNftDifferential(t *testing.T) {
	nft, local := localNft(t)
	dirs, _ := filepath.Glob(filepath.Join(checksTestdata, "NFT2*"))
	if len(dirs) == 0 {
		t.Fatal("no NFT2xx cases")
	}
	ran := 0
	for _, d := range dirs {
		id := filepath.Base(d)
		cases, _ := filepath.Glob(filepath.Join(d, "*.txtar"))
		for _, path := range cases {
			t.Run(id+"/"+strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
				tc := readCase(t, id, path)
				if v := tc.opts.NftVersion; v != "" {
					if pv, ok := parseNftVersion(v); !ok || pv != local {
						t.Skipf("case targets nft %s, local nft is %s", v, local)
					}
				}
				ran++
				load := loadTimeChecks[id]
				wantLines := map[int]bool{}
				for name, src := range tc.files {
					if name != "input.nft" {
						continue
					}
					exps, err := parseWants(name, src)
					if err != nil {
						t.Fatal(err)
					}
					for _, e := range exps {
						if e.check == id {
							wantLines[e.line] = true
						}
					}
				}
				dir := t.TempDir()
				for name, data := range tc.files {
					p := filepath.Join(dir, filepath.FromSlash(name))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				out, ok := runNft(t, nft, dir, "input.nft", !load)
				switch {
				case len(wantLines) > 0 && ok:
					t.Errorf("%s fires on this case, but nft %s accepts it", id, local)
				case len(wantLines) > 0:
					hit := false
					var lines []int
					for _, m := range nftErrorLine.FindAllStringSubmatch(out, -1) {
						n, _ := strconv.Atoi(m[2])
						lines = append(lines, n)
						if m[1] == "input.nft" && wantLines[n] {
							hit = true
						}
					}
					if !hit {
						t.Errorf("nft reports errors on lines %v, none of which is a line where %s is expected:\n%s", lines, id, out)
					}
					if exactLineChecks[id] {
						errLines := map[int]bool{}
						for _, n := range lines {
							errLines[n] = true
						}
						if !maps.Equal(errLines, wantLines) {
							t.Errorf("nft reports errors on lines %v, %s is expected on lines %v: they must be the same lines:\n%s",
								slices.Sorted(maps.Keys(errLines)), id, slices.Sorted(maps.Keys(wantLines)), out)
						}
					}
				case !ok:
					t.Errorf("%s is quiet on this case, but nft %s refuses it:\n%s", id, local, out)
				}
				if tc.fixed != nil {
					if err := os.WriteFile(filepath.Join(dir, "fixed.nft"), tc.fixed, 0o644); err != nil {
						t.Fatal(err)
					}
					if out, ok := runNft(t, nft, dir, "fixed.nft", !load); !ok {
						t.Errorf("nft %s refuses fixed.nft:\n%s", local, out)
					}
				}
			})
		}
	}
	t.Logf("%d NFT2xx cases compared with nft %s", ran, local)
}

// corpusDir returns the shared corpus directory, skipping (or failing when
// NFTLINT_CORPUS=required) when it is absent.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "corpus")
	if d := os.Getenv("NFTLINT_SHARED"); d != "" {
		dir = filepath.Join(d, "corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.tsv")); err != nil {
		if os.Getenv("NFTLINT_CORPUS") == "required" {
			t.Fatalf("corpus required but not found at %s (set NFTLINT_SHARED): %v", dir, err)
		}
		t.Skipf("corpus not found at %s (set NFTLINT_SHARED): %v", dir, err)
	}
	return dir
}

// readTSV reads a tab-separated file with a header row into maps.
func readTSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var header []string
	var rows []map[string]string
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = fields
			continue
		}
		row := make(map[string]string, len(header))
		for i, h := range header {
			if i < len(fields) {
				row[h] = fields[i]
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func isLoadCheck(id string) bool { return strings.HasPrefix(id, "NFT2") }

// TestCorpusAcceptedFilesQuiet lints the corpus files `nft -c` accepts:
// no NFT2xx check may fire on them, except a load-time check on a file
// that a real load in a private network namespace then refuses (`-c`
// does not see what loadTimeChecks find).
func TestCorpusAcceptedFilesQuiet(t *testing.T) {
	dir := corpusDir(t)
	opts := &Options{NftVersion: "1.0.6"} // these files are what nft 1.0.6 accepts
	files, findings, confirmed := 0, 0, 0
	for _, row := range readTSV(t, filepath.Join(dir, "manifest.tsv")) {
		if row["nft_1_0_6_check"] != "accept" || row["syntax"] != "nft" {
			continue
		}
		files++
		path := filepath.Join(dir, filepath.FromSlash(row["file"]))
		rs, _ := loadRuleset(t, filepath.Dir(path), filepath.Base(path))
		for _, d := range Run(rs, opts, func(c *Check) bool { return isLoadCheck(c.ID) }) {
			findings++
			if loadTimeChecks[d.Check] {
				nft, _ := localNft(t)
				if out, ok := runNft(t, nft, filepath.Dir(path), filepath.Base(path), false); !ok {
					confirmed++
					t.Logf("%s: %s confirmed by a real load: %s", row["file"], d.Check, strings.TrimSpace(out))
					continue
				}
			}
			t.Errorf("%s: %s:%d:%d: %s %s", row["file"], d.Start.Filename, d.Start.Line, d.Start.Column, d.Check, d.Message)
		}
	}
	if files == 0 {
		t.Fatal("no accepted text files in the manifest")
	}
	t.Logf("MEASURED %d corpus files accepted by nft 1.0.6 linted, %d NFT2xx findings (%d of them load-time errors a real load confirms)", files, findings, confirmed)
}

// pyRuleBatch builds the nft input for one tests/py row: the table with
// its chains, the earlier accepted set/element/object rows of the same
// test file and table, and the row under test.
func pyRuleBatch(row map[string]string, prior []string) string {
	fam, table := row["family"], row["table"]
	var b strings.Builder
	fmt.Fprintf(&b, "table %s %s {\n", fam, table)
	var chains []string
	for _, spec := range strings.Split(row["chain_type_hook_line"], " | ") {
		name, hook, _ := strings.Cut(spec, ";")
		name = strings.TrimSpace(name)
		chains = append(chains, name)
		fmt.Fprintf(&b, "\tchain %s {\n\t\t%s;\n\t}\n", name, strings.TrimSpace(hook))
	}
	b.WriteString("}\n")
	for _, p := range prior {
		b.WriteString(p)
	}
	b.WriteString(pyRowCommand(row, chains))
	return b.String()
}

// pyRowCommand turns one row into nft commands.
func pyRowCommand(row map[string]string, chains []string) string {
	fam, table, text := row["family"], row["table"], row["rule_text"]
	switch row["kind"] {
	case "set":
		name, spec, _ := strings.Cut(text, " ")
		obj := "set"
		if strings.Contains(spec, ":") {
			obj = "map"
		}
		spec, flags, hasFlags := strings.Cut(spec, " flags ")
		body := spec + ";"
		if hasFlags {
			body += " flags " + flags + ";"
		}
		return fmt.Sprintf("add %s %s %s %s { %s }\n", obj, fam, table, name, body)
	case "element":
		name, elems, _ := strings.Cut(text, " ")
		return fmt.Sprintf("add element %s %s %s { %s }\n", fam, table, name, elems)
	case "object":
		name, rest, _ := strings.Cut(text, " type ")
		kind, args := rest, ""
		for _, k := range []string{"ct helper", "ct timeout", "ct expectation", "counter", "quota", "limit", "secmark", "synproxy"} {
			if strings.HasPrefix(rest, k) {
				kind, args = k, strings.TrimSpace(strings.TrimPrefix(rest, k))
				break
			}
		}
		return fmt.Sprintf("add %s %s %s %s %s\n", kind, fam, table, name, args)
	}
	var b strings.Builder
	for _, c := range chains {
		fmt.Fprintf(&b, "add rule %s %s %s %s\n", fam, table, c, text)
	}
	return b.String()
}

func TestCorpusPyRulesFlagged(t *testing.T) {
	dir := corpusDir(t)
	rows := readTSV(t, filepath.Join(dir, "nftables-py-rules.tsv"))
	// Earlier accepted set/element/object rows, per test file and table.
	prior := map[string][]string{}
	total, flagged := 0, 0
	misses := map[string]int{}
	opts := &Options{}
	for _, row := range rows {
		key := row["source_file"] + "\x00" + row["family"] + "\x00" + row["table"]
		if row["kind"] != "rule" && row["expected"] == "ok" && row["nft_1_0_6_check"] == "accept" {
			prior[key] = append(prior[key], pyRowCommand(row, nil))
			continue
		}
		if row["expected"] != "fail" {
			continue
		}
		total++
		src := pyRuleBatch(row, prior[key])
		diags, _, _ := lintFiles(t, map[string][]byte{"input.nft": []byte(src)}, opts)
		hit := false
		for _, d := range diags {
			if d.Check == "NFT001" || isLoadCheck(d.Check) {
				hit = true
				break
			}
		}
		if hit {
			flagged++
			continue
		}
		cat := row["nft_1_0_6_first_error"]
		if cat == "" {
			cat = "(accepted by nft 1.0.6)"
		}
		cat = regexp.MustCompile(`[0-9]+`).ReplaceAllString(cat, "N")
		misses[cat]++
		if os.Getenv("NFTLINT_SHOW_MISSES") != "" {
			t.Logf("miss: %s %s: %s (%s)", row["family"], row["kind"], row["rule_text"], row["nft_1_0_6_first_error"])
		}
	}
	if total == 0 {
		t.Fatal("no expected=fail rows")
	}
	rate := float64(flagged) / float64(total)
	t.Logf("MEASURED tests/py rows expected to fail: %d, flagged by NFT001 or NFT2xx: %d (%.1f%%)", total, flagged, 100*rate)
	type miss struct {
		cat string
		n   int
	}
	var ms []miss
	for c, n := range misses {
		ms = append(ms, miss{c, n})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].n > ms[j].n || ms[i].n == ms[j].n && ms[i].cat < ms[j].cat })
	for i, m := range ms {
		if i == 15 {
			break
		}
		t.Logf("  missed %3d × %s", m.n, m.cat)
	}
	if rate < 0.80 {
		t.Errorf("only %.1f%% of the rows upstream expects to fail are flagged; want at least 80%%", 100*rate)
	}
}
