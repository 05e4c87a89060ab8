package parser

import (
	"bufio"
	"errors"
	"io"
	"strings"
)

// Fprint writes ast as nft text in a canonical layout: one command per
// line, blocks indented with tabs, one item per line. Re-parsing the
// output yields the same tree (positions aside). An AST that contains
// Bad nodes (from syntax errors) is rejected with an error, since it has
// no faithful text form.
//
// '#' comments are dropped: they are kept in AST.Comments but not
// attached to nodes, so the printer cannot place them. The round trip
// (print, re-parse, compare trees) holds because comments are not part of
// the tree; rule comments written `comment "…"` are statements and are
// printed. Tools that rewrite files must therefore edit the source text
// (as the fixer does) rather than print the AST.
func Fprint(w io.Writer, ast *AST) error {
	pr := &printer{w: bufio.NewWriterSize(w, 64<<10)}
	for _, c := range ast.Cmds {
		pr.cmd(c)
		pr.s("\n")
	}
	if pr.err != nil {
		return pr.err
	}
	return pr.w.Flush()
}

// FprintNode writes a single node (command, statement or expression).
func FprintNode(w io.Writer, n Node) error {
	pr := &printer{w: bufio.NewWriter(w)}
	switch n := n.(type) {
	case Cmd:
		pr.cmd(n)
	case Stmt:
		pr.stmt(n)
	case Expr:
		pr.expr(n)
	default:
		return errors.New("unsupported node type")
	}
	if pr.err != nil {
		return pr.err
	}
	return pr.w.Flush()
}

var errBadNode = errors.New("the syntax tree contains parts that failed to parse; fix the syntax errors first")

type printer struct {
	w      *bufio.Writer
	indent int
	err    error
}

func (p *printer) s(text string) { p.w.WriteString(text) }

func (p *printer) nl() {
	p.w.WriteByte('\n')
	for i := 0; i < p.indent; i++ {
		p.w.WriteByte('\t')
	}
}

func (p *printer) bad() {
	if p.err == nil {
		p.err = errBadNode
	}
}

func (p *printer) quoted(s string) {
	p.s(`"`)
	p.s(s)
	p.s(`"`)
}

func (p *printer) ident(x *Ident) {
	if x == nil {
		p.bad()
		return
	}
	if x.Quoted() {
		p.quoted(x.Name)
	} else {
		p.s(x.Name)
	}
}

// ---------------------------------------------------------------------------
// Commands and blocks

func (p *printer) cmd(c Cmd) {
	switch c := c.(type) {
	case *Command:
		p.command(c)
	case *DefineCmd:
		p.s(string(c.Kind))
		p.s(" ")
		p.ident(c.Name)
		if c.Kind != Undefine {
			p.s(" = ")
			p.expr(c.Value)
		}
	case *IncludeCmd:
		p.s("include ")
		if c.Path == nil {
			p.bad()
			return
		}
		p.quoted(c.Path.Value)
	case *Property:
		p.property(c)
	case *Rule:
		p.rule(c)
	case nil:
		p.bad()
	default:
		p.bad()
	}
}

func (p *printer) command(c *Command) {
	var words []string
	if c.Verb != "" {
		words = append(words, string(c.Verb))
	}
	switch {
	case c.Object == ObjPlural:
		if c.Plural != "" && c.Plural != "describe" {
			words = append(words, c.Plural)
		}
	case c.Object == ObjRule && !c.ObjPos.IsValid() && c.Verb == "":
		// implicit add rule
	default:
		words = append(words, string(c.Object))
	}
	p.s(strings.Join(words, " "))
	sep := func() {
		if len(words) > 0 {
			p.s(" ")
		}
		words = append(words, "")
	}
	if c.Object == ObjPlural && c.Plural == "describe" {
		sep()
		p.expr(c.Expr)
		return
	}
	if c.Family != FamilyNone {
		sep()
		p.s(string(c.Family))
	}
	if c.Table != nil {
		sep()
		p.ident(c.Table)
	}
	if c.Name != nil {
		sep()
		if c.Object == ObjPlural && c.Plural == "hooks" {
			p.s("device ")
		}
		p.ident(c.Name)
	}
	if c.NewName != nil {
		sep()
		p.ident(c.NewName)
	}
	if c.HandleKind != "" {
		sep()
		p.s(c.HandleKind)
		p.s(" ")
		p.expr(c.Handle)
	}
	if c.Body != nil {
		sep()
		p.block(c.Body)
	}
	if c.Elements != nil {
		sep()
		p.expr(c.Elements)
	}
	if c.Rule != nil {
		sep()
		p.rule(c.Rule)
	}
}

