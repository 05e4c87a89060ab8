package checks

// The check test harness. Every check has a directory
// testdata/checks/<ID>/ of txtar archives, one case each:
//
//	runtime: podman              <- archive comment: options, one per line
//	container-iface: lxdbr0         (runtime, container-iface, nft-version,
//	nft-version: 1.0.6               allow-after-fix)
//	-- input.nft --
//	table inet t {               <- the file linted; other .nft sections are
//	  chain forward {               files it may include
//	    type filter hook forward priority 0; policy drop; # want NFT101 "drops"
//	  }
//	}
//	-- fixed.nft --              <- optional: input.nft after applying the
//	…                               first fix of every finding of the check
//	-- args --                   <- optional: the same options as flags
//	--runtime podman --container-iface lxdbr0
//
// Expected findings are `# want ID "regexp" [ID "regexp" …]` comments on
// the line where the finding starts; ID may carry the severity the finding
// must have (`NFT101:error`). A `# want` comment alone on its line
// applies to the next line that is not blank and not such a comment. A
// case fails on every expectation no finding matches, and on every
// finding of the check under test (or of a check some `# want` of the case
// names, or of the input rules NFT0xx) that no expectation matches.
//
// When fixed.nft is present, the fixed text must equal it, and linting the
// fixed text must not report the check under test any more (unless the
// comment says `allow-after-fix: true`).

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
	"golang.org/x/tools/txtar"
)

var updateFixed = flag.Bool("update-fixed", false, "rewrite the fixed.nft sections of check cases from the fixes (review the diff!)")

const checksTestdata = "../testdata/checks"

// checkCase is one parsed txtar case.
type checkCase struct {
	path          string
	checkID       string
	archive       *txtar.Archive
	files         map[string][]byte // .nft sections except fixed.nft
	fixed         []byte            // nil when absent
	opts          *Options
	allowAfterFix bool
}

func TestChecks(t *testing.T) {
	dirs, err := os.ReadDir(checksTestdata)
	if err != nil {
		t.Fatalf("reading check testdata: %v", err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		id := d.Name()
		t.Run(id, func(t *testing.T) {
			c := Lookup(id)
			if c == nil || c.ID != id {
				t.Fatalf("testdata directory %s names no registered check", id)
			}
			cases, _ := filepath.Glob(filepath.Join(checksTestdata, id, "*.txtar"))
			if len(cases) == 0 {
				t.Fatalf("no cases in %s", filepath.Join(checksTestdata, id))
			}
			for _, path := range cases {
				path := path
				t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
					tc := readCase(t, id, path)
					runCase(t, tc)
				})
			}
		})
	}
}

// readCase parses a txtar case file.
func readCase(t *testing.T, id, path string) *checkCase {
	t.Helper()
	a, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tc := &checkCase{path: path, checkID: id, archive: a, files: make(map[string][]byte)}
	var args []string
	for _, f := range a.Files {
		switch {
		case f.Name == "fixed.nft":
			tc.fixed = f.Data
		case f.Name == "args":
			args = append(args, strings.Fields(string(f.Data))...)
		default:
			tc.files[f.Name] = f.Data
		}
	}
	if _, ok := tc.files["input.nft"]; !ok {
		t.Fatalf("%s: no input.nft section", path)
	}
	tc.opts, tc.allowAfterFix, err = caseOptions(string(a.Comment), args)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return tc
}

// caseOptionKeys are the options a case may set.
var caseOptionKeys = map[string]bool{"runtime": true, "container-iface": true, "nft-version": true, "allow-after-fix": true}

// caseOptions reads options from the archive comment ("key: value"
// lines; other lines describe the case) and from the args section (flags).
func caseOptions(comment string, args []string) (*Options, bool, error) {
	var runtimes, ifaces []string
	nftVersion := ""
	allow := false
	set := func(key, val string) error {
		switch key {
		case "runtime":
			runtimes = append(runtimes, val)
		case "container-iface":
			ifaces = append(ifaces, val)
		case "nft-version":
			nftVersion = val
		case "allow-after-fix":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return fmt.Errorf("allow-after-fix: %v", err)
			}
			allow = b
		default:
			return fmt.Errorf("unknown case option %q", key)
		}
		return nil
	}
	for _, line := range strings.Split(comment, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue // free text describing the case
		}
		key = strings.TrimSpace(key)
		if !caseOptionKeys[key] {
			continue // free text that happens to contain a colon
		}
		if err := set(key, strings.TrimSpace(val)); err != nil {
			return nil, false, err
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			return nil, false, fmt.Errorf("args: unexpected %q", a)
		}
		key, val, ok := strings.Cut(a[2:], "=")
		if !ok {
			if i+1 >= len(args) {
				return nil, false, fmt.Errorf("args: %s needs a value", a)
			}
			i++
			val = args[i]
		}
		if err := set(key, val); err != nil {
			return nil, false, err
		}
	}
	opts, err := NewOptions(runtimes, ifaces)
	if err != nil {
		return nil, false, err
	}
	opts.NftVersion = nftVersion
	return opts, allow, nil
}

