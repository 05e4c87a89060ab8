package parser

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// ErrorHandler receives scanner errors as byte offsets [off, end) into
// the source.
type ErrorHandler func(off, end int, msg string)

// Scanner splits nft source into tokens, modelled on go/scanner. It keeps
// the literal text of every token as a substring of the source (no copy)
// and records every '#' comment.
type Scanner struct {
	file *File
	src  string // the source as a string; token literals slice it
	off  int    // reading offset
	err  ErrorHandler

	crlfReported bool
	comments     slab[Comment] // the Comments, allocated in batches

	// Comments collects every comment in source order.
	Comments []*Comment
	// ErrorCount counts the errors reported.
	ErrorCount int
}

// Init prepares s to scan file's source. err may be nil.
func (s *Scanner) Init(file *File, src string, err ErrorHandler) {
	s.file = file
	s.src = src
	s.off = 0
	s.err = err
	s.Comments = nil
	s.ErrorCount = 0
	s.crlfReported = false
	if len(src) >= 3 && src[:3] == "\xef\xbb\xbf" {
		s.error(0, 3, "byte order mark (U+FEFF) at start of file: nft rejects it as an invalid character; save the file as UTF-8 without BOM")
		s.off = 3
	}
}

func (s *Scanner) error(off, end int, msg string) {
	s.ErrorCount++
	if s.err != nil {
		s.err(off, end, msg)
	}
}

// Byte classes, looked up in one table: the scanner's loops test every
// byte of the source against them.
const (
	ccLetter    uint8 = 1 << iota // a-z A-Z
	ccDigit                       // 0-9
	ccHex                         // 0-9 a-f A-F
	ccWordStart                   // letters, '_' and '.'
	ccWordChar                    // letters, digits and "/-_."
	ccAddr                        // hex digits, ':' and '.': the bytes of addresses
	ccPunct                       // a byte that is a token of its own, whatever follows
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		letter := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
		digit := '0' <= b && b <= '9'
		hex := digit || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F'
		set := func(cond bool, class uint8) {
			if cond {
				t[c] |= class
			}
		}
		set(letter, ccLetter)
		set(digit, ccDigit)
		set(hex, ccHex)
		set(letter || b == '_' || b == '.', ccWordStart)
		set(letter || digit || b == '/' || b == '-' || b == '_' || b == '.', ccWordChar)
		set(hex || b == ':' || b == '.', ccAddr)
	}
	for _, c := range []byte(";{}(),]/-+*@$&|^") {
		t[c] |= ccPunct
	}
	return t
}()

// punctTokens are the tokens of the ccPunct bytes.
var punctTokens = [256]Token{
	';': SEMICOLON, '{': LBRACE, '}': RBRACE, '(': LPAREN, ')': RPAREN, ',': COMMA,
	']': RBRACK, '/': SLASH, '-': DASH, '+': PLUS, '*': ASTERISK, '@': AT, '$': DOLLAR,
	'&': AND, '|': OR, '^': XOR,
}

func isLetter(c byte) bool { return byteClass[c]&ccLetter != 0 }
func isDigit(c byte) bool  { return c-'0' < 10 }
func isHex(c byte) bool    { return byteClass[c]&ccHex != 0 }

// isWordStart and isWordChar follow nft's scanner: a word starts with a
// letter, '_' or '.', and continues with letters, digits and "/-_.".
func isWordStart(c byte) bool { return byteClass[c]&ccWordStart != 0 }
func isWordChar(c byte) bool  { return byteClass[c]&ccWordChar != 0 }

// isAddrChar reports the bytes of IPv4, IPv6 and MAC addresses.
func isAddrChar(c byte) bool { return byteClass[c]&ccAddr != 0 }

// typographic quotes that web pages and word processors substitute for '"'.
func isTypographicQuote(r rune) bool {
	switch r {
	case '«', '»', '“', '”', '‘', '’', '„', '‚', '‹', '›', '″':
		return true
	}
	return false
}

