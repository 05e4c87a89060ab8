package hostile

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/lint"
	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/report"
)

// hangGuard bounds one case; it only catches hangs, it measures nothing
// (BenchmarkHostile does).
const hangGuard = 60 * time.Second

// secretText is the content of a file outside the linted tree that
// cases try to leak.
const secretText = "table ip leaked_f8a1c3e5 { comment \"SECRET-d41d8cd98f00b204\"; }\n"

// hostileCase is one hostile input. The linted tree is a fresh directory
// (the working directory of the run) with a sibling directory "outside"
// that holds secret.nft (secretText).
type hostileCase struct {
	name string
	// setup writes the input into tree; it may skip the test.
	setup func(tb testing.TB, tree string)
	root  string // the file named on the command line (default main.nft)
	// includeOutside sets --include-outside.
	includeOutside bool
	// rule is the rule a finding must report ("" when none of the input
	// rules NFT001-NFT003 may fire), and msg what its message must say;
	// for exit 2, msg is matched against the error instead.
	rule string
	msg  string
	exit int // the exit status the command would return
	// secrets must appear in no output and no message.
	secrets []string
	// pos, when set, is the "line:col" of the first finding of rule.
	pos string
	// check runs further assertions on the result.
	check func(tb testing.TB, out *outcome)
}

// file returns a setup that writes files (name, content, name, content…).
func files(nameContent ...string) func(testing.TB, string) {
	return func(tb testing.TB, tree string) {
		for i := 0; i+1 < len(nameContent); i += 2 {
			write(tb, filepath.Join(tree, nameContent[i]), nameContent[i+1])
		}
	}
}