// lintFiles writes files into a fresh directory, loads input.nft as nft -f
// would, and runs every applicable check. It returns the diagnostics
// (with the loader's input errors as NFT0xx diagnostics), the sources by
// file-set name, and the ruleset.
func lintFiles(t *testing.T, files map[string][]byte, opts *Options) ([]Diagnostic, map[string][]byte, *ruleset.Ruleset) {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rs, diags := loadRuleset(t, dir, "input.nft")
	diags = append(diags, Run(rs, opts, nil)...)
	srcs := make(map[string][]byte)
	for _, f := range rs.Files.Files() {
		srcs[f.Name()] = f.Source()
	}
	return diags, srcs, rs
}

// loadRuleset loads dir/name the way the command does and builds the
// ruleset. Input errors become diagnostics of the input rules; the
// builder's errors are the NFT200 check's to report (it runs them again).
func loadRuleset(t *testing.T, dir, name string) (*ruleset.Ruleset, []Diagnostic) {
	t.Helper()
	fset := parser.NewFileSet()
	res, err := parser.Load(fset, parser.LoadConfig{Dir: dir}, parser.Source{Name: name})
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	rs, _ := ruleset.Build(res)
	var diags []Diagnostic
	for _, e := range res.Errors {
		code := e.Code
		if code == "" {
			code = parser.CodeSyntax
		}
		diags = append(diags, Diagnostic{
			Range:    parser.Range{Start: e.Pos, End: e.End},
			Check:    code,
			Severity: Error,
			Message:  e.Msg,
		})
	}
	return rs, diags
}

// isInputDiag reports whether d comes from loading rather than from a
// check: input errors are never expected unless a `# want` names them.
func isInputDiag(d Diagnostic) bool {
	return strings.HasPrefix(d.Check, "NFT0") || d.Check == ruleset.CodeApply
}

// expectation is one `# want ID "regexp"`.
type expectation struct {
	file     string
	line     int
	check    string
	severity Severity // 0: any
	re       *regexp.Regexp
	matched  bool
}

var (
	wantComment = regexp.MustCompile(`#\s*want\s+(NFT\d{3}(?::[a-z]+)?\s.*)$`)
	wantID      = regexp.MustCompile(`^(NFT\d{3})(?::(error|warning|info))?$`)
)

// parseWants extracts the expectations of one file.
func parseWants(file string, src []byte) ([]*expectation, error) {
	var out []*expectation
	lines := strings.Split(string(src), "\n")
	var pending []*expectation // from own-line comments, waiting for their line
	for i, line := range lines {
		m := wantComment.FindStringSubmatchIndex(line)
		if m == nil {
			if len(pending) > 0 && strings.TrimSpace(line) != "" {
				for _, e := range pending {
					e.line = i + 1
				}
				out = append(out, pending...)
				pending = nil
			}
			continue
		}
		exps, err := parseWantList(line[m[2]:m[3]])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", file, i+1, err)
		}
		for _, e := range exps {
			e.file = file
		}
		if strings.TrimSpace(line[:m[0]]) == "" {
			pending = append(pending, exps...)
			continue
		}
		if len(pending) > 0 {
			for _, e := range pending {
				e.line = i + 1
			}
			out = append(out, pending...)
			pending = nil
		}
		for _, e := range exps {
			e.line = i + 1
		}
		out = append(out, exps...)
	}
	if len(pending) > 0 {
		return nil, fmt.Errorf("%s: a `# want` comment at the end of the file has no line to apply to", file)
	}
	return out, nil
}

