package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT308 reports rules that can never match because an earlier rule of
// the same chain already decided every packet they match.
var nft308 = &Check{
	ID:       "NFT308",
	Name:     "shadowed-rule",
	Title:    "a rule never matches: an earlier rule with a subset of its matches already decides every packet it would",
	Severity: Warning,
	Tags:     []string{"safety", "correctness"},
	Doc: `A rule is shadowed when an earlier rule in the same chain matches every packet
it matches and ends the chain for them:

` + "```" + `
tcp dport 22 drop
ip saddr 192.0.2.10 tcp dport 22 accept   # never matches
` + "```" + `

The second rule is meant as an exception, but the first one already dropped every
SSH packet, including those from 192.0.2.10. Shadowing hides mistakes in both
directions: an intended accept that never happens (a service stays closed), or an
intended drop that never happens (a host stays exposed).

nftlint only reports shadowing it is certain of: the earlier rule's matches must
all appear, written the same way, in the later rule; the earlier rule must have
nothing but matches, ` + "`counter`" + `/` + "`log`" + ` and a final ` + "`accept`" + `, ` + "`drop`" + `, ` + "`reject`" + `, ` + "`return`" + `
or ` + "`goto`" + `; and no rule in between may change what the matches read (setting a mark,
updating a set, NAT, a jump into a chain that might). Matches that are not written
identically (` + "`10.0.0.0/8`" + ` versus ` + "`10.1.0.0/16`" + `, ` + "`{ 22, 80 }`" + ` versus ` + "`22`" + `) are not compared,
so some shadowed rules go unreported. Statements that do not match (` + "`counter`" + `,
` + "`log`" + `, a comment) do not keep a rule from being shadowed: the ` + "`counter`" + ` in
` + "`tcp dport 22 counter accept`" + ` after ` + "`tcp dport 22 accept`" + ` never counts. An exact copy
of an earlier rule is left to NFT309. Rules are hashed by their matches, so the
check stays linear in the number of rules.

**Fix:** move the more specific rule above the general one, or remove it if it is
redundant (it has the same verdict).`,
	Run: runShadowedRule,
}

// maxFullSubsetMatches is the number of distinct matches up to which every
// subset of a rule's matches is looked up; above it only single matches,
// pairs and the whole set are, which keeps the check linear.
const maxFullSubsetMatches = 6

// shadower is a rule whose matches decide the packet.
type shadower struct {
	stmts []parser.Stmt
	node  parser.Node
	end   chainEnd
	index int       // position in the chain
	reads stateKeys // what its matches read, once readsDone
	// readsDone is set once reads is computed: only when a later rule
	// wrote something, which most rules do not.
	readsDone bool
}

func runShadowedRule(p *Pass) {
	keys := newRuleKeys(p.ruleHashes())
	for _, t := range p.Ruleset.Tables {
		ct := newChainTable(t)
		for _, c := range t.Chains {
			checkShadowing(p, keys, ct, c)
		}
	}
}

// ruleKeys holds the keys NFT308 compares: the hashes of the canonical
// keys of a rule's statements (the run's, shared with NFT309), which
// stand for its matches, so that looking up subsets of a rule's matches
// costs the same however large the sets in them are. It also holds what
// checkShadowing reuses from rule to rule and chain to chain.
type ruleKeys struct {
	hashes *ruleHashMemo
	text   ruleTexter // prints the rules of findings

	names     stateNames
	writes    []string   // what it may change (ruleShape.writes)
	leading   []keyHash  // its leading matches (ruleShape.leading)
	subset    []keyHash  // a subset of them being looked up
	shadowers hashIndex  // subset hash → first rule deciding it (in pool)
	pool      []shadower // the chain's shadowers
	seen      hashIndex  // rule hashes, to leave copies to NFT309
	// inShadower has a bit set for the hash of every match of the chain's
	// shadowers so far (a Bloom filter with one hash): subsets holding a
	// match without its bit are not looked up. (per chain)
	inShadower [1 << 10]uint64
	marked     []uint16  // the words of inShadower with bits set, to clear them
	filtered   []keyHash // the current rule's matches whose bit is set
}

