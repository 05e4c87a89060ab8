package checks

import (
	"fmt"
	"path"
	"strings"

	"github.com/nftlint/nftlint/parser"
)

// NFT210 reports iif/oif matches on interfaces that container runtimes and
// hypervisors create at run time.
var nft210 = &Check{
	ID:       "NFT210",
	Name:     "iif-volatile-interface",
	Title:    "iif/oif names an interface that may not exist when the ruleset is loaded",
	Severity: Error,
	Tags:     []string{"load", "container"},
	Doc: "`iif` and `oif` compare interface **indexes**: nft looks the name up when it loads\n" +
		"the rule and refuses the whole file with \"Interface does not exist\" when there is no\n" +
		"such interface yet. Interfaces created by container runtimes and hypervisors\n" +
		"(`docker0`, `br-*`, `veth*`, `podman*`, `cni*`, `virbr*`, `lxdbr*`, `cali*`,\n" +
		"`flannel*`, and the `--container-iface` patterns) usually do not exist yet when the\n" +
		"firewall loads at boot, so the firewall fails to load exactly then. Even when the\n" +
		"load succeeds, the rule silently stops matching once the interface is re-created\n" +
		"with a new index (a Docker restart, a network re-creation).\n\n" +
		"**Fix:** match the name instead: `iifname \"docker0\"` / `oifname \"br-*\"`. Use\n" +
		"`iif`/`oif` only for interfaces that exist before the firewall (`lo`, physical NICs).",
	Run: runIifVolatileInterface,
}

// volatileIfaces are the default patterns of interfaces created at run time.
var volatileIfaces = []string{"docker*", "br-*", "veth*", "podman*", "cni*", "virbr*", "lxdbr*", "incusbr*", "cali*", "flannel*", "vxlan.calico", "kube-*", "vnet*", "tap*", "tun*"}

func runIifVolatileInterface(p *Pass) {
	patterns := append([]string(nil), volatileIfaces...)
	if p.Options != nil {
		patterns = append(patterns, p.Options.ContainerIfaces...)
	}
	kinds := p.ruleKinds()
	for i, r := range p.allRules() {
		if kinds[i]&hasIfIndexMatch == 0 {
			continue
		}
		for _, s := range r.Stmts {
			inspect(s, func(n parser.Node, via *parser.VarRef) bool {
				m, ok := n.(*parser.MatchStmt)
				if !ok {
					return true
				}
				sel, ok := m.Left.(*parser.Selector)
				if !ok || !isIfIndexSelector(sel) {
					return true
				}
				inspect(m.Right, func(v parser.Node, vvia *parser.VarRef) bool {
					e, ok := v.(parser.Expr)
					if !ok {
						return true
					}
					name, ok := exprName(e)
					if !ok || !matchesAny(name, patterns) {
						return true
					}
					if vvia == nil {
						vvia = via
					}
					word := &sel.Words[len(sel.Words)-1]
					d := Diagnostic{
						Range: p.Range(pickVia(e, vvia)),
						Message: fmt.Sprintf(
							"%s %s compares the index of an interface created at run time: nft refuses the whole file (\"Interface does not exist\") when it is missing at load (e.g. at boot), and the rule stops matching when it is re-created; use %sname",
							word.Name, name, word.Name),
					}
					if start := p.Range(word); start.Start.Filename != "" {
						d.Fixes = []Fix{{
							Message: fmt.Sprintf("match the interface name with %sname", word.Name),
							Edits: []TextEdit{{
								Filename: start.Start.Filename,
								Start:    start.Start.Offset,
								End:      start.End.Offset,
								NewText:  word.Name + "name",
							}},
						}}
					}
					p.Report(d)
					return false
				})
				return false
			})
		}
	}
}

// isIfIndexSelector reports whether sel is iif, oif, meta iif or meta oif
// (without building its path: this runs for every match of every rule).
func isIfIndexSelector(sel *parser.Selector) bool {
	w := sel.Words
	if len(w) == 2 && w[0].Name == "meta" {
		w = w[1:]
	}
	return len(w) == 1 && (w[0].Name == "iif" || w[0].Name == "oif")
}

// matchesAny reports whether an interface name matches one of the
// patterns (a trailing '*' or shell glob), or is itself a wildcard that
// covers such names.
func matchesAny(name string, patterns []string) bool {
	for _, pat := range patterns {
		if ok, _ := path.Match(pat, name); ok {
			return true
		}
		if strings.HasSuffix(name, "*") && strings.HasPrefix(pat, strings.TrimSuffix(name, "*")) {
			return true
		}
	}
	return false
}
