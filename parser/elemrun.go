package parser

import "strings"

// ElemRun is a run of consecutive simple set elements kept as parsed
// values instead of one AST node per element: a blocklist of a million
// addresses is one ElemRun of a million 16-byte records, not three
// million nodes. It appears only directly in SetLit.Elems, beside the
// ordinary element nodes that break a run (elements with options, map
// elements, concatenations, anything not written plainly).
//
// Every element of a run has the same Family and one of three forms,
// written without blanks inside: an address or integer (Single), a
// prefix `addr/len` whose host bits are zero (Prefix), or a range
// `lo-hi` with lo <= hi (Range). Anything else stays an AST node, so a
// check that looks for odd elements finds them among the nodes.
//
// Consumers that only care about a few elements (or about the AST) call
// At, which builds the node the parser would have built; the checks
// that look at every element of large sets use Bounds and ElemPos.
type ElemRun struct {
	src    string // the source of the file the run is in (not a copy)
	base   Pos    // Pos of src[0]
	family RunFamily
	v4     []packedV4
	wide   []packedWide
	// compound counts the prefixes and ranges: each stands for three
	// nodes (Prefix or RangeExpr and its two operands), see nodeCount.
	compound int
}

// RunFamily is the kind of value every element of a run holds.
type RunFamily uint8

const (
	RunIPv4   RunFamily = iota + 1 // 10.0.0.1, 10.0.0.0/8, 10.0.0.1-10.0.0.9
	RunIPv6                        // 2001:db8::1, 2001:db8::/32, 2001:db8::1-2001:db8::9
	RunNumber                      // 22, 1024-65535 (decimal, no leading zeros)
)

// ElemForm is how one element of a run is written.
type ElemForm uint8

const (
	FormSingle ElemForm = iota // one value
	FormPrefix                 // addr/len, host bits zero
	FormRange                  // lo-hi, lo <= hi
)

// Uint128 is an element value: IPv4 addresses and integers in Lo (Hi is
// zero), IPv6 addresses big-endian in Hi:Lo.
type Uint128 struct{ Hi, Lo uint64 }

// Cmp returns -1, 0 or +1.
func (a Uint128) Cmp(b Uint128) int {
	switch {
	case a.Hi < b.Hi:
		return -1
	case a.Hi > b.Hi:
		return 1
	case a.Lo < b.Lo:
		return -1
	case a.Lo > b.Lo:
		return 1
	}
	return 0
}

// packedV4 is one IPv4 element; off is the byte offset of its text in
// src and n the text's length.
type packedV4 struct {
	off    uint32
	n      uint16
	form   ElemForm
	bits   uint8
	lo, hi uint32 // the interval the element covers
}

// packedWide is one IPv6 or integer element.
type packedWide struct {
	off    uint32
	n      uint16
	form   ElemForm
	bits   uint8
	lo, hi Uint128
}

// newElemRun starts an empty run of family, with room for room
// elements, in the source src (the parser's string of the whole file,
// not a copy) whose first byte is at base.
func newElemRun(src string, base Pos, family RunFamily, room int) *ElemRun {
	// Most runs are a few ports or addresses of a short literal: their
	// first records are allocated with the run, in one piece.
	if room <= smallRun {
		if family == RunIPv4 {
			x := new(struct {
				r   ElemRun
				buf [smallRun]packedV4
			})
			x.r = ElemRun{family: family, src: src, base: base, v4: x.buf[:0]}
			return &x.r
		}
		x := new(struct {
			r   ElemRun
			buf [smallRun]packedWide
		})
		x.r = ElemRun{family: family, src: src, base: base, wide: x.buf[:0]}
		return &x.r
	}
	r := &ElemRun{family: family, src: src, base: base}
	r.grow(room)
	return r
}

// smallRun is the room of the records allocated with a run.
const smallRun = 4

// Family returns the kind of value the run's elements hold.
func (r *ElemRun) Family() RunFamily { return r.family }

// Len returns the number of elements.
func (r *ElemRun) Len() int {
	if r.family == RunIPv4 {
		return len(r.v4)
	}
	return len(r.wide)
}

// span returns element i's offset, length, form and prefix length.
func (r *ElemRun) span(i int) (off, n int, form ElemForm, bits int) {
	if r.family == RunIPv4 {
		e := &r.v4[i]
		return int(e.off), int(e.n), e.form, int(e.bits)
	}
	e := &r.wide[i]
	return int(e.off), int(e.n), e.form, int(e.bits)
}

// ElemPos returns the position of element i's first byte.
func (r *ElemRun) ElemPos(i int) Pos {
	off, _, _, _ := r.span(i)
	return r.base + Pos(off)
}

// ElemEnd returns the position just past element i.
func (r *ElemRun) ElemEnd(i int) Pos {
	off, n, _, _ := r.span(i)
	return r.base + Pos(off+n)
}

// Text returns element i as written.
func (r *ElemRun) Text(i int) string {
	off, n, _, _ := r.span(i)
	return r.src[off : off+n]
}

// Form returns how element i is written; for FormPrefix, Bits is the
// prefix length.
func (r *ElemRun) Form(i int) ElemForm {
	_, _, form, _ := r.span(i)
	return form
}

// Bits returns the prefix length of a FormPrefix element (0 otherwise).
func (r *ElemRun) Bits(i int) int {
	_, _, _, bits := r.span(i)
	return bits
}

// Bounds returns the first and last value element i covers: the value
// itself for FormSingle, network and broadcast address for FormPrefix,
// lo and hi for FormRange.
func (r *ElemRun) Bounds(i int) (lo, hi Uint128) {
	if r.family == RunIPv4 {
		e := &r.v4[i]
		return Uint128{Lo: uint64(e.lo)}, Uint128{Lo: uint64(e.hi)}
	}
	e := &r.wide[i]
	return e.lo, e.hi
}

