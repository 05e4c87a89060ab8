package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT201 reports references to sets, maps, chains, flowtables and named
// objects that the table does not define.
var nft201 = &Check{
	ID:       "NFT201",
	Name:     "undefined-reference",
	Title:    "a rule refers to a set, map, chain, flowtable or object the table does not define",
	Severity: Error,
	Tags:     []string{"load", "correctness"},
	Doc: `Rules refer to other objects of their own table by name: ` + "`@set`" + ` and
` + "`vmap @map`" + `, ` + "`jump chain`" + ` / ` + "`goto chain`" + ` (also as verdicts inside a verdict map),
` + "`flow add @flowtable`" + `, and named stateful objects (` + "`counter name`" + `, ` + "`quota name`" + `,
` + "`limit name`" + `, ` + "`ct helper set`" + `, ` + "`ct timeout set`" + `, ` + "`ct expectation set`" + `,
` + "`synproxy name`" + `, ` + "`meta secmark set`" + `).

**What breaks:** when the name is not defined in the same table by the time the
file has been applied, ` + "`nft -f`" + ` rejects the whole file ("No such file or
directory", "Could not process rule"), so none of it is loaded and the old
ruleset stays in place. References never cross tables: a set in ` + "`table inet a`" + `
is invisible to rules in ` + "`table ip b`" + `.

**Fix:** define the object in the rule's table (before or after the rule, in
the same file), or correct the name; nftlint suggests a close match.`,
	Run: runUndefinedReference,
}

func runUndefinedReference(p *Pass) {
	for _, t := range p.Ruleset.Tables {
		checkTableRefs(p, t)
	}
}

// tableNames indexes a table's named objects.
type tableNames struct {
	chains, sets, flowtables map[string]bool
	objects                  map[parser.ObjectKind]map[string]bool
}

func indexTable(t *ruleset.Table) *tableNames {
	n := &tableNames{
		chains:     make(map[string]bool),
		sets:       make(map[string]bool),
		flowtables: make(map[string]bool),
		objects:    make(map[parser.ObjectKind]map[string]bool),
	}
	for _, c := range t.Chains {
		if !c.Anonymous {
			n.chains[c.Name] = true
		}
	}
	for _, s := range t.Sets {
		n.sets[s.Name] = true
	}
	for _, f := range t.Flowtables {
		n.flowtables[f.Name] = true
	}
	for _, o := range t.Objects {
		if n.objects[o.Kind] == nil {
			n.objects[o.Kind] = make(map[string]bool)
		}
		n.objects[o.Kind][o.Name] = true
	}
	return n
}

// objectRefKinds maps the statement that names an object to the object kind.
var objectRefKinds = map[string]parser.ObjectKind{
	"counter":            parser.ObjCounter,
	"quota":              parser.ObjQuota,
	"limit":              parser.ObjLimit,
	"synproxy":           parser.ObjSynproxy,
	"ct helper":          parser.ObjCtHelper,
	"ct timeout":         parser.ObjCtTimeout,
	"ct expectation":     parser.ObjCtExpectation,
	"tunnel":             parser.ObjTunnel,
	"ct helper set":      parser.ObjCtHelper,
	"ct timeout set":     parser.ObjCtTimeout,
	"ct expectation set": parser.ObjCtExpectation,
	"meta secmark set":   parser.ObjSecmark,
}

// objectSetTargets maps `SELECTOR set NAME` statements that assign a named
// object to the object kind.
var objectSetTargets = map[string]parser.ObjectKind{
	"ct helper":      parser.ObjCtHelper,
	"ct timeout":     parser.ObjCtTimeout,
	"ct expectation": parser.ObjCtExpectation,
	"meta secmark":   parser.ObjSecmark,
}

