package parser

// exprCtx says which of nft's expression grammars applies (§13).
type exprCtx int

const (
	ctxRHS    exprCtx = iota // right side of a match: lists and masks allowed
	ctxElem                  // set element key or map value: no bare lists
	ctxDefine                // define initializer: like ctxRHS
	ctxStmt                  // statement value: selectors allowed, no set literal
)

// scopeWords are words that nft's lexer turns into keywords after a
// selector head (§3.2); they are not bare values in that statement.
var scopeWords = func() map[string]map[string]bool {
	m := make(map[string]map[string]bool)
	for head, fields := range payloadFields {
		s := make(map[string]bool)
		for f := range fields {
			s[f] = true
		}
		m[head] = s
	}
	for w := range tcpOptions {
		m["tcp"][w] = true
	}
	for _, w := range []string{"option", "options", "left", "right", "count", "tsval", "tsecr", "subtype", "size"} {
		m["tcp"][w] = true
	}
	for w := range ipOptions {
		m["ip"][w] = true
	}
	for _, w := range []string{"option", "options", "value", "ptr", "addr"} {
		m["ip"][w] = true
	}
	m["ct"] = wordSet(`state direction status mark expiration helper helpers label
		l3proto protocol saddr daddr proto-src proto-dst bytes packets avgpkt zone
		event expectation count id`)
	m["meta"] = wordSet(`length protocol priority nfproto l4proto iifkind oifkind
		ibrpvid ibrvproto sdif sdifname broute ibrhwaddr secpath random secmark`)
	return m
}()

// binOp returns the binary operator at the current token and its
// precedence (higher binds tighter), or 0.
func (p *parser) binOp() (string, int) {
	op := ""
	switch p.cur.tok {
	case SHL, SHR, AND, OR, XOR:
		op = p.cur.lit
	case WORD:
		if p.curClass()&wcBinWord != 0 {
			op = binWords[p.cur.lit]
		}
	}
	switch op {
	case "<<", ">>":
		return op, 4
	case "&":
		return op, 3
	case "^":
		return op, 2
	case "|":
		return op, 1
	}
	return "", 0
}

// parseBinary parses x (op operand)* with precedence climbing.
func (p *parser) parseBinary(x Expr, minPrec int, operand func() Expr) Expr {
	for x != nil {
		op, prec := p.binOp()
		if prec == 0 || prec < minPrec {
			return x
		}
		opPos := p.curPos()
		p.next()
		y := operand()
		if y == nil {
			return nil
		}
		for {
			_, prec2 := p.binOp()
			if prec2 <= prec {
				break
			}
			y = p.parseBinary(y, prec2, operand)
			if y == nil {
				return nil
			}
		}
		x = p.binary(Binary{X: x, OpPos: opPos, Op: op, Y: y})
	}
	return x
}

// ---------------------------------------------------------------------------
// Left-hand side and selectors

var selectorHeads = func() map[string]bool {
	m := wordSet(`meta ct fib rt ipsec socket osf numgen jhash symhash exthdr tunnel`)
	for h := range payloadFields {
		m[h] = true
	}
	return m
}()

// isSelectorStart reports whether the current token starts a selector.
func (p *parser) isSelectorStart() bool {
	switch p.cur.tok {
	case AT:
		return p.peek(1).tok == WORD && p.peek(2).tok == COMMA
	case WORD:
		return p.curClass()&(wcSelectorHead|wcUnqualifiedMeta) != 0
	}
	return false
}

// parseLHS parses a left-hand side: selectors and binary operations,
// joined by '.'.
//
// Parts after the first may also be constants (ip saddr . 22 @s).
func (p *parser) parseLHS() Expr {
	return p.parseKeyConcat(true)
}

// parseKeyConcat parses a concatenation of selectors and values; when
// selectorFirst, the first part must be a selector (a match LHS).
func (p *parser) parseKeyConcat(selectorFirst bool) Expr {
	var x Expr
	if selectorFirst {
		x = p.parseBinary(p.parseLHSPrimary(), 1, func() Expr { return p.parseRHSPrimary(ctxStmt) })
	} else {
		x = p.parseStmtBasic()
	}
	return p.concatRest(x, DOT, p.parseStmtBasic)
}

// The parts of lists and concatenations are read by a parsePart function,
// which reports its own error and returns nil when it cannot read one; the
// whole list or concatenation is nil then.

