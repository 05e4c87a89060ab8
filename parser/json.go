package parser

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
)

// nft JSON input (`nft -j -f FILE`, `nft -j list ruleset` output).
//
// nft has two front ends for the same commands: the text parser and the
// JSON parser (libnftables-json(5)). ParseJSON renders the JSON as the
// nft text `nft list ruleset` would print for it (json_render*.go),
// parses that text with the text parser, and moves every position of the
// resulting AST onto the JSON file: a node points at the JSON value it
// was rendered from. The AST therefore has exactly the shapes a text file
// gives, and the loader, the ruleset builder and every check work on JSON
// unchanged. JSON constructs nftlint does not know are kept as
// KeywordStmt (statements), Selector (expressions) or Command (top level)
// named after their JSON key.

// IsJSON reports whether src is nft JSON by nft's own test: the first
// non-blank byte is '{' (an nft text file cannot start with one).
func IsJSON(src []byte) bool {
	t := bytes.TrimLeft(src, " \t\r\n\uFEFF")
	t = bytes.TrimPrefix(t, []byte("\uFEFF"))
	return len(t) > 0 && t[0] == '{'
}

// ParseJSON adds src to fset under filename, parses it as nft JSON and
// returns its AST with every error found, like ParseFile. Malformed JSON
// and JSON that does not follow nft's schema are syntax errors (NFT001)
// at the offending JSON value. The AST is always non-nil.
func ParseJSON(fset *FileSet, filename string, src []byte) (*AST, ErrorList) {
	file := fset.AddFile(filename, src)
	return parseJSONAdded(file)
}

func parseJSONAdded(file *File) (*AST, ErrorList) {
	ast := &AST{File: file}
	var errs ErrorList
	addErr := func(from, to int, msg string) {
		e := &Error{Pos: file.PositionAt(from), End: file.PositionAt(to), Msg: msg, Code: CodeSyntax}
		errs = append(errs, e)
	}
	doc, serr := scanJSON(file.Source())
	if serr != nil {
		addErr(serr.Off, serr.End, "malformed JSON: "+serr.Msg+"; nft -j rejects the whole file")
		ast.Cmds = []Cmd{&BadCmd{From: file.Pos(serr.Off), To: file.Pos(serr.End)}}
		return ast, errs
	}
	r := newJSONRenderer(jsonRenderOptions{})
	if !r.top(doc) {
		for _, p := range r.problems {
			addErr(p.Start, p.End, p.Msg)
		}
		return ast, errs
	}
	for _, p := range r.problems {
		addErr(p.Start, p.End, "invalid nft JSON: "+p.Msg)
	}
	text := r.b.String()
	tmp := NewFileSet()
	textAST, textErrs := ParseFile(tmp, file.Name(), []byte(text))
	tf := textAST.File
	m := newSpanMap(r.spans, len(text))
	for _, e := range textErrs {
		from, to := m.jsonOffset(e.Pos.Offset), m.jsonOffset(e.End.Offset)
		if to < from {
			to = from
		}
		line := tf.Line(e.Pos.Line)
		addErr(from, to, fmt.Sprintf("%s (in the nft text of this JSON: %s)", e.Msg, strings.TrimSpace(line)))
	}
	unpackElemRuns(textAST.Cmds) // runs cannot move onto the JSON file
	patchPlaceholders(textAST, tf, r.placeholders)
	remapPositions(textAST.Cmds, tf, file, m)

	// Order the commands as in the JSON, with unknown ones as Commands
	// named after their key.
	parsed := textAST.Cmds
	for _, rc := range r.cmds {
		if rc.Unknown {
			c := &Command{
				Verb:   Verb(rc.Verb),
				Object: ObjectKind(rc.Key),
				EndPos: file.Pos(rc.V.End),
			}
			if rc.Verb != "" {
				c.VerbPos = file.Pos(rc.V.Start)
			}
			c.ObjPos = file.Pos(rc.V.Start)
			ast.Cmds = append(ast.Cmds, c)
			continue
		}
		for len(parsed) > 0 && int(parsed[0].Pos())-file.Base() < rc.V.End {
			ast.Cmds = append(ast.Cmds, parsed[0])
			parsed = parsed[1:]
		}
	}
	ast.Cmds = append(ast.Cmds, parsed...)
	errs.Sort()
	if len(errs) == 0 {
		return ast, nil
	}
	return ast, errs
}

