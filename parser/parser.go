package parser

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseFile adds src to fset under filename, parses it and returns its
// AST together with every syntax error found (nil when there are none).
// The AST is always non-nil; parts that failed to parse are Bad nodes.
// Includes and $variables are left unresolved (the loader binds them).
// The AST's texts share src's bytes (see FileSet.AddFile): src must not be
// modified afterwards.
func ParseFile(fset *FileSet, filename string, src []byte) (*AST, ErrorList) {
	file := fset.AddFile(filename, src)
	return ParseAdded(file)
}

// ParseAdded parses a file that is already part of a FileSet.
func ParseAdded(file *File) (*AST, ErrorList) {
	ast, errs, _ := parseInPieces(file, pieceCount(file.Size()))
	return ast, errs
}

// ParseItems parses an included file as the items of the block that
// includes it: nft splices an include into the enclosing block, so
// `table t { include "chains.nft" }` reads chains.nft as table items.
// kind is the ObjectKind of that block (ObjTable, ObjChain, ObjSet, …);
// "" means top level, as ParseFile. AST.Cmds holds the items (Commands,
// Properties, Rules, defines, includes). A kind that has no block is
// reported as an error and the file is not parsed. As with ParseFile, src
// must not be modified afterwards.
func ParseItems(fset *FileSet, filename string, src []byte, kind ObjectKind) (*AST, ErrorList) {
	file := fset.AddFile(filename, src)
	if kind == "" {
		return ParseAdded(file)
	}
	bk, ok := itemBlockKinds[kind]
	if !ok {
		ast := &AST{File: file}
		pos := file.PositionAt(0)
		return ast, ErrorList{{Pos: pos, End: pos, Msg: fmt.Sprintf("include inside a %s: nft accepts includes only at top level and in table, chain, set, map, flowtable and object blocks", kind)}}
	}
	p := newParser(file)
	return p.result(p.parseItems(bk))
}

// result returns the AST of the parsed cmds and the errors found, sorted
// (nil when there are none).
func (p *parser) result(cmds []Cmd) (*AST, ErrorList) {
	ast := &AST{File: p.file, Cmds: cmds, Comments: p.sc.Comments}
	p.errors.Sort()
	if len(p.errors) == 0 {
		return ast, nil
	}
	return ast, p.errors
}

// itemBlockKinds maps the kinds of blocks that can include a file to the
// parser's block kinds.
var itemBlockKinds = map[ObjectKind]blockKind{
	ObjTable: blockTable, ObjChain: blockChain, ObjSet: blockSet, ObjMap: blockMap,
	ObjFlowtable: blockFlowtable, ObjCounter: blockCounter, ObjQuota: blockQuota,
	ObjLimit: blockLimit, ObjSecmark: blockSecmark, ObjSynproxy: blockSynproxy,
	ObjCtHelper: blockCtHelper, ObjCtTimeout: blockCtTimeout,
	ObjCtExpectation: blockCtExpectation, ObjTunnel: blockTunnel,
}

// tokRec is one scanned token.
type tokRec struct {
	tok      Token
	off, end int
	lit      string
}

type parser struct {
	file *File
	src  string
	sc   Scanner

	cur     tokRec   // current token
	ahead   []tokRec // lookahead buffer
	prevEnd int      // end offset of the previous token

	errors   ErrorList
	errLines map[int]bool // lines that already have an error
	errSeq   int          // incremented on every error, reported or not
	stopped  bool         // too many errors or too deep: behave as at EOF
	scope    string       // selector head whose field words are keywords (§3.2)
	depth    int          // open blocks, sets, parentheses and nested selectors
	pack     bool         // store plain set elements as ElemRuns (parser_elemrun.go)
	par      *parallel    // the parser's part in a parallel parse (parser_parallel.go), or nil

	// class is curClass's answer for the token at offset classOff-1 (a
	// token is known by its offset: the scanner reads the same token
	// from the same offset).
	class    wordClass
	classOff int

	// Allocation batches (parser_alloc.go): nodes come from slabs, and
	// lists collect on the stacks below and are copied out once at their
	// exact size. Set elements collect on elemStack.
	slabs     nodeSlabs
	items     []Cmd   // block items
	words     []Ident // selector words
	stmts     []Stmt  // rule statements
	exprs     []Expr  // concatenation and list parts
	argStack  []*Arg  // statement arguments
	elemStack []Expr
}

// MaxNestingDepth bounds how deeply blocks, set literals, parentheses,
// anonymous chains and nested selectors (jhash jhash …) may nest. The
// parser is recursive and a Go stack overflow kills the process, so a
// file of ten million '{' must be refused rather than followed; no real
// ruleset comes near this depth.
const MaxNestingDepth = 256

// enter opens one nesting level at the current token. Past
// MaxNestingDepth it reports an NFT003 error there and stops the parser
// (the rest of the file reads as end of file), returning false; the
// caller then returns without parsing further. Every true result must
// be matched by a leave.
func (p *parser) enter(what string) bool {
	if p.depth >= MaxNestingDepth {
		p.errSeq++
		if !p.stopped {
			pos := p.file.PositionAt(p.cur.off)
			p.errors = append(p.errors, &Error{Pos: pos, End: p.file.PositionAt(p.cur.end), Code: "NFT003",
				Msg: fmt.Sprintf("nesting deeper than %d levels: this %s opens level %d; nftlint stops parsing the file here: no ruleset needs this depth, look for an unclosed '{' or '('", MaxNestingDepth, what, p.depth+1)})
			p.stopped = true
			p.ahead = p.ahead[:0]
			p.cur = p.eofToken()
		}
		return false
	}
	p.depth++
	return true
}

func (p *parser) leave() { p.depth-- }

func newParser(file *File) *parser {
	p := &parser{file: file, src: file.sourceText(), pack: packElements()}
	p.sc.Init(file, p.src, func(off, end int, msg string) { p.errorAt(off, end, msg) })
	p.next()
	return p
}

// ---------------------------------------------------------------------------
// Tokens

func (p *parser) scan() tokRec {
	t, o, e, l := p.sc.Scan()
	return tokRec{t, o, e, l}
}

// eofToken is the end-of-file token, also what a stopped parser reads.
func (p *parser) eofToken() tokRec { return tokRec{tok: EOF, off: len(p.src), end: len(p.src)} }

