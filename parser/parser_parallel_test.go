package parser

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// comparePieces parses src sequentially and cut into n pieces for every
// n in ns, and fails the test where the ASTs (positions included),
// comments or errors differ. It returns how many pieces were adopted in
// all.
func comparePieces(t *testing.T, name string, src []byte, ns ...int) int {
	t.Helper()
	file := NewFileSet().AddFile(name, src)
	want, wantErrs, _ := parseInPieces(file, 1)
	adopted := 0
	for _, n := range ns {
		got, gotErrs, k := parseInPieces(file, n)
		adopted += k
		if k > n-1 {
			t.Errorf("%s, %d pieces: %d adopted", name, n, k)
		}
		if !reflect.DeepEqual(gotErrs, wantErrs) {
			t.Errorf("%s, %d pieces (%d adopted): errors differ:\n got %v\nwant %v", name, n, k, gotErrs, wantErrs)
		}
		if !reflect.DeepEqual(got.Comments, want.Comments) {
			t.Errorf("%s, %d pieces (%d adopted): %d comments, want %d", name, n, k, len(got.Comments), len(want.Comments))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s, %d pieces (%d adopted): AST differs: %s", name, n, k, firstDifference(got.Cmds, want.Cmds))
		}
	}
	return adopted
}

// firstDifference describes the first command that differs.
func firstDifference(got, want []Cmd) string {
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			var g, w bytes.Buffer
			Fprint(&g, &AST{Cmds: got[i : i+1]})
			Fprint(&w, &AST{Cmds: want[i : i+1]})
			return fmt.Sprintf("command %d:\n got %.300q\nwant %.300q", i, g.String(), w.String())
		}
	}
	return fmt.Sprintf("%d commands, want %d", len(got), len(want))
}

// bothPackings runs f with element packing on and off.
func bothPackings(t *testing.T, f func(t *testing.T)) {
	for _, pack := range []string{"1", "0"} {
		t.Run("pack="+pack, func(t *testing.T) {
			t.Setenv(packElementsEnv, pack)
			f(t)
		})
	}
}

func perfSource(t *testing.T, name string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(corpusDir(t), "perf", name))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestPiecesCorpus(t *testing.T) {
	dir := corpusDir(t)
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".nft") && !strings.Contains(path, string(filepath.Separator)+"perf"+string(filepath.Separator)) {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("only %d corpus files in %s", len(files), dir)
	}
	bothPackings(t, func(t *testing.T) {
		adopted := 0
		for _, path := range files {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			adopted += comparePieces(t, path, src, 2, 3, 5)
		}
		// Most corpus files parse cleanly and have more than one line:
		// pieces must be adopted in many of them.
		t.Logf("%d files, %d pieces adopted", len(files), adopted)
		if adopted < len(files) {
			t.Errorf("only %d pieces adopted in %d files", adopted, len(files))
		}
	})
}

func TestPiecesPerf(t *testing.T) {
	for _, name := range []string{"large-ruleset.nft", "big-set.nft"} {
		src := perfSource(t, name)
		t.Run(name, func(t *testing.T) {
			bothPackings(t, func(t *testing.T) {
				ns := []int{2, 3, 4}
				if testing.Short() || name == "big-set.nft" {
					ns = ns[:1] // big-set.nft has a million elements to compare
				}
				for _, n := range ns {
					adopted := comparePieces(t, name, src, n)
					// big-set.nft is one table whose set fills it: it
					// has no cut point but its last chain.
					if name == "large-ruleset.nft" && adopted != n-1 {
						t.Errorf("%d pieces: %d adopted, want %d", n, adopted, n-1)
					}
				}
			})
		})
	}
}

