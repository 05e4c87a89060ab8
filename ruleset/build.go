package ruleset

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nftlint/nftlint/parser"
)

// CodeApply is the rule of the errors Build reports: a command that nft
// cannot apply to the ruleset the preceding commands produced (a rule
// for a chain that does not exist, `create` of an existing object,
// `delete` of a missing one). nft rejects the whole file with "No such
// file or directory" or "File exists".
const CodeApply = "NFT200"

// Build applies the commands of the loaded files in order, as `nft -f`
// applies them: tables, chains, sets and objects are created or merged,
// rules appended or inserted, and delete/destroy/flush remove what the
// earlier commands made. The files named on the command line are applied
// one after the other, like successive `nft -f` runs starting from an
// empty ruleset. The errors are commands that cannot be applied (CodeApply).
func Build(res *parser.LoadResult) (*Ruleset, parser.ErrorList) {
	b := &builder{
		rs:      &Ruleset{Files: res.Files, ASTs: res.ASTs},
		fset:    res.Files,
		tables:  make(map[tableKey]*Table),
		pending: make(map[*Chain]*parser.Property),
	}
	for _, d := range res.Definitions {
		name := ""
		if d.Cmd.Name != nil {
			name = d.Cmd.Name.Name
		}
		b.rs.Defines = append(b.rs.Defines, &Define{Cmd: d.Cmd, Name: name, Uses: d.Uses})
	}
	for _, ast := range res.ASTs {
		b.items(ast.Cmds, scope{})
	}
	b.finish()
	b.rs.BuildErrors, b.rs.built = b.errs, true
	return b.rs, b.errs
}

type tableKey struct {
	family Family
	name   string
}

// scope is where a command sits: at top level, or in the block of a
// table, chain, set/map, flowtable or object.
type scope struct {
	table     *Table
	chain     *Chain
	set       *Set
	flowtable *Flowtable
	object    *Object
}

type builder struct {
	rs     *Ruleset
	fset   *parser.FileSet
	errs   parser.ErrorList
	tables map[tableKey]*Table
	// pending holds policy items seen before the chain's hook spec; they
	// are applied once every command ran.
	pending map[*Chain]*parser.Property
	anon    int // anonymous chains made so far, for their names
	// rules is the slab newRule hands out Rules from.
	rules []Rule
}

// newRule returns a zero Rule from the builder's slab: tens of thousands
// of rules cost a few dozen allocations instead of one each.
func (b *builder) newRule() *Rule {
	if len(b.rules) == cap(b.rules) {
		b.rules = make([]Rule, 0, min(max(2*cap(b.rules), 16), 1024))
	}
	b.rules = b.rules[:len(b.rules)+1]
	return &b.rules[len(b.rules)-1]
}

// growRules makes room in ch.Rules for the rules of a block.
func growRules(ch *Chain, items []parser.Cmd) {
	n := 0
	for _, it := range items {
		if _, ok := it.(*parser.Rule); ok {
			n++
		}
	}
	ch.Rules = slices.Grow(ch.Rules, n)
}

func (b *builder) errorAt(n parser.Node, format string, args ...any) {
	b.errs = append(b.errs, &parser.Error{
		Pos:  b.fset.Position(n.Pos()),
		End:  b.fset.Position(n.End()),
		Msg:  fmt.Sprintf(format, args...),
		Code: CodeApply,
	})
}

// items applies the commands and block items of one file or block.
func (b *builder) items(items []parser.Cmd, sc scope) {
	for _, it := range items {
		switch it := it.(type) {
		case *parser.IncludeCmd:
			for _, f := range it.Files {
				b.items(f.Cmds, sc)
			}
		case *parser.Command:
			b.command(it, sc)
		case *parser.Property:
			b.property(it, sc)
		case *parser.Rule:
			if sc.chain != nil {
				b.appendRule(sc.chain, it, nil, -1)
			}
		}
	}
}

// family returns the command's family: as written, else the enclosing
// table's, else ip.
func family(c *parser.Command, sc scope) Family {
	if c.Family != parser.FamilyNone {
		return c.Family
	}
	if sc.table != nil && c.Table == nil {
		return sc.table.Family
	}
	return parser.FamilyIP
}

