package checks

import (
	"fmt"
	"slices"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT215 reports NAT statements the kernel refuses where a base chain
// runs them: outside chains of type nat, or at a hook where that kind of
// NAT is not done.
var nft215 = &Check{
	ID:       "NFT215",
	Name:     "nat-outside-nat-hook",
	Title:    "a NAT statement runs in a chain that is not of type nat, or at a hook that kind of NAT cannot use",
	Severity: Error,
	Tags:     []string{"load", "correctness", "nat"},
	Doc: `The kernel runs ` + "`snat`" + `, ` + "`dnat`" + `, ` + "`masquerade`" + ` and ` + "`redirect`" + ` only in chains of type nat, and
each only at some hooks: ` + "`dnat`" + ` and ` + "`redirect`" + ` at prerouting and output, ` + "`snat`" + ` at
postrouting and input, ` + "`masquerade`" + ` at postrouting. A NAT statement in a filter chain
(` + "`type filter hook forward`" + `), or in a nat chain at another hook (` + "`snat`" + ` at prerouting), is
refused when the ruleset is loaded ("Could not process rule: Operation not supported"),
also when it sits in a regular chain that such a base chain jumps to. ` + "`nft -c`" + ` does not
see it: only the kernel checks the hook, when the rules are committed.
**What breaks:** the whole file is refused at load time.
**Fix:** move the rule to a chain of type nat at a hook where that NAT works, e.g.
` + "`type nat hook prerouting priority dstnat`" + ` for ` + "`dnat`" + `, ` + "`type nat hook postrouting priority srcnat`" + `
for ` + "`snat`" + ` and ` + "`masquerade`" + `.`,
	Run: runNatOutsideNatHook,
}

// natHooks are the hooks at which the kernel does each kind of NAT
// (nft_nat_validate, nft_masq_validate, nft_redir_validate).
var natHooks = map[string][]ruleset.Hook{
	"snat":       {"postrouting", "input"},
	"dnat":       {"prerouting", "output"},
	"masquerade": {"postrouting"},
	"redirect":   {"prerouting", "output"},
}

func runNatOutsideNatHook(p *Pass) {
	reported := map[*parser.NatStmt]bool{}
	eachStmtOfBaseChains(p, ruleset.KindNat, nil, func(base *ruleset.Chain, s parser.Stmt) {
		x, ok := s.(*parser.NatStmt)
		if !ok || x == nil || reported[x] {
			return
		}
		if msg := natHookProblem(x, base); msg != "" {
			reported[x] = true
			p.Report(Diagnostic{Range: p.Range(x), Message: msg})
		}
	})
}

// natHookProblem returns why the kernel refuses x when base chain base
// runs it (in its own rules or in a chain it jumps to), or "".
func natHookProblem(x *parser.NatStmt, base *ruleset.Chain) string {
	hooks, ok := natHooks[x.Kind]
	if !ok {
		return ""
	}
	b := base.Base
	if b.Type == "nat" && slices.Contains(hooks, b.Hook) {
		return ""
	}
	allowed := hookList(hooks)
	if b.Type != "nat" {
		return fmt.Sprintf("%s, run by base chain %q (type %s hook %s), is outside a chain of type nat: the kernel refuses it (\"Operation not supported\") and nft loads nothing; move the rule to a chain of type nat at hook %s",
			x.Kind, base.Name, b.Type, b.Hook, allowed)
	}
	return fmt.Sprintf("%s, run by nat chain %q at hook %s, is at a hook where the kernel does no %s: it refuses the rule (\"Operation not supported\") and nft loads nothing; move it to a nat chain at hook %s",
		x.Kind, base.Name, b.Hook, x.Kind, allowed)
}
