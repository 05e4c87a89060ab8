package parser

import (
	"strings"
	"testing"
)

type scanned struct {
	tok Token
	lit string
}

func scanAll(src string) ([]scanned, []string) {
	fset := NewFileSet()
	f := fset.AddFile("t.nft", []byte(src))
	var s Scanner
	var errs []string
	s.Init(f, src, func(off, end int, msg string) { errs = append(errs, msg) })
	var out []scanned
	for {
		tok, _, _, lit := s.Scan()
		if tok == EOF {
			return out, errs
		}
		out = append(out, scanned{tok, lit})
	}
}

func TestScannerTokens(t *testing.T) {
	tests := []struct {
		src  string
		want []scanned
	}{
		{"ip saddr 10.0.0.0/8", []scanned{{WORD, "ip"}, {WORD, "saddr"}, {IPV4, "10.0.0.0"}, {SLASH, "/"}, {NUMBER, "8"}}},
		{"foo-bar a.b x/y 22-23", []scanned{{WORD, "foo-bar"}, {WORD, "a.b"}, {WORD, "x/y"}, {NUMBER, "22"}, {DASH, "-"}, {NUMBER, "23"}}},
		{"dead::beef ::1 fe80::1 [2001:db8::1]:80", []scanned{{IPV6, "dead::beef"}, {IPV6, "::1"}, {IPV6, "fe80::1"}, {IPV6, "[2001:db8::1]"}, {COLON, ":"}, {NUMBER, "80"}}},
		{"00:11:22:33:44:55 1:2 ::ffff:1.2.3.4", []scanned{{MAC, "00:11:22:33:44:55"}, {CLASSID, "1:2"}, {IPV6, "::ffff:1.2.3.4"}}},
		{"30s 1h30m 100ms 2m3s 5", []scanned{{TIME, "30s"}, {TIME, "1h30m"}, {TIME, "100ms"}, {TIME, "2m3s"}, {NUMBER, "5"}}},
		{"0x1f 010 8021q 8021ad", []scanned{{NUMBER, "0x1f"}, {NUMBER, "010"}, {WORD, "8021q"}, {WORD, "8021ad"}}},
		{`eth* eth\* "a b" $x @s`, []scanned{{WILDCARD, "eth*"}, {WILDCARD, `eth\*`}, {STRING, "a b"}, {DOLLAR, "$"}, {WORD, "x"}, {AT, "@"}, {WORD, "s"}}},
		{"a . b;\n== != <= >= << >> < > ! & | ^ = { } ( ) , : * +", []scanned{{WORD, "a"}, {DOT, "."}, {WORD, "b"}, {SEMICOLON, ";"}, {NEWLINE, "\n"},
			{EQL, "=="}, {NEQ, "!="}, {LEQ, "<="}, {GEQ, ">="}, {SHL, "<<"}, {SHR, ">>"}, {LSS, "<"}, {GTR, ">"}, {NOT, "!"}, {AND, "&"}, {OR, "|"}, {XOR, "^"}, {ASSIGN, "="},
			{LBRACE, "{"}, {RBRACE, "}"}, {LPAREN, "("}, {RPAREN, ")"}, {COMMA, ","}, {COLON, ":"}, {ASTERISK, "*"}, {PLUS, "+"}}},
		{"a \\\n b # comment\nc", []scanned{{WORD, "a"}, {WORD, "b"}, {NEWLINE, "\n"}, {WORD, "c"}}},
		{"10.0.0.1:80 1.2.3.4-1.2.3.9", []scanned{{IPV4, "10.0.0.1"}, {COLON, ":"}, {NUMBER, "80"}, {IPV4, "1.2.3.4"}, {DASH, "-"}, {IPV4, "1.2.3.9"}}},
		{"1234:1234:1234:1234:1234:1234:1234:1234:1234", []scanned{{IPV6, "1234:1234:1234:1234:1234:1234:1234:1234"}, {COLON, ":"}, {NUMBER, "1234"}}},
		{"established:120", []scanned{{WORD, "established"}, {COLON, ":"}, {NUMBER, "120"}}},
	}
	for _, tt := range tests {
		got, errs := scanAll(tt.src)
		if len(errs) > 0 {
			t.Errorf("%q: unexpected errors %v", tt.src, errs)
		}
		if len(got) != len(tt.want) {
			t.Errorf("%q: got %v, want %v", tt.src, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%q token %d: got %v %q, want %v %q", tt.src, i, got[i].tok, got[i].lit, tt.want[i].tok, tt.want[i].lit)
			}
		}
	}
}

func TestScannerErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"comment \u201cx\u201d", "typographic quote '\u201c' (U+201C)"},
		{"comment \u00abx\u00bb", "typographic quote '\u00ab' (U+00AB)"},
		{"a\r\nb", "carriage return"},
		{"\xef\xbb\xbftable", "byte order mark"},
		{"a\x00", "NUL byte"},
		{"a \xff", "invalid UTF-8 byte 0xff"},
		{"a 'x'", "only double quotes"},
		{"comment \"abc", "unterminated string"},
		{"a % b", "invalid character '%'"},
		{"a \u00e9", "invalid character 'é' (U+00E9)"},
	}
	for _, tt := range tests {
		_, errs := scanAll(tt.src)
		if len(errs) == 0 || !strings.Contains(errs[0], tt.want) {
			t.Errorf("%q: got errors %q, want one containing %q", tt.src, errs, tt.want)
		}
	}
}

// TestScannerTypographicRecovery checks that a typographically quoted
// string is delivered as a STRING so the rest of the rule still parses.
func TestScannerTypographicRecovery(t *testing.T) {
	got, errs := scanAll("drop comment « drop invalid » accept")
	if len(errs) != 1 {
		t.Fatalf("errors = %q, want exactly one", errs)
	}
	want := []scanned{{WORD, "drop"}, {WORD, "comment"}, {STRING, "drop invalid"}, {WORD, "accept"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("token %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

// TestScannerLongAddressRun checks that a long run of hex digits and
// colons scans in linear time (the candidate address is bounded): 1 MB
// would take minutes if every prefix were tried. The test only guards
// against a hang; it asserts the tokens.
func TestScannerLongAddressRun(t *testing.T) {
	src := strings.Repeat("1:", 1<<19)
	fset := NewFileSet()
	file := fset.AddFile("long.nft", []byte(src))
	var s Scanner
	s.Init(file, src, nil)
	tok, _, end, _ := s.Scan()
	if tok != IPV6 && tok != CLASSID && tok != NUMBER {
		t.Fatalf("first token %v", tok)
	}
	if end > maxAddrLen {
		t.Fatalf("first token is %d bytes long, longer than any address", end)
	}
	n := 1
	for tok != EOF && n < 1<<21 {
		tok, _, _, _ = s.Scan()
		n++
	}
	if tok != EOF {
		t.Fatalf("no EOF after %d tokens", n)
	}
}
