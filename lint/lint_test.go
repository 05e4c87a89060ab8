package lint

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// The tests use NFT204 (a policy in a regular chain), which fires on the
// `policy` line, and NFT001 (syntax errors).
const policyRule = "NFT204"

// testedRules are the rules lintSource runs (the input rules always run).
var testedRules = map[string]bool{policyRule: true, "NFT201": true, checks.UnusedSuppressionID: true}

func lintSource(t *testing.T, src string, opts *Options) []checks.Diagnostic {
	t.Helper()
	if checks.Lookup(policyRule) == nil || checks.Lookup(checks.UnusedSuppressionID) == nil {
		t.Skipf("%s or %s not registered", policyRule, checks.UnusedSuppressionID)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.nft"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if opts == nil {
		opts = &Options{InlineSuppress: true}
	}
	// Only the rules these tests are about run, so that new rules do not
	// change the expected findings.
	also := opts.Enabled
	opts.Enabled = func(id string) bool {
		return testedRules[id] && (also == nil || also(id))
	}
	opts.Dir = dir
	res, err := Lint(parser.Source{Name: "a.nft"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res.Diagnostics
}

// found renders diagnostics as "line:RULE" for comparison.
func found(ds []checks.Diagnostic) string {
	var parts []string
	for _, d := range ds {
		s := strconv.Itoa(d.Start.Line) + ":" + d.Check
		if d.Suppressed != nil {
			s += "(suppressed: " + d.Suppressed.Reason + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

const suppressionInput = `table inet t {
	chain a {
		policy drop; # nftlint disable=NFT204 -- trailing
	}
	chain b {
		# nftlint disable=policy-on-regular-chain -- above, by name
		policy drop;
	}
	chain c {
		# nftlint disable=NFT204 -- stacked one
		# nftlint disable=NFT201 -- stacked two, nothing to suppress
		policy drop;
	}
	chain d {
		# nftlint disable=NFT204 -- a blank line follows

		policy drop;
	}
	chain e {
		policy drop; # nftlint disable=NFT201 -- wrong rule
	}
}
`

func TestInlineSuppression(t *testing.T) {
	got := found(lintSource(t, suppressionInput, nil))
	want := "11:NFT401 15:NFT401 17:NFT204 20:NFT204 20:NFT401"
	if got != want {
		t.Errorf("findings:\n got %s\nwant %s", got, want)
	}

	got = found(lintSource(t, suppressionInput, &Options{InlineSuppress: true, KeepSuppressed: true}))
	want = "3:NFT204(suppressed: trailing) 7:NFT204(suppressed: above, by name) 11:NFT401 12:NFT204(suppressed: stacked one) 15:NFT401 17:NFT204 20:NFT204 20:NFT401"
	if got != want {
		t.Errorf("with suppressed findings kept:\n got %s\nwant %s", got, want)
	}

	got = found(lintSource(t, suppressionInput, &Options{InlineSuppress: false}))
	want = "3:NFT204 7:NFT204 12:NFT204 17:NFT204 20:NFT204"
	if got != want {
		t.Errorf("--no-inline-suppress:\n got %s\nwant %s", got, want)
	}

	// A directive for a rule that did not run is not judged.
	got = found(lintSource(t, suppressionInput, &Options{InlineSuppress: true, Enabled: func(id string) bool { return id != "NFT201" }}))
	want = "15:NFT401 17:NFT204 20:NFT204"
	if got != want {
		t.Errorf("NFT201 disabled:\n got %s\nwant %s", got, want)
	}
}

func TestDisableFile(t *testing.T) {
	src := "#!/usr/sbin/nft -f\n# nftlint disable-file=NFT204 -- whole file\ntable inet t {\n\tchain a {\n\t\tpolicy drop;\n\t}\n\tchain b {\n\t\tpolicy drop;\n\t}\n}\n"
	if got := found(lintSource(t, src, nil)); got != "" {
		t.Errorf("disable-file left %s", got)
	}
	// NFT401 itself can be suppressed file-wide.
	src = "# nftlint disable-file=NFT401,NFT201 -- quiet\ntable inet t {\n}\n"
	if got := found(lintSource(t, src, nil)); got != "" {
		t.Errorf("disable-file=NFT401 left %s", got)
	}
}

// Syntax errors cannot be suppressed, disabled, or downgraded.
func TestInputRulesStay(t *testing.T) {
	src := "# nftlint disable-file=NFT001 -- no\ntable inet t {\n\tchain a {\n\t\ttcp dport 22 acept # nftlint disable=NFT001 -- no\n\t}\n}\n"
	opts := &Options{
		InlineSuppress: true,
		Enabled:        func(id string) bool { return id != "NFT001" },
		Severity:       map[string]checks.Severity{"NFT001": checks.Info},
	}
	ds := lintSource(t, src, opts)
	var syntax, directives int
	for _, d := range ds {
		switch d.Check {
		case "NFT001":
			syntax++
			if d.Severity != checks.Error || d.Suppressed != nil {
				t.Errorf("NFT001 changed: %+v", d)
			}
		case checks.UnusedSuppressionID:
			directives++
			if !strings.Contains(d.Message, "cannot be suppressed") {
				t.Errorf("NFT401 message %q does not say NFT001 cannot be suppressed", d.Message)
			}
		}
	}
	if syntax == 0 || directives != 2 {
		t.Errorf("got %d NFT001 and %d NFT401 findings, want >0 and 2: %s", syntax, directives, found(ds))
	}
}

func TestSeverityOverride(t *testing.T) {
	src := "table inet t {\n\tchain a {\n\t\tpolicy drop;\n\t}\n}\n"
	ds := lintSource(t, src, &Options{InlineSuppress: true, Severity: map[string]checks.Severity{policyRule: checks.Info}})
	if len(ds) != 1 || ds[0].Severity != checks.Info {
		t.Fatalf("override to info: %+v", ds)
	}
	ds = lintSource(t, src, &Options{InlineSuppress: true, Severity: map[string]checks.Severity{policyRule: checks.Info}, MinSeverity: checks.Warning})
	if len(ds) != 0 {
		t.Errorf("--min-severity warning kept an info finding: %s", found(ds))
	}
}

func TestApplyFixes(t *testing.T) {
	src := map[string][]byte{"a.nft": []byte("0123456789")}
	edit := func(s, e int, text string) checks.Fix {
		return checks.Fix{Message: "m", Edits: []checks.TextEdit{{Filename: "a.nft", Start: s, End: e, NewText: text}}}
	}
	diag := func(fixes ...checks.Fix) checks.Diagnostic {
		return checks.Diagnostic{Check: "NFT999", Fixes: fixes}
	}
	ds := []checks.Diagnostic{
		diag(edit(1, 3, "AB")),                      // applied
		diag(edit(2, 4, "XX")),                      // overlaps the first: refused
		diag(edit(1, 3, "AB")),                      // identical to the first: applied once
		diag(edit(5, 5, "i1")),                      // insertions at one point, in order
		diag(edit(5, 5, "i2")),                      //
		diag(edit(8, 20, "far")),                    // outside the file: refused
		diag(edit(9, 10, "Z"), edit(0, 1, "never")), // only the first fix counts
		{Check: "NFT998", Fixes: []checks.Fix{edit(0, 1, "S")}, Suppressed: &checks.Suppression{}}, // suppressed: not applied
	}
	out, conflicts := ApplyFixes(src, ds)
	if got, want := string(out["a.nft"]), "0AB34i1i25678Z"; got != want {
		t.Errorf("fixed text %q, want %q", got, want)
	}
	if len(conflicts) != 2 {
		t.Fatalf("%d conflicts, want 2: %+v", len(conflicts), conflicts)
	}
	if !strings.Contains(conflicts[0].Reason, "overlaps") || !strings.Contains(conflicts[1].Reason, "outside") {
		t.Errorf("conflict reasons: %q, %q", conflicts[0].Reason, conflicts[1].Reason)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.nft")
	link := filepath.Join(dir, "link.nft")
	if err := os.WriteFile(target, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.nft", link); err != nil {
		t.Skipf("symlinks: %v", err)
	}
	if err := WriteFileAtomic(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v %v", fi.Mode(), err)
	}
	data, _ := os.ReadFile(target)
	fi, _ := os.Stat(target)
	if string(data) != "new" || fi.Mode().Perm() != 0o640 {
		t.Errorf("target: %q mode %v, want \"new\" mode -rw-r-----", data, fi.Mode().Perm())
	}

	// A write that fails leaves the original alone and no temporary file:
	// here the temporary file's name is longer than names may be.
	long := filepath.Join(dir, strings.Repeat("n", 250))
	if err := os.WriteFile(long, []byte("original"), 0o644); err != nil {
		t.Skipf("cannot create a 250-byte name: %v", err)
	}
	if err := WriteFileAtomic(long, []byte("replacement"), 0o644); err == nil {
		t.Fatal("WriteFileAtomic succeeded with an impossible temporary name")
	}
	if data, _ := os.ReadFile(long); string(data) != "original" {
		t.Errorf("failed write changed the file to %q", data)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("directory holds %d entries after a failed write, want 3 (no temporary file left)", len(entries))
	}
}

// Messages quoting the input carry no control or format character out of
// Lint: every output format gets them escaped.
func TestCleanMessages(t *testing.T) {
	d := checks.Diagnostic{
		Message: "chain \"\x1b[2J\" drops\r\n::error::x",
		Related: []checks.Related{{Message: "see \u202eereh\x00"}},
		Fixes:   []checks.Fix{{Message: "rename \x07"}},
	}
	cleanMessages(&d)
	got := []string{d.Message, d.Related[0].Message, d.Fixes[0].Message}
	want := []string{`chain "\x1b[2J" drops\r\n::error::x`, `see \u202eereh\x00`, `rename \a`}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// Past MaxPerRule findings of one rule, one note counts the rest; the
// first ones by position are kept, so every run shows the same.
func TestMaxPerRule(t *testing.T) {
	var src strings.Builder
	src.WriteString("table inet t {\n")
	for i := range 5 {
		src.WriteString("\tchain c" + strconv.Itoa(i) + " {\n\t\tpolicy drop;\n\t}\n")
	}
	src.WriteString("}\n")

	ds := lintSource(t, src.String(), &Options{MaxPerRule: 2})
	if got, want := found(ds), "3:NFT204 6:NFT204 9:NFT204"; got != want {
		t.Fatalf("findings %s, want %s", got, want)
	}
	note := ds[2]
	if want := "3 more NFT204 findings in this input are not shown"; !strings.HasPrefix(note.Message, want) {
		t.Errorf("note %q does not start with %q", note.Message, want)
	}
	if note.Severity != ds[0].Severity || note.Name != ds[0].Name || len(note.Fixes) != 0 {
		t.Errorf("note %+v: want the rule's severity and name, no fix", note)
	}

	if got := found(lintSource(t, src.String(), &Options{MaxPerRule: -1})); strings.Count(got, "NFT204") != 5 {
		t.Errorf("no cap: findings %s, want 5 NFT204", got)
	}
	if got := found(lintSource(t, src.String(), nil)); strings.Count(got, "NFT204") != 5 {
		t.Errorf("default cap: findings %s, want 5 NFT204", got)
	}
}

// The note takes the highest severity of the findings it stands for, so
// that capping never lowers the exit status.
func TestCapPerRuleKeepsSeverity(t *testing.T) {
	mk := func(line int, sev checks.Severity) checks.Diagnostic {
		return checks.Diagnostic{Range: parser.Range{Start: parser.Position{Filename: "a.nft", Line: line, Column: 1}}, Check: "NFT200", Severity: sev, Message: "m"}
	}
	ds := capPerRule([]checks.Diagnostic{mk(1, checks.Warning), mk(2, checks.Warning), mk(3, checks.Error), mk(4, checks.Warning)}, 1, map[string]int{"NFT200": 4})
	if len(ds) != 2 || ds[1].Severity != checks.Error || !strings.HasPrefix(ds[1].Message, "3 more NFT200 findings") || ds[1].Start.Line != 2 {
		t.Errorf("capped to %+v, want the first finding and an error note at line 2 for 3 more", ds)
	}
}

// A bug that panics becomes a one-line error naming the input; the
// stack trace only with Debug.
func TestPanicIsOneLineError(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.nft"), []byte("table inet t {\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := func(*ruleset.Ruleset) { panic("boom\nsecond line") }
	for _, debug := range []bool{false, true} {
		_, err := Lint(parser.Source{Name: "a.nft"}, &Options{Dir: dir, Annotate: boom, Debug: debug})
		if err == nil {
			t.Fatalf("debug %v: no error from a panic", debug)
		}
		msg := err.Error()
		first, rest, _ := strings.Cut(msg, "\n")
		if want := `a.nft: internal error: boom\nsecond line; this is a bug in nftlint, please report it with the input`; !strings.HasPrefix(first, want) {
			t.Errorf("debug %v: first line %q, want it to start with %q", debug, first, want)
		}
		if hasStack := strings.Contains(rest, "goroutine ") && strings.Contains(rest, "lint.Lint"); hasStack != debug {
			t.Errorf("debug %v: stack trace shown %v:\n%s", debug, hasStack, msg)
		}
		if !debug && rest != "" {
			t.Errorf("error is not one line:\n%s", msg)
		}
	}
}

// TestCleanMessageFastPath checks that the fast test for plain messages
// returns what parser.CleanMessage returns, at and around its length
// bound and for the characters it escapes.
func TestCleanMessageFastPath(t *testing.T) {
	msgs := []string{
		"", "plain message", strings.Repeat("a", 399), strings.Repeat("b", 400), strings.Repeat("c", 401),
		strings.Repeat("q\"", 300), "tab\there", "del\x7f", "bell\a", "bidi \u202e override", "é accent",
		"zero\u200bwidth", "bad \xff utf8", strings.Repeat("é", 250),
	}
	for _, m := range msgs {
		if got, want := cleanMessage(m), parser.CleanMessage(m); got != want {
			t.Errorf("cleanMessage(%q) = %q, parser.CleanMessage gives %q", m, got, want)
		}
	}
}
