package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT214 reports ranges whose first value is above their last: nft's
// evaluator refuses them wherever they are written.
var nft214 = &Check{
	ID:       "NFT214",
	Name:     "reversed-range",
	Title:    "a range starts above its end",
	Severity: Error,
	Tags:     []string{"load", "correctness"},
	Doc: `nft refuses a range whose first value is greater than its last ("Range has zero or
negative size"), wherever it is written: in a match (` + "`tcp dport 1024-22`" + `), in an anonymous
set or map (` + "`tcp dport { 8000-80 }`" + `), in a NAT statement or in the elements of a named set
(` + "`elements = { 10.0.0.9-10.0.0.1 }`" + `). A range of one value (` + "`22-22`" + `) is accepted.
nftlint compares ranges of numbers and of IPv4 or IPv6 addresses; ranges of names
(services, interfaces) and of times of day are left to nft.
**What breaks:** the whole file is refused.
**Fix:** swap the two ends (` + "`tcp dport 22-1024`" + `).`,
	Run: runReversedRange,
}

func runReversedRange(p *Pass) {
	v := &reversedRangeVisitor{p: p}
	for _, t := range p.Ruleset.Tables {
		for _, s := range t.Sets {
			// Packed elements (Runs) hold no reversed range: the parser
			// packs a range only when its start is not above its end.
			for _, el := range s.Elements {
				walkInner(v, el.Node, nil, 0)
			}
		}
		eachRuleOfTable(t, func(r ruleRef) {
			if !r.may(ruleset.KindRange) {
				return
			}
			for _, s := range r.Stmts {
				walkInner(v, s, nil, 0)
			}
		})
	}
}

// reversedRangeVisitor reports the reversed ranges of the nodes it is
// walked over (one visitor for the run).
type reversedRangeVisitor struct{ p *Pass }

func (v *reversedRangeVisitor) visit(n parser.Node, via *parser.VarRef) visitor {
	x, ok := n.(*parser.RangeExpr)
	if !ok {
		return v
	}
	lo, w1, ok1 := keyValue(x.Lo)
	hi, w2, ok2 := keyValue(x.Hi)
	if ok1 && ok2 && w1 == w2 && hi.less(lo) {
		first, last := srcText(v.p, x.Lo), srcText(v.p, x.Hi)
		v.p.Report(Diagnostic{Range: v.p.Range(pickVia(x, via)), Message: fmt.Sprintf(
			"the range %s-%s starts above its end: nft refuses it (\"Range has zero or negative size\") and loads nothing of the file; write it %s-%s",
			first, last, last, first)})
	}
	return v
}
