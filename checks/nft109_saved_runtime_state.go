package checks

import (
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/ruleset"
)

var nft109 = &Check{
	ID:       "NFT109",
	Name:     "saved-runtime-state",
	Title:    "the config contains tables or chains a container runtime creates itself",
	Severity: Warning,
	Runtimes: containerRuntimes,
	Tags:     []string{"container", "reload"},
	Run:      runNFT109,
	Doc: `A popular recipe saves the running ruleset with ` + "`nft list ruleset > /etc/nftables.conf`" + `
on a host where Docker (or Podman, libvirt, kube-proxy, LXD, firewalld) already runs. The
file then contains the runtime's objects — Docker's ` + "`DOCKER`, `DOCKER-FORWARD`, `DOCKER-CT`" + ` …
chains, ` + "`KUBE-*`, `NETAVARK*`, `LIBVIRT_*`, `cali-*`" + ` chains, or whole runtime tables
(` + "`docker-bridges`, `netavark`, `kube-proxy`, `libvirt_network`, `lxd`, `incus`, `firewalld`" + `).

Loading it re-creates those rules from a snapshot: with stale container addresses and
bridges, as *native* nft expressions (` + "`nft list`" + ` prints iptables' xt matches as ` + "`ct state`" + `,
` + "`fib`" + `, ` + "`dnat`" + `), which makes the iptables tables incompatible with iptables-nft (see
NFT106) and makes dockerd's checks fail, so it appends duplicate jumps on every start.
Reloading such a file while the runtime runs replaces its live rules with the stale ones
until the runtime restarts (verified with nft 1.0.6 / iptables-nft 1.8.9, facts §3.5).

It is a warning: dockerd still starts and rebuilds its own chains; the damage shows on
reloads, in duplicates and in every tool that parses ` + "`iptables-save`" + `.

nftlint looks for runtime tables anywhere, and for runtime chain names only inside the
iptables tables (` + "`ip`/`ip6` `filter`, `nat`, `mangle`, `raw`" + `), where a dump puts them; a
chain called ` + "`DOCKER`" + ` in a table of your own is left alone. With ` + "`--live`" + ` the rule is
off: the running ruleset is where the runtimes' objects belong.

**Fix:** delete the runtime's tables, chains and the rules that jump to them from the
config; keep only your own rules, in a table of your own. The runtimes create their
objects themselves when they start.

References: container-firewall-facts.md §3.5, §7 rule 9; docker/for-linux#1472, goll's
"Docker nftables configuration for Debian 10" gist.`,
}

// runtimeChainNames are the names runtimes give their chains in the
// iptables tables; a trailing '*' is a prefix.
var runtimeChainNames = []struct{ pattern, owner string }{
	{"DOCKER", "Docker"}, {"DOCKER-FORWARD", "Docker"}, {"DOCKER-CT", "Docker"},
	{"DOCKER-BRIDGE", "Docker"}, {"DOCKER-INTERNAL", "Docker"}, {"DOCKER-INGRESS", "Docker"},
	{"DOCKER-ISOLATION*", "Docker"},
	{"KUBE-*", "Kubernetes"}, {"NETAVARK*", "Podman (netavark)"}, {"LIBVIRT_*", "libvirt"},
	{"cali-*", "Calico"},
}

func runtimeChainOwner(name string) (string, bool) {
	for _, rc := range runtimeChainNames {
		if p, ok := strings.CutSuffix(rc.pattern, "*"); ok {
			if strings.HasPrefix(name, p) {
				return rc.owner, true
			}
		} else if name == rc.pattern {
			return rc.owner, true
		}
	}
	return "", false
}

func runNFT109(pass *Pass) {
	if pass.Ruleset.Live {
		return // the running ruleset is where the runtimes' objects belong
	}
	for _, t := range pass.Ruleset.Tables {
		if rt, ok := runtimeTableOf(t.Family, t.Name); ok {
			reportAt(pass, tableNode(t), Diagnostic{
				Message: fmt.Sprintf("table %s %s belongs to %s, which creates it itself: loading a saved copy restores stale rules and reloading it overwrites the live ones; remove the table from the config",
					tableFamily(t), t.Name, rt.owner),
			})
			continue
		}
		if !isIptablesTable(t) {
			continue
		}
		var found []*ruleset.Chain
		owner := ""
		for _, c := range t.Chains {
			if o, ok := runtimeChainOwner(c.Name); ok && !c.Anonymous {
				if owner == "" {
					owner = o
				}
				found = append(found, c)
			}
		}
		if len(found) == 0 {
			continue
		}
		var names []string
		for _, c := range found {
			names = append(names, c.Name)
		}
		if len(names) > 4 {
			names = append(names[:4], "…")
		}
		reportAt(pass, chainNode(found[0]), Diagnostic{
			Message: fmt.Sprintf("%s %s contains %s's own chains (%s), as in a saved `nft list ruleset`: reloading restores stale container rules as native nft, which iptables-nft cannot read and %s duplicates; remove the runtime chains and the rules jumping to them",
				tableFamily(t), t.Name, owner, strings.Join(names, ", "), owner),
		})
	}
}
