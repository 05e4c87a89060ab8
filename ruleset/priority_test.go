package ruleset

import (
	"testing"

	"github.com/nftlint/nftlint/parser"
)

func prioWordLit(s string) parser.Expr { return &parser.Literal{Kind: parser.LitWord, Text: s} }

func prioNum(v uint64, neg bool) *parser.Number { return &parser.Number{Value: v, Neg: neg} }

func TestNamedPriorities(t *testing.T) {
	tests := []struct {
		family parser.Family
		hook   Hook
		name   string
		value  int
		ok     bool
	}{
		{parser.FamilyIP, HookPrerouting, "raw", -300, true},
		{parser.FamilyIP6, HookOutput, "mangle", -150, true},
		{parser.FamilyInet, HookPrerouting, "dstnat", -100, true},
		{parser.FamilyInet, HookOutput, "dstnat", -100, true}, // newer nft
		{parser.FamilyInet, HookInput, "dstnat", -100, false},
		{parser.FamilyIP, HookForward, "filter", 0, true},
		{parser.FamilyIP, HookInput, "security", 50, true},
		{parser.FamilyIP, HookPostrouting, "srcnat", 100, true},
		{parser.FamilyIP, HookInput, "srcnat", 100, true}, // newer nft
		{parser.FamilyIP, HookForward, "srcnat", 100, false},
		{parser.FamilyNone, HookInput, "filter", 0, true}, // family omitted: ip
		{parser.FamilyBridge, HookPrerouting, "dstnat", -300, true},
		{parser.FamilyBridge, HookOutput, "dstnat", -300, false},
		{parser.FamilyBridge, HookForward, "filter", -200, true},
		{parser.FamilyBridge, HookOutput, "out", 100, true},
		{parser.FamilyBridge, HookInput, "out", 100, false},
		{parser.FamilyBridge, HookPostrouting, "srcnat", 300, true},
		{parser.FamilyARP, HookInput, "filter", 0, true},
		{parser.FamilyNetdev, HookIngress, "filter", 0, true},
	}
	for _, tt := range tests {
		p := ResolvePriority(tt.family, tt.hook, prioWordLit(tt.name))
		if p.Value != tt.value || p.OK != tt.ok || p.Name != tt.name {
			t.Errorf("%s %s %s: got value %d ok %v name %q (%s), want %d %v", tt.family, tt.hook, tt.name, p.Value, p.OK, p.Name, p.Err, tt.value, tt.ok)
		}
	}
	for _, fam := range []parser.Family{parser.FamilyARP, parser.FamilyNetdev, parser.FamilyBridge} {
		if p := ResolvePriority(fam, HookInput, prioWordLit("mangle")); p.OK || p.Err == "" {
			t.Errorf("%s mangle: want an error, got %+v", fam, p)
		}
	}
}

func TestLegacyNATPriorities(t *testing.T) {
	if NamedPriorityAllowed(parser.FamilyIP, HookOutput, "dstnat", true) {
		t.Error("nft 1.0.6 refuses dstnat on output")
	}
	if NamedPriorityAllowed(parser.FamilyIP, HookInput, "srcnat", true) {
		t.Error("nft 1.0.6 refuses srcnat on input")
	}
	if !NamedPriorityAllowed(parser.FamilyIP, HookPrerouting, "dstnat", true) {
		t.Error("dstnat on prerouting is valid in every version")
	}
}

func TestPriorityExpressions(t *testing.T) {
	strVar := func(s string) parser.Expr {
		def := &parser.DefineCmd{Kind: parser.Define, Value: &parser.StringLit{Value: s}}
		return &parser.VarRef{Name: "p", Def: def, Value: def.Value}
	}
	numVar := &parser.VarRef{Name: "n", Value: prioNum(150, true)}
	chained := &parser.VarRef{Name: "m", Value: numVar}
	tests := []struct {
		name   string
		x      parser.Expr
		value  int
		prio   string
		ok     bool
		offset int
	}{
		{"number", prioNum(10, false), 10, "", true, 0},
		{"negative", prioNum(150, true), -150, "", true, 0},
		{"filter + 10", &parser.Binary{X: prioWordLit("filter"), Op: "+", Y: prioNum(10, false)}, 10, "filter", true, 10},
		{"mangle - 5", &parser.Binary{X: prioWordLit("mangle"), Op: "-", Y: prioNum(5, false)}, -155, "mangle", true, -5},
		{"paren", &parser.Paren{X: prioNum(7, false)}, 7, "", true, 0},
		{"var number", numVar, -150, "", true, 0},
		{"var chain", chained, -150, "", true, 0},
		{"var string", strVar("filter - 100"), -100, "filter", true, -100},
		{"var string name", strVar("raw"), -300, "raw", true, 0},
		{"var string number", strVar("-5"), -5, "", true, 0},
		{"var string bad", strVar("filter-100"), 0, "", false, 0},
		{"undefined var", &parser.VarRef{Name: "u"}, 0, "", false, 0},
		{"unknown name", prioWordLit("nosuch"), 0, "nosuch", false, 0},
		{"bad operator", &parser.Binary{X: prioWordLit("filter"), Op: "|", Y: prioNum(1, false)}, 0, "", false, 0},
		{"overflow", &parser.Number{Value: 1 << 40}, 0, "", false, 0},
	}
	for _, tt := range tests {
		p := ResolvePriority(parser.FamilyInet, HookForward, tt.x)
		if p.Value != tt.value || p.Name != tt.prio || p.OK != tt.ok || p.Offset != tt.offset {
			t.Errorf("%s: got %+v, want value %d name %q ok %v offset %d", tt.name, p, tt.value, tt.prio, tt.ok, tt.offset)
		}
		if !p.OK && p.Err == "" {
			t.Errorf("%s: not OK but no reason", tt.name)
		}
	}
}
