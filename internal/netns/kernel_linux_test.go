//go:build linux

package netns_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nftlint/nftlint/internal/kerneltest"

	"github.com/nftlint/nftlint/internal/dockersim"
	"github.com/nftlint/nftlint/internal/netns"
)

// kernelRuns counts the kernel scenarios that actually ran, for the summary
// TestMain prints (skipped tests do not count).
var kernelRuns atomic.Int64

func TestMain(m *testing.M) {
	// Scenarios spend most of their time waiting for dial timeouts on
	// dropped paths, not on the CPU: run a few more at once than
	// GOMAXPROCS unless -parallel was given.
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "4")
	}
	code := m.Run()
	fmt.Printf("MEASURED netns: %d kernel scenarios run\n", kernelRuns.Load())
	if os.Getenv("NFTLINT_KERNEL_TESTS") == "required" && kernelRuns.Load() == 0 && code == 0 {
		fmt.Println("netns: NFTLINT_KERNEL_TESTS=required but no kernel scenario ran")
		code = 1
	}
	os.Exit(code)
}

// requireKernel skips the test when namespaces cannot be built here, or
// fails it when NFTLINT_KERNEL_TESTS=required.
func requireKernel(t *testing.T) {
	t.Helper()
	kerneltest.Check(t, netns.Available())
}

