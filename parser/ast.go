package parser

// The AST of an nft file. Every node knows its source range (Pos/End, End
// being just past the node). The tree is fully structured: a printer writes
// it back as nft text, and re-parsing that text yields the same tree.
//
// The parser may add node types and fields; the names below are a contract
// shared with the ruleset builder and the checks: do not rename them.

import "strconv"

// Node is implemented by every AST node.
type Node interface {
	Pos() Pos
	End() Pos
}

// ---------------------------------------------------------------------------
// Files, comments

// Comment is one '#' comment, up to (not including) the line end.
type Comment struct {
	Hash Pos    // position of '#'
	Text string // including the leading '#'
}

func (c *Comment) Pos() Pos { return c.Hash }
func (c *Comment) End() Pos { return c.Hash + Pos(len(c.Text)) }

// AST is one parsed source file.
type AST struct {
	File     *File
	Cmds     []Cmd      // top-level commands in source order
	Comments []*Comment // every comment in the file, in order
}

func (a *AST) Pos() Pos { return a.File.Pos(0) }
func (a *AST) End() Pos { return a.File.Pos(a.File.Size()) }

// ---------------------------------------------------------------------------
// Identifiers and names

// Ident is a name as written: a bare word or a quoted string ("my chain").
// Its end and whether it was quoted share one field, read with End and
// Quoted and written with SetEnd and SetQuoted: a large ruleset has
// hundreds of thousands of names, and a separate flag made each 8 bytes
// larger.
type Ident struct {
	NamePos Pos
	end     identEnd
	Name    string // unquoted value
}

// identEnd is an Ident's end position, with identQuoted set when the
// name was written as a quoted string. A Pos never reaches the top bit:
// a FileSet holds at most MaxFileSetSize bytes.
type identEnd uint32

const identQuoted identEnd = 1 << 31

func (x *Ident) Pos() Pos { return x.NamePos }

// End returns the position just past the name (past its closing quote
// for a quoted name).
func (x *Ident) End() Pos { return Pos(x.end &^ identQuoted) }

// Quoted reports whether the name was written as a quoted string.
func (x *Ident) Quoted() bool { return x.end&identQuoted != 0 }

// makeIdent returns an Ident from its parts.
func makeIdent(namePos Pos, name string, quoted bool, end Pos) Ident {
	x := Ident{NamePos: namePos, Name: name}
	x.SetEnd(end)
	x.SetQuoted(quoted)
	return x
}

// SetEnd sets the position End returns; Quoted is kept.
func (x *Ident) SetEnd(end Pos) { x.end = x.end&identQuoted | identEnd(end) }

// SetQuoted sets what Quoted reports.
func (x *Ident) SetQuoted(quoted bool) {
	x.end &^= identQuoted
	if quoted {
		x.end |= identQuoted
	}
}

// Family is an nftables address family.
type Family string

const (
	FamilyNone   Family = "" // not written; defaults to ip
	FamilyIP     Family = "ip"
	FamilyIP6    Family = "ip6"
	FamilyInet   Family = "inet"
	FamilyARP    Family = "arp"
	FamilyBridge Family = "bridge"
	FamilyNetdev Family = "netdev"
)

// ---------------------------------------------------------------------------
// Commands (top level, and items of table blocks that are commands too)

// Cmd is a top-level command or a block item.
type Cmd interface {
	Node
	cmdNode()
}

// Verb is the leading verb of a command.
type Verb string

const (
	VerbAdd      Verb = "add"
	VerbCreate   Verb = "create"
	VerbInsert   Verb = "insert"
	VerbReplace  Verb = "replace"
	VerbDelete   Verb = "delete"
	VerbDestroy  Verb = "destroy"
	VerbFlush    Verb = "flush"
	VerbReset    Verb = "reset"
	VerbList     Verb = "list"
	VerbRename   Verb = "rename"
	VerbGet      Verb = "get"
	VerbDescribe Verb = "describe"
	VerbMonitor  Verb = "monitor"
	VerbExport   Verb = "export"
	VerbImport   Verb = "import"
)

// ObjectKind names what a command acts on.
type ObjectKind string