// patchPlaceholders turns the stand-ins rendered for unknown JSON
// constructs into nodes named after the JSON key.
func patchPlaceholders(ast *AST, f *File, ph map[int]string) {
	if len(ph) == 0 {
		return
	}
	for _, c := range ast.Cmds {
		Inspect(c, func(n Node) bool {
			switch x := n.(type) {
			case *KeywordStmt:
				if key, ok := ph[f.Offset(x.KeywordPos)]; ok && x.Keyword == "counter" {
					x.Keyword, x.Args = key, nil
				}
			case *Selector:
				if len(x.Words) > 0 {
					if key, ok := ph[f.Offset(x.Words[0].NamePos)]; ok && x.Words[0].Name == "meta" {
						end := x.End()
						x.Words = []Ident{makeIdent(x.Words[0].NamePos, key, false, end)}
						x.SetArgs(nil)
						x.SetEnd(end)
					}
				}
			}
			return true
		})
	}
}

// spanMap maps offsets in the rendered text to offsets in the JSON.
type spanMap struct {
	spans []jsonSpan
	// inner[i] is the innermost span containing text offset i, starts[i]
	// the innermost span starting at i, ends[i] the innermost span ending
	// at i; -1 when none.
	inner, starts, ends []int32
	parent              []int32 // the enclosing span, or -1
}

// enclosing returns the smallest span holding the text [p0, p1), or -1.
func (m *spanMap) enclosing(p0, p1 int) int {
	if p0 < 0 || p0 >= len(m.inner) {
		return -1
	}
	i := m.inner[p0]
	for i >= 0 && m.spans[i].T1 < p1 {
		i = m.parent[i]
	}
	return int(i)
}

func newSpanMap(spans []jsonSpan, size int) *spanMap {
	m := &spanMap{spans: spans, parent: make([]int32, len(spans))}
	// Parents: spans close children first, so a stack of open candidates
	// scanned in closing order finds each span's children on top.
	var stack []int32
	for i, s := range spans {
		m.parent[i] = -1
		for len(stack) > 0 {
			c := spans[stack[len(stack)-1]]
			if c.T0 < s.T0 || c.T1 > s.T1 {
				break
			}
			m.parent[stack[len(stack)-1]] = int32(i)
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, int32(i))
	}
	m.inner = make([]int32, size+1)
	m.starts = make([]int32, size+1)
	m.ends = make([]int32, size+1)
	for i := range m.inner {
		m.inner[i], m.starts[i], m.ends[i] = -1, -1, -1
	}
	// Spans are recorded when they close, children before their parent:
	// walking backwards visits parents first, so children overwrite them.
	for i := len(spans) - 1; i >= 0; i-- {
		s := spans[i]
		for o := s.T0; o < s.T1 && o <= size; o++ {
			m.inner[o] = int32(i)
		}
		if s.T0 <= size {
			m.starts[s.T0] = int32(i)
		}
		if s.T1 <= size {
			m.ends[s.T1] = int32(i)
		}
	}
	return m
}

// jsonOffset maps a text offset: the end of a rendered value maps to
// the end of its JSON value, the start (or any offset inside it) to the
// start of the innermost JSON value rendered there.
func (m *spanMap) jsonOffset(off int) int {
	if off < 0 || off >= len(m.inner) {
		off = len(m.inner) - 1
	}
	if off < 0 {
		return 0
	}
	if i := m.ends[off]; i >= 0 {
		return m.spans[i].J1
	}
	if i := m.starts[off]; i >= 0 {
		return m.spans[i].J0
	}
	if i := m.inner[off]; i >= 0 {
		return m.spans[i].J0
	}
	// Between commands: the end of the nearest value before.
	for o := off - 1; o >= 0; o-- {
		if i := m.ends[o]; i >= 0 {
			return m.spans[i].J1
		}
	}
	return 0
}

var jsonPosType = reflect.TypeFor[Pos]()

var nodeType = reflect.TypeFor[Node]()

