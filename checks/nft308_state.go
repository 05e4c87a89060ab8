package checks

// What the rules of a chain read and change, for NFT308 and NFT309: a
// rule earlier in a chain only decides for a later one (or a copy only
// repeats it) when nothing in between changed what they read.

import (
	"strings"

	"github.com/nftlint/nftlint/parser"
)

// stateKeys is a set of state a rule reads or writes: selector paths
// ("meta mark", "ct mark", "ip saddr") and named sets ("@blocked"). all
// stands for anything (a jump into a chain that may do anything, a
// payload rewrite, a statement nftlint does not model).
type stateKeys struct {
	keys []string
	all  bool
}

func (s *stateKeys) add(k string) {
	for _, x := range s.keys {
		if x == k {
			return
		}
	}
	s.keys = append(s.keys, k)
}

// stateLog records, per state key, the last rule of a chain that may
// have changed it.
type stateLog struct {
	last    map[string]int
	lastAll int // the last rule that may have changed anything; -1: none
	lastKey int // the last rule recorded in last; -1: none
}

func newStateLog() *stateLog { return &stateLog{last: make(map[string]int), lastAll: -1, lastKey: -1} }

// record notes the writes of rule i.
func (l *stateLog) record(i int, w stateKeys) {
	if w.all {
		l.lastAll = i
	}
	for _, k := range w.keys {
		l.last[k] = i
		l.lastKey = i
	}
}

// changedSince reports whether a rule after rule i may have changed
// something reads contains.
func (l *stateLog) changedSince(i int, reads stateKeys) bool {
	if l.lastAll > i {
		return true
	}
	if reads.all {
		// Reads anything: any recorded write after i counts.
		for _, j := range l.last {
			if j > i {
				return true
			}
		}
		return false
	}
	for _, k := range reads.keys {
		if j, ok := l.last[k]; ok && j > i {
			return true
		}
	}
	return false
}

// stateKey normalises a selector path: unqualified meta keys (mark,
// iifname) are the same state as their `meta` spelling.
func stateKey(sel *parser.Selector) string {
	p := sel.Path()
	if len(sel.Words) == 1 {
		return "meta " + p
	}
	return p
}

// setKey returns the state key of a named set operand.
func setKey(e parser.Expr) (string, bool) {
	if x, ok := unwrapVar(e).(*parser.SetRef); ok {
		return "@" + x.Name, true
	}
	if name, ok := exprName(e); ok {
		return "@" + name, true // meter NAME
	}
	return "", false
}

// writesOf returns what a statement may change for the rules after it.
func writesOf(s parser.Stmt) stateKeys {
	var w stateKeys
	switch s := s.(type) {
	case *parser.MatchStmt, *parser.RejectStmt:
	case *parser.VerdictStmt:
		// A jump returns after the target chain ran, which may have set
		// marks or updated sets; goto, return and the others end the chain.
		w.all = s.Kind == "jump"
	case *parser.SetStmt:
		sel, ok := unwrapVar(s.Target).(*parser.Selector)
		if ok && (len(sel.Words) == 1 || sel.Words[0].Name == "meta" || sel.Words[0].Name == "ct") {
			w.add(stateKey(sel))
		} else {
			w.all = true // a payload rewrite may change other fields' views
		}
	case *parser.SetUpdateStmt:
		if k, ok := setKey(s.Set); ok {
			w.add(k)
		} else {
			w.all = true
		}
	case *parser.KeywordStmt:
		switch s.Keyword {
		case "counter", "log", "last", "limit", "quota", "ct count":
		default:
			w.all = true
		}
	default: // vmap (may jump), NAT, bad statements
		w.all = true
	}
	return w
}

// stmtMayChangeState reports whether a statement may change what a later
// match reads.
func stmtMayChangeState(s parser.Stmt) bool {
	w := writesOf(s)
	return w.all || len(w.keys) > 0
}

// readsOf returns what the given nodes read: every selector and named set
// they mention; jumps and verdict maps read anything (the chain they
// enter does).
func readsOf(nodes ...parser.Node) stateKeys {
	var r stateKeys
	for _, n := range nodes {
		inspect(n, func(n parser.Node, _ *parser.VarRef) bool {
			switch x := n.(type) {
			case *parser.SetLit:
				// Elements are constants, and verdicts in them (a vmap's)
				// count through the VmapStmt.
				return false
			case *parser.Selector:
				r.add(stateKey(x))
			case *parser.SetRef:
				r.add("@" + x.Name)
			case *parser.VerdictStmt:
				if x.Kind == "jump" || x.Kind == "goto" {
					r.all = true
				}
			case *parser.VmapStmt, *parser.BadStmt:
				r.all = true
			case *parser.SetUpdateStmt:
				if k, ok := setKey(x.Set); ok {
					r.add(k)
				}
			case *parser.KeywordStmt:
				if strings.HasPrefix(x.Keyword, "ct ") {
					r.add(x.Keyword)
				}
			}
			return true
		})
	}
	return r
}

// stmtNodes converts statements to nodes for readsOf.
func stmtNodes(stmts []parser.Stmt) []parser.Node {
	out := make([]parser.Node, len(stmts))
	for i, s := range stmts {
		out[i] = s
	}
	return out
}