// parseWantList parses `ID "re" ID "re" …`.
func parseWantList(s string) ([]*expectation, error) {
	var out []*expectation
	s = strings.TrimSpace(s)
	for s != "" {
		word, rest, ok := strings.Cut(s, " ")
		m := wantID.FindStringSubmatch(word)
		if !ok || m == nil {
			return nil, fmt.Errorf("want: expected a rule ID (NFT101 or NFT101:error) and a quoted regexp at %q", s)
		}
		id := m[1]
		var sev Severity
		if m[2] != "" {
			sev, _ = ParseSeverity(m[2])
		}
		rest = strings.TrimSpace(rest)
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return nil, fmt.Errorf("want %s: expected a quoted regexp at %q", id, rest)
		}
		pat, _ := strconv.Unquote(q)
		re, err := regexp.Compile(pat)
		if err != nil {
			return nil, fmt.Errorf("want %s: %v", id, err)
		}
		out = append(out, &expectation{check: id, severity: sev, re: re})
		s = strings.TrimSpace(rest[len(q):])
	}
	return out, nil
}

// caseFileName maps a file-set name back to the archive's section name.
func caseFileName(name string) string {
	return filepath.ToSlash(filepath.Base(name))
}

func runCase(t *testing.T, tc *checkCase) {
	t.Helper()
	diags, srcs, _ := lintFiles(t, tc.files, tc.opts)

	var wants []*expectation
	names := make([]string, 0, len(tc.files))
	for name := range tc.files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ws, err := parseWants(name, tc.files[name])
		if err != nil {
			t.Fatal(err)
		}
		wants = append(wants, ws...)
	}
	considered := map[string]bool{tc.checkID: true}
	for _, w := range wants {
		considered[w.check] = true
	}

	for _, d := range diags {
		if !considered[d.Check] && !isInputDiag(d) {
			continue
		}
		file := caseFileName(d.Start.Filename)
		found := false
		for _, w := range wants {
			if !w.matched && w.file == file && w.line == d.Start.Line && w.check == d.Check && (w.severity == 0 || w.severity == d.Severity) && w.re.MatchString(d.Message) {
				w.matched = true
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s:%d:%d: unexpected %s %s: %s", file, d.Start.Line, d.Start.Column, d.Check, d.Severity, d.Message)
		}
	}
	for _, w := range wants {
		if !w.matched {
			sev := ""
			if w.severity != 0 {
				sev = " " + w.severity.String()
			}
			t.Errorf("%s:%d: no %s%s finding matching %q", w.file, w.line, w.check, sev, w.re)
		}
	}
	checkSanity(t, tc.checkID, diags, srcs)

	if tc.fixed == nil && !*updateFixed {
		return
	}
	var own []Diagnostic
	for _, d := range diags {
		if d.Check == tc.checkID {
			own = append(own, d)
		}
	}
	fixedSrcs, skipped := ApplyFixes(srcs, own)
	if len(skipped) > 0 {
		t.Errorf("%d fix edits overlap or are out of range: %+v", len(skipped), skipped)
	}
	inputName := ""
	for name := range srcs {
		if caseFileName(name) == "input.nft" {
			inputName = name
		}
	}
	got, changed := fixedSrcs[inputName]
	if !changed {
		got = srcs[inputName]
	}
	if *updateFixed {
		if changed || tc.fixed != nil {
			writeFixed(t, tc, got)
		}
		return
	}
	if string(got) != string(tc.fixed) {
		t.Errorf("fixed input differs from fixed.nft\n--- got ---\n%s--- want ---\n%s", got, tc.fixed)
		return
	}
	if tc.allowAfterFix {
		return
	}
	files := make(map[string][]byte)
	for k, v := range tc.files {
		files[k] = v
	}
	files["input.nft"] = got
	after, _, _ := lintFiles(t, files, tc.opts)
	for _, d := range after {
		if d.Check == tc.checkID || isInputDiag(d) {
			t.Errorf("after the fix: %s:%d:%d: %s still reported: %s", caseFileName(d.Start.Filename), d.Start.Line, d.Start.Column, d.Check, d.Message)
		}
	}
}

// identifierStart matches a message that starts with an upper-case
// identifier (a rule ID, a chain name such as FORWARD), which is not a
// capitalised sentence.
var identifierStart = regexp.MustCompile(`^[A-Z][A-Z0-9_-]+\b`)