func (p *parser) next() {
	p.prevEnd = p.cur.end
	if p.stopped {
		p.cur = p.eofToken()
		return
	}
	if len(p.ahead) > 0 {
		p.cur = p.ahead[0]
		p.ahead = p.ahead[:copy(p.ahead, p.ahead[1:])]
	} else {
		// Field by field: a struct copy into the heap-allocated parser
		// costs a bulk write barrier while the collector runs.
		t, o, e, l := p.sc.Scan()
		p.cur.tok, p.cur.off, p.cur.end, p.cur.lit = t, o, e, l
	}
	if p.stopped {
		p.cur = p.eofToken()
	}
}

// peek returns the n-th token after the current one (n >= 1).
func (p *parser) peek(n int) tokRec {
	for len(p.ahead) < n {
		if p.stopped {
			return p.eofToken()
		}
		p.ahead = append(p.ahead, p.scan())
	}
	return p.ahead[n-1]
}

func (p *parser) pos(off int) Pos { return p.file.Pos(off) }
func (p *parser) curPos() Pos     { return p.pos(p.cur.off) }
func (p *parser) endPos() Pos     { return p.pos(p.prevEnd) }

// curClass returns the keyword tables the current token's text is in,
// looked up once per token (parsing a rule asks several times).
func (p *parser) curClass() wordClass {
	if p.classOff != p.cur.off+1 {
		p.class = classOf(p.cur.lit)
		p.classOff = p.cur.off + 1
	}
	return p.class
}

// isWord reports whether the current token is the bare word w.
func (p *parser) isWord(w string) bool { return p.cur.tok == WORD && p.cur.lit == w }

func (t tokRec) isWord(w string) bool { return t.tok == WORD && t.lit == w }

// atEnd reports whether the current token ends a rule or item.
func (p *parser) atEnd() bool {
	switch p.cur.tok {
	case NEWLINE, SEMICOLON, RBRACE, EOF:
		return true
	}
	return false
}

// ---------------------------------------------------------------------------
// Errors

func (p *parser) errorAt(off, end int, msg string) {
	p.errSeq++
	if p.stopped {
		return
	}
	pos := p.file.PositionAt(off)
	if p.errLines[pos.Line] {
		return
	}
	if p.errLines == nil {
		p.errLines = make(map[int]bool)
	}
	p.errLines[pos.Line] = true
	if len(p.errors) >= maxErrors {
		p.errors.Add(pos, pos, "too many errors, giving up on this file")
		p.stopped = true
		p.ahead = p.ahead[:0]
		return
	}
	if end < off {
		end = off
	}
	p.errors.Add(pos, p.file.PositionAt(end), msg)
}

func (p *parser) errorf(format string, args ...any) {
	p.errorAt(p.cur.off, p.cur.end, fmt.Sprintf(format, args...))
}

// describe names a token for messages: 'word', newline, quoted string "x".
func describe(t tokRec) string {
	switch t.tok {
	case WORD, NUMBER, IPV4, IPV6, MAC, TIME, CLASSID, WILDCARD:
		if t.tok == WORD && isReserved(t.lit) {
			return "keyword '" + t.lit + "'"
		}
		return "'" + t.lit + "'"
	case STRING:
		return "quoted string \"" + t.lit + "\""
	case ILLEGAL:
		return "invalid character " + strconv.Quote(t.lit)
	}
	return t.tok.String()
}

// expected reports "expected WHAT, found TOKEN".
func (p *parser) expected(what string) {
	if p.cur.tok == ILLEGAL {
		p.errSeq++ // the scanner already reported it
		return
	}
	p.errorf("expected %s, found %s", what, describe(p.cur))
}

func (p *parser) expect(tok Token, what string) bool {
	if p.cur.tok != tok {
		p.expected(what)
		return false
	}
	p.next()
	return true
}

func (p *parser) expectWord(w string) bool {
	if !p.isWord(w) {
		p.expected("'" + w + "'")
		return false
	}
	p.next()
	return true
}

// skipToSep skips to the next separator at the current brace depth. It
// stops before a '}' that closes the enclosing block, and consumes the
// separator.
func (p *parser) skipToSep() {
	depth := 0
	for {
		switch p.cur.tok {
		case EOF:
			return
		case LBRACE:
			depth++
		case RBRACE:
			if depth == 0 {
				return
			}
			depth--
		case NEWLINE, SEMICOLON:
			if depth == 0 {
				p.next()
				return
			}
		}
		p.next()
	}
}

func (p *parser) skipSeps() {
	for p.cur.tok == NEWLINE || p.cur.tok == SEMICOLON {
		p.next()
	}
}

func (p *parser) skipNewlines() {
	for p.cur.tok == NEWLINE {
		p.next()
	}
}

// endItem handles the separator after a command or block item. When
// required and absent, it reports "expected ';' or newline after WHAT".
// It returns false after an error.
func (p *parser) endItem(required bool, what string) bool {
	switch p.cur.tok {
	case NEWLINE, SEMICOLON:
		p.next()
		return true
	case EOF:
		return true
	case RBRACE:
		if !required {
			return true
		}
	default:
		if !required {
			return true
		}
	}
	if p.cur.tok == ILLEGAL {
		p.errSeq++
		return false
	}
	p.errorf("expected ';' or newline after %s, found %s", what, describe(p.cur))
	return false
}

// ---------------------------------------------------------------------------
// Names and literals

func (p *parser) ident() *Ident {
	return node(&p.slabs.idents, p.identValue())
}

// identValue returns the current token as an Ident and advances; the
// words of a selector are values in its Words.
func (p *parser) identValue() Ident {
	x := makeIdent(p.curPos(), p.cur.lit, p.cur.tok == STRING, p.pos(p.cur.end))
	p.next()
	return x
}

// parseName parses a table, chain, set, map, flowtable or object name: a
// bare word that is not a keyword, or the keyword "last" (§2.4).
func (p *parser) parseName(what string) *Ident {
	switch p.cur.tok {
	case WORD:
		if p.curClass()&wcReserved != 0 && p.cur.lit != "last" {
			p.errorf("%s name '%s' is an nft keyword: nft rejects it; rename it", what, p.cur.lit)
			return nil
		}
		return p.ident()
	case STRING:
		p.errorf("%s name must be a bare word, found quoted string \"%s\": nft does not accept quoted names", what, p.cur.lit)
		return nil
	}
	p.expected(what + " name")
	return nil
}

// parseString parses a STR (bare word, quoted string or wildcard).
func (p *parser) parseString(what string) *StringLit {
	switch p.cur.tok {
	case STRING, WORD, WILDCARD:
		s := p.slabs.stringLits.take()
		s.ValuePos, s.Value, s.EndPos = p.curPos(), p.cur.lit, p.pos(p.cur.end)
		p.next()
		return s
	}
	p.expected(what)
	return nil
}