func newRuleKeys(hashes *ruleHashMemo) *ruleKeys {
	return &ruleKeys{hashes: hashes}
}

func checkShadowing(p *Pass, keys *ruleKeys, t *chainTable, c *ruleset.Chain) {
	keys.shadowers.reset(len(c.Rules))
	keys.seen.reset(len(c.Rules))
	for _, w := range keys.marked {
		keys.inShadower[w] = 0
	}
	keys.marked = keys.marked[:0]
	var found []shadowed
	defer func() {
		diag := func(i int) Diagnostic {
			return shadowedDiag(p, &keys.text, c, found[i].stmts, found[i].node, found[i].by)
		}
		at := func(i int) parser.Range { return p.Range(found[i].node) }
		reportCapped(p, len(found), diag, at, "shadowed rules", describeChain(c))
	}()
	hashes := keys.hashes.chain(c)
	defer keys.hashes.release(c, hashes)
	log := newStateLog()
	pool := slices.Grow(keys.pool[:0], len(c.Rules)) // at most one a rule: grown once
	defer func() { keys.pool = pool[:0] }()
	// valid reports whether nothing since shadower s changed what its
	// matches read. What they read is computed only when a rule wrote
	// something since, the first time that matters.
	valid := func(s *shadower) bool {
		if log.lastAll > s.index {
			return false
		}
		if log.lastKey <= s.index {
			return true
		}
		if !s.readsDone {
			reads := keys.names.reads(s.stmts[:len(s.stmts)-1])
			s.reads, s.readsDone = stateKeys{keys: slices.Clone(reads.keys), all: reads.all}, true
		}
		return !log.changedSince(s.index, s.reads)
	}
	for i, r := range c.Rules {
		if endsChain(t, r.Stmts) != endNone {
			return // every later rule is unreachable: NFT307's finding
		}
		stmtKeys, full, ok := keys.hashes.rule(hashes, i)
		if !ok {
			log.record(i, stateKeys{all: true})
			continue
		}
		_, dup := keys.seen.get(full)
		if !dup {
			keys.seen.set(full, 0)
		}
		n := ruleNode(r)
		sh := shapeOf(t, keys, r.Stmts, stmtKeys)
		if !dup && n != nil && keys.shadowers.len() > 0 {
			if s, ok := findShadower(keys, pool, sh.leading, valid); ok {
				found = append(found, shadowed{stmts: r.Stmts, node: n, by: *s})
			}
		}
		if sh.deciding && n != nil {
			k := keys.hashes.seqHash(sh.leading)
			if old, exists := keys.shadowers.get(k); !exists || !valid(&pool[old]) {
				keys.shadowers.set(k, len(pool))
				for _, h := range sh.leading {
					keys.markShadowerMatch(h)
				}
				pool = append(pool, shadower{stmts: r.Stmts, node: n, end: sh.end, index: i})
			}
		}
		log.record(i, sh.writes)
	}
}

// shadowed is a rule found to be shadowed by an earlier one.
type shadowed struct {
	stmts []parser.Stmt
	node  parser.Node
	by    shadower
}

func shadowedDiag(p *Pass, text *ruleTexter, c *ruleset.Chain, stmts []parser.Stmt, n parser.Node, s shadower) Diagnostic {
	verdict := shadowVerdict(s)
	msg := fmt.Sprintf("rule in %s never matches: the earlier rule `%s` at %s %s every packet it matches; move this rule above that one, or remove it",
		describeChain(c), text.text(s.stmts), lineOf(p, s.node, n), verdict)
	if verdict == shadowVerdict(shadower{stmts: stmts, end: endVerdict}) && verdict != "" {
		msg = fmt.Sprintf("rule in %s is redundant: the earlier rule `%s` at %s already %s every packet it matches; remove it",
			describeChain(c), text.text(s.stmts), lineOf(p, s.node, n), verdict)
	}
	return Diagnostic{
		Range:   p.Range(n),
		Message: msg,
		Related: []Related{{Range: p.Range(s.node), Message: "this rule decides first"}},
	}
}

