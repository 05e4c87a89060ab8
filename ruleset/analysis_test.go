package ruleset

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/parser"
)

// buildText loads and builds an nft text, failing on any input error.
func buildText(t *testing.T, src string) *Ruleset {
	t.Helper()
	res, err := parser.Load(parser.NewFileSet(), parser.LoadConfig{Dir: t.TempDir()}, parser.Source{Name: "test.nft", Src: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("input errors: %v", res.Errors)
	}
	rs, errs := Build(res)
	if len(errs) > 0 {
		t.Fatalf("build errors: %v", errs)
	}
	return rs
}

func chainOf(t *testing.T, rs *Ruleset, fam Family, table, name string) *Chain {
	t.Helper()
	for _, tb := range rs.Tables {
		if tb.Family == fam && tb.Name == table {
			if c := tb.Chain(name); c != nil {
				return c
			}
		}
	}
	t.Fatalf("no chain %s %s %s", fam, table, name)
	return nil
}

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		iface Iface
		pat   string
		want  Truth
	}{
		{Iface{Pattern: "docker0"}, "docker0", Yes},
		{Iface{Pattern: "docker0"}, "docker1", No},
		{Iface{Pattern: "docker0"}, "dock*", Yes},
		{Iface{Pattern: "docker0"}, "br-*", No},
		{Iface{Pattern: "br-*"}, "br-*", Yes},
		{Iface{Pattern: "br-*"}, "b*", Yes},
		{Iface{Pattern: "br-*"}, "br-1234*", Maybe},
		{Iface{Pattern: "br-*"}, "br-0123456789ab", Maybe},
		{Iface{Pattern: "br-*"}, "eth0", No},
		{Iface{Pattern: "br-*"}, "bond*", No},
		{Iface{Not: []string{"docker0", "br-*"}}, "docker0", No},
		{Iface{Not: []string{"docker0", "br-*"}}, "br-lan", No},
		{Iface{Not: []string{"docker0", "br-*"}}, "br-a*", No},
		{Iface{Not: []string{"docker0", "br-*"}}, "eth0", Maybe},
		{Iface{Not: []string{"docker0", "br-*"}}, "b*", Maybe},
		{Iface{Not: []string{"docker0"}}, "*", Yes},
		{Iface{}, "eth0", Maybe},
		{Iface{Pattern: `a\*`}, `a\*`, Yes},
		{Iface{Pattern: `a\*`}, "a*", Yes},
		{Iface{Pattern: "ab"}, `a\*`, No},
	}
	for _, tt := range tests {
		if got := tt.iface.MatchPattern(tt.pat); got != tt.want {
			t.Errorf("%+v matches %q: got %v, want %v", tt.iface, tt.pat, got, tt.want)
		}
	}
}