func (p *printer) block(b *Block) {
	p.s("{")
	p.indent++
	for _, it := range b.Items {
		p.nl()
		p.cmd(it)
	}
	p.indent--
	p.nl()
	p.s("}")
}

func (p *printer) property(pr *Property) {
	switch {
	case len(pr.Stmts) > 0:
		p.stmts(pr.Stmts)
		return
	case len(pr.Args) > 0 || pr.Body != nil:
		p.args(pr.Args, false)
		if pr.Body != nil {
			p.s(" ")
			p.block(pr.Body)
		}
		return
	}
	switch pr.Key {
	case "type", "typeof":
		p.s(pr.Key)
		p.s(" ")
		if pr.ChainType != nil {
			p.ident(pr.ChainType)
			p.s(" hook ")
			p.hookRest(pr)
			return
		}
		p.expr(pr.KeyType)
		if pr.Data != nil {
			p.s(" : ")
			if pr.Interval {
				p.s("interval ")
			}
			p.expr(pr.Data)
		}
	case "hook":
		p.s("hook ")
		p.hookRest(pr)
	case "policy":
		p.s("policy ")
		p.expr(pr.Policy)
	case "devices", "elements":
		p.s(pr.Key)
		p.s(" = ")
		p.expr(pr.Value)
	case "secmark":
		p.expr(pr.Value)
	default:
		p.s(pr.Key)
		if pr.Value != nil {
			p.s(" ")
			p.expr(pr.Value)
		}
	}
}

func (p *printer) hookRest(pr *Property) {
	p.ident(pr.Hook)
	if pr.Device != nil {
		if _, ok := pr.Device.(*SetLit); ok {
			p.s(" devices = ")
		} else {
			p.s(" device ")
		}
		p.expr(pr.Device)
	}
	if pr.Priority != nil {
		p.s(" priority ")
		p.expr(pr.Priority)
	}
}

// ---------------------------------------------------------------------------
// Rules and statements

func (p *printer) rule(r *Rule) {
	p.stmts(r.Stmts)
	if r.Comment != nil {
		if len(r.Stmts) > 0 {
			p.s(" ")
		}
		p.s("comment ")
		p.quoted(r.Comment.Value)
	}
}

// stmts prints statements separated by spaces.
func (p *printer) stmts(stmts []Stmt) {
	for i, s := range stmts {
		if i > 0 {
			p.s(" ")
		}
		p.stmt(s)
	}
}

// args prints keyword arguments; leading adds a space before the first.
func (p *printer) args(args []*Arg, leading bool) {
	for i, a := range args {
		if a.Key == ":" {
			p.s(":")
			p.expr(a.Value)
			continue
		}
		if i > 0 || leading {
			p.s(" ")
		}
		if a.Key != "" {
			p.s(a.Key)
			if _, ok := a.Value.(*SetLit); ok && a.Key == "policy" {
				p.s(" =") // ct timeout policy = { state : timeout, … }
			}
			if a.Value != nil {
				p.s(" ")
			}
		}
		if a.Value != nil {
			p.expr(a.Value)
		}
	}
}

