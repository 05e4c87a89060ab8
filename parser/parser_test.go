package parser

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	srcs := []string{
		"table ip t { chain c { }; }",
		"table ip t {\n\tchain c {\n\t}\n}\n",
		"table inet f {\n chain c {\n  type filter hook input priority -150; policy accept\n  accept;\n }\n}",
		"chain ip t c { accept; }",
		"ip filter input iif lo accept",
		"add rule inet f input tcp dport { ssh, http } ct state new counter packets 0 bytes 0 accept",
		"insert rule ip t c index 0 drop\nreplace rule ip t c handle 4 drop\ndelete rule ip t c handle 4",
		"define p = \"drop\"\ndefine pr = -100\nredefine p = \"accept\"\nundefine p",
		"include \"/etc/nftables.d/*.nft\"",
		"table ip t { set s { type ipv4_addr . inet_service; flags interval, timeout; auto-merge\n elements = { 10.0.0.0/8 . 22-25 timeout 1h comment \"x\",\n 1.2.3.4 . 80 counter packets 1 bytes 2 }\n }\n}",
		"table ip t { map m { type ipv4_addr : verdict; elements = { 1.2.3.4 : jump c, * : drop } }; }",
		"add rule ip t c ip saddr . tcp dport vmap @m",
		"add rule ip t c tcp dport vmap { 22 : accept, 80-90 : drop, $web : jump c }",
		"add rule ip t c tcp dport vmap $m",
		"add rule ip t c meta mark set ct mark & 0xffff0000 | 0x1 ct mark set meta mark",
		"add rule ip t c dnat to ip saddr map { 10.0.0.0/8 : 192.0.2.1 }:8080",
		"add rule inet t c dnat ip addr . port to ip daddr . tcp dport map { 1.2.3.4 . 80 : 10.0.0.1 . 8080 }",
		"add rule ip t c tcp flags syn / syn,ack,rst,fin limit rate over 10 mbytes/second burst 1 mbytes drop",
		"add rule ip t c log prefix \"in: \" level warn flags tcp sequence,options group 2",
		"add rule ip t c reject with tcp reset",
		"add rule ip t c queue flags bypass,fanout to 1-3",
		"add rule ip t c add @s { ip saddr . 22 timeout 10s limit rate 1/second } update @m { ip saddr counter : 1 }",
		"add rule ip t c jump { tcp dport 22 accept; drop; }",
		"add rule ip t c @nh,8,16 set 0x1 tcp option maxseg size set rt mtu",
		"add rule ip t c fib saddr . iif oif missing drop",
		"add rule ip t c ct original ip saddr 1.2.3.4 ct count over 10 quota over 10 mbytes used 1 mbytes",
		"add rule ip t c meta l4proto tcp tproxy ip to 127.0.0.1:8080 meta mark set 1",
		"table netdev t { chain c { type filter hook ingress devices = { eth0, \"eth1\" } priority filter - 5; }; }\n",
		"table ip t { flowtable f { hook ingress priority filter; devices = { eth0 }; counter }\n chain c { flow add @f; }; }\n",
		"table ip t { ct helper h { type \"ftp\" protocol tcp; l3proto ip; }\n ct timeout x { protocol tcp; policy = { established : 100, close : 10s }; }\n counter c { packets 1 bytes 2 }\n quota q { over 10 mbytes }\n limit l { rate 10/second }\n }\n",
		"list ruleset\nlist chains ip\nflush chain ip t c\nlist hooks\nreset counters table ip t\nrename chain ip t c d\nmonitor\ndescribe tcp flags\n",
		"add element ip t s { 1.2.3.4, 5.6.7.8 }\ndelete element ip t s { 1.2.3.4 }\nadd element ip t s $v",
		"table ip t { chain last { }; }\n",
		"add rule ip t c meta day \"Monday\" meta hour \"17:00\"-\"19:00\" accept",
		"add rule bridge t c ether type vlan vlan id 10 ether saddr 00:11:22:33:44:55 accept",
		"add rule ip t c vxlan ip saddr 1.2.3.4 gre ip daddr 1.2.3.4 sctp chunk init num-inbound-streams 1",
		// A selector's keyword scope ends with its statement: the next
		// command or item reads `addr` as a value (nft accepts both).
		"add rule ip t c ip saddr 1.2.3.4\ndefine x = addr\n",
		"table ip t {\n\tset s {\n\t\ttypeof ip daddr\n\t}\n\tdefine x = addr\n}\n",
	}
	for _, src := range srcs {
		_, errs := ParseFile(NewFileSet(), "t.nft", []byte(src))
		if len(errs) > 0 {
			t.Errorf("%q: unexpected error %v", src, errs)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		src  string
		pos  string // line:col of the first error
		want string // regexp
	}{
		{"table ip t { chain c { } }", "1:26", `expected ';' or newline after chain block, found '}'`},
		{"table ip t {\n chain c { accept }\n}", "2:19", `expected ';' or newline after rule, found '}'`},
		{"add rule ip t c tcp foo 22", "1:21", `unknown tcp header field 'foo'`},
		{"add rule ip t c foo bar", "1:17", `unknown statement 'foo'`},
		{"add rule ip t c counter comment \"x\" accept", "1:37", `comment must be the last`},
		{"table ip log { }", "1:10", `table name 'log' is an nft keyword`},
		{"table ip \"t\" { }", "1:10", `must be a bare word`},
		{"define p = drop", "1:12", `a verdict cannot be the value of a define`},
		{"add rule ip t c ip saddr", "1:25", `expected value to compare with after 'ip saddr', found end of file`},
		{"add rule ip t c ip saddr accept", "1:26", `found keyword 'accept'`},
		{"add rule ip t c meta mark set { 1, 2 }", "1:31", `set literal is not allowed`},
		{"add rule ip t c limit rate 10/second burst 5 bytes", "1:46", `'packets' after burst`},
		{"add rule ip t c tcp option eol left 1", "1:32", `unexpected 'left' after tcp`},
		// Every element of a verdict map needs ':' and a verdict (nft -c:
		// "syntax error, unexpected comma, expecting colon" at the comma).
		{"add rule ip t c tcp dport vmap { 22, 80 : accept }", "1:36", `expected ':' and a verdict after the key of a verdict map element, found ','`},
		{"add rule ip t c tcp dport vmap { 80 : accept, $web }", "1:52", `found '}'`},
		{"add rule ip t c tcp dport vmap { 10-20,\n 80 : accept }", "1:39", `found ','`},
		{"add rule ip t c tcp dport vmap { 22 # ssh\n, 80 : accept }", "1:42", `found newline`},
		{"add rule ip t c redirect persistent to 123", "1:37", `unknown statement 'to'`},
		{"table ip t { set s { type ipv4_addr; timeout 30 } }", "1:46", `time value`},
		{"table ip t { flags bogus; }", "1:20", `unknown table flag 'bogus'`},
		{"add rule ip t c comment \u201cx\u201d", "1:25", `typographic quote '\x{201c}' \(U\+201C\): nft accepts only ASCII double quotes`},
		{"table ip t {\n chain c {\n", "2:12", `expected '}' to close the chain block opened at line 2`},
		{"add rule ip t c ip saddr { 1.2.3.4; }", "1:35", `unexpected ';' in set`},
		{"}", "1:1", `expected command, found '}'`},
		{"add rule ip t c tproxy", "1:23", `expected 'to' after tproxy`},
		{"add rule ip t c queue num oif", "1:27", `queue number`},
		{"add rule ip t c ct ip saddr 1.2.3.4", "1:20", `ct key`},
		{"table ip t { chain c { type filter hook input; } }", "1:46", `expected 'priority'`},
	}
	for _, tt := range tests {
		_, errs := ParseFile(NewFileSet(), "t.nft", []byte(tt.src))
		if len(errs) == 0 {
			t.Errorf("%q: no error, want %q", tt.src, tt.want)
			continue
		}
		e := errs[0]
		if got := e.Pos.String(); got != "t.nft:"+tt.pos {
			t.Errorf("%q: error at %s, want %s (%s)", tt.src, got, tt.pos, e.Msg)
		}
		if !regexp.MustCompile(tt.want).MatchString(e.Msg) {
			t.Errorf("%q: error %q does not match %q", tt.src, e.Msg, tt.want)
		}
	}
}

