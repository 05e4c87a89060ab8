package parser

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// parseBoth parses src with element packing off and on.
func parseBoth(t *testing.T, name string, src []byte) (plain, packed *AST, plainErrs, packedErrs ErrorList) {
	t.Helper()
	// "0" and "1", not unset: the comparison must hold when packing
	// becomes the default.
	t.Setenv(packElementsEnv, "0")
	plain, plainErrs = ParseFile(NewFileSet(), name, src)
	t.Setenv(packElementsEnv, "1")
	packed, packedErrs = ParseFile(NewFileSet(), name, src)
	return plain, packed, plainErrs, packedErrs
}

// packStats counts what comparePacked saw.
type packStats struct{ runs, packed, elems int }

// comparePacked parses src with and without packing and reports every
// difference: errors, printed text, each run element against the node
// the unpacked parse built for it (position, text, form, family, bounds,
// At), and the whole trees once the runs are unpacked.
func comparePacked(t *testing.T, name string, src []byte) packStats {
	t.Helper()
	var st packStats
	plain, packed, plainErrs, packedErrs := parseBoth(t, name, src)
	if a, b := errorStrings(plainErrs), errorStrings(packedErrs); a != b {
		t.Errorf("%s: errors differ\nunpacked:\n%s\npacked:\n%s", name, a, b)
	}
	// Trees with Bad nodes do not print: then both must fail alike.
	var out1, out2 bytes.Buffer
	err1, err2 := Fprint(&out1, plain), Fprint(&out2, packed)
	if fmt.Sprint(err1) != fmt.Sprint(err2) {
		t.Errorf("%s: print: %v, packed: %v", name, err1, err2)
	}
	if out1.String() != out2.String() {
		t.Errorf("%s: printed text differs\nunpacked:\n%s\npacked:\n%s", name, out1.String(), out2.String())
	}
	plainSets, packedSets := setLits(plain), setLits(packed)
	if len(plainSets) != len(packedSets) {
		t.Fatalf("%s: %d set literals unpacked, %d packed", name, len(plainSets), len(packedSets))
	}
	for n, ps := range packedSets {
		elems := plainSets[n].Elems
		k := 0
		for _, e := range ps.Elems {
			r, ok := e.(*ElemRun)
			if !ok {
				k++
				continue
			}
			st.runs++
			if r.Len() == 0 {
				t.Errorf("%s: empty run", name)
			}
			for i := 0; i < r.Len(); i++ {
				if k >= len(elems) {
					t.Fatalf("%s: set %d: packed set has more elements than %d", name, n, len(elems))
				}
				checkRunElem(t, name, plain.File, r, i, elems[k])
				k++
				st.packed++
			}
		}
		if k != len(elems) {
			t.Errorf("%s: set %d: %d elements packed, %d unpacked", name, n, k, len(elems))
		}
		if NumElems(ps.Elems) != len(elems) {
			t.Errorf("%s: set %d: NumElems %d, want %d", name, n, NumElems(ps.Elems), len(elems))
		}
		st.elems += len(elems)
	}
	unpackElemRuns(packed.Cmds)
	if !reflect.DeepEqual(plain.Cmds, packed.Cmds) {
		d := diffAST(plain.Cmds, packed.Cmds)
		if d == "" {
			d = "positions"
		}
		t.Errorf("%s: unpacked runs differ from the unpacked parse at %s", name, d)
	}
	return st
}

func errorStrings(errs ErrorList) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "%v-%v %s %s\n", e.Pos, e.End, e.Code, e.Msg)
	}
	return b.String()
}

// setLits returns every set literal under ast in Inspect order.
func setLits(ast *AST) []*SetLit {
	var sets []*SetLit
	for _, c := range ast.Cmds {
		Inspect(c, func(n Node) bool {
			if s, ok := n.(*SetLit); ok {
				sets = append(sets, s)
			}
			return true
		})
	}
	return sets
}