// kernelConfig returns the path of a configuration under testdata/kernel.
func kernelConfig(name string) string {
	return filepath.Join("..", "..", "testdata", "kernel", name)
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

// outcome is what one scenario observed.
type outcome struct {
	report    *dockersim.Report
	before    map[string]netns.PathResult // probes after the runtime started
	reloadErr error
	after     map[string]netns.PathResult // probes after the configuration was loaded again
}

// scenario boots a host with config (nft -f), starts rt, probes, reloads
// the config and probes again.
func scenario(t *testing.T, config string, rt dockersim.Runtime, opts netns.Options) outcome {
	t.Helper()
	requireKernel(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)

	opts.Bridge = rt.Bridge()
	env, err := netns.New(ctx, opts)
	if err != nil {
		t.Fatalf("netns.New: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	kernelRuns.Add(1)

	if err := env.LoadConfig(ctx, config); err != nil {
		t.Fatalf("loading %s before the runtime starts: %v", config, err)
	}
	var o outcome
	o.report, err = env.ReplayRuntime(ctx, rt)
	if err != nil {
		t.Fatalf("replay %s: %v", rt, err)
	}
	t.Logf("%s", o.report.Summary())
	o.before = byName(env.Probe(ctx))
	o.reloadErr = env.LoadConfig(ctx, config)
	o.after = byName(env.Probe(ctx))
	if t.Failed() || testing.Verbose() {
		t.Logf("replay transcript:\n%s", o.report.Transcript())
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("ruleset at the end:\n%s", env.Ruleset(context.Background()))
		}
	})
	return o
}

func byName(rs []netns.PathResult) map[string]netns.PathResult {
	m := make(map[string]netns.PathResult, len(rs))
	for _, r := range rs {
		m[r.Name] = r
	}
	return m
}

// wantPaths checks the probe results against want (path name → reachable).
func wantPaths(t *testing.T, when string, got map[string]netns.PathResult, outbound, published bool) {
	t.Helper()
	for _, w := range []struct {
		name string
		ok   bool
	}{{netns.PathOutbound, outbound}, {netns.PathPublished, published}} {
		r, found := got[w.name]
		if !found {
			t.Errorf("%s: no result for %q", when, w.name)
			continue
		}
		if r.OK != w.ok {
			t.Errorf("%s: %s works=%v, want %v (%s)", when, w.name, r.OK, w.ok, r.Detail)
		}
	}
}

// wantStarted fails unless the daemon and the container started.
func wantStarted(t *testing.T, rep *dockersim.Report) {
	t.Helper()
	if !rep.OK() {
		t.Errorf("want daemon and container to start: %s\n%s", rep.Summary(), rep.Transcript())
	}
}

// wantFailed fails unless command (its parts) failed with a message
// containing msg.
func wantFailed(t *testing.T, rep *dockersim.Report, msg string, parts ...string) dockersim.Step {
	t.Helper()
	s, ok := rep.FailedCommand(parts...)
	if !ok {
		t.Fatalf("want %q to fail; it did not:\n%s", strings.Join(parts, " "), rep.Transcript())
	}
	if !strings.Contains(s.Stderr, msg) {
		t.Errorf("%s failed with %q, want a message containing %q", s.Command(), strings.TrimSpace(s.Stderr), msg)
	}
	return s
}

// (a) A host without a firewall: every runtime starts and both paths work,
// before and after a reload.
func TestKernelCleanConfigAllRuntimes(t *testing.T) {
	for _, rt := range dockersim.Runtimes() {
		t.Run(string(rt), func(t *testing.T) {
			t.Parallel()
			o := scenario(t, kernelConfig("empty.nft"), rt, netns.Options{})
			wantStarted(t, o.report)
			wantPaths(t, "before reload", o.before, true, true)
			if o.reloadErr != nil {
				t.Errorf("reload: %v", o.reloadErr)
			}
			wantPaths(t, "after reload", o.after, true, true)
		})
	}
}

// (b) An inet forward chain with policy drop kills both paths although
// Docker's own chains accept the traffic: a drop in any base chain wins.
func TestKernelForwardDropKillsContainers(t *testing.T) {
	t.Parallel()
	o := scenario(t, kernelConfig("forward-drop.nft"), dockersim.Docker29, netns.Options{})
	wantStarted(t, o.report)
	wantPaths(t, "before reload", o.before, false, false)
}

// (b) The same chain with established/related and both bridge directions
// accepted: both paths work.
func TestKernelForwardDropWithBridgeAccepts(t *testing.T) {
	t.Parallel()
	o := scenario(t, kernelConfig("forward-drop-accepts.nft"), dockersim.Docker29, netns.Options{})
	wantStarted(t, o.report)
	wantPaths(t, "before reload", o.before, true, true)
	wantPaths(t, "after reload", o.after, true, true)
}

// (c) Accepting established traffic and traffic that leaves docker0:
// outbound works, the published port does not.
func TestKernelEgressOnlyAcceptKillsPublishedPorts(t *testing.T) {
	t.Parallel()
	o := scenario(t, kernelConfig("forward-egress-only.nft"), dockersim.Docker29, netns.Options{})
	wantStarted(t, o.report)
	wantPaths(t, "before reload", o.before, true, false)
}

// (c) Without `ct state established,related accept` the replies to the
// container's connections are dropped too: egress-only accepting of
// `iifname "docker0"` alone kills both paths.
func TestKernelEgressOnlyAcceptWithoutConntrackKillsBoth(t *testing.T) {
	t.Parallel()
	o := scenario(t, kernelConfig("forward-egress-only-no-ct.nft"), dockersim.Docker29, netns.Options{})
	wantStarted(t, o.report)
	wantPaths(t, "before reload", o.before, false, false)
}

// (d) FORWARD in ip filter that is not iptables-nft's built-in: dockerd's
// first insert into FORWARD fails and the daemon does not start.
func TestKernelFilterForwardNotBuiltinFailsDaemon(t *testing.T) {
	for _, file := range []string{"filter-forward-prio10.nft", "filter-forward-regular.nft"} {
		t.Run(strings.TrimSuffix(file, ".nft"), func(t *testing.T) {
			t.Parallel()
			o := scenario(t, kernelConfig(file), dockersim.Docker29, netns.Options{})
			if o.report.DaemonErr == nil {
				t.Fatalf("want the daemon to fail: %s", o.report.Summary())
			}
			s := wantFailed(t, o.report, "CHAIN_ADD failed (Operation not supported)", "-I FORWARD", "-j DOCKER-FORWARD")
			if s.Consequence != dockersim.DaemonFails {
				t.Errorf("%s: consequence %v, want %v", s.Command(), s.Consequence, dockersim.DaemonFails)
			}
			if !strings.Contains(o.report.DaemonErr.Error(), "DOCKER-FORWARD") {
				t.Errorf("daemon error %q does not name the failing jump", o.report.DaemonErr)
			}
		})
	}
}

// (d) Also with dockerd ≤27, whose per-bridge rules go straight into FORWARD.
func TestKernelFilterForwardNotBuiltinFailsLegacyDaemon(t *testing.T) {
	t.Parallel()
	o := scenario(t, kernelConfig("filter-forward-prio10.nft"), dockersim.DockerLegacy, netns.Options{})
	if o.report.DaemonErr == nil {
		t.Fatalf("want the daemon to fail: %s", o.report.Summary())
	}
	wantFailed(t, o.report, "CHAIN_ADD failed (Operation not supported)", "-I FORWARD")
}

// (d) The built-in definition (filter, forward, priority 0), even with a
// drop policy: dockerd reuses the chain and traffic flows. With forwarding
// off at boot dockerd also sets the policy to DROP itself.
func TestKernelFilterForwardBuiltinWorks(t *testing.T) {
	for _, fwdOff := range []bool{false, true} {
		t.Run(fmt.Sprintf("forwarding-off=%v", fwdOff), func(t *testing.T) {
			t.Parallel()
			o := scenario(t, kernelConfig("filter-forward-builtin.nft"), dockersim.Docker29, netns.Options{ForwardingOff: fwdOff})
			wantStarted(t, o.report)
			ranPolicy := false
			for _, s := range o.report.Steps {
				if strings.Contains(s.Command(), "-P FORWARD DROP") {
					ranPolicy = true
				}
			}
			if ranPolicy != fwdOff {
				t.Errorf("dockerd ran -P FORWARD DROP: %v, want %v (only when it enabled forwarding itself)", ranPolicy, fwdOff)
			}
			wantPaths(t, "before reload", o.before, true, true)
			wantPaths(t, "after reload", o.after, true, true)
		})
	}
}

// (e) nat PREROUTING at priority 0: appending Docker's jump fails, the
// daemon does not start. At -100 (the built-in) everything works.
func TestKernelNatPreroutingPriority(t *testing.T) {
	t.Run("priority-0", func(t *testing.T) {
		t.Parallel()
		o := scenario(t, kernelConfig("nat-prerouting-prio0.nft"), dockersim.Docker29, netns.Options{})
		if o.report.DaemonErr == nil {
			t.Fatalf("want the daemon to fail: %s", o.report.Summary())
		}
		wantFailed(t, o.report, "CHAIN_ADD failed (Operation not supported)", "-t nat -A PREROUTING", "-j DOCKER")
	})
	t.Run("priority-minus-100", func(t *testing.T) {
		t.Parallel()
		o := scenario(t, kernelConfig("nat-prerouting-prio-100.nft"), dockersim.Docker29, netns.Options{})
		wantStarted(t, o.report)
		wantPaths(t, "before reload", o.before, true, true)
	})
}

// (f) `flush ruleset` is harmless at boot but a reload wipes every
// runtime's rules: both paths die after the reload.
func TestKernelFlushRulesetBreaksOnReload(t *testing.T) {
	for _, rt := range dockersim.Runtimes() {
		t.Run(string(rt), func(t *testing.T) {
			t.Parallel()
			o := scenario(t, kernelConfig("flush-ruleset.nft"), rt, netns.Options{})
			wantStarted(t, o.report)
			wantPaths(t, "before reload", o.before, true, true)
			if o.reloadErr != nil {
				t.Fatalf("reload: %v", o.reloadErr)
			}
			wantPaths(t, "after reload", o.after, false, false)
		})
	}
}

// (g) DOCKER-USER as a base chain: `-N DOCKER-USER` fails, the failure is
// only logged, and the FORWARD → DOCKER-USER jump is never inserted.
func TestKernelDockerUserBaseChain(t *testing.T) {
	t.Parallel()
	o := scenario(t, kernelConfig("docker-user-base-chain.nft"), dockersim.Docker29, netns.Options{})
	wantStarted(t, o.report) // logged only
	s := wantFailed(t, o.report, "CHAIN_USER_ADD failed (File exists)", "iptables --wait", "-N DOCKER-USER")
	if s.Consequence != dockersim.Logged {
		t.Errorf("%s: consequence %v, want %v", s.Command(), s.Consequence, dockersim.Logged)
	}
	for _, st := range o.report.Steps {
		if st.Argv[0] == "iptables" && strings.Contains(st.Command(), "-I FORWARD -j DOCKER-USER") {
			t.Errorf("dockerd would not insert the DOCKER-USER jump after -N failed, but the replay ran %s", st.Command())
		}
	}
	if len(o.report.Warnings) == 0 || !strings.Contains(strings.Join(o.report.Warnings, "\n"), "DOCKER-USER") {
		t.Errorf("want a logged DOCKER-USER warning, got %q", o.report.Warnings)
	}
	wantPaths(t, "before reload", o.before, true, true)
}

// (h) The seed configuration: iptables-compatible ip filter/nat tables
// (FORWARD built-in with policy drop) and `flush ruleset`. Docker with the
// iptables backend reuses that FORWARD chain and works until a reload
// removes its rules. Docker's nftables backend and netavark do not get past
// the FORWARD drop policy at all: an accept in their own tables cannot
// override it.
func TestKernelSeedConfig(t *testing.T) {
	seed := sharedFile(t, filepath.Join("examples", "seed.nft"))
	for _, tc := range []struct {
		rt           dockersim.Runtime
		worksAtFirst bool
	}{
		{dockersim.Docker29, true},
		{dockersim.DockerLegacy, true},
		{dockersim.DockerNftables, false},
		{dockersim.Podman, false},
	} {
		t.Run(string(tc.rt), func(t *testing.T) {
			t.Parallel()
			o := scenario(t, seed, tc.rt, netns.Options{})
			wantStarted(t, o.report)
			wantPaths(t, "before reload", o.before, tc.worksAtFirst, tc.worksAtFirst)
			if o.reloadErr != nil {
				t.Fatalf("reload: %v", o.reloadErr)
			}
			wantPaths(t, "after reload", o.after, false, false)
		})
	}
}

// Namespaces left behind by a dead process are swept by New; those of live
// processes (this one) are kept, and Close removes an environment's own.
func TestKernelSweepAndClose(t *testing.T) {
	requireKernel(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// A pid that surely is gone: a child that has exited and been reaped.
	child := exec.Command("true")
	if err := child.Run(); err != nil {
		t.Fatalf("running true: %v", err)
	}
	stale := fmt.Sprintf("%s%d-0badc0de-host", netns.NamePrefix, child.Process.Pid)
	if out, err := exec.Command("ip", "netns", "add", stale).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", stale, err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "delete", stale).Run() })

	env, err := netns.New(ctx, netns.Options{})
	if err != nil {
		t.Fatalf("netns.New: %v", err)
	}
	kernelRuns.Add(1)
	if namespaceExists(stale) {
		t.Errorf("stale namespace %s of exited pid %d was not swept", stale, child.Process.Pid)
	}
	names := []string{env.Host, env.Container, env.World}
	for _, n := range names {
		if !strings.HasPrefix(n, fmt.Sprintf("%s%d-", netns.NamePrefix, os.Getpid())) {
			t.Errorf("namespace %s does not carry this process's id", n)
		}
		if !namespaceExists(n) {
			t.Errorf("namespace %s missing while the environment is open", n)
		}
	}
	netns.SweepStale(ctx)
	if !namespaceExists(env.Host) {
		t.Errorf("SweepStale removed a namespace of a live process")
	}
	if err := env.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := env.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	for _, n := range names {
		if namespaceExists(n) {
			t.Errorf("namespace %s still exists after Close", n)
		}
	}
}

func namespaceExists(name string) bool {
	_, err := os.Stat(filepath.Join("/run/netns", name))
	return err == nil
}
