package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/lint"
	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/report"
	"github.com/nftlint/nftlint/ruleset"
)

var perfFiles = []string{"large-ruleset.nft", "big-set.nft"}

func BenchmarkScan(b *testing.B) {
	for _, name := range perfFiles {
		b.Run(name, func(b *testing.B) {
			src := perfFile(b, name)
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				file := parser.NewFileSet().AddFile(name, src)
				var s parser.Scanner
				s.Init(file, string(src), nil)
				for {
					if tok, _, _, _ := s.Scan(); tok == parser.EOF {
						break
					}
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	for _, name := range perfFiles {
		b.Run(name, func(b *testing.B) {
			src := perfFile(b, name)
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			runAsCommand(b, func() {
				if _, errs := parser.ParseFile(parser.NewFileSet(), name, src); len(errs) > 0 {
					b.Fatal(errs[0])
				}
			})
		})
	}
}

// load is what nftlint does before the checks: parser.Load (parse,
// includes, $variables) and ruleset.Build.
func load(tb testing.TB, name string, src []byte) *ruleset.Ruleset {
	res, err := parser.Load(parser.NewFileSet(), parser.LoadConfig{}, parser.Source{Name: name, Src: src})
	if err != nil {
		tb.Fatal(err)
	}
	if len(res.Errors) > 0 {
		tb.Fatal(res.Errors[0])
	}
	rs, _ := ruleset.Build(res)
	return rs
}

func BenchmarkLoad(b *testing.B) {
	for _, name := range perfFiles {
		b.Run(name, func(b *testing.B) {
			src := perfFile(b, name)
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			runAsCommand(b, func() { load(b, name, src) })
		})
	}
}

// lintJSON is the whole lint of one input as `nftlint -f json` runs it:
// load, build, every check, suppressions, sort and the JSON report.
func lintJSON(tb testing.TB, name string, src []byte) int {
	res, err := lint.Lint(parser.Source{Name: name, Src: src}, &lint.Options{InlineSuppress: true})
	if err != nil {
		tb.Fatal(err)
	}
	files := map[string]*parser.File{}
	for _, f := range res.Files.Files() {
		files[f.Name()] = f
	}
	rep := &report.Report{Tool: report.DefaultTool("bench"), Rules: checks.All(), Files: files, Diagnostics: res.Diagnostics, FilesLinted: 1}
	if err := report.JSON(io.Discard, rep); err != nil {
		tb.Fatal(err)
	}
	return len(res.Diagnostics)
}

func BenchmarkLint(b *testing.B) {
	for _, name := range perfFiles {
		b.Run(name, func(b *testing.B) {
			src := perfFile(b, name)
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			runAsCommand(b, func() { lintJSON(b, name, src) })
		})
	}
}

// BenchmarkLintCorpus lints every text file of the corpus once per
// iteration.
func BenchmarkLintCorpus(b *testing.B) {
	files := textCorpus(b)
	var size int64
	for _, f := range files {
		size += int64(len(f.src))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	runAsCommand(b, func() {
		for _, f := range files {
			lint.Lint(parser.Source{Name: f.name, Src: f.src}, &lint.Options{InlineSuppress: true})
		}
	})
}

// BenchmarkCheck runs each check alone on the loaded perf files, to find
// the one that dominates when BenchmarkLint regresses.
func BenchmarkCheck(b *testing.B) {
	for _, name := range perfFiles {
		src := perfFile(b, name)
		rs := load(b, name, src)
		for _, c := range checks.All() {
			if c.Run == nil {
				continue
			}
			b.Run(name+"/"+c.ID, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					checks.Run(rs, &checks.Options{}, func(x *checks.Check) bool { return x == c })
				}
			})
		}
	}
}

// BenchmarkScaling lints the perf files grown 2× and 4× (more tables, a
// bigger set): time per iteration should double with the input.
func BenchmarkScaling(b *testing.B) {
	for _, tc := range []struct {
		name  string
		scale func(testing.TB, []byte, int) []byte
	}{{"large-ruleset.nft", scaleRuleset}, {"big-set.nft", scaleSet}} {
		src := perfFile(b, tc.name)
		for _, n := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("%s/x%d", tc.name, n), func(b *testing.B) {
				in := tc.scale(b, src, n)
				b.SetBytes(int64(len(in)))
				b.ReportAllocs()
				defer collectorOff()()
				for b.Loop() {
					startColdRun(b)
					lintJSON(b, tc.name, in)
				}
			})
		}
	}
}

// scaledInputs are the perf files and how to grow them, for the
// scaling benchmarks.
var scaledInputs = []struct {
	name  string
	scale func(testing.TB, []byte, int) []byte
}{{"large-ruleset.nft", scaleRuleset}, {"big-set.nft", scaleSet}}

// BenchmarkScalingLoad loads (parse, includes, $variables, Build) the perf
// files grown 2× and 4×.
func BenchmarkScalingLoad(b *testing.B) {
	for _, tc := range scaledInputs {
		src := perfFile(b, tc.name)
		for _, n := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("%s/x%d", tc.name, n), func(b *testing.B) {
				in := tc.scale(b, src, n)
				b.SetBytes(int64(len(in)))
				b.ReportAllocs()
				defer collectorOff()()
				for b.Loop() {
					startColdRun(b)
					load(b, tc.name, in)
				}
			})
		}
	}
}