// checkRunElem compares element i of r with the node the unpacked parse
// built, computing the expected bounds independently (netip, strconv).
func checkRunElem(t *testing.T, name string, file *File, r *ElemRun, i int, node Expr) {
	t.Helper()
	where := fmt.Sprintf("%s: run element %d %q", name, i, r.Text(i))
	if r.ElemPos(i) != node.Pos() || r.ElemEnd(i) != node.End() {
		t.Errorf("%s: at %d-%d, node at %d-%d", where, r.ElemPos(i), r.ElemEnd(i), node.Pos(), node.End())
		return
	}
	if text := string(file.Source()[file.Offset(node.Pos()):file.Offset(node.End())]); r.Text(i) != text {
		t.Errorf("%s: Text %q, node's source %q", where, r.Text(i), text)
	}
	if got := r.At(i); !reflect.DeepEqual(got, node) {
		t.Errorf("%s: At = %#v, node %#v", where, got, node)
	}
	var form ElemForm
	var lo, hi Uint128
	var family RunFamily
	var ok bool
	switch x := node.(type) {
	case *Literal, *Number:
		form = FormSingle
		family, lo, ok = leafValue(x)
		hi = lo
	case *Prefix:
		form = FormPrefix
		family, lo, ok = leafValue(x.X)
		if ok && int(x.Len.Value) != r.Bits(i) {
			t.Errorf("%s: Bits %d, node /%d", where, r.Bits(i), x.Len.Value)
		}
		hi = lastOfPrefix(family, lo, int(x.Len.Value))
	case *RangeExpr:
		form = FormRange
		family, lo, ok = leafValue(x.Lo)
		var f2 RunFamily
		f2, hi, _ = leafValue(x.Hi)
		ok = ok && f2 == family
	}
	if !ok {
		t.Errorf("%s: packed, but the node is %#v", where, node)
		return
	}
	if r.Form(i) != form || r.Family() != family {
		t.Errorf("%s: form %d family %d, node form %d family %d", where, r.Form(i), r.Family(), form, family)
	}
	if glo, ghi := r.Bounds(i); glo != lo || ghi != hi {
		t.Errorf("%s: Bounds %v-%v, want %v-%v", where, glo, ghi, lo, hi)
	}
	if lo.Cmp(hi) > 0 {
		t.Errorf("%s: packed with lo > hi", where)
	}
}

// leafValue returns the value of an address literal or a number.
func leafValue(x Expr) (RunFamily, Uint128, bool) {
	switch x := x.(type) {
	case *Literal:
		a, err := netip.ParseAddr(x.Text)
		if err != nil {
			return 0, Uint128{}, false
		}
		if a.Is4() && x.Kind == LitIPv4 {
			b := a.As4()
			return RunIPv4, Uint128{Lo: uint64(binary.BigEndian.Uint32(b[:]))}, true
		}
		if a.Is6() && x.Kind == LitIPv6 {
			b := a.As16()
			return RunIPv6, Uint128{Hi: binary.BigEndian.Uint64(b[:8]), Lo: binary.BigEndian.Uint64(b[8:])}, true
		}
	case *Number:
		v, err := strconv.ParseUint(x.Text, 10, 64)
		if err == nil && !x.Neg {
			return RunNumber, Uint128{Lo: v}, true
		}
	}
	return 0, Uint128{}, false
}

// lastOfPrefix sets the host bits of lo, bit by bit.
func lastOfPrefix(f RunFamily, lo Uint128, bits int) Uint128 {
	width := 32
	if f == RunIPv6 {
		width = 128
	}
	for b := bits; b < width; b++ {
		pos := width - 1 - b // bit index from the least significant end
		if pos >= 64 {
			lo.Hi |= 1 << (pos - 64)
		} else {
			lo.Lo |= 1 << pos
		}
	}
	return lo
}

// wrapElems puts an element list into the places a set literal occurs.
func wrapElems(elems string) []string {
	return []string{
		"define v = 9.9.9.9\ntable ip t {\n\tset s {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { " + elems + " }\n\t}\n\tchain c {\n\t\tip saddr { " + elems + " } accept\n\t}\n}\n",
		"define v = 22\nadd element ip t s { " + elems + " }\n",
		"define w = { " + elems + "}\nadd rule ip t c tcp dport { 1, " + elems + ", 2 } accept\n",
		"add element ip t s { " + elems, // end of file inside the list
	}
}

