package checks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// millionElementMap returns a ruleset with one verdict map of n elements
// on n lines. key(i) and verdict(i) give element i's key and value.
func millionElementMap(n int, key func(int) uint64, verdict func(int) string) *ruleset.Ruleset {
	fset := parser.NewFileSet()
	line := []byte("65535 : accept\n")
	src := make([]byte, 0, n*len(line))
	for i := 0; i < n; i++ {
		src = append(src, line...)
	}
	f := fset.AddFile("big.nft", src)
	t := &ruleset.Table{Family: parser.FamilyInet, Name: "t"}
	s := &ruleset.Set{Table: t, Name: "m", IsMap: true}
	slab := make([]ruleset.Element, n)
	s.Elements = make([]*ruleset.Element, n)
	for i := 0; i < n; i++ {
		at := i * len(line)
		k := key(i)
		num := &parser.Number{Text: fmt.Sprint(k), Value: k, ValuePos: f.Pos(at), EndPos: f.Pos(at + 5)}
		v := &parser.Verdict{Kind: verdict(i), KindPos: f.Pos(at + 8), EndPos: f.Pos(at + 14)}
		slab[i] = ruleset.Element{Key: num, Value: v, Node: num}
		s.Elements[i] = &slab[i]
	}
	t.Sets = []*ruleset.Set{s}
	return &ruleset.Ruleset{Files: fset, Tables: []*ruleset.Table{t}}
}

func runNFT213(rs *ruleset.Ruleset) []Diagnostic {
	var got []Diagnostic
	runDuplicateMapKey(NewPass(nft213, rs, &Options{}, func(d Diagnostic) { got = append(got, d) }))
	return got
}

// TestMapKeyClashesMillion requires one finding for one clash among a
// million keys, none for a million copies of one element, and the capped
// count for a million copies with alternating values (every element then
// hashes alike: the check must stay linear in such a group).
func TestMapKeyClashesMillion(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	const n = 1_000_000
	accept := func(int) string { return "accept" }
	got := runNFT213(millionElementMap(n, func(i int) uint64 {
		if i == n-1 {
			return 12345
		}
		return uint64(i)
	}, func(i int) string {
		if i == n-1 {
			return "drop"
		}
		return "accept"
	}))
	if len(got) != 1 || got[0].Start.Line != n || !strings.Contains(got[0].Message, "key 12345 is already in map \"m\" with the value accept (at line 12346)") {
		t.Fatalf("one clash among %d keys: got %d findings %v", n, len(got), got)
	}

	if got := runNFT213(millionElementMap(n, func(int) uint64 { return 22 }, accept)); len(got) != 0 {
		t.Fatalf("%d copies of 22 : accept: got %d findings, want none: %s", n, len(got), got[0].Message)
	}

	got = runNFT213(millionElementMap(n, func(int) uint64 { return 22 }, func(i int) string {
		if i%2 == 0 {
			return "accept"
		}
		return "drop"
	}))
	if len(got) != maxMapKeyReports+1 {
		t.Fatalf("alternating values: got %d findings, want %d", len(got), maxMapKeyReports+1)
	}
	if last := got[len(got)-1].Message; !strings.Contains(last, fmt.Sprintf("%d more keys", n/2-maxMapKeyReports)) {
		t.Errorf("the last finding does not count the rest: %s", last)
	}
}

// TestMapValuesDiffer requires values to differ only when certain.
func TestMapValuesDiffer(t *testing.T) {
	num := func(v uint64) parser.Expr { return &parser.Number{Value: v, Text: fmt.Sprint(v)} }
	lit := func(k parser.LitKind, s string) parser.Expr { return &parser.Literal{Kind: k, Text: s} }
	verdict := func(kind, target string) parser.Expr {
		v := &parser.Verdict{Kind: kind}
		if target != "" {
			v.Target = lit(parser.LitWord, target)
		}
		return v
	}
	prefix := func(addr string, n uint64) parser.Expr {
		return &parser.Prefix{X: lit(parser.LitIPv4, addr), Len: &parser.Number{Value: n, Text: fmt.Sprint(n)}}
	}
	for _, tc := range []struct {
		a, b  parser.Expr
		names bool
		want  bool
	}{
		{verdict("accept", ""), verdict("drop", ""), false, true},
		{verdict("jump", "a"), verdict("goto", "a"), false, true},
		{verdict("jump", "a"), verdict("jump", "b"), false, true},
		{verdict("jump", "a"), verdict("jump", "a"), false, false},
		{num(1), num(1), false, false},
		{num(1), lit(parser.LitNumber, "0x1"), false, false},
		{num(1), num(2), false, true},
		{lit(parser.LitIPv4, "192.0.2.1"), lit(parser.LitIPv4, "192.0.2.2"), false, true},
		{lit(parser.LitIPv6, "2001:db8::1"), lit(parser.LitIPv6, "2001:0db8:0::1"), false, false},
		{lit(parser.LitIPv4, "192.0.2.1"), num(3221225985), false, false}, // another kind: not compared
		{prefix("192.0.2.0", 24), &parser.RangeExpr{Lo: lit(parser.LitIPv4, "192.0.2.0"), Hi: lit(parser.LitIPv4, "192.0.2.255")}, false, false},
		{prefix("192.0.2.0", 24), prefix("192.0.2.0", 25), false, true},
		{prefix("192.0.2.1", 32), lit(parser.LitIPv4, "192.0.2.1"), false, false},
		{lit(parser.LitMAC, "00:11:22:33:44:aa"), lit(parser.LitMAC, "00:11:22:33:44:AA"), false, false},
		{lit(parser.LitString, "eth0"), lit(parser.LitString, "eth1"), false, true},
		{lit(parser.LitWord, "udp"), lit(parser.LitWord, "tcp"), false, false}, // symbols may alias
		{lit(parser.LitWord, "udp"), num(17), false, false},
		{lit(parser.LitWord, "eth0"), lit(parser.LitString, "eth0"), true, false},
		{lit(parser.LitWord, "eth0"), lit(parser.LitWord, "eth1"), true, true},
		{&parser.Concat{Parts: []parser.Expr{lit(parser.LitIPv4, "192.0.2.1"), num(80)}},
			&parser.Concat{Parts: []parser.Expr{lit(parser.LitIPv4, "192.0.2.1"), num(81)}}, false, true},
		{&parser.Concat{Parts: []parser.Expr{lit(parser.LitWord, "x"), num(80)}},
			&parser.Concat{Parts: []parser.Expr{lit(parser.LitWord, "y"), num(80)}}, false, false},
	} {
		if got := mapValuesDiffer(tc.a, tc.b, tc.names); got != tc.want {
			t.Errorf("mapValuesDiffer(%s, %s, names=%v) = %v, want %v", elementText(tc.a), elementText(tc.b), tc.names, got, tc.want)
		}
	}
}

func BenchmarkMapKeyClashesMillion(b *testing.B) {
	rs := millionElementMap(1_000_000, func(i int) uint64 { return uint64(i) }, func(int) string { return "accept" })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runNFT213(rs)
	}
}