// TestParseRecovery checks that errors are collected per line and that
// one typo does not hide the rest of the file.
func TestParseRecovery(t *testing.T) {
	src := "table ip t {\n chain c {\n  tcp foo 1\n  accept\n  bogus\n }\n set s { type ipv4_addr; elements = { 1.2.3.4, %, 5.6.7.8 } }\n}\nadd rule ip t c ip saddr\n"
	ast, errs := ParseFile(NewFileSet(), "t.nft", []byte(src))
	var lines []int
	for _, e := range errs {
		lines = append(lines, e.Pos.Line)
	}
	want := []int{3, 5, 7, 9}
	if len(lines) != len(want) {
		t.Fatalf("error lines %v, want %v: %v", lines, want, errs)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("error lines %v, want %v", lines, want)
		}
	}
	// The valid rule between the bad ones is still in the tree.
	table := ast.Cmds[0].(*Command)
	chain := table.Body.Items[0].(*Command)
	if n := len(chain.Body.Items); n != 3 {
		t.Fatalf("chain has %d items, want 3 (bad, accept, bad)", n)
	}
	if r, ok := chain.Body.Items[1].(*Rule); !ok || len(r.Stmts) != 1 {
		t.Errorf("second item is %#v, want the accept rule", chain.Body.Items[1])
	}
}

