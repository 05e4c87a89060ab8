package parser

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// This file binds define, redefine and undefine and every $variable, the
// way nft's parser does while it reads (nft-grammar.md §5.1):
//
//   - table, chain, set, map, flowtable and object blocks open a scope;
//     an included file shares the scope of its include;
//   - a name is visible in its block and nested blocks from the define on
//     (no forward references);
//   - define of a name visible in this or an enclosing scope is an error;
//   - redefine binds in the current scope (shadowing an outer binding);
//   - undefine removes the name from the current scope only and never fails.
//
// A use keeps its own position and points at its definition (VarRef.Def),
// whose value carries the definition's positions (VarRef.Value). Values
// are shared, never copied, so binding costs nothing; the expanded size
// of each define is computed once and capped (Limits.MaxExpansion).

// scope is one block's bindings.
type scope struct {
	parent *scope
	syms   map[string]*DefineCmd
}

func (s *scope) lookup(name string) *DefineCmd {
	for ; s != nil; s = s.parent {
		if d, ok := s.syms[name]; ok {
			return d
		}
	}
	return nil
}

func (s *scope) bind(name string, d *DefineCmd) {
	if s.syms == nil {
		s.syms = make(map[string]*DefineCmd)
	}
	s.syms[name] = d
}

// resolution is the state of one root's walk.
type resolution struct {
	l     *loader
	top   *scope
	defs  map[*DefineCmd]*Definition
	seq   map[*DefineCmd]int      // processing order of defines
	named map[string][]*DefineCmd // every define and redefine by name
	n     int                     // processing order counter

	pending []pendingUndefined // undefined uses, completed by finish

	total         int // expanded size of all uses so far
	totalReported bool

	// src and base are the content and first position of the file whose
	// items are being walked (see mayHoldVar).
	src  []byte
	base Pos
}

type pendingUndefined struct {
	ref *VarRef
	seq int
	err *Error
}

func newResolution(l *loader) *resolution {
	return &resolution{
		l:     l,
		top:   &scope{},
		defs:  make(map[*DefineCmd]*Definition),
		seq:   make(map[*DefineCmd]int),
		named: make(map[string][]*DefineCmd),
	}
}

// file walks the items of a parsed file in scope sc. ctx is the object
// whose block holds them ("" at top level).
func (r *resolution) file(ast *AST, sc *scope, ctx ObjectKind) {
	src, base := r.src, r.base
	r.src, r.base = ast.File.Source(), Pos(ast.File.Base())
	r.cmds(ast.Cmds, sc, ctx, r.base)
	r.src, r.base = src, base
}

// cmds walks the items of a file or block in order. ctx is the object
// whose block holds them ("" at top level); from is a position of the
// file at or before the first item's first token.
func (r *resolution) cmds(items []Cmd, sc *scope, ctx ObjectKind, from Pos) {
	for _, c := range items {
		if IsNilNode(c) {
			continue
		}
		// The parser reads the tokens of an item after those of the
		// previous one and ends the item after the last, so its
		// $variables lie in [from, to): an item without a '$' there
		// (most rules) is not walked.
		to := c.End()
		switch c := c.(type) {
		case *DefineCmd:
			r.define(c, sc, r.mayHoldVar(from, to))
		case *IncludeCmd:
			r.include(c, sc, ctx)
		case *Command:
			if r.commandMayHoldVar(c, from, to) {
				for _, n := range []Node{c.Table, c.Name, c.NewName, c.Handle, c.Rule, c.Elements, c.Expr} {
					r.bind(n, sc)
				}
			}
			if c.Body != nil {
				r.cmds(c.Body.Items, &scope{parent: sc}, c.Object, from)
			}
		default:
			if r.mayHoldVar(from, to) {
				r.bind(c, sc)
			}
		}
		if to > from {
			from = to
		}
	}
}

// mayHoldVar reports whether [from, to) of the file being walked holds
// a '$', the first byte of every $variable, also of those inside log
// prefix strings. A range that is not one (to is missing or before
// from) may hold anything.
func (r *resolution) mayHoldVar(from, to Pos) bool {
	lo, hi := int(from-r.base), int(to-r.base)
	if !to.IsValid() || lo < 0 || hi < lo || hi > len(r.src) {
		return true
	}
	return bytes.IndexByte(r.src[lo:hi], '$') >= 0
}

// commandMayHoldVar is mayHoldVar for the parts of command c in [from,
// to) other than its block, whose items are looked at one by one: a
// table of a million elements is searched once, not once per level.
func (r *resolution) commandMayHoldVar(c *Command, from, to Pos) bool {
	if b := c.Body; b != nil && from <= b.Lbrace && b.Lbrace <= b.Rbrace && b.Rbrace < to {
		return r.mayHoldVar(from, b.Lbrace) || r.mayHoldVar(b.Rbrace+1, to)
	}
	return r.mayHoldVar(from, to)
}

