package parser

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// Parallel parsing. A large file is cut at item boundaries into pieces;
// while the file's parser reads the first piece, every other piece is
// parsed to the end of the file by a goroutine of its own. That parse is
// speculative: it assumes a state at the piece's start (no error so far,
// no lookahead, in the top-level command and block where the cut was
// made) and records marks, its state at the item boundaries that follow.
// A parser that arrives at a mark in the state recorded there would parse
// the rest of the file exactly as the piece did: it adopts the piece's
// commands, comments and errors instead of reading on. Where no mark
// matches, it discards the piece and parses the rest itself. Either way
// the result is the sequential parse.

const (
	// parallelMinSize is the size from which ParseAdded cuts a file into
	// pieces: below it the parse takes about as long as starting the
	// goroutines and scanning for cuts.
	parallelMinSize = 256 << 10
	// minPieceSize is the size a piece has at least.
	minPieceSize = 128 << 10
)

// pieceCount returns into how many pieces to cut a file of size bytes.
func pieceCount(size int) int {
	if size < parallelMinSize {
		return 1
	}
	return min(runtime.GOMAXPROCS(0), size/minPieceSize)
}

// A mark is a place where a piece's parse can take over from another
// parser: the start of a top-level command, or of an item of a block that
// a top-level command opens, with no lookahead and no error before it.
// It holds the rest of the parser's state there that the parse depends
// on, and where the results of the parse from there begin.
type mark struct {
	off     int // offset of the first token
	prevEnd int // end offset of the token before it
	cmd     int // offset of the top-level command it is in (off at top level)
	open    int // offset of the '{' of the block it is in; -1 at top level

	scope, cmdScope string // the parser's scope here and at the start of the command

	cmds     int // how many commands of the piece's parse precede the one here
	items    int // how many items of the block precede the one here
	comments int // how many comments of the piece's parse precede off
}

// maxMarks bounds the marks a piece records: past its start, another
// parser differs from it only briefly, if at all (for instance in the
// scope that a selector at the end of a set declaration leaves behind,
// which the next rule resets).
const maxMarks = 16

// A piece is the parse of a file from a cut to its end.
type piece struct {
	at   mark        // where it starts, as splitPoints guessed it
	stop atomic.Bool // the parse is no longer wanted: end it early

	// The marks where the parse can take over, from at on if it got
	// there; once marked is set no more follow. Other parsers read them
	// while the parse goes on.
	mu       sync.Mutex
	progress sync.Cond // signalled when a mark is added or marked set
	marks    []mark
	marked   bool

	done     chan struct{} // closed once the fields below are set
	chain    int           // how many later pieces the parse adopted, directly or not
	cmds     []Cmd
	comments []*Comment
	errors   ErrorList
}

// parallel is a parser's part in a parallel parse.
type parallel struct {
	cut     *cutter  // the file's own parser: where the pieces appear once they are found
	cutOff  int      // the offset before which no piece starts
	pieces  []*piece // the pieces after the parser's start that it may adopt
	self    *piece   // a piece's parser: its piece
	resume  bool     // self starts in a block that its parser has not reached yet
	marking bool     // the parser records self's marks

	cmd      int    // offset of the current top-level command
	cmdIndex int    // how many commands precede it
	cmdScope string // the parser's scope when it started

	adopted bool  // a piece took over: the parser reads as at end of file
	rest    []Cmd // the adopted piece's commands: the rest of the file
	chain   int   // how many pieces the rest came from (the adopted one and those it adopted)
}

// A cutter finds where to cut a file and starts the parsers of the
// pieces. It runs beside the file's own parser, which waits for it only
// when it reaches the first place where a piece may start; the cutter
// reads the file much faster than the parser does, and has usually
// finished by then.
type cutter struct {
	stop   atomic.Bool   // the file's parser is done or cannot adopt a piece
	done   chan struct{} // closed when the cutter has returned…
	pieces []*piece      // … having started these
}