func TestParseErrorCap(t *testing.T) {
	src := strings.Repeat("bogus\n", 500)
	_, errs := ParseFile(NewFileSet(), "t.nft", []byte(src))
	if len(errs) != maxErrors+1 {
		t.Fatalf("got %d errors, want %d", len(errs), maxErrors+1)
	}
	if last := errs[len(errs)-1].Msg; !strings.Contains(last, "too many errors") {
		t.Errorf("last error %q, want too many errors", last)
	}
	// One error per line even when a line has several problems.
	_, errs = ParseFile(NewFileSet(), "t.nft", []byte("a % b % c ; d % e\n"))
	if len(errs) != 1 {
		t.Errorf("got %d errors on one line, want 1: %v", len(errs), errs)
	}
}

func TestParsePositionsCountCodePoints(t *testing.T) {
	_, errs := ParseFile(NewFileSet(), "t.nft", []byte("add rule ip t c comment \"é\" tcp foo 1"))
	if len(errs) == 0 {
		t.Fatal("want an error")
	}
	// "comment must be last" error points at 'tcp', column 29 in code points.
	if got := errs[0].Pos.Column; got != 29 {
		t.Errorf("column %d, want 29 (code points)", got)
	}
}

func TestParseAST(t *testing.T) {
	src := "table inet f {\n\tchain input {\n\t\ttype filter hook input priority filter + 10; policy drop;\n\t\tip saddr != 10.0.0.0/8 tcp dport { 22, 80 } accept comment \"x\"\n\t}\n}\n"
	ast, errs := ParseFile(NewFileSet(), "t.nft", []byte(src))
	if errs != nil {
		t.Fatal(errs)
	}
	table := ast.Cmds[0].(*Command)
	if table.Object != ObjTable || table.Family != FamilyInet || table.Table.Name != "f" || table.Verb != "" {
		t.Fatalf("table command = %+v", table)
	}
	chain := table.Body.Items[0].(*Command)
	hook := chain.Body.Items[0].(*Property)
	if hook.ChainType.Name != "filter" || hook.Hook.Name != "input" {
		t.Errorf("hook = %+v", hook)
	}
	prio, ok := hook.Priority.(*Binary)
	if !ok || prio.Op != "+" || prio.Y.(*Number).Value != 10 {
		t.Errorf("priority = %#v", hook.Priority)
	}
	if pol := chain.Body.Items[1].(*Property); pol.Key != "policy" || pol.Policy.(*Literal).Text != "drop" {
		t.Errorf("policy = %+v", pol)
	}
	rule := chain.Body.Items[2].(*Rule)
	if len(rule.Stmts) != 3 || rule.Comment == nil || rule.Comment.Value != "x" {
		t.Fatalf("rule = %+v", rule)
	}
	m := rule.Stmts[0].(*MatchStmt)
	if m.Op != OpNe || m.Left.(*Selector).Path() != "ip saddr" || m.Right.(*Prefix).Len.Value != 8 {
		t.Errorf("match = %+v", m)
	}
	if set := rule.Stmts[1].(*MatchStmt).Right.(*SetLit); NumElems(set.Elems) != 2 {
		t.Errorf("set = %+v", set)
	}
	if v := rule.Stmts[2].(*VerdictStmt); v.Kind != "accept" {
		t.Errorf("verdict = %+v", v)
	}
	pos := ast.File.PositionAt(ast.File.Offset(m.Pos()))
	if pos.Line != 4 || pos.Column != 3 {
		t.Errorf("match at %v, want 4:3", pos)
	}
}