// Scan returns the next token: its kind, byte offsets [off, end) and its
// literal text (for STRING without the quotes; for punctuation the
// operator text). At the end it returns EOF forever.
func (s *Scanner) Scan() (tok Token, off, end int, lit string) {
	src := s.src
redo:
	// Skip blanks, comments and line continuations.
	for s.off < len(src) {
		c := src[s.off]
		if c == ' ' || c == '\t' {
			s.off++
			continue
		}
		if c == '\\' && s.off+1 < len(src) && src[s.off+1] == '\n' {
			s.off += 2
			continue
		}
		if c == '\\' && s.off+2 < len(src) && src[s.off+1] == '\r' && src[s.off+2] == '\n' {
			s.crlf(s.off + 1)
			s.off += 3
			continue
		}
		if c == '#' {
			start := s.off
			for s.off < len(src) && src[s.off] != '\n' {
				s.off++
			}
			text := src[start:s.off]
			if n := len(text); n > 0 && text[n-1] == '\r' {
				s.crlf(start + n - 1)
				text = text[:n-1]
			}
			c := s.comments.take()
			c.Hash, c.Text = s.file.Pos(start), text
			s.Comments = append(s.Comments, c)
			continue
		}
		break
	}
	off = s.off
	if s.off >= len(src) {
		return EOF, off, off, ""
	}
	c := src[s.off]
	class := byteClass[c]
	if class&ccPunct != 0 {
		s.off++
		return punctTokens[c], off, s.off, src[off:s.off]
	}
	if class&ccLetter != 0 && (class&ccHex == 0 || !s.colonInAddrRun()) {
		// A word: only a run of address bytes holding a ':' can make
		// a token that starts with a letter an address (fe80::1,
		// aa:bb:cc:dd:ee:ff, ab:cd).
		return s.scanWord(off)
	}
	if class&ccDigit != 0 {
		// The common numbers and IPv4 addresses, when no address byte
		// or letter follows them; scanAddrOrNumber decides the rest.
		e := off + 1
		for e < len(src) && isDigit(src[e]) {
			e++
		}
		switch {
		case e < len(src) && src[e] == '.':
			if e := ipv4End(src, off); e > 0 && (e == len(src) || !isAddrChar(src[e])) {
				s.off = e
				return IPV4, off, e, src[off:e]
			}
		case e == len(src) || byteClass[src[e]]&(ccAddr|ccLetter) == 0:
			s.off = e
			return NUMBER, off, e, src[off:e]
		}
	}
	switch {
	case c == '\n':
		s.off++
		return NEWLINE, off, s.off, "\n"
	case c == '\r':
		s.crlf(s.off)
		s.off++
		if s.off < len(src) && src[s.off] == '\n' {
			s.off++
		}
		return NEWLINE, off, s.off, "\n"
	case c == '"':
		s.off++
		for s.off < len(src) && src[s.off] != '"' {
			s.off++
		}
		if s.off >= len(src) {
			s.error(off, off+1, "unterminated string: the quoted string has no closing '\"'")
			return STRING, off, s.off, src[off+1:]
		}
		s.off++
		return STRING, off, s.off, src[off+1 : s.off-1]
	case c == '[':
		// Bracketed IPv6 address: [2001:db8::1]
		if e := s.bracketedIPv6(s.off); e > 0 {
			s.off = e
			return IPV6, off, e, src[off:e]
		}
		s.off++
		return LBRACK, off, s.off, "["
	case isDigit(c) || isHex(c) || c == ':':
		if tok, e := s.scanAddrOrNumber(); e > off {
			s.off = e
			return tok, off, e, src[off:e]
		}
	}
	if c == '.' && (s.off+1 >= len(src) || !isWordChar(src[s.off+1])) {
		s.off++
		return DOT, off, s.off, "."
	}
	if isWordStart(c) {
		return s.scanWord(off)
	}
	s.off++
	next := byte(0)
	if s.off < len(src) {
		next = src[s.off]
	}
	two := func(t Token, text string) (Token, int, int, string) {
		s.off++
		return t, off, s.off, text
	}
	switch c {
	case ';':
		return SEMICOLON, off, s.off, ";"
	case '{':
		return LBRACE, off, s.off, "{"
	case '}':
		return RBRACE, off, s.off, "}"
	case '(':
		return LPAREN, off, s.off, "("
	case ')':
		return RPAREN, off, s.off, ")"
	case ']':
		return RBRACK, off, s.off, "]"
	case ',':
		return COMMA, off, s.off, ","
	case ':':
		return COLON, off, s.off, ":"
	case '/':
		return SLASH, off, s.off, "/"
	case '-':
		return DASH, off, s.off, "-"
	case '+':
		return PLUS, off, s.off, "+"
	case '*':
		return ASTERISK, off, s.off, "*"
	case '@':
		return AT, off, s.off, "@"
	case '$':
		return DOLLAR, off, s.off, "$"
	case '&':
		return AND, off, s.off, "&"
	case '|':
		return OR, off, s.off, "|"
	case '^':
		return XOR, off, s.off, "^"
	case '=':
		if next == '=' {
			return two(EQL, "==")
		}
		return ASSIGN, off, s.off, "="
	case '!':
		if next == '=' {
			return two(NEQ, "!=")
		}
		return NOT, off, s.off, "!"
	case '<':
		if next == '=' {
			return two(LEQ, "<=")
		}
		if next == '<' {
			return two(SHL, "<<")
		}
		return LSS, off, s.off, "<"
	case '>':
		if next == '=' {
			return two(GEQ, ">=")
		}
		if next == '>' {
			return two(SHR, ">>")
		}
		return GTR, off, s.off, ">"
	case '\\':
		if next == '*' {
			e := s.wildcardTail(off)
			s.off = e
			return WILDCARD, off, e, src[off:e]
		}
		s.error(off, s.off, "unexpected backslash: nft accepts '\\' only directly before a newline (line continuation) or '*'")
		return ILLEGAL, off, s.off, src[off:s.off]
	}
	// Junk: nft rejects any other byte outside quoted strings and comments.
	s.off = off
	if c >= utf8.RuneSelf {
		r, size := utf8.DecodeRuneInString(src[off:])
		if r == utf8.RuneError && size <= 1 {
			s.off = off + 1
			s.error(off, s.off, fmt.Sprintf("invalid UTF-8 byte 0x%02x: nft accepts only ASCII outside quoted strings and comments", c))
			return ILLEGAL, off, s.off, src[off:s.off]
		}
		if isTypographicQuote(r) {
			return s.typographicString(off, r, size)
		}
		s.off = off + size
		if r == '\uFEFF' {
			s.error(off, s.off, "byte order mark (U+FEFF): nft rejects it as an invalid character; remove it")
			goto redo
		}
		s.error(off, s.off, fmt.Sprintf("invalid character %q (U+%04X): nft accepts only ASCII outside quoted strings and comments", r, r))
		return ILLEGAL, off, s.off, src[off:s.off]
	}
	s.off = off + 1
	switch {
	case c == 0:
		s.error(off, s.off, "NUL byte in source: nft stops reading at it or rejects it; remove it")
	case c == '\'':
		s.error(off, s.off, "invalid character '\\'': nft accepts only double quotes '\"' around strings")
	case c < ' ' || c == 0x7f:
		s.error(off, s.off, fmt.Sprintf("invalid control character 0x%02x", c))
	default:
		s.error(off, s.off, fmt.Sprintf("invalid character %q", c))
	}
	return ILLEGAL, off, s.off, src[off:s.off]
}

