package checks

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
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
	ord    int // position in the list, to sort stably with a faster unstable sort
}

func runConflictingIntervals(p *Pass) {
	for _, t := range p.Ruleset.Tables {
		for _, s := range t.Sets {
			checkNamedSetIntervals(p, s)
		}
	}
	eachRule(p.Ruleset, func(r ruleRef) {
		for _, s := range r.Stmts {
			inspect(s, func(n parser.Node, via *parser.VarRef) bool {
				var key, m parser.Expr
				switch x := n.(type) {
				case *parser.VmapStmt:
					key, m = x.Key, x.Map
				case *parser.MapLookup:
					key, m = x.Key, x.Map
				default:
					return true
				}
				lit, ok := unwrapVar(m).(*parser.SetLit)
				if !ok {
					return true
				}
				types := leftTypes(key)
				if len(types) != 1 {
					return true
				}
				var elems []parser.Expr
				for _, el := range lit.Elems {
					if me, ok := el.(*parser.MapElem); ok {
						elems = append(elems, me.Key)
					}
				}
				reportOverlaps(p, types[0], elems, via, "this map")
				return true
			})
		}
	})
}

func checkNamedSetIntervals(p *Pass, s *ruleset.Set) {
	keys := s.KeyTypes()
	if len(keys) != 1 {
		return
	}
	interval := hasFlag(s.Flags, "interval")
	if !interval {
		// Prefixes and ranges need the flag (maps with typeof ranges too).
		for _, el := range s.Elements {
			switch unwrapVar(elemValue(el.Key)).(type) {
			case *parser.Prefix, *parser.RangeExpr:
				if keys[0].Class == ruleset.ClassUnknown && !isAddrOrNumber(elemValue(el.Key)) {
					continue
				}
				p.Report(Diagnostic{Range: p.Range(el.Key), Message: fmt.Sprintf(
					"%s %s holds a range or prefix but has no `flags interval`: nft refuses the element (\"You must add 'flags interval' to your set declaration\"); add `flags interval;`",
					setWord(s), s.Name)})
				return
			}
		}
		return
	}
	if !s.IsMap && s.AutoMerge {
		return
	}
	reportOverlapsOf(p, keys[0], len(s.Elements), func(i int) parser.Expr { return s.Elements[i].Key }, nil, fmt.Sprintf("%s %s", setWord(s), s.Name))
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
	reportOverlapsOf(p, t, len(elems), func(i int) parser.Expr { return elems[i] }, via, what)
}

// reportOverlapsOf is reportOverlaps on n elements read through elem, so
// that a named set's keys are read in place, not copied (1M elements).
func reportOverlapsOf(p *Pass, t *ruleset.Type, n int, elem func(int) parser.Expr, via *parser.VarRef, what string) {
	ivs := make([]interval, 0, n)
	for i := range n {
		e := elem(i)
		r, ok := keyRange(t, e)
		if !ok {
			continue
		}
		r.node, r.ord = e, len(ivs)
		ivs = append(ivs, r)
	}
	if len(ivs) < 2 {
		return
	}
	// A stable sort is O(n log² n); ord makes the order total instead.
	slices.SortFunc(ivs, func(a, b interval) int {
		switch {
		case a.lo != b.lo:
			if a.lo.less(b.lo) {
				return -1
			}
			return 1
		case b.hi.less(a.hi): // wider first
			return -1
		case a.hi.less(b.hi):
			return 1
		}
		return cmp.Compare(a.ord, b.ord)
	})
	const maxReports = 20
	reported := 0
	widest := ivs[0]
	for _, cur := range ivs[1:] {
		if !widest.hi.less(cur.lo) && !(cur.lo == widest.lo && cur.hi == widest.hi) {
			// Report at whichever of the two is written later, as nft does.
			at, other := cur.node, widest.node
			if at.Pos() < other.Pos() {
				at, other = other, at
			}
			p.Report(Diagnostic{
				Range: p.Range(pickVia(at, via)),
				Message: fmt.Sprintf(
					"this element overlaps %s in %s: nft refuses it (\"conflicting intervals specified\"); remove the covered element or split the ranges%s",
					srcText(p, other), what, autoMergeHint(what)),
				Related: []Related{{Range: p.Range(other), Message: "overlapping element"}},
			})
			reported++
			if reported >= maxReports {
				return
			}
		}
		if widest.hi.less(cur.hi) {
			widest = cur
		}
	}
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