// parseConcat parses parts separated by sep: a single part as it is, more
// joined as a Concat.
func (p *parser) parseConcat(sep Token, parsePart func() Expr) Expr {
	return p.concatRest(parsePart(), sep, parsePart)
}

// parseList parses elements separated by sep: a single element as it is,
// more as a List.
func (p *parser) parseList(sep Token, parsePart func() Expr) Expr {
	return p.listRest(parsePart(), sep, parsePart)
}

// concatRest is parseConcat after the first part, x, has been read.
func (p *parser) concatRest(x Expr, sep Token, parsePart func() Expr) Expr {
	parts, ok := p.moreSeparated(x, sep, parsePart)
	if !ok {
		return nil
	}
	if parts == nil {
		return x
	}
	c := p.slabs.concats.take()
	c.Parts = parts
	return c
}

// listRest is parseList after the first element, x, has been read.
func (p *parser) listRest(x Expr, sep Token, parsePart func() Expr) Expr {
	parts, ok := p.moreSeparated(x, sep, parsePart)
	if !ok {
		return nil
	}
	if parts == nil {
		return x
	}
	l := p.slabs.lists.take()
	l.Elems = parts
	return l
}

// moreSeparated reads the part after each sep that follows x, the first
// part: it returns nil parts when no sep follows, else all of them at
// their exact number. ok is false when x is nil or a part fails.
func (p *parser) moreSeparated(x Expr, sep Token, parsePart func() Expr) (parts []Expr, ok bool) {
	if x == nil {
		return nil, false
	}
	if p.cur.tok != sep {
		return nil, true
	}
	// The parts collect on p.exprs (nested lists above them).
	base := len(p.exprs)
	p.exprs = append(p.exprs, x)
	for p.cur.tok == sep {
		p.next()
		y := parsePart()
		if y == nil {
			p.exprs = p.exprs[:base]
			return nil, false
		}
		p.exprs = append(p.exprs, y)
	}
	return p.popExprs(base), true
}

// closeParen completes the parenthesised x opened at lp: it expects the
// ')' and returns the Paren; nil when x failed or the ')' is missing.
func (p *parser) closeParen(lp Pos, x Expr) Expr {
	if x == nil {
		return nil
	}
	if p.cur.tok != RPAREN {
		p.expected("')'")
		return nil
	}
	rp := p.curPos()
	p.next()
	return node(&p.slabs.parens, Paren{Lparen: lp, X: x, Rparen: rp})
}

func (p *parser) parseLHSPrimary() Expr {
	switch p.cur.tok {
	case LPAREN:
		if !p.enter("parenthesis") {
			return nil
		}
		defer p.leave()
		lp := p.curPos()
		p.next()
		return p.closeParen(lp, p.parseBinary(p.parseLHSPrimary(), 1, func() Expr { return p.parseRHSPrimary(ctxStmt) }))
	case DOLLAR:
		return p.parseVarRef()
	}
	return p.parseSelectorOrFail()
}

func (p *parser) parseSelectorOrFail() Expr {
	if !p.isSelectorStart() {
		p.expected("packet field, meta or ct key (e.g. ip saddr, tcp dport, meta mark)")
		return nil
	}
	sel := p.parseSelector()
	if sel == nil {
		return nil
	}
	return sel
}

// The fixed word sets of selectors (§14).
var (
	addrWords   = wordSet("saddr daddr")
	rtKeys      = wordSet("nexthdr hdrlength type seg-left classid nexthop mtu ipsec")
	ipsecDirs   = wordSet("in out")
	ipsecKeys   = wordSet("reqid spi")
	socketKeys  = wordSet("transparent mark wildcard")
	osfKeys     = wordSet("name version")
	numgenModes = wordSet("inc random")
	tunnelKeys  = wordSet("path id")
)

// parseSelector parses a selector per the catalogue of §14; the current
// token starts one (isSelectorStart).
func (p *parser) parseSelector() *Selector {
	jhash := p.isWord("jhash")
	if jhash {
		// The jhash key is an expression that may be jhash again.
		if !p.enter("jhash expression") {
			return nil
		}
	}
	// The words collect on p.words (a jhash key's selectors above them).
	base := len(p.words)
	sel := p.parseSelectorWords(base)
	if sel != nil {
		sel.Words = p.popIdents(base)
		sel.SetEnd(p.endPos()) // after the words, which it is compared with
	} else {
		p.words = p.words[:base]
	}
	if jhash {
		p.leave()
	}
	return sel
}