// scanWord scans the word or wildcard that starts at off.
func (s *Scanner) scanWord(off int) (Token, int, int, string) {
	src := s.src
	e := off + 1
	for e < len(src) && isWordChar(src[e]) {
		e++
	}
	// Wildcard forms: word* and word\*foo (backslash-star is a literal
	// star).
	if e < len(src) && (src[e] == '*' || src[e] == '\\' && e+1 < len(src) && src[e+1] == '*') {
		e = s.wildcardTail(e)
		s.off = e
		return WILDCARD, off, e, src[off:e]
	}
	s.off = e
	return WORD, off, e, src[off:e]
}

// colonInAddrRun reports whether the run of address bytes at s.off holds
// a ':'.
func (s *Scanner) colonInAddrRun() bool {
	src := s.src
	for i := s.off; i < len(src) && isAddrChar(src[i]); i++ {
		if src[i] == ':' {
			return true
		}
	}
	return false
}

// crlf reports a carriage return, once per file: nft (1.1.2+) rejects
// CRLF line ends, older versions report the '\r' as junk.
func (s *Scanner) crlf(off int) {
	if s.crlfReported {
		return
	}
	s.crlfReported = true
	s.error(off, off+1, "carriage return (CRLF line ending): nft rejects '\\r'; convert the file to LF line endings")
}

