package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

var nft112 = &Check{
	ID:       "NFT112",
	Name:     "missing-nat-chain",
	Title:    "nat chains exist on only one of prerouting and postrouting (matters before Linux 4.18)",
	Severity: Info,
	Runtimes: containerRuntimes,
	Tags:     []string{"container", "nat", "kernel"},
	Run:      runNFT112,
	Doc: `Before Linux 4.18, nftables NAT needed a nat chain registered on **both** the
prerouting and the postrouting hook of a family — an empty one is enough — and nftables
NAT could not coexist with iptables NAT (which Docker's iptables backend uses). Since
4.18 neither restriction exists, and Docker creates its own nat chains whatever the
config contains: "missing nat chains" is not a Docker failure mode on current kernels.

nftlint reports, as info, a family (IPv4 or IPv6) whose nat chains sit on only one of the
two hooks, so that configs meant for old kernels (CentOS 7: 3.10, Ubuntu 18.04 GA: 4.15)
can add the empty counterpart.

**Fix:** on kernels older than 4.18, add the missing empty chain, e.g.
` + "`chain prerouting { type nat hook prerouting priority dstnat; }`" + `; on newer kernels,
nothing to do (suppress or disable NFT112).

References: container-firewall-facts.md §0 finding 3, §4.5; nftables wiki "Performing
Network Address Translation (NAT)" and "List of updates since Linux kernel 3.13".`,
}

func runNFT112(pass *Pass) {
	reported := make(map[*ruleset.Chain]bool)
	for _, fam := range []ruleset.Family{parser.FamilyIP, parser.FamilyIP6} {
		var pre, post []*ruleset.Chain
		for _, h := range []ruleset.Hook{ruleset.HookPrerouting, ruleset.HookPostrouting} {
			for _, c := range pass.Ruleset.HookChains(h, fam) {
				if c.Base.Type != "nat" {
					continue
				}
				if h == ruleset.HookPrerouting {
					pre = append(pre, c)
				} else {
					post = append(post, c)
				}
			}
		}
		var have []*ruleset.Chain
		missing := ""
		switch {
		case len(pre) > 0 && len(post) == 0:
			have, missing = pre, "postrouting"
		case len(post) > 0 && len(pre) == 0:
			have, missing = post, "prerouting"
		default:
			continue
		}
		c := have[0]
		if reported[c] {
			continue
		}
		reported[c] = true
		fname := "IPv4"
		if fam == parser.FamilyIP6 {
			fname = "IPv6"
		}
		reportAt(pass, chainNode(c), Diagnostic{
			Message: fmt.Sprintf("nat chain %s has no %s nat counterpart for %s: kernels before 4.18 need nat chains on both hooks for nftables NAT to work (an empty chain is enough); newer kernels do not",
				chainLabel(c), missing, fname),
		})
	}
}
