package parser

import (
	"strings"
)

// Rendering of the top level of nft JSON: the {"nftables": [...]} array
// of commands ({"add": {"rule": …}}) and list objects ({"rule": …}, an
// implicit add, as `nft -j list ruleset` prints them).

// jsonVerbs are the command wrappers nft's JSON parser knows.
var jsonVerbs = map[string]Verb{
	"add": VerbAdd, "create": VerbCreate, "insert": VerbInsert, "replace": VerbReplace,
	"delete": VerbDelete, "destroy": VerbDestroy, "list": VerbList, "reset": VerbReset,
	"flush": VerbFlush, "rename": VerbRename,
}

// jsonObjects maps list-object keys to the object keyword of nft text.
var jsonObjects = map[string]ObjectKind{
	"table": ObjTable, "chain": ObjChain, "rule": ObjRule, "set": ObjSet, "map": ObjMap,
	"element": ObjElement, "flowtable": ObjFlowtable, "counter": ObjCounter, "quota": ObjQuota,
	"limit": ObjLimit, "ct helper": ObjCtHelper, "ct timeout": ObjCtTimeout,
	"ct expectation": ObjCtExpectation, "secmark": ObjSecmark, "synproxy": ObjSynproxy,
	"tunnel": ObjTunnel, "ruleset": ObjRuleset,
}

// top renders the whole document. It returns false when the document is
// not {"nftables": [...]}.
func (r *jsonRenderer) top(doc *jsonValue) bool {
	arr := doc.member("nftables")
	if doc.Kind != jsonObject || arr == nil || arr.Kind != jsonArray {
		r.problem(doc, `nft JSON must be an object {"nftables": [...]} holding an array of commands`)
		return false
	}
	if r.opts.Blocks {
		r.blocks(arr.Elems)
		return true
	}
	for _, el := range arr.Elems {
		r.command(el)
	}
	return true
}

// command renders one element of the nftables array as one line.
func (r *jsonRenderer) command(el *jsonValue) {
	key, val, ok := el.single()
	if !ok {
		r.problem(el, "each element of the nftables array must be an object with exactly one key (a command or a ruleset object)")
		return
	}
	if key == "metainfo" {
		return
	}
	verb := ""
	obj, objVal := key, val
	if _, isVerb := jsonVerbs[key]; isVerb {
		verb = key
		k, v, ok := val.single()
		if !ok {
			r.problem(val, "the %q command needs an object with exactly one key naming what it acts on", key)
			r.cmds = append(r.cmds, renderedCmd{T0: r.off(), T1: r.off(), V: el, Verb: key, Key: "", Unknown: true})
			return
		}
		obj, objVal = k, v
	}
	t0 := r.off()
	known := r.object(el, verb, obj, objVal)
	if !known {
		r.cmds = append(r.cmds, renderedCmd{T0: t0, T1: t0, V: el, Verb: verb, Key: obj, Unknown: true})
		return
	}
	r.s("\n")
	r.cmds = append(r.cmds, renderedCmd{T0: t0, T1: r.off(), V: el, Verb: verb, Key: obj})
}

// object renders `VERB OBJECT …` for one command; false when the object
// kind is unknown (nothing is written then).
func (r *jsonRenderer) object(el *jsonValue, verb, obj string, v *jsonValue) bool {
	plural := ""
	kind, known := jsonObjects[obj]
	if !known {
		// list/flush/reset of plural forms: "tables", "counters", …
		if strings.HasSuffix(obj, "s") && verb != "" && verb != "add" {
			if _, ok := jsonObjects[strings.TrimSuffix(obj, "s")]; ok {
				plural = obj
			}
		}
		if plural == "" {
			return false
		}
	}
	r.span(el, func() {
		if verb == "" {
			verb = "add"
		}
		if plural != "" {
			r.s(verb + " " + plural)
			if f := r.str(v.member("family")); f != "" {
				r.s(" " + f)
			}
			return
		}
		switch kind {
		case ObjRuleset:
			r.s(verb + " ruleset")
			if f := r.str(v.member("family")); f != "" {
				r.s(" " + f)
			}
		case ObjTable:
			r.tableCmd(verb, v)
		case ObjChain:
			r.chainCmd(verb, v)
		case ObjRule:
			r.ruleCmd(el, verb, v)
		case ObjSet, ObjMap:
			r.setCmd(verb, string(kind), v)
		case ObjElement:
			r.s(verb + " element ")
			r.tableRef(v)
			r.s(" ")
			r.name(v.member("name"), r.str(v.member("name")))
			if e := v.member("elem"); e != nil {
				r.s(" ")
				r.span(e, func() { r.setLit(e, r.setTypes[r.setKey(v, "name")]) })
			}
		case ObjFlowtable:
			r.s(verb + " flowtable ")
			r.tableRef(v)
			r.s(" ")
			r.name(v.member("name"), r.str(v.member("name")))
			if r.isAddVerb(verb) && v.member("hook") != nil {
				r.s(" { ")
				r.flowtableBody(v)
				r.s("}")
			} else {
				r.handleSuffix(v)
			}
		default:
			r.objectCmd(verb, kind, v)
		}
	})
	return true
}

