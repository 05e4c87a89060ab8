package hostile

import (
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkHostile measures every hostile case through the whole
// pipeline (lint and every report format): time per run, and two peak
// memory figures per case, the peak Go heap (sampled every millisecond)
// and, on Linux, the peak resident set (VmHWM, reset before the case
// through /proc/self/clear_refs).
func BenchmarkHostile(b *testing.B) {
	for _, c := range cases() {
		b.Run(c.name, func(b *testing.B) {
			tree, root := prepare(b, c)
			runtime.GC()
			debug.FreeOSMemory()
			rssReset := resetPeakRSS()
			stop := sampleHeap()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				out := runGuarded(b, c.name, func() *outcome { return pipeline(b, c, tree, root) })
				if out.err != nil && c.exit != 2 {
					b.Fatal(out.err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
			if rssReset {
				if hwm, ok := peakRSS(); ok {
					b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MiB")
				}
			}
		})
	}
}

// sampleHeap samples the live heap until the returned function is
// called, which returns the largest value seen.
func sampleHeap() func() uint64 {
	var (
		mu   sync.Mutex
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	read := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mu.Lock()
		peak = max(peak, ms.HeapAlloc)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() uint64 {
		read()
		close(done)
		wg.Wait()
		return peak
	}
}

// resetPeakRSS resets the process's VmHWM to its current RSS (Linux 4.0+).
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS returns VmHWM in bytes.
func peakRSS() (uint64, bool) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range bytes.Split(status, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			f := bytes.Fields(rest)
			if len(f) == 2 && string(f[1]) == "kB" {
				kb, err := strconv.ParseUint(string(f[0]), 10, 64)
				return kb << 10, err == nil
			}
		}
	}
	return 0, false
}
