package parser

import (
	"fmt"
	"strconv"
	"strings"
)

// This file renders nft JSON (libnftables-json(5)) as nft text: the JSON
// front end of nft and its text front end describe the same commands, so
// the text parser turns the rendering into the same AST a text file
// would give, and every check works unchanged. The renderer writes what
// `nft list ruleset` prints for the same objects (unqualified iifname,
// quoted interface names, implicit ==) and records, for every JSON value
// it renders, which range of the text it became, so that the AST can be
// moved back onto the JSON file afterwards.

// jsonSpan ties the text rendered for a JSON value, [T0, T1), to the
// value's range in the JSON file, [J0, J1).
type jsonSpan struct{ T0, T1, J0, J1 int }

// jsonProblem is something in the JSON that cannot be rendered: the
// value's range and a message (an NFT001 error).
type jsonProblem struct {
	Start, End int
	Msg        string
}

// jsonRenderOptions select the layout of the rendering.
type jsonRenderOptions struct {
	// Blocks renders list objects (tables, chains, rules, sets…) as
	// table blocks like `nft list ruleset`, instead of one command per
	// JSON object.
	Blocks bool
	// Handles adds `# handle N` comments, as `nft -a list ruleset`.
	Handles bool
}

type jsonRenderer struct {
	b        strings.Builder
	spans    []jsonSpan
	problems []jsonProblem
	// placeholders maps the text offset of a placeholder statement or
	// expression to the JSON key it stands for (unknown constructs).
	placeholders map[int]string
	// cmdStarts are the text offsets where each top-level command starts,
	// with its JSON value.
	cmds []renderedCmd
	opts jsonRenderOptions
	// family is the family of the rule being rendered.
	family string
	// setTypes maps "family table set" to the selector context of the
	// set's elements, for later element commands.
	setTypes map[string]string
	// fibCheck is set while rendering the left side of a fib existence
	// match.
	fibCheck bool
}

// renderedCmd is one top-level JSON command and where its text is.
type renderedCmd struct {
	T0, T1 int
	V      *jsonValue // the element of the nftables array
	// Verb and Key name the command for unknown ones (Unknown set).
	Verb, Key string
	Unknown   bool
}

func newJSONRenderer(opts jsonRenderOptions) *jsonRenderer {
	return &jsonRenderer{placeholders: make(map[int]string), setTypes: make(map[string]string), opts: opts}
}

func (r *jsonRenderer) s(text string) { r.b.WriteString(text) }

func (r *jsonRenderer) off() int { return r.b.Len() }

// span renders v with f and records the span.
func (r *jsonRenderer) span(v *jsonValue, f func()) {
	t0 := r.off()
	f()
	if v != nil && r.off() > t0 {
		r.spans = append(r.spans, jsonSpan{T0: t0, T1: r.off(), J0: v.Start, J1: v.End})
	}
}

func (r *jsonRenderer) problem(v *jsonValue, format string, args ...any) {
	p := jsonProblem{Msg: fmt.Sprintf(format, args...)}
	if v != nil {
		p.Start, p.End = v.Start, v.End
	}
	r.problems = append(r.problems, p)
}

// ---------------------------------------------------------------------------
// Scalars

// quote writes s as an nft quoted string. nft strings have no escapes, so
// a double quote cannot be represented: it is reported and dropped.
func (r *jsonRenderer) quote(v *jsonValue, s string) {
	if strings.ContainsAny(s, "\"\n\r") {
		r.problem(v, "string %q contains a double quote or a line break, which nft strings cannot hold", s)
		s = strings.Map(func(c rune) rune {
			if c == '"' || c == '\n' || c == '\r' {
				return -1
			}
			return c
		}, s)
	}
	r.s(`"` + s + `"`)
}

// name writes an identifier (table, chain, set name): bare when nft's
// scanner reads it as one word, quoted otherwise.
func (r *jsonRenderer) name(v *jsonValue, s string) {
	r.span(v, func() {
		if isBareName(s) {
			r.s(s)
		} else {
			r.quote(v, s)
		}
	})
}

// isBareName reports whether s scans as a single identifier that is not
// a keyword that could change the parse.
func isBareName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case (c >= '0' && c <= '9') || c == '-' || c == '.':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return !nameKeywords[s]
}

