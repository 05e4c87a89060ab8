package parser

// Inspect traverses the AST rooted at node in depth-first order, like
// go/ast.Inspect: it calls f(node); if f returns true, Inspect visits
// each child of node, then calls f(nil).
//
// It does not descend into VarRef.Value (the definition's value, which
// belongs to the DefineCmd and would be visited once per use) nor into
// IncludeCmd.Files (other files); callers that want them follow those
// fields themselves.
func Inspect(node Node, f func(Node) bool) {
	if IsNilNode(node) || !f(node) {
		return
	}
	eachChild(node, func(n Node) { Inspect(n, f) })
	f(nil)
}

// IsNilNode reports whether n is nil or a typed nil pointer, so that
// optional fields (Command.Table, Property.Priority, …) can be passed
// without checks.
func IsNilNode(n Node) bool {
	switch x := n.(type) {
	case nil:
		return true
	case *Ident:
		return x == nil
	case *Number:
		return x == nil
	case *StringLit:
		return x == nil
	case *SetLit:
		return x == nil
	case *Block:
		return x == nil
	case *Rule:
		return x == nil
	case *VarRef:
		return x == nil
	case *Command:
		return x == nil
	case *Arg:
		return x == nil
	case *Comment:
		return x == nil
	case *AST:
		return x == nil
	case *Selector:
		return x == nil
	case *Literal:
		return x == nil
	case *ElemRun:
		return x == nil
	case *DefineCmd:
		return x == nil
	case *IncludeCmd:
		return x == nil
	case *Property:
		return x == nil
	}
	return false
}

// eachChild calls fn for every direct child of n, in source order. Nil
// children are passed through and filtered by Inspect.
func eachChild(n Node, fn func(Node)) {
	args := func(as []*Arg) {
		for _, a := range as {
			fn(a)
		}
	}
	exprs := func(xs []Expr) {
		for _, x := range xs {
			fn(x)
		}
	}
	stmts := func(ss []Stmt) {
		for _, s := range ss {
			fn(s)
		}
	}
	switch x := n.(type) {
	case *AST:
		for _, c := range x.Cmds {
			fn(c)
		}
	case *Command:
		fn(x.Table)
		fn(x.Name)
		fn(x.NewName)
		if x.Handle != nil {
			fn(x.Handle)
		}
		fn(x.Body)
		fn(x.Rule)
		fn(x.Elements)
		if x.Expr != nil {
			fn(x.Expr)
		}
	case *IncludeCmd:
		fn(x.Path)
	case *DefineCmd:
		fn(x.Name)
		if x.Value != nil {
			fn(x.Value)
		}
	case *Block:
		for _, c := range x.Items {
			fn(c)
		}
	case *Property:
		fn(x.ChainType)
		fn(x.Hook)
		if x.Device != nil {
			fn(x.Device)
		}
		if x.Priority != nil {
			fn(x.Priority)
		}
		if x.Policy != nil {
			fn(x.Policy)
		}
		if x.KeyType != nil {
			fn(x.KeyType)
		}
		if x.Data != nil {
			fn(x.Data)
		}
		if x.Value != nil {
			fn(x.Value)
		}
		args(x.Args)
		stmts(x.Stmts)
		fn(x.Body)
	case *Arg:
		if x.Value != nil {
			fn(x.Value)
		}
	case *Rule:
		stmts(x.Stmts)
		fn(x.Comment)
	case *MatchStmt:
		fn(x.Left)
		fn(x.Right)
	case *VerdictStmt:
		if x.Target != nil {
			fn(x.Target)
		}
		fn(x.Chain)
	case *VmapStmt:
		fn(x.Key)
		fn(x.Map)
	case *SetStmt:
		fn(x.Target)
		fn(x.Value)
	case *NatStmt:
		if x.Addr != nil {
			fn(x.Addr)
		}
		if x.Port != nil {
			fn(x.Port)
		}
		for i := range x.Flags {
			fn(&x.Flags[i])
		}
	case *RejectStmt:
		if x.Code != nil {
			fn(x.Code)
		}
	case *SetUpdateStmt:
		if x.Set != nil {
			fn(x.Set)
		}
		if x.Key != nil {
			fn(x.Key)
		}
		args(x.Opts)
		stmts(x.Stmts)
		if x.Value != nil {
			fn(x.Value)
		}
	case *KeywordStmt:
		args(x.Args)
	case *Selector:
		for i := range x.Words {
			fn(&x.Words[i])
		}
		args(x.Args())
	case *SetLit:
		exprs(x.Elems) // an *ElemRun among them is a leaf: no $vars, @refs or chains
		fn(x.Var)
	case *Elem:
		fn(x.Value)
		args(x.Opts)
		stmts(x.Stmts)
	case *MapElem:
		fn(x.Key)
		fn(x.Value)
	case *Verdict:
		if x.Target != nil {
			fn(x.Target)
		}
	case *Binary:
		fn(x.X)
		fn(x.Y)
	case *Prefix:
		fn(x.X)
		fn(x.Len)
	case *Mask:
		fn(x.X)
		fn(x.Mask)
	case *RangeExpr:
		fn(x.Lo)
		fn(x.Hi)
	case *Concat:
		exprs(x.Parts)
	case *List:
		exprs(x.Elems)
	case *MapLookup:
		fn(x.Key)
		fn(x.Map)
	case *Paren:
		fn(x.X)
	}
}