func write(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func symlink(tb testing.TB, target, link string) {
	tb.Helper()
	if err := os.Symlink(target, link); err != nil {
		tb.Skipf("symlink: %v", err)
	}
}

// main returns a setup that writes main.nft.
func main(src string) func(testing.TB, string) { return files("main.nft", src) }

// chain wraps rules into a table and a base chain.
func chain(rules string) string {
	return "table inet t {\n\tchain c {\n\t\ttype filter hook input priority filter; policy accept;\n" + rules + "\t}\n}\n"
}

// environSecret is a value from this process's /proc/self/environ, which
// an include of that file must not reveal.
func environSecret() string {
	b, err := os.ReadFile("/proc/self/environ")
	if err != nil {
		return ""
	}
	for _, kv := range strings.Split(string(b), "\x00") {
		if _, v, ok := strings.Cut(kv, "="); ok && len(v) >= 12 && !strings.ContainsAny(v, "/ ") {
			return v
		}
	}
	for _, kv := range strings.Split(string(b), "\x00") {
		if _, v, ok := strings.Cut(kv, "="); ok && len(v) >= 12 {
			return v
		}
	}
	return ""
}

func cases() []hostileCase {
	doubling := func(n int) string {
		var b strings.Builder
		b.WriteString("define d0 = 192.0.2.1\n")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "define d%d = { $d%d, $d%d }\n", i, i-1, i-1)
		}
		fmt.Fprintf(&b, "table ip t {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = $d%d\n\t}\n}\n", n)
		return b.String()
	}
	numbered := func(n int, f func(i int) string) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(f(i))
		}
		return b.String()
	}
	return []hostileCase{
		// --- nesting, sizes, counts
		{name: "nesting-10k-braces", setup: main(chain("\t\tip saddr " + strings.Repeat("{ ", 10000) + "\n")),
			rule: parser.CodeLimit, msg: `nesting deeper than nftlint's limit of 256 levels`, exit: 1, pos: "4:520"},
		{name: "nesting-1M-parens", setup: main(chain("\t\tmeta mark " + strings.Repeat("(", 1000000) + "\n")),
			rule: parser.CodeLimit, msg: `nesting deeper .* unclosed '\('`, exit: 1},
		{name: "nesting-1000-anonymous-chains", setup: main(chain(strings.Repeat("\t\tjump {\n", 1000))),
			rule: parser.CodeLimit, msg: `nesting deeper`, exit: 1},
		{name: "nesting-100k-tables", setup: main(strings.Repeat("table ip t {\n", 100000)),
			rule: parser.CodeLimit, msg: `nesting deeper`, exit: 1},
		{name: "line-10MB", setup: main("table ip t {\n" + strings.Repeat("x ", 5<<20) + "\n}\n"),
			rule: parser.CodeLimit, msg: `line is 10485760 bytes long, over nftlint's limit of 1048576 bytes`, exit: 1, pos: "2:1"},
		{name: "word-1MB", setup: main("table ip " + strings.Repeat("a", 1<<20) + " {}\n"),
			rule: parser.CodeLimit, msg: `word longer than nftlint's limit of 65536 bytes`, exit: 1, pos: "1:10"},
		{name: "unterminated-string-over-100k-lines", setup: main("table ip t {\n\tcomment \"" + strings.Repeat("abc\n", 100000)),
			rule: parser.CodeLimit, msg: `quoted string longer than`, exit: 1, pos: "2:10"},
		{name: "unterminated-string", setup: main("table ip t {\n\tcomment \"abc\n}\n"),
			rule: parser.CodeSyntax, msg: `unterminated string`, exit: 1, pos: "2:10"},
		{name: "file-over-64MiB", setup: func(tb testing.TB, tree string) {
			write(tb, filepath.Join(tree, "main.nft"), strings.Repeat("# filler line of a huge file\n", (64<<20)/29+1))
		}, rule: parser.CodeLimit, msg: `larger than nftlint's limit of 67108864 bytes`, exit: 1},
		{name: "1M-tokens", setup: main(chain(numbered(10000, func(i int) string {
			var b strings.Builder
			fmt.Fprintf(&b, "\t\tip saddr { ")
			for j := 0; j < 50; j++ {
				fmt.Fprintf(&b, "10.%d.%d.%d, ", i>>8&255, i&255, j)
			}
			b.WriteString("10.255.255.255 } counter\n")
			return b.String()
		}))), exit: -1},
		{name: "set-1M-elements", setup: main("table ip t {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = {\n" +
			numbered(100000, func(i int) string {
				var b strings.Builder
				b.WriteString("\t\t\t")
				for j := 0; j < 10; j++ {
					n := i*10 + j
					fmt.Fprintf(&b, "10.%d.%d.%d, ", n>>16&255, n>>8&255, n&255)
				}
				b.WriteString("\n")
				return b.String()
			}) + "\t\t}\n\t}\n}\n"), exit: -1},
		{name: "10k-chains-jump-ring", setup: main("table ip t {\n" + numbered(10000, func(i int) string {
			return fmt.Sprintf("\tchain c%d {\n\t\tjump c%d\n\t}\n", i, (i+1)%10000)
		}) + "\tchain input {\n\t\ttype filter hook input priority filter;\n\t\tjump c0\n\t}\n}\n"), exit: 1},
		{name: "jump-cycle-two-chains", setup: main("table ip t {\n\tchain a {\n\t\tjump b\n\t}\n\tchain b {\n\t\tjump a\n\t}\n}\n"), exit: -1},
		{name: "jump-cycle-through-goto", setup: main("table ip t {\n\tchain a {\n\t\tjump b\n\t\taccept\n\t}\n\tchain b {\n\t\tgoto c\n\t}\n\tchain c {\n\t\tjump a\n\t}\n}\n"), exit: -1},
		{name: "100k-syntax-errors", setup: main(strings.Repeat("%\n", 100000)),
			rule: parser.CodeSyntax, msg: `invalid character`, exit: 1, check: maxFindings(1100)},
		{name: "100k-undefined-variables", setup: main(chain(strings.Repeat("\t\tip saddr $nope accept\n", 100000))),
			rule: parser.CodeLimit, msg: `more than 1000 errors in this input`, exit: 1, check: maxFindings(1100)},
		{name: "3k-policies-in-regular-chains", setup: main("table ip t {\n" + numbered(3000, func(i int) string {
			return fmt.Sprintf("\tchain c%d {\n\t\tpolicy drop;\n\t}\n", i)
		}) + "}\n"), exit: 1, check: cappedPerRule("NFT204", lint.DefaultMaxPerRule)},
		{name: "define-doubling-bomb", setup: main(doubling(64)),
			rule: parser.CodeLimit, msg: `define expansion exceeds 1048576 nodes: 'd\d+' grows`, exit: 1},
		{name: "define-total-expansion", setup: main("define big = { " + numbered(20000, func(i int) string {
			return fmt.Sprintf("%d, ", i+1)
		}) + "0 }\n" + chain(strings.Repeat("\t\ttcp dport $big accept\n", 1000))),
			rule: parser.CodeLimit, msg: `define expansion exceeds 1048576 nodes in total`, exit: 1},
		{name: "expression-100k-operators", setup: main(chain("\t\tmeta mark set " + strings.Repeat("1 | ", 100000) + "1\n")), exit: -1},
		{name: "huge-numbers", setup: main(chain("\t\tmeta mark 99999999999999999999999999999999999999 accept\n" +
			"\t\tip saddr 192.0.2.0/4294967297 accept\n\t\ttcp dport 18446744073709551616-99999999999999999999 accept\n" +
			"\t\tlimit rate 99999999999999999999999/second accept\n\t\tct mark 0xffffffffffffffffffffffffffff accept\n" +
			"\t\tmeta priority 99999999999:99999999999 accept\n")), rule: "*", exit: 1},

		// --- includes
		{name: "include-cycle", setup: files("main.nft", "include \"a.nft\"\n", "a.nft", "include \"b.nft\"\n", "b.nft", "include \"a.nft\"\n"),
			rule: parser.CodeInclude, msg: `include cycle a\.nft -> b\.nft -> a\.nft`, exit: 1},
		{name: "include-self", setup: main("include \"main.nft\"\n"),
			rule: parser.CodeInclude, msg: `include cycle main\.nft -> main\.nft`, exit: 1},
		{name: "include-depth-17", setup: func(tb testing.TB, tree string) {
			write(tb, filepath.Join(tree, "main.nft"), "include \"f2.nft\"\n")
			for i := 2; i <= 17; i++ {
				write(tb, filepath.Join(tree, fmt.Sprintf("f%d.nft", i)), fmt.Sprintf("include \"f%d.nft\"\n", i+1))
			}
			write(tb, filepath.Join(tree, "f18.nft"), "")
		}, rule: parser.CodeInclude, msg: `include nested too deeply: nft allows at most 16 levels`, exit: 1},
		{name: "include-20k-times", setup: files("main.nft", strings.Repeat("include \"x.nft\"\n", 20000), "x.nft", "# empty\n"),
			rule: parser.CodeLimit, msg: `more than 10000 included files`, exit: 1},
		{name: "include-glob-1100-files", setup: func(tb testing.TB, tree string) {
			write(tb, filepath.Join(tree, "main.nft"), "include \"d/*.nft\"\n")
			for i := 0; i < 1100; i++ {
				write(tb, filepath.Join(tree, "d", fmt.Sprintf("%04d.nft", i)), "")
			}
		}, rule: parser.CodeLimit, msg: `include pattern "d/\*\.nft" matches more than 1000 files`, exit: 1},
		{name: "include-dev-zero", setup: main("include \"/dev/zero\"\n"),
			rule: parser.CodeInclude, msg: `"/dev/zero" is outside the linted file's directory`, exit: 1},
		{name: "include-dev-zero-outside-allowed", setup: main("include \"/dev/zero\"\n"), includeOutside: true,
			rule: parser.CodeInclude, msg: `cannot include "/dev/zero": not a regular file`, exit: 1},
		{name: "include-fifo", setup: func(tb testing.TB, tree string) {
			write(tb, filepath.Join(tree, "main.nft"), "include \"pipe.nft\"\n")
			if err := mkfifo(filepath.Join(tree, "pipe.nft")); err != nil {
				tb.Skipf("mkfifo: %v", err)
			}
		}, rule: parser.CodeInclude, msg: `cannot include "pipe.nft": not a regular file`, exit: 1},
		{name: "include-symlink-loop", setup: func(tb testing.TB, tree string) {
			write(tb, filepath.Join(tree, "main.nft"), "include \"a.nft\"\n")
			symlink(tb, "b.nft", filepath.Join(tree, "a.nft"))
			symlink(tb, "a.nft", filepath.Join(tree, "b.nft"))
		}, rule: parser.CodeInclude, msg: `cannot include "a.nft": too many levels of symbolic links`, exit: 1},
		{name: "include-directory", setup: files("main.nft", "include \"conf.d\"\n", "conf.d/a.nft", ""),
			rule: parser.CodeInclude, msg: `names the directory conf.d: nft silently includes nothing`, exit: 1},
		{name: "include-unreadable-dangling-link", setup: func(tb testing.TB, tree string) {
			write(tb, filepath.Join(tree, "main.nft"), "include \"gone.nft\"\n")
			symlink(tb, "nowhere/gone.nft", filepath.Join(tree, "gone.nft"))
		}, rule: parser.CodeInclude, msg: `cannot include "gone.nft": no such file or directory`, exit: 1},
		{name: "include-proc-self-environ", setup: main("include \"/proc/self/environ\"\n"),
			rule: parser.CodeInclude, msg: `outside the linted file's directory`, exit: 1, secrets: []string{environSecret()}},
		{name: "include-parent-secret", setup: main("include \"../outside/secret.nft\"\n"),
			rule: parser.CodeInclude, msg: `neither reads it nor looks whether it exists`, exit: 1, secrets: []string{"leaked_f8a1c3e5", "SECRET-d41d8cd98f00b204"}},
		{name: "include-link-to-secret", setup: func(tb testing.TB, tree string) {
			write(tb, filepath.Join(tree, "main.nft"), "include \"link.nft\"\n")
			symlink(tb, "../outside/secret.nft", filepath.Join(tree, "link.nft"))
		}, rule: parser.CodeInclude, msg: `link.nft leads through a symbolic link outside`, exit: 1,
			secrets: []string{"leaked_f8a1c3e5", "SECRET-d41d8cd98f00b204", "outside/secret"}},
		{name: "include-glob-through-linked-dir", setup: func(tb testing.TB, tree string) {
			write(tb, filepath.Join(tree, "main.nft"), "include \"*/*.nft\"\n")
			symlink(tb, "../outside", filepath.Join(tree, "out"))
		}, exit: 0, secrets: []string{"leaked_f8a1c3e5", "secret.nft"}},
		{name: "include-glob-etc", setup: main("include \"/etc/*\"\n"),
			rule: parser.CodeInclude, msg: `"/etc/\*" is outside`, exit: 1, secrets: []string{"passwd", "hostname"}},

		// --- encodings
		{name: "nul-bytes", setup: main("table ip t {\x00\x00}\n"),
			rule: parser.CodeSyntax, msg: `NUL byte`, exit: 1, pos: "1:13", check: noRawBytes("\x00")},
		{name: "invalid-utf8", setup: main("table ip t {\n\tchain é\xff\xfe {\n\t}\n}\n"),
			rule: parser.CodeSyntax, exit: 1, pos: "2:8"},
		{name: "invalid-utf8-in-string", setup: main("table ip t {\n\tcomment \"\xff\xfe\xc0\"\n}\n"), exit: -1},
		{name: "byte-order-mark", setup: main("\xef\xbb\xbftable ip t {\n}\n"),
			rule: parser.CodeSyntax, msg: `byte order mark`, exit: 1, pos: "1:1"},
		{name: "crlf-line-ends", setup: main("table ip t {\r\n\tchain c {\r\n\t}\r\n}\r\n"),
			rule: parser.CodeSyntax, msg: `carriage return \(CRLF line ending\)`, exit: 1, pos: "1:13"},
		{name: "tabs-and-wide-characters-count-as-one-column", setup: main("table ip t {\n\tcomment \"ü€\" %\n}\n"),
			rule: parser.CodeSyntax, msg: `invalid character '%'`, exit: 1, pos: "2:15"},
		{name: "typographic-quotes", setup: main("table ip t {\n\tcomment “x”\n}\n"),
			rule: parser.CodeSyntax, msg: `typographic quote '“' \(U\+201C\)`, exit: 1, pos: "2:10"},
		{name: "terminal-escapes-in-names", setup: main("table ip \"\x1b[2J\x1b]0;pwned\x07\" {\n\tchain \"\x1b[31m\" {\n\t\tjump \"\x1b[31mnone\"\n\t}\n}\n"),
			rule: "*", exit: 1, check: noRawBytes("\x1b", "\x07")},
		{name: "newline-in-quoted-name-forges-no-workflow-command", setup: main("table ip t {\n\tchain c {\n\t\tjump \"x\n::error file=forged.nft::forged\"\n\t}\n}\n"),
			rule: "*", exit: 1, check: noForgedLines},

		// --- the command line
		{name: "root-is-a-directory", setup: func(tb testing.TB, tree string) { os.Mkdir(filepath.Join(tree, "main.nft"), 0o755) },
			msg: `main\.nft: not a regular file`, exit: 2},
		{name: "root-is-dev-zero", setup: func(testing.TB, string) {}, root: "/dev/zero", msg: `/dev/zero: not a regular file`, exit: 2},
		{name: "empty-file", setup: main(""), exit: 0},
	}
}