// include reads the included files and walks each in the current scope,
// as nft's lexer splices them in.
func (r *resolution) include(inc *IncludeCmd, sc *scope, ctx ObjectKind) {
	files := r.l.include(inc, ctx)
	inc.Files = make([]*AST, 0, len(files))
	for _, f := range files {
		inc.Files = append(inc.Files, f.ast)
		r.l.stack = append(r.l.stack, openFile{real: f.real, name: f.ast.File.Name()})
		r.file(f.ast, sc, ctx)
		r.l.stack = r.l.stack[:len(r.l.stack)-1]
	}
}

// define binds a define, redefine or undefine; vars says whether its
// value may hold $variables.
func (r *resolution) define(c *DefineCmd, sc *scope, vars bool) {
	if c.Value != nil && vars {
		r.bind(c.Value, sc)
	}
	if c.Name == nil {
		return
	}
	name := c.Name.Name
	switch c.Kind {
	case Define:
		if old := sc.lookup(name); old != nil {
			r.l.errorAt(CodeInclude, c.Name.Pos(), c.Name.End(), fmt.Sprintf(
				"redefinition of symbol '%s': nft rejects a define of a name that is already visible here; use redefine to change its value",
				name), r.l.related(old.Name, fmt.Sprintf("'%s' first defined here", name)))
			return // nft drops the command; the old binding stays
		}
		sc.bind(name, c)
	case Redefine:
		sc.bind(name, c)
	case Undefine:
		delete(sc.syms, name)
		return
	default:
		return
	}
	r.n++
	r.seq[c] = r.n
	r.named[name] = append(r.named[name], c)
	d := &Definition{Cmd: c}
	d.Size, d.Exploded = r.expandedSize(c)
	r.defs[c] = d
	r.l.res.Definitions = append(r.l.res.Definitions, d)
}

// expandedSize counts the nodes c's value expands to, saturating just
// above the limit, and reports a define that crosses it (but not defines
// that merely use one that did).
func (r *resolution) expandedSize(c *DefineCmd) (size int, exploded bool) {
	limit := r.l.lim.MaxExpansion
	inherited := false
	if c.Value != nil {
		Inspect(c.Value, func(n Node) bool {
			if n == nil {
				return false
			}
			size++
			if r, ok := n.(*ElemRun); ok {
				// A run counts as the nodes its elements would have been.
				size += r.nodeCount() - 1
			}
			if v, ok := n.(*VarRef); ok && v.Def != nil {
				if d := r.defs[v.Def]; d != nil {
					size += d.Size - 1
					inherited = inherited || d.Exploded
				}
			}
			if size > limit {
				size = limit + 1
			}
			return true
		})
	}
	if size <= limit {
		return size, false
	}
	if !inherited {
		r.l.errorAt(CodeLimit, c.Pos(), c.End(), fmt.Sprintf(
			"define expansion exceeds %d nodes: '%s' grows with every variable it repeats; nftlint does not expand it, rewrite it as a set or a shorter list",
			limit, c.Name.Name))
	}
	return size, true
}

// bind binds every $variable under n (except inside nested blocks of
// commands, which the caller walks with their own scope).
func (r *resolution) bind(n Node, sc *scope) {
	var visit func(Node) bool
	visit = func(x Node) bool {
		switch x := x.(type) {
		case *VarRef:
			r.use(x, sc)
		case *KeywordStmt:
			if x.Keyword == "log" {
				r.logPrefix(x, sc)
			}
		case *SetLit:
			// Sets of a million addresses: skip the elements that cannot
			// hold a $variable instead of walking each node; the rest is
			// visited in the order Inspect would.
			for _, e := range x.Elems {
				if !plainElem(e) {
					Inspect(e, visit)
				}
			}
			Inspect(x.Var, visit)
			return false
		}
		return true
	}
	Inspect(n, visit)
}

// plainElem reports whether a set element is a literal, a number, a
// prefix or range of those, or a run of them: a node holding no
// $variable or statement.
func plainElem(e Expr) bool {
	switch x := e.(type) {
	case *Literal, *Number:
		return !IsNilNode(x)
	case *ElemRun:
		return true
	case *Prefix:
		return x != nil && plainLeaf(x.X)
	case *RangeExpr:
		return x != nil && plainLeaf(x.Lo) && plainLeaf(x.Hi)
	}
	return false
}

func plainLeaf(e Expr) bool {
	switch x := e.(type) {
	case *Literal, *Number:
		return !IsNilNode(x)
	}
	return false
}

