package checks

// hashIndex maps keyHashes to ints, for the rule checks' per-chain
// lookups (NFT308 looks up to 63 subsets of every rule). A keyHash is
// already uniformly random, so the table takes its slot from the hash's
// low bits instead of hashing the 16 bytes again as a Go map would, and
// it is reused from chain to chain. Open addressing, linear probing;
// the zero value is an empty index.
type hashIndex struct {
	slots []hashSlot // a power of two of them, at most half used
	n     int        // used slots
}

type hashSlot struct {
	key  keyHash
	val  int32
	used bool
}

// reset empties the index for a chain of up to n entries. Emptying
// costs as much as the slots, so an index much larger than a chain
// needs is made again at its size.
func (x *hashIndex) reset(n int) {
	size := 16
	for size < 2*n {
		size *= 2
	}
	if len(x.slots) < size || len(x.slots) > 8*size {
		x.slots = make([]hashSlot, size)
	} else {
		clear(x.slots)
	}
	x.n = 0
}

// len returns the number of entries.
func (x *hashIndex) len() int { return x.n }

// find returns the slot of k: the one holding it, or the empty one where
// it goes.
func (x *hashIndex) find(k keyHash) *hashSlot {
	mask := uint64(len(x.slots) - 1)
	for i := k.a & mask; ; i = (i + 1) & mask {
		if s := &x.slots[i]; !s.used || s.key == k {
			return s
		}
	}
}

// get returns the value of k and whether k is in the index.
func (x *hashIndex) get(k keyHash) (int, bool) {
	if len(x.slots) == 0 {
		return 0, false
	}
	s := x.find(k)
	return int(s.val), s.used
}

// set makes v the value of k.
func (x *hashIndex) set(k keyHash, v int) {
	if 2*(x.n+1) > len(x.slots) {
		x.grow()
	}
	s := x.find(k)
	if !s.used {
		s.key, s.used = k, true
		x.n++
	}
	s.val = int32(v)
}

// grow doubles the slots (only if a chain holds more entries than reset
// was told).
func (x *hashIndex) grow() {
	old := x.slots
	x.slots = make([]hashSlot, max(16, 2*len(old)))
	for i := range old {
		if old[i].used {
			*x.find(old[i].key) = old[i]
		}
	}
}
