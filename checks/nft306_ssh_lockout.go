package checks

import (
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT306 reports input chains that drop by default and never accept SSH.
var nft306 = &Check{
	ID:       "NFT306",
	Name:     "ssh-lockout",
	Title:    "an input chain drops by default and never accepts SSH (port 22)",
	Severity: Info,
	Tags:     []string{"safety"},
	Doc: `A host managed over SSH needs its input filter to accept new connections to
sshd. When an input chain drops by default (` + "`policy drop`" + `, or a catch-all ` + "`drop`" + ` or
` + "`reject`" + ` at its end) and no rule it reaches can accept TCP port 22, loading the
ruleset on a remote machine locks you out: the session you load it from may survive
(if established connections are accepted), but the next login fails, and you need
a console to get back in.

nftlint looks for any accept that might let port 22 in: ` + "`tcp dport 22`" + `, ` + "`ssh`" + `, ranges and
sets containing 22, verdict maps, rules that accept whole networks or interfaces,
jumps into other chains. It stays silent as soon as one might. If sshd listens on
another port, or the host is never managed over SSH, suppress the finding.

**Fix:** add ` + "`tcp dport 22 accept`" + ` (preferably restricted to your management network),
and load new rulesets safely: keep a second session open while testing, check the
file first with ` + "`nft -c -f FILE`" + `, and load it with a timed rollback, e.g. save the old
ruleset with ` + "`nft list ruleset > /root/rollback.nft`" + ` and schedule
` + "`nft -f /root/rollback.nft`" + ` to run in a few minutes unless you cancel it.`,
	Run: runSSHLockout,
}

func runSSHLockout(p *Pass) {
	for _, t := range p.Ruleset.Tables {
		ct := newChainTable(t)
		switch familyOf(t) {
		case parser.FamilyIP, parser.FamilyIP6, parser.FamilyInet:
		default:
			continue
		}
		for _, c := range t.Chains {
			if !c.IsBase() || c.Base.Hook != ruleset.HookInput || c.Base.Type != "filter" {
				continue
			}
			at := denyNode(ct, c)
			if at == nil || mayAcceptSSH(p, c) {
				continue
			}
			p.Report(Diagnostic{Range: p.Range(at), Message: fmt.Sprintf(
				"%s input chain %q drops new connections to TCP port 22 (ssh): loading it on a host you manage over SSH locks you out; accept `tcp dport 22` (from your management network), keep a second session open, check with `nft -c -f`, and load with a timed rollback",
				familyOf(t), c.Name)})
		}
	}
}

// denyNode returns where a base chain denies by default: its drop policy,
// or its first unconditional drop or reject rule; nil when it does not.
func denyNode(t *chainTable, c *ruleset.Chain) parser.Node {
	if c.Base.Policy == "drop" {
		return policyNode(c)
	}
	for _, r := range c.Rules {
		if endsChain(t, r.Stmts) == endVerdict && !endsInAccept(r.Stmts) {
			return ruleNode(r)
		}
	}
	return nil
}

// mayAcceptSSH reports whether some rule reachable from c may accept a
// new TCP connection to port 22.
func mayAcceptSSH(p *Pass, c *ruleset.Chain) bool {
	found := false
	eachReachableRule(p, c, func(stmts []parser.Stmt) bool {
		found = ruleMayAcceptSSH(c.Table, stmts)
		return !found
	})
	return found
}

func ruleMayAcceptSSH(t *ruleset.Table, stmts []parser.Stmt) bool {
	for i, s := range stmts {
		switch s := s.(type) {
		case *parser.MatchStmt:
			if sshExcluded(t, s.Left, s.Op, s.Right) {
				return false
			}
		case *parser.VerdictStmt:
			return s.Kind == "accept" && i == len(stmts)-1
		case *parser.VmapStmt:
			return vmapMayAcceptSSH(t, s)
		}
	}
	return false
}

// vmapMayAcceptSSH reports whether a verdict map may accept new SSH
// connections: an accept element whose key does not exclude them, or a
// map nftlint cannot enumerate.
func vmapMayAcceptSSH(t *ruleset.Table, s *parser.VmapStmt) bool {
	lit, ok := unwrapVar(s.Map).(*parser.SetLit)
	if !ok || lit.Var != nil {
		return true // a named map: may hold anything at run time
	}
	for _, el := range lit.Elems {
		if e, ok := el.(*parser.Elem); ok {
			el = e.Value
		}
		me, ok := el.(*parser.MapElem)
		if !ok {
			return true
		}
		v, ok := unwrapVar(me.Value).(*parser.Verdict)
		if !ok || v.Kind == "jump" || v.Kind == "goto" {
			continue // jump targets are searched as reachable chains
		}
		if v.Kind == "accept" && !sshExcluded(t, s.Key, parser.OpImplicit, me.Key) {
			return true
		}
	}
	return false
}

// sshExcluded reports whether the match `left op right` certainly fails
// for a new TCP connection to port 22 arriving from another host.
func sshExcluded(t *ruleset.Table, left parser.Expr, op parser.MatchOp, right parser.Expr) bool {
	sel, ok := unparenExpr(left).(*parser.Selector)
	if !ok || len(sel.Words) == 0 {
		return false
	}
	eq := op == parser.OpImplicit || op == parser.OpEq
	switch head := strings.ToLower(sel.Words[0].Name); head {
	case "udp", "udplite", "sctp", "dccp", "icmp", "icmpv6", "igmp", "esp", "ah", "comp", "gre", "arp":
		return true // these selectors only match packets of another protocol
	}
	switch sel.Path() {
	case "tcp dport", "th dport":
		has, known := valuesContain(t, right, sshPort)
		switch {
		case !known:
			return false
		case eq:
			return !has
		case op == parser.OpNe:
			return has
		}
	case "ct state":
		words := valueWords(right)
		if len(words) == 0 {
			return false
		}
		hasNew := false
		for _, w := range words {
			switch w {
			case "new":
				hasNew = true
			case "established", "related", "invalid", "untracked":
			default:
				return false
			}
		}
		return eq && !hasNew || op == parser.OpNe && hasNew
	case "iif", "iifname", "meta iif", "meta iifname":
		words := valueWords(right)
		if !eq || len(words) == 0 {
			return false
		}
		for _, w := range words {
			if w != "lo" {
				return false
			}
		}
		return true
	case "iiftype", "meta iiftype":
		return eq && containsWord(right, "loopback") && len(valueWords(right)) == 1
	case "meta l4proto", "ip protocol", "ip6 nexthdr":
		has, known := valuesContain(t, right, tcpProtocol)
		return known && (eq && !has || op == parser.OpNe && has)
	}
	return false
}

// valueTest decides whether single values are the one a check looks for:
// node for a value written as an AST node, num for an integer of a packed
// run (parser.ElemRun), which holds the plain numbers and addresses.
type valueTest struct {
	node func(parser.Expr) (has, known bool)
	num  uint64
}

// sshPort decides whether single port values are 22.
var sshPort = valueTest{node: isPort22, num: 22}

// tcpProtocol decides whether single protocol values are TCP.
var tcpProtocol = valueTest{node: isProtoTCP, num: 6}

// isPort22 decides whether a single port value is 22: true/false, and
// whether the value is understood.
func isPort22(x parser.Expr) (bool, bool) {
	switch x := x.(type) {
	case *parser.Number:
		return !x.Neg && x.Value == 22, !x.Overflow
	case *parser.Literal:
		if x.Kind == parser.LitWord || x.Kind == parser.LitString {
			// A service name: only "ssh" is port 22.
			return strings.EqualFold(x.Text, "ssh"), true
		}
	case *parser.RangeExpr:
		lo, ok1 := unwrapVar(x.Lo).(*parser.Number)
		hi, ok2 := unwrapVar(x.Hi).(*parser.Number)
		if ok1 && ok2 && !lo.Neg && !hi.Neg {
			return lo.Value <= 22 && 22 <= hi.Value, true
		}
	}
	return false, false
}

// isProtoTCP decides whether a single protocol value is TCP.
func isProtoTCP(x parser.Expr) (bool, bool) {
	switch x := x.(type) {
	case *parser.Number:
		return !x.Neg && x.Value == 6, !x.Overflow
	case *parser.Literal:
		if x.Kind == parser.LitWord || x.Kind == parser.LitString {
			return strings.EqualFold(x.Text, "tcp"), true
		}
	case *parser.RangeExpr:
		lo, ok1 := unwrapVar(x.Lo).(*parser.Number)
		hi, ok2 := unwrapVar(x.Hi).(*parser.Number)
		if ok1 && ok2 && !lo.Neg && !hi.Neg {
			return lo.Value <= 6 && 6 <= hi.Value, true
		}
	}
	return false, false
}

// runElem decides element i of a packed run the way is.node decides the
// node At(i) builds, without building it: integers and integer ranges
// are compared by value; addresses, prefixes and address ranges are
// values neither test understands. Integers beyond 64 bits (which the
// node marks as overflowing) go through the node.
func (is valueTest) runElem(r *parser.ElemRun, i int) (has, known bool) {
	if r.Family() != parser.RunNumber {
		return false, false
	}
	lo, hi := r.Bounds(i)
	if lo.Hi != 0 || hi.Hi != 0 {
		return is.node(r.At(i))
	}
	switch r.Form(i) {
	case parser.FormSingle:
		return lo.Lo == is.num, true
	case parser.FormRange:
		return lo.Lo <= is.num && is.num <= hi.Lo, true
	}
	return is.node(r.At(i))
}

// valuesContain evaluates a right-hand side (a value, a comma list, an
// anonymous set, a named set with fixed elements, a $variable) with is:
// whether some value satisfies it, and whether every value was understood.
func valuesContain(t *ruleset.Table, x parser.Expr, is valueTest) (has, known bool) {
	return valuesContainDepth(t, x, is, 0)
}

func valuesContainDepth(t *ruleset.Table, x parser.Expr, is valueTest, depth int) (bool, bool) {
	if depth > 32 || x == nil {
		return false, false
	}
	var elems []parser.Expr
	switch v := x.(type) {
	case *parser.VarRef:
		if v.Value == nil {
			return false, false
		}
		return valuesContainDepth(t, v.Value, is, depth+1)
	case *parser.Paren:
		return valuesContainDepth(t, v.X, is, depth+1)
	case *parser.Elem:
		return valuesContainDepth(t, v.Value, is, depth+1)
	case *parser.SetLit:
		if v.Var != nil {
			return valuesContainDepth(t, v.Var, is, depth+1)
		}
		elems = v.Elems
	case *parser.List:
		elems = v.Elems
	case *parser.SetRef:
		return namedSetContains(t, v.Name, is, depth)
	case *parser.ElemRun:
		known := true
		for i := range v.Len() {
			h, k := is.runElem(v, i)
			if h && k {
				return true, true
			}
			known = known && k
		}
		return false, known
	default:
		return is.node(v)
	}
	known := true
	for _, el := range elems {
		h, k := valuesContainDepth(t, el, is, depth+1)
		if h && k {
			return true, true
		}
		known = known && k
	}
	return false, known
}

// namedSetContains is valuesContain for the elements of the named set
// @name of table t, packed runs included.
func namedSetContains(t *ruleset.Table, name string, is valueTest, depth int) (bool, bool) {
	s := t.Set(name)
	if s == nil || s.IsMap || s.Len() == 0 {
		return false, false
	}
	for _, f := range s.Flags {
		if f == "dynamic" || f == "timeout" {
			return false, false // filled at run time
		}
	}
	has, known := false, true
	s.Chunks(func(els []*ruleset.Element, run *parser.ElemRun) bool {
		if run != nil {
			h, k := valuesContainDepth(t, run, is, depth+1)
			has, known = h && k, known && k
			return !has
		}
		for _, el := range els {
			h, k := valuesContainDepth(t, el.Key, is, depth+1)
			if h && k {
				has = true
				return false
			}
			known = known && k
		}
		return true
	})
	if has {
		return true, true
	}
	return false, known
}
