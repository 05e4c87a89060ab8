package parser

import (
	"fmt"
	"strings"
)

// parseRule parses statements up to the end of the rule (separator, '}'
// or end of file). inBlock is true for rules in chain blocks.
func (p *parser) parseRule(inBlock bool) *Rule {
	r := p.slabs.rules.take()
	// The statements collect on p.stmts (an anonymous chain's rules
	// above them).
	base := len(p.stmts)
	p.scope = ""
	for !p.atEnd() {
		if p.isWord("comment") {
			p.next()
			r.Comment = p.parseString("comment text (a quoted string)")
			if r.Comment != nil && !p.atEnd() {
				p.errorf("unexpected %s after the rule comment: the comment must be the last element of the rule", describe(p.cur))
			}
			break
		}
		seq := p.errSeq
		start := p.cur.off
		s := p.parseStmt()
		if s != nil {
			p.stmts = append(p.stmts, s)
		}
		if p.errSeq != seq {
			if s == nil {
				p.stmts = append(p.stmts, &BadStmt{From: p.pos(start), To: p.pos(p.cur.end)})
			}
			break
		}
		if p.cur.off == start {
			break
		}
	}
	r.Stmts = p.popStmts(base)
	if len(r.Stmts) == 0 && r.Comment != nil {
		p.errorAt(int(r.Comment.Pos())-p.file.Base(), int(r.Comment.End())-p.file.Base(), "a rule needs at least one statement before its comment")
	}
	r.EndPos = p.endPos()
	return r
}

// parseStmt parses one statement.
func (p *parser) parseStmt() Stmt {
	switch p.cur.tok {
	case DOLLAR, LPAREN, AT:
		return p.parseExprStmt()
	case WORD:
	case STRING:
		p.errorf("unexpected quoted string \"%s\": expected a statement", p.cur.lit)
		return nil
	default:
		p.expected("statement")
		return nil
	}
	w := p.cur.lit
	p.scope = ""
	switch w {
	case "accept", "drop", "continue", "return", "jump", "goto":
		return p.parseVerdictStmt()
	case "counter", "limit", "quota", "last":
		return p.parseStatefulStmt()
	case "log":
		return p.parseLogStmt()
	case "reject":
		return p.parseRejectStmt()
	case "snat", "dnat", "masquerade", "redirect":
		return p.parseNatStmt()
	case "tproxy":
		return p.parseTproxyStmt()
	case "queue":
		return p.parseQueueStmt()
	case "dup", "fwd":
		return p.parseDupFwdStmt()
	case "notrack":
		s := p.keywordStmt(w)
		s.EndPos = p.endPos()
		return s
	case "flow":
		return p.parseFlowStmt()
	case "meter":
		return p.parseMeterStmt()
	case "synproxy":
		return p.parseSynproxyStmt()
	case "xt":
		s := p.keywordStmt(w)
		for i := 0; i < 2; i++ {
			if p.cur.tok != WORD && p.cur.tok != STRING {
				p.expected("xt match, target or watcher and its name")
				return s
			}
			p.appendArg(&s.Args, p.valueArg(""))
		}
		s.EndPos = p.endPos()
		return s
	case "add", "update", "delete":
		if t := p.peek(1); t.tok == AT || t.tok == DOLLAR {
			return p.parseSetUpdateStmt()
		}
		p.errorf("expected '@set' after '%s' in a rule (set update statement), found %s", w, describe(p.peek(1)))
		return nil
	case "set":
		if t := p.peek(1); t.isWord("add") || t.isWord("update") || t.isWord("delete") {
			return p.parseLegacySetStmt()
		}
		p.errorf("unexpected keyword 'set' at the start of a statement: write 'FIELD set VALUE' (e.g. meta mark set 1)")
		return nil
	case "reset":
		return p.parseResetStmt()
	case "tunnel":
		if p.peek(1).isWord("name") {
			s := p.keywordStmt(w)
			p.appendArg(&s.Args, p.nameArg())
			s.EndPos = p.endPos()
			return s
		}
	case "ct":
		switch t := p.peek(1); {
		case t.isWord("count"):
			return p.parseStatefulStmt()
		case (t.isWord("timeout") || t.isWord("expectation")) && p.peek(2).isWord("set"):
			s := &KeywordStmt{KeywordPos: p.curPos(), Keyword: "ct " + t.lit}
			p.next()
			p.next()
			a := p.arg(Arg{KeyPos: p.curPos(), Key: "set"})
			p.next()
			a.Value = p.parseStmtValue()
			a.EndPos = p.endPos()
			p.appendArg(&s.Args, a)
			s.EndPos = p.endPos()
			return s
		}
	}
	if p.isSelectorStart() {
		return p.parseExprStmt()
	}
	if isReserved(w) {
		p.errorf("unexpected keyword '%s': expected a statement", w)
	} else {
		p.errorf("unknown statement '%s'", w)
	}
	return nil
}