var elemEdgeCases = []string{
	"10.0.0.1", "10.0.0.1, 10.0.0.2", "10.0.0.0/8", "10.0.0.1/8", "10.0.0.9-10.0.0.1",
	"10.0.0.1-10.0.0.9", "10.0.0.1 - 10.0.0.9", "10.0.0.1 -10.0.0.9", "10.0.0.1- 10.0.0.9",
	"10.0.0.0/ 8", "10.0.0.0 /8", "010.0.0.1", "10.0.0.256", "1.2.3", "1.2.3.4.5", "1.2.3.4/33",
	"1.2.3.0/024", "0.0.0.0/0", "255.255.255.255/32", "1.2.3.4-1.2.3.4", "1.2.3.4/", "1.2.3.4-",
	"1.2.3.4/24-1.2.3.9", "1.2.3.4-5", "1-1.2.3.4", "1.2.3.4 & 255.0.0.0", "1.2.3.4/255.255.255.0",
	"1.2.3.4/24 ,5.6.7.0/24", "1.2.3.1234", "1.2.3.4a", "1.2.3.4:80", "1.2.3.4 . 22",
	"::1", "2001:db8::/32", "2001:db8::1/32", "::ffff:1.2.3.4", "::ffff:10.0.0.0/104",
	"2001:db8::1-2001:db8::9", "2001:db8::9-2001:db8::1", "[2001:db8::1]", "[::1]-[::2]",
	"fe80::1%eth0", "::/0", "dead:beef::1", "dead:beef::/32", "abcd::1-abcd::2", "10.0.0.1-::1",
	"::1-10.0.0.1", "1.2.3.4, ::1, 5.6.7.8, ::2", "::1, ::2, 22, 1.2.3.4", "::1/128", "::1/129",
	"2001:db8::/0032", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "1::", "1::-2::",
	"aa:bb:cc:dd:ee:ff", "00:11:22:33:44:55", "1:2", "ff:1", "1:2:3:4:5:6", "1:2:3:4:5:6:7:8",
	"1:2:3:4:5:6:7:8-1:2:3:4:5:6:7:9", "beef:1", "a:b:c:d:e:f",
	"22", "22, 80, 443", "1024-65535", "65535-1024", "0x10", "0x10-0x20", "010", "0", "00", "0-0",
	"18446744073709551615", "18446744073709551616", "99999999999999999999999", "1-18446744073709551615",
	"10s", "1h30m", "8021q", "8021", "22-ssh", "ssh", "22-80-90", "-1", "22/8",
	"22 : accept", "22:accept", "10.0.0.1 : 10.0.0.2", "10.0.0.1 . 22", "10.0.0.1 timeout 10s",
	"10.0.0.1 comment \"x\"", "10.0.0.1 counter", "22 counter packets 1 bytes 2",
	"{ 1.2.3.4, 5.6.7.8 }", "1.2.3.4, { 5.6.7.8, 9.9.9.9 }, 1.1.1.1", "$v", "1.2.3.4, $v, 5.6.7.8",
	"1.2.3.4 # c\n, 5.6.7.8", "1.2.3.4, # c\n 5.6.7.8", "1.2.3.4\n,\n5.6.7.8\n", "1.2.3.4\n5.6.7.8",
	"1.2.3.4,, 5.6.7.8", "1.2.3.4, foo bar, 5.6.7.8", "1.2.3.4; 5.6.7.8", "1.2.3.4, \\\n 5.6.7.8",
	"1.2.3.4 \\\n, 5.6.7.8", "1.2.3.4\r\n, 5.6.7.8", "1.2.3.4,\t5.6.7.8", "*", "1.2.3.4,", "1.2.3.4 ",
	"1.2.3.4,\n\n\n 5.6.7.8,\n", "1.2.3.4\t\t,\t\t5.6.7.8", "1.2.3.4,5.6.7.8,9.9.9.9", "1.2.3.4 }",
	"1.2.3.4 \x00", "1.2.3.4,\u00a0 5.6.7.8", "1.2.3.4 @s", "1.2.3.4, 1.2.3.4", "1.2.3.4-1.2.3.5 counter",
}

