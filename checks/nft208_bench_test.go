package checks

import (
	"fmt"
	"testing"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// intervalElems returns n disjoint IPv4 /32 elements in descending order
// (the sort has work to do), plus one element overlapping the first when
// overlap is set.
func intervalElems(n int, overlap bool) []parser.Expr {
	elems := make([]parser.Expr, 0, n+1)
	for i := n - 1; i >= 0; i-- {
		v := uint32(0x0a000000) + uint32(i)*2
		elems = append(elems, &parser.Literal{Kind: parser.LitIPv4,
			Text: fmt.Sprintf("%d.%d.%d.%d", v>>24, v>>16&0xff, v>>8&0xff, v&0xff)})
	}
	if overlap {
		elems = append(elems, &parser.Prefix{X: &parser.Literal{Kind: parser.LitIPv4, Text: "10.0.0.0"},
			Len: &parser.Number{Text: "31", Value: 31}})
	}
	return elems
}

func TestIntervalsMillion(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	fset := parser.NewFileSet()
	fset.AddFile("x.nft", []byte("x"))
	var got []Diagnostic
	p := NewPass(nft208, &ruleset.Ruleset{Files: fset}, &Options{}, func(d Diagnostic) { got = append(got, d) })
	reportOverlaps(p, ruleset.TypeIPv4, intervalElems(1_000_000, false), nil, "set s")
	if len(got) != 0 {
		t.Fatalf("disjoint elements reported: %v", got[0].Message)
	}
	reportOverlaps(p, ruleset.TypeIPv4, intervalElems(1_000_000, true), nil, "set s")
	if len(got) != 1 {
		t.Fatalf("want exactly one overlap among 1,000,001 elements, got %d", len(got))
	}
}

func BenchmarkIntervalsMillion(b *testing.B) {
	elems := intervalElems(1_000_000, false)
	fset := parser.NewFileSet()
	p := NewPass(nft208, &ruleset.Ruleset{Files: fset}, &Options{}, func(Diagnostic) {})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		reportOverlaps(p, ruleset.TypeIPv4, elems, nil, "set s")
	}
}
