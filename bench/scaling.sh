#!/bin/sh
# scaling.sh — run the scaling benchmarks (whole lint, load, every check
# on the perf files grown 1×, 2× and 4×) and print, per benchmark, the
# median time at each size and the ratios 2×/1× and 4×/2× (linear: 2.0;
# the goal is at most 2.3), with the allocated bytes' ratios beside them.
#
#   bench/scaling.sh [-n COUNT] [-t ITERATIONS] [BENCH-REGEXP]
#   bench/scaling.sh -f FILE     (ratios of results already run, e.g. bin/bench.txt)
#
# Default: count 3 of 10 iterations each, every Scaling benchmark (-t
# sets the iterations). Needs the performance corpus (../shared/corpus/perf
# or $NFTLINT_SHARED). Each iteration starts from cold caches (a write of
# twice the last-level cache, outside the timer), so iterations are
# counted rather than timed; the ratios of checks that take microseconds
# are noisy.
set -eu

count=3
iterations=10
results=
if [ "${1:-}" = "-n" ]; then count=$2; shift 2; fi
if [ "${1:-}" = "-t" ]; then iterations=$2; shift 2; fi
if [ "${1:-}" = "-f" ]; then results=$2; shift 2; fi
pattern=${1:-Scaling}
root=$(cd "$(dirname "$0")/.." && pwd)
run() {
	if [ -n "$results" ]; then
		grep '^BenchmarkScaling' "$results"
	else
		(cd "$root" && go test -run '^$' -bench "$pattern" -benchtime "${iterations}x" -count "$count" -timeout 0 ./bench/)
	fi
}
run | awk '
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	n = name; sub(/\/x[0-9]+$/, "", n)
	x = name; sub(/.*\/x/, "", x)
	t = 0; by = 0
	for (i = 2; i < NF; i++) {
		if ($(i + 1) == "ns/op") t = $i
		if ($(i + 1) == "B/op") by = $i
	}
	k = n SUBSEP x
	cnt[k]++; ts[k, cnt[k]] = t; bs[k] = by
	if (!(n in seen)) { seen[n] = 1; order[++nn] = n }
}
function median(k,   m, i, j, v, tmp) {
	m = cnt[k]
	for (i = 1; i <= m; i++) v[i] = ts[k, i]
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { tmp = v[i]; v[i] = v[j]; v[j] = tmp }
	return v[int((m + 1) / 2)]
}
END {
	printf "%-48s %10s %10s %10s %6s %6s %6s %6s\n", "benchmark", "x1_ms", "x2_ms", "x4_ms", "t2/1", "t4/2", "B2/1", "B4/2"
	for (i = 1; i <= nn; i++) {
		n = order[i]
		if (!((n SUBSEP 1) in cnt) || !((n SUBSEP 2) in cnt) || !((n SUBSEP 4) in cnt)) continue
		a = median(n SUBSEP 1); b = median(n SUBSEP 2); c = median(n SUBSEP 4)
		printf "%-48s %10.2f %10.2f %10.2f %6.2f %6.2f %6.2f %6.2f\n", n, a / 1e6, b / 1e6, c / 1e6,
			(a > 0) ? b / a : 0, (b > 0) ? c / b : 0,
			(bs[n SUBSEP 1] > 0) ? bs[n SUBSEP 2] / bs[n SUBSEP 1] : 0, (bs[n SUBSEP 2] > 0) ? bs[n SUBSEP 4] / bs[n SUBSEP 2] : 0
	}
}'
