package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT217 reports map elements written without ':' and a value.
var nft217 = &Check{
	ID:       "NFT217",
	Name:     "map-element-without-value",
	Title:    "a map element has a key but no value",
	Severity: Error,
	Tags:     []string{"load", "correctness"},
	Doc: `Every element of a map maps a key to a value: ` + "`22 : 10.0.0.1`" + `. An element written as
a set element, with the key alone (` + "`elements = { 22, 80 : 10.0.0.1 }`" + ` in a named map, or
` + "`dnat to tcp dport map { 80 : 10.0.0.1, 22 }`" + `), passes the parser but the kernel refuses it
("Could not process rule: Invalid argument"), which nft -c reports too. (In a verdict
map literal, ` + "`vmap { … }`" + `, nft already stops with a syntax error: NFT001.)
**What breaks:** the whole file is refused.
**Fix:** give the element its value (` + "`22 : 10.0.0.2`" + `), or remove it.`,
	Run: runMapElementWithoutValue,
}

func runMapElementWithoutValue(p *Pass) {
	for _, t := range p.Ruleset.Tables {
		for _, s := range t.Sets {
			if s.IsMap {
				checkNamedMapValues(p, s)
			}
		}
		v := &mapValueVisitor{p: p}
		eachRuleOfTable(t, func(r ruleRef) {
			if !r.may(ruleset.KindMapLookup) {
				return
			}
			for _, s := range r.Stmts {
				walkInner(v, s, nil, 0)
			}
		})
	}
}

// checkNamedMapValues reports the first element of named map s that has
// no value (a packed element never has one: runs hold plain keys).
func checkNamedMapValues(p *Pass, s *ruleset.Set) {
	for e := range s.All {
		switch {
		case e.Run != nil:
			reportNoValue(p, p.Files.Range(e.Run.ElemPos(e.I), e.Run.ElemEnd(e.I)), e.Run.Text(e.I), "map "+s.Name)
			return
		case e.El.Value == nil && e.El.Node != nil:
			reportNoValue(p, p.Range(e.El.Node), srcText(p, e.El.Node), "map "+s.Name)
			return
		}
	}
}

// mapValueVisitor reports the first element without a value of each
// anonymous map of a map lookup (one visitor for the run).
type mapValueVisitor struct{ p *Pass }

func (v *mapValueVisitor) visit(n parser.Node, via *parser.VarRef) visitor {
	m, ok := n.(*parser.MapLookup)
	if !ok {
		return v
	}
	lit, ok := unwrapVar(m.Map).(*parser.SetLit)
	if !ok || lit == nil {
		return v
	}
	for _, e := range lit.Elems {
		switch x := e.(type) {
		case *parser.MapElem:
			continue
		case *parser.ElemRun: // plain keys, packed
			r := v.p.Files.Range(x.ElemPos(0), x.ElemEnd(0))
			if via != nil {
				r = v.p.Range(via)
			}
			reportNoValue(v.p, r, x.Text(0), "this map")
		default:
			reportNoValue(v.p, v.p.Range(pickVia(e, via)), srcText(v.p, e), "this map")
		}
		return v // the first one: nft stops there
	}
	return v
}

func reportNoValue(p *Pass, r parser.Range, key, where string) {
	p.Report(Diagnostic{Range: r, Message: fmt.Sprintf(
		"element %s of %s has no value: the kernel refuses it (\"Could not process rule: Invalid argument\") and nft loads nothing; write it `%s : value`",
		key, where, key)})
}
