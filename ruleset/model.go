// Package ruleset is the model every check looks at: the tables, chains,
// rules, sets and objects a ruleset produces once its commands are applied
// in order, as `nft -f` would apply them. It is built from parsed files
// (Build) or from the kernel (the live reader). Every element points back
// to the AST node that declared it, so findings have exact positions.
//
// The type names and fields below are a contract shared with the checks;
// builders may add fields, not rename them.
package ruleset

import "github.com/nftlint/nftlint/parser"

// Family is an address family ("ip", "ip6", "inet", "arp", "bridge", "netdev").
type Family = parser.Family

// Ruleset is the result of applying all commands.
type Ruleset struct {
	Files  *parser.FileSet
	ASTs   []*parser.AST // the files named on the command line, in order (includes hang off IncludeCmd.Files)
	Tables []*Table      // in creation order (tables deleted later are removed)

	// Flushes lists every `flush ruleset` and every flush/delete/destroy of
	// a table, in order, including ones whose table is re-created later.
	Flushes []*Flush

	// Defines lists every define/redefine with the uses of its name.
	Defines []*Define

	// Live is set when the ruleset was read from the kernel.
	Live bool

	// BuildErrors holds the errors Build reported (commands nft cannot
	// apply), kept so that checks (NFT200) need not build again. Only
	// meaningful when Built reports true. (Added for performance.)
	BuildErrors parser.ErrorList
	built       bool
}

// Built reports whether rs came from Build, so that BuildErrors is
// complete.
func (rs *Ruleset) Built() bool { return rs.built }

// Flush is a command that removes state: `flush ruleset`, `flush table`,
// `delete table`, `destroy table`, `flush chain`, `delete chain`…
type Flush struct {
	Cmd    *parser.Command
	Verb   parser.Verb
	Object parser.ObjectKind // ruleset, table, chain, set, map
	Family Family            // resolved (ip when omitted); "" for ruleset without family
	Table  string
	Name   string // chain/set name when Object is chain/set/map
}

// Define is a define/redefine binding and where it is used.
type Define struct {
	Cmd  *parser.DefineCmd
	Name string
	Uses []*parser.VarRef
}

// Table is one table.
type Table struct {
	Family Family
	Name   string
	Flags  []string // dormant, owner, persist

	Chains     []*Chain
	Sets       []*Set // sets and maps (Set.IsMap)
	Flowtables []*Flowtable
	Objects    []*Object

	// Decls are the commands that created or extended the table (the table
	// block, `add table`, and every later block that re-opens it).
	Decls []*parser.Command
}

