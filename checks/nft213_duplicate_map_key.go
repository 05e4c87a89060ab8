package checks

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT213 reports a map key listed twice with different values.
var nft213 = &Check{
	ID:       "NFT213",
	Name:     "duplicate-map-key",
	Title:    "a map lists the same key twice with different values",
	Severity: Error,
	Tags:     []string{"load", "correctness"},
	Doc: `A map or verdict map holds one value per key. When a file gives a key a second,
different value, in the same ` + "`elements = { … }`" + ` list, in a later ` + "`add element`" + `, or
in an anonymous map such as

` + "```" + `
tcp dport vmap { 22 : accept, 80 : accept, 22 : drop }
` + "```" + `

the kernel refuses the second element with "Could not process rule: File exists",
and ` + "`nft -f`" + ` loads nothing of the file. The same key with the same value is
accepted (NFT405 notes the repeat).

Keys are compared by their value: ` + "`22`" + ` and ` + "`0x16`" + ` are the same key, and so are
` + "`10.0.0.0/8`" + ` and ` + "`10.0.0.0-10.255.255.255`" + ` in an interval map. Values are only called
different when nftlint can tell for certain: verdicts, numbers, addresses,
prefixes and ranges, quoted strings, and names in maps of interface names or
stateful objects. A key that is deleted (` + "`delete element`" + `) or a map that is
flushed in between starts afresh. Elements are hashed and sorted once, so maps
with millions of elements are checked quickly; at most 20 keys are reported per
map.

**Fix:** decide which value the key should have and delete the other element; if
the second one was meant for another key, correct its key.`,
	Run: runDuplicateMapKey,
}

// maxMapKeyReports caps the findings per map; one more counts the rest.
const maxMapKeyReports = 20

func runDuplicateMapKey(p *Pass) {
	c := &mapKeyChecker{p: p, reported: make(map[parser.Node]bool), seed: maphash.MakeSeed()}
	for _, t := range p.Ruleset.Tables {
		for _, s := range t.Sets {
			if !s.IsMap || len(s.Elements) < 2 {
				continue
			}
			// Read in place: a copy of a million elements would be 40 MB.
			c.elems.reset()
			c.elems.add(dupPart{set: s.Elements})
			c.reportClashes(fmt.Sprintf("map %q", s.Name), namedDataIsName(s))
		}
	}
	c.seen = make(map[*parser.SetLit]bool)
	eachRule(p.Ruleset, func(r ruleRef) {
		if !r.may(ruleset.KindSetLit) {
			return
		}
		for _, st := range r.Stmts {
			walkInner(c, st, nil, 0)
		}
	})
}

// mapKeyChecker is the state of one run of NFT213, and the visitor that
// finds the anonymous maps of rules. The buffers are reused from map to
// map: most maps in rules have a handful of elements.
type mapKeyChecker struct {
	p        *Pass
	reported map[parser.Node]bool    // the elements reported, once each
	seen     map[*parser.SetLit]bool // the anonymous maps checked
	seed     maphash.Seed

	lit   dupElems // the flattened anonymous map
	elems dupElems // the elements reportClashes compares
	key   mapKeyWriter
	hs    []hashedElem
}

func (c *mapKeyChecker) visit(n parser.Node, _ *parser.VarRef) visitor {
	lit, ok := n.(*parser.SetLit)
	if !ok {
		return c
	}
	if !hasMapElem(lit, 0) {
		return nil // a set, not a map: no key has a value
	}
	// A map reached again (a define used twice) is not checked again.
	// Only maps are recorded: the sets, most literals in rules, are
	// passed over again at the cost of hasMapElem.
	if c.seen[lit] {
		return nil
	}
	c.seen[lit] = true
	c.lit.reset()
	flattenLiteralParts(lit, &c.lit, 0)
	// The elements with a value are in the buffer behind the parts, in
	// order (packed runs have no values).
	c.elems.reset()
	c.elems.add(dupPart{lit: c.lit.buf})
	c.reportClashes("this anonymous map", false)
	// Nested literals are among the elements just checked.
	return nil
}