// shadowVerdict says what a deciding rule does, for messages.
func shadowVerdict(s shadower) string {
	if len(s.stmts) == 0 {
		return ""
	}
	switch v := s.stmts[len(s.stmts)-1].(type) {
	case *parser.VerdictStmt:
		switch v.Kind {
		case "accept":
			return "accepts"
		case "drop":
			return "drops"
		case "return":
			return "returns"
		case "goto", "jump":
			if name, ok := exprName(v.Target); ok {
				return fmt.Sprintf("sends to chain %q", name)
			}
			return "sends to another chain"
		}
	case *parser.RejectStmt:
		return "rejects"
	}
	return ""
}

// findShadower looks up every subset of keys (sorted, distinct match
// hashes) among the shadowers and returns the valid one that comes first
// in the chain.
func findShadower(rk *ruleKeys, pool []shadower, keys []keyHash, valid func(*shadower) bool) (*shadower, bool) {
	if len(keys) == 0 {
		return nil, false
	}
	var best *shadower
	found := false
	try := func(subset []keyHash) {
		i, ok := rk.shadowers.get(rk.hashes.seqHash(subset))
		if !ok {
			return
		}
		if s := &pool[i]; (!found || s.index < best.index) && valid(s) {
			best, found = s, true
		}
	}
	// Only subsets of the matches some shadower has can be found: the
	// others are not looked up (which subsets are tried still depends on
	// the number of all the rule's matches).
	in := rk.filtered[:0]
	for _, h := range keys {
		if rk.mayBeShadowerMatch(h) {
			in = append(in, h)
		}
	}
	rk.filtered = in
	if len(keys) <= maxFullSubsetMatches {
		k := len(in)
		subset := rk.subset[:0]
		for mask := 1; mask < 1<<k; mask++ {
			subset = subset[:0]
			for i := range k {
				if mask&(1<<i) != 0 {
					subset = append(subset, in[i])
				}
			}
			try(subset)
		}
		rk.subset = subset
		return best, found
	}
	for i := range in {
		try(in[i : i+1])
		for j := i + 1; j < len(in); j++ {
			pair := [2]keyHash{in[i], in[j]}
			try(pair[:])
		}
	}
	try(keys)
	return best, found
}

func (k *ruleKeys) markShadowerMatch(h keyHash) {
	w := h.a >> 6 & uint64(len(k.inShadower)-1)
	if k.inShadower[w] == 0 {
		k.marked = append(k.marked, uint16(w))
	}
	k.inShadower[w] |= 1 << (h.a & 63)
}

// mayBeShadowerMatch reports whether a match with hash h may be one of a
// shadower (false: certainly not).
func (k *ruleKeys) mayBeShadowerMatch(h keyHash) bool {
	return k.inShadower[h.a>>6&uint64(len(k.inShadower)-1)]&(1<<(h.a&63)) != 0
}

// ruleShape is what NFT308 needs to know about a rule, computed in one
// pass over its statements.
type ruleShape struct {
	// leading are the sorted, distinct hashes (ruleKeys) of the
	// pure matches the rule evaluates before its first statement that may
	// change the packet or its metadata (later matches read changed
	// values).
	leading []keyHash
	// deciding is set when the rule decides every packet its matches
	// select: nothing but pure matches and passive statements before a
	// final accept, drop, reject, return or goto. Its matches are then
	// all in leading.
	deciding bool
	end      chainEnd
	// writes is what the rule may change for the rules after it.
	writes stateKeys
}

