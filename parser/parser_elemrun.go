package parser

import (
	"encoding/binary"
	"math"
	"net/netip"
	"os"
	"strings"
)

// packElementsEnv is the environment variable that turns packing off
// ("0"): the parser then builds one node per element, as it did before
// ElemRuns. It exists for differential testing (tests set it to "0" or
// "1" and compare both modes) and as an escape hatch should a run ever
// be suspected of hiding a finding.
const packElementsEnv = "NFTLINT_PACK_ELEMENTS"

// packElements reports whether a new parser packs plain set elements;
// each parser asks once.
func packElements() bool { return os.Getenv(packElementsEnv) != "0" }

// elemPacking is the packing state of one set literal: the run that
// plain elements are appended to (nil when the last element was not
// plain).
type elemPacking struct {
	sized bool // hint has been computed
	hint  int  // the number of elements the literal's first run may reach
	run   *ElemRun
}

// firstRunHint is the room a run starts with; past it, the literal's
// first run grows to the hint at once.
const firstRunHint = 64

// reserve makes room in a full run: the literal's first run is usually
// all of it, so the first time it fills it grows to the hint (the commas
// up to the first '}') instead of step by step.
func (pk *elemPacking) reserve(run *ElemRun) {
	if n := run.Len(); pk.hint > n {
		run.grow(pk.hint - n)
	}
	pk.hint = 0
}

// parseElemPacked parses the set element at the current token: plain
// elements join the current run (it returns the run when it starts a new
// one and nil otherwise); anything else ends the run and is parsed by
// parseElem.
func (p *parser) parseElemPacked(pk *elemPacking) Expr {
	if p.pack && len(p.ahead) == 0 && !p.stopped {
		switch p.cur.tok {
		case IPV4, IPV6, NUMBER:
			if e, ok := p.packElems(pk); ok {
				return e
			}
		}
	}
	pk.run = nil
	return p.parseElem()
}

// runElem is one plain element read from the source: src[off:end].
type runElem struct {
	family   RunFamily
	form     ElemForm
	bits     int
	off, end int
	lo, hi   Uint128
}

// packElems reads the plain elements from the current token on straight
// from the source, as long as each is followed (after blanks and
// newlines) by ',' or '}', and appends them to pk's run. It then leaves
// the scanner after that ',' or '}' and makes it the current token, as if
// the general path had parsed the elements. It returns false, having
// consumed nothing, when the current element is not plain.
//
// The elements it reads are exactly those the general path would parse
// into a Literal, Number, Prefix or RangeExpr without reporting an error:
// anything it is unsure about (comments, line continuations, carriage
// returns, leading zeros, host bits, a blank inside an element) is left
// to the general path.
func (p *parser) packElems(pk *elemPacking) (Expr, bool) {
	src := p.src
	if uint64(len(src)) > math.MaxUint32 {
		return nil, false // offsets are kept in 32 bits
	}
	el, ok := p.plainElemAt(p.cur.off)
	if !ok {
		return nil, false
	}
	sep := skipElemBlanks(src, el.end)
	if sep >= len(src) || src[sep] != ',' && src[sep] != '}' {
		return nil, false
	}
	var started Expr
	if pk.run == nil || pk.run.family != el.family {
		room := smallRun
		if !pk.sized {
			// Counted once per literal (a hint: comments may hold commas
			// or '}'); the room is taken only once the run is long, so
			// that a list of a million words after one address does not
			// reserve a million records.
			pk.sized = true
			n := len(src) - sep
			if i := strings.IndexByte(src[sep:], '}'); i >= 0 {
				n = i
			}
			pk.hint = strings.Count(src[sep:sep+n], ",") + 1
			room = min(pk.hint, firstRunHint)
		} else {
			pk.hint = 0 // the hint is for the first run only
		}
		pk.run = newElemRun(src, p.file.Pos(0), el.family, room)
		started = pk.run
	}
	run := pk.run
	run.add(el)
	last := el.end
	for src[sep] == ',' {
		next := skipElemBlanks(src, sep+1)
		if next >= len(src) {
			break
		}
		if run.family == RunIPv4 {
			// The common case of big sets, without the general element.
			lo, hi, form, bits, end, ok := v4ElemAt(src, next)
			if !ok {
				break
			}
			s := skipElemBlanks(src, end)
			if s >= len(src) || src[s] != ',' && src[s] != '}' {
				break
			}
			if len(run.v4) == cap(run.v4) {
				pk.reserve(run)
			}
			run.addV4(next, end, form, bits, lo, hi)
			sep, last = s, end
			continue
		}
		el, ok = p.plainElemAt(next)
		if !ok || el.family != run.family {
			break
		}
		s := skipElemBlanks(src, el.end)
		if s >= len(src) || src[s] != ',' && src[s] != '}' {
			break
		}
		if len(run.wide) == cap(run.wide) {
			pk.reserve(run)
		}
		run.add(el)
		sep, last = s, el.end
	}
	p.resyncAt(sep, last)
	return started, true
}

