package checks

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT208 reports overlapping interval elements nft refuses, and interval
// elements in sets without `flags interval`.
var nft208 = &Check{
	ID:       "NFT208",
	Name:     "conflicting-intervals",
	Title:    "set or map elements overlap where nft cannot merge them, or need flags interval",
	Severity: Error,
	Tags:     []string{"load", "correctness"},
	Doc: `Sets and maps with ` + "`flags interval`" + ` store address ranges, prefixes and port
ranges. nft refuses elements that overlap without being identical ("conflicting
intervals specified") in

- named sets without ` + "`auto-merge`" + ` (` + "`10.0.0.0/8`" + ` and ` + "`10.1.0.0/16`" + `, or ` + "`20-30`" + ` and ` + "`25`" + `),
  also when the second element comes from a later ` + "`add element`" + `;
- named maps and anonymous maps/verdict maps, where a packet in the overlap would
  have two values (` + "`ip saddr vmap { 10.0.0.0/8 : accept, 10.1.0.0/16 : drop }`" + `).

Anonymous sets (` + "`tcp dport { 20-30, 25 }`" + `) and sets with ` + "`auto-merge`" + ` are merged by nft
and are fine. A prefix or range in a set without ` + "`flags interval`" + ` is refused too ("You must
add 'flags interval' to your set declaration").

nftlint sorts the elements by their start (O(n log n)), so sets with millions of
elements are checked quickly.

**Fix:** remove the element that is already covered, split the ranges so they do
not overlap, add ` + "`auto-merge`" + ` to a set, or for maps decide which value the overlap
should get and cut the ranges accordingly.`,
	Run: runConflictingIntervals,
}

// u128 is an unsigned 128-bit number: the key space of IPv6 addresses.
type u128 struct{ hi, lo uint64 }

func (a u128) less(b u128) bool { return a.hi < b.hi || a.hi == b.hi && a.lo < b.lo }

// interval is one element as a closed range of keys.
type interval struct {
	lo, hi u128
	node   parser.Node
}

func runConflictingIntervals(p *Pass) {
	for _, t := range p.Ruleset.Tables {
		for _, s := range t.Sets {
			checkNamedSetIntervals(p, s)
		}
	}
	v := &mapOverlapVisitor{p: p}
	for _, t := range p.Ruleset.Tables {
		eachRuleOfTable(t, func(r ruleRef) {
			if !r.may(ruleset.KindVmap | ruleset.KindMapLookup) {
				return
			}
			for _, s := range r.Stmts {
				walkInner(v, s, nil, 0)
			}
		})
	}
}

// mapOverlapVisitor finds the anonymous maps of verdict maps and map
// lookups (one visitor for the run, no closure per statement).
type mapOverlapVisitor struct {
	p     *Pass
	types [4]*ruleset.Type
	// Buffers reused from map to map: the keys, and one part holding
	// their intervals.
	keys []parser.Expr
	part [1]ivPart
}

func (v *mapOverlapVisitor) visit(n parser.Node, via *parser.VarRef) visitor {
	var key, m parser.Expr
	switch x := n.(type) {
	case *parser.VmapStmt:
		key, m = x.Key, x.Map
	case *parser.MapLookup:
		key, m = x.Key, x.Map
	default:
		return v
	}
	lit, ok := unwrapVar(m).(*parser.SetLit)
	if !ok {
		return v
	}
	types := appendLeftTypes(v.types[:0], key)
	if len(types) != 1 {
		return v
	}
	keys := v.keys[:0]
	for _, el := range lit.Elems {
		if me, ok := el.(*parser.MapElem); ok {
			keys = append(keys, me.Key)
		}
	}
	v.keys = keys
	v.part[0].ivs = appendIntervals(v.part[0].ivs[:0], types[0], keys)
	reportOverlapParts(v.p, v.part[:], via, "this map")
	return v
}

