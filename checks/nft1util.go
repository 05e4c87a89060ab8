package checks

// Helpers shared by the NFT1xx container checks: what iptables-nft
// considers its tables and built-in chains, which tables and chains
// container runtimes own, and small text-edit helpers for fixes.

import (
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// builtinSpec is an iptables-nft built-in chain (iptables/nft.c, the
// built-in table definitions; container-firewall-facts.md §3.1.2).
type builtinSpec struct {
	Type     string
	Hook     ruleset.Hook
	Priority int
}

// iptablesBuiltins lists, per iptables table name, its built-in chains.
var iptablesBuiltins = map[string]map[string]builtinSpec{
	"raw": {
		"PREROUTING": {"filter", ruleset.HookPrerouting, -300},
		"OUTPUT":     {"filter", ruleset.HookOutput, -300},
	},
	"mangle": {
		"PREROUTING":  {"filter", ruleset.HookPrerouting, -150},
		"INPUT":       {"filter", ruleset.HookInput, -150},
		"FORWARD":     {"filter", ruleset.HookForward, -150},
		"OUTPUT":      {"route", ruleset.HookOutput, -150},
		"POSTROUTING": {"filter", ruleset.HookPostrouting, -150},
	},
	"filter": {
		"INPUT":   {"filter", ruleset.HookInput, 0},
		"FORWARD": {"filter", ruleset.HookForward, 0},
		"OUTPUT":  {"filter", ruleset.HookOutput, 0},
	},
	"security": {
		"INPUT":   {"filter", ruleset.HookInput, 150},
		"FORWARD": {"filter", ruleset.HookForward, 150},
		"OUTPUT":  {"filter", ruleset.HookOutput, 150},
	},
	"nat": {
		"PREROUTING":  {"nat", ruleset.HookPrerouting, -100},
		"INPUT":       {"nat", ruleset.HookInput, 100},
		"OUTPUT":      {"nat", ruleset.HookOutput, -100},
		"POSTROUTING": {"nat", ruleset.HookPostrouting, 100},
	},
}

// tableFamily returns the table's family with the default applied.
func tableFamily(t *ruleset.Table) ruleset.Family {
	if t.Family == parser.FamilyNone {
		return parser.FamilyIP
	}
	return t.Family
}

// isIptablesTable reports whether iptables-nft (family ip) or
// ip6tables-nft (family ip6) reads and writes the table.
func isIptablesTable(t *ruleset.Table) bool {
	f := tableFamily(t)
	if f != parser.FamilyIP && f != parser.FamilyIP6 {
		return false
	}
	_, ok := iptablesBuiltins[t.Name]
	return ok
}

// builtinOf returns the iptables built-in spec for chain c's name in its
// table, if c's table is an iptables table and the name is a built-in.
func builtinOf(c *ruleset.Chain) (builtinSpec, bool) {
	if c.Table == nil || !isIptablesTable(c.Table) {
		return builtinSpec{}, false
	}
	b, ok := iptablesBuiltins[c.Table.Name][c.Name]
	return b, ok
}

// matchesBuiltin reports whether c is exactly the iptables built-in of its
// name (a base chain with the built-in's type, hook and priority).
func matchesBuiltin(c *ruleset.Chain) bool {
	b, ok := builtinOf(c)
	return ok && c.Base != nil && c.Base.Type == b.Type && c.Base.Hook == b.Hook &&
		c.Base.PrioOK && c.Base.Priority == b.Priority
}

// isBuiltinForward reports whether c is the iptables built-in FORWARD
// chain of `ip filter` or `ip6 filter` in its exact built-in form: the
// chain Docker's iptables backend inserts its jumps into.
func isBuiltinForward(c *ruleset.Chain) bool {
	return c.Table != nil && c.Table.Name == "filter" && c.Name == "FORWARD" && matchesBuiltin(c)
}

// runtimeTable says which runtime creates a table of the given family and
// name (container-firewall-facts.md §2.2, §5).
type runtimeTable struct {
	families []ruleset.Family
	name     string
	runtime  Runtime // "" for tables of non-container tools
	owner    string  // for messages
}

var runtimeTables = []runtimeTable{
	{[]ruleset.Family{parser.FamilyIP, parser.FamilyIP6}, "docker-bridges", RuntimeDockerNftables, "Docker's nftables backend"},
	{[]ruleset.Family{parser.FamilyInet}, "netavark", RuntimePodman, "Podman (netavark)"},
	{[]ruleset.Family{parser.FamilyIP, parser.FamilyIP6}, "kube-proxy", RuntimeKubernetes, "kube-proxy"},
	{[]ruleset.Family{parser.FamilyIP, parser.FamilyIP6}, "libvirt_network", RuntimeLibvirt, "libvirt"},
	{[]ruleset.Family{parser.FamilyIP, parser.FamilyIP6}, "flannel-ipv4", RuntimeKubernetes, "flannel"},
	{[]ruleset.Family{parser.FamilyIP, parser.FamilyIP6}, "flannel-ipv6", RuntimeKubernetes, "flannel"},
	{[]ruleset.Family{parser.FamilyInet}, "lxd", "", "LXD"},
	{[]ruleset.Family{parser.FamilyInet}, "incus", "", "Incus"},
	{[]ruleset.Family{parser.FamilyInet}, "firewalld", "", "firewalld"},
	{[]ruleset.Family{parser.FamilyInet}, "firewalld_policy_drop", "", "firewalld"},
}

// runtimeTableOf returns the runtime table entry for family f and name.
func runtimeTableOf(f ruleset.Family, name string) (runtimeTable, bool) {
	if f == parser.FamilyNone {
		f = parser.FamilyIP
	}
	for _, rt := range runtimeTables {
		if rt.name != name {
			continue
		}
		for _, x := range rt.families {
			if x == f {
				return rt, true
			}
		}
	}
	return runtimeTable{}, false
}

// ownedBy reports whether chain c belongs to the runtime of profile p, so
// that its verdicts are the runtime's own and not the config's.
func ownedBy(c *ruleset.Chain, p RuntimeProfile) bool {
	if p.OwnsForwardBuiltin && isBuiltinForward(c) {
		return true
	}
	rt, ok := runtimeTableOf(c.Table.Family, c.Table.Name)
	return ok && rt.runtime == p.Runtime
}

// chainLabel names a chain for messages: "inet filter forward".
func chainLabel(c *ruleset.Chain) string {
	return fmt.Sprintf("%s %s %s", tableFamily(c.Table), c.Table.Name, c.Name)
}

// chainNode returns the best node to report a chain at: the name in its
// first declaration.
func chainNode(c *ruleset.Chain) parser.Node {
	for _, d := range c.Decls {
		if d.Name != nil {
			return d.Name
		}
	}
	if len(c.Decls) > 0 {
		return c.Decls[0]
	}
	if c.Base != nil && c.Base.Prop != nil {
		return c.Base.Prop
	}
	return nil
}

// tableNode returns the node to report a table at.
func tableNode(t *ruleset.Table) parser.Node {
	for _, d := range t.Decls {
		if d.Table != nil {
			return d.Table
		}
		if d.Name != nil {
			return d.Name
		}
	}
	if len(t.Decls) > 0 {
		return t.Decls[0]
	}
	return nil
}

// reportAt reports d at node, with d's severity (default when zero).
func reportAt(pass *Pass, node parser.Node, d Diagnostic) {
	if node == nil {
		return
	}
	d.Range = pass.Range(node)
	pass.Report(d)
}

// related builds a Related entry for node.
func related(pass *Pass, node parser.Node, msg string) Related {
	return Related{Range: pass.Range(node), Message: msg}
}

// nodeText returns the source text of node.
func nodeText(files *parser.FileSet, n parser.Node) string {
	f := files.File(n.Pos())
	if f == nil {
		return ""
	}
	start, end := f.Offset(n.Pos()), f.Offset(n.End())
	src := f.Source()
	if start < 0 || end > len(src) || start > end {
		return ""
	}
	return string(src[start:end])
}

// replaceNode returns an edit replacing node's text.
func replaceNode(files *parser.FileSet, n parser.Node, text string) (TextEdit, bool) {
	f := files.File(n.Pos())
	if f == nil || f != files.File(n.End()-1) {
		return TextEdit{}, false
	}
	return TextEdit{Filename: f.Name(), Start: f.Offset(n.Pos()), End: f.Offset(n.End()), NewText: text}, true
}

// lineInfo returns, for the line holding p: the file, the byte offset of
// the line's end (before its newline), and its leading white space.
func lineInfo(files *parser.FileSet, p parser.Pos) (f *parser.File, lineEnd int, indent string) {
	f = files.File(p)
	if f == nil {
		return nil, 0, ""
	}
	pos := f.PositionAt(f.Offset(p))
	start := f.LineStart(pos.Line)
	text := f.Line(pos.Line)
	indent = text[:len(text)-len(strings.TrimLeft(text, " \t"))]
	return f, start + len(text), indent
}

// insertRulesFix returns a fix inserting rule lines at the top of base
// chain c's rules, after the properties (type, policy, comment) of the
// block that declares its base spec. It fails for chains not declared in
// a multi-line block.
func insertRulesFix(files *parser.FileSet, c *ruleset.Chain, msg string, lines []string) (Fix, bool) {
	if c.Base == nil || c.Base.Prop == nil || len(lines) == 0 {
		return Fix{}, false
	}
	var body *parser.Block
	for _, d := range c.Decls {
		if d.Body == nil {
			continue
		}
		for _, it := range d.Body.Items {
			if it == parser.Cmd(c.Base.Prop) {
				body = d.Body
			}
		}
	}
	if body == nil {
		return Fix{}, false
	}
	var last parser.Node = c.Base.Prop
	for _, it := range body.Items {
		if p, ok := it.(*parser.Property); ok && p.End() > last.End() {
			last = p
		}
	}
	f, end, indent := lineInfo(files, last.End()-1)
	if f == nil {
		return Fix{}, false
	}
	// A one-line chain block has its closing brace on that line.
	if rb := files.Position(body.Rbrace); rb.Line == files.Position(last.End()-1).Line {
		return Fix{}, false
	}
	if indent == "" {
		indent = "\t"
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("\n" + indent + l)
	}
	return Fix{Message: msg, Edits: []TextEdit{{Filename: f.Name(), Start: end, End: end, NewText: b.String()}}}, true
}

// quoteList formats names for messages: docker0, br-*.
func quoteList(names []string) string {
	return strings.Join(names, ", ")
}

// eachChainRule calls fn for every rule of chain c, including the rules
// of anonymous chains inside it, with the AST rule for positions.
func eachChainRule(c *ruleset.Chain, fn func(ast *parser.Rule, stmts []parser.Stmt)) {
	var anon func(stmts []parser.Stmt)
	anon = func(stmts []parser.Stmt) {
		for _, s := range stmts {
			v, ok := s.(*parser.VerdictStmt)
			if !ok || v.Chain == nil {
				continue
			}
			for _, it := range v.Chain.Items {
				if r, ok := it.(*parser.Rule); ok {
					fn(r, r.Stmts)
					anon(r.Stmts)
				}
			}
		}
	}
	for _, r := range c.Rules {
		fn(r.AST, r.Stmts)
		anon(r.Stmts)
	}
}