func (r *jsonRenderer) isAddVerb(verb string) bool {
	return verb == "add" || verb == "create"
}

// tableRef writes `FAMILY TABLE`.
func (r *jsonRenderer) tableRef(v *jsonValue) {
	fam := v.member("family")
	r.spanStr(fam, "ip")
	r.s(" ")
	r.name(v.member("table"), r.str(v.member("table")))
}

// spanStr writes the string or number of v, or def when v has none, as
// the text of v.
func (r *jsonRenderer) spanStr(v *jsonValue, def string) {
	r.span(v, func() {
		s := r.str(v)
		if s == "" {
			s = def
		}
		r.s(s)
	})
}

// setKey identifies a set for setTypes.
func (r *jsonRenderer) setKey(v *jsonValue, nameKey string) string {
	return familyOr(r.str(v.member("family"))) + " " + r.str(v.member("table")) + " " + r.str(v.member(nameKey))
}

func familyOr(f string) string {
	if f == "" {
		return "ip"
	}
	return f
}

// handleSuffix writes `handle N` for delete commands that name an object
// by handle instead of name.
func (r *jsonRenderer) handleSuffix(v *jsonValue) {
	_ = v
}

// objName writes the object name, or `handle N` when only a handle is given.
func (r *jsonRenderer) objName(v *jsonValue) {
	if n := v.member("name"); n != nil {
		r.name(n, r.str(n))
		return
	}
	if h := v.member("handle"); h != nil {
		r.s("handle ")
		r.spanStr(h, "")
	}
}

func (r *jsonRenderer) tableCmd(verb string, v *jsonValue) {
	r.s(verb + " table ")
	fam := v.member("family")
	r.spanStr(fam, "ip")
	r.s(" ")
	r.objName(v)
	if !r.isAddVerb(verb) {
		return
	}
	flags := r.list(v.member("flags"))
	c := v.member("comment")
	if len(flags) == 0 && c == nil {
		return
	}
	r.s(" { ")
	r.flagsItem(v.member("flags"))
	r.comment(c)
	r.s("}")
}

// flagsItem writes `flags a,b; ` for a block when flags lists any.
func (r *jsonRenderer) flagsItem(flags *jsonValue) {
	if f := r.list(flags); len(f) > 0 {
		r.s("flags ")
		r.span(flags, func() { r.s(strings.Join(f, ",")) })
		r.s("; ")
	}
}

// valueItem writes `key VALUE; ` for a block when v is present.
func (r *jsonRenderer) valueItem(key string, v *jsonValue) {
	if v != nil {
		r.s(key + " ")
		r.spanStr(v, "")
		r.s("; ")
	}
}

// comment writes `comment "…"; ` for a block.
func (r *jsonRenderer) comment(c *jsonValue) {
	if c == nil {
		return
	}
	r.s("comment ")
	r.span(c, func() { r.quote(c, r.str(c)) })
	r.s("; ")
}