func checkNamedSetIntervals(p *Pass, s *ruleset.Set) {
	keys := s.KeyTypes()
	if len(keys) != 1 {
		return
	}
	if !hasFlag(s.Flags, "interval") {
		// Prefixes and ranges need the flag (maps with typeof ranges too).
		if at := firstIntervalElem(s, keys[0]); at != nil {
			p.Report(Diagnostic{Range: p.Range(at), Message: fmt.Sprintf(
				"%s %s holds a range or prefix but has no `flags interval`: nft refuses the element (\"You must add 'flags interval' to your set declaration\"); add `flags interval;`",
				setWord(s), s.Name)})
		}
		return
	}
	if !s.IsMap && s.AutoMerge {
		return
	}
	var parts []ivPart
	ord := 0
	for els, run := range s.Chunks {
		if run != nil {
			parts = append(parts, ivPart{run: run, ord: ord})
			ord += run.Len()
			continue
		}
		part := ivPart{ord: ord, ivs: make([]interval, 0, len(els))}
		for _, el := range els {
			if r, ok := keyRange(keys[0], el.Key); ok {
				r.node = el.Key
				part.ivs = append(part.ivs, r)
			}
		}
		if len(part.ivs) > 0 {
			parts = append(parts, part)
			ord += len(part.ivs)
		}
	}
	reportOverlapParts(p, parts, nil, fmt.Sprintf("%s %s", setWord(s), s.Name))
}

// firstIntervalElem returns the first prefix or range element of s that
// needs `flags interval`, or nil.
func firstIntervalElem(s *ruleset.Set, key *ruleset.Type) parser.Node {
	for els, run := range s.Chunks {
		if run != nil {
			// Packed prefixes and ranges are of addresses or numbers.
			for i := range run.Len() {
				if run.Form(i) != parser.FormSingle {
					return run.At(i)
				}
			}
			continue
		}
		for _, el := range els {
			switch unwrapVar(elemValue(el.Key)).(type) {
			case *parser.Prefix, *parser.RangeExpr:
				if key.Class == ruleset.ClassUnknown && !isAddrOrNumber(elemValue(el.Key)) {
					continue
				}
				return el.Key
			}
		}
	}
	return nil
}

func setWord(s *ruleset.Set) string {
	if s.IsMap {
		return "map"
	}
	return "set"
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if strings.EqualFold(x, f) {
			return true
		}
	}
	return false
}

func elemValue(e parser.Expr) parser.Expr {
	if el, ok := e.(*parser.Elem); ok {
		return el.Value
	}
	return e
}

func isAddrOrNumber(e parser.Expr) bool {
	_, ok := keyRange(ruleset.Unknown, e)
	return ok
}

// reportOverlaps sorts the elements by start and reports each element that
// overlaps an earlier-starting one without being identical to it.
func reportOverlaps(p *Pass, t *ruleset.Type, elems []parser.Expr, via *parser.VarRef, what string) {
	ivs := appendIntervals(make([]interval, 0, len(elems)), t, elems)
	reportOverlapParts(p, []ivPart{{ivs: ivs}}, via, what)
}

// appendIntervals appends the intervals of the elements keyRange can
// evaluate to dst.
func appendIntervals(dst []interval, t *ruleset.Type, elems []parser.Expr) []interval {
	for _, e := range elems {
		if r, ok := keyRange(t, e); ok {
			r.node = e
			dst = append(dst, r)
		}
	}
	return dst
}

// ivPart is a stretch of a set's elements, in the order they were added:
// a packed run read in place through its Bounds, or the intervals of
// element nodes. ord is the number of elements in the parts before it.
type ivPart struct {
	run *parser.ElemRun
	ivs []interval
	ord int
}

func (pt *ivPart) len() int {
	if pt.run != nil {
		return pt.run.Len()
	}
	return len(pt.ivs)
}

func (pt *ivPart) bounds(i int) (lo, hi u128) {
	if pt.run != nil {
		l, h := pt.run.Bounds(i)
		return u128{l.Hi, l.Lo}, u128{h.Hi, h.Lo}
	}
	return pt.ivs[i].lo, pt.ivs[i].hi
}

// ivCmp orders intervals by start, the wider first.
func ivCmp(alo, ahi, blo, bhi u128) int {
	switch {
	case alo != blo:
		if alo.less(blo) {
			return -1
		}
		return 1
	case bhi.less(ahi):
		return -1
	case ahi.less(bhi):
		return 1
	}
	return 0
}

// outOfOrder reports whether interval (blo, bhi) comes before (alo, ahi)
// in ivCmp's order: ivCmp(alo, ahi, blo, bhi) > 0, in a function small
// enough to be inlined.
func outOfOrder(alo, ahi, blo, bhi u128) bool {
	return blo.less(alo) || alo == blo && ahi.less(bhi)
}

// ivItem is an interval and the ord of its element, for sorting.
type ivItem struct {
	lo, hi u128
	ord    int
}

