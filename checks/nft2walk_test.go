package checks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// eachRule visits every rule once: jump bodies through their origin rule
// (attributed to its chain), the bodies of flushed origins as chains of
// their own, and rules added to an anonymous chain by its name too.
func TestEachRuleVisitsEveryRuleOnce(t *testing.T) {
	const src = `table ip t {
	chain c {
		ip saddr 192.0.2.1 jump { ip daddr 192.0.2.2 accept; tcp dport 22 jump { drop } }
		counter
	}
	chain d {
		udp dport 53 jump { accept }
	}
}
add rule ip t __chain0 udp dport 1 drop
flush chain ip t d
`
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.nft"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, _ := loadRuleset(t, dir, "main.nft")
	var got []string
	eachRule(rs, func(r ruleRef) {
		pos := rs.Files.Position(r.Node.Pos())
		got = append(got, fmt.Sprintf("%d:%d %s anon=%v", pos.Line, pos.Column, r.Chain.Name, r.Anon))
	})
	want := []string{
		"3:3 c anon=false",
		"3:29 c anon=true",
		"3:56 c anon=true",
		"3:76 c anon=true",
		"4:3 c anon=false",
		"10:24 __chain0 anon=true",
		"7:23 __chain2 anon=true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("eachRule visited\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The table index keeps each table's rules in a compact form: rule for
// rule, it holds what eachRuleOfTable visits, and its chain runs cover
// the list in order.
func TestTableRulesMatchEachRuleOfTable(t *testing.T) {
	srcs := map[string]string{"bodies.nft": `table ip t {
	chain c {
		ip saddr 192.0.2.1 jump { ip daddr 192.0.2.2 accept; tcp dport 22 jump { drop } }
		counter
	}
	chain d {
		udp dport 53 jump { accept }
	}
	chain c {
		tcp dport 80 accept
	}
}
add rule ip t __chain0 udp dport 1 drop
flush chain ip t d
`}
	for _, tc := range testRulesets(t, srcs) {
		name, rs := tc.name, tc.rs
		index := newTableIndex(rs)
		for _, tb := range rs.Tables {
			var want []ruleRef
			eachRuleOfTable(tb, func(r ruleRef) { want = append(want, r) })
			e := index.entry(tb)
			next := 0
			for _, run := range e.rules.runs {
				if run.start != next || run.end <= run.start {
					t.Fatalf("%s: table %s: run [%d:%d) after %d", name, tb.Name, run.start, run.end, next)
				}
				for i := run.start; i < run.end && i < len(want); i++ {
					w, got := want[i], e.rules.rules[i]
					stmts := e.rules.stmts(i)
					if run.chain != w.Chain || got.rule != w.Rule || got.rule == nil && parser.Node(got.body) != w.Node ||
						len(stmts) != len(w.Stmts) || len(w.Stmts) > 0 && &stmts[0] != &w.Stmts[0] {
						t.Errorf("%s: table %s: rule %d is %+v of chain %s, eachRuleOfTable visits %+v", name, tb.Name, i, got, run.chain.Name, w)
					}
				}
				next = run.end
			}
			if next != len(want) || len(e.rules.rules) != len(want) {
				t.Fatalf("%s: table %s: runs of %d rules, a list of %d, eachRuleOfTable visits %d", name, tb.Name, next, len(e.rules.rules), len(want))
			}
		}
	}
}

// verdictTargets skips the walk of statements that cannot hold a verdict:
// on every statement of the test cases it finds the edges the walk finds.
func TestVerdictTargetsShortcuts(t *testing.T) {
	srcs := map[string]string{"edges.nft": `table ip t {
	map m { type ipv4_addr : verdict; elements = { 192.0.2.1 : jump c } }
	chain c {
		ip saddr 10.0.0.0/8 jump d
		meta mark set 1 goto d
		ip daddr vmap { 192.0.2.2 : jump d, 192.0.2.3 : goto c }
		ip daddr vmap @m
		ip saddr { 10.0.0.0/8, 192.0.2.0/24 } accept
	}
	chain d {
	}
}
`}
	stmts, edges := 0, 0
	for _, tc := range testRulesets(t, srcs) {
		name, rs := tc.name, tc.rs
		eachRule(rs, func(r ruleRef) {
			lookupSet := func(name string) *ruleset.Set { return r.Table.Set(name) }
			for _, s := range r.Stmts {
				var got, want []chainEdge
				verdictTargets(s, lookupSet, func(e chainEdge) { got = append(got, e) })
				v := edgeVisitor{lookupSet: lookupSet, fn: func(e chainEdge) { want = append(want, e) }}
				walkInner(&v, s, nil, 0)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: %s: verdictTargets found %v, the walk %v", name, rs.Files.Position(s.Pos()), got, want)
				}
				stmts++
				edges += len(want)
			}
		})
	}
	if stmts < 500 || edges < 20 {
		t.Errorf("compared %d statements with %d edges, want the test cases' statements", stmts, edges)
	}
}
