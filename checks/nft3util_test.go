package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// BenchmarkSafetyChecks runs NFT301–NFT309 together, as one Run shares
// the table index among them, on the large perf ruleset of the shared
// corpus (../shared, or $NFTLINT_SHARED).
func BenchmarkSafetyChecks(b *testing.B) {
	dir := filepath.Join("..", "..", "shared")
	if d := os.Getenv("NFTLINT_SHARED"); d != "" {
		dir = d
	}
	dir = filepath.Join(dir, "corpus", "perf")
	if _, err := os.Stat(filepath.Join(dir, "large-ruleset.nft")); err != nil {
		b.Skipf("perf corpus not found at %s (set NFTLINT_SHARED): %v", dir, err)
	}
	res, err := parser.Load(parser.NewFileSet(), parser.LoadConfig{Dir: dir}, parser.Source{Name: "large-ruleset.nft"})
	if err != nil {
		b.Fatal(err)
	}
	rs, _ := ruleset.Build(res)
	safety := func(c *Check) bool { return strings.HasPrefix(c.ID, "NFT30") }
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Run(rs, &Options{}, safety)
	}
}

// TestPathIs requires pathIs to agree with Selector.Path, including on
// paths that are prefixes of each other.
func TestPathIs(t *testing.T) {
	sel := func(words ...string) *parser.Selector {
		s := &parser.Selector{}
		for _, w := range words {
			s.Words = append(s.Words, &parser.Ident{Name: w})
		}
		return s
	}
	sels := []*parser.Selector{sel(), sel("iif"), sel("iifname"), sel("meta", "iif"), sel("meta", "iifname"), sel("ct", "state"), sel("ct", "state", "x"), sel("ct state")}
	paths := []string{"", "iif", "iifname", "meta iif", "meta iifname", "ct state", "ct  state", "ct", "meta"}
	for _, s := range sels {
		for _, p := range paths {
			if got, want := pathIs(s, p), s.Path() == p; got != want {
				t.Errorf("pathIs(%q, %q) = %v, want %v", s.Path(), p, got, want)
			}
		}
	}
}