// parseSelectorWords parses a selector whose words it pushes on p.words
// above base; the caller pops them into Words and sets the end.
func (p *parser) parseSelectorWords(base int) *Selector {
	sel := p.slabs.selectors.take()
	var args []*Arg
	add := func() { p.words = append(p.words, p.identValue()) }
	addIf := func(set map[string]bool, what string) bool {
		if p.cur.tok == WORD && set[p.cur.lit] {
			add()
			return true
		}
		p.expected(what)
		return false
	}
	numArg := func(key string) bool {
		a := p.arg(Arg{KeyPos: p.curPos(), Key: key})
		p.next()
		n := p.expectNumberAfter(key)
		if n == nil {
			return false
		}
		a.Value = n
		a.EndPos = p.endPos()
		args = append(args, a)
		return true
	}
	if p.cur.tok == AT {
		at := p.cur.off
		p.next()
		raw := p.cur
		p.next()
		p.words = append(p.words, makeIdent(p.pos(at), "@"+raw.lit, false, p.pos(raw.end)))
		for i := 0; i < 2; i++ {
			if !p.expect(COMMA, "',' in raw payload @base,offset,length") {
				return nil
			}
			if p.cur.tok != NUMBER {
				p.expected("number in raw payload @base,offset,length")
				return nil
			}
			add()
		}
		p.scope = ""
		return sel
	}
	head := p.cur.lit
	p.scope = head
	add()
	switch {
	case head == "meta":
		if p.cur.tok != WORD || p.curClass()&(wcMetaKey|wcUnqualifiedMeta) == 0 {
			p.expected("meta key (e.g. mark, l4proto, iifname, nfproto)")
			return nil
		}
		add()
	case head == "ipsec" && !p.isWord("in") && !p.isWord("out"):
		p.scope = "" // meta ipsec, unqualified
	case classOf(head)&wcUnqualifiedMeta != 0 && head != "ipsec":
		p.scope = ""
	case head == "ct":
		switch {
		case p.isWord("original") || p.isWord("reply"):
			add()
			if p.isWord("ip") || p.isWord("ip6") {
				add()
				if !addIf(addrWords, "saddr or daddr") {
					return nil
				}
			} else if !addIf(ctDirKeys, "ct key after direction (e.g. saddr, proto-dst, bytes, zone)") {
				return nil
			}
		case p.cur.tok == WORD && p.curClass()&wcCtKey != 0:
			add()
		default:
			p.expected("ct key (e.g. state, mark, status, original, reply)")
			return nil
		}
	case head == "fib":
		for {
			if p.cur.tok != WORD || !fibKeys[p.cur.lit] {
				p.expected("fib key (saddr, daddr, mark, iif, oif)")
				return nil
			}
			args = append(args, p.flagArg())
			if p.cur.tok != DOT {
				break
			}
			p.next()
		}
		if !addIf(fibResults, "fib result (oif, oifname, type, check)") {
			return nil
		}
	case head == "rt":
		if p.isWord("ip") || p.isWord("ip6") {
			add()
		}
		if !addIf(rtKeys, "rt field (classid, nexthop, mtu, type, …)") {
			return nil
		}
	case head == "ipsec":
		if !addIf(ipsecDirs, "'in' or 'out' after ipsec") {
			return nil
		}
		if p.isWord("spnum") && !numArg("spnum") {
			return nil
		}
		switch {
		case p.isWord("ip") || p.isWord("ip6"):
			add()
			if !addIf(addrWords, "saddr or daddr") {
				return nil
			}
		default:
			if !addIf(ipsecKeys, "ip, ip6, spi or reqid") {
				return nil
			}
		}
	case head == "socket":
		if p.isWord("cgroupv2") {
			add()
			if !p.isWord("level") || !numArg("level") {
				if p.errSeq == 0 || !p.isWord("level") {
					p.expected("'level NUM' after socket cgroupv2")
				}
				return nil
			}
			break
		}
		if !addIf(socketKeys, "socket key (transparent, mark, wildcard, cgroupv2)") {
			return nil
		}
	case head == "osf":
		if p.isWord("ttl") {
			a := p.arg(Arg{KeyPos: p.curPos(), Key: "ttl"})
			p.next()
			if !p.isWord("loose") && !p.isWord("skip") {
				p.expected("loose or skip after osf ttl")
				return nil
			}
			a.Value = p.wordLit()
			a.EndPos = p.endPos()
			args = append(args, a)
		}
		if !addIf(osfKeys, "name or version after osf") {
			return nil
		}
	case head == "numgen":
		if !addIf(numgenModes, "inc or random after numgen") {
			return nil
		}
		if !p.isWord("mod") {
			p.expected("'mod' after numgen " + p.words[base+1].Name)
			return nil
		}
		if !numArg("mod") || p.isWord("offset") && !numArg("offset") {
			return nil
		}
	case head == "jhash" || head == "symhash":
		if head == "jhash" {
			key := p.parseLHS()
			if key == nil {
				return nil
			}
			args = append(args, p.arg(Arg{Value: key, EndPos: key.End()}))
		}
		if !p.isWord("mod") {
			p.expected("'mod' after " + head)
			return nil
		}
		if !numArg("mod") {
			return nil
		}
		if head == "jhash" && p.isWord("seed") && !numArg("seed") {
			return nil
		}
		if p.isWord("offset") && !numArg("offset") {
			return nil
		}
	case head == "exthdr":
		if !addIf(exthdrNames, "extension header name (hbh, rt, frag, dst, mh)") {
			return nil
		}
	case head == "tunnel":
		if !addIf(tunnelKeys, "path or id after tunnel") {
			return nil
		}
	default:
		if !p.parsePayloadField(head) {
			return nil
		}
	}
	sel.SetArgs(args)
	return sel
}

