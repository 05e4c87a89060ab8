package checks

// Helpers shared by the NFT2xx–NFT4xx checks: visiting every rule of a
// ruleset (including the bodies of anonymous chains), walking statements
// and expressions the way go/ast.Inspect does, and reading names and
// verdicts out of expressions whatever node the parser chose for them.

import (
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// ruleRef is one rule and where it lives. Rules of anonymous chains
// (`jump { … }`) are attributed to the named chain that contains them.
type ruleRef struct {
	Table *ruleset.Table
	Chain *ruleset.Chain
	Rule  *ruleset.Rule // nil for a rule inside an anonymous chain body
	Stmts []parser.Stmt
	Node  parser.Node // the rule's AST node, for positions
	Anon  bool        // inside an anonymous chain
}

// eachRule calls fn for every rule of every chain, once per AST rule.
func eachRule(rs *ruleset.Ruleset, fn func(ruleRef)) {
	eachRuleOfTables(rs.Tables, fn)
}

// eachRuleOfTable calls fn for the rules eachRule attributes to table t, in
// the same order, visiting only t's chains: the checks that look at one
// table at a time stay linear in the number of tables. (A rule's AST
// belongs to one table, so skipping the others changes nothing.)
func eachRuleOfTable(t *ruleset.Table, fn func(ruleRef)) {
	eachRuleOfTables([]*ruleset.Table{t}, fn)
}

func eachRuleOfTables(tables []*ruleset.Table, fn func(ruleRef)) {
	w := ruleWalker{fn: fn}
	// Named chains first, so that the rules of anonymous chains are
	// attributed to the chain that contains them even when the model also
	// lists the anonymous chains.
	for _, t := range tables {
		for _, c := range t.Chains {
			if !c.Anonymous {
				w.chain(t, c)
			}
		}
	}
	for _, t := range tables {
		for _, c := range t.Chains {
			if !c.Anonymous {
				continue
			}
			// An anonymous chain whose body was visited through its
			// origin rule is done, but for rules added to it by name;
			// one whose origin rule is gone (the chain was flushed) is
			// visited as a chain of its own.
			if c.Body == nil || !w.bodies[c.Body] {
				w.chain(t, c)
			} else if !bodyIsChain(c) {
				w.chainExcept(t, c, c.Body.Chain.Items)
			}
		}
	}
}

// bodyIsChain reports whether the rules of anonymous chain c are exactly
// its body's, as the builder made them.
func bodyIsChain(c *ruleset.Chain) bool {
	i := 0
	for _, item := range c.Body.Chain.Items {
		r, ok := item.(*parser.Rule)
		if !ok {
			continue
		}
		if i >= len(c.Rules) || c.Rules[i].AST != r {
			return false
		}
		i++
	}
	return i == len(c.Rules)
}

// chainExcept visits the rules of c that are not the body items (a
// `chain __chain0 { … }` block or `add rule … __chain0` in the file).
func (w *ruleWalker) chainExcept(t *ruleset.Table, c *ruleset.Chain, items []parser.Cmd) {
	body := make(map[*parser.Rule]bool, len(items))
	for _, item := range items {
		if r, ok := item.(*parser.Rule); ok {
			body[r] = true
		}
	}
	for _, r := range c.Rules {
		if r.AST != nil && body[r.AST] {
			continue
		}
		w.fn(ruleRef{Table: t, Chain: c, Rule: r, Stmts: r.Stmts, Node: ruleNode(r), Anon: c.Anonymous})
		w.anon(t, c, r.Stmts, 0)
	}
}

// ruleWalker visits rules for eachRuleOfTables. A rule's AST belongs to
// one chain of the model, except the rules of `jump { … }` bodies, which
// are both in their anonymous chain and in the statement of their origin
// rule: they are visited through the origin, and bodies records the
// bodies visited that way (only rules with a body touch the map, so
// ordinary rulesets never allocate it).
type ruleWalker struct {
	fn     func(ruleRef)
	bodies map[*parser.VerdictStmt]bool
}

func (w *ruleWalker) chain(t *ruleset.Table, c *ruleset.Chain) {
	for _, r := range c.Rules {
		w.fn(ruleRef{Table: t, Chain: c, Rule: r, Stmts: r.Stmts, Node: ruleNode(r), Anon: c.Anonymous})
		if r.Kinds.Has(ruleset.KindBody) {
			w.anon(t, c, r.Stmts, 0)
		}
	}
}

// anon visits the rules of the anonymous chain bodies in stmts.
func (w *ruleWalker) anon(t *ruleset.Table, c *ruleset.Chain, stmts []parser.Stmt, depth int) {
	for _, s := range stmts {
		v, ok := s.(*parser.VerdictStmt)
		if !ok || v.Chain == nil || depth > maxInspectDepth {
			continue
		}
		if w.bodies[v] {
			continue
		}
		if w.bodies == nil {
			w.bodies = make(map[*parser.VerdictStmt]bool)
		}
		w.bodies[v] = true
		for _, item := range v.Chain.Items {
			r, ok := item.(*parser.Rule)
			if !ok {
				continue
			}
			w.fn(ruleRef{Table: t, Chain: c, Stmts: r.Stmts, Node: r, Anon: true})
			w.anon(t, c, r.Stmts, depth+1)
		}
	}
}

// may reports whether the rule can hold a node of one of the kinds (see
// ruleset.NodeKinds): rules of jump bodies and rules not made by Build
// always may.
func (r *ruleRef) may(want ruleset.NodeKinds) bool {
	return r.Rule == nil || r.Rule.Kinds.Has(want)
}

func ruleNode(r *ruleset.Rule) parser.Node {
	if r.AST != nil {
		return r.AST
	}
	if r.Cmd != nil {
		return r.Cmd
	}
	if len(r.Stmts) > 0 {
		return r.Stmts[0]
	}
	return nil
}

// inspect walks n depth-first, calling fn for every statement and
// expression; fn returns false to skip a node's children. via is the
// outermost $variable through which the node was reached (nil when the
// node is written in place): report there, so findings point at the use.
// Anonymous chain bodies are not entered (eachRule visits them).
func inspect(n parser.Node, fn func(n parser.Node, via *parser.VarRef) bool) {
	inspectVia(n, nil, fn, 0)
}

// maxInspectDepth guards against pathological nesting; the loader caps
// nesting much lower, this only keeps a bug elsewhere from recursing forever.
const maxInspectDepth = 256

// inspectVia is inspect from a given $variable use and depth.
func inspectVia(n parser.Node, via *parser.VarRef, fn func(parser.Node, *parser.VarRef) bool, depth int) {
	walkNode(inspector(fn), n, via, depth, allLeaves)
}

// inspector makes an inspect callback a visitor: it keeps walking below
// a node while the callback returns true. (A func value is stored in the
// interface as it is, so nothing is allocated.)
type inspector func(parser.Node, *parser.VarRef) bool

func (f inspector) visit(n parser.Node, via *parser.VarRef) visitor {
	if f(n, via) {
		return f
	}
	return nil
}

// exprName returns the name an expression spells: a word, a quoted
// string, or a $variable holding one.
func exprName(e any) (string, bool) {
	switch x := e.(type) {
	case *parser.Ident:
		if x != nil {
			return x.Name, true
		}
	case *parser.Literal:
		if x != nil && (x.Kind == parser.LitWord || x.Kind == parser.LitString) {
			return x.Text, true
		}
	case *parser.StringLit:
		if x != nil {
			return x.Value, true
		}
	case *parser.VarRef:
		if x != nil && x.Value != nil {
			return exprName(x.Value)
		}
	case *parser.Selector:
		// A chain named like a selector keyword (jump input) may come out
		// of the parser as a one-word selector.
		if x != nil && len(x.Words) == 1 {
			return x.Words[0].Name, true
		}
	}
	return "", false
}

// setRefName returns the name of a @set reference (directly or through a
// $variable).
func setRefName(e parser.Expr) (*parser.SetRef, bool) {
	switch x := e.(type) {
	case *parser.SetRef:
		return x, x != nil
	case *parser.VarRef:
		if x != nil && x.Value != nil {
			return setRefName(x.Value)
		}
	}
	return nil, false
}

// unwrapVar follows $variables to the value they hold.
func unwrapVar(e parser.Expr) parser.Expr {
	for i := 0; i < 64; i++ {
		v, ok := e.(*parser.VarRef)
		if !ok || v == nil || v.Value == nil {
			return e
		}
		e = v.Value
	}
	return e
}

// chainEdge is a jump or goto from one chain to another, written in a
// rule (statement or verdict-map element) or in a map's elements.
type chainEdge struct {
	Kind   string // "jump" or "goto"
	Target string
	Node   parser.Node // the target name, for positions
	Via    *parser.VarRef
}

// verdictTargets calls fn for every jump/goto target reachable from n:
// verdict statements, verdicts in vmap literals, and (through lookup) the
// elements of named verdict maps.
func verdictTargets(n parser.Node, lookupSet func(name string) *ruleset.Set, fn func(chainEdge)) {
	// A verdict statement (half the statements of a jump rule) holds no
	// further verdicts: take its edge without the walk, whose visitor
	// escapes (one allocation per call).
	if x, ok := n.(*parser.VerdictStmt); ok {
		if x != nil && x.Chain == nil {
			verdictEdge(x.Kind, x.Target, x, nil, fn)
		}
		return
	}
	// Nor does a match or a set statement of plain operands (the other
	// half: ip saddr 10.0.0.0/8, tcp dport 22, meta mark set 1) hold any.
	switch x := n.(type) {
	case *parser.MatchStmt:
		if x == nil || edgeFreeLeaf(x.Left) && edgeFreeLeaf(x.Right) {
			return
		}
	case *parser.SetStmt:
		if x == nil || edgeFreeLeaf(x.Target) && edgeFreeLeaf(x.Value) {
			return
		}
	case *parser.VmapStmt:
		// A verdict map written in place (tcp dport vmap { 22 : jump
		// ssh, … }): its verdicts, in order, are the edges.
		if lit := plainVerdictMap(x); lit != nil {
			for _, el := range lit.Elems {
				if vd := el.(*parser.MapElem).Value.(*parser.Verdict); vd != nil {
					verdictEdge(vd.Kind, vd.Target, vd, nil, fn)
				}
			}
			return
		}
	}
	v := edgeVisitor{lookupSet: lookupSet, fn: fn}
	walkInner(&v, n, nil, 0)
}

// edgeVisitor is verdictTargets' walk: a visitor instead of a closure
// per call (the jump graph asks for every statement of every rule).
type edgeVisitor struct {
	lookupSet func(name string) *ruleset.Set
	fn        func(chainEdge)
}

func (v *edgeVisitor) visit(n parser.Node, via *parser.VarRef) visitor {
	switch x := n.(type) {
	case *parser.VerdictStmt:
		if x.Chain == nil {
			verdictEdge(x.Kind, x.Target, x, via, v.fn)
		}
		return nil
	case *parser.Verdict:
		verdictEdge(x.Kind, x.Target, x, via, v.fn)
		return nil
	case *parser.VmapStmt:
		if ref, ok := setRefName(x.Map); ok && v.lookupSet != nil {
			if s := v.lookupSet(ref.Name); s != nil {
				for _, el := range s.Elements {
					if el.Value != nil {
						verdictTargets(el.Value, nil, func(e chainEdge) {
							e.Node = ref
							e.Via = via
							v.fn(e)
						})
					}
				}
			}
		}
	}
	return v
}

// plainVerdictMap returns the map literal of a verdict map statement
// whose key and element keys are plain (edgeFreeLeaf) and whose values
// are all verdicts, else nil: walking it, the verdicts are the only
// nodes with an edge.
func plainVerdictMap(x *parser.VmapStmt) *parser.SetLit {
	if x == nil || !edgeFreeLeaf(x.Key) {
		return nil
	}
	lit, ok := x.Map.(*parser.SetLit)
	if !ok || lit == nil || lit.Var != nil {
		return nil
	}
	for _, el := range lit.Elems {
		me, ok := el.(*parser.MapElem)
		if !ok || me == nil || !edgeFreeLeaf(me.Key) {
			return nil
		}
		if _, ok := me.Value.(*parser.Verdict); !ok {
			return nil
		}
	}
	return lit
}

// edgeFreeLeaf reports whether walking x cannot reach a verdict: x is a
// leaf (or a selector without arguments, or a prefix of a leaf), or
// absent.
func edgeFreeLeaf(x parser.Expr) bool {
	switch x := x.(type) {
	case nil, *parser.Literal, *parser.Number, *parser.StringLit,
		*parser.SetRef, *parser.ElemRun:
		return true
	case *parser.Selector:
		return x == nil || len(x.Args()) == 0
	case *parser.Prefix:
		return x == nil || edgeFreeLeaf(x.X)
	}
	return false
}

// verdictEdge calls fn with the edge of a jump or goto verdict (kind)
// to a named target; other verdicts have none.
func verdictEdge(kind string, target parser.Expr, node parser.Node, via *parser.VarRef, fn func(chainEdge)) {
	if kind != "jump" && kind != "goto" {
		return
	}
	if name, ok := exprName(target); ok {
		fn(chainEdge{Kind: kind, Target: name, Node: targetNode(target, node), Via: via})
	}
}

func targetNode(target parser.Expr, fallback parser.Node) parser.Node {
	if target != nil {
		return target
	}
	return fallback
}

// reportAt reports a diagnostic at node, or at the $variable use through
// which node was reached.
func reportVia(p *Pass, node parser.Node, via *parser.VarRef, sev Severity, msg string) {
	at := node
	if via != nil {
		at = via
	}
	p.Report(Diagnostic{Range: p.Range(at), Severity: sev, Message: msg})
}

// familyOf returns a table's family, ip when unset.
func familyOf(t *ruleset.Table) parser.Family {
	if t.Family == parser.FamilyNone {
		return parser.FamilyIP
	}
	return t.Family
}

// nftKeywords are nft's global keywords (nft-grammar.md §3.1): the lexer
// always returns them as keyword tokens, so they cannot be names.
var nftKeywords = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`accept add all arp auto-merge bridge chain comment constant continue
counter create ct define delete describe destroy device devices dnat drop
dup dynamic element elements exists expires export fib flags flow flowtable
flush fwd gc-interval get goto handle hook import include index inet insert
interval jump limit list log map masquerade meta meter missing monitor
netdev notrack numgen offload osf policy position priority queue quota
random redefine redirect reject rename replace reset return rule ruleset
set size snat socket synproxy table timeout tproxy tunnel type typeof
undefine update vmap xt
ah comp dccp dst esp ether exthdr frag geneve gre gretap hbh icmp icmpv6
igmp ip ip6 ipsec jhash mh rt rt0 rt2 sctp srh symhash tcp th udp udplite
vlan vni vxlan
cgroup cpu day ecn hour ibriport ibrname iif iifgroup iifname iiftype mark
nftrace obriport obrname oif oifgroup oifname oiftype pkttype rtclassid
skgid skuid time
and or xor not lshift rshift eq ne lt le gt ge`) {
		m[w] = true
	}
	return m
}()

