package ruleset

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/parser"
)

// sharedDir finds the shared corpus (NFTLINT_SHARED, else ../shared next
// to the repository). It skips the test when absent, unless
// NFTLINT_CORPUS=required.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("NFTLINT_SHARED")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared")
	}
	if _, err := os.Stat(filepath.Join(dir, "corpus", "manifest.tsv")); err != nil {
		if os.Getenv("NFTLINT_CORPUS") == "required" {
			tb.Fatalf("corpus not found at %s (NFTLINT_CORPUS=required): %v", dir, err)
		}
		tb.Skipf("corpus not found at %s; set NFTLINT_SHARED to run this test", dir)
	}
	return dir
}

type corpusFile struct {
	path   string // absolute
	expect string // upstream_expect
	check  string // nft_1_0_6_check
	syntax string
}

func readManifest(tb testing.TB) []corpusFile {
	dir := filepath.Join(sharedDir(tb), "corpus")
	f, err := os.Open(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var files []corpusFile
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var col map[string]int
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if col == nil {
			col = make(map[string]int)
			for i, name := range fields {
				col[name] = i
			}
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(fields) {
				return fields[i]
			}
			return ""
		}
		abs, _ := filepath.Abs(filepath.Join(dir, get("file")))
		files = append(files, corpusFile{path: abs, expect: get("upstream_expect"), check: get("nft_1_0_6_check"), syntax: get("syntax")})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return files
}

// loadAndBuild loads one file as `nft -f` run from the file's directory.
func loadAndBuild(path string) (*parser.LoadResult, *Ruleset, parser.ErrorList, error) {
	res, err := parser.Load(nil, parser.LoadConfig{Dir: filepath.Dir(path)}, parser.Source{Name: filepath.Base(path)})
	if err != nil {
		return res, nil, nil, err
	}
	rs, errs := Build(res)
	return res, rs, errs, nil
}

// TestCorpusLoads loads every text file nft accepts and upstream marks
// valid, and requires no include, define or limit errors.
func TestCorpusLoads(t *testing.T) {
	var files, syntaxErrs, filesWithSyntax, included, tables, chains, rules, elements, applyErrs int
	for _, cf := range readManifest(t) {
		if cf.syntax != "nft" || cf.check != "accept" || (cf.expect != "valid-dump" && cf.expect != "valid-example") {
			continue
		}
		files++
		res, rs, errs, err := loadAndBuild(cf.path)
		if err != nil {
			t.Errorf("%s: %v", cf.path, err)
			continue
		}
		included += res.Included
		hasSyntax := false
		for _, e := range res.Errors {
			switch e.Code {
			case parser.CodeSyntax, "":
				syntaxErrs++
				hasSyntax = true
			default:
				t.Errorf("%s: %v [%s]", cf.path, e, e.Code)
			}
		}
		if hasSyntax {
			filesWithSyntax++
		}
		applyErrs += len(errs)
		for _, tb := range rs.Tables {
			tables++
			chains += len(tb.Chains)
			for _, c := range tb.Chains {
				rules += len(c.Rules)
			}
			for _, s := range tb.Sets {
				elements += s.Len()
			}
		}
	}
	if files == 0 {
		t.Fatal("no corpus files selected")
	}
	t.Logf("MEASURED %d files (%d included files): %d tables, %d chains, %d rules, %d set elements; %d syntax errors in %d files; %d apply errors",
		files, included, tables, chains, rules, elements, syntaxErrs, filesWithSyntax, applyErrs)
}

// TestCorpusAllInOne checks the include-heavy example: all-in-one.nft
// includes its siblings with "./…", relative to the working directory.
func TestCorpusAllInOne(t *testing.T) {
	path := filepath.Join(sharedDir(t), "corpus", "nftables-tests", "files", "nftables", "all-in-one.nft")
	res, rs, _, err := loadAndBuild(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors {
		if e.Code != parser.CodeSyntax {
			t.Errorf("%v [%s]", e, e.Code)
		}
	}
	if res.Included != 13 {
		t.Errorf("included %d files, want 13", res.Included)
	}
	if len(rs.Flushes) != 1 || rs.Flushes[0].Object != parser.ObjRuleset {
		t.Errorf("want one flush ruleset, got %d flushes", len(rs.Flushes))
	}
	fams := map[Family]int{}
	for _, tb := range rs.Tables {
		fams[tb.Family]++
	}
	for _, f := range []Family{parser.FamilyInet, parser.FamilyIP, parser.FamilyIP6, parser.FamilyARP, parser.FamilyBridge, parser.FamilyNetdev} {
		if fams[f] == 0 {
			t.Errorf("no %s table (tables per family: %v)", f, fams)
		}
	}
	t.Logf("%d files, %d tables %v", len(res.Files.Files()), len(rs.Tables), fams)
}

// FuzzLoad parses and builds random input: nothing may panic.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("table ip t { chain c { type filter hook input priority filter + 1; policy drop; jump { accept; } } }\n"))
	f.Add([]byte("define a = { 1, 2 }\ndefine b = { $a, $a }\nadd table t\nadd set t s { type inet_service; elements = $b; }\ndelete element t s { 1 }\nflush ruleset\n"))
	for _, p := range corpusSeeds() {
		if src, err := os.ReadFile(p); err == nil && len(src) < 64<<10 {
			f.Add(src)
		}
	}
	dir := f.TempDir() // empty: includes find nothing; one for all runs keeps them fast
	f.Fuzz(func(t *testing.T, src []byte) {
		res, err := parser.Load(nil, parser.LoadConfig{Dir: dir}, parser.Source{Name: "fuzz.nft", Src: src})
		if err != nil {
			t.Fatal(err)
		}
		checkVarsBound(t, res)
		rs, _ := Build(res)
		if rs == nil {
			t.Fatal("nil ruleset")
		}
	})
}

// corpusSeeds lists the corpus's text and JSON files, or nothing when it
// is absent.
func corpusSeeds() []string {
	dir := os.Getenv("NFTLINT_SHARED")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared")
	}
	var out []string
	root := filepath.Join(dir, "corpus", "nftables-tests")
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".nft") || strings.HasSuffix(p, ".json-nft")) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// BenchmarkLoad loads and builds each perf corpus file.
func BenchmarkLoad(b *testing.B) {
	dir := filepath.Join(sharedDir(b), "corpus", "perf")
	paths, _ := filepath.Glob(filepath.Join(dir, "*.nft"))
	if len(paths) == 0 {
		b.Skip("no perf files")
	}
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Base(p), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				res, err := parser.Load(nil, parser.LoadConfig{Dir: dir}, parser.Source{Name: filepath.Base(p), Src: src})
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Errors) > 0 {
					b.Fatalf("%d errors, first: %v", len(res.Errors), res.Errors[0])
				}
				rs, _ := Build(res)
				if len(rs.Tables) == 0 {
					b.Fatal("no tables")
				}
			}
		})
	}
}

// BenchmarkBuild measures Build alone on the loaded perf files.
func BenchmarkBuild(b *testing.B) {
	dir := filepath.Join(sharedDir(b), "corpus", "perf")
	paths, _ := filepath.Glob(filepath.Join(dir, "*.nft"))
	if len(paths) == 0 {
		b.Skip("no perf files")
	}
	for _, p := range paths {
		res, err := parser.Load(nil, parser.LoadConfig{Dir: dir}, parser.Source{Name: filepath.Base(p)})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Base(p), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if rs, _ := Build(res); len(rs.Tables) == 0 {
					b.Fatal("no tables")
				}
			}
		})
	}
}
