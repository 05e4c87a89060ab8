package checks

// The statement hashes NFT308 and NFT309 both compare: the canonical key
// of every statement of every rule, hashed (about 175,000 statements on a
// large ruleset, most of what the two checks cost). A Run computes them
// once and both checks read them.

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/nftlint/nftlint/ruleset"
)

// ruleHashMemo holds, per chain, the hash of each statement of its rules
// and of each rule's statement sequence, computed under one canonMemo (so
// that the hashes of the two checks are comparable; keys from different
// memos are not). The checks run in parallel: a chain's rules are hashed
// in order, a chunk at a time, by whichever check asks first, and read
// without locking once published. Once both checks are done with a
// chain its hashes are dropped and their storage is reused for a later
// chain (16 bytes a statement: 3 MB on a large ruleset, where the two
// checks, started together, stay up to some 40,000 statements apart).
// The hashes of chains only one check is done with wait for the other
// up to maxPendingStmts statements, the oldest then being dropped too: a
// run of one of the checks reuses that storage, and a check that fell
// that far behind hashes its chain again. The zero value is ready to use.
type ruleHashMemo struct {
	mu           sync.Mutex // guards canon, chains and the hashing of rules
	canon        *canonMemo
	chains       map[*ruleset.Chain]*chainHashes
	pending      []*ruleset.Chain // done by one check, oldest first
	pendingStmts int              // their statements
	// doneOnce are the chains dropped from pending: the check that asks
	// for one again is the other, so its hashes are dropped at once.
	doneOnce map[*ruleset.Chain]bool
	spare    []*chainHashes // dropped, their slices to reuse
	hashed   int            // rules hashed, for tests
}

// maxSpare is the number of dropped chains whose storage is kept.
const maxSpare = 32

// maxPendingStmts is the number of statements of the chains done by
// one check whose hashes are kept for the other (1 MiB).
const maxPendingStmts = 1 << 16

// chainHashes are the hashes of one chain's rules, filled in order:
// rules [0, done) are hashed and no longer written.
type chainHashes struct {
	rules []*ruleset.Rule
	done  atomic.Int32
	// users is the number of checks that asked for the chain, released
	// the number done with it (both under the memo's lock).
	users, released int
	// Rule i's statement hashes are stmts[start[i]:start[i+1]] (written
	// only when ok[i]); rule[i] is seqHash of them.
	start []int32
	stmts []keyHash
	rule  []keyHash
	ok    []bool
}

// hashChunk is the number of rules hashed per lock: enough that the
// checks rarely take the lock, few enough that little is hashed past a
// rule that ends the chain (the checks stop there).
const hashChunk = 64

// chain returns the hashes of c's rules, made (empty) on first use.
func (m *ruleHashMemo) chain(c *ruleset.Chain) *chainHashes {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.canon == nil {
		m.canon = newCanonMemo()
		m.chains = make(map[*ruleset.Chain]*chainHashes)
	}
	if h := m.chains[c]; h != nil {
		h.users++
		return h
	}
	n := 0
	for _, r := range c.Rules {
		n += len(r.Stmts)
	}
	h := &chainHashes{rules: c.Rules, users: 1}
	if m.doneOnce[c] {
		delete(m.doneOnce, c)
		h.users, h.released = 2, 1
	}
	if old := m.takeSpare(len(c.Rules), n); old != nil {
		// Nothing needs clearing: hashTo writes every entry before it
		// publishes it.
		h.start, h.rule, h.ok, h.stmts = old.start[:len(c.Rules)+1], old.rule[:len(c.Rules)], old.ok[:len(c.Rules)], old.stmts[:n]
	} else {
		h.start, h.rule, h.ok, h.stmts = make([]int32, len(c.Rules)+1), make([]keyHash, len(c.Rules)), make([]bool, len(c.Rules)), make([]keyHash, n)
	}
	n = 0
	for i, r := range c.Rules {
		h.start[i] = int32(n)
		n += len(r.Stmts)
	}
	h.start[len(c.Rules)] = int32(n)
	m.chains[c] = h
	return h
}