// overlapSweep walks intervals in sorted order and reports each that
// overlaps the widest one seen so far without being identical to it.
type overlapSweep struct {
	p        *Pass
	parts    []ivPart
	via      *parser.VarRef
	what     string
	started  bool
	wlo, whi u128 // the widest interval so far
	word     int
	found    [][2]int // (ord, ord of the widest) of each overlap, reported at the end
}

// step takes the next interval; it returns false once enough was reported.
func (w *overlapSweep) step(lo, hi u128, ord int) bool {
	if w.started && !w.whi.less(lo) && !(lo == w.wlo && hi == w.whi) && !w.overlap(ord) {
		return false
	}
	if !w.started || w.whi.less(hi) {
		w.started, w.wlo, w.whi, w.word = true, lo, hi, ord
	}
	return true
}

// overlap records that element ord overlaps the widest interval so far;
// false once enough were recorded.
func (w *overlapSweep) overlap(ord int) bool {
	w.found = append(w.found, [2]int{ord, w.word})
	return len(w.found) < maxOverlapReports
}

const maxOverlapReports = 20

// node returns the node of the element at ord (building it for a packed
// element: only reported elements get here).
func (w *overlapSweep) node(ord int) parser.Node {
	k := sort.Search(len(w.parts), func(k int) bool { return w.parts[k].ord > ord }) - 1
	pt := &w.parts[k]
	if pt.run != nil {
		return pt.run.At(ord - pt.ord)
	}
	return pt.ivs[ord-pt.ord].node
}

func (w *overlapSweep) report(curOrd, widestOrd int) {
	// Report at whichever of the two is written later, as nft does.
	at, other := w.node(curOrd), w.node(widestOrd)
	if at.Pos() < other.Pos() {
		at, other = other, at
	}
	w.p.Report(Diagnostic{
		Range: w.p.Range(pickVia(at, w.via)),
		Message: fmt.Sprintf(
			"this element overlaps %s in %s: nft refuses it (\"conflicting intervals specified\"); remove the covered element or split the ranges%s",
			srcText(w.p, other), w.what, autoMergeHint(w.what)),
		Related: []Related{{Range: w.p.Range(other), Message: "overlapping element"}},
	})
}

// reportOverlapParts reports the overlaps among the intervals of parts.
// Sets are usually written in order: the sweep first takes the intervals
// as they are, checking the order as it goes (O(n), nothing copied), and
// only when they are not in order copies and sorts them (O(n log n)).
func reportOverlapParts(p *Pass, parts []ivPart, via *parser.VarRef, what string) {
	n := 0
	for k := range parts {
		n += parts[k].len()
	}
	if n < 2 {
		return
	}
	w := &overlapSweep{p: p, parts: parts, via: via, what: what}
	if w.sweepInOrder() {
		w.reportFound()
		return
	}
	w = &overlapSweep{p: p, parts: parts, via: via, what: what}
	items := make([]ivItem, 0, n)
	for k := range parts {
		pt := &parts[k]
		for i := range pt.len() {
			lo, hi := pt.bounds(i)
			items = append(items, ivItem{lo, hi, pt.ord + i})
		}
	}
	// ord makes the order total, so an unstable sort gives the stable order.
	slices.SortFunc(items, func(a, b ivItem) int {
		if c := ivCmp(a.lo, a.hi, b.lo, b.hi); c != 0 {
			return c
		}
		return cmp.Compare(a.ord, b.ord)
	})
	for _, it := range items {
		if !w.step(it.lo, it.hi, it.ord) {
			break
		}
	}
	w.reportFound()
}

func (w *overlapSweep) reportFound() {
	for _, f := range w.found {
		w.report(f[0], f[1])
	}
}

// sweepInOrder sweeps the intervals in the order written; it returns false
// when they turn out not to be sorted (what was found is then meaningless).
func (w *overlapSweep) sweepInOrder() bool {
	var plo, phi u128
	for k := range w.parts {
		pt := &w.parts[k]
		if pt.run != nil {
			for i := range pt.run.Len() {
				l, h := pt.run.Bounds(i)
				lo, hi := u128{l.Hi, l.Lo}, u128{h.Hi, h.Lo}
				if w.started && outOfOrder(plo, phi, lo, hi) {
					return false
				}
				plo, phi = lo, hi
				if !w.step(lo, hi, pt.ord+i) {
					return w.restSorted(k, i+1, plo, phi)
				}
			}
			continue
		}
		for i := range pt.ivs {
			lo, hi := pt.ivs[i].lo, pt.ivs[i].hi
			if w.started && outOfOrder(plo, phi, lo, hi) {
				return false
			}
			plo, phi = lo, hi
			if !w.step(lo, hi, pt.ord+i) {
				return w.restSorted(k, i+1, plo, phi)
			}
		}
	}
	return true
}

