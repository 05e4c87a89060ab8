package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
)

var nft102 = &Check{
	ID:       "NFT102",
	Name:     "forward-accept-one-direction",
	Title:    "a forward chain accepts container traffic in one direction only",
	Severity: Error,
	Runtimes: containerRuntimes,
	Tags:     []string{"container", "forward"},
	Run:      runNFT102,
	Doc: `A forward chain that drops by default but accepts only ` + "`iifname \"docker0\"`" + ` (plus
established traffic) lets containers connect out, while every new connection *to* a
container is dropped — including connections to published ports (` + "`docker run -p`" + `),
which Docker DNATs to the container and therefore forwards. The opposite mistake
(accepting only ` + "`oifname`" + `) cuts the containers' outbound traffic. Docker's accepts in
its own chains cannot help: a drop in any forward chain is final.

nftlint evaluates the chain as NFT101 does and reports bridges for which exactly one
direction — new connections from the containers, or new connections to them, with their
replies — is certainly dropped by a catch-all drop.

**Severity:** error for IPv4 traffic of current Docker's bridges (28+, iptables backend):
published ports (or outbound traffic) do not work, which the severity contract counts as
container traffic dropped (the claim the kernel test proves: outside → published port
fails while container → outside works; facts §4.1 scenario I). If the chain blocks
inbound container traffic on purpose, suppress the finding with a reason. Warning for
other runtimes' bridges.

**Fix:** accept the missing direction (the suggested fix inserts it at the top of the
chain): ` + "`oifname \"docker0\" accept`" + ` for published ports — Docker's own chains still drop
connections to ports that are not published — or ` + "`iifname \"docker0\" accept`" + ` for outbound
traffic; plus ` + "`ct state established,related accept`" + ` when replies are dropped.

References: container-firewall-facts.md §4.1 (scenario I), §7 rule 3; Docker docs
"Packet filtering and firewalls".`,
}

func runNFT102(pass *Pass) {
	for _, c := range forwardChains(pass.Ruleset) {
		var inOnly, outOnly []bridgeFlow
		for _, f := range chainFlows(pass, c, false) {
			if f.family != parser.FamilyIP || f.broken(egress) == f.broken(ingress) {
				continue
			}
			if f.broken(ingress) {
				inOnly = append(inOnly, f)
			} else {
				outOnly = append(outOnly, f)
			}
		}
		if len(inOnly) > 0 {
			d := Diagnostic{
				Severity: severityFor(inOnly),
				Message: fmt.Sprintf("forward chain %s lets traffic from the container bridges %s through but drops every new connection to them by %s: published container ports are unreachable; accept oifname of the bridges too (Docker still drops unpublished ports)",
					chainLabel(c), quoteList(patterns(inOnly)), describeDrop(inOnly)),
				Related: dropRelated(pass, inOnly),
			}
			if fix, ok := acceptFix(pass, c, inOnly); ok {
				d.Fixes = []Fix{fix}
			}
			reportAt(pass, chainNode(c), d)
		}
		if len(outOnly) > 0 {
			d := Diagnostic{
				Severity: severityFor(outOnly),
				Message: fmt.Sprintf("forward chain %s lets traffic to the container bridges %s through but drops all traffic from them by %s: containers cannot reach other networks; accept iifname of the bridges too",
					chainLabel(c), quoteList(patterns(outOnly)), describeDrop(outOnly)),
				Related: dropRelated(pass, outOnly),
			}
			if fix, ok := acceptFix(pass, c, outOnly); ok {
				d.Fixes = []Fix{fix}
			}
			reportAt(pass, chainNode(c), d)
		}
	}
}