func (p *parser) keywordStmt(kw string) *KeywordStmt {
	s := p.slabs.keywords.take()
	s.KeywordPos, s.Keyword = p.curPos(), kw
	p.next()
	return s
}

// flagArg consumes the current word as a value-less Arg.
func (p *parser) flagArg() *Arg {
	a := p.newArg()
	a.KeyPos, a.Key, a.EndPos = p.curPos(), p.cur.lit, p.pos(p.cur.end)
	p.next()
	return a
}

// valueArg parses the current value token as an Arg with the given key
// (the key itself has been consumed).
func (p *parser) valueArg(key string) *Arg {
	a := p.arg(Arg{Key: key})
	a.Value = p.parseRHSPrimary(ctxStmt)
	a.EndPos = p.endPos()
	return a
}

// keyNumArg parses "KEY NUM".
func (p *parser) keyNumArg() *Arg {
	a := p.newArg()
	a.KeyPos, a.Key = p.curPos(), p.cur.lit
	p.next()
	if n := p.expectNumberAfter(a.Key); n != nil {
		a.Value = n
	}
	a.EndPos = p.endPos()
	return a
}

// nameArg parses "name VALUE" (object references).
func (p *parser) nameArg() *Arg {
	a := p.arg(Arg{KeyPos: p.curPos(), Key: "name"})
	p.next()
	if p.atEnd() {
		p.expected("object name after 'name'")
		return a
	}
	a.Value = p.parseStmtValue()
	a.EndPos = p.endPos()
	return a
}

func (p *parser) parseVerdictStmt() Stmt {
	s := p.slabs.verdicts.take()
	s.KindPos, s.Kind = p.curPos(), p.cur.lit
	p.next()
	if s.Kind == "jump" || s.Kind == "goto" {
		if p.cur.tok == LBRACE {
			s.Chain = p.parseBlock(blockAnonChain)
		} else {
			s.Target = p.parseChainTarget(s.Kind)
		}
	}
	s.EndPos = p.endPos()
	return s
}

func (p *parser) parseChainTarget(kind string) Expr {
	switch p.cur.tok {
	case DOLLAR:
		return p.parseVarRef()
	case WORD:
		if p.curClass()&wcReserved != 0 && p.cur.lit != "last" {
			p.errorf("chain name '%s' after %s is an nft keyword: nft rejects it", p.cur.lit, kind)
			return nil
		}
		return p.wordLit()
	case STRING:
		p.errorf("chain name after %s must be a bare word, found quoted string \"%s\"", kind, p.cur.lit)
		return nil
	}
	p.expected("chain name after " + kind)
	return nil
}

// parseVerdictValue parses a verdict used as map data.
func (p *parser) parseVerdictValue() *Verdict {
	v := node(&p.slabs.verdictVals, Verdict{KindPos: p.curPos(), Kind: p.cur.lit})
	p.next()
	if v.Kind == "jump" || v.Kind == "goto" {
		v.Target = p.parseChainTarget(v.Kind)
	}
	v.EndPos = p.endPos()
	return v
}

// parseStatefulStmt parses counter, limit, quota, last and ct count.
func (p *parser) parseStatefulStmt() Stmt {
	w := p.cur.lit
	if w == "ct" {
		s := &KeywordStmt{KeywordPos: p.curPos(), Keyword: "ct count"}
		p.next()
		p.next()
		if p.isWord("over") {
			p.appendArg(&s.Args, p.flagArg())
		}
		if n := p.expectNumber("connection count after ct count"); n != nil {
			p.appendArg(&s.Args, p.arg(Arg{Value: n, EndPos: n.End()}))
		}
		s.EndPos = p.endPos()
		return s
	}
	if p.curClass()&wcStateful == 0 {
		p.expected("counter, limit, quota or last")
		return nil
	}
	s := p.keywordStmt(w)
	if p.isWord("name") && w != "last" {
		p.appendArg(&s.Args, p.nameArg())
		s.EndPos = p.endPos()
		return s
	}
	switch w {
	case "counter":
		s.Args = p.parseCounterArgs()
	case "limit":
		if !p.isWord("rate") {
			p.expected("'rate' or 'name' after limit")
			return s
		}
		s.Args = p.parseLimitArgs()
	case "quota":
		s.Args = p.parseQuotaArgs()
	case "last":
		if p.isWord("used") {
			a := p.arg(Arg{KeyPos: p.curPos(), Key: "used"})
			p.next()
			switch {
			case p.isWord("never"):
				a.Value = p.wordLit()
			case p.cur.tok == TIME:
				a.Value = p.literal(LitTime)
			default:
				p.expected("'never' or a time value after 'last used'")
				return s
			}
			a.EndPos = p.endPos()
			p.appendArg(&s.Args, a)
		}
	}
	s.EndPos = p.endPos()
	return s
}