const (
	ObjRuleset       ObjectKind = "ruleset"
	ObjTable         ObjectKind = "table"
	ObjChain         ObjectKind = "chain"
	ObjRule          ObjectKind = "rule"
	ObjSet           ObjectKind = "set"
	ObjMap           ObjectKind = "map"
	ObjElement       ObjectKind = "element"
	ObjFlowtable     ObjectKind = "flowtable"
	ObjCounter       ObjectKind = "counter"
	ObjQuota         ObjectKind = "quota"
	ObjLimit         ObjectKind = "limit"
	ObjCtHelper      ObjectKind = "ct helper"
	ObjCtTimeout     ObjectKind = "ct timeout"
	ObjCtExpectation ObjectKind = "ct expectation"
	ObjSecmark       ObjectKind = "secmark"
	ObjSynproxy      ObjectKind = "synproxy"
	ObjTunnel        ObjectKind = "tunnel"
	// Plural forms used by list/flush/reset (e.g. "list chains", "reset counters").
	ObjPlural ObjectKind = "plural"
)

// Command is any command in its one-line or block form:
//
//	table inet t { … }                    Verb "" (implicit add), Object table, Body
//	add chain ip filter FORWARD { … }     Verb add, Object chain
//	add rule ip filter FORWARD iif x drop Verb add, Object rule, Rule
//	ip filter FORWARD drop                Verb "" , Object rule (implicit "add rule")
//	flush ruleset                         Verb flush, Object ruleset
//	delete table ip nat                   Verb delete, Object table
//	add element ip t s { 1, 2 }           Verb add, Object element, Elements
//
// Inside a table block, nested `chain NAME { … }`, `set NAME { … }` and the
// like are Commands too, with Verb "" and the table fields left empty.
type Command struct {
	// The positions come first, in pairs: a Pos between two 8-byte
	// fields would pad each to 8 bytes.
	VerbPos Pos // position of the verb, or NoPos when implicit
	EndPos  Pos
	// ObjPos is the position of the object keyword ("table", "chain", "ct
	// helper", …); NoPos for an implicit "add rule".
	ObjPos    Pos
	FamilyPos Pos

	Verb   Verb // "" when the verb is implicit (add)
	Object ObjectKind
	Plural string // for ObjPlural: the word as written ("chains", "counters", …)

	Family  Family // as written; FamilyNone when omitted
	Table   *Ident // table name (nil for ruleset, or for items nested in a table block)
	Name    *Ident // chain/set/map/flowtable/object name; nil when not applicable
	NewName *Ident // rename chain … NEWNAME

	// Rule placement: handle N, index N, position N (legacy spelling of handle).
	HandleKind string // "handle", "index", "position" or ""
	Handle     *Number

	Body     *Block  // the `{ … }` block of table/chain/set/map/flowtable/object commands
	Rule     *Rule   // add/insert/replace rule
	Elements *SetLit // add/delete/… element: the `{ … }` list (or a VarRef wrapped in SetLit.Var)

	// Expr is the expression of `describe EXPR` (added by the parser).
	Expr Expr
}

func (c *Command) Pos() Pos {
	if c.VerbPos.IsValid() {
		return c.VerbPos
	}
	if c.ObjPos.IsValid() {
		return c.ObjPos
	}
	if c.FamilyPos.IsValid() {
		return c.FamilyPos
	}
	if c.Table != nil {
		return c.Table.Pos()
	}
	if c.Name != nil {
		return c.Name.Pos()
	}
	if c.Rule != nil {
		return c.Rule.Pos()
	}
	return NoPos
}
func (c *Command) End() Pos { return c.EndPos }
func (*Command) cmdNode()   {}

// IncludeCmd is `include "PATH"`. The loader resolves it; the files it
// pulls in are parsed into their own ASTs and recorded in Files, in
// the order nft processes them (glob matches sorted).
type IncludeCmd struct {
	Include Pos
	Path    *StringLit
	Files   []*AST // filled by the loader
	EndPos  Pos
}

func (c *IncludeCmd) Pos() Pos { return c.Include }
func (c *IncludeCmd) End() Pos { return c.EndPos }
func (*IncludeCmd) cmdNode()   {}

// DefineKind distinguishes define, redefine and undefine.
type DefineKind string

const (
	Define   DefineKind = "define"
	Redefine DefineKind = "redefine"
	Undefine DefineKind = "undefine"
)

// DefineCmd is `define NAME = VALUE`, `redefine NAME = VALUE` or
// `undefine NAME`.
type DefineCmd struct {
	KindPos Pos
	Kind    DefineKind
	Name    *Ident
	Value   Expr // nil for undefine
	EndPos  Pos
}

