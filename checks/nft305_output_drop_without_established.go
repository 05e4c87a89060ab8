package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
)

// NFT305 reports output chains that drop by default but never accept
// established connections.
var nft305 = &Check{
	ID:       "NFT305",
	Name:     "output-drop-without-established",
	Title:    "an output chain with policy drop does not accept established connections",
	Severity: Warning,
	Tags:     []string{"safety"},
	Doc: `With ` + "`policy drop`" + ` on the output hook, every packet the host sends is dropped
unless a rule accepts it. That includes the host's answers to connections other
machines opened: the SSH session you are typing in, the web pages your server
returns, DNS answers from a local resolver. They belong to established connections;
without a ` + "`ct state established,related accept`" + ` rule in the output chain, each
service only works if its source port is accepted explicitly, and every service
you forgot stops answering (clients see timeouts, not refusals). Loading such a
ruleset over SSH freezes the session at once.

nftlint stays silent when a rule the chain reaches accepts established traffic
(also through ` + "`ct state vmap`" + `), or accepts whole hosts, networks or interfaces
other than loopback (their replies pass too).

**Fix:** add ` + "`ct state established,related accept`" + ` near the top of the output chain,
then accept the new outgoing connections the host should make (DNS, NTP, package
mirrors).`,
	Run: runOutputDropWithoutEstablished,
}

func runOutputDropWithoutEstablished(p *Pass) {
	for _, c := range dropPolicyChains(p.Ruleset, "output") {
		switch familyOf(c.Table) {
		case parser.FamilyIP, parser.FamilyIP6, parser.FamilyInet:
		default:
			continue // arp and bridge output chains see no IP conntrack state
		}
		if acceptsTraffic(p, c, establishedPred) {
			continue
		}
		broad := false
		eachReachableRule(p, c, func(stmts []parser.Stmt) bool {
			broad = broadAccept(stmts)
			return !broad
		})
		if broad {
			continue // replies to those hosts or interfaces pass anyway
		}
		if n := policyNode(c); n != nil {
			p.Report(Diagnostic{Range: p.Range(n), Message: fmt.Sprintf(
				"output chain %q drops by default but never accepts established connections: the host's replies to incoming connections (SSH sessions, served requests) are dropped unless each is accepted by port; add `ct state established,related accept`",
				c.Name)})
		}
	}
}

// broadAccept reports whether a rule accepts whole hosts, networks or
// interfaces (other than loopback) whatever the connection state or
// port, so that replies to them pass too.
func broadAccept(stmts []parser.Stmt) bool {
	if !endsInAccept(stmts) {
		return false
	}
	for _, s := range stmts[:len(stmts)-1] {
		switch s := s.(type) {
		case *parser.MatchStmt:
			sel, ok := unparenExpr(s.Left).(*parser.Selector)
			if !ok {
				return false
			}
			switch path := sel.Path(); path {
			case "iif", "iifname", "meta iif", "meta iifname", "oif", "oifname", "meta oif", "meta oifname":
				if s.Op == parser.OpNe || containsWord(s.Right, "lo") {
					return false
				}
			case "ip saddr", "ip daddr", "ip6 saddr", "ip6 daddr", "meta nfproto", "meta protocol":
			default:
				return false
			}
		case *parser.KeywordStmt:
			if !passiveKeyword(s) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func unparenExpr(x parser.Expr) parser.Expr {
	for i := 0; i < 64; i++ {
		p, ok := x.(*parser.Paren)
		if !ok {
			return x
		}
		x = p.X
	}
	return x
}
