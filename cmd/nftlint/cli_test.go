package main

// CLI golden tests. Each testdata/cli/*.txtar is one run of the command,
// in-process, in a fresh directory holding the archive's files:
//
//	A comment describing the case.
//	-- args --          the command line (after "nftlint"); '…' quotes
//	--format json a.nft
//	-- env --           optional: KEY=VALUE lines (TTY=1 makes stdout a terminal)
//	-- stdin --         optional: standard input
//	-- a.nft --         any other section is a file of the directory
//	-- after/a.nft --   optional: the file's expected content after the run
//	-- stdout --        expected output; $WORK stands for the directory
//	-- stderr --
//	-- exit --          expected exit status
//
// `go test ./cmd/nftlint -update` rewrites stdout, stderr, exit and the
// after/ sections from the actual run (review the diff).

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/internal/config"
	"github.com/nftlint/nftlint/internal/sarifvalidate"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the expected sections of testdata/cli/*.txtar")

const cliTestdata = "../../testdata/cli"

// testVersion is the version the command reports in tests.
const testVersion = "0.0.0-test"

// cliCase is one parsed archive.
type cliCase struct {
	path    string
	archive *txtar.Archive
	args    []string
	env     map[string]string
	stdin   []byte
	hasIn   bool
	files   map[string][]byte // the directory's files
	after   map[string][]byte // after/NAME sections by NAME
}

func readCLICase(t *testing.T, path string) *cliCase {
	t.Helper()
	a, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := &cliCase{path: path, archive: a, env: map[string]string{}, files: map[string][]byte{}, after: map[string][]byte{}}
	hasArgs := false
	for _, f := range a.Files {
		switch {
		case f.Name == "args":
			hasArgs = true
			if c.args, err = splitArgs(strings.TrimSpace(string(f.Data))); err != nil {
				t.Fatalf("%s: args: %v", path, err)
			}
		case f.Name == "env":
			for _, line := range strings.Split(string(f.Data), "\n") {
				if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
					c.env[k] = v
				}
			}
		case f.Name == "stdin":
			c.stdin, c.hasIn = f.Data, true
		case f.Name == "stdout" || f.Name == "stderr" || f.Name == "exit":
		case strings.HasPrefix(f.Name, "after/"):
			c.after[strings.TrimPrefix(f.Name, "after/")] = f.Data
		default:
			c.files[f.Name] = f.Data
		}
	}
	if !hasArgs {
		t.Fatalf("%s: no args section", path)
	}
	return c
}

// splitArgs splits a command line at spaces; single quotes group.
func splitArgs(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inQuote, have := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			inQuote, have = !inQuote, true
		case (r == ' ' || r == '\t' || r == '\n') && !inQuote:
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	if inQuote {
		return nil, fmt.Errorf("unterminated quote in %q", s)
	}
	if have {
		out = append(out, cur.String())
	}
	return out, nil
}

// pinnedRules is the config the CLI cases run under unless they bring
// their own .nftlint.yaml (or --config): it sits in the parent of the
// case's directory, so discovery finds it, and limits the rules to the
// ones the cases are about. The CLI goldens then do not change each time
// a rule is added; the check cases test the rules.
const pinnedRules = `# Written by cli_test.go: the rules the CLI cases are about.
disable: [all]
enable: [NFT101, NFT102, NFT105, NFT204, NFT211, NFT401]
`

// setup writes the case's files into a fresh directory; pinned puts the
// pinnedRules config above it.
func (c *cliCase) setup(t *testing.T, pinned bool) string {
	t.Helper()
	root := t.TempDir()
	// The loader resolves symbolic links in the working directory; use
	// the resolved name so that paths in the output are stable.
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	if pinned {
		if err := os.WriteFile(filepath.Join(root, ".nftlint.yaml"), []byte(pinnedRules), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(root, "work")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range c.files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runIn runs the command in dir with args and the case's environment.
func (c *cliCase) runIn(dir string, args []string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	var stdin io.Reader = strings.NewReader("")
	if c.hasIn {
		stdin = bytes.NewReader(c.stdin)
	}
	a := &app{
		stdin:  stdin,
		stdout: &out,
		stderr: &errb,
		dir:    dir,
		getenv: func(k string) string { return c.env[k] },
		isTerminal: func(w io.Writer) bool {
			return w == io.Writer(&out) && c.env["TTY"] == "1"
		},
		version:  testVersion,
		localNft: func() string { return c.env["LOCAL_NFT"] },
	}
	code = a.main(args)
	return normalize(out.String(), dir), normalize(errb.String(), dir), code
}

// sarifRuleIndex matches the ruleIndex of a result.
var sarifRuleIndex = regexp.MustCompile(`"ruleIndex": \d+`)

// normalizeSARIF checks that every result's ruleIndex names its rule,
// then replaces the rules array and the indexes with placeholders: they
// change whenever a check is added or its documentation edited, which
// the CLI goldens are not about (report's goldens cover the rules).
func normalizeSARIF(t *testing.T, out string) string {
	t.Helper()
	if !strings.HasPrefix(out, "{") || !strings.Contains(out, `"version": "2.1.0"`) {
		return out
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string } `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	for _, run := range log.Runs {
		if n := len(run.Tool.Driver.Rules); n != len(checks.All()) {
			t.Errorf("SARIF lists %d rules, want every registered rule (%d)", n, len(checks.All()))
		}
		for _, r := range run.Results {
			if r.RuleIndex < 0 || r.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
				t.Errorf("result %s: ruleIndex %d does not point at its rule", r.RuleID, r.RuleIndex)
			}
		}
	}
	out = sarifRuleIndex.ReplaceAllString(out, `"ruleIndex": "$$INDEX"`)
	key := `"rules": [`
	start := strings.Index(out, key)
	if start < 0 {
		return out
	}
	end := matchingBracket(out, start+len(key)-1)
	if end < 0 {
		t.Fatalf("SARIF rules array not terminated")
	}
	return out[:start] + `"rules": ["$RULES"]` + out[end+1:]
}

// matchingBracket returns the index of the ']' closing the '[' at open,
// skipping JSON strings; -1 when there is none.
func matchingBracket(s string, open int) int {
	depth, inString, escaped := 0, false, false
	for i := open; i < len(s); i++ {
		c := s[i]
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// normalize replaces what differs between machines and runs.
func normalize(s, dir string) string {
	s = strings.ReplaceAll(s, dir, "$WORK")
	s = strings.ReplaceAll(s, runtime.Version(), "$GOVERSION")
	return strings.ReplaceAll(s, runtime.GOOS+"/"+runtime.GOARCH, "$GOOS/$GOARCH")
}

func cliCases(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(cliTestdata, "*.txtar"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no CLI cases in %s: %v", cliTestdata, err)
	}
	return paths
}

func TestCLI(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the goldens use POSIX paths")
	}
	for _, path := range cliCases(t) {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			c := readCLICase(t, path)
			dir := c.setup(t, true)
			stdout, stderr, code := c.runIn(dir, c.args)
			stdout = normalizeSARIF(t, stdout)
			after := map[string][]byte{}
			for name := range c.after {
				data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
				if err != nil {
					t.Errorf("after the run: %v", err)
				}
				after[name] = []byte(normalize(string(data), dir))
			}
			if *update {
				c.rewrite(t, stdout, stderr, code, after)
				return
			}
			want := func(name string) (string, bool) {
				for _, f := range c.archive.Files {
					if f.Name == name {
						return string(f.Data), true
					}
				}
				return "", false
			}
			if w, _ := want("stdout"); stdout != w {
				t.Errorf("stdout differs (go test ./cmd/nftlint -update rewrites it)\n--- got\n%s--- want\n%s", stdout, w)
			}
			if w, _ := want("stderr"); stderr != w {
				t.Errorf("stderr differs\n--- got\n%s--- want\n%s", stderr, w)
			}
			w, ok := want("exit")
			if !ok {
				t.Errorf("no exit section (the run exited %d)", code)
			} else if n, err := strconv.Atoi(strings.TrimSpace(w)); err != nil || n != code {
				t.Errorf("exit status %d, want %s", code, strings.TrimSpace(w))
			}
			for name, w := range c.after {
				if string(after[name]) != string(w) {
					t.Errorf("%s after the run differs\n--- got\n%s--- want\n%s", name, after[name], w)
				}
			}
		})
	}
}

// rewrite replaces the expected sections of the archive with the run's.
func (c *cliCase) rewrite(t *testing.T, stdout, stderr string, code int, after map[string][]byte) {
	t.Helper()
	a := &txtar.Archive{Comment: c.archive.Comment}
	for _, f := range c.archive.Files {
		switch {
		case f.Name == "stdout" || f.Name == "stderr" || f.Name == "exit" || strings.HasPrefix(f.Name, "after/"):
			continue
		}
		a.Files = append(a.Files, f)
	}
	names := make([]string, 0, len(after))
	for name := range after {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		a.Files = append(a.Files, txtar.File{Name: "after/" + name, Data: after[name]})
	}
	a.Files = append(a.Files,
		txtar.File{Name: "stdout", Data: []byte(stdout)},
		txtar.File{Name: "stderr", Data: []byte(stderr)},
		txtar.File{Name: "exit", Data: []byte(strconv.Itoa(code) + "\n")},
	)
	if err := os.WriteFile(c.path, txtar.Format(a), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSARIFValid writes SARIF for every CLI case and every check test
// case and has the SARIF Multitool validate all of it.
func TestSARIFValid(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX paths")
	}
	tool := sarifvalidate.Tool(t)
	outDir := t.TempDir()
	var files []string
	emit := func(name string, c *cliCase, args []string, pinned bool) {
		dir := c.setup(t, pinned)
		args = append([]string{"--format", "sarif", "-o", filepath.Join(outDir, name+".sarif")}, args...)
		stdout, _, code := c.runIn(dir, args)
		if code == exitTrouble {
			// Cases about bad flags or unreadable inputs produce no report.
			return
		}
		if stdout != "" {
			t.Errorf("%s: SARIF run wrote to stdout: %q", name, stdout)
		}
		files = append(files, filepath.Join(outDir, name+".sarif"))
	}
	for _, path := range cliCases(t) {
		c := readCLICase(t, path)
		if args, ok := sarifArgs(c.args); ok {
			emit("cli-"+strings.TrimSuffix(filepath.Base(path), ".txtar"), c, args, true)
		}
	}
	checkCases, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "checks", "*", "*.txtar"))
	for _, path := range checkCases {
		a, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		c := &cliCase{files: map[string][]byte{}}
		for _, f := range a.Files {
			if strings.HasSuffix(f.Name, ".nft") && f.Name != "fixed.nft" {
				c.files[f.Name] = f.Data
			}
		}
		rel := strings.TrimSuffix(strings.ReplaceAll(strings.TrimPrefix(path, filepath.Join("..", "..", "testdata", "checks")+"/"), "/", "-"), ".txtar")
		emit("check-"+rel, c, []string{"--runtime", "docker,podman,kubernetes,libvirt", "input.nft"}, false)
	}
	if len(files) < 2 {
		t.Fatalf("only %d SARIF files produced", len(files))
	}
	sarifvalidate.Validate(t, tool, files...)
}

// sarifArgs turns a CLI case's arguments into a SARIF run over the same
// inputs; ok is false for cases that produce no report.
func sarifArgs(args []string) (out []string, ok bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--format" || a == "-f" || a == "-o" || a == "--output":
			i++
		case strings.HasPrefix(a, "--format=") || strings.HasPrefix(a, "--output="),
			a == "--diff", a == "--fix", strings.HasPrefix(a, "--color"):
		case a == "--explain", a == "--list-rules", a == "--version", a == "--live", a == "-h", a == "--help":
			return nil, false
		default:
			out = append(out, a)
		}
	}
	return out, true
}

// NFTLINT_DEBUG asks for the stack trace of an internal error.
func TestDebugEnv(t *testing.T) {
	for env, want := range map[string]bool{"": false, "0": false, "1": true} {
		a := &app{getenv: func(k string) string {
			if k == "NFTLINT_DEBUG" {
				return env
			}
			return ""
		}, localNft: func() string { return "" }}
		s := config.Defaults()
		if got := a.lintOptions(&options{}, s).Debug; got != want {
			t.Errorf("NFTLINT_DEBUG=%q: Debug %v, want %v", env, got, want)
		}
	}
}
