package parser

import (
	"bytes"
	"fmt"
	"sort"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Pos is a compact position: a byte offset into a FileSet, where every file
// owns the interval [base, base+size]. The zero value NoPos means "no
// position". Modelled on go/token.Pos.
type Pos int32

// MaxFileSetSize is the most source a FileSet holds, in bytes: a Pos is
// 32 bits (half the memory of a machine word in every node of the
// syntax tree), and 1 GiB is far beyond any ruleset. The loader refuses
// files that would pass it (Limits.MaxTotalSize).
const MaxFileSetSize = 1 << 30

// NoPos is the zero Pos; it is never a valid position.
const NoPos Pos = 0

// IsValid reports whether p is a real position.
func (p Pos) IsValid() bool { return p != NoPos }

// Position is a resolved source position. Line and Column are 1-based;
// Column counts Unicode code points (identical to bytes for ASCII).
type Position struct {
	Filename string
	Offset   int // byte offset, 0-based
	Line     int
	Column   int
}

// IsValid reports whether the position is set.
func (p Position) IsValid() bool { return p.Line > 0 }

// String formats "file:line:col", "file:line", "line:col", or "-".
func (p Position) String() string {
	s := p.Filename
	if p.IsValid() {
		if s != "" {
			s += ":"
		}
		s += fmt.Sprintf("%d", p.Line)
		if p.Column != 0 {
			s += fmt.Sprintf(":%d", p.Column)
		}
	}
	if s == "" {
		s = "-"
	}
	return s
}

// Range is a resolved half-open source range [Start, End).
type Range struct {
	Start, End Position
}

// File is one source file of a FileSet: its name, content and line table.
type File struct {
	name  string
	base  int
	src   []byte
	text  string  // src as a string without a copy; see sourceText
	lines []int32 // byte offsets of line starts; lines[0] == 0 (32 bits: offsets stay below MaxFileSetSize)
	// IncludedFrom is the position of the include statement that pulled
	// this file in, or NoPos for a file named on the command line.
	IncludedFrom Pos
}

// Name returns the file name as given when the file was added.
func (f *File) Name() string { return f.name }

// Base returns the Pos of the file's first byte.
func (f *File) Base() int { return f.base }

// Size returns the file's length in bytes.
func (f *File) Size() int { return len(f.src) }

// Source returns the file's content. Callers must not modify it.
func (f *File) Source() []byte { return f.src }

// sourceText returns the file's content as a string that shares the
// bytes of Source (the parser's token texts slice it).
func (f *File) sourceText() string { return f.text }

// LineCount returns the number of lines.
func (f *File) LineCount() int { return len(f.lines) }

// Pos returns the Pos for a byte offset in the file (clamped to its size).
func (f *File) Pos(offset int) Pos {
	if offset < 0 {
		offset = 0
	}
	if offset > len(f.src) {
		offset = len(f.src)
	}
	return Pos(f.base + offset)
}

// Offset returns the byte offset of p within the file.
func (f *File) Offset(p Pos) int { return int(p) - f.base }

// LineStart returns the byte offset at which 1-based line starts.
func (f *File) LineStart(line int) int {
	if line < 1 || line > len(f.lines) {
		return -1
	}
	return int(f.lines[line-1])
}

// Line returns the text of 1-based line without its line terminator.
func (f *File) Line(line int) string {
	start := f.LineStart(line)
	if start < 0 {
		return ""
	}
	end := len(f.src)
	if line < len(f.lines) {
		end = int(f.lines[line])
	}
	for end > start && (f.src[end-1] == '\n' || f.src[end-1] == '\r') {
		end--
	}
	return string(f.src[start:end])
}

// Position resolves an offset within this file.
func (f *File) PositionAt(offset int) Position {
	if offset < 0 {
		offset = 0
	}
	if offset > len(f.src) {
		offset = len(f.src)
	}
	i := sort.Search(len(f.lines), func(i int) bool { return int(f.lines[i]) > offset }) - 1
	if i < 0 {
		i = 0
	}
	col := utf8.RuneCount(f.src[f.lines[i]:offset]) + 1
	return Position{Filename: f.name, Offset: offset, Line: i + 1, Column: col}
}

// FileSet holds the files of one lint run: the files named on the command
// line and everything they include. It is safe for concurrent use.
type FileSet struct {
	mu    sync.RWMutex
	base  int
	files []*File
}

// NewFileSet returns an empty FileSet.
func NewFileSet() *FileSet { return &FileSet{base: 1} }

// AddFile adds a file with the given content and computes its line table.
//
// The file keeps src without copying it, and the ASTs parsed from it
// share its bytes: token texts (names, literals, comments) are substrings
// of one string that aliases src. The caller hands src over and must
// never modify it afterwards. Nothing in nftlint does: the loader reads
// every file into a buffer of its own, and fixes (lint.ApplyFixes) build
// new buffers rather than editing File.Source.
func (s *FileSet) AddFile(name string, src []byte) *File {
	lines := make([]int32, 1, 1+bytes.Count(src, newline))
	for i := 0; ; {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		lines = append(lines, int32(i))
	}
	if len(lines) > 1 && int(lines[len(lines)-1]) == len(src) {
		// A final newline does not start a new line.
		lines = lines[:len(lines)-1]
	}
	// The one string alias of src: safe because src is never modified
	// after AddFile (above), so the string stays immutable as Go requires.
	text := unsafe.String(unsafe.SliceData(src), len(src))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.base+len(src) > MaxFileSetSize {
		// Callers check Size first (the loader does); past this, positions
		// would wrap around and point into other files.
		panic(fmt.Sprintf("parser: adding %s (%d bytes) takes the file set past %d bytes", name, len(src), MaxFileSetSize))
	}
	f := &File{name: name, base: s.base, src: src, text: text, lines: lines}
	s.base += len(src) + 1
	s.files = append(s.files, f)
	return f
}

var newline = []byte{'\n'}

// Size returns the number of bytes of positions the files added so far
// take: their sizes plus one each.
func (s *FileSet) Size() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.base - 1
}

// File returns the file containing p, or nil.
func (s *FileSet) File(p Pos) *File {
	if !p.IsValid() {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	i := sort.Search(len(s.files), func(i int) bool { return s.files[i].base > int(p) }) - 1
	if i < 0 {
		return nil
	}
	f := s.files[i]
	if int(p) > f.base+len(f.src) {
		return nil
	}
	return f
}

// Files returns the files in the order they were added.
func (s *FileSet) Files() []*File {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*File(nil), s.files...)
}

// Position resolves p; the zero Position if p is not in the set.
func (s *FileSet) Position(p Pos) Position {
	f := s.File(p)
	if f == nil {
		return Position{}
	}
	return f.PositionAt(f.Offset(p))
}

// Range resolves [from, to).
func (s *FileSet) Range(from, to Pos) Range {
	r := Range{Start: s.Position(from), End: s.Position(to)}
	if !r.End.IsValid() {
		r.End = r.Start
	}
	return r
}