// parseQuoted parses a quoted string only (include paths).
func (p *parser) parseQuoted(what string) *StringLit {
	if p.cur.tok != STRING {
		p.expected(what)
		return nil
	}
	return p.parseString(what)
}

// numberValue parses an nft integer (decimal, 0x hex, leading-0 octal).
// ok is false for text that nft lexes as a string (e.g. "08").
func numberValue(text string) (v uint64, overflow, ok bool) {
	base := 10
	digits := text
	switch {
	case len(text) > 2 && (text[1] == 'x' || text[1] == 'X') && text[0] == '0':
		base, digits = 16, text[2:]
	case len(text) > 1 && text[0] == '0':
		base, digits = 8, text[1:]
	}
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		var d uint64
		switch {
		case '0' <= c && c <= '9':
			d = uint64(c - '0')
		case 'a' <= c && c <= 'f':
			d = uint64(c-'a') + 10
		case 'A' <= c && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false, false
		}
		if d >= uint64(base) {
			return 0, false, false
		}
		if v > (^uint64(0)-d)/uint64(base) {
			overflow = true
			continue
		}
		v = v*uint64(base) + d
	}
	return v, overflow, true
}

// number parses the current NUMBER token.
func (p *parser) number() *Number {
	v, overflow, _ := numberValue(p.cur.lit)
	return p.numberOf(v, overflow)
}

// numberOf returns the current NUMBER token, whose value is v.
func (p *parser) numberOf(v uint64, overflow bool) *Number {
	// Nodes from slabs are zero: setting the fields one by one spares
	// the struct copies (and their write barriers) of composite literals.
	n := p.newNumber()
	n.ValuePos, n.Text, n.EndPos = p.curPos(), p.cur.lit, p.pos(p.cur.end)
	n.Value, n.Overflow = v, overflow
	p.next()
	return n
}

// expectNumberAfter is expectNumber("number after " + key), with the
// message built only when it is reported.
func (p *parser) expectNumberAfter(key string) *Number {
	if p.cur.tok != NUMBER {
		p.expected("number after " + key)
		return nil
	}
	return p.number()
}

func (p *parser) expectNumber(what string) *Number {
	if p.cur.tok != NUMBER {
		p.expected(what)
		return nil
	}
	return p.number()
}

func (p *parser) literal(kind LitKind) *Literal {
	x := p.newLiteral()
	x.ValuePos, x.Kind, x.Text, x.EndPos = p.curPos(), kind, p.cur.lit, p.pos(p.cur.end)
	p.next()
	return x
}

func (p *parser) wordLit() *Literal { return p.literal(LitWord) }

// ---------------------------------------------------------------------------
// Files and commands

func (p *parser) parseFile() []Cmd {
	var cmds []Cmd
	for {
		p.skipSeps()
		if p.cur.tok == EOF {
			return cmds
		}
		p.startItem()
		start := p.cur.off
		if p.par != nil {
			p.startCommand(start, len(cmds))
			if p.splitHere(-1, 0) {
				return append(cmds, p.par.rest...)
			}
		}
		seq := p.errSeq
		cmd := p.parseCommand()
		if p.par != nil && p.par.adopted {
			// A piece took over in the block of this command.
			return append(cmds, p.par.rest...)
		}
		if p.errSeq == seq {
			p.endItem(true, commandWhat(cmd))
		}
		if p.errSeq != seq {
			if p.cur.tok == RBRACE {
				p.errorf("unexpected '}' outside any block")
				p.next()
			}
			p.skipToSep()
			if cmd == nil {
				cmd = &BadCmd{From: p.pos(start), To: p.endPos()}
			}
		}
		if cmd != nil {
			cmds = append(cmds, cmd)
		}
		if p.cur.off == start && p.cur.tok != EOF {
			p.next() // guarantee progress
		}
	}
}

func commandWhat(c Cmd) string {
	switch c := c.(type) {
	case *Command:
		if c.Body != nil {
			return string(c.Object) + " block"
		}
		if c.Object == ObjRule {
			return "rule"
		}
		return "command"
	case *DefineCmd:
		return string(c.Kind)
	case *IncludeCmd:
		return "include"
	}
	return "command"
}

// startItem is called where a command or block item starts. nft's
// scanner reads the word after a selector (ip saddr, tcp dport…) in the
// selector head's scope, which its grammar closes once that word is read:
// no scope outlives the item it was opened in.
func (p *parser) startItem() { p.scope = "" }

// parseCommon parses include/define/redefine/undefine; nil if the current
// token starts none of them.
func (p *parser) parseCommon() Cmd {
	if p.cur.tok != WORD {
		return nil
	}
	switch p.cur.lit {
	case "include":
		c := &IncludeCmd{Include: p.curPos()}
		p.next()
		c.Path = p.parseQuoted("quoted file name after include")
		c.EndPos = p.endPos()
		return c
	case "define", "redefine", "undefine":
		c := &DefineCmd{KindPos: p.curPos(), Kind: DefineKind(p.cur.lit)}
		p.next()
		if p.cur.tok == DOLLAR {
			p.errorf("unexpected '$' in %s: write the name without '$'", c.Kind)
			return c
		}
		c.Name = p.parseName("variable")
		if c.Name == nil {
			return c
		}
		if c.Kind != Undefine {
			if !p.expect(ASSIGN, "'=' after "+string(c.Kind)+" "+c.Name.Name) {
				return c
			}
			c.Value = p.parseInitializer()
		}
		c.EndPos = p.endPos()
		return c
	}
	return nil
}

// parseInitializer parses a define value: rhs_expr, rhs_list, '{ }' or
// '-' NUM.
func (p *parser) parseInitializer() Expr {
	if p.cur.tok == DASH && p.peek(1).tok == NUMBER {
		dash := p.cur.off
		p.next()
		n := p.number()
		n.Neg = true
		n.ValuePos = p.pos(dash)
		return n
	}
	if p.cur.tok == WORD && p.curClass()&wcVerdict != 0 && p.cur.lit != "queue" {
		p.errorf("a verdict cannot be the value of a define: nft rejects 'define x = %s'; quote it (\"%s\") for a chain policy", p.cur.lit, p.cur.lit)
		return &BadExpr{From: p.curPos(), To: p.curPos()}
	}
	return p.parseRHS(ctxDefine)
}

