package checks

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestSortHashed compares the radix sort with a comparison sort on
// inputs with repeated hashes (which must keep index order) and hashes
// that differ only in their high bits.
func TestSortHashed(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 5, radixMin - 1, radixMin, 50000} {
		hs := make([]hashedElem, n)
		for i := range hs {
			h := rng.Uint64()
			switch i % 3 {
			case 1:
				h = uint64(rng.IntN(50)) << 60 // differ in the top bits only
			case 2:
				h = uint64(rng.IntN(100)) // many repeats
			}
			hs[i] = hashedElem{h, i}
		}
		want := slices.Clone(hs)
		slices.SortFunc(want, func(a, b hashedElem) int {
			if c := cmp.Compare(a.h, b.h); c != 0 {
				return c
			}
			return cmp.Compare(a.i, b.i)
		})
		sortHashed(hs)
		if !slices.Equal(hs, want) {
			t.Errorf("n=%d: radix order differs from (hash, index) order", n)
		}
	}
}

// TestCanonStrFastPath checks that the canonical writer's shortcut for
// plain strings writes exactly what strconv.Quote writes.
func TestCanonStrFastPath(t *testing.T) {
	inputs := []string{"", "docker0", "10.0.0.1", `a"b`, `a\b`, "tab\there", "ünïcode", "\x7f", "~ok!"}
	for b := 0; b < 256; b++ {
		inputs = append(inputs, string([]byte{'x', byte(b)}))
	}
	fast := 0
	for _, s := range inputs {
		var w canonWriter
		w.str(s)
		if got, want := w.b.String(), strconv.Quote(s); got != want {
			t.Errorf("str(%q) wrote %s, want %s", s, got, want)
		}
		if plainASCII(s) {
			fast++
		}
	}
	if fast < 90 { // the printable ASCII bytes and the plain words
		t.Errorf("the fast path took %d inputs only", fast)
	}
}