// nameKeywords are words that must be quoted as names because the parser
// reads them as part of the command syntax.
var nameKeywords = map[string]bool{
	"handle": true, "index": true, "position": true, "comment": true, "table": true,
	"chain": true, "set": true, "map": true, "rule": true, "ruleset": true,
	"ip": true, "ip6": true, "inet": true, "arp": true, "bridge": true, "netdev": true,
	"add": true, "delete": true, "insert": true, "flowtable": true, "element": true,
	"counter": true, "quota": true, "limit": true, "ct": true, "synproxy": true,
	"secmark": true, "tunnel": true, "include": true, "define": true,
}

// valueCtx says how an immediate string is written.
type valueCtx int

const (
	valBare   valueCtx = iota // symbols, addresses, numbers: as a bare word when possible
	valQuoted                 // string-typed data (interface names, helper names): always quoted
)

// stringSelectors are the selectors whose values nft prints quoted.
var stringSelectors = map[string]bool{
	"iifname": true, "oifname": true, "meta iifname": true, "meta oifname": true,
	"meta ibrname": true, "meta obrname": true, "meta ibriport": true, "meta obriport": true,
	"meta ibridgename": true, "meta obridgename": true, "meta sdifname": true,
	"iif": true, "oif": true, "meta iif": true, "meta oif": true,
	"osf name": true, "ct helper": true, "object": true,
	"meta iifkind": true, "meta oifkind": true,
	// Dates, days and times of day are strings too: "Monday", "17:00".
	"meta time": true, "meta day": true, "meta hour": true, "time": true, "day": true, "hour": true,
}

// objectTypes are the map data types that hold names of stateful objects.
var objectTypes = map[string]bool{
	"counter": true, "quota": true, "limit": true, "ct helper": true, "ct timeout": true,
	"ct expectation": true, "secmark": true, "synproxy": true, "tunnel": true,
}

// isBareValue reports whether a string value can be written unquoted:
// words, numbers, addresses, MAC addresses, times.
func isBareValue(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == ':':
		case c == '.' || c == '-':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return !strings.HasSuffix(s, "-") && !strings.HasSuffix(s, ".")
}

// ---------------------------------------------------------------------------
// Expressions

// expr renders an expression. sel is the selector path of the left-hand
// side it is compared with ("" when unknown), which decides quoting.
func (r *jsonRenderer) expr(v *jsonValue, sel string) {
	if v == nil {
		return
	}
	r.span(v, func() { r.exprInner(v, sel, false) })
}

// exprInner renders v; nested is set inside binary operations, where
// binary operands and lists need parentheses.
func (r *jsonRenderer) exprInner(v *jsonValue, sel string, nested bool) {
	switch v.Kind {
	case jsonString:
		s := v.Str
		switch {
		case strings.HasPrefix(s, "@") && isBareName(s[1:]):
			r.s(s)
		case strings.HasPrefix(s, "@"):
			r.s("@")
			r.quote(v, s[1:])
		case s == "*":
			r.s("*")
		case stringSelectors[sel] || !isBareValue(s):
			r.quote(v, s)
		default:
			r.s(s)
		}
	case jsonNumber:
		r.s(v.Str)
	case jsonBool:
		if v.Bool {
			r.s("exists")
		} else {
			r.s("missing")
		}
	case jsonNull:
		r.problem(v, "null is not an expression")
		r.s("0")
	case jsonArray:
		// A bare array is a list: flags (`syn,ack`), or `|`-joined bits
		// inside a binary operation.
		if len(v.Elems) == 0 {
			r.problem(v, "empty list")
			r.s("0")
			return
		}
		if nested {
			r.s("(")
		}
		for i, e := range v.Elems {
			if i > 0 {
				if nested {
					r.s(" | ")
				} else {
					r.s(",")
				}
			}
			r.expr(e, sel)
		}
		if nested {
			r.s(")")
		}
	case jsonObject:
		key, val, ok := v.single()
		if !ok {
			r.problem(v, "an expression object must have exactly one key, not %d", len(v.Members))
			r.placeholderExpr(v, "object")
			return
		}
		r.exprObject(v, key, val, sel, nested)
	}
}

// placeholderExpr renders a stand-in selector for an unknown expression;
// the AST gets a Selector named after the JSON key.
func (r *jsonRenderer) placeholderExpr(v *jsonValue, key string) {
	r.placeholders[r.off()] = key
	r.s("meta mark")
}