// parseCommand parses one top-level command.
func (p *parser) parseCommand() Cmd {
	if c := p.parseCommon(); c != nil {
		return c
	}
	switch p.cur.tok {
	case WORD:
	case STRING:
		p.errorf("unexpected quoted string \"%s\" at start of command", p.cur.lit)
		return nil
	default:
		p.expected("command")
		return nil
	}
	w := p.cur.lit
	class := p.curClass()
	if class&wcVerb != 0 {
		return p.parseVerbCommand()
	}
	if class&wcObject != 0 && w != "ruleset" && w != "meter" && w != "flow" {
		// Implicit add.
		return p.parseObjectCommand(node(&p.slabs.commands, Command{}), VerbAdd)
	}
	if class&wcFamily != 0 || class&wcReserved == 0 {
		// Implicit "add rule": [family] TABLE CHAIN statements.
		c := node(&p.slabs.commands, Command{Object: ObjRule})
		p.parseRuleSpec(c, "")
		return c
	}
	p.errorf("unknown command '%s'", w)
	return nil
}

func (p *parser) parseVerbCommand() Cmd {
	c := node(&p.slabs.commands, Command{VerbPos: p.curPos(), Verb: Verb(p.cur.lit)})
	p.next()
	switch c.Verb {
	case VerbDescribe:
		c.Object = ObjPlural
		c.Plural = "describe"
		c.Expr = p.parseLHS()
		c.EndPos = p.endPos()
		return c
	case VerbMonitor, VerbExport, VerbImport:
		c.Object = ObjPlural
		var words []string
		for p.cur.tok == WORD {
			words = append(words, p.cur.lit)
			p.next()
		}
		c.Plural = strings.Join(words, " ")
		if c.Verb != VerbMonitor && len(words) == 0 {
			p.expected("output format (json)")
		}
		c.EndPos = p.endPos()
		return c
	}
	if p.cur.tok != WORD {
		p.expected("object after " + string(c.Verb) + " (table, chain, rule, set, …)")
		return c
	}
	return p.parseObjectCommand(c, c.Verb)
}

// parseFamily parses an optional family.
func (p *parser) parseFamily(c *Command) {
	if p.cur.tok == WORD && p.curClass()&wcFamily != 0 {
		// "ip" etc. followed by a separator is still a family (list ruleset ip).
		c.FamilyPos = p.curPos()
		c.Family = Family(p.cur.lit)
		p.next()
	}
}

// parseTableSpec parses [family] TABLE.
func (p *parser) parseTableSpec(c *Command) bool {
	p.parseFamily(c)
	c.Table = p.parseName("table")
	return c.Table != nil
}

// parseHandle parses "handle NUM" when present.
func (p *parser) parseHandle(c *Command, words ...string) bool {
	for _, w := range words {
		if p.isWord(w) {
			c.HandleKind = w
			p.next()
			c.Handle = p.expectNumberAfter(w)
			return true
		}
	}
	return false
}

func (p *parser) parseObjectCommand(c *Command, verb Verb) Cmd {
	w := p.cur.lit
	c.ObjPos = p.curPos()
	p.next()
	switch w {
	case "table":
		c.Object = ObjTable
		p.parseFamily(c)
		if p.parseHandle(c, "handle") {
			break
		}
		if c.Table = p.parseName("table"); c.Table == nil {
			return c
		}
		if p.cur.tok == LBRACE {
			c.Body = p.parseBlock(blockTable)
		}
	case "chain":
		c.Object = ObjChain
		if !p.parseTableSpec(c) {
			return c
		}
		if p.parseHandle(c, "handle") {
			break
		}
		if c.Name = p.parseName("chain"); c.Name == nil {
			return c
		}
		if verb == VerbRename {
			if c.NewName = p.parseName("chain"); c.NewName == nil {
				return c
			}
		}
		if p.cur.tok == LBRACE {
			c.Body = p.parseBlock(blockChain)
		}
	case "rule":
		c.Object = ObjRule
		p.parseRuleSpec(c, verb)
	case "set", "map", "flowtable", "counter", "quota", "limit", "secmark", "synproxy", "tunnel", "meter":
		c.Object = ObjectKind(w)
		if w == "meter" {
			c.Object = ObjPlural
			c.Plural = "meter"
		}
		if !p.parseTableSpec(c) {
			return c
		}
		if p.parseHandle(c, "handle") {
			break
		}
		if c.Name = p.parseName(w); c.Name == nil {
			return c
		}
		if p.cur.tok == LBRACE {
			c.Body = p.parseBlock(blockKindFor(w))
		} else if classOf(w)&wcObjType != 0 && (verb == VerbAdd || verb == VerbCreate) && !p.atEnd() {
			c.Body = p.parseInlineObject(w)
		}
	case "ct":
		if !p.cur.isWord("helper") && !p.cur.isWord("timeout") && !p.cur.isWord("expectation") &&
			!p.cur.isWord("helpers") && !p.cur.isWord("timeouts") && !p.cur.isWord("expectations") {
			p.expected("helper, timeout or expectation after ct")
			return c
		}
		kind := p.cur.lit
		p.next()
		if strings.HasSuffix(kind, "s") {
			c.Object = ObjPlural
			c.Plural = "ct " + kind
			p.parsePluralSpec(c)
			break
		}
		c.Object = ObjectKind("ct " + kind)
		if !p.parseTableSpec(c) {
			return c
		}
		if c.Name = p.parseName("ct " + kind); c.Name == nil {
			return c
		}
		if p.cur.tok == LBRACE {
			c.Body = p.parseBlock(blockKindFor("ct " + kind))
		}
	case "element":
		c.Object = ObjElement
		if !p.parseTableSpec(c) {
			return c
		}
		if c.Name = p.parseName("set"); c.Name == nil {
			return c
		}
		switch p.cur.tok {
		case LBRACE:
			c.Elements = p.parseSetLit()
		case DOLLAR:
			if v := p.varRef(); v != nil {
				c.Elements = &SetLit{Var: v}
			}
		default:
			if verb == VerbAdd || verb == VerbCreate || verb == VerbDelete || verb == VerbDestroy || verb == VerbGet {
				p.expected("'{' with elements")
			}
		}
	case "ruleset":
		c.Object = ObjRuleset
		p.parseFamily(c)
	case "flow":
		// flush/list flow table(s) (legacy meters)
		if !p.isWord("table") && !p.isWord("tables") {
			p.expected("'table' after flow")
			return c
		}
		c.Object = ObjPlural
		c.Plural = "flow " + p.cur.lit
		p.next()
		p.parsePluralSpec(c)
		if c.Plural == "flow table" && c.Table != nil && p.cur.tok == WORD {
			c.Name = p.parseName("flow table")
		}
	default:
		if classOf(w)&wcPlural != 0 {
			c.Object = ObjPlural
			c.Plural = w
			if w == "hooks" {
				p.parseFamily(c)
				if p.isWord("device") {
					p.next()
					c.Name = p.parseNameOrString("device")
				}
				break
			}
			p.parsePluralSpec(c)
			if w == "rules" && c.Table != nil && p.cur.tok == WORD {
				c.Name = p.parseName("chain")
			}
			break
		}
		p.errorf("unknown object '%s' after %s: expected table, chain, rule, set, map, element, flowtable or an object type", w, verbOr(verb))
		return c
	}
	c.EndPos = p.endPos()
	return c
}