func (p *parser) parseCounterArgs() []*Arg {
	base := len(p.argStack)
	for p.isWord("packets") || p.isWord("bytes") {
		p.argStack = append(p.argStack, p.keyNumArg())
	}
	return p.popArgs(base)
}

// textOf returns the concatenation of parts, which are read from the
// source at start on: rates and sizes are mostly written as nft prints
// them, and their text is then the source's, without a new string.
func (p *parser) textOf(start int, parts ...string) string {
	i := start
	for _, s := range parts {
		if len(s) > len(p.src)-i || p.src[i:i+len(s)] != s {
			return strings.Join(parts, "")
		}
		i += len(s)
	}
	return p.src[start:i]
}

// parseRate parses NUM [BYTEUNIT] '/' TIMEUNIT into a LitRate literal.
// bytes reports whether a byte unit was given.
func (p *parser) parseRate() (lit *Literal, bytes bool) {
	start := p.cur.off
	n := p.expectNumber("rate number")
	if n == nil {
		return nil, false
	}
	text := n.Text
	unit := ""
	if p.cur.tok == WORD {
		w := p.cur.lit
		if i := strings.IndexByte(w, '/'); i > 0 && byteUnits[w[:i]] && timeUnits[w[i+1:]] {
			p.next()
			return node(&p.slabs.literals, Literal{ValuePos: p.pos(start), Kind: LitRate, Text: p.textOf(start, text, " ", w), EndPos: p.endPos()}), true
		}
		if !byteUnits[w] {
			p.expected("'/' and a time unit, or a byte unit (bytes, kbytes, mbytes)")
			return nil, false
		}
		unit = w
		bytes = true
		p.next()
	}
	if !p.expect(SLASH, "'/' and a time unit (second, minute, hour, day, week)") {
		return nil, false
	}
	if p.cur.tok != WORD || !timeUnits[p.cur.lit] {
		p.expected("time unit (second, minute, hour, day, week)")
		return nil, false
	}
	tu := p.cur.lit
	p.next()
	if unit != "" {
		return node(&p.slabs.literals, Literal{ValuePos: p.pos(start), Kind: LitRate, Text: p.textOf(start, text, " ", unit, "/", tu), EndPos: p.endPos()}), bytes
	}
	return node(&p.slabs.literals, Literal{ValuePos: p.pos(start), Kind: LitRate, Text: p.textOf(start, text, "/", tu), EndPos: p.endPos()}), bytes
}

// parseLimitArgs parses "rate [over|until] RATE [burst N UNIT]".
func (p *parser) parseLimitArgs() []*Arg {
	base := len(p.argStack)
	p.pushLimitArgs()
	return p.popArgs(base)
}

// pushLimitArgs pushes the arguments of parseLimitArgs on p.argStack.
func (p *parser) pushLimitArgs() {
	p.argStack = append(p.argStack, p.flagArg()) // rate
	if p.isWord("over") || p.isWord("until") {
		p.argStack = append(p.argStack, p.flagArg())
	}
	rate, bytes := p.parseRate()
	if rate == nil {
		return
	}
	p.argStack = append(p.argStack, p.arg(Arg{Value: rate, EndPos: rate.End()}))
	if p.isWord("burst") {
		a := p.arg(Arg{KeyPos: p.curPos(), Key: "burst"})
		p.next()
		start := p.cur.off
		n := p.expectNumber("number after burst")
		if n == nil {
			return
		}
		switch {
		case !bytes && p.isWord("packets"):
		case bytes && p.cur.tok == WORD && byteUnits[p.cur.lit]:
		case bytes:
			p.expected("byte unit (bytes, kbytes, mbytes) after burst of a byte rate")
			return
		default:
			p.expected("'packets' after burst of a packet rate")
			return
		}
		unit := p.cur.lit
		p.next()
		a.Value = node(&p.slabs.literals, Literal{ValuePos: p.pos(start), Kind: LitRate, Text: p.textOf(start, n.Text, " ", unit), EndPos: p.endPos()})
		a.EndPos = p.endPos()
		p.argStack = append(p.argStack, a)
	}
}

