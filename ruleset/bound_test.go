package ruleset

import (
	"testing"

	"github.com/nftlint/nftlint/parser"
)

// checkVarsBound fails unless the loader saw every $variable of the
// loaded files: each VarRef is bound to its define or reported at its
// position. The loader walks only the items whose source holds a '$';
// this finds a VarRef that skip would have missed.
func checkVarsBound(t *testing.T, res *parser.LoadResult) {
	t.Helper()
	if len(res.Errors) >= parser.DefaultMaxErrors {
		return // later errors were dropped
	}
	reported := make(map[parser.Position]bool)
	for _, e := range res.Errors {
		reported[e.Pos] = true
	}
	var walk func(ast *parser.AST)
	walk = func(ast *parser.AST) {
		parser.Inspect(ast, func(n parser.Node) bool {
			switch n := n.(type) {
			case *parser.VarRef:
				if n.Def == nil && !reported[res.Files.Position(n.Pos())] {
					t.Errorf("$%s at %s is neither bound nor reported", n.Name, res.Files.Position(n.Pos()))
				}
			case *parser.IncludeCmd:
				for _, f := range n.Files {
					walk(f)
				}
			}
			return true
		})
	}
	for _, ast := range res.ASTs {
		walk(ast)
	}
}

func TestVarsBound(t *testing.T) {
	src := "define a = 1\n" +
		"table ip t {\n" +
		"\tchain c {\n" +
		"\t\tip daddr 10.0.0.1 accept # $a in a comment\n" +
		"\t\ttcp dport $a accept\n" +
		"\t\tlog prefix \"x $a\" tcp dport { 1, $a } accept\n" +
		"\t}\n" +
		"}\n" +
		"add rule ip t c udp dport $a drop\n" +
		"add rule ip t c udp dport $b drop\n"
	res, err := parser.Load(nil, parser.LoadConfig{Dir: t.TempDir()}, parser.Source{Name: "vars.nft", Src: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	checkVarsBound(t, res)
	if len(res.Definitions) != 1 {
		t.Fatalf("%d definitions, want 1", len(res.Definitions))
	}
	// $a in the port match, the log prefix, the set and the add rule.
	if n := len(res.Definitions[0].Uses); n != 4 {
		t.Errorf("$a has %d uses, want 4", n)
	}
	if len(res.Errors) != 1 || res.Errors[0].Pos.Line != 10 {
		t.Errorf("errors %v, want one for $b on line 10", res.Errors)
	}
}
