package checks

import (
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// NFT200 reports commands nft cannot apply to the ruleset the file builds:
// a rule, element, delete or flush for a table, chain or set that does not
// exist at that point, or a create of one that already does. The builder
// (ruleset.Build) finds them; this check decides how certain the failure
// is and says so.
var nft200 = &Check{
	ID:       ruleset.CodeApply,
	Name:     "missing-object",
	Title:    "a command refers to a table, chain or set that does not exist at that point, or creates one that already exists",
	Severity: Warning,
	Tags:     []string{"load", "correctness"},
	Doc: `nft applies a file's commands in order, in one transaction. A command that needs an
object the ruleset does not have at that point (` + "`add rule`" + ` to a chain, ` + "`add element`" + ` to a
set, ` + "`delete`" + ` or ` + "`flush`" + ` of a table, chain or set), or that ` + "`create`" + `s an object that already
exists, makes nft reject the whole file ("No such file or directory", "File exists")
and keep the old ruleset.

What exists at that point is not always visible in the file: a file that adds rules
to ` + "`ip filter INPUT`" + ` without declaring it works on a host where iptables-nft already
created that chain. So the severity says how certain the failure is:

- **error** when the file itself makes the failure certain: it ` + "`create`" + `s an object it
  declared earlier, or the object was removed earlier in the file (` + "`flush ruleset`" + `,
  ` + "`delete table`" + `, ` + "`delete chain`" + `…) and not declared again;
- **warning** when the file merely does not declare the object: the command fails
  unless the object already exists in the kernel when the file is loaded.

**Fix:** declare the object before using it (` + "`add table`" + ` and ` + "`add chain`" + ` leave an existing
one alone, so declaring it is safe either way), move the command before the flush or
delete that removes its object, use ` + "`add`" + ` instead of ` + "`create`" + `, or ` + "`destroy`" + ` instead of
` + "`delete`" + ` (nft 1.0.7 and newer) to ignore an object that may be missing.`,
	Run: runMissingObject,
}

func runMissingObject(p *Pass) {
	rs := p.Ruleset
	if rs.Live || len(rs.ASTs) == 0 {
		return
	}
	// Build keeps its errors on the ruleset; a ruleset made otherwise
	// gets them by replaying the commands (Build is deterministic).
	errs := rs.BuildErrors
	if !rs.Built() {
		_, errs = ruleset.Build(&parser.LoadResult{Files: rs.Files, ASTs: rs.ASTs})
	}
	if len(errs) == 0 {
		return
	}
	r := newApplyReplay(rs)
	for _, e := range errs {
		if e.Code != ruleset.CodeApply {
			continue
		}
		rng := parser.Range{Start: e.Pos, End: e.End}
		if !rng.End.IsValid() {
			rng.End = rng.Start
		}
		cls, ok := r.classify(e.Pos)
		if !ok {
			p.Report(Diagnostic{Range: rng, Severity: Warning, Message: e.Msg})
			continue
		}
		d := Diagnostic{Range: rng, Severity: cls.severity, Message: cls.message(p, e.Msg)}
		if cls.cause != nil {
			d.Related = []Related{{Range: p.Range(cls.cause), Message: "removed here"}}
		}
		p.Report(d)
	}
}

// objKey names a table, or an object (chain, set, map) in a table.
type objKey struct {
	family parser.Family
	table  string
	kind   string // "", "chain", "set"
	name   string
}

func (k objKey) String() string {
	if k.kind == "" {
		return fmt.Sprintf("table %s %s", k.family, k.table)
	}
	return fmt.Sprintf("%s %s %s %s", k.kind, k.family, k.table, k.name)
}

// applyClass is the verdict on one command nft cannot apply.
type applyClass struct {
	cmd      *parser.Command
	severity Severity
	missing  objKey      // what does not exist (zero for create)
	cause    parser.Node // the command that removed it, when certain
}

func (c applyClass) message(p *Pass, builderMsg string) string {
	verb := strings.TrimSpace(string(c.cmd.Verb) + " " + string(c.cmd.Object))
	if c.cmd.Verb == "" {
		verb = "add " + string(c.cmd.Object)
	}
	switch {
	case c.cmd.Verb == parser.VerbCreate:
		return builderMsg // the builder names the object and the fix
	case c.cause != nil:
		return fmt.Sprintf("%s: %s does not exist at this point: it was removed at %s, so nft fails with \"No such file or directory\"; declare it again after that, or move this command before it",
			verb, c.missing, lineOf(p, c.cause, c.cmd))
	}
	fix := "declare it in the file (`add table` and `add chain` leave an existing one alone)"
	if c.cmd.Verb == parser.VerbDelete {
		fix = "use `destroy` (nft 1.0.7 and newer) to ignore it when missing"
	}
	return fmt.Sprintf("%s: %s is not declared in this file, so nft fails with \"No such file or directory\" unless it already exists in the kernel when the file is loaded; %s",
		verb, c.missing, fix)
}

// applyReplay walks the commands in the order nft applies them, tracking
// which tables exist and what the file removed, so that each command the
// builder could not apply can be classified.
type applyReplay struct {
	files *parser.FileSet
	// byPos finds a command by the position the builder reports.
	byPos   map[posKey]*parser.Command
	classes map[*parser.Command]applyClass
}

type posKey struct {
	file   string
	offset int
}

// removal is a command that removed objects: `flush ruleset [family]`,
// delete/destroy of a table, chain, set or map.
type removal struct {
	cmd     *parser.Command
	ruleset bool
	key     objKey // table (kind "") or object
}

func (rm removal) covers(k objKey) bool {
	if rm.ruleset {
		return rm.key.family == "" || rm.key.family == k.family
	}
	if rm.key.family != k.family || rm.key.table != k.table {
		return false
	}
	return rm.key.kind == "" || rm.key.kind == k.kind && rm.key.name == k.name
}

func newApplyReplay(rs *ruleset.Ruleset) *applyReplay {
	r := &applyReplay{files: rs.Files, byPos: make(map[posKey]*parser.Command), classes: make(map[*parser.Command]applyClass)}
	st := &replayState{tables: make(map[objKey]bool)}
	for _, ast := range rs.ASTs {
		r.walk(ast.Cmds, nil, st, 0)
	}
	return r
}

type replayState struct {
	tables   map[objKey]bool // tables that exist (kind "")
	removals []removal
}

// maxReplayDepth bounds include and block nesting (the loader caps it lower).
const maxReplayDepth = 64

func (r *applyReplay) walk(items []parser.Cmd, table *objKey, st *replayState, depth int) {
	if depth > maxReplayDepth {
		return
	}
	for _, it := range items {
		switch c := it.(type) {
		case *parser.IncludeCmd:
			for _, f := range c.Files {
				r.walk(f.Cmds, table, st, depth+1)
			}
		case *parser.Command:
			r.command(c, table, st, depth)
		}
	}
}

func (r *applyReplay) command(c *parser.Command, encl *objKey, st *replayState, depth int) {
	pos := r.files.Position(c.Pos())
	r.byPos[posKey{pos.Filename, pos.Offset}] = c

	tk := objKey{family: c.Family, table: identName(c.Table)}
	if encl != nil && c.Table == nil {
		tk = *encl
	} else if tk.family == parser.FamilyNone {
		tk.family = parser.FamilyIP
	}
	if c.Object == parser.ObjTable {
		tk.table = identName(c.Name)
		if tk.table == "" {
			tk.table = identName(c.Table)
		}
	}
	// Classify first, against the state before this command.
	r.classes[c] = r.classifyCommand(c, tk, st)

	switch c.Object {
	case parser.ObjRuleset:
		if c.Verb == parser.VerbFlush {
			st.removals = append(st.removals, removal{cmd: c, ruleset: true, key: objKey{family: c.Family}})
			for k := range st.tables {
				if c.Family == parser.FamilyNone || k.family == c.Family {
					delete(st.tables, k)
				}
			}
		}
	case parser.ObjTable:
		switch c.Verb {
		case "", parser.VerbAdd, parser.VerbCreate:
			st.tables[tk] = true
			if c.Body != nil {
				r.walk(c.Body.Items, &tk, st, depth+1)
			}
		case parser.VerbDelete, parser.VerbDestroy:
			st.removals = append(st.removals, removal{cmd: c, key: tk})
			delete(st.tables, tk)
		}
	case parser.ObjChain, parser.ObjSet, parser.ObjMap:
		kind := "chain"
		if c.Object != parser.ObjChain {
			kind = "set"
		}
		switch c.Verb {
		case parser.VerbDelete, parser.VerbDestroy:
			if c.Body == nil || c.Object != parser.ObjChain {
				k := tk
				k.kind, k.name = kind, identName(c.Name)
				st.removals = append(st.removals, removal{cmd: c, key: k})
			}
		case "", parser.VerbAdd, parser.VerbCreate:
			if c.Body != nil {
				r.walk(c.Body.Items, &tk, st, depth+1)
			}
		}
	default:
		if c.Body != nil {
			r.walk(c.Body.Items, &tk, st, depth+1)
		}
	}
}

// classifyCommand decides how certain the failure of c would be, were the
// builder to report it.
func (r *applyReplay) classifyCommand(c *parser.Command, tk objKey, st *replayState) applyClass {
	cls := applyClass{cmd: c, severity: Warning}
	if c.Verb == parser.VerbCreate {
		cls.severity = Error // it exists because this file made it
		return cls
	}
	missing := tk
	if st.tables[tk] {
		switch c.Object {
		case parser.ObjRule, parser.ObjChain:
			missing.kind, missing.name = "chain", identName(c.Name)
		case parser.ObjSet, parser.ObjMap, parser.ObjElement:
			missing.kind, missing.name = "set", identName(c.Name)
		}
	}
	cls.missing = missing
	for i := len(st.removals) - 1; i >= 0; i-- {
		if rm := st.removals[i]; rm.covers(missing) {
			cls.severity, cls.cause = Error, rm.cmd
			break
		}
	}
	return cls
}

// classify returns the class of the command at pos.
func (r *applyReplay) classify(pos parser.Position) (applyClass, bool) {
	c, ok := r.byPos[posKey{pos.Filename, pos.Offset}]
	if !ok {
		return applyClass{}, false
	}
	cls, ok := r.classes[c]
	return cls, ok
}

func identName(id *parser.Ident) string {
	if id == nil {
		return ""
	}
	return id.Name
}
