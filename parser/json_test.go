package parser

import (
	"strings"
	"testing"
)

func TestIsJSON(t *testing.T) {
	for src, want := range map[string]bool{
		`{"nftables": []}`:          true,
		"  \n\t{\"nftables\": []}":  true,
		"\uFEFF{\"nftables\": []}":  true,
		"table ip t {}":             false,
		"# {\ntable ip t {}":        false,
		"":                          false,
		"flush ruleset\n{":          false,
		"\n\n  define x = { 1, 2 }": false,
	} {
		if got := IsJSON([]byte(src)); got != want {
			t.Errorf("IsJSON(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestParseJSONMalformed(t *testing.T) {
	for _, tc := range []struct {
		src      string
		line     int
		col      int
		contains string
	}{
		{"{\"nftables\": [\n  {\"table\": {\"family\": \"ip\",}}\n]}", 2, 29, "object key"},
		{"{\"nftables\": [\n  {\"table\": {\"family\": \"ip\"}}\n", 2, 31, "an array is not closed"},
		{"{\"nftables\": [] } x", 1, 19, "after the JSON value"},
		{"{\"nftables\": [\"a\tb\"]}", 1, 17, "control character"},
		{"{\"nftables\": [01]}", 1, 16, "',' or ']'"},
	} {
		fset := NewFileSet()
		ast, errs := ParseJSON(fset, "in.json", []byte(tc.src))
		if ast == nil {
			t.Fatalf("%q: nil AST", tc.src)
		}
		if len(errs) != 1 {
			t.Errorf("%q: got %d errors %v, want 1", tc.src, len(errs), errs)
			continue
		}
		e := errs[0]
		if e.Code != CodeSyntax || e.Pos.Filename != "in.json" || e.Pos.Line != tc.line || e.Pos.Column != tc.col ||
			!strings.Contains(e.Msg, "malformed JSON") || !strings.Contains(e.Msg, tc.contains) {
			t.Errorf("%q: got %s %s (code %s), want in.json:%d:%d and %q", tc.src, e.Pos, e.Msg, e.Code, tc.line, tc.col, tc.contains)
		}
	}
}

func TestParseJSONSchemaErrors(t *testing.T) {
	for _, tc := range []struct{ src, contains string }{
		{`{"tables": []}`, `{"nftables": [...]}`},
		{`{"nftables": [{"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"match": {"left": {"meta": {"key": "mark"}}}}]}}}]}`, "match needs left and right"},
		{`{"nftables": [{"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"match": {"op": "~", "left": {"meta": {"key": "mark"}}, "right": 1}}]}}]}`, `unknown match operator "~"`},
		{`{"nftables": [{"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"log": {"prefix": "a\"b"}}]}}]}`, "double quote"},
	} {
		_, errs := ParseJSON(NewFileSet(), "in.json", []byte(tc.src))
		if len(errs) == 0 {
			t.Errorf("%s: no error, want %q", tc.src, tc.contains)
			continue
		}
		if !strings.Contains(errs[0].Msg, tc.contains) || errs[0].Code != CodeSyntax {
			t.Errorf("%s: got %q (code %s), want %q", tc.src, errs[0].Msg, errs[0].Code, tc.contains)
		}
	}
}

const jsonCommands = `{"nftables": [
  {"metainfo": {"json_schema_version": 1}},
  {"flush": {"ruleset": null}},
  {"add": {"table": {"family": "inet", "name": "filter"}}},
  {"add": {"chain": {"family": "inet", "table": "filter", "name": "forward",
      "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}}},
  {"add": {"rule": {"family": "inet", "table": "filter", "chain": "forward", "expr": [
      {"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "docker0"}},
      {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}},
      {"counter": null},
      {"accept": null}
  ]}}},
  {"insert": {"rule": {"family": "inet", "table": "filter", "chain": "forward", "expr": [
      {"frobnicate": {"level": 3}},
      {"match": {"op": "==", "left": {"teleport": {"key": "x"}}, "right": 1}},
      {"drop": null}
  ]}}},
  {"add": {"gizmo": {"family": "inet", "table": "filter", "name": "g"}}}
]}
`

func TestParseJSONCommands(t *testing.T) {
	fset := NewFileSet()
	ast, errs := ParseJSON(fset, "cmds.json", []byte(jsonCommands))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, c := range ast.Cmds {
		cmd, ok := c.(*Command)
		if !ok {
			t.Fatalf("unexpected %T", c)
		}
		got = append(got, strings.TrimSpace(string(cmd.Verb)+" "+string(cmd.Object)))
	}
	want := "flush ruleset|add table|add chain|add rule|insert rule|add gizmo"
	if strings.Join(got, "|") != want {
		t.Fatalf("commands %q, want %q", strings.Join(got, "|"), want)
	}

	// The added rule: statements as the text parser gives them for
	// `oifname "docker0" ct state established,related counter accept`.
	add := ast.Cmds[3].(*Command)
	if add.Family != FamilyInet || add.Table.Name != "filter" || add.Name.Name != "forward" {
		t.Errorf("rule target %s %s %s", add.Family, add.Table.Name, add.Name.Name)
	}
	stmts := add.Rule.Stmts
	if len(stmts) != 4 {
		t.Fatalf("%d statements, want 4", len(stmts))
	}
	m0 := stmts[0].(*MatchStmt)
	if sel := m0.Left.(*Selector); sel.Path() != "oifname" {
		t.Errorf("selector %q, want oifname", sel.Path())
	}
	if lit := m0.Right.(*Literal); lit.Kind != LitString || lit.Text != "docker0" {
		t.Errorf("oifname value %+v, want the string docker0", lit)
	}
	m1 := stmts[1].(*MatchStmt)
	if list, ok := m1.Right.(*List); !ok || len(list.Elems) != 2 || m1.Op != OpImplicit {
		t.Errorf("ct state match %#v, want an implicit match against a list of two", m1)
	}
	if kw := stmts[2].(*KeywordStmt); kw.Keyword != "counter" {
		t.Errorf("statement 3 %q, want counter", kw.Keyword)
	}
	if v := stmts[3].(*VerdictStmt); v.Kind != "accept" {
		t.Errorf("verdict %q", v.Kind)
	}

	// Positions point into the JSON: the accept verdict is {"accept":
	// null} on line 11, the command the object starting on line 7.
	pos := fset.Position(stmts[3].Pos())
	if pos.Filename != "cmds.json" || pos.Line != 11 || pos.Column != 7 {
		t.Errorf("accept at %s, want cmds.json:11:7", pos)
	}
	if end := fset.Position(stmts[3].End()); end.Line != 11 || end.Column != 23 {
		t.Errorf("accept ends at %s, want cmds.json:11:23", end)
	}
	if p := fset.Position(add.Pos()); p.Line != 7 || p.Column != 3 {
		t.Errorf("add rule at %s, want cmds.json:7:3", p)
	}
	if p := fset.Position(add.End()); p.Line != 12 || p.Column != 7 {
		t.Errorf("add rule ends at %s, want cmds.json:12:7", p)
	}
	if p := fset.Position(add.Table.Pos()); p.Line != 7 || p.Column != 48 {
		t.Errorf("table name at %s, want cmds.json:7:48", p)
	}

	// Unknown constructs are kept, named after their JSON key.
	ins := ast.Cmds[4].(*Command)
	if ins.Verb != VerbInsert || len(ins.Rule.Stmts) != 3 {
		t.Fatalf("insert rule: %+v", ins)
	}
	if kw, ok := ins.Rule.Stmts[0].(*KeywordStmt); !ok || kw.Keyword != "frobnicate" || len(kw.Args) != 0 {
		t.Errorf("unknown statement became %#v, want KeywordStmt frobnicate", ins.Rule.Stmts[0])
	}
	if p := fset.Position(ins.Rule.Stmts[0].Pos()); p.Line != 14 || p.Column != 7 {
		t.Errorf("unknown statement at %s, want cmds.json:14:7", p)
	}
	m := ins.Rule.Stmts[1].(*MatchStmt)
	if sel, ok := m.Left.(*Selector); !ok || sel.Path() != "teleport" {
		t.Errorf("unknown expression became %#v, want Selector teleport", m.Left)
	}
	gizmo := ast.Cmds[5].(*Command)
	if p := fset.Position(gizmo.Pos()); gizmo.Object != "gizmo" || p.Line != 18 || p.Column != 3 {
		t.Errorf("unknown command: object %q at %s, want gizmo at cmds.json:18:3", gizmo.Object, p)
	}
}

// TestParseJSONListOutput reads `nft -j list ruleset` output: implicit
// adds, handles ignored, base chain, sets with elements, maps, vmaps.
func TestParseJSONListOutput(t *testing.T) {
	src := `{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
{"table": {"family": "ip", "name": "nat", "handle": 3}},
{"chain": {"family": "ip", "table": "nat", "name": "POSTROUTING", "handle": 1, "type": "nat", "hook": "postrouting", "prio": 100, "policy": "accept"}},
{"chain": {"family": "netdev", "table": "nat", "name": "ing", "handle": 2, "type": "filter", "hook": "ingress", "prio": -500, "dev": ["eth0", "eth1"], "policy": "accept"}},
{"set": {"family": "ip", "name": "blocked", "table": "nat", "type": "ipv4_addr", "handle": 4, "flags": ["interval"], "elem": [{"prefix": {"addr": "192.0.2.0", "len": 24}}, {"range": ["198.51.100.1", "198.51.100.9"]}]}},
{"map": {"family": "ip", "name": "ports", "table": "nat", "type": "inet_service", "handle": 5, "map": "verdict", "elem": [[22, {"accept": null}], [80, {"jump": {"target": "web"}}]]}},
{"rule": {"family": "ip", "table": "nat", "chain": "POSTROUTING", "handle": 7, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "172.17.0.0", "len": 16}}}}, {"match": {"op": "!=", "left": {"meta": {"key": "oifname"}}, "right": "docker0"}}, {"xt": {"type": "target", "name": "MASQUERADE"}}]}},
{"rule": {"family": "ip", "table": "nat", "chain": "POSTROUTING", "handle": 8, "expr": [{"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": "@ports"}}]}}
]}`
	fset := NewFileSet()
	ast, errs := ParseJSON(fset, "list.json", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var b strings.Builder
	if err := Fprint(&b, ast); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{
		"add table ip nat",
		"type nat hook postrouting priority 100",
		`devices = { "eth0", "eth1" }`,
		"elements = { 192.0.2.0/24, 198.51.100.1 - 198.51.100.9 }",
		"type inet_service : verdict",
		"22 : accept, 80 : jump web",
		`ip saddr 172.17.0.0/16 oifname != "docker0" xt target "MASQUERADE"`,
		"tcp dport vmap @ports",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("printed AST lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "handle") {
		t.Errorf("handles of list objects must be ignored (nft ignores them on input):\n%s", text)
	}
}

// Days, times of day and dates are strings: rendered quoted, so that
// "17:00" does not scan as a number and a colon.
func TestRenderJSONQuotesTimes(t *testing.T) {
	js := `{"nftables": [{"table": {"family": "ip", "name": "t"}},
	{"chain": {"family": "ip", "table": "t", "name": "c"}},
	{"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [
		{"match": {"op": "==", "left": {"meta": {"key": "hour"}}, "right": {"range": ["17:00", "19:30"]}}},
		{"match": {"op": "==", "left": {"meta": {"key": "day"}}, "right": {"set": ["Sunday", "Saturday"]}}},
		{"accept": null}]}}]}`
	text, err := RenderJSONRuleset([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	want := `meta hour "17:00"-"19:30" meta day { "Sunday", "Saturday" } accept`
	if !strings.Contains(string(text), want) {
		t.Errorf("rendering:\n%s\nwant a rule %s", text, want)
	}
	if _, errs := ParseFile(NewFileSet(), "r.nft", text); len(errs) > 0 {
		t.Errorf("the rendering does not parse: %v\n%s", errs, text)
	}
}

// TestParseJSONSelectorArgPositions checks that the arguments and words
// of a selector, and its end, which it keeps out of line when it is not
// the end of its last word, get positions in the JSON: each selector
// spans its JSON object, its words and arguments lie within.
func TestParseJSONSelectorArgPositions(t *testing.T) {
	src := `{"nftables": [
  {"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [
    {"match": {"op": "==", "left": {"fib": {"result": "oif", "flags": ["daddr", "iif"]}}, "right": 1}},
    {"match": {"op": "==", "left": {"numgen": {"mode": "inc", "mod": 2, "offset": 0}}, "right": 1}}
  ]}}}
]}`
	fset := NewFileSet()
	ast, errs := ParseJSON(fset, "sel.json", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for i, stmt := range ast.Cmds[0].(*Command).Rule.Stmts {
		sel := stmt.(*MatchStmt).Left.(*Selector)
		args := sel.Args()
		if len(args) == 0 {
			t.Fatalf("%s has no arguments", sel.Path())
		}
		var nodes []Node
		for i := range sel.Words {
			nodes = append(nodes, &sel.Words[i])
		}
		for _, a := range args {
			nodes = append(nodes, a)
		}
		start, end := fset.Position(sel.Pos()), fset.Position(sel.End())
		if start.Line != 3+i || src[start.Offset] != '{' || src[end.Offset-1] != '}' {
			t.Errorf("%s at %s-%s, want its JSON object on line %d", sel.Path(), start, end, 3+i)
		}
		for _, n := range nodes {
			p, e := fset.Position(n.Pos()), fset.Position(n.End())
			if p.Offset < start.Offset || e.Offset > end.Offset || e.Offset < p.Offset {
				t.Errorf("%T at %s-%s, outside the selector %s-%s", n, p, e, start, end)
			}
		}
	}
}
