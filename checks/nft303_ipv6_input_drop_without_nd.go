package checks

import (
	"fmt"
	"slices"

	"github.com/nftlint/nftlint/parser"
)

// NFT303 reports IPv6 input chains that drop by default but do not accept
// ICMPv6 neighbour discovery.
var nft303 = &Check{
	ID:       "NFT303",
	Name:     "ipv6-input-drop-without-nd",
	Title:    "an IPv6 input chain with policy drop does not accept ICMPv6 neighbour discovery",
	Severity: Warning,
	Tags:     []string{"safety", "ipv6"},
	Doc: `IPv6 resolves link-layer addresses with ICMPv6 neighbour solicitations and
advertisements (the equivalent of ARP, which nftables' ip/ip6/inet tables never
see) and learns routes and addresses from router advertisements. These packets
are not part of any connection, so ` + "`ct state established,related accept`" + ` does not
let them in. An ` + "`inet`" + ` or ` + "`ip6`" + ` input chain with ` + "`policy drop`" + ` that does not accept them
breaks IPv6 on the host after the neighbour cache expires: connectivity comes and
goes, SLAAC addresses and default routes vanish.

**Fix:** accept the ND types (or all of ICMPv6):
` + "`icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert, nd-router-solicit } accept`" + `.`,
	Run: runIPv6InputDropWithoutND,
}

func ndPred(sel *parser.Selector, right parser.Expr) (relevant, selects bool) {
	switch {
	case pathIs(sel, "icmpv6 type"):
		return true, containsWord(right, "nd-neighbor-solicit", "nd-neighbor-advert") || numberIn(right, 135) || numberIn(right, 136)
	case pathIn(sel, "meta l4proto", "ip6 nexthdr"):
		return true, containsWord(right, "icmpv6", "ipv6-icmp", "58") || numberIn(right, 58)
	}
	return false, false
}

// numberIn reports whether a number node of e is v: of a plain value or
// a set literal of them without the walk, which allocates.
func numberIn(e parser.Expr, v uint64) bool {
	if isPlainValue(e) {
		return isNumber(e, v)
	}
	if lit := plainSetLit(e); lit != nil {
		return slices.ContainsFunc(lit.Elems, func(x parser.Expr) bool { return isNumber(x, v) })
	}
	found := false
	inspect(e, func(n parser.Node, _ *parser.VarRef) bool {
		if x, ok := n.(parser.Expr); ok && !found {
			found = isNumber(x, v)
		}
		return true
	})
	return found
}

// isNumber reports whether x is a number node v, or a packed run with one.
func isNumber(x parser.Expr, v uint64) bool {
	switch x := x.(type) {
	case *parser.Number:
		return x != nil && x.Value == v && !x.Neg
	case *parser.ElemRun:
		return x != nil && runHasNumber(x, v)
	}
	return false
}

// runHasNumber reports whether a number node of the run's elements (as
// At would build them: a value, a prefix length, a range bound) is v.
func runHasNumber(r *parser.ElemRun, v uint64) bool {
	for i := range r.Len() {
		form := r.Form(i)
		if r.Family() != parser.RunNumber {
			// Addresses are literals; only a prefix length is a number.
			if form == parser.FormPrefix && uint64(r.Bits(i)) == v {
				return true
			}
			continue
		}
		lo, hi := r.Bounds(i)
		if form == parser.FormPrefix || lo.Hi != 0 || hi.Hi != 0 {
			// Not plain 64-bit values: look at the numbers of the node.
			if numberIn(r.At(i), v) {
				return true
			}
			continue
		}
		if lo.Lo == v || form == parser.FormRange && hi.Lo == v {
			return true
		}
	}
	return false
}

func runIPv6InputDropWithoutND(p *Pass) {
	for _, c := range dropPolicyChains(p.Ruleset, "input") {
		if fam := familyOf(c.Table); fam != parser.FamilyIP6 && fam != parser.FamilyInet {
			continue
		}
		if acceptsTraffic(p, c, ndPred) {
			continue
		}
		if n := policyNode(c); n != nil {
			p.Report(Diagnostic{Range: p.Range(n), Message: fmt.Sprintf(
				"%s input chain %q drops by default but never accepts ICMPv6 neighbour discovery: IPv6 neighbours and routers become unreachable once their cache entries expire; add `icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept`",
				familyOf(c.Table), c.Name)})
		}
	}
}
