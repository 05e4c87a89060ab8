package ruleset

import (
	"strings"
	"testing"

	"github.com/nftlint/nftlint/parser"
)

// The hashed selector index finds exactly what the table holds.
func TestSelectorIndexMatchesTable(t *testing.T) {
	sel := func(path string) *parser.Selector {
		var words []parser.Ident
		for _, w := range strings.Fields(path) {
			words = append(words, parser.Ident{Name: w})
		}
		return &parser.Selector{Words: words}
	}
	for path, want := range selectorTable {
		got, ok := selectorIndex.lookup(sel(path))
		if !ok || got != want {
			t.Errorf("lookup(%q) = %v, %v; want %v", path, got, ok, want)
		}
	}
	for _, path := range []string{"ip", "ip saddrx", "ip sad dr", "tcp dport extra", "meta", "zzz"} {
		if _, ok := selectorTable[path]; ok {
			continue
		}
		if got, ok := selectorIndex.lookup(sel(path)); ok {
			t.Errorf("lookup(%q) = %v, want none", path, got)
		}
	}
}
