package parser

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file reads JSON text into a tree of values that remember their
// byte ranges, so that everything built from nft JSON points back at the
// JSON object it came from. encoding/json only reports offsets of tokens
// as a side effect of its Decoder; a small scanner is simpler.

// jsonKind classifies a JSON value.
type jsonKind int

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

func (k jsonKind) String() string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

// jsonValue is one JSON value and its byte range [Start, End) in the text.
type jsonValue struct {
	Kind       jsonKind
	Start, End int
	Str        string // string value (unescaped), or a number as written
	Bool       bool
	Elems      []*jsonValue  // array elements
	Members    []*jsonMember // object members in source order
}

// jsonMember is one "key": value pair of an object.
type jsonMember struct {
	Key      string
	KeyStart int
	Value    *jsonValue
}

// member returns the value of key, or nil.
func (v *jsonValue) member(key string) *jsonValue {
	if v == nil || v.Kind != jsonObject {
		return nil
	}
	for _, m := range v.Members {
		if m.Key == key {
			return m.Value
		}
	}
	return nil
}

// single returns the key and value of an object with exactly one member
// (the shape of nft's commands, statements and most expressions).
func (v *jsonValue) single() (string, *jsonValue, bool) {
	if v == nil || v.Kind != jsonObject || len(v.Members) != 1 {
		return "", nil, false
	}
	return v.Members[0].Key, v.Members[0].Value, true
}

// jsonSyntaxError is a malformed-JSON error at a byte offset.
type jsonSyntaxError struct {
	Off, End int
	Msg      string
}

func (e *jsonSyntaxError) Error() string { return e.Msg }

// maxJSONDepth bounds nesting so that hostile input cannot exhaust the
// stack; nft's own rulesets nest a few dozen levels at most.
const maxJSONDepth = 512

type jsonScanner struct {
	src string
	off int
}

// scanJSON parses src as one JSON value followed only by white space.
func scanJSON(src []byte) (*jsonValue, *jsonSyntaxError) {
	s := &jsonScanner{src: string(src)}
	if strings.HasPrefix(s.src, "\uFEFF") {
		s.off = len("\uFEFF")
	}
	v, err := s.value(0)
	if err != nil {
		return nil, err
	}
	s.space()
	if s.off < len(s.src) {
		return nil, s.errorf(s.off, s.off+1, "unexpected %s after the JSON value; the input must hold exactly one object {\"nftables\": [...]}", s.describe())
	}
	return v, nil
}

func (s *jsonScanner) errorf(off, end int, format string, args ...any) *jsonSyntaxError {
	if end > len(s.src) {
		end = len(s.src)
	}
	if end < off {
		end = off
	}
	return &jsonSyntaxError{Off: off, End: end, Msg: fmt.Sprintf(format, args...)}
}

// describe names the byte at the current offset for messages.
func (s *jsonScanner) describe() string {
	if s.off >= len(s.src) {
		return "end of input"
	}
	r, _ := utf8.DecodeRuneInString(s.src[s.off:])
	return strconv.QuoteRune(r)
}

func (s *jsonScanner) space() {
	for s.off < len(s.src) {
		switch s.src[s.off] {
		case ' ', '\t', '\n', '\r':
			s.off++
		default:
			return
		}
	}
}

func (s *jsonScanner) value(depth int) (*jsonValue, *jsonSyntaxError) {
	s.space()
	if s.off >= len(s.src) {
		return nil, s.errorf(s.off, s.off, "unexpected end of input: JSON value expected")
	}
	if depth > maxJSONDepth {
		return nil, s.errorf(s.off, s.off+1, "JSON nested more than %d levels deep", maxJSONDepth)
	}
	start := s.off
	switch c := s.src[s.off]; {
	case c == '{':
		return s.object(depth)
	case c == '[':
		return s.array(depth)
	case c == '"':
		str, err := s.string()
		if err != nil {
			return nil, err
		}
		return &jsonValue{Kind: jsonString, Start: start, End: s.off, Str: str}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	case strings.HasPrefix(s.src[s.off:], "true"):
		s.off += 4
		return &jsonValue{Kind: jsonBool, Start: start, End: s.off, Bool: true}, nil
	case strings.HasPrefix(s.src[s.off:], "false"):
		s.off += 5
		return &jsonValue{Kind: jsonBool, Start: start, End: s.off}, nil
	case strings.HasPrefix(s.src[s.off:], "null"):
		s.off += 4
		return &jsonValue{Kind: jsonNull, Start: start, End: s.off}, nil
	}
	return nil, s.errorf(s.off, s.off+1, "unexpected %s: JSON value expected", s.describe())
}