func (p *printer) stmt(s Stmt) {
	switch s := s.(type) {
	case *MatchStmt:
		p.expr(s.Left)
		p.s(" ")
		if s.Op != OpImplicit {
			p.s(s.Op.String())
			p.s(" ")
		}
		p.expr(s.Right)
	case *VerdictStmt:
		p.s(s.Kind)
		if s.Chain != nil {
			p.s(" {")
			for _, it := range s.Chain.Items {
				p.s(" ")
				p.cmd(it)
				p.s(";")
			}
			p.s(" }")
		} else if s.Target != nil {
			p.s(" ")
			p.expr(s.Target)
		} else if s.Kind == "jump" || s.Kind == "goto" {
			p.bad()
		}
	case *VmapStmt:
		p.expr(s.Key)
		p.s(" vmap ")
		p.expr(s.Map)
	case *SetStmt:
		p.expr(s.Target)
		p.s(" set ")
		p.expr(s.Value)
	case *NatStmt:
		p.s(s.Kind)
		if s.Family != FamilyNone {
			p.s(" ")
			p.s(string(s.Family))
		}
		if s.Variant != "" {
			p.s(" ")
			p.s(s.Variant)
			p.s(" to")
		} else if s.Addr != nil || s.Port != nil {
			p.s(" to")
		}
		if s.Addr != nil {
			p.s(" ")
			p.expr(s.Addr)
		}
		if s.Port != nil {
			if s.Addr == nil {
				p.s(" ")
			}
			p.s(":")
			p.expr(s.Port)
		}
		for i := range s.Flags {
			if i == 0 {
				p.s(" ")
			} else {
				p.s(",")
			}
			p.ident(&s.Flags[i])
		}
	case *RejectStmt:
		p.s("reject")
		if s.With != "" {
			p.s(" with ")
			p.s(s.With)
			if s.Code != nil {
				p.s(" type ")
				p.expr(s.Code)
			}
		}
	case *SetUpdateStmt:
		p.setUpdate(s)
	case *KeywordStmt:
		p.s(s.Keyword)
		p.args(s.Args, true)
	case nil:
		p.bad()
	default:
		p.bad()
	}
}

func (p *printer) setUpdate(s *SetUpdateStmt) {
	opts := s.Opts
	switch {
	case s.Op == "meter" || s.Op == "flow table":
		p.s(s.Op)
		p.s(" ")
		p.expr(s.Set)
		if len(opts) > 0 && opts[0].Key == "size" {
			p.args(opts[:1], true)
			opts = opts[1:]
		}
		p.s(" { ")
	case s.Legacy:
		p.s("set ")
		p.s(s.Op)
		p.s(" ")
		p.expr(s.Key)
		p.args(opts, true)
		p.s(" ")
		p.expr(s.Set)
		return
	default:
		p.s(s.Op)
		p.s(" ")
		p.expr(s.Set)
		p.s(" { ")
	}
	p.expr(s.Key)
	p.args(opts, true)
	for _, st := range s.Stmts {
		p.s(" ")
		p.stmt(st)
	}
	if s.Value != nil {
		p.s(" : ")
		p.expr(s.Value)
	}
	p.s(" }")
}

// ---------------------------------------------------------------------------
// Expressions

func (p *printer) expr(x Expr) {
	switch x := x.(type) {
	case *Selector:
		p.selector(x)
	case *Literal:
		if x.Kind == LitString {
			p.quoted(x.Text)
		} else {
			p.s(x.Text)
		}
	case *StringLit:
		p.quoted(x.Value)
	case *Number:
		if x.Neg {
			p.s("-")
		}
		p.s(x.Text)
	case *VarRef:
		p.s("$")
		p.s(x.Name)
	case *SetRef:
		p.s("@")
		p.s(x.Name)
	case *SetLit:
		p.setLit(x)
	case *ElemRun:
		// Only inside SetLit.Elems (setElems); printed alone, a run reads
		// as the list of its elements.
		for i := 0; i < x.Len(); i++ {
			if i > 0 {
				p.s(", ")
			}
			p.runElem(x, i)
		}
	case *Elem:
		p.expr(x.Value)
		for _, s := range x.Stmts {
			p.s(" ")
			p.stmt(s)
		}
		p.args(x.Opts, true)
	case *MapElem:
		p.expr(x.Key)
		p.s(" : ")
		p.expr(x.Value)
	case *Verdict:
		p.s(x.Kind)
		if x.Target != nil {
			p.s(" ")
			p.expr(x.Target)
		}
	case *Binary:
		p.expr(x.X)
		p.s(" ")
		p.s(x.Op)
		p.s(" ")
		p.expr(x.Y)
	case *Prefix:
		p.expr(x.X)
		if l, ok := x.X.(*Literal); ok && (l.Kind == LitIPv4 || l.Kind == LitIPv6) {
			p.s("/")
		} else {
			p.s(" / ")
		}
		p.expr(x.Len)
	case *Mask:
		p.expr(x.X)
		p.s(" / ")
		p.expr(x.Mask)
	case *RangeExpr:
		p.expr(x.Lo)
		p.s(" - ")
		p.expr(x.Hi)
	case *Concat:
		p.exprs(x.Parts, " . ")
	case *List:
		p.exprs(x.Elems, ",")
	case *MapLookup:
		p.expr(x.Key)
		p.s(" map ")
		p.expr(x.Map)
	case *Paren:
		p.s("(")
		p.expr(x.X)
		p.s(")")
	case nil:
		p.bad()
	default:
		p.bad()
	}
}