// resyncAt makes the ',' or '}' at src[sep] the current token and scans
// on after it; last is the end of the element before it. The bytes
// skipped hold only elements, ',' and blanks, which the scanner would
// have turned into tokens without comments or errors.
func (p *parser) resyncAt(sep, last int) {
	tok, lit := COMMA, ","
	if p.src[sep] == '}' {
		tok, lit = RBRACE, "}"
	}
	p.prevEnd = last
	p.cur = tokRec{tok: tok, off: sep, end: sep + 1, lit: lit}
	p.sc.off = sep + 1
}

// skipElemBlanks returns the offset of the first byte at or after i that
// is not a space, tab or newline.
func skipElemBlanks(src string, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n') {
		i++
	}
	return i
}

// endsElem reports whether c, the byte after an element, ends it where
// the scanner ends its last token: a blank, newline, ',' or '}' (never
// part of an address or number token). Other bytes ('#', '\r', '\\', a
// ':' of a map element…) are left to the general path.
func endsElem(src string, i int) bool {
	if i >= len(src) {
		return false
	}
	switch src[i] {
	case ' ', '\t', '\n', ',', '}':
		return true
	}
	return false
}

// plainElemAt reads the plain element starting at src[i].
func (p *parser) plainElemAt(i int) (runElem, bool) {
	src := p.src
	el := runElem{off: i}
	c := src[i]
	if isDigit(c) {
		if _, _, ok := parseDottedQuad(src, i); ok {
			lo, hi, form, bits, end, ok := v4ElemAt(src, i)
			if !ok {
				return el, false
			}
			el.family, el.form, el.bits, el.end = RunIPv4, form, int(bits), end
			el.lo, el.hi = Uint128{Lo: uint64(lo)}, Uint128{Lo: uint64(hi)}
			return el, true
		}
		if v, e, ok := parseDecimal(src, i); ok && e < len(src) {
			el.family = RunNumber
			lo := Uint128{Lo: v}
			if src[e] == '-' {
				hv, e2, ok := parseDecimal(src, e+1)
				if !ok || hv < v || !endsElem(src, e2) {
					return el, false
				}
				el.form, el.end, el.lo, el.hi = FormRange, e2, lo, Uint128{Lo: hv}
				return el, true
			}
			if endsElem(src, e) {
				el.form, el.end, el.lo, el.hi = FormSingle, e, lo, lo
				return el, true
			}
		}
	}
	if !isHex(c) && c != ':' {
		return el, false
	}
	lo, e, ok := p.ipv6At(i)
	if !ok || e >= len(src) {
		return el, false
	}
	el.family = RunIPv6
	switch src[e] {
	case '/':
		bits, e2, ok := parseDecimal(src, e+1)
		if !ok || bits > 128 || !endsElem(src, e2) {
			return el, false
		}
		hostHi, hostLo := hostMask128(int(bits))
		if lo.Hi&hostHi != 0 || lo.Lo&hostLo != 0 {
			return el, false
		}
		el.form, el.bits, el.end = FormPrefix, int(bits), e2
		el.lo, el.hi = lo, Uint128{Hi: lo.Hi | hostHi, Lo: lo.Lo | hostLo}
		return el, true
	case '-':
		hi, e2, ok := p.ipv6At(e + 1)
		if !ok || hi.Cmp(lo) < 0 || !endsElem(src, e2) {
			return el, false
		}
		el.form, el.end, el.lo, el.hi = FormRange, e2, lo, hi
		return el, true
	}
	if !endsElem(src, e) {
		return el, false
	}
	el.form, el.end, el.lo, el.hi = FormSingle, e, lo, lo
	return el, true
}