var (
	fromDocker = Packet{Family: parser.FamilyIP, IIf: Iface{Pattern: "docker0"}, OIf: Iface{Not: []string{"docker0", "br-*"}}, CtState: "new"}
	toDocker   = Packet{Family: parser.FamilyIP, IIf: Iface{Not: []string{"docker0", "br-*"}}, OIf: Iface{Pattern: "docker0"}, CtState: "new"}
)

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name string
		src  string
		pkt  Packet
		want Verdict
	}{
		{"policy drop", `table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
	}
}
`, fromDocker, Drop},
		{"policy accept", `table inet f {
	chain forward {
		type filter hook forward priority 0;
	}
}
`, fromDocker, Accept},
		{"iifname accept", `table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
		iifname "docker0" accept
	}
}
`, fromDocker, Accept},
		{"other direction", `table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
		iifname "docker0" accept
	}
}
`, toDocker, Drop},
		{"undecidable", `table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
		ip saddr 10.0.0.0/8 accept
	}
}
`, fromDocker, Accept | Drop},
		{"negation", `table inet f {
	chain forward {
		type filter hook forward priority 0;
		iifname != "docker0" accept
		drop
	}
}
`, fromDocker, Drop},
		{"negated other", `table inet f {
	chain forward {
		type filter hook forward priority 0;
		oifname != "docker0" drop
	}
}
`, fromDocker, Drop},
		{"anonymous set", `table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
		iifname { "eth0", "docker*" } accept
	}
}
`, fromDocker, Accept},
		{"ct state", `table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
	}
}
`, fromDocker, Drop},
		{"ct state vmap", `table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
		ct state vmap { new : accept, invalid : drop }
	}
}
`, fromDocker, Accept},
		{"iifname vmap miss", `table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
		iifname vmap { "eth0" : accept }
	}
}
`, fromDocker, Drop},
		{"iifname vmap jump return", `table inet f {
	chain c {
		return
	}
	chain forward {
		type filter hook forward priority 0; policy drop;
		iifname vmap { "docker0" : jump c }
		accept
	}
}
`, fromDocker, Accept},
		{"jump returns", `table inet f {
	chain c {
		iifname "eth9" drop
	}
	chain forward {
		type filter hook forward priority 0; policy drop;
		jump c
		iifname "docker0" accept
	}
}
`, fromDocker, Accept},
		{"goto does not return", `table inet f {
	chain c {
		iifname "eth9" drop
	}
	chain forward {
		type filter hook forward priority 0; policy drop;
		goto c
		iifname "docker0" accept
	}
}
`, fromDocker, Drop},
		{"anonymous chain", `table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
		meta nfproto ipv4 jump {
			iifname "docker0" accept
		}
	}
}
`, fromDocker, Accept},
		{"ip6 match in inet for IPv4", `table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
		ip6 saddr ::/0 accept
	}
}
`, fromDocker, Drop},
		{"ip6 negated in inet for IPv4", `table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
		ip6 saddr != ::1 accept
	}
}
`, fromDocker, Drop},
		{"named set", `table inet f {
	set s {
		type ifname
		elements = { "docker0" }
	}
	chain forward {
		type filter hook forward priority 0; policy drop;
		iifname @s accept
	}
}
`, fromDocker, Accept},
		{"empty named set is unknown", `table inet f {
	set s {
		type ifname
	}
	chain forward {
		type filter hook forward priority 0; policy drop;
		iifname @s accept
	}
}
`, fromDocker, Accept | Drop},
		{"define", `define B = { "docker0" }
table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
		iifname $B accept
	}
}
`, fromDocker, Accept},
		{"reject", `table inet f {
	chain forward {
		type filter hook forward priority 0;
		reject
	}
}
`, fromDocker, Drop},
		{"limit is undecided", `table inet f {
	chain forward {
		type filter hook forward priority 0;
		limit rate 1/second drop
	}
}
`, fromDocker, Accept | Drop},
		{"queue", `table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
		queue num 1
	}
}
`, fromDocker, Other},
		{"continue", `table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
		iifname "docker0" continue
		accept
	}
}
`, fromDocker, Accept},
		{"concat set", `table inet f {
	chain forward {
		type filter hook forward priority 0; policy drop;
		iifname . oifname { "docker0" . "eth0" } accept
	}
}
`, fromDocker, Accept | Drop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := buildText(t, tt.src)
			c := chainOf(t, rs, parser.FamilyInet, "f", "forward")
			res := Evaluate(c, &tt.pkt)
			if res.Verdicts != tt.want {
				t.Errorf("got %v, want %v (decisions %+v)", res.Verdicts, tt.want, res.Decisions)
			}
		})
	}
}

func TestEvaluateNamed(t *testing.T) {
	rs := buildText(t, `table inet f {
	chain forward {
		type filter hook forward priority 0;
		iifname "docker0" drop
		drop
	}
}`)
	res := Evaluate(chainOf(t, rs, parser.FamilyInet, "f", "forward"), &fromDocker)
	if !res.Certainly(Drop) || len(res.Decisions) != 1 || !res.Decisions[0].Named {
		t.Errorf("an explicit iifname drop must be Named: %+v", res.Decisions)
	}
	res = Evaluate(chainOf(t, rs, parser.FamilyInet, "f", "forward"), &toDocker)
	if !res.Certainly(Drop) || res.Decisions[0].Named || res.Decisions[0].Policy() {
		t.Errorf("the catch-all drop must not be Named nor the policy: %+v", res.Decisions)
	}
}

