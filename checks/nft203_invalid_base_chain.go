package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT203 reports base-chain specifications nft or the kernel refuses:
// chain type, hook, family, priority name and device combinations.
var nft203 = &Check{
	ID:       "NFT203",
	Name:     "invalid-base-chain",
	Title:    "a base chain combines type, hook, family, priority or device in a way nft refuses",
	Severity: Error,
	Tags:     []string{"load", "correctness"},
	Doc: `Not every ` + "`type … hook … priority …`" + ` combination exists. nft (or the kernel, for
` + "`nft -f`" + ` and ` + "`nft -c`" + ` alike) rejects the whole file when a base chain uses:

| construct | rule |
|---|---|
| hook | ip, ip6, bridge: prerouting input forward output postrouting; inet: the same plus ingress; arp: input output; netdev: ingress egress |
| ` + "`type nat`" + ` | ip, ip6, inet only; hooks prerouting, input, output, postrouting (never forward); priority above -200 |
| ` + "`type route`" + ` | ip, ip6, inet, hook output only |
| priority names | ip/ip6/inet: raw mangle filter security, ` + "`dstnat`" + ` on prerouting (and output since nft 1.0.8), ` + "`srcnat`" + ` on postrouting (and input since 1.0.8); arp, netdev: filter only; bridge: dstnat (prerouting), filter, out (output), srcnat (postrouting) |
| ` + "`device`" + ` | only netdev chains and inet ingress chains; they need one before nft 1.0.8 |

Verified with nft 1.0.6: "The arp family does not support this hook", "invalid
priority expression value in this context", "Could not process rule: Operation
not supported", "This chain type cannot be bound to device", "Missing ` + "`device'" + `
in this chain definition".

**What breaks:** nothing in the file is loaded; a boot-time firewall stays empty.

**Fix:** use a hook the family has, a numeric priority (` + "`priority 100`" + ` where
` + "`srcnat`" + ` is refused), ` + "`type filter`" + ` where nat/route cannot be used, and a device
only where one is allowed.`,
	Run: runInvalidBaseChain,
}

var familyHooks = map[parser.Family][]string{
	parser.FamilyIP:     {"prerouting", "input", "forward", "output", "postrouting"},
	parser.FamilyIP6:    {"prerouting", "input", "forward", "output", "postrouting"},
	parser.FamilyInet:   {"prerouting", "input", "forward", "output", "postrouting", "ingress"},
	parser.FamilyBridge: {"prerouting", "input", "forward", "output", "postrouting"},
	parser.FamilyARP:    {"input", "output"},
	parser.FamilyNetdev: {"ingress", "egress"},
}

// nftDstnatOutput is the release that allows dstnat on output and srcnat
// on input (nftables commit "rule: allow dstnat/srcnat priorities in
// output/input", bugzilla 1694).
var nftDstnatOutput = nftVersion{1, 0, 8}

// nftNetdevNoDevice is the release that allows netdev chains without a
// device (with the chain `devices` item).
var nftNetdevNoDevice = nftVersion{1, 0, 8}

// priorityNameProblem explains why a named priority is refused for the
// family and hook, or returns "".
func priorityNameProblem(o *Options, fam parser.Family, hook, name string) string {
	if fam == parser.FamilyBridge {
		switch name {
		case "filter":
			return ""
		case "dstnat":
			if hook == "prerouting" {
				return ""
			}
			return "the bridge priority dstnat exists only on the prerouting hook"
		case "out":
			if hook == "output" {
				return ""
			}
			return "the bridge priority out exists only on the output hook"
		case "srcnat":
			if hook == "postrouting" {
				return ""
			}
			return "the bridge priority srcnat exists only on the postrouting hook"
		case "raw", "mangle", "security":
			return fmt.Sprintf("the bridge family has no priority %s (it knows dstnat, filter, out, srcnat)", name)
		}
		return fmt.Sprintf("%q is not a priority name of the bridge family", name)
	}
	switch name {
	case "filter":
		return ""
	case "raw", "mangle", "security":
		if fam == parser.FamilyARP || fam == parser.FamilyNetdev {
			return fmt.Sprintf("the %s family has only the priority name filter", fam)
		}
		return ""
	case "dstnat", "srcnat":
		if fam == parser.FamilyARP || fam == parser.FamilyNetdev {
			return fmt.Sprintf("the %s family has only the priority name filter", fam)
		}
		main, extra := "prerouting", "output"
		if name == "srcnat" {
			main, extra = "postrouting", "input"
		}
		if hook == main {
			return ""
		}
		if hook == extra {
			if nftSupports(o, nftDstnatOutput) {
				return ""
			}
			return fmt.Sprintf("nft %s accepts priority %s only on the %s hook (%s is allowed since nft %s)",
				targetNft(o), name, main, extra, nftDstnatOutput)
		}
		return fmt.Sprintf("priority %s exists only on the %s and %s hooks", name, main, extra)
	case "out":
		return "the priority name out exists only in the bridge family"
	}
	return fmt.Sprintf("%q is not a standard priority name (raw, mangle, dstnat, filter, security, srcnat)", name)
}

