package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

var nft108 = &Check{
	ID:       "NFT108",
	Name:     "docker-user-in-config",
	Title:    "the config defines Docker's DOCKER-USER chain in a way dockerd cannot use",
	Severity: Error,
	Runtimes: []Runtime{RuntimeDocker, RuntimeDockerLegacy, RuntimeDockerNftables},
	Tags:     []string{"container", "iptables", "security"},
	Run:      runNFT108,
	Doc: `` + "`DOCKER-USER`" + ` is the chain Docker's iptables backend reserves for the admin's
restrictions: at start dockerd lists it (` + "`iptables -n -L DOCKER-USER`" + `), creates it when
that fails (` + "`-N DOCKER-USER`" + `), and inserts ` + "`-j DOCKER-USER`" + ` at the top of ` + "`FORWARD`" + `,
before its own ` + "`DOCKER-FORWARD`" + ` accepts. Defining it in nftables.conf works only as a
regular chain of plain, iptables-compatible rules.

- **Native rules** (` + "`ct state`" + `, ` + "`reject`" + `, ` + "`log`" + ` without group …, see NFT106): the
  listing fails, so dockerd runs ` + "`-N DOCKER-USER`" + `, which fails with "Chain already
  exists"; dockerd logs a warning and **does not insert its jump**. Docker's
  ` + "`DOCKER-FORWARD`" + ` jump is inserted at the top of ` + "`FORWARD`" + ` regardless, so container
  traffic is accepted before any jump the config itself has to ` + "`DOCKER-USER`" + `: the
  restrictions silently fail open (facts §3.4 T8).
- **A base chain**: ` + "`-N DOCKER-USER`" + ` fails with "CHAIN_USER_ADD failed (File exists)" and
  the jump cannot be added ("Chain 'DOCKER-USER' does not exist"); the chain then runs as an
  independent base chain at its own priority, and its accepts and returns mean something
  else than the admin intended (T15).

**Severity:** error for ` + "`ip filter`" + ` with Docker's iptables backend — dockerd's
iptables-nft commands fail (the claim a kernel test proves by replaying dockerd's start:
` + "`iptables -N DOCKER-USER`" + ` fails). Warning for ` + "`ip6 filter`" + ` (IPv6 networks only). With
Docker's nftables backend (` + "`--runtime docker-nftables`" + `) ` + "`DOCKER-USER`" + ` does not exist at all:
a chain of that name nothing jumps to is dead code (warning).

With ` + "`--live`" + `, rules iptables-nft wrote itself (` + "`iptables -I DOCKER-USER -m conntrack …`" + `)
are compatible, although they read as ` + "`ct state`" + `.

**Fix:** with the iptables backend, add DOCKER-USER rules after dockerd started
(` + "`iptables -I DOCKER-USER …`" + `, e.g. from a systemd drop-in), or keep only iptables-compatible
rules in a regular ` + "`DOCKER-USER`" + ` chain. With either backend, the robust alternative is a
table of your own with a forward chain at priority ` + "`filter - 1`" + ` holding drops — a drop
wins in every chain.

References: container-firewall-facts.md §1.3, §2.5, §3.4 (T8, T15), §6 #6; moby/moby#48568,
moby/moby#46147, moby/moby#48560, moby/libnetwork#2631.`,
}

func runNFT108(pass *Pass) {
	iptablesDocker := pass.Options.HasRuntime(RuntimeDocker) || pass.Options.HasRuntime(RuntimeDockerLegacy)
	for _, t := range pass.Ruleset.Tables {
		fam := tableFamily(t)
		if t.Name != "filter" || (fam != parser.FamilyIP && fam != parser.FamilyIP6) {
			continue
		}
		c := t.Chain("DOCKER-USER")
		if c == nil {
			continue
		}
		sev := Error
		cmd := "iptables"
		if fam == parser.FamilyIP6 {
			sev, cmd = Warning, "ip6tables"
		}
		if iptablesDocker {
			if c.Base != nil {
				reportAt(pass, chainNode(c), Diagnostic{
					Severity: sev,
					Message: fmt.Sprintf("chain DOCKER-USER in %s %s is a base chain: dockerd's `%s -N DOCKER-USER` fails and it cannot insert its FORWARD jump, so the chain runs on its own instead of before Docker's accepts; make it a regular chain of iptables-compatible rules, or filter in a table of your own at priority filter - 1",
						fam, t.Name, cmd),
				})
				continue
			}
			if node, what := nativeInChain(c); node != nil {
				reportAt(pass, chainNode(c), Diagnostic{
					Severity: sev,
					Message: fmt.Sprintf("chain DOCKER-USER in %s %s holds %s, which iptables-nft cannot list: dockerd's `%s -N DOCKER-USER` then fails and it skips its FORWARD jump, so Docker's accepts run first and these restrictions are bypassed; keep only iptables-compatible rules here or filter in a table of your own at priority filter - 1",
						fam, t.Name, what, cmd),
					Related: []Related{related(pass, node, what+" here")},
				})
			}
			continue
		}
		if pass.Options.HasRuntime(RuntimeDockerNftables) && !jumpedTo(t, c.Name) {
			reportAt(pass, chainNode(c), Diagnostic{
				Severity: Warning,
				Message: fmt.Sprintf("chain DOCKER-USER in %s %s is never used: Docker's nftables backend has no DOCKER-USER chain and nothing here jumps to it; put restrictions in a forward chain of your own at priority filter - 1",
					fam, t.Name),
			})
		}
	}
}

// nativeInChain returns the first native expression in chain c's rules.
func nativeInChain(c *ruleset.Chain) (parser.Node, string) {
	var node parser.Node
	var what string
	eachIptablesUnreadable(c, func(_ *parser.Rule, stmts []parser.Stmt) {
		if node == nil {
			node, what = firstNative(stmts)
		}
	})
	return node, what
}

// jumpedTo reports whether a rule of table t jumps or goes to chain name.
func jumpedTo(t *ruleset.Table, name string) bool {
	found := false
	for _, c := range t.Chains {
		eachChainRule(c, func(_ *parser.Rule, stmts []parser.Stmt) {
			for _, s := range stmts {
				v, ok := s.(*parser.VerdictStmt)
				if ok && (v.Kind == "jump" || v.Kind == "goto") && litText(v.Target) == name {
					found = true
				}
				if vm, ok := s.(*parser.VmapStmt); ok {
					if sl, ok := vm.Map.(*parser.SetLit); ok {
						for _, e := range sl.Elems {
							if me, ok := e.(*parser.MapElem); ok {
								if vd, ok := me.Value.(*parser.Verdict); ok && litText(vd.Target) == name {
									found = true
								}
							}
						}
					}
				}
			}
		})
	}
	return found
}
