package report

import (
	"encoding/json"
	"io"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/parser"
)

// JSONVersion is the version of the json format's schema. It changes only
// when a field changes meaning or disappears; new fields may be added
// without a change.
const JSONVersion = 1

// The json format, documented in README.md ("JSON output").
type jsonReport struct {
	Version     int              `json:"version"`
	Tool        jsonTool         `json:"tool"`
	Diagnostics []jsonDiagnostic `json:"diagnostics"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonDiagnostic struct {
	File        string           `json:"file"`
	Line        int              `json:"line"`
	Column      int              `json:"column"`
	EndLine     int              `json:"endLine"`
	EndColumn   int              `json:"endColumn"`
	Rule        string           `json:"rule"`
	Name        string           `json:"name"`
	Severity    string           `json:"severity"`
	Message     string           `json:"message"`
	Fingerprint string           `json:"fingerprint"`
	Related     []jsonRelated    `json:"related"`
	Fixes       []jsonFix        `json:"fixes"`
	Suppressed  *jsonSuppression `json:"suppressed,omitempty"`
}

type jsonRelated struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"endLine"`
	EndColumn int    `json:"endColumn"`
	Message   string `json:"message"`
}

type jsonFix struct {
	Message string     `json:"message"`
	Edits   []jsonEdit `json:"edits"`
}

type jsonEdit struct {
	File        string `json:"file"`
	StartOffset int    `json:"startOffset"`
	EndOffset   int    `json:"endOffset"`
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	EndLine     int    `json:"endLine"`
	EndColumn   int    `json:"endColumn"`
	NewText     string `json:"newText"`
}

type jsonSuppression struct {
	Reason string `json:"reason"`
	Line   int    `json:"line"`
	Scope  string `json:"scope"` // "line" or "file"
}

// JSON writes the versioned json document.
func JSON(w io.Writer, r *Report) error {
	out := jsonReport{
		Version:     JSONVersion,
		Tool:        jsonTool{Name: r.Tool.Name, Version: r.Tool.Version},
		Diagnostics: []jsonDiagnostic{},
	}
	fps := r.fingerprints()
	for i, d := range r.Diagnostics {
		end := endOf(d.Range)
		jd := jsonDiagnostic{
			File:        d.Start.Filename,
			Line:        d.Start.Line,
			Column:      d.Start.Column,
			EndLine:     end.Line,
			EndColumn:   end.Column,
			Rule:        d.Check,
			Name:        d.Name,
			Severity:    d.Severity.String(),
			Message:     d.Message,
			Fingerprint: fps[i],
			Related:     []jsonRelated{},
			Fixes:       []jsonFix{},
		}
		for _, rel := range d.Related {
			rend := endOf(rel.Range)
			jd.Related = append(jd.Related, jsonRelated{
				File: rel.Start.Filename, Line: rel.Start.Line, Column: rel.Start.Column,
				EndLine: rend.Line, EndColumn: rend.Column, Message: rel.Message,
			})
		}
		for _, f := range d.Fixes {
			jf := jsonFix{Message: f.Message, Edits: []jsonEdit{}}
			for _, e := range f.Edits {
				start, stop := r.editRange(e)
				jf.Edits = append(jf.Edits, jsonEdit{
					File: e.Filename, StartOffset: e.Start, EndOffset: e.End,
					Line: start.Line, Column: start.Column, EndLine: stop.Line, EndColumn: stop.Column,
					NewText: e.NewText,
				})
			}
			jd.Fixes = append(jd.Fixes, jf)
		}
		if s := d.Suppressed; s != nil {
			scope := "line"
			if s.File {
				scope = "file"
			}
			jd.Suppressed = &jsonSuppression{Reason: s.Reason, Line: s.Start.Line, Scope: scope}
		}
		out.Diagnostics = append(out.Diagnostics, jd)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// editRange resolves an edit's byte offsets to positions; zero positions
// when the file is unknown.
func (r *Report) editRange(e checks.TextEdit) (parser.Position, parser.Position) {
	f := r.Files[e.Filename]
	if f == nil {
		return parser.Position{}, parser.Position{}
	}
	return f.PositionAt(e.Start), f.PositionAt(e.End)
}
