package bench

import (
	"strings"
	"testing"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// TestScaleSet checks the set grower on a small set: every copy adds the
// same number of elements, none overlaps, and the result parses.
func TestScaleSet(t *testing.T) {
	src := []byte("table ip t {\n\tset s {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = {\n\t\t\t10.0.0.0/28, 10.0.210.1,\n\t\t\t10.10.0.1-10.10.0.9\n\t\t}\n\t}\n}\n")
	out := scaleSet(t, src, 3)
	for _, want := range []string{"10.0.210.1", "11.0.210.1", "12.10.0.1-12.10.0.9", "11.0.0.0/28"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("scaled set lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "0.2111.") || strings.Contains(string(out), "11.11.") {
		t.Errorf("an octet other than the first was rewritten:\n%s", out)
	}
	rs := buildOrFail(t, out)
	if n := rs.Tables[0].Sets[0].Len(); n != 9 {
		t.Errorf("%d elements, want 9", n)
	}
}

// TestScaleRuleset checks the ruleset grower on the perf file: 2× has
// twice the tables, chains and rules, and loads without errors.
func TestScaleRuleset(t *testing.T) {
	src := perfFile(t, "large-ruleset.nft")
	one, two := buildOrFail(t, src), buildOrFail(t, scaleRuleset(t, src, 2))
	count := func(rs *ruleset.Ruleset) (tables, chains, rules int) {
		for _, tb := range rs.Tables {
			tables++
			for _, c := range tb.Chains {
				chains++
				rules += len(c.Rules)
			}
		}
		return
	}
	t1, c1, r1 := count(one)
	t2, c2, r2 := count(two)
	if t2 != 2*t1 || c2 != 2*c1 || r2 != 2*r1 {
		t.Errorf("2×: %d tables, %d chains, %d rules; 1×: %d, %d, %d", t2, c2, r2, t1, c1, r1)
	}
}

func buildOrFail(t *testing.T, src []byte) *ruleset.Ruleset {
	t.Helper()
	res, err := parser.Load(parser.NewFileSet(), parser.LoadConfig{}, parser.Source{Name: "in.nft", Src: src})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("load: %v", res.Errors[0])
	}
	rs, errs := ruleset.Build(res)
	if len(errs) > 0 {
		t.Fatalf("build: %v", errs[0])
	}
	return rs
}