// parsePayloadField parses the field part of a header selector, pushing
// its words on p.words.
func (p *parser) parsePayloadField(head string) bool {
	add := func() { p.words = append(p.words, p.identValue()) }
	if p.cur.tok != WORD {
		p.expected(head + " header field")
		return false
	}
	w := p.cur.lit
	// Inner headers of tunnels (vxlan ip saddr).
	if classOf(head)&wcInnerOuter != 0 && (classOf(w)&wcInnerL3 != 0 || classOf(w)&wcInnerL2 != 0 && head != "gre") {
		if t := p.peek(1); t.tok == WORD && isField(w, t.lit) || t.isWord("option") {
			add()
			return p.parsePayloadField(w)
		}
	}
	switch {
	case head == "tcp" && w == "option", head == "ip" && w == "option":
		add()
		if head == "tcp" && p.cur.tok == AT {
			// tcp option @kind,offset,length
			at := p.cur.off
			p.next()
			if p.cur.tok != NUMBER {
				p.expected("option number after '@'")
				return false
			}
			n := p.cur
			p.next()
			p.words = append(p.words, makeIdent(p.pos(at), "@"+n.lit, false, p.pos(n.end)))
			for i := 0; i < 2; i++ {
				if !p.expect(COMMA, "',' in tcp option @kind,offset,length") {
					return false
				}
				if p.cur.tok != NUMBER {
					p.expected("number")
					return false
				}
				add()
			}
			return true
		}
		opts := tcpOptions
		if head == "ip" {
			opts = ipOptions
		}
		if p.cur.tok == NUMBER && head == "tcp" {
			add()
		} else if p.cur.tok == WORD && opts[p.cur.lit] {
			opt := p.cur.lit
			add()
			fields := ipOptionFields
			if head == "tcp" {
				fields = tcpOptionFields(opt)
			}
			if p.cur.tok == WORD && fields[p.cur.lit] {
				add()
			}
		} else {
			p.expected(head + " option name")
			return false
		}
		return true
	case head == "dccp" && w == "option":
		add()
		if p.cur.tok != NUMBER {
			p.expected("option number after dccp option")
			return false
		}
		add()
		return true
	case head == "sctp" && w == "chunk":
		add()
		if p.cur.tok != WORD || !sctpChunks[p.cur.lit] {
			p.expected("sctp chunk type (data, init, sack, …)")
			return false
		}
		chunk := p.cur.lit
		add()
		if p.cur.tok == WORD && sctpChunkFields(chunk)[p.cur.lit] {
			add()
		}
		return true
	}
	if !isField(head, w) {
		p.errorf("unknown %s header field '%s': expected %s", head, w, joinKeys(payloadFields[head]))
		return false
	}
	add()
	switch {
	case head == "arp" && (w == "saddr" || w == "daddr"):
		if p.isWord("ether") || p.isWord("ip") {
			add()
		}
	case (head == "rt0" && w == "addr") || (head == "srh" && w == "sid"):
		if p.cur.tok == LBRACK {
			lb := p.cur.off
			p.next()
			if p.cur.tok != NUMBER {
				p.expected("index number")
				return false
			}
			n := p.cur
			p.next()
			if !p.expect(RBRACK, "']'") {
				return false
			}
			p.words[len(p.words)-1].SetEnd(p.endPos())
			p.words = append(p.words, makeIdent(p.pos(lb), "["+n.lit+"]", false, p.endPos()))
		}
	}
	return true
}

