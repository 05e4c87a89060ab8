package checks

import (
	"slices"
	"testing"

	"github.com/nftlint/nftlint/parser"
)

// containsWord and numberIn read plain values and set literals of them
// without the walk: on every match of the test cases they answer what
// the walk answers.
func TestPlainValueShortcuts(t *testing.T) {
	srcs := map[string]string{"values.nft": `define PORTS = { 22, 80 }
table inet t {
	chain c {
		iif lo accept
		iifname "LO" accept
		meta l4proto { tcp, icmpv6, 58 } accept
		icmpv6 type { nd-neighbor-solicit, 136 } accept
		ip6 nexthdr 58 accept
		tcp dport $PORTS accept
		tcp dport { 1-135, 136 } accept
		ct state established,related accept
	}
}
`}
	matches, yes := 0, 0
	for _, tc := range testRulesets(t, srcs) {
		name, rs := tc.name, tc.rs
		eachRule(rs, func(r ruleRef) {
			for _, s := range r.Stmts {
				m, ok := s.(*parser.MatchStmt)
				if !ok {
					continue
				}
				matches++
				words := valueWords(m.Right)
				for _, w := range append(words, "lo", "established", "nd-neighbor-solicit", "none of them") {
					want := slices.Contains(words, w)
					if got := containsWord(m.Right, "x", w); got != want {
						t.Errorf("%s: %s: containsWord(%q) = %v, the walk finds %v", name, rs.Files.Position(m.Pos()), w, got, want)
					}
					if want {
						yes++
					}
				}
				for _, v := range []uint64{0, 1, 22, 58, 80, 135, 136, 443} {
					want := false
					inspect(m.Right, func(n parser.Node, _ *parser.VarRef) bool {
						switch x := n.(type) {
						case *parser.Number:
							want = want || x.Value == v && !x.Neg
						case *parser.ElemRun:
							want = want || runHasNumber(x, v)
						}
						return true
					})
					if got := numberIn(m.Right, v); got != want {
						t.Errorf("%s: %s: numberIn(%d) = %v, the walk finds %v", name, rs.Files.Position(m.Pos()), v, got, want)
					}
					if want {
						yes++
					}
				}
			}
		})
	}
	if matches < 300 || yes < 100 {
		t.Errorf("compared %d matches, %d found, want the test cases'", matches, yes)
	}
}
