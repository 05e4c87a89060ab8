package checks

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT307 reports rules that follow a rule every packet leaves the chain at.
var nft307 = &Check{
	ID:       "NFT307",
	Name:     "unreachable-rule",
	Title:    "rules after an unconditional accept, drop, reject, return or goto are never evaluated",
	Severity: Warning,
	Tags:     []string{"safety", "correctness"},
	Doc: `nft evaluates a chain's rules in order and stops at the first verdict that ends
the chain. A rule without any match whose verdict is ` + "`accept`" + `, ` + "`drop`" + `, ` + "`reject`" + `,
` + "`return`" + ` or ` + "`goto`" + ` ends the chain for every packet, so the rules after it are never
evaluated: the accepts meant to open a port, or the drops meant to close one, do
nothing. This usually happens when rules are appended (` + "`add rule`" + `, a second chain
block, an included file) to a chain that already ends in a catch-all ` + "`drop`" + `, or when
a debugging ` + "`accept`" + ` is left at the top.

` + "`counter`" + `, ` + "`log`" + ` and setting ` + "`meta mark`" + `/` + "`ct mark`" + ` to a constant do not make a rule
conditional; ` + "`limit`" + `, ` + "`quota`" + `, set updates and setting a mark from a map, a header
field or a conntrack key (` + "`meta mark set ct mark`" + `: packets without a conntrack entry
stop there) do, and so does ` + "`reject with tcp reset`" + ` (it only applies to TCP). A ` + "`jump`" + ` returns to the rule after it, unless the chain it jumps to
always accepts or drops: nftlint treats ` + "`jump`" + ` as final only when the target chain
ends in an unconditional accept/drop/reject and nothing before it can return.

**Fix:** move the catch-all rule to the end of the chain (or use the chain's
` + "`policy`" + ` instead), or insert the later rules before it (` + "`insert rule`" + `, or ` + "`add rule … index N`" + `).`,
	Run: runUnreachableRule,
}

func runUnreachableRule(p *Pass) {
	for _, table := range p.Ruleset.Tables {
		t := newChainTable(table)
		for _, c := range t.Chains {
			for i, r := range c.Rules {
				if i == len(c.Rules)-1 {
					break
				}
				end := endsChain(t, r.Stmts)
				if end == endNone {
					continue
				}
				next := c.Rules[i+1]
				n, at := ruleNode(next), ruleNode(r)
				if n == nil || at == nil {
					break
				}
				more := ""
				if k := len(c.Rules) - i - 2; k == 1 {
					more = " (and 1 rule after it)"
				} else if k > 1 {
					more = fmt.Sprintf(" (and %d rules after it)", k)
				}
				p.Report(Diagnostic{
					Range: p.Range(n),
					Message: fmt.Sprintf("rule%s in %s is never evaluated: the earlier rule `%s` has no match and %s, so no packet gets past it; move that rule to the end or put these rules before it",
						more, describeChain(c), ruleText(r.Stmts), end.describe(r.Stmts)),
					Related: []Related{{Range: p.Range(at), Message: "every packet leaves the chain here"}},
				})
				break
			}
		}
	}
}

// describeChain names a chain for messages: `chain "input"`, or for an
// anonymous chain the named chain it is written in.
func describeChain(c *ruleset.Chain) string {
	anon := c.Anonymous
	for i := 0; c.Anonymous && c.Origin != nil && c.Origin.Chain != nil && i < 64; i++ {
		c = c.Origin.Chain
	}
	if c.Anonymous {
		return "an anonymous chain"
	}
	if anon {
		return fmt.Sprintf("an anonymous chain in chain %q", c.Name)
	}
	return fmt.Sprintf("chain %q", c.Name)
}

// chainTable is a table whose chains the checks that follow jumps
// (endsChain) look up by name: through a map built on the first lookup
// instead of Table.Chain's scan, so that a table of many chains that jump
// to each other costs linear time. Each check makes its own.
type chainTable struct {
	*ruleset.Table
	byName map[string]*ruleset.Chain
}

func newChainTable(t *ruleset.Table) *chainTable { return &chainTable{Table: t} }

// chain returns the chain called name (the first, as Table.Chain), or nil.
func (t *chainTable) chain(name string) *ruleset.Chain {
	if t.byName == nil {
		t.byName = make(map[string]*ruleset.Chain, len(t.Chains))
		for _, c := range t.Chains {
			if _, dup := t.byName[c.Name]; !dup {
				t.byName[c.Name] = c
			}
		}
	}
	return t.byName[name]
}

// chainEnd is how a rule ends the chain for every packet reaching it.
type chainEnd int

const (
	endNone    chainEnd = iota // the rule may let packets continue
	endVerdict                 // accept, drop or reject
	endReturn                  // return
	endGoto                    // goto
	endJump                    // jump to a chain that always accepts or drops
)

func (e chainEnd) describe(stmts []parser.Stmt) string {
	switch e {
	case endReturn:
		return "returns"
	case endGoto:
		return "ends in goto"
	case endJump:
		return "jumps to a chain that always accepts or drops"
	}
	if v, ok := stmts[len(stmts)-1].(*parser.VerdictStmt); ok {
		return "ends in " + v.Kind
	}
	return "rejects"
}

// endsChain reports how a rule ends the chain for every packet that
// reaches it (endNone when it may not).
func endsChain(t *chainTable, stmts []parser.Stmt) chainEnd {
	if len(stmts) == 0 {
		return endNone
	}
	for _, s := range stmts[:len(stmts)-1] {
		if !cannotStop(s) {
			return endNone
		}
	}
	switch v := stmts[len(stmts)-1].(type) {
	case *parser.VerdictStmt:
		switch v.Kind {
		case "accept", "drop":
			return endVerdict
		case "return":
			return endReturn
		case "goto":
			return endGoto
		case "jump":
			if alwaysDecides(t, v) {
				return endJump
			}
		}
	case *parser.RejectStmt:
		if rejectsAll(t, v) {
			return endVerdict
		}
	}
	return endNone
}