// outcome is what one run produced.
type outcome struct {
	res     *lint.Result
	err     error
	exit    int
	outputs map[report.Format][]byte
}

// lintCase runs c through the pipeline in a fresh tree and renders every
// format.
func lintCase(tb testing.TB, c hostileCase) *outcome {
	tb.Helper()
	tree, root := prepare(tb, c)
	return runGuarded(tb, c.name, func() *outcome { return pipeline(tb, c, tree, root) })
}

// prepare makes the tree of c and returns it with the root to lint.
func prepare(tb testing.TB, c hostileCase) (tree, root string) {
	tb.Helper()
	base := tb.TempDir()
	tree = filepath.Join(base, "tree")
	if err := os.Mkdir(tree, 0o755); err != nil {
		tb.Fatal(err)
	}
	write(tb, filepath.Join(base, "outside", "secret.nft"), secretText)
	c.setup(tb, tree)
	root = c.root
	if root == "" {
		root = "main.nft"
	}
	return tree, root
}

// pipeline is what the command does with one input: lint it, then write
// the report in every format.
func pipeline(tb testing.TB, c hostileCase, tree, root string) *outcome {
	o := &outcome{outputs: map[report.Format][]byte{}}
	o.res, o.err = lint.Lint(parser.Source{Name: root}, &lint.Options{
		Dir: tree, InlineSuppress: true, IncludeOutside: c.includeOutside, Stdin: strings.NewReader(""),
	})
	o.exit = exitStatus(o.res, o.err)
	if o.err != nil {
		return o
	}
	rep := &report.Report{
		Tool: report.DefaultTool("0.0.0-test"), Rules: checks.All(), Diagnostics: o.res.Diagnostics,
		Files: map[string]*parser.File{}, WorkDir: tree, FilesLinted: 1,
	}
	for _, f := range o.res.Files.Files() {
		rep.Files[f.Name()] = f
	}
	for _, f := range report.Formats {
		var buf bytes.Buffer
		if err := report.Write(&buf, f, rep, report.TextOptions{}); err != nil {
			tb.Errorf("%s output: %v", f, err)
		}
		o.outputs[f] = buf.Bytes()
	}
	return o
}

