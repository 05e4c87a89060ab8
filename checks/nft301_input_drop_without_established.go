package checks

import "fmt"

// NFT301 reports input chains that drop by default but never accept
// established connections.
var nft301 = &Check{
	ID:       "NFT301",
	Name:     "input-drop-without-established",
	Title:    "an input chain with policy drop does not accept established connections",
	Severity: Warning,
	Tags:     []string{"safety"},
	Doc: `With ` + "`policy drop`" + ` on the input hook, every packet the host receives is dropped
unless a rule accepts it. The answers to the host's own outgoing connections (DNS
replies, package downloads, NTP, the return traffic of an SSH session the host
opened) are incoming packets too: without a ` + "`ct state established,related accept`" + `
rule they are all dropped, and the host can no longer talk to anything.

**Fix:** add ` + "`ct state established,related accept`" + ` near the top of the chain (and
` + "`ct state invalid drop`" + ` if you like).`,
	Run: runInputDropWithoutEstablished,
}

func runInputDropWithoutEstablished(p *Pass) {
	for _, c := range dropPolicyChains(p.Ruleset, "input") {
		if acceptsTraffic(p, c, establishedPred) {
			continue
		}
		if n := policyNode(c); n != nil {
			p.Report(Diagnostic{Range: p.Range(n), Message: fmt.Sprintf(
				"input chain %q drops by default but never accepts established connections: replies to the host's own connections (DNS, updates, NTP) are dropped; add `ct state established,related accept`",
				c.Name)})
		}
	}
}
