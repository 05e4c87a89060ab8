package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// jsonCorpusFiles returns the manifest rows of the JSON files.
func jsonCorpusFiles(t *testing.T) (dir string, rows []map[string]string) {
	t.Helper()
	dir = corpusDir(t)
	for _, row := range readTSV(t, filepath.Join(dir, "manifest.tsv")) {
		if row["syntax"] == "json" {
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		t.Fatal("manifest lists no JSON files")
	}
	return dir, rows
}

// parseJSONGuarded parses src as JSON, turning a panic into a failure.
func parseJSONGuarded(name string, src []byte) (ast *AST, errs ErrorList, failure string) {
	defer func() {
		if r := recover(); r != nil {
			failure = fmt.Sprintf("panic: %v", r)
		}
	}()
	ast, errs = ParseJSON(NewFileSet(), name, src)
	return ast, errs, ""
}

// TestJSONCorpusAccepted: every JSON file nft 1.0.6 accepted parses
// without error, and no JSON file panics.
func TestJSONCorpusAccepted(t *testing.T) {
	dir, rows := jsonCorpusFiles(t)
	accepted, ok, rejectedFlagged := 0, 0, 0
	for _, row := range rows {
		path := filepath.Join(dir, row["file"])
		src, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", row["file"], err)
			continue
		}
		ast, errs, failure := parseJSONGuarded(row["file"], src)
		if failure != "" {
			t.Errorf("%s: %s", row["file"], failure)
			continue
		}
		if ast == nil {
			t.Errorf("%s: nil AST", row["file"])
			continue
		}
		if row["nft_1_0_6_check"] != "accept" {
			if len(errs) > 0 {
				rejectedFlagged++
			}
			continue
		}
		accepted++
		if len(errs) > 0 {
			t.Errorf("%s: nft accepts it, nftlint reports: %v", row["file"], errs)
			continue
		}
		if len(ast.Cmds) == 0 && jsonObjectCount(src) > 0 {
			t.Errorf("%s: no commands read", row["file"])
			continue
		}
		ok++
	}
	t.Logf("MEASURED JSON corpus: %d of %d accepted files parse without error (%d files in all; %d of the rejected ones get a syntax error)",
		ok, accepted, len(rows), rejectedFlagged)
	if accepted == 0 {
		t.Fatal("no accepted JSON files in the manifest")
	}
}

// jsonObjectCount counts the elements of the nftables array other than
// metainfo.
func jsonObjectCount(src []byte) int {
	doc, err := scanJSON(src)
	if err != nil {
		return 0
	}
	n := 0
	for _, el := range doc.member("nftables").Elems {
		if k, _, _ := el.single(); k != "metainfo" {
			n++
		}
	}
	return n
}

// TestJSONCorpusMatchesTextDumps: nft's test suite saves each ruleset
// twice, as `nft list ruleset` text (X.nft) and as `nft -j list ruleset`
// JSON (X.json-nft). Both must give the same rules, statement for
// statement, and the same chain and set declarations.
func TestJSONCorpusMatchesTextDumps(t *testing.T) {
	dir, rows := jsonCorpusFiles(t)
	compared, same := 0, 0
	var mismatches []string
	for _, row := range rows {
		if row["nft_1_0_6_check"] != "accept" || !strings.HasSuffix(row["file"], ".json-nft") {
			continue
		}
		jsonPath := filepath.Join(dir, row["file"])
		textPath := strings.TrimSuffix(strings.Replace(jsonPath, "/json/tests/", "/tests/", 1), ".json-nft") + ".nft"
		textSrc, err := os.ReadFile(textPath)
		if err != nil {
			continue
		}
		jsonSrc, err := os.ReadFile(jsonPath)
		if err != nil {
			t.Fatal(err)
		}
		textAST, terrs := ParseFile(NewFileSet(), textPath, textSrc)
		if len(terrs) > 0 {
			continue // a text-parser problem, tested elsewhere
		}
		unpackElemRuns(textAST.Cmds) // as the JSON front end does
		jsonAST, jerrs := ParseJSON(NewFileSet(), jsonPath, jsonSrc)
		if len(jerrs) > 0 {
			continue // reported by TestJSONCorpusAccepted
		}
		compared++
		if d := compareRulesets(collectDecls(textAST), collectDecls(jsonAST)); d != "" {
			mismatches = append(mismatches, row["file"]+": "+d)
			continue
		}
		same++
	}
	sort.Strings(mismatches)
	for _, m := range mismatches {
		t.Error(m)
	}
	t.Logf("MEASURED JSON vs text dumps: %d of %d rulesets give the same rules and declarations", same, compared)
	if compared < 100 {
		t.Errorf("only %d JSON/text dump pairs compared; expected the corpus to hold hundreds", compared)
	}
}

