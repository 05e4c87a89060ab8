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

// sharedSetRuleset loads a chain of rules that all use one define of a
// large set, each with a distinct second match, plus a copy of the first
// rule (NFT309) and a rule the first one shadows (NFT308).
func sharedSetRuleset(tb testing.TB, elems, rules int) *ruleset.Ruleset {
	tb.Helper()
	var b strings.Builder
	b.WriteString("define big = { ")
	for i := 0; i < elems; i++ {
		fmt.Fprintf(&b, "%d, ", 10000+elems-i) // written in descending order: sorting has work to do
	}
	b.WriteString("1 }\ntable inet t {\n\tchain c {\n")
	for i := 0; i < rules; i++ {
		fmt.Fprintf(&b, "\t\ttcp dport $big meta mark %d accept\n", i)
	}
	b.WriteString("\t\ttcp dport $big meta mark 0 accept\n")
	b.WriteString("\t\ttcp dport $big meta mark 1 ip saddr 192.0.2.1 drop\n")
	b.WriteString("\t}\n}\n")
	return buildStrict(tb, "shared.nft", b.String())
}

// TestCanonMemoSortsSharedSetOnce requires the rule checks to compute the
// key of a set used by every rule once, not once per rule, and still find
// the copy and the shadowed rule.
func TestCanonMemoSortsSharedSetOnce(t *testing.T) {
	rs := sharedSetRuleset(t, 2000, 50)
	c := rs.Tables[0].Chains[0]

	var diags []Diagnostic
	p := NewPass(nft309, rs, &Options{}, func(d Diagnostic) { diags = append(diags, d) })
	dups := newDupFinder(p.ruleHashes())
	dups.check(p, newChainTable(rs.Tables[0]), c)
	memo := p.ruleHashes().canon
	if len(memo.lists) != 1 || len(memo.tokens) != 1 {
		t.Errorf("NFT309 memoised %d lists with %d distinct keys, want the one shared set once", len(memo.lists), len(memo.tokens))
	}
	if len(diags) != 1 || !strings.Contains(diags[0].Message, "duplicates the rule at line 4") {
		t.Errorf("NFT309 findings: %v, want the copy of line 4", diags)
	}

	diags = nil
	p = NewPass(nft308, rs, &Options{}, func(d Diagnostic) { diags = append(diags, d) })
	keys := newRuleKeys(p.ruleHashes())
	checkShadowing(p, keys, newChainTable(rs.Tables[0]), c)
	if n := len(p.ruleHashes().canon.lists); n != 1 {
		t.Errorf("NFT308 memoised %d lists, want the one shared set", n)
	}
	if keys.seen.len() != 51 { // 50 rules and the shadowed one; the copy is the first rule's
		t.Errorf("NFT308 hashed %d distinct rules, want 51", keys.seen.len())
	}
	if len(diags) != 1 || !strings.Contains(diags[0].Message, "line 5") {
		t.Errorf("NFT308 findings: %v, want the rule shadowed by line 5", diags)
	}
}

// TestRuleHashesShared requires NFT308 and NFT309 to hash the rules once
// between them when they share a run's state, and to find the same as
// each alone; then they are dropped.
func TestRuleHashesShared(t *testing.T) {
	rs := sharedSetRuleset(t, 100, 300)
	c := rs.Tables[0].Chains[0]
	alone := func(check *Check) []Diagnostic {
		var out []Diagnostic
		p := NewPass(check, rs, &Options{}, func(d Diagnostic) { out = append(out, d) })
		check.Run(p)
		return out
	}
	want308, want309 := alone(nft308), alone(nft309)

	var got309, got308 []Diagnostic
	p309 := NewPass(nft309, rs, &Options{}, func(d Diagnostic) { got309 = append(got309, d) })
	nft309.Run(p309)
	hashes := p309.ruleHashes()
	if hashes.hashed != len(c.Rules) {
		t.Fatalf("NFT309 hashed %d rules, want the chain's %d", hashes.hashed, len(c.Rules))
	}
	p308 := NewPass(nft308, rs, &Options{}, func(d Diagnostic) { got308 = append(got308, d) })
	p308.shared = p309.shared
	nft308.Run(p308)
	if hashes.hashed != len(c.Rules) {
		t.Errorf("after NFT309, NFT308 hashed %d more rules, want none", hashes.hashed-len(c.Rules))
	}
	if len(hashes.chains) != 0 {
		t.Errorf("%d chains' hashes kept after both checks were done with them, want none", len(hashes.chains))
	}
	same := func(id string, got, want []Diagnostic) {
		if len(got) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s with shared hashes found %v, alone %v", id, got, want)
		}
	}
	same("NFT308", got308, want308)
	same("NFT309", got309, want309)
}