func (s *jsonScanner) object(depth int) (*jsonValue, *jsonSyntaxError) {
	v := &jsonValue{Kind: jsonObject, Start: s.off}
	s.off++ // {
	s.space()
	if s.off < len(s.src) && s.src[s.off] == '}' {
		s.off++
		v.End = s.off
		return v, nil
	}
	for {
		s.space()
		if s.off >= len(s.src) || s.src[s.off] != '"' {
			return nil, s.errorf(s.off, s.off+1, "unexpected %s: object key (a quoted string) expected", s.describe())
		}
		keyStart := s.off
		key, err := s.string()
		if err != nil {
			return nil, err
		}
		s.space()
		if s.off >= len(s.src) || s.src[s.off] != ':' {
			return nil, s.errorf(s.off, s.off+1, "unexpected %s: ':' expected after object key %q", s.describe(), key)
		}
		s.off++
		val, err := s.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.Members = append(v.Members, &jsonMember{Key: key, KeyStart: keyStart, Value: val})
		s.space()
		if s.off >= len(s.src) {
			return nil, s.errorf(s.off, s.off, "unexpected end of input: ',' or '}' expected, an object is not closed")
		}
		switch s.src[s.off] {
		case ',':
			s.off++
		case '}':
			s.off++
			v.End = s.off
			return v, nil
		default:
			return nil, s.errorf(s.off, s.off+1, "unexpected %s: ',' or '}' expected in object", s.describe())
		}
	}
}

func (s *jsonScanner) array(depth int) (*jsonValue, *jsonSyntaxError) {
	v := &jsonValue{Kind: jsonArray, Start: s.off}
	s.off++ // [
	s.space()
	if s.off < len(s.src) && s.src[s.off] == ']' {
		s.off++
		v.End = s.off
		return v, nil
	}
	for {
		el, err := s.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.Elems = append(v.Elems, el)
		s.space()
		if s.off >= len(s.src) {
			return nil, s.errorf(s.off, s.off, "unexpected end of input: ',' or ']' expected, an array is not closed")
		}
		switch s.src[s.off] {
		case ',':
			s.off++
		case ']':
			s.off++
			v.End = s.off
			return v, nil
		default:
			return nil, s.errorf(s.off, s.off+1, "unexpected %s: ',' or ']' expected in array", s.describe())
		}
	}
}

func (s *jsonScanner) number() (*jsonValue, *jsonSyntaxError) {
	start := s.off
	if s.src[s.off] == '-' {
		s.off++
	}
	digits := func() int {
		n := 0
		for s.off < len(s.src) && s.src[s.off] >= '0' && s.src[s.off] <= '9' {
			s.off++
			n++
		}
		return n
	}
	if s.off < len(s.src) && s.src[s.off] == '0' {
		s.off++
	} else if digits() == 0 {
		return nil, s.errorf(start, s.off+1, "malformed number: digit expected")
	}
	if s.off < len(s.src) && s.src[s.off] == '.' {
		s.off++
		if digits() == 0 {
			return nil, s.errorf(start, s.off+1, "malformed number: digit expected after '.'")
		}
	}
	if s.off < len(s.src) && (s.src[s.off] == 'e' || s.src[s.off] == 'E') {
		s.off++
		if s.off < len(s.src) && (s.src[s.off] == '+' || s.src[s.off] == '-') {
			s.off++
		}
		if digits() == 0 {
			return nil, s.errorf(start, s.off+1, "malformed number: digit expected in exponent")
		}
	}
	return &jsonValue{Kind: jsonNumber, Start: start, End: s.off, Str: s.src[start:s.off]}, nil
}

// string scans a quoted string at s.off and returns its value.
func (s *jsonScanner) string() (string, *jsonSyntaxError) {
	start := s.off
	s.off++ // "
	var b strings.Builder
	for {
		if s.off >= len(s.src) {
			return "", s.errorf(start, s.off, "unterminated string")
		}
		c := s.src[s.off]
		switch {
		case c == '"':
			s.off++
			return b.String(), nil
		case c == '\\':
			if s.off+1 >= len(s.src) {
				return "", s.errorf(start, s.off, "unterminated string")
			}
			e := s.src[s.off+1]
			s.off += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := s.hex4()
				if !ok {
					return "", s.errorf(s.off-2, s.off+4, "malformed \\u escape in string")
				}
				if utf16.IsSurrogate(r) {
					if r2, ok := s.lowSurrogate(); ok {
						r = utf16.DecodeRune(r, r2)
					} else {
						r = utf8.RuneError
					}
				}
				b.WriteRune(r)
			default:
				return "", s.errorf(s.off-2, s.off, "invalid escape \\%c in string", e)
			}
		case c < 0x20:
			return "", s.errorf(s.off, s.off+1, "control character %#02x in string (escape it)", c)
		default:
			b.WriteByte(c)
			s.off++
		}
	}
}

func (s *jsonScanner) hex4() (rune, bool) {
	if s.off+4 > len(s.src) {
		return 0, false
	}
	n, err := strconv.ParseUint(s.src[s.off:s.off+4], 16, 32)
	if err != nil {
		return 0, false
	}
	s.off += 4
	return rune(n), true
}

// lowSurrogate reads a following \uDC00-\uDFFF escape, if any.
func (s *jsonScanner) lowSurrogate() (rune, bool) {
	if !strings.HasPrefix(s.src[s.off:], `\u`) {
		return 0, false
	}
	save := s.off
	s.off += 2
	r, ok := s.hex4()
	if !ok || r < 0xDC00 || r > 0xDFFF {
		s.off = save
		return 0, false
	}
	return r, true
}