func (r *jsonRenderer) str(v *jsonValue) string {
	if v == nil {
		return ""
	}
	switch v.Kind {
	case jsonString, jsonNumber:
		return v.Str
	case jsonBool:
		return strconv.FormatBool(v.Bool)
	}
	return ""
}

// word writes the string or number value of member key of obj, bare
// when possible, with its span; false when absent.
func (r *jsonRenderer) word(obj *jsonValue, key string) bool {
	m := obj.member(key)
	if m == nil {
		return false
	}
	r.span(m, func() {
		s := r.str(m)
		if isBareValue(s) || m.Kind == jsonNumber {
			r.s(s)
		} else {
			r.quote(m, s)
		}
	})
	return true
}

var binops = map[string]bool{"|": true, "^": true, "&": true, "<<": true, ">>": true}

// binopPrec is the binding strength of the binary operators in nft's
// grammar.
var binopPrec = map[string]int{"|": 1, "^": 2, "&": 3, "<<": 4, ">>": 4}

// unqualifiedMeta are the meta keys nft prints without "meta".
var unqualifiedMeta = map[string]bool{
	"iif": true, "oif": true, "iifname": true, "oifname": true, "iifgroup": true, "oifgroup": true,
}

// selectorPath returns the selector path nft prints for an expression
// object ("ip saddr", "iifname", "ct state"), or "".
func (r *jsonRenderer) selectorPath(v *jsonValue) string {
	key, val, ok := v.single()
	if !ok {
		return ""
	}
	switch key {
	case "meta":
		k := r.str(val.member("key"))
		if unqualifiedMeta[k] {
			return k
		}
		return "meta " + k
	case "payload":
		return strings.TrimSpace(r.str(val.member("protocol")) + " " + r.str(val.member("field")))
	case "ct":
		return "ct " + r.str(val.member("key"))
	case "osf":
		return "osf " + r.str(val.member("key"))
	case "concat":
		var parts []string
		for _, e := range val.Elems {
			parts = append(parts, r.selectorPath(e))
		}
		return strings.Join(parts, " . ")
	}
	return key
}

// typeSel returns the selector context for values of a set or map type:
// interface-name types are quoted like iifname values.
func (r *jsonRenderer) typeSel(t *jsonValue) string {
	if t == nil {
		return ""
	}
	switch t.Kind {
	case jsonString:
		switch {
		case t.Str == "ifname":
			return "iifname"
		case t.Str == "iface_index":
			return "iif"
		case objectTypes[t.Str]:
			return "object"
		}
		return t.Str
	case jsonArray:
		var parts []string
		for _, e := range t.Elems {
			parts = append(parts, r.typeSel(e))
		}
		return strings.Join(parts, " . ")
	case jsonObject:
		if k, v, ok := t.single(); ok && k == "typeof" {
			return r.selectorPath(v)
		}
	}
	return ""
}

