package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT207 reports values and set references whose datatype cannot match
// what the selector or set key expects.
var nft207 = &Check{
	ID:       "NFT207",
	Name:     "type-mismatch",
	Title:    "a value or set does not have the datatype the selector or set key expects",
	Severity: Error,
	Tags:     []string{"load", "correctness"},
	Doc: `nft type-checks every value against what it is compared with: the selector of a
match (` + "`tcp dport`" + ` expects an internet service: a port number or a service name),
or the declared key of a set or map. It refuses the whole file when

- a value cannot be of that type: an IPv4 address where an IPv6 address is expected,
  an address as a port ("Could not resolve service"), ` + "`ct state establised`" + `
  ("Could not parse conntrack state"), ` + "`vlan id 4096`" + ` ("Value 4096 exceeds valid
  range 0-4095"), an empty interface name or one longer than 15 bytes;
- a set of one type is used with a selector of another (` + "`tcp dport @v4addrs`" + `:
  "datatype mismatch, expected internet network service");
- a set or map element does not fit the declared ` + "`type`" + `/` + "`typeof`" + `.

nftlint models the common datatypes (addresses, ports, protocols, marks, conntrack,
ICMP, TCP flags, packet types, DSCP/ECN, interface names, header fields' widths)
and stays silent on everything else, including host and service names, which nft
resolves at load time.

**Fix:** use a value of the right kind, the selector of the right family
(` + "`ip6 saddr`" + ` for IPv6 addresses), or a set declared with the matching type.`,
	Run: runTypeMismatch,
}

func runTypeMismatch(p *Pass) {
	for _, t := range p.Ruleset.Tables {
		for _, s := range t.Sets {
			checkSetElementTypes(p, s)
		}
	}
	v := &typeVisitor{p: p}
	for _, t := range p.Ruleset.Tables {
		v.table = t
		eachRuleOfTable(t, func(r ruleRef) {
			nested := r.may(ruleset.KindNested)
			for _, s := range r.Stmts {
				if nested {
					walkInner(v, s, nil, 0)
				} else if !parser.IsNilNode(s) {
					// No statement below: only s itself can be one of
					// the statements the visitor checks.
					v.visit(s, nil)
				}
			}
		})
	}
}

// typeVisitor finds the matches, verdict maps and `set` statements of a
// rule (one visitor for the whole run: no closure per statement).
type typeVisitor struct {
	p     *Pass
	table *ruleset.Table
	types [4]*ruleset.Type // appendLeftTypes' buffer
	// keyTypes holds the key types of the sets matched against, which
	// Set.KeyTypes builds anew on each call (thousands of rules match
	// against a few sets).
	keyTypes map[*ruleset.Set][]*ruleset.Type
}

// setKeyTypes returns s.KeyTypes(), computed once per set.
func (v *typeVisitor) setKeyTypes(s *ruleset.Set) []*ruleset.Type {
	keys, ok := v.keyTypes[s]
	if !ok {
		if v.keyTypes == nil {
			v.keyTypes = make(map[*ruleset.Set][]*ruleset.Type)
		}
		keys = s.KeyTypes()
		v.keyTypes[s] = keys
	}
	return keys
}

func (v *typeVisitor) visit(n parser.Node, via *parser.VarRef) visitor {
	p := v.p
	switch x := n.(type) {
	case *parser.MatchStmt:
		v.checkMatch(x.Left, x.Right, via)
	case *parser.VmapStmt:
		v.checkMatch(x.Key, x.Map, via)
	case *parser.SetStmt:
		if sel, ok := x.Target.(*parser.Selector); ok {
			t := ruleset.SelectorOf(sel).Type
			switch y := unwrapVar(x.Value).(type) {
			case *parser.Number:
				reportValueProblem(p, t, x.Value, via)
			case *parser.Binary:
				// `ip dscp set ip dscp & 0x4f`: the constant must fit the field.
				if y.Op == "&" || y.Op == "|" || y.Op == "^" {
					if n, ok := unwrapVar(y.Y).(*parser.Number); ok {
						reportValueProblem(p, t, n, via)
					}
				}
			}
		}
	}
	return v
}

// appendLeftTypes appends to out (a caller's buffer) the component types
// of a match's left side when it is a selector or a concatenation of
// selectors, and nothing otherwise.
func appendLeftTypes(out []*ruleset.Type, e parser.Expr) []*ruleset.Type {
	switch x := e.(type) {
	case *parser.Selector:
		return append(out, ruleset.SelectorOf(x).Type)
	case *parser.Concat:
		for _, part := range x.Parts {
			sel, ok := part.(*parser.Selector)
			if !ok {
				return nil
			}
			out = append(out, ruleset.SelectorOf(sel).Type)
		}
		return out
	}
	return nil
}

