// Command benchguard compares `go test -bench` output with a recorded
// baseline and reports every benchmark whose median time per operation
// grew by more than a threshold (20% by default). It only reports: the
// exit status is 0 unless the files cannot be read, because timings on a
// shared machine vary too much to fail a build on.
//
//	benchguard [-threshold 0.2] BASELINE CURRENT
//
// Both files are in the format `go test -bench` prints (benchstat's
// input); several runs of a benchmark (-count) are reduced to their
// median.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

func main() {
	threshold := flag.Float64("threshold", 0.20, "report benchmarks slower than the baseline by more than this fraction")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: benchguard [-threshold 0.2] BASELINE CURRENT")
		os.Exit(2)
	}
	base, err := readFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchguard:", err)
		os.Exit(2)
	}
	cur, err := readFile(flag.Arg(1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchguard:", err)
		os.Exit(2)
	}
	report(os.Stdout, base, cur, *threshold)
}

func readFile(name string) (map[string]float64, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parse(f)
}

// parse reads benchmark result lines and returns the median ns/op of
// each benchmark, named without the -GOMAXPROCS suffix.
func parse(r io.Reader) (map[string]float64, error) {
	runs := map[string][]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		for i := 2; i+1 < len(f); i += 2 {
			if f[i+1] != "ns/op" {
				continue
			}
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("bad ns/op in %q", sc.Text())
			}
			runs[trimProcs(f[0])] = append(runs[trimProcs(f[0])], v)
		}
	}
	med := make(map[string]float64, len(runs))
	for name, vs := range runs {
		sort.Float64s(vs)
		med[name] = vs[len(vs)/2]
	}
	return med, sc.Err()
}

// trimProcs removes the "-2" GOMAXPROCS suffix of a benchmark name.
func trimProcs(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			return name[:i]
		}
	}
	return name
}

// report prints every benchmark slower than base by more than threshold,
// and a one-line summary.
func report(w io.Writer, base, cur map[string]float64, threshold float64) {
	var names []string
	for name := range cur {
		names = append(names, name)
	}
	sort.Strings(names)
	slower, compared := 0, 0
	for _, name := range names {
		b, ok := base[name]
		if !ok || b <= 0 {
			continue
		}
		compared++
		ratio := cur[name] / b
		if ratio > 1+threshold {
			slower++
			fmt.Fprintf(w, "SLOWER %-60s %12s -> %12s  (%+.0f%%)\n", name, dur(b), dur(cur[name]), 100*(ratio-1))
		}
	}
	fmt.Fprintf(w, "benchguard: %d of %d benchmarks slower than the baseline by more than %.0f%%\n", slower, compared, 100*threshold)
}

func dur(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2fs", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2fms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2fµs", ns/1e3)
	}
	return fmt.Sprintf("%.0fns", ns)
}
