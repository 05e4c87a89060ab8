package parser_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// load runs the loader and the builder on one source, like the linter.
func load(t *testing.T, cfg parser.LoadConfig, name string, src []byte) (*ruleset.Ruleset, parser.ErrorList) {
	t.Helper()
	res, err := parser.Load(nil, cfg, parser.Source{Name: name, Src: src})
	if err != nil {
		t.Fatal(err)
	}
	rs, applyErrs := ruleset.Build(res)
	return rs, append(res.Errors, applyErrs...)
}

// TestLoadJSONBuildsModel: JSON goes through the loader and the builder
// like text, and the model points back into the JSON file.
func TestLoadJSONBuildsModel(t *testing.T) {
	src := []byte(`{"nftables": [
  {"flush": {"ruleset": null}},
  {"add": {"table": {"family": "inet", "name": "filter"}}},
  {"add": {"chain": {"family": "inet", "table": "filter", "name": "forward", "type": "filter", "hook": "forward", "prio": -10, "policy": "drop"}}},
  {"add": {"chain": {"family": "inet", "table": "filter", "name": "docker"}}},
  {"add": {"set": {"family": "inet", "table": "filter", "name": "bridges", "type": "ifname", "elem": ["docker0", "br-*"]}}},
  {"add": {"rule": {"family": "inet", "table": "filter", "chain": "forward", "expr": [
      {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "@bridges"}},
      {"jump": {"target": "docker"}}]}}},
  {"add": {"rule": {"family": "inet", "table": "filter", "chain": "forward", "expr": [
      {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}},
      {"accept": null}]}}},
  {"insert": {"rule": {"family": "inet", "table": "filter", "chain": "forward", "expr": [{"counter": null}]}}},
  {"add": {"element": {"family": "inet", "table": "filter", "name": "bridges", "elem": ["veth0"]}}},
  {"delete": {"element": {"family": "inet", "table": "filter", "name": "bridges", "elem": ["docker0"]}}}
]}`)
	rs, errs := load(t, parser.LoadConfig{}, "fw.json", src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(rs.Tables) != 1 || rs.Tables[0].Family != parser.FamilyInet || rs.Tables[0].Name != "filter" {
		t.Fatalf("tables: %+v", rs.Tables)
	}
	tbl := rs.Tables[0]
	fwd := tbl.Chain("forward")
	if fwd == nil || fwd.Base == nil {
		t.Fatal("no base chain forward")
	}
	b := fwd.Base
	if b.Type != "filter" || b.Hook != ruleset.HookForward || b.Priority != -10 || !b.PrioOK || b.Policy != "drop" || !b.PolicySet {
		t.Errorf("base spec %+v", b)
	}
	if len(fwd.Rules) != 3 {
		t.Fatalf("%d rules, want 3 (insert first)", len(fwd.Rules))
	}
	if kw, ok := fwd.Rules[0].Stmts[0].(*parser.KeywordStmt); !ok || kw.Keyword != "counter" {
		t.Errorf("inserted rule is not first: %#v", fwd.Rules[0].Stmts[0])
	}
	if v, ok := fwd.Rules[1].Stmts[1].(*parser.VerdictStmt); !ok || v.Kind != "jump" {
		t.Errorf("rule 2 does not end in a jump: %#v", fwd.Rules[1].Stmts)
	}
	if c := tbl.Chain("docker"); c == nil || c.Base != nil {
		t.Errorf("regular chain docker: %+v", c)
	}
	set := tbl.Set("bridges")
	if set == nil {
		t.Fatal("no set bridges")
	}
	var elems []string
	for _, e := range set.Elements {
		lit, ok := e.Key.(*parser.Literal)
		if !ok || lit.Kind != parser.LitString {
			t.Errorf("element %#v is not a string literal", e.Key)
			continue
		}
		elems = append(elems, lit.Text)
	}
	if strings.Join(elems, ",") != "br-*,veth0" {
		t.Errorf("set elements %v, want br-*,veth0 (docker0 deleted)", elems)
	}
	if len(rs.Flushes) != 1 {
		t.Errorf("%d flushes, want 1", len(rs.Flushes))
	}
	pos := rs.Files.Position(b.Prop.Pos())
	if pos.Filename != "fw.json" || pos.Line != 4 {
		t.Errorf("base spec at %s, want fw.json:4", pos)
	}
	if p := rs.Files.Position(fwd.Rules[2].Stmts[1].Pos()); p.Line != 12 || p.Column != 7 {
		t.Errorf("accept at %s, want fw.json:12:7", p)
	}
}

// TestLoadJSONErrors: a command nft cannot apply is reported by the
// builder at the JSON object; malformed JSON by the loader, with NFT001.
func TestLoadJSONErrors(t *testing.T) {
	_, errs := load(t, parser.LoadConfig{}, "bad.json", []byte(`{"nftables": [
  {"add": {"rule": {"family": "ip", "table": "nope", "chain": "c", "expr": [{"accept": null}]}}}
]}`))
	if len(errs) != 1 || errs[0].Code != ruleset.CodeApply || errs[0].Pos.Line != 2 || errs[0].Pos.Column != 3 {
		t.Errorf("errors %v, want one %s at bad.json:2:3", errs, ruleset.CodeApply)
	}
	_, errs = load(t, parser.LoadConfig{}, "broken.json", []byte("{\"nftables\": [\n  {\"table\": }\n]}"))
	if len(errs) != 1 || errs[0].Code != parser.CodeSyntax || errs[0].Pos.String() != "broken.json:2:13" {
		t.Errorf("errors %v, want one NFT001 at broken.json:2:13", errs)
	}
}

// TestLoadInputFormat: detection by the first non-blank byte, and the
// forced formats.
func TestLoadInputFormat(t *testing.T) {
	jsonSrc := []byte(` {"nftables": [{"add": {"table": {"family": "ip", "name": "t"}}}]}`)
	if rs, errs := load(t, parser.LoadConfig{}, "a", jsonSrc); len(errs) > 0 || len(rs.Tables) != 1 {
		t.Errorf("detected JSON: %v, %d tables", errs, len(rs.Tables))
	}
	if _, errs := load(t, parser.LoadConfig{InputFormat: "text"}, "a", jsonSrc); len(errs) == 0 {
		t.Error("JSON forced to be read as text parsed without error")
	}
	if _, errs := load(t, parser.LoadConfig{InputFormat: "json"}, "a", []byte("table ip t {}")); len(errs) == 0 || !strings.Contains(errs[0].Msg, "malformed JSON") {
		t.Errorf("text forced to be read as JSON: %v, want a malformed JSON error", errs)
	}
}

// TestJSONCorpusModelsMatchTextDumps builds the models of each pair of
// text and JSON dumps in nft's test suite and compares what the checks
// look at: tables, chains, resolved base-chain specs, rules and their
// final verdicts, sets and their element counts.
func TestJSONCorpusModelsMatchTextDumps(t *testing.T) {
	shared := os.Getenv("NFTLINT_SHARED")
	if shared == "" {
		shared = filepath.Join("..", "..", "shared")
	}
	dir := filepath.Join(shared, "corpus", "nftables-tests", "json", "tests")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("NFTLINT_CORPUS") == "required" {
			t.Fatalf("corpus required but not found at %s (set NFTLINT_SHARED): %v", dir, err)
		}
		t.Skipf("corpus not found at %s (set NFTLINT_SHARED to the shared directory); skipping", dir)
	}
	var jsonFiles []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".json-nft") && strings.Contains(p, "/dumps/") {
			jsonFiles = append(jsonFiles, p)
		}
		return nil
	})
	compared, same := 0, 0
	for _, jp := range jsonFiles {
		tp := strings.TrimSuffix(strings.Replace(jp, "/json/tests/", "/tests/", 1), ".json-nft") + ".nft"
		textSrc, err := os.ReadFile(tp)
		if err != nil {
			continue
		}
		jsonSrc, err := os.ReadFile(jp)
		if err != nil {
			t.Fatal(err)
		}
		trs, terrs := load(t, parser.LoadConfig{}, "dump.nft", textSrc)
		jrs, jerrs := load(t, parser.LoadConfig{}, "dump.json", jsonSrc)
		if len(terrs) > 0 || len(jerrs) > 0 {
			continue // nft rejects some dumps (kernel features); TestJSONCorpusAccepted covers JSON errors
		}
		compared++
		if a, b := summarize(trs), summarize(jrs); a != b {
			t.Errorf("%s: models differ\ntext: %s\njson: %s", jp, a, b)
			continue
		}
		same++
	}
	t.Logf("MEASURED %d of %d JSON/text dump pairs build the same model", same, compared)
	if compared < 100 {
		t.Errorf("only %d pairs compared", compared)
	}
}

