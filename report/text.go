package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/parser"
)

// ANSI escapes used by the text format.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// Text writes one block per diagnostic:
//
//	path:line:col: severity: message [NFT101]
//	   12 |     chain forward {
//	      |     ^~~~~~~~~~~~~
//	   path:3:1: note: related message
//	   = fix: what the fix does
//
// Columns count code points; the caret line repeats the source line's
// tabs so that it lines up whatever the tab width. Control and format
// characters of the input (ESC, NUL, CR, U+202E…) are printed escaped
// (\x1b, \u202e), in the snippet as in every message: raw, they would
// drive the terminal or forge lines of a CI log.
func Text(w io.Writer, r *Report, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + ansiReset
	}
	for _, d := range r.Diagnostics {
		sev := d.Severity.String()
		switch d.Severity {
		case checks.Error:
			sev = paint(ansiBold+ansiRed, sev)
		case checks.Warning:
			sev = paint(ansiBold+ansiYellow, sev)
		default:
			sev = paint(ansiBold+ansiCyan, sev)
		}
		fmt.Fprintf(bw, "%s: %s: %s %s", paint(ansiBold, escape(position(d.Start))), sev, escape(d.Message), paint(ansiDim, "["+escape(d.Check)+"]"))
		if s := d.Suppressed; s != nil {
			reason := s.Reason
			if reason == "" {
				reason = "no reason given"
			}
			fmt.Fprintf(bw, " %s", paint(ansiDim, "(suppressed: "+escape(reason)+")"))
		}
		bw.WriteString("\n")
		r.snippet(bw, d.Range, paint)
		for _, rel := range d.Related {
			fmt.Fprintf(bw, "    %s: %s: %s\n", escape(position(rel.Start)), paint(ansiBold+ansiCyan, "note"), escape(rel.Message))
		}
		for _, f := range d.Fixes {
			fmt.Fprintf(bw, "    = %s %s\n", paint(ansiBold+ansiGreen, "fix:"), escape(f.Message))
		}
	}
	return bw.Flush()
}

// position formats "path:line:col", leaving out what is unknown.
func position(p parser.Position) string {
	name := p.Filename
	if name == "" {
		name = StdinName
	}
	if p.Line < 1 {
		return name
	}
	if p.Column < 1 {
		return name + ":" + strconv.Itoa(p.Line)
	}
	return name + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

// snippet writes the source line of rg.Start and a caret line under the
// range; a range running past the line is underlined to the line's end.
func (r *Report) snippet(w *bufio.Writer, rg parser.Range, paint func(string, string) string) {
	src, ok := r.line(rg.Start.Filename, rg.Start.Line)
	if !ok || rg.Start.Column < 1 {
		return
	}
	lineLen := utf8.RuneCountInString(src)
	start := rg.Start.Column
	if start > lineLen+1 {
		start = lineLen + 1
	}
	end := lineLen + 1
	if e := endOf(rg); e.Line == rg.Start.Line && e.Column > start {
		end = min(e.Column, lineLen+1)
	}

	num := strconv.Itoa(rg.Start.Line)
	gutter := strings.Repeat(" ", len(num))
	var shown, pad strings.Builder
	caretWidth := 0
	col := 1
	for _, c := range src {
		e := escapeRune(c)
		shown.WriteString(e)
		// Indent the caret with the line's own whitespace (tabs stay
		// tabs) and one space per printed character of the rest.
		switch {
		case col < start && c == '\t':
			pad.WriteByte('\t')
		case col < start:
			pad.WriteString(strings.Repeat(" ", utf8.RuneCountInString(e)))
		case col < end:
			caretWidth += utf8.RuneCountInString(e)
		}
		col++
	}
	for ; col < start; col++ {
		pad.WriteByte(' ')
	}
	caretWidth = max(caretWidth, 1)
	fmt.Fprintf(w, " %s | %s\n", paint(ansiDim, num), shown.String())
	caret := "^" + strings.Repeat("~", caretWidth-1)
	fmt.Fprintf(w, " %s | %s%s\n", gutter, pad.String(), paint(ansiBold+ansiGreen, caret))
}

// escape returns s with the characters a terminal would act on (controls
// other than tab, format characters such as U+202E) written as Go escapes;
// invalid UTF-8 bytes become \xNN.
func escape(s string) string {
	clean := true
	for _, c := range s {
		if c == utf8.RuneError || (c != '\t' && unicode.IsControl(c)) || unicode.Is(unicode.Cf, c) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		c, n := utf8.DecodeRuneInString(s)
		if c == utf8.RuneError && n == 1 {
			fmt.Fprintf(&b, "\\x%02x", s[0])
		} else {
			b.WriteString(escapeRune(c))
		}
		s = s[n:]
	}
	return b.String()
}

// escapeRune is the printed form of one character (see escape).
func escapeRune(c rune) string {
	if c == '\t' || !(unicode.IsControl(c) || unicode.Is(unicode.Cf, c)) {
		return string(c)
	}
	q := strconv.QuoteRune(c)
	return q[1 : len(q)-1]
}