// TestSeedExamples checks the web-page copy of a ruleset (typographic
// quotes) is rejected with a clear message and the clean copy parses.
func TestSeedExamples(t *testing.T) {
	dir := filepath.Join(sharedDir(), "examples")
	clean, err := os.ReadFile(filepath.Join(dir, "seed.nft"))
	if err != nil {
		if os.Getenv("NFTLINT_CORPUS") == "required" {
			t.Fatal(err)
		}
		t.Skipf("examples not found in %s", dir)
	}
	if _, errs := ParseFile(NewFileSet(), "seed.nft", clean); errs != nil {
		t.Errorf("seed.nft: %v", errs)
	}
	published, err := os.ReadFile(filepath.Join(dir, "seed-as-published.nft"))
	if err != nil {
		t.Fatal(err)
	}
	_, errs := ParseFile(NewFileSet(), "seed-as-published.nft", published)
	if len(errs) == 0 {
		t.Fatal("seed-as-published.nft: no errors")
	}
	for _, e := range errs {
		if !strings.Contains(e.Msg, "typographic quote") {
			t.Errorf("unexpected error kind: %v", e)
		}
	}
	t.Logf("seed-as-published.nft: %d errors, first: %v", len(errs), errs[0])
}

func TestParseExpr(t *testing.T) {
	x, err := ParseExpr("10.0.0.1 . 22-25")
	if err != nil {
		t.Fatal(err)
	}
	c, ok := x.(*Concat)
	if !ok || len(c.Parts) != 2 {
		t.Fatalf("got %#v", x)
	}
	if _, ok := c.Parts[1].(*RangeExpr); !ok {
		t.Errorf("second part %#v, want range", c.Parts[1])
	}
	if _, err := ParseExpr("10.0.0.1 ]"); err == nil {
		t.Error("want an error for trailing ']'")
	}
}

// TestParseNestingLimit checks that every recursive construct stops at
// MaxNestingDepth with one NFT003 error at an opening token instead of
// overflowing the stack.
func TestParseNestingLimit(t *testing.T) {
	cases := []struct {
		name   string
		prefix string
		open   string // repeated well past the limit
		tok    string // the opening token the error must sit on
	}{
		{"anonymous chains", "table t { chain c { ", "jump { ", "{"},
		{"sets", "define x = ", "{ ", "{"},
		{"parens lhs", "add rule t c ", "( ", "("},
		{"parens rhs", "add rule t c meta mark ", "( ", "("},
		{"jhash chain", "add rule t c meta mark set ", "jhash ", "jhash"},
		{"meters", "add rule t c ", "meter m { ip saddr ", "{"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.prefix + strings.Repeat(tc.open, 2*MaxNestingDepth)
			_, errs := ParseFile(NewFileSet(), "deep.nft", []byte(src))
			var limit *Error
			for _, e := range errs {
				if e.Code == "NFT003" {
					if limit != nil {
						t.Fatalf("two NFT003 errors: %v and %v", limit, e)
					}
					limit = e
				}
			}
			if limit == nil {
				t.Fatalf("no NFT003 error; errors: %v", errs)
			}
			if !strings.Contains(limit.Msg, "nesting deeper than 256 levels") {
				t.Errorf("message %q does not name the limit", limit.Msg)
			}
			off := limit.Pos.Offset
			if !strings.HasPrefix(src[off:], tc.tok) {
				t.Errorf("error at %q…, want it at the opening %q", src[off:min(len(src), off+12)], tc.tok)
			}
			// The prefix opens at most two levels itself.
			if n := (off - len(tc.prefix)) / len(tc.open); n < MaxNestingDepth-2 || n > MaxNestingDepth {
				t.Errorf("error at repetition %d, want %d to %d", n, MaxNestingDepth-2, MaxNestingDepth)
			}
		})
	}
}

func TestParseNestingUnderLimit(t *testing.T) {
	n := MaxNestingDepth - 2 // the table and chain blocks take two levels
	src := "table t { chain c { " + strings.Repeat("jump { ", n) + "accept" + strings.Repeat("; }", n) + "\n}\n}\n"
	if _, errs := ParseFile(NewFileSet(), "ok.nft", []byte(src)); len(errs) > 0 {
		t.Fatalf("%d nested anonymous chains rejected: %v", n, errs[0])
	}
	src = "table t { chain c { " + strings.Repeat("jump { ", n+1) + "accept" + strings.Repeat("; }", n+1) + "\n}\n}\n"
	if _, errs := ParseFile(NewFileSet(), "deep.nft", []byte(src)); len(errs) == 0 || errs[0].Code != "NFT003" {
		t.Fatalf("%d nested anonymous chains: want one NFT003 error, got %v", n+1, errs)
	}
}

