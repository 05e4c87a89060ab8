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
	for _, t := range p.Ruleset.Tables {
		for _, s := range t.Sets {
			kind := "set"
			if s.IsMap {
				kind = "map"
			}
			reportDuplicates(p, defs, dupElems{set: s.Elements}, fmt.Sprintf("%s %q", kind, s.Name))
		}
	}
	seen := make(map[*parser.SetLit]bool)
	eachRule(p.Ruleset, func(r ruleRef) {
		for _, st := range r.Stmts {
			inspect(st, func(n parser.Node, _ *parser.VarRef) bool {
				lit, ok := n.(*parser.SetLit)
				if !ok || seen[lit] {
					return true
				}
				seen[lit] = true
				var elems []dupElem
				flattenLiteral(lit, &elems, 0)
				reportDuplicates(p, defs, dupElems{lit: elems}, "this anonymous set")
				return true
			})
		}
	})
}

// dupElem is one element: its key, its map value (nil for sets) and the
// node to report.
type dupElem struct {
	key, value parser.Expr
	node       parser.Node
}

// dupElems are the elements of a named set (read in place: a copy of a
// million elements would be 40 MB) or of an anonymous set literal.
type dupElems struct {
	set []*ruleset.Element
	lit []dupElem
}

func (l dupElems) len() int {
	if l.set != nil {
		return len(l.set)
	}
	return len(l.lit)
}

func (l dupElems) at(i int) dupElem {
	if l.set != nil {
		el := l.set[i]
		return dupElem{key: el.Key, value: el.Value, node: el.Node}
	}
	return l.lit[i]
}

// flattenLiteral lists the elements of an anonymous set literal as nft
// does: nested literals and $variables holding literals are merged in.
func flattenLiteral(lit *parser.SetLit, out *[]dupElem, depth int) {
	if depth > maxCanonDepth {
		return
	}
	for _, x := range lit.Elems {
		switch e := unwrapVar(x).(type) {
		case *parser.SetLit:
			flattenLiteral(e, out, depth+1)
			continue
		}
		el := dupElem{key: x, node: x}
		if e, ok := x.(*parser.Elem); ok {
			el.key = e.Value
		}
		if m, ok := el.key.(*parser.MapElem); ok {
			el.key, el.value = m.Key, m.Value
		}
		*out = append(*out, el)
	}
}

// reportDuplicates finds equal elements by hashing their canonical keys
// and sorting the hashes (O(n log n), 16 bytes per element), then
// compares the keys of equal hashes to rule out collisions.
func reportDuplicates(p *Pass, defs *defineRanges, elems dupElems, where string) {
	if elems.len() < 2 {
		return
	}
	seed := maphash.MakeSeed()
	var w canonWriter
	hs := make([]hashedElem, 0, elems.len())
	for i := range elems.len() {
		el := elems.at(i)
		if !w.element(el) {
			continue
		}
		hs = append(hs, hashedElem{maphash.Bytes(seed, w.b.Bytes()), i})
	}
	sortHashed(hs)
	var dups [][2]int // (first, repeat) element indices
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
						dups = append(dups, [2]int{hs[lo+j].i, hs[lo+k].i})
						break
					}
				}
			}
		}
		lo = hi
	}
	slices.SortFunc(dups, func(a, b [2]int) int { return a[1] - b[1] })
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
