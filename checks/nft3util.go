package checks

// Helpers of the safety checks (NFT3xx): which input/output base chains
// drop by default, and whether they (or the chains they jump to) accept
// a kind of traffic before that.

import (
	"cmp"
	"slices"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// dropPolicyChains returns the base chains of type filter on hook whose
// policy is drop.
func dropPolicyChains(rs *ruleset.Ruleset, hook ruleset.Hook) []*ruleset.Chain {
	var out []*ruleset.Chain
	for _, t := range rs.Tables {
		for _, c := range t.Chains {
			if c.IsBase() && c.Base.Hook == hook && c.Base.Type == "filter" && c.Base.Policy == "drop" {
				out = append(out, c)
			}
		}
	}
	return out
}

// matchPred classifies a match (selector and right-hand side) for
// the traffic a check looks for: relevant reports whether the selector is
// one that tells that traffic apart, selects whether the right-hand side
// contains the traffic's value. `ct state established` selects
// established traffic; so does `ct state != new`, which is relevant but
// does not list it.
type matchPred func(sel *parser.Selector, right parser.Expr) (relevant, selects bool)

// pathIn reports whether sel.Path() is one of paths, without building
// the path (the safety checks ask it of every match they reach).
func pathIn(sel *parser.Selector, paths ...string) bool {
	for _, p := range paths {
		if pathIs(sel, p) {
			return true
		}
	}
	return false
}

// pathIs reports whether sel.Path() == p.
func pathIs(sel *parser.Selector, p string) bool {
	for i, w := range sel.Words {
		if i > 0 {
			if p == "" || p[0] != ' ' {
				return false
			}
			p = p[1:]
		}
		if !strings.HasPrefix(p, w.Name) {
			return false
		}
		p = p[len(w.Name):]
	}
	return p == ""
}

// acceptsTraffic reports whether the base chain c, or a chain it reaches
// by jump/goto, has a rule ending in accept with a match satisfying pred,
// or a verdict map keyed by such a selector with an accept element.
func acceptsTraffic(p *Pass, c *ruleset.Chain, pred matchPred) bool {
	found := false
	eachReachableRule(p, c, func(stmts []parser.Stmt) bool {
		found = ruleAccepts(stmts, pred)
		return !found
	})
	return found
}

// eachReachableRule calls fn with the statements of the rules of base
// chain c and of the chains it reaches by jump, goto or verdict map
// (anonymous chain bodies included), in the order of the run's shared
// table index, until fn returns false. It visits only the rules of the
// chains reached (through the pass's chainRuleIndex), so a table of many
// base chains costs the rules each reaches, not all of the table's rules
// per base chain.
func eachReachableRule(p *Pass, c *ruleset.Chain, fn func(stmts []parser.Stmt) bool) {
	e := p.tables().entry(c.Table)
	g := e.graph
	start, ok := g.index[c.Name]
	if !ok {
		return
	}
	x := p.chainRuleIndex(c.Table, e)
	reach := make([]bool, len(g.names))
	reach[start] = true
	stack := []int{start}
	segs := slices.Clone(x.segs[start]) // sorted below: not the index's
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, e := range g.edges[v] {
			if !reach[e.to] {
				reach[e.to] = true
				stack = append(stack, e.to)
				segs = append(segs, x.segs[e.to]...)
			}
		}
	}
	slices.SortFunc(segs, func(a, b ruleSeg) int { return cmp.Compare(a.start, b.start) })
	for _, sg := range segs {
		for i := sg.start; i < sg.end; i++ {
			if !fn(e.rules.stmts(i)) {
				return
			}
		}
	}
}

// chainRuleIndex lists, for each chain of a table's jump graph, where the
// rules attributed to it are in the table index's rule list: runs of
// consecutive rules of one chain.
type chainRuleIndex struct {
	segs [][]ruleSeg // by jump-graph node
}

// ruleSeg is the rules [start:end) of the table index.
type ruleSeg struct{ start, end int }