// TestParseHugeNesting feeds 10 MB of openings in each recursive
// construct: the process must survive (a Go stack overflow is fatal, not
// a panic) and report NFT003.
func TestParseHugeNesting(t *testing.T) {
	for _, tc := range []struct{ prefix, open string }{
		{"define x = ", "{"},
		{"table t { chain c { ", "jump{"},
		{"add rule t c ip saddr ", "("},
		{"add rule t c meta mark set ", "jhash "},
	} {
		src := tc.prefix + strings.Repeat(tc.open, (10<<20)/len(tc.open))
		_, errs := ParseFile(NewFileSet(), "huge.nft", []byte(src))
		found := false
		for _, e := range errs {
			found = found || e.Code == "NFT003"
		}
		if !found {
			t.Errorf("%q + 10 MB of %q: no NFT003 error; errors: %v", tc.prefix, tc.open, errs)
		}
	}
}

func TestParseItems(t *testing.T) {
	cases := []struct {
		kind ObjectKind
		src  string
		want []string // item types in order
		err  string   // substring of the first error, "" for none
	}{
		{ObjTable, "chain c {\n\ttype filter hook input priority 0; policy drop\n}\nset s { type ipv4_addr; }\nflags dormant\n", []string{"*parser.Command", "*parser.Command", "*parser.Property"}, ""},
		{ObjChain, "type filter hook input priority 0; policy drop;\ntcp dport 22 accept\ndefine x = 1\ninclude \"more.nft\"\n", []string{"*parser.Property", "*parser.Property", "*parser.Rule", "*parser.DefineCmd", "*parser.IncludeCmd"}, ""},
		{ObjSet, "type ipv4_addr\nflags interval\nelements = { 10.0.0.0/8 }\n", []string{"*parser.Property", "*parser.Property", "*parser.Property"}, ""},
		{ObjCtHelper, "type \"ftp\" protocol tcp\n", []string{"*parser.Property"}, ""},
		{"", "table t { chain c { accept; }; }\n", []string{"*parser.Command"}, ""},
		{ObjTable, "chain c { accept; }\n}\nset s { type ipv4_addr; }\n", []string{"*parser.Command", "*parser.Command"}, "an included file cannot close the block"},
		{ObjChain, "policy bogus\n", []string{"*parser.Property"}, "expected accept, drop or $variable"},
		{ObjTable, "tcp dport 22 accept\n", []string{"*parser.BadCmd"}, "in table block"},
		{ObjElement, "1.2.3.4\n", nil, "include inside a element"},
	}
	for _, tc := range cases {
		ast, errs := ParseItems(NewFileSet(), "inc.nft", []byte(tc.src), tc.kind)
		var got []string
		for _, c := range ast.Cmds {
			got = append(got, fmt.Sprintf("%T", c))
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%s %q: items %v, want %v (errors %v)", tc.kind, tc.src, got, tc.want, errs)
		}
		switch {
		case tc.err == "" && len(errs) > 0:
			t.Errorf("%s %q: unexpected errors %v", tc.kind, tc.src, errs)
		case tc.err != "" && (len(errs) == 0 || !strings.Contains(errs[0].Msg, tc.err)):
			t.Errorf("%s %q: errors %v, want %q", tc.kind, tc.src, errs, tc.err)
		}
	}
}

// TestMatchOp checks that every spelling of a relational operator parses
// to its MatchOp and that String gives the operator as nft prints it.
func TestMatchOp(t *testing.T) {
	for _, tc := range []struct {
		src  string
		op   MatchOp
		text string
	}{
		{"1", OpImplicit, ""},
		{"== 1", OpEq, "=="}, {"eq 1", OpEq, "=="},
		{"!= 1", OpNe, "!="}, {"ne 1", OpNe, "!="},
		{"< 1", OpLt, "<"}, {"lt 1", OpLt, "<"},
		{"> 1", OpGt, ">"}, {"gt 1", OpGt, ">"},
		{"<= 1", OpLe, "<="}, {"le 1", OpLe, "<="},
		{">= 1", OpGe, ">="}, {"ge 1", OpGe, ">="},
		{"! 1", OpNot, "!"}, {"not 1", OpNot, "!"},
	} {
		src := "table ip t {\n\tchain c {\n\t\ttcp flags " + tc.src + "\n\t}\n}\n"
		ast, errs := ParseFile(NewFileSet(), "x.nft", []byte(src))
		if len(errs) > 0 {
			t.Errorf("%q: %v", tc.src, errs)
			continue
		}
		var m *MatchStmt
		Inspect(ast.Cmds[0], func(n Node) bool {
			if x, ok := n.(*MatchStmt); ok {
				m = x
			}
			return true
		})
		if m == nil || m.Op != tc.op || m.Op.String() != tc.text {
			t.Errorf("%q: match = %+v, want op %d %q", tc.src, m, tc.op, tc.text)
		}
	}
}