func identName(id *parser.Ident) string {
	if id == nil {
		return ""
	}
	return id.Name
}

// lookupTable finds the table a command names (or the enclosing one).
func (b *builder) lookupTable(c *parser.Command, sc scope) (*Table, Family, string) {
	if c.Table == nil && sc.table != nil {
		return sc.table, sc.table.Family, sc.table.Name
	}
	fam := family(c, sc)
	name := identName(c.Table)
	return b.tables[tableKey{fam, name}], fam, name
}

func (b *builder) command(c *parser.Command, sc scope) {
	switch c.Object {
	case parser.ObjRuleset:
		if c.Verb == parser.VerbFlush {
			b.flushRuleset(c)
		}
	case parser.ObjTable:
		b.tableCmd(c, sc)
	case parser.ObjChain:
		b.chainCmd(c, sc)
	case parser.ObjRule:
		b.ruleCmd(c, sc)
	case parser.ObjSet, parser.ObjMap:
		b.setCmd(c, sc)
	case parser.ObjElement:
		b.elementCmd(c, sc)
	case parser.ObjFlowtable:
		b.flowtableCmd(c, sc)
	case parser.ObjCounter, parser.ObjQuota, parser.ObjLimit, parser.ObjCtHelper,
		parser.ObjCtTimeout, parser.ObjCtExpectation, parser.ObjSecmark,
		parser.ObjSynproxy, parser.ObjTunnel:
		b.objectCmd(c, sc)
	}
}

// isAdd reports whether a verb creates or extends (the implicit verb is add).
func isAdd(v parser.Verb) bool {
	return v == "" || v == parser.VerbAdd || v == parser.VerbCreate
}

func isRemove(v parser.Verb) bool {
	return v == parser.VerbDelete || v == parser.VerbDestroy
}

// ---------------------------------------------------------------------------
// ruleset and tables

func (b *builder) flushRuleset(c *parser.Command) {
	b.rs.Flushes = append(b.rs.Flushes, &Flush{Cmd: c, Verb: c.Verb, Object: parser.ObjRuleset, Family: c.Family})
	kept := b.rs.Tables[:0]
	for _, t := range b.rs.Tables {
		if c.Family != parser.FamilyNone && t.Family != c.Family {
			kept = append(kept, t)
			continue
		}
		delete(b.tables, tableKey{t.Family, t.Name})
	}
	clear(b.rs.Tables[len(kept):])
	b.rs.Tables = kept
}

func (b *builder) tableCmd(c *parser.Command, sc scope) {
	fam := family(c, sc)
	name := identName(c.Name)
	if name == "" {
		name = identName(c.Table)
	}
	key := tableKey{fam, name}
	t := b.tables[key]
	switch {
	case isAdd(c.Verb):
		if t == nil {
			t = &Table{Family: fam, Name: name}
			b.tables[key] = t
			b.rs.Tables = append(b.rs.Tables, t)
		} else if c.Verb == parser.VerbCreate {
			b.errorAt(c, "create table %s %s: the table already exists, so nft fails with \"File exists\"; use add (or a table block) to extend it", fam, name)
		}
		t.Decls = append(t.Decls, c)
		if c.Body != nil {
			b.items(c.Body.Items, scope{table: t})
		}
	case isRemove(c.Verb) || c.Verb == parser.VerbFlush:
		b.rs.Flushes = append(b.rs.Flushes, &Flush{Cmd: c, Verb: c.Verb, Object: parser.ObjTable, Family: fam, Table: name})
		if t == nil {
			if c.Verb == parser.VerbDelete || c.Verb == parser.VerbFlush {
				b.missing(c, "table", fam, name)
			}
			return
		}
		if c.Verb == parser.VerbFlush {
			for _, ch := range t.Chains {
				ch.Rules = nil
			}
			return
		}
		b.removeTable(t)
	}
}

func (b *builder) removeTable(t *Table) {
	delete(b.tables, tableKey{t.Family, t.Name})
	for i, x := range b.rs.Tables {
		if x == t {
			b.rs.Tables = append(b.rs.Tables[:i], b.rs.Tables[i+1:]...)
			return
		}
	}
}