// TestCanonMemoKeys requires memoised keys to keep the meaning of keys:
// equal for the same elements in another order, different for different
// elements, and the same as without a memo for short lists.
func TestCanonMemoKeys(t *testing.T) {
	set := func(nums ...uint64) *parser.SetLit {
		lit := &parser.SetLit{}
		for _, n := range nums {
			lit.Elems = append(lit.Elems, &parser.Number{Value: n, Text: fmt.Sprint(n)})
		}
		return lit
	}
	seq := func(from, n int) []uint64 {
		var out []uint64
		for i := 0; i < n; i++ {
			out = append(out, uint64(from+i))
		}
		return out
	}
	rev := func(xs []uint64) []uint64 {
		out := make([]uint64, len(xs))
		for i, x := range xs {
			out[len(xs)-1-i] = x
		}
		return out
	}
	memo := newCanonMemo()
	key := func(lit *parser.SetLit) string {
		k, ok := memo.key(&parser.MatchStmt{Left: &parser.Selector{Words: []parser.Ident{{Name: "tcp"}, {Name: "dport"}}}, Right: lit})
		if !ok {
			t.Fatal("no key")
		}
		return k
	}
	long := seq(1, 40)
	a, b := key(set(long...)), key(set(rev(long)...))
	if a != b {
		t.Errorf("the same 40 elements in another order have different keys:\n%s\n%s", a, b)
	}
	if c := key(set(seq(2, 40)...)); c == a {
		t.Errorf("different 40-element sets share the key %s", c)
	}
	if len(a) > 64 {
		t.Errorf("a memoised key holds the whole list (%d bytes): %.64s…", len(a), a)
	}
	short := seq(1, memoMinElems-1)
	var plain canonWriter
	plain.node(set(short...), 0)
	if k, _ := memo.key(set(rev(short)...)); !strings.Contains(k, plain.b.String()) {
		t.Errorf("a short list is not written out: %s", k)
	}
}

// TestCanonMemoDepth requires a memoised key to be used only where the
// depth bound gives the same answer.
func TestCanonMemoDepth(t *testing.T) {
	good := memoEntry{key: "{#0}", depth: 10}
	bad := memoEntry{depth: 10, bad: true}
	for _, tc := range []struct {
		e     memoEntry
		depth int
		want  bool
	}{
		{good, 5, true}, {good, 10, true}, {good, 11, false},
		{bad, 5, false}, {bad, 10, true}, {bad, 20, true},
	} {
		if got := tc.e.usableAt(tc.depth); got != tc.want {
			t.Errorf("%+v usable at depth %d = %v, want %v", tc.e, tc.depth, got, tc.want)
		}
	}
}

// BenchmarkRuleChecksSharedSet runs NFT307–NFT309 on 50 rules that use a
// 20,000-element define.
func BenchmarkRuleChecksSharedSet(b *testing.B) {
	rs := sharedSetRuleset(b, 20_000, 50)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Run(rs, &Options{}, isRuleCheck)
	}
}