func (r *jsonRenderer) exprObject(v *jsonValue, key string, val *jsonValue, sel string, nested bool) {
	if binops[key] {
		if val.Kind != jsonArray || len(val.Elems) < 2 {
			r.problem(v, "binary operation %q needs an array of at least two operands", key)
			r.s("0")
			return
		}
		if nested {
			r.s("(")
		}
		for i, e := range val.Elems {
			if i > 0 {
				r.s(" " + key + " ")
			}
			// Like nft, write a left operand that binds at least as
			// tightly without parentheses: `meta mark >> 8 & 0xf`.
			ek, _, _ := e.single()
			inner := !(i == 0 && binops[ek] && binopPrec[ek] >= binopPrec[key])
			r.span(e, func() { r.exprInner(e, sel, inner) })
		}
		if nested {
			r.s(")")
		}
		return
	}
	switch key {
	case "accept", "drop", "continue", "return":
		r.s(key)
	case "jump", "goto":
		r.s(key + " ")
		r.name(val.member("target"), r.str(val.member("target")))
	case "concat":
		if val.Kind != jsonArray || len(val.Elems) == 0 {
			r.problem(v, "concat needs a non-empty array")
			r.s("0")
			return
		}
		parts := strings.Split(sel, " . ")
		for i, e := range val.Elems {
			if i > 0 {
				r.s(" . ")
			}
			partSel := ""
			if len(parts) == len(val.Elems) {
				partSel = parts[i]
			}
			r.span(e, func() { r.exprInner(e, partSel, true) })
		}
	case "set":
		r.setLit(val, sel)
	case "map":
		k := val.member("key")
		r.expr(k, "")
		r.s(" map ")
		keySel := r.selectorPath(k)
		if sel == "ct helper" || sel == "object" {
			keySel += " : object" // the data are object names
		}
		r.mapData(val.member("data"), keySel)
	case "prefix":
		r.expr(val.member("addr"), sel)
		r.s("/")
		r.word(val, "len")
	case "range":
		if val.Kind != jsonArray || len(val.Elems) != 2 {
			r.problem(v, "range needs an array of two values")
			r.s("0")
			return
		}
		r.expr(val.Elems[0], sel)
		r.s("-")
		r.expr(val.Elems[1], sel)
	case "payload":
		r.payload(v, val)
	case "exthdr":
		name := r.str(val.member("name"))
		field := r.str(val.member("field"))
		if field == "" {
			r.s("exthdr " + name)
		} else {
			r.s(name + " " + field)
		}
	case "tcp option", "ip option", "sctp chunk":
		r.s(key + " ")
		if base := val.member("base"); base != nil {
			r.s("@" + r.str(base) + "," + r.str(val.member("offset")) + "," + r.str(val.member("len")))
			return
		}
		r.s(r.str(val.member("name")))
		if f := r.str(val.member("field")); f != "" {
			r.s(" " + f)
		}
	case "dccp option":
		r.s("dccp option " + r.str(val.member("type")))
	case "meta":
		k := r.str(val.member("key"))
		if unqualifiedMeta[k] {
			r.s(k)
		} else {
			r.s("meta " + k)
		}
	case "rt":
		r.s("rt ")
		if f := r.str(val.member("family")); f != "" {
			r.s(f + " ")
		}
		r.s(r.str(val.member("key")))
	case "ct":
		r.s("ct ")
		if d := r.str(val.member("dir")); d != "" {
			r.s(d + " ")
		}
		if f := r.str(val.member("family")); f != "" {
			r.s(f + " ")
		}
		r.s(r.str(val.member("key")))
	case "numgen":
		r.s("numgen " + r.str(val.member("mode")) + " mod " + r.str(val.member("mod")))
		if o := r.str(val.member("offset")); o != "" && o != "0" {
			r.s(" offset " + o)
		}
	case "jhash", "symhash":
		r.s(key)
		if e := val.member("expr"); e != nil {
			r.s(" ")
			r.expr(e, "")
		}
		r.s(" mod " + r.str(val.member("mod")))
		if s := r.str(val.member("seed")); s != "" && key == "jhash" {
			r.s(" seed " + s)
		}
		if o := r.str(val.member("offset")); o != "" && o != "0" {
			r.s(" offset " + o)
		}
	case "fib":
		r.s("fib ")
		flags := r.list(val.member("flags"))
		if len(flags) == 0 {
			r.problem(v, "fib needs flags")
			flags = []string{"daddr"}
		}
		result := r.str(val.member("result"))
		if r.fibCheck && result == "oif" {
			result = "check" // what nft prints for an existence test
		}
		r.s(strings.Join(flags, " . ") + " " + result)
	case "osf":
		r.s("osf ")
		if t := r.str(val.member("ttl")); t != "" {
			r.s("ttl " + t + " ")
		}
		r.s(r.str(val.member("key")))
	case "socket":
		r.s("socket " + r.str(val.member("key")))
		if l := r.str(val.member("level")); l != "" {
			r.s(" level " + l)
		}
	case "ipsec":
		r.s("ipsec " + r.str(val.member("dir")))
		if n := r.str(val.member("spnum")); n != "" && n != "0" {
			r.s(" spnum " + n)
		}
		if f := r.str(val.member("family")); f != "" {
			r.s(" " + f)
		}
		r.s(" " + r.str(val.member("key")))
	case "tunnel":
		r.s("tunnel " + r.str(val.member("key")))
	case "elem":
		r.elem(val, sel)
	case "ct helper", "ct timeout", "ct expectation":
		r.s(key)
	default:
		r.placeholderExpr(v, key)
	}
}

