//go:build linux

package checks

// Kernel proof of the error-level NFT1xx findings: for each listed case,
// the flagged input.nft really breaks dockerd 29 (replayed command by
// command with iptables-nft) or container traffic (TCP probes through
// throw-away namespaces), and the suggested fix (fixed.nft) really repairs
// it. Gated like internal/netns's kernel tests: skipped without root, nft
// and iptables-nft, a failure when NFTLINT_KERNEL_TESTS=required.

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nftlint/nftlint/internal/dockersim"
	"github.com/nftlint/nftlint/internal/netns"
)

// kernelOutcome is what a configuration does to dockerd and its container.
type kernelOutcome struct {
	daemonFails         bool // dockerd (replayed) does not start
	outbound, published bool // container → world, world → published port
}

var kernelProofs = []struct {
	caseFile string
	check    string
	input    kernelOutcome
}{
	{"NFT101/fires_inet_policy_drop.txtar", "NFT101", kernelOutcome{outbound: false, published: false}},
	{"NFT102/fires_egress_only.txtar", "NFT102", kernelOutcome{outbound: true, published: false}},
	{"NFT102/fires_ingress_only.txtar", "NFT102", kernelOutcome{outbound: false, published: true}},
	{"NFT103/fires_forward_priority.txtar", "NFT103", kernelOutcome{daemonFails: true}},
	{"NFT103/fires_nat_postrouting_type.txtar", "NFT103", kernelOutcome{daemonFails: true}},
	{"NFT103/fires_nat_prerouting_priority.txtar", "NFT103", kernelOutcome{daemonFails: true}},
}

func requireNetns(t *testing.T) {
	t.Helper()
	if err := netns.Available(); err != nil {
		if os.Getenv("NFTLINT_KERNEL_TESTS") == "required" {
			t.Fatalf("NFTLINT_KERNEL_TESTS=required: %v", err)
		}
		t.Skipf("skipping kernel test: %v (set NFTLINT_KERNEL_TESTS=required to make this a failure)", err)
	}
}

// runKernel loads config into fresh namespaces, replays dockerd 29 and
// probes both paths.
func runKernel(t *testing.T, config string) kernelOutcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env, err := netns.New(ctx, netns.Options{Bridge: dockersim.Docker29.Bridge()})
	if err != nil {
		t.Fatalf("netns.New: %v", err)
	}
	defer func() {
		if err := env.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()
	if err := env.LoadConfig(ctx, config); err != nil {
		t.Fatalf("nft -f %s: %v", filepath.Base(config), err)
	}
	rep, err := env.ReplayRuntime(ctx, dockersim.Docker29)
	if err != nil {
		t.Fatalf("replaying dockerd: %v", err)
	}
	t.Logf("%s: %s", filepath.Base(config), rep.Summary())
	if rep.DaemonErr != nil {
		return kernelOutcome{daemonFails: true}
	}
	var o kernelOutcome
	for _, p := range env.Probe(ctx) {
		switch p.Name {
		case netns.PathOutbound:
			o.outbound = p.OK
		case netns.PathPublished:
			o.published = p.OK
		}
	}
	return o
}

func TestKernelErrorFindings(t *testing.T) {
	requireNetns(t)
	for _, kp := range kernelProofs {
		kp := kp
		t.Run(kp.caseFile, func(t *testing.T) {
			t.Parallel()
			tc := readCase(t, kp.check, filepath.Join(checksTestdata, kp.caseFile))
			if tc.fixed == nil {
				t.Fatal("a kernel proof needs a fixed.nft")
			}
			// nftlint reports the finding at error level on the input…
			diags, _, _ := lintFiles(t, tc.files, tc.opts)
			found := false
			for _, d := range diags {
				found = found || (d.Check == kp.check && d.Severity == Error)
			}
			if !found {
				t.Fatalf("nftlint reports no %s error for the input", kp.check)
			}
			dir := t.TempDir()
			input, fixed := filepath.Join(dir, "input.nft"), filepath.Join(dir, "fixed.nft")
			if err := os.WriteFile(input, tc.files["input.nft"], 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(fixed, tc.fixed, 0o644); err != nil {
				t.Fatal(err)
			}
			// …the kernel agrees that it breaks dockerd or its traffic…
			if got := runKernel(t, input); got != kp.input {
				t.Errorf("flagged input: got %+v, want %+v", got, kp.input)
			}
			// …and the suggested fix repairs it.
			if got, want := runKernel(t, fixed), (kernelOutcome{outbound: true, published: true}); got != want {
				t.Errorf("fixed config: got %+v, want %+v", got, want)
			}
		})
	}
}
