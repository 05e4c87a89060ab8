package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

var nft101 = &Check{
	ID:       "NFT101",
	Name:     "forward-drop-without-container-accept",
	Title:    "a forward chain drops all traffic from and to container bridges",
	Severity: Error,
	Runtimes: containerRuntimes,
	Tags:     []string{"container", "forward"},
	Run:      runNFT101,
	Doc: `Every base chain on the forward hook — in any table and any family that sees the
packet — runs for every forwarded packet, in priority order. An ` + "`accept`" + ` ends only its
own chain; a ` + "`drop`" + ` (rule, ` + "`reject`" + ` or policy) ends everything. So Docker's accepts in its
own chains cannot save a packet your chain drops: a forward chain with policy drop must
itself accept container traffic, in both directions.

nftlint follows each forward chain for packets from and to every container bridge
(` + "`docker0`" + `, ` + "`br-*`" + ` for Docker; ` + "`--runtime`" + ` and ` + "`--container-iface`" + ` change the list) —
through ` + "`jump`" + `, ` + "`goto`" + `, anonymous chains, verdict maps, anonymous and named sets and
` + "`$defines`" + ` — and reports the chain only when **every** such packet is dropped: new
connections from the containers and to their published ports. A match it cannot decide
(` + "`ip saddr 10.0.0.0/8`" + `, a mark, a rate limit) counts as "may accept", so a finding is
certain. A drop that names the bridge (` + "`iifname \"docker0\" drop`" + `) is taken as intended
and not reported.

Chains the runtime owns are skipped: with Docker's iptables backend, ` + "`ip filter FORWARD`" + `
and ` + "`ip6 filter FORWARD`" + ` in their built-in form are Docker's own chain (dockerd inserts
its ` + "`DOCKER-USER`" + ` and ` + "`DOCKER-FORWARD`" + ` jumps at their top), so a drop policy there is
fine. A lower-case ` + "`forward`" + ` chain in ` + "`ip filter`" + ` is not Docker's chain (see NFT104).

` + "`inet`" + ` tables are not a problem in themselves — iptables-nft never reads them, and an
` + "`inet`" + ` table that accepts container traffic works with every runtime. nftlint therefore
does not flag a table for its family or chain names; it flags what the chains do to
container packets.

**Severity:** error for IPv4 traffic of current Docker's bridges (28+, iptables backend):
containers lose outbound connectivity and published ports (the claim the kernel test
proves: with the flagged chain loaded, a TCP connection from a container to the outside
and from the outside to a published port both fail). Warning for the other runtimes'
bridges. IPv6-only drops are NFT110.

**Fix:** accept established traffic and the bridges in both directions before the drop
(the suggested fix inserts these at the top of the chain):

    ct state established,related accept
    iifname "docker0" accept
    iifname "br-*" accept
    oifname "docker0" accept
    oifname "br-*" accept

Docker's own rules still drop connections to unpublished container ports. To restrict
what containers may do, add drops *before* these accepts, or (Docker's nftables backend)
mark accepted packets and use ` + "`--bridge-accept-fwmark`" + `.

References: container-firewall-facts.md §4.1 (scenarios A, B, C), §6 #3; nft(8) "OVERALL
EVALUATION OF THE RULESET"; Docker docs "Docker with nftables"; oniGino/docker-nftables-scripts#1.`,
}

func runNFT101(pass *Pass) {
	for _, c := range forwardChains(pass.Ruleset) {
		var both []bridgeFlow
		for _, f := range chainFlows(pass, c, false) {
			if f.family == parser.FamilyIP && f.broken(egress) && f.broken(ingress) {
				both = append(both, f)
			}
		}
		if len(both) == 0 {
			continue
		}
		reportForwardDrop(pass, c, both)
	}
}

func reportForwardDrop(pass *Pass, c *ruleset.Chain, flows []bridgeFlow) {
	d := Diagnostic{
		Severity: severityFor(flows),
		Message: fmt.Sprintf("forward chain %s drops all traffic from and to the container bridges %s by %s: accepts in the runtime's own chains cannot override a drop here, so containers lose outbound connectivity and published ports; accept ct state established,related and iifname/oifname of the bridges before the drop",
			chainLabel(c), quoteList(patterns(flows)), describeDrop(flows)),
		Related: dropRelated(pass, flows),
	}
	if fix, ok := acceptFix(pass, c, flows); ok {
		d.Fixes = []Fix{fix}
	}
	reportAt(pass, chainNode(c), d)
}