func (c *DefineCmd) Pos() Pos { return c.KindPos }
func (c *DefineCmd) End() Pos { return c.EndPos }
func (*DefineCmd) cmdNode()   {}

// BadCmd stands for a command that failed to parse.
type BadCmd struct {
	From, To Pos
}

func (c *BadCmd) Pos() Pos { return c.From }
func (c *BadCmd) End() Pos { return c.To }
func (*BadCmd) cmdNode()   {}

// ---------------------------------------------------------------------------
// Blocks and block items

// Block is a `{ … }` body of a table, chain, set, map, flowtable or object.
type Block struct {
	Lbrace Pos
	Rbrace Pos
	Items  []Cmd // Commands (nested chains, sets…), Properties, Rules, defines, includes
}

func (b *Block) Pos() Pos { return b.Lbrace }
func (b *Block) End() Pos { return b.Rbrace + 1 }

// Property is a keyword item of a block:
//
//	type filter hook forward priority filter + 10; policy drop;  (chain)
//	flags interval, timeout                                       (set, table, chain)
//	comment "text"                                                (any block)
//	type ipv4_addr . inet_service : verdict                       (set/map: Key, Data)
//	typeof ip saddr                                               (set/map)
//	elements = { … }                                              (set/map)
//	devices = { eth0, eth1 }                                      (chain, flowtable)
//	policy drop / policy memory, size 1024, timeout 1h, gc-interval 1m, auto-merge
//	counter / packets 10 bytes 100 / …                            (object blocks: Args)
type Property struct {
	KeyPos Pos
	Key    string // "type", "hook", "priority", "policy", "flags", "comment", "typeof", "elements", "devices", "device", …

	// Base-chain spec, when Key == "type" in a chain block.
	ChainType *Ident // filter, nat, route
	Hook      *Ident // prerouting, input, forward, output, postrouting, ingress, egress
	Device    Expr   // device NAME / devices = { … } written in the hook spec
	Priority  Expr   // priority expression: Number, Ident (named), Binary (filter + 10), VarRef, negative Number
	Policy    Expr   // policy accept|drop|$v (also set policy)

	// Set/map declaration types: `type K [: D]`, `typeof EXPR [: EXPR]`.
	KeyType Expr // key type: Ident (ipv4_addr), Concat of Idents, or a typeof expression
	Data    Expr // map data type or typeof expression; nil for sets
	Value   Expr // for everything else: flags list (List), comment (StringLit), elements (SetLit), size, timeout…
	Args    []*Arg

	// Added by the parser:
	// Interval is set for map data declared `: interval TYPE`.
	Interval bool
	// Stmts holds set-level stateful statements (`counter`, `quota 10
	// mbytes`, …) when Key is the statement keyword.
	Stmts []Stmt
	// Body is the nested block of tunnel `erspan { … }`, `vxlan { … }`,
	// `geneve { … }` items.
	Body *Block

	EndPos Pos
}

func (p *Property) Pos() Pos { return p.KeyPos }
func (p *Property) End() Pos { return p.EndPos }
func (*Property) cmdNode()   {}

// Arg is a keyword argument of a statement or property: `prefix "x"`,
// `level warn`, `burst 5 packets`, `to 10.0.0.1:80`. Key may be empty for
// positional values. Flag-only keywords (`timestamp`, `fully-random`)
// have a nil Value.
type Arg struct {
	KeyPos Pos
	EndPos Pos
	Key    string
	Value  Expr
}

func (a *Arg) Pos() Pos {
	if a.KeyPos.IsValid() {
		return a.KeyPos
	}
	if a.Value != nil {
		return a.Value.Pos()
	}
	return NoPos
}
func (a *Arg) End() Pos { return a.EndPos }

// ---------------------------------------------------------------------------
// Rules and statements

// Rule is one rule: statements in order, an optional trailing comment.
// In a chain block a Rule is a block item; in `add rule` it hangs off the
// Command.
type Rule struct {
	Stmts   []Stmt
	Comment *StringLit // `comment "…"` at the end of the rule
	EndPos  Pos
}

func (r *Rule) Pos() Pos {
	if len(r.Stmts) > 0 {
		return r.Stmts[0].Pos()
	}
	if r.Comment != nil {
		return r.Comment.Pos()
	}
	return NoPos
}
func (r *Rule) End() Pos { return r.EndPos }
func (*Rule) cmdNode()   {}

