package checks

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/nftlint/nftlint/parser"
)

// With MaxPerCheck, a check's findings are those the whole list sorted
// in FindingOrder (equal ones in report order) starts with, the last
// standing for the rest with the highest severity among them.
func TestFindingSinkLimit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 5, 6, 7, 50, 400} {
		for _, limit := range []int{1, 5, 40} {
			var reported []Diagnostic
			for i := range n {
				line := rng.IntN(20) + 1
				reported = append(reported, Diagnostic{
					Range:    parser.Range{Start: parser.Position{Filename: []string{"a.nft", "b.nft"}[rng.IntN(2)], Line: line, Column: rng.IntN(3) + 1}},
					Check:    "NFT999",
					Severity: Severity(rng.IntN(3) + 1),
					Message:  fmt.Sprintf("m%d", rng.IntN(3)),
					Fixes:    []Fix{{Message: fmt.Sprint(i)}}, // tells equal findings apart
				})
			}
			admitted := 0
			sink := findingSink{limit: limit, admit: func(d *Diagnostic) bool {
				admitted++
				return d.Message != "m2"
			}}
			for _, d := range reported {
				sink.add(d)
			}
			if admitted != n {
				t.Fatalf("n=%d: Admit saw %d findings", n, admitted)
			}
			var got []Diagnostic
			for _, b := range sink.findings() {
				got = append(got, b...)
			}
			// Run sorts each check's findings: those under the limit
			// come in report order.
			sort.SliceStable(got, func(i, j int) bool { return FindingOrder(&got[i], &got[j]) })

			want := slices.DeleteFunc(slices.Clone(reported), func(d Diagnostic) bool { return d.Message == "m2" })
			sort.SliceStable(want, func(i, j int) bool { return FindingOrder(&want[i], &want[j]) })
			if len(want) > limit+1 {
				last := &want[limit]
				for _, d := range want[limit+1:] {
					last.Severity = max(last.Severity, d.Severity)
				}
				want = want[:limit+1]
			}
			if len(got) != len(want) {
				t.Fatalf("n=%d limit=%d: %d findings, want %d", n, limit, len(got), len(want))
			}
			for i := range want {
				if g, w := got[i], want[i]; g.Start != w.Start || g.Message != w.Message || g.Severity != w.Severity || g.Fixes[0].Message != w.Fixes[0].Message {
					t.Fatalf("n=%d limit=%d: finding %d is %v %s %v #%s, want %v %s %v #%s", n, limit, i,
						g.Start, g.Message, g.Severity, g.Fixes[0].Message, w.Start, w.Message, w.Severity, w.Fixes[0].Message)
				}
			}
		}
	}
}
