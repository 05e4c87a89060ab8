package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT404 reports regular chains that no rule or map jumps or goes to.
var nft404 = &Check{
	ID:       "NFT404",
	Name:     "unreferenced-chain",
	Title:    "a regular chain is never the target of a jump, goto or verdict map",
	Severity: Info,
	Tags:     []string{"maintainability"},
	Doc: `A chain without a ` + "`type … hook …`" + ` line is a regular chain: packets only reach it
when a rule sends them there with ` + "`jump`" + ` or ` + "`goto`" + `, directly or through a verdict map.
A regular chain nobody jumps to never sees a packet, so its rules do nothing. Often
the jump was lost when rules were reorganised, the jump names the chain with a typo
(nft then refuses the file, see NFT201), or the author meant the chain to be a base
chain and forgot its hook line.

This is advice, not an error: a chain may be kept empty on purpose, to be filled or
hooked up later by a script. Chains in the tables iptables-nft manages (` + "`ip filter`" + `,
` + "`ip6 nat`" + `, …) are not reported, since iptables rules added at run time (Docker's
` + "`DOCKER-USER`" + `, for example) jump into them. Rulesets read from the kernel (` + "`--live`" + `)
are not checked.

**Fix:** add the ` + "`jump`" + ` where the chain's rules should apply, give the chain a
` + "`type filter hook … priority …`" + ` line if it was meant to be a base chain, or remove it.`,
	Run: runUnreferencedChain,
}

func runUnreferencedChain(p *Pass) {
	rs := p.Ruleset
	if rs.Live {
		return
	}
	targets := chainTargets(p)
	for _, t := range rs.Tables {
		if isIptablesTable(t) {
			continue
		}
		for _, c := range t.Chains {
			if c.IsBase() || c.Anonymous || targets[t][c.Name] || hasPolicy(c) {
				continue // a policy on a regular chain is NFT204's (an error)
			}
			n := chainNode(c)
			if n == nil {
				continue
			}
			p.Report(Diagnostic{Range: p.Range(n), Message: fmt.Sprintf(
				"regular chain %q is never the target of a jump, goto or verdict map, so its rules never see a packet; add `jump %s` where they should apply, give it a hook if it was meant to be a base chain, or remove it",
				c.Name, c.Name)})
		}
	}
}

// chainTargets returns, per table, the names of the chains that rules
// (statements and verdict maps) and map elements jump or go to.
func chainTargets(p *Pass) map[*ruleset.Table]map[string]bool {
	rs := p.Ruleset
	out := make(map[*ruleset.Table]map[string]bool)
	names := func(t *ruleset.Table) map[string]bool {
		m := out[t]
		if m == nil {
			m = make(map[string]bool)
			out[t] = m
		}
		return m
	}
	// The closures are made once per table, not per rule: rules come
	// table by table.
	var (
		table  *ruleset.Table
		m      map[string]bool
		lookup = func(name string) *ruleset.Set { return table.Set(name) }
		add    = func(e chainEdge) { m[e.Target] = true }
	)
	for _, r := range p.allRules() {
		if !r.may(ruleset.KindJump | ruleset.KindVmap) {
			continue
		}
		if r.Table != table || m == nil {
			table, m = r.Table, names(r.Table)
		}
		for _, s := range r.Stmts {
			verdictTargets(s, lookup, add)
		}
	}
	// Verdict maps count even when no rule uses them yet (NFT403 reports
	// those): the chain is wired up, the map is what is unused.
	for _, t := range rs.Tables {
		m := names(t)
		for _, s := range t.Sets {
			if !s.IsMap {
				continue
			}
			for _, el := range s.Elements {
				if el.Value == nil {
					continue
				}
				verdictTargets(el.Value, nil, func(e chainEdge) { m[e.Target] = true })
			}
		}
	}
	return out
}

// hasPolicy reports whether a declaration of the chain writes a policy.
func hasPolicy(c *ruleset.Chain) bool {
	for _, d := range c.Decls {
		if d.Body == nil {
			continue
		}
		for _, it := range d.Body.Items {
			if pr, ok := it.(*parser.Property); ok && pr.Key == "policy" {
				return true
			}
		}
	}
	return false
}
