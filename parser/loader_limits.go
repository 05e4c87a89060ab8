package parser

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the limits the loader checks itself: a cheap pass over
// each file before it is parsed (line length, token length, bracket
// nesting), the cap on the errors of one input, and the clean-up of
// messages that quote the input.

// Defaults of the limits checked before parsing. nft has none of its own
// worth copying (its flex scanner takes any length, its bison parser
// nests 10,000 deep), so these are far above anything a real ruleset
// needs and low enough that a hostile file cannot exhaust time, memory
// or the output.
const (
	DefaultMaxLineLength   = 1 << 20 // bytes; generated element lists stay far below
	DefaultMaxTokenLength  = 1 << 16 // bytes; nft names stop at 256, comments at 128
	DefaultMaxNestingDepth = 256     // open braces, parentheses and brackets
	DefaultMaxErrors       = 1000    // input errors reported per file named on the command line
)

// maxQuoted is how much of a quoted input fragment a long message keeps;
// the rest is cut.
const maxQuoted = 80

// limitViolation is the first limit a file exceeds, at [off, end).
type limitViolation struct {
	off, end int
	msg      string
}

// precheck scans src once, skipping comments and quoted strings the way
// the scanner does, and returns the first line longer than
// MaxLineLength, token longer than MaxTokenLength or bracket nested
// deeper than MaxNestingDepth, or nil. The parser is recursive: without
// the depth check a file of ten million '{' would overflow the stack,
// which kills the process rather than panicking. Tokens are approximated
// by runs of bytes between blanks, line ends and punctuation, which are
// never shorter than the scanner's tokens.
func (lim Limits) precheck(src []byte) *limitViolation {
	n := len(src)
	depth := 0
	lineStart := 0
	// shortUntil is the end of the current line when the line is no
	// longer than a token may be: no word on it can be too long, so its
	// blanks and words are skipped without telling them apart.
	shortUntil := 0
	lineBegins := func(i int) {
		lineStart, shortUntil = i, 0
		end := bytes.IndexByte(src[i:], '\n')
		if end < 0 {
			end = n - i
		}
		if end <= lim.MaxTokenLength {
			shortUntil = i + end
		}
	}
	lineBegins(0)
	// lineEnd checks the line that ends at i (a '\n', or the end of the
	// file, which closes the last line).
	lineEnd := func(i int) *limitViolation {
		if i-lineStart > lim.MaxLineLength {
			return &limitViolation{off: lineStart, end: lineStart, msg: fmt.Sprintf(
				"line is %d bytes long, over nftlint's limit of %d bytes; the file was not parsed: break the line (nft accepts newlines between set elements and a backslash before a line end)",
				i-lineStart, lim.MaxLineLength)}
		}
		if i < n {
			lineBegins(i + 1)
		}
		return nil
	}
	// tooLong reports the token at start, found too long at i: a line
	// that ends at i is checked first.
	tooLong := func(start, i int, what string) *limitViolation {
		if i == n || src[i] == '\n' {
			if v := lineEnd(i); v != nil {
				return v
			}
		}
		return &limitViolation{off: start, end: start + 1, msg: fmt.Sprintf(
			"%s longer than nftlint's limit of %d bytes; the file was not parsed: nft names stop at 256 bytes and comments at 128, shorten it or close the quote",
			what, lim.MaxTokenLength)}
	}
	for i := 0; i < n; {
		switch c := src[i]; {
		case i < shortUntil && precheckSpecial[c] == 0:
			// Blanks and words of a short line: only the next line end,
			// comment, quote or bracket matters. This pass sees every
			// byte of an 18 MB element list.
			i += 1 + plainRun(src[i+1:shortUntil])
		case precheckBlank[c]:
			// A run of blanks changes nothing.
			for i++; i < n && precheckBlank[src[i]]; i++ {
			}
		case precheckWord[c]:
			// On a long line, the rest of a word changes nothing until
			// it reaches the token limit.
			start := i
			word := src[:min(n, start+lim.MaxTokenLength+1)]
			for i++; i < len(word) && precheckWord[word[i]]; i++ {
			}
			if i-start > lim.MaxTokenLength {
				return tooLong(start, i, "word")
			}
		case c == '\n':
			if v := lineEnd(i); v != nil {
				return v
			}
			i++
		case c == '#':
			// Inside a comment only the line end matters.
			j := bytes.IndexByte(src[i:], '\n')
			if j < 0 {
				i = n
			} else {
				i += j
			}
		case c == '"':
			start := i
			if j := bytes.IndexByte(src[i+1:], '"'); j >= 0 && j+1 <= lim.MaxTokenLength && bytes.IndexByte(src[i+1:i+1+j], '\n') < 0 {
				// On one line within the token limit: nothing to check.
				i += j + 2
				break
			}
			for i++; ; i++ {
				if i-start > lim.MaxTokenLength {
					return tooLong(start, i, "quoted string")
				}
				if i == n {
					break
				}
				if src[i] == '\n' {
					if v := lineEnd(i); v != nil {
						return v
					}
				}
				if src[i] == '"' {
					i++
					break
				}
			}
		case c == '{' || c == '(' || c == '[':
			depth++
			if depth > lim.MaxNestingDepth {
				return &limitViolation{off: i, end: i + 1, msg: fmt.Sprintf(
					"nesting deeper than nftlint's limit of %d levels of braces, parentheses and brackets; the file was not parsed: no ruleset needs this many, look for unclosed '%c'",
					lim.MaxNestingDepth, c)}
			}
			i++
		default: // '}', ')', ']'
			if depth > 0 {
				depth--
			}
			i++
		}
	}
	return lineEnd(n)
}

