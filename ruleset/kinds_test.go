package ruleset

import "testing"

// Build records the node kinds of each rule, through $variables and
// nested statements, but not into jump bodies.
func TestRuleKinds(t *testing.T) {
	const src = `define ports = { 22, 80 }
table ip t {
	chain c {
		ip saddr 192.0.2.1 accept
		tcp dport $ports counter name "c0"
		ip saddr @s tcp dport vmap { 22 : jump d }
		update @m { ip saddr limit rate 1/second }
		meta mark set tcp dport map { 22 : 1 }
		jump { ip daddr @other drop; }
		tcp dport { 1-1023 } dnat to 192.0.2.1:8000-8080
	}
	chain d {
	}
}
`
	rs := buildSource(t, src)
	c := rs.Tables[0].Chain("c")
	want := []NodeKinds{
		KindsKnown | KindMatch,
		KindsKnown | KindMatch | KindSetLit | KindKeywordArgs,
		KindsKnown | KindMatch | KindSetRef | KindVmap | KindSetLit | KindJump,
		KindsKnown | KindSetUpdate | KindSetRef | KindNested | KindKeywordArgs,
		KindsKnown | KindSetStmt | KindMapLookup | KindSetLit,
		KindsKnown | KindJump | KindBody,
		KindsKnown | KindMatch | KindSetLit | KindRange | KindNat,
	}
	if len(c.Rules) != len(want) {
		t.Fatalf("chain c has %d rules, want %d", len(c.Rules), len(want))
	}
	for i, r := range c.Rules {
		if r.Kinds != want[i] {
			t.Errorf("rule %d: kinds %b, want %b", i, r.Kinds, want[i])
		}
	}
	if k := NodeKinds(0); !k.Has(KindVmap) {
		t.Errorf("unknown kinds must say a rule may hold anything")
	}
	if k := KindsKnown | KindMatch; k.Has(KindVmap | KindSetLit) {
		t.Errorf("known kinds %b claim a vmap or set", k)
	}
}
