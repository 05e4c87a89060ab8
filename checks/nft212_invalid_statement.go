package checks

import (
	"cmp"
	"fmt"
	"sort"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT212 reports statements nft refuses whatever the packet: statements
// after a terminal one, and log/queue arguments that exclude each other.
var nft212 = &Check{
	ID:       "NFT212",
	Name:     "invalid-statement",
	Title:    "a statement follows a terminal statement, or combines arguments nft refuses",
	Severity: Error,
	Tags:     []string{"load", "correctness"},
	Doc: `Some statements end the evaluation of the rule: verdicts (` + "`accept`" + `, ` + "`drop`" + `,
` + "`return`" + `, ` + "`jump`" + `, ` + "`goto`" + `), ` + "`reject`" + `, NAT (` + "`snat`" + `, ` + "`dnat`" + `, ` + "`masquerade`" + `,
` + "`redirect`" + `) and ` + "`queue`" + `. nft refuses anything written after them ("Statement after
terminal statement has no effect"): ` + "`dnat to 192.0.2.1 accept`" + `, ` + "`accept counter`" + `.

It also refuses ` + "`log`" + ` statements that mix the kernel log (` + "`level`" + `, ` + "`flags`" + `) with
nflog (` + "`group`" + `, ` + "`snaplen`" + `, ` + "`queue-threshold`" + `): "level and group are mutually
exclusive", "flags and group are mutually exclusive"; ` + "`log level audit`" + ` takes no
other option; ` + "`queue num`" + ` above 65535; and ` + "`limit rate 0/second`" + `, which the kernel refuses.

**What breaks:** the whole file is refused.

**Fix:** put counters and logging before the verdict, drop the redundant verdict
after NAT (NAT accepts), and choose either kernel logging or nflog.`,
	Run: runInvalidStatement,
}

// terminalStmt reports whether s ends the rule's evaluation.
func terminalStmt(s parser.Stmt) bool {
	switch x := s.(type) {
	case *parser.VerdictStmt:
		return x.Kind != "continue"
	case *parser.RejectStmt, *parser.NatStmt:
		return true
	case *parser.KeywordStmt:
		return x.Keyword == "queue"
	}
	return false
}

func runInvalidStatement(p *Pass) {
	kinds := p.ruleKinds()
	v := invalidStmtVisitor{p}
	for ri, r := range p.allRules() {
		for i, s := range r.Stmts {
			if i+1 < len(r.Stmts) && terminalStmt(s) {
				p.Report(Diagnostic{Range: p.Range(r.Stmts[i+1]), Message: fmt.Sprintf(
					"nothing can follow %s in a rule: nft refuses it (\"Statement after terminal statement has no effect\"); move this statement before it or remove it",
					stmtName(s))})
				break
			}
		}
		if kinds[ri]&hasInvalidCandidate == 0 {
			continue
		}
		for _, s := range r.Stmts {
			if r.may(ruleset.KindNested) {
				walkInner(v, s, nil, 0)
			} else if !parser.IsNilNode(s) {
				// No statement below: only s itself can be one of the
				// statements the visitor checks.
				v.visit(s, nil)
			}
		}
	}
}

// invalidStmtVisitor checks the statements of a rule that may be invalid
// whatever the packet (one visitor for the whole run: no closure per
// statement).
type invalidStmtVisitor struct{ p *Pass }

func (v invalidStmtVisitor) visit(n parser.Node, _ *parser.VarRef) visitor {
	p := v.p
	switch x := n.(type) {
	case *parser.MatchStmt:
		if _, isBinary := x.Left.(*parser.Binary); isBinary && x.Op == parser.OpNot {
			p.Report(Diagnostic{Range: p.Range(x), Message: "`!` cannot negate a match on a bitwise expression: nft refuses it (\"cannot combine negation with binary expression\"); write `!=` or compare the masked value with 0"})
		}
	case *parser.RejectStmt:
		checkRejectCode(p, x)
	case *parser.KeywordStmt:
		switch x.Keyword {
		case "log":
			checkLogArgs(p, x)
		case "queue":
			checkQueueArgs(p, x)
		case "limit":
			checkLimitRate(p, x)
		}
	}
	return v
}

// checkLimitRate reports `limit rate 0/…`, which the kernel refuses
// ("Could not process rule: Invalid argument"), also with nft -c.
func checkLimitRate(p *Pass, k *parser.KeywordStmt) {
	for _, a := range k.Args {
		lit, ok := a.Value.(*parser.Literal)
		if !ok || lit == nil || lit.Kind != parser.LitRate {
			continue
		}
		digits := strings.TrimLeft(lit.Text, "0123456789")
		number := lit.Text[:len(lit.Text)-len(digits)]
		if number != "" && strings.Trim(number, "0") == "" {
			p.Report(Diagnostic{Range: p.Range(lit), Message: fmt.Sprintf(
				"limit rate %s lets nothing through: the kernel refuses a rate of 0 (\"Could not process rule: Invalid argument\") and nft loads nothing; give a rate above 0, or drop the statement",
				lit.Text)})
		}
		return // the rate is the first value of a limit statement
	}
}

func stmtName(s parser.Stmt) string {
	switch x := s.(type) {
	case *parser.VerdictStmt:
		return x.Kind
	case *parser.RejectStmt:
		return "reject"
	case *parser.NatStmt:
		return x.Kind
	case *parser.KeywordStmt:
		return x.Keyword
	}
	return "a terminal statement"
}

func checkLogArgs(p *Pass, k *parser.KeywordStmt) {
	var level, flags, group *parser.Arg
	var audit bool
	var other *parser.Arg // the first option other than level
	for _, a := range k.Args {
		switch a.Key {
		case "level":
			level = a
			if name, ok := exprName(a.Value); ok && name == "audit" {
				audit = true
			}
		case "flags":
			flags = a
			other = cmp.Or(other, a)
		case "group", "snaplen", "queue-threshold":
			group = cmp.Or(group, a)
			other = cmp.Or(other, a)
		case "prefix":
			other = cmp.Or(other, a)
		}
	}
	switch {
	case level != nil && group != nil:
		p.Report(Diagnostic{Range: p.Range(group), Message: fmt.Sprintf(
			"log %s sends to nflog, which has no level: nft refuses it (\"level and group are mutually exclusive\"); remove level or %s", group.Key, group.Key)})
	case flags != nil && group != nil:
		p.Report(Diagnostic{Range: p.Range(group), Message: fmt.Sprintf(
			"log %s sends to nflog, which takes no flags: nft refuses it (\"flags and group are mutually exclusive\"); remove flags or %s", group.Key, group.Key)})
	case audit && other != nil:
		p.Report(Diagnostic{Range: p.Range(other), Message: fmt.Sprintf(
			"log level audit takes no other option: nft refuses %s (\"log level audit doesn't support any further options\"); remove it", other.Key)})
	}
}

// rejectCodes are the codes nft knows per `reject with` kind.
var rejectCodes = map[string]map[string]bool{
	"icmp":   {"net-unreachable": true, "host-unreachable": true, "prot-unreachable": true, "port-unreachable": true, "frag-needed": true, "net-prohibited": true, "host-prohibited": true, "admin-prohibited": true},
	"icmpv6": {"no-route": true, "admin-prohibited": true, "addr-unreachable": true, "port-unreachable": true, "policy-fail": true, "reject-route": true},
	"icmpx":  {"no-route": true, "port-unreachable": true, "host-unreachable": true, "admin-prohibited": true},
}

func checkRejectCode(p *Pass, rj *parser.RejectStmt) {
	codes := rejectCodes[rj.With]
	if codes == nil || rj.Code == nil {
		return
	}
	name, ok := exprName(unwrapVar(rj.Code))
	if !ok || codes[name] {
		return
	}
	p.Report(Diagnostic{Range: p.Range(rj.Code), Message: fmt.Sprintf(
		"%q is not %s reject code: nft refuses it; use one of %s", name, article(rj.With), joinSortedKeys(codes))})
}

func joinSortedKeys(m map[string]bool) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func checkQueueArgs(p *Pass, k *parser.KeywordStmt) {
	fanout := false
	var rangeGiven bool
	for _, a := range k.Args {
		if a.Key == "fanout" {
			fanout = true
		}
		if a.Key == "flags" {
			for _, f := range flagWords(a.Value) {
				if f == "fanout" {
					fanout = true
				}
			}
		}
		if a.Key == "num" || a.Key == "to" {
			if _, ok := unwrapVar(a.Value).(*parser.RangeExpr); ok {
				rangeGiven = true
			}
		}
	}
	if fanout && !rangeGiven {
		p.Report(Diagnostic{Range: p.Range(k), Message: "queue fanout spreads packets over a range of queues, but no range is given: nft refuses it (\"fanout requires a range to be specified\"); write `queue num 0-3 fanout` or drop fanout"})
	}
	for _, a := range k.Args {
		if a.Key != "num" {
			continue
		}
		nums := []parser.Expr{unwrapVar(a.Value)}
		if r, ok := nums[0].(*parser.RangeExpr); ok {
			nums = []parser.Expr{unwrapVar(r.Lo), unwrapVar(r.Hi)}
		}
		for _, e := range nums {
			if n, ok := e.(*parser.Number); ok && (n.Overflow || n.Value > 65535) {
				p.Report(Diagnostic{Range: p.Range(n), Message: fmt.Sprintf(
					"queue number %s exceeds 65535: nft refuses it (\"Value %s exceeds valid range 0-65535\"); use a queue number 0-65535", n.Text, n.Text)})
			}
		}
	}
}