// Chain returns the chain called name, or nil.
func (t *Table) Chain(name string) *Chain {
	for _, c := range t.Chains {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Set returns the set or map called name, or nil.
func (t *Table) Set(name string) *Set {
	for _, s := range t.Sets {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Flowtable returns the flowtable called name, or nil. (Added by the builder.)
func (t *Table) Flowtable(name string) *Flowtable {
	for _, f := range t.Flowtables {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Object returns the stateful object of the kind called name, or nil.
// (Added by the builder.)
func (t *Table) Object(kind parser.ObjectKind, name string) *Object {
	for _, o := range t.Objects {
		if o.Kind == kind && o.Name == name {
			return o
		}
	}
	return nil
}

// Hook numbers a chain hook.
type Hook string

const (
	HookPrerouting  Hook = "prerouting"
	HookInput       Hook = "input"
	HookForward     Hook = "forward"
	HookOutput      Hook = "output"
	HookPostrouting Hook = "postrouting"
	HookIngress     Hook = "ingress"
	HookEgress      Hook = "egress"
)

// BaseSpec is the resolved base-chain specification.
type BaseSpec struct {
	Type      string   // filter, nat, route
	Hook      Hook     // as written, lower case
	Priority  int      // resolved number (dstnat → -100, filter + 10 → 10, …)
	PrioName  string   // named priority as written ("filter", "dstnat"), "" when numeric
	PrioOK    bool     // false when the priority could not be resolved (bad name, undefined var)
	PrioErr   string   // (added by the builder) why PrioOK is false
	Devices   []string // device / devices
	Policy    string   // "accept" (default), "drop"
	PolicySet bool     // policy written explicitly

	Prop       *parser.Property // the `type … hook … priority …` item
	PolicyProp *parser.Property
}

// Chain is a base or regular chain.
type Chain struct {
	Table *Table
	Name  string
	Base  *BaseSpec // nil for a regular chain
	Rules []*Rule
	Flags []string
	Decls []*parser.Command // every command that declared or extended the chain
	// Anonymous is set for the chains built from `jump { … }` bodies.
	Anonymous bool
	// (added by the builder) For an anonymous chain: the rule whose
	// statement holds the body, and that statement.
	Origin *Rule
	Body   *parser.VerdictStmt

	// evals caches Evaluate's results per packet: several checks ask
	// the same questions of the same chain (added for performance).
	evals evalCache
}

// IsBase reports whether the chain is attached to a hook.
func (c *Chain) IsBase() bool { return c.Base != nil }

// Rule is one rule of a chain.
type Rule struct {
	Chain *Chain
	AST   *parser.Rule
	Cmd   *parser.Command // the add/insert command, nil for rules inside a chain block
	Stmts []parser.Stmt   // AST statements; $vars are bound (parser.VarRef.Value)
	// Handle is the kernel handle for live rulesets, 0 otherwise.
	Handle uint64
	// IptablesCompat is set on live rules that iptables-nft wrote (they
	// hold xt matches or targets) and can list back; always false for
	// files. (Added by the live reader.)
	IptablesCompat bool
	// Kinds are the node kinds in Stmts, for checks that skip rules
	// without what they look for; zero (unknown) for rules not made by
	// Build. (Added for performance.)
	Kinds NodeKinds
}

// Set is a named set or map.
type Set struct {
	Table     *Table
	Name      string
	IsMap     bool
	KeyType   parser.Expr
	DataType  parser.Expr
	Typeof    bool
	Flags     []string // constant, interval, timeout, dynamic
	AutoMerge bool
	Elements  []*Element
	Decls     []*parser.Command

	// Runs are the elements the parser kept packed (parser.ElemRun): a
	// million-address blocklist stays one run instead of a million
	// Elements. RunAt[i] is the number of Elements added before Runs[i],
	// so that All can list every element in the order it was added.
	// (Added for performance; iterate with All or Len when the order or
	// count matters.)
	Runs  []*parser.ElemRun
	RunAt []int
}

// Len returns the number of elements, packed or not.
func (s *Set) Len() int {
	n := len(s.Elements)
	for _, r := range s.Runs {
		n += r.Len()
	}
	return n
}

// ElemRef is one element of a set: an Element, or element I of a packed
// Run. It is a small value, so iterating a million elements allocates
// nothing.
type ElemRef struct {
	El  *Element
	Run *parser.ElemRun
	I   int
}

// Key returns the element's key; for a packed element it builds the AST
// node (one allocation), so hot paths read Run.Bounds or Run.Text instead.
func (r ElemRef) Key() parser.Expr {
	if r.Run != nil {
		return r.Run.At(r.I)
	}
	return r.El.Key
}

// Value returns the map data of the element (nil for sets and packed
// elements).
func (r ElemRef) Value() parser.Expr {
	if r.Run != nil {
		return nil
	}
	return r.El.Value
}

// All yields every element in the order it was added, the packed ones
// included; stop by returning false.
func (s *Set) All(yield func(ElemRef) bool) {
	next := 0 // Elements listed so far
	for k, run := range s.Runs {
		for ; next < s.RunAt[k] && next < len(s.Elements); next++ {
			if !yield(ElemRef{El: s.Elements[next]}) {
				return
			}
		}
		for i := range run.Len() {
			if !yield(ElemRef{Run: run, I: i}) {
				return
			}
		}
	}
	for ; next < len(s.Elements); next++ {
		if !yield(ElemRef{El: s.Elements[next]}) {
			return
		}
	}
}

// Element is one element of a named set or map. Large sets keep their
// elements compactly: Key is the parsed value, Node the AST element.
type Element struct {
	Key   parser.Expr
	Value parser.Expr // map data, nil for sets
	Node  parser.Expr
}

// Flowtable is a flowtable.
type Flowtable struct {
	Table    *Table
	Name     string
	Hook     string
	Priority int
	Devices  []string
	Decl     *parser.Command
}

// Object is a named stateful object (counter, quota, limit, ct helper, …).
type Object struct {
	Table *Table
	Kind  parser.ObjectKind
	Name  string
	Decl  *parser.Command
}

// Chunks yields the elements in the order they were added, a packed run
// at a time: either a slice of Elements (run nil) or one run (els nil).
// Checks that handle runs in bulk use it instead of All.
func (s *Set) Chunks(yield func(els []*Element, run *parser.ElemRun) bool) {
	next := 0
	for k, run := range s.Runs {
		at := min(max(s.RunAt[k], next), len(s.Elements))
		if at > next {
			if !yield(s.Elements[next:at], nil) {
				return
			}
			next = at
		}
		if !yield(nil, run) {
			return
		}
	}
	if next < len(s.Elements) {
		yield(s.Elements[next:], nil)
	}
}
