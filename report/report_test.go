package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/internal/sarifvalidate"
	"github.com/nftlint/nftlint/parser"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/report")

// goldenWorkDir stands for the working directory in golden files.
const goldenWorkDir = "/src/project"

var goldenFiles = map[Format]string{
	FormatText:        "sample.txt",
	FormatJSON:        "sample.json",
	FormatSARIF:       "sample.sarif",
	FormatGitHub:      "sample.github",
	FormatCheckstyle:  "sample.checkstyle.xml",
	FormatCodeClimate: "sample.codeclimate.json",
}

func render(t *testing.T, f Format, r *Report, opts TextOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, f, r, opts); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "testdata", "report", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./report -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestGolden(t *testing.T) {
	if filepath.Separator != '/' {
		t.Skip("golden paths are POSIX paths")
	}
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			golden(t, goldenFiles[f], render(t, f, sampleReport(goldenWorkDir), TextOptions{}))
		})
	}
	t.Run("text-color", func(t *testing.T) {
		golden(t, "sample.color.txt", render(t, FormatText, sampleReport(goldenWorkDir), TextOptions{Color: true}))
	})
}

// The machine-readable formats must parse, whatever the content.
func TestWellFormed(t *testing.T) {
	r := sampleReport(goldenWorkDir)
	for _, f := range []Format{FormatJSON, FormatSARIF, FormatCodeClimate} {
		var v any
		if err := json.Unmarshal(render(t, f, r, TextOptions{}), &v); err != nil {
			t.Errorf("%s: not JSON: %v", f, err)
		}
	}
	var v struct {
		Files []struct {
			Name   string `xml:"name,attr"`
			Errors []struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
		} `xml:"file"`
	}
	if err := xml.Unmarshal(render(t, FormatCheckstyle, r, TextOptions{}), &v); err != nil {
		t.Fatalf("checkstyle: not XML: %v", err)
	}
	if len(v.Files) != 2 || v.Files[0].Name != "conf/a.nft" {
		t.Errorf("checkstyle files = %+v, want conf/a.nft then /elsewhere/b.nft", v.Files)
	}
	// The suppressed finding is left out: one error in a.nft.
	if n := len(v.Files[0].Errors); n != 1 {
		t.Errorf("checkstyle: %d errors in conf/a.nft, want 1 (the suppressed one left out)", n)
	}
}