// parseInPieces parses file as ParseAdded does, cut into up to n pieces
// that are parsed in parallel. It also returns how many pieces after the
// first were adopted (for tests).
func parseInPieces(file *File, n int) (*AST, ErrorList, int) {
	p := newParser(file)
	if n <= 1 {
		ast, errs := p.result(p.parseFile())
		return ast, errs, 0
	}
	cut := &cutter{done: make(chan struct{})}
	go cut.run(file, n)
	p.par = &parallel{cut: cut, cutOff: file.Size() / n}
	cmds := p.parseFile()
	// Whatever was not adopted is of no use: end it, and leave no
	// goroutine behind.
	cut.stop.Store(true)
	<-cut.done
	for _, pc := range cut.pieces {
		pc.stop.Store(true)
	}
	for _, pc := range cut.pieces {
		<-pc.done
	}
	ast, errs := p.result(cmds)
	return ast, errs, p.par.chain
}

// run cuts the file into up to n pieces and starts their parsers.
func (c *cutter) run(file *File, n int) {
	defer close(c.done)
	points := splitPoints(file.sourceText(), n, &c.stop)
	if len(points) == 0 || c.stop.Load() {
		return
	}
	pieces := make([]*piece, len(points))
	for i, at := range points {
		pc := &piece{at: at, done: make(chan struct{}), marks: make([]mark, 0, maxMarks)}
		pc.progress.L = &pc.mu
		pieces[i] = pc
	}
	for i, pc := range pieces {
		go pc.parse(file, pieces[i+1:])
	}
	c.pieces = pieces
}

// parse parses the file from pc.at to its end; later are the pieces after
// it.
func (pc *piece) parse(file *File, later []*piece) {
	defer close(pc.done)
	defer func() {
		if recover() != nil {
			// A bug in the parser. Nothing of the parse is adopted:
			// the parser that reads this text itself meets the bug in
			// its caller's goroutine, where it can be recovered.
			pc.mu.Lock()
			pc.marks, pc.marked = nil, true
			pc.mu.Unlock()
			pc.progress.Broadcast()
		}
	}()
	p := &parser{file: file, src: file.sourceText(), pack: packElements()}
	p.sc.Init(file, p.src, func(off, end int, msg string) { p.errorAt(off, end, msg) })
	p.par = &parallel{pieces: later, self: pc, resume: pc.at.open >= 0, marking: true}
	// At top level the piece starts with its command; in a block it
	// starts with the command that opens the block, and skips to pc.at
	// in it (see splitHere).
	p.sc.off = pc.at.cmd
	p.next()
	p.prevEnd = pc.at.prevEnd
	cmds := p.parseFile()
	pc.endMarks()
	pc.chain = p.par.chain
	pc.cmds, pc.comments, pc.errors = cmds, p.sc.Comments, p.errors
}

// startCommand notes the start of a top-level command; index commands
// precede it.
func (p *parser) startCommand(off, index int) {
	p.par.cmd, p.par.cmdIndex, p.par.cmdScope = off, index, p.scope
}

// splitHere is called at the start of every top-level command (open -1)
// and block item (open is the block's '{' and the block's items start at
// base on p.items). There a piece's parser ends when it is no longer
// wanted, skips from the first item of the block it starts in to its
// start, and records marks; and any parser adopts a piece that has a mark
// here that matches its own. splitHere reports whether it adopted one:
// p.par.rest then holds the rest of the file, the current block's items
// are among them, and p reads as at end of file, so that the callers
// return to parseFile without reading further.
func (p *parser) splitHere(open, base int) bool {
	par := p.par
	if pc := par.self; pc != nil {
		if pc.stop.Load() {
			p.stop()
		}
		switch {
		case par.resume && p.depth == 1 && open == pc.at.open && par.cmd == pc.at.cmd:
			// pc.at is in this block: skip to it, and start there in
			// the state its mark describes (the comments before it
			// are another parser's).
			par.resume = false
			p.sc.off, p.sc.Comments = pc.at.off, nil
			p.ahead = p.ahead[:0]
			p.scope = ""
			p.next()
			p.prevEnd = pc.at.prevEnd
		case par.resume && p.cur.off >= pc.at.off:
			par.resume, par.marking = false, false // pc.at was not where a block item starts
			pc.endMarks()
		}
		if par.marking && !par.resume {
			if p.errSeq != 0 || p.stopped {
				par.marking = false // no mark follows an error
				pc.endMarks()
			} else if m, ok := p.markHere(open, base); ok {
				par.marking = pc.addMark(m)
			}
		}
	}
	if par.cut != nil && (p.errSeq != 0 || p.cur.off >= par.cutOff) {
		if p.errSeq != 0 {
			par.cut.stop.Store(true)
		}
		<-par.cut.done
		par.pieces, par.cut = par.cut.pieces, nil
	}
	if p.errSeq != 0 || p.stopped {
		par.drop(len(par.pieces)) // nothing can be adopted after an error
		return false
	}
	if len(par.pieces) == 0 || par.pieces[0].at.off > p.cur.off {
		return false
	}
	m, ok := p.markHere(open, base)
	if !ok {
		return false
	}
	for len(par.pieces) > 0 && par.pieces[0].at.off <= p.cur.off {
		pc := par.pieces[0]
		at, ok := pc.markAt(m.off)
		if !ok {
			par.drop(1) // past all its marks
			continue
		}
		if !m.matches(at) {
			return false // perhaps at a later mark
		}
		<-pc.done
		par.drop(1)
		return p.adopt(pc, at, base)
	}
	return false
}