func (r *jsonRenderer) payload(v, val *jsonValue) {
	if base := val.member("base"); base != nil {
		r.s("@" + r.str(base) + "," + r.str(val.member("offset")) + "," + r.str(val.member("len")))
		return
	}
	if t := r.str(val.member("tunnel")); t != "" {
		r.s(t + " ")
	}
	proto := r.str(val.member("protocol"))
	field := r.str(val.member("field"))
	if proto == "" || field == "" {
		r.problem(v, "payload needs protocol and field, or base, offset and len")
	}
	r.s(proto + " " + field)
}

// list returns the strings of a string-or-array member.
func (r *jsonRenderer) list(v *jsonValue) []string {
	if v == nil {
		return nil
	}
	if v.Kind == jsonArray {
		var out []string
		for _, e := range v.Elems {
			out = append(out, r.str(e))
		}
		return out
	}
	if s := r.str(v); s != "" {
		return []string{s}
	}
	return nil
}

// setLit renders an anonymous set or map literal: `{ a, b }`, or
// `{ k : v, … }` when elements are [key, value] pairs.
func (r *jsonRenderer) setLit(val *jsonValue, sel string) {
	if val.Kind != jsonArray {
		// A single element, or a set reference "@s".
		if val.Kind == jsonString && strings.HasPrefix(val.Str, "@") {
			r.expr(val, sel)
			return
		}
		r.s("{ ")
		r.setElem(val, sel)
		r.s(" }")
		return
	}
	if len(val.Elems) == 0 {
		r.s("{ }")
		return
	}
	r.s("{ ")
	for i, e := range val.Elems {
		if i > 0 {
			r.s(", ")
		}
		r.setElem(e, sel)
	}
	r.s(" }")
}

// setElem renders one element of a set literal or element list: a
// value, an {"elem": …} object, or a [key, value] pair of a map.
func (r *jsonRenderer) setElem(e *jsonValue, sel string) {
	if e.Kind == jsonArray && len(e.Elems) == 2 {
		keySel, dataSel, _ := strings.Cut(sel, " : ")
		r.span(e, func() {
			r.expr(e.Elems[0], keySel)
			r.s(" : ")
			r.expr(e.Elems[1], dataSel)
		})
		return
	}
	keySel, _, _ := strings.Cut(sel, " : ")
	r.expr(e, keySel)
}

// mapData renders the data of a map lookup or vmap: a set literal of
// pairs, a set reference, or a list of pairs.
func (r *jsonRenderer) mapData(v *jsonValue, keySel string) {
	if v == nil {
		r.s("{ }")
		return
	}
	r.span(v, func() {
		switch {
		case v.Kind == jsonString:
			r.exprInner(v, "", false)
		case v.Kind == jsonArray:
			r.setLit(v, keySel)
		default:
			if k, val, ok := v.single(); ok && k == "set" {
				r.setLit(val, keySel)
				return
			}
			r.exprInner(v, "", false)
		}
	})
}

// elem renders an {"elem": {"val": …, "timeout": …, …}} object.
func (r *jsonRenderer) elem(val *jsonValue, sel string) {
	r.expr(val.member("val"), sel)
	for _, m := range val.Members {
		switch m.Key {
		case "val":
		case "timeout", "expires":
			r.s(" " + m.Key + " ")
			r.span(m.Value, func() { r.s(seconds(r.str(m.Value))) })
		case "comment":
			r.s(" comment ")
			r.span(m.Value, func() { r.quote(m.Value, r.str(m.Value)) })
		default:
			// Stateful statements attached to the element.
			r.s(" ")
			r.stmtKV(m.Value, m.Key, m.Value)
		}
	}
}

// seconds renders a JSON number of seconds as an nft time.
func seconds(s string) string {
	if s == "" {
		return "0s"
	}
	if _, err := strconv.ParseUint(s, 10, 64); err == nil {
		return s + "s"
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.FormatInt(int64(f*1000), 10) + "ms"
	}
	return s
}

// ---------------------------------------------------------------------------
// Statements

// stmts renders the statements of a rule's expr array.
func (r *jsonRenderer) stmts(v *jsonValue) {
	if v == nil {
		return
	}
	if v.Kind != jsonArray {
		r.problem(v, "expr must be an array of statements")
		return
	}
	for i, s := range v.Elems {
		if i > 0 {
			r.s(" ")
		}
		r.stmt(s)
	}
}

