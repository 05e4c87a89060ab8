package ruleset

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nftlint/nftlint/parser"
)

// buildSource loads src as main.nft and builds it.
func buildSource(t *testing.T, src string) *Ruleset {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.nft"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := parser.Load(nil, parser.LoadConfig{Dir: dir}, parser.Source{Name: "main.nft"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors {
		t.Fatalf("load error: %v", e)
	}
	rs, _ := Build(res)
	return rs
}

// elementTexts lists a set's elements, packed or not, in order.
func elementTexts(rs *Ruleset, s *Set) []string {
	var out []string
	for el := range s.All {
		k := el.Key()
		f := rs.Files.File(k.Pos())
		out = append(out, string(f.Source()[f.Offset(k.Pos()):f.Offset(k.End())]))
	}
	return out
}

// With packing on, plain elements are kept as runs, in the order they
// were added among the other elements, and delete/flush see them.
func TestBuildPackedRuns(t *testing.T) {
	const src = `table ip t {
	set s {
		type ipv4_addr; flags interval
		elements = { 10.0.0.1, 10.0.0.2, 10.0.1.0/24 comment "x", 10.0.2.0-10.0.2.9, 10.0.3.1 }
	}
	set u { type ipv4_addr; elements = { 1.1.1.1, 2.2.2.2 } }
}
add element ip t s { 10.0.4.1, 10.0.4.2 }
delete element ip t s { 10.0.0.2 }
flush set ip t u
`
	want := []string{"10.0.0.1", "10.0.1.0/24", "10.0.2.0-10.0.2.9", "10.0.3.1", "10.0.4.1", "10.0.4.2"}
	for _, pack := range []string{"0", "1"} {
		t.Run("pack="+pack, func(t *testing.T) {
			t.Setenv("NFTLINT_PACK_ELEMENTS", pack)
			rs := buildSource(t, src)
			s := rs.Tables[0].Set("s")
			got := elementTexts(rs, s)
			if len(got) != len(want) || s.Len() != len(want) {
				t.Fatalf("elements %q (Len %d), want %q", got, s.Len(), want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("elements %q, want %q", got, want)
				}
			}
			if pack == "1" && len(s.Runs) == 0 {
				t.Errorf("packing on, but set s has no runs")
			}
			if pack == "0" && len(s.Runs) != 0 {
				t.Errorf("packing off, but set s has %d runs", len(s.Runs))
			}
			if u := rs.Tables[0].Set("u"); u.Len() != 0 || u.static() {
				t.Errorf("flushed set u has %d elements", u.Len())
			}
		})
	}
}