// TestCanonKeyOfPackedElements requires the key of a set whose plain
// elements the parser packed into runs to be the key of the same set
// with each element unpacked into the node At builds, for every family
// and form, below and above the memo's list length.
func TestCanonKeyOfPackedElements(t *testing.T) {
	t.Setenv("NFTLINT_PACK_ELEMENTS", "1")
	var b strings.Builder
	b.WriteString("table inet t {\n\tchain c {\n")
	b.WriteString("\t\ttcp dport { 22, 80-90, 1024-65535 } accept\n")
	b.WriteString("\t\tip saddr { 10.0.0.0/8, 192.0.2.1, 192.0.2.10-192.0.2.20 } accept\n")
	b.WriteString("\t\tip6 saddr { 2001:db8::/32, ::1, 2001:db8::1-2001:db8::9 } accept\n")
	b.WriteString("\t\tudp dport { ")
	for i := 0; i < 2*memoMinElems; i++ {
		fmt.Fprintf(&b, "%d, %d-%d, ", 1000+i, 2000+i, 3000+i)
	}
	b.WriteString("18446744073709551615 } accept\n\t}\n}\n")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "runs.nft"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := parser.Load(parser.NewFileSet(), parser.LoadConfig{Dir: dir}, parser.Source{Name: "runs.nft"})
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("runs.nft: %v %v", err, res.Errors)
	}
	runs := 0
	for _, ast := range res.ASTs {
		parser.Inspect(ast, func(n parser.Node) bool {
			lit, ok := n.(*parser.SetLit)
			if !ok || lit == nil {
				return true
			}
			unpacked := &parser.SetLit{}
			for _, e := range lit.Elems {
				r, ok := e.(*parser.ElemRun)
				if !ok {
					unpacked.Elems = append(unpacked.Elems, e)
					continue
				}
				runs++
				for i := range r.Len() {
					unpacked.Elems = append(unpacked.Elems, r.At(i))
				}
			}
			packed, ok1 := newCanonMemo().key(lit)
			want, ok2 := newCanonMemo().key(unpacked)
			if !ok1 || !ok2 || packed != want {
				t.Errorf("packed set key %q (%v), want %q (%v)", packed, ok1, want, ok2)
			}
			return false
		})
	}
	if runs == 0 {
		t.Skip("the parser packs no elements yet")
	}
}

// TestCanonKeyTypedNil requires a match holding a typed nil node (a
// part that failed to parse) to have no key, whatever the node's type.
func TestCanonKeyTypedNil(t *testing.T) {
	sel := &parser.Selector{Words: []parser.Ident{{Name: "tcp"}, {Name: "dport"}}}
	for _, right := range []parser.Expr{
		(*parser.Literal)(nil), (*parser.StringLit)(nil), (*parser.Number)(nil),
		(*parser.VarRef)(nil), (*parser.SetLit)(nil), (*parser.Selector)(nil), (*parser.ElemRun)(nil),
	} {
		if k, ok := newCanonMemo().key(&parser.MatchStmt{Left: sel, Right: right}); ok {
			t.Errorf("match with a typed nil %T has the key %q, want none", right, k)
		}
	}
	if _, ok := newCanonMemo().key(&parser.MatchStmt{Left: sel, Right: &parser.Number{Value: 22}}); !ok {
		t.Error("tcp dport 22 has no key")
	}
}

