package ruleset

import "github.com/nftlint/nftlint/parser"

// NodeKinds is the set of node kinds found in a rule's statements
// (following $variables to their values, not entering `jump { … }`
// bodies, which are rules of their own). Checks that look for a few
// kinds skip the rules that hold none instead of walking them. (Added
// for performance.)
type NodeKinds uint32

const (
	KindsKnown      NodeKinds = 1 << iota // set by Build; zero Kinds means unknown
	KindMatch                             // *parser.MatchStmt
	KindJump                              // a jump or goto (statement or verdict)
	KindVmap                              // *parser.VmapStmt
	KindSetStmt                           // *parser.SetStmt
	KindSetUpdate                         // *parser.SetUpdateStmt
	KindKeywordArgs                       // *parser.KeywordStmt with arguments
	KindSetLit                            // *parser.SetLit
	KindMapLookup                         // *parser.MapLookup
	KindSetRef                            // *parser.SetRef
	KindNested                            // a statement inside another (update, element statements)
	KindBody                              // a `jump { … }` / `goto { … }` statement with its body
	KindRange                             // *parser.RangeExpr
	KindNat                               // *parser.NatStmt
	KindHookLimited                       // reject, tproxy, synproxy, fib, osf: what the kernel allows at some hooks only
)

// Has reports whether the rule may hold a node of one of the kinds:
// true when the kinds are unknown (rules not made by Build).
func (k NodeKinds) Has(want NodeKinds) bool {
	return k&KindsKnown == 0 || k&want != 0
}

// maxKindsDepth bounds the walk; the loader caps nesting far lower.
const maxKindsDepth = 256

// stmtKinds returns the kinds of the nodes in stmts.
func stmtKinds(stmts []parser.Stmt) NodeKinds {
	k := KindsKnown
	for _, s := range stmts {
		k |= stmtKind(s, 0)
	}
	return k
}

// stmtKind walks statement s, depth levels below the rule, as the
// checks' walkers do. Statements and expressions are walked apart: an
// expression holds statements only in Elem.Stmts, and no node is both.
func stmtKind(s parser.Stmt, depth int) NodeKinds {
	if s == nil || depth > maxKindsDepth {
		return 0
	}
	var k NodeKinds
	if depth > 0 {
		k = KindNested
	}
	depth++
	switch x := s.(type) {
	case *parser.MatchStmt:
		if x != nil {
			k |= KindMatch | exprKinds(x.Left, depth) | exprKinds(x.Right, depth)
		}
	case *parser.VerdictStmt:
		if x != nil {
			if x.Kind == "jump" || x.Kind == "goto" {
				k |= KindJump
			}
			if x.Chain != nil {
				k |= KindBody
			}
			k |= exprKinds(x.Target, depth)
		}
	case *parser.VmapStmt:
		if x != nil {
			k |= KindVmap | exprKinds(x.Key, depth) | exprKinds(x.Map, depth)
		}
	case *parser.SetStmt:
		if x != nil {
			k |= KindSetStmt | exprKinds(x.Target, depth) | exprKinds(x.Value, depth)
		}
	case *parser.NatStmt:
		if x != nil {
			k |= KindNat | exprKinds(x.Addr, depth) | exprKinds(x.Port, depth)
		}
	case *parser.RejectStmt:
		if x != nil {
			k |= KindHookLimited | exprKinds(x.Code, depth)
		}
	case *parser.SetUpdateStmt:
		if x != nil {
			k |= KindSetUpdate | exprKinds(x.Set, depth) | exprKinds(x.Key, depth) | exprKinds(x.Value, depth)
			for _, a := range x.Opts {
				k |= exprKinds(a.Value, depth)
			}
			for _, s := range x.Stmts {
				k |= stmtKind(s, depth)
			}
		}
	case *parser.KeywordStmt:
		if x != nil {
			if len(x.Args) > 0 {
				k |= KindKeywordArgs
			}
			if x.Keyword == "tproxy" || x.Keyword == "synproxy" {
				k |= KindHookLimited
			}
			for _, a := range x.Args {
				k |= exprKinds(a.Value, depth)
			}
		}
	}
	return k
}

// exprKinds walks expression e, depth levels below the rule.
func exprKinds(e parser.Expr, depth int) NodeKinds {
	if e == nil || depth > maxKindsDepth {
		return 0
	}
	depth++
	var k NodeKinds
	switch x := e.(type) {
	case *parser.Literal, *parser.Number, *parser.StringLit, *parser.ElemRun:
	case *parser.Selector:
		if x != nil {
			if len(x.Words) > 0 && (x.Words[0].Name == "fib" || x.Words[0].Name == "osf") {
				k |= KindHookLimited
			}
			for _, a := range x.Args() {
				k |= exprKinds(a.Value, depth)
			}
		}
	case *parser.SetRef:
		if x != nil {
			k |= KindSetRef
		}
	case *parser.VarRef:
		if x != nil && x.Value != nil {
			k |= exprKinds(x.Value, depth)
		}
	case *parser.SetLit:
		if x != nil {
			k |= KindSetLit
			if x.Var != nil {
				k |= exprKinds(x.Var, depth)
			}
			for _, e := range x.Elems {
				k |= exprKinds(e, depth)
			}
		}
	case *parser.Elem:
		if x != nil {
			k |= exprKinds(x.Value, depth)
			for _, s := range x.Stmts {
				k |= stmtKind(s, depth)
			}
		}
	case *parser.MapElem:
		if x != nil {
			k |= exprKinds(x.Key, depth) | exprKinds(x.Value, depth)
		}
	case *parser.Verdict:
		if x != nil {
			if x.Kind == "jump" || x.Kind == "goto" {
				k |= KindJump
			}
			k |= exprKinds(x.Target, depth)
		}
	case *parser.Binary:
		if x != nil {
			k |= exprKinds(x.X, depth) | exprKinds(x.Y, depth)
		}
	case *parser.Prefix:
		if x != nil {
			k |= exprKinds(x.X, depth)
		}
	case *parser.Mask:
		if x != nil {
			k |= exprKinds(x.X, depth) | exprKinds(x.Mask, depth)
		}
	case *parser.RangeExpr:
		if x != nil {
			k |= KindRange | exprKinds(x.Lo, depth) | exprKinds(x.Hi, depth)
		}
	case *parser.Concat:
		if x != nil {
			for _, p := range x.Parts {
				k |= exprKinds(p, depth)
			}
		}
	case *parser.List:
		if x != nil {
			for _, p := range x.Elems {
				k |= exprKinds(p, depth)
			}
		}
	case *parser.MapLookup:
		if x != nil {
			k |= KindMapLookup | exprKinds(x.Key, depth) | exprKinds(x.Map, depth)
		}
	case *parser.Paren:
		if x != nil {
			k |= exprKinds(x.X, depth)
		}
	}
	return k
}
