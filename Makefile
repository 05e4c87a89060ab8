# nftlint — common tasks. `make test` is what CI runs.
GO        ?= go
PKGS      ?= ./...
FUZZTIME  ?= 60s
BENCHTIME ?= 1x
BENCHCOUNT ?= 3
SHELL     := /bin/bash

.PHONY: all build test vet fmt fuzz bench bench-compare cross generate clean sarif-tool

all: vet test build

# nftlint needs no C code: a static binary (CGO_ENABLED=0) skips loading
# libc at start and takes 1.7 MB less memory.
build:
	CGO_ENABLED=0 $(GO) build -o bin/nftlint ./cmd/nftlint

test:
	$(GO) vet $(PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	@# The summary keeps go test's ok/FAIL lines and the output of failed
	@# tests, and adds the measurements (corpus rates, kernel tests run).
	set -o pipefail; $(GO) test -count=1 -timeout 60m -json $(PKGS) | $(GO) run ./internal/testsummary

vet:
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

generate:
	$(GO) generate $(PKGS)

# Each fuzz target runs for FUZZTIME with one worker (the machines are
# shared); a crasher stops the run and is left in the package's
# testdata/fuzz/ for `go test` to replay.
FUZZ_TARGETS ?= ./parser:FuzzScan ./parser:FuzzParse ./ruleset:FuzzLoad ./checks:FuzzChecks ./report:FuzzReport
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "== $$fn ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -parallel 1 $$pkg; \
	done

cross:
	GOOS=linux   GOARCH=amd64 $(GO) build -o /dev/null ./cmd/nftlint
	GOOS=linux   GOARCH=arm64 $(GO) build -o /dev/null ./cmd/nftlint
	GOOS=darwin  GOARCH=arm64 $(GO) build -o /dev/null ./cmd/nftlint
	GOOS=windows GOARCH=amd64 $(GO) build -o /dev/null ./cmd/nftlint

# The Microsoft SARIF Multitool validates nftlint's SARIF output in the
# tests (report, cmd/nftlint). npm installs it into ./node_modules, which
# git ignores; the tests run the platform binary it ships.
SARIF_MULTITOOL_VERSION ?= 5.7.0

sarif-tool:
	npm install --no-save --no-package-lock --no-audit --no-fund --prefix . @microsoft/sarif-multitool@$(SARIF_MULTITOOL_VERSION)
	chmod u+x node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool*

clean:
	rm -rf bin

# Benchmarks of bench/ (scanner, parser, loader, checks, whole lint, scaled
# inputs; the perf corpus is read from ../shared). The results go to
# bin/bench.txt; benchguard then reports (never fails on) every benchmark
# more than 20% slower than bench/baseline.txt. Record a new baseline with
# `cp bin/bench.txt bench/baseline.txt` after a deliberate change.
bench:
	@mkdir -p bin
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) -timeout 60m ./bench/ | tee bin/bench.txt
	$(GO) run ./bench/benchguard bench/baseline.txt bin/bench.txt

# Side-by-side timing of the nftlint binary and `nft -c -f` (root, nft, GNU time).
bench-compare:
	bench/compare.sh
