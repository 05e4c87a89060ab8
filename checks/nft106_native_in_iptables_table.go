package checks

import (
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

var nft106 = &Check{
	ID:       "NFT106",
	Name:     "nft-native-in-iptables-table",
	Title:    "an iptables table holds an nft expression iptables-nft cannot read",
	Severity: Warning,
	// Runtimes that run iptables-nft commands against these tables.
	Runtimes: []Runtime{RuntimeDocker, RuntimeDockerLegacy, RuntimeKubernetes, RuntimePodman, RuntimeLibvirt},
	Tags:     []string{"container", "iptables"},
	Run:      runNFT106,
	Doc: `iptables-nft can only list and compare rules built from the expressions it writes
itself (` + "`iptables/nft.c`, `nft_is_expr_compatible`" + `). A rule in an ` + "`ip`/`ip6`" + ` table named
` + "`filter`, `nat`, `mangle`, `raw` or `security`" + ` that uses anything else — ` + "`ct state`" + `,
` + "`ct mark`" + `, ` + "`fib`" + `, ` + "`dnat`/`snat`/`masquerade`/`redirect`" + `, ` + "`reject`" + `, ` + "`log`" + ` without
` + "`group`" + `, ` + "`limit … over`" + ` or byte rates, ` + "`quota`" + `, ` + "`ct count`" + `, meters and set updates, named
counters, ` + "`notrack`" + `, ` + "`queue`" + `, ` + "`meta mark set`" + `, ` + "`ip version`" + `, ` + "`ip dscp`" + ` … — makes the
table "incompatible" (verified with nft 1.0.6 / iptables-nft 1.8.9):

- ` + "`iptables -L`/`-S`" + ` fail with "table ` + "`filter'" + ` is incompatible, use 'nft' tool";
- ` + "`iptables-save`" + ` silently skips the table (kube-proxy in iptables mode then sees it empty);
- ` + "`iptables -C`/`-D`" + ` on the chain abort ("Parsing nftables rule failed", exit 3), so tools
  that check before they add — dockerd, fail2ban — think their rule is missing and add
  it again on every start, and cannot delete their rules.

With ` + "`--live`" + `, rules iptables-nft wrote itself (they hold xt matches or targets,
which ` + "`nft list`" + ` prints as ` + "`ct state`" + `, ` + "`fib`" + `, ` + "`masquerade`" + ` …) and can read back
are not reported.

It is a warning: dockerd 28+ still starts (a failing check counts as "absent"), but its
jumps are duplicated and every other iptables user of the table misbehaves.

**Fix:** move the rule to a table of your own (` + "`table inet host-fw`" + `), where iptables never
looks; keep only iptables-compatible rules (interfaces, addresses, ports, marks,
` + "`counter`" + `, ` + "`log group`" + `, plain verdicts) in iptables tables, or leave those tables to
iptables altogether.

References: container-firewall-facts.md §3.1.3–3.1.5, §3.2, §3.5, §3.6; §6 #5;
mailcow/mailcow-dockerized#5847, moby/moby#46147, netbirdio/netbird#2725.`,
}

func runNFT106(pass *Pass) {
	for _, t := range pass.Ruleset.Tables {
		if !isIptablesTable(t) {
			continue
		}
		// A table's findings differ only in what is native: one message
		// per kind, not one formatted per rule (thousands in a large table).
		messages := make(map[string]string)
		report := func(ast *parser.Rule, stmts []parser.Stmt) {
			node, what := firstNative(stmts)
			if node == nil {
				return
			}
			msg, ok := messages[what]
			if !ok {
				msg = fmt.Sprintf("%s in iptables table %s %s is native nft that iptables-nft cannot decode: iptables -L/-S fail (\"table %s is incompatible\"), iptables-save skips the table and -C checks fail, so dockerd and fail2ban duplicate their rules; move this rule to a table of your own",
					what, tableFamily(t), t.Name, t.Name)
				messages[what] = msg
			}
			reportAt(pass, node, Diagnostic{Message: msg})
		}
		for _, c := range t.Chains {
			if c.Anonymous {
				continue
			}
			eachIptablesUnreadable(c, report)
		}
	}
}

// firstNative returns the first statement or expression of a rule that
// iptables-nft cannot decode, with a short description.
func firstNative(stmts []parser.Stmt) (parser.Node, string) {
	for _, s := range stmts {
		if n, what := nativeStmt(s); n != nil {
			return n, what
		}
	}
	return nil, ""
}

func nativeStmt(s parser.Stmt) (parser.Node, string) {
	switch s := s.(type) {
	case *parser.MatchStmt:
		if n, what := nativeExpr(s.Left); n != nil {
			return n, what
		}
	case *parser.VmapStmt:
		if n, what := nativeExpr(s.Key); n != nil {
			return n, what
		}
	case *parser.SetStmt:
		if sel, ok := s.Target.(*parser.Selector); ok {
			return s, sel.Path() + " set"
		}
		return s, "a set statement"
	case *parser.NatStmt:
		return s, s.Kind
	case *parser.RejectStmt:
		return s, "reject"
	case *parser.SetUpdateStmt:
		if s.Op == "meter" {
			return s, "meter"
		}
		return s, "a set update (" + s.Op + " @set)"
	case *parser.KeywordStmt:
		switch kw := s.Keyword; {
		case kw == "log":
			for _, a := range s.Args {
				if a.Key == "group" {
					return nil, ""
				}
			}
			return s, "log without group"
		case kw == "limit":
			for _, a := range s.Args {
				if a.Key == "over" || a.Key == "until" || (a.Value != nil && strings.Contains(strings.ToLower(litText(a.Value)), "bytes")) {
					return s, "limit with over or a byte rate"
				}
			}
		case kw == "counter":
			for _, a := range s.Args {
				if a.Key == "name" {
					return s, "a named counter"
				}
			}
		case kw == "quota", kw == "ct count", kw == "notrack", kw == "queue", kw == "dup", kw == "fwd",
			kw == "synproxy", kw == "tproxy", kw == "flow add", kw == "flow offload", kw == "last",
			strings.HasPrefix(kw, "ct "):
			return s, kw
		}
	}
	return nil, ""
}

// nativeSelectors are selector heads iptables-nft cannot decode.
var nativeSelectors = map[string]bool{
	"ct": true, "fib": true, "rt": true, "socket": true, "osf": true, "ipsec": true,
	"numgen": true, "jhash": true, "symhash": true, "exthdr": true, "hbh": true,
	"frag": true, "dst": true, "mh": true, "srh": true, "tunnel": true,
}

// isNativePath reports whether a selector is a payload field verified to
// abort iptables-nft's decoder: ip version, ip dscp.
func isNativePath(words []parser.Ident) bool {
	return len(words) == 2 && words[0].Name == "ip" && (words[1].Name == "version" || words[1].Name == "dscp")
}

func nativeExpr(x parser.Expr) (parser.Node, string) {
	switch x := x.(type) {
	case *parser.Paren:
		return nativeExpr(x.X)
	case *parser.Concat:
		for _, p := range x.Parts {
			if n, what := nativeExpr(p); n != nil {
				return n, what
			}
		}
	case *parser.Binary:
		if n, what := nativeExpr(x.X); n != nil {
			return n, what
		}
	case *parser.Selector:
		if len(x.Words) == 0 {
			return nil, ""
		}
		head := x.Words[0].Name
		// The path is built only for a finding: this runs for every
		// match of every rule of the iptables tables.
		if nativeSelectors[head] || isNativePath(x.Words) ||
			(len(x.Words) > 1 && x.Words[1].Name == "option" && (head == "tcp" || head == "ip" || head == "dccp")) {
			return x, x.Path()
		}
	}
	return nil, ""
}

// litText returns the text of a literal-like expression.
func litText(x parser.Expr) string {
	switch x := x.(type) {
	case *parser.Literal:
		return x.Text
	case *parser.StringLit:
		return x.Value
	case *parser.Number:
		return x.Text
	}
	return ""
}

// iptablesRules calls fn for every rule of every chain of the iptables
// tables.
func iptablesRules(rs *ruleset.Ruleset, fn func(t *ruleset.Table, c *ruleset.Chain, ast *parser.Rule, stmts []parser.Stmt)) {
	for _, t := range rs.Tables {
		if !isIptablesTable(t) {
			continue
		}
		for _, c := range t.Chains {
			if c.Anonymous {
				continue
			}
			eachIptablesUnreadable(c, func(ast *parser.Rule, stmts []parser.Stmt) { fn(t, c, ast, stmts) })
		}
	}
}

// eachIptablesUnreadable calls fn for the rules of c (anonymous chains
// included) except those iptables-nft wrote itself on a live ruleset
// (ruleset.Rule.IptablesCompat): their xt matches and targets read as
// ct state, fib, masquerade or sets (multiport), but iptables-nft lists
// them back exactly.
func eachIptablesUnreadable(c *ruleset.Chain, fn func(ast *parser.Rule, stmts []parser.Stmt)) {
	written := map[*parser.Rule]bool{}
	for _, r := range c.Rules {
		if r.IptablesCompat {
			written[r.AST] = true
		}
	}
	eachChainRule(c, func(ast *parser.Rule, stmts []parser.Stmt) {
		if !written[ast] {
			fn(ast, stmts)
		}
	})
}