// parseBytes parses NUM BYTEUNIT.
func (p *parser) parseBytes(what string) *Literal {
	start := p.cur.off
	n := p.expectNumber(what)
	if n == nil {
		return nil
	}
	if p.cur.tok != WORD || !byteUnits[p.cur.lit] {
		p.expected("byte unit (bytes, kbytes, mbytes)")
		return nil
	}
	text := p.textOf(start, n.Text, " ", p.cur.lit)
	p.next()
	return node(&p.slabs.literals, Literal{ValuePos: p.pos(start), Kind: LitRate, Text: text, EndPos: p.endPos()})
}

// parseQuotaArgs parses "[over|until] NUM UNIT [used NUM UNIT]".
func (p *parser) parseQuotaArgs() []*Arg {
	base := len(p.argStack)
	p.pushQuotaArgs()
	return p.popArgs(base)
}

// pushQuotaArgs pushes the arguments of parseQuotaArgs on p.argStack.
func (p *parser) pushQuotaArgs() {
	if p.isWord("over") || p.isWord("until") {
		p.argStack = append(p.argStack, p.flagArg())
	}
	v := p.parseBytes("quota amount (e.g. 10 mbytes)")
	if v == nil {
		return
	}
	p.argStack = append(p.argStack, p.arg(Arg{Value: v, EndPos: v.End()}))
	if p.isWord("used") {
		a := p.arg(Arg{KeyPos: p.curPos(), Key: "used"})
		p.next()
		if a.Value = p.parseBytes("number after used"); a.Value == nil {
			return
		}
		a.EndPos = p.endPos()
		p.argStack = append(p.argStack, a)
	}
}

func (p *parser) parseSynproxyArgs() []*Arg {
	var args []*Arg
	for {
		switch {
		case p.isWord("mss") || p.isWord("wscale"):
			args = append(args, p.keyNumArg())
		case p.isWord("timestamp") || p.isWord("sack-perm") || p.isWord("sack-permitted"):
			args = append(args, p.flagArg())
		case p.cur.tok == NEWLINE && (p.peek(1).isWord("wscale") || p.peek(1).isWord("mss") || p.peek(1).isWord("timestamp") || p.peek(1).isWord("sack-perm")):
			p.next()
		default:
			return args
		}
	}
}

func (p *parser) parseSynproxyStmt() Stmt {
	s := p.keywordStmt("synproxy")
	if p.isWord("name") {
		p.appendArg(&s.Args, p.nameArg())
	} else {
		s.Args = p.parseSynproxyArgs()
	}
	s.EndPos = p.endPos()
	return s
}

func (p *parser) parseLogStmt() Stmt {
	s := p.keywordStmt("log")
	for p.cur.tok == WORD {
		switch w := p.cur.lit; w {
		case "prefix":
			a := p.arg(Arg{KeyPos: p.curPos(), Key: w})
			p.next()
			switch p.cur.tok {
			case STRING, WORD:
				a.Value = p.parseString("log prefix")
			case DOLLAR:
				a.Value = p.parseVarRef()
			default:
				p.expected("quoted log prefix")
				return s
			}
			a.EndPos = p.endPos()
			p.appendArg(&s.Args, a)
		case "group", "snaplen", "queue-threshold":
			p.appendArg(&s.Args, p.keyNumArg())
		case "level":
			a := p.arg(Arg{KeyPos: p.curPos(), Key: w})
			p.next()
			if p.cur.tok != WORD || !logLevels[p.cur.lit] {
				p.expected("log level (emerg, alert, crit, err, warn, notice, info, debug, audit)")
				return s
			}
			a.Value = p.wordLit()
			a.EndPos = p.endPos()
			p.appendArg(&s.Args, a)
		case "flags":
			a := p.arg(Arg{KeyPos: p.curPos(), Key: w})
			p.next()
			switch {
			case p.isWord("tcp"):
				p.next()
				a.Key = "flags tcp"
				a.Value = p.parseList(COMMA, func() Expr {
					if !p.isWord("sequence") && !p.isWord("options") {
						p.expected("sequence or options after log flags tcp")
						return nil
					}
					return p.wordLit()
				})
				if a.Value == nil {
					return s
				}
			case p.isWord("ip"):
				p.next()
				a.Key = "flags ip"
				if !p.isWord("options") {
					p.expected("'options' after log flags ip")
					return s
				}
				a.Value = p.wordLit()
			case p.isWord("skuid") || p.isWord("ether") || p.isWord("all"):
				a.Value = p.wordLit()
			default:
				p.expected("log flag (tcp sequence, tcp options, ip options, skuid, ether, all)")
				return s
			}
			a.EndPos = p.endPos()
			p.appendArg(&s.Args, a)
		default:
			s.EndPos = p.endPos()
			return s
		}
	}
	s.EndPos = p.endPos()
	return s
}