func runInvalidBaseChain(p *Pass) {
	for _, t := range p.Ruleset.Tables {
		fam := familyOf(t)
		for _, c := range t.Chains {
			if c.IsBase() {
				checkBaseSpec(p, fam, c)
			}
		}
	}
}

func checkBaseSpec(p *Pass, fam parser.Family, c *ruleset.Chain) {
	b := c.Base
	prop := b.Prop
	at := func(n parser.Node) parser.Node {
		if !parser.IsNilNode(n) {
			return n
		}
		if prop != nil {
			return prop
		}
		if len(c.Decls) > 0 {
			return c.Decls[0]
		}
		return nil
	}
	var typeNode, hookNode, prioNode, devNode parser.Node
	if prop != nil {
		if prop.ChainType != nil {
			typeNode = prop.ChainType
		}
		if prop.Hook != nil {
			hookNode = prop.Hook
		}
		prioNode = prop.Priority
		devNode = prop.Device
	}
	report := func(n parser.Node, format string, args ...any) {
		node := at(n)
		if node == nil {
			return
		}
		p.Report(Diagnostic{Range: p.Range(node), Message: fmt.Sprintf(format, args...)})
	}
	hook := strings.ToLower(string(b.Hook))
	hooks := familyHooks[fam]
	if hooks != nil && !slices.Contains(hooks, hook) {
		report(hookNode, "the %s family has no %s hook (it has %s): nft refuses the chain and the whole file",
			fam, hook, strings.Join(hooks, ", "))
		return
	}
	switch b.Type {
	case "filter":
	case "nat":
		switch {
		case fam != parser.FamilyIP && fam != parser.FamilyIP6 && fam != parser.FamilyInet:
			report(typeNode, "the %s family has no nat chain type: the kernel refuses the chain; use an ip, ip6 or inet table for NAT", fam)
			return
		case !slices.Contains(chainTypeHooks["nat"], ruleset.Hook(hook)):
			report(hookNode, "nat chains cannot use the %s hook (only prerouting, input, output, postrouting): the kernel refuses the chain (\"Operation not supported\")", hook)
			return
		}
	case "route":
		if fam != parser.FamilyIP && fam != parser.FamilyIP6 && fam != parser.FamilyInet {
			report(typeNode, "the %s family has no route chain type: the kernel refuses the chain; use type filter", fam)
			return
		}
		if !slices.Contains(chainTypeHooks["route"], ruleset.Hook(hook)) {
			report(hookNode, "route chains exist only on the output hook: the kernel refuses the chain (\"Operation not supported\"); use type filter on %s", hook)
			return
		}
	default:
		report(typeNode, "unknown chain type %q (filter, nat or route): nft refuses the file", b.Type)
		return
	}

	if b.PrioName != "" {
		if msg := priorityNameProblem(p.Options, fam, hook, b.PrioName); msg != "" {
			report(prioNode, "%s: nft refuses the file (\"invalid priority expression value in this context\"); write the number instead", msg)
			return
		}
	}
	if b.Type == "nat" && b.PrioOK && b.Priority <= -200 {
		report(prioNode, "nat chains need a priority above -200 (this one is %d): the kernel refuses the chain (\"Operation not supported\"); use dstnat (-100) or srcnat (100)", b.Priority)
	}

	needsDevice := fam == parser.FamilyNetdev || fam == parser.FamilyInet && hook == "ingress"
	if !needsDevice && len(b.Devices) > 0 {
		report(devNode, "only netdev chains and inet ingress chains can be bound to a device: nft refuses this %s %s chain (\"This chain type cannot be bound to device\"); match iifname in a rule instead", fam, hook)
	}
	if needsDevice && len(b.Devices) == 0 && devNode == nil && !nftSupports(p.Options, nftNetdevNoDevice) {
		report(hookNode, "a %s %s chain needs `device NAME` (or `devices = { … }`) in nft %s: nft refuses the file (\"Missing `device' in this chain definition\")", fam, hook, targetNft(p.Options))
	}
}