// TestRuleHashesReused requires the storage of a chain both checks are
// done with to be reused for the next chain, with the findings each check
// makes alone, in a run of both checks too.
func TestRuleHashesReused(t *testing.T) {
	var b strings.Builder
	b.WriteString("table inet t {\n")
	for c, n := range []int{40, 25, 60, 3} { // a longer chain after shorter ones
		fmt.Fprintf(&b, "\tchain c%d {\n\t\ttcp dport 9 drop\n", c)
		for i := range n {
			fmt.Fprintf(&b, "\t\tip saddr 10.0.%d.%d tcp dport %d counter accept\n", c, i, 100+i%7)
		}
		fmt.Fprintf(&b, "\t\tip saddr 10.0.%d.0 tcp dport 100 counter accept\n", c) // a copy
		b.WriteString("\t\tip saddr 192.0.2.1 tcp dport 9 accept\n\t}\n")           // shadowed
	}
	b.WriteString("}\n")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "chains.nft"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, _ := loadRuleset(t, dir, "chains.nft")
	only := func(id string) func(*Check) bool { return func(c *Check) bool { return c.ID == id } }
	want := fmt.Sprint(Run(rs, &Options{}, only("NFT308")), Run(rs, &Options{}, only("NFT309")))

	var got308, got309 []Diagnostic
	p308 := NewPass(nft308, rs, &Options{}, func(d Diagnostic) { got308 = append(got308, d) })
	p309 := NewPass(nft309, rs, &Options{}, func(d Diagnostic) { got309 = append(got309, d) })
	p309.shared = p308.sharedRun()
	keys, dups := newRuleKeys(p308.ruleHashes()), newDupFinder(p309.ruleHashes())
	table := rs.Tables[0]
	ct := newChainTable(table)
	hashes := p308.ruleHashes()
	storage := map[*int32]bool{} // the chains' start slices' arrays
	for _, c := range table.Chains {
		checkShadowing(p308, keys, ct, c)
		storage[&hashes.chains[c].start[0]] = true
		dups.check(p309, ct, c)
	}
	if len(storage) != 2 { // the first chain's (reused by the shorter second and fourth) and the longest's
		t.Errorf("the chains' hashes were held in %d arrays, want 2", len(storage))
	}
	if len(hashes.chains) != 0 || len(hashes.spare) == 0 {
		t.Errorf("after both checks: %d chains kept, %d spare, want none kept and some spare", len(hashes.chains), len(hashes.spare))
	}
	SortDiagnostics(rs.Files, got308)
	SortDiagnostics(rs.Files, got309)
	if got := fmt.Sprint(got308, got309); got != want || len(got308) != 4 || len(got309) != 4 {
		t.Errorf("with reused storage:\n%s\nalone:\n%s", got, want)
	}
	both := Run(rs, &Options{}, isRuleCheck)
	if len(both) != 8 {
		t.Errorf("a run of both checks found %d, want 8: %v", len(both), both)
	}
}

// TestRuleHashesPendingBounded runs NFT309 over every chain of a
// ruleset before NFT308 starts: the hashes NFT309 alone is done with are
// kept up to maxPendingStmts statements, so NFT308 hashes the older
// chains again, and both find what each finds alone.
func TestRuleHashesPendingBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	var b strings.Builder
	b.WriteString("table inet t {\n")
	const chains, rules = 12, 2000 // 3 statements a rule: 72,000 in all
	for c := range chains {
		fmt.Fprintf(&b, "\tchain c%d {\n\t\ttcp dport 9 drop\n", c)
		for i := range rules {
			fmt.Fprintf(&b, "\t\tip saddr 10.%d.%d.%d tcp dport %d accept\n", c, i>>8, i&0xff, 100+i%7)
		}
		fmt.Fprintf(&b, "\t\tip saddr 10.%d.0.0 tcp dport 100 accept\n", c) // a copy
		b.WriteString("\t\tip saddr 192.0.2.1 tcp dport 9 accept\n\t}\n")   // shadowed
	}
	b.WriteString("}\n")
	rs := buildStrict(t, "pending.nft", b.String())
	only := func(id string) func(*Check) bool { return func(c *Check) bool { return c.ID == id } }
	want := fmt.Sprint(Run(rs, &Options{}, only("NFT308")), Run(rs, &Options{}, only("NFT309")))

	var got308, got309 []Diagnostic
	p309 := NewPass(nft309, rs, &Options{}, func(d Diagnostic) { got309 = append(got309, d) })
	nft309.Run(p309)
	hashes := p309.ruleHashes()
	total := chains * (rules + 3)
	if hashes.hashed != total || hashes.pendingStmts > maxPendingStmts || len(hashes.chains) == chains {
		t.Fatalf("after NFT309: %d rules hashed (want %d), %d statements pending of %d chains kept, want at most %d statements and fewer chains",
			hashes.hashed, total, hashes.pendingStmts, len(hashes.chains), maxPendingStmts)
	}
	p308 := NewPass(nft308, rs, &Options{}, func(d Diagnostic) { got308 = append(got308, d) })
	p308.shared = p309.shared
	nft308.Run(p308)
	if hashes.hashed == total || hashes.hashed >= 2*total {
		t.Errorf("NFT308 hashed %d rules after NFT309's %d, want the dropped chains' only", hashes.hashed-total, total)
	}
	SortDiagnostics(rs.Files, got308)
	SortDiagnostics(rs.Files, got309)
	if got := fmt.Sprint(got308, got309); got != want || len(got308) != chains || len(got309) != chains {
		t.Errorf("with dropped hashes:\n%s\nalone:\n%s", got, want)
	}
}