func (p *parser) parseRejectStmt() Stmt {
	s := node(&p.slabs.rejects, RejectStmt{KindPos: p.curPos()})
	p.next()
	if p.isWord("with") {
		p.next()
		switch {
		case p.isWord("icmp") || p.isWord("icmpv6") || p.isWord("icmpx"):
			s.With = p.cur.lit
			p.next()
			if p.isWord("type") {
				p.next()
			}
			switch p.cur.tok {
			case WORD, NUMBER:
				if p.cur.tok == WORD && p.curClass()&wcReserved != 0 {
					p.expected("reject code")
					return s
				}
				s.Code = p.parseRHSPrimary(ctxStmt)
			case DOLLAR:
				s.Code = p.parseVarRef()
			default:
				p.expected("reject code (e.g. port-unreachable, admin-prohibited)")
				return s
			}
		case p.isWord("tcp"):
			p.next()
			if !p.expectWord("reset") {
				return s
			}
			s.With = "tcp reset"
		default:
			p.expected("icmp, icmpv6, icmpx or tcp reset after 'reject with'")
			return s
		}
	}
	s.EndPos = p.endPos()
	return s
}

func (p *parser) parseNatStmt() Stmt {
	s := node(&p.slabs.nats, NatStmt{KindPos: p.curPos(), Kind: p.cur.lit})
	p.next()
	if p.isWord("ip") || p.isWord("ip6") {
		if t := p.peek(1); t.isWord("to") || t.isWord("addr") || t.isWord("interval") || t.isWord("prefix") {
			s.Family = Family(p.cur.lit)
			p.next()
		}
	}
	switch s.Kind {
	case "snat", "dnat":
		switch {
		case p.isWord("addr"):
			p.next()
			if !p.expect(DOT, "'.' in 'addr . port to'") || !p.expectWord("port") || !p.expectWord("to") {
				return s
			}
			s.Variant = "addr . port"
		case p.isWord("interval") || p.isWord("prefix"):
			s.Variant = p.cur.lit
			p.next()
			if !p.expectWord("to") {
				return s
			}
		case p.isWord("to"):
			p.next()
		}
		if p.cur.tok == COLON {
			p.next()
			s.Port = p.parseStmtValue()
		} else {
			if p.atEnd() || p.cur.tok == WORD && p.curClass()&(wcNatFlag|wcReserved) == wcNatFlag|wcReserved {
				p.expected("address after " + s.Kind)
				return s
			}
			s.Addr = p.parseStmtValue()
			if s.Addr != nil && p.cur.tok == COLON {
				p.next()
				s.Port = p.parseStmtValue()
			}
		}
	case "masquerade", "redirect":
		if p.isWord("to") {
			p.next()
			if p.cur.tok == COLON {
				p.next()
			} else if s.Kind == "masquerade" {
				p.expected("':' and port after 'masquerade to'")
				return s
			}
			s.Port = p.parseStmtValue()
		}
	}
	for p.cur.tok == WORD && p.curClass()&wcNatFlag != 0 {
		if s.Flags == nil {
			s.Flags = p.slabs.identSlices.reserve(2)
		}
		s.Flags = append(s.Flags, p.identValue())
		if p.cur.tok != COMMA {
			break
		}
		p.next()
		if p.cur.tok != WORD || p.curClass()&wcNatFlag == 0 {
			p.expected("nat flag (random, fully-random, persistent)")
			return s
		}
	}
	s.EndPos = p.endPos()
	return s
}

func (p *parser) parseTproxyStmt() Stmt {
	s := p.keywordStmt("tproxy")
	if p.isWord("ip") || p.isWord("ip6") {
		p.appendArg(&s.Args, p.flagArg())
	}
	if !p.isWord("to") {
		p.expected("'to' after tproxy")
		return s
	}
	a := p.arg(Arg{KeyPos: p.curPos(), Key: "to"})
	p.next()
	if p.cur.tok != COLON {
		if p.atEnd() {
			p.expected("address or ':port' after 'tproxy to'")
			return s
		}
		a.Value = p.parseStmtValue()
	}
	a.EndPos = p.endPos()
	p.appendArg(&s.Args, a)
	if p.cur.tok == COLON {
		c := p.arg(Arg{KeyPos: p.curPos(), Key: ":"})
		p.next()
		c.Value = p.parseStmtValue()
		c.EndPos = p.endPos()
		p.appendArg(&s.Args, c)
	}
	s.EndPos = p.endPos()
	return s
}