// v4ElemAt reads the plain IPv4 element (address, prefix or range) at
// src[i]: the interval it covers, its form, prefix length and end. (The
// results are scalars: a record built here and copied into the run costs
// more than parsing it.)
func v4ElemAt(src string, i int) (lo, hi uint32, form ElemForm, bits uint8, end int, ok bool) {
	v, e, ok := parseDottedQuad(src, i)
	if !ok {
		return 0, 0, 0, 0, 0, false
	}
	switch src[e] { // parseDottedQuad stops before the end of src
	case '/':
		n, e2, ok := parseDecimal(src, e+1)
		if !ok || n > 32 || !endsElem(src, e2) {
			return 0, 0, 0, 0, 0, false
		}
		host := uint32(uint64(1)<<(32-n) - 1)
		if v&host != 0 {
			return 0, 0, 0, 0, 0, false
		}
		return v, v | host, FormPrefix, uint8(n), e2, true
	case '-':
		hv, e2, ok := parseDottedQuad(src, e+1)
		if !ok || hv < v || !endsElem(src, e2) {
			return 0, 0, 0, 0, 0, false
		}
		return v, hv, FormRange, 0, e2, true
	}
	if !endsElem(src, e) {
		return 0, 0, 0, 0, 0, false
	}
	return v, v, FormSingle, 0, e, true
}

// hostMask128 returns the host bits of a /bits IPv6 prefix.
func hostMask128(bits int) (hi, lo uint64) {
	switch {
	case bits == 0:
		return ^uint64(0), ^uint64(0)
	case bits < 64:
		return ^uint64(0) >> bits, ^uint64(0)
	case bits < 128:
		return 0, ^uint64(0) >> (bits - 64)
	}
	return 0, 0
}

// parseDottedQuad reads an IPv4 address d.d.d.d at src[i] as the scanner
// delimits it (one to three digits per part), accepting only parts of
// at most 255 written without leading zeros. It fails when the address
// ends the source (an element needs something after it).
func parseDottedQuad(src string, i int) (v uint32, end int, ok bool) {
	for part := 0; part < 4; part++ {
		if part > 0 {
			if i >= len(src) || src[i] != '.' {
				return 0, 0, false
			}
			i++
		}
		if i >= len(src) || src[i]-'0' > 9 {
			return 0, 0, false
		}
		n := uint32(src[i] - '0')
		i++
		if i < len(src) && src[i]-'0' <= 9 {
			if n == 0 {
				return 0, 0, false // leading zero
			}
			n = n*10 + uint32(src[i]-'0')
			i++
			if i < len(src) && src[i]-'0' <= 9 {
				n = n*10 + uint32(src[i]-'0')
				i++
				if n > 255 || i < len(src) && src[i]-'0' <= 9 {
					return 0, 0, false // over 255, or four digits: not an IPv4 token
				}
			}
		}
		v = v<<8 | n
	}
	return v, i, i < len(src)
}

// parseDecimal reads a decimal integer without leading zeros that fits
// in 64 bits at src[i].
func parseDecimal(src string, i int) (v uint64, end int, ok bool) {
	j := i
	for j < len(src) && isDigit(src[j]) {
		d := uint64(src[j] - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, 0, false
		}
		v = v*10 + d
		j++
	}
	if j == i || src[i] == '0' && j-i > 1 {
		return 0, 0, false
	}
	return v, j, true
}

// ipv6At returns the IPv6 address the scanner reads as one IPV6 token at
// src[i] (bracketed addresses and zones excluded) and the token's end.
// It scans with a copy of the scanner, so that MAC addresses, classids
// and words win exactly where they win in the general path.
func (p *parser) ipv6At(i int) (Uint128, int, bool) {
	if i >= len(p.src) || p.src[i] == '[' {
		return Uint128{}, 0, false
	}
	sc := p.sc
	sc.err, sc.Comments, sc.off = nil, nil, i
	tok, off, end, lit := sc.Scan()
	if tok != IPV6 || off != i || sc.ErrorCount != p.sc.ErrorCount {
		return Uint128{}, 0, false
	}
	a, err := netip.ParseAddr(lit)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return Uint128{}, 0, false
	}
	b := a.As16()
	return Uint128{Hi: binary.BigEndian.Uint64(b[:8]), Lo: binary.BigEndian.Uint64(b[8:])}, end, true
}