// addMark records the piece's next mark; it reports whether there is
// room for more.
func (pc *piece) addMark(m mark) bool {
	pc.mu.Lock()
	pc.marks = append(pc.marks, m)
	pc.marked = len(pc.marks) == maxMarks
	more := !pc.marked
	pc.mu.Unlock()
	pc.progress.Broadcast()
	return more
}

// endMarks records that the piece has no more marks.
func (pc *piece) endMarks() {
	pc.mu.Lock()
	pc.marked = true
	pc.mu.Unlock()
	pc.progress.Broadcast()
}

// markAt returns the piece's first mark at or after off, waiting until
// the piece has recorded it; ok is false when it records none.
func (pc *piece) markAt(off int) (m mark, ok bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	for {
		for _, m := range pc.marks {
			if m.off >= off {
				return m, true
			}
		}
		if pc.marked {
			return mark{}, false
		}
		pc.progress.Wait()
	}
}

// markHere returns the parser's mark at the current token, the start of a
// top-level command (open -1) or block item; ok is false where no piece
// can take over.
func (p *parser) markHere(open, base int) (m mark, ok bool) {
	if p.errSeq != 0 || p.stopped || len(p.ahead) > 0 || p.depth > 1 || (open >= 0) != (p.depth == 1) {
		return m, false
	}
	par := p.par
	m = mark{off: p.cur.off, prevEnd: p.prevEnd, cmd: par.cmd, open: open,
		scope: p.scope, cmdScope: par.cmdScope, cmds: par.cmdIndex, comments: len(p.sc.Comments)}
	if open >= 0 {
		m.items = len(p.items) - base
	}
	return m, true
}

// matches reports whether two parsers at marks m and o parse the rest of
// the file alike: they read the same command up to the same token, from
// the same state. (The counts differ: they count each parser's own
// results.)
func (m mark) matches(o mark) bool {
	return m.off == o.off && m.prevEnd == o.prevEnd && m.cmd == o.cmd && m.open == o.open &&
		m.scope == o.scope && m.cmdScope == o.cmdScope
}

// adopt takes the results of pc's parse from its mark m on as the rest of
// the file's; the items of the current block before m (from base on
// p.items) are the parser's own. It reports false, changing nothing, if
// the results do not fit m, which cannot happen.
func (p *parser) adopt(pc *piece, m mark, base int) bool {
	if m.cmds >= len(pc.cmds) || m.comments > len(pc.comments) {
		return false
	}
	rest := pc.cmds[m.cmds:]
	if m.open >= 0 {
		// pc parsed the command that opens this block: its items from
		// m on complete the parser's own. (Another parser may adopt pc
		// too: copy its nodes, do not modify them.)
		first, ok := rest[0].(*Command)
		if !ok || first.Body == nil || m.items > len(first.Body.Items) {
			return false
		}
		cmd, body := *first, *first.Body
		p.items = append(p.items, body.Items[m.items:]...)
		body.Items = p.popCmds(base)
		cmd.Body = &body
		rest = append([]Cmd{&cmd}, rest[1:]...)
	}
	par := p.par
	par.adopted, par.rest, par.chain = true, rest, 1+pc.chain
	p.sc.Comments = append(p.sc.Comments, pc.comments[m.comments:]...)
	p.errors = append(p.errors, pc.errors...) // all after m
	p.stop()
	return true
}

// drop gives up the first n pieces the parser might adopt. The file's own
// parser also stops them: no parser whose results it can still adopt
// starts before them.
func (par *parallel) drop(n int) {
	if par.self == nil {
		for _, pc := range par.pieces[:n] {
			pc.stop.Store(true)
		}
	}
	par.pieces = par.pieces[n:]
}

