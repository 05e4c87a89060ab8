package ruleset

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/parser"
	"golang.org/x/tools/txtar"
)

// The cases in testdata/loader/build/*.txtar hold nft files (main.nft is
// loaded) and a `want` section: the model dumped by dumpModel. Build
// errors are listed in the dump as `error LINE: MESSAGE`.
func TestBuildTxtar(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/loader/build/*.txtar")
	if len(paths) == 0 {
		t.Fatal("no build cases")
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var want string
			for _, f := range ar.Files {
				if f.Name == "want" {
					want = string(f.Data)
					continue
				}
				p := filepath.Join(dir, f.Name)
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res, err := parser.Load(nil, parser.LoadConfig{Dir: dir}, parser.Source{Name: "main.nft"})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range res.Errors {
				t.Errorf("load error: %v", e)
			}
			rs, errs := Build(res)
			got := dumpModel(rs, errs)
			if strings.TrimSpace(got) != strings.TrimSpace(want) {
				t.Errorf("model:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// dumpModel renders the parts of the model the build cases check.
func dumpModel(rs *Ruleset, errs parser.ErrorList) string {
	var b strings.Builder
	line := func(n parser.Node) string {
		p := rs.Files.Position(n.Pos())
		return fmt.Sprintf("%s:%d", p.Filename, p.Line)
	}
	src := func(n parser.Node) string {
		f := rs.Files.File(n.Pos())
		return strings.Join(strings.Fields(string(f.Source()[f.Offset(n.Pos()):f.Offset(n.End())])), " ")
	}
	for _, fl := range rs.Flushes {
		fmt.Fprintf(&b, "flush %s %s %s %s %s (%s)\n", fl.Verb, fl.Object, fl.Family, fl.Table, fl.Name, line(fl.Cmd))
	}
	for _, t := range rs.Tables {
		fmt.Fprintf(&b, "table %s %s", t.Family, t.Name)
		if len(t.Flags) > 0 {
			fmt.Fprintf(&b, " flags %s", strings.Join(t.Flags, ","))
		}
		fmt.Fprintf(&b, " decls %d\n", len(t.Decls))
		for _, c := range t.Chains {
			fmt.Fprintf(&b, "  chain %s", c.Name)
			if c.Anonymous {
				fmt.Fprintf(&b, " anonymous from %s", line(c.Origin.AST))
			}
			if bs := c.Base; bs != nil {
				fmt.Fprintf(&b, " type %s hook %s prio %d", bs.Type, bs.Hook, bs.Priority)
				if bs.PrioName != "" {
					fmt.Fprintf(&b, " (%s)", bs.PrioName)
				}
				if !bs.PrioOK {
					fmt.Fprintf(&b, " BAD %q", bs.PrioErr)
				}
				fmt.Fprintf(&b, " policy %s", bs.Policy)
				if bs.PolicySet {
					b.WriteString(" set")
				}
				if len(bs.Devices) > 0 {
					fmt.Fprintf(&b, " devices %s", strings.Join(bs.Devices, ","))
				}
			}
			b.WriteString("\n")
			for _, r := range c.Rules {
				fmt.Fprintf(&b, "    %s\n", src(r.AST))
			}
		}
		for _, s := range t.Sets {
			kind := "set"
			if s.IsMap {
				kind = "map"
			}
			fmt.Fprintf(&b, "  %s %s", kind, s.Name)
			if len(s.Flags) > 0 {
				fmt.Fprintf(&b, " flags %s", strings.Join(s.Flags, ","))
			}
			var elems []string
			for e := range s.All {
				el := src(e.Key())
				if e.Value() != nil {
					el += ":" + src(e.Value())
				}
				elems = append(elems, el)
			}
			fmt.Fprintf(&b, " elements [%s]\n", strings.Join(elems, " "))
		}
		for _, f := range t.Flowtables {
			fmt.Fprintf(&b, "  flowtable %s hook %s prio %d devices %s\n", f.Name, f.Hook, f.Priority, strings.Join(f.Devices, ","))
		}
		for _, o := range t.Objects {
			fmt.Fprintf(&b, "  %s %s\n", o.Kind, o.Name)
		}
	}
	for _, d := range rs.Defines {
		fmt.Fprintf(&b, "define %s uses %d\n", d.Name, len(d.Uses))
	}
	for _, e := range errs {
		fmt.Fprintf(&b, "error %d: %s [%s]\n", e.Pos.Line, e.Msg, e.Code)
	}
	return b.String()
}