// cannotStop reports whether a statement neither matches nor can stop
// the rule: counters, logging, and setting marks to a constant.
func cannotStop(s parser.Stmt) bool {
	switch s := s.(type) {
	case *parser.KeywordStmt:
		return passiveKeyword(s)
	case *parser.SetStmt:
		sel, ok := unwrapVar(s.Target).(*parser.Selector)
		if !ok {
			return false
		}
		switch sel.Path() {
		case "meta mark", "mark", "meta priority", "priority", "meta nftrace", "nftrace", "ct mark":
			return alwaysLoads(s.Value, 0)
		}
	}
	return false
}

// alwaysLoads reports whether evaluating a value never stops the rule:
// constants, and the packet mark (always there). A map lookup stops the
// rule when the key is missing, a header field (tcp dport) brings an
// implicit protocol match, and ct keys stop it for packets without a
// conntrack entry: `meta mark set ct mark accept` does not accept every
// packet.
func alwaysLoads(e parser.Expr, depth int) bool {
	if e == nil || depth > maxInspectDepth {
		return false
	}
	switch x := e.(type) {
	case *parser.Number, *parser.Literal, *parser.StringLit:
		return !parser.IsNilNode(x)
	case *parser.VarRef:
		return x != nil && x.Value != nil && alwaysLoads(x.Value, depth+1)
	case *parser.Paren:
		return alwaysLoads(x.X, depth+1)
	case *parser.Binary:
		return alwaysLoads(x.X, depth+1) && alwaysLoads(x.Y, depth+1)
	case *parser.Selector:
		switch x.Path() {
		case "meta mark", "mark":
			return len(x.Args()) == 0
		}
	}
	return false
}

// passiveKeyword reports whether a keyword statement only records
// (counter, log, last): it neither stops the rule nor changes the packet.
func passiveKeyword(s *parser.KeywordStmt) bool {
	switch s.Keyword {
	case "counter", "log", "last":
		return true
	}
	return false
}

// rejectsAll reports whether a reject statement applies to every packet
// of the table's family: `reject with tcp reset` only applies to TCP, and
// `reject with icmp` in an inet table only to IPv4 (nft adds the match).
func rejectsAll(t *chainTable, r *parser.RejectStmt) bool {
	fam := familyOf(t.Table)
	switch r.With {
	case "", "icmpx":
		return fam == parser.FamilyIP || fam == parser.FamilyIP6 || fam == parser.FamilyInet
	case "icmp":
		return fam == parser.FamilyIP
	case "icmpv6":
		return fam == parser.FamilyIP6
	}
	return false
}

// alwaysDecides reports whether the chain a jump enters certainly ends
// in accept or drop, so that the jump never returns: its rules, up to an
// unconditional accept/drop/reject, contain nothing that can return
// (return, jump, goto, verdict maps).
func alwaysDecides(t *chainTable, v *parser.VerdictStmt) bool {
	// The rules are visited in place, not collected first: NFT308 asks
	// this for every jump of a large ruleset.
	switch {
	case v.Chain != nil:
		for _, it := range v.Chain.Items {
			if r, ok := it.(*parser.Rule); ok {
				if decides, done := ruleDecides(t, r.Stmts); done {
					return decides
				}
			}
		}
	default:
		name, ok := exprName(v.Target)
		if !ok {
			return false
		}
		c := t.chain(name)
		if c == nil || c.IsBase() {
			return false
		}
		for _, r := range c.Rules {
			if decides, done := ruleDecides(t, r.Stmts); done {
				return decides
			}
		}
	}
	return false
}

// ruleDecides is alwaysDecides' step for one rule of the called chain:
// done when the rule settles the answer (decides tells which way).
func ruleDecides(t *chainTable, stmts []parser.Stmt) (decides, done bool) {
	// Checked first: endsChain on a jump would recurse (and loop on a
	// chain that jumps to itself).
	for _, s := range stmts {
		switch s := s.(type) {
		case *parser.VerdictStmt:
			if s.Kind == "return" || s.Kind == "jump" || s.Kind == "goto" {
				return false, true
			}
		case *parser.VmapStmt, *parser.BadStmt:
			return false, true
		}
	}
	if endsChain(t, stmts) == endVerdict {
		return true, true
	}
	return false, false
}

// ruleText prints a rule's statements for a message, shortened to 60
// characters.
func ruleText(stmts []parser.Stmt) string {
	var rt ruleTexter
	return rt.text(stmts)
}

// ruleTexter prints rules for messages through one buffered writer, which
// the printer uses as it is: a check printing a thousand rules allocates
// the printer's buffer once, not once per statement.
type ruleTexter struct {
	b bytes.Buffer
	w *bufio.Writer
}

func (rt *ruleTexter) text(stmts []parser.Stmt) string {
	rt.b.Reset()
	if rt.w == nil {
		rt.w = bufio.NewWriter(&rt.b)
	}
	for i, s := range stmts {
		if i > 0 {
			rt.b.WriteByte(' ')
		}
		if err := parser.FprintNode(rt.w, s); err != nil {
			rt.w.Reset(&rt.b) // drop what the failed statement left buffered
			return "…"
		}
		if rt.b.Len() > 80 {
			break
		}
	}
	s := strings.Join(strings.Fields(rt.b.String()), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "…"
	}
	return s
}