// shapeOf computes the shape of a rule from its statements and their
// canonical keys.
func shapeOf(t *chainTable, keys *ruleKeys, stmts []parser.Stmt, stmtKeys []keyHash) ruleShape {
	sh := ruleShape{leading: keys.leading[:0], writes: stateKeys{keys: keys.writes[:0]}}
	defer func() { keys.leading, keys.writes = sh.leading, sh.writes.keys }() // reused by the next rule
	deciding, leading := len(stmts) >= 2, true
	for i, s := range stmts {
		last := i == len(stmts)-1
		if m, ok := s.(*parser.MatchStmt); ok {
			if !isPureMatch(m) {
				deciding = false
			} else if leading {
				sh.leading = append(sh.leading, stmtKeys[i])
			}
			if last {
				deciding = false
			}
			continue
		}
		if keys.names.addWrites(&sh.writes, s) {
			leading = false
		}
		if kw, ok := s.(*parser.KeywordStmt); !last && (!ok || !passiveKeyword(kw)) {
			deciding = false
		}
	}
	slices.SortFunc(sh.leading, keyHash.compare)
	sh.leading = slices.Compact(sh.leading)
	if deciding && len(sh.leading) > 0 {
		sh.end = endsChain(t, stmts[len(stmts)-1:])
		sh.deciding = sh.end != endNone
	}
	return sh
}

// isPureMatch reports whether the result of a match depends only on the
// packet and state that no statement of the chain changes between two
// rules: not random numbers, counters of packets, or the clock.
func isPureMatch(m *parser.MatchStmt) bool {
	return !impureExpr(m.Left, 1) && !impureExpr(m.Right, 1)
}

// impureExpr reports whether e, reached at depth by inspect from a match,
// holds a selector of random numbers or the clock outside set literals
// (set elements are constants). It visits the nodes inspect visits, with
// a type switch instead of a callback per node: NFT308 asks it of every
// match of every rule.
func impureExpr(e parser.Expr, depth int) bool {
	if e == nil || depth > maxInspectDepth || parser.IsNilNode(e) {
		return false
	}
	depth++
	switch x := e.(type) {
	case *parser.Selector:
		for _, w := range x.Words {
			if impureWord(w.Name) {
				return true
			}
		}
		for _, a := range x.Args() {
			if impureExpr(a.Value, depth) {
				return true
			}
		}
	case *parser.SetLit:
		// Constants: no selector in them.
	case *parser.VarRef:
		return x.Value != nil && impureExpr(x.Value, depth)
	case *parser.Elem:
		if impureExpr(x.Value, depth) {
			return true
		}
		for _, s := range x.Stmts {
			if impureStmt(s, depth) {
				return true
			}
		}
	case *parser.MapElem:
		return impureExpr(x.Key, depth) || impureExpr(x.Value, depth)
	case *parser.Verdict:
		return impureExpr(x.Target, depth)
	case *parser.Binary:
		return impureExpr(x.X, depth) || impureExpr(x.Y, depth)
	case *parser.Prefix:
		return impureExpr(x.X, depth)
	case *parser.Mask:
		return impureExpr(x.X, depth) || impureExpr(x.Mask, depth)
	case *parser.RangeExpr:
		return impureExpr(x.Lo, depth) || impureExpr(x.Hi, depth)
	case *parser.Concat:
		for _, p := range x.Parts {
			if impureExpr(p, depth) {
				return true
			}
		}
	case *parser.List:
		for _, p := range x.Elems {
			if impureExpr(p, depth) {
				return true
			}
		}
	case *parser.MapLookup:
		return impureExpr(x.Key, depth) || impureExpr(x.Map, depth)
	case *parser.Paren:
		return impureExpr(x.X, depth)
	}
	return false
}

// impureStmt is impureExpr for a statement inside an element (rare): the
// general walk.
func impureStmt(s parser.Stmt, depth int) bool {
	impure := false
	inspectVia(s, nil, func(n parser.Node, _ *parser.VarRef) bool {
		sel, ok := n.(*parser.Selector)
		if !ok {
			_, lit := n.(*parser.SetLit)
			return !lit
		}
		for _, w := range sel.Words {
			impure = impure || impureWord(w.Name)
		}
		return true
	}, depth)
	return impure
}

func impureWord(w string) bool {
	switch len(w) {
	case 3, 4, 6: // day; time, hour; numgen, random: other words need no lowering
		switch strings.ToLower(w) {
		case "numgen", "random", "time", "day", "hour":
			return true
		}
	}
	return false
}
