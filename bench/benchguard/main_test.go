package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	base, err := parse(strings.NewReader(`goos: linux
BenchmarkParse/big-set.nft-2   	       1	 500000000 ns/op	  36.00 MB/s	226622798 B/op	 2400129 allocs/op
BenchmarkParse/big-set.nft-2   	       1	 400000000 ns/op
BenchmarkParse/big-set.nft-2   	       1	 900000000 ns/op
BenchmarkLint/large-ruleset.nft-2 	       1	 100000000 ns/op
BenchmarkGone-2 	       1	 100 ns/op
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := base["BenchmarkParse/big-set.nft"]; got != 500000000 {
		t.Fatalf("median %v, want 5e8", got)
	}
	cur, _ := parse(strings.NewReader(`BenchmarkParse/big-set.nft-2 1 590000000 ns/op
BenchmarkLint/large-ruleset.nft-2 1 130000000 ns/op
BenchmarkNew-2 1 5 ns/op
`))
	var out bytes.Buffer
	report(&out, base, cur, 0.20)
	s := out.String()
	if !strings.Contains(s, "SLOWER BenchmarkLint/large-ruleset.nft") || !strings.Contains(s, "+30%") {
		t.Errorf("30%% regression not reported:\n%s", s)
	}
	if strings.Contains(s, "BenchmarkParse") {
		t.Errorf("18%% slowdown reported:\n%s", s)
	}
	if !strings.Contains(s, "1 of 2 benchmarks slower") {
		t.Errorf("summary wrong:\n%s", s)
	}
}
