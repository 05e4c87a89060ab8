package parser

// Token is the kind of a lexical token of the nft language. The scanner is
// context-free (nft-grammar.md §17): keywords are delivered as WORD and the
// parser decides by comparing the text, so that scoped keywords stay
// usable as names outside their scope.
type Token int

const (
	ILLEGAL Token = iota // a byte nft would lex as junk; the scanner has reported it
	EOF
	NEWLINE   // '\n' (a statement separator)
	SEMICOLON // ;

	WORD     // bare word: letters, digits and - . / _ ; keywords too
	STRING   // "quoted" (lit is the text between the quotes)
	WILDCARD // eth* or eth\* (interface-name prefix)
	NUMBER   // 42, 0x2a, 052
	IPV4     // 192.0.2.1
	IPV6     // 2001:db8::1, or [2001:db8::1] with the brackets
	MAC      // 00:11:22:33:44:55
	TIME     // 1h30m, 100ms
	CLASSID  // 1:2

	LBRACE   // {
	RBRACE   // }
	LPAREN   // (
	RPAREN   // )
	LBRACK   // [
	RBRACK   // ]
	COMMA    // ,
	COLON    // :
	DOT      // .
	SLASH    // /
	DASH     // -
	PLUS     // +
	ASTERISK // *
	AT       // @
	DOLLAR   // $
	ASSIGN   // =
	EQL      // ==
	NEQ      // !=
	LSS      // <
	GTR      // >
	LEQ      // <=
	GEQ      // >=
	NOT      // !
	SHL      // <<
	SHR      // >>
	AND      // &
	OR       // |
	XOR      // ^
)

var tokenNames = [...]string{
	ILLEGAL:   "invalid character",
	EOF:       "end of file",
	NEWLINE:   "newline",
	SEMICOLON: "';'",
	WORD:      "word",
	STRING:    "quoted string",
	WILDCARD:  "wildcard string",
	NUMBER:    "number",
	IPV4:      "IPv4 address",
	IPV6:      "IPv6 address",
	MAC:       "MAC address",
	TIME:      "time value",
	CLASSID:   "classid",
	LBRACE:    "'{'",
	RBRACE:    "'}'",
	LPAREN:    "'('",
	RPAREN:    "')'",
	LBRACK:    "'['",
	RBRACK:    "']'",
	COMMA:     "','",
	COLON:     "':'",
	DOT:       "'.'",
	SLASH:     "'/'",
	DASH:      "'-'",
	PLUS:      "'+'",
	ASTERISK:  "'*'",
	AT:        "'@'",
	DOLLAR:    "'$'",
	ASSIGN:    "'='",
	EQL:       "'=='",
	NEQ:       "'!='",
	LSS:       "'<'",
	GTR:       "'>'",
	LEQ:       "'<='",
	GEQ:       "'>='",
	NOT:       "'!'",
	SHL:       "'<<'",
	SHR:       "'>>'",
	AND:       "'&'",
	OR:        "'|'",
	XOR:       "'^'",
}

// String returns a description of the token kind for messages.
func (t Token) String() string {
	if t >= 0 && int(t) < len(tokenNames) {
		return tokenNames[t]
	}
	return "token"
}

// IsSeparator reports whether t ends a command, block item or rule.
func (t Token) IsSeparator() bool { return t == NEWLINE || t == SEMICOLON }

// isValue reports whether t is a literal value token.
func (t Token) isValue() bool {
	switch t {
	case WORD, STRING, WILDCARD, NUMBER, IPV4, IPV6, MAC, TIME, CLASSID:
		return true
	}
	return false
}