// missing reports a command whose table or object does not exist.
func (b *builder) missing(c *parser.Command, what string, fam Family, name string) {
	b.errorAt(c, "%s %s: %s %s does not exist at this point, so nft fails with \"No such file or directory\"; create it first, or use destroy to ignore a missing object",
		strings.TrimSpace(string(c.Verb)+" "+string(c.Object)), name, what, qualified(fam, name))
}

func qualified(fam Family, name string) string {
	return string(fam) + " " + name
}

// needTable returns the table a command refers to, reporting it missing.
func (b *builder) needTable(c *parser.Command, sc scope) *Table {
	t, fam, name := b.lookupTable(c, sc)
	if t == nil {
		b.errorAt(c, "table %s does not exist at this point, so nft fails with \"No such file or directory\"; create the table first", qualified(fam, name))
	}
	return t
}

// ---------------------------------------------------------------------------
// chains and rules

func (b *builder) chainCmd(c *parser.Command, sc scope) {
	name := identName(c.Name)
	if isAdd(c.Verb) {
		t := b.needTable(c, sc)
		if t == nil {
			return
		}
		ch := t.Chain(name)
		if ch == nil {
			ch = &Chain{Table: t, Name: name}
			t.Chains = append(t.Chains, ch)
		} else if c.Verb == parser.VerbCreate {
			b.errorAt(c, "create chain %s: the chain already exists, so nft fails with \"File exists\"; use add to extend it", name)
		}
		ch.Decls = append(ch.Decls, c)
		if c.Body != nil {
			growRules(ch, c.Body.Items)
			b.items(c.Body.Items, scope{table: t, chain: ch})
		}
		return
	}
	t, fam, tname := b.lookupTable(c, sc)
	switch c.Verb {
	case parser.VerbDelete, parser.VerbDestroy, parser.VerbFlush:
		b.rs.Flushes = append(b.rs.Flushes, &Flush{Cmd: c, Verb: c.Verb, Object: parser.ObjChain, Family: fam, Table: tname, Name: name})
		var ch *Chain
		if t != nil {
			ch = t.Chain(name)
		}
		if ch == nil {
			if c.Verb != parser.VerbDestroy && c.Name != nil {
				b.missing(c, "chain", fam, tname+" "+name)
			}
			return
		}
		if c.Verb == parser.VerbFlush {
			ch.Rules = nil
			return
		}
		if c.Verb == parser.VerbDelete && c.Body != nil {
			return // deletes devices from a netdev chain, not the chain
		}
		for i, x := range t.Chains {
			if x == ch {
				t.Chains = append(t.Chains[:i], t.Chains[i+1:]...)
				break
			}
		}
	case parser.VerbRename:
		if t == nil {
			return
		}
		if ch := t.Chain(name); ch != nil && c.NewName != nil {
			ch.Name = c.NewName.Name
			ch.Decls = append(ch.Decls, c)
		} else if ch == nil {
			b.missing(c, "chain", fam, tname+" "+name)
		}
	}
}

func (b *builder) ruleCmd(c *parser.Command, sc scope) {
	t, fam, tname := b.lookupTable(c, sc)
	chainName := identName(c.Name)
	var ch *Chain
	if t != nil {
		ch = t.Chain(chainName)
	}
	switch c.Verb {
	case "", parser.VerbAdd, parser.VerbInsert, parser.VerbReplace, parser.VerbCreate:
		if ch == nil {
			if t == nil {
				b.missing(c, "table", fam, tname)
			} else {
				b.missing(c, "chain", fam, tname+" "+chainName)
			}
			return
		}
		if c.Rule == nil {
			return
		}
		b.appendRule(ch, c.Rule, c, b.rulePosition(c, ch))
	case parser.VerbDelete, parser.VerbDestroy:
		// Rules are deleted by handle, which only the kernel knows.
	}
}

