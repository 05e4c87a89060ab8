package checks

import (
	"fmt"
	"iter"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// Run runs every registered check that applies to the selected runtimes
// (a check with no Runtimes always applies) and that enabled accepts (nil
// accepts all), and returns their diagnostics in a deterministic order:
// by file (in file-set order), position, rule ID, message.
//
// A check that panics does not stop the run: its panic becomes an
// error-level diagnostic of that check, so the bug is visible and the
// other checks still report.
func Run(rs *ruleset.Ruleset, opts *Options, enabled func(*Check) bool) []Diagnostic {
	if opts == nil {
		opts = &Options{}
	}
	selected := opts.runtimes()
	var todo []*Check
	for _, c := range All() {
		if c.Run == nil || !appliesTo(c.Runtimes, selected) {
			continue
		}
		if enabled != nil && !enabled(c) {
			continue
		}
		todo = append(todo, c)
	}
	// Checks only read the ruleset (the shared caches are built once,
	// under sync.Once or a lock), so they run on every core; each check's
	// findings go to its own slot and are joined in registry order, then
	// sorted: the output does not depend on the scheduling.
	results := make([]diagBlocks, len(todo))
	sinks := make([]findingSink, len(todo)) // one allocation for a run on a small file
	tables := newTableIndex(rs)
	shared := &runShared{rs: rs}
	order := scheduleOrder(todo)
	workers := min(runtime.GOMAXPROCS(0), len(todo))
	run := func(i int) { results[i] = runOne(todo[i], rs, opts, tables, shared, &sinks[i]) }
	if workers <= 1 {
		for _, i := range order {
			run(i)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					k := int(next.Add(1)) - 1
					if k >= len(order) {
						return
					}
					run(order[k])
				}
			})
		}
		wg.Wait()
	}
	return mergeSorted(rs.Files, results)
}

// mergeSorted returns the checks' diagnostics in one slice, in the order
// SortDiagnostics gives the checks' lists joined in order: each list is
// sorted (most checks report in order already, so that costs one pass)
// and the lists are merged, ties going to the earlier list. A stable
// sort of the whole had to move thousands of 200-byte diagnostics
// around, log n times each.
func mergeSorted(files *parser.FileSet, results []diagBlocks) []Diagnostic {
	less := diagLess(files)
	n := 0
	var heads []diagCursor // of the lists not merged yet, in order
	for _, r := range results {
		if len(r) == 0 {
			continue
		}
		n += r.len()
		c := diagCursor{blocks: r}
		if !c.sorted(less) {
			all := make([]Diagnostic, 0, r.len())
			for _, b := range r {
				all = append(all, b...)
			}
			sort.SliceStable(all, func(i, j int) bool { return less(&all[i], &all[j]) })
			c.blocks = diagBlocks{all}
		}
		heads = append(heads, c)
	}
	diags := make([]Diagnostic, 0, n)
	for len(heads) > 0 {
		first := 0
		for k := 1; k < len(heads); k++ {
			if less(heads[k].head(), heads[first].head()) {
				first = k
			}
		}
		diags = append(diags, *heads[first].head())
		if !heads[first].next() {
			heads = slices.Delete(heads, first, first+1)
		}
	}
	return diags
}

// diagCursor walks a list of diagnostics collected in blocks.
type diagCursor struct {
	blocks diagBlocks // none empty
	b, i   int        // the current diagnostic is blocks[b][i]
}

func (c *diagCursor) head() *Diagnostic { return &c.blocks[c.b][c.i] }

// next moves to the next diagnostic and reports whether there is one.
func (c *diagCursor) next() bool {
	if c.i++; c.i == len(c.blocks[c.b]) {
		c.b, c.i = c.b+1, 0
	}
	return c.b < len(c.blocks)
}

// sorted reports whether the list is in order, from its start.
func (c diagCursor) sorted(less func(a, b *Diagnostic) bool) bool {
	prev := c.head()
	for c.next() {
		if less(c.head(), prev) {
			return false
		}
		prev = c.head()
	}
	return true
}

