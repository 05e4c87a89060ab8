package checks

import (
	"fmt"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT402 reports defines whose variable is never used.
var nft402 = &Check{
	ID:       "NFT402",
	Name:     "unused-define",
	Title:    "a define is never used",
	Severity: Info,
	Tags:     []string{"maintainability"},
	Doc: `A ` + "`define`" + ` whose ` + "`$variable`" + ` no rule, set or other define uses does nothing. It is
usually left over from a rule that was removed or renamed, or the rule meant to use
it spells the name differently and silently uses another variable. Unused defines
also mislead readers into believing an address or port list is in force.

A name counts as used when any of its ` + "`define`" + `/` + "`redefine`" + ` bindings is used, including
in ` + "`log prefix`" + ` strings and in included files. A file of shared defines that other
files include is linted on its own without its users: lint the including file, or
suppress the finding there.

**Fix:** remove the define, or use it where it was meant to be used.`,
	Run: runUnusedDefine,
}

func runUnusedDefine(p *Pass) {
	used := make(map[string]bool)
	for _, d := range p.Ruleset.Defines {
		if len(d.Uses) > 0 {
			used[d.Name] = true
		}
	}
	reported := make(map[string]bool)
	for _, d := range p.Ruleset.Defines {
		if used[d.Name] || reported[d.Name] || d.Cmd == nil || d.Cmd.Name == nil {
			continue
		}
		reported[d.Name] = true
		diag := Diagnostic{
			Range:   p.Range(d.Cmd.Name),
			Message: fmt.Sprintf("$%s is defined but never used: the value does nothing and may be meant for a rule that uses another name; remove the define or use it", d.Name),
		}
		if edit, ok := deleteLinesEdit(p.Files, d.Cmd); ok && onlyBinding(p.Ruleset, d) {
			diag.Fixes = []Fix{{Message: fmt.Sprintf("remove the define of $%s", d.Name), Edits: []TextEdit{edit}}}
		}
		p.Report(diag)
	}
}

// onlyBinding reports whether d is the only define or redefine of its
// name (removing one of several would change which value the others see).
func onlyBinding(rs *ruleset.Ruleset, d *ruleset.Define) bool {
	for _, x := range rs.Defines {
		if x != d && x.Name == d.Name {
			return false
		}
	}
	return true
}

// deleteLinesEdit returns an edit removing the lines node occupies, when
// nothing else is written on them (a trailing `;` or comment aside).
func deleteLinesEdit(files *parser.FileSet, node parser.Node) (TextEdit, bool) {
	f := files.File(node.Pos())
	if f == nil {
		return TextEdit{}, false
	}
	src := f.Source()
	start, end := f.Offset(node.Pos()), f.Offset(node.End())
	if start < 0 || end > len(src) || start > end {
		return TextEdit{}, false
	}
	lineStart := start
	for lineStart > 0 && (src[lineStart-1] == ' ' || src[lineStart-1] == '\t') {
		lineStart--
	}
	if lineStart > 0 && src[lineStart-1] != '\n' {
		return TextEdit{}, false
	}
	i := end
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == ';' || src[i] == '\r') {
		i++
	}
	if i < len(src) && src[i] == '#' { // a trailing comment goes with the line
		for i < len(src) && src[i] != '\n' {
			i++
		}
	}
	if i < len(src) && src[i] != '\n' {
		return TextEdit{}, false
	}
	if i < len(src) {
		i++ // the newline
	}
	return TextEdit{Filename: f.Name(), Start: lineStart, End: i}, true
}
