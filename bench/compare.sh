#!/bin/sh
# compare.sh — time the nftlint binary against `nft -c -f` on the same
# files, side by side, and print medians, the speed-up and peak RSS.
#
#   bench/compare.sh [-n RUNS] [FILE...]
#
# Default files: the performance corpus (../shared/corpus/perf, or
# $NFTLINT_SHARED/corpus/perf). Needs root (nft runs inside `unshare -n`,
# a private network namespace, so the host ruleset is never touched),
# nft, unshare, and GNU time for peak RSS (apt-get install time).
# nftlint runs with `-f json` and every check enabled; its exit status 1
# (findings) is expected. Runs alternate between the two tools so that
# background load affects both alike; nft's time varies by up to 40%
# between runs, so compare medians of at least 3 runs.
set -eu

runs=3
if [ "${1:-}" = "-n" ]; then runs=$2; shift 2; fi
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${NFTLINT_SHARED:-$root/../shared}
if [ $# -eq 0 ]; then
	set -- "$shared/corpus/perf/large-ruleset.nft" "$shared/corpus/perf/big-set.nft"
fi
for f in "$@"; do
	[ -r "$f" ] || { echo "compare.sh: cannot read $f (set NFTLINT_SHARED)" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "compare.sh: run as root (nft -c needs CAP_NET_ADMIN in its namespace)" >&2; exit 2; }
command -v nft >/dev/null || { echo "compare.sh: nft not installed (apt-get install nftables)" >&2; exit 2; }
gtime=/usr/bin/time
[ -x "$gtime" ] || { echo "compare.sh: GNU time not found at $gtime (apt-get install time)" >&2; exit 2; }

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$root" && CGO_ENABLED=0 go build -o "$bin/nftlint" ./cmd/nftlint) # static, as `make build`
echo "machine: $(nproc) cores, $(uname -sr); $(nft --version); $(go version | cut -d' ' -f3)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); runs per tool and file: $runs"

# measure CMD...: prints "MICROSECONDS KB" (wall time, peak RSS). The
# wall time is taken around GNU time, whose own 0.01 s resolution would
# round a 0.12 s run by up to 4%.
measure() {
	start=$(date +%s%N)
	"$gtime" -f '%M' -o "$bin/time" "$@" >/dev/null 2>"$bin/err" || true
	end=$(date +%s%N)
	echo "$(( (end - start) / 1000 )) $(tail -n 1 "$bin/time")"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '%-20s %10s %10s %10s %12s %12s %8s\n' file nft_s lint_s speedup nft_rss_MiB lint_rss_MiB rss_ratio
for f in "$@"; do
	: >"$bin/nft"; : >"$bin/lint"
	i=0
	while [ $i -lt "$runs" ]; do
		measure unshare -n nft -c -f "$f" >>"$bin/nft"
		measure "$bin/nftlint" -f json --nft-version 1.1.6 "$f" >>"$bin/lint"
		i=$((i + 1))
	done
	nt=$(cut -d' ' -f1 "$bin/nft" | median); nm=$(cut -d' ' -f2 "$bin/nft" | median)
	lt=$(cut -d' ' -f1 "$bin/lint" | median); lm=$(cut -d' ' -f2 "$bin/lint" | median)
	awk -v f="$(basename "$f")" -v nt="$nt" -v lt="$lt" -v nm="$nm" -v lm="$lm" 'BEGIN {
		sp = (lt > 0) ? nt / lt : 0
		printf "%-20s %10.3f %10.3f %9.1fx %12.0f %12.0f %7.2f\n", f, nt / 1e6, lt / 1e6, sp, nm / 1024, lm / 1024, (nm > 0) ? lm / nm : 0
	}'
done
echo "(wall seconds and peak RSS are medians; speedup = nft / nftlint)"