// declSet is what a file declares, keyed by "family table chain" (rules,
// base-chain properties) or "family table set" (set properties).
type declSet struct {
	rules map[string][]*Rule
	props map[string][]*Property
	order []string
}

func collectDecls(ast *AST) *declSet {
	d := &declSet{rules: map[string][]*Rule{}, props: map[string][]*Property{}}
	key := func(parts ...string) string {
		k := strings.Join(parts, " ")
		if _, ok := d.rules[k]; !ok {
			if _, ok := d.props[k]; !ok {
				d.order = append(d.order, k)
			}
		}
		return k
	}
	name := func(id *Ident) string {
		if id == nil {
			return ""
		}
		return id.Name
	}
	fam := func(f Family) string {
		if f == FamilyNone {
			return "ip"
		}
		return string(f)
	}
	var block func(prefix string, items []Cmd)
	block = func(prefix string, items []Cmd) {
		for _, it := range items {
			switch x := it.(type) {
			case *Rule:
				k := key(prefix)
				d.rules[k] = append(d.rules[k], x)
			case *Property:
				k := key(prefix)
				d.props[k] = append(d.props[k], x)
			case *Command:
				if x.Body != nil {
					block(prefix+" "+string(x.Object)+" "+name(x.Name), x.Body.Items)
				}
			}
		}
	}
	for _, c := range ast.Cmds {
		cmd, ok := c.(*Command)
		if !ok {
			continue
		}
		switch cmd.Object {
		case ObjTable:
			tname := name(cmd.Name)
			if tname == "" {
				tname = name(cmd.Table)
			}
			if cmd.Body != nil {
				block(fam(cmd.Family)+" "+tname, cmd.Body.Items)
			}
		case ObjRule:
			if cmd.Rule != nil {
				k := key(fam(cmd.Family)+" "+name(cmd.Table), "chain", name(cmd.Name))
				d.rules[k] = append(d.rules[k], cmd.Rule)
			}
		default:
			if cmd.Body != nil {
				block(fam(cmd.Family)+" "+name(cmd.Table)+" "+string(cmd.Object)+" "+name(cmd.Name), cmd.Body.Items)
			}
		}
	}
	return d
}

// compareRulesets reports the first difference between two declaration sets.
func compareRulesets(text, json *declSet) string {
	for _, k := range text.order {
		tr, jr := text.rules[k], json.rules[k]
		if len(tr) != len(jr) {
			return fmt.Sprintf("%s: %d rules in the text dump, %d from JSON", k, len(tr), len(jr))
		}
		for i := range tr {
			if d := astDiff(reflect.ValueOf(tr[i]), reflect.ValueOf(jr[i]), ""); d != "" {
				return fmt.Sprintf("%s rule %d: %s", k, i+1, d)
			}
		}
		tp, jp := propsByKey(text.props[k]), propsByKey(json.props[k])
		for pk, p := range tp {
			q, ok := jp[pk]
			if !ok {
				return fmt.Sprintf("%s: %q declared in the text dump, missing from JSON", k, pk)
			}
			if d := astDiff(reflect.ValueOf(p), reflect.ValueOf(q), ""); d != "" {
				return fmt.Sprintf("%s %s: %s", k, pk, d)
			}
		}
	}
	return ""
}

func propsByKey(ps []*Property) map[string]*Property {
	m := make(map[string]*Property, len(ps))
	for _, p := range ps {
		m[p.Key] = p
	}
	return m
}

