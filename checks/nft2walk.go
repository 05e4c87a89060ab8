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
	// Sized for the rules of the named and anonymous chains up front:
	// growing a map of 50,000 rules step by step costs several times more,
	// and a dozen checks walk the rules.
	n := 0
	for _, t := range tables {
		for _, c := range t.Chains {
			n += len(c.Rules)
		}
	}
	seen := make(map[*parser.Rule]bool, n)
	var anon func(t *ruleset.Table, c *ruleset.Chain, stmts []parser.Stmt)
	anon = func(t *ruleset.Table, c *ruleset.Chain, stmts []parser.Stmt) {
		for _, s := range stmts {
			v, ok := s.(*parser.VerdictStmt)
			if !ok || v.Chain == nil {
				continue
			}
			for _, item := range v.Chain.Items {
				r, ok := item.(*parser.Rule)
				if !ok || seen[r] {
					continue
				}
				seen[r] = true
				fn(ruleRef{Table: t, Chain: c, Stmts: r.Stmts, Node: r, Anon: true})
				anon(t, c, r.Stmts)
			}
		}
	}
	// Named chains first, so that the rules of anonymous chains are
	// attributed to the chain that contains them even when the model also
	// lists the anonymous chains.
	for _, anonymous := range []bool{false, true} {
		for _, t := range tables {
			for _, c := range t.Chains {
				if c.Anonymous != anonymous {
					continue
				}
				eachRuleOfChain(t, c, seen, fn, anon)
			}
		}
	}
}

func eachRuleOfChain(t *ruleset.Table, c *ruleset.Chain, seen map[*parser.Rule]bool, fn func(ruleRef), anon func(*ruleset.Table, *ruleset.Chain, []parser.Stmt)) {
	for _, r := range c.Rules {
		if r.AST != nil {
			if seen[r.AST] {
				continue
			}
			seen[r.AST] = true
		}
		fn(ruleRef{Table: t, Chain: c, Rule: r, Stmts: r.Stmts, Node: ruleNode(r), Anon: c.Anonymous})
		anon(t, c, r.Stmts)
	}
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

func inspectVia(n parser.Node, via *parser.VarRef, fn func(parser.Node, *parser.VarRef) bool, depth int) {
	if n == nil || depth > maxInspectDepth {
		return
	}
	if parser.IsNilNode(n) {
		return
	}
	if !fn(n, via) {
		return
	}
	walk := func(c parser.Node) { inspectVia(c, via, fn, depth+1) }
	walkExpr := func(e parser.Expr) {
		if e != nil {
			walk(e)
		}
	}
	switch x := n.(type) {
	case *parser.MatchStmt:
		walkExpr(x.Left)
		walkExpr(x.Right)
	case *parser.VerdictStmt:
		walkExpr(x.Target)
	case *parser.VmapStmt:
		walkExpr(x.Key)
		walkExpr(x.Map)
	case *parser.SetStmt:
		walkExpr(x.Target)
		walkExpr(x.Value)
	case *parser.NatStmt:
		walkExpr(x.Addr)
		walkExpr(x.Port)
	case *parser.RejectStmt:
		walkExpr(x.Code)
	case *parser.SetUpdateStmt:
		walkExpr(x.Set)
		walkExpr(x.Key)
		for _, a := range x.Opts {
			walkExpr(a.Value)
		}
		for _, s := range x.Stmts {
			walk(s)
		}
		walkExpr(x.Value)
	case *parser.KeywordStmt:
		for _, a := range x.Args {
			walkExpr(a.Value)
		}
	case *parser.Selector:
		for _, a := range x.Args {
			walkExpr(a.Value)
		}
	case *parser.VarRef:
		if x.Value != nil {
			v := via
			if v == nil {
				v = x
			}
			inspectVia(x.Value, v, fn, depth+1)
		}
	case *parser.SetLit:
		if x.Var != nil {
			walk(x.Var)
		}
		for _, e := range x.Elems {
			walkExpr(e)
		}
	case *parser.Elem:
		walkExpr(x.Value)
		for _, s := range x.Stmts {
			walk(s)
		}
	case *parser.MapElem:
		walkExpr(x.Key)
		walkExpr(x.Value)
	case *parser.Verdict:
		walkExpr(x.Target)
	case *parser.Binary:
		walkExpr(x.X)
		walkExpr(x.Y)
	case *parser.Prefix:
		walkExpr(x.X)
	case *parser.Mask:
		walkExpr(x.X)
		walkExpr(x.Mask)
	case *parser.RangeExpr:
		walkExpr(x.Lo)
		walkExpr(x.Hi)
	case *parser.Concat:
		for _, p := range x.Parts {
			walkExpr(p)
		}
	case *parser.List:
		for _, p := range x.Elems {
			walkExpr(p)
		}
	case *parser.MapLookup:
		walkExpr(x.Key)
		walkExpr(x.Map)
	case *parser.Paren:
		walkExpr(x.X)
	}
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
	inspect(n, func(n parser.Node, via *parser.VarRef) bool {
		switch x := n.(type) {
		case *parser.VerdictStmt:
			if (x.Kind == "jump" || x.Kind == "goto") && x.Chain == nil {
				if name, ok := exprName(x.Target); ok {
					fn(chainEdge{Kind: x.Kind, Target: name, Node: targetNode(x.Target, x), Via: via})
				}
			}
			return false
		case *parser.Verdict:
			if x.Kind == "jump" || x.Kind == "goto" {
				if name, ok := exprName(x.Target); ok {
					fn(chainEdge{Kind: x.Kind, Target: name, Node: targetNode(x.Target, x), Via: via})
				}
			}
			return false
		case *parser.VmapStmt:
			if ref, ok := setRefName(x.Map); ok && lookupSet != nil {
				if s := lookupSet(ref.Name); s != nil {
					for _, el := range s.Elements {
						if el.Value != nil {
							verdictTargets(el.Value, nil, func(e chainEdge) {
								e.Node = ref
								e.Via = via
								fn(e)
							})
						}
					}
				}
			}
		}
		return true
	})
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