// TestPiecesMutated compares the parses of damaged variants of a part of
// large-ruleset.nft: errors and unbalanced braces before, at and after
// the cut points, and truncations.
func TestPiecesMutated(t *testing.T) {
	full := perfSource(t, "large-ruleset.nft")
	// The start of the file (defines, the start of table inet filter),
	// the table closed, and the top-level commands at its end.
	lines := bytes.SplitAfter(full, []byte("\n"))
	var base []byte
	for _, l := range lines[:1500] {
		base = append(base, l...)
	}
	base = append(base, "}\n"...)
	for _, l := range lines[len(lines)-500:] {
		base = append(base, l...)
	}
	edits := []string{"}", "{", "\"", "#", "\\\n", ";", "\n", "\r\n", "table x {", "chain c {", "$", "@", "\xef\xbb\xbf", "(", "ip saddr", "define x = ", "\t\tchain", "\xff"}
	rng := rand.New(rand.NewSource(1))
	// The cut points of the unchanged text, where damage matters most.
	points := splitPoints(string(base), 4, new(atomic.Bool))
	if len(points) == 0 {
		t.Fatal("no cut points in the test input")
	}
	iterations := 200
	if testing.Short() {
		iterations = 40
	}
	bothPackings(t, func(t *testing.T) {
		adopted := 0
		for i := range iterations {
			var at int
			if i%2 == 0 {
				at = points[rng.Intn(len(points))].off + rng.Intn(400) - 200
			} else {
				at = rng.Intn(len(base))
			}
			at = max(0, min(at, len(base)))
			var src []byte
			switch i % 3 {
			case 0:
				src = append(append(append([]byte(nil), base[:at]...), edits[rng.Intn(len(edits))]...), base[at:]...)
			case 1:
				end := min(len(base), at+rng.Intn(50))
				src = append(append([]byte(nil), base[:at]...), base[end:]...)
			case 2:
				src = base[:at]
			}
			adopted += comparePieces(t, fmt.Sprintf("mutation %d at %d", i, at), src, 2, 4)
		}
		t.Logf("%d mutations, %d pieces adopted", iterations, adopted)
		if adopted == 0 {
			t.Error("no piece adopted in any mutation")
		}
	})
	// Truncations of the whole file around its cut point.
	for _, at := range splitPoints(string(full), 2, new(atomic.Bool)) {
		for _, d := range []int{-5000, -1, 0, 1, 7, 5000} {
			comparePieces(t, fmt.Sprintf("truncated at %d", at.off+d), full[:at.off+d], 2)
		}
	}
}

// TestPiecesStates cuts small files at points where the parser's state
// differs from the one a piece assumes, or where the guess of a cut is
// wrong.
func TestPiecesStates(t *testing.T) {
	tests := []string{
		// A selector's scope at the end of a rule, then a define.
		"add rule ip t c ip saddr 1.2.3.4\ndefine x = saddr\nadd rule ip t c tcp dport 1 accept\n",
		"table ip t {\n\tchain c {\n\t\tip saddr 1.2.3.4\n\t}\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = { saddr }\n\t}\n}\n",
		// An error before the cut.
		"table ip t {\n\tchain c {\n\t\tip saddr 1.2.3.4 bogus\n\t}\n\tchain d {\n\t\taccept\n\t}\n}\nadd rule ip t d drop\n",
		// A line continuation and a comment before the cut.
		"table ip t {\n\tchain c { accept; } \\\n\tchain d { drop; }\n\t# x\n\tchain e { drop; }\n}\n",
		// Items that look like cuts but are inside a define, an element
		// list, a string and a comment.
		"define s = {\n\tfoo,\nbar\n}\nadd element ip t s {\n1.2.3.4,\nfoo\n}\nadd rule ip t c meta mark 1 comment \"x\nchain y {\"\n# {\nadd rule ip t c accept\n",
		// A top-level chain block, then a set block.
		"chain ip t c {\n\taccept\n\tdrop\n}\nadd set ip t s {\n\ttype ipv4_addr\n\tsize 10\n}\n",
		// Unbalanced braces.
		"table ip t {\n\tchain c {\n\t\taccept\n\t}\n\tchain d {\n\t\tdrop\n}\nadd rule ip t c accept\n}\n}\nadd rule ip t c accept\n",
		// Too deep.
		"table ip t {\n\tchain c {\n" + strings.Repeat("{", MaxNestingDepth+1) + "\n\t}\n\tchain d {\n\t\tdrop\n\t}\n}\n",
	}
	adopted := 0
	for _, src := range tests {
		for rep := 1; rep <= 3; rep++ {
			adopted += comparePieces(t, fmt.Sprintf("%.40q×%d", src, rep), []byte(strings.Repeat(src, rep)), 2, 3, 4, 7)
		}
	}
	if adopted == 0 {
		t.Error("no piece adopted")
	}
	// A command that an ip selector's scope reaches: nft reads addr as
	// a keyword there, not a value. Moved past the middle line by line,
	// so that the cut falls on it, and on the line after it.
	const clean, scoped = "add rule ip t c accept\n", "add rule ip t c ip saddr 1.2.3.4\ndefine x = addr\n"
	for k := range 60 {
		src := strings.Repeat(clean, k) + scoped + strings.Repeat(clean, 30)
		comparePieces(t, fmt.Sprintf("scope after %d lines", k), []byte(src), 2)
	}
}

