package ruleset

// Analyses shared by the checks: which base chains a packet meets on a
// hook, and what a chain does to a packet whose properties are partly
// known.
//
// The evaluation is three-valued and over-approximates: a match nftlint
// cannot decide (ip saddr 10.0.0.0/8, a rate limit, a mark) "may or may not
// match", and the result of a chain is the set of every verdict it may
// give. Because the set is never too small, a result holding only Drop is
// certain: every packet with the given properties is dropped. Checks that
// claim breakage rely on exactly that, so an unknown construct must
// always widen the set, never narrow it.

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/nftlint/nftlint/parser"
)

// Truth is a three-valued truth value.
type Truth int8

const (
	No Truth = iota
	Yes
	Maybe
)

func (t Truth) not() Truth {
	switch t {
	case No:
		return Yes
	case Yes:
		return No
	}
	return Maybe
}

func or(a, b Truth) Truth {
	if a == Yes || b == Yes {
		return Yes
	}
	if a == Maybe || b == Maybe {
		return Maybe
	}
	return No
}

func and(a, b Truth) Truth {
	if a == No || b == No {
		return No
	}
	if a == Maybe || b == Maybe {
		return Maybe
	}
	return Yes
}

// ---------------------------------------------------------------------------
// Hooks

// SeesFamily reports whether base chains of a table in family tf see
// packets of network family pf (FamilyIP for IPv4, FamilyIP6 for IPv6):
// ip tables see IPv4, ip6 tables IPv6, inet tables both. bridge, netdev
// and arp tables see only their own family's hooks.
func SeesFamily(tf, pf Family) bool {
	if tf == parser.FamilyNone {
		tf = parser.FamilyIP
	}
	if tf == pf {
		return true
	}
	return tf == parser.FamilyInet && (pf == parser.FamilyIP || pf == parser.FamilyIP6)
}