// parseQueueNum parses NUM | $var, optionally a range.
func (p *parser) parseQueueNum() Expr {
	one := func() Expr {
		switch p.cur.tok {
		case NUMBER:
			return p.number()
		case DOLLAR:
			return p.parseVarRef()
		}
		p.expected("queue number or $variable")
		return nil
	}
	x := one()
	if x != nil && p.cur.tok == DASH {
		dash := p.curPos()
		p.next()
		y := one()
		if y == nil {
			return nil
		}
		return node(&p.slabs.ranges, RangeExpr{Lo: x, DashPos: dash, Hi: y})
	}
	return x
}

func (p *parser) parseQueueStmt() Stmt {
	s := p.keywordStmt("queue")
	for p.cur.tok == WORD {
		switch w := p.cur.lit; w {
		case "num":
			a := p.arg(Arg{KeyPos: p.curPos(), Key: w})
			p.next()
			if a.Value = p.parseQueueNum(); a.Value == nil {
				return s
			}
			a.EndPos = p.endPos()
			p.appendArg(&s.Args, a)
		case "to":
			a := p.arg(Arg{KeyPos: p.curPos(), Key: w})
			p.next()
			v := p.parseStmtValue()
			if v == nil {
				return s
			}
			if sel, ok := v.(*Selector); ok {
				switch sel.Words[0].Name {
				case "numgen", "jhash", "symhash":
				default:
					p.expected("'.' or 'map' after 'queue to " + sel.Path() + "'")
					return s
				}
			}
			a.Value = v
			a.EndPos = p.endPos()
			p.appendArg(&s.Args, a)
		case "flags":
			a := p.arg(Arg{KeyPos: p.curPos(), Key: w})
			p.next()
			a.Value = p.parseList(COMMA, func() Expr {
				if !p.isWord("bypass") && !p.isWord("fanout") {
					p.expected("queue flag (bypass, fanout)")
					return nil
				}
				return p.wordLit()
			})
			if a.Value == nil {
				return s
			}
			a.EndPos = p.endPos()
			p.appendArg(&s.Args, a)
		case "bypass", "fanout":
			p.appendArg(&s.Args, p.flagArg())
			if p.cur.tok == COMMA {
				p.next()
			}
		default:
			s.EndPos = p.endPos()
			return s
		}
	}
	s.EndPos = p.endPos()
	return s
}

func (p *parser) parseDupFwdStmt() Stmt {
	s := p.keywordStmt(p.cur.lit)
	if p.isWord("ip") || p.isWord("ip6") {
		p.appendArg(&s.Args, p.flagArg())
	}
	if !p.isWord("to") {
		p.expected("'to' after " + s.Keyword)
		return s
	}
	a := p.arg(Arg{KeyPos: p.curPos(), Key: "to"})
	p.next()
	if a.Value = p.parseStmtValue(); a.Value == nil {
		return s
	}
	a.EndPos = p.endPos()
	p.appendArg(&s.Args, a)
	if p.isWord("device") {
		d := p.arg(Arg{KeyPos: p.curPos(), Key: "device"})
		p.next()
		if d.Value = p.parseStmtValue(); d.Value == nil {
			return s
		}
		d.EndPos = p.endPos()
		p.appendArg(&s.Args, d)
	}
	s.EndPos = p.endPos()
	return s
}

func (p *parser) parseFlowStmt() Stmt {
	pos := p.curPos()
	p.next()
	switch {
	case p.isWord("add") || p.isWord("offload"):
		s := &KeywordStmt{KeywordPos: pos, Keyword: "flow " + p.cur.lit}
		p.next()
		if p.cur.tok != AT {
			p.expected("'@flowtable' after " + s.Keyword)
			return s
		}
		ref := p.parseSetRef()
		if ref == nil {
			return s
		}
		p.appendArg(&s.Args, p.arg(Arg{Value: ref, EndPos: ref.End()}))
		s.EndPos = p.endPos()
		return s
	case p.isWord("table"):
		// Legacy "flow table NAME { KEY STMT }", an old spelling of meter.
		p.next()
		return p.parseMeterBody(&SetUpdateStmt{OpPos: pos, Op: "flow table", Legacy: true})
	}
	p.expected("'add @flowtable' after flow")
	return nil
}

func (p *parser) parseMeterStmt() Stmt {
	s := &SetUpdateStmt{OpPos: p.curPos(), Op: "meter", Legacy: true}
	p.next()
	return p.parseMeterBody(s)
}