func (r *jsonRenderer) chainCmd(verb string, v *jsonValue) {
	r.s(verb + " chain ")
	r.tableRef(v)
	r.s(" ")
	if verb == "delete" || verb == "destroy" {
		r.objName(v)
		return
	}
	r.name(v.member("name"), r.str(v.member("name")))
	if verb == "rename" {
		r.s(" ")
		r.name(v.member("newname"), r.str(v.member("newname")))
		return
	}
	if !r.isAddVerb(verb) {
		return
	}
	body := v.member("type") != nil || v.member("hook") != nil || v.member("policy") != nil ||
		v.member("comment") != nil || v.member("dev") != nil || v.member("flags") != nil
	if !body {
		return
	}
	r.s(" { ")
	r.chainBody(v)
	r.s("}")
}

// chainBody writes the items of a chain block.
func (r *jsonRenderer) chainBody(v *jsonValue) {
	if v.member("hook") != nil || v.member("type") != nil {
		r.s("type ")
		typ := v.member("type")
		r.spanStr(typ, "filter")
		r.s(" hook ")
		hook := v.member("hook")
		r.spanStr(hook, "")
		if dev := v.member("dev"); dev != nil {
			r.devices(dev)
		}
		r.s(" priority ")
		prio := v.member("prio")
		r.spanStr(prio, "0")
		r.s("; ")
	}
	r.valueItem("policy", v.member("policy"))
	r.flagsItem(v.member("flags"))
	r.comment(v.member("comment"))
}

// devices writes ` device "x"` or ` devices = { "x", "y" }`.
func (r *jsonRenderer) devices(dev *jsonValue) {
	if dev.Kind == jsonArray {
		r.s(" devices = ")
		r.span(dev, func() {
			r.s("{ ")
			for i, d := range dev.Elems {
				if i > 0 {
					r.s(", ")
				}
				r.span(d, func() { r.quote(d, r.str(d)) })
			}
			r.s(" }")
		})
		return
	}
	r.s(" device ")
	r.span(dev, func() { r.quote(dev, r.str(dev)) })
}

func (r *jsonRenderer) ruleCmd(el *jsonValue, verb string, v *jsonValue) {
	explicit := el.member("rule") == nil // wrapped in a command
	r.s(verb + " rule ")
	r.tableRef(v)
	r.s(" ")
	r.name(v.member("chain"), r.str(v.member("chain")))
	switch verb {
	case "delete", "destroy", "reset":
		if h := v.member("handle"); h != nil {
			r.s(" handle ")
			r.spanStr(h, "")
		}
		return
	}
	if explicit || verb == "replace" {
		if h := v.member("handle"); h != nil {
			r.s(" handle ")
			r.spanStr(h, "")
		} else if i := v.member("index"); i != nil {
			r.s(" index ")
			r.spanStr(i, "")
		}
	}
	if e := v.member("expr"); e != nil {
		r.s(" ")
		r.family = familyOr(r.str(v.member("family")))
		r.stmts(e)
	}
	if c := v.member("comment"); c != nil {
		r.s(" comment ")
		r.span(c, func() { r.quote(c, r.str(c)) })
	}
}

func (r *jsonRenderer) setCmd(verb, kind string, v *jsonValue) {
	r.blockObjectCmd(verb, kind, v, func() { r.setBody(kind, v) })
}

// blockObjectCmd writes `VERB KIND FAMILY TABLE NAME { BODY}` for add and
// create, body writing the items; other verbs name the object (by name
// or handle) and have no block.
func (r *jsonRenderer) blockObjectCmd(verb, kind string, v *jsonValue, body func()) {
	r.s(verb + " " + kind + " ")
	r.tableRef(v)
	r.s(" ")
	if !r.isAddVerb(verb) {
		r.objName(v)
		return
	}
	r.name(v.member("name"), r.str(v.member("name")))
	r.s(" { ")
	body()
	r.s("}")
}

