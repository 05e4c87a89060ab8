package checks

import (
	"sync"

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
	rules                []ruleRef
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

// rulesOf returns t's rules as eachRuleOfTable visits them, without
// building the jump graph.
func (x *tableIndex) rulesOf(t *ruleset.Table) []ruleRef {
	e := x.lookup(t)
	x.rulesOfEntry(t, e)
	return e.rules
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
		n := 0
		for _, c := range t.Chains {
			n += len(c.Rules)
		}
		e.rules = make([]ruleRef, 0, n) // grows only for anonymous chain bodies
		eachRuleOfTable(t, func(r ruleRef) { e.rules = append(e.rules, r) })
	})
}

// tables returns the pass's shared table index, or a fresh one for a pass
// made outside Run.
func (p *Pass) tables() *tableIndex {
	if p.tableIndex == nil {
		p.tableIndex = newTableIndex(p.Ruleset)
	}
	return p.tableIndex
}