// diagBlocks collects one check's diagnostics in blocks that are never
// copied: a check may report thousands (one slice grown by append copied
// them ten times over, 5 MB on a large ruleset). Blocks double from one
// diagnostic up to maxDiagBlock, so a check with few findings allocates
// as little as append would.
type diagBlocks [][]Diagnostic

const maxDiagBlock = 1024

func (b *diagBlocks) add(d Diagnostic) {
	n := len(*b)
	if n == 0 || len((*b)[n-1]) == cap((*b)[n-1]) {
		size := 1
		if n > 0 {
			size = min(2*cap((*b)[n-1]), maxDiagBlock)
		}
		*b = append(*b, make([]Diagnostic, 0, size))
		n++
	}
	(*b)[n-1] = append((*b)[n-1], d)
}

func (b diagBlocks) len() int {
	n := 0
	for _, blk := range b {
		n += len(blk)
	}
	return n
}

// slowChecks are the checks that take longest on large rulesets, most
// first (thread CPU time of each in a Run on large-ruleset: NFT308 and
// NFT309 about a third of the total, then NFT206 10%, NFT213, NFT201,
// NFT207 and NFT405 about 6% each): starting them first keeps the cores
// busy to the end instead of leaving one long check running alone after
// the short ones are done. A check that computes what others share comes
// well before them, so that they do not wait for it with a core idle:
// NFT101 evaluates the forward chains for NFT102, NFT110 and NFT111,
// NFT202 builds the jump graphs of NFT301–NFT306 (NFT301 their rule
// lists), NFT210 the rule census of NFT212. Only the scheduling depends
// on this list, never the output.
var slowChecks = []string{
	"NFT308", "NFT309", "NFT101", "NFT206", "NFT202", "NFT213", "NFT201", "NFT207", "NFT405",
	"NFT210", "NFT211", "NFT301", "NFT212", "NFT404", "NFT303", "NFT208", "NFT403", "NFT302", "NFT306", "NFT106",
}

// scheduleOrder returns the indices of todo in the order to start them:
// the slow checks first, then the others in registry order.
func scheduleOrder(todo []*Check) []int {
	order := make([]int, 0, len(todo))
	taken := make([]bool, len(todo))
	for _, id := range slowChecks {
		for i, c := range todo {
			if c.ID == id && !taken[i] {
				taken[i] = true
				order = append(order, i)
			}
		}
	}
	for i := range todo {
		if !taken[i] {
			order = append(order, i)
		}
	}
	return order
}

// runShared holds what several checks derive from the whole ruleset alike,
// computed once per Run by the first check that asks and shared by the
// checks running in parallel. What it hands out is read only.
type runShared struct {
	rs        *ruleset.Ruleset
	kindsOnce sharedOnce
	kinds     []ruleKinds // parallel to rules

	flowsMu sync.Mutex
	flows   map[forwardKey]*forwardEntry // chainFlows's results

	ruleHashes ruleHashMemo // NFT308's and NFT309's statement hashes (nft3memo.go)
}

// forwardKey and forwardEntry hold chainFlows's result for one chain.
type forwardKey struct {
	chain      *ruleset.Chain
	builtinFwd bool
}

type forwardEntry struct {
	once  sharedOnce
	flows []bridgeFlow
}

// sharedOnce runs a computation shared by the checks of a Run once. If it
// panics, the check that ran it reports the panic, and every other check
// that needs the result panics too (sync.Once alone would hand them the
// missing result as if it were empty, and they would report nothing).
type sharedOnce struct {
	once sync.Once
	done bool
}

func (o *sharedOnce) Do(f func()) {
	o.once.Do(func() {
		f()
		o.done = true
	})
	if !o.done {
		panic("a computation shared with another check crashed (see that check's internal error)")
	}
}

// sharedRun returns the pass's shared state, or a fresh one for a pass
// made outside Run.
func (p *Pass) sharedRun() *runShared {
	if p.shared == nil {
		p.shared = &runShared{rs: p.Ruleset}
	}
	return p.shared
}