// Stmt is a statement within a rule.
type Stmt interface {
	Node
	stmtNode()
}

// MatchStmt is a relational expression: `ip saddr 10.0.0.0/8`,
// `tcp dport != { 22, 80 }`, `ct state established,related`.
type MatchStmt struct {
	Left  Expr
	OpPos Pos     // NoPos for an implicit operator
	Op    MatchOp // OpImplicit when not written; word aliases normalised (eq is OpEq, not is OpNot, …)
	Right Expr
}

func (s *MatchStmt) Pos() Pos { return s.Left.Pos() }
func (s *MatchStmt) End() Pos { return s.Right.End() }
func (*MatchStmt) stmtNode()  {}

// MatchOp is the relational operator of a MatchStmt. It is a small
// integer rather than the operator's text: a large ruleset has tens of
// thousands of matches, and the text made each of them 16 bytes larger.
type MatchOp uint8

const (
	OpImplicit MatchOp = iota // not written: equality, or membership for a set
	OpEq                      // == or eq
	OpNe                      // != or ne
	OpLt                      // < or lt
	OpGt                      // > or gt
	OpLe                      // <= or le
	OpGe                      // >= or ge
	OpNot                     // ! or not
)

var matchOpText = [...]string{
	OpImplicit: "",
	OpEq:       "==",
	OpNe:       "!=",
	OpLt:       "<",
	OpGt:       ">",
	OpLe:       "<=",
	OpGe:       ">=",
	OpNot:      "!",
}

// String returns the operator as nft prints it ("==", "!=", "<", ">",
// "<=", ">=", "!"), or "" for OpImplicit.
func (op MatchOp) String() string {
	if int(op) < len(matchOpText) {
		return matchOpText[op]
	}
	return "MatchOp(" + strconv.Itoa(int(op)) + ")"
}

// VerdictStmt is accept, drop, continue, return, jump X, goto X, or an
// anonymous chain `jump { … }`.
type VerdictStmt struct {
	KindPos Pos
	EndPos  Pos
	Kind    string // "accept", "drop", "continue", "return", "jump", "goto"
	Target  Expr   // Ident or VarRef for jump/goto; nil otherwise or when Chain is set
	Chain   *Block // anonymous chain body (items are *Rule)
}

func (s *VerdictStmt) Pos() Pos { return s.KindPos }
func (s *VerdictStmt) End() Pos { return s.EndPos }
func (*VerdictStmt) stmtNode()  {}

// VmapStmt is `KEY vmap { k : verdict, … }` or `KEY vmap @m` / `$v`.
type VmapStmt struct {
	Key     Expr
	VmapPos Pos
	Map     Expr // SetLit with MapElems, SetRef or VarRef
}

func (s *VmapStmt) Pos() Pos { return s.Key.Pos() }
func (s *VmapStmt) End() Pos { return s.Map.End() }
func (*VmapStmt) stmtNode()  {}

// SetStmt assigns to a packet or metadata field: `meta mark set 1`,
// `ct mark set meta mark`, `ip dscp set cs1`, `mark set 1`.
type SetStmt struct {
	Target Expr // a Selector
	SetPos Pos
	Value  Expr
}

func (s *SetStmt) Pos() Pos { return s.Target.Pos() }
func (s *SetStmt) End() Pos { return s.Value.End() }
func (*SetStmt) stmtNode()  {}

// NatStmt is snat, dnat, masquerade or redirect.
type NatStmt struct {
	KindPos Pos
	EndPos  Pos
	Kind    string  // "snat", "dnat", "masquerade", "redirect"
	Family  Family  // ip/ip6 qualifier, or FamilyNone
	Variant string  // "" , "addr . port", "interval", "prefix"
	Addr    Expr    // address (may be a map lookup); nil when absent
	Port    Expr    // port after ':'; nil when absent
	Flags   []Ident // random, fully-random, persistent
}

func (s *NatStmt) Pos() Pos { return s.KindPos }
func (s *NatStmt) End() Pos { return s.EndPos }
func (*NatStmt) stmtNode()  {}

// RejectStmt is `reject [with icmp|icmpv6|icmpx [type] CODE | tcp reset]`.
type RejectStmt struct {
	KindPos Pos
	EndPos  Pos
	With    string // "", "icmp", "icmpv6", "icmpx", "tcp reset"
	Code    Expr   // nil when absent
}

