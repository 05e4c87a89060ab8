package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT216 reports reject, tproxy and synproxy statements run at a hook
// where the kernel refuses them.
var nft216 = &Check{
	ID:       "NFT216",
	Name:     "statement-outside-its-hooks",
	Title:    "reject, tproxy or synproxy runs at a hook where the kernel refuses it",
	Severity: Error,
	Tags:     []string{"load", "correctness"},
	Doc: `The kernel allows some statements only at some hooks: ` + "`reject`" + ` at prerouting, input,
forward and output (not postrouting, where the packet is already routed out);
` + "`tproxy`" + ` at prerouting only; ` + "`synproxy`" + ` at input and forward. Elsewhere a load is refused
("Could not process rule: Operation not supported"), also when the statement sits in a
regular chain that such a base chain jumps to. ` + "`nft -c`" + ` does not see it: only the
kernel checks the hook, when the rules are committed.
**What breaks:** the whole file is refused at load time.
**Fix:** move the rule to a base chain at one of the hooks named, e.g.
` + "`type filter hook forward`" + ` for a ` + "`reject`" + ` of forwarded traffic.`,
	Run: runStatementOutsideItsHooks,
}

// stmtHooks are the hooks at which the kernel runs each statement
// (nft_reject_validate, nft_tproxy_validate, nft_synproxy_validate).
var stmtHooks = map[string][]ruleset.Hook{
	"reject":   {"prerouting", "input", "forward", "output"},
	"tproxy":   {"prerouting"},
	"synproxy": {"input", "forward"},
}

func runStatementOutsideItsHooks(p *Pass) {
	// Most tables hold only rejects, which only postrouting refuses: a
	// base chain is walked only when a statement its table holds is
	// refused at its hook.
	held := map[*ruleset.Table]map[string]bool{}
	want := func(base *ruleset.Chain) bool {
		names, ok := held[base.Table]
		if !ok {
			names = hookLimitedStmts(base.Table)
			held[base.Table] = names
		}
		for name := range names {
			if !hookIn(base.Base.Hook, stmtHooks[name]) {
				return true
			}
		}
		return false
	}
	reported := map[parser.Stmt]bool{}
	eachStmtOfBaseChains(p, ruleset.KindHookLimited, want, func(base *ruleset.Chain, s parser.Stmt) {
		name := hookLimitedName(s)
		hooks, ok := stmtHooks[name]
		if !ok || reported[s] || hookIn(base.Base.Hook, hooks) {
			return
		}
		reported[s] = true
		p.Report(Diagnostic{Range: p.Range(s), Message: fmt.Sprintf(
			"%s, run by base chain %q at hook %s, is at a hook where the kernel refuses it (\"Operation not supported\") and nft loads nothing; move the rule to a base chain at hook %s",
			name, base.Name, base.Base.Hook, hookList(hooks))})
	})
}

// hookLimitedName returns the stmtHooks name of s, or "".
func hookLimitedName(s parser.Stmt) string {
	switch x := s.(type) {
	case *parser.RejectStmt:
		if x != nil {
			return "reject"
		}
	case *parser.KeywordStmt:
		if x != nil {
			return x.Keyword
		}
	}
	return ""
}

// hookLimitedStmts returns the names of the stmtHooks statements in the
// rules of t (anonymous chains included).
func hookLimitedStmts(t *ruleset.Table) map[string]bool {
	names := map[string]bool{}
	for _, c := range t.Chains {
		for _, r := range c.Rules {
			if !r.Kinds.Has(ruleset.KindHookLimited) {
				continue
			}
			for _, s := range r.Stmts {
				if name := hookLimitedName(s); stmtHooks[name] != nil {
					names[name] = true
				}
			}
		}
	}
	return names
}
