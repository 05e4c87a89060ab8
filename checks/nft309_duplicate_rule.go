package checks

import (
	"fmt"
	"strconv"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT309 reports a rule that appears twice in the same chain.
var nft309 = &Check{
	ID:       "NFT309",
	Name:     "duplicate-rule",
	Title:    "the same rule appears twice in a chain",
	Severity: Warning,
	Tags:     []string{"safety", "maintainability"},
	Doc: `nft does not merge equal rules: ` + "`add rule`" + ` appends a second copy every time it
runs. A duplicate usually means a script or an include was applied twice, or a rule
was pasted into two places. The second copy is dead weight when the first ends in a
verdict (the packet never gets there), and double-counts, double-logs or
double-updates when it does not; either way the chain no longer says what its
author reads.

Rules are compared by their structure, not their text: blanks, comments, the
order of elements in ` + "`{ … }`" + ` sets and how a number or a ` + "`$variable`" + ` is spelled do not
matter. A rule that differs in a ` + "`counter`" + `, a ` + "`log`" + ` or its verdict is not a copy (NFT308
reports it when the earlier rule decides every packet it matches). nftlint hashes
every rule once, so even chains with tens of thousands of rules are checked in
linear time.

A file meant to be applied more than once should start with ` + "`flush ruleset`" + ` (or
` + "`flush chain …`" + `, or ` + "`destroy table …`" + ` followed by the table) so that it replaces
the rules instead of appending to them.

**Fix:** delete the second copy; if a script adds the rules, make it flush the
chain (or the table) first.`,
	Run: runDuplicateRule,
}

func runDuplicateRule(p *Pass) {
	d := newDupFinder(p.ruleHashes())
	for _, t := range p.Ruleset.Tables {
		ct := newChainTable(t)
		for _, c := range t.Chains {
			d.check(p, ct, c)
		}
	}
}

// dupFinder holds what NFT309 reuses from chain to chain. It compares
// rules by the hashes of their statements' keys, the run's (shared with
// NFT308).
type dupFinder struct {
	hashes *ruleHashMemo
	text   ruleTexter
	first  hashIndex   // the chain's rules by key: the index of the first copy
	found  []duplicate // the chain's copies, reused
	names  stateNames
	writes stateKeys // of the current rule
}

func newDupFinder(hashes *ruleHashMemo) *dupFinder {
	return &dupFinder{hashes: hashes}
}

// duplicate is a rule found to copy an earlier one.
type duplicate struct {
	stmts []parser.Stmt
	node  parser.Node
	orig  parser.Node // the first copy
}

func (d *dupFinder) check(p *Pass, t *chainTable, c *ruleset.Chain) {
	found := d.found[:0]
	defer func() {
		d.found = found[:0]
		if len(found) == 0 {
			return
		}
		chain := describeChain(c)
		diag := func(i int) Diagnostic { return duplicateDiag(p, &d.text, t, chain, found[i]) }
		at := func(i int) parser.Range { return p.Range(found[i].node) }
		reportCapped(p, len(found), diag, at, "duplicate rules", chain)
	}()
	d.first.reset(len(c.Rules))
	// A copy after a rule that changed what the copies read (set a mark
	// they match, added to a set they look up, jumped into a chain) may
	// see other packets or values than the first, as in a test that counts
	// before and after adding to a set: it is not reported.
	log := newStateLog()
	hashes := d.hashes.chain(c)
	defer d.hashes.release(c, hashes)
	for i, r := range c.Rules {
		if len(r.Stmts) == 0 {
			continue
		}
		_, key, ok := d.hashes.rule(hashes, i)
		n := ruleNode(r)
		if !ok || n == nil {
			log.record(i, stateKeys{all: true})
			continue
		}
		orig, seen := d.first.get(key)
		fresh := !seen
		if seen {
			if changedSinceFor(log, &d.names, orig, r.Stmts) {
				fresh = true
			} else {
				found = append(found, duplicate{stmts: r.Stmts, node: n, orig: ruleNode(c.Rules[orig])})
			}
		}
		if fresh {
			d.first.set(key, i)
		}
		d.writes = stateKeys{keys: d.writes.keys[:0]}
		for _, s := range r.Stmts {
			d.names.addWrites(&d.writes, s)
		}
		log.record(i, d.writes)
		if endsChain(t, r.Stmts) != endNone {
			return // the rules after this one are NFT307's
		}
	}
}

// duplicateDiag builds the finding of a copy in chain (describeChain).
func duplicateDiag(p *Pass, text *ruleTexter, t *chainTable, chain string, d duplicate) Diagnostic {
	effect := "packets it matches run through both copies, so what it does (count, log, mark, jump) happens twice"
	switch {
	case onlyMatches(d.stmts):
		effect = "a rule of matches alone does nothing, and neither does its copy"
	case endsChainFor(t, d.stmts):
		effect = "the copy never sees a packet, the first one already decided every packet it matches"
	case endsChain(t, d.stmts[len(d.stmts)-1:]) != endNone:
		effect = "the copy sees only the packets the first one let through and decides again for them"
	}
	at, orig := p.Range(d.node), p.Range(d.orig)
	return Diagnostic{
		Range: at,
		// Concatenated: a thousand copies are not rare, and Sprintf
		// allocated once per argument.
		Message: "rule `" + text.text(d.stmts) + "` duplicates the rule at " + lineOfRange(orig, at) + " in " + chain + ": " +
			effect + "; remove it, or flush the chain before adding its rules again",
		Related: []Related{{Range: orig, Message: "first copy"}},
	}
}

// changedSinceFor reports whether a rule after rule i changed what the
// statements stmts read. What they read is computed only when a rule
// wrote a key since (most copies follow rules that write nothing).
func changedSinceFor(log *stateLog, names *stateNames, i int, stmts []parser.Stmt) bool {
	if log.lastAll > i {
		return true
	}
	if log.lastKey <= i {
		return false
	}
	return log.changedSince(i, names.reads(stmts))
}

func onlyMatches(stmts []parser.Stmt) bool {
	for _, s := range stmts {
		if _, ok := s.(*parser.MatchStmt); !ok {
			return false
		}
	}
	return true
}

// endsChainFor reports whether a rule ends the chain for every packet
// its matches select, so that a copy of it never sees one: its last
// statement is accept, drop, reject, return or goto, and before it come
// only matches of the packet (not random numbers or the clock) and
// counters, logging or constant marks.
func endsChainFor(t *chainTable, stmts []parser.Stmt) bool {
	if len(stmts) == 0 {
		return false
	}
	for _, s := range stmts[:len(stmts)-1] {
		if m, match := s.(*parser.MatchStmt); match && !isPureMatch(m) || !match && !cannotStop(s) {
			return false
		}
	}
	if _, ok := stmts[len(stmts)-1].(*parser.RejectStmt); ok {
		return true // a reject nft limits to TCP or one family adds that match
	}
	return endsChain(t, stmts[len(stmts)-1:]) != endNone
}

// lineOf describes the position of node for a message about other:
// "line 5", or "other.nft:5" when they are in different files.
func lineOf(p *Pass, node, other parser.Node) string {
	return lineOfRange(p.Range(node), p.Range(other))
}

// lineOfRange is lineOf for resolved ranges.
func lineOfRange(node, other parser.Range) string {
	a, b := node.Start, other.Start
	if a.Filename == b.Filename {
		return string(strconv.AppendInt([]byte("line "), int64(a.Line), 10))
	}
	return a.Filename + ":" + strconv.Itoa(a.Line)
}

// maxRuleFindingsPerChain caps the NFT308/NFT309 findings of one chain:
// a chain of 250,000 copies of a rule needs one message, not 250,000.
const maxRuleFindingsPerChain = 50

// reportCapped reports the first maxRuleFindingsPerChain of n
// findings and, if there are more, one that counts the rest. diag builds
// finding i (printing rules for its message), at gives only where it is:
// only the findings reported one by one are built, so a chain of
// thousands of copies costs no more than one of fifty.
func reportCapped(p *Pass, n int, diag func(i int) Diagnostic, at func(i int) parser.Range, what, chain string) {
	for i := range n {
		if i == maxRuleFindingsPerChain {
			p.Report(Diagnostic{Range: at(i), Message: fmt.Sprintf(
				"%d more %s in %s from here on are not reported one by one; fix the ones above and lint again",
				n-i, what, chain)})
			return
		}
		p.Report(diag(i))
	}
}
