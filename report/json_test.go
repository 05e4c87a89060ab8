package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/parser"
)

// encodeWithEncoding writes r as encoding/json does: JSON writes the
// same bytes by hand.
func encodeWithEncoding(t *testing.T, r *jsonReport) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestJSONMatchesEncoder holds the hand-written JSON document to what
// encoding/json writes for the same values: strings with every kind of
// character encoding/json escapes, empty and nil lists, suppressions.
func TestJSONMatchesEncoder(t *testing.T) {
	tricky := []string{
		"", "plain", `quote " and \ backslash`, "<html> & 'apos'", "ctl \x00\x01\x08\x0c\n\r\t\x1f\x7f",
		"bad utf8 \xff\xfe end", "sep \u2028 and \u2029", "é ü 漢字 🙂", "trunc \xe2\x80", strings.Repeat("x", 500),
	}
	var diags []jsonDiagnostic
	for i, s := range tricky {
		d := jsonDiagnostic{File: s, Line: i, Column: -i, EndLine: 1 << 40, EndColumn: 0, Rule: "NFT" + s, Name: s,
			Severity: "error", Message: s, Fingerprint: s, Related: []jsonRelated{}, Fixes: []jsonFix{}}
		if i%2 == 1 {
			d.Related = append(d.Related, jsonRelated{File: s, Line: 1, Column: 2, EndLine: 3, EndColumn: 4, Message: s})
			d.Fixes = append(d.Fixes, jsonFix{Message: s, Edits: []jsonEdit{}},
				jsonFix{Message: s, Edits: []jsonEdit{{File: s, StartOffset: 1, EndOffset: 2, Line: 3, Column: 4, EndLine: 5, EndColumn: 6, NewText: s}}})
		}
		if i%3 == 0 {
			d.Suppressed = &jsonSuppression{Reason: s, Line: i, Scope: "file"}
		}
		if i == 4 {
			d.Related, d.Fixes = nil, nil
		}
		diags = append(diags, d)
	}
	for _, r := range []*jsonReport{
		{Version: 1, Tool: jsonTool{Name: "nftlint", Version: "1.2.3"}, Diagnostics: []jsonDiagnostic{}},
		{Version: 1, Tool: jsonTool{Name: "nftlint"}},
		{Version: 1, Tool: jsonTool{Name: tricky[3], Version: tricky[5]}, Diagnostics: diags},
	} {
		want := encodeWithEncoding(t, r)
		if got := r.appendIndented(nil); !bytes.Equal(got, want) {
			t.Errorf("hand-written JSON differs from encoding/json's\n--- got\n%s\n--- want\n%s", got, want)
		}
	}
}

// TestJSONReport checks the whole report path against encoding/json on
// a report with findings, related locations, fixes and a suppression.
func TestJSONReport(t *testing.T) {
	f := parser.NewFileSet().AddFile("a.nft", []byte("table ip t {\n\tchain c { \"x\" }\n}\n"))
	pos := f.PositionAt(3)
	rg := parser.Range{Start: pos, End: f.PositionAt(8)}
	r := &Report{
		Tool:  DefaultTool("1.0"),
		Files: map[string]*parser.File{"a.nft": f},
		Diagnostics: []checks.Diagnostic{
			{Range: rg, Check: "NFT101", Name: "n", Severity: checks.Error, Message: "m \"q\" <x>",
				Related: []checks.Related{{Range: rg, Message: "r"}},
				Fixes:   []checks.Fix{{Message: "fix", Edits: []checks.TextEdit{{Filename: "a.nft", Start: 1, End: 4, NewText: "\t\"n\"\n"}}}}},
			{Range: parser.Range{Start: pos}, Check: "NFT102", Severity: checks.Info, Message: "é",
				Suppressed: &checks.Suppression{Reason: "why", File: true}},
		},
	}
	var got bytes.Buffer
	if err := JSON(&got, r); err != nil {
		t.Fatal(err)
	}
	var doc jsonReport
	if err := json.Unmarshal(got.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, got.Bytes())
	}
	if want := encodeWithEncoding(t, &doc); !bytes.Equal(got.Bytes(), want) {
		t.Errorf("JSON differs from encoding/json's rendering of the same document\n--- got\n%s\n--- want\n%s", got.Bytes(), want)
	}
	if len(doc.Diagnostics) != 2 || doc.Diagnostics[0].Fixes[0].Edits[0].NewText != "\t\"n\"\n" || doc.Diagnostics[1].Suppressed == nil {
		t.Errorf("document lost data: %+v", doc)
	}
}

// TestAppendFields compares appendFields with strings.Fields joined by
// one space.
func TestAppendFields(t *testing.T) {
	for _, s := range []string{"", "  ", "a", " a  b\tc\n", "\u00a0x\u0085y\u2003z ", "bad\xff \xfe", "\v\f\ra b\r\n"} {
		if got, want := string(appendFields([]byte("k"), s)), "k"+strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("appendFields(%q) = %q, want %q", s, got, want)
		}
	}
}

// plainWriter is an io.Writer without a buffer of its own.
type plainWriter struct {
	b      []byte
	writes int
}

func (w *plainWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	w.writes++
	return len(p), nil
}

// JSON appends in place to a bytes.Buffer, after what it holds, and
// writes the same document, in pieces, to a writer without a buffer.
func TestJSONWriters(t *testing.T) {
	f := parser.NewFileSet().AddFile("a.nft", []byte("table ip t {\n}\n"))
	rg := parser.Range{Start: f.PositionAt(0), End: f.PositionAt(5)}
	r := &Report{Tool: DefaultTool("1.0"), Files: map[string]*parser.File{"a.nft": f}}
	for i := range 200 {
		d := checks.Diagnostic{Range: rg, Check: "NFT101", Severity: checks.Warning, Message: strings.Repeat("m", i%50*40)}
		if i%3 == 0 {
			d.Related = []checks.Related{{Range: rg, Message: "r"}}
		}
		r.Diagnostics = append(r.Diagnostics, d)
	}
	var plain plainWriter
	if err := JSON(&plain, r); err != nil {
		t.Fatal(err)
	}
	buf := bytes.NewBufferString("before\n")
	if err := JSON(buf, r); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "before\n"+string(plain.b); got != want {
		t.Errorf("JSON to a bytes.Buffer wrote\n%s\nto another writer\n%s", got, want)
	}
	if plain.writes < 2 {
		t.Errorf("JSON wrote a %d-byte document in %d pieces, want pieces of %d bytes", len(plain.b), plain.writes, jsonChunk)
	}
	if !strings.Contains(string(plain.b), `"related": [],`) || !strings.Contains(string(plain.b), `"message": "r"`) {
		t.Errorf("document lost its related locations:\n%s", plain.b)
	}
}
