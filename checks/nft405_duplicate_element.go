package checks

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"slices"
	"sort"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT405 reports elements listed twice in a set, map or anonymous set.
var nft405 = &Check{
	ID:       "NFT405",
	Name:     "duplicate-element",
	Title:    "the same element is listed twice in a set or map",
	Severity: Info,
	Tags:     []string{"maintainability"},
	Doc: `nft accepts an element that is already in a set (or a map element with the same
key and value) and keeps one copy. The repeat is harmless to the kernel but not to
readers: lists of addresses and ports are read as "what is allowed", and a
duplicate often stands where another value was meant (a copied line whose address
was never changed), or hides that an entry was added twice by two scripts.

Elements are compared by their structure (` + "`0x16`" + ` and ` + "`22`" + ` are equal; ` + "`10.0.0.0/8`" + ` and
` + "`10.0.0.0-10.255.255.255`" + ` are not compared). Duplicates that come from two different
` + "`$variables`" + ` (` + "`{ $office, $vpn }`" + ` with an address in both) are not reported: overlapping
defines are usually deliberate. A map key listed twice with different values is an
error nft reports ("File exists"): NFT213 reports it. Elements are
hashed and sorted once, so sets with millions of elements are checked quickly; at
most 20 duplicates are reported per set.

**Fix:** remove the repeated element, or correct it to the value that was meant.`,
	Run: runDuplicateElement,
}

// maxDuplicateReports caps the findings per set; a summary names the rest.
const maxDuplicateReports = 20

func runDuplicateElement(p *Pass) {
	defs := newDefineRanges(p.Ruleset)
	sc := &dupScratch{seed: maphash.MakeSeed()}
	for _, t := range p.Ruleset.Tables {
		for _, s := range t.Sets {
			kind := "set"
			if s.IsMap {
				kind = "map"
			}
			var parts dupElems
			for els, run := range s.Chunks {
				parts.add(dupPart{set: els, run: run})
			}
			reportDuplicates(p, defs, &parts, fmt.Sprintf("%s %q", kind, s.Name), sc)
		}
	}
	v := &dupLitVisitor{p: p, defs: defs, seen: make(map[*parser.SetLit]bool), sc: sc}
	for _, t := range p.Ruleset.Tables {
		eachRuleOfTable(t, func(r ruleRef) {
			if !r.may(ruleset.KindSetLit) {
				return
			}
			for _, st := range r.Stmts {
				walkInner(v, st, nil, 0)
			}
		})
	}
}

// dupLitVisitor finds the anonymous set literals of the rules, each once
// (a define's literal is reached from every rule that uses it).
type dupLitVisitor struct {
	p     *Pass
	defs  *defineRanges
	seen  map[*parser.SetLit]bool
	sc    *dupScratch
	parts dupElems // reused for every literal
}

// distinctLeaves reports whether l is a short list of literals (words,
// addresses), numbers and strings that are pairwise different: most anonymous sets
// (`{ tcp, udp }`, a few ports) are, and need no canonical keys. It
// answers false when it cannot tell; the keys then decide.
func distinctLeaves(l *dupElems) bool {
	const maxElems = 16
	if len(l.parts) != 1 || l.parts[0].run != nil || l.n > maxElems {
		return false
	}
	els := l.parts[0].lit
	for i := range els {
		if els[i].value != nil {
			return false
		}
		for j := range i {
			if equal, ok := leafKeysEqual(els[i].key, els[j].key); !ok || equal {
				return false
			}
		}
	}
	return true
}

// leafKeysEqual compares two keys as their canonical keys would, when
// both are literals, numbers, strings or selectors without arguments
// (ok false otherwise).
func leafKeysEqual(a, b parser.Expr) (equal, ok bool) {
	switch x := a.(type) {
	case *parser.Literal:
		y, same := b.(*parser.Literal)
		if x == nil || !isLeafKey(b) {
			return false, false
		}
		return same && x.Kind == y.Kind && x.Text == y.Text, true
	case *parser.Number:
		y, same := b.(*parser.Number)
		if x == nil || !isLeafKey(b) {
			return false, false
		}
		if !same || x.Neg != y.Neg || x.Overflow != y.Overflow {
			return false, true
		}
		if x.Overflow {
			return x.Text == y.Text, true
		}
		return x.Value == y.Value, true
	case *parser.StringLit:
		y, same := b.(*parser.StringLit)
		if x == nil || !isLeafKey(b) {
			return false, false
		}
		return same && x.Value == y.Value, true
	case *parser.Selector: // a bare word the parser read as a selector
		y, same := b.(*parser.Selector)
		if !isLeafKey(a) || !isLeafKey(b) {
			return false, false
		}
		if !same || len(x.Words) != len(y.Words) {
			return false, true
		}
		for i := range x.Words {
			if x.Words[i].Name != y.Words[i].Name {
				return false, true
			}
		}
		return true, true
	}
	return false, false
}