// runGuarded runs f, failing the test if it does not return within
// hangGuard.
func runGuarded(tb testing.TB, name string, f func() *outcome) *outcome {
	done := make(chan *outcome, 1)
	go func() { done <- f() }()
	select {
	case o := <-done:
		return o
	case <-time.After(hangGuard):
		tb.Fatalf("%s: no result after %v: nftlint hangs on this input", name, hangGuard)
		return nil
	}
}

// exitStatus is the status the command returns for one input at the
// default --fail-on (warning).
func exitStatus(res *lint.Result, err error) int {
	if err != nil {
		return 2
	}
	for _, d := range res.Diagnostics {
		if d.Suppressed == nil && d.Severity >= checks.Warning {
			return 1
		}
	}
	return 0
}

func TestHostile(t *testing.T) {
	all := cases()
	if len(all) < 30 {
		t.Fatalf("only %d hostile cases", len(all))
	}
	for _, c := range all {
		t.Run(c.name, func(t *testing.T) {
			out := lintCase(t, c)
			assertOutcome(t, c, out)
		})
	}
}

func assertOutcome(t *testing.T, c hostileCase, out *outcome) {
	if out.err != nil && strings.Contains(out.err.Error(), "internal error") {
		t.Fatalf("crash: %.2000s", out.err)
	}
	if out.res != nil {
		for _, d := range out.res.Diagnostics {
			if strings.Contains(d.Message, "internal error") {
				t.Fatalf("a check crashed: %s", d.Message)
			}
		}
	}
	if c.exit >= 0 && out.exit != c.exit {
		t.Errorf("exit status %d, want %d (err %v, %s)", out.exit, c.exit, out.err, summary(out))
	}
	if c.exit == 2 {
		if out.err == nil || !regexp.MustCompile(c.msg).MatchString(out.err.Error()) {
			t.Errorf("error %v, want one matching %q", out.err, c.msg)
		}
		return
	}
	if out.err != nil {
		t.Fatalf("unexpected error: %v", out.err)
	}
	switch c.rule {
	case "":
		for _, d := range out.res.Diagnostics {
			if checks.IsInputRule(d.Check) {
				t.Errorf("unexpected %s at %d:%d: %s", d.Check, d.Start.Line, d.Start.Column, d.Message)
			}
		}
	case "*":
		if len(out.res.Diagnostics) == 0 {
			t.Errorf("no finding")
		}
	default:
		var first *checks.Diagnostic
		re := regexp.MustCompile(c.msg)
		for i, d := range out.res.Diagnostics {
			if d.Check == c.rule && first == nil {
				first = &out.res.Diagnostics[i]
			}
			if d.Check == c.rule && re.MatchString(d.Message) {
				if d.Severity != checks.Error {
					t.Errorf("%s is %v, input rules are errors", d.Check, d.Severity)
				}
				if !d.Start.IsValid() || d.Start.Filename == "" {
					t.Errorf("%s has no position: %+v", d.Check, d.Start)
				}
				re = nil
				break
			}
		}
		if re != nil {
			t.Errorf("no %s finding matching %q; got %s", c.rule, c.msg, summary(out))
		}
		if c.pos != "" && first != nil {
			if got := fmt.Sprintf("%d:%d", first.Start.Line, first.Start.Column); got != c.pos {
				t.Errorf("first %s at %s, want %s (%s)", c.rule, got, c.pos, first.Message)
			}
		}
	}
	assertOutputs(t, out)
	for _, s := range c.secrets {
		if s == "" {
			continue
		}
		for f, b := range out.outputs {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s output reveals %q", f, s)
			}
		}
		for _, file := range out.res.Files.Files() {
			if bytes.Contains(file.Source(), []byte(s)) {
				t.Errorf("%s was read: its content is in the file set", file.Name())
			}
		}
	}
	if c.check != nil {
		c.check(t, out)
	}
}

