package parser

// Allocation batches. A ruleset of 50,000 rules is a million small nodes
// (names, selectors, statements, literals) and as many small slices;
// allocated one by one they make the parser spend half its time in the
// allocator and the garbage collector. The parser therefore hands out
// nodes from slabs (arrays of nodes of one type) and builds slices on
// reused stacks, copying each out once at its exact size into a shared
// backing array. The AST is the same: every node is a distinct object and
// every slice has its exact length (and capacity, so that an append by a
// consumer copies instead of writing into a neighbour's elements).
//
// A slab is garbage only once every node in it is; the AST of a file
// keeps all of them anyway.

// maxSlab is the largest batch of values allocated at once; batches start
// small so that short files do not pay for big ones.
const maxSlab = 1024

// slab hands out values of one type from batches that double in size up
// to maxSlab.
type slab[T any] struct {
	free []T
	size int // size of the last batch
}

// refill starts a new batch with room for at least n values.
func (s *slab[T]) refill(n int) {
	s.size = min(max(2*s.size, 8), maxSlab)
	s.free = make([]T, max(s.size, n))
}

// take returns a new zero value.
func (s *slab[T]) take() *T {
	if len(s.free) == 0 {
		s.refill(1)
	}
	x := &s.free[0]
	s.free = s.free[1:]
	// Write the value before any read: a node's setters read it (a
	// selector's extra fields), and a read of a page never written
	// maps the shared zero page, whose replacement on the first write
	// makes the kernel flush the TLB of every core running the process.
	var zero T
	*x = zero
	return x
}

// reserve returns an empty slice with room for n values.
func (s *slab[T]) reserve(n int) []T {
	if n > len(s.free) {
		s.refill(n)
	}
	out := s.free[:0:n]
	s.free = s.free[n:]
	return out
}

// carve returns a copy of xs with length and capacity len(xs), nil for
// none. Long slices get an array of their own.
func (s *slab[T]) carve(xs []T) []T {
	n := len(xs)
	switch {
	case n == 0:
		return nil
	case n > maxSlab/8:
		out := make([]T, n)
		copy(out, xs)
		return out
	case n > len(s.free):
		s.refill(n)
	}
	out := s.free[:n:n]
	s.free = s.free[n:]
	copy(out, xs)
	return out
}

// nodeSlabs are the parser's batches of nodes and slice elements.
type nodeSlabs struct {
	literals    slab[Literal]
	numbers     slab[Number]
	prefixes    slab[Prefix]
	idents      slab[Ident]
	selectors   slab[Selector]
	rules       slab[Rule]
	matches     slab[MatchStmt]
	verdicts    slab[VerdictStmt]
	keywords    slab[KeywordStmt]
	args        slab[Arg]
	stringLits  slab[StringLit]
	binaries    slab[Binary]
	concats     slab[Concat]
	lists       slab[List]
	setRefs     slab[SetRef]
	varRefs     slab[VarRef]
	verdictVals slab[Verdict]
	rejects     slab[RejectStmt]
	nats        slab[NatStmt]
	setStmts    slab[SetStmt]
	vmaps       slab[VmapStmt]
	mapLookups  slab[MapLookup]
	parens      slab[Paren]
	ranges      slab[RangeExpr]
	masks       slab[Mask]
	commands    slab[Command]
	properties  slab[Property]
	blocks      slab[Block]

	cmdSlices   slab[Cmd]   // Block.Items
	identSlices slab[Ident] // Selector.Words, NatStmt.Flags
	stmtSlices  slab[Stmt]  // Rule.Stmts
	exprSlices  slab[Expr]  // Concat.Parts, List.Elems
	argSlices   slab[*Arg]  // KeywordStmt.Args
}

// node returns a copy of v from slab s.
func node[T any](s *slab[T], v T) *T {
	x := s.take()
	*x = v
	return x
}

// newLiteral returns a zero Literal from the current slab.
func (p *parser) newLiteral() *Literal { return p.slabs.literals.take() }

// newNumber returns a zero Number from the current slab.
func (p *parser) newNumber() *Number { return p.slabs.numbers.take() }

// newPrefix returns a zero Prefix from the current slab.
func (p *parser) newPrefix() *Prefix { return p.slabs.prefixes.take() }

// newArg returns a zero Arg from the current slab.
func (p *parser) newArg() *Arg { return p.slabs.args.take() }

// arg, binary, setRefNode and varRefNode return a copy of their argument
// from the current slab.
func (p *parser) arg(a Arg) *Arg {
	x := p.slabs.args.take()
	*x = a
	return x
}

func (p *parser) binary(b Binary) *Binary {
	x := p.slabs.binaries.take()
	*x = b
	return x
}

func (p *parser) setRefNode(r SetRef) *SetRef {
	x := p.slabs.setRefs.take()
	*x = r
	return x
}

func (p *parser) varRefNode(v VarRef) *VarRef {
	x := p.slabs.varRefs.take()
	*x = v
	return x
}

// appendArg appends a to *args, which it starts with room for two from
// the slab: most statements have one or two arguments.
func (p *parser) appendArg(args *[]*Arg, a *Arg) {
	if *args == nil {
		*args = p.slabs.argSlices.reserve(2)
	}
	*args = append(*args, a)
}

// Stacks. A list under construction collects on one of the parser's
// stacks from a base index; a nested list of the same kind (a selector
// inside a jhash selector, a rule inside an anonymous chain) collects
// above it and is popped before the outer one continues. Popped slots
// are not cleared: they point into the AST, which outlives the parser.

// popCmds returns p.items[base:] at its exact size and pops it.
func (p *parser) popCmds(base int) []Cmd {
	out := p.slabs.cmdSlices.carve(p.items[base:])
	p.items = p.items[:base]
	return out
}

// popIdents returns p.words[base:] at its exact size and pops it.
func (p *parser) popIdents(base int) []Ident {
	out := p.slabs.identSlices.carve(p.words[base:])
	p.words = p.words[:base]
	return out
}

// popStmts returns p.stmts[base:] at its exact size and pops it.
func (p *parser) popStmts(base int) []Stmt {
	out := p.slabs.stmtSlices.carve(p.stmts[base:])
	p.stmts = p.stmts[:base]
	return out
}

// popExprs returns p.exprs[base:] at its exact size and pops it.
func (p *parser) popExprs(base int) []Expr {
	out := p.slabs.exprSlices.carve(p.exprs[base:])
	p.exprs = p.exprs[:base]
	return out
}

// popArgs returns p.argStack[base:] at its exact size and pops it.
func (p *parser) popArgs(base int) []*Arg {
	out := p.slabs.argSlices.carve(p.argStack[base:])
	p.argStack = p.argStack[:base]
	return out
}