// isLeafKey reports whether e is a non-nil literal, number, string or
// selector without arguments.
func isLeafKey(e parser.Expr) bool {
	switch x := e.(type) {
	case *parser.Literal:
		return x != nil
	case *parser.Number:
		return x != nil
	case *parser.StringLit:
		return x != nil
	case *parser.Selector:
		return x != nil && len(x.Args()) == 0
	}
	return false
}

// dupScratch is what reportDuplicates reuses from one set to the next:
// thousands of small literals should not each grow a buffer.
type dupScratch struct {
	seed   maphash.Seed
	w      canonWriter
	hs     []hashedElem
	runs   packedRuns
	groups dupGroups
}

func (v *dupLitVisitor) visit(n parser.Node, _ *parser.VarRef) visitor {
	lit, ok := n.(*parser.SetLit)
	if !ok || v.seen[lit] {
		return v
	}
	v.parts.reset()
	flattenLiteralParts(lit, &v.parts, 0)
	if distinctLeaves(&v.parts) {
		return v // nothing to report, now or when reached again
	}
	v.seen[lit] = true
	reportDuplicates(v.p, v.defs, &v.parts, "this anonymous set", v.sc)
	return v
}

// dupElem is one element: its key, its map value (nil for sets) and the
// node to report.
type dupElem struct {
	key, value parser.Expr
	node       parser.Node
}

// dupPart is a stretch of the elements of a set, in the order they were
// added: Elements of a named set (read in place: a copy of a million
// elements would be 40 MB), elements of an anonymous set literal, or a
// packed run. ord is the number of elements in the parts before it.
type dupPart struct {
	set []*ruleset.Element
	lit []dupElem
	run *parser.ElemRun
	ord int
}

func (pt *dupPart) len() int {
	switch {
	case pt.run != nil:
		return pt.run.Len()
	case pt.set != nil:
		return len(pt.set)
	}
	return len(pt.lit)
}

// dupElems are the elements of a set or literal, as parts; elements are
// numbered (ord) in order across the parts.
type dupElems struct {
	parts []dupPart
	n     int
	buf   []dupElem // backs the lit parts of a flattened literal
}

// reset empties l, keeping its buffers.
func (l *dupElems) reset() {
	clear(l.parts)
	l.parts, l.n, l.buf = l.parts[:0], 0, l.buf[:0]
}

func (l *dupElems) add(pt dupPart) {
	if pt.len() == 0 {
		return
	}
	pt.ord = l.n
	l.n += pt.len()
	l.parts = append(l.parts, pt)
}

func (l *dupElems) len() int { return l.n }

// part returns the part holding element ord and ord's index in it.
func (l *dupElems) part(ord int) (*dupPart, int) {
	k := sort.Search(len(l.parts), func(k int) bool { return l.parts[k].ord > ord }) - 1
	return &l.parts[k], ord - l.parts[k].ord
}

// at returns element ord; a packed element gets its node built.
func (l *dupElems) at(ord int) dupElem {
	pt, i := l.part(ord)
	switch {
	case pt.run != nil:
		x := pt.run.At(i)
		return dupElem{key: x, node: x}
	case pt.set != nil:
		el := pt.set[i]
		return dupElem{key: el.Key, value: el.Value, node: el.Node}
	}
	return pt.lit[i]
}

// flattenLiteralParts lists the elements of an anonymous set literal as
// nft does: nested literals and $variables holding literals are merged
// in. Packed runs, which hold plain elements without values, are kept in
// order as parts of their own.
func flattenLiteralParts(lit *parser.SetLit, out *dupElems, depth int) {
	if depth > maxCanonDepth {
		return
	}
	for _, x := range lit.Elems {
		switch e := unwrapVar(x).(type) {
		case *parser.SetLit:
			flattenLiteralParts(e, out, depth+1)
			continue
		case *parser.ElemRun:
			out.add(dupPart{run: e})
			continue
		}
		el := dupElem{key: x, node: x}
		if e, ok := x.(*parser.Elem); ok {
			el.key = e.Value
		}
		if m, ok := el.key.(*parser.MapElem); ok {
			el.key, el.value = m.Key, m.Value
		}
		// The last lit part is the tail of buf: extend it, or start one.
		if k := len(out.parts) - 1; k >= 0 && out.parts[k].run == nil && out.parts[k].set == nil {
			start := len(out.buf) - len(out.parts[k].lit)
			out.buf = append(out.buf, el)
			out.parts[k].lit = out.buf[start:]
			out.n++
		} else {
			out.buf = append(out.buf, el)
			out.add(dupPart{lit: out.buf[len(out.buf)-1:]})
		}
	}
}

