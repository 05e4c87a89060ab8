package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
)

var nft110 = &Check{
	ID:       "NFT110",
	Name:     "ipv6-forward-gap",
	Title:    "a forward chain drops IPv6 container traffic that IPv4 lets through",
	Severity: Warning,
	Runtimes: containerRuntimes,
	Tags:     []string{"container", "forward", "ipv6"},
	Run:      runNFT110,
	Doc: `Container accepts are often written for one family only: in an ` + "`ip`" + ` table, or in an
` + "`inet`" + ` chain behind ` + "`meta nfproto ipv4`" + ` — while an ` + "`ip6`" + ` or ` + "`inet`" + ` forward chain with a
drop policy also sees IPv6. IPv6 container traffic is then dropped although IPv4 works.

nftlint evaluates every forward chain that sees IPv6 (` + "`ip6`" + ` and ` + "`inet`" + ` tables) for IPv6
packets from and to the container bridges, exactly as NFT101 does for IPv4, and reports
the chain when a direction is certainly dropped for IPv6 but not for IPv4 (in an ` + "`ip6`" + `
table: always, since the IPv4 side is another chain).

It is a warning: IPv6 container traffic exists only when IPv6 is enabled for the
container networks (` + "`ipv6: true`" + ` / ` + "`docker network create --ipv6`" + `); ip6tables is on by
default since Docker 27, so dockerd itself is ready for it.

**Fix:** write the container accepts for both families — in an ` + "`inet`" + ` table without an
IPv4-only condition, or in both the ` + "`ip`" + ` and the ` + "`ip6`" + ` table (the suggested fix inserts
them at the top of the chain).

References: container-firewall-facts.md §1.7, §7 rule 14; moby/moby#48365, moby/moby#48392.`,
}

func runNFT110(pass *Pass) {
	for _, c := range forwardChains(pass.Ruleset) {
		flows := chainFlows(pass, c, false)
		v4 := make(map[string][2]bool)
		for _, f := range flows {
			if f.family == parser.FamilyIP {
				v4[f.bridge.Pattern] = [2]bool{f.broken(egress), f.broken(ingress)}
			}
		}
		var gap []bridgeFlow
		for _, f := range flows {
			if f.family != parser.FamilyIP6 {
				continue
			}
			b4, sameChain := v4[f.bridge.Pattern]
			if (f.broken(egress) && !(sameChain && b4[egress])) || (f.broken(ingress) && !(sameChain && b4[ingress])) {
				gap = append(gap, f)
			}
		}
		if len(gap) == 0 {
			continue
		}
		what := "IPv6 traffic from and to"
		if !anyBroken(gap, egress) {
			what = "new IPv6 connections to"
		} else if !anyBroken(gap, ingress) {
			what = "IPv6 traffic from"
		}
		d := Diagnostic{
			Message: fmt.Sprintf("forward chain %s drops %s the container bridges %s by %s, while their IPv4 traffic is accepted: IPv6-enabled container networks lose connectivity; accept the bridges for both families",
				chainLabel(c), what, quoteList(patterns(gap)), describeDrop(gap)),
			Related: dropRelated(pass, gap),
		}
		if fix, ok := acceptFix(pass, c, gap); ok {
			d.Fixes = []Fix{fix}
		}
		reportAt(pass, chainNode(c), d)
	}
}

func anyBroken(flows []bridgeFlow, d direction) bool {
	for _, f := range flows {
		if f.broken(d) {
			return true
		}
	}
	return false
}