func verbOr(v Verb) string {
	if v == "" {
		return "add"
	}
	return string(v)
}

func (p *parser) parseNameOrString(what string) *Ident {
	if p.cur.tok == WORD || p.cur.tok == STRING {
		return p.ident()
	}
	p.expected(what + " name")
	return nil
}

// parsePluralSpec parses "[family] [table] [TABLE]" of list/flush/reset
// plural commands.
func (p *parser) parsePluralSpec(c *Command) {
	if p.isWord("table") {
		p.next()
	}
	p.parseFamily(c)
	if p.cur.tok == WORD && p.curClass()&wcReserved == 0 {
		c.Table = p.ident()
	}
}

// parseRuleSpec parses [family] TABLE CHAIN [handle|position|index N]
// statements… for add/insert/replace/delete/reset rule and implicit add.
func (p *parser) parseRuleSpec(c *Command, verb Verb) {
	c.Object = ObjRule
	if !p.parseTableSpec(c) {
		return
	}
	if c.Name = p.parseName("chain"); c.Name == nil {
		return
	}
	p.parseHandle(c, "handle", "position", "index")
	switch verb {
	case VerbDelete, VerbDestroy, VerbReset, VerbList:
		if c.Handle == nil && verb != VerbList && verb != VerbReset {
			p.expected("'handle' and the rule's handle number")
		}
		c.EndPos = p.endPos()
		return
	case VerbReplace:
		if c.HandleKind != "handle" {
			p.errorf("replace rule needs 'handle NUM' to select the rule to replace")
			return
		}
	}
	if p.atEnd() {
		p.expected("statement")
		return
	}
	c.Rule = p.parseRule(false)
	c.EndPos = p.endPos()
}

// ---------------------------------------------------------------------------
// Blocks

type blockKind int

const (
	blockTable blockKind = iota
	blockChain
	blockSet
	blockMap
	blockFlowtable
	blockCounter
	blockQuota
	blockLimit
	blockSecmark
	blockSynproxy
	blockCtHelper
	blockCtTimeout
	blockCtExpectation
	blockTunnel
	blockTunnelSub // erspan/vxlan/geneve inside tunnel
	blockAnonChain
)

func blockKindFor(w string) blockKind {
	switch w {
	case "chain":
		return blockChain
	case "set":
		return blockSet
	case "map":
		return blockMap
	case "flowtable":
		return blockFlowtable
	case "counter":
		return blockCounter
	case "quota":
		return blockQuota
	case "limit":
		return blockLimit
	case "secmark":
		return blockSecmark
	case "synproxy":
		return blockSynproxy
	case "ct helper":
		return blockCtHelper
	case "ct timeout":
		return blockCtTimeout
	case "ct expectation":
		return blockCtExpectation
	case "tunnel":
		return blockTunnel
	}
	return blockTable
}

var blockNames = map[blockKind]string{
	blockTable: "table", blockChain: "chain", blockSet: "set", blockMap: "map",
	blockFlowtable: "flowtable", blockCounter: "counter", blockQuota: "quota",
	blockLimit: "limit", blockSecmark: "secmark", blockSynproxy: "synproxy",
	blockCtHelper: "ct helper", blockCtTimeout: "ct timeout",
	blockCtExpectation: "ct expectation", blockTunnel: "tunnel",
	blockTunnelSub: "tunnel option", blockAnonChain: "anonymous chain",
}

// parseBlock parses "{ items }". The current token is '{'.
func (p *parser) parseBlock(kind blockKind) *Block {
	b := node(&p.slabs.blocks, Block{Lbrace: p.curPos()})
	if !p.enter(blockNames[kind] + " block") {
		b.Rbrace = p.pos(len(p.src))
		return b
	}
	defer p.leave()
	open := p.cur.off
	p.next()
	// The items collect on p.items (a nested block's above them).
	base := len(p.items)
	for {
		p.skipSeps()
		if p.cur.tok == RBRACE {
			b.Items = p.popCmds(base)
			b.Rbrace = p.curPos()
			p.next()
			return b
		}
		if p.cur.tok == EOF {
			b.Items = p.popCmds(base)
			openPos := p.file.PositionAt(open)
			p.errorf("expected '}' to close the %s block opened at line %d, found end of file", blockNames[kind], openPos.Line)
			b.Rbrace = p.pos(len(p.src))
			return b
		}
		p.startItem()
		if p.par != nil && p.splitHere(open, base) {
			return b // its items and the rest of the file came from a piece
		}
		start := p.cur.off
		if item := p.parseBlockItemRecovering(kind); item != nil {
			p.items = append(p.items, item)
		}
		if p.cur.off == start && p.cur.tok != RBRACE && p.cur.tok != EOF {
			p.next()
		}
	}
}

// parseItems parses block items up to the end of the file (an included
// file spliced into a block). A '}' cannot close the including block
// from inside the file; it is reported and skipped.
func (p *parser) parseItems(kind blockKind) []Cmd {
	var items []Cmd
	for {
		p.skipSeps()
		switch p.cur.tok {
		case EOF:
			return items
		case RBRACE:
			p.errorf("unexpected '}' in a file included into a %s block: an included file cannot close the block that includes it", blockNames[kind])
			p.next()
			continue
		}
		p.startItem()
		start := p.cur.off
		if item := p.parseBlockItemRecovering(kind); item != nil {
			items = append(items, item)
		}
		if p.cur.off == start && p.cur.tok != EOF {
			p.next()
		}
	}
}

// parseBlockItemRecovering parses one block item and its separator, as
// parseBlock and parseItems both read them. After an error it skips to
// the next separator, and an item that failed without a node becomes a
// BadCmd over what was read; nil means there is no item to keep.
func (p *parser) parseBlockItemRecovering(kind blockKind) Cmd {
	start := p.cur.off
	seq := p.errSeq
	item, needSep, what := p.parseBlockItem(kind)
	if p.errSeq == seq {
		p.endItem(needSep, what)
	}
	if p.errSeq != seq {
		p.skipToSep()
		if item == nil {
			item = &BadCmd{From: p.pos(start), To: p.endPos()}
		}
	}
	return item
}

