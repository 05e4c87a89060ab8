package checks

import (
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT403 reports named sets and maps no rule refers to.
var nft403 = &Check{
	ID:       "NFT403",
	Name:     "unused-set",
	Title:    "a named set or map is never referenced by a rule",
	Severity: Info,
	Tags:     []string{"maintainability"},
	Doc: `A named set or map only has an effect when a rule refers to it with ` + "`@name`" + `: in a
match (` + "`ip saddr @blocklist drop`" + `), a map lookup or verdict map, or a set update
(` + "`add @seen { ip saddr }`" + `). A set nobody refers to filters nothing, however many
addresses it holds: often the rule that used it was removed or renamed, or it refers
to another set by mistake, and readers of the file believe a blocklist is in force
that is not.

Elements added with ` + "`add element`" + ` do not count as a use. Sets filled and read by
other tools through their own rules (in the same table) count when those rules are
in the linted files; a set kept only for ` + "`nft get element`" + ` queries can be suppressed.
Rulesets read from the kernel (` + "`--live`" + `) are not checked.

**Fix:** remove the set, or add (or correct) the rule that should use it.`,
	Run: runUnusedSet,
}

func runUnusedSet(p *Pass) {
	rs := p.Ruleset
	if rs.Live {
		return
	}
	used := setReferences(p)
	for _, t := range rs.Tables {
		for _, s := range t.Sets {
			if used[t][s.Name] || strings.HasPrefix(s.Name, "__") {
				continue
			}
			n := setNode(s)
			if n == nil {
				continue
			}
			kind := "set"
			if s.IsMap {
				kind = "map"
			}
			p.Report(Diagnostic{Range: p.Range(n), Message: fmt.Sprintf(
				"%s %q is never referenced by a rule (@%s): its elements filter nothing; remove it, or add the rule that should use it",
				kind, s.Name, s.Name)})
		}
	}
}

// setReferences returns, per table, the names of the sets and maps its
// rules refer to.
func setReferences(p *Pass) map[*ruleset.Table]map[string]bool {
	used := make(map[*ruleset.Table]map[string]bool)
	v := &setRefVisitor{}
	for _, r := range p.allRules() {
		if !r.may(ruleset.KindSetRef) {
			continue
		}
		v.names = used[r.Table]
		if v.names == nil {
			v.names = make(map[string]bool)
			used[r.Table] = v.names
		}
		for _, s := range r.Stmts {
			// The walk skips the leaves, half the nodes: a reference
			// is not one of them.
			walkInner(v, s, nil, 0)
		}
	}
	return used
}

// setRefVisitor records the names of the @set references it visits.
type setRefVisitor struct {
	names map[string]bool
}

func (v *setRefVisitor) visit(n parser.Node, _ *parser.VarRef) visitor {
	if ref, ok := n.(*parser.SetRef); ok {
		v.names[ref.Name] = true
	}
	return v
}

// setNode returns where to report a set: the name in its first
// declaration.
func setNode(s *ruleset.Set) parser.Node {
	for _, d := range s.Decls {
		if d.Name != nil {
			return d.Name
		}
	}
	if len(s.Decls) > 0 {
		return s.Decls[0]
	}
	return nil
}