// flowEntry returns the entry for k, creating it on first use.
func (sh *runShared) flowEntry(k forwardKey) *forwardEntry {
	sh.flowsMu.Lock()
	defer sh.flowsMu.Unlock()
	if sh.flows == nil {
		sh.flows = make(map[forwardKey]*forwardEntry)
	}
	e := sh.flows[k]
	if e == nil {
		e = &forwardEntry{}
		sh.flows[k] = e
	}
	return e
}

// ruleKinds says which kinds of node a rule's statements hold anywhere
// (inspect's whole walk, through $variables): a check looking for one kind
// walks only the rules that have it. Skipping the others changes nothing,
// since a check's own walk visits a subset of those nodes. Build records
// coarser kinds in the model (ruleset.Rule.Kinds, see ruleRef.may); these are
// the finer ones two checks need.
type ruleKinds uint8

const (
	hasIfIndexMatch     ruleKinds = 1 << iota // match on iif, oif, meta iif, meta oif
	hasInvalidCandidate                       // reject, log, queue, limit, or a negated match on a bitwise expression
)

// ruleKinds returns the kinds of node in each rule of allRules, walking
// every rule once per Run.
func (p *Pass) ruleKinds() []ruleKinds {
	sh := p.sharedRun()
	sh.kindsOnce.Do(func() {
		n := 0
		for _, t := range p.Ruleset.Tables {
			n += ruleCount(t)
		}
		sh.kinds = make([]ruleKinds, 0, n) // grows only for anonymous chain bodies
		v := &kindsVisitor{}
		for _, r := range p.allRules() {
			v.kinds = 0
			if r.may(ruleset.KindNested) {
				// The kinds are statements and matches: walkInner's
				// skipping the leaves changes nothing.
				for _, s := range r.Stmts {
					walkInner(v, s, nil, 0)
				}
			} else {
				// The kinds wanted are statements, and Build found none
				// inside another: the rule's own statements are all.
				for _, s := range r.Stmts {
					if !parser.IsNilNode(s) {
						v.visit(s, nil)
					}
				}
			}
			sh.kinds = append(sh.kinds, v.kinds) // indexed as allRules numbers the rules
		}
	})
	return sh.kinds
}

// kindsVisitor adds up the kinds of the nodes it visits.
type kindsVisitor struct {
	kinds ruleKinds
}

func (v *kindsVisitor) visit(n parser.Node, _ *parser.VarRef) visitor {
	switch x := n.(type) {
	case *parser.MatchStmt:
		if sel, ok := x.Left.(*parser.Selector); ok && sel != nil && isIfIndexSelector(sel) {
			v.kinds |= hasIfIndexMatch
		}
		if _, ok := x.Left.(*parser.Binary); ok && x.Op == parser.OpNot {
			v.kinds |= hasInvalidCandidate
		}
	case *parser.RejectStmt:
		v.kinds |= hasInvalidCandidate
	case *parser.KeywordStmt:
		if x.Keyword == "log" || x.Keyword == "queue" || x.Keyword == "limit" {
			v.kinds |= hasInvalidCandidate
		}
	}
	return v
}

// allRules yields every rule, with its index, as eachRule visits them.
// The index numbers the rules of one Run the same way for every check
// (ruleKinds is indexed by it). eachRule walks the model without
// allocating, so each check walks it again rather than keep a list of
// 50,000 rule references (3.6 MB on large-ruleset).
func (p *Pass) allRules() iter.Seq2[int, ruleRef] {
	rs := p.Ruleset
	return func(yield func(int, ruleRef) bool) {
		i, stopped := 0, false
		eachRule(rs, func(r ruleRef) {
			if stopped {
				return
			}
			if !yield(i, r) {
				stopped = true
				return
			}
			i++
		})
	}
}

// runOne runs a single check and converts a panic into a diagnostic.
func runOne(c *Check, rs *ruleset.Ruleset, opts *Options, tables *tableIndex, shared *runShared, sink *findingSink) diagBlocks {
	*sink = findingSink{admit: opts.Admit, limit: opts.MaxPerCheck}
	pass := NewPass(c, rs, opts, sink.add)
	pass.tableIndex = tables
	pass.shared = shared
	runCheck(c, rs, pass, sink.add)
	return sink.findings()
}

