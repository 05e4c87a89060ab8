package checks

import (
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT205 reports a chain declared again with a different type, hook or
// priority, or turned from a regular chain into a base chain.
var nft205 = &Check{
	ID:       "NFT205",
	Name:     "chain-redeclared",
	Title:    "a chain is declared again with a different type, hook or priority",
	Severity: Error,
	Tags:     []string{"load", "correctness"},
	Doc: `nft merges repeated ` + "`chain NAME { … }`" + ` blocks (and ` + "`add chain`" + ` commands) into
one chain, but the kernel cannot change what a chain is attached to: a second
declaration with another ` + "`type`" + `, ` + "`hook`" + ` or ` + "`priority`" + ` fails with "Could not process
rule: Operation not supported", and giving a hook to a chain that already exists as
a regular chain fails with "File exists". Changing only the ` + "`policy`" + ` is fine.

This usually happens when a file is split into snippets (` + "`include \"conf.d/*.nft\"`" + `)
and two of them declare the same chain differently, or when a chain existing from
an earlier load is re-declared without deleting its table first.

**Fix:** keep one declaration of the hook line; to change it, ` + "`delete table`" + ` (or
` + "`destroy table`" + `) before declaring the table again.`,
	Run: runChainRedeclared,
}

// chainSpecDecl is one declaration of a chain's hook line.
type chainSpecDecl struct {
	cmd  *parser.Command
	prop *parser.Property // nil: declared without a hook line
}

func runChainRedeclared(p *Pass) {
	for _, t := range p.Ruleset.Tables {
		fam := familyOf(t)
		for _, c := range t.Chains {
			if c.Anonymous {
				continue
			}
			var decls []chainSpecDecl
			for _, d := range c.Decls {
				if d == nil || d.Object != parser.ObjChain {
					continue
				}
				switch d.Verb {
				case "", parser.VerbAdd, parser.VerbCreate:
				default:
					continue
				}
				decls = append(decls, chainSpecDecl{cmd: d, prop: hookProperty(d)})
			}
			checkChainDecls(p, fam, c, decls)
		}
	}
}

// hookProperty returns the `type … hook …` item of a chain command.
func hookProperty(d *parser.Command) *parser.Property {
	if d.Body == nil {
		return nil
	}
	for _, item := range d.Body.Items {
		if prop, ok := item.(*parser.Property); ok && prop.Key == "type" && prop.Hook != nil {
			return prop
		}
	}
	return nil
}

func checkChainDecls(p *Pass, fam parser.Family, c *ruleset.Chain, decls []chainSpecDecl) {
	if len(decls) < 2 {
		return
	}
	first := decls[0]
	for _, d := range decls[1:] {
		if d.prop == nil {
			continue // re-opening a chain without a hook line is fine
		}
		if first.prop == nil {
			p.Report(Diagnostic{
				Range: p.Range(declName(d)),
				Message: fmt.Sprintf(
					"chain %q already exists as a regular chain, so it cannot get a hook here: the kernel refuses it (\"File exists\"); put the type/hook line in the first declaration",
					c.Name),
				Related: []Related{{Range: p.Range(first.cmd), Message: "first declared here, without a hook"}},
			})
			return
		}
		if diff := specDifference(fam, first.prop, d.prop); diff != "" {
			p.Report(Diagnostic{
				Range: p.Range(declName(d)),
				Message: fmt.Sprintf(
					"chain %q is declared again with a different %s: the kernel cannot change a base chain (\"Operation not supported\" or \"File exists\"); keep one hook line, or delete the table before re-declaring it",
					c.Name, diff),
				Related: []Related{{Range: p.Range(first.prop), Message: "first declared here"}},
			})
			return
		}
	}
}

// specDifference names what differs between two hook lines, or "".
func specDifference(fam parser.Family, a, b *parser.Property) string {
	word := func(id *parser.Ident) string {
		if id == nil {
			return ""
		}
		return strings.ToLower(id.Name)
	}
	if word(a.ChainType) != word(b.ChainType) {
		return fmt.Sprintf("type (%s, was %s)", word(b.ChainType), word(a.ChainType))
	}
	if word(a.Hook) != word(b.Hook) {
		return fmt.Sprintf("hook (%s, was %s)", word(b.Hook), word(a.Hook))
	}
	if a.Priority != nil && b.Priority != nil {
		hook := ruleset.Hook(word(a.Hook))
		pa := ruleset.ResolvePriority(fam, hook, a.Priority)
		pb := ruleset.ResolvePriority(fam, hook, b.Priority)
		if pa.Err == "" && pb.Err == "" && pa.Value != pb.Value {
			return fmt.Sprintf("priority (%d, was %d)", pb.Value, pa.Value)
		}
	}
	return ""
}

// declName is where nft reports a refused chain declaration: its name.
func declName(d chainSpecDecl) parser.Node {
	if d.cmd.Name != nil {
		return d.cmd.Name
	}
	return d.prop
}
