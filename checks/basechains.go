package checks

import (
	"slices"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// Statements the kernel validates against the hook of the base chain
// that runs them (NFT215, NFT216).

// chainTypeHooks are the hooks each chain type of the ip, ip6 and inet
// families attaches to; NFT203 refuses nat and route chains elsewhere.
// (inet filter chains also attach to ingress, whose statements the hook
// checks do not look at.)
var chainTypeHooks = map[string][]ruleset.Hook{
	"filter": {"prerouting", "input", "forward", "output", "postrouting"},
	"nat":    {"prerouting", "input", "output", "postrouting"},
	"route":  {"output"},
}

// eachStmtOfBaseChains calls fn with every statement that a valid base
// chain of an ip, ip6 or inet table runs, in its own rules or in the
// chains it reaches by jump, goto or verdict map (anonymous bodies
// included), and that base chain. Tables without a rule that may hold a
// node of kinds are skipped, and base chains for which want (when not
// nil) returns false. A statement that several base chains run is passed
// once for each.
func eachStmtOfBaseChains(p *Pass, kinds ruleset.NodeKinds, want func(base *ruleset.Chain) bool, fn func(base *ruleset.Chain, s parser.Stmt)) {
	for _, t := range p.Ruleset.Tables {
		switch tableFamily(t) {
		case parser.FamilyIP, parser.FamilyIP6, parser.FamilyInet:
		default:
			continue // other families validate other hooks
		}
		if !tableMayHold(t, kinds) {
			continue
		}
		for _, base := range t.Chains {
			if !base.IsBase() || !slices.Contains(chainTypeHooks[base.Base.Type], base.Base.Hook) {
				continue // a regular chain, or a base chain refused itself (NFT203)
			}
			if want != nil && !want(base) {
				continue
			}
			eachReachableRule(p, base, func(stmts []parser.Stmt) bool {
				for _, s := range stmts {
					fn(base, s)
				}
				return true
			})
		}
	}
}

// tableMayHold reports whether a rule of t (anonymous chains included)
// may hold a node of kinds.
func tableMayHold(t *ruleset.Table, kinds ruleset.NodeKinds) bool {
	for _, c := range t.Chains {
		for _, r := range c.Rules {
			if r.Kinds.Has(kinds) {
				return true
			}
		}
	}
	return false
}

// hookList writes hooks as "prerouting or output".
func hookList(hooks []ruleset.Hook) string {
	names := make([]string, len(hooks))
	for i, h := range hooks {
		names[i] = string(h)
	}
	return strings.Join(names, " or ")
}
