package parser

import (
	"fmt"
	"sort"
)

// Error is one syntax error: a source range and a message.
type Error struct {
	Pos Position
	End Position // just past the offending text; equal to Pos when unknown
	Msg string

	// Added by the loader: Code is the input rule the error belongs to
	// ("NFT001" syntax, "NFT002" include/define, "NFT003" limits; "" is
	// NFT001), Related points at other places the message mentions (the
	// first define of a redefined name).
	Code    string
	Related []Related
}

// Related is a secondary position of an Error.
type Related struct {
	Pos, End Position
	Msg      string
}

// Error formats "file:line:col: message".
func (e *Error) Error() string {
	if e.Pos.IsValid() || e.Pos.Filename != "" {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Msg
}

// ErrorList is a list of errors, modelled on go/scanner.ErrorList.
type ErrorList []*Error

// Add appends an error.
func (l *ErrorList) Add(pos, end Position, msg string) {
	*l = append(*l, &Error{Pos: pos, End: end, Msg: msg})
}

func (l ErrorList) Len() int      { return len(l) }
func (l ErrorList) Swap(i, j int) { l[i], l[j] = l[j], l[i] }
func (l ErrorList) Less(i, j int) bool {
	a, b := l[i].Pos, l[j].Pos
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Column != b.Column {
		return a.Column < b.Column
	}
	return l[i].Msg < l[j].Msg
}

// Sort sorts the list by file, line, column and message.
func (l ErrorList) Sort() { sort.Stable(l) }

// Error implements error: the first message, plus a count of the others.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Err returns nil for an empty list, else the list as an error.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Limits on reported errors: one per line keeps a single typo from
// producing a cascade, and the total cap bounds the output for garbage
// input (nft itself stops after 10).
const (
	maxErrors = 100
)
