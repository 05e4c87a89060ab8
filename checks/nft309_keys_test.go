package checks

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/parser"
)

// stmtGen generates statements from a small alphabet, so that equal and
// nearly equal statements are frequent: the same value spelled another
// way (0x16 and 22, through a $variable or parentheses), sets in another
// order, and strings holding the bytes the key encoding uses.
type stmtGen struct{ r *rand.Rand }

var genStrings = []string{"", "tcp", "dport", "eth0", "\x01", ")", "]", "{", ",", "a\x00b", `"q"`, strings.Repeat("x", 130)}

func (g stmtGen) str() string { return genStrings[g.r.IntN(len(genStrings))] }

func (g stmtGen) expr(depth int) parser.Expr {
	k := g.r.IntN(11)
	if depth > 2 {
		k = g.r.IntN(4)
	}
	switch k {
	case 0:
		v := uint64(g.r.IntN(3)) << (7 * g.r.IntN(3)) // one- and multi-byte uvarints
		text := strconv.FormatUint(v, 10)
		if g.r.IntN(2) == 0 {
			text = "0x" + strconv.FormatUint(v, 16)
		}
		return &parser.Number{Value: v, Text: text, Neg: g.r.IntN(4) == 0}
	case 1:
		return &parser.Literal{Kind: parser.LitKind(g.r.IntN(3)), Text: g.str()}
	case 2:
		return &parser.StringLit{Value: g.str()}
	case 3:
		return &parser.SetRef{Name: g.str()}
	case 4, 5:
		lit := &parser.SetLit{}
		n := g.r.IntN(3)
		if g.r.IntN(8) == 0 {
			n = memoMinElems + g.r.IntN(3) // memoised
		}
		for range n {
			lit.Elems = append(lit.Elems, g.expr(depth+1))
		}
		return lit
	case 6:
		return &parser.List{Elems: []parser.Expr{g.expr(depth + 1), g.expr(depth + 1)}}
	case 7:
		return &parser.Concat{Parts: []parser.Expr{g.expr(depth + 1), g.expr(depth + 1)}}
	case 8:
		return &parser.RangeExpr{Lo: g.expr(depth + 1), Hi: g.expr(depth + 1)}
	case 9:
		return &parser.Paren{X: g.expr(depth + 1)}
	default:
		return &parser.VarRef{Name: "v", Value: g.expr(depth + 1)}
	}
}

func (g stmtGen) stmt() parser.Stmt {
	switch g.r.IntN(4) {
	case 0:
		return &parser.VerdictStmt{Kind: g.str()}
	case 1:
		kw := &parser.KeywordStmt{Keyword: g.str()}
		for range g.r.IntN(3) {
			kw.Args = append(kw.Args, &parser.Arg{Key: []string{"comment", "prefix", "x"}[g.r.IntN(3)], Value: g.expr(1)})
		}
		return kw
	default:
		sel := &parser.Selector{}
		for range 1 + g.r.IntN(2) {
			sel.Words = append(sel.Words, parser.Ident{Name: g.str()})
		}
		return &parser.MatchStmt{Left: sel, Op: []parser.MatchOp{parser.OpImplicit, parser.OpEq, parser.OpNe}[g.r.IntN(3)], Right: g.expr(0)}
	}
}

// refKey is the canonical form of a generated node written plainly: what
// the canonical keys must tell apart, and nothing more.
func refKey(n parser.Node) string {
	sorted := func(tag string, xs []parser.Expr) string {
		keys := make([]string, len(xs))
		for i, x := range xs {
			keys[i] = refKey(x)
		}
		slices.Sort(keys)
		return tag + "{" + strings.Join(keys, ",") + "}"
	}
	switch x := n.(type) {
	case *parser.MatchStmt:
		return fmt.Sprintf("match(%s %q %s)", refKey(x.Left), x.Op, refKey(x.Right))
	case *parser.VerdictStmt:
		return fmt.Sprintf("verdict(%q)", x.Kind)
	case *parser.KeywordStmt:
		var args []string
		for _, a := range x.Args {
			if a.Key != "comment" {
				args = append(args, fmt.Sprintf("%q=%s", a.Key, refKey(a.Value)))
			}
		}
		return fmt.Sprintf("kw(%q %s)", x.Keyword, strings.Join(args, " "))
	case *parser.Selector:
		var words []string
		for _, w := range x.Words {
			words = append(words, strconv.Quote(w.Name))
		}
		return "sel(" + strings.Join(words, " ") + ")"
	case *parser.Number:
		return fmt.Sprintf("num(%v %d)", x.Neg, x.Value)
	case *parser.Literal:
		return fmt.Sprintf("lit(%d %q)", x.Kind, x.Text)
	case *parser.StringLit:
		return fmt.Sprintf("str(%q)", x.Value)
	case *parser.SetRef:
		return fmt.Sprintf("@(%q)", x.Name)
	case *parser.SetLit:
		return sorted("set", x.Elems)
	case *parser.List:
		return sorted("list", x.Elems)
	case *parser.Concat:
		return fmt.Sprintf("cat(%s %s)", refKey(x.Parts[0]), refKey(x.Parts[1]))
	case *parser.RangeExpr:
		return fmt.Sprintf("range(%s %s)", refKey(x.Lo), refKey(x.Hi))
	case *parser.Paren:
		return refKey(x.X)
	case *parser.VarRef:
		return refKey(x.Value)
	}
	panic(fmt.Sprintf("refKey: %T", n))
}

// TestCanonKeysOfGeneratedStatements requires two generated statements
// to have the same key, and the same keyHash, exactly when their plain
// canonical forms are equal, under one memo.
func TestCanonKeysOfGeneratedStatements(t *testing.T) {
	g := stmtGen{rand.New(rand.NewPCG(1, 2))}
	memo := newCanonMemo()
	byRef := map[string]string{}   // plain form → key
	byKey := map[string]string{}   // key → plain form
	byHash := map[keyHash]string{} // keyHash → plain form
	equal := 0
	for range 20_000 {
		s := g.stmt()
		ref := refKey(s)
		key, ok := memo.key(s)
		if !ok {
			t.Fatalf("no key for %s", ref)
		}
		hs, ok := memo.stmtHashes(nil, []parser.Stmt{s})
		if !ok || len(hs) != 1 {
			t.Fatalf("no hash for %s", ref)
		}
		if k, seen := byRef[ref]; seen {
			equal++
			if k != key {
				t.Fatalf("equal statements %s have the keys %q and %q", ref, k, key)
			}
		}
		if r, seen := byKey[key]; seen && r != ref {
			t.Fatalf("different statements %s and %s share the key %q", r, ref, key)
		}
		if r, seen := byHash[hs[0]]; seen && r != ref {
			t.Fatalf("different statements %s and %s share a keyHash", r, ref)
		}
		byRef[ref], byKey[key], byHash[hs[0]] = key, ref, ref
	}
	if equal < 1000 || len(byRef) < 5000 {
		t.Errorf("generated %d equal and %d distinct statements, want both frequent", equal, len(byRef))
	}
}
