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
	lookupSet := func(name string) *ruleset.Set { return t.Set(name) }
	// One walk over the table's rules finds jumps to missing
	// chains, missing objects and flowtables, the sets meters create,
	// and the @set references, which are reported once every meter is
	// known.
	w := newRefWalk(p, names, where)
	const refKinds = ruleset.KindJump | ruleset.KindSetUpdate | ruleset.KindKeywordArgs | ruleset.KindSetStmt | ruleset.KindSetRef
	eachRuleOfTable(t, func(r ruleRef) {
		if !r.may(refKinds) {
			return
		}
		for _, s := range r.Stmts {
			walkInner(&w.visitors[1][1], s, nil, 0)
		}
	})
	for _, ref := range w.setRefs {
		if !names.sets[ref.ref.Name] {
			reportVia(p, ref.ref, ref.via, Error, fmt.Sprintf(
				"set or map @%s is not defined in %s: nft rejects the whole file%s",
				ref.ref.Name, where, suggest(ref.ref.Name, names.sets)))
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

// refWalk is the state of checkTableRefs' walk. Below a verdict the
// jump targets are not looked for again (edges false), below a `flow
// add` statement its @flowtable is not a set (refs false): visitors[edges][refs].
type refWalk struct {
	p        *Pass
	names    *tableNames
	where    string
	setRefs  []setRefUse
	visitors [2][2]refVisitor
}

type setRefUse struct {
	ref *parser.SetRef
	via *parser.VarRef
}

type refVisitor struct {
	w           *refWalk
	edges, refs bool
}

func newRefWalk(p *Pass, names *tableNames, where string) *refWalk {
	w := &refWalk{p: p, names: names, where: where}
	for e := range 2 {
		for r := range 2 {
			w.visitors[e][r] = refVisitor{w: w, edges: e == 1, refs: r == 1}
		}
	}
	return w
}

func (v *refVisitor) with(edges, refs bool) visitor {
	e, r := 0, 0
	if edges {
		e = 1
	}
	if refs {
		r = 1
	}
	return &v.w.visitors[e][r]
}

func (v *refVisitor) visit(n parser.Node, via *parser.VarRef) visitor {
	w := v.w
	switch x := n.(type) {
	case *parser.VerdictStmt:
		if v.edges && (x.Kind == "jump" || x.Kind == "goto") && x.Chain == nil {
			w.edge(chainEdgeOf(x.Kind, x.Target, x, via))
		}
		return v.with(false, v.refs)
	case *parser.Verdict:
		if v.edges && (x.Kind == "jump" || x.Kind == "goto") {
			w.edge(chainEdgeOf(x.Kind, x.Target, x, via))
		}
		return v.with(false, v.refs)
	case *parser.SetUpdateStmt:
		// Meters create their sets implicitly.
		if x.Op == "meter" {
			if name, ok := exprName(x.Set); ok {
				w.names.sets[name] = true
			}
		}
	case *parser.KeywordStmt:
		if !v.refs {
			return v
		}
		kw := x.Keyword
		if kw == "flow add" || kw == "flow offload" || kw == "flow" {
			for _, a := range x.Args {
				if ref, ok := setRefName(a.Value); ok && !w.names.flowtables[ref.Name] {
					reportVia(w.p, ref, via, Error, fmt.Sprintf(
						"flowtable %q is not defined in %s: nft rejects the whole file; declare `flowtable %s { hook ingress priority filter; devices = { … } }`%s",
						ref.Name, w.where, ref.Name, suggest(ref.Name, w.names.flowtables)))
				}
			}
			return v.with(v.edges, false)
		}
		if kind, ok := objectRefKinds[kw]; ok {
			for _, a := range x.Args {
				if a.Key == "name" || strings.HasSuffix(kw, " set") && a.Key == "" {
					checkObjectName(w.p, a.Value, kind, w.names, w.where)
				}
			}
		}
	case *parser.SetStmt:
		if v.refs {
			// The targets are two words, the first "ct" or "meta".
			if sel, ok := x.Target.(*parser.Selector); ok && len(sel.Words) == 2 &&
				(sel.Words[0].Name == "ct" || sel.Words[0].Name == "meta") {
				var buf [64]byte
				if kind, ok := objectSetTargets[string(sel.AppendPath(buf[:0]))]; ok {
					checkObjectName(w.p, x.Value, kind, w.names, w.where)
				}
			}
		}
	case *parser.SetRef:
		if v.refs && !w.names.sets[x.Name] {
			w.setRefs = append(w.setRefs, setRefUse{x, via})
		}
	}
	return v
}

// chainEdgeOf is the edge of a jump or goto to target, if target is a name.
func chainEdgeOf(kind string, target parser.Expr, stmt parser.Node, via *parser.VarRef) (chainEdge, bool) {
	name, ok := exprName(target)
	if !ok {
		return chainEdge{}, false
	}
	return chainEdge{Kind: kind, Target: name, Node: targetNode(target, stmt), Via: via}, true
}

func (w *refWalk) edge(e chainEdge, ok bool) {
	if ok && !w.names.chains[e.Target] {
		reportVia(w.p, e.Node, e.Via, Error, fmt.Sprintf(
			"%s to chain %q, which %s does not define: nft rejects the whole file%s",
			e.Kind, e.Target, w.where, suggest(e.Target, w.names.chains)))
	}
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