// typographicString reports a typographic quote and, to keep parsing
// useful, consumes a string up to a closing typographic quote on the same
// line, delivering it as a STRING.
func (s *Scanner) typographicString(off int, r rune, size int) (Token, int, int, string) {
	src := s.src
	s.error(off, off+size, fmt.Sprintf("typographic quote '%c' (U+%04X): nft accepts only ASCII double quotes '\"'", r, r))
	i := off + size
	for i < len(src) && src[i] != '\n' {
		q, n := utf8.DecodeRuneInString(src[i:])
		if isTypographicQuote(q) {
			s.off = i + n
			return STRING, off, s.off, trimBlanks(src[off+size : i])
		}
		i += n
	}
	s.off = off + size
	return ILLEGAL, off, s.off, src[off:s.off]
}

func trimBlanks(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// wildcardTail scans from i (at '*' or "\*") to the end of a wildcard
// string: further word characters and escaped stars.
func (s *Scanner) wildcardTail(i int) int {
	src := s.src
	for i < len(src) {
		switch {
		case src[i] == '\\' && i+1 < len(src) && src[i+1] == '*':
			i += 2
		case src[i] == '*':
			// A plain '*' ends the wildcard (word*).
			return i + 1
		case isWordChar(src[i]):
			i++
		default:
			return i
		}
	}
	return i
}

// bracketedIPv6 returns the end of "[IPv6]" starting at i, or 0.
func (s *Scanner) bracketedIPv6(i int) int {
	src := s.src
	j := i + 1
	for j < len(src) && (isHex(src[j]) || src[j] == ':' || src[j] == '.') {
		j++
	}
	if j < len(src) && src[j] == ']' && j > i+1 {
		if a, err := netip.ParseAddr(src[i+1 : j]); err == nil && a.Is6() {
			return j + 1
		}
	}
	return 0
}

// scanAddrOrNumber tries the tokens that start with a hex digit or ':'
// (longest match, as flex does): IPv6, MAC, classid, IPv4, time, numbers.
// It returns end 0 when none applies (the text is then a word or
// punctuation).
func (s *Scanner) scanAddrOrNumber() (Token, int) {
	src := s.src
	start := s.off
	// Candidate run of address characters.
	e := start
	colon := false
	for e < len(src) && e-start <= maxAddrLen && isAddrChar(src[e]) {
		if src[e] == ':' {
			colon = true
		}
		e++
	}
	wordEnd := 0 // length of the word match when the text starts like a word
	if isWordStart(src[start]) {
		w := start + 1
		for w < len(src) && isWordChar(src[w]) {
			w++
		}
		wordEnd = w
	}
	if colon {
		// Longest prefix that is a valid IPv6 address, then MAC/classid.
		// No address is longer than maxAddrLen, so longer candidates
		// are not tried: a long run of hex digits and colons would
		// otherwise cost quadratic time.
		for end := min(e, start+maxAddrLen); end > start; end-- {
			if src[end-1] == ':' && (end-start < 2 || src[end-2] != ':') {
				continue
			}
			cand := src[start:end]
			if !containsColon(cand) {
				break
			}
			if isMAC(cand) && end >= wordEnd {
				return MAC, end
			}
			// Every IPv6 address has two colons or more; ParseAddr's
			// error for the rest (a port after an IPv4 address) costs
			// an allocation.
			if strings.Count(cand, ":") < 2 {
				continue
			}
			if a, err := netip.ParseAddr(cand); err == nil && a.Is6() && end >= wordEnd {
				return IPV6, end
			}
		}
		// classid h:h (1-4 hex digits), only before a delimiter.
		if end := classidEnd(src, start); end > 0 && end >= wordEnd {
			return CLASSID, end
		}
	}
	if wordEnd > 0 {
		return 0, 0 // a word
	}
	if src[start] == ':' {
		return 0, 0 // punctuation
	}
	// IPv4 dotted quad.
	if end := ipv4End(src, start); end > 0 {
		return IPV4, end
	}
	// Hex number.
	if src[start] == '0' && start+2 < len(src)+1 && start+1 < len(src) && (src[start+1] == 'x' || src[start+1] == 'X') && start+2 < len(src) && isHex(src[start+2]) {
		end := start + 2
		for end < len(src) && isHex(src[end]) {
			end++
		}
		return NUMBER, end
	}
	d := start
	for d < len(src) && isDigit(src[d]) {
		d++
	}
	// 8021q and 8021ad are words (ether types).
	if src[start:d] == "8021" && d < len(src) && isLetter(src[d]) {
		w := d
		for w < len(src) && isWordChar(src[w]) {
			w++
		}
		if src[d:w] == "q" || src[d:w] == "ad" {
			return WORD, w
		}
	}
	if d < len(src) && (src[d] == 'd' || src[d] == 'h' || src[d] == 'm' || src[d] == 's') {
		if end := timeEnd(src, start); end > d {
			return TIME, end
		}
	}
	return NUMBER, d
}

// maxAddrLen is the length of the longest IPv6 address text,
// ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255; MACs are shorter.
const maxAddrLen = 45

func containsColon(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return true
		}
	}
	return false
}