// rulePosition returns the index a rule command inserts at (-1: append).
// Handles are assigned by the kernel and unknown in a file, so `handle`
// and `position` fall back to the chain's end (add) or start (insert);
// `index N` is honoured.
func (b *builder) rulePosition(c *parser.Command, ch *Chain) int {
	insert := c.Verb == parser.VerbInsert
	if c.HandleKind == "index" && c.Handle != nil {
		n := int(c.Handle.Value)
		if !insert {
			n++ // add … index N places the rule after rule N
		}
		if n >= 0 && n <= len(ch.Rules) {
			return n
		}
	}
	if insert {
		return 0
	}
	return -1
}

// appendRule adds a rule at index at (-1: the end) and builds the
// anonymous chains of its `jump { … }` statements.
func (b *builder) appendRule(ch *Chain, ast *parser.Rule, c *parser.Command, at int) {
	r := b.newRule()
	*r = Rule{Chain: ch, AST: ast, Cmd: c, Stmts: ast.Stmts, Kinds: stmtKinds(ast.Stmts)}
	if at < 0 || at >= len(ch.Rules) {
		ch.Rules = append(ch.Rules, r)
	} else {
		ch.Rules = append(ch.Rules, nil)
		copy(ch.Rules[at+1:], ch.Rules[at:])
		ch.Rules[at] = r
	}
	b.anonChains(ch.Table, r, ast.Stmts)
}

// anonChains makes a Chain for every `jump { … }` / `goto { … }` body.
func (b *builder) anonChains(t *Table, origin *Rule, stmts []parser.Stmt) {
	for _, s := range stmts {
		v, ok := s.(*parser.VerdictStmt)
		if !ok || v.Chain == nil {
			continue
		}
		b.anon++
		ac := &Chain{Table: t, Name: fmt.Sprintf("__chain%d", b.anon-1), Anonymous: true, Origin: origin, Body: v}
		t.Chains = append(t.Chains, ac)
		growRules(ac, v.Chain.Items)
		for _, it := range v.Chain.Items {
			if r, ok := it.(*parser.Rule); ok {
				b.appendRule(ac, r, nil, -1)
			}
		}
	}
}

// ---------------------------------------------------------------------------
// sets, maps and elements

func (b *builder) setCmd(c *parser.Command, sc scope) {
	name := identName(c.Name)
	if isAdd(c.Verb) {
		t := b.needTable(c, sc)
		if t == nil {
			return
		}
		s := t.Set(name)
		if s == nil {
			s = &Set{Table: t, Name: name, IsMap: c.Object == parser.ObjMap}
			t.Sets = append(t.Sets, s)
		} else if c.Verb == parser.VerbCreate {
			b.errorAt(c, "create %s %s: it already exists, so nft fails with \"File exists\"; use add to extend it", c.Object, name)
		}
		s.Decls = append(s.Decls, c)
		if c.Body != nil {
			b.items(c.Body.Items, scope{table: t, set: s})
		}
		return
	}
	if !isRemove(c.Verb) && c.Verb != parser.VerbFlush {
		return
	}
	t, fam, tname := b.lookupTable(c, sc)
	b.rs.Flushes = append(b.rs.Flushes, &Flush{Cmd: c, Verb: c.Verb, Object: c.Object, Family: fam, Table: tname, Name: name})
	var s *Set
	if t != nil {
		s = t.Set(name)
	}
	if s == nil {
		if c.Verb != parser.VerbDestroy && c.Name != nil {
			b.missing(c, string(c.Object), fam, tname+" "+name)
		}
		return
	}
	if c.Verb == parser.VerbFlush {
		s.Elements, s.Runs, s.RunAt = nil, nil, nil
		return
	}
	for i, x := range t.Sets {
		if x == s {
			t.Sets = append(t.Sets[:i], t.Sets[i+1:]...)
			break
		}
	}
}

func (b *builder) elementCmd(c *parser.Command, sc scope) {
	t, fam, tname := b.lookupTable(c, sc)
	name := identName(c.Name)
	var s *Set
	if t != nil {
		s = t.Set(name)
	}
	if s == nil {
		if c.Verb != parser.VerbDestroy && c.Verb != parser.VerbGet && c.Verb != parser.VerbReset {
			b.missing(c, "set", fam, tname+" "+name)
		}
		return
	}
	switch {
	case isAdd(c.Verb):
		s.Decls = append(s.Decls, c)
		addElements(s, c.Elements)
	case isRemove(c.Verb):
		b.removeElements(s, c.Elements)
	}
}