// remapPositions moves every Pos reachable from the commands from the
// rendered text (file from) onto the JSON file (to). A node whose text is
// exactly the rendering of a JSON value gets that value's range; other
// positions map to the start or end of the value rendered there.
func remapPositions(cmds []Cmd, from, to *File, m *spanMap) {
	seen := make(map[uintptr]bool)
	var walk func(v reflect.Value, owner int)
	walk = func(v reflect.Value, owner int) {
		switch v.Kind() {
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), owner)
			}
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			if v.Elem().Kind() != reflect.Struct || v.Elem().Type() == reflect.TypeFor[File]() {
				return
			}
			own := -1
			var p0, p1 int
			var n Node
			if v.Type().Implements(nodeType) {
				n = v.Interface().(Node)
				if n.Pos().IsValid() {
					p0 = from.Offset(n.Pos())
					p1 = p0
					if n.End() >= n.Pos() {
						p1 = from.Offset(n.End())
					}
					own = m.enclosing(p0, p1)
				}
			}
			remap := func(p Pos) Pos {
				off := from.Offset(p)
				j := -1
				if own >= 0 {
					s := m.spans[own]
					switch {
					case off == p0 && off == s.T0:
						j = s.J0
					case off == p1 && off == s.T1:
						j = s.J1
					}
				}
				if j < 0 {
					j = m.jsonOffset(off)
				}
				return to.Pos(j)
			}
			// The unexported fields: an Ident's end (which holds Quoted
			// too) and what a Selector keeps out of line.
			var selEnd Pos
			switch x := n.(type) {
			case *Ident:
				if x.End().IsValid() {
					x.SetEnd(remap(x.End()))
				}
			case *Selector:
				walk(reflect.ValueOf(x.Args()), own)
				if end := x.End(); end.IsValid() {
					selEnd = remap(end) // set once the words have moved
				}
			}
			st := v.Elem()
			for i := 0; i < st.NumField(); i++ {
				fv := st.Field(i)
				if !st.Type().Field(i).IsExported() {
					continue
				}
				if fv.Type() == jsonPosType {
					p := Pos(fv.Int())
					if !p.IsValid() || !fv.CanSet() {
						continue
					}
					fv.SetInt(int64(remap(p)))
					continue
				}
				switch fv.Kind() {
				case reflect.Pointer, reflect.Slice, reflect.Interface:
					walk(fv, own)
				}
			}
			if x, ok := n.(*Selector); ok && selEnd.IsValid() {
				x.SetEnd(selEnd)
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				e := v.Index(i)
				if e.Kind() == reflect.Struct {
					e = e.Addr() // Selector.Words and NatStmt.Flags hold Idents by value
				}
				walk(e, owner)
			}
		}
	}
	for _, c := range cmds {
		walk(reflect.ValueOf(c), -1)
	}
}

// RenderJSONRuleset renders nft JSON list output (`nft -j list
// ruleset`) as nft text in the block layout of `nft -a list ruleset`,
// with a `# handle N` comment on every table, chain, set and rule that
// has a handle. The live reader uses it so that findings on a running
// ruleset point at lines of a readable listing.
func RenderJSONRuleset(src []byte) ([]byte, error) {
	r, err := RenderJSONListing(src)
	if r == nil {
		return nil, err
	}
	return r.Text, err
}

// JSONListing is nft JSON list output rendered as nft text.
type JSONListing struct {
	Text []byte
	// Placeholders maps the text offset of each stand-in rendered for an
	// unknown JSON construct (a `counter` statement, a `meta mark`
	// selector) to the JSON key it stands for; PatchPlaceholders renames
	// the stand-ins in the parsed text.
	Placeholders map[int]string
}

// RenderJSONListing is RenderJSONRuleset keeping the placeholders.
func RenderJSONListing(src []byte) (*JSONListing, error) {
	doc, serr := scanJSON(src)
	if serr != nil {
		return nil, fmt.Errorf("malformed JSON at offset %d: %s", serr.Off, serr.Msg)
	}
	r := newJSONRenderer(jsonRenderOptions{Blocks: true, Handles: true})
	if !r.top(doc) {
		return nil, fmt.Errorf("%s", r.problems[0].Msg)
	}
	out := &JSONListing{Text: []byte(r.b.String()), Placeholders: r.placeholders}
	if len(r.problems) > 0 {
		p := r.problems[0]
		return out, fmt.Errorf("JSON offset %d: %s", p.Start, p.Msg)
	}
	return out, nil
}

// PatchPlaceholders renames the stand-ins of a JSONListing, parsed into
// ast, after the JSON keys they stand for (as ParseJSON does), so that
// checks see an unknown statement or selector rather than a counter or
// a packet mark.
func PatchPlaceholders(ast *AST, placeholders map[int]string) {
	if ast == nil || ast.File == nil {
		return
	}
	patchPlaceholders(ast, ast.File, placeholders)
}