// plainRun returns the length of the run of blanks and word bytes b
// starts with. It tests eight bytes at a time while none is special.
func plainRun(b []byte) int {
	n := 0
	for ; len(b) >= 8; b = b[8:] {
		if precheckSpecial[b[0]]|precheckSpecial[b[1]]|precheckSpecial[b[2]]|precheckSpecial[b[3]]|
			precheckSpecial[b[4]]|precheckSpecial[b[5]]|precheckSpecial[b[6]]|precheckSpecial[b[7]] != 0 {
			break
		}
		n += 8
	}
	for _, c := range b {
		if precheckSpecial[c] != 0 {
			return n
		}
		n++
	}
	return n
}

// precheckBlank, precheckWord and precheckSpecial classify bytes for
// precheck's fast paths: blanks other than a line end, bytes that
// continue a word, and the rest, which end both (1, a byte so that
// plainRun can OR eight of them).
var precheckBlank, precheckWord, precheckSpecial = func() (blank, word [256]bool, special [256]uint8) {
	for c := range 256 {
		switch c {
		case ' ', '\t', '\r', ',', ';':
			blank[c] = true
		case '\n', '#', '"', '{', '(', '[', '}', ')', ']':
			special[c] = 1
		default:
			word[c] = true
		}
	}
	return
}()

// positionIn resolves an offset of src for a file whose source is not
// kept in the file set (a file refused before parsing).
func positionIn(name string, src []byte, off int) Position {
	off = min(max(off, 0), len(src))
	line := 1 + strings.Count(string(src[:off]), "\n")
	lineStart := strings.LastIndexByte(string(src[:off]), '\n') + 1
	return Position{Filename: name, Offset: off, Line: line, Column: utf8.RuneCount(src[lineStart:off]) + 1}
}

// refuse records a file that exceeds a limit checked before parsing. The
// file is added to the set without its content, so that no output format
// shows any of it, and it is not parsed.
func (l *loader) refuse(name string, src []byte, v *limitViolation) *File {
	f := l.fset.AddFile(name, nil)
	start := positionIn(name, src, v.off)
	end := positionIn(name, src, v.end)
	l.addError(&Error{Pos: start, End: end, Msg: v.msg, Code: CodeLimit})
	return f
}

// addError records an input error of the current root, with its message
// made safe to print, until MaxErrors have been recorded; it then records
// one NFT003 error and drops the rest. It returns the recorded error or
// nil.
func (l *loader) addError(e *Error) *Error {
	if l.errCount > l.lim.MaxErrors {
		return nil
	}
	l.errCount++
	if l.errCount > l.lim.MaxErrors {
		e = &Error{Pos: e.Pos, End: e.Pos, Code: CodeLimit, Msg: fmt.Sprintf(
			"more than %d errors in this input; nftlint stops reporting them here: fix the first ones, most later ones usually follow from them",
			l.lim.MaxErrors)}
	}
	e.Msg = CleanMessage(e.Msg)
	for i := range e.Related {
		e.Related[i].Msg = CleanMessage(e.Related[i].Msg)
	}
	l.res.Errors = append(l.res.Errors, e)
	return e
}

// CleanMessage makes a message that may quote the input safe for every
// output format and bounded in size: invalid UTF-8 becomes U+FFFD,
// control and format characters (terminal escapes, bidirectional
// overrides, line breaks that would forge log lines or workflow
// commands) are written as Go escapes, the middle of a long message's
// quoted fragments longer than maxQuoted code points is cut, and what is
// still longer than maxMessage code points is cut at the end.
func CleanMessage(msg string) string {
	if !needsCleaning(msg) {
		return msg
	}
	rs := []rune(strings.ToValidUTF8(msg, "\uFFFD"))
	if len(rs) > maxPlainMessage {
		rs = elideQuoted(rs)
	}
	if len(rs) > maxMessage {
		rs = append(rs[:maxMessage-1], '…')
	}
	var b strings.Builder
	for _, r := range rs {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Message sizes, in code points: messages up to maxPlainMessage are kept
// whole, longer ones get their quoted fragments cut, and none is longer
// than maxMessage.
const (
	maxPlainMessage = 400
	maxMessage      = 1000
)

// needsCleaning is the fast path of CleanMessage: plain, short messages
// are returned unchanged.
func needsCleaning(msg string) bool {
	if len(msg) > maxPlainMessage || !utf8.ValidString(msg) {
		return true
	}
	for _, r := range msg {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}

// elideQuoted cuts quoted fragments ('…' or "…") longer than maxQuoted
// code points to their first maxQuoted-1 and an ellipsis. A quote opens
// only after a non-alphanumeric character and closes only before one, so
// that the apostrophe of "nft's" is not taken for a quote.
func elideQuoted(rs []rune) []rune {
	alnum := func(i int) bool {
		return i >= 0 && i < len(rs) && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i]))
	}
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		q := rs[i]
		if (q != '\'' && q != '"') || alnum(i-1) {
			out = append(out, q)
			continue
		}
		j := i + 1
		for j < len(rs) && !(rs[j] == q && !alnum(j+1)) {
			j++
		}
		inner := rs[i+1 : j]
		out = append(out, q)
		if len(inner) > maxQuoted {
			out = append(out, inner[:maxQuoted-1]...)
			out = append(out, '…')
		} else {
			out = append(out, inner...)
		}
		if j < len(rs) {
			out = append(out, q)
		}
		i = j
	}
	return out
}