// exprs prints expressions separated by sep.
func (p *printer) exprs(xs []Expr, sep string) {
	for i, x := range xs {
		if i > 0 {
			p.s(sep)
		}
		p.expr(x)
	}
}

func (p *printer) setLit(x *SetLit) {
	if x.Var != nil {
		p.expr(x.Var)
		return
	}
	n := NumElems(x.Elems)
	if n == 0 {
		p.s("{ }")
		return
	}
	if n <= 8 {
		p.s("{ ")
		p.setElems(x.Elems, false)
		p.s(" }")
		return
	}
	// Long lists: one line per element (newlines are free inside sets).
	p.s("{")
	p.indent++
	p.setElems(x.Elems, true)
	p.indent--
	p.nl()
	p.s("}")
}

// setElems prints the elements of a set literal, the elements of its
// runs one by one: separated by ", ", or when lines is true each on its
// own line after a newline and all but the last followed by ",".
func (p *printer) setElems(elems []Expr, lines bool) {
	first := true
	sep := func() {
		switch {
		case lines && !first:
			p.s(",")
			p.nl()
		case lines:
			p.nl()
		case !first:
			p.s(", ")
		}
		first = false
	}
	for _, e := range elems {
		r, ok := e.(*ElemRun)
		if !ok {
			sep()
			p.expr(e)
			continue
		}
		for i := 0; i < r.Len(); i++ {
			sep()
			p.runElem(r, i)
		}
	}
}

// runElem prints element i of a run as the printer prints the node At(i)
// would give: as written, except that ranges get blanks around '-'.
func (p *printer) runElem(r *ElemRun, i int) {
	text := r.Text(i)
	if r.Form(i) != FormRange {
		p.s(text)
		return
	}
	dash := strings.IndexByte(text, '-') // the only '-' of a range of addresses or integers
	p.s(text[:dash])
	p.s(" - ")
	p.s(text[dash+1:])
}

func (p *printer) selector(x *Selector) {
	if len(x.Words) == 0 {
		p.bad()
		return
	}
	head := x.Words[0].Name
	words := x.Words
	switch {
	case strings.HasPrefix(head, "@"):
		// raw payload @base,offset,length
		for i, w := range words {
			if i > 0 {
				p.s(",")
			}
			p.s(w.Name)
		}
		return
	case head == "fib":
		p.s("fib ")
		for i, a := range x.Args() {
			if i > 0 {
				p.s(" . ")
			}
			p.s(a.Key)
		}
		for _, w := range words[1:] {
			p.s(" ")
			p.s(w.Name)
		}
		return
	case head == "jhash":
		p.s("jhash")
		p.args(x.Args(), true)
		return
	case head == "osf" || head == "ipsec":
		// Arguments come between the first words and the key:
		// osf ttl loose name, ipsec in spnum 1 reqid.
		split := 1
		if head == "ipsec" && len(words) > 1 {
			split = 2
		}
		for i, w := range words[:split] {
			if i > 0 {
				p.s(" ")
			}
			p.s(w.Name)
		}
		p.args(x.Args(), true)
		for _, w := range words[split:] {
			p.s(" ")
			p.s(w.Name)
		}
		return
	}
	for i, w := range words {
		switch {
		case i == 0:
		case strings.HasPrefix(w.Name, "["):
		case i >= 3 && strings.HasPrefix(words[i-2].Name, "@") && words[i-3].Name == "option" || i >= 2 && strings.HasPrefix(words[i-1].Name, "@") && words[i-2].Name == "option":
			p.s(",")
		default:
			p.s(" ")
		}
		p.s(w.Name)
	}
	p.args(x.Args(), true)
}
