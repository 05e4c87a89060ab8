package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT304 reports rulesets that deny IPv4 input by default but leave IPv6
// input unfiltered, or the reverse.
var nft304 = &Check{
	ID:       "NFT304",
	Name:     "input-family-gap",
	Title:    "input is filtered for IPv4 but left open for IPv6, or the reverse",
	Severity: Warning,
	Tags:     []string{"safety", "ipv6"},
	Doc: `Tables of family ` + "`ip`" + ` only see IPv4 packets and tables of family ` + "`ip6`" + ` only IPv6
packets; only ` + "`inet`" + ` tables see both. A ruleset whose only input filter is an ` + "`ip`" + `
table with ` + "`policy drop`" + ` filters IPv4 and nothing else: Linux enables IPv6 on every
interface by default, hosts usually get global IPv6 addresses from router
advertisements, and every service listening on ` + "`::`" + ` (sshd, databases, admin
panels) is then reachable over IPv6 as if there were no firewall. The same holds
the other way round for an ` + "`ip6`" + `-only filter.

nftlint reports this when one family's input is denied by default (a base chain on
the input hook with ` + "`policy drop`" + `, or ending in an unconditional drop or reject) and
no table that sees the other family filters input at all (no drop policy and no drop
or reject anywhere). It stays silent when a netdev or bridge table could filter
both. If the other family is filtered in a file nftlint does not see, or IPv6 is
disabled on the host (` + "`net.ipv6.conf.all.disable_ipv6=1`" + `), suppress the finding.

**Fix:** move the rules to a table of family ` + "`inet`" + `, which filters IPv4 and IPv6 with
the same rules (the usual layout of ` + "`/etc/nftables.conf`" + `), or add an ` + "`ip6`" + ` table with
equivalent rules (including ICMPv6 neighbour discovery).`,
	Run: runInputFamilyGap,
}

func runInputFamilyGap(p *Pass) {
	rs := p.Ruleset
	for _, t := range rs.Tables {
		if f := familyOf(t); (f == parser.FamilyNetdev || f == parser.FamilyBridge) && hasBaseChain(t) {
			return // may filter both families before the ip/ip6 hooks
		}
	}
	for _, dir := range []struct {
		denied, open       parser.Family
		deniedName, gapped string
		note               string
	}{
		{parser.FamilyIP, parser.FamilyIP6, "IPv4", "IPv6", " (Linux enables IPv6 on every interface by default)"},
		{parser.FamilyIP6, parser.FamilyIP, "IPv6", "IPv4", ""},
	} {
		c, at := defaultDenyInput(rs, dir.denied)
		if c == nil || filtersAny(rs, dir.open) {
			continue
		}
		p.Report(Diagnostic{Range: p.Range(at), Message: fmt.Sprintf(
			"input is denied by default for %s here (chain %q of %s table %q) but no table filters %s input: every service listening on the host is reachable over %s unfiltered%s; use an inet table for both families, or add an %s table with the same rules",
			dir.deniedName, c.Name, familyOf(c.Table), c.Table.Name, dir.gapped, dir.gapped, dir.note, dir.open)})
	}
}

func hasBaseChain(t *ruleset.Table) bool {
	for _, c := range t.Chains {
		if c.IsBase() {
			return true
		}
	}
	return false
}

// defaultDenyInput returns the first filter chain on the input hook of a
// table of exactly family f (not inet) that drops by default: policy drop,
// or an unconditional drop or reject rule; and where to report it.
func defaultDenyInput(rs *ruleset.Ruleset, f parser.Family) (*ruleset.Chain, parser.Node) {
	for _, t := range rs.Tables {
		if familyOf(t) != f {
			continue
		}
		ct := newChainTable(t)
		for _, c := range t.Chains {
			if !c.IsBase() || c.Base.Hook != ruleset.HookInput || c.Base.Type != "filter" {
				continue
			}
			if c.Base.Policy == "drop" {
				if n := policyNode(c); n != nil {
					return c, n
				}
			}
			for _, r := range c.Rules {
				if endsChain(ct, r.Stmts) == endVerdict && !endsInAccept(r.Stmts) {
					if n := ruleNode(r); n != nil {
						return c, n
					}
				}
			}
		}
	}
	return nil, nil
}

func endsInAccept(stmts []parser.Stmt) bool {
	if len(stmts) == 0 {
		return false
	}
	v, ok := stmts[len(stmts)-1].(*parser.VerdictStmt)
	return ok && v.Kind == "accept"
}

// filtersAny reports whether some table that sees packets of family pf
// filters them at all: a base chain with policy drop, or a drop or reject
// anywhere in its rules.
func filtersAny(rs *ruleset.Ruleset, pf parser.Family) bool {
	for _, t := range rs.Tables {
		if !ruleset.SeesFamily(t.Family, pf) {
			continue
		}
		for _, c := range t.Chains {
			if c.IsBase() && c.Base.Policy == "drop" {
				return true
			}
		}
	}
	found := false
	eachRule(rs, func(r ruleRef) {
		if found || !ruleset.SeesFamily(r.Table.Family, pf) {
			return
		}
		for _, s := range r.Stmts {
			inspect(s, func(n parser.Node, _ *parser.VarRef) bool {
				switch x := n.(type) {
				case *parser.RejectStmt:
					found = true
				case *parser.VerdictStmt:
					found = found || x.Kind == "drop"
				case *parser.Verdict:
					found = found || x.Kind == "drop"
				case *parser.VmapStmt:
					if _, named := setRefName(x.Map); named {
						found = true // a named verdict map may drop
					}
				}
				return !found
			})
		}
	})
	return found
}