// BenchmarkScalingCheck runs each check alone on the perf files grown 2×
// and 4×: bench/scaling.sh turns the results into ratios per check.
func BenchmarkScalingCheck(b *testing.B) {
	for _, tc := range scaledInputs {
		src := perfFile(b, tc.name)
		for _, n := range []int{1, 2, 4} {
			rs := load(b, tc.name, tc.scale(b, src, n))
			for _, c := range checks.All() {
				if c.Run == nil {
					continue
				}
				b.Run(fmt.Sprintf("%s/%s/x%d", tc.name, c.ID, n), func(b *testing.B) {
					b.ReportAllocs()
					defer collectorOff()()
					for b.Loop() {
						startColdRun(b)
						checks.Run(rs, &checks.Options{}, func(x *checks.Check) bool { return x == c })
					}
				})
			}
		}
	}
}

// The scaling benchmarks time each iteration as the command runs: the
// collector does not run during it (cmd/nftlint's memory policy gives a
// run a heap budget of 32 bytes per input byte, which a lint of the 4x
// inputs stays within) and the caches are cold. With the default GOGC
// each iteration would pay for collections that mark the whole loaded
// ruleset, which grows with the input while a check's own allocations do
// not: a check allocating little would look superlinear (the collector's
// marking, not the check, grows faster than the input), and one
// allocating much would pay for the ruleset several times.

// runAsCommand times each iteration of a benchmark as the command runs
// it: with the collector off (see above) and a full collection between
// iterations, outside the timer, that frees what the last one allocated.
// The caches are left as they are: the parse writes the syntax tree
// afresh each time. (Before, these benchmarks ran with the default GOGC,
// and the cache eviction buffer, then allocated when the package was
// initialised, served as a 64 MiB ballast that kept the collector from
// running during a parse of large-ruleset.)
func runAsCommand(b *testing.B, run func()) {
	defer collectorOff()()
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		b.StartTimer()
		run()
	}
}

// collectorOff turns the collector off for a benchmark; the result
// restores it.
func collectorOff() (restore func()) {
	old := debug.SetGCPercent(-1)
	return func() { debug.SetGCPercent(old) }
}

// startColdRun prepares the next iteration outside the timer: a full
// collection frees what the last one allocated (so the heap does not
// grow without bound with the collector off), then the caches are
// evicted.
func startColdRun(b *testing.B) {
	b.StopTimer()
	runtime.GC()
	evictCaches()
	b.StartTimer()
}

// evictCaches makes the next iteration start with cold caches, as a
// check does in a real run (it reads the ruleset once): without it, the
// ruleset of a small input stays cached from one iteration to the next
// while that of a large input does not, and the time ratios measure the
// cache. It writes a buffer twice the size of the last-level cache (at
// least 64 MiB): on a server processor that cache is hundreds of
// megabytes, and a 64 MiB buffer left the 1x and 2x rulesets in it, so
// that a check seemed to take 2.2x then 3.2x the time per doubling while
// it took 1.7x then 2.1x from cold caches.
func evictCaches() {
	buf := evictionBuffer()
	for i := 0; i < len(buf); i += 64 {
		buf[i]++
	}
}

// evictionBuffer returns the buffer evictCaches writes, made on first use.
var evictionBuffer = sync.OnceValue(func() []byte {
	return make([]byte, max(64<<20, 2*lastLevelCache()))
})

// lastLevelCache returns the size in bytes of the largest CPU cache Linux
// reports for the first CPU, or 0 when it cannot tell.
func lastLevelCache() int {
	largest := 0
	dirs, _ := filepath.Glob("/sys/devices/system/cpu/cpu0/cache/index*")
	for _, d := range dirs {
		data, err := os.ReadFile(filepath.Join(d, "size"))
		if err != nil {
			continue
		}
		text := strings.TrimSpace(string(data))
		unit := 1
		switch {
		case strings.HasSuffix(text, "K"):
			unit, text = 1<<10, strings.TrimSuffix(text, "K")
		case strings.HasSuffix(text, "M"):
			unit, text = 1<<20, strings.TrimSuffix(text, "M")
		}
		if n, err := strconv.Atoi(text); err == nil && n > 0 && n <= 4<<20 {
			largest = max(largest, n*unit)
		}
	}
	return largest
}
