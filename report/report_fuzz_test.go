package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/report"
)

// FuzzReport writes arbitrary diagnostics (any message, file name, rule,
// position and fix, on any file content) in every format: nothing may
// crash, the JSON formats must stay valid JSON, checkstyle well-formed
// XML, and the github format one workflow command per finding (a message
// must not start a command of its own).
func FuzzReport(f *testing.F) {
	f.Add("expected ';', found 'x'", "dir/main.nft", []byte("table ip t {\n\tchain c\n}\n"), 2, 8, 2, 9, "NFT001", uint8(3), "add ';'", "\t;")
	f.Add("bad \x1b[31m\n::error::x %0A\r\"<&>]]>", "../a b/%41ü.nft", []byte("\x00\xff\r\n“"), 1, 1, 0, 0, "NFT999", uint8(0), "", "")
	f.Add("", "-", []byte(""), -1, -5, 7, 100000, "", uint8(9), "\x00", "\ufffe")
	f.Add("\u202e\ud7ff\U0010ffff", "C:\\x\\y.nft", []byte("a\nb"), 3, 2, 1, 1, "NFT101", uint8(2), "x", "y")
	rules := checks.All()
	f.Fuzz(func(t *testing.T, msg, name string, src []byte, line, col, endLine, endCol int, rule string, sev uint8, fixMsg, newText string) {
		fset := parser.NewFileSet()
		file := fset.AddFile(name, src)
		start := parser.Position{Filename: name, Line: line, Column: col, Offset: min(max(line, 0), len(src))}
		end := parser.Position{Filename: name, Line: endLine, Column: endCol, Offset: min(max(endLine, 0), len(src))}
		d := checks.Diagnostic{
			Range: parser.Range{Start: start, End: end}, Check: rule, Name: rule, Severity: checks.Severity(sev % 5),
			Message: msg,
			Related: []checks.Related{{Range: parser.Range{Start: end, End: start}, Message: fixMsg}},
		}
		if fixMsg != "" {
			d.Fixes = []checks.Fix{{Message: fixMsg, Edits: []checks.TextEdit{{Filename: name, Start: min(max(col, 0), len(src)), End: min(max(endCol, 0), len(src)), NewText: newText}}}}
		}
		valid := d
		valid.Check, valid.Severity = "NFT001", checks.Error
		rep := &report.Report{
			Tool: report.DefaultTool("0.0.0-fuzz"), Rules: rules,
			Diagnostics: []checks.Diagnostic{d, valid},
			Files:       map[string]*parser.File{name: file},
			WorkDir:     "/work dir/" + name, FilesLinted: 1,
		}
		for _, format := range report.Formats {
			var buf bytes.Buffer
			if err := report.Write(&buf, format, rep, report.TextOptions{Color: sev&1 == 1}); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			out := buf.Bytes()
			switch format {
			case report.FormatJSON, report.FormatSARIF, report.FormatCodeClimate:
				if !json.Valid(out) {
					t.Fatalf("%s output is not valid JSON:\n%s", format, out)
				}
			case report.FormatCheckstyle:
				dec := xml.NewDecoder(bytes.NewReader(out))
				for {
					_, err := dec.Token()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatalf("checkstyle output is not well-formed XML: %v\n%q", err, out)
					}
				}
			case report.FormatGitHub:
				lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
				if len(lines) != len(rep.Diagnostics) {
					t.Fatalf("github output has %d lines for %d findings:\n%q", len(lines), len(rep.Diagnostics), out)
				}
				for _, l := range lines {
					if !strings.HasPrefix(l, "::") || strings.Contains(l, "\r") {
						t.Fatalf("github output line is not one command: %q", l)
					}
				}
			}
		}
	})
}