// ---------------------------------------------------------------------------
// Right-hand side and values

// canStartRHS reports whether the current token can start a value.
func (p *parser) canStartRHS() bool {
	switch p.cur.tok {
	case WORD:
		return p.curClass()&(wcReserved|wcValue) != wcReserved
	case STRING, WILDCARD, NUMBER, IPV4, IPV6, MAC, TIME, CLASSID, DOLLAR, LBRACE, AT, LPAREN:
		return true
	}
	return false
}

// parseRHS parses a match right side or define value.
func (p *parser) parseRHS(ctx exprCtx) Expr {
	switch p.cur.tok {
	case LBRACE:
		return p.parseSetLit()
	case AT:
		return p.parseSetRef()
	}
	x := p.parseRHSConcat(ctx)
	if x == nil {
		return nil
	}
	if p.cur.tok == COMMA && ctx != ctxElem {
		return p.listRest(x, COMMA, func() Expr { return p.parseRHSItem(ctx) })
	}
	return x
}

func (p *parser) parseRHSConcat(ctx exprCtx) Expr {
	x := p.parseRHSItem(ctx)
	if x == nil || p.cur.tok != DOT {
		return x
	}
	return p.concatRest(x, DOT, func() Expr { return p.parseRHSItem(ctx) })
}

// parseRHSItem parses basic ['/' NUM | '/' masklist | '-' basic].
func (p *parser) parseRHSItem(ctx exprCtx) Expr {
	x := p.parseRHSBasic(ctx)
	if x == nil {
		return nil
	}
	switch p.cur.tok {
	case SLASH:
		slash := p.curPos()
		p.next()
		if p.cur.tok == NUMBER {
			pr := p.newPrefix()
			*pr = Prefix{X: x, SlashPos: slash, Len: p.number()}
			return pr
		}
		// Bitmask form VALUE / a,b,c.
		first := p.parseRHSBasic(ctx)
		if first == nil {
			return nil
		}
		var mask Expr = first
		if p.cur.tok == COMMA && ctx != ctxElem {
			if mask = p.listRest(first, COMMA, func() Expr { return p.parseRHSBasic(ctx) }); mask == nil {
				return nil
			}
		}
		return node(&p.slabs.masks, Mask{X: x, SlashPos: slash, Mask: mask})
	case DASH:
		dash := p.curPos()
		p.next()
		y := p.parseRHSBasic(ctx)
		if y == nil {
			return nil
		}
		return node(&p.slabs.ranges, RangeExpr{Lo: x, DashPos: dash, Hi: y})
	}
	return x
}

func (p *parser) parseRHSBasic(ctx exprCtx) Expr {
	return p.parseBinary(p.parseRHSPrimary(ctx), 1, func() Expr { return p.parseRHSPrimary(ctx) })
}

// parseRHSPrimary parses one value.
func (p *parser) parseRHSPrimary(ctx exprCtx) Expr {
	switch p.cur.tok {
	case WORD:
		w := p.cur.lit
		class := p.curClass()
		if class&(wcReserved|wcValue) == wcReserved {
			p.expected("value")
			return nil
		}
		if p.scope != "" && class&wcValue == 0 && isScopeWord(p.scope, w) {
			p.errorf("unexpected '%s' after %s: it is a %s keyword here, not a value (quote it if you mean the name)", w, p.scope, p.scope)
			return nil
		}
		return p.wordLit()
	case STRING:
		return p.literal(LitString)
	case WILDCARD:
		return p.literal(LitWord)
	case NUMBER:
		v, overflow, ok := numberValue(p.cur.lit)
		if !ok {
			return p.wordLit() // invalid octal: nft lexes it as a string
		}
		return p.numberOf(v, overflow)
	case IPV4:
		return p.literal(LitIPv4)
	case IPV6:
		return p.literal(LitIPv6)
	case MAC:
		return p.literal(LitMAC)
	case TIME:
		return p.literal(LitTime)
	case CLASSID:
		return p.literal(LitClassID)
	case DOLLAR:
		return p.parseVarRef()
	case AT:
		if ctx == ctxStmt || ctx == ctxElem {
			break
		}
		return p.parseSetRef()
	case ASTERISK:
		if ctx == ctxElem {
			return p.literal(LitAsterisk)
		}
	case LPAREN:
		if !p.enter("parenthesis") {
			return nil
		}
		defer p.leave()
		lp := p.curPos()
		p.next()
		var x Expr
		if ctx == ctxStmt {
			x = p.parseStmtBasic()
		} else {
			x = p.parseRHSBasic(ctx)
		}
		return p.closeParen(lp, x)
	case LBRACE:
		if ctx == ctxStmt {
			p.errorf("unexpected '{': a set literal is not allowed as a statement value")
			return nil
		}
	}
	p.expected("value")
	return nil
}

