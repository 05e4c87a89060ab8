package checks

// Canonical keys of statements and expressions, for the checks that find
// equal rules, matches and set elements by hashing (NFT308, NFT309,
// NFT405) instead of comparing every pair.
//
// Two nodes get the same key when they are written the same way up to
// what cannot change their meaning: positions, comments, blanks, how a
// number is spelled (0x16 and 22), which $variable holds a value (the
// value counts, not the name), parentheses, and the order of the
// elements of a `{ … }` set or a comma list. Anything else, including
// word versus quoted string and an implicit versus an explicit `==`,
// keeps keys apart: a key that is too fine only hides a finding, one
// that is too coarse would invent one.

import (
	"bytes"
	"slices"
	"strconv"

	"github.com/nftlint/nftlint/parser"
)

// maxCanonDepth bounds the recursion; the loader caps nesting far lower.
const maxCanonDepth = 128

// canonKey returns the canonical key of a statement or expression, and
// false when the node has no faithful key (a part that failed to parse,
// an undefined $variable, a node kind this file does not know).
func canonKey(n parser.Node) (string, bool) {
	var c canonWriter
	c.node(n, 0)
	if c.bad {
		return "", false
	}
	return c.b.String(), true
}

// canonStmts returns the key of a statement list (a rule without its
// comment).
func canonStmts(stmts []parser.Stmt) (string, bool) {
	var c canonWriter
	for _, s := range stmts {
		c.node(s, 0)
		c.b.WriteByte(';')
	}
	if c.bad {
		return "", false
	}
	return c.b.String(), true
}

type canonWriter struct {
	b   bytes.Buffer // reused across elements by NFT405
	bad bool
}

func (c *canonWriter) str(s string) {
	c.b.WriteString(strconv.Quote(s))
}

func (c *canonWriter) tag(t string) {
	c.b.WriteString(t)
	c.b.WriteByte('(')
}

func (c *canonWriter) end() { c.b.WriteByte(')') }

// sub returns the key of n as a separate string (for sorting).
func (c *canonWriter) sub(n parser.Node, depth int) string {
	var w canonWriter
	w.node(n, depth)
	if w.bad {
		c.bad = true
	}
	return w.b.String()
}

func (c *canonWriter) args(args []*parser.Arg, depth int) {
	c.b.WriteByte('[')
	for _, a := range args {
		if a == nil || a.Key == "comment" {
			continue
		}
		c.str(a.Key)
		c.b.WriteByte('=')
		if a.Value != nil {
			c.node(a.Value, depth+1)
		}
		c.b.WriteByte(',')
	}
	c.b.WriteByte(']')
}

func (c *canonWriter) stmts(stmts []parser.Stmt, depth int) {
	c.b.WriteByte('[')
	for _, s := range stmts {
		c.node(s, depth+1)
		c.b.WriteByte(';')
	}
	c.b.WriteByte(']')
}

// sorted writes the keys of xs in sorted order.
func (c *canonWriter) sorted(xs []parser.Expr, depth int) {
	keys := make([]string, 0, len(xs))
	for _, x := range xs {
		keys = append(keys, c.sub(x, depth+1))
	}
	slices.Sort(keys)
	c.b.WriteByte('{')
	for _, k := range keys {
		c.b.WriteString(k)
		c.b.WriteByte(',')
	}
	c.b.WriteByte('}')
}

