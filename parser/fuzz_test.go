package parser

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that the parser never panics and that whatever parses
// cleanly prints to text that parses cleanly again. It is seeded from the
// corpus when present.
func FuzzParse(f *testing.F) {
	f.Add([]byte("table inet t {\n\tchain c {\n\t\ttype filter hook input priority 0; policy drop;\n\t\ttcp dport 22 accept\n\t}\n}\n"))
	f.Add([]byte("define x = { 1.2.3.4 }\nadd rule ip t c ip saddr $x counter drop comment \"x\"\n"))
	f.Add([]byte("table ip t { set s { type ipv4_addr; flags interval; elements = { 10.0.0.0/8 } }; }\n"))
	for _, src := range fuzzCorpusSeeds() {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		ast, errs := ParseFile(NewFileSet(), "fuzz.nft", src)
		if ast == nil {
			t.Fatal("nil AST")
		}
		if len(errs) > 0 {
			return
		}
		var out bytes.Buffer
		if err := Fprint(&out, ast); err != nil {
			t.Fatalf("clean AST does not print: %v", err)
		}
		if _, errs := ParseFile(NewFileSet(), "printed.nft", out.Bytes()); len(errs) > 0 {
			t.Fatalf("printed text does not parse: %v\ninput:\n%s\nprinted:\n%s", errs, src, out.String())
		}
	})
}

func benchmarkPerfFile(b *testing.B, name string) {
	path := filepath.Join(sharedDir(), "corpus", "perf", name)
	src, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("perf file %s not found: %v", path, err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, errs := ParseFile(NewFileSet(), name, src)
		if len(errs) > 0 {
			b.Fatalf("%s: %v", name, errs[0])
		}
	}
}

func BenchmarkParseBigSet(b *testing.B)       { benchmarkPerfFile(b, "big-set.nft") }
func BenchmarkParseLargeRuleset(b *testing.B) { benchmarkPerfFile(b, "large-ruleset.nft") }