func (p *parser) parseMeterBody(s *SetUpdateStmt) Stmt {
	name := p.parseName("meter")
	if name == nil {
		return s
	}
	s.Set = node(&p.slabs.literals, Literal{ValuePos: name.NamePos, Kind: LitWord, Text: name.Name, EndPos: name.End()})
	if p.isWord("size") {
		s.Opts = append(s.Opts, p.keyNumArg())
	}
	if p.cur.tok != LBRACE {
		p.expected("'{' after meter name")
		return s
	}
	if !p.enter("meter") {
		return s
	}
	defer p.leave()
	p.next()
	s.Key = p.parseLHS()
	if s.Key == nil {
		return s
	}
	p.parseElemOpts(&s.Opts)
	for p.cur.tok == WORD && p.cur.tok != RBRACE {
		seq := p.errSeq
		st := p.parseStmt()
		if st == nil || p.errSeq != seq {
			return s
		}
		s.Stmts = append(s.Stmts, st)
	}
	if !p.expect(RBRACE, "'}' to close the meter") {
		return s
	}
	s.EndPos = p.endPos()
	return s
}

// parseElemOpts parses per-element options: timeout, expires, comment.
func (p *parser) parseElemOpts(opts *[]*Arg) bool {
	found := false
	for p.cur.tok == WORD {
		switch w := p.cur.lit; w {
		case "timeout", "expires":
			a := p.arg(Arg{KeyPos: p.curPos(), Key: w})
			p.next()
			if p.cur.tok != TIME {
				p.expected("time value (e.g. 30s, 1h) after " + w)
				return found
			}
			a.Value = p.literal(LitTime)
			a.EndPos = p.endPos()
			*opts = append(*opts, a)
		case "comment":
			a := p.arg(Arg{KeyPos: p.curPos(), Key: w})
			p.next()
			s := p.parseString("comment text")
			if s == nil {
				return found
			}
			a.Value = s
			a.EndPos = p.endPos()
			*opts = append(*opts, a)
		default:
			return found
		}
		found = true
	}
	return found
}

// parseElemStmts parses per-element stateful statements.
func (p *parser) parseElemStmts(stmts *[]Stmt) bool {
	found := false
	for p.cur.tok == WORD && (p.curClass()&wcStateful != 0 || p.cur.lit == "ct" && p.peek(1).isWord("count")) {
		seq := p.errSeq
		s := p.parseStatefulStmt()
		if s == nil || p.errSeq != seq {
			return found
		}
		*stmts = append(*stmts, s)
		found = true
	}
	return found
}

func (p *parser) parseSetUpdateStmt() Stmt {
	s := &SetUpdateStmt{OpPos: p.curPos(), Op: p.cur.lit}
	p.next()
	if p.cur.tok == DOLLAR {
		s.Set = p.parseVarRef()
	} else {
		s.Set = p.parseSetRef()
	}
	if s.Set == nil {
		return s
	}
	if !p.expect(LBRACE, "'{' with the element after "+s.Op+" @set") {
		return s
	}
	if s.Key = p.parseKeyConcat(false); s.Key == nil {
		return s
	}
	for p.parseElemOpts(&s.Opts) || p.parseElemStmts(&s.Stmts) {
	}
	if p.cur.tok == COLON {
		p.next()
		if s.Value = p.parseStmtValue(); s.Value == nil {
			return s
		}
	}
	if !p.expect(RBRACE, "'}' to close the element") {
		return s
	}
	s.EndPos = p.endPos()
	return s
}

// parseLegacySetStmt parses "set add|update|delete KEY [opts] @set".
func (p *parser) parseLegacySetStmt() Stmt {
	s := &SetUpdateStmt{OpPos: p.curPos(), Legacy: true}
	p.next()
	s.Op = p.cur.lit
	p.next()
	if s.Key = p.parseLHS(); s.Key == nil {
		return s
	}
	p.parseElemOpts(&s.Opts)
	if p.cur.tok == DOLLAR {
		s.Set = p.parseVarRef()
	} else {
		s.Set = p.parseSetRef()
	}
	s.EndPos = p.endPos()
	return s
}

func (p *parser) parseResetStmt() Stmt {
	pos := p.curPos()
	p.next()
	if !p.isWord("tcp") || !p.peek(1).isWord("option") {
		p.expected("'tcp option' after reset in a rule")
		return nil
	}
	p.next()
	p.next()
	s := &KeywordStmt{KeywordPos: pos, Keyword: "reset tcp option"}
	switch {
	case p.cur.tok == WORD && tcpOptions[p.cur.lit]:
		p.appendArg(&s.Args, p.arg(Arg{Value: p.wordLit(), EndPos: p.endPos()}))
	case p.cur.tok == NUMBER:
		p.appendArg(&s.Args, p.arg(Arg{Value: p.number(), EndPos: p.endPos()}))
	default:
		p.expected("tcp option name (e.g. mss, sack-perm, timestamp) or number")
		return s
	}
	s.EndPos = p.endPos()
	return s
}