func (s *RejectStmt) Pos() Pos { return s.KindPos }
func (s *RejectStmt) End() Pos { return s.EndPos }
func (*RejectStmt) stmtNode()  {}

// SetUpdateStmt is `add|update|delete @set { KEY [opts] [stmts] [: VALUE] }`
// and its legacy forms (`set add KEY @s`, `meter NAME { … }`).
type SetUpdateStmt struct {
	OpPos  Pos
	Op     string // "add", "update", "delete", "meter"
	Set    Expr   // SetRef or VarRef; Ident for meter names
	Key    Expr
	Opts   []*Arg // timeout, expires, comment
	Stmts  []Stmt // stateful statements applied per element
	Value  Expr   // map value; nil for sets
	Legacy bool
	EndPos Pos
}

func (s *SetUpdateStmt) Pos() Pos { return s.OpPos }
func (s *SetUpdateStmt) End() Pos { return s.EndPos }
func (*SetUpdateStmt) stmtNode()  {}

// KeywordStmt is every other statement, identified by its leading
// keyword(s) and a list of arguments: counter, limit, quota, last, log,
// queue, dup, fwd, notrack, flow add, synproxy, tproxy, ct count,
// `ct timeout set`, `counter name X`, `reset tcp option X`, xt, … .
type KeywordStmt struct {
	KeywordPos Pos
	EndPos     Pos
	Keyword    string // the leading words joined by one space: "counter", "log", "limit", "ct count", "flow add", "reset tcp option", "tproxy"
	Args       []*Arg
}

func (s *KeywordStmt) Pos() Pos { return s.KeywordPos }
func (s *KeywordStmt) End() Pos { return s.EndPos }
func (*KeywordStmt) stmtNode()  {}

// BadStmt stands for a statement that failed to parse.
type BadStmt struct{ From, To Pos }

func (s *BadStmt) Pos() Pos { return s.From }
func (s *BadStmt) End() Pos { return s.To }
func (*BadStmt) stmtNode()  {}

// ---------------------------------------------------------------------------
// Expressions

// Expr is an expression.
type Expr interface {
	Node
	exprNode()
}

// Selector reads a packet field or metadata: `ip saddr`, `tcp dport`,
// `meta l4proto`, `ct state`, `ct original ip saddr`, `iifname` (Words
// ["iifname"]; the parser leaves unqualified meta keys as written), `fib
// daddr . iif oif` (Words ["fib"], Args()), `tcp option maxseg size`,
// `@nh,8,16` (Words ["@nh","8","16"]), `numgen inc mod 2`, `jhash ip saddr
// mod 2`, `osf name`, `socket transparent`, `rt nexthop`, `ipsec in reqid`.
type Selector struct {
	Words []Ident        // keyword path as written; values, not pointers, as there are hundreds of thousands in a large ruleset
	extra *selectorExtra // Args and an End past the last word; nil for nearly every selector
}

// selectorExtra holds what few selectors have, out of line: in every
// Selector, the arguments and the end took 24 bytes more.
type selectorExtra struct {
	args []*Arg
	end  Pos // NoPos when the selector ends with its last word
}

func (x *Selector) Pos() Pos { return x.Words[0].Pos() }

// End returns the end of the last word, or what SetEnd set when that
// differs (arguments after the words: numgen inc mod 2).
func (x *Selector) End() Pos {
	if x.extra != nil && x.extra.end.IsValid() {
		return x.extra.end
	}
	return x.wordsEnd()
}

func (*Selector) exprNode() {}

// wordsEnd returns the end of the last word, or NoPos.
func (x *Selector) wordsEnd() Pos {
	if len(x.Words) == 0 {
		return NoPos
	}
	return x.Words[len(x.Words)-1].End()
}

// SetEnd sets what End returns. Set it after the words: an end equal to
// the last word's is not stored, and End then follows the last word.
func (x *Selector) SetEnd(end Pos) {
	if end != x.wordsEnd() {
		x.extraFields().end = end
	} else if x.extra != nil {
		x.extra.end = NoPos
		x.dropEmptyExtra()
	}
}

// Args returns the arguments of fib/numgen/hash/symhash/osf…,
// mod/seed/offset/ttl, or nil.
func (x *Selector) Args() []*Arg {
	if x.extra == nil {
		return nil
	}
	return x.extra.args
}