// parseBlockItem parses one item of a block; it returns the item, whether
// it must be followed by a separator (§4.2), and its description.
func (p *parser) parseBlockItem(kind blockKind) (Cmd, bool, string) {
	if kind != blockAnonChain {
		if c := p.parseCommon(); c != nil {
			return c, true, string(commandWhat(c))
		}
	}
	switch kind {
	case blockTable:
		return p.parseTableItem()
	case blockChain, blockAnonChain:
		return p.parseChainItem(kind)
	case blockSet, blockMap:
		return p.parseSetItem(kind)
	case blockFlowtable:
		return p.parseFlowtableItem()
	case blockCounter, blockQuota, blockLimit, blockSecmark, blockSynproxy:
		return p.parseObjectItem(kind)
	case blockCtHelper, blockCtTimeout, blockCtExpectation, blockTunnel, blockTunnelSub:
		return p.parseKeyValueItem(kind)
	}
	return nil, true, "item"
}

func (p *parser) property(key string) *Property {
	pr := node(&p.slabs.properties, Property{KeyPos: p.curPos(), Key: key})
	p.next()
	return pr
}

// parseCommentItem parses the `comment "text"` item of a block; the
// current token is the word comment.
func (p *parser) parseCommentItem() (Cmd, bool, string) {
	pr := p.property("comment")
	pr.Value = p.parseString("comment text (a quoted string)")
	pr.EndPos = p.endPos()
	return pr, true, "comment"
}

// parseFlags parses "flags WORD (, WORD)*" validating against allowed.
func (p *parser) parseFlags(pr *Property, allowed map[string]bool, what string) {
	flags := p.parseList(COMMA, func() Expr {
		if p.cur.tok != WORD {
			p.expected(what + " flag")
			return nil
		}
		if allowed != nil && !allowed[p.cur.lit] {
			p.errorf("unknown %s flag '%s': nft accepts %s", what, p.cur.lit, joinKeys(allowed))
			return nil
		}
		return p.wordLit()
	})
	if flags != nil {
		pr.Value = flags
	}
}

func joinKeys(m map[string]bool) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sortStrings(ks)
	return strings.Join(ks, ", ")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

var tableFlags = wordSet(`dormant owner persist`)
var offloadFlags = wordSet(`offload`)

func (p *parser) parseTableItem() (Cmd, bool, string) {
	if p.cur.tok != WORD {
		p.expected("table item (chain, set, map, flowtable, flags, comment, …)")
		return nil, true, ""
	}
	switch w := p.cur.lit; w {
	case "flags":
		pr := p.property(w)
		p.parseFlags(pr, tableFlags, "table")
		pr.EndPos = p.endPos()
		return pr, true, "table flags"
	case "comment":
		return p.parseCommentItem()
	case "chain", "set", "map", "flowtable", "counter", "quota", "limit", "secmark", "synproxy", "tunnel", "ct":
		c := node(&p.slabs.commands, Command{ObjPos: p.curPos()})
		kind := w
		p.next()
		if w == "ct" {
			if !p.isWord("helper") && !p.isWord("timeout") && !p.isWord("expectation") {
				p.expected("helper, timeout or expectation after ct")
				return nil, true, ""
			}
			kind = "ct " + p.cur.lit
			p.next()
		}
		c.Object = ObjectKind(kind)
		if c.Name = p.parseName(kind); c.Name == nil {
			return c, true, ""
		}
		if p.cur.tok != LBRACE {
			p.expected("'{' after " + kind + " " + c.Name.Name)
			return c, true, ""
		}
		c.Body = p.parseBlock(blockKindFor(kind))
		c.EndPos = p.endPos()
		return c, true, kind + " block"
	}
	if p.isWord("type") || p.isWord("policy") || p.isWord("hook") {
		p.errorf("'%s' belongs in a chain block, not directly in a table block", p.cur.lit)
		return nil, true, ""
	}
	p.errorf("unexpected %s in table block: expected chain, set, map, flowtable, an object, flags or comment", describe(p.cur))
	return nil, true, ""
}

func (p *parser) parseChainItem(kind blockKind) (Cmd, bool, string) {
	if kind == blockChain && p.cur.tok == WORD {
		switch w := p.cur.lit; w {
		case "type":
			pr := p.property(w)
			p.parseHookSpec(pr, true)
			pr.EndPos = p.endPos()
			return pr, true, "chain type/hook/priority"
		case "policy":
			pr := p.property(w)
			p.parseChainPolicy(pr)
			pr.EndPos = p.endPos()
			return pr, true, "policy"
		case "flags":
			pr := p.property(w)
			p.parseFlags(pr, offloadFlags, "chain")
			pr.EndPos = p.endPos()
			return pr, true, "chain flags"
		case "devices":
			return p.parseDevicesItem()
		case "comment":
			return p.parseCommentItem()
		}
	}
	r := p.parseRule(true)
	return r, true, "rule"
}

func (p *parser) parseChainPolicy(pr *Property) {
	switch {
	case p.cur.tok == DOLLAR:
		pr.Policy = p.parseVarRef()
	case p.isWord("accept") || p.isWord("drop"):
		pr.Policy = p.wordLit()
	default:
		p.expected("accept, drop or $variable after policy")
	}
}

// parseHookSpec parses "type T hook H [device D | devices = {…}]
// priority P" (withType) or "hook H priority P" (flowtables).
func (p *parser) parseHookSpec(pr *Property, withType bool) {
	if withType {
		if p.cur.tok != WORD {
			p.expected("chain type (filter, nat or route)")
			return
		}
		pr.ChainType = p.ident()
		if !p.expectWord("hook") {
			return
		}
	}
	if p.cur.tok != WORD && p.cur.tok != STRING {
		p.expected("hook name (prerouting, input, forward, output, postrouting, ingress, egress)")
		return
	}
	pr.Hook = p.ident()
	switch {
	case p.isWord("device"):
		p.next()
		switch p.cur.tok {
		case DOLLAR:
			pr.Device = p.parseVarRef()
		case WORD, STRING, WILDCARD:
			pr.Device = p.parseString("device name")
		default:
			p.expected("device name")
			return
		}
	case p.isWord("devices"):
		p.next()
		if !p.expect(ASSIGN, "'=' after devices") {
			return
		}
		pr.Device = p.parseDeviceList()
	}
	if !withType && !p.isWord("priority") {
		return
	}
	if !p.expectWord("priority") {
		return
	}
	pr.Priority = p.parsePriority()
}