// use binds one $name.
func (r *resolution) use(ref *VarRef, sc *scope) {
	r.n++
	def := sc.lookup(ref.Name)
	if def == nil {
		r.undefined(ref, sc, "")
		return
	}
	ref.Def = def
	d := r.defs[def]
	if d == nil {
		ref.Value = def.Value
		return
	}
	d.Uses = append(d.Uses, ref)
	if d.Exploded || r.totalReported {
		// Past either cap nothing may expand this value further.
		ref.Value = &BadExpr{From: def.Value.Pos(), To: def.Value.End()}
		return
	}
	r.total += d.Size
	if r.total > r.l.lim.MaxTotalExpansion {
		r.totalReported = true
		r.l.errorAt(CodeLimit, ref.Pos(), ref.End(), fmt.Sprintf(
			"define expansion exceeds %d nodes in total: the $variables of this file expand to more than nftlint processes; use named sets instead of repeating large defines",
			r.l.lim.MaxTotalExpansion))
		ref.Value = &BadExpr{From: def.Value.Pos(), To: def.Value.End()}
		return
	}
	ref.Value = def.Value
}

// undefined reports a use of a name that is not visible. where describes
// the use when it is not an ordinary $variable ("in log prefix").
func (r *resolution) undefined(ref *VarRef, sc *scope, where string) {
	msg := fmt.Sprintf("undefined variable '$%s'%s: nft rejects the file (unknown identifier); define it before this use", ref.Name, where)
	if s := similarName(ref.Name, sc); s != "" {
		msg += fmt.Sprintf(" or did you mean '$%s'?", s)
	}
	if e := r.l.errorAt(CodeInclude, ref.Pos(), ref.End(), msg); e != nil {
		r.pending = append(r.pending, pendingUndefined{ref: ref, seq: r.n, err: e})
	}
}

// finish completes the undefined-variable errors with the defines that
// exist but were not visible: later in the file, or in another block.
func (r *resolution) finish() {
	for _, p := range r.pending {
		defs := r.named[p.ref.Name]
		if len(defs) == 0 {
			continue
		}
		d := defs[0]
		if r.seq[d] > p.seq {
			p.err.Msg += "; it is defined only later, and nft has no forward references"
			p.err.Related = append(p.err.Related, r.l.related(d.Name, fmt.Sprintf("'%s' defined here, after its use", p.ref.Name)))
		} else {
			p.err.Msg += "; a define of it exists but is not visible here (undefined, or in a block that does not enclose this use)"
			p.err.Related = append(p.err.Related, r.l.related(d.Name, fmt.Sprintf("'%s' defined here", p.ref.Name)))
		}
	}
}

// logPrefix checks `log prefix "…$name…"`: nft substitutes every $name
// in the quoted text and rejects undefined ones. Since nft 1.1.0 a '$'
// followed by a digit stays literal. Each substitution is recorded as a
// use (a VarRef positioned at the '$').
func (r *resolution) logPrefix(st *KeywordStmt, sc *scope) {
	for _, a := range st.Args {
		if a.Key != "prefix" {
			continue
		}
		var text string
		var start Pos
		switch v := a.Value.(type) {
		case *StringLit:
			text, start = v.Value, v.ValuePos
		case *Literal:
			if v.Kind != LitString {
				continue
			}
			text, start = v.Text, v.ValuePos
		default:
			continue
		}
		if !strings.Contains(text, "$") {
			continue
		}
		// The text starts one byte after the opening quote; nft strings
		// have no escapes, so offsets map one to one.
		if f := r.l.fset.File(start); f != nil {
			if off := f.Offset(start); off < f.Size() && f.Source()[off] == '"' {
				start++
			}
		}
		for i := 0; i < len(text); i++ {
			if text[i] != '$' {
				continue
			}
			j := i + 1
			for j < len(text) && isNameByte(text[j]) {
				j++
			}
			if j == i+1 || isDecDigit(text[i+1]) {
				continue
			}
			ref := &VarRef{Dollar: start + Pos(i), Name: text[i+1 : j], EndPos: start + Pos(j)}
			if def := sc.lookup(ref.Name); def != nil {
				r.n++
				ref.Def, ref.Value = def, def.Value
				if d := r.defs[def]; d != nil {
					d.Uses = append(d.Uses, ref)
				}
			} else {
				r.n++
				r.undefined(ref, sc, " in log prefix")
			}
			i = j - 1
		}
	}
}

func isNameByte(b byte) bool {
	return b == '_' || isDecDigit(b) || ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z')
}

func isDecDigit(b byte) bool { return '0' <= b && b <= '9' }

// similarName returns the visible name closest to name (edit distance at
// most 2, and less than the name's length), for a "did you mean" hint.
func similarName(name string, sc *scope) string {
	var names []string
	seen := map[string]bool{}
	for s := sc; s != nil; s = s.parent {
		for n := range s.syms {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	best, bestDist := "", 3
	for _, n := range names {
		d := editDistance(name, n)
		if d < bestDist && d < len(name) {
			best, bestDist = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two short names.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
