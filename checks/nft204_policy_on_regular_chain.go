package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
)

// NFT204 reports `policy` on a chain without a hook.
var nft204 = &Check{
	ID:       "NFT204",
	Name:     "policy-on-regular-chain",
	Title:    "a regular chain (without type/hook) has a policy",
	Severity: Error,
	Tags:     []string{"load", "correctness"},
	Doc: `Only base chains, the ones attached to a hook with ` + "`type … hook … priority …`" + `,
have a policy: it is what happens to a packet that falls off the end of the chain.
A regular chain is entered by ` + "`jump`" + `/` + "`goto`" + ` and simply returns to its caller.

**What breaks:** the kernel refuses ` + "`policy`" + ` on a regular chain with "Could not
process rule: Operation not supported", so ` + "`nft -f`" + ` loads nothing. Usually the
` + "`type … hook …`" + ` line was forgotten or the chain was meant to end in a verdict.

**Fix:** add the missing ` + "`type filter hook … priority …;`" + ` line, or replace the
policy by a final rule (` + "`drop`" + `) in the regular chain.`,
	Run: runPolicyOnRegularChain,
}

func runPolicyOnRegularChain(p *Pass) {
	for _, t := range p.Ruleset.Tables {
		for _, c := range t.Chains {
			if c.IsBase() || c.Anonymous {
				continue
			}
			for _, d := range c.Decls {
				if d == nil || d.Body == nil {
					continue
				}
				for _, item := range d.Body.Items {
					prop, ok := item.(*parser.Property)
					if !ok || prop.Key != "policy" {
						continue
					}
					p.Report(Diagnostic{Range: p.Range(prop), Message: fmt.Sprintf(
						"chain %q has no type/hook line, so it cannot have a policy: the kernel refuses it (\"Operation not supported\"); add `type filter hook … priority …;` or end the chain with a verdict rule",
						c.Name)})
				}
			}
		}
	}
}