// parsePriority parses NUM | - NUM | $var | NAME [(+|-) NUM].
func (p *parser) parsePriority() Expr {
	switch p.cur.tok {
	case NUMBER:
		return p.number()
	case DASH:
		dash := p.cur.off
		p.next()
		n := p.expectNumber("number after '-' in priority")
		if n == nil {
			return nil
		}
		n.Neg = true
		n.ValuePos = p.pos(dash)
		return n
	case DOLLAR:
		return p.parseVarRef()
	case WORD, STRING:
		if p.cur.tok == WORD && p.curClass()&wcReserved != 0 {
			p.expected("priority (a number or a name such as filter)")
			return nil
		}
		var x Expr = p.literal(map[Token]LitKind{WORD: LitWord, STRING: LitString}[p.cur.tok])
		if p.cur.tok == PLUS || p.cur.tok == DASH {
			op := p.cur
			p.next()
			y := p.expectNumber("number after '" + op.lit + "' in priority")
			if y == nil {
				return nil
			}
			x = p.binary(Binary{X: x, OpPos: p.pos(op.off), Op: op.lit, Y: y})
		}
		return x
	}
	p.expected("priority (a number or a name such as filter)")
	return nil
}

// parseDeviceList parses '{' dev, … '}' or $var or a single device.
// parseDevicesItem parses the `devices = { … }` item of a chain or
// flowtable block; the current token is the word devices.
func (p *parser) parseDevicesItem() (Cmd, bool, string) {
	pr := p.property("devices")
	if p.expect(ASSIGN, "'=' after devices") {
		pr.Value = p.parseDeviceList()
	}
	pr.EndPos = p.endPos()
	return pr, true, "devices"
}

func (p *parser) parseDeviceList() Expr {
	switch p.cur.tok {
	case DOLLAR:
		return p.parseVarRef()
	case LBRACE:
		return p.parseSetLit()
	case WORD, STRING, WILDCARD:
		return p.parseString("device name")
	}
	p.expected("'{' with device names")
	return nil
}

func (p *parser) parseFlowtableItem() (Cmd, bool, string) {
	switch w := p.cur.lit; {
	case p.isWord("hook"):
		pr := p.property(w)
		p.parseHookSpec(pr, false)
		pr.EndPos = p.endPos()
		return pr, true, "hook"
	case p.isWord("devices"):
		return p.parseDevicesItem()
	case p.isWord("counter"):
		pr := p.property(w)
		pr.EndPos = p.endPos()
		return pr, false, "counter"
	case p.isWord("flags"):
		pr := p.property(w)
		p.parseFlags(pr, offloadFlags, "flowtable")
		pr.EndPos = p.endPos()
		return pr, true, "flags"
	case p.isWord("comment"):
		return p.parseCommentItem()
	}
	p.errorf("unexpected %s in flowtable block: expected hook, devices, counter, flags or comment", describe(p.cur))
	return nil, true, ""
}

func (p *parser) parseSetItem(kind blockKind) (Cmd, bool, string) {
	if p.cur.tok != WORD {
		p.expected("set item (type, typeof, flags, elements, …)")
		return nil, true, ""
	}
	w := p.cur.lit
	switch w {
	case "type", "typeof":
		// The two differ only in how the key and data types are written.
		parseKey, parseData := p.parseTypeList, p.parseTypeList
		if w == "typeof" {
			parseKey, parseData = p.parseTypeofExpr, p.parseTypeofData
		}
		pr := p.property(w)
		pr.KeyType = parseKey()
		if pr.KeyType != nil && p.cur.tok == COLON {
			if kind != blockMap {
				p.errorf("a set has no data type: ':' is only valid in a map declaration")
				return pr, true, ""
			}
			p.next()
			if p.isWord("interval") {
				pr.Interval = true
				p.next()
			}
			pr.Data = parseData()
		} else if kind == blockMap && pr.KeyType != nil {
			p.expected("':' and the data type of the map")
		}
		pr.EndPos = p.endPos()
		return pr, true, w
	case "flags":
		pr := p.property(w)
		p.parseFlags(pr, setFlagWords, "set")
		pr.EndPos = p.endPos()
		return pr, true, "flags"
	case "timeout", "gc-interval":
		pr := p.property(w)
		if p.cur.tok != TIME {
			p.expected("time value (e.g. 30s, 1h) after " + w)
			return pr, true, ""
		}
		pr.Value = p.literal(LitTime)
		pr.EndPos = p.endPos()
		return pr, true, w
	case "size":
		pr := p.property(w)
		if n := p.expectNumber("number after size"); n != nil {
			pr.Value = n
		}
		pr.EndPos = p.endPos()
		return pr, true, w
	case "policy":
		pr := p.property(w)
		if !p.isWord("performance") && !p.isWord("memory") {
			p.expected("performance or memory after set policy")
			return pr, true, ""
		}
		pr.Policy = p.wordLit()
		pr.EndPos = p.endPos()
		return pr, true, w
	case "elements":
		pr := p.property(w)
		if !p.expect(ASSIGN, "'=' after elements") {
			return pr, false, ""
		}
		switch p.cur.tok {
		case LBRACE:
			pr.Value = p.parseSetLit()
		case DOLLAR:
			if v := p.varRef(); v != nil {
				pr.Value = &SetLit{Var: v}
			}
		default:
			p.expected("'{' with the elements")
		}
		pr.EndPos = p.endPos()
		return pr, false, w
	case "auto-merge":
		pr := p.property(w)
		pr.EndPos = p.endPos()
		return pr, false, w
	case "comment":
		return p.parseCommentItem()
	case "counter", "limit", "quota", "last", "ct":
		pr := node(&p.slabs.properties, Property{KeyPos: p.curPos(), Key: w})
		for !p.atEnd() {
			seq := p.errSeq
			s := p.parseStatefulStmt()
			if p.errSeq != seq || s == nil {
				break
			}
			pr.Stmts = append(pr.Stmts, s)
		}
		pr.EndPos = p.endPos()
		return pr, true, w
	}
	p.errorf("unexpected %s in %s block: expected type, typeof, flags, timeout, size, policy, elements, comment or a stateful statement", describe(p.cur), blockNames[kind])
	return nil, true, ""
}

// parseTypeList parses TYPE ('.' TYPE)* of a set/map "type" line.
func (p *parser) parseTypeList() Expr {
	return p.parseConcat(DOT, func() Expr {
		if p.cur.tok != WORD {
			p.expected("data type name (e.g. ipv4_addr, inet_service)")
			return nil
		}
		return p.wordLit()
	})
}

