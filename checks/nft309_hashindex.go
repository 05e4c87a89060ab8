package checks

// hashIndex maps keyHashes to ints, for the rule checks' per-chain
// lookups (NFT308 looks up to 63 subsets of every rule). A keyHash is
// already uniformly random, so the table takes its slot from the hash's
// low bits instead of hashing the 16 bytes again as a Go map would. It
// is reused from chain to chain: a slot holds an entry only when it was
// written since the last reset (its gen is the index's), so emptying the
// index for the next chain writes nothing, however long the longest
// chain so far was. Open addressing, linear probing; the zero value is
// an empty index.
type hashIndex struct {
	slots []hashSlot // a power of two of them, at most 2/3 used
	gen   uint32     // of the slots in use; 0 in none
	n     int        // slots in use
}

type hashSlot struct {
	key keyHash
	val int32
	gen uint32
}

// reset empties the index for a chain of up to n entries, using as
// many of the slots as that needs.
func (x *hashIndex) reset(n int) {
	size := 16
	for 2*size < 3*n {
		size *= 2
	}
	if cap(x.slots) < size {
		x.slots, x.gen = newSlots(size), 0
	}
	x.slots = x.slots[:size]
	x.gen++
	if x.gen == 0 { // wrapped: the slots of generation 1 would come back
		clear(x.slots[:cap(x.slots)])
		x.gen = 1
	}
	x.n = 0
}

// len returns the number of entries.
func (x *hashIndex) len() int { return x.n }

// find returns the slot of k: the one holding it, or the free one where
// it goes.
func (x *hashIndex) find(k keyHash) *hashSlot {
	mask := uint64(len(x.slots) - 1)
	for i := k.a & mask; ; i = (i + 1) & mask {
		if s := &x.slots[i]; s.gen != x.gen || s.key == k {
			return s
		}
	}
}

// get returns the value of k and whether k is in the index.
func (x *hashIndex) get(k keyHash) (int, bool) {
	if x.n == 0 {
		return 0, false
	}
	s := x.find(k)
	return int(s.val), s.gen == x.gen
}

// set makes v the value of k.
func (x *hashIndex) set(k keyHash, v int) {
	if 3*(x.n+1) > 2*len(x.slots) {
		x.grow()
	}
	s := x.find(k)
	if s.gen != x.gen {
		s.key, s.gen = k, x.gen
		x.n++
	}
	s.val = int32(v)
}

// newSlots returns n empty slots, written: the index reads a slot before
// it writes it, and a read of a page never written maps the shared zero
// page, whose replacement on the first write makes the kernel flush the
// TLB of every core running the process (for a fresh table of tens of
// thousands of slots, most of its pages).
func newSlots(n int) []hashSlot {
	slots := make([]hashSlot, n)
	clear(slots)
	return slots
}

// grow doubles the slots (only if a chain holds more entries than reset
// was told).
func (x *hashIndex) grow() {
	old := x.slots
	if x.gen == 0 { // the zero index
		x.gen = 1
	}
	x.slots = newSlots(max(16, 2*len(old)))
	for i := range old {
		if old[i].gen == x.gen {
			*x.find(old[i].key) = old[i]
		}
	}
}