// hasMapElem reports whether a literal, or one nested in it, has a
// key : value element: only those can clash (elements without a value
// are skipped), and most literals in rules are sets.
func hasMapElem(lit *parser.SetLit, depth int) bool {
	if depth > maxCanonDepth {
		return true // let flattenLiteralParts decide
	}
	for _, x := range lit.Elems {
		switch e := unwrapVar(x).(type) {
		case *parser.SetLit:
			if e != nil && hasMapElem(e, depth+1) {
				return true
			}
			continue
		case *parser.ElemRun:
			continue
		}
		key := parser.Expr(x)
		if e, ok := x.(*parser.Elem); ok && e != nil {
			key = e.Value
		}
		if _, ok := key.(*parser.MapElem); ok {
			return true
		}
	}
	return false
}

// namedDataIsName reports whether the values of a named map are names
// compared as text: interface names, strings, stateful objects.
func namedDataIsName(s *ruleset.Set) bool {
	types := s.DataTypes()
	if len(types) == 1 && types[0].Class == ruleset.ClassString {
		return true
	}
	name, ok := exprName(s.DataType)
	if !ok {
		return false
	}
	switch strings.ToLower(name) {
	case "counter", "quota", "limit", "secmark", "synproxy", "ct helper", "ct timeout", "ct expectation":
		return true
	}
	return false
}

// reportClashes finds elements with equal keys by hashing their
// normalised keys and sorting the hashes (O(n log n), 16 bytes per
// element), confirms equal hashes by comparing the keys, and reports each
// element whose value certainly differs from the one its key got first,
// as nft does: the first value is loaded, the second refused.
func (c *mapKeyChecker) reportClashes(where string, wordsAreNames bool) {
	elems := &c.elems
	if elems.len() < 2 {
		return
	}
	p, reported, k := c.p, c.reported, &c.key
	hs := slices.Grow(c.hs[:0], elems.len())
	for i := range elems.len() {
		if el := elems.at(i); el.value == nil || !k.write(el.key) {
			continue
		}
		hs = append(hs, hashedElem{maphash.Bytes(c.seed, k.b), i})
	}
	sortHashed(hs)
	c.hs = hs[:0]
	var clashes [][2]int // (first, clashing) element indices
	for lo := 0; lo < len(hs); {
		hi := lo + 1
		for hi < len(hs) && hs[hi].h == hs[lo].h {
			hi++
		}
		if hi-lo > 1 {
			first := make(map[string]int, 2) // exact key → first element (hash collisions are told apart)
			for _, x := range hs[lo:hi] {
				k.write(elems.at(x.i).key)
				f, ok := first[string(k.b)]
				if !ok {
					first[string(k.b)] = x.i
					continue
				}
				if mapValuesDiffer(elems.at(f).value, elems.at(x.i).value, wordsAreNames) {
					clashes = append(clashes, [2]int{f, x.i})
				}
			}
		}
		lo = hi
	}
	slices.SortFunc(clashes, func(a, b [2]int) int { return a[1] - b[1] })
	n := 0
	for ci, pair := range clashes {
		first, dup := elems.at(pair[0]), elems.at(pair[1])
		if reported[dup.node] {
			continue // a literal nested in another, or a define used twice
		}
		reported[dup.node] = true
		if n == maxMapKeyReports {
			p.Report(Diagnostic{Range: p.Range(dup.node), Message: fmt.Sprintf(
				"%s has %d more keys listed with a second value than the %d reported: nft refuses each; give every key one value",
				where, len(clashes)-ci, maxMapKeyReports)})
			return
		}
		n++
		p.Report(Diagnostic{
			Range: p.Range(dup.node),
			Message: fmt.Sprintf("key %s is already in %s with the value %s (at %s): nft refuses the second value (\"File exists\") and loads nothing of the file; keep one of the two elements",
				elementText(dup.key), where, elementText(first.value), lineOf(p, first.node, dup.node)),
			Related: []Related{{Range: p.Range(first.node), Message: "the key's first value"}},
		})
	}
}

// mapKeyWriter writes the normalised key of a map element: the range a
// number, address, prefix or range of them covers (so that 22 and 0x16,
// or a prefix and the range it spans, are the same key), or else its
// canonical key.
type mapKeyWriter struct {
	b     []byte
	canon canonWriter
}