// summarize renders the parts of a model the checks rely on.
func summarize(rs *ruleset.Ruleset) string {
	var b strings.Builder
	for _, t := range rs.Tables {
		fmt.Fprintf(&b, "table %s %s flags=%v {", t.Family, t.Name, t.Flags)
		for _, c := range t.Chains {
			fmt.Fprintf(&b, " chain %s", c.Name)
			if c.Base != nil {
				devs := append([]string(nil), c.Base.Devices...)
				sort.Strings(devs)
				fmt.Fprintf(&b, "[%s %s %d ok=%v policy=%s dev=%v]", c.Base.Type, c.Base.Hook, c.Base.Priority, c.Base.PrioOK, c.Base.Policy, devs)
			}
			fmt.Fprintf(&b, " rules=%d", len(c.Rules))
			for _, r := range c.Rules {
				if n := len(r.Stmts); n > 0 {
					fmt.Fprintf(&b, " %T", r.Stmts[n-1])
					if v, ok := r.Stmts[n-1].(*parser.VerdictStmt); ok {
						b.WriteString(":" + v.Kind)
					}
				}
			}
		}
		for _, s := range t.Sets {
			// nft's text leaves out the timeout flag when the set has a
			// default timeout (it implies the flag); JSON lists it.
			var flags []string
			for _, f := range s.Flags {
				if f != "timeout" {
					flags = append(flags, f)
				}
			}
			sort.Strings(flags)
			fmt.Fprintf(&b, " set %s map=%v flags=%v elems=%d", s.Name, s.IsMap, flags, s.Len())
		}
		for _, f := range t.Flowtables {
			fmt.Fprintf(&b, " flowtable %s %s %d", f.Name, f.Hook, f.Priority)
		}
		for _, o := range t.Objects {
			fmt.Fprintf(&b, " %s %s", o.Kind, o.Name)
		}
		b.WriteString(" }")
	}
	return b.String()
}