// parseVarRef parses `$name`; it returns an untyped nil on error, so
// that callers can test the Expr against nil.
func (p *parser) parseVarRef() Expr {
	if v := p.varRef(); v != nil {
		return v
	}
	return nil
}

func (p *parser) varRef() *VarRef {
	v := p.varRefNode(VarRef{Dollar: p.curPos()})
	p.next()
	if p.cur.tok != WORD {
		p.expected("variable name after '$'")
		return nil
	}
	v.Name = p.cur.lit
	p.next()
	v.EndPos = p.endPos()
	return v
}

// parseSetRef parses `@name`; it returns an untyped nil on error.
func (p *parser) parseSetRef() Expr {
	if r := p.setRef(); r != nil {
		return r
	}
	return nil
}

func (p *parser) setRef() *SetRef {
	if p.cur.tok != AT {
		p.expected("'@set'")
		return nil
	}
	r := p.setRefNode(SetRef{At: p.curPos()})
	p.next()
	if p.cur.tok != WORD {
		p.expected("set name after '@'")
		return nil
	}
	r.Name = p.cur.lit
	p.next()
	r.EndPos = p.endPos()
	return r
}

// ---------------------------------------------------------------------------
// Statement values

// isStmtSelector reports whether the current word starts a selector in a
// statement value (ip/tcp/… only when followed by one of their fields).
func (p *parser) isStmtSelector() bool {
	if !p.isSelectorStart() {
		return false
	}
	if p.cur.tok == WORD && p.curClass()&wcValue != 0 {
		t := p.peek(1)
		if t.tok != WORD {
			return false
		}
		return isField(p.cur.lit, t.lit) || t.lit == "option" || t.lit == "chunk" || classOf(t.lit)&(wcInnerL3|wcInnerL2) != 0
	}
	return true
}

func (p *parser) parseStmtPrimary() Expr {
	if p.isStmtSelector() {
		sel := p.parseSelector()
		if sel == nil {
			return nil
		}
		return sel
	}
	return p.parseRHSPrimary(ctxStmt)
}

func (p *parser) parseStmtBasic() Expr {
	return p.parseBinary(p.parseStmtPrimary(), 1, p.parseStmtPrimary)
}

// parseStmtValue parses a statement value (§13.4).
func (p *parser) parseStmtValue() Expr {
	saved := p.scope
	p.scope = ""
	defer func() { p.scope = saved }()
	x := p.parseStmtBasic()
	if x == nil {
		return nil
	}
	if p.cur.tok == DOT {
		if x = p.concatRest(x, DOT, p.parseStmtBasic); x == nil {
			return nil
		}
	}
	switch {
	case p.isWord("map"):
		mpos := p.curPos()
		p.next()
		m := p.parseMapRef("map")
		if m == nil {
			return nil
		}
		return node(&p.slabs.mapLookups, MapLookup{Key: x, MapPos: mpos, Map: m})
	case p.cur.tok == DASH:
		dash := p.curPos()
		p.next()
		y := p.parseStmtBasic()
		if y == nil {
			return nil
		}
		return node(&p.slabs.ranges, RangeExpr{Lo: x, DashPos: dash, Hi: y})
	case p.cur.tok == SLASH && p.peek(1).tok == NUMBER:
		slash := p.curPos()
		p.next()
		pr := p.newPrefix()
		*pr = Prefix{X: x, SlashPos: slash, Len: p.number()}
		return pr
	case p.cur.tok == COMMA:
		return p.listRest(x, COMMA, p.parseStmtBasic)
	}
	return x
}

// ---------------------------------------------------------------------------
// Set literals