// takeSpare removes and returns a dropped chain whose storage holds
// rules rules of stmts statements, or nil.
func (m *ruleHashMemo) takeSpare(rules, stmts int) *chainHashes {
	for i, h := range m.spare {
		if cap(h.ok) >= rules && cap(h.rule) >= rules && cap(h.start) >= rules+1 && cap(h.stmts) >= stmts {
			m.spare = slices.Delete(m.spare, i, i+1)
			return h
		}
	}
	return nil
}

// release tells the memo that a check is done with the chain c, whose
// hashes h are. Once two checks (NFT308 and NFT309 ask once each per run)
// and every check that asked are done, they are dropped and their storage
// is kept for reuse; after one check, they are pending. A chain asked for
// again is hashed again, to the same hashes.
func (m *ruleHashMemo) release(c *ruleset.Chain, h *chainHashes) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h.released++
	if h.released < h.users || m.chains[c] != h {
		return
	}
	if h.released >= 2 {
		if i := slices.Index(m.pending, c); i >= 0 {
			m.pending = slices.Delete(m.pending, i, i+1)
			m.pendingStmts -= len(h.stmts)
		}
		m.drop(c, h)
		return
	}
	m.pending = append(m.pending, c)
	m.pendingStmts += len(h.stmts)
	for m.pendingStmts > maxPendingStmts && len(m.pending) > 1 {
		old := m.chains[m.pending[0]]
		if old.released < old.users {
			break // asked for again, in use: dropped on its release
		}
		if m.doneOnce == nil {
			m.doneOnce = make(map[*ruleset.Chain]bool)
		}
		m.doneOnce[m.pending[0]] = true
		m.drop(m.pending[0], old)
		m.pending = slices.Delete(m.pending, 0, 1)
		m.pendingStmts -= len(old.stmts)
	}
}

// drop forgets the hashes h of the chain c and keeps their storage.
func (m *ruleHashMemo) drop(c *ruleset.Chain, h *chainHashes) {
	delete(m.chains, c)
	if len(m.spare) < maxSpare {
		h.rules = nil
		m.spare = append(m.spare, h)
	} else {
		// Keep the larger storage: a long chain's would be remade.
		for i, old := range m.spare {
			if cap(old.stmts) < cap(h.stmts) {
				h.rules = nil
				m.spare[i] = h
				break
			}
		}
	}
}

// seqHash is canonMemo.seqHash of the memo's canonMemo, which the
// caller's first call of chain made.
func (m *ruleHashMemo) seqHash(hs []keyHash) keyHash {
	return m.canon.seqHash(hs)
}

// rule returns the hashes of the statements of rule i of the chain (not
// to be modified) and of the rule, and false when a statement has no
// canonical key.
func (m *ruleHashMemo) rule(h *chainHashes, i int) (stmts []keyHash, rule keyHash, ok bool) {
	if i >= int(h.done.Load()) {
		m.hashTo(h, i)
	}
	if !h.ok[i] {
		return nil, keyHash{}, false
	}
	return h.stmts[h.start[i]:h.start[i+1]:h.start[i+1]], h.rule[i], true
}

// hashTo hashes the chain's rules up to rule i and a chunk past it.
func (m *ruleHashMemo) hashTo(h *chainHashes, i int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	from := int(h.done.Load())
	if i < from {
		return // the other check did
	}
	to := min(len(h.rules), max(i+1, from+hashChunk))
	for j := from; j < to; j++ {
		s, e := h.start[j], h.start[j+1]
		hs, ok := m.canon.stmtHashes(h.stmts[s:s:e], h.rules[j].Stmts)
		if ok {
			h.rule[j] = m.canon.seqHash(hs)
		}
		h.ok[j] = ok
	}
	m.hashed += to - from
	h.done.Store(int32(to))
}

// ruleHashes returns the run's shared statement hashes.
func (p *Pass) ruleHashes() *ruleHashMemo {
	return &p.sharedRun().ruleHashes
}