// reportDuplicates finds equal elements and reports each repeat. Element
// nodes are compared by hashing their canonical keys and sorting the
// hashes (O(n log n), 16 bytes per element), confirming equal hashes by
// comparing the keys; packed elements by their bounds and text, in
// place when the runs are written in order (O(n)), else after sorting.
func reportDuplicates(p *Pass, defs *defineRanges, elems *dupElems, where string, sc *dupScratch) {
	if elems.len() < 2 {
		return
	}
	seed := sc.seed
	w := &sc.w
	nodes := 0 // elements that are not packed
	for k := range elems.parts {
		if elems.parts[k].run == nil {
			nodes += elems.parts[k].len()
		}
	}
	hs := slices.Grow(sc.hs[:0], nodes)
	defer func() { sc.hs = hs[:0] }()
	runs := &sc.runs
	runs.reset()
	for k := range elems.parts {
		pt := &elems.parts[k]
		if pt.run != nil {
			runs.add(pt.run, pt.ord)
			continue
		}
		for i := range pt.len() {
			ord := pt.ord + i
			if !w.element(elems.at(ord)) {
				continue
			}
			hs = append(hs, hashedElem{maphash.Bytes(seed, w.b.Bytes()), ord})
		}
	}
	sortHashed(hs)
	groups := &sc.groups
	groups.parent = nil // not cleared: a map grown by one large set would slow every later one
	for lo := 0; lo < len(hs); {
		hi := lo + 1
		for hi < len(hs) && hs[hi].h == hs[lo].h {
			hi++
		}
		if hi-lo > 1 {
			keys := make([]string, hi-lo)
			for k := lo; k < hi; k++ {
				w.element(elems.at(hs[k].i))
				keys[k-lo] = w.b.String()
			}
			for k := 1; k < hi-lo; k++ {
				for j := 0; j < k; j++ {
					if keys[j] == keys[k] {
						groups.join(hs[lo+j].i, hs[lo+k].i)
						break
					}
				}
			}
		}
		lo = hi
	}
	if runs.n > 0 {
		runs.duplicates(groups)
		// An element node equal to a packed element: look its bounds up
		// among the sorted packed ones and compare the keys.
		for _, h := range hs {
			el := elems.at(h.i)
			if el.value != nil {
				continue
			}
			r, ok := keyRange(ruleset.Unknown, unparenAll(el.key))
			if !ok {
				continue
			}
			lo, hi := parser.Uint128{Hi: r.lo.hi, Lo: r.lo.lo}, parser.Uint128{Hi: r.hi.hi, Lo: r.hi.lo}
			var key string
			for j := runs.search(lo, hi); j < runs.n; j++ {
				jlo, jhi := runs.bounds(j)
				if jlo != lo || jhi != hi {
					break
				}
				if key == "" {
					w.element(el)
					key = w.b.String()
				}
				run, i := runs.elem(j)
				x := run.At(i)
				if w.element(dupElem{key: x}) && w.b.String() == key {
					groups.join(h.i, runs.ord(j))
				}
			}
		}
	}
	dups := groups.pairs()
	reported := 0
	for _, d := range dups {
		first, dup := elems.at(d[0]), elems.at(d[1])
		if defs.of(first.node) != defs.of(dup.node) {
			continue // from two different defines
		}
		if reported == maxDuplicateReports {
			p.Report(Diagnostic{Range: p.Range(dup.node), Message: fmt.Sprintf(
				"%s has more repeated elements than the %d reported: remove the repeats", where, maxDuplicateReports)})
			return
		}
		reported++
		p.Report(Diagnostic{
			Range: p.Range(dup.node),
			Message: fmt.Sprintf("element %s is already in %s (at %s): nft keeps one copy, so the repeat only obscures what the list holds; remove it or correct it to the value that was meant",
				elementText(dup.key), where, lineOf(p, first.node, dup.node)),
			Related: []Related{{Range: p.Range(first.node), Message: "first listed here"}},
		})
	}
}

