// Package report writes diagnostics in the output formats nftlint
// supports: text for people, json for scripts, sarif for code scanning,
// github workflow commands, checkstyle XML and GitLab code quality JSON.
//
// It is the only package that knows output formats. It holds no check
// logic: rule metadata comes from the check registry, handed in by the
// caller in Report.Rules.
package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/parser"
)

// StdinName is the file name diagnostics carry for input read from stdin.
const StdinName = "-"

// Tool describes nftlint itself, for the formats that name their producer.
type Tool struct {
	Name           string // "nftlint"
	Version        string // "0.1.0", or a pseudo-version
	InformationURI string // project home page
	// RulesURI is the base under which docs/rules/NFTxxx.md is found;
	// a rule's help URI is RulesURI + ID + ".md".
	RulesURI string
}

// DefaultTool returns the tool description with the given version.
func DefaultTool(version string) Tool {
	return Tool{
		Name:           "nftlint",
		Version:        version,
		InformationURI: "https://github.com/nftlint/nftlint",
		RulesURI:       "https://github.com/nftlint/nftlint/blob/main/docs/rules/",
	}
}

// HelpURI returns where the documentation of rule id lives.
func (t Tool) HelpURI(id string) string { return t.RulesURI + id + ".md" }

// Report is everything a format may need.
type Report struct {
	Tool Tool
	// Rules is the full rule registry (checks.All()), in ID order.
	Rules []*checks.Check
	// Diagnostics in output order. A diagnostic with Suppressed set is
	// shown as suppressed (only present when the user asked for them).
	Diagnostics []checks.Diagnostic
	// Files maps a file name, as diagnostics carry it, to its content:
	// source lines for text output, offsets of fix edits.
	Files map[string]*parser.File
	// WorkDir is the absolute working directory: SARIF's %SRCROOT%.
	WorkDir string
	// FilesLinted counts the files named or found on the command line.
	FilesLinted int
}

// Format names an output format.
type Format string

const (
	FormatText        Format = "text"
	FormatJSON        Format = "json"
	FormatSARIF       Format = "sarif"
	FormatGitHub      Format = "github"
	FormatCheckstyle  Format = "checkstyle"
	FormatCodeClimate Format = "codeclimate"
)

// Formats lists the formats in the order --help shows them.
var Formats = []Format{FormatText, FormatJSON, FormatSARIF, FormatGitHub, FormatCheckstyle, FormatCodeClimate}

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q (want %s)", s, strings.Join(names, ", "))
}

// TextOptions tune the text format.
type TextOptions struct {
	Color bool // ANSI colours
}

// Write writes r to w in format f. Text options apply to text only.
func Write(w io.Writer, f Format, r *Report, opts TextOptions) error {
	switch f {
	case FormatText:
		return Text(w, r, opts)
	case FormatJSON:
		return JSON(w, r)
	case FormatSARIF:
		return SARIF(w, r)
	case FormatGitHub:
		return GitHub(w, r)
	case FormatCheckstyle:
		return Checkstyle(w, r)
	case FormatCodeClimate:
		return CodeClimate(w, r)
	}
	return fmt.Errorf("unknown format %q", f)
}

// rule returns the registry entry for id, or nil.
func (r *Report) rule(id string) *checks.Check {
	for _, c := range r.Rules {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// line returns the text of a line of a file, and whether it is known.
func (r *Report) line(filename string, line int) (string, bool) {
	f := r.Files[filename]
	if f == nil || line < 1 || line > f.LineCount() {
		return "", false
	}
	return f.Line(line), true
}

// fingerprints returns a stable identity for each diagnostic: a hash of
// the rule, the file and the whitespace-normalised text of the line the
// finding starts on, plus an ordinal among identical triples. Line numbers
// are left out on purpose so that findings keep their identity when lines
// above them move (code scanning matches alerts across runs with it).
func (r *Report) fingerprints() []string {
	const size = 32 // hex digits of a fingerprint
	// Thousands of findings: one buffer for every key, the count of each
	// key in a list (a key string is made once per key, not per
	// finding), and the fingerprints cut from one string.
	var key []byte
	seen := map[string]int{} // key → its count's index in counts
	var counts []int
	hexes := make([]byte, 0, size*len(r.Diagnostics))
	for _, d := range r.Diagnostics {
		text, _ := r.line(d.Start.Filename, d.Start.Line)
		// rule \0 file \0 the line's words joined by one space
		key = append(key[:0], d.Check...)
		key = append(key, 0)
		key = append(key, d.Start.Filename...)
		key = append(key, 0)
		key = appendFields(key, text)
		k, ok := seen[string(key)]
		if !ok {
			k = len(counts)
			seen[string(key)] = k
			counts = append(counts, 0)
		}
		n := counts[k]
		counts[k]++
		key = append(key, 0)
		key = strconv.AppendInt(key, int64(n), 10)
		sum := sha256.Sum256(key)
		hexes = hex.AppendEncode(hexes, sum[:size/2])
	}
	all := string(hexes)
	out := make([]string, len(r.Diagnostics))
	for i := range out {
		out[i] = all[i*size : (i+1)*size]
	}
	return out
}

// appendFields appends strings.Join(strings.Fields(s), " ") without
// making the fields.
func appendFields(b []byte, s string) []byte {
	inField, any := false, false
	for i := 0; i < len(s); {
		c := s[i]
		size := 1
		space := asciiSpace(c)
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
		}
		if space {
			inField = false
		} else {
			if !inField && any {
				b = append(b, ' ')
			}
			inField, any = true, true
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

// asciiSpace reports whether c is a space as strings.Fields sees one.
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// Counts tallies diagnostics by severity, leaving suppressed ones out.
type Counts struct {
	Errors, Warnings, Infos, Suppressed int
}

// Count tallies ds.
func Count(ds []checks.Diagnostic) Counts {
	var c Counts
	for _, d := range ds {
		switch {
		case d.Suppressed != nil:
			c.Suppressed++
		case d.Severity == checks.Error:
			c.Errors++
		case d.Severity == checks.Warning:
			c.Warnings++
		default:
			c.Infos++
		}
	}
	return c
}

// Summary writes the one-line summary shown on stderr after text output:
// "3 problems (1 error, 2 warnings, 0 info) in 2 files".
func Summary(w io.Writer, r *Report) error {
	c := Count(r.Diagnostics)
	n := c.Errors + c.Warnings + c.Infos
	files := plural(r.FilesLinted, "file", "files")
	var s string
	if n == 0 {
		s = fmt.Sprintf("nftlint: no problems in %s", files)
	} else {
		s = fmt.Sprintf("nftlint: %s (%s, %s, %d info) in %s",
			plural(n, "problem", "problems"),
			plural(c.Errors, "error", "errors"),
			plural(c.Warnings, "warning", "warnings"),
			c.Infos, files)
	}
	if c.Suppressed > 0 {
		s += fmt.Sprintf("; %d suppressed", c.Suppressed)
	}
	_, err := fmt.Fprintln(w, s)
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// endOf returns a range's end, or its start when the end is unset.
func endOf(rg parser.Range) parser.Position {
	if rg.End.IsValid() {
		return rg.End
	}
	return rg.Start
}
