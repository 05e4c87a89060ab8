package checks

// The statement hashes NFT308 and NFT309 both compare: the canonical key
// of every statement of every rule, hashed (about 175,000 statements on a
// large ruleset, most of what the two checks cost). A Run computes them
// once and both checks read them.

import (
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
// chain its hashes are dropped (16 bytes a statement: 3 MB on a large
// ruleset). The zero value is ready to use.
type ruleHashMemo struct {
	mu     sync.Mutex // guards canon, chains and the hashing of rules
	canon  *canonMemo
	chains map[*ruleset.Chain]*chainHashes
	hashed int // rules hashed, for tests
}

// chainHashes are the hashes of one chain's rules, filled in order:
// rules [0, done) are hashed and no longer written.
type chainHashes struct {
	rules []*ruleset.Rule
	done  atomic.Int32
	users atomic.Int32 // checks done with the chain
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
		return h
	}
	h := &chainHashes{rules: c.Rules, start: make([]int32, len(c.Rules)+1),
		rule: make([]keyHash, len(c.Rules)), ok: make([]bool, len(c.Rules))}
	n := 0
	for i, r := range c.Rules {
		h.start[i] = int32(n)
		n += len(r.Stmts)
	}
	h.start[len(c.Rules)] = int32(n)
	h.stmts = make([]keyHash, n)
	m.chains[c] = h
	return h
}

// release tells the memo that a check is done with the chain c, whose
// hashes h are: after the second (NFT308 and NFT309 ask once each per
// run), they are dropped. A chain asked for again is hashed again, to the
// same hashes.
func (m *ruleHashMemo) release(c *ruleset.Chain, h *chainHashes) {
	if h.users.Add(1) < 2 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.chains[c] == h {
		delete(m.chains, c)
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
