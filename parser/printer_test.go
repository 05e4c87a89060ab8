package parser

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var posType = reflect.TypeOf(Pos(0))

var identEndType = reflect.TypeFor[identEnd]()

// fieldValue returns field i of the struct a, or for the unexported
// field of Selector that holds its arguments (and end, a position), what
// Args returns: reflect cannot compare values read through unexported
// fields.
func fieldValue(a reflect.Value, i int) reflect.Value {
	if a.Type() == reflect.TypeFor[Selector]() && a.Type().Field(i).Name == "extra" {
		return reflect.ValueOf(a.Addr().Interface().(*Selector).Args())
	}
	return a.Field(i)
}

// diffQuoted compares the Quoted bits of two Ident end fields, ignoring
// the positions they share the field with.
func diffQuoted(a, b reflect.Value, path string) string {
	qa, qb := identEnd(a.Uint())&identQuoted != 0, identEnd(b.Uint())&identQuoted != 0
	if qa != qb {
		return fmt.Sprintf("%s: quoted %v vs %v", path, qa, qb)
	}
	return ""
}

// diffAST compares two trees ignoring positions, the File and the
// comments (which the printer does not reproduce). It returns the path of
// the first difference, or "".
func diffAST(a, b any) string {
	return diffValue(reflect.ValueOf(a), reflect.ValueOf(b), "")
}

func diffValue(a, b reflect.Value, path string) string {
	if a.IsValid() != b.IsValid() {
		return path + ": one side missing"
	}
	if !a.IsValid() {
		return ""
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: type %s vs %s", path, a.Type(), b.Type())
	}
	if a.Type() == posType {
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
		return diffValue(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			f := a.Type().Field(i)
			switch f.Name {
			case "File", "Comments", "Def":
				continue
			}
			if d := diffValue(fieldValue(a, i), fieldValue(b, i), path+"."+f.Name); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: length %d vs %d", path, a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := diffValue(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
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

// roundTrip parses src, prints it, re-parses the output and checks that
// the trees match and that printing is stable. It returns "" on success
// or a description of the problem; skipped is true when src itself does
// not parse cleanly.
func roundTrip(name string, src []byte) (problem string, skipped bool) {
	ast1, errs := ParseFile(NewFileSet(), name, src)
	if len(errs) > 0 {
		return "", true
	}
	var out1 bytes.Buffer
	if err := Fprint(&out1, ast1); err != nil {
		return "print: " + err.Error(), false
	}
	ast2, errs := ParseFile(NewFileSet(), name+".printed", out1.Bytes())
	if len(errs) > 0 {
		return fmt.Sprintf("printed text does not parse: %v\n%s", errs[0], excerpt(out1.String(), errs[0].Pos.Line)), false
	}
	var out2 bytes.Buffer
	if err := Fprint(&out2, ast2); err != nil {
		return "second print: " + err.Error(), false
	}
	// Runs hold offsets into their own source: compare their elements.
	unpackElemRuns(ast1.Cmds)
	unpackElemRuns(ast2.Cmds)
	if d := diffAST(ast1, ast2); d != "" {
		return "tree differs after printing at " + d, false
	}
	if out1.String() != out2.String() {
		return "printing is not stable", false
	}
	return "", false
}

func excerpt(text string, line int) string {
	lines := strings.Split(text, "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	return fmt.Sprintf("%d: %s", line, lines[line-1])
}

func TestPrintRoundTripExamples(t *testing.T) {
	srcs := []string{
		"table inet t {\n\tchain c {\n\t\ttype filter hook input priority filter + 10; policy drop;\n\t\ttcp dport { 22, 80 } ct state new,established counter accept comment \"x\"\n\t}\n}\n",
		"define v = { 1.2.3.4, 10.0.0.0/8 }\nadd rule ip t c ip saddr $v tcp flags & (syn | ack) == syn / syn,ack drop\n",
		"table ip nat { chain p { type nat hook postrouting priority srcnat; masquerade to :1024-2048 random,persistent; snat to 10.0.0.1-10.0.0.9:80-90; }; }\n",
		"table ip t { map m { typeof ip saddr . tcp dport : interval ip daddr; flags interval; elements = { 1.2.3.4 . 22 : 10.0.0.0/8, * : 1.1.1.1 } }; }\n",
		"add counter ip t c packets 1 bytes 2\nlist chains ip\nflush ruleset\ndelete rule ip t c handle 4\n",
	}
	for _, src := range srcs {
		if problem, skipped := roundTrip("example.nft", []byte(src)); skipped || problem != "" {
			t.Errorf("round trip of %q: skipped=%v %s", src, skipped, problem)
		}
	}
}

func TestPrintRoundTripCorpus(t *testing.T) {
	dir := corpusDir(t)
	rows := readTSV(t, filepath.Join(dir, "manifest.tsv"))
	var clean, ok int
	for _, row := range rows {
		if row["syntax"] != "nft" {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, row["file"]))
		if err != nil {
			t.Fatal(err)
		}
		problem, skipped := roundTrip(row["file"], src)
		if skipped {
			continue
		}
		clean++
		if problem != "" {
			t.Errorf("%s: %s", row["file"], problem)
			continue
		}
		ok++
	}
	pyRows := readTSV(t, filepath.Join(dir, "nftables-py-rules.tsv"))
	var pyClean, pyOK int
	for _, row := range pyRows {
		if row["kind"] != "rule" {
			continue
		}
		problem, skipped := roundTrip(row["source_file"], []byte(wrapPyRule(row)))
		if skipped {
			continue
		}
		pyClean++
		if problem != "" {
			t.Errorf("%s:%s %q: %s", row["source_file"], row["line_no"], row["rule_text"], problem)
			continue
		}
		pyOK++
	}
	t.Logf("MEASURED round trip: %d/%d clean corpus files, %d/%d clean py rules", ok, clean, pyOK, pyClean)
	if clean == 0 {
		t.Fatal("no corpus file parsed cleanly")
	}
}
