package checks

import (
	"sync"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// tableIndex holds what several checks derive from one table alike — its
// jump graph and its rules as eachRuleOfTable visits them — computed once
// per Run and shared by the checks running in parallel (NFT301–NFT303,
// NFT305 and NFT306 each ask for every table with a base chain). What it
// hands out is read only.
type tableIndex struct {
	rs     *ruleset.Ruleset
	mu     sync.Mutex
	tables map[*ruleset.Table]*tableEntry
}

type tableEntry struct {
	graphOnce, rulesOnce sync.Once
	graph                *jumpGraph
	rules                tableRules
}

// tableRules is a table's rules as eachRuleOfTable visits them, kept
// small (a ruleRef per rule was 3.6 MB on a large ruleset): a rule holds
// what is not the same for its neighbours, runs say whose chain they are.
type tableRules struct {
	rules []tableRule
	runs  []chainRun // consecutive rules of one chain, in order
}

// tableRule is a rule of the model, or (rule nil) a rule of an anonymous
// chain body attributed to the chain that contains it.
type tableRule struct {
	rule *ruleset.Rule
	body *parser.Rule
}

// chainRun says that rules[start:end] are attributed to chain.
type chainRun struct {
	start, end int
	chain      *ruleset.Chain
}

// stmts returns the statements of rule i.
func (x *tableRules) stmts(i int) []parser.Stmt {
	if r := x.rules[i].rule; r != nil {
		return r.Stmts
	}
	return x.rules[i].body.Stmts
}

func newTableIndex(rs *ruleset.Ruleset) *tableIndex {
	return &tableIndex{rs: rs, tables: make(map[*ruleset.Table]*tableEntry)}
}

// entry returns t's graph and rules, computing them on first use.
func (x *tableIndex) entry(t *ruleset.Table) *tableEntry {
	e := x.lookup(t)
	x.graphOf(t, e)
	x.rulesOfEntry(t, e)
	return e
}

func (x *tableIndex) lookup(t *ruleset.Table) *tableEntry {
	x.mu.Lock()
	e := x.tables[t]
	if e == nil {
		e = &tableEntry{}
		x.tables[t] = e
	}
	x.mu.Unlock()
	return e
}

func (x *tableIndex) graphOf(t *ruleset.Table, e *tableEntry) {
	e.graphOnce.Do(func() { e.graph = buildJumpGraph(x.rs, t) })
}

func (x *tableIndex) rulesOfEntry(t *ruleset.Table, e *tableEntry) {
	e.rulesOnce.Do(func() {
		rules := &e.rules
		rules.rules = make([]tableRule, 0, ruleCount(t)) // grows only for anonymous chain bodies
		eachRuleOfTable(t, func(r ruleRef) {
			i := len(rules.rules)
			if k := len(rules.runs) - 1; k >= 0 && rules.runs[k].chain == r.Chain {
				rules.runs[k].end = i + 1
			} else {
				rules.runs = append(rules.runs, chainRun{start: i, end: i + 1, chain: r.Chain})
			}
			tr := tableRule{rule: r.Rule}
			if r.Rule == nil {
				tr.body = r.Node.(*parser.Rule) // what ruleWalker.anon visits
			}
			rules.rules = append(rules.rules, tr)
		})
	})
}

// ruleCount returns the number of rules of t's chains: about as many as
// eachRuleOfTable visits (it visits the rules of anonymous chain bodies
// too, and those of anonymous chains once).
func ruleCount(t *ruleset.Table) int {
	n := 0
	for _, c := range t.Chains {
		n += len(c.Rules)
	}
	return n
}

// tables returns the pass's shared table index, or a fresh one for a pass
// made outside Run.
func (p *Pass) tables() *tableIndex {
	if p.tableIndex == nil {
		p.tableIndex = newTableIndex(p.Ruleset)
	}
	return p.tableIndex
}