// checkMatch checks the right side of a match or verdict map against the
// types of its left side.
func (v *typeVisitor) checkMatch(left, right parser.Expr, via *parser.VarRef) {
	p := v.p
	types := appendLeftTypes(v.types[:0], left)
	if len(types) == 0 || right == nil {
		return
	}
	if ref, ok := setRefName(right); ok {
		set := v.table.Set(ref.Name)
		if set == nil {
			return // NFT201
		}
		keys := v.setKeyTypes(set)
		if len(keys) != len(types) {
			return
		}
		for i := range keys {
			a, b := types[i], keys[i]
			if a.Class != ruleset.ClassUnknown && b.Class != ruleset.ClassUnknown && a.Class != b.Class {
				reportVia(p, ref, via, Error, fmt.Sprintf(
					"%s is %s, but @%s holds %s: nft refuses the rule (\"datatype mismatch\"); use a set of %s or the selector that matches the set",
					exprText(left), article(a.Desc), ref.Name, b.Desc, a.Desc))
				return
			}
		}
		return
	}
	checkValues(p, types, right, via, 0)
}

// checkValues checks a right-hand side (value, set literal, map literal,
// list, concatenation) against the component types.
func checkValues(p *Pass, types []*ruleset.Type, e parser.Expr, via *parser.VarRef, depth int) {
	if depth > 32 || e == nil {
		return
	}
	if v, ok := e.(*parser.VarRef); ok {
		if v.Value == nil {
			return
		}
		if via == nil {
			via = v
		}
		checkValues(p, types, v.Value, via, depth+1)
		return
	}
	switch x := e.(type) {
	case *parser.SetLit:
		for _, el := range x.Elems {
			checkValues(p, types, el, via, depth+1)
		}
		if x.Var != nil {
			checkValues(p, types, x.Var, via, depth+1)
		}
	case *parser.Elem:
		checkValues(p, types, x.Value, via, depth+1)
	case *parser.ElemRun:
		// Packed addresses and numbers: look at each one only when the
		// run as a whole may hold a wrong value.
		if len(types) == 1 && ruleset.RunMayHaveProblem(types[0], x) {
			for i := range x.Len() {
				reportValueProblem(p, types[0], x.At(i), via)
			}
		}
	case *parser.MapElem:
		checkValues(p, types, x.Key, via, depth+1)
	case *parser.Concat:
		if len(x.Parts) != len(types) {
			return
		}
		for i, part := range x.Parts {
			checkValues(p, types[i:i+1], part, via, depth+1)
		}
	case *parser.Mask:
		if len(types) == 1 {
			reportValueProblem(p, types[0], x.X, via)
			reportValueProblem(p, types[0], x.Mask, via)
		}
	default:
		if len(types) == 1 {
			reportValueProblem(p, types[0], e, via)
		}
	}
}

func reportValueProblem(p *Pass, t *ruleset.Type, e parser.Expr, via *parser.VarRef) {
	if msg := ruleset.ValueProblem(t, e); msg != "" {
		reportVia(p, e, via, Error, msg+": nft refuses the file; write a valid "+t.Desc)
	}
}

// checkSetElementTypes checks the elements of a named set or map against
// its declared key and data types.
func checkSetElementTypes(p *Pass, s *ruleset.Set) {
	keys := s.KeyTypes()
	data := s.DataTypes()
	known := false
	for _, k := range append(append([]*ruleset.Type(nil), keys...), data...) {
		if k.Class != ruleset.ClassUnknown {
			known = true
		}
	}
	if !known {
		return
	}
	const maxReports = 20
	reported := 0
	for els, run := range s.Chunks {
		if run != nil {
			if len(keys) != 1 || !ruleset.RunMayHaveProblem(keys[0], run) {
				continue
			}
			for i := range run.Len() {
				if reported >= maxReports {
					return
				}
				checkElementPart(p, keys, run.At(i), &reported)
			}
			continue
		}
		for _, el := range els {
			if reported >= maxReports {
				return
			}
			before := reported
			checkElementPart(p, keys, el.Key, &reported)
			if len(data) == 1 && data[0].Class != ruleset.ClassVerdict && el.Value != nil && reported == before {
				checkElementPart(p, data, el.Value, &reported)
			}
		}
	}
}

func checkElementPart(p *Pass, types []*ruleset.Type, e parser.Expr, reported *int) {
	if e == nil || len(types) == 0 {
		return
	}
	var via *parser.VarRef
	if v, ok := e.(*parser.VarRef); ok {
		via = v
	}
	e = unwrapVar(e)
	if el, ok := e.(*parser.Elem); ok {
		e = el.Value
	}
	if c, ok := e.(*parser.Concat); ok {
		if len(c.Parts) != len(types) {
			return
		}
		for i, part := range c.Parts {
			checkElementPart(p, types[i:i+1], part, reported)
		}
		return
	}
	if len(types) != 1 {
		return
	}
	if msg := ruleset.ValueProblem(types[0], e); msg != "" {
		*reported++
		reportVia(p, e, via, Error, msg+": nft refuses the set; elements must match its type "+types[0].Name)
	}
}

// exprText renders a selector or concatenation of selectors for messages.
func exprText(e parser.Expr) string {
	switch x := e.(type) {
	case *parser.Selector:
		return x.Path()
	case *parser.Concat:
		s := ""
		for i, part := range x.Parts {
			if i > 0 {
				s += " . "
			}
			s += exprText(part)
		}
		return s
	}
	return "the expression"
}

// article prefixes a noun phrase with "a" or "an".
func article(s string) string {
	if s != "" {
		switch s[0] {
		case 'a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U':
			return "an " + s
		}
	}
	return "a " + s
}