func TestEmpty(t *testing.T) {
	r := &Report{Tool: DefaultTool("1.0.0"), Rules: sampleReport("").Rules, WorkDir: goldenWorkDir}
	var sarif struct {
		Runs []struct {
			Results json.RawMessage `json:"results"`
			Tool    struct {
				Driver struct {
					Rules []json.RawMessage `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(render(t, FormatSARIF, r, TextOptions{}), &sarif); err != nil {
		t.Fatal(err)
	}
	if len(sarif.Runs) != 1 || string(sarif.Runs[0].Results) != "[]" {
		t.Errorf("clean SARIF must have one run with results: [], got %+v", sarif.Runs)
	}
	if n := len(sarif.Runs[0].Tool.Driver.Rules); n != len(r.Rules) {
		t.Errorf("clean SARIF lists %d rules, want all %d", n, len(r.Rules))
	}
	for f, want := range map[Format]string{
		FormatJSON:        `"diagnostics": []`,
		FormatCodeClimate: "[]\n",
		FormatText:        "",
		FormatGitHub:      "",
	} {
		got := string(render(t, f, r, TextOptions{}))
		if want == "" && got != "" || !strings.Contains(got, want) {
			t.Errorf("%s of a clean run = %q, want %q", f, got, want)
		}
	}
}

func TestSARIFRuleIndex(t *testing.T) {
	r := sampleReport(goldenWorkDir)
	// A finding of a rule the registry does not know still gets a rule.
	r.Diagnostics = append(r.Diagnostics, checks.Diagnostic{Range: r.Diagnostics[0].Range, Check: "NFT999", Name: "x", Severity: checks.Warning, Message: "m"})
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
	if err := json.Unmarshal(render(t, FormatSARIF, r, TextOptions{}), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Results) != len(r.Diagnostics) {
		t.Fatalf("%d results, want %d", len(run.Results), len(r.Diagnostics))
	}
	for _, res := range run.Results {
		if res.RuleIndex < 0 || res.RuleIndex >= len(run.Tool.Driver.Rules) {
			t.Errorf("%s: ruleIndex %d out of range", res.RuleID, res.RuleIndex)
			continue
		}
		if got := run.Tool.Driver.Rules[res.RuleIndex].ID; got != res.RuleID {
			t.Errorf("ruleIndex of %s points at %s", res.RuleID, got)
		}
	}
}

func TestArtifact(t *testing.T) {
	r := &Report{WorkDir: "/src/project"}
	for _, tc := range []struct {
		name, uri, base string
	}{
		{"a.nft", "a.nft", srcRoot},
		{"conf/my rules.nft", "conf/my%20rules.nft", srcRoot},
		{"/src/project/etc/x.nft", "etc/x.nft", srcRoot},
		{"../other/x.nft", "file:///src/other/x.nft", ""},
		{"/etc/nftables.conf", "file:///etc/nftables.conf", ""},
		{"a:b.nft", "a%3Ab.nft", srcRoot},
		{"x/a:b.nft", "x/a:b.nft", srcRoot},
		{"live:ruleset", "live%3Aruleset", srcRoot},
		{StdinName, "stdin", ""},
	} {
		got := r.artifact(tc.name)
		if got.URI != tc.uri || got.URIBaseID != tc.base {
			t.Errorf("artifact(%q) = %+v, want uri %q base %q", tc.name, got, tc.uri, tc.base)
		}
	}
}

func TestGitHubEscaping(t *testing.T) {
	fset := parser.NewFileSet()
	f := fset.AddFile("dir,x/a:b.nft", []byte("x\n"))
	r := &Report{Files: map[string]*parser.File{f.Name(): f}, Diagnostics: []checks.Diagnostic{{
		Range: parser.Range{Start: f.PositionAt(0), End: f.PositionAt(1)},
		Check: "NFT101", Name: "n", Severity: checks.Info,
		Message: "100% broken\nsecond line",
	}}}
	got := string(render(t, FormatGitHub, r, TextOptions{}))
	want := "::notice file=dir%2Cx/a%3Ab.nft,line=1,col=1,endLine=1,endColumn=2,title=NFT101 (n)::100%25 broken%0Asecond line\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// A fingerprint must survive lines being added above the finding.
func TestFingerprintIgnoresLineNumbers(t *testing.T) {
	mk := func(prefix string) string {
		fset := parser.NewFileSet()
		src := prefix + "flush ruleset\n"
		f := fset.AddFile("a.nft", []byte(src))
		at := len(prefix)
		r := &Report{Files: map[string]*parser.File{"a.nft": f}, Diagnostics: []checks.Diagnostic{{
			Range: parser.Range{Start: f.PositionAt(at), End: f.PositionAt(at + 5)}, Check: "NFT301", Severity: checks.Warning, Message: "m",
		}}}
		return r.fingerprints()[0]
	}
	a, b := mk(""), mk("# a comment\n\n")
	if a != b {
		t.Errorf("fingerprint changed when lines moved: %s vs %s", a, b)
	}
	if c := mk(""); c != a {
		t.Errorf("fingerprint not deterministic")
	}
}

func TestSummary(t *testing.T) {
	var buf bytes.Buffer
	if err := Summary(&buf, sampleReport("")); err != nil {
		t.Fatal(err)
	}
	want := "nftlint: 2 problems (1 error, 1 warning, 0 info) in 2 files; 1 suppressed\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

func TestSARIFMultitool(t *testing.T) {
	tool := sarifvalidate.Tool(t)
	dir := t.TempDir()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]*Report{
		"sample.sarif": sampleReport(wd),
		"empty.sarif":  {Tool: DefaultTool("0.1.0"), Rules: sampleReport("").Rules, WorkDir: wd},
		"colon.sarif":  colonReport(wd),
	}
	var files []string
	for name, r := range cases {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, render(t, FormatSARIF, r, TextOptions{}), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	sarifvalidate.Validate(t, tool, files...)
}

// colonReport has a finding in a file whose name contains a colon, as the
// live ruleset's "live:ruleset" does.
func colonReport(wd string) *Report {
	r := sampleReport(wd)
	fset := parser.NewFileSet()
	f := fset.AddFile("live:ruleset", []byte("table ip filter {\n}\n"))
	r.Files = map[string]*parser.File{f.Name(): f}
	r.Diagnostics = []checks.Diagnostic{{
		Range: parser.Range{Start: f.PositionAt(0), End: f.PositionAt(5)}, Check: "NFT301", Name: "flush-ruleset",
		Severity: checks.Warning, Message: "m",
	}}
	return r
}

// Control and format characters of the input are printed escaped in the
// text format (snippet, messages, file names, suppression reasons), and
// the caret still points at the finding.
func TestTextEscapesControlCharacters(t *testing.T) {
	src := "table ip \"\x1b[2J\x00\u202e\" { chain c\x07 { drop; } }\n"
	fset := parser.NewFileSet()
	f := fset.AddFile("evil\x1b]0;t\a.nft", []byte(src))
	at := strings.Index(src, "drop")
	r := &Report{Files: map[string]*parser.File{f.Name(): f}, Diagnostics: []checks.Diagnostic{{
		Range: parser.Range{Start: f.PositionAt(at), End: f.PositionAt(at + 4)},
		Check: "NFT301", Name: "n", Severity: checks.Warning,
		Message:    "table \"\x1b[2J\" drops\r\n::error file=forged.nft::x",
		Related:    []checks.Related{{Range: parser.Range{Start: f.PositionAt(0)}, Message: "see \u202eereh"}},
		Fixes:      []checks.Fix{{Message: "remove \x9b31m"}},
		Suppressed: &checks.Suppression{Reason: "ok\x1b[8m"},
	}}}
	got := string(render(t, FormatText, r, TextOptions{}))
	for _, raw := range []string{"\x1b", "\x00", "\x07", "\r", "\u202e", "\x9b"} {
		if strings.Contains(got, raw) {
			t.Errorf("text output contains the raw character %q:\n%s", raw, got)
		}
	}
	for _, want := range []string{`\x1b[2J\x00\u202e`, `chain c\a`, `drops\r\n::error`, `see \u202eereh`, `remove \x9b31m`, `(suppressed: ok\x1b[8m)`, `evil\x1b]0;t\a.nft:1:`} {
		if !strings.Contains(got, want) {
			t.Errorf("text output lacks %q:\n%s", want, got)
		}
	}
	lines := strings.Split(got, "\n")
	var snippet, caret string
	for i, l := range lines {
		if strings.HasPrefix(l, " 1 | ") && i+1 < len(lines) {
			snippet, caret = l, lines[i+1]
			break
		}
	}
	if want := strings.Index(snippet, "drop;"); want < 0 || strings.Index(caret, "^~~~") != want || strings.Contains(caret, "^~~~~") {
		t.Errorf("caret not under the finding:\n%s\n%s", snippet, caret)
	}
}