// checkSanity asserts what every diagnostic must satisfy: a known rule,
// a valid severity, a position, the message style of the house, and
// edits that stay inside their file.
func checkSanity(t *testing.T, id string, diags []Diagnostic, srcs map[string][]byte) {
	t.Helper()
	for _, d := range diags {
		if d.Check != id {
			continue
		}
		if d.Severity < Info || d.Severity > Error {
			t.Errorf("%s: invalid severity %d", d.Check, d.Severity)
		}
		if !d.Start.IsValid() {
			t.Errorf("%s: finding without a position: %s", d.Check, d.Message)
		}
		if msg := d.Message; msg == "" || strings.HasSuffix(msg, ".") ||
			(strings.ToLower(msg[:1]) != msg[:1] && !identifierStart.MatchString(msg)) {
			t.Errorf("%s: message must start lower case (or with an identifier such as NFT001) and not end with a period: %q", d.Check, msg)
		}
		for _, f := range d.Fixes {
			if f.Message == "" {
				t.Errorf("%s: fix without a message", d.Check)
			}
			for _, e := range f.Edits {
				src, ok := srcs[e.Filename]
				if !ok || e.Start < 0 || e.End < e.Start || e.End > len(src) {
					t.Errorf("%s: fix edit outside its file: %+v", d.Check, e)
				}
			}
		}
	}
}

// writeFixed rewrites the case's fixed.nft section (with -update-fixed).
func writeFixed(t *testing.T, tc *checkCase, fixed []byte) {
	t.Helper()
	found := false
	for i, f := range tc.archive.Files {
		if f.Name == "fixed.nft" {
			tc.archive.Files[i].Data = fixed
			found = true
		}
	}
	if !found {
		tc.archive.Files = append(tc.archive.Files, txtar.File{Name: "fixed.nft", Data: fixed})
	}
	if err := os.WriteFile(tc.path, txtar.Format(tc.archive), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sharedDir returns ../shared (or $NFTLINT_SHARED), skipping the test when
// it is absent unless NFTLINT_CORPUS=required.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared")
	if d := os.Getenv("NFTLINT_SHARED"); d != "" {
		dir = d
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("NFTLINT_CORPUS") == "required" {
			t.Fatalf("shared test data required but not found at %s (set NFTLINT_SHARED): %v", dir, err)
		}
		t.Skipf("shared test data not found at %s (set NFTLINT_SHARED); skipping", dir)
	}
	return dir
}

// TestSeedExample is the acceptance test of the container checks on the
// configuration that started the project (examples/seed.nft, from a blog
// article recommending it "for Docker"): with the default runtime, nftlint
// must report the flush-ruleset reload problem and the nat INPUT priority,
// and nothing at error level — the config does not break current Docker.
func TestSeedExample(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(sharedDir(t), "examples", "seed.nft"))
	if err != nil {
		t.Fatal(err)
	}
	diags, _, _ := lintFiles(t, map[string][]byte{"input.nft": src}, &Options{})
	lines := strings.Split(string(src), "\n")
	lineOf := func(prefix string) int {
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), prefix) {
				return i + 1
			}
		}
		t.Fatalf("seed.nft has no line starting with %q", prefix)
		return 0
	}
	flushLine := lineOf("flush ruleset")
	natInputLine := lineOf("type nat hook input priority -100")
	var gotFlush, gotNatInput bool
	for _, d := range diags {
		t.Logf("%d:%d: %s %s: %s", d.Start.Line, d.Start.Column, d.Severity, d.Check, d.Message)
		if d.Severity == Error {
			t.Errorf("error-level finding on the seed: %s at line %d: %s", d.Check, d.Start.Line, d.Message)
		}
		if d.Check == "NFT105" && d.Start.Line == flushLine && d.Severity == Warning {
			gotFlush = true
		}
		if d.Check == "NFT103" && d.Start.Line == natInputLine && d.Severity == Warning &&
			strings.Contains(d.Message, "-100") && strings.Contains(d.Message, "100") && len(d.Fixes) == 1 {
			gotNatInput = true
		}
	}
	if !gotFlush {
		t.Errorf("no NFT105 warning for `flush ruleset` at line %d", flushLine)
	}
	if !gotNatInput {
		t.Errorf("no NFT103 warning with a fix for the nat INPUT priority at line %d", natInputLine)
	}
}