func (r *jsonRenderer) stmt(v *jsonValue) {
	key, val, ok := v.single()
	if !ok {
		r.problem(v, "a statement must be an object with exactly one key")
		r.span(v, func() { r.placeholderStmt("statement") })
		return
	}
	r.stmtKV(v, key, val)
}

// placeholderStmt renders a stand-in statement for an unknown one; the
// AST gets a KeywordStmt named after the JSON key.
func (r *jsonRenderer) placeholderStmt(key string) {
	r.placeholders[r.off()] = key
	r.s("counter")
}

func (r *jsonRenderer) stmtKV(v *jsonValue, key string, val *jsonValue) {
	r.span(v, func() {
		switch key {
		case "accept", "drop", "continue", "return", "jump", "goto":
			r.exprObject(v, key, val, "", false)
		case "match":
			r.match(v, val)
		case "counter":
			r.named("counter", val, func() {
				if val.member("packets") != nil {
					r.s(" packets " + r.str(val.member("packets")) + " bytes " + r.str(val.member("bytes")))
				}
			})
		case "mangle":
			k := val.member("key")
			r.expr(k, "")
			r.s(" set ")
			r.expr(val.member("value"), r.selectorPath(k))
		case "quota":
			r.named("quota", val, func() {
				if val.member("inv") != nil && val.member("inv").Bool {
					r.s(" over")
				}
				unit := r.str(val.member("val_unit"))
				if unit == "" {
					unit = "bytes"
				}
				r.s(" " + r.str(val.member("val")) + " " + unit)
				if u := val.member("used"); u != nil && r.str(u) != "0" {
					uu := r.str(val.member("used_unit"))
					if uu == "" {
						uu = "bytes"
					}
					r.s(" used " + r.str(u) + " " + uu)
				}
			})
		case "limit":
			r.named("limit", val, func() { r.limitBody(val) })
		case "last":
			r.s("last")
			if u := val.member("used"); u != nil {
				r.s(" used " + r.str(u) + "ms")
			}
		case "flow":
			r.s("flow add ")
			r.expr(val.member("flowtable"), "")
		case "fwd":
			r.s("fwd")
			if a := val.member("addr"); a != nil {
				r.s(" " + r.str(val.member("family")) + " to ")
				r.expr(a, "")
				r.s(" device ")
				r.expr(val.member("dev"), "iifname")
			} else {
				r.s(" to ")
				r.expr(val.member("dev"), "iifname")
			}
		case "notrack":
			r.s("notrack")
		case "dup":
			r.s("dup")
			if a := val.member("addr"); a != nil {
				r.s(" to ")
				r.expr(a, "")
			}
			if d := val.member("dev"); d != nil {
				if val.member("addr") == nil {
					r.s(" to ")
				} else {
					r.s(" device ")
				}
				r.expr(d, "iifname")
			}
		case "snat", "dnat", "masquerade", "redirect":
			r.nat(key, val)
		case "reject":
			r.s("reject")
			t := r.str(val.member("type"))
			if r.defaultReject(t, r.str(val.member("expr"))) {
				t = ""
			}
			switch t {
			case "":
			case "tcp reset":
				r.s(" with tcp reset")
			default:
				r.s(" with " + t)
				if e := val.member("expr"); e != nil {
					r.s(" ")
					r.expr(e, "")
				}
			}
		case "set", "map":
			r.setUpdate(key, val)
		case "log":
			r.log(val)
		case "ct helper", "ct timeout", "ct expectation":
			r.s(key + " set ")
			r.span(val, func() {
				if val.Kind == jsonString {
					r.quote(val, val.Str)
				} else {
					r.exprInner(val, "ct helper", false)
				}
			})
		case "meter":
			r.s("meter ")
			r.name(val.member("name"), r.str(val.member("name")))
			if s := r.str(val.member("size")); s != "" {
				r.s(" size " + s)
			}
			r.s(" { ")
			r.expr(val.member("key"), "")
			r.s(" ")
			if st := val.member("stmt"); st != nil {
				r.stmt(st)
			}
			r.s(" }")
		case "queue":
			r.s("queue")
			if f := r.list(val.member("flags")); len(f) > 0 {
				r.s(" flags " + strings.Join(f, ","))
			}
			if n := val.member("num"); n != nil {
				r.s(" to ")
				r.expr(n, "")
			}
		case "vmap":
			k := val.member("key")
			r.expr(k, "")
			r.s(" vmap ")
			r.mapData(val.member("data"), r.selectorPath(k))
		case "ct count":
			r.s("ct count")
			if inv := val.member("inv"); inv != nil && inv.Bool {
				r.s(" over")
			}
			r.s(" " + r.str(val.member("val")))
		case "tproxy":
			r.s("tproxy")
			if f := r.str(val.member("family")); f != "" {
				r.s(" " + f)
			}
			r.s(" to")
			if a := val.member("addr"); a != nil {
				r.s(" ")
				r.natAddr(a, val.member("port") != nil)
			}
			if p := val.member("port"); p != nil {
				if val.member("addr") == nil {
					r.s(" ")
				}
				r.s(":")
				r.expr(p, "")
			}
		case "synproxy":
			r.named("synproxy", val, func() { r.synproxyBody(val) })
		case "reset":
			r.s("reset ")
			r.expr(val, "")
		case "secmark":
			r.s("meta secmark set ")
			r.span(val, func() { r.quote(val, r.str(val)) })
		case "xt":
			r.xt(val)
		default:
			r.placeholderStmt(key)
		}
	})
}

