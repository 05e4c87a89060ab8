package checks

// Canonical keys of statements and expressions, for the checks that find
// equal rules, matches and set elements by hashing (NFT308, NFT309,
// NFT405) instead of comparing every pair.
//
// Two nodes get the same key when they are written the same way up to
// what cannot change their meaning: positions, comments, blanks, how a
// number is spelled (0x16 and 22), which $variable holds a value (the
// value counts, not the name), parentheses, and the order of the
// elements of a `{ … }` set or a comma list. Anything else, including
// word versus quoted string and an implicit versus an explicit `==`,
// keeps keys apart: a key that is too fine only hides a finding, one
// that is too coarse would invent one.
//
// Keys are bytes that only this file reads, in a compact encoding that
// is cheap to write (the rule checks write one per statement of a
// ruleset): each node's key opens with a one-byte code of its kind, a
// string is codeStr, its length as a uvarint and its bytes (nothing to
// escape), an integer a uvarint. Codes are below ' ', apart from the
// punctuation that delimits lists and optional parts, so every key reads
// back one way: equal keys are equal trees.

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"

	"github.com/nftlint/nftlint/parser"
)

// maxCanonDepth bounds the recursion; the loader caps nesting far lower.
const maxCanonDepth = 128

// The codes that open keys.
const (
	codeStr byte = iota + 1 // a string: uvarint length, bytes
	codeMatch
	codeVerdictStmt
	codeVmap
	codeSet
	codeNat
	codeReject
	codeUpdate
	codeKeyword
	codeSelector
	codeIdent
	codeLiteral // uvarint kind, string
	codeString
	codeNumber // number flags, then a uvarint or (numBig) the text
	codeSetRef
	codeElem
	codeMapElem
	codeVerdict
	codeBinary
	codePrefix
	codeMask
	codeRange
	codeConcat
	codeList
	codeMapLookup
	codeToken // a memoised list: uvarint token number
)

// Number flags.
const (
	numNeg byte = 1 << iota
	numBig      // beyond 64 bits: the text stands for the value
)

// canonMemo makes canonical keys cheap to compute again: the key of a
// large `{ … }` set or comma list is sorted once per node and then stands
// in every key that contains it as a short token, so a literal shared by
// many rules (a define used in each) is sorted once, not once per rule,
// and the rule keys that hold it stay short. A check keeps one memo for
// its whole run; keys from different memos must not be compared. The
// nil memo computes every key afresh.
type canonMemo struct {
	lists   map[parser.Node]memoEntry
	tokens  map[string]string // full sorted key → its token (codeToken)
	bufs    [][]byte          // spare key buffers (keys nest, so a stack)
	seeds   [2]maphash.Seed   // of keyHash
	seqSeed keyHash           // where seqHash starts
}

// keyHash stands for a canonical key where the rule checks only need to
// know which keys are equal: two independent 64-bit hashes of its bytes
// (seeded per memo). The checks that hash tens of thousands of rules keep
// 16 bytes per rule or statement instead of its key; two different keys
// share a keyHash with probability 2^-128.
type keyHash struct{ a, b uint64 }

func (h keyHash) compare(o keyHash) int {
	if c := cmp.Compare(h.a, o.a); c != 0 {
		return c
	}
	return cmp.Compare(h.b, o.b)
}

func (m *canonMemo) hashBytes(b []byte) keyHash {
	return keyHash{maphash.Bytes(m.seeds[0], b), maphash.Bytes(m.seeds[1], b)}
}

// stmtHashes appends the hash of the key of every statement to dst, and
// returns false when one has no key.
func (m *canonMemo) stmtHashes(dst []keyHash, stmts []parser.Stmt) ([]keyHash, bool) {
	c := m.writer()
	defer m.release(&c)
	for _, s := range stmts {
		c.b.Reset()
		c.node(s, 0)
		if c.bad {
			return dst, false
		}
		dst = append(dst, m.hashBytes(c.b.Bytes()))
	}
	return dst, true
}

