package report

import (
	"io"
	"strconv"
	"unicode/utf8"

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
	fps := r.fingerprints()
	// One diagnostic converted at a time, into the same jsonDiagnostic
	// and lists: a document's worth of them was half a megabyte.
	var jd jsonDiagnostic
	related, fixes := []jsonRelated{}, []jsonFix{} // empty lists are written []
	var sup jsonSuppression
	diag := func(i int) *jsonDiagnostic {
		d := &r.Diagnostics[i]
		end := endOf(d.Range)
		jd = jsonDiagnostic{
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
			Related:     related[:0],
			Fixes:       fixes[:0],
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
		related, fixes = jd.Related, jd.Fixes
		if s := d.Suppressed; s != nil {
			scope := "line"
			if s.File {
				scope = "file"
			}
			sup = jsonSuppression{Reason: s.Reason, Line: s.Start.Line, Scope: scope}
			jd.Suppressed = &sup
		}
		return &jd
	}
	tool := jsonTool{Name: r.Tool.Name, Version: r.Tool.Version}
	// A writer with a buffer of its own (the command's bytes.Buffer) is
	// appended to in place, grown once to about 750 bytes per finding (a
	// large report is mostly findings): no copy of the document. Other
	// writers get it in pieces of jsonChunk bytes, from one buffer (as
	// small as the document may be).
	if bw, ok := w.(interface {
		Grow(int)
		AvailableBuffer() []byte
	}); ok {
		bw.Grow(512 + 768*len(r.Diagnostics))
		jw := &jsonWriter{b: bw.AvailableBuffer()}
		jw.document(JSONVersion, tool, len(r.Diagnostics), diag)
		_, err := w.Write(jw.b)
		return err
	}
	jw := &jsonWriter{b: make([]byte, 0, min(512+768*len(r.Diagnostics), 2*jsonChunk)), out: w}
	jw.document(JSONVersion, tool, len(r.Diagnostics), diag)
	jw.flush()
	return jw.err
}

// jsonChunk is the size of the pieces JSON writes to a writer without a
// buffer (at a diagnostic's end: a piece may be larger).
const jsonChunk = 64 << 10

// The document is written by hand, byte for byte as encoding/json's
// Encoder with SetIndent("", "  ") and SetEscapeHTML(false) writes these
// types (TestJSONMatchesEncoder holds the two together): reflection over
// every field of thousands of findings was a tenth of a large lint.

// jsonWriter appends an indented JSON document.
type jsonWriter struct {
	b     []byte
	depth int
	first bool // no member written yet in the current object or array

	out io.Writer // where document writes a piece of b once it is jsonChunk long; nil: never
	err error     // of the first write to out
}

// flush writes b to out, unless a write failed already, and empties it.
func (w *jsonWriter) flush() {
	if w.err == nil {
		_, w.err = w.out.Write(w.b)
	}
	w.b = w.b[:0]
}

func (w *jsonWriter) newline() {
	w.b = append(w.b, '\n')
	for range w.depth {
		w.b = append(w.b, "  "...)
	}
}

func (w *jsonWriter) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
	w.first = true
}

// close ends an object or array; an empty one is written "{}" or "[]".
func (w *jsonWriter) close(c byte) {
	w.depth--
	if !w.first {
		w.newline()
	}
	w.b = append(w.b, c)
	w.first = false
}

// elem starts an array element.
func (w *jsonWriter) elem() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.newline()
}

// key starts an object member.
func (w *jsonWriter) key(k string) {
	w.elem()
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ": "...)
}

func (w *jsonWriter) str(k, v string) {
	w.key(k)
	w.b = appendJSONString(w.b, v)
}

func (w *jsonWriter) int(k string, v int) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, int64(v), 10)
}

func (r *jsonReport) appendIndented(b []byte) []byte {
	n := len(r.Diagnostics)
	if r.Diagnostics == nil {
		n = -1
	}
	w := &jsonWriter{b: b}
	w.document(r.Version, r.Tool, n, func(i int) *jsonDiagnostic { return &r.Diagnostics[i] })
	return w.b
}

// document writes the document of n diagnostics (n < 0: null), diag(i)
// the i-th, which it writes before asking for the next.
func (w *jsonWriter) document(version int, tool jsonTool, n int, diag func(int) *jsonDiagnostic) {
	w.open('{')
	w.int("version", version)
	w.key("tool")
	w.open('{')
	w.str("name", tool.Name)
	w.str("version", tool.Version)
	w.close('}')
	w.key("diagnostics")
	if n < 0 {
		w.b = append(w.b, "null"...)
	} else {
		w.open('[')
		for i := range n {
			w.elem()
			diag(i).write(w)
			if w.out != nil && len(w.b) >= jsonChunk {
				w.flush()
			}
		}
		w.close(']')
	}
	w.close('}')
	w.b = append(w.b, '\n')
}

func (d *jsonDiagnostic) write(w *jsonWriter) {
	w.open('{')
	w.str("file", d.File)
	w.int("line", d.Line)
	w.int("column", d.Column)
	w.int("endLine", d.EndLine)
	w.int("endColumn", d.EndColumn)
	w.str("rule", d.Rule)
	w.str("name", d.Name)
	w.str("severity", d.Severity)
	w.str("message", d.Message)
	w.str("fingerprint", d.Fingerprint)
	w.key("related")
	if d.Related == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.open('[')
		for _, rel := range d.Related {
			w.elem()
			w.open('{')
			w.str("file", rel.File)
			w.int("line", rel.Line)
			w.int("column", rel.Column)
			w.int("endLine", rel.EndLine)
			w.int("endColumn", rel.EndColumn)
			w.str("message", rel.Message)
			w.close('}')
		}
		w.close(']')
	}
	w.key("fixes")
	if d.Fixes == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.open('[')
		for _, f := range d.Fixes {
			w.elem()
			w.open('{')
			w.str("message", f.Message)
			w.key("edits")
			if f.Edits == nil {
				w.b = append(w.b, "null"...)
			} else {
				w.open('[')
				for _, e := range f.Edits {
					w.elem()
					w.open('{')
					w.str("file", e.File)
					w.int("startOffset", e.StartOffset)
					w.int("endOffset", e.EndOffset)
					w.int("line", e.Line)
					w.int("column", e.Column)
					w.int("endLine", e.EndLine)
					w.int("endColumn", e.EndColumn)
					w.str("newText", e.NewText)
					w.close('}')
				}
				w.close(']')
			}
			w.close('}')
		}
		w.close(']')
	}
	if s := d.Suppressed; s != nil {
		w.key("suppressed")
		w.open('{')
		w.str("reason", s.Reason)
		w.int("line", s.Line)
		w.str("scope", s.Scope)
		w.close('}')
	}
	w.close('}')
}

// appendJSONString appends s quoted as encoding/json quotes a string
// without HTML escaping: '"' and '\\' escaped, control bytes as \b, \f,
// \n, \r, \t or \u00XX, invalid UTF-8 as \ufffd, U+2028 and U+2029
// escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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
