package checks

import (
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/parser"
)

// NFT401 reports nftlint directives that suppress nothing. The directive
// itself is parsed here (ParseDirectives); Run reports the directives
// that cannot work whatever the findings are (malformed, unknown rule, an
// input rule, disable-file after the first command). Directives naming a
// rule that reports nothing where they point are found after all checks
// have run, by the lint pipeline, and reported under this rule too.
var nft401 = &Check{
	ID:       UnusedSuppressionID,
	Name:     "unused-suppression",
	Title:    "an nftlint directive suppresses nothing",
	Severity: Warning,
	Tags:     []string{"maintainability"},
	Doc: `Findings can be silenced with a comment, with a reason after ` + "`--`" + `:

` + "```" + `
# nftlint disable=NFT101,NFT301 -- docker0 traffic is accepted in table ip filter
chain forward { … }

tcp dport 22 accept # nftlint disable=NFT305 -- reason
` + "```" + `

A directive at the end of a line covers findings that start on that line;
alone on its line it covers the next line that is not a comment. A
` + "`# nftlint disable-file=NFT101 -- reason`" + ` directive before the first command covers
the whole file. Rules may be named by ID or by name. The input rules NFT001,
NFT002 and NFT003 cannot be suppressed: nft refuses such input.

A directive that suppresses nothing is noise at best; at worst it hides a
future finding on a line that has nothing to do with the reason written
next to it, or it looks like protection while doing nothing because the rule
ID is mistyped. This rule reports directives that are malformed, name an
unknown rule or an input rule, come after the first command
(` + "`disable-file`" + `), or name a rule that reports nothing on the covered line or
file. Directives for rules that did not run (disabled, or not applicable
to the selected ` + "`--runtime`" + `) are not judged.

**Fix:** remove the directive, or correct the rule ID or its place. To lint
without any inline suppression, run ` + "`nftlint --no-inline-suppress`" + `.`,
}

// Run is set here, not in the literal: it looks rules up in the registry,
// which lists nft401 itself (an initialization cycle otherwise).
func init() { nft401.Run = runUnusedSuppression }

// UnusedSuppressionID is the ID of the rule reporting unused directives.
const UnusedSuppressionID = "NFT401"

func runUnusedSuppression(p *Pass) {
	for _, ast := range AllASTs(p.Ruleset.ASTs) {
		for _, d := range ParseDirectives(p.Files, ast) {
			for _, msg := range d.Problems {
				p.Report(Diagnostic{Range: d.Range, Message: msg})
			}
		}
	}
}

// Directive is one `# nftlint …` comment.
type Directive struct {
	Suppression // Range (the comment), Checks (resolved IDs), Reason, File
	// Line is the line whose findings a line directive covers; 0 when it
	// covers none (a blank line or the end of the file follows it).
	Line int
	// Problems describe why the directive cannot work whatever the
	// findings are; each is an NFT401 message.
	Problems []string
}

// DirectivePrefix is the word that starts a directive comment.
const DirectivePrefix = "nftlint"

// ParseDirectives returns the nftlint directives among the comments of
// one file, in order.
func ParseDirectives(fset *parser.FileSet, ast *parser.AST) []*Directive {
	var first parser.Pos
	if len(ast.Cmds) > 0 {
		first = ast.Cmds[0].Pos()
	}
	var out []*Directive
	for _, c := range ast.Comments {
		body := strings.TrimSpace(strings.TrimPrefix(c.Text, "#"))
		word, rest, _ := strings.Cut(body, " ")
		if word != DirectivePrefix {
			continue
		}
		d := &Directive{Suppression: Suppression{Range: fset.Range(c.Pos(), c.End())}}
		out = append(out, d)

		spec, reason, _ := strings.Cut(rest, "--")
		d.Reason = strings.TrimSpace(reason)
		key, list, ok := strings.Cut(strings.TrimSpace(spec), "=")
		key = strings.TrimSpace(key)
		if !ok || (key != "disable" && key != "disable-file") || strings.TrimSpace(list) == "" {
			d.Problems = append(d.Problems, fmt.Sprintf(
				"malformed nftlint directive %q suppresses nothing; write `# nftlint disable=NFT101 -- reason` or `# nftlint disable-file=NFT101 -- reason`",
				strings.TrimSpace(c.Text)))
			continue
		}
		d.File = key == "disable-file"
		for _, name := range strings.Split(list, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			chk := Lookup(name)
			if chk == nil {
				chk = Lookup(strings.ToUpper(name))
			}
			switch {
			case chk == nil:
				d.Problems = append(d.Problems, fmt.Sprintf(
					"unknown rule %q in nftlint directive suppresses nothing; correct the ID (`nftlint --list-rules` shows them)", name))
			case IsInputRule(chk.ID):
				d.Problems = append(d.Problems, fmt.Sprintf(
					"%s cannot be suppressed because nft refuses input with this problem; fix the input and remove %s from the directive", chk.ID, chk.ID))
			default:
				d.Checks = append(d.Checks, chk.ID)
			}
		}
		if d.File {
			if first.IsValid() && c.Pos() > first {
				d.Problems = append(d.Problems,
					"disable-file directive after the first command suppresses nothing; move it above the first command")
				d.Checks = nil
			}
			continue
		}
		d.Line = coveredLine(ast.File, d.Range.Start)
	}
	return out
}

// coveredLine returns the line a line directive at p covers: its own
// line when code precedes it, else the next line that is not a comment,
// or 0 when a blank line or the end of the file comes first.
func coveredLine(f *parser.File, p parser.Position) int {
	runes := []rune(f.Line(p.Line))
	before := string(runes[:min(max(p.Column-1, 0), len(runes))])
	if strings.TrimSpace(before) != "" {
		return p.Line
	}
	for l := p.Line + 1; l <= f.LineCount(); l++ {
		text := strings.TrimSpace(f.Line(l))
		switch {
		case text == "":
			return 0
		case strings.HasPrefix(text, "#"):
			continue
		default:
			return l
		}
	}
	return 0
}

// IsInputRule reports whether id is one of the input rules NFT001–NFT003,
// which cannot be disabled, suppressed or downgraded.
func IsInputRule(id string) bool { return strings.HasPrefix(id, "NFT00") }

// AllASTs returns the files named on the command line and every file they
// include, each file name once, in the order nft reads them.
func AllASTs(roots []*parser.AST) []*parser.AST {
	var out []*parser.AST
	seen := map[string]bool{}
	var visitCmds func([]parser.Cmd)
	visit := func(a *parser.AST) {
		if a == nil || a.File == nil || seen[a.File.Name()] {
			return
		}
		seen[a.File.Name()] = true
		out = append(out, a)
		visitCmds(a.Cmds)
	}
	visitCmds = func(cmds []parser.Cmd) {
		for _, c := range cmds {
			switch c := c.(type) {
			case *parser.IncludeCmd:
				for _, f := range c.Files {
					visit(f)
				}
			case *parser.Command:
				if c.Body != nil {
					visitCmds(c.Body.Items)
				}
			}
		}
	}
	for _, a := range roots {
		visit(a)
	}
	return out
}
