package checks

import (
	"fmt"
	"slices"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT216 reports reject, tproxy and synproxy statements, and fib and osf
// matches, run at a hook where the kernel refuses them.
var nft216 = &Check{
	ID:       "NFT216",
	Name:     "statement-outside-its-hooks",
	Title:    "reject, tproxy, synproxy, fib or osf runs at a hook where the kernel refuses it",
	Severity: Error,
	Tags:     []string{"load", "correctness"},
	Doc: `The kernel allows some statements only at some hooks: ` + "`reject`" + ` at prerouting, input,
forward and output (not postrouting, where the packet is already routed out);
` + "`tproxy`" + ` at prerouting only; ` + "`synproxy`" + ` at input and forward; ` + "`osf`" + ` at prerouting,
input and forward; ` + "`fib … oif`" + ` (the output interface of the route) and ` + "`fib … iif … type`" + ` at
prerouting, input and forward, ` + "`fib … oif … type`" + ` at forward, output and postrouting
(` + "`fib … type`" + ` without an interface runs everywhere). Elsewhere a load is refused
("Could not process rule: Operation not supported"), also when the statement sits in a
regular chain that such a base chain jumps to. ` + "`nft -c`" + ` does not see it: only the
kernel checks the hook, when the rules are committed.
**What breaks:** the whole file is refused at load time.
**Fix:** move the rule to a base chain at one of the hooks named, e.g.
` + "`type filter hook forward`" + ` for a ` + "`reject`" + ` of forwarded traffic.`,
	Run: runStatementOutsideItsHooks,
}

// stmtHooks are the hooks at which the kernel runs each statement and
// expression (nft_reject_validate, nft_tproxy_validate,
// nft_synproxy_validate, nft_osf_validate, nft_fib_validate; measured
// with real loads at every hook). fib's depend on its result and on the
// interface it looks up: "fib oif" is a lookup of the output interface
// (oif, oifname), "fib type iif" and "fib type oif" of the address type
// on the input or output interface (fib … type with neither runs at
// every hook).
var stmtHooks = map[string][]ruleset.Hook{
	"reject":       {"prerouting", "input", "forward", "output"},
	"tproxy":       {"prerouting"},
	"synproxy":     {"input", "forward"},
	"osf":          {"prerouting", "input", "forward"},
	"fib oif":      {"prerouting", "input", "forward"},
	"fib type iif": {"prerouting", "input", "forward"},
	"fib type oif": {"forward", "output", "postrouting"},
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
			if !slices.Contains(stmtHooks[name], base.Base.Hook) {
				return true
			}
		}
		return false
	}
	reported := map[parser.Stmt]bool{}
	eachStmtOfBaseChains(p, ruleset.KindHookLimited, want, func(base *ruleset.Chain, s parser.Stmt) {
		name, at := hookLimited(s)
		hooks, ok := stmtHooks[name]
		if !ok || reported[s] || slices.Contains(hooks, base.Base.Hook) {
			return
		}
		reported[s] = true
		what := name
		if at != s { // an expression: name it as written
			what = srcText(p, at)
		}
		p.Report(Diagnostic{Range: p.Range(at), Message: fmt.Sprintf(
			"%s, run by base chain %q at hook %s, is at a hook where the kernel refuses it (\"Operation not supported\") and nft loads nothing; move the rule to a base chain at hook %s",
			what, base.Name, base.Base.Hook, hookList(hooks))})
	})
}

// hookLimited returns the stmtHooks name of s and the node it is about
// (s, or the fib or osf selector it matches on), or "".
func hookLimited(s parser.Stmt) (string, parser.Node) {
	switch x := s.(type) {
	case *parser.RejectStmt:
		if x != nil {
			return "reject", x
		}
	case *parser.KeywordStmt:
		if x != nil {
			return x.Keyword, x
		}
	case *parser.MatchStmt:
		if x != nil {
			if sel, ok := x.Left.(*parser.Selector); ok && sel != nil {
				return selectorHookName(sel), sel
			}
		}
	case *parser.VmapStmt:
		if x != nil {
			if sel, ok := x.Key.(*parser.Selector); ok && sel != nil {
				return selectorHookName(sel), sel
			}
		}
	}
	return "", nil
}

// selectorHookName returns the stmtHooks name of a fib or osf selector,
// or "".
func selectorHookName(sel *parser.Selector) string {
	if len(sel.Words) == 0 {
		return ""
	}
	switch sel.Words[0].Name {
	case "osf":
		return "osf"
	case "fib":
	default:
		return ""
	}
	if len(sel.Words) < 2 {
		return ""
	}
	var iif, oif bool
	for _, a := range sel.Args() {
		iif = iif || a.Key == "iif"
		oif = oif || a.Key == "oif"
	}
	switch result := sel.Words[1].Name; {
	case result == "oif" || result == "oifname":
		return "fib oif"
	case result == "type" && iif:
		return "fib type iif"
	case result == "type" && oif:
		return "fib type oif"
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
				if name, _ := hookLimited(s); stmtHooks[name] != nil {
					names[name] = true
				}
			}
		}
	}
	return names
}