// visitor is the go/ast.Visitor of walkNode: visit is called for each node
// and returns the visitor for the node's children, nil to skip them. A
// check that looks for several things in one walk returns visitors that
// say which of them still apply below (preallocated, so nothing is
// allocated per node).
type visitor interface {
	visit(n parser.Node, via *parser.VarRef) visitor
}

// leafMode says which leaves a walk visits.
type leafMode uint8

const (
	allLeaves      leafMode = iota
	noLeaves                // see walkInner
	selectorLeaves          // selectors, but not words, literals, numbers, strings
)

// walkInner is walkNode without visiting the leaves that hold nothing else
// (words, literals, numbers, strings, and selectors without arguments):
// half the nodes of a ruleset, which visitors looking for statements,
// verdicts and references skip anyway.
func walkInner(v visitor, n parser.Node, via *parser.VarRef, depth int) {
	walkNode(v, n, via, depth, noLeaves)
}

// walkSelectors is walkNode without visiting words, literals, numbers and
// strings.
func walkSelectors(v visitor, n parser.Node, via *parser.VarRef, depth int) {
	walkNode(v, n, via, depth, selectorLeaves)
}

// walkNode calls v.visit for n and the nodes below it, depth-first, and
// for the leaves that leaves says; inspect is walkNode with a callback.
func walkNode(v visitor, n parser.Node, via *parser.VarRef, depth int, leaves leafMode) {
	if n == nil || depth > maxInspectDepth {
		return
	}
	depth++
	// One type switch per node: each case checks for a typed nil (what
	// parser.IsNilNode would) and visits before walking the children.
	// Anonymous chain bodies are not entered (eachRule visits them).
	switch x := n.(type) {
	case *parser.Literal:
		if x != nil && leaves == allLeaves {
			v.visit(x, via)
		}
	case *parser.Number:
		if x != nil && leaves == allLeaves {
			v.visit(x, via)
		}
	case *parser.Ident:
		if x != nil && leaves == allLeaves {
			v.visit(x, via)
		}
	case *parser.StringLit:
		if x != nil && leaves == allLeaves {
			v.visit(x, via)
		}
	case *parser.Selector:
		if x == nil || leaves == noLeaves && len(x.Args()) == 0 || !enter(&v, x, via) {
			return
		}
		for _, a := range x.Args() {
			walkExpr(v, leaves, a.Value, via, depth)
		}
	case *parser.SetRef:
		if x != nil {
			v.visit(x, via)
		}
	case *parser.ElemRun:
		if x != nil {
			v.visit(x, via)
		}
	case *parser.MatchStmt:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.Left, via, depth)
		walkExpr(v, leaves, x.Right, via, depth)
	case *parser.VerdictStmt:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.Target, via, depth)
	case *parser.VmapStmt:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.Key, via, depth)
		walkExpr(v, leaves, x.Map, via, depth)
	case *parser.SetStmt:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.Target, via, depth)
		walkExpr(v, leaves, x.Value, via, depth)
	case *parser.NatStmt:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.Addr, via, depth)
		walkExpr(v, leaves, x.Port, via, depth)
	case *parser.RejectStmt:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.Code, via, depth)
	case *parser.SetUpdateStmt:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.Set, via, depth)
		walkExpr(v, leaves, x.Key, via, depth)
		for _, a := range x.Opts {
			walkExpr(v, leaves, a.Value, via, depth)
		}
		for _, s := range x.Stmts {
			walkNode(v, s, via, depth, leaves)
		}
		walkExpr(v, leaves, x.Value, via, depth)
	case *parser.KeywordStmt:
		if x == nil || !enter(&v, x, via) {
			return
		}
		for _, a := range x.Args {
			walkExpr(v, leaves, a.Value, via, depth)
		}
	case *parser.VarRef:
		if x == nil || !enter(&v, x, via) {
			return
		}
		if x.Value != nil {
			w := via
			if w == nil {
				w = x
			}
			walkNode(v, x.Value, w, depth, leaves)
		}
	case *parser.SetLit:
		if x == nil || !enter(&v, x, via) {
			return
		}
		if x.Var != nil {
			walkNode(v, x.Var, via, depth, leaves)
		}
		for _, e := range x.Elems {
			walkExpr(v, leaves, e, via, depth)
		}
	case *parser.Elem:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.Value, via, depth)
		for _, s := range x.Stmts {
			walkNode(v, s, via, depth, leaves)
		}
	case *parser.MapElem:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.Key, via, depth)
		walkExpr(v, leaves, x.Value, via, depth)
	case *parser.Verdict:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.Target, via, depth)
	case *parser.Binary:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.X, via, depth)
		walkExpr(v, leaves, x.Y, via, depth)
	case *parser.Prefix:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.X, via, depth)
	case *parser.Mask:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.X, via, depth)
		walkExpr(v, leaves, x.Mask, via, depth)
	case *parser.RangeExpr:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.Lo, via, depth)
		walkExpr(v, leaves, x.Hi, via, depth)
	case *parser.Concat:
		if x == nil || !enter(&v, x, via) {
			return
		}
		for _, p := range x.Parts {
			walkExpr(v, leaves, p, via, depth)
		}
	case *parser.List:
		if x == nil || !enter(&v, x, via) {
			return
		}
		for _, p := range x.Elems {
			walkExpr(v, leaves, p, via, depth)
		}
	case *parser.MapLookup:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.Key, via, depth)
		walkExpr(v, leaves, x.Map, via, depth)
	case *parser.Paren:
		if x == nil || !enter(&v, x, via) {
			return
		}
		walkExpr(v, leaves, x.X, via, depth)
	default: // other nodes have no children here
		if !parser.IsNilNode(n) {
			v.visit(n, via)
		}
	}
}

// enter visits n and reports whether to walk its children, with the
// visitor for them in *v.
func enter(v *visitor, n parser.Node, via *parser.VarRef) bool {
	*v = (*v).visit(n, via)
	return *v != nil
}

func walkExpr(v visitor, leaves leafMode, e parser.Expr, via *parser.VarRef, depth int) {
	if e == nil {
		return
	}
	if leaves != allLeaves {
		// Skip the common leaves before the call.
		switch e.(type) {
		case *parser.Literal, *parser.Number:
			return
		}
	}
	walkNode(v, e, via, depth, leaves)
}