// seqHash returns the hash of a sequence of hashes: of a rule from those
// of its statements (statement keys are balanced terms, so equal
// sequences are exactly equal rule keys), or of a set of matches. Its
// inputs are already hashes under the memo's random seeds, so mixing them
// into two running values (a bijection per step, one lane per half) keeps
// different sequences apart as well as hashing their bytes would, at a
// fraction of the cost: NFT308 hashes up to 63 subsets per rule.
func (m *canonMemo) seqHash(hs []keyHash) keyHash {
	a, b := m.seqSeed.a, m.seqSeed.b
	for _, h := range hs {
		a = mix64(a ^ h.a)
		b = mix64(b ^ h.b)
	}
	n := uint64(len(hs))
	return keyHash{mix64(a ^ n), mix64(b ^ n)}
}

// mix64 is the finaliser of splitmix64, a bijection that spreads every
// input bit over the output.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// writer returns a canonWriter whose buffer is a spare one of the memo:
// every key of a large ruleset is built in a few grown buffers and
// copied out once, instead of growing a new buffer each time.
func (m *canonMemo) writer() canonWriter {
	w := canonWriter{memo: m}
	if m != nil && len(m.bufs) > 0 {
		b := m.bufs[len(m.bufs)-1]
		m.bufs = m.bufs[:len(m.bufs)-1]
		w.b = keyBuf{s: b[:0]}
	}
	return w
}

// release hands w's buffer back to the memo, after its key was copied.
func (m *canonMemo) release(w *canonWriter) {
	if m != nil && cap(w.b.s) <= maxSpareBuf {
		m.bufs = append(m.bufs, w.b.s[:0])
	}
}

// maxSpareBuf is the largest buffer kept for reuse.
const maxSpareBuf = 64 << 10

// memoMinElems is the number of elements from which a list is memoised;
// shorter ones are cheaper to sort again than to look up.
const memoMinElems = 16

// memoEntry is the key of a list, as computed at depth.
type memoEntry struct {
	key   string
	depth int
	bad   bool
}

// usableAt reports whether the entry is the key the list has when it is
// reached at depth: a good key stays good higher up, a bad one (the
// depth bound was hit) stays bad deeper down.
func (e memoEntry) usableAt(depth int) bool {
	if e.bad {
		return depth >= e.depth
	}
	return depth <= e.depth
}