// parseTypeofData parses the data type of a typeof map: a verdict,
// queue or object type word, ct helper/timeout/expectation, or selectors.
func (p *parser) parseTypeofData() Expr {
	if p.cur.tok == WORD && (p.cur.lit == "verdict" || p.cur.lit == "queue" || p.curClass()&wcObjType != 0) {
		return p.wordLit()
	}
	if p.isWord("ct") && (p.peek(1).isWord("timeout") || p.peek(1).isWord("expectation") || p.peek(1).isWord("helper")) {
		start := p.cur.off
		p.next()
		name, end := p.cur.lit, p.cur.end
		p.next()
		return node(&p.slabs.literals, Literal{ValuePos: p.pos(start), Kind: LitWord, Text: "ct " + name, EndPos: p.pos(end)})
	}
	return p.parseTypeofExpr()
}

// parseTypeofExpr parses selectors joined by '.'.
func (p *parser) parseTypeofExpr() Expr {
	return p.parseConcat(DOT, p.parseSelectorOrFail)
}

// parseObjectItem parses the body items of counter, quota, limit,
// secmark and synproxy objects; none needs a separator.
func (p *parser) parseObjectItem(kind blockKind) (Cmd, bool, string) {
	if p.isWord("comment") {
		return p.parseCommentItem()
	}
	pr := node(&p.slabs.properties, Property{KeyPos: p.curPos()})
	seq := p.errSeq
	switch kind {
	case blockCounter:
		pr.Key = "packets"
		pr.Args = p.parseCounterArgs()
		if len(pr.Args) == 0 {
			p.expected("'packets NUM bytes NUM' in counter")
			return nil, false, ""
		}
	case blockQuota:
		pr.Key = "quota"
		pr.Args = p.parseQuotaArgs()
	case blockLimit:
		pr.Key = "rate"
		if !p.isWord("rate") {
			p.expected("'rate' in limit block")
			return nil, false, ""
		}
		pr.Args = p.parseLimitArgs()
	case blockSecmark:
		pr.Key = "secmark"
		pr.Value = p.parseString("security context string")
	case blockSynproxy:
		pr.Key = "synproxy"
		pr.Args = p.parseSynproxyArgs()
		if len(pr.Args) == 0 && p.errSeq == seq {
			p.expected("mss, wscale, timestamp or sack-perm")
		}
	}
	pr.EndPos = p.endPos()
	return pr, false, blockNames[kind]
}

// parseInlineObject parses the one-line form of add counter/quota/limit/
// secmark/synproxy into an equivalent block.
func (p *parser) parseInlineObject(w string) *Block {
	b := node(&p.slabs.blocks, Block{Lbrace: NoPos})
	kind := blockKindFor(w)
	for !p.atEnd() {
		start := p.cur.off
		seq := p.errSeq
		item, _, _ := p.parseObjectItem(kind)
		if item != nil {
			b.Items = append(b.Items, item)
		}
		if p.errSeq != seq || p.cur.off == start {
			break
		}
	}
	b.Rbrace = NoPos
	return b
}

// keyValueKeys lists the item keywords of ct helper/timeout/expectation
// and tunnel blocks.
var keyValueKeys = map[blockKind]map[string]bool{
	blockCtHelper:      wordSet(`type protocol l3proto`),
	blockCtTimeout:     wordSet(`protocol policy l3proto`),
	blockCtExpectation: wordSet(`protocol dport timeout size l3proto`),
	blockTunnel:        wordSet(`id ip ip6 sport dport ttl tos erspan vxlan geneve`),
	blockTunnelSub:     wordSet(`version index direction id gbp class opt-type data`),
}

// parseKeyValueItem parses an item of the ct helper/timeout/expectation
// and tunnel blocks: KEY VALUE pairs on one line.
func (p *parser) parseKeyValueItem(kind blockKind) (Cmd, bool, string) {
	if p.isWord("comment") {
		return p.parseCommentItem()
	}
	if p.cur.tok != WORD || !keyValueKeys[kind][p.cur.lit] {
		p.errorf("unexpected %s in %s block: expected %s", describe(p.cur), blockNames[kind], joinKeys(keyValueKeys[kind]))
		return nil, true, ""
	}
	pr := node(&p.slabs.properties, Property{KeyPos: p.curPos(), Key: p.cur.lit})
	for !p.atEnd() {
		if p.cur.tok != WORD || !keyValueKeys[kind][p.cur.lit] {
			p.expected(blockNames[kind] + " item keyword")
			return pr, true, ""
		}
		a := p.arg(Arg{KeyPos: p.curPos(), Key: p.cur.lit})
		p.next()
		switch {
		case (a.Key == "ip" || a.Key == "ip6") && kind == blockTunnel:
			if !p.isWord("saddr") && !p.isWord("daddr") {
				p.expected("saddr or daddr")
				return pr, true, ""
			}
			a.Key += " " + p.cur.lit
			p.next()
			a.Value = p.parseRHSBasic(ctxElem)
		case a.Key == "policy" && kind == blockCtTimeout:
			if !p.expect(ASSIGN, "'=' after policy") {
				return pr, true, ""
			}
			if p.cur.tok != LBRACE {
				p.expected("'{' with state: timeout pairs")
				return pr, true, ""
			}
			lit := p.parseSetLit()
			for _, e := range lit.Elems {
				if me, ok := e.(*MapElem); ok {
					if st, ok := me.Key.(*Literal); ok && st.Kind == LitWord && !ctTimeoutStates[st.Text] {
						p.errorAt(int(st.ValuePos)-p.file.Base(), int(st.EndPos)-p.file.Base(),
							"unknown ct timeout state '"+st.Text+"': nft rejects it; use a conntrack state such as established, close, syn_sent, unreplied or replied")
						return pr, true, ""
					}
				}
			}
			a.Value = lit
		case kind == blockTunnel && (a.Key == "erspan" || a.Key == "vxlan" || a.Key == "geneve"):
			if p.cur.tok != LBRACE {
				p.expected("'{' after " + a.Key)
				return pr, true, ""
			}
			pr.Body = p.parseBlock(blockTunnelSub)
		case p.cur.tok == WORD:
			a.Value = p.wordLit() // may be a keyword: l3proto inet, protocol tcp
		default:
			if !p.cur.tok.isValue() && p.cur.tok != DOLLAR {
				p.expected("value after " + a.Key)
				return pr, true, ""
			}
			a.Value = p.parseRHSBasic(ctxElem)
		}
		a.EndPos = p.endPos()
		pr.Args = append(pr.Args, a)
		if pr.Body != nil {
			break
		}
	}
	pr.EndPos = p.endPos()
	return pr, true, blockNames[kind] + " item"
}
