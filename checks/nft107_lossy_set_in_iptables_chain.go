package checks

import (
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

var nft107 = &Check{
	ID:       "NFT107",
	Name:     "lossy-set-in-iptables-chain",
	Title:    "a rule in an iptables table uses a set, map or concatenation iptables-nft decodes lossily",
	Severity: Warning,
	Runtimes: []Runtime{RuntimeDocker, RuntimeDockerLegacy, RuntimeKubernetes, RuntimePodman, RuntimeLibvirt},
	Tags:     []string{"container", "iptables"},
	Run:      runNFT107,
	Doc: `iptables-nft decodes a set lookup in an ` + "`ip`/`ip6`" + ` iptables table by silently dropping
it: ` + "`iifname { \"eth0\", \"eth1\" } accept`" + ` is listed as ` + "`-A FORWARD -j ACCEPT`" + `,
` + "`tcp dport { 80, 443 } accept`" + ` as ` + "`-p tcp -j ACCEPT`" + `, a verdict map as a rule without a
target (verified with nft 1.0.6 / iptables-nft 1.8.9). Listings lie, and worse,
` + "`iptables -C`/`-D`" + ` compare against the decoded form, so they match — and delete — the
wrong rule.

This hits Docker directly: for every network, dockerd ≥ 28.0.1 runs a legacy clean-up
` + "`iptables -C FORWARD -i docker0 -j ACCEPT`" + ` and, when it "matches", ` + "`-D`" + `. A user rule
` + "`iifname \"docker0\" oifname { \"eth0\", \"wlan0\" } accept`" + ` in ` + "`ip filter FORWARD`" + ` decodes to exactly
that and is deleted at every dockerd start.

It is a warning: what breaks depends on which rules other tools check and delete.
Rules that also contain native expressions are reported by NFT106 instead.

With ` + "`--live`" + `, rules iptables-nft wrote itself are not reported: ` + "`-m multiport`" + `
reads as a set, but iptables-nft lists it back exactly.

**Fix:** expand the set into one rule per element (the suggested fix does this for a
single anonymous set in a one-line rule), or move the rule to a table of your own.

References: container-firewall-facts.md §3.1.5, §3.2, §3.3; §1.4 (legacy clean-up).`,
}

func runNFT107(pass *Pass) {
	iptablesRules(pass.Ruleset, func(t *ruleset.Table, c *ruleset.Chain, ast *parser.Rule, stmts []parser.Stmt) {
		if n, _ := firstNative(stmts); n != nil {
			return // NFT106 reports the rule
		}
		node, what, m := firstLossy(stmts)
		if node == nil {
			return
		}
		d := Diagnostic{
			Message: fmt.Sprintf("%s in iptables table %s %s is dropped when iptables-nft decodes the rule: iptables -L shows a broader rule and iptables -C/-D match it, so dockerd's clean-up can delete it; expand it to one rule per element or move the rule to a table of your own",
				what, tableFamily(t), t.Name),
		}
		if m != nil {
			if fix, ok := expandSetFix(pass, c, ast, m); ok {
				d.Fixes = []Fix{fix}
			}
		}
		reportAt(pass, node, d)
	})
}

// firstLossy returns the first lossy construct of a rule, a description,
// and the match statement when it is a plain `SELECTOR [==] { … }`.
func firstLossy(stmts []parser.Stmt) (parser.Node, string, *parser.MatchStmt) {
	for _, s := range stmts {
		switch s := s.(type) {
		case *parser.VmapStmt:
			return s, "a verdict map", nil
		case *parser.MatchStmt:
			if _, ok := s.Left.(*parser.Concat); ok {
				return s, "a concatenation", nil
			}
			if n, what := lossyOperand(s.Right); n != nil {
				return n, what, s
			}
		}
	}
	return nil, "", nil
}

// lossyOperand reports a set or map operand.
func lossyOperand(x parser.Expr) (parser.Node, string) {
	switch x := x.(type) {
	case *parser.SetLit:
		if x.Var != nil {
			return x, "a set"
		}
		return x, "an anonymous set"
	case *parser.SetRef:
		return x, "the named set @" + x.Name
	case *parser.MapLookup:
		return x, "a map lookup"
	case *parser.VarRef:
		if n, what := lossyOperand(x.Value); n != nil {
			return x, what + " (from $" + x.Name + ")"
		}
	}
	return nil, ""
}

// expandSetFix rewrites a one-line rule `… SEL { a, b } …` as one rule per
// element. It only handles anonymous sets written in place, with plain
// elements, in a rule of a chain block, and not negated (a negated set is
// a conjunction that separate rules cannot express).
func expandSetFix(pass *Pass, c *ruleset.Chain, ast *parser.Rule, m *parser.MatchStmt) (Fix, bool) {
	set, ok := m.Right.(*parser.SetLit)
	if !ok || set.Var != nil || len(set.Elems) == 0 || ast == nil || (m.Op != parser.OpImplicit && m.Op != parser.OpEq) {
		return Fix{}, false
	}
	var inBlock bool
	for _, r := range c.Rules {
		if r.AST == ast && r.Cmd == nil {
			inBlock = true
		}
	}
	if !inBlock {
		return Fix{}, false
	}
	files := pass.Files
	start, end := files.Position(ast.Pos()), files.Position(ast.End())
	if start.Line != end.Line || start.Filename != end.Filename {
		return Fix{}, false
	}
	f := files.File(ast.Pos())
	src := f.Source()
	rs, re := f.Offset(ast.Pos()), f.Offset(ast.End())
	ss, se := f.Offset(set.Pos()), f.Offset(set.End())
	if rs > ss || se > re || re > len(src) {
		return Fix{}, false
	}
	_, _, indent := lineInfo(files, ast.Pos())
	var rules []string
	for _, el := range set.Elems {
		switch el := el.(type) {
		case *parser.Elem, *parser.MapElem, *parser.SetLit:
			return Fix{}, false
		case *parser.ElemRun:
			for i := range el.Len() {
				rules = append(rules, string(src[rs:ss])+el.Text(i)+string(src[se:re]))
			}
			continue
		}
		text := nodeText(files, el)
		if text == "" || strings.ContainsAny(text, "\n{}") {
			return Fix{}, false
		}
		rules = append(rules, string(src[rs:ss])+text+string(src[se:re]))
	}
	return Fix{
		Message: fmt.Sprintf("expand the set into %d rules", len(rules)),
		Edits:   []TextEdit{{Filename: f.Name(), Start: rs, End: re, NewText: strings.Join(rules, "\n"+indent)}},
	}, true
}
