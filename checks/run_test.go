package checks

import (
	"testing"

	"github.com/nftlint/nftlint/parser"
)

// TestAllRulesOrder checks that allRules yields eachRule's rules, rule for
// rule and numbered in order, on the check tests' inputs and on rulesets
// with anonymous chains whose rule is gone.
func TestAllRulesOrder(t *testing.T) {
	srcs := map[string]string{
		"anon": `table inet t {
	chain a { jump { ip saddr 1.2.3.4 jump { tcp dport 22 accept }; counter } ; accept }
	chain b { goto { drop } }
}
table ip u { chain c { jump { return } } }
`,
		"orphan": `table inet t {
	chain a { jump { ip saddr 1.2.3.4 accept } }
	chain b { accept }
}
flush chain inet t a
table ip u { chain c { jump { return } } }
add rule inet t a counter
add rule ip u c jump { drop }
`,
	}
	anonymousSeen := false
	for _, tc := range testRulesets(t, srcs) {
		name, rs := tc.name, tc.rs
		var want []ruleRef
		eachRule(rs, func(r ruleRef) { want = append(want, r) })
		p := NewPass(&Check{ID: "TEST"}, rs, &Options{}, func(Diagnostic) {})
		var got []ruleRef
		for i, r := range p.allRules() {
			if i != len(got) {
				t.Fatalf("%s: allRules yields index %d for rule %d", name, i, len(got))
			}
			got = append(got, r)
		}
		if len(got) != len(want) {
			t.Errorf("%s: allRules has %d rules, eachRule visits %d", name, len(got), len(want))
			continue
		}
		for i := range got {
			if got[i].Node != want[i].Node || got[i].Chain != want[i].Chain || got[i].Rule != want[i].Rule || got[i].Anon != want[i].Anon {
				t.Errorf("%s: rule %d differs: allRules %+v, eachRule %+v", name, i, got[i], want[i])
				break
			}
			if got[i].Chain.Anonymous {
				anonymousSeen = true
			}
		}
	}
	if !anonymousSeen {
		t.Errorf("no input had rules of an anonymous chain not reached from a named chain: the test does not cover the second part of the list")
	}
}

// TestRuleKindsShortcut checks that the run's census, which reads only a
// rule's own statements when Build found none nested, gives what walking
// every node gives, on the check tests' inputs and on nested statements.
func TestRuleKindsShortcut(t *testing.T) {
	srcs := map[string]string{
		"nested": `table inet t {
	set s { type ipv4_addr; flags dynamic; }
	map m { type ipv4_addr : verdict; elements = { 1.2.3.4 : jump c } }
	chain c {
		iif "docker0" accept
		reject with icmp host-unreachable
		log prefix "x" level warn group 2
	}
	chain d {
		update @s { ip saddr limit rate 1/second }
		add @s { ip saddr counter }
		queue num 70000
	}
	chain e {
		ip saddr 1.2.3.4 accept
		meta oif "veth1" drop
		tcp flags & syn != syn drop
	}
	chain f {
		jump { reject; iif "br-x" accept; }
	}
}
`,
	}
	found := ruleKinds(0)
	for _, tc := range testRulesets(t, srcs) {
		name, rs := tc.name, tc.rs
		p := NewPass(&Check{ID: "TEST"}, rs, &Options{}, func(Diagnostic) {})
		got := p.ruleKinds()
		for i, r := range p.allRules() {
			var want ruleKinds
			for _, s := range r.Stmts {
				inspect(s, func(n parser.Node, _ *parser.VarRef) bool {
					switch x := n.(type) {
					case *parser.MatchStmt:
						if sel, ok := x.Left.(*parser.Selector); ok && sel != nil && isIfIndexSelector(sel) {
							want |= hasIfIndexMatch
						}
						if _, ok := x.Left.(*parser.Binary); ok && x.Op == parser.OpNot {
							want |= hasInvalidCandidate
						}
					case *parser.RejectStmt:
						want |= hasInvalidCandidate
					case *parser.KeywordStmt:
						if x.Keyword == "log" || x.Keyword == "queue" || x.Keyword == "limit" {
							want |= hasInvalidCandidate
						}
					}
					return true
				})
			}
			if got[i] != want {
				t.Errorf("%s: rule %d (%v): census %b, walking every node %b", name, i, p.Range(r.Node).Start, got[i], want)
			}
			found |= want
		}
	}
	if found != hasIfIndexMatch|hasInvalidCandidate {
		t.Errorf("the inputs hold kinds %b only: the test does not cover every kind", found)
	}
}