// setBody writes the items of a set or map block.
func (r *jsonRenderer) setBody(kind string, v *jsonValue) {
	typ := v.member("type")
	data := v.member("map")
	if typ != nil {
		sel := r.typeSel(typ)
		if data != nil {
			sel += " : " + r.typeSel(data)
		}
		r.setTypes[r.setKey(v, "name")] = sel
	}
	typeof := false
	if typ != nil {
		if k, _, ok := typ.single(); ok && k == "typeof" {
			typeof = true
		}
	}
	if typ != nil {
		if typeof {
			r.s("typeof ")
		} else {
			r.s("type ")
		}
		r.setType(typ)
		if data != nil {
			r.s(" : ")
			r.setType(data)
		}
		r.s("; ")
	}
	r.valueItem("policy", v.member("policy"))
	r.flagsItem(v.member("flags"))
	for _, k := range []string{"timeout", "gc-interval"} {
		if t := v.member(k); t != nil {
			r.s(k + " ")
			r.span(t, func() { r.s(seconds(r.str(t))) })
			r.s("; ")
		}
	}
	r.valueItem("size", v.member("size"))
	if st := v.member("stmt"); st != nil && st.Kind == jsonArray && len(st.Elems) > 0 {
		for i, s := range st.Elems {
			if i > 0 {
				r.s(" ")
			}
			r.stmt(s)
		}
		r.s("; ")
	}
	if am := v.member("auto-merge"); am != nil && am.Kind == jsonBool && am.Bool {
		r.span(am, func() { r.s("auto-merge") })
		r.s("; ")
	}
	if e := v.member("elem"); e != nil {
		r.s("elements = ")
		sel := r.typeSel(typ)
		if data != nil {
			sel += " : " + r.typeSel(data)
		}
		r.setTypes[r.setKey(v, "name")] = sel
		r.span(e, func() { r.setLit(e, sel) })
		r.s("; ")
	}
	r.comment(v.member("comment"))
}

// setType writes a set's key or data type: a type name, a concatenation
// (array), {"typeof": EXPR}, or data `interval TYPE`.
func (r *jsonRenderer) setType(t *jsonValue) {
	r.span(t, func() {
		switch t.Kind {
		case jsonString:
			r.s(t.Str)
		case jsonArray:
			for i, e := range t.Elems {
				if i > 0 {
					r.s(" . ")
				}
				r.setType(e)
			}
		case jsonObject:
			k, val, ok := t.single()
			if !ok {
				r.problem(t, "a set type object must have one key")
				r.s("integer")
				return
			}
			switch k {
			case "typeof":
				r.exprInner(val, "", false)
			case "interval":
				r.s("interval ")
				r.setType(val)
			default:
				r.problem(t, "unknown set type object %q", k)
				r.s("integer")
			}
		default:
			r.problem(t, "a set type must be a string, an array or {\"typeof\": …}")
			r.s("integer")
		}
	})
}

func (r *jsonRenderer) flowtableBody(v *jsonValue) {
	r.s("hook ")
	h := v.member("hook")
	r.spanStr(h, "")
	r.s(" priority ")
	p := v.member("prio")
	r.spanStr(p, "0")
	r.s("; ")
	if dev := v.member("dev"); dev != nil {
		r.s("devices = ")
		r.span(dev, func() {
			r.s("{ ")
			for i, d := range r.list(dev) {
				if i > 0 {
					r.s(", ")
				}
				r.quote(dev, d)
			}
			r.s(" }")
		})
		r.s("; ")
	}
	if f := r.list(v.member("flags")); len(f) > 0 {
		r.s("flags " + strings.Join(f, ",") + "; ")
	}
}

// objectCmd renders a stateful object command (counter, quota, limit, ct
// helper, ct timeout, ct expectation, secmark, synproxy, tunnel).
func (r *jsonRenderer) objectCmd(verb string, kind ObjectKind, v *jsonValue) {
	r.blockObjectCmd(verb, string(kind), v, func() { r.objectItems(kind, v) })
}