// chainRuleIndex returns the index of table t (whose table-index entry
// is e), building it on first use by this pass.
func (p *Pass) chainRuleIndex(t *ruleset.Table, e *tableEntry) *chainRuleIndex {
	if x := p.chainRules[t]; x != nil {
		return x
	}
	g := e.graph
	x := &chainRuleIndex{segs: make([][]ruleSeg, len(g.names))}
	for _, run := range e.rules.runs {
		if run.chain == nil {
			continue
		}
		if v, ok := g.index[run.chain.Name]; ok {
			x.segs[v] = append(x.segs[v], ruleSeg{run.start, run.end})
		}
	}
	if p.chainRules == nil {
		p.chainRules = make(map[*ruleset.Table]*chainRuleIndex)
	}
	p.chainRules[t] = x
	return x
}

func ruleAccepts(stmts []parser.Stmt, pred matchPred) bool {
	if len(stmts) == 0 {
		return false
	}
	if v, ok := stmts[len(stmts)-1].(*parser.VerdictStmt); ok && v.Kind == "accept" {
		for _, s := range stmts {
			m, ok := s.(*parser.MatchStmt)
			if !ok {
				continue
			}
			sel, ok := m.Left.(*parser.Selector)
			if !ok {
				continue
			}
			relevant, selects := pred(sel, m.Right)
			if !relevant {
				continue
			}
			if negated := m.Op == parser.OpNe; selects != negated {
				return true
			}
		}
	}
	for _, s := range stmts {
		vm, ok := s.(*parser.VmapStmt)
		if !ok {
			continue
		}
		sel, ok := vm.Key.(*parser.Selector)
		if !ok {
			continue
		}
		lit, ok := unwrapVar(vm.Map).(*parser.SetLit)
		if !ok {
			continue
		}
		for _, el := range lit.Elems {
			me, ok := el.(*parser.MapElem)
			if !ok {
				continue
			}
			if v, ok := me.Value.(*parser.Verdict); ok && v.Kind == "accept" {
				if relevant, selects := pred(sel, me.Key); relevant && selects {
					return true
				}
			}
		}
	}
	return false
}

// valueWords returns the lower-case words and strings of a right-hand
// side: a value, a comma list, or a set literal.
func valueWords(e parser.Expr) []string {
	var out []string
	inspect(e, func(n parser.Node, _ *parser.VarRef) bool {
		if x, ok := n.(parser.Expr); ok {
			if name, ok := exprName(x); ok {
				out = append(out, strings.ToLower(name))
			}
		}
		return true
	})
	return out
}

// containsWord reports whether one of valueWords(e) is one of words (the
// safety checks ask it of every accepting match they reach): a plain
// value or a set literal of them (`lo`, `{ tcp, udp }`) is read without
// the walk, which allocates.
func containsWord(e parser.Expr, words ...string) bool {
	hasWord := func(x parser.Expr) bool {
		name, ok := exprName(x)
		return ok && slices.Contains(words, strings.ToLower(name))
	}
	if isPlainValue(e) {
		return hasWord(e)
	}
	if lit := plainSetLit(e); lit != nil {
		return slices.ContainsFunc(lit.Elems, hasWord)
	}
	for _, w := range valueWords(e) {
		if slices.Contains(words, w) {
			return true
		}
	}
	return false
}

// isPlainValue reports whether e is a node that walking visits alone: a
// literal, number, string, @set reference or packed run.
func isPlainValue(e parser.Expr) bool {
	switch e.(type) {
	case *parser.Literal, *parser.Number, *parser.StringLit, *parser.SetRef, *parser.ElemRun:
		return true
	}
	return false
}

// plainSetLit returns e if it is a set literal of plain values (walking
// it visits the literal and its elements only), else nil.
func plainSetLit(e parser.Expr) *parser.SetLit {
	lit, ok := e.(*parser.SetLit)
	if !ok || lit == nil || lit.Var != nil {
		return nil
	}
	for _, x := range lit.Elems {
		if x != nil && !isPlainValue(x) {
			return nil
		}
	}
	return lit
}

// policyNode is where a finding about a chain's drop policy is reported.
func policyNode(c *ruleset.Chain) parser.Node {
	if c.Base.PolicyProp != nil {
		return c.Base.PolicyProp
	}
	if c.Base.Prop != nil {
		return c.Base.Prop
	}
	if len(c.Decls) > 0 {
		return c.Decls[0]
	}
	return nil
}

func establishedPred(sel *parser.Selector, right parser.Expr) (relevant, selects bool) {
	if !pathIs(sel, "ct state") {
		return false, false
	}
	return true, containsWord(right, "established")
}