// assertOutputs checks that the machine-readable formats stay valid.
func assertOutputs(t testing.TB, out *outcome) {
	for _, f := range []report.Format{report.FormatJSON, report.FormatSARIF, report.FormatCodeClimate} {
		if b := out.outputs[f]; !json.Valid(b) {
			t.Errorf("%s output is not valid JSON: %.300q", f, b)
		}
	}
	if err := validXML(out.outputs[report.FormatCheckstyle]); err != nil {
		t.Errorf("checkstyle output is not well-formed XML: %v", err)
	}
	for f, b := range out.outputs {
		if len(b) > 64<<20 {
			t.Errorf("%s output is %d bytes", f, len(b))
		}
	}
}

func validXML(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func summary(out *outcome) string {
	if out.res == nil {
		return "no result"
	}
	var parts []string
	for i, d := range out.res.Diagnostics {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("… %d in all", len(out.res.Diagnostics)))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d:%d %.200s", d.Check, d.Start.Line, d.Start.Column, d.Message))
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

// cappedPerRule asserts that no rule has more than limit findings plus
// the note counting the rest, and that rule has that note.
func cappedPerRule(rule string, limit int) func(testing.TB, *outcome) {
	return func(tb testing.TB, out *outcome) {
		count := map[string]int{}
		noted := false
		for _, d := range out.res.Diagnostics {
			count[d.Check]++
			noted = noted || d.Check == rule && strings.Contains(d.Message, "more "+rule+" findings in this input are not shown")
		}
		for id, n := range count {
			if n > limit+1 {
				tb.Errorf("%d %s findings, want at most %d and a note", n, id, limit)
			}
		}
		if !noted {
			tb.Errorf("no note counting the %s findings left out; got %s", rule, summary(out))
		}
	}
}

// maxFindings bounds the number of findings.
func maxFindings(n int) func(testing.TB, *outcome) {
	return func(tb testing.TB, out *outcome) {
		if len(out.res.Diagnostics) > n {
			tb.Errorf("%d findings, want at most %d", len(out.res.Diagnostics), n)
		}
	}
}

// textBug is the open report bug that makes the text format print
// control characters of the input raw; "" once fixed.
const textBug = ""

// noRawBytes asserts that no output format carries the given bytes raw.
func noRawBytes(bs ...string) func(testing.TB, *outcome) {
	return func(tb testing.TB, out *outcome) {
		for f, b := range out.outputs {
			if f == report.FormatText && textBug != "" {
				tb.Logf("text output not checked: %s", textBug)
				continue
			}
			for _, s := range bs {
				if bytes.Contains(b, []byte(s)) {
					tb.Errorf("%s output contains the raw byte %q (terminal or log injection)", f, s)
				}
			}
		}
	}
}

// noForgedLines asserts that no line of the text or github output starts
// with the forged workflow command.
func noForgedLines(tb testing.TB, out *outcome) {
	for _, f := range []report.Format{report.FormatText, report.FormatGitHub} {
		for _, line := range strings.Split(string(out.outputs[f]), "\n") {
			if strings.HasPrefix(line, "::error file=forged.nft") {
				tb.Errorf("%s output has a forged line: %q", f, line)
			}
		}
	}
}
