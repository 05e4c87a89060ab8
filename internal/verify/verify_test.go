package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nftlint/nftlint/internal/kerneltest"

	"github.com/nftlint/nftlint/internal/netns"
	"github.com/nftlint/nftlint/internal/verify"
)

func kernelConfig(name string) string {
	return filepath.Join("..", "..", "testdata", "kernel", name)
}

func TestRunRejectsUnknownRuntime(t *testing.T) {
	var out strings.Builder
	passed, err := verify.Run(context.Background(), kernelConfig("empty.nft"), "rkt", &out)
	if err == nil || passed {
		t.Fatalf("want an error for an unknown runtime, got passed=%v err=%v", passed, err)
	}
	if !strings.Contains(err.Error(), `unknown runtime "rkt"`) || !strings.Contains(err.Error(), "docker-nftables") {
		t.Errorf("error %q should name the runtime and list the known ones", err)
	}
	if out.Len() != 0 {
		t.Errorf("nothing should be printed when verification cannot run, got %q", out.String())
	}
}

func TestRunRejectsUnreadableFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent.nft")
	_, err := verify.Run(context.Background(), missing, "docker", &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "absent.nft") {
		t.Fatalf("want an error naming the file, got %v", err)
	}
}

// requireKernel skips, or fails under NFTLINT_KERNEL_TESTS=required, when
// namespaces cannot be built here.
func requireKernel(t *testing.T) {
	t.Helper()
	kerneltest.Check(t, netns.Available())
}

func TestRunWithoutKernelSaysWhy(t *testing.T) {
	if netns.Available() == nil {
		t.Skip("this machine can verify; the error path is covered where it cannot")
	}
	_, err := verify.Run(context.Background(), kernelConfig("empty.nft"), "docker", &strings.Builder{})
	if err == nil || err.Error() != netns.Available().Error() {
		t.Fatalf("want the reason verification cannot run (%v), got %v", netns.Available(), err)
	}
}

func TestRunKernel(t *testing.T) {
	requireKernel(t)
	for _, tc := range []struct {
		config, runtime string
		passed          bool
		want            []string // lines the report must contain
	}{
		{"empty.nft", "docker", true, []string{
			"PASS runtime: docker started",
			"PASS before reload: container → world: connected to 203.0.113.2:7000; the peer saw source 203.0.113.1",
			"PASS after reload: world → published port",
			"result: PASS (7 checks)",
		}},
		{"flush-ruleset.nft", "podman", false, []string{
			"PASS before reload: world → published port",
			"FAIL after reload: container → world",
			"FAIL after reload: world → published port",
			"result: FAIL (2 of 7 checks failed)",
		}},
		{"filter-forward-prio10.nft", "docker", false, []string{
			"FAIL runtime: the daemon would not start",
			"CHAIN_ADD failed (Operation not supported): chain FORWARD",
			"result: FAIL (1 of 2 checks failed)",
		}},
	} {
		t.Run(tc.config+"/"+tc.runtime, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var out strings.Builder
			passed, err := verify.Run(ctx, kernelConfig(tc.config), tc.runtime, &out)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if passed != tc.passed {
				t.Errorf("passed=%v, want %v", passed, tc.passed)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("report lacks %q", w)
				}
			}
			if t.Failed() {
				t.Logf("report:\n%s", out.String())
			}
		})
	}
}

// sharedFile returns a file from the shared data directory ($NFTLINT_SHARED,
// else ../shared beside the repository), skipping or failing like the
// corpus tests when it is absent.
func sharedFile(t *testing.T, rel string) string {
	t.Helper()
	dir := os.Getenv("NFTLINT_SHARED")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared")
	}
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("NFTLINT_CORPUS") == "required" {
			t.Fatalf("NFTLINT_CORPUS=required but %s is missing: %v", p, err)
		}
		t.Skipf("skipping: shared data %s not found (set NFTLINT_SHARED)", p)
	}
	return p
}

// The seed configuration (ip filter/nat in iptables-nft's layout, FORWARD
// built-in with policy drop, `flush ruleset` at the top): on a fresh host
// dockerd reuses FORWARD and both paths work, but reloading the file
// flushes Docker's rules and the drop policy then kills both paths. verify
// must show exactly that, and fail.
func TestRunSeed(t *testing.T) {
	seed := sharedFile(t, filepath.Join("examples", "seed.nft"))
	requireKernel(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out strings.Builder
	passed, err := verify.Run(ctx, seed, "docker", &out)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if passed {
		t.Errorf("verify passed; want the reload breakage reported as a failure")
	}
	for _, w := range []string{
		"PASS load: nft -f",
		"PASS runtime: docker started and published port 8080",
		"PASS before reload: container → world: connected to 203.0.113.2:7000; the peer saw source 203.0.113.1",
		"PASS before reload: world → published port: connected to 203.0.113.1:8080",
		"PASS reload: nft -f",
		"FAIL after reload: container → world",
		"FAIL after reload: world → published port",
		"result: FAIL (2 of 7 checks failed)",
	} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("report lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("report:\n%s", out.String())
	}
}
