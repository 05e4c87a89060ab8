package checks

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nftlint/nftlint/parser"
)

// Run merges the checks' lists of findings: the result is what a stable
// sort of the lists joined in order gives, ties included.
func TestMergeSortedIsStableSort(t *testing.T) {
	fset := parser.NewFileSet()
	fset.AddFile("b.nft", []byte("x"))
	fset.AddFile("a.nft", []byte("x"))
	names := []string{"a.nft", "b.nft", "c.nft"} // c.nft is not in the set
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 100 {
		var results []diagBlocks
		var joined []Diagnostic
		for check := range rng.IntN(8) {
			var blocks diagBlocks
			n := rng.IntN(1000)
			if rng.IntN(3) > 0 {
				n = rng.IntN(20)
			}
			offset := 0
			for i := range n {
				if rng.IntN(4) > 0 {
					offset += rng.IntN(3) // in order, with ties, like most checks
				} else {
					offset = rng.IntN(50)
				}
				d := Diagnostic{
					Range:   parser.Range{Start: parser.Position{Filename: names[rng.IntN(len(names))], Offset: offset}},
					Check:   fmt.Sprintf("NFT%d", 300+rng.IntN(3)),
					Message: fmt.Sprint(rng.IntN(2)),
					Name:    fmt.Sprintf("%d/%d", check, i), // tells equal findings apart
				}
				if round%2 == 0 {
					d.Start.Filename = "a.nft" // one file: in order more often
				}
				blocks.add(d)
				joined = append(joined, d)
			}
			results = append(results, blocks)
		}
		SortDiagnostics(fset, joined)
		got := mergeSorted(fset, results)
		if len(got) != len(joined) {
			t.Fatalf("round %d: merged %d findings, want %d", round, len(got), len(joined))
		}
		for i := range got {
			if got[i].Name != joined[i].Name {
				t.Fatalf("round %d: finding %d is %s %+v, the stable sort has %s %+v", round, i, got[i].Name, got[i].Start, joined[i].Name, joined[i].Start)
			}
		}
	}
}
