package checks

import (
	"fmt"
)

var nft111 = &Check{
	ID:       "NFT111",
	Name:     "iptables-forward-drop-vs-nft-runtimes",
	Title:    "the iptables FORWARD chain drops traffic of runtimes that do not use iptables",
	Severity: Warning,
	Runtimes: []Runtime{RuntimeDockerNftables, RuntimePodman, RuntimeLibvirt},
	Tags:     []string{"container", "forward"},
	Run:      runNFT111,
	Doc: `Docker's iptables backend inserts its accepts at the top of the iptables built-in
` + "`ip filter FORWARD`" + ` chain, so a drop policy there does not hurt Docker. Runtimes that
program nftables directly — Docker's nftables backend (` + "`ip docker-bridges`" + `), Podman's
netavark (` + "`inet netavark`" + `), libvirt (` + "`ip libvirt_network`" + `) — put their accepts in their
own tables, which cannot override a drop in ` + "`FORWARD`" + `: their containers and VMs lose
forwarding (Docker documents this for a ` + "`FORWARD`" + ` policy left at DROP).

nftlint evaluates ` + "`ip filter FORWARD`" + ` and ` + "`ip6 filter FORWARD`" + ` (built-in form) for those
runtimes' bridges as NFT101 does, and reports when traffic in a direction is certainly
dropped.

It is a warning: these runtimes are not the "current Docker" of the severity contract.

**Fix:** set the ` + "`FORWARD`" + ` policy to accept and add explicit drops, or accept the runtime's
bridges (the suggested fix inserts ` + "`iifname`/`oifname`" + ` accepts, which iptables-nft can
read, at the top of the chain).

References: container-firewall-facts.md §2.3, §2.4, §4.1 (scenario P), §5.1, §5.3;
Docker docs "Docker with nftables"; moby/moby#48365.`,
}

func runNFT111(pass *Pass) {
	for _, c := range forwardChains(pass.Ruleset) {
		if !isBuiltinForward(c) {
			continue
		}
		var broken []bridgeFlow
		for _, f := range chainFlows(pass, c, true) {
			if f.broken(egress) || f.broken(ingress) {
				broken = append(broken, f)
			}
		}
		if len(broken) == 0 {
			continue
		}
		var owners []string
		seen := make(map[string]bool)
		for _, f := range broken {
			if !seen[f.bridge.Profile.Description] {
				seen[f.bridge.Profile.Description] = true
				owners = append(owners, f.bridge.Profile.Description)
			}
		}
		d := Diagnostic{
			Message: fmt.Sprintf("iptables chain %s drops forwarded traffic of %s (bridges %s) by %s: their accepts live in their own nftables tables and cannot override this drop; accept the bridges here or use policy accept with explicit drops",
				chainLabel(c), quoteList(owners), quoteList(patterns(broken)), describeDrop(broken)),
			Related: dropRelated(pass, broken),
		}
		if fix, ok := acceptFix(pass, c, broken); ok {
			d.Fixes = []Fix{fix}
		}
		reportAt(pass, chainNode(c), d)
	}
}
