package checks

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// TestAllRulesOrder checks that the rule list Run shares (built from the
// tables' lists) is eachRule's, rule for rule, on the check tests' inputs
// and on rulesets with anonymous chains whose rule is gone.
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
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "checks", "*", "*.txtar"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			srcs[filepath.Base(f)] = string(b)
		}
	}
	if len(files) == 0 {
		t.Fatal("no check test inputs found in ../testdata/checks")
	}
	anonymousSeen := false
	for name, src := range srcs {
		// txtar archives: the whole text parses with errors at worst,
		// which is enough to build a model to walk.
		res, err := parser.Load(parser.NewFileSet(), parser.LoadConfig{}, parser.Source{Name: name, Src: []byte(src)})
		if err != nil {
			continue
		}
		rs, _ := ruleset.Build(res)
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
