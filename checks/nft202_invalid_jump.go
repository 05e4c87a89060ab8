package checks

import (
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT202 reports jump/goto loops reachable from a base chain, and jumps to
// base chains.
var nft202 = &Check{
	ID:       "NFT202",
	Name:     "invalid-jump",
	Title:    "a jump or goto forms a loop, or targets a base chain",
	Severity: Error,
	Tags:     []string{"load", "correctness"},
	Doc: `The kernel refuses two kinds of jumps when the ruleset is loaded:

- **loops**: chain A jumps (or goes) to B, B to … and back to A, and the loop is
  reachable from a base chain. The kernel rejects the batch with "Could not process
  rule: Too many links". ` + "`nft -c`" + ` does **not** detect this: the check passes and
  the real load fails, typically at boot or on ` + "`systemctl reload nftables`" + `,
  leaving the previous ruleset (or none) in place. Verdict maps count: ` + "`vmap { 22 : jump a }`" + `
  and the elements of a named verdict map are jumps too.
- **jumps to base chains**: a base chain (one with ` + "`type … hook …`" + `) is entered from
  its hook only; ` + "`jump input`" + ` is refused with "Operation not supported".

**Fix:** break the loop (usually a ` + "`jump`" + ` back to a dispatcher chain should be a
` + "`return`" + `, or the shared rules belong in a third chain both jump to), and move rules
a base chain and another chain share into a regular chain that both jump to.`,
	Run: runInvalidJump,
}

// jumpGraph is the chain graph of one table: nodes are named chains,
// edges jumps and gotos (statements and verdict-map verdicts).
type jumpGraph struct {
	names  []string
	index  map[string]int
	chains []*ruleset.Chain
	edges  [][]jumpEdge
}

// jumpEdge is an edge of the graph: what reportLoops and NFT202's
// messages need of a chainEdge (whose target is the chain to, by index),
// in two thirds of its size: large tables hold thousands of jumps.
type jumpEdge struct {
	to     int
	isGoto bool
	node   parser.Node // the target name, for positions
	via    *parser.VarRef
}

// kind returns "jump" or "goto".
func (e *jumpEdge) kind() string {
	if e.isGoto {
		return "goto"
	}
	return "jump"
}

func buildJumpGraph(rs *ruleset.Ruleset, t *ruleset.Table) *jumpGraph {
	g := &jumpGraph{index: make(map[string]int)}
	for _, c := range t.Chains {
		if c.Anonymous {
			continue
		}
		if _, dup := g.index[c.Name]; dup {
			continue
		}
		g.index[c.Name] = len(g.names)
		g.names = append(g.names, c.Name)
		g.chains = append(g.chains, c)
	}
	g.edges = make([][]jumpEdge, len(g.names))
	lookupSet := func(name string) *ruleset.Set { return t.Set(name) }
	// One closure for every statement (from is the current rule's chain):
	// a closure per statement was most of the graph's allocations. The
	// edges of a chain are collected in chainEdges, then copied to the
	// graph in one slice of their number (appending to each chain's list
	// allocated 2.7 times the space of the edges on large rulesets).
	from := -1
	var chainEdges []jumpEdge
	addEdge := func(e chainEdge) {
		if to, ok := g.index[e.Target]; ok {
			chainEdges = append(chainEdges, jumpEdge{to: to, isGoto: e.Kind == "goto", node: e.Node, via: e.Via})
		}
	}
	flush := func() {
		if len(chainEdges) > 0 {
			g.edges[from] = append(g.edges[from], chainEdges...)
			chainEdges = chainEdges[:0]
		}
	}
	prevChain := (*ruleset.Chain)(nil)
	eachRuleOfTable(t, func(r ruleRef) {
		if r.Table != t || r.Chain == nil {
			return
		}
		if r.Chain != prevChain {
			flush()
			i, ok := g.index[r.Chain.Name]
			if !ok {
				i = -1
			}
			from, prevChain = i, r.Chain
		}
		if from < 0 || !r.may(ruleset.KindJump|ruleset.KindVmap) {
			return
		}
		for _, s := range r.Stmts {
			verdictTargets(s, lookupSet, addEdge)
		}
	})
	flush()
	return g
}

func runInvalidJump(p *Pass) {
	for _, t := range p.Ruleset.Tables {
		// The jump graph is shared with NFT301-NFT306 (read only); the
		// table's rule list, which entry would also build, is not needed.
		index := p.tables()
		e := index.lookup(t)
		index.graphOf(t, e)
		g := e.graph
		for from := range g.edges {
			for _, e := range g.edges[from] {
				if target := g.chains[e.to]; target.IsBase() {
					reportVia(p, e.node, e.via, Error, fmt.Sprintf(
						"%s to base chain %q: the kernel refuses jumps to base chains (\"Operation not supported\"); move the shared rules into a regular chain and jump to that",
						e.kind(), target.Name))
				}
			}
		}
		reportLoops(p, g)
	}
}

// reportLoops finds the strongly connected components of the chains
// reachable from base chains (Tarjan's algorithm, iterative, O(V+E)) and
// reports one diagnostic per component that contains a cycle.
func reportLoops(p *Pass, g *jumpGraph) {
	n := len(g.names)
	// Reachability from base chains, ignoring jumps to base chains (the
	// kernel refuses those anyway, and they are reported above).
	reach := make([]bool, n)
	var stack []int
	for i, c := range g.chains {
		if c.IsBase() {
			reach[i] = true
			stack = append(stack, i)
		}
	}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, e := range g.edges[v] {
			if !reach[e.to] && !g.chains[e.to].IsBase() {
				reach[e.to] = true
				stack = append(stack, e.to)
			}
		}
	}

	const unvisited = -1
	index := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	comp := make([]int, n)
	for i := range index {
		index[i] = unvisited
		comp[i] = -1
	}
	var sccStack []int
	next, ncomp := 0, 0
	type frame struct{ v, edge int }
	for root := 0; root < n; root++ {
		if !reach[root] || index[root] != unvisited {
			continue
		}
		call := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		sccStack = append(sccStack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			if f.edge < len(g.edges[v]) {
				w := g.edges[v][f.edge].to
				f.edge++
				if !reach[w] || g.chains[w].IsBase() {
					continue
				}
				if index[w] == unvisited {
					index[w], low[w] = next, next
					next++
					sccStack = append(sccStack, w)
					onStack[w] = true
					call = append(call, frame{w, 0})
				} else if onStack[w] {
					low[v] = min(low[v], index[w])
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] == index[v] {
				for {
					w := sccStack[len(sccStack)-1]
					sccStack = sccStack[:len(sccStack)-1]
					onStack[w] = false
					comp[w] = ncomp
					if w == v {
						break
					}
				}
				ncomp++
			}
		}
	}

	// For each component with a cycle, report the edge inside it that is
	// written last: the kernel fails on the rule that closes the loop.
	best := make(map[int]struct {
		from int
		e    jumpEdge
	})
	for v := 0; v < n; v++ {
		if comp[v] < 0 {
			continue
		}
		for _, e := range g.edges[v] {
			if comp[e.to] != comp[v] {
				continue
			}
			cur, ok := best[comp[v]]
			if !ok || e.node.Pos() > cur.e.node.Pos() {
				best[comp[v]] = struct {
					from int
					e    jumpEdge
				}{v, e}
			}
		}
	}
	for c := 0; c < ncomp; c++ {
		b, ok := best[c]
		if !ok {
			continue
		}
		path := cyclePath(g, comp, b.e.to, b.from)
		names := make([]string, 0, len(path)+1)
		for _, v := range path {
			names = append(names, g.names[v])
		}
		names = append(names, g.names[b.e.to])
		reportVia(p, b.e.node, b.e.via, Error, fmt.Sprintf(
			"%s to chain %q closes the loop %s, reachable from a base chain: the kernel rejects the load with \"Too many links\" (nft -c does not notice); break the loop, e.g. with return",
			b.e.kind(), g.names[b.e.to], strings.Join(names, " → ")))
	}
}

// cyclePath returns the chains on a shortest path from start to end inside
// one component (BFS), start and end included.
func cyclePath(g *jumpGraph, comp []int, start, end int) []int {
	prev := map[int]int{start: -1}
	queue := []int{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if v == end {
			break
		}
		for _, e := range g.edges[v] {
			if comp[e.to] != comp[start] {
				continue
			}
			if _, seen := prev[e.to]; !seen {
				prev[e.to] = v
				queue = append(queue, e.to)
			}
		}
	}
	var rev []int
	for v := end; v != -1; v = prev[v] {
		rev = append(rev, v)
		if len(rev) > len(g.names) {
			break
		}
	}
	out := make([]int, len(rev))
	for i, v := range rev {
		out[len(rev)-1-i] = v
	}
	return out
}
