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

// bigChain writes a chain of n distinct rules plus, at its end, a rule
// shadowed by the first one and a copy of the second, and loads it.
func bigChain(tb testing.TB, n int) *ruleset.Ruleset {
	tb.Helper()
	var b strings.Builder
	b.WriteString("table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n")
	b.WriteString("\t\ttcp dport 9 drop\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "\t\tip saddr 10.%d.%d.%d tcp dport %d meta l4proto tcp counter accept\n", i>>16&0xff, i>>8&0xff, i&0xff, 1000+i%5000)
	}
	b.WriteString("\t\tip saddr 192.0.2.1 tcp dport 9 accept\n")
	b.WriteString("\t\tip saddr 10.0.0.0 tcp dport 1000 meta l4proto tcp counter accept\n")
	b.WriteString("\t}\n}\n")
	return buildStrict(tb, "big.nft", b.String())
}

// buildStrict loads src as the file name and builds its ruleset, failing
// the test on any input or build error: the inputs tests generate are
// meant to be valid.
func buildStrict(tb testing.TB, name, src string) *ruleset.Ruleset {
	tb.Helper()
	res, err := parser.Load(parser.NewFileSet(), parser.LoadConfig{}, parser.Source{Name: name, Src: []byte(src)})
	if err != nil {
		tb.Fatal(err)
	}
	if len(res.Errors) > 0 {
		tb.Fatalf("%s: %v", name, res.Errors[0])
	}
	rs, errs := ruleset.Build(res)
	if len(errs) > 0 {
		tb.Fatalf("%s: %v", name, errs[0])
	}
	return rs
}

func isRuleCheck(c *Check) bool {
	return c.ID == "NFT307" || c.ID == "NFT308" || c.ID == "NFT309"
}

// TestRuleChecksLargeChain runs NFT307–NFT309 on a chain of 50,000 rules
// and requires exactly the two planted findings.
func TestRuleChecksLargeChain(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	rs := bigChain(t, 50_000)
	if got := len(rs.Tables[0].Chains[0].Rules); got != 50_003 {
		t.Fatalf("loaded %d rules, want 50003", got)
	}
	count := map[string]int{}
	for _, d := range Run(rs, &Options{}, isRuleCheck) {
		count[d.Check]++
	}
	if count["NFT308"] != 1 || count["NFT309"] != 1 || count["NFT307"] != 0 {
		t.Errorf("findings per check: %v, want one NFT308 and one NFT309", count)
	}
}

func BenchmarkRuleChecksLargeChain(b *testing.B) {
	rs := bigChain(b, 50_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Run(rs, &Options{}, isRuleCheck)
	}
}

// TestRuleFindingsCapped requires NFT309 to report at most
// maxRuleFindingsPerChain copies of a rule per chain, plus one count.
func TestRuleFindingsCapped(t *testing.T) {
	dir := t.TempDir()
	src := "table inet t {\n\tchain c {\n" + strings.Repeat("\t\ttcp dport 22 counter\n", 60) + "\t}\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "dups.nft"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, _ := loadRuleset(t, dir, "dups.nft")
	var got []Diagnostic
	for _, d := range Run(rs, &Options{}, func(c *Check) bool { return c.ID == "NFT309" }) {
		got = append(got, d)
	}
	if len(got) != maxRuleFindingsPerChain+1 {
		t.Fatalf("got %d NFT309 findings for 59 copies, want %d", len(got), maxRuleFindingsPerChain+1)
	}
	if last := got[len(got)-1]; !strings.Contains(last.Message, "9 more duplicate rules") {
		t.Errorf("last finding does not count the rest: %s", last.Message)
	}
}
