package checks

import (
	"fmt"
	"testing"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// millionElementSet returns a ruleset with one set of n distinct IPv4
// elements, plus a repeat of element 12345 when dup is set. The element
// nodes carry positions in a file of one line per element.
func millionElementSet(n int, dup bool) *ruleset.Ruleset {
	fset := parser.NewFileSet()
	line := []byte("255.255.255.255\n")
	src := make([]byte, 0, (n+1)*len(line))
	for i := 0; i <= n; i++ {
		src = append(src, line...)
	}
	f := fset.AddFile("big.nft", src)
	t := &ruleset.Table{Family: parser.FamilyInet, Name: "t"}
	s := &ruleset.Set{Table: t, Name: "s"}
	elem := func(i, at int) *ruleset.Element {
		lit := &parser.Literal{Kind: parser.LitIPv4, Text: fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff),
			ValuePos: f.Pos(at * len(line)), EndPos: f.Pos(at*len(line) + 8)}
		return &ruleset.Element{Key: lit, Node: lit}
	}
	for i := 0; i < n; i++ {
		s.Elements = append(s.Elements, elem(i, i))
	}
	if dup {
		s.Elements = append(s.Elements, elem(12345, n))
	}
	t.Sets = []*ruleset.Set{s}
	return &ruleset.Ruleset{Files: fset, Tables: []*ruleset.Table{t}}
}

func TestDuplicateElementsMillion(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	for _, dup := range []bool{false, true} {
		var got []Diagnostic
		rs := millionElementSet(1_000_000, dup)
		runOne := func(d Diagnostic) { got = append(got, d) }
		runDuplicateElement(NewPass(nft405, rs, &Options{}, runOne))
		want := 0
		if dup {
			want = 1
		}
		if len(got) != want {
			t.Fatalf("dup=%v: got %d findings, want %d", dup, len(got), want)
		}
		if dup && got[0].Start.Line != 1_000_001 {
			t.Errorf("repeat reported at line %d, want 1000001: %s", got[0].Start.Line, got[0].Message)
		}
	}
}

func BenchmarkDuplicateElementsMillion(b *testing.B) {
	rs := millionElementSet(1_000_000, false)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runDuplicateElement(NewPass(nft405, rs, &Options{}, func(Diagnostic) {}))
	}
}