// TestElemRunsEdgeCases compares packed and unpacked parses of each edge
// case in every place a set literal occurs.
func TestElemRunsEdgeCases(t *testing.T) {
	var total packStats
	for _, c := range elemEdgeCases {
		for j, src := range wrapElems(c) {
			st := comparePacked(t, fmt.Sprintf("case %q/%d", c, j), []byte(src))
			total.runs += st.runs
			total.packed += st.packed
		}
	}
	if total.runs == 0 || total.packed == 0 {
		t.Fatalf("no element was packed: %+v", total)
	}
}

// TestElemRunsWhatIsPacked pins which single elements become runs (and
// of which family) and which stay nodes.
func TestElemRunsWhatIsPacked(t *testing.T) {
	cases := []struct {
		elem string
		want RunFamily // 0: not packed
	}{
		{"10.0.0.1", RunIPv4}, {"10.0.0.0/8", RunIPv4}, {"10.0.0.1-10.0.0.9", RunIPv4},
		{"10.0.0.1/8", 0}, {"10.0.0.9-10.0.0.1", 0}, {"010.0.0.1", 0}, {"10.0.0.256", 0},
		{"10.0.0.1 - 10.0.0.9", 0}, {"10.0.0.1 counter", 0}, {"10.0.0.1 : 22", 0}, {"10.0.0.1 . 22", 0},
		{"::1", RunIPv6}, {"2001:db8::/32", RunIPv6}, {"::1-::9", RunIPv6}, {"::ffff:1.2.3.4", RunIPv6},
		{"2001:db8::1/32", 0}, {"::9-::1", 0}, {"[::1]", 0}, {"10.0.0.1-::1", 0},
		{"aa:bb:cc:dd:ee:ff", 0}, {"00:11:22:33:44:55", 0}, {"1:2", 0},
		{"22", RunNumber}, {"0", RunNumber}, {"1024-65535", RunNumber}, {"65535-1024", 0},
		{"0x10", 0}, {"010", 0}, {"18446744073709551616", 0}, {"10s", 0}, {"22 # c\n", 0},
	}
	for _, c := range cases {
		src := "add element ip t s { " + c.elem + " }\n"
		t.Setenv(packElementsEnv, "1")
		ast, _ := ParseFile(NewFileSet(), "x.nft", []byte(src))
		var got RunFamily
		sets := setLits(ast)
		if len(sets) == 1 && len(sets[0].Elems) == 1 {
			if r, ok := sets[0].Elems[0].(*ElemRun); ok {
				got = r.Family()
			}
		}
		if got != c.want {
			t.Errorf("{ %s }: packed family %d, want %d", c.elem, got, c.want)
		}
		comparePacked(t, c.elem, []byte(src))
	}
	// Consecutive plain elements of one family share a run; anything else
	// ends it.
	t.Setenv(packElementsEnv, "1")
	ast, errs := ParseFile(NewFileSet(), "x.nft", []byte("add element ip t s { 1.1.1.1, 2.2.2.0/24,\n 3.3.3.3-3.3.3.4, ::1, ::2, 22, 1.1.1.1 counter, 4.4.4.4 }\n"))
	if errs != nil {
		t.Fatal(errs)
	}
	var shape []string
	for _, e := range setLits(ast)[0].Elems {
		if r, ok := e.(*ElemRun); ok {
			shape = append(shape, fmt.Sprintf("run%d×%d", r.Family(), r.Len()))
		} else {
			shape = append(shape, fmt.Sprintf("%T", e))
		}
	}
	if got, want := strings.Join(shape, " "), "run1×3 run2×2 run3×1 *parser.Elem run1×1"; got != want {
		t.Errorf("elements = %s, want %s", got, want)
	}
}