// write replaces the buffer with the key of e and reports whether e has
// one.
func (w *mapKeyWriter) write(e parser.Expr) bool {
	w.b = w.b[:0]
	if r, ok := keyRange(ruleset.Unknown, e); ok {
		w.b = append(w.b, 'r')
		for _, v := range []uint64{r.lo.hi, r.lo.lo, r.hi.hi, r.hi.lo} {
			w.b = binary.BigEndian.AppendUint64(w.b, v)
		}
		return true
	}
	w.canon.b.Reset()
	w.canon.bad = false
	w.canon.node(e, 0)
	if w.canon.bad {
		return false
	}
	w.b = append(w.b, 'c')
	w.b = append(w.b, w.canon.b.Bytes()...)
	return true
}

// mapValuesDiffer reports whether two map values are certainly different:
// some part of them (of a concatenation) is of a kind nftlint can compare
// in both and differs. Anything else (symbolic names, an IPv4 against an
// IPv6 address) may be two spellings of one value and counts as equal.
func mapValuesDiffer(a, b parser.Expr, wordsAreNames bool) bool {
	pa, pb := valueParts(a), valueParts(b)
	if len(pa) != len(pb) {
		return false
	}
	for i := range pa {
		x, okx := valueAtom(pa[i], wordsAreNames)
		y, oky := valueAtom(pb[i], wordsAreNames)
		if okx && oky && x[0] == y[0] && x != y {
			return true
		}
	}
	return false
}

func valueParts(e parser.Expr) []parser.Expr {
	e = unwrapParen(unwrapVar(e))
	if c, ok := e.(*parser.Concat); ok {
		return c.Parts
	}
	return []parser.Expr{e}
}

func unwrapParen(e parser.Expr) parser.Expr {
	for i := 0; i < 64; i++ {
		p, ok := e.(*parser.Paren)
		if !ok || p == nil {
			return e
		}
		e = unwrapVar(p.X)
	}
	return e
}

// valueAtom returns a normalised spelling of a single value whose
// spellings nftlint knows: two atoms of the same kind are equal exactly
// when the values are. The first byte names the kind; atoms of different
// kinds are not compared.
func valueAtom(e parser.Expr, wordsAreNames bool) (string, bool) {
	e = unwrapParen(unwrapVar(e))
	switch x := e.(type) {
	case *parser.Verdict:
		if x == nil {
			return "", false
		}
		if x.Target == nil {
			return "v" + x.Kind, true
		}
		name, ok := exprName(x.Target)
		if !ok {
			return "", false
		}
		return "v" + x.Kind + " " + name, true
	case *parser.Number:
		if x == nil || x.Neg || x.Overflow {
			return "", false
		}
		return "n" + strconv.FormatUint(x.Value, 10), true
	case *parser.Prefix, *parser.RangeExpr:
		r, ok := keyRange(ruleset.Unknown, e)
		if !ok {
			return "", false
		}
		return fmt.Sprintf("r%x:%x-%x:%x", r.lo.hi, r.lo.lo, r.hi.hi, r.hi.lo), true
	case *parser.Literal:
		if x == nil {
			return "", false
		}
		switch x.Kind {
		case parser.LitNumber:
			if v, err := strconv.ParseUint(x.Text, 0, 64); err == nil {
				return "n" + strconv.FormatUint(v, 10), true
			}
		case parser.LitIPv4, parser.LitIPv6:
			a, err := netip.ParseAddr(strings.Trim(x.Text, "[]"))
			if err != nil {
				return "", false
			}
			if a.Is4() {
				return "4" + a.String(), true
			}
			return "6" + a.String(), true
		case parser.LitMAC:
			if hw, err := net.ParseMAC(x.Text); err == nil {
				return "m" + hw.String(), true
			}
		case parser.LitString:
			return "s" + x.Text, true
		case parser.LitWord:
			if wordsAreNames {
				return "s" + x.Text, true
			}
		}
	case *parser.StringLit:
		if x != nil {
			return "s" + x.Value, true
		}
	}
	return "", false
}