func (c *canonWriter) node(n parser.Node, depth int) {
	if c.bad {
		return
	}
	if n == nil || isNilNode(n) || depth > maxCanonDepth {
		c.bad = true
		return
	}
	switch x := n.(type) {
	// Statements.
	case *parser.MatchStmt:
		c.tag("match")
		c.node(x.Left, depth+1)
		c.str(x.Op)
		c.node(x.Right, depth+1)
		c.end()
	case *parser.VerdictStmt:
		c.tag("verdict")
		c.str(x.Kind)
		if x.Target != nil {
			c.node(x.Target, depth+1)
		}
		if x.Chain != nil {
			c.b.WriteByte('{')
			for _, it := range x.Chain.Items {
				r, ok := it.(*parser.Rule)
				if !ok {
					c.bad = true
					return
				}
				c.stmts(r.Stmts, depth+1)
			}
			c.b.WriteByte('}')
		}
		c.end()
	case *parser.VmapStmt:
		c.tag("vmap")
		c.node(x.Key, depth+1)
		c.node(x.Map, depth+1)
		c.end()
	case *parser.SetStmt:
		c.tag("set")
		c.node(x.Target, depth+1)
		c.node(x.Value, depth+1)
		c.end()
	case *parser.NatStmt:
		c.tag("nat")
		c.str(x.Kind)
		c.str(string(x.Family))
		c.str(x.Variant)
		if x.Addr != nil {
			c.node(x.Addr, depth+1)
		}
		c.b.WriteByte(':')
		if x.Port != nil {
			c.node(x.Port, depth+1)
		}
		for _, f := range x.Flags {
			if f != nil {
				c.str(f.Name)
			}
		}
		c.end()
	case *parser.RejectStmt:
		c.tag("reject")
		c.str(x.With)
		if x.Code != nil {
			c.node(x.Code, depth+1)
		}
		c.end()
	case *parser.SetUpdateStmt:
		c.tag("update")
		c.str(x.Op)
		c.node(x.Set, depth+1)
		if x.Key != nil {
			c.node(x.Key, depth+1)
		}
		c.args(x.Opts, depth)
		c.stmts(x.Stmts, depth)
		if x.Value != nil {
			c.node(x.Value, depth+1)
		}
		c.end()
	case *parser.KeywordStmt:
		c.tag("kw")
		c.str(x.Keyword)
		c.args(x.Args, depth)
		c.end()

	// Expressions.
	case *parser.Selector:
		c.tag("sel")
		for _, w := range x.Words {
			if w == nil {
				c.bad = true
				return
			}
			c.str(w.Name)
		}
		c.args(x.Args, depth)
		c.end()
	case *parser.Ident:
		c.tag("id")
		c.str(x.Name)
		c.end()
	case *parser.Literal:
		c.tag("lit" + strconv.Itoa(int(x.Kind)))
		c.str(x.Text)
		c.end()
	case *parser.StringLit:
		c.tag("str")
		c.str(x.Value)
		c.end()
	case *parser.Number:
		c.tag("num")
		if x.Neg {
			c.b.WriteByte('-')
		}
		if x.Overflow {
			c.str(x.Text)
		} else {
			c.b.WriteString(strconv.FormatUint(x.Value, 10))
		}
		c.end()
	case *parser.VarRef:
		// The value counts, not the name it was defined under.
		if x.Value == nil {
			c.bad = true
			return
		}
		c.node(x.Value, depth+1)
	case *parser.SetRef:
		c.tag("@")
		c.str(x.Name)
		c.end()
	case *parser.SetLit:
		if x.Var != nil && len(x.Elems) == 0 {
			c.node(x.Var, depth+1)
			return
		}
		if x.Var != nil {
			c.bad = true
			return
		}
		c.sorted(x.Elems, depth)
	case *parser.Elem:
		c.tag("elem")
		c.node(x.Value, depth+1)
		c.args(x.Opts, depth)
		c.stmts(x.Stmts, depth)
		c.end()
	case *parser.MapElem:
		c.tag("kv")
		c.node(x.Key, depth+1)
		c.node(x.Value, depth+1)
		c.end()
	case *parser.Verdict:
		c.tag("v")
		c.str(x.Kind)
		if x.Target != nil {
			c.node(x.Target, depth+1)
		}
		c.end()
	case *parser.Binary:
		c.tag("bin")
		c.node(x.X, depth+1)
		c.str(x.Op)
		c.node(x.Y, depth+1)
		c.end()
	case *parser.Prefix:
		c.tag("prefix")
		c.node(x.X, depth+1)
		if x.Len == nil {
			c.bad = true
			return
		}
		c.node(x.Len, depth+1)
		c.end()
	case *parser.Mask:
		c.tag("mask")
		c.node(x.X, depth+1)
		c.node(x.Mask, depth+1)
		c.end()
	case *parser.RangeExpr:
		c.tag("range")
		c.node(x.Lo, depth+1)
		c.node(x.Hi, depth+1)
		c.end()
	case *parser.Concat:
		c.tag("cat")
		for _, p := range x.Parts {
			c.node(p, depth+1)
			c.b.WriteByte('.')
		}
		c.end()
	case *parser.List:
		// A comma list is a set of flags or values: order does not matter.
		c.tag("list")
		c.sorted(x.Elems, depth)
		c.end()
	case *parser.MapLookup:
		c.tag("map")
		c.node(x.Key, depth+1)
		c.node(x.Map, depth+1)
		c.end()
	case *parser.Paren:
		c.node(x.X, depth+1)
	default: // Bad nodes and node kinds added later
		c.bad = true
	}
}
