package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// The cases in testdata/loader/*.txtar are small file trees. The archive
// comment holds directives, one per line:
//
//	root NAME          file named on the command line (default main.nft; repeatable)
//	cwd DIR            working directory, relative to the tree (default the tree)
//	I DIR              an -I directory, relative to the tree (repeatable)
//	outside            set IncludeOutside
//	default DIR        the default include directory, relative to the tree
//	symlink LINK TARGET
//	files A B …        the names of the FileSet's files, in order
//	bind USE DEF       the $variable at USE (file:line:col) is bound to the
//	                   define at DEF (file:line); DEF "-" means unbound
//	limit NAME N       a Limits field (MaxExpansion, MaxIncludes, MaxGlobMatches)
//
// Expected errors are marked in the files: `# want NFT002 "regexp"` on the
// line the error is reported at. Every error must be wanted and every
// want must be met.

func TestLoadTxtar(t *testing.T) {
	paths, err := filepath.Glob("../testdata/loader/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no loader cases: %v", err)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			runLoaderCase(t, ar)
		})
	}
}

var wantRx = regexp.MustCompile(`#\s*want\s+(NFT\d{3})\s+"((?:[^"\\]|\\.)*)"`)

type wantedError struct {
	file string
	line int
	code string
	rx   *regexp.Regexp
	met  bool
}

func runLoaderCase(t *testing.T, ar *txtar.Archive) {
	dir := t.TempDir()
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	var wants []*wantedError
	for _, f := range ar.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(f.Data), "\n") {
			for _, m := range wantRx.FindAllStringSubmatch(line, -1) {
				rx, err := regexp.Compile(strings.ReplaceAll(m[2], `\"`, `"`))
				if err != nil {
					t.Fatalf("%s:%d: bad want regexp: %v", f.Name, i+1, err)
				}
				wants = append(wants, &wantedError{file: f.Name, line: i + 1, code: m[1], rx: rx})
			}
		}
	}

	cfg := LoadConfig{Dir: dir, DefaultIncludeDir: filepath.Join(dir, "no-default-dir")}
	var roots []Source
	var fileOrder []string
	var binds [][2]string
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "root":
			roots = append(roots, Source{Name: f[1]})
		case "cwd":
			cfg.Dir = filepath.Join(dir, f[1])
		case "I":
			cfg.IncludePaths = append(cfg.IncludePaths, filepath.Join(dir, f[1]))
		case "outside":
			cfg.IncludeOutside = true
		case "default":
			cfg.DefaultIncludeDir = filepath.Join(dir, f[1])
		case "symlink":
			if err := os.Symlink(f[2], filepath.Join(dir, f[1])); err != nil {
				t.Fatal(err)
			}
		case "files":
			fileOrder = f[1:]
		case "bind":
			binds = append(binds, [2]string{f[1], f[2]})
		case "limit":
			var n int
			fmt.Sscan(f[2], &n)
			switch f[1] {
			case "MaxExpansion":
				cfg.Limits.MaxExpansion = n
			case "MaxIncludes":
				cfg.Limits.MaxIncludes = n
			case "MaxGlobMatches":
				cfg.Limits.MaxGlobMatches = n
			default:
				t.Fatalf("unknown limit %s", f[1])
			}
		default:
			t.Fatalf("unknown directive %q", line)
		}
	}
	if len(roots) == 0 {
		roots = []Source{{Name: "main.nft"}}
	}
	// Root names are relative to the working directory; tests name them
	// relative to the tree.
	for i := range roots {
		if cfg.Dir != dir {
			rel, _ := filepath.Rel(cfg.Dir, filepath.Join(dir, roots[i].Name))
			roots[i].Name = rel
		}
	}

	res, err := Load(nil, cfg, roots...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	// Names in reports are relative to the working directory; map them
	// back to tree names for matching.
	treeName := func(name string) string {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(cfg.Dir, p)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return name
		}
		return filepath.ToSlash(rel)
	}
	for _, e := range res.Errors {
		file, line := treeName(e.Pos.Filename), e.Pos.Line
		matched := false
		for _, w := range wants {
			if !w.met && w.file == file && w.line == line && w.code == e.Code && w.rx.MatchString(e.Msg) {
				w.met, matched = true, true
				break
			}
		}
		if !matched {
			t.Errorf("unexpected error %s:%d: [%s] %s", file, line, e.Code, e.Msg)
		}
	}
	for _, w := range wants {
		if !w.met {
			t.Errorf("%s:%d: missing %s error matching %q", w.file, w.line, w.code, w.rx)
		}
	}
	if fileOrder != nil {
		var got []string
		for _, f := range res.Files.Files() {
			got = append(got, treeName(f.Name()))
		}
		if strings.Join(got, " ") != strings.Join(fileOrder, " ") {
			t.Errorf("files:\n got  %v\n want %v", got, fileOrder)
		}
	}
	if binds != nil {
		refs := map[string]*VarRef{}
		var walk func(a *AST)
		walk = func(a *AST) {
			Inspect(a, func(n Node) bool {
				switch n := n.(type) {
				case *VarRef:
					p := res.Files.Position(n.Pos())
					refs[fmt.Sprintf("%s:%d:%d", treeName(p.Filename), p.Line, p.Column)] = n
				case *IncludeCmd:
					for _, f := range n.Files {
						walk(f)
					}
				}
				return true
			})
		}
		for _, a := range res.ASTs {
			walk(a)
		}
		for _, b := range binds {
			ref := refs[b[0]]
			if ref == nil {
				var have []string
				for k := range refs {
					have = append(have, k)
				}
				sort.Strings(have)
				t.Errorf("bind %s: no $variable there (have %v)", b[0], have)
				continue
			}
			got := "-"
			if ref.Def != nil {
				p := res.Files.Position(ref.Def.Pos())
				got = fmt.Sprintf("%s:%d", treeName(p.Filename), p.Line)
				if ref.Value != ref.Def.Value {
					if _, bad := ref.Value.(*BadExpr); !bad {
						t.Errorf("bind %s: Value is not the definition's value", b[0])
					}
				}
			}
			if got != b[1] {
				t.Errorf("bind %s: bound to %s, want %s", b[0], got, b[1])
			}
		}
	}
}