// addElements adds the elements of a literal to s, flattening nested set
// literals and $variables holding sets, without building strings: each
// Element points into the AST. Elements are allocated in one slab; the
// parser's packed runs are kept as they are (Set.Runs), not expanded.
func addElements(s *Set, lit *parser.SetLit) {
	var runs []*parser.ElemRun
	var runAt []int // slab elements before each run
	slab := flattenElements(lit, &runs, &runAt)
	base := len(s.Elements)
	for k, r := range runs {
		s.Runs = append(s.Runs, r)
		s.RunAt = append(s.RunAt, base+runAt[k])
	}
	s.Elements = slices.Grow(s.Elements, len(slab))
	for i := range slab {
		s.Elements = append(s.Elements, &slab[i])
	}
}

// flattenElements lists the elements of lit that are not packed, in one
// slab, and appends its packed runs to runs with, in runAt, the number
// of slab elements listed before each.
func flattenElements(lit *parser.SetLit, runs *[]*parser.ElemRun, runAt *[]int) []Element {
	slab := make([]Element, 0, countElements(lit, 0))
	var add func(x parser.Expr, depth int)
	add = func(x parser.Expr, depth int) {
		if depth > maxElementNesting {
			return
		}
		switch e := x.(type) {
		case *parser.SetLit:
			if e == nil {
				return // `add element t s` without a list (a syntax error)
			}
			if e.Var != nil {
				add(e.Var, depth+1)
			}
			for _, el := range e.Elems {
				add(el, depth+1)
			}
			return
		case *parser.VarRef:
			if e.Value != nil {
				if inner, ok := e.Value.(*parser.SetLit); ok {
					add(inner, depth+1)
					return
				}
			}
		case *parser.ElemRun:
			if e.Len() > 0 {
				*runs = append(*runs, e)
				*runAt = append(*runAt, len(slab))
			}
			return
		}
		el := Element{Node: x, Key: x}
		if m, ok := x.(*parser.MapElem); ok {
			el.Key, el.Value = m.Key, m.Value
		}
		if e, ok := el.Key.(*parser.Elem); ok {
			el.Key = e.Value
		}
		slab = append(slab, el)
	}
	add(lit, 0)
	return slab
}

// maxElementNesting bounds how deep set literals and variables are
// flattened (the loader caps expansion; this guards the recursion).
const maxElementNesting = 64

func countElements(x parser.Expr, depth int) int {
	if depth > maxElementNesting {
		return 0
	}
	switch e := x.(type) {
	case *parser.SetLit:
		if e == nil {
			return 0
		}
		n := 0
		if e.Var != nil {
			n += countElements(e.Var, depth+1)
		}
		for _, el := range e.Elems {
			n += countElements(el, depth+1)
		}
		return n
	case *parser.VarRef:
		if inner, ok := e.Value.(*parser.SetLit); ok {
			return countElements(inner, depth+1)
		}
	case *parser.ElemRun:
		return 0 // kept packed
	}
	return 1
}

// removeElements drops the elements a delete command names, comparing
// keys by their source text. A packed run that loses an element is
// expanded into Elements (deleting from a large set is rare).
func (b *builder) removeElements(s *Set, lit *parser.SetLit) {
	gone := make(map[string]bool)
	var runs []*parser.ElemRun
	var runAt []int
	for _, e := range flattenElements(lit, &runs, &runAt) {
		gone[b.text(e.Key)] = true
	}
	for _, r := range runs {
		for i := range r.Len() {
			gone[r.Text(i)] = true
		}
	}
	var kept []*Element
	var keptRuns []*parser.ElemRun
	var keptAt []int
	for ref := range s.All {
		if ref.Run == nil {
			if !gone[b.text(ref.El.Key)] {
				kept = append(kept, ref.El)
			}
			continue
		}
		if ref.I > 0 {
			continue // the run was handled at its first element
		}
		if !runHitsAny(ref.Run, gone) {
			keptRuns = append(keptRuns, ref.Run)
			keptAt = append(keptAt, len(kept))
			continue
		}
		for i := range ref.Run.Len() {
			if !gone[ref.Run.Text(i)] {
				x := ref.Run.At(i)
				kept = append(kept, &Element{Key: x, Node: x})
			}
		}
	}
	s.Elements, s.Runs, s.RunAt = kept, keptRuns, keptAt
}