// unparenAll strips parentheses and $variables around a key, as the
// canonical key does.
func unparenAll(e parser.Expr) parser.Expr {
	for i := 0; i < 64; i++ {
		switch x := e.(type) {
		case *parser.Paren:
			e = x.X
		case *parser.VarRef:
			if x.Value == nil {
				return e
			}
			e = x.Value
		default:
			return e
		}
	}
	return e
}

// dupGroups collects elements with equal keys (by ord) with a
// union-find over the few elements that have an equal.
type dupGroups struct {
	parent map[int]int
}

func (g *dupGroups) find(x int) int {
	for {
		p, ok := g.parent[x]
		if !ok || p == x {
			return x
		}
		g.parent[x] = g.parent[p]
		x = p
	}
}

func (g *dupGroups) join(a, b int) {
	if g.parent == nil {
		g.parent = make(map[int]int)
	}
	ra, rb := g.find(a), g.find(b)
	if _, ok := g.parent[a]; !ok {
		g.parent[a] = a
	}
	if _, ok := g.parent[b]; !ok {
		g.parent[b] = b
	}
	if ra == rb {
		return
	}
	// The earliest element is the root: it is the first listing.
	if rb < ra {
		ra, rb = rb, ra
	}
	g.parent[rb] = ra
}

// pairs returns (first, repeat) for every repeat, ordered by repeat.
func (g *dupGroups) pairs() [][2]int {
	var out [][2]int
	for x := range g.parent {
		if r := g.find(x); r != x {
			out = append(out, [2]int{r, x})
		}
	}
	slices.SortFunc(out, func(a, b [2]int) int { return a[1] - b[1] })
	return out
}

// packedRuns are the packed elements of a set or literal, numbered in
// order across the runs (index j), viewed sorted by bounds: in place when
// they are written in order, else through a sorted copy of their bounds.
type packedRuns struct {
	runs   []*parser.ElemRun
	first  []int // index j of each run's first element
	ords   []int // ord of each run's first element
	n      int
	sorted []packedItem // nil when the runs are in order
}

type packedItem struct {
	lo, hi parser.Uint128
	j      int
}

// reset empties r, keeping its lists.
func (r *packedRuns) reset() {
	*r = packedRuns{runs: r.runs[:0], first: r.first[:0], ords: r.ords[:0]}
}

func (r *packedRuns) add(run *parser.ElemRun, ord int) {
	r.runs = append(r.runs, run)
	r.first = append(r.first, r.n)
	r.ords = append(r.ords, ord)
	r.n += run.Len()
}

// raw returns the run and index of element j in written order.
func (r *packedRuns) raw(j int) (int, int) {
	k := 0
	if len(r.runs) > 1 {
		k = sort.Search(len(r.first), func(k int) bool { return r.first[k] > j }) - 1
	}
	return k, j - r.first[k]
}

// elem returns the run and index of the j-th element in sorted order.
func (r *packedRuns) elem(j int) (*parser.ElemRun, int) {
	if r.sorted != nil {
		j = r.sorted[j].j
	}
	k, i := r.raw(j)
	return r.runs[k], i
}

// ord returns the ord of the j-th element in sorted order.
func (r *packedRuns) ord(j int) int {
	if r.sorted != nil {
		j = r.sorted[j].j
	}
	k, i := r.raw(j)
	return r.ords[k] + i
}

// bounds returns the bounds of the j-th element in sorted order.
func (r *packedRuns) bounds(j int) (lo, hi parser.Uint128) {
	if r.sorted != nil {
		return r.sorted[j].lo, r.sorted[j].hi
	}
	run, i := r.elem(j)
	return run.Bounds(i)
}

func cmpBounds(alo, ahi, blo, bhi parser.Uint128) int {
	if c := alo.Cmp(blo); c != 0 {
		return c
	}
	return ahi.Cmp(bhi)
}

// sortCopy makes the sorted view: a copy of the bounds, sorted.
func (r *packedRuns) sortCopy() {
	items := make([]packedItem, 0, r.n)
	for _, run := range r.runs {
		for i := range run.Len() {
			lo, hi := run.Bounds(i)
			items = append(items, packedItem{lo, hi, len(items)})
		}
	}
	slices.SortFunc(items, func(a, b packedItem) int {
		if c := cmpBounds(a.lo, a.hi, b.lo, b.hi); c != 0 {
			return c
		}
		return a.j - b.j
	})
	r.sorted = items
}