// defaultReject reports whether a reject type and code are what nft
// uses when none is given, which `nft list ruleset` leaves out.
func (r *jsonRenderer) defaultReject(typ, code string) bool {
	if code != "port-unreachable" {
		return false
	}
	switch r.family {
	case "ip":
		return typ == "icmp"
	case "ip6":
		return typ == "icmpv6"
	case "inet", "bridge", "netdev":
		return typ == "icmpx"
	}
	return false
}

// named renders a stateful statement that is either anonymous (an
// object of settings) or a reference to a named object (a string).
func (r *jsonRenderer) named(kw string, val *jsonValue, body func()) {
	r.s(kw)
	if val != nil && val.Kind == jsonString {
		r.s(" name ")
		r.span(val, func() { r.quote(val, val.Str) })
		return
	}
	if k, _, ok := val.single(); ok && k == "map" {
		// An object map: `counter name ip saddr map @m`.
		r.s(" name ")
		r.span(val, func() {
			_, m, _ := val.single()
			k := m.member("key")
			r.expr(k, "")
			r.s(" map ")
			r.mapData(m.member("data"), r.selectorPath(k)+" : object")
		})
		return
	}
	if val != nil && val.Kind == jsonObject {
		body()
	}
}

func (r *jsonRenderer) limitBody(val *jsonValue) {
	r.s(" rate")
	if inv := val.member("inv"); inv != nil && inv.Bool {
		r.s(" over")
	}
	per := r.limitPer(val)
	unit := r.str(val.member("rate_unit"))
	if unit == "" || unit == "packets" {
		r.s(" " + r.str(val.member("rate")) + "/" + per)
		if b := r.str(val.member("burst")); b != "" && b != "0" {
			r.s(" burst " + b + " packets")
		}
		return
	}
	r.s(" " + r.str(val.member("rate")) + " " + unit + "/" + per)
	r.byteBurst(val)
}

// limitPer is the time unit of a limit's rate; nft's default is second.
func (r *jsonRenderer) limitPer(v *jsonValue) string {
	if per := r.str(v.member("per")); per != "" {
		return per
	}
	return "second"
}

// byteBurst writes ` burst N UNIT` for a limit in bytes that has a burst
// (bytes when the unit is not given).
func (r *jsonRenderer) byteBurst(v *jsonValue) {
	if b := r.str(v.member("burst")); b != "" && b != "0" {
		bu := r.str(v.member("burst_unit"))
		if bu == "" {
			bu = "bytes"
		}
		r.s(" burst " + b + " " + bu)
	}
}

func (r *jsonRenderer) synproxyBody(val *jsonValue) {
	if m := r.str(val.member("mss")); m != "" {
		r.s(" mss " + m)
	}
	if w := r.str(val.member("wscale")); w != "" {
		r.s(" wscale " + w)
	}
	for _, f := range r.list(val.member("flags")) {
		r.s(" " + f)
	}
}

