package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
)

// NFT302 reports input chains that drop by default but do not accept
// loopback traffic.
var nft302 = &Check{
	ID:       "NFT302",
	Name:     "input-drop-without-loopback",
	Title:    "an input chain with policy drop does not accept loopback traffic",
	Severity: Warning,
	Tags:     []string{"safety"},
	Doc: `Local services talk to each other over the loopback interface: databases on
127.0.0.1, DNS stubs (systemd-resolved on 127.0.0.53), the X server, container
runtimes' API proxies. With ` + "`policy drop`" + ` on input and no rule accepting ` + "`lo`" + `, new
connections over loopback are dropped and such services time out in confusing ways.

**Fix:** add ` + "`iif lo accept`" + ` (or ` + "`iifname \"lo\" accept`" + `) near the top of the chain.`,
	Run: runInputDropWithoutLoopback,
}

func loopbackPred(sel *parser.Selector, right parser.Expr) (relevant, selects bool) {
	switch {
	case pathIn(sel, "iif", "iifname", "meta iif", "meta iifname"):
		return true, containsWord(right, "lo")
	case pathIn(sel, "iiftype", "meta iiftype"):
		return true, containsWord(right, "loopback")
	}
	return false, false
}

func runInputDropWithoutLoopback(p *Pass) {
	for _, c := range dropPolicyChains(p.Ruleset, "input") {
		if acceptsTraffic(p, c, loopbackPred) {
			continue
		}
		if n := policyNode(c); n != nil {
			p.Report(Diagnostic{Range: p.Range(n), Message: fmt.Sprintf(
				"input chain %q drops by default but never accepts loopback traffic: local services talking to each other over %s time out; add `iif lo accept`",
				c.Name, loopbackAddrs(familyOf(c.Table)))})
		}
	}
}

// loopbackAddrs names the loopback addresses a table of family f sees.
func loopbackAddrs(f parser.Family) string {
	switch f {
	case parser.FamilyIP:
		return "127.0.0.1"
	case parser.FamilyIP6:
		return "::1"
	}
	return "127.0.0.1 and ::1"
}