// astDiff compares two AST values structurally, ignoring positions,
// files and comments, treating the implicit operator like ==. It returns
// the path of the first difference, or "".
func astDiff(a, b reflect.Value, path string) string {
	if a.IsValid() != b.IsValid() {
		return path + ": one side missing"
	}
	if !a.IsValid() {
		return ""
	}
	if x, ok := quantity(a); ok {
		if y, ok := quantity(b); ok {
			if x != y {
				return fmt.Sprintf("%s: %s vs %s", path, x, y)
			}
			return ""
		}
	}
	if a.Type() != b.Type() {
		if strings.HasSuffix(path, ".Priority") {
			return "" // named priorities in text, numbers in JSON: the model test compares them resolved
		}
		return fmt.Sprintf("%s: %s vs %s", path, describeValue(a), describeValue(b))
	}
	if a.Type() == jsonPosType {
		return ""
	}
	if a.Type() == identEndType {
		return diffQuoted(a, b, path)
	}
	switch a.Kind() {
	case reflect.Interface, reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return path + ": nil vs non-nil"
			}
			return ""
		}
		return astDiff(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			f := a.Type().Field(i)
			switch f.Name {
			case "File", "Comments", "Def":
				continue
			}
			if a.Type() == reflect.TypeFor[MatchStmt]() && f.Name == "Op" {
				x, y := MatchOp(a.Field(i).Uint()), MatchOp(b.Field(i).Uint())
				if x == OpImplicit {
					x = OpEq
				}
				if y == OpImplicit {
					y = OpEq
				}
				if x != y {
					return fmt.Sprintf("%s.Op: %q vs %q", path, x, y)
				}
				continue
			}
			if d := astDiff(fieldValue(a, i), fieldValue(b, i), path+"."+f.Name); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: length %d vs %d", path, a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := astDiff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	}
	if a.Interface() != b.Interface() {
		return fmt.Sprintf("%s: %v vs %v", path, a.Interface(), b.Interface())
	}
	return ""
}

// quantity returns the canonical value of a number, a time or a byte
// size, which text and JSON spell differently (0x0a and 10, 1h and
// 3600s, 25 mbytes and 26214400 bytes).
func quantity(v reflect.Value) (string, bool) {
	for v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return "", false
	}
	switch x := v.Interface().(type) {
	case *Number:
		if x.Neg {
			return fmt.Sprintf("-%d", x.Value), true
		}
		return fmt.Sprint(x.Value), true
	case *Literal:
		if x.Kind == LitTime {
			if d, ok := nftDuration(x.Text); ok {
				return fmt.Sprint(d), true
			}
		}
		if n, ok := nftBytes(x.Text); ok {
			return fmt.Sprint(n), true
		}
	}
	return "", false
}

// nftDuration parses 1d2h3m4s5ms into milliseconds.
func nftDuration(s string) (uint64, bool) {
	units := map[string]uint64{"d": 86400000, "h": 3600000, "m": 60000, "s": 1000, "ms": 1}
	var total, n uint64
	digits := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + uint64(c-'0')
			digits = true
			i++
		default:
			if !digits {
				return 0, false
			}
			u := string(c)
			if strings.HasPrefix(s[i:], "ms") {
				u = "ms"
			}
			m, ok := units[u]
			if !ok {
				return 0, false
			}
			total += n * m
			n, digits = 0, false
			i += len(u)
		}
	}
	return total, !digits && total > 0 || s == "0s"
}

// nftBytes parses "25 mbytes" into bytes.
func nftBytes(s string) (uint64, bool) {
	num, unit, ok := strings.Cut(s, " ")
	if !ok {
		return 0, false
	}
	mult := map[string]uint64{"bytes": 1, "kbytes": 1 << 10, "mbytes": 1 << 20, "gbytes": 1 << 30}[unit]
	if mult == 0 {
		return 0, false
	}
	var n uint64
	if _, err := fmt.Sscan(num, &n); err != nil {
		return 0, false
	}
	return n * mult, true
}

func describeValue(v reflect.Value) string {
	if n, ok := v.Interface().(Node); ok {
		var b strings.Builder
		if FprintNode(&b, n) == nil {
			return fmt.Sprintf("%s `%s`", v.Type(), b.String())
		}
	}
	return v.Type().String()
}