// SetArgs sets what Args returns.
func (x *Selector) SetArgs(args []*Arg) {
	if len(args) > 0 {
		x.extraFields().args = args
	} else if x.extra != nil {
		x.extra.args = nil
		x.dropEmptyExtra()
	}
}

// extraFields returns x.extra, allocated if need be.
func (x *Selector) extraFields() *selectorExtra {
	if x.extra == nil {
		x.extra = new(selectorExtra)
	}
	return x.extra
}

// dropEmptyExtra drops x.extra once it holds nothing.
func (x *Selector) dropEmptyExtra() {
	if x.extra.args == nil && !x.extra.end.IsValid() {
		x.extra = nil
	}
}

// Path returns the selector's words joined by a space ("ip saddr").
func (x *Selector) Path() string {
	return string(x.AppendPath(nil))
}

// AppendPath appends Path() to dst. Hot paths pass a stack buffer and
// look the bytes up in a map, which does not allocate, where Path does.
func (x *Selector) AppendPath(dst []byte) []byte {
	for i := range x.Words {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, x.Words[i].Name...)
	}
	return dst
}

// LitKind classifies a literal token.
type LitKind int

const (
	LitWord     LitKind = iota // bare word: ssh, established, eth0, docker0, br-*
	LitString                  // quoted string: "eth0", "br-*"
	LitNumber                  // integer in any base; see Number
	LitIPv4                    // 192.0.2.1
	LitIPv6                    // 2001:db8::1, [2001:db8::1]
	LitMAC                     // 00:11:22:33:44:55
	LitTime                    // 1h30m, 5s
	LitRate                    // rate/size with unit: 10/second, 10 mbytes/second (limit args)
	LitClassID                 // 1:2
	LitAsterisk                // * (catch-all element)
)

// Literal is a value token. Numbers are Number nodes.
type Literal struct {
	ValuePos Pos
	EndPos   Pos
	Kind     LitKind
	Text     string // as written (quotes removed for LitString)
}

func (x *Literal) Pos() Pos { return x.ValuePos }
func (x *Literal) End() Pos { return x.EndPos }
func (*Literal) exprNode()  {}

// StringLit is a quoted string where only a string is allowed (comments,
// include paths, log prefixes).
type StringLit struct {
	ValuePos Pos
	EndPos   Pos
	Value    string // unquoted
}

func (x *StringLit) Pos() Pos { return x.ValuePos }
func (x *StringLit) End() Pos { return x.EndPos }
func (*StringLit) exprNode()  {}

// Number is an integer literal: decimal, 0x hex, 0 octal, 0b binary. A
// negative number (priority -100, define x = -1) has Neg set.
type Number struct {
	ValuePos Pos
	EndPos   Pos
	Text     string // as written, without the sign
	Value    uint64 // parsed magnitude; Overflow set when it does not fit
	Neg      bool
	Overflow bool
}

func (x *Number) Pos() Pos { return x.ValuePos }
func (x *Number) End() Pos { return x.EndPos }
func (*Number) exprNode()  {}

// VarRef is `$name`. The loader binds it: Def is the define/redefine in
// scope at this use and Value that definition's value (whose nodes carry
// the definition's positions), so every use keeps both positions.
type VarRef struct {
	Dollar Pos
	EndPos Pos
	Name   string

	Def   *DefineCmd // nil when undefined (an error the loader reports)
	Value Expr       // Def.Value with nested $vars already bound
}

func (x *VarRef) Pos() Pos { return x.Dollar }
func (x *VarRef) End() Pos { return x.EndPos }
func (*VarRef) exprNode()  {}

// SetRef is `@name`.
type SetRef struct {
	At     Pos
	EndPos Pos
	Name   string
}

func (x *SetRef) Pos() Pos { return x.At }
func (x *SetRef) End() Pos { return x.EndPos }
func (*SetRef) exprNode()  {}

// SetLit is a `{ … }` literal: anonymous set, anonymous map / vmap (its
// elements are MapElems), or an element list. Var is set instead of Elems
// for `elements = $var`.
type SetLit struct {
	Lbrace Pos
	Rbrace Pos
	Elems  []Expr // element expressions; *Elem when per-element options are present; *ElemRun for a run of plain elements (NumElems counts them)
	Var    *VarRef
}

func (x *SetLit) Pos() Pos {
	if x.Var != nil && !x.Lbrace.IsValid() {
		return x.Var.Pos()
	}
	return x.Lbrace
}
func (x *SetLit) End() Pos {
	if x.Var != nil && !x.Rbrace.IsValid() {
		return x.Var.End()
	}
	return x.Rbrace + 1
}
func (*SetLit) exprNode() {}