// Pos returns the position of the first element.
func (r *ElemRun) Pos() Pos {
	if r.Len() == 0 {
		return r.base
	}
	return r.ElemPos(0)
}

// End returns the position just past the last element.
func (r *ElemRun) End() Pos {
	if r.Len() == 0 {
		return r.base
	}
	return r.ElemEnd(r.Len() - 1)
}

func (*ElemRun) exprNode() {}

// At builds the AST node the parser would have built for element i: a
// Literal (addresses), Number (integers), Prefix or RangeExpr. Each call
// allocates a new node.
func (r *ElemRun) At(i int) Expr {
	off, n, form, _ := r.span(i)
	text := r.src[off : off+n]
	switch form {
	case FormPrefix:
		slash := strings.LastIndexByte(text, '/')
		return &Prefix{
			X:        r.value(off, text[:slash]),
			SlashPos: r.base + Pos(off+slash),
			Len:      r.value(off+slash+1, text[slash+1:]).(*Number),
		}
	case FormRange:
		// Addresses and decimal integers hold no '-': it is the range's.
		dash := strings.IndexByte(text, '-')
		return &RangeExpr{
			Lo:      r.value(off, text[:dash]),
			DashPos: r.base + Pos(off+dash),
			Hi:      r.value(off+dash+1, text[dash+1:]),
		}
	}
	return r.value(off, text)
}

// value builds the node of one address or number written at src[off:].
func (r *ElemRun) value(off int, text string) Expr {
	pos, end := r.base+Pos(off), r.base+Pos(off+len(text))
	if isDigit(text[0]) && !strings.ContainsAny(text, ".:") {
		v, of, _ := numberValue(text)
		return &Number{ValuePos: pos, Text: text, Value: v, Overflow: of, EndPos: end}
	}
	kind := LitIPv4
	if r.family == RunIPv6 {
		kind = LitIPv6
	}
	return &Literal{ValuePos: pos, Kind: kind, Text: text, EndPos: end}
}

// grow makes room for n more elements.
func (r *ElemRun) grow(n int) {
	if r.family == RunIPv4 {
		r.v4 = growCap(r.v4, n)
	} else {
		r.wide = growCap(r.wide, n)
	}
}

// growCap returns s with room for n more elements.
func growCap[T any](s []T, n int) []T {
	if cap(s)-len(s) >= n {
		return s
	}
	t := make([]T, len(s), len(s)+n)
	copy(t, s)
	return t
}

// addV4 appends an IPv4 element written at src[off:end], field by field
// into its slot.
func (r *ElemRun) addV4(off, end int, form ElemForm, bits uint8, lo, hi uint32) {
	if form != FormSingle {
		r.compound++
	}
	n := len(r.v4)
	if n == cap(r.v4) {
		r.v4 = growCap(r.v4, max(16, n))
	}
	r.v4 = r.v4[:n+1]
	e := &r.v4[n]
	e.off, e.n, e.form, e.bits, e.lo, e.hi = uint32(off), uint16(end-off), form, bits, lo, hi
}

// add appends a plain element read by the parser.
func (r *ElemRun) add(el runElem) {
	n := el.end - el.off
	if el.form != FormSingle {
		r.compound++
	}
	if r.family == RunIPv4 {
		if len(r.v4) == cap(r.v4) {
			// Double: append grows large slices by 1.25x.
			r.v4 = growCap(r.v4, max(16, len(r.v4)))
		}
		r.v4 = append(r.v4, packedV4{off: uint32(el.off), n: uint16(n), form: el.form, bits: uint8(el.bits), lo: uint32(el.lo.Lo), hi: uint32(el.hi.Lo)})
		return
	}
	if len(r.wide) == cap(r.wide) {
		r.wide = growCap(r.wide, max(16, len(r.wide)))
	}
	r.wide = append(r.wide, packedWide{off: uint32(el.off), n: uint16(n), form: el.form, bits: uint8(el.bits), lo: el.lo, hi: el.hi})
}

// nodeCount returns the number of AST nodes the run's elements would
// have been: Inspect visits a prefix or range and its two operands.
func (r *ElemRun) nodeCount() int { return r.Len() + 2*r.compound }

// NumElems returns the number of elements in a set literal's Elems,
// counting every element of a run.
func NumElems(elems []Expr) int {
	n := 0
	for _, e := range elems {
		if r, ok := e.(*ElemRun); ok {
			n += r.Len()
		} else {
			n++
		}
	}
	return n
}

// unpackElemRuns replaces every run in the set literals under cmds by
// the nodes of its elements (At): for ASTs whose positions are moved
// afterwards onto another file (the JSON front end), which a run, tied
// to the source it was read from, cannot follow.
func unpackElemRuns(cmds []Cmd) {
	for _, c := range cmds {
		Inspect(c, func(n Node) bool {
			s, ok := n.(*SetLit)
			if !ok || s == nil || !hasRun(s.Elems) {
				return true
			}
			elems := make([]Expr, 0, NumElems(s.Elems))
			for _, e := range s.Elems {
				r, ok := e.(*ElemRun)
				if !ok {
					elems = append(elems, e)
					continue
				}
				for i := 0; i < r.Len(); i++ {
					elems = append(elems, r.At(i))
				}
			}
			s.Elems = elems
			return true
		})
	}
}

func hasRun(elems []Expr) bool {
	for _, e := range elems {
		if _, ok := e.(*ElemRun); ok {
			return true
		}
	}
	return false
}