// TestPiecesResync cuts a table of maps declared with typeof: each leaves
// the scope of its selector behind, so no parser arrives at a cut in the
// state a piece starts in, but it does at the next item.
func TestPiecesResync(t *testing.T) {
	var src strings.Builder
	src.WriteString("table ip t {\n")
	for i := range 100 {
		fmt.Fprintf(&src, "\tmap m%d {\n\t\ttypeof ip daddr : verdict\n\t}\n", i)
	}
	src.WriteString("}\n")
	if adopted := comparePieces(t, "maps.nft", []byte(src.String()), 2); adopted != 1 {
		t.Errorf("%d pieces adopted, want 1", adopted)
	}
}

// TestPiecesNoLeak checks that a parse in pieces leaves no goroutine
// behind, whether its pieces were adopted or not.
func TestPiecesNoLeak(t *testing.T) {
	src := []byte(strings.Repeat("table ip t {\n\tchain c {\n\t\taccept\n\t}\n}\n", 50))
	bad := append([]byte("bogus\n"), src...)
	before := runtime.NumGoroutine()
	for range 20 {
		for _, s := range [][]byte{src, bad} {
			parseInPieces(NewFileSet().AddFile("x.nft", s), 4)
		}
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines before, %d after", before, after)
	}
}

func TestPieceCount(t *testing.T) {
	if n := pieceCount(parallelMinSize - 1); n != 1 {
		t.Errorf("pieceCount(%d) = %d, want 1", parallelMinSize-1, n)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if n := pieceCount(100 << 20); n != 1 {
		t.Errorf("with GOMAXPROCS 1, pieceCount = %d, want 1", n)
	}
	runtime.GOMAXPROCS(4)
	if n := pieceCount(100 << 20); n != 4 {
		t.Errorf("with GOMAXPROCS 4, pieceCount = %d, want 4", n)
	}
	if n := pieceCount(parallelMinSize); n != 2 {
		t.Errorf("with GOMAXPROCS 4, pieceCount(%d) = %d, want 2", parallelMinSize, n)
	}
}

// FuzzParseInPieces checks that a parse in pieces equals the sequential
// parse.
func FuzzParseInPieces(f *testing.F) {
	f.Add([]byte("table inet t {\n\tchain c {\n\t\taccept\n\t}\n\tchain d {\n\t\tdrop\n\t}\n}\nadd rule inet t c drop\nadd rule inet t d accept\n"), uint8(2))
	f.Add([]byte("define x = 1\nadd rule ip t c ip saddr 1.2.3.4\nadd rule ip t c meta mark $x\n"), uint8(3))
	f.Add([]byte("chain ip t c {\n\taccept\n\tip saddr 1.2.3.4\n\tdrop\n}\n"), uint8(4))
	for i, src := range fuzzCorpusSeeds() {
		f.Add(src, uint8(i))
	}
	f.Fuzz(func(t *testing.T, src []byte, n uint8) {
		comparePieces(t, "fuzz.nft", src, 2+int(n%6))
	})
}

func TestSplitPoints(t *testing.T) {
	chains := "table ip t { # {\n" + strings.Repeat("\tchain c {\n\t\tmeta mark \"}\" accept\n\t}\n", 20) + "}\n"
	points := splitPoints(chains, 2, new(atomic.Bool))
	if len(points) != 1 {
		t.Fatalf("%d points in a table of chains, want 1", len(points))
	}
	at := points[0]
	if !strings.HasPrefix(chains[at.off:], "chain c {") || at.cmd != 0 || at.open != strings.IndexByte(chains, '{') || chains[at.prevEnd-1] != '\n' {
		t.Errorf("point %+v at %.20q", at, chains[at.off:])
	}
	set := "table ip t {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = {\n" + strings.Repeat("\t\t\t10.0.0.1, 10.0.0.2,\n", 100) + "\t\t}\n\t}\n\tchain c {\n\t}\n}\n"
	if points := splitPoints(set, 2, new(atomic.Bool)); len(points) != 0 {
		t.Errorf("points %+v in a set literal", points)
	}
	stop := new(atomic.Bool)
	stop.Store(true)
	if points := splitPoints(chains, 2, stop); len(points) != 0 {
		t.Errorf("points %+v after stop", points)
	}
}