func TestHookChains(t *testing.T) {
	rs := buildText(t, `
table ip a {
	chain f { type filter hook forward priority 10; }
}
table inet b {
	chain f { type filter hook forward priority -5; }
	chain i { type filter hook input priority 0; }
}
table ip6 c {
	chain f { type filter hook forward priority 0; }
}
table bridge d {
	chain f { type filter hook forward priority 0; }
}
`)
	names := func(cs []*Chain) string {
		s := ""
		for _, c := range cs {
			s += string(c.Table.Family) + "/" + c.Table.Name + " "
		}
		return s
	}
	if got := names(rs.HookChains(HookForward, parser.FamilyIP)); got != "inet/b ip/a " {
		t.Errorf("IPv4 forward chains: got %q", got)
	}
	if got := names(rs.HookChains(HookForward, parser.FamilyIP6)); got != "inet/b ip6/c " {
		t.Errorf("IPv6 forward chains: got %q", got)
	}
	if got := names(rs.HookChains(HookForward, parser.FamilyBridge)); got != "bridge/d " {
		t.Errorf("bridge forward chains: got %q", got)
	}
}

func TestIfaceMatchAndUnconditional(t *testing.T) {
	rs := buildText(t, `define L = { "eth0", "br-*" }
table inet f {
	set s { type ifname; }
	chain c {
		iifname != $L accept
		oifname @s counter
		counter drop
	}
}`)
	c := chainOf(t, rs, parser.FamilyInet, "f", "c")
	m := c.Rules[0].Stmts[0].(*parser.MatchStmt)
	ref, ok := IfaceMatch(c.Table, m)
	if !ok || ref.Dir != "in" || !ref.Negated || !ref.Complete || len(ref.Patterns) != 2 || ref.Patterns[1] != "br-*" {
		t.Errorf("iifname != $L: got %+v, %v", ref, ok)
	}
	m = c.Rules[1].Stmts[0].(*parser.MatchStmt)
	if ref, ok := IfaceMatch(c.Table, m); !ok || ref.Dir != "out" || ref.Complete {
		t.Errorf("oifname @s (empty set): got %+v, %v", ref, ok)
	}
	if Unconditional(c.Rules[0].Stmts) || !Unconditional(c.Rules[2].Stmts) {
		t.Error("Unconditional: rule 0 has a match, rule 2 has none")
	}
}

// A decision reached along several jump paths is listed once: chain a is
// evaluated for unnamed and named callers, and its first rule decides
// the same way in both (its iifname match names the packet's interface).
func TestEvaluateListsRepeatsOnce(t *testing.T) {
	rs := buildText(t, `table inet f {
	chain a {
		iifname "docker0" ip saddr 10.0.0.0/8 drop
		ip daddr 10.0.0.0/8 accept
	}
	chain forward {
		type filter hook forward priority 0;
		ip saddr 192.168.0.0/16 jump a
		iifname "docker0" ip saddr 172.16.0.0/12 jump a
		iifname "docker0" ip saddr 172.16.0.0/12 jump a
	}
}`)
	res := Evaluate(chainOf(t, rs, parser.FamilyInet, "f", "forward"), &fromDocker)
	var got []string
	for _, d := range res.Decisions {
		got = append(got, fmt.Sprintf("%v named=%v policy=%v", d.Verdict, d.Named, d.Policy()))
	}
	want := []string{
		"drop named=true policy=false",
		"accept named=false policy=false",
		"accept named=true policy=false",
		"accept named=false policy=true",
	}
	if !slices.Equal(got, want) {
		t.Errorf("decisions\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