// stop makes the parser read as at end of file.
func (p *parser) stop() {
	p.stopped = true
	p.ahead = p.ahead[:0]
	p.cur = p.eofToken()
}

// splitPoints returns where to cut src into up to n pieces of about equal
// size: for k = 1 … n-1, the first line in the k-th n-th of src past k/n
// of it that starts a top-level command or an item of a table or chain
// block that a top-level command opens. It follows braces, quoted strings
// and comments as the scanner reads them, but the parser, not this guess,
// decides whether a point is one (in a file with errors it may not be).
// It returns nil once stop is set.
func splitPoints(src string, n int, stop *atomic.Bool) []mark {
	size := len(src) / n
	if size == 0 || strings.HasPrefix(src, "\xef\xbb\xbf") {
		return nil // too small, or an error at the start (a byte order mark)
	}
	// Cuts are looked for from k/n of src on, in the next half n-th.
	mayCut := false
	for k := 1; k < n && !mayCut; k++ {
		mayCut = hasLetterLine(src, k*size, k*size+size/2)
	}
	if !mayCut {
		// Spare the scan below, which takes about as long as parsing
		// such text (a huge set literal).
		return nil
	}
	var points []mark
	next := size           // where to look for the next point from…
	limit := next + size/2 // … and up to
	depth := 0
	cmd, open := 0, -1  // the current top-level command and block
	splittable := false // whether that block is a table or chain block
	for i := 0; i < len(src); {
		if stop.Load() {
			return nil
		}
		for end := min(i+64<<10, len(src)); i < end; i++ {
			if !splitScanBytes[src[i]] {
				continue
			}
			switch src[i] {
			case '"':
				j := strings.IndexByte(src[i+1:], '"')
				if j < 0 {
					return points
				}
				i += j + 1
			case '#':
				j := strings.IndexByte(src[i:], '\n')
				if j < 0 {
					return points
				}
				i += j - 1 // the newline is next
			case '\\':
				if i+1 < len(src) && src[i+1] == '\n' {
					i++ // a line continuation
				}
			case '{':
				depth++
				if depth == 1 {
					open, splittable = i, isBlockCommand(src[cmd:i])
				}
			case '}':
				depth = max(depth-1, 0)
			case ';':
				if depth == 0 {
					cmd = skipBlanks(src, i+1)
				}
			case '\n':
				j := skipBlanks(src, i+1)
				if depth == 0 {
					cmd = j
				}
				for j >= limit {
					// Nothing found for this cut: try the next.
					next, limit = next+size, limit+size
					if next >= len(src) {
						return points
					}
				}
				if j < next || j == len(src) || !isLetter(src[j]) || depth > 1 || depth == 1 && !splittable {
					continue
				}
				at := mark{off: j, prevEnd: i + 1, cmd: cmd, open: -1}
				if depth == 1 {
					at.open = open
				}
				points = append(points, at)
				next, limit = next+size, limit+size
				if len(points) == n-1 || next >= len(src) {
					return points
				}
			}
		}
	}
	return points
}

// splitScanBytes are the bytes splitPoints looks at.
var splitScanBytes = [256]bool{'"': true, '#': true, '\\': true, '{': true, '}': true, ';': true, '\n': true}

// hasLetterLine reports whether a line that starts in src[from:to] starts
// with a letter after blanks, as every cut splitPoints makes does. (Lines
// indented by more than 4 KiB are overlooked.)
func hasLetterLine(src string, from, to int) bool {
	to = min(to, len(src))
	for i := max(from-4096, 0); i < to; {
		nl := strings.IndexByte(src[i:to], '\n')
		if nl < 0 {
			return false
		}
		i += nl + 1
		if j := skipBlanks(src, i); j >= from && j < to && isLetter(src[j]) {
			return true
		}
	}
	return false
}

func skipBlanks(src string, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	return i
}

// isBlockCommand reports whether the text of a top-level command up to
// its '{' opens a table or chain block.
func isBlockCommand(head string) bool {
	if len(head) > 512 {
		return false
	}
	words := strings.Fields(head)
	if len(words) > 1 && (words[0] == "add" || words[0] == "create") {
		words = words[1:]
	}
	return len(words) > 1 && (words[0] == "table" || words[0] == "chain")
}
