package checks

import (
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT206 reports protocol matches that the table's family or the rule's
// earlier matches rule out, which nft refuses ("conflicting protocols
// specified").
var nft206 = &Check{
	ID:       "NFT206",
	Name:     "protocol-conflict",
	Title:    "a rule uses a protocol its table family or its own earlier matches exclude",
	Severity: Error,
	Tags:     []string{"load", "correctness"},
	Doc: `nft adds an implicit protocol dependency for every header a rule reads: ` + "`ip saddr`" + `
needs an IPv4 packet, ` + "`tcp dport`" + ` a TCP segment. When that dependency contradicts the
table family or an earlier match of the same rule, nft refuses the file:

- ` + "`ip …`" + ` in an ` + "`ip6`" + ` table, ` + "`ip6 …`" + ` or an IPv6 extension header (` + "`frag`" + `, ` + "`rt`" + `, …) in
  an ` + "`ip`" + ` table, ` + "`arp …`" + ` outside arp/bridge/netdev tables, IP or transport headers in
  an ` + "`arp`" + ` table, ` + "`meta nfproto`" + ` outside inet tables;
- ` + "`ip saddr … ip6 daddr …`" + ` in one rule, ` + "`meta nfproto ipv6 ip saddr …`" + `,
  ` + "`tcp dport 22 udp dport 53`" + `, ` + "`meta l4proto udp tcp dport 53`" + `;
- ` + "`reject with icmpv6`" + ` for IPv4 packets (and the reverse), ` + "`reject with tcp reset`" + ` after
  a non-TCP match;
- NAT to an address in an ` + "`inet`" + ` table without ` + "`ip`" + `/` + "`ip6`" + ` (` + "`dnat ip to …`" + `) and no
  earlier IPv4/IPv6 match; a port in ` + "`dnat`" + `/` + "`snat`" + `/` + "`redirect`" + `/` + "`masquerade`" + ` or
  any ` + "`tproxy`" + ` without a transport protocol match.

Messages of nft 1.0.6: "conflicting protocols specified: ip vs. ip6", "cannot use
exthdr with ip", "meta nfproto is only useful in the inet family", "ip or ip6 must
be specified with address for inet tables", "transport protocol mapping is only
valid after transport protocol match".

**What breaks:** the whole file is refused. Even where nft accepted such a rule, it
could never match.

**Fix:** move the rule to a table of the right family (usually ` + "`inet`" + `, which sees
IPv4 and IPv6), split it into one rule per protocol, or add the missing qualifier
(` + "`dnat ip to 192.0.2.1`" + `, ` + "`meta l4proto tcp`" + ` before ` + "`tproxy`" + `).`,
	Run: runProtocolConflict,
}

// transportSingle returns, for a transport header whose selectors imply
// `meta l4proto X`, its one-element protocol list (shared and read only,
// so that a rule's state holds it without allocating); nil for other
// protocols.
func transportSingle(proto string) []string {
	switch proto {
	case "tcp":
		return l4TCP
	case "udp":
		return l4UDP
	case "udplite":
		return l4UDPLite
	case "sctp":
		return l4SCTP
	case "dccp":
		return l4DCCP
	}
	return nil
}

var (
	l4TCP     = []string{"tcp"}
	l4UDP     = []string{"udp"}
	l4UDPLite = []string{"udplite"}
	l4SCTP    = []string{"sctp"}
	l4DCCP    = []string{"dccp"}
)

// l4Numbers maps protocol numbers to names for `meta l4proto 6`.
var l4Numbers = map[uint64]string{6: "tcp", 17: "udp", 136: "udplite", 132: "sctp", 33: "dccp", 1: "icmp", 58: "icmpv6"}

// protoState is what a rule has established so far about a packet.
type protoState struct {
	l3     string      // "ip", "ip6" or ""
	l3At   parser.Node // where l3 was established
	l4     []string    // possible transport protocols; nil when unknown
	l4At   parser.Node
	l4Seen bool // some transport protocol was matched (also th, sets)
	// etherType is the value of an `ether type` match, "" when none.
	etherType string
}

// protoChecker checks the rules of one run. It holds the state of the
// rule being checked and is the visitor of the walks over its
// expressions, so that neither is allocated per rule.
type protoChecker struct {
	fam    parser.Family
	st     protoState
	l4buf  []string // the protocol lists of the rule's state (see l4Values)
	report func(n parser.Node, via *parser.VarRef, format string, args ...any)
}

func runProtocolConflict(p *Pass) {
	c := &protoChecker{report: func(n parser.Node, via *parser.VarRef, format string, args ...any) {
		reportVia(p, n, via, Error, fmt.Sprintf(format, args...))
	}}
	for _, t := range p.Ruleset.Tables {
		c.fam = familyOf(t)
		eachRuleOfTable(t, func(r ruleRef) { c.checkRule(r.Stmts) })
	}
}

func (c *protoChecker) checkRule(stmts []parser.Stmt) {
	c.st = protoState{}
	c.l4buf = c.l4buf[:0]
	st, fam, report := &c.st, c.fam, c.report
	switch fam {
	case parser.FamilyIP:
		st.l3 = "ip"
	case parser.FamilyIP6:
		st.l3 = "ip6"
	}
	for _, s := range stmts {
		switch x := s.(type) {
		case *parser.MatchStmt:
			c.checkMatch(x)
		case *parser.SetStmt, *parser.VmapStmt:
			// Selectors on the left of `set`/`vmap` create dependencies too.
			var left parser.Expr
			if ss, ok := x.(*parser.SetStmt); ok {
				left = ss.Target
			} else {
				left = x.(*parser.VmapStmt).Key
			}
			c.checkSelectorsIn(left)
		case *parser.RejectStmt:
			switch x.With {
			case "icmp":
				if st.l3 == "ip6" || fam == parser.FamilyIP6 {
					report(x, nil, "reject with icmp answers IPv4 packets, but this rule only sees IPv6 ones: nft refuses it (\"conflicting protocols specified: ip vs ip6\"); use `reject with icmpv6` or `icmpx`")
				}
			case "icmpv6":
				if st.l3 == "ip" || fam == parser.FamilyIP {
					report(x, nil, "reject with icmpv6 answers IPv6 packets, but this rule only sees IPv4 ones: nft refuses it (\"conflicting protocols specified: ip vs ip6\"); use `reject with icmp` or `icmpx`")
				}
			case "tcp reset":
				if len(st.l4) > 0 && !(len(st.l4) == 1 && st.l4[0] == "tcp") {
					report(x, nil, "reject with tcp reset needs TCP packets, but this rule matched %s: nft refuses it (\"you cannot use tcp reset with this protocol\"); use `reject` or match `tcp` first", strings.Join(st.l4, ", "))
				}
			}
		case *parser.NatStmt:
			checkNatProtocols(fam, st, x, report)
		case *parser.KeywordStmt:
			if x.Keyword == "tproxy" {
				checkTproxy(fam, st, x, report)
			}
		}
	}
}

func checkNatProtocols(fam parser.Family, st *protoState, x *parser.NatStmt, report func(parser.Node, *parser.VarRef, string, ...any)) {
	natFam := string(x.Family)
	if fam == parser.FamilyInet && natFam == "" && x.Addr != nil && st.l3 == "" &&
		(x.Kind == "snat" || x.Kind == "dnat") && natNeedsFamily(x.Addr) {
		report(x, nil, "%s to an address in an inet table needs `ip` or `ip6` (`%s ip to …`) or an earlier IPv4/IPv6 match: nft refuses it (\"ip or ip6 must be specified with address for inet tables\")", x.Kind, x.Kind)
	}
	if natFam != "" && st.l3 != "" && natFam != st.l3 {
		report(x, nil, "%s %s contradicts the %s packets this rule matches: nft refuses it (\"conflicting protocols specified\")", x.Kind, natFam, st.l3)
	} else if msg := addrFamilyProblem(natFam, st.l3, x.Addr); msg != "" {
		report(x.Addr, nil, "%s", msg)
	}
	if x.Port != nil && !st.l4Seen {
		report(x.Port, nil, "a port in %s needs a transport protocol match earlier in the rule: nft refuses it (\"transport protocol mapping is only valid after transport protocol match\"); add e.g. `meta l4proto tcp` or `tcp dport …`", x.Kind)
	}
}

// natNeedsFamily reports whether a NAT address is a literal address (nft
// cannot guess its family in an inet table from a map lookup either, but
// that case has its own messages).
func natNeedsFamily(addr parser.Expr) bool {
	switch ruleset.ClassOf(unwrapVar(addr)) {
	case ruleset.ClassIPv4, ruleset.ClassIPv6:
		return true
	}
	return false
}

func (c *protoChecker) checkMatch(m *parser.MatchStmt) {
	c.checkSelectorsIn(m.Left)
	st, fam, report := &c.st, c.fam, c.report
	sel, ok := m.Left.(*parser.Selector)
	if !ok || (m.Op != parser.OpImplicit && m.Op != parser.OpEq) {
		return
	}
	// The paths below have one or two words and start with one of these:
	// most selectors (tcp dport, ip saddr, ct state) need no path.
	if len(sel.Words) == 0 || len(sel.Words) > 2 {
		return
	}
	switch sel.Words[0].Name {
	case "meta", "nfproto", "ether", "ip", "ip6":
	default:
		return
	}
	var buf [64]byte
	switch string(sel.AppendPath(buf[:0])) {
	case "meta nfproto", "nfproto":
		if fam != parser.FamilyInet {
			report(sel, nil, "meta nfproto is only useful in inet tables (a %s table sees only its own family): nft refuses it (\"meta nfproto is only useful in the inet family\"); remove the match", fam)
			return
		}
		switch singleWord(m.Right) {
		case "ipv4":
			setL3(st, "ip", sel, report)
		case "ipv6":
			setL3(st, "ip6", sel, report)
		}
	case "ether type":
		st.etherType = singleWord(m.Right)
		// nft checks this against earlier matches only in tables that see
		// several network protocols; an ip table accepts `ether type ip6`.
		if fam == parser.FamilyIP || fam == parser.FamilyIP6 {
			return
		}
		if v := singleWord(m.Right); v == "ip" || v == "ip6" {
			setL3(st, v, sel, report)
		}
	case "meta l4proto", "ip protocol", "ip6 nexthdr":
		protos := c.l4Values(m.Right)
		if protos == nil {
			return
		}
		st.l4Seen = true
		if st.l4 == nil {
			st.l4, st.l4At = protos, sel
		}
	}
}

// checkSelectorsIn checks every selector inside e against the family and
// what the rule established, and records what it establishes.
func (c *protoChecker) checkSelectorsIn(e parser.Expr) {
	// Most left sides are a selector, or a concatenation of selectors,
	// without arguments: they need no walk.
	switch x := e.(type) {
	case nil:
		return
	case *parser.Selector:
		if x != nil && len(x.Args()) == 0 {
			c.checkSelector(x, nil)
			return
		}
	case *parser.Concat:
		if x != nil && plainSelectors(x.Parts) {
			for _, part := range x.Parts {
				c.checkSelector(part.(*parser.Selector), nil)
			}
			return
		}
	}
	walkSelectors(c, e, nil, 0)
}

// visit checks the selectors of checkSelectorsIn's walk; it does not walk
// below a selector it reported.
func (c *protoChecker) visit(n parser.Node, via *parser.VarRef) visitor {
	if sel, ok := n.(*parser.Selector); ok && !c.checkSelector(sel, via) {
		return nil
	}
	return c
}

// plainSelectors reports whether every part is a selector without arguments.
func plainSelectors(parts []parser.Expr) bool {
	for _, part := range parts {
		sel, ok := part.(*parser.Selector)
		if !ok || sel == nil || len(sel.Args()) > 0 {
			return false
		}
	}
	return true
}

// checkSelector checks one selector against the family and what the rule
// established, and records what it establishes; false when it reported.
func (c *protoChecker) checkSelector(sel *parser.Selector, via *parser.VarRef) bool {
	st, fam, report := &c.st, c.fam, c.report
	proto := ruleset.SelectorOf(sel).Proto
	if msg := familyProblem(fam, proto); msg != "" {
		report(sel, via, "%s", msg)
		return false
	}
	if proto == "vlan" && st.etherType != "" && st.etherType != "vlan" && st.etherType != "8021q" && st.etherType != "8021ad" {
		report(sel, via, "%s reads a VLAN header, but the rule already matched ether type %s: nft refuses it (\"conflicting protocols specified: ether vs. vlan\"); match `vlan type %s` after the vlan match instead",
			sel.Path(), st.etherType, st.etherType)
		return false
	}
	switch proto {
	case "ip", "ip6":
		setL3(st, proto, sel, report)
	case "exthdr":
		setL3(st, "ip6", sel, report)
	}
	if single := transportSingle(proto); single != nil {
		st.l4Seen = true
		if st.l4 != nil && !(len(st.l4) == 1 && st.l4[0] == proto) {
			report(sel, via, "%s matches %s, but the rule already matched %s: nft refuses it (\"conflicting protocols specified: %s vs. %s\"); split the rule, or use `th` for ports of several protocols",
				sel.Path(), proto, strings.Join(st.l4, ", "), strings.Join(st.l4, ", "), proto)
			return false
		}
		st.l4, st.l4At = single, sel
	}
	if len(sel.Words) > 0 && sel.Words[0].Name == "th" {
		st.l4Seen = true
	}
	return true
}

func setL3(st *protoState, l3 string, at parser.Node, report func(parser.Node, *parser.VarRef, string, ...any)) {
	if st.l3 != "" && st.l3 != l3 {
		report(at, nil, "this matches %s packets, but the rule already requires %s: nft refuses it (\"conflicting protocols specified: %s vs. %s\"); split the rule into one per address family",
			familyWord(l3), familyWord(st.l3), st.l3, l3)
		return
	}
	st.l3, st.l3At = l3, at
}

func familyWord(l3 string) string {
	if l3 == "ip6" {
		return "IPv6"
	}
	return "IPv4"
}

// familyProblem explains why a header cannot be matched in a table of the
// family (verified with nft 1.0.6), or returns "".
func familyProblem(fam parser.Family, proto string) string {
	switch fam {
	case parser.FamilyIP:
		switch proto {
		case "ip6":
			return "ip6 headers never appear in an ip table: nft refuses it (\"conflicting protocols specified: ip vs. ip6\"); use an ip6 or inet table"
		case "exthdr":
			return "IPv6 extension headers never appear in an ip table: nft refuses it (\"cannot use exthdr with ip\"); use an ip6 or inet table"
		case "arp":
			return "arp headers never appear in an ip table: nft refuses it (\"conflicting protocols specified: ip vs. arp\"); use an arp, bridge or netdev table"
		}
	case parser.FamilyIP6:
		switch proto {
		case "ip":
			return "ip (IPv4) headers never appear in an ip6 table: nft refuses it (\"conflicting protocols specified: ip6 vs. ip\"); use an ip or inet table"
		case "arp":
			return "arp headers never appear in an ip6 table: nft refuses it (\"conflicting protocols specified: ip6 vs. arp\"); use an arp, bridge or netdev table"
		}
	case parser.FamilyInet:
		if proto == "arp" {
			return "arp headers never appear in an inet table: nft refuses it (\"conflicting protocols specified: inet vs. arp\"); use an arp, bridge or netdev table"
		}
	case parser.FamilyARP:
		switch proto {
		case "ip", "ip6", "icmp", "icmpv6", "igmp", "tcp", "udp", "udplite", "sctp", "dccp", "ah", "esp", "comp":
			return fmt.Sprintf("%s headers never appear in an arp table (it sees ARP packets only): nft refuses it (\"conflicting protocols specified: arp vs. %s\"); use an ip, ip6 or inet table", proto, proto)
		case "exthdr":
			return "IPv6 extension headers never appear in an arp table: nft refuses it (\"cannot use exthdr with arp\")"
		}
	}
	return ""
}

// singleWord returns the lower-case word of a single-value right-hand side.
func singleWord(e parser.Expr) string {
	if name, ok := exprName(unwrapVar(e)); ok {
		return strings.ToLower(name)
	}
	return ""
}

// l4Values returns the transport protocols a `meta l4proto` right-hand
// side names: one value, or the elements of an anonymous set. nil when
// any element is not understood. The names are kept in c.l4buf, which
// checkRule empties for each rule: the state of a rule may refer to them
// until then.
func (c *protoChecker) l4Values(e parser.Expr) []string {
	start := len(c.l4buf)
	var ok bool
	switch x := unwrapVar(e).(type) {
	case *parser.SetLit:
		c.l4buf, ok = appendL4Set(c.l4buf, x)
	default:
		v := l4Value(x)
		if single := transportSingle(v); single != nil {
			return single
		}
		c.l4buf, ok = append(c.l4buf, v), v != ""
	}
	if !ok || len(c.l4buf) == start {
		c.l4buf = c.l4buf[:start]
		return nil
	}
	return c.l4buf[start:len(c.l4buf):len(c.l4buf)]
}

// appendL4Set appends the transport protocols of a set's elements to dst;
// false when one of them is not understood.
func appendL4Set(dst []string, x *parser.SetLit) ([]string, bool) {
	for _, el := range x.Elems {
		if run, ok := el.(*parser.ElemRun); ok {
			// Packed numbers: one protocol each; addresses are none.
			for i := range run.Len() {
				lo, _ := run.Bounds(i)
				if run.Family() != parser.RunNumber || run.Form(i) != parser.FormSingle || lo.Hi != 0 || l4Numbers[lo.Lo] == "" {
					return dst, false
				}
				dst = append(dst, l4Numbers[lo.Lo])
			}
			continue
		}
		if ee, ok := el.(*parser.Elem); ok {
			el = ee.Value
		}
		v := l4Value(el)
		if v == "" {
			return dst, false
		}
		dst = append(dst, v)
	}
	return dst, true
}

// l4Value returns the transport protocol one value names, "" when none.
func l4Value(e parser.Expr) string {
	e = unwrapVar(e)
	if n, ok := e.(*parser.Number); ok {
		return l4Numbers[n.Value]
	}
	return singleWord(e)
}

// addrFamilyProblem reports a literal NAT or tproxy address whose family
// contradicts the statement's family qualifier or the rule's packets.
func addrFamilyProblem(qualifier, l3 string, addr parser.Expr) string {
	want := qualifier
	if want == "" {
		want = l3
	}
	if want == "" || addr == nil {
		return ""
	}
	switch c := ruleset.ClassOf(unwrapVar(addr)); {
	case c == ruleset.ClassIPv6 && want == "ip":
		return "this is an IPv6 address, but the statement translates IPv4 packets: nft refuses it (\"Could not resolve hostname\"); use ip6 and an IPv6 rule, or an IPv4 address"
	case c == ruleset.ClassIPv4 && want == "ip6":
		return "this is an IPv4 address, but the statement translates IPv6 packets: nft refuses it (\"Could not resolve hostname\"); use ip and an IPv4 rule, or an IPv6 address"
	}
	return ""
}

// checkTproxy checks `tproxy [ip|ip6] to ADDR[:PORT]`.
func checkTproxy(fam parser.Family, st *protoState, x *parser.KeywordStmt, report func(parser.Node, *parser.VarRef, string, ...any)) {
	if !st.l4Seen {
		report(x, nil, "tproxy needs a transport protocol match earlier in the rule: nft refuses it (\"Transparent proxy support requires transport protocol match\"); add e.g. `meta l4proto tcp`")
		return
	}
	qualifier := ""
	var addr parser.Expr
	for _, a := range x.Args {
		switch a.Key {
		case "ip", "ip6":
			qualifier = a.Key
		case "to":
			addr = a.Value
		}
	}
	if qualifier != "" && st.l3 != "" && qualifier != st.l3 {
		report(x, nil, "tproxy %s contradicts the %s packets this rule matches: nft refuses it (\"conflicting protocols specified\")", qualifier, st.l3)
		return
	}
	if fam == parser.FamilyInet && qualifier == "" && st.l3 == "" && natNeedsFamily(addr) {
		report(x, nil, "tproxy to an address in an inet table needs `ip` or `ip6` (`tproxy ip to …`): nft refuses it (\"ip or ip6 must be specified with address for inet tables\")")
		return
	}
	if msg := addrFamilyProblem(qualifier, st.l3, addr); msg != "" {
		report(addr, nil, "%s", msg)
	}
}