// search returns the first sorted index whose bounds are not below lo, hi.
func (r *packedRuns) search(lo, hi parser.Uint128) int {
	return sort.Search(r.n, func(j int) bool {
		jlo, jhi := r.bounds(j)
		return cmpBounds(jlo, jhi, lo, hi) >= 0
	})
}

// duplicates joins the packed elements with equal keys, and leaves the
// view sorted (for search). Equal bounds are adjacent in sorted order,
// and among those the keys are equal when the form and text agree
// (numbers are written in one way only). Each element is compared with
// the first element of each distinct key of its group of equal bounds:
// usually none or one. Runs are usually written in order: the first
// pass checks that as it goes (O(n), nothing copied) and only when they
// are not are the bounds copied and sorted. Groups joined before the
// disorder showed are true equals; the second pass joins them again.
func (r *packedRuns) duplicates(g *dupGroups) {
	d := dupSweep{r: r, g: g}
	j := 0
	for _, run := range r.runs {
		for i := range run.Len() {
			lo, hi := run.Bounds(i)
			if j > 0 && cmpBounds(d.lo, d.hi, lo, hi) > 0 {
				r.sortCopy()
				d = dupSweep{r: r, g: g}
				for j, it := range r.sorted {
					d.visit(j, it.lo, it.hi)
				}
				return
			}
			d.visit(j, lo, hi)
			j++
		}
	}
}

// dupSweep is the state of packedRuns.duplicates.
type dupSweep struct {
	r      *packedRuns
	g      *dupGroups
	lo, hi parser.Uint128 // bounds of the current group
	first  int            // sorted index of the group's first element
	reps   []int          // sorted indices of the first element of each key, beyond first
}

func (d *dupSweep) visit(j int, lo, hi parser.Uint128) {
	if j == 0 || lo != d.lo || hi != d.hi {
		d.lo, d.hi, d.first, d.reps = lo, hi, j, d.reps[:0]
		return
	}
	rj, ij := d.r.elem(j)
	if d.sameKey(d.first, rj, ij) {
		d.g.join(d.r.ord(d.first), d.r.ord(j))
		return
	}
	for _, k := range d.reps {
		if d.sameKey(k, rj, ij) {
			d.g.join(d.r.ord(k), d.r.ord(j))
			return
		}
	}
	d.reps = append(d.reps, j)
}

func (d *dupSweep) sameKey(k int, rj *parser.ElemRun, ij int) bool {
	rk, ik := d.r.elem(k)
	return rk.Family() == rj.Family() && rk.Form(ik) == rj.Form(ij) && rk.Text(ik) == rj.Text(ij)
}

// element writes the canonical key of a set element (with its map value)
// into w, resetting it first, and reports whether it has one.
func (w *canonWriter) element(el dupElem) bool {
	w.b.Reset()
	w.bad = false
	w.node(el.key, 0)
	if el.value != nil {
		w.b.WriteString("=>")
		w.node(el.value, 0)
	}
	return !w.bad
}

// elementText prints an element for a message, shortened.
func elementText(n parser.Node) string {
	var b bytes.Buffer
	if err := parser.FprintNode(&b, n); err != nil {
		return "…"
	}
	s := b.String()
	if r := []rune(s); len(r) > 40 {
		s = string(r[:37]) + "…"
	}
	return s
}

// defineRanges finds the define whose value a node was written in.
type defineRanges struct {
	spans []defineSpan // sorted by start
}

type defineSpan struct {
	from, to parser.Pos
	def      *parser.DefineCmd
}

func newDefineRanges(rs *ruleset.Ruleset) *defineRanges {
	d := &defineRanges{}
	for _, x := range rs.Defines {
		if x.Cmd != nil && x.Cmd.Value != nil {
			d.spans = append(d.spans, defineSpan{x.Cmd.Value.Pos(), x.Cmd.Value.End(), x.Cmd})
		}
	}
	sort.Slice(d.spans, func(i, j int) bool { return d.spans[i].from < d.spans[j].from })
	return d
}

// of returns the define whose value contains n, or nil.
func (d *defineRanges) of(n parser.Node) *parser.DefineCmd {
	pos := n.Pos()
	// Define values never overlap: only the last one starting at or
	// before pos can contain it.
	i := sort.Search(len(d.spans), func(i int) bool { return d.spans[i].from > pos }) - 1
	if i >= 0 && pos < d.spans[i].to {
		return d.spans[i].def
	}
	return nil
}
