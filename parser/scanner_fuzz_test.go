package parser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzCorpusSeeds returns the corpus's text files under 64 KiB, read at
// run time (nothing of the corpus is stored in the repository), or
// nothing when the corpus is absent.
func fuzzCorpusSeeds() [][]byte {
	dir := filepath.Join(sharedDir(), "corpus")
	rows, err := os.ReadFile(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		return nil
	}
	var out [][]byte
	for _, line := range strings.Split(string(rows), "\n")[1:] {
		name, _, _ := strings.Cut(line, "\t")
		if name == "" {
			continue
		}
		if src, err := os.ReadFile(filepath.Join(dir, name)); err == nil && len(src) < 64<<10 {
			out = append(out, src)
		}
	}
	return out
}

// FuzzScan scans random input to the end: the scanner must terminate,
// return tokens in order inside the source, and every literal must be
// the source text of its token (for strings, without the quotes).
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"table ip t { chain c { ip saddr 192.0.2.1 tcp dport { 22, 80 } accept } }\n",
		"\xef\xbb\xbfx\r\ny \"unterminated\n# c\\\n\x00\xff“q”",
		"ip6 daddr [2001:db8::1]:80 ether saddr aa:bb:cc:dd:ee:ff classid 1:2 meta mark 0x10 10ms 1kbytes/second",
		"a\\*b* $v @s 1-2 1.2.3.4/24 ::ffff:1.2.3.4",
	} {
		f.Add([]byte(s))
	}
	for _, src := range fuzzCorpusSeeds() {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fset := NewFileSet()
		file := fset.AddFile("fuzz.nft", src)
		var s Scanner
		text := string(src)
		s.Init(file, text, func(off, end int, msg string) {
			if off < 0 || off > len(src) || msg == "" {
				t.Fatalf("error at %d (of %d): %q", off, len(src), msg)
			}
		})
		prev := 0
		for n := 0; ; n++ {
			if n > len(src)+2 {
				t.Fatalf("more tokens than bytes: the scanner does not advance")
			}
			tok, off, end, lit := s.Scan()
			if off < prev || end < off || end > len(src) {
				t.Fatalf("token %v at [%d,%d) after %d in %d bytes", tok, off, end, prev, len(src))
			}
			if tok == EOF {
				break
			}
			if tok != NEWLINE && !strings.Contains(text[off:end], lit) {
				t.Fatalf("token %v literal %q is not in its source %q", tok, lit, text[off:end])
			}
			prev = end
		}
	})
}