func (r *jsonRenderer) match(v, val *jsonValue) {
	if val == nil || val.Kind != jsonObject {
		r.problem(v, "match needs an object with left, right and op")
		r.placeholderStmt("match")
		return
	}
	left, right := val.member("left"), val.member("right")
	if left == nil || right == nil {
		r.problem(v, "match needs left and right")
		r.placeholderStmt("match")
		return
	}
	op := r.str(val.member("op"))
	sel := r.selectorPath(left)
	if k, _, _ := left.single(); k == "fib" && right.Kind == jsonBool {
		r.fibCheck = true
	}
	r.expr(left, "")
	r.fibCheck = false
	leftIsBinop := false
	if k, _, ok := left.single(); ok && binops[k] {
		leftIsBinop = true
	}
	switch op {
	case "==":
		if leftIsBinop {
			r.s(" ==")
		}
	case "in", "":
	case "!=", "<", ">", "<=", ">=":
		r.s(" " + op)
	default:
		r.problem(val.member("op"), "unknown match operator %q", op)
	}
	r.s(" ")
	r.expr(right, sel)
}

// natAddr renders a NAT or tproxy address; IPv6 literals get brackets
// when a port follows.
func (r *jsonRenderer) natAddr(a *jsonValue, withPort bool) {
	if withPort && a.Kind == jsonString && strings.Contains(a.Str, ":") {
		r.span(a, func() { r.s("[" + a.Str + "]") })
		return
	}
	r.expr(a, "")
}

func (r *jsonRenderer) nat(kind string, val *jsonValue) {
	r.s(kind)
	if val == nil || val.Kind != jsonObject {
		return
	}
	if f := r.str(val.member("family")); f != "" {
		r.s(" " + f)
	}
	for _, tf := range r.list(val.member("type_flags")) {
		switch tf {
		case "prefix":
			r.s(" prefix")
		case "concat":
			r.s(" addr . port")
		case "interval":
			r.s(" interval")
		}
	}
	addr, port := val.member("addr"), val.member("port")
	if addr != nil || port != nil {
		r.s(" to")
	}
	if addr != nil {
		r.s(" ")
		r.natAddr(addr, port != nil)
	}
	if port != nil {
		if addr == nil {
			r.s(" ")
		}
		r.s(":")
		r.expr(port, "")
	}
	var flags []string
	for _, f := range r.list(val.member("flags")) {
		if f != "netmap" { // implied by `prefix`; nft does not print it
			flags = append(flags, f)
		}
	}
	if len(flags) > 0 {
		r.s(" " + strings.Join(flags, ","))
	}
}

func (r *jsonRenderer) setUpdate(kind string, val *jsonValue) {
	if val == nil || val.Kind != jsonObject {
		r.placeholderStmt(kind)
		return
	}
	op := r.str(val.member("op"))
	if op == "" {
		op = "add"
	}
	r.s(op + " ")
	ref := val.member(kind)
	r.expr(ref, "")
	r.s(" { ")
	r.expr(val.member("elem"), "")
	if st := val.member("stmt"); st != nil && st.Kind == jsonArray {
		for _, s := range st.Elems {
			r.s(" ")
			r.stmt(s)
		}
	}
	if d := val.member("data"); d != nil {
		r.s(" : ")
		r.expr(d, "")
	}
	r.s(" }")
}

func (r *jsonRenderer) log(val *jsonValue) {
	r.s("log")
	if val == nil || val.Kind != jsonObject {
		return
	}
	// In nft's order, whatever the order of the JSON keys.
	for _, key := range []string{"prefix", "group", "snaplen", "queue-threshold", "level", "flags"} {
		m := &jsonMember{Key: key, Value: val.member(key)}
		if m.Value == nil {
			continue
		}
		switch m.Key {
		case "prefix":
			r.s(" prefix ")
			r.span(m.Value, func() { r.quote(m.Value, r.str(m.Value)) })
		case "group", "snaplen", "queue-threshold", "level":
			r.s(" " + m.Key + " ")
			r.span(m.Value, func() { r.s(r.str(m.Value)) })
		case "flags":
			fl := r.list(m.Value)
			if len(fl) > 0 {
				r.s(" flags ")
				r.span(m.Value, func() { r.s(strings.Join(fl, ",")) })
			}
		}
	}
}

// xt renders an xtables compat statement (written by iptables-nft).
func (r *jsonRenderer) xt(val *jsonValue) {
	r.s("xt " + r.str(val.member("type")) + " ")
	n := val.member("name")
	r.span(n, func() { r.quote(n, r.str(n)) })
}
