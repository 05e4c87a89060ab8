// Package bench holds nftlint's end-to-end benchmarks (scanner, parser,
// loader, every check, the whole lint with JSON output) over the
// performance corpus, the whole corpus and scaled inputs. It has no
// non-test code; `make bench` runs it and compares the results with
// bench/baseline.txt (see bench/benchguard), and bench/compare.sh times
// the nftlint binary against `nft -c -f`.
package bench