// runCheck runs c with pass; a panic becomes a finding of c.
func runCheck(c *Check, rs *ruleset.Ruleset, pass *Pass, report func(Diagnostic)) {
	defer func() {
		if v := recover(); v != nil {
			report(Diagnostic{
				Range:    firstFileRange(rs),
				Check:    c.ID,
				Name:     c.Name,
				Severity: Error,
				Message:  fmt.Sprintf("internal error: check %s (%s) crashed: %v; please report this bug with the input", c.ID, c.Name, v),
				Related:  []Related{{Message: firstStackLine(debug.Stack())}},
			})
		}
	}()
	c.Run(pass)
}

// firstFileRange is where an internal error is reported: the start of the
// first file, so that every output format has a location.
func firstFileRange(rs *ruleset.Ruleset) parser.Range {
	if rs == nil || rs.Files == nil {
		return parser.Range{}
	}
	files := rs.Files.Files()
	if len(files) == 0 {
		return parser.Range{}
	}
	p := files[0].PositionAt(0)
	return parser.Range{Start: p, End: p}
}

// firstStackLine picks the first stack frame outside the runtime and this
// file, which names the function that panicked.
func firstStackLine(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "panic(") && i+2 < len(lines) {
			return "panicked in " + strings.TrimSpace(lines[i+2])
		}
	}
	return "panicked"
}

// SortDiagnostics orders diagnostics by file (in the order the file set
// holds them), start position, rule ID and message.
func SortDiagnostics(files *parser.FileSet, diags []Diagnostic) {
	less := diagLess(files)
	sort.SliceStable(diags, func(i, j int) bool { return less(&diags[i], &diags[j]) })
}

// diagLess returns the order of SortDiagnostics.
func diagLess(files *parser.FileSet) func(a, b *Diagnostic) bool {
	order := make(map[string]int)
	if files != nil {
		for i, f := range files.Files() {
			if _, dup := order[f.Name()]; !dup {
				order[f.Name()] = i
			}
		}
	}
	fileKey := func(name string) int {
		if i, ok := order[name]; ok {
			return i
		}
		return len(order)
	}
	return func(a, b *Diagnostic) bool {
		// Most findings are in one file: the map lookups only when the
		// names differ (the same name has the same key).
		if a.Start.Filename != b.Start.Filename {
			if fa, fb := fileKey(a.Start.Filename), fileKey(b.Start.Filename); fa != fb {
				return fa < fb
			}
			return a.Start.Filename < b.Start.Filename
		}
		// In one file, the line and column order the offsets.
		return FindingOrder(a, b)
	}
}

// ApplyFixes applies the first fix of each diagnostic to the sources and
// returns the changed files' new contents. Edits that overlap an edit
// already applied are skipped (reported in the second result), so a
// single pass never corrupts a file.
func ApplyFixes(src map[string][]byte, diags []Diagnostic) (map[string][]byte, []TextEdit) {
	byFile := make(map[string][]TextEdit)
	for _, d := range diags {
		if len(d.Fixes) == 0 {
			continue
		}
		for _, e := range d.Fixes[0].Edits {
			byFile[e.Filename] = append(byFile[e.Filename], e)
		}
	}
	out := make(map[string][]byte)
	var skipped []TextEdit
	for name, edits := range byFile {
		content, ok := src[name]
		if !ok {
			skipped = append(skipped, edits...)
			continue
		}
		sort.SliceStable(edits, func(i, j int) bool {
			if edits[i].Start != edits[j].Start {
				return edits[i].Start < edits[j].Start
			}
			return edits[i].End < edits[j].End
		})
		var b strings.Builder
		last := 0
		for _, e := range edits {
			if e.Start < last || e.End < e.Start || e.End > len(content) {
				skipped = append(skipped, e)
				continue
			}
			b.Write(content[last:e.Start])
			b.WriteString(e.NewText)
			last = e.End
		}
		b.Write(content[last:])
		out[name] = []byte(b.String())
	}
	return out, skipped
}
