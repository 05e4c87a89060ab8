package ruleset

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nftlint/nftlint/parser"
)

// Named chain priorities, as nft resolves them (nftables src/rule.c,
// std_prios and bridge_std_prios; the values are the kernel's NF_IP_PRI_*
// and NF_BR_PRI_*).
var (
	ipPriorities = map[string]int{
		"raw":      -300,
		"mangle":   -150,
		"dstnat":   -100,
		"filter":   0,
		"security": 50,
		"srcnat":   100,
	}
	bridgePriorities = map[string]int{
		"dstnat": -300,
		"filter": -200,
		"out":    100,
		"srcnat": 300,
	}
)

// NamedPriority returns the value of a named priority in a family, and
// whether the family knows the name at all (whatever the hook).
func NamedPriority(family Family, name string) (int, bool) {
	switch family {
	case parser.FamilyBridge:
		v, ok := bridgePriorities[name]
		return v, ok
	case parser.FamilyARP, parser.FamilyNetdev:
		if name == "filter" {
			return 0, true
		}
		return 0, false
	}
	// ip, ip6, inet and the omitted family (ip).
	v, ok := ipPriorities[name]
	return v, ok
}

// NamedPriorityAllowed reports whether nft accepts the named priority on
// this family and hook. legacy selects the rules of nft 1.0.6 and older,
// which accepted dstnat only on prerouting and srcnat only on
// postrouting; newer nft also accepts dstnat on output and srcnat on
// input.
func NamedPriorityAllowed(family Family, hook Hook, name string, legacy bool) bool {
	if _, ok := NamedPriority(family, name); !ok {
		return false
	}
	switch family {
	case parser.FamilyBridge:
		switch name {
		case "dstnat":
			return hook == HookPrerouting
		case "filter":
			return true
		case "out":
			return hook == HookOutput
		case "srcnat":
			return hook == HookPostrouting
		}
		return false
	case parser.FamilyARP, parser.FamilyNetdev:
		return name == "filter"
	}
	switch name {
	case "dstnat":
		return hook == HookPrerouting || (!legacy && hook == HookOutput)
	case "srcnat":
		return hook == HookPostrouting || (!legacy && hook == HookInput)
	}
	return true
}

// Priority is a resolved chain or flowtable priority.
type Priority struct {
	Value  int    // the number nft loads (name value + offset)
	Name   string // the named priority ("filter"), "" for a plain number
	Offset int    // the signed offset written after the name
	OK     bool   // false when nft would reject it; Err says why
	Err    string
	// Via is the $variable the priority was written with, or nil.
	Via *parser.VarRef
}

// ResolvePriority resolves a priority expression as nft does for a base
// chain of the family on hook: a number, -number, a name, `name + N`,
// `name - N`, or a $variable holding a number or a quoted string with
// one of these forms ("filter - 100"). A name nft knows but refuses on
// this hook still yields its value, with OK false.
func ResolvePriority(family Family, hook Hook, x parser.Expr) Priority {
	var p Priority
	if v, ok := x.(*parser.VarRef); ok {
		p.Via = v
		if v.Value == nil {
			p.Err = fmt.Sprintf("$%s is undefined", v.Name)
			return p
		}
		x = v.Value
		for {
			v2, ok := x.(*parser.VarRef)
			if !ok {
				break
			}
			if v2.Value == nil {
				p.Err = fmt.Sprintf("$%s is undefined", v2.Name)
				return p
			}
			x = v2.Value
		}
		switch s := x.(type) {
		case *parser.StringLit:
			return resolvePriorityText(family, hook, s.Value, p)
		case *parser.Literal:
			if s.Kind == parser.LitString {
				return resolvePriorityText(family, hook, s.Text, p)
			}
		}
	}
	switch x := x.(type) {
	case *parser.Number:
		n, ok := numberValue(x)
		if !ok {
			p.Err = fmt.Sprintf("priority %s is out of range", x.Text)
			return p
		}
		p.Value, p.OK = n, true
	case *parser.Paren:
		return ResolvePriority(family, hook, x.X)
	case *parser.Binary:
		name, ok := priorityWord(x.X)
		num, isNum := x.Y.(*parser.Number)
		if !ok || !isNum || (x.Op != "+" && x.Op != "-") {
			p.Err = "invalid priority expression: nft accepts NAME, NAME + NUMBER, NAME - NUMBER or a number"
			return p
		}
		off, ok := numberValue(num)
		if !ok {
			p.Err = fmt.Sprintf("priority offset %s is out of range", num.Text)
			return p
		}
		if x.Op == "-" {
			off = -off
		}
		return namedPriorityAt(family, hook, name, off, p)
	default:
		if name, ok := priorityWord(x); ok {
			return namedPriorityAt(family, hook, name, 0, p)
		}
		p.Err = "invalid priority expression: nft accepts NAME, NAME + NUMBER, NAME - NUMBER or a number"
	}
	return p
}

// resolvePriorityText parses the text of a string variable used as a
// priority: "NUMBER", "-NUMBER", "NAME", "NAME + N" or "NAME - N".
func resolvePriorityText(family Family, hook Hook, text string, p Priority) Priority {
	fields := strings.Fields(text)
	switch len(fields) {
	case 1:
		if n, err := strconv.ParseInt(fields[0], 0, 32); err == nil {
			p.Value, p.OK = int(n), true
			return p
		}
		if isPriorityWord(fields[0]) {
			return namedPriorityAt(family, hook, fields[0], 0, p)
		}
	case 3:
		off, err := strconv.ParseUint(fields[2], 0, 31)
		if err == nil && (fields[1] == "+" || fields[1] == "-") && isPriorityWord(fields[0]) {
			o := int(off)
			if fields[1] == "-" {
				o = -o
			}
			return namedPriorityAt(family, hook, fields[0], o, p)
		}
	}
	p.Err = fmt.Sprintf("invalid priority expression %q: nft accepts NAME, NAME + NUMBER, NAME - NUMBER or a number", text)
	return p
}

func isPriorityWord(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return s != ""
}

func namedPriorityAt(family Family, hook Hook, name string, off int, p Priority) Priority {
	p.Name, p.Offset = name, off
	v, ok := NamedPriority(family, name)
	if !ok {
		p.Err = fmt.Sprintf("'%s' is not a priority name in the %s family", name, familyOrIP(family))
		return p
	}
	p.Value = v + off
	if !NamedPriorityAllowed(family, hook, name, false) {
		p.Err = fmt.Sprintf("'%s' is not a valid priority for the %s hook in the %s family", name, hook, familyOrIP(family))
		return p
	}
	p.OK = true
	return p
}

func familyOrIP(f Family) Family {
	if f == parser.FamilyNone {
		return parser.FamilyIP
	}
	return f
}

// numberValue returns a Number as an int32-ranged int.
func numberValue(n *parser.Number) (int, bool) {
	if n.Overflow || n.Value > math.MaxInt32+1 || (!n.Neg && n.Value > math.MaxInt32) {
		return 0, false
	}
	v := int(n.Value)
	if n.Neg {
		v = -v
	}
	return v, true
}

// priorityWord returns the text of a bare word expression.
func priorityWord(x parser.Expr) (string, bool) {
	switch x := x.(type) {
	case *parser.Literal:
		if x.Kind == parser.LitWord {
			return x.Text, true
		}
	case *parser.Selector:
		// A parser may read a lone keyword such as `filter` as a selector.
		if len(x.Words) == 1 && len(x.Args()) == 0 {
			return x.Words[0].Name, true
		}
	}
	return "", false
}
