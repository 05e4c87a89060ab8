package checks

import (
	"math/rand/v2"
	"testing"
)

// TestHashIndex requires hashIndex to hold what a map holds, from chain
// to chain: larger and smaller resets, more entries than a reset was
// told, colliding low bits, and nothing left of the chain before.
func TestHashIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var x hashIndex
	if _, ok := x.get(keyHash{}); ok || x.len() != 0 {
		t.Fatal("the zero index is not empty")
	}
	var before map[keyHash]int
	for round, n := range []int{0, 1000, 10, 3000, 5, 40, 1000} {
		x.reset(n)
		for k := range before {
			if _, ok := x.get(k); ok {
				t.Fatalf("round %d: an entry of the chain before is found", round)
			}
		}
		want := map[keyHash]int{}
		before = want
		for i := range 2*n + 20 { // past n: the index grows
			k := keyHash{uint64(r.IntN(64)) << 20, r.Uint64()} // same slot for many keys
			if r.IntN(4) == 0 && len(want) > 0 {
				for old := range want { // overwrite
					k = old
					break
				}
			}
			x.set(k, i)
			want[k] = i
		}
		if x.len() != len(want) {
			t.Errorf("round %d: %d entries, want %d", round, x.len(), len(want))
		}
		for k, v := range want {
			if got, ok := x.get(k); !ok || got != v {
				t.Errorf("round %d: get(%v) = %d, %v, want %d", round, k, got, ok, v)
			}
		}
		for range 100 {
			if _, ok := x.get(keyHash{r.Uint64(), r.Uint64()}); ok {
				t.Errorf("round %d: a key never set is found", round)
			}
		}
	}
}