// parseExprStmt parses a match, payload/meta/ct set statement or vmap.
func (p *parser) parseExprStmt() Stmt {
	start := p.cur.off
	lhs := p.parseLHS()
	if lhs == nil {
		return nil
	}
	if p.isWord("set") {
		setPos := p.curPos()
		p.next()
		sel, ok := lhs.(*Selector)
		if !ok {
			p.errorAt(start, p.prevEnd, "only a packet field, meta or ct key can be set")
			return nil
		}
		if !settable(sel) {
			p.errorAt(start, p.prevEnd, "'"+sel.Path()+"' cannot be set: nft rejects 'set' on it")
			return nil
		}
		if p.atEnd() {
			p.expected("value after set")
			return nil
		}
		v := p.parseStmtValue()
		if v == nil {
			return nil
		}
		return node(&p.slabs.setStmts, SetStmt{Target: lhs, SetPos: setPos, Value: v})
	}
	if p.isWord("vmap") {
		vpos := p.curPos()
		p.next()
		seq := p.errSeq
		m := p.parseMapRef("vmap")
		if m == nil {
			return nil
		}
		if lit, ok := m.(*SetLit); ok && p.errSeq == seq {
			p.checkVerdictMapElems(lit)
		}
		return node(&p.slabs.vmaps, VmapStmt{Key: lhs, VmapPos: vpos, Map: m})
	}
	if p.isWord("map") {
		mpos := p.curPos()
		p.next()
		m := p.parseMapRef("map")
		if m == nil {
			return nil
		}
		lhs = node(&p.slabs.mapLookups, MapLookup{Key: lhs, MapPos: mpos, Map: m})
	}
	s := p.slabs.matches.take()
	s.Left = lhs
	if op, ok := p.relOp(); ok {
		s.OpPos = p.curPos()
		s.Op = op
		p.next()
	}
	if !p.canStartRHS() {
		what := "value to compare with"
		if sel, ok := lhs.(*Selector); ok {
			what += " after '" + sel.Path() + "'"
		}
		p.expected(what)
		return nil
	}
	s.Right = p.parseRHS(ctxRHS)
	if s.Right == nil {
		return nil
	}
	return s
}

// settable reports whether a selector may be the target of 'set'.
func settable(sel *Selector) bool {
	head := sel.Words[0].Name
	switch head {
	case "fib", "numgen", "jhash", "symhash", "osf", "socket", "ipsec", "exthdr", "tunnel":
		return false
	}
	if classOf(head)&wcInnerOuter != 0 && len(sel.Words) > 2 {
		return false
	}
	return true
}

func (p *parser) relOp() (MatchOp, bool) {
	switch p.cur.tok {
	case EQL:
		return OpEq, true
	case NEQ:
		return OpNe, true
	case LSS:
		return OpLt, true
	case GTR:
		return OpGt, true
	case LEQ:
		return OpLe, true
	case GEQ:
		return OpGe, true
	case NOT:
		return OpNot, true
	case WORD:
		if p.curClass()&wcRelWord != 0 {
			return relWords[p.cur.lit], true
		}
		if p.cur.lit == "not" {
			return OpNot, true
		}
	}
	return OpImplicit, false
}

// checkVerdictMapElems reports the first element of a verdict map
// literal that maps its key to nothing: nft's grammar wants ':' and a
// verdict after every key of `vmap { … }` (a set-style element, or a
// $variable holding a whole map, is a syntax error there), while the
// set literal parser also reads the plain elements of sets.
func (p *parser) checkVerdictMapElems(lit *SetLit) {
	for _, e := range lit.Elems {
		if _, ok := e.(*MapElem); ok {
			continue
		}
		end := e.End()
		if r, ok := e.(*ElemRun); ok {
			end = r.ElemEnd(0)
		}
		// The token after the key, read by a scanner of its own (a
		// newline too: nft reports "unexpected newline" there).
		var sc Scanner
		sc.Init(p.file, p.src, nil)
		sc.off = int(end) - p.file.Base()
		var next tokRec
		next.tok, next.off, next.end, next.lit = sc.Scan()
		p.errorAt(next.off, next.end, fmt.Sprintf(
			"expected ':' and a verdict after the key of a verdict map element, found %s: every element of `vmap { … }` maps a key to a verdict (`22 : accept`); nft stops with a syntax error here",
			describe(next)))
		return
	}
}

// parseMapRef parses the map of vmap/map: '{ … }', @set or $var.
func (p *parser) parseMapRef(what string) Expr {
	switch p.cur.tok {
	case LBRACE:
		return p.parseSetLit()
	case AT:
		return p.parseSetRef()
	case DOLLAR:
		return p.parseVarRef()
	}
	p.expected("'{', '@map' or $variable after " + what)
	return nil
}
