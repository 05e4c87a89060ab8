package parser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrecheck(t *testing.T) {
	lim := Limits{MaxLineLength: 20, MaxTokenLength: 8, MaxNestingDepth: 3}.withDefaults()
	for _, tc := range []struct {
		name, src string
		want      string // "" when the file passes; else part of the message
		off       int
	}{
		{"plain", "table ip t {\n}\n", "", 0},
		{"long line", "a b\n" + strings.Repeat("x ", 11) + "\n", "line is 22 bytes long", 4},
		{"last line without newline", strings.Repeat("x ", 11), "line is 22 bytes long", 0},
		{"long word", "a\nb 123456789", "word longer than", 4},
		{"long string over lines", "a \"1234\n5678\n\"", "quoted string longer than", 2},
		{"quoted braces do not nest", "\"{{{{\"", "", 0},
		{"commented braces do not nest", "# {{{{\n", "", 0},
		{"deep", "{ ( [ {", "nesting deeper", 6},
		{"closed again", "{ } { } { } { }", "", 0},
		{"comment is no token", "#123456789012\n", "", 0},
		{"long line of short words", "ab cd ef gh ij kl\n", "", 0},
		{"long word after short lines", "ab\ncd\n{ ( 123456789\n", "word longer than", 10},
		{"string over short lines", "a \"b\nc\" {\n( [ {\n", "nesting deeper", 14},
	} {
		v := lim.precheck([]byte(tc.src))
		switch {
		case tc.want == "" && v != nil:
			t.Errorf("%s: unexpected %q", tc.name, v.msg)
		case tc.want != "" && v == nil:
			t.Errorf("%s: passed, want %q", tc.name, tc.want)
		case v != nil && (!strings.Contains(v.msg, tc.want) || v.off != tc.off):
			t.Errorf("%s: got %q at %d, want %q at %d", tc.name, v.msg, v.off, tc.want, tc.off)
		}
	}
}

func TestLoadRefusesOverLimits(t *testing.T) {
	src := []byte("table ip t {\n\tchain c {\n\t\tcomment \"é" + strings.Repeat("x", 100) + "\"\n\t}\n}\n")
	res, err := Load(nil, LoadConfig{Dir: t.TempDir(), Limits: Limits{MaxTokenLength: 50}}, Source{Name: "a.nft", Src: src})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || res.Errors[0].Code != CodeLimit {
		t.Fatalf("errors = %v, want one NFT003", res.Errors)
	}
	e := res.Errors[0]
	if e.Pos.Line != 3 || e.Pos.Column != 11 || e.Pos.Filename != "a.nft" {
		t.Errorf("position %v, want a.nft:3:11", e.Pos)
	}
	if len(res.ASTs) != 0 {
		t.Errorf("a refused file must not be parsed")
	}
	if f := res.Files.Files(); len(f) != 1 || len(f[0].Source()) != 0 {
		t.Errorf("a refused file must be in the set without its content")
	}
}

func TestLoadCapsErrors(t *testing.T) {
	// Undefined variables are loader errors, one per use, not capped by
	// the parser.
	src := "table ip t { chain c {\n" + strings.Repeat("ip saddr $nope accept\n", 50) + "} }\n"
	res, err := Load(nil, LoadConfig{Dir: t.TempDir(), Limits: Limits{MaxErrors: 10}}, Source{Name: "a.nft", Src: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 11 {
		t.Fatalf("%d errors, want 10 and the one saying it stops", len(res.Errors))
	}
	last := res.Errors[10]
	if last.Code != CodeLimit || !strings.Contains(last.Msg, "more than 10 errors") {
		t.Errorf("last error %q (%s)", last.Msg, last.Code)
	}
}

func TestCleanMessage(t *testing.T) {
	long := strings.Repeat("A", 500)
	for _, tc := range []struct{ in, want string }{
		{"expected value, found 'x'", "expected value, found 'x'"},
		{"bad \x1b[31mred\x1b[0m \u202e and\nnewline", `bad \x1b[31mred\x1b[0m \u202e and\nnewline`},
		{"invalid \xff byte", "invalid \uFFFD byte"},
		{"nft's limit, found quoted string \"" + long + "\"; fix it",
			"nft's limit, found quoted string \"" + strings.Repeat("A", maxQuoted-1) + "…\"; fix it"},
	} {
		if got := CleanMessage(tc.in); got != tc.want {
			t.Errorf("CleanMessage(%.40q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := []rune(CleanMessage(strings.Repeat("word ", 1000))); len(got) != maxMessage {
		t.Errorf("long message kept %d code points, want %d", len(got), maxMessage)
	}
}

// TestLoadCapsTotalSize: a file included again and again counts each
// time; the include that would pass MaxTotalSize is refused (NFT003) and
// the positions of everything read before it stay valid.
func TestLoadCapsTotalSize(t *testing.T) {
	dir := t.TempDir()
	part := "table ip t {\n\tchain c {\n\t\taccept\n\t}\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "part.nft"), []byte(part), 0o644); err != nil {
		t.Fatal(err)
	}
	root := []byte(strings.Repeat("include \"part.nft\"\n", 5))
	res, err := Load(nil, LoadConfig{Dir: dir, Limits: Limits{MaxTotalSize: int64(len(root) + 3*(len(part)+1))}}, Source{Name: "root.nft", Src: root})
	if err != nil {
		t.Fatal(err)
	}
	var refused []*Error
	for _, e := range res.Errors {
		if e.Code == CodeLimit && strings.Contains(e.Msg, "would bring the files of this input to more than") {
			refused = append(refused, e)
		}
	}
	if len(refused) != 2 || len(res.Errors) != 2 {
		t.Fatalf("errors = %v, want the 4th and 5th includes refused", res.Errors)
	}
	if res.Files.Size() > int(res.Files.Files()[0].Size())+3*(len(part)+1)+1+2 {
		t.Errorf("file set holds %d bytes, more than the limit allows", res.Files.Size())
	}
	if p := res.Files.Position(res.ASTs[0].Cmds[2].Pos()); p.Line != 3 || p.Filename != "root.nft" {
		t.Errorf("third include at %v, want root.nft:3", p)
	}
}

func TestDefaultTotalSizeIsFileSetSize(t *testing.T) {
	if got := (Limits{MaxTotalSize: 4 * MaxFileSetSize}).withDefaults().MaxTotalSize; got != MaxFileSetSize {
		t.Errorf("MaxTotalSize above the file set's range becomes %d, want %d", got, MaxFileSetSize)
	}
}

// BenchmarkPrecheck runs the pass over each file before it is parsed on
// the perf files.
func BenchmarkPrecheck(b *testing.B) {
	lim := DefaultLimits()
	for _, name := range []string{"large-ruleset.nft", "big-set.nft"} {
		src, err := os.ReadFile(filepath.Join(sharedDir(), "corpus", "perf", name))
		if err != nil {
			b.Skip(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if v := lim.precheck(src); v != nil {
					b.Fatal(v.msg)
				}
			}
		})
	}
}