func checkTableRefs(p *Pass, t *ruleset.Table) {
	names := indexTable(t)
	where := fmt.Sprintf("table %s %s", familyOf(t), t.Name)
	// The table's rules, as eachRuleOfTable visits them, shared with the
	// other checks of the run.
	rules := p.tables().entry(t).rules
	// Meters create their sets implicitly.
	for _, r := range rules {
		if r.Table != t {
			continue
		}
		for _, s := range r.Stmts {
			inspect(s, func(n parser.Node, _ *parser.VarRef) bool {
				if u, ok := n.(*parser.SetUpdateStmt); ok && u.Op == "meter" {
					if name, ok := exprName(u.Set); ok {
						names.sets[name] = true
					}
				}
				return true
			})
		}
	}
	lookupSet := func(name string) *ruleset.Set { return t.Set(name) }
	for _, r := range rules {
		if r.Table != t {
			continue
		}
		for _, s := range r.Stmts {
			// Chains: jump/goto, including vmap verdicts.
			verdictTargets(s, nil, func(e chainEdge) {
				if !names.chains[e.Target] {
					reportVia(p, e.Node, e.Via, Error, fmt.Sprintf(
						"%s to chain %q, which %s does not define: nft rejects the whole file%s",
						e.Kind, e.Target, where, suggest(e.Target, names.chains)))
				}
			})
			checkStmtRefs(p, s, names, where)
		}
	}
	// Verdicts stored in named maps.
	for _, s := range t.Sets {
		for _, el := range s.Elements {
			if el.Value == nil {
				continue
			}
			verdictTargets(el.Value, lookupSet, func(e chainEdge) {
				if !names.chains[e.Target] {
					reportVia(p, e.Node, e.Via, Error, fmt.Sprintf(
						"map %s holds a %s to chain %q, which %s does not define: nft rejects the whole file%s",
						s.Name, e.Kind, e.Target, where, suggest(e.Target, names.chains)))
				}
			})
		}
	}
}

func checkStmtRefs(p *Pass, s parser.Stmt, names *tableNames, where string) {
	inspect(s, func(n parser.Node, via *parser.VarRef) bool {
		switch x := n.(type) {
		case *parser.SetUpdateStmt:
			if x.Op == "meter" {
				return true
			}
		case *parser.KeywordStmt:
			kw := x.Keyword
			if kw == "flow add" || kw == "flow offload" || kw == "flow" {
				for _, a := range x.Args {
					if ref, ok := setRefName(a.Value); ok && !names.flowtables[ref.Name] {
						reportVia(p, ref, via, Error, fmt.Sprintf(
							"flowtable %q is not defined in %s: nft rejects the whole file; declare `flowtable %s { hook ingress priority filter; devices = { … } }`%s",
							ref.Name, where, ref.Name, suggest(ref.Name, names.flowtables)))
					}
				}
				return false
			}
			if kind, ok := objectRefKinds[kw]; ok {
				for _, a := range x.Args {
					if a.Key == "name" || strings.HasSuffix(kw, " set") && a.Key == "" {
						checkObjectName(p, a.Value, kind, names, where)
					}
				}
			}
		case *parser.SetStmt:
			if sel, ok := x.Target.(*parser.Selector); ok {
				if kind, ok := objectSetTargets[sel.Path()]; ok {
					checkObjectName(p, x.Value, kind, names, where)
				}
			}
		case *parser.SetRef:
			if !names.sets[x.Name] {
				reportVia(p, x, via, Error, fmt.Sprintf(
					"set or map @%s is not defined in %s: nft rejects the whole file%s",
					x.Name, where, suggest(x.Name, names.sets)))
			}
		}
		return true
	})
}

// checkObjectName checks an object name: a literal, or the values of a map
// lookup (`counter name tcp dport map { 80 : "http" }`).
func checkObjectName(p *Pass, e parser.Expr, kind parser.ObjectKind, names *tableNames, where string) {
	var vals []parser.Expr
	switch x := unwrapVar(e).(type) {
	case *parser.MapLookup:
		if lit, ok := unwrapVar(x.Map).(*parser.SetLit); ok {
			for _, el := range lit.Elems {
				if me, ok := el.(*parser.MapElem); ok {
					vals = append(vals, me.Value)
				}
			}
		}
	default:
		vals = []parser.Expr{e}
	}
	for _, v := range vals {
		name, ok := exprName(v)
		if !ok || names.objects[kind][name] {
			continue
		}
		var via *parser.VarRef
		if vr, ok := v.(*parser.VarRef); ok {
			via = vr
		}
		reportVia(p, v, via, Error, fmt.Sprintf(
			"%s %q is not defined in %s: nft rejects the whole file; declare `%s %s { … }` in the table%s",
			kind, name, where, kind, name, suggest(name, names.objects[kind])))
	}
}

// suggest returns "; did you mean X?" for the closest known name, if any
// is close enough.
func suggest(name string, known map[string]bool) string {
	best, bestDist := "", 3
	keys := make([]string, 0, len(known))
	for k := range known {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if d := editDistance(strings.ToLower(name), strings.ToLower(k), bestDist); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance of a and b, or max when it is
// at least max (the computation stops early).
func editDistance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d >= max || -d >= max {
		return max
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= max {
			return max
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], max)
}
