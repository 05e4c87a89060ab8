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

// stateNames makes the state keys of the statements of a check's run:
// a ruleset names a few dozen states in tens of thousands of statements,
// so each name is built once and reused (building it again, and a slice
// to hold it, was most of what NFT308 and NFT309 allocated). It also
// holds what reads reuses. The zero value is ready to use.
type stateNames struct {
	names map[string]string
	buf   []byte
	read  stateReader
}

// intern returns the string of b, made on its first use.
func (n *stateNames) intern(b []byte) string {
	if s, ok := n.names[string(b)]; ok {
		return s
	}
	if n.names == nil {
		n.names = make(map[string]string)
	}
	s := string(b)
	n.names[s] = s
	return s
}

// selector returns the state key of a selector path: unqualified meta
// keys (mark, iifname) are the same state as their `meta` spelling.
func (n *stateNames) selector(sel *parser.Selector) string {
	b := n.buf[:0]
	if len(sel.Words) == 1 {
		b = append(b, "meta "...)
	}
	n.buf = sel.AppendPath(b)
	return n.intern(n.buf)
}

// set returns the state key of the named set name.
func (n *stateNames) set(name string) string {
	n.buf = append(append(n.buf[:0], '@'), name...)
	return n.intern(n.buf)
}

// setOperand returns the state key of a named set operand.
func (n *stateNames) setOperand(e parser.Expr) (string, bool) {
	if x, ok := unwrapVar(e).(*parser.SetRef); ok {
		return n.set(x.Name), true
	}
	if name, ok := exprName(e); ok {
		return n.set(name), true // meter NAME
	}
	return "", false
}

// addWrites adds to w what a statement may change for the rules after
// it, and reports whether that is anything.
func (n *stateNames) addWrites(w *stateKeys, s parser.Stmt) bool {
	all := false
	switch s := s.(type) {
	case *parser.MatchStmt, *parser.RejectStmt:
		return false
	case *parser.VerdictStmt:
		// A jump returns after the target chain ran, which may have set
		// marks or updated sets; goto, return and the others end the chain.
		all = s.Kind == "jump"
	case *parser.SetStmt:
		sel, ok := unwrapVar(s.Target).(*parser.Selector)
		if !ok || len(sel.Words) != 1 && sel.Words[0].Name != "meta" && sel.Words[0].Name != "ct" {
			all = true // a payload rewrite may change other fields' views
			break
		}
		w.add(n.selector(sel))
		return true
	case *parser.SetUpdateStmt:
		k, ok := n.setOperand(s.Set)
		if !ok {
			all = true
			break
		}
		w.add(k)
		return true
	case *parser.KeywordStmt:
		switch s.Keyword {
		case "counter", "log", "last", "limit", "quota", "ct count":
		default:
			all = true
		}
	default: // vmap (may jump), NAT, bad statements
		all = true
	}
	w.all = w.all || all
	return all
}

// reads returns what the statements read: every selector and named set
// they mention; jumps and verdict maps read anything (the chain they
// enter does). The keys are n's until its next call of reads.
func (n *stateNames) reads(stmts []parser.Stmt) stateKeys {
	n.read = stateReader{names: n, keys: stateKeys{keys: n.read.keys.keys[:0]}}
	for _, s := range stmts {
		walkSelectors(&n.read, s, nil, 0)
	}
	return n.read.keys
}

// stateReader is the visitor of stateNames.reads.
type stateReader struct {
	names *stateNames
	keys  stateKeys
}

func (r *stateReader) visit(n parser.Node, _ *parser.VarRef) visitor {
	switch x := n.(type) {
	case *parser.SetLit:
		// Elements are constants, and verdicts in them (a vmap's) count
		// through the VmapStmt.
		return nil
	case *parser.Selector:
		r.keys.add(r.names.selector(x))
	case *parser.SetRef:
		r.keys.add(r.names.set(x.Name))
	case *parser.VerdictStmt:
		if x.Kind == "jump" || x.Kind == "goto" {
			r.keys.all = true
		}
	case *parser.VmapStmt, *parser.BadStmt:
		r.keys.all = true
	case *parser.SetUpdateStmt:
		if k, ok := r.names.setOperand(x.Set); ok {
			r.keys.add(k)
		}
	case *parser.KeywordStmt:
		if strings.HasPrefix(x.Keyword, "ct ") {
			r.keys.add(x.Keyword)
		}
	}
	return r
}