// runHitsAny reports whether an element of r is written as one of the
// texts in set.
func runHitsAny(r *parser.ElemRun, set map[string]bool) bool {
	for i := range r.Len() {
		if set[r.Text(i)] {
			return true
		}
	}
	return false
}

// text returns the source text of a node, with blanks removed so that
// `1.2.3.4 - 1.2.3.9` and `1.2.3.4-1.2.3.9` compare equal.
func (b *builder) text(n parser.Node) string {
	if v, ok := n.(*parser.VarRef); ok && v.Value != nil {
		n = v.Value
	}
	f := b.fset.File(n.Pos())
	if f == nil {
		return ""
	}
	from, to := f.Offset(n.Pos()), f.Offset(n.End())
	if from < 0 || to > f.Size() || from > to {
		return ""
	}
	return strings.Join(strings.Fields(string(f.Source()[from:to])), "")
}

// ---------------------------------------------------------------------------
// flowtables and stateful objects

func (b *builder) flowtableCmd(c *parser.Command, sc scope) {
	name := identName(c.Name)
	t, fam, tname := b.lookupTable(c, sc)
	if isAdd(c.Verb) {
		if t == nil {
			b.missing(c, "table", fam, tname)
			return
		}
		ft := t.Flowtable(name)
		if ft == nil {
			ft = &Flowtable{Table: t, Name: name, Decl: c}
			t.Flowtables = append(t.Flowtables, ft)
		}
		if c.Body != nil {
			b.items(c.Body.Items, scope{table: t, flowtable: ft})
		}
		return
	}
	if isRemove(c.Verb) && t != nil {
		for i, ft := range t.Flowtables {
			if ft.Name == name {
				t.Flowtables = append(t.Flowtables[:i], t.Flowtables[i+1:]...)
				return
			}
		}
	}
}

func (b *builder) objectCmd(c *parser.Command, sc scope) {
	name := identName(c.Name)
	t, fam, tname := b.lookupTable(c, sc)
	if isAdd(c.Verb) {
		if t == nil {
			b.missing(c, "table", fam, tname)
			return
		}
		o := t.Object(c.Object, name)
		if o == nil {
			o = &Object{Table: t, Kind: c.Object, Name: name, Decl: c}
			t.Objects = append(t.Objects, o)
		}
		if c.Body != nil {
			b.items(c.Body.Items, scope{table: t, object: o})
		}
		return
	}
	if isRemove(c.Verb) && t != nil {
		for i, o := range t.Objects {
			if o.Kind == c.Object && o.Name == name {
				t.Objects = append(t.Objects[:i], t.Objects[i+1:]...)
				return
			}
		}
	}
}

// ---------------------------------------------------------------------------
// block properties

func (b *builder) property(p *parser.Property, sc scope) {
	switch {
	case sc.chain != nil:
		b.chainProperty(sc.chain, p)
	case sc.set != nil:
		setProperty(sc.set, p)
	case sc.flowtable != nil:
		flowtableProperty(sc.flowtable, p)
	case sc.object != nil:
		// Object settings stay in the AST (Object.Decl).
	case sc.table != nil:
		if p.Key == "flags" {
			sc.table.Flags = appendWords(sc.table.Flags, p.Value)
		}
	}
}