// TestElemRunsRandom compares packed and unpacked parses of random
// element lists mixing plain elements, near misses and junk.
func TestElemRunsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	pieces := []func() string{
		func() string { return randV4(rng) },
		func() string { return randV4(rng) + "/" + strconv.Itoa(rng.IntN(34)) },
		func() string { return randV4Prefix(rng) },
		func() string { return randV4(rng) + "-" + randV4(rng) },
		func() string { return strconv.FormatUint(rng.Uint64N(70000), 10) },
		func() string {
			return strconv.FormatUint(rng.Uint64N(70000), 10) + "-" + strconv.FormatUint(rng.Uint64N(70000), 10)
		},
		func() string { return randV6(rng) },
		func() string { return randV6(rng) + "/" + strconv.Itoa(rng.IntN(130)) },
		func() string { return randV6(rng) + "-" + randV6(rng) },
		func() string {
			return []string{"0x1f", "007", "aa:bb:cc:dd:ee:ff", "1:2", "10s", "$v", "foo", "{ 1.2.3.4 }",
				"1.2.3.4 counter", "22 : accept", "1.2.3.4 . 80", "[::1]", "01.2.3.4", "*", "",
				"1.2.3.4 - 1.2.3.5", "99999999999999999999", "::1%lo", "@s", "1.2.3.4/"}[rng.IntN(20)]
		},
	}
	seps := []string{", ", ",", " ,\n\t", "\n, ", ",\t", ", # c\n", " # c\n,", ",\\\n", "\n,\n", ",,", " ", ";", "\r\n,"}
	var total packStats
	for iter := 0; iter < 400; iter++ {
		var b strings.Builder
		n := 1 + rng.IntN(12)
		for i := 0; i < n; i++ {
			if i > 0 {
				if rng.IntN(8) == 0 {
					b.WriteString(seps[rng.IntN(len(seps))])
				} else {
					b.WriteString(seps[rng.IntN(3)])
				}
			}
			if rng.IntN(5) == 0 {
				b.WriteString(pieces[rng.IntN(len(pieces))]())
			} else {
				b.WriteString(pieces[rng.IntN(4)]())
			}
		}
		src := "define v = 1.2.3.4\nadd element ip t s { " + b.String() + " }\nadd rule ip t c ip saddr { " + b.String() + " } accept\n"
		st := comparePacked(t, fmt.Sprintf("random %d %q", iter, b.String()), []byte(src))
		total.packed += st.packed
		total.elems += st.elems
	}
	t.Logf("MEASURED random lists: %d of %d elements packed", total.packed, total.elems)
	if total.packed == 0 {
		t.Fatal("no element was packed")
	}
}

func randV4(rng *rand.Rand) string {
	return fmt.Sprintf("%d.%d.%d.%d", rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(256))
}

// randV4Prefix returns a prefix with zero host bits.
func randV4Prefix(rng *rand.Rand) string {
	bits := rng.IntN(33)
	a := netip.AddrFrom4([4]byte{byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))})
	return netip.PrefixFrom(a, bits).Masked().String()
}

func randV6(rng *rand.Rand) string {
	var b [16]byte
	for i := range b {
		if rng.IntN(3) > 0 {
			b[i] = byte(rng.IntN(256))
		}
	}
	return netip.AddrFrom16(b).String()
}

// TestElemRunsCorpus compares packed and unpacked parses of every text
// file of the corpus (and of the performance files unless -short).
func TestElemRunsCorpus(t *testing.T) {
	dir := corpusDir(t)
	rows := readTSV(t, filepath.Join(dir, "manifest.tsv"))
	var total packStats
	files := 0
	for _, row := range rows {
		if row["syntax"] != "nft" {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, row["file"]))
		if err != nil {
			t.Fatal(err)
		}
		st := comparePacked(t, row["file"], src)
		total.runs += st.runs
		total.packed += st.packed
		total.elems += st.elems
		files++
	}
	if !testing.Short() {
		for _, name := range []string{"big-set.nft", "large-ruleset.nft"} {
			src, err := os.ReadFile(filepath.Join(dir, "perf", name))
			if err != nil {
				t.Logf("perf file %s: %v", name, err)
				continue
			}
			st := comparePacked(t, name, src)
			t.Logf("MEASURED %s: %d of %d set elements packed in %d runs", name, st.packed, st.elems, st.runs)
		}
	}
	t.Logf("MEASURED corpus: %d text files, %d of %d set elements packed in %d runs", files, total.packed, total.elems, total.runs)
	if files == 0 || total.packed == 0 {
		t.Fatalf("nothing compared: %d files, %d packed elements", files, total.packed)
	}
}