// restSorted reports whether the intervals from element i of part k on
// continue the sorted order after (plo, phi).
func (w *overlapSweep) restSorted(k, i int, plo, phi u128) bool {
	for ; k < len(w.parts); k, i = k+1, 0 {
		pt := &w.parts[k]
		for ; i < pt.len(); i++ {
			lo, hi := pt.bounds(i)
			if outOfOrder(plo, phi, lo, hi) {
				return false
			}
			plo, phi = lo, hi
		}
	}
	return true
}

func autoMergeHint(what string) string {
	if strings.HasPrefix(what, "set ") {
		return ", or add auto-merge to the set"
	}
	return ""
}

func pickVia(n parser.Node, via *parser.VarRef) parser.Node {
	if via != nil {
		return via
	}
	return n
}

// nodeText returns the source text of a node, shortened.
func srcText(p *Pass, n parser.Node) string {
	r := p.Range(n)
	if f := p.Files.File(n.Pos()); f != nil {
		src := f.Source()
		if r.Start.Offset >= 0 && r.End.Offset <= len(src) && r.Start.Offset < r.End.Offset {
			s := string(src[r.Start.Offset:r.End.Offset])
			if len(s) > 60 {
				s = s[:57] + "..."
			}
			return s
		}
	}
	return "another element"
}

// keyRange converts an element key (value, prefix or range of addresses
// or numbers) into a closed range. ok is false for keys it cannot
// evaluate (names, concatenations, variables holding sets).
func keyRange(t *ruleset.Type, e parser.Expr) (interval, bool) {
	e = unwrapVar(elemValue(unwrapVar(e)))
	switch x := e.(type) {
	case *parser.Prefix:
		base, width, ok := keyValue(x.X)
		if !ok || x.Len == nil || x.Len.Overflow || x.Len.Value > uint64(width) {
			return interval{}, false
		}
		lo, hi := prefixRange(base, width, int(x.Len.Value))
		return interval{lo: lo, hi: hi}, true
	case *parser.RangeExpr:
		lo, w1, ok1 := keyValue(x.Lo)
		hi, w2, ok2 := keyValue(x.Hi)
		if !ok1 || !ok2 || w1 != w2 {
			return interval{}, false
		}
		return interval{lo: lo, hi: hi}, true
	default:
		v, _, ok := keyValue(x)
		return interval{lo: v, hi: v}, ok
	}
}

// keyValue evaluates an address or number; width is the key size in bits
// (32 for IPv4, 128 for IPv6, 64 for numbers).
func keyValue(e parser.Expr) (u128, int, bool) {
	switch x := unwrapVar(e).(type) {
	case *parser.Number:
		if x.Neg || x.Overflow {
			return u128{}, 0, false
		}
		return u128{lo: x.Value}, 64, true
	case *parser.Literal:
		switch x.Kind {
		case parser.LitIPv4, parser.LitIPv6:
			a, err := netip.ParseAddr(strings.Trim(x.Text, "[]"))
			if err != nil {
				return u128{}, 0, false
			}
			if a.Is4() {
				b := a.As4()
				return u128{lo: uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])}, 32, true
			}
			b := a.As16()
			var v u128
			for i := 0; i < 8; i++ {
				v.hi = v.hi<<8 | uint64(b[i])
				v.lo = v.lo<<8 | uint64(b[8+i])
			}
			return v, 128, true
		}
	}
	return u128{}, 0, false
}

// prefixRange returns the first and last key of base/plen in a key of
// width bits.
func prefixRange(base u128, width, plen int) (u128, u128) {
	host := width - plen // number of host bits
	var mask u128        // host bits set
	switch {
	case host >= 128:
		mask = u128{^uint64(0), ^uint64(0)}
	case host >= 64:
		mask = u128{hi: ^uint64(0) >> uint(128-host), lo: ^uint64(0)}
	case host > 0:
		mask = u128{lo: ^uint64(0) >> uint(64-host)}
	}
	lo := u128{base.hi &^ mask.hi, base.lo &^ mask.lo}
	hi := u128{lo.hi | mask.hi, lo.lo | mask.lo}
	return lo, hi
}