func (b *builder) chainProperty(ch *Chain, p *parser.Property) {
	switch p.Key {
	case "type":
		fam := ch.Table.Family
		base := &BaseSpec{Type: identName(p.ChainType), Hook: Hook(strings.ToLower(identName(p.Hook))), Policy: "accept", Prop: p}
		if old := ch.Base; old != nil && old.PolicySet {
			base.Policy, base.PolicySet, base.PolicyProp = old.Policy, true, old.PolicyProp
		}
		if p.Priority != nil {
			prio := ResolvePriority(fam, base.Hook, p.Priority)
			base.Priority, base.PrioName, base.PrioOK, base.PrioErr = prio.Value, prio.Name, prio.OK, prio.Err
		} else {
			base.PrioErr = "no priority"
		}
		if p.Device != nil {
			base.Devices = appendWords(nil, p.Device)
		}
		if old := ch.Base; old != nil && base.Devices == nil {
			base.Devices = old.Devices
		}
		ch.Base = base
	case "policy":
		b.pending[ch] = p
		if ch.Base != nil {
			applyPolicy(ch.Base, p)
		}
	case "devices", "device":
		dev := p.Value
		if dev == nil {
			dev = p.Device
		}
		if ch.Base != nil {
			ch.Base.Devices = appendWords(ch.Base.Devices, dev)
		}
	case "flags":
		ch.Flags = appendWords(ch.Flags, p.Value)
	}
}

func applyPolicy(base *BaseSpec, p *parser.Property) {
	x := p.Policy
	if x == nil {
		x = p.Value
	}
	if w := valueWords(x); len(w) == 1 {
		base.Policy = strings.ToLower(w[0])
	}
	base.PolicySet, base.PolicyProp = true, p
}

func setProperty(s *Set, p *parser.Property) {
	switch p.Key {
	case "type", "typeof":
		s.KeyType, s.DataType, s.Typeof = p.KeyType, p.Data, p.Key == "typeof"
		if p.Data != nil {
			s.IsMap = true
		}
	case "flags":
		s.Flags = appendWords(s.Flags, p.Value)
	case "auto-merge":
		s.AutoMerge = true
	case "elements":
		if lit, ok := p.Value.(*parser.SetLit); ok {
			addElements(s, lit)
		} else if v, ok := p.Value.(*parser.VarRef); ok {
			addElements(s, &parser.SetLit{Var: v})
		}
	}
}

func flowtableProperty(ft *Flowtable, p *parser.Property) {
	switch p.Key {
	case "hook":
		ft.Hook = identName(p.Hook)
		if p.Priority != nil {
			prio := ResolvePriority(ft.Table.Family, Hook(ft.Hook), p.Priority)
			ft.Priority = prio.Value
		}
	case "devices", "device":
		dev := p.Value
		if dev == nil {
			dev = p.Device
		}
		ft.Devices = appendWords(ft.Devices, dev)
	}
}

// finish applies policies written before their chain's hook spec.
func (b *builder) finish() {
	for ch, p := range b.pending {
		if ch.Base != nil && ch.Base.PolicyProp != p {
			applyPolicy(ch.Base, p)
		}
	}
}

func appendWords(dst []string, x parser.Expr) []string {
	return append(dst, valueWords(x)...)
}

// valueWords returns the words and strings of a value: a word, a quoted
// string, a comma list, a `{ … }` list, or a $variable holding one.
func valueWords(x parser.Expr) []string {
	switch x := x.(type) {
	case nil:
		return nil
	case *parser.Literal:
		return []string{x.Text}
	case *parser.StringLit:
		return []string{x.Value}
	case *parser.Selector:
		if len(x.Words) == 1 && len(x.Args()) == 0 {
			return []string{x.Words[0].Name}
		}
	case *parser.VarRef:
		if x.Value != nil {
			return valueWords(x.Value)
		}
	case *parser.List:
		var out []string
		for _, e := range x.Elems {
			out = append(out, valueWords(e)...)
		}
		return out
	case *parser.SetLit:
		var out []string
		if x.Var != nil {
			out = append(out, valueWords(x.Var)...)
		}
		for _, e := range x.Elems {
			out = append(out, valueWords(e)...)
		}
		return out
	case *parser.Verdict:
		return []string{x.Kind}
	case *parser.ElemRun:
		// Packed addresses are literals (their text); numbers are not words.
		if x.Family() == parser.RunNumber {
			return nil
		}
		var out []string
		for i := range x.Len() {
			if x.Form(i) == parser.FormSingle {
				out = append(out, x.Text(i))
			}
		}
		return out
	}
	return nil
}