// TestIdentEndQuoted checks that an Ident's end and quoting, which share a
// field, are read and written independently.
func TestIdentEndQuoted(t *testing.T) {
	src := "table ip t {\n\tchain c {\n\t\ttype filter hook \"input\" priority 0\n\t}\n}\n"
	fset := NewFileSet()
	ast, errs := ParseFile(fset, "x.nft", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var hook *Ident
	Inspect(ast.Cmds[0], func(n Node) bool {
		if p, ok := n.(*Property); ok && p.Hook != nil {
			hook = p.Hook
		}
		return true
	})
	if hook == nil {
		t.Fatal("no hook")
	}
	f := ast.File
	start, end := strings.Index(src, `"input"`), strings.Index(src, `"input"`)+len(`"input"`)
	if hook.Name != "input" || !hook.Quoted() || f.Offset(hook.Pos()) != start || f.Offset(hook.End()) != end {
		t.Errorf("hook = %q quoted %v at %d-%d, want \"input\" quoted at %d-%d",
			hook.Name, hook.Quoted(), f.Offset(hook.Pos()), f.Offset(hook.End()), start, end)
	}
	var out bytes.Buffer
	if err := Fprint(&out, ast); err != nil || !strings.Contains(out.String(), `hook "input" `) {
		t.Errorf("printed %q, %v; want a quoted hook \"input\"", out.String(), err)
	}
	hook.SetEnd(hook.End() + 1)
	if !hook.Quoted() || f.Offset(hook.End()) != end+1 {
		t.Errorf("after SetEnd: quoted %v, end %d; want true, %d", hook.Quoted(), f.Offset(hook.End()), end+1)
	}
	hook.SetQuoted(false)
	if hook.Quoted() || f.Offset(hook.End()) != end+1 {
		t.Errorf("after SetQuoted(false): quoted %v, end %d; want false, %d", hook.Quoted(), f.Offset(hook.End()), end+1)
	}
	out.Reset()
	if err := Fprint(&out, ast); err != nil || !strings.Contains(out.String(), "hook input ") {
		t.Errorf("printed %q, %v; want a bare hook input", out.String(), err)
	}
}

// TestSelectorArgs checks the selector arguments kept out of line: a
// selector with arguments returns them, one without returns nil.
func TestSelectorArgs(t *testing.T) {
	src := "table ip t {\n\tchain c {\n\t\tfib daddr . iif oif 1\n\t\tip saddr 1.2.3.4\n\t\tnumgen inc mod 2 0\n\t}\n}\n"
	ast, errs := ParseFile(NewFileSet(), "x.nft", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var sels []*Selector
	Inspect(ast.Cmds[0], func(n Node) bool {
		if x, ok := n.(*Selector); ok {
			sels = append(sels, x)
		}
		return true
	})
	if len(sels) != 3 {
		t.Fatalf("%d selectors, want 3", len(sels))
	}
	// The end: the last word's, or past the arguments after the words.
	f := ast.File
	for i, want := range []string{"oif", "saddr", "mod 2"} {
		if got, w := f.Offset(sels[i].End()), strings.Index(src, want)+len(want); got != w {
			t.Errorf("%s ends at %d, want %d", sels[i].Path(), got, w)
		}
	}
	if args := sels[0].Args(); len(args) != 2 || args[0].Key != "daddr" || args[1].Key != "iif" {
		t.Errorf("fib args = %v", args)
	}
	if args := sels[1].Args(); args != nil {
		t.Errorf("ip saddr args = %v, want nil", args)
	}
	sels[0].SetArgs(nil)
	if args := sels[0].Args(); args != nil {
		t.Errorf("after SetArgs(nil): %v", args)
	}
	end := sels[1].End()
	sels[1].SetEnd(end + 1)
	if sels[1].End() != end+1 {
		t.Errorf("after SetEnd(end+1): end %d, want %d", sels[1].End(), end+1)
	}
	sels[1].SetEnd(end)
	if sels[1].End() != end || sels[1].extra != nil {
		t.Errorf("after SetEnd(end): end %d, extra %+v; want %d and nothing out of line", sels[1].End(), sels[1].extra, end)
	}
}
