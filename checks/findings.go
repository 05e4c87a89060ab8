package checks

import (
	"container/heap"
	"sort"
)

// findingSink collects the findings of one check as Options.Admit and
// Options.MaxPerCheck say. Findings go to blocks, never copied, until
// there are more than the limit; then the first limit+1 in FindingOrder
// are kept in a heap whose root is the last of them, so that a check
// reporting a million findings holds a thousand.
type findingSink struct {
	admit func(*Diagnostic) bool
	limit int // MaxPerCheck; 0: no limit

	cur   *Diagnostic   // the finding being admitted (a local would escape)
	all   diagBlocks    // the findings, while there are at most limit+1
	kept  *keptFindings // once there are more, and so some are left out
	n     int           // findings kept or left out so far
	worst Severity      // the highest severity of those left out
}

func (s *findingSink) add(d Diagnostic) {
	if s.admit != nil {
		if s.cur == nil {
			s.cur = new(Diagnostic)
		}
		*s.cur = d
		if !s.admit(s.cur) {
			return
		}
		d = *s.cur
	}
	s.n++
	switch {
	case s.limit <= 0 || s.n <= s.limit+1:
		s.all.add(d)
	case s.kept == nil:
		k := &keptFindings{d: make([]Diagnostic, 0, s.limit+1)}
		for _, b := range s.all {
			k.d = append(k.d, b...)
		}
		s.all = nil
		k.seq = make([]int, len(k.d))
		for i := range k.seq {
			k.seq[i] = i
		}
		heap.Init(k)
		s.kept = k
		fallthrough
	default:
		s.keepFirst(d, s.n-1)
	}
}

// keepFirst puts the finding d, the seq'th reported, among those kept if
// it comes before the last of them, which is then left out.
func (s *findingSink) keepFirst(d Diagnostic, seq int) {
	k := s.kept
	if !k.before(&d, seq, &k.d[0], k.seq[0]) {
		s.worst = max(s.worst, d.Severity)
		return
	}
	s.worst = max(s.worst, k.d[0].Severity)
	k.d[0], k.seq[0] = d, seq
	heap.Fix(k, 0)
}

// findings returns what the sink kept; the kept ones of a check over the
// limit in FindingOrder, the last standing for those left out.
func (s *findingSink) findings() diagBlocks {
	if s.kept == nil {
		return s.all
	}
	sort.Sort(sort.Reverse(s.kept)) // the heap's order is last first
	last := &s.kept.d[len(s.kept.d)-1]
	last.Severity = max(last.Severity, s.worst)
	return diagBlocks{s.kept.d}
}

// FindingOrder reports whether finding a comes before b in the order
// findings are listed in: by file name, line, column, rule and message
// (lint sorts its results so).
func FindingOrder(a, b *Diagnostic) bool {
	if a.Start.Filename != b.Start.Filename {
		return a.Start.Filename < b.Start.Filename
	}
	if a.Start.Line != b.Start.Line {
		return a.Start.Line < b.Start.Line
	}
	if a.Start.Column != b.Start.Column {
		return a.Start.Column < b.Start.Column
	}
	if a.Check != b.Check {
		return a.Check < b.Check
	}
	return a.Message < b.Message
}

// keptFindings is a max-heap of findings in FindingOrder, equal ones by
// the order they were reported in (seq): the root is the one to leave
// out first.
type keptFindings struct {
	d   []Diagnostic
	seq []int
}

// before reports whether finding a, reported as the seq'th, comes before b.
func (*keptFindings) before(a *Diagnostic, aSeq int, b *Diagnostic, bSeq int) bool {
	if FindingOrder(a, b) {
		return true
	}
	if FindingOrder(b, a) {
		return false
	}
	return aSeq < bSeq
}

func (k *keptFindings) Len() int { return len(k.d) }
func (k *keptFindings) Less(i, j int) bool {
	return k.before(&k.d[j], k.seq[j], &k.d[i], k.seq[i])
}
func (k *keptFindings) Swap(i, j int) {
	k.d[i], k.d[j] = k.d[j], k.d[i]
	k.seq[i], k.seq[j] = k.seq[j], k.seq[i]
}

// Push and Pop complete heap.Interface; the heap never changes size.
func (k *keptFindings) Push(any) { panic("keptFindings: Push") }
func (*keptFindings) Pop() any   { panic("keptFindings: Pop") }
