package checks

import (
	"cmp"
	"math/rand/v2"
	"slices"
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