func newCanonMemo() *canonMemo {
	m := &canonMemo{lists: make(map[parser.Node]memoEntry), tokens: make(map[string]string),
		seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
	m.seqSeed = m.hashBytes([]byte("seq"))
	return m
}

// token returns the short stand-in of a full sorted key: full keys start
// with '{', tokens with codeToken.
func (m *canonMemo) token(full string) string {
	if t, ok := m.tokens[full]; ok {
		return t
	}
	t := string(binary.AppendUvarint([]byte{codeToken}, uint64(len(m.tokens))))
	m.tokens[full] = t
	return t
}

// key returns the canonical key of a statement or expression, and false
// when the node has no faithful key (a part that failed to parse, an
// undefined $variable, a node kind this file does not know).
func (m *canonMemo) key(n parser.Node) (string, bool) {
	c := m.writer()
	defer m.release(&c)
	c.node(n, 0)
	if c.bad {
		return "", false
	}
	return c.b.String(), true
}

type canonWriter struct {
	b    keyBuf // reused across elements by NFT405
	bad  bool
	memo *canonMemo // nil: no memo
}

// keyBuf is the buffer a key is written into: a byte slice with the
// methods of bytes.Buffer that the users of canonWriter call, small
// enough to be inlined (the rule checks write the key of every statement
// of a ruleset, and bytes.Buffer's bookkeeping was a fifth of that).
type keyBuf struct{ s []byte }

func (k *keyBuf) Reset()               { k.s = k.s[:0] }
func (k *keyBuf) Bytes() []byte        { return k.s }
func (k *keyBuf) String() string       { return string(k.s) }
func (k *keyBuf) Len() int             { return len(k.s) }
func (k *keyBuf) WriteString(s string) { k.s = append(k.s, s...) }
func (k *keyBuf) writeByte(c byte)     { k.s = append(k.s, c) }
func (k *keyBuf) appendUvarint(v uint64) {
	if v < 0x80 { // most are: the inlined fast path
		k.s = append(k.s, byte(v))
		return
	}
	k.s = binary.AppendUvarint(k.s, v)
}

// text writes the key of a string.
func (c *canonWriter) text(s string) {
	if len(s) < 0x80 { // a one-byte length: most strings
		c.b.s = append(append(c.b.s, codeStr, byte(len(s))), s...)
		return
	}
	c.b.s = append(c.b.s, codeStr)
	c.b.appendUvarint(uint64(len(s)))
	c.b.s = append(c.b.s, s...)
}

// tag opens the key of a node whose parts end with end.
func (c *canonWriter) tag(code byte) { c.b.writeByte(code) }

func (c *canonWriter) end() { c.b.writeByte(')') }

// literal writes the key of a Literal.
func (c *canonWriter) literal(kind parser.LitKind, text string) {
	c.b.writeByte(codeLiteral)
	c.b.appendUvarint(uint64(kind))
	c.text(text)
}

// number writes the key of a Number that fits 64 bits.
func (c *canonWriter) number(v uint64, neg bool) {
	var flags byte
	if neg {
		flags = numNeg
	}
	c.b.s = append(c.b.s, codeNumber, flags)
	c.b.appendUvarint(v)
}

func (c *canonWriter) args(args []*parser.Arg, depth int) {
	c.b.writeByte('[')
	for _, a := range args {
		if a == nil || a.Key == "comment" {
			continue
		}
		c.text(a.Key)
		c.b.writeByte('=')
		if a.Value != nil {
			c.node(a.Value, depth+1)
		}
		c.b.writeByte(',')
	}
	c.b.writeByte(']')
}

func (c *canonWriter) stmts(stmts []parser.Stmt, depth int) {
	c.b.writeByte('[')
	for _, s := range stmts {
		c.node(s, depth+1)
		c.b.writeByte(';')
	}
	c.b.writeByte(']')
}

// sorted writes the keys of xs, the elements of the list node, in sorted
// order; long lists through the memo.
func (c *canonWriter) sorted(node parser.Node, xs []parser.Expr, depth int) {
	if c.memo == nil || elemCount(xs) < memoMinElems {
		c.writeSorted(xs, depth)
		return
	}
	e, ok := c.memo.lists[node]
	if !ok || !e.usableAt(depth) {
		w := c.memo.writer()
		w.writeSorted(xs, depth)
		e = memoEntry{depth: depth, bad: w.bad}
		if !w.bad {
			e.key = c.memo.token(w.b.String())
		}
		c.memo.release(&w)
		c.memo.lists[node] = e
	}
	if e.bad {
		c.bad = true
		return
	}
	c.b.WriteString(e.key)
}

func (c *canonWriter) writeSorted(xs []parser.Expr, depth int) {
	// The elements' keys are written one after the other into one spare
	// buffer and sorted as spans of it: no string per element.
	w := c.memo.writer()
	defer c.memo.release(&w)
	var small [memoMinElems]keySpan
	spans := small[:0]
	for _, x := range xs {
		if r, ok := x.(*parser.ElemRun); ok {
			for i := range r.Len() {
				start := len(w.b.s)
				w.runElem(r, i, depth+1)
				spans = append(spans, keySpan{start, len(w.b.s)})
			}
			continue
		}
		start := len(w.b.s)
		w.node(x, depth+1)
		spans = append(spans, keySpan{start, len(w.b.s)})
	}
	if w.bad {
		c.bad = true
		return
	}
	keys := w.b.s
	slices.SortFunc(spans, func(a, b keySpan) int {
		return bytes.Compare(keys[a.start:a.end], keys[b.start:b.end])
	})
	c.b.writeByte('{')
	for _, sp := range spans {
		c.b.s = append(c.b.s, keys[sp.start:sp.end]...)
		c.b.writeByte(',')
	}
	c.b.writeByte('}')
}

// keySpan is where one element's key is in a buffer.
type keySpan struct{ start, end int }

// elemCount returns the number of elements of a list, counting each
// element of a packed run (parser.ElemRun).
func elemCount(xs []parser.Expr) int {
	n := 0
	for _, x := range xs {
		if r, ok := x.(*parser.ElemRun); ok {
			n += r.Len()
		} else {
			n++
		}
	}
	return n
}

// runElem writes the key of element i of a packed run: the key of the
// node r.At(i) would build (a Literal address, a Number, a Prefix or a
// RangeExpr of them), written from the run without building it.
func (c *canonWriter) runElem(r *parser.ElemRun, i int, depth int) {
	lo, hi := r.Bounds(i)
	form := r.Form(i)
	if depth+2 > maxCanonDepth || lo.Hi != 0 && r.Family() == parser.RunNumber ||
		hi.Hi != 0 && r.Family() == parser.RunNumber || form == parser.FormPrefix && r.Family() == parser.RunNumber {
		// Near the depth bound, or integers beyond 64 bits (which the
		// node marks as overflowing): through the node.
		c.node(r.At(i), depth)
		return
	}
	text := r.Text(i)
	switch form {
	case parser.FormPrefix:
		slash := strings.LastIndexByte(text, '/')
		c.tag(codePrefix)
		c.runValue(r, text[:slash], lo.Lo)
		c.number(uint64(r.Bits(i)), false)
		c.end()
	case parser.FormRange:
		dash := strings.IndexByte(text, '-')
		c.tag(codeRange)
		c.runValue(r, text[:dash], lo.Lo)
		c.runValue(r, text[dash+1:], hi.Lo)
		c.end()
	default:
		c.runValue(r, text, lo.Lo)
	}
}

// runValue writes the key of one value of a run element: a Number for
// integer runs, a Literal for addresses.
func (c *canonWriter) runValue(r *parser.ElemRun, text string, v uint64) {
	switch r.Family() {
	case parser.RunNumber:
		c.number(v, false)
	case parser.RunIPv6:
		c.literal(parser.LitIPv6, text)
	default:
		c.literal(parser.LitIPv4, text)
	}
}

func (c *canonWriter) node(n parser.Node, depth int) {
	if c.bad {
		return
	}
	if n == nil || depth > maxCanonDepth {
		c.bad = true
		return
	}
	// The typed nils parser.IsNilNode knows of are bad keys, checked in
	// their cases below: one type switch per node instead of two.
	switch x := n.(type) {
	// Statements.
	case *parser.MatchStmt:
		c.tag(codeMatch)
		c.node(x.Left, depth+1)
		c.text(x.Op.String())
		c.node(x.Right, depth+1)
		c.end()
	case *parser.VerdictStmt:
		c.tag(codeVerdictStmt)
		c.text(x.Kind)
		if x.Target != nil {
			c.node(x.Target, depth+1)
		}
		if x.Chain != nil {
			c.b.writeByte('{')
			for _, it := range x.Chain.Items {
				r, ok := it.(*parser.Rule)
				if !ok {
					c.bad = true
					return
				}
				c.stmts(r.Stmts, depth+1)
			}
			c.b.writeByte('}')
		}
		c.end()
	case *parser.VmapStmt:
		c.tag(codeVmap)
		c.node(x.Key, depth+1)
		c.node(x.Map, depth+1)
		c.end()
	case *parser.SetStmt:
		c.tag(codeSet)
		c.node(x.Target, depth+1)
		c.node(x.Value, depth+1)
		c.end()
	case *parser.NatStmt:
		c.tag(codeNat)
		c.text(x.Kind)
		c.text(string(x.Family))
		c.text(x.Variant)
		if x.Addr != nil {
			c.node(x.Addr, depth+1)
		}
		c.b.writeByte(':')
		if x.Port != nil {
			c.node(x.Port, depth+1)
		}
		for i := range x.Flags {
			c.text(x.Flags[i].Name)
		}
		c.end()
	case *parser.RejectStmt:
		c.tag(codeReject)
		c.text(x.With)
		if x.Code != nil {
			c.node(x.Code, depth+1)
		}
		c.end()
	case *parser.SetUpdateStmt:
		c.tag(codeUpdate)
		c.text(x.Op)
		c.node(x.Set, depth+1)
		if x.Key != nil {
			c.node(x.Key, depth+1)
		}
		c.args(x.Opts, depth)
		c.stmts(x.Stmts, depth)
		if x.Value != nil {
			c.node(x.Value, depth+1)
		}
		c.end()
	case *parser.KeywordStmt:
		c.tag(codeKeyword)
		c.text(x.Keyword)
		c.args(x.Args, depth)
		c.end()

	// Expressions.
	case *parser.Selector:
		if x == nil {
			c.bad = true
			return
		}
		c.tag(codeSelector)
		for i := range x.Words {
			c.text(x.Words[i].Name)
		}
		c.args(x.Args(), depth)
		c.end()
	case *parser.Ident:
		if x == nil {
			c.bad = true
			return
		}
		c.b.writeByte(codeIdent)
		c.text(x.Name)
	case *parser.Literal:
		if x == nil {
			c.bad = true
			return
		}
		c.literal(x.Kind, x.Text)
	case *parser.StringLit:
		if x == nil {
			c.bad = true
			return
		}
		c.b.writeByte(codeString)
		c.text(x.Value)
	case *parser.Number:
		if x == nil {
			c.bad = true
			return
		}
		if !x.Overflow {
			c.number(x.Value, x.Neg)
			break
		}
		flags := numBig
		if x.Neg {
			flags |= numNeg
		}
		c.b.s = append(c.b.s, codeNumber, flags)
		c.text(x.Text)
	case *parser.VarRef:
		if x == nil {
			c.bad = true
			return
		}
		// The value counts, not the name it was defined under.
		if x.Value == nil {
			c.bad = true
			return
		}
		c.node(x.Value, depth+1)
	case *parser.SetRef:
		c.b.writeByte(codeSetRef)
		c.text(x.Name)
	case *parser.SetLit:
		if x == nil {
			c.bad = true
			return
		}
		if x.Var != nil && len(x.Elems) == 0 {
			c.node(x.Var, depth+1)
			return
		}
		if x.Var != nil {
			c.bad = true
			return
		}
		c.sorted(x, x.Elems, depth)
	case *parser.Elem:
		c.tag(codeElem)
		c.node(x.Value, depth+1)
		c.args(x.Opts, depth)
		c.stmts(x.Stmts, depth)
		c.end()
	case *parser.MapElem:
		c.tag(codeMapElem)
		c.node(x.Key, depth+1)
		c.node(x.Value, depth+1)
		c.end()
	case *parser.Verdict:
		c.tag(codeVerdict)
		c.text(x.Kind)
		if x.Target != nil {
			c.node(x.Target, depth+1)
		}
		c.end()
	case *parser.Binary:
		c.tag(codeBinary)
		c.node(x.X, depth+1)
		c.text(x.Op)
		c.node(x.Y, depth+1)
		c.end()
	case *parser.Prefix:
		c.tag(codePrefix)
		c.node(x.X, depth+1)
		if x.Len == nil {
			c.bad = true
			return
		}
		c.node(x.Len, depth+1)
		c.end()
	case *parser.Mask:
		c.tag(codeMask)
		c.node(x.X, depth+1)
		c.node(x.Mask, depth+1)
		c.end()
	case *parser.RangeExpr:
		c.tag(codeRange)
		c.node(x.Lo, depth+1)
		c.node(x.Hi, depth+1)
		c.end()
	case *parser.Concat:
		c.tag(codeConcat)
		for _, p := range x.Parts {
			c.node(p, depth+1)
			c.b.writeByte('.')
		}
		c.end()
	case *parser.List:
		// A comma list is a set of flags or values: order does not matter.
		c.tag(codeList)
		c.sorted(x, x.Elems, depth)
		c.end()
	case *parser.MapLookup:
		c.tag(codeMapLookup)
		c.node(x.Key, depth+1)
		c.node(x.Map, depth+1)
		c.end()
	case *parser.Paren:
		c.node(x.X, depth+1)
	default: // Bad nodes and node kinds added later
		c.bad = true
	}
}