// parseSetLit parses '{' element, … '}'; newlines are free inside.
func (p *parser) parseSetLit() *SetLit {
	s := &SetLit{Lbrace: p.curPos()}
	if !p.enter("set") {
		s.Rbrace = p.pos(len(p.src))
		return s
	}
	defer p.leave()
	open := p.cur.off
	p.next()
	savedScope := p.scope
	// The elements collect on p.elemStack (nested sets push above them)
	// and are copied out once, at their exact number.
	base := len(p.elemStack)
	defer func() {
		p.scope = savedScope
		if n := len(p.elemStack) - base; n > 0 {
			s.Elems = make([]Expr, n)
			copy(s.Elems, p.elemStack[base:])
			clear(p.elemStack[base:])
			p.elemStack = p.elemStack[:base]
		}
	}()
	var packing elemPacking // plain elements go into ElemRuns (parser_elemrun.go)
	for {
		p.skipNewlines()
		switch p.cur.tok {
		case RBRACE:
			s.Rbrace = p.curPos()
			p.next()
			return s
		case EOF, SEMICOLON:
			if p.cur.tok == SEMICOLON {
				p.errorf("unexpected ';' in set: separate elements with ','")
			} else {
				p.errorf("expected '}' to close the set opened at line %d, found end of file", p.file.PositionAt(open).Line)
			}
			s.Rbrace = p.curPos()
			return s
		}
		seq := p.errSeq
		start := p.cur.off
		e := p.parseElemPacked(&packing)
		if e != nil {
			if len(p.elemStack) == cap(p.elemStack) {
				// Double: append grows large slices by 1.25x, which copies
				// a million-element list about twenty times.
				p.elemStack = append(make([]Expr, 0, max(64, 2*cap(p.elemStack))), p.elemStack...)
			}
			p.elemStack = append(p.elemStack, e)
		}
		if p.errSeq == seq {
			p.skipNewlines()
			switch p.cur.tok {
			case COMMA:
				p.next()
				continue
			case RBRACE:
				continue
			case SEMICOLON:
				p.errorf("unexpected ';' in set: separate elements with ','")
			default:
				p.expected("',' or '}' in set")
			}
		}
		// Recover at the next ',' or '}' of this set.
		depth := 0
	skip:
		for {
			switch p.cur.tok {
			case EOF, SEMICOLON:
				break skip
			case LBRACE:
				depth++
			case RBRACE:
				if depth == 0 {
					break skip
				}
				depth--
			case COMMA:
				if depth == 0 {
					p.next()
					break skip
				}
			}
			p.next()
		}
		if p.cur.off == start && p.cur.tok != RBRACE {
			p.next()
		}
	}
}

// parseElem parses one set element with options, statements and data.
func (p *parser) parseElem() Expr {
	var key Expr
	switch p.cur.tok {
	case LBRACE:
		key = p.parseSetLit()
	default:
		p.scope = ""
		key = p.parseRHSConcat(ctxElem)
	}
	if key == nil {
		return nil
	}
	var elem *Elem
	if p.cur.tok == WORD {
		var opts []*Arg
		var stmts []Stmt
		for p.parseElemOpts(&opts) || p.parseElemStmts(&stmts) {
		}
		if len(opts) > 0 || len(stmts) > 0 {
			elem = &Elem{Value: key, Opts: opts, Stmts: stmts, EndPos: p.endPos()}
		}
	}
	var x Expr = key
	if elem != nil {
		x = elem
	}
	if p.cur.tok == COLON {
		colon := p.curPos()
		p.next()
		p.skipNewlines()
		var v Expr
		if p.cur.tok == WORD && verdictWords[p.cur.lit] && p.cur.lit != "queue" {
			v = p.parseVerdictValue()
		} else {
			p.scope = ""
			v = p.parseRHSConcat(ctxElem)
		}
		if v == nil {
			return nil
		}
		return &MapElem{Key: x, ColonPos: colon, Value: v}
	}
	return x
}

// ParseExpr parses src as a relational right-hand side expression (for
// tests and tools).
func ParseExpr(src string) (Expr, error) {
	fset := NewFileSet()
	file := fset.AddFile("expr", []byte(src))
	p := newParser(file)
	x := p.parseRHS(ctxDefine)
	if p.cur.tok != EOF && p.cur.tok != NEWLINE {
		p.expected("end of expression")
	}
	return x, p.errors.Err()
}