// objectItems writes the items of a stateful object's block.
func (r *jsonRenderer) objectItems(kind ObjectKind, v *jsonValue) {
	switch kind {
	case ObjCounter:
		r.s("packets " + orZero(r.str(v.member("packets"))) + " bytes " + orZero(r.str(v.member("bytes"))) + "; ")
	case ObjQuota:
		if inv := v.member("inv"); inv != nil && inv.Bool {
			r.s("over ")
		}
		r.s(orZero(r.str(v.member("bytes"))) + " bytes")
		if u := r.str(v.member("used")); u != "" && u != "0" {
			r.s(" used " + u + " bytes")
		}
		r.s("; ")
	case ObjLimit:
		r.limitObj(v)
	case ObjCtHelper:
		r.s("type ")
		r.quote(v.member("type"), r.str(v.member("type")))
		r.s(" protocol " + r.str(v.member("protocol")) + "; ")
		if l3 := r.str(v.member("l3proto")); l3 != "" {
			r.s("l3proto " + l3 + "; ")
		}
	case ObjCtTimeout:
		r.s("protocol " + r.str(v.member("protocol")) + "; ")
		if l3 := r.str(v.member("l3proto")); l3 != "" {
			r.s("l3proto " + l3 + "; ")
		}
		if p := v.member("policy"); p != nil && p.Kind == jsonObject && len(p.Members) > 0 {
			r.s("policy = { ")
			for i, m := range p.Members {
				if i > 0 {
					r.s(", ")
				}
				r.s(m.Key + " : " + seconds(r.str(m.Value)))
			}
			r.s(" }; ")
		}
	case ObjCtExpectation:
		r.s("protocol " + r.str(v.member("protocol")) + "; ")
		for _, k := range []string{"dport", "size"} {
			if x := r.str(v.member(k)); x != "" {
				r.s(k + " " + x + "; ")
			}
		}
		if t := r.str(v.member("timeout")); t != "" {
			r.s("timeout " + t + "ms; ")
		}
		if l3 := r.str(v.member("l3proto")); l3 != "" {
			r.s("l3proto " + l3 + "; ")
		}
	case ObjSecmark:
		r.quote(v.member("context"), r.str(v.member("context")))
		r.s("; ")
	case ObjSynproxy:
		r.synproxyBody(v)
		r.s("; ")
	case ObjTunnel:
		r.tunnelObj(v)
	}
	r.comment(v.member("comment"))
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func (r *jsonRenderer) limitObj(v *jsonValue) {
	r.s("rate ")
	if inv := v.member("inv"); inv != nil && inv.Bool {
		r.s("over ")
	}
	per := r.limitPer(v)
	unit := r.str(v.member("rate_unit"))
	if unit == "" {
		unit = r.str(v.member("unit"))
	}
	if unit == "" || unit == "packets" {
		r.s(orZero(r.str(v.member("rate"))) + "/" + per)
		// nft omits the default burst of 5 packets when it lists objects.
		if b := r.str(v.member("burst")); b != "" && b != "0" && b != "5" {
			r.s(" burst " + b + " packets")
		}
	} else {
		r.s(orZero(r.str(v.member("rate"))) + " " + unit + "/" + per)
		r.byteBurst(v)
	}
	r.s("; ")
}

// tunnelObj writes the settings of a tunnel object that nft's text syntax
// shares with JSON; the type-specific options are left out (the model
// only records that the object exists).
func (r *jsonRenderer) tunnelObj(v *jsonValue) {
	for _, m := range v.Members {
		switch m.Key {
		case "id", "sport", "dport", "tos", "ttl":
			r.s(m.Key + " " + r.str(m.Value) + "; ")
		case "src-ipv4":
			r.s("ip saddr " + r.str(m.Value) + "; ")
		case "dst-ipv4":
			r.s("ip daddr " + r.str(m.Value) + "; ")
		case "src-ipv6":
			r.s("ip6 saddr " + r.str(m.Value) + "; ")
		case "dst-ipv6":
			r.s("ip6 daddr " + r.str(m.Value) + "; ")
		}
	}
}

// ---------------------------------------------------------------------------
// Block layout (`nft list ruleset`), used for rulesets read from the kernel

// jsonBlockTable collects the list objects of one table.
type jsonBlockTable struct {
	v       *jsonValue // the table object
	family  string
	name    string
	sets    []*jsonValue // set/map list objects (the element of the nftables array)
	objects []*jsonValue // counters, quotas, flowtables, …
	chains  []*jsonBlockChain
}

type jsonBlockChain struct {
	v     *jsonValue
	name  string
	rules []*jsonValue
}

// blocks renders list objects grouped into table blocks. Elements that
// are commands, or that name a table not listed before them, are
// rendered as one-line commands after the tables.
func (r *jsonRenderer) blocks(elems []*jsonValue) {
	var tables []*jsonBlockTable
	byKey := make(map[string]*jsonBlockTable)
	var rest []*jsonValue
	for _, el := range elems {
		key, val, ok := el.single()
		if !ok || val == nil || val.Kind != jsonObject {
			rest = append(rest, el)
			continue
		}
		if key == "metainfo" {
			continue
		}
		if key == "table" {
			t := &jsonBlockTable{v: el, family: familyOr(r.str(val.member("family"))), name: r.str(val.member("name"))}
			tables = append(tables, t)
			byKey[t.family+" "+t.name] = t
			continue
		}
		t := byKey[familyOr(r.str(val.member("family")))+" "+r.str(val.member("table"))]
		if t == nil {
			rest = append(rest, el)
			continue
		}
		switch key {
		case "chain":
			t.chains = append(t.chains, &jsonBlockChain{v: el, name: r.str(val.member("name"))})
		case "rule":
			var ch *jsonBlockChain
			for _, c := range t.chains {
				if c.name == r.str(val.member("chain")) {
					ch = c
				}
			}
			if ch == nil {
				rest = append(rest, el)
				continue
			}
			ch.rules = append(ch.rules, el)
		case "set", "map":
			t.sets = append(t.sets, el)
		default:
			if _, known := jsonObjects[key]; known {
				t.objects = append(t.objects, el)
			} else {
				rest = append(rest, el)
			}
		}
	}
	for _, t := range tables {
		r.renderBlockTable(t)
	}
	for _, el := range rest {
		r.command(el)
	}
}

// handleComment writes ` # handle N` when handles are wanted.
func (r *jsonRenderer) handleComment(v *jsonValue) {
	if h := v.member("handle"); r.opts.Handles && h != nil {
		r.s(" # handle " + r.str(h))
	}
}

func (r *jsonRenderer) renderBlockTable(t *jsonBlockTable) {
	t0 := r.off()
	_, val, _ := t.v.single()
	r.span(t.v, func() {
		r.s("table " + t.family + " ")
		r.name(val.member("name"), t.name)
		r.s(" {")
		r.handleComment(val)
		r.s("\n")
		if f := r.list(val.member("flags")); len(f) > 0 {
			r.s("\tflags " + strings.Join(f, ",") + "\n")
		}
		if c := val.member("comment"); c != nil {
			r.s("\tcomment ")
			r.quote(c, r.str(c))
			r.s("\n")
		}
		for _, el := range t.sets {
			r.listedObjectBlock(el, r.setBody)
		}
		for _, el := range t.objects {
			r.listedObjectBlock(el, func(key string, ov *jsonValue) {
				if key == "flowtable" {
					r.flowtableBody(ov)
				} else {
					r.objectItems(jsonObjects[key], ov)
				}
			})
		}
		for _, c := range t.chains {
			_, cv, _ := c.v.single()
			r.span(c.v, func() {
				r.s("\tchain ")
				r.name(cv.member("name"), c.name)
				r.s(" {")
				r.handleComment(cv)
				r.s("\n")
				if cv.member("hook") != nil || cv.member("policy") != nil || cv.member("comment") != nil {
					r.s("\t\t")
					r.chainBody(cv)
					r.s("\n")
				}
				for _, rule := range c.rules {
					_, rv, _ := rule.single()
					r.s("\t\t")
					r.span(rule, func() {
						r.family = t.family
						r.stmts(rv.member("expr"))
						if cm := rv.member("comment"); cm != nil {
							r.s(" comment ")
							r.span(cm, func() { r.quote(cm, r.str(cm)) })
						}
					})
					r.handleComment(rv)
					r.s("\n")
				}
				r.s("\t}")
			})
			r.s("\n")
		}
		r.s("}")
	})
	r.s("\n")
	r.cmds = append(r.cmds, renderedCmd{T0: t0, T1: r.off(), V: t.v, Key: "table"})
}

// listedObjectBlock writes a set, map, flowtable or stateful object of a
// table block: `KEY NAME {`, its handle comment, and the items body
// writes on one line.
func (r *jsonRenderer) listedObjectBlock(el *jsonValue, body func(key string, v *jsonValue)) {
	key, v, _ := el.single()
	r.span(el, func() {
		r.s("\t" + key + " ")
		r.name(v.member("name"), r.str(v.member("name")))
		r.s(" {")
		r.handleComment(v)
		r.s("\n\t\t")
		body(key, v)
		r.s("\n\t}")
	})
	r.s("\n")
}
