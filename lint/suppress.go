package lint

import (
	"fmt"
	"sync"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/parser"
)

// Inline suppression: `# nftlint disable=NFT101 -- reason` directives
// (parsed by checks.ParseDirectives, documented with NFT401) mark the
// findings they cover as suppressed; directives that cover no finding are
// reported under NFT401.

// suppressions holds the directives of one lint run, by file name.
type suppressions struct {
	byFile map[string][]*directive
	order  []*directive // in file order, for deterministic reports
	mu     sync.Mutex   // guards the directives' used
}

type directive struct {
	*checks.Directive
	used []bool // parallel to Checks
}

func collectSuppressions(fset *parser.FileSet, roots []*parser.AST) *suppressions {
	s := &suppressions{byFile: map[string][]*directive{}}
	for _, ast := range checks.AllASTs(roots) {
		for _, d := range checks.ParseDirectives(fset, ast) {
			dir := &directive{Directive: d, used: make([]bool, len(d.Checks))}
			name := ast.File.Name()
			s.byFile[name] = append(s.byFile[name], dir)
			s.order = append(s.order, dir)
		}
	}
	return s
}

// applyTo marks a finding the directives cover: Suppressed is set from
// the first matching directive. Input-rule findings are never
// suppressed. The checks call it concurrently.
func (s *suppressions) applyTo(d *checks.Diagnostic) {
	if checks.IsInputRule(d.Check) || d.Suppressed != nil {
		return
	}
	for _, dir := range s.byFile[d.Start.Filename] {
		if !dir.File && (dir.Line == 0 || dir.Line != d.Start.Line) {
			continue
		}
		for j, id := range dir.Checks {
			if id == d.Check {
				s.mu.Lock()
				dir.used[j] = true
				s.mu.Unlock()
				sup := dir.Suppression
				sup.Checks = append([]string(nil), dir.Checks...)
				sup.Used = true
				d.Suppressed = &sup
				return
			}
		}
	}
}

// unused returns NFT401 diagnostics for the rules of directives that
// suppressed nothing. ran reports whether a rule ran: a directive for a
// rule that did not run cannot be judged. Directives naming NFT401 are
// not judged either: they are applied to these very diagnostics.
func (s *suppressions) unused(ran func(id string) bool) []checks.Diagnostic {
	chk := checks.Lookup(checks.UnusedSuppressionID)
	if chk == nil || !ran(chk.ID) {
		return nil
	}
	var out []checks.Diagnostic
	for _, dir := range s.order {
		for j, id := range dir.Checks {
			if dir.used[j] || id == chk.ID || !ran(id) {
				continue
			}
			var msg string
			switch {
			case dir.File:
				msg = fmt.Sprintf("unused suppression: no %s finding in this file; remove %s from the directive", id, id)
			case dir.Line == 0:
				msg = fmt.Sprintf("unused suppression of %s: a blank line or the end of the file follows the directive, so it covers nothing; put it on or directly above the line it is meant for", id)
			default:
				msg = fmt.Sprintf("unused suppression: no %s finding on line %d; remove %s from the directive", id, dir.Line, id)
			}
			out = append(out, checks.Diagnostic{
				Range: dir.Range, Check: chk.ID, Name: chk.Name, Severity: chk.Severity, Message: msg,
			})
		}
	}
	return out
}
