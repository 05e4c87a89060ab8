package checks

import (
	"cmp"
	"slices"
)

// hashedElem is an element's index with the hash of its key, for the
// checks that find equal elements by sorting hashes (NFT405, NFT213).
type hashedElem struct {
	h uint64
	i int
}

// radixMin is the length from which sortHashed uses a radix sort; below
// it a comparison sort is faster.
const radixMin = 1024

// sortHashed sorts hs by hash, then by index. Sets hold up to millions of
// elements: a least-significant-digit radix sort on the hash (4 passes
// of 16 bits, stable, so indices appended in order stay in order) takes
// a fraction of a comparison sort's time. hs must be in index order.
func sortHashed(hs []hashedElem) {
	if len(hs) < radixMin {
		slices.SortFunc(hs, func(a, b hashedElem) int {
			if c := cmp.Compare(a.h, b.h); c != 0 {
				return c
			}
			return cmp.Compare(a.i, b.i)
		})
		return
	}
	src, dst := hs, make([]hashedElem, len(hs))
	var count [1 << 16]int
	for shift := 0; shift < 64; shift += 16 {
		clear(count[:])
		for _, x := range src {
			count[(x.h>>shift)&0xffff]++
		}
		sum := 0
		for d, c := range count {
			count[d] = sum
			sum += c
		}
		for _, x := range src {
			d := (x.h >> shift) & 0xffff
			dst[count[d]] = x
			count[d]++
		}
		src, dst = dst, src
	}
	// After an even number of passes the result is back in hs.
}