// HookChains returns every base chain on hook h, in any table whose
// family sees packets of family pf, sorted by priority (chains of equal
// priority run in an order the kernel does not define; they keep
// creation order here). Chains whose priority could not be resolved sort
// by their unresolved value and are still included.
func (rs *Ruleset) HookChains(h Hook, pf Family) []*Chain {
	var out []*Chain
	for _, t := range rs.Tables {
		if !SeesFamily(t.Family, pf) {
			continue
		}
		for _, c := range t.Chains {
			if c.Base != nil && c.Base.Hook == h {
				out = append(out, c)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Base.Priority < out[j].Base.Priority })
	return out
}

// ---------------------------------------------------------------------------
// Packets

// Iface is what is known about a packet's input or output interface name.
// The zero value means nothing is known.
type Iface struct {
	// Pattern is an interface-name pattern the name is known to match:
	// an exact name ("docker0") or, with a trailing '*', a prefix ("br-*").
	// Empty means unknown.
	Pattern string
	// Not lists patterns the name is known not to match.
	Not []string
}

// Packet is what is known about a packet. Unknown properties are left zero.
type Packet struct {
	Family  Family // FamilyIP (IPv4) or FamilyIP6 (IPv6)
	IIf     Iface
	OIf     Iface
	CtState string // "new", "established", "related", "invalid", "untracked"; "" when unknown
}

// ifacePattern is a parsed interface-name pattern.
type ifacePattern struct {
	name   string
	prefix bool // name is a prefix: the pattern ended in an unescaped '*'
}

// parseIfacePattern parses nft's interface-name syntax: a trailing '*'
// is a wildcard, "\*" a literal star.
func parseIfacePattern(s string) ifacePattern {
	if strings.HasSuffix(s, "*") && !strings.HasSuffix(s, `\*`) {
		return ifacePattern{name: strings.ReplaceAll(s[:len(s)-1], `\*`, "*"), prefix: true}
	}
	return ifacePattern{name: strings.ReplaceAll(s, `\*`, "*")}
}

// subset reports whether every name matching a also matches b.
func (a ifacePattern) subset(b ifacePattern) bool {
	if !b.prefix {
		return !a.prefix && a.name == b.name
	}
	return strings.HasPrefix(a.name, b.name)
}

// disjoint reports whether no name matches both a and b.
func (a ifacePattern) disjoint(b ifacePattern) bool {
	switch {
	case !a.prefix && !b.prefix:
		return a.name != b.name
	case !a.prefix:
		return !strings.HasPrefix(a.name, b.name)
	case !b.prefix:
		return !strings.HasPrefix(b.name, a.name)
	}
	return !strings.HasPrefix(a.name, b.name) && !strings.HasPrefix(b.name, a.name)
}

// MatchPattern reports whether an interface known as i matches the
// nft interface-name pattern pat (as in `iifname "br-*"`).
func (i Iface) MatchPattern(pat string) Truth {
	p := parseIfacePattern(pat)
	if i.Pattern != "" {
		v := parseIfacePattern(i.Pattern)
		if v.subset(p) {
			return Yes
		}
		if v.disjoint(p) {
			return No
		}
	}
	for _, n := range i.Not {
		if p.subset(parseIfacePattern(n)) {
			return No
		}
	}
	if i.Pattern == "" && p.prefix && p.name == "" {
		return Yes // "*" matches every name
	}
	return Maybe
}

// String describes the interface for messages.
func (i Iface) String() string {
	if i.Pattern != "" {
		return i.Pattern
	}
	if len(i.Not) > 0 {
		return "an interface other than " + strings.Join(i.Not, ", ")
	}
	return "any interface"
}

// ---------------------------------------------------------------------------
// Verdicts

// Verdict is a set of verdicts.
type Verdict uint8

const (
	Accept Verdict = 1 << iota
	Drop           // drop, reject, or a drop policy
	// Return means the chain ended without a verdict (return, or the end
	// of its rules): the caller continues, or a base chain's policy
	// applies.
	Return
	// Other stands for verdicts nftlint does not follow: queue, stolen
	// packets (fwd, synproxy), unknown statements.
	Other
)

func (v Verdict) String() string {
	var parts []string
	for _, x := range []struct {
		v Verdict
		s string
	}{{Accept, "accept"}, {Drop, "drop"}, {Return, "return"}, {Other, "other"}} {
		if v&x.v != 0 {
			parts = append(parts, x.s)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}

// Decision is one way a chain can decide a packet's fate.
type Decision struct {
	Verdict Verdict // a single verdict
	// Chain is the chain holding the deciding rule, or the base chain
	// whose policy decided.
	Chain *Chain
	// Rule is the model rule that decided (for a decision inside an
	// anonymous chain or a jumped-to chain, the rule of that chain); nil
	// when the policy decided.
	Rule *Rule
	// AST is the AST rule that decided (also set for anonymous chains);
	// nil when the policy decided.
	AST *parser.Rule
	// Stmt is the statement that gave the verdict; nil for a policy.
	Stmt parser.Stmt
	// Named is set when the path to this decision positively matched the
	// packet's interface by name (iifname "docker0" drop): a deliberate
	// decision about that interface rather than a catch-all.
	Named bool
}

// Policy reports whether the decision is the base chain's policy.
func (d Decision) Policy() bool { return d.Rule == nil && d.AST == nil }

// Result is what a chain may do with a packet.
type Result struct {
	Verdicts  Verdict    // union of every Decision's Verdict
	Decisions []Decision // in rule order; the policy last
}

// Certainly reports whether every packet gets verdict v.
func (r Result) Certainly(v Verdict) bool { return r.Verdicts == v }

// May reports whether some packet may get verdict v.
func (r Result) May(v Verdict) bool { return r.Verdicts&v != 0 }

// Of returns the decisions with verdict v.
func (r Result) Of(v Verdict) []Decision {
	var out []Decision
	for _, d := range r.Decisions {
		if d.Verdict == v {
			out = append(out, d)
		}
	}
	return out
}

func (r *Result) add(d Decision) {
	r.Verdicts |= d.Verdict
	r.Decisions = append(r.Decisions, d)
}

// evalNode is the evaluator's result for one chain (or anonymous chain
// body): the union of the verdicts it may give. Its decisions go to the
// evaluation's list as they are made (evaluator.add), so that a chain
// that many others jump to is listed once instead of being copied into
// every caller: 200 chains that jump to each other would otherwise each
// hold the union of everything below them.
type evalNode struct {
	// verdicts is the union of the node's own verdicts and of its
	// sub-results' verdicts other than Return (a jumped-to chain that
	// returns lets the caller go on).
	verdicts Verdict
}

// addSub adds the result of a jumped-to chain to n. Its decisions are
// listed already, its Return decisions are not n's.
func (n *evalNode) addSub(sub *evalNode) {
	n.verdicts |= sub.verdicts &^ Return
}

// add records decision d of node n. The evaluation lists decisions in
// the order they are made, which puts those of a jumped-to chain where
// the jump is (a memoized chain's decisions are made once, at its first
// jump); a jumped-to chain's Return decisions are not listed, since a
// chain that returns lets its caller go on.
func (e *evaluator) add(n *evalNode, d Decision) {
	n.verdicts |= d.Verdict
	sub := n != e.root
	if sub && d.Verdict == Return {
		return
	}
	e.made |= d.Verdict
	if d.Verdict&e.list == 0 && d.Verdict != Return { // a Return may become a listed policy
		return
	}
	if k := len(e.chunks); k == 0 || len(e.chunks[k-1]) == cap(e.chunks[k-1]) {
		e.chunks = append(e.chunks, make([]Decision, 0, min(16<<k, 1024)))
	}
	last := &e.chunks[len(e.chunks)-1]
	*last = append(*last, d)
	e.sub = append(e.sub, sub)
}

// decisions returns the listed decisions, those of jumped-to chains
// once each: a decision reached along several jump paths would otherwise
// be listed once per path, exponential in the jump depth. The root's own
// decisions are all kept.
func (e *evaluator) decisions() []Decision {
	out := make([]Decision, 0, len(e.sub))
	var perStmt map[parser.Stmt]int32
	var seen map[Decision]struct{}
	if slices.Contains(e.sub, true) {
		// Equal decisions have the same statement: only those of a
		// statement listed more than once, and those without one, need
		// the set of the 56-byte decisions seen, which stays small.
		perStmt = make(map[parser.Stmt]int32, len(e.sub))
		for _, chunk := range e.chunks {
			for i := range chunk {
				perStmt[chunk[i].Stmt]++
			}
		}
		seen = make(map[Decision]struct{}, 2*(len(e.sub)-len(perStmt)))
	}
	i := 0
	for _, chunk := range e.chunks {
		for _, d := range chunk {
			sub := e.sub[i]
			i++
			if seen != nil && (d.Stmt == nil || perStmt[d.Stmt] > 1) {
				if _, dup := seen[d]; dup && sub {
					continue
				}
				seen[d] = struct{}{}
			}
			out = append(out, d)
		}
	}
	return out
}

// maxJumpDepth bounds jump/goto nesting; nft refuses more than 16 levels
// of jumps, so anything deeper is a loop.
const maxJumpDepth = 64

// Evaluate returns what base chain c does with packet p: Accept or Drop
// (by a rule or by the policy) or Other. The result never holds Return:
// a chain that ends without a verdict applies its policy.
func Evaluate(c *Chain, p *Packet) Result {
	return EvaluateListing(c, p, Accept|Drop|Other)
}

// EvaluateListing is Evaluate with Result.Decisions holding only the
// decisions whose verdict is in list (Verdicts still holds them all): a
// caller after the drops of a large chain does not hold a list of its
// every accept.
func EvaluateListing(c *Chain, p *Packet, list Verdict) Result {
	if c == nil {
		return evaluate(c, p, list)
	}
	key := p.key() + "\x00" + strconv.Itoa(int(list))
	c.evals.mu.Lock()
	r, ok := c.evals.m[key]
	c.evals.mu.Unlock()
	if ok {
		return r
	}
	r = evaluate(c, p, list)
	r.Decisions = r.Decisions[:len(r.Decisions):len(r.Decisions)] // shared: appends must copy
	c.evals.mu.Lock()
	if c.evals.m == nil {
		c.evals.m = make(map[string]Result)
	}
	c.evals.m[key] = r
	c.evals.mu.Unlock()
	return r
}

// evalCache holds a chain's Evaluate results by packet key. The chain's
// rules do not change once the ruleset is built, so entries stay valid.
type evalCache struct {
	mu sync.Mutex
	m  map[string]Result
}

// key identifies what is known about a packet.
func (p *Packet) key() string {
	var b strings.Builder
	b.WriteString(string(p.Family))
	for _, i := range []Iface{p.IIf, p.OIf} {
		b.WriteString("\x00")
		b.WriteString(i.Pattern)
		for _, n := range i.Not {
			b.WriteString("\x01")
			b.WriteString(n)
		}
	}
	b.WriteString("\x00")
	b.WriteString(p.CtState)
	return b.String()
}

func evaluate(c *Chain, p *Packet, list Verdict) Result {
	e := &evaluator{pkt: p, list: list}
	e.chain(c, 0, false)
	policy := Accept
	if c != nil && c.Base != nil && c.Base.Policy == "drop" {
		policy = Drop
	}
	var out Result
	out.Verdicts = e.made &^ Return
	if e.made&Return != 0 {
		out.Verdicts |= policy
	}
	// Rewrite the list in place (it is this call's own): a Return
	// becomes the policy, and of the decisions that count as the policy
	// (several fall-through paths give the same one) only the first is
	// kept.
	ds := e.decisions()
	n, seenPolicy := 0, false
	for _, d := range ds {
		if d.Verdict == Return {
			d = Decision{Verdict: policy, Chain: c}
		}
		if d.Verdict&list == 0 {
			continue
		}
		if d.Policy() {
			if seenPolicy {
				continue
			}
			seenPolicy = true
		}
		ds[n] = d
		n++
	}
	clear(ds[n:]) // drop references to the left-out decisions
	if n > 0 {
		out.Decisions = ds[:n]
	}
	return out
}

// HookResult is one base chain's effect on a packet.
type HookResult struct {
	Chain  *Chain
	Result Result
}

// Traverse evaluates every base chain on hook h that sees p, in priority
// order. The packet passes the hook only if no chain drops it.
func (rs *Ruleset) Traverse(h Hook, p *Packet) []HookResult {
	var out []HookResult
	for _, c := range rs.HookChains(h, p.Family) {
		out = append(out, HookResult{Chain: c, Result: Evaluate(c, p)})
	}
	return out
}

type evaluator struct {
	pkt   *Packet
	stack []*Chain
	list  Verdict // the verdicts of the decisions to list (EvaluateListing)
	made  Verdict // the verdicts of every decision made, but a jumped-to chain's returns

	// memo holds the result of every named chain evaluated so far for
	// this packet. Without it, chains that jump to shared chains are
	// re-evaluated once per path, which is exponential in the jump depth
	// (200 chains that each jump to several later ones take hours). A
	// chain's result does not depend on the path, except where a loop or
	// the depth bound cut the evaluation short: those give Other, the
	// undecided answer, which stays sound when reused.
	memo map[memoKey]*evalNode

	// root is the node of the evaluated chain, the first one made.
	root *evalNode
	// chunks hold the decisions in the order they are made (see add), in
	// blocks that are never moved: one list grown by append would be
	// copied a dozen times on its way to 20,000 decisions. sub[i] is set
	// when the i-th decision is a jumped-to chain's rather than the
	// root's own.
	chunks [][]Decision
	sub    []bool
}

// newNode makes an empty result node.
func (e *evaluator) newNode() *evalNode {
	n := &evalNode{}
	if e.root == nil {
		e.root = n
	}
	return n
}

type memoKey struct {
	c     *Chain
	named bool
}

// chain evaluates the rules of c. Return decisions mean "ended without a
// verdict". The result is shared (memoized): callers must not change it.
func (e *evaluator) chain(c *Chain, depth int, named bool) *evalNode {
	if c == nil || depth > maxJumpDepth {
		res := e.newNode()
		e.add(res, Decision{Verdict: Other, Chain: c, Named: named})
		return res
	}
	for _, s := range e.stack {
		if s == c { // a loop nft would refuse; do not claim anything
			res := e.newNode()
			e.add(res, Decision{Verdict: Other, Chain: c, Named: named})
			return res
		}
	}
	key := memoKey{c, named}
	if r, ok := e.memo[key]; ok {
		return r
	}
	e.stack = append(e.stack, c)
	res := e.rules(c, depth, named)
	e.stack = e.stack[:len(e.stack)-1]
	if e.memo == nil {
		e.memo = make(map[memoKey]*evalNode)
	}
	e.memo[key] = res
	return res
}

// rules evaluates the rules of named chain c, which is on the stack.
func (e *evaluator) rules(c *Chain, depth int, named bool) *evalNode {
	res := e.newNode()
	for _, r := range c.Rules {
		ast := r.AST
		if !e.rule(res, c, r, ast, r.Stmts, depth, named) {
			return res
		}
	}
	e.add(res, Decision{Verdict: Return, Chain: c, Named: named})
	return res
}

// anon evaluates an anonymous chain body: like a jumped-to chain whose
// rules are AST rules.
func (e *evaluator) anon(c *Chain, body *parser.Block, depth int, named bool) *evalNode {
	res := e.newNode()
	if depth > maxJumpDepth {
		e.add(res, Decision{Verdict: Other, Chain: c, Named: named})
		return res
	}
	for _, item := range body.Items {
		r, ok := item.(*parser.Rule)
		if !ok {
			continue
		}
		if !e.rule(res, c, nil, r, r.Stmts, depth, named) {
			return res
		}
	}
	e.add(res, Decision{Verdict: Return, Chain: c, Named: named})
	return res
}

// rule evaluates one rule, adding its possible decisions to res, and
// reports whether evaluation may go on with the next rule.
func (e *evaluator) rule(res *evalNode, c *Chain, r *Rule, ast *parser.Rule, stmts []parser.Stmt, depth int, named bool) bool {
	mayStop := false // an undecided match may have ended the rule already
	decide := func(v Verdict, s parser.Stmt) {
		e.add(res, Decision{Verdict: v, Chain: c, Rule: r, AST: ast, Stmt: s, Named: named})
	}
	for _, s := range stmts {
		switch s := s.(type) {
		case *parser.MatchStmt:
			switch t := e.match(c.Table, s); t {
			case No:
				return true
			case Maybe:
				mayStop = true
			case Yes:
				if isIfaceMatch(s) && s.Op != parser.OpNe {
					named = true
				}
			}
		case *parser.VerdictStmt:
			return e.verdict(res, c, r, ast, s, s.Kind, s.Target, s.Chain, depth, named) || mayStop
		case *parser.VmapStmt:
			return e.vmap(res, c, r, ast, s, depth, named) || mayStop
		case *parser.RejectStmt:
			decide(Drop, s)
			return mayStop
		case *parser.NatStmt:
			// NAT statements end the chain with an implicit accept.
			decide(Accept, s)
			return mayStop
		case *parser.SetStmt:
			// Changes metadata; later matches on it are undecided anyway.
		case *parser.SetUpdateStmt:
			if s.Op == "meter" || len(s.Stmts) > 0 {
				mayStop = true // a meter with a limit acts as a match
			}
		case *parser.KeywordStmt:
			switch kw := s.Keyword; {
			case kw == "counter" || kw == "log" || kw == "notrack" || kw == "dup" ||
				kw == "last" || strings.HasPrefix(kw, "ct ") && kw != "ct count" ||
				kw == "flow add" || kw == "flow offload" || kw == "xt":
				// No effect on the verdict.
			case kw == "limit" || kw == "quota" || kw == "ct count":
				mayStop = true
			case kw == "queue" || kw == "fwd" || kw == "synproxy" || kw == "tproxy":
				decide(Other, s)
				if kw == "queue" || kw == "fwd" {
					return mayStop
				}
				mayStop = true
			default:
				// Not modelled: it may match, and it may decide.
				decide(Other, s)
				mayStop = true
			}
		default: // BadStmt and future statement kinds
			decide(Other, s)
			mayStop = true
		}
	}
	return true
}

// verdict applies a verdict (a statement or a vmap value) and reports
// whether the rule may continue with the next rule.
func (e *evaluator) verdict(res *evalNode, c *Chain, r *Rule, ast *parser.Rule, s parser.Stmt, kind string, target parser.Expr, body *parser.Block, depth int, named bool) bool {
	decide := func(v Verdict) {
		e.add(res, Decision{Verdict: v, Chain: c, Rule: r, AST: ast, Stmt: s, Named: named})
	}
	switch kind {
	case "accept":
		decide(Accept)
		return false
	case "drop":
		decide(Drop)
		return false
	case "return":
		decide(Return)
		return false
	case "continue":
		return true
	case "jump", "goto":
		var sub *evalNode
		if body != nil {
			sub = e.anon(c, body, depth+1, named)
		} else {
			sub = e.chain(e.target(c.Table, target), depth+1, named)
		}
		res.addSub(sub)
		if sub.verdicts&Return == 0 {
			return false
		}
		if kind == "goto" {
			// The target's end is the end of the chain that did the goto.
			decide(Return)
			return false
		}
		return true
	}
	decide(Other)
	return false
}

// target resolves a jump/goto target to a chain of table t.
func (e *evaluator) target(t *Table, x parser.Expr) *Chain {
	if t == nil {
		return nil
	}
	switch x := x.(type) {
	case *parser.Literal:
		return t.Chain(x.Text)
	case *parser.StringLit:
		return t.Chain(x.Value)
	case *parser.VarRef:
		if x.Value != nil {
			return e.target(t, x.Value)
		}
	}
	return nil
}

// vmap evaluates a verdict map statement and reports whether the rule may
// continue with the next rule (no element matched).
func (e *evaluator) vmap(res *evalNode, c *Chain, r *Rule, ast *parser.Rule, s *parser.VmapStmt, depth int, named bool) bool {
	elems, ok := e.mapElems(c.Table, s.Map)
	if !ok {
		e.add(res, Decision{Verdict: Other, Chain: c, Rule: r, AST: ast, Stmt: s, Named: named})
		return true
	}
	cont := true // no element matched: the lookup fails and the rule ends
	for _, el := range elems {
		t := e.memberOf(c.Table, s.Key, el.key)
		if t == No {
			continue
		}
		elNamed := named || (t == Yes && isIfaceSelector(s.Key))
		v, ok := el.value.(*parser.Verdict)
		var next bool
		if !ok {
			e.add(res, Decision{Verdict: Other, Chain: c, Rule: r, AST: ast, Stmt: s, Named: elNamed})
			next = true
		} else {
			next = e.verdict(res, c, r, ast, s, v.Kind, v.Target, nil, depth, elNamed)
		}
		if t == Yes {
			// This element decides; the lookup cannot fail any more.
			return next
		}
		cont = cont || next
	}
	return cont
}

type mapElem struct {
	key, value parser.Expr
}

// mapElems enumerates the elements of a vmap's map operand.
func (e *evaluator) mapElems(t *Table, m parser.Expr) ([]mapElem, bool) {
	switch m := m.(type) {
	case *parser.SetLit:
		if m.Var != nil {
			return e.mapElems(t, m.Var)
		}
		var out []mapElem
		for _, x := range m.Elems {
			if el, ok := x.(*parser.Elem); ok {
				x = el.Value
			}
			me, ok := x.(*parser.MapElem)
			if !ok {
				return nil, false
			}
			out = append(out, mapElem{key: me.Key, value: me.Value})
		}
		return out, true
	case *parser.VarRef:
		if m.Value != nil {
			return e.mapElems(t, m.Value)
		}
	case *parser.SetRef:
		set := lookupSet(t, m.Name)
		if set == nil || !set.static() {
			return nil, false
		}
		var out []mapElem
		for el := range set.All {
			out = append(out, mapElem{key: el.Key(), value: el.Value()})
		}
		return out, true
	}
	return nil, false
}

func lookupSet(t *Table, name string) *Set {
	if t == nil {
		return nil
	}
	return t.Set(name)
}

// static reports whether the set's declared elements are all it holds
// when the ruleset loads: sets updated from the packet path, or declared
// empty (to be filled by scripts), are not.
func (s *Set) static() bool {
	for _, f := range s.Flags {
		if f == "dynamic" || f == "timeout" {
			return false
		}
	}
	return len(s.Elements) > 0 || len(s.Runs) > 0
}

// ---------------------------------------------------------------------------
// Matches

// ifaceSelectors maps selector paths to the interface they read.
var ifaceSelectors = map[string]string{
	"iifname": "in", "meta iifname": "in", "iif": "in", "meta iif": "in",
	"oifname": "out", "meta oifname": "out", "oif": "out", "meta oif": "out",
}

func isIfaceSelector(x parser.Expr) bool {
	sel, ok := unparen(x).(*parser.Selector)
	var buf [64]byte
	return ok && ifaceSelectors[string(sel.AppendPath(buf[:0]))] != ""
}

func isIfaceMatch(m *parser.MatchStmt) bool { return isIfaceSelector(m.Left) }

func unparen(x parser.Expr) parser.Expr {
	for {
		p, ok := x.(*parser.Paren)
		if !ok {
			return x
		}
		x = p.X
	}
}

// match evaluates a relational match against the packet.
func (e *evaluator) match(t *Table, m *parser.MatchStmt) Truth {
	if familyMismatch(m.Left, e.pkt.Family) {
		// The implicit protocol dependency of `ip …`/`ip6 …` in an inet
		// chain fails, whatever the operator.
		return No
	}
	switch m.Op {
	case parser.OpImplicit, parser.OpEq:
		return e.memberOf(t, m.Left, m.Right)
	case parser.OpNe:
		return e.memberOf(t, m.Left, m.Right).not()
	}
	return Maybe
}

// familyMismatch reports whether a selector (or any part of a
// concatenation) needs a network protocol other than pf.
func familyMismatch(x parser.Expr, pf Family) bool {
	switch x := unparen(x).(type) {
	case *parser.Concat:
		for _, p := range x.Parts {
			if familyMismatch(p, pf) {
				return true
			}
		}
	case *parser.Selector:
		if len(x.Words) == 0 {
			return false
		}
		switch x.Words[0].Name {
		case "ip", "icmp", "igmp":
			return pf == parser.FamilyIP6
		case "ip6", "icmpv6":
			return pf == parser.FamilyIP
		}
	}
	return false
}

// memberOf evaluates `left == right` where right may be a value, a list,
// an anonymous set, a named set or a define: true when the packet's value
// equals one of right's values.
func (e *evaluator) memberOf(t *Table, left, right parser.Expr) Truth {
	if _, ok := right.(*parser.SetRef); ok && !decidable(left) {
		// eq would answer Maybe for every element (and a set that is
		// empty or dynamic gives Maybe too): skip listing what may be a
		// million elements for every rule that looks the set up.
		return Maybe
	}
	if singleValue(right) {
		// Most matches: what values would list alone, without the
		// one-element list.
		return e.eq(left, right)
	}
	vals, ok := e.values(t, right, 0)
	if !ok {
		return Maybe
	}
	r := No
	for _, v := range vals {
		r = or(r, e.eq(left, v))
		if r == Yes {
			break
		}
	}
	return r
}

// values flattens right-hand operands into single values.
func (e *evaluator) values(t *Table, x parser.Expr, depth int) ([]parser.Expr, bool) {
	if depth > 32 {
		return nil, false
	}
	switch x := x.(type) {
	case *parser.Paren:
		return e.values(t, x.X, depth+1)
	case *parser.VarRef:
		if x.Value == nil {
			return nil, false
		}
		return e.values(t, x.Value, depth+1)
	case *parser.List:
		return e.flatten(t, x.Elems, depth)
	case *parser.SetLit:
		if x.Var != nil {
			return e.values(t, x.Var, depth+1)
		}
		return e.flatten(t, x.Elems, depth)
	case *parser.Elem:
		return e.values(t, x.Value, depth+1)
	case *parser.SetRef:
		set := lookupSet(t, x.Name)
		if set == nil || !set.static() || set.IsMap {
			return nil, false
		}
		// A packed run stands for its elements as one value: eq answers
		// the same for every address or number (see eq).
		var keys []parser.Expr
		next := 0
		for k, run := range set.Runs {
			for ; next < set.RunAt[k] && next < len(set.Elements); next++ {
				keys = append(keys, set.Elements[next].Key)
			}
			keys = append(keys, run)
		}
		for ; next < len(set.Elements); next++ {
			keys = append(keys, set.Elements[next].Key)
		}
		return e.flatten(t, keys, depth)
	case *parser.ElemRun:
		if x.Len() == 0 {
			return nil, true
		}
	case nil, *parser.BadExpr:
		return nil, false
	}
	return []parser.Expr{x}, true
}

// singleValue reports whether values lists x alone (below its depth
// bound): x is none of the expressions values looks into or refuses.
func singleValue(x parser.Expr) bool {
	switch x.(type) {
	case *parser.Paren, *parser.VarRef, *parser.List, *parser.SetLit, *parser.Elem,
		*parser.SetRef, *parser.ElemRun, *parser.BadExpr, nil:
		return false
	}
	return true
}

func (e *evaluator) flatten(t *Table, xs []parser.Expr, depth int) ([]parser.Expr, bool) {
	var out []parser.Expr
	if len(xs) > 0 {
		out = make([]parser.Expr, 0, len(xs))
	}
	for _, el := range xs {
		if depth+1 <= 32 && singleValue(el) {
			// What values(el) would give, without its one-element list.
			out = append(out, el)
			continue
		}
		vs, ok := e.values(t, el, depth+1)
		if !ok {
			return nil, false
		}
		out = append(out, vs...)
	}
	return out, true
}

// eq evaluates `left == v` for a single value v. A packed run of
// addresses or numbers (parser.ElemRun) stands for all its elements: the
// packet's addresses and numbers are unknown, so each element, and the
// run, gives Maybe.
func (e *evaluator) eq(left, v parser.Expr) Truth {
	left = unparen(left)
	if vr, ok := v.(*parser.VarRef); ok {
		if vr.Value == nil {
			return Maybe
		}
		return e.eq(left, vr.Value)
	}
	if c, ok := left.(*parser.Concat); ok {
		vc, ok := unparen(v).(*parser.Concat)
		if !ok || len(vc.Parts) != len(c.Parts) {
			return Maybe
		}
		r := Yes
		for i := range c.Parts {
			r = and(r, e.eq(c.Parts[i], vc.Parts[i]))
		}
		return r
	}
	sel, ok := left.(*parser.Selector)
	if !ok {
		return Maybe
	}
	var buf [64]byte
	key := sel.AppendPath(buf[:0])
	switch ifaceSelectors[string(key)] {
	case "in":
		return ifaceEq(e.pkt.IIf, v)
	case "out":
		return ifaceEq(e.pkt.OIf, v)
	}
	switch string(key) {
	case "ct state":
		if e.pkt.CtState == "" {
			return Maybe
		}
		w, ok := word(v)
		if !ok {
			return Maybe
		}
		if strings.EqualFold(w, e.pkt.CtState) {
			return Yes
		}
		if knownCtStates[strings.ToLower(w)] {
			return No
		}
		return Maybe
	case "meta nfproto", "nfproto", "meta protocol":
		w, ok := word(v)
		if !ok || e.pkt.Family == "" {
			return Maybe
		}
		want := map[string]Family{"ipv4": parser.FamilyIP, "ipv6": parser.FamilyIP6, "ip": parser.FamilyIP, "ip6": parser.FamilyIP6}[strings.ToLower(w)]
		if want == "" {
			if string(key) == "meta protocol" {
				return Maybe
			}
			return No
		}
		if want == e.pkt.Family {
			return Yes
		}
		return No
	}
	return Maybe
}

// decidable reports whether eq can answer other than Maybe for left:
// only interface names, ct state and the network protocol are known of
// the packet.
func decidable(left parser.Expr) bool {
	switch x := unparen(left).(type) {
	case *parser.Concat:
		for _, p := range x.Parts {
			if decidable(p) {
				return true
			}
		}
	case *parser.Selector:
		var buf [64]byte
		key := x.AppendPath(buf[:0])
		if ifaceSelectors[string(key)] != "" {
			return true
		}
		switch string(key) {
		case "ct state", "meta nfproto", "nfproto", "meta protocol":
			return true
		}
	}
	return false
}

var knownCtStates = map[string]bool{"new": true, "established": true, "related": true, "invalid": true, "untracked": true}

// word returns the text of a bare word or string literal.
func word(v parser.Expr) (string, bool) {
	switch v := unparen(v).(type) {
	case *parser.Literal:
		if v.Kind == parser.LitWord || v.Kind == parser.LitString {
			return v.Text, true
		}
	case *parser.StringLit:
		return v.Value, true
	}
	return "", false
}

// ifaceEq evaluates an interface-name comparison.
func ifaceEq(i Iface, v parser.Expr) Truth {
	w, ok := word(v)
	if !ok {
		return Maybe // an ifindex number, a range, …
	}
	return i.MatchPattern(w)
}

// ---------------------------------------------------------------------------
// Rule properties

// Unconditional reports whether a rule applies to every packet that
// reaches it: it has no match and no statement that can stop it (limit,
// quota, vmap, meter).
func Unconditional(stmts []parser.Stmt) bool {
	for _, s := range stmts {
		switch s := s.(type) {
		case *parser.MatchStmt, *parser.VmapStmt, *parser.BadStmt:
			return false
		case *parser.SetUpdateStmt:
			if s.Op == "meter" || len(s.Stmts) > 0 {
				return false
			}
		case *parser.KeywordStmt:
			switch s.Keyword {
			case "limit", "quota", "ct count":
				return false
			}
		}
	}
	return true
}

// IfaceRef describes an interface-name match: which interface it reads
// and the patterns it names.
type IfaceRef struct {
	Dir      string   // "in" (iifname, iif) or "out" (oifname, oif)
	Patterns []string // names and prefix patterns
	Negated  bool     // != : the match holds for names NOT covered
	// Complete is false when some value could not be enumerated (a named
	// set filled at run time, an undefined variable): Patterns is then a
	// lower bound.
	Complete bool
}

// IfaceMatch describes m when it is an interface-name match (iifname,
// oifname, iif, oif, meta …) with ==, != or an implicit operator.
func IfaceMatch(t *Table, m *parser.MatchStmt) (IfaceRef, bool) {
	sel, ok := unparen(m.Left).(*parser.Selector)
	if !ok {
		return IfaceRef{}, false
	}
	dir := ifaceSelectors[sel.Path()]
	if dir == "" || (m.Op != parser.OpImplicit && m.Op != parser.OpEq && m.Op != parser.OpNe) {
		return IfaceRef{}, false
	}
	ref := IfaceRef{Dir: dir, Negated: m.Op == parser.OpNe, Complete: true}
	e := &evaluator{pkt: &Packet{}}
	vals, ok := e.values(t, m.Right, 0)
	if !ok {
		ref.Complete = false
		return ref, true
	}
	for _, v := range vals {
		if vr, isVar := v.(*parser.VarRef); isVar {
			v = vr.Value
		}
		w, ok := word(v)
		if !ok {
			ref.Complete = false
			continue
		}
		ref.Patterns = append(ref.Patterns, w)
	}
	return ref, true
}
