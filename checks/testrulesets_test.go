package checks

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// testRuleset is one input of the tests that hold a shortcut to the walk
// it replaces: its name and the ruleset built from it.
type testRuleset struct {
	name string
	rs   *ruleset.Ruleset
}

// testRulesets builds the rulesets of extra (name → source) and of every
// check test case in ../testdata/checks, in name order. The test cases
// are read as whole txtar archives: they parse with errors at worst,
// which is enough to build a model to walk. It fails the test when the
// test cases are not found.
func testRulesets(t *testing.T, extra map[string]string) []testRuleset {
	t.Helper()
	srcs := map[string]string{}
	for name, src := range extra {
		srcs[name] = src
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "checks", "*", "*.txtar"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			srcs[filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f)] = string(b)
		}
	}
	if len(srcs) < len(extra)+10 {
		t.Fatalf("found %d check test cases in ../testdata/checks, want them all", len(srcs)-len(extra))
	}
	var out []testRuleset
	for _, name := range slices.Sorted(maps.Keys(srcs)) {
		res, err := parser.Load(parser.NewFileSet(), parser.LoadConfig{}, parser.Source{Name: name, Src: []byte(srcs[name])})
		if err != nil {
			continue
		}
		rs, _ := ruleset.Build(res)
		out = append(out, testRuleset{name, rs})
	}
	return out
}
