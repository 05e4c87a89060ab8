package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The collector's policy for one run of the command.
//
// nftlint is a short-lived process: it builds the syntax tree and the
// ruleset of its input, which stay live until the report is written, and
// allocates about as much again in passing. With the default GOGC=100 the
// collector runs every time the heap doubles from a small start, about ten
// times on a 3 MB ruleset, and marks the whole live tree each time: a
// quarter of the run. Turning it off makes the run a quarter faster but
// lets the heap grow to everything ever allocated (330 MiB for that file).
//
// So the heap gets a budget from the size of the input: the collector does
// not run until the heap reaches it, and then runs just often enough to
// stay within it (a memory limit with GOGC off). The live data is about
// proportional to the input, so the budget grows with it: a fixed part for
// the runtime, the checks' working data and the report, and a multiple of
// the input's size. A run that stays within the budget collects rarely or
// never; the peak stays near the budget.
//
// The budget is a guess from the size, and an input that builds much more
// than usual (a file of $variables expanding into large sets) must not
// make the collector run back to back near the limit: after each cycle
// the limit is raised to twice the heap left live, if that is more than
// the budget, which is GOGC=100's goal: above its budget a run collects
// as with the default, never more often.
//
// Measured (2 shared cores): big-set.nft (18 MB, packed elements) stays
// within its budget and never collects (43 MiB). large-ruleset.nft (3 MB,
// about 100 MB allocated in all, 58 MB of it live at the end) collected
// three times with a budget of 8 bytes per input byte, each cycle marking
// the whole tree (about 45 ms of CPU each): 0.38 s wall, 102 MiB peak.
// With 32 bytes per input byte it never collects: 0.27 s, 108 MiB
// (medians of 5, runs alternating). nft itself needs 40-80 bytes per
// input byte. The budget is capped so that a huge input collects
// instead of claiming gigabytes.
const (
	gcBudgetBase    = 24 << 20 // bytes: runtime, checks' working data, report
	gcBudgetPerByte = 32       // heap bytes per input byte
	gcBudgetMax     = 512 << 20
	liveHeapMetric  = "/gc/heap/live:bytes"
)

// setMemoryPolicy sets the collector's policy for inputs of inputBytes
// in total (0 when unknown, e.g. standard input: the base budget).
func setMemoryPolicy(inputBytes int64) {
	budget := int64(gcBudgetBase)
	if inputBytes > 0 && inputBytes < (math.MaxInt64-budget)/gcBudgetPerByte {
		budget += gcBudgetPerByte * inputBytes
	}
	budget = min(budget, gcBudgetMax)
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(budget)
	followLiveHeap(budget)
}

// followLiveHeap keeps the memory limit at least twice the heap each
// collection leaves live. A finalizer runs after each cycle that found
// its object unreachable; it re-arms itself on a new object.
func followLiveHeap(budget int64) {
	sample := []metrics.Sample{{Name: liveHeapMetric}}
	var arm func()
	arm = func() {
		sentinel := new([16]byte) // not tiny-allocated: freed by the next cycle
		runtime.SetFinalizer(sentinel, func(*[16]byte) {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				live := int64(min(sample[0].Value.Uint64(), math.MaxInt64/2))
				debug.SetMemoryLimit(max(budget, 2*live))
			}
			arm()
		})
	}
	arm()
}