// TestElemRunsExpansionLimits checks that a define holding runs counts
// toward the expansion limits as the nodes its elements would have been:
// every limit gives the same errors with and without packing.
func TestElemRunsExpansionLimits(t *testing.T) {
	src := []byte("define v = { 1.1.1.1, 2.2.2.0/24, 3.3.3.3-3.3.3.4, 22, ::1 }\ndefine w = { $v, 4.4.4.4 }\nadd rule ip t c ip saddr $w accept\nadd rule ip t c ip saddr $v accept\n")
	load := func(pack string, lim Limits) string {
		t.Setenv(packElementsEnv, pack)
		res, err := Load(NewFileSet(), LoadConfig{Limits: lim}, Source{Name: "x.nft", Src: src})
		if err != nil {
			t.Fatal(err)
		}
		return errorStrings(res.Errors)
	}
	limited := 0
	for n := 1; n <= 40; n++ {
		for _, lim := range []Limits{{MaxExpansion: n}, {MaxTotalExpansion: n}} {
			plain, packed := load("0", lim), load("1", lim)
			if plain != packed {
				t.Errorf("limits %+v: errors differ\nunpacked:\n%s\npacked:\n%s", lim, plain, packed)
			}
			if plain != "" {
				limited++
			}
		}
	}
	if limited == 0 {
		t.Fatal("no limit was reached: the test checks nothing")
	}
}

// FuzzElemRuns compares packed and unpacked parses of fuzzed element
// lists (go test -fuzz FuzzElemRuns ./parser/).
func FuzzElemRuns(f *testing.F) {
	for _, c := range elemEdgeCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, elems string) {
		comparePacked(t, "fuzz", []byte("define v = 1\nadd element ip t s { "+elems+" }\nadd rule ip t c ip saddr { "+elems+", 1.2.3.4 } accept\n"))
	})
}

// TestElemRunsRoom checks the room runs reserve: a long run gets the
// count of the literal's commas at once, a short run before many other
// elements does not.
func TestElemRunsRoom(t *testing.T) {
	t.Setenv(packElementsEnv, "1")
	var long, short strings.Builder
	long.WriteString("add element ip t s { ")
	short.WriteString("add element ip t s { 1.2.3.4")
	for i := 0; i < 1000; i++ {
		if i > 0 {
			long.WriteString(", ")
		}
		fmt.Fprintf(&long, "10.0.%d.%d", i/256, i%256)
		fmt.Fprintf(&short, ", w%d", i)
	}
	long.WriteString(" }\n")
	short.WriteString(" }\n")
	for _, c := range []struct {
		src          string
		n, maxRoom   int
		wantElements int
	}{
		{long.String(), 1000, 1000, 1000},
		{short.String(), 1, firstRunHint, 1001},
	} {
		ast, errs := ParseFile(NewFileSet(), "x.nft", []byte(c.src))
		if errs != nil {
			t.Fatal(errs)
		}
		s := setLits(ast)[0]
		r, ok := s.Elems[0].(*ElemRun)
		if !ok {
			t.Errorf("first element %T, want a run", s.Elems[0])
			continue
		}
		if r.Len() != c.n || cap(r.v4) > c.maxRoom || NumElems(s.Elems) != c.wantElements {
			t.Errorf("run of %d, room %d, %d elements; want a run of %d with room <= %d, %d elements",
				r.Len(), cap(r.v4), NumElems(s.Elems), c.n, c.maxRoom, c.wantElements)
		}
	}
}
