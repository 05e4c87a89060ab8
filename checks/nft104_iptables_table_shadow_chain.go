package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

var nft104 = &Check{
	ID:       "NFT104",
	Name:     "iptables-table-shadow-chain",
	Title:    "a base chain in an iptables table has a name iptables does not know",
	Severity: Warning,
	Runtimes: containerRuntimes,
	Tags:     []string{"container", "iptables"},
	Run:      runNFT104,
	Doc: `iptables-nft only knows the built-in chain names of its tables (` + "`FORWARD`" + `,
` + "`INPUT`" + `, ` + "`PREROUTING`" + ` …, upper case). A base chain with another name in ` + "`ip filter`" + `,
` + "`ip nat`" + ` and the like — typically a lower-case ` + "`forward`" + ` or ` + "`input`" + ` — is silently
tolerated: when Docker (or any iptables user) needs ` + "`FORWARD`" + `, iptables-nft creates a
second base chain beside it on the same hook. The user's chain is then invisible to
` + "`iptables -L`/`-S`" + ` (only ` + "`iptables-save`" + ` hints "contains incompatible base-chains"), but
its drop policy still drops packets Docker accepted in ` + "`FORWARD`" + ` (verified: facts §3.4
T1, §4.1 scenario C). The advice "use lower-case chain names so Docker works" seen in
forum threads is therefore backwards.

It is a warning: the chain itself does not make dockerd fail. Whether it drops container
traffic is decided by NFT101/NFT102, which report it at error level when it does.

**Fix:** either rename the chain to the built-in name, so that it *is* the chain
iptables-nft and Docker use (the suggested fix does this when the type, hook and
priority already match the built-in and no chain of that name exists), or move the chain
to a table of your own (` + "`table inet host-fw`" + `), where names do not matter.

References: container-firewall-facts.md §0 finding 2, §3.4 (T1, T5), §4.1 (scenario C);
docker/for-linux#1472.`,
}

func runNFT104(pass *Pass) {
	for _, t := range pass.Ruleset.Tables {
		if !isIptablesTable(t) {
			continue
		}
		renamed := make(map[string]bool)
		for _, c := range t.Chains {
			if c.Anonymous || c.Base == nil {
				continue
			}
			if _, builtin := iptablesBuiltins[t.Name][c.Name]; builtin {
				continue
			}
			d := Diagnostic{}
			target := builtinNameFor(t, c)
			hint := "move it to a table of your own"
			if target != "" && t.Chain(target) == nil && !renamed[target] {
				if fix, ok := renameChainFix(pass, c, target); ok {
					d.Fixes = []Fix{fix}
					renamed[target] = true
				}
				hint = fmt.Sprintf("rename it to %s or move it to a table of your own", target)
			}
			d.Message = fmt.Sprintf("base chain %s is not an iptables built-in: iptables-nft adds its own %s chains beside it and hides this one from iptables -L, while its verdicts still apply to the packets Docker handles; %s",
				chainLabel(c), t.Name, hint)
			reportAt(pass, chainNode(c), d)
		}
	}
}

// builtinNameFor returns the built-in of table t with exactly c's type,
// hook and priority, or "".
func builtinNameFor(t *ruleset.Table, c *ruleset.Chain) string {
	if !c.Base.PrioOK {
		return ""
	}
	for name, b := range iptablesBuiltins[t.Name] {
		if b.Type == c.Base.Type && b.Hook == c.Base.Hook && b.Priority == c.Base.Priority {
			return name
		}
	}
	return ""
}

// renameChainFix renames every mention of chain c: its declarations, the
// commands adding rules to it, and flush/delete commands naming it. It
// gives up when a jump or goto names the chain (a base chain cannot be a
// jump target, but the config may still be wrong).
func renameChainFix(pass *Pass, c *ruleset.Chain, name string) (Fix, bool) {
	var idents []*parser.Ident
	for _, d := range c.Decls {
		if d.Name == nil {
			return Fix{}, false
		}
		idents = append(idents, d.Name)
	}
	for _, r := range c.Rules {
		if r.Cmd != nil && r.Cmd.Name != nil {
			idents = append(idents, r.Cmd.Name)
		}
	}
	for _, fl := range pass.Ruleset.Flushes {
		if fl.Object == parser.ObjChain && fl.Table == c.Table.Name && familyOrIP(fl.Family) == tableFamily(c.Table) && fl.Name == c.Name && fl.Cmd.Name != nil {
			idents = append(idents, fl.Cmd.Name)
		}
	}
	for _, other := range c.Table.Chains {
		for _, r := range other.Rules {
			for _, s := range r.Stmts {
				if v, ok := s.(*parser.VerdictStmt); ok && v.Target != nil && nodeText(pass.Files, v.Target) == c.Name {
					return Fix{}, false
				}
			}
		}
	}
	seen := make(map[parser.Pos]bool)
	var edits []TextEdit
	for _, id := range idents {
		if seen[id.Pos()] {
			continue
		}
		seen[id.Pos()] = true
		e, ok := replaceNode(pass.Files, id, name)
		if !ok {
			return Fix{}, false
		}
		edits = append(edits, e)
	}
	if len(edits) == 0 {
		return Fix{}, false
	}
	return Fix{Message: "rename the chain to the iptables built-in " + name, Edits: edits}, true
}