// isMAC reports xx:xx:xx:xx:xx:xx with 1-2 hex digits per group.
func isMAC(s string) bool {
	groups, n := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case isHex(s[i]):
			n++
			if n > 2 {
				return false
			}
		case s[i] == ':':
			if n == 0 {
				return false
			}
			groups++
			n = 0
		default:
			return false
		}
	}
	return n > 0 && groups == 5
}

// classidEnd matches h:h (1-4 hex digits each) followed by a delimiter.
func classidEnd(src string, i int) int {
	j := i
	for j < len(src) && isHex(src[j]) && j-i < 5 {
		j++
	}
	if j == i || j-i > 4 || j >= len(src) || src[j] != ':' {
		return 0
	}
	k := j + 1
	for k < len(src) && isHex(src[k]) && k-j < 6 {
		k++
	}
	if k == j+1 || k-j-1 > 4 {
		return 0
	}
	if k < len(src) {
		switch src[k] {
		case ' ', '\t', '\n', '\r', ':', '-', '}', ',', ';':
		default:
			return 0
		}
	}
	return k
}

// ipv4End matches d.d.d.d with 1-3 digits per part.
func ipv4End(src string, i int) int {
	for part := 0; ; part++ {
		j := i
		for j < len(src) && j-i < 4 && src[j]-'0' < 10 {
			j++
		}
		if j == i || j-i > 3 {
			return 0
		}
		if part == 3 {
			return j
		}
		if j >= len(src) || src[j] != '.' {
			return 0
		}
		i = j + 1
	}
}

// timeEnd matches the longest time string ([0-9]+d)?([0-9]+h)?([0-9]+m)?
// ([0-9]+s)?([0-9]+ms)? at i; it returns i when nothing matches.
func timeEnd(src string, i int) int {
	units := []string{"d", "h", "m", "s", "ms"}
	best := i
	pos := i
	u := 0
	for u < len(units) {
		j := pos
		for j < len(src) && isDigit(src[j]) {
			j++
		}
		if j == pos {
			break
		}
		matched := false
		for ; u < len(units); u++ {
			unit := units[u]
			if j+len(unit) <= len(src) && src[j:j+len(unit)] == unit {
				// "m" must not be the start of "ms".
				if unit == "m" && j+1 < len(src) && src[j+1] == 's' {
					continue
				}
				pos = j + len(unit)
				best = pos
				u++
				matched = true
				break
			}
		}
		if !matched {
			break
		}
	}
	return best
}