// Elem is a set element with options: `10.0.0.1 timeout 1h comment "x"`,
// `1.2.3.4 counter packets 1 bytes 2`.
type Elem struct {
	Value  Expr
	Opts   []*Arg // timeout, expires, comment
	Stmts  []Stmt // stateful statements (counter, quota, limit, last)
	EndPos Pos
}

func (x *Elem) Pos() Pos { return x.Value.Pos() }
func (x *Elem) End() Pos { return x.EndPos }
func (*Elem) exprNode()  {}

// MapElem is `key : value` inside a map or vmap literal. Value may be a
// Verdict.
type MapElem struct {
	Key      Expr
	ColonPos Pos
	Value    Expr
}

func (x *MapElem) Pos() Pos { return x.Key.Pos() }
func (x *MapElem) End() Pos { return x.Value.End() }
func (*MapElem) exprNode()  {}

// Verdict is a verdict used as a value (vmap data): accept, drop, jump X…
type Verdict struct {
	KindPos Pos
	EndPos  Pos
	Kind    string
	Target  Expr // chain Ident / VarRef for jump and goto
}

func (x *Verdict) Pos() Pos { return x.KindPos }
func (x *Verdict) End() Pos { return x.EndPos }
func (*Verdict) exprNode()  {}

// Binary is `X op Y` for the bitwise and shift operators &, |, ^, <<, >>,
// and for priority arithmetic `filter + 10`, `filter - 5`.
type Binary struct {
	X     Expr
	OpPos Pos
	Op    string
	Y     Expr
}

func (x *Binary) Pos() Pos { return x.X.Pos() }
func (x *Binary) End() Pos { return x.Y.End() }
func (*Binary) exprNode()  {}

// Prefix is `X / LEN` (10.0.0.0/8).
type Prefix struct {
	X        Expr
	SlashPos Pos
	Len      *Number
}

func (x *Prefix) Pos() Pos { return x.X.Pos() }
func (x *Prefix) End() Pos { return x.Len.End() }
func (*Prefix) exprNode()  {}

// Mask is the relational mask form `VALUE / a,b,c` (tcp flags syn / syn,ack).
type Mask struct {
	X        Expr
	SlashPos Pos
	Mask     Expr
}

func (x *Mask) Pos() Pos { return x.X.Pos() }
func (x *Mask) End() Pos { return x.Mask.End() }
func (*Mask) exprNode()  {}

// RangeExpr is `LO - HI`.
type RangeExpr struct {
	Lo      Expr
	DashPos Pos
	Hi      Expr
}

func (x *RangeExpr) Pos() Pos { return x.Lo.Pos() }
func (x *RangeExpr) End() Pos { return x.Hi.End() }
func (*RangeExpr) exprNode()  {}

// Concat is `A . B . C`.
type Concat struct {
	Parts []Expr
}

func (x *Concat) Pos() Pos { return x.Parts[0].Pos() }
func (x *Concat) End() Pos { return x.Parts[len(x.Parts)-1].End() }
func (*Concat) exprNode()  {}

// List is a bare comma list: `established,related`, `syn,ack`.
type List struct {
	Elems []Expr
}

func (x *List) Pos() Pos { return x.Elems[0].Pos() }
func (x *List) End() Pos { return x.Elems[len(x.Elems)-1].End() }
func (*List) exprNode()  {}

// MapLookup is `KEY map { … }` / `KEY map @m`.
type MapLookup struct {
	Key    Expr
	MapPos Pos
	Map    Expr
}

func (x *MapLookup) Pos() Pos { return x.Key.Pos() }
func (x *MapLookup) End() Pos { return x.Map.End() }
func (*MapLookup) exprNode()  {}

// Paren is `( X )`.
type Paren struct {
	Lparen Pos
	Rparen Pos
	X      Expr
}

func (x *Paren) Pos() Pos { return x.Lparen }
func (x *Paren) End() Pos { return x.Rparen + 1 }
func (*Paren) exprNode()  {}

// BadExpr stands for an expression that failed to parse.
type BadExpr struct{ From, To Pos }

func (x *BadExpr) Pos() Pos { return x.From }
func (x *BadExpr) End() Pos { return x.To }
func (*BadExpr) exprNode()  {}
