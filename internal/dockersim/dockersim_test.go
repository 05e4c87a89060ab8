package dockersim

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// fakeHost answers the replay without a kernel: checks (`-C`, `-n -L`) fail
// unless listed in present, commands containing a string in fail exit 4
// with "CHAIN_ADD failed", sysctl reports forwarding.
type fakeHost struct {
	forwarding string   // "0" or "1"
	present    []string // checks that succeed (substring of the command line)
	fail       []string // commands that fail (substring of the command line)
}

func (f *fakeHost) Run(_ context.Context, _ string, argv ...string) Result {
	cmd := strings.Join(argv, " ")
	if argv[0] == "sysctl" && slices.Contains(argv, "-n") {
		return Result{Stdout: f.forwarding + "\n"}
	}
	for _, s := range f.fail {
		if strings.Contains(cmd, s) {
			return Result{ExitCode: 4, Stderr: argv[0] + " v1.8.9 (nf_tables):  CHAIN_ADD failed (Operation not supported): chain X\n"}
		}
	}
	if strings.HasSuffix(cmd, "--wait -L -n") { // dockerd ≤27's whole-table listing
		return Result{Stdout: "Chain INPUT (policy ACCEPT)\n"}
	}
	if slices.Contains(argv, "-C") || slices.Contains(argv, "-L") {
		for _, s := range f.present {
			if strings.Contains(cmd, s) {
				return Result{}
			}
		}
		return Result{ExitCode: 1, Stderr: "iptables: Bad rule (does a matching rule exist in that chain?).\n"}
	}
	return Result{}
}

func testNetwork() Network {
	return Network{
		Bridge:        "docker0",
		Subnet:        netip.MustParsePrefix("198.51.100.0/24"),
		Gateway:       netip.MustParseAddr("198.51.100.1"),
		Container:     netip.MustParseAddr("198.51.100.2"),
		HostPort:      8080,
		ContainerPort: 80,
	}
}

func replayFake(t *testing.T, rt Runtime, h *fakeHost) *Report {
	t.Helper()
	rep, err := Replay(context.Background(), h, rt, testNetwork())
	if err != nil {
		t.Fatalf("Replay: %v", err)
	}
	return rep
}

// index returns the position of the first step whose command line contains
// s, or -1.
func index(rep *Report, s string) int {
	for i, st := range rep.Steps {
		if strings.Contains(st.Command(), s) {
			return i
		}
	}
	return -1
}

// lastIndex returns the position of the last step whose command line
// contains s, or -1.
func lastIndex(rep *Report, s string) int {
	for i := len(rep.Steps) - 1; i >= 0; i-- {
		if strings.Contains(rep.Steps[i].Command(), s) {
			return i
		}
	}
	return -1
}

func TestDocker29ChecksBeforeEveryAdd(t *testing.T) {
	rep := replayFake(t, Docker29, &fakeHost{forwarding: "1"})
	if !rep.OK() {
		t.Fatalf("want success: %s", rep.Summary())
	}
	for i, st := range rep.Steps {
		op := ""
		if len(st.Argv) > 4 {
			op = st.Argv[4]
		}
		if op != "-A" && op != "-N" {
			continue
		}
		if i == 0 {
			t.Fatalf("%s is the first step", st.Command())
		}
		prev := rep.Steps[i-1]
		check := "-C"
		if op == "-N" {
			check = "-L"
		}
		if !slices.Contains(prev.Argv, check) || prev.Consequence != Check {
			t.Errorf("%s is not preceded by its %s check (previous: %s)", st.Command(), check, prev.Command())
		}
	}
}

func TestDocker29Order(t *testing.T) {
	rep := replayFake(t, Docker29, &fakeHost{forwarding: "1"})
	order := []string{
		"iptables --wait -t nat -N DOCKER",
		"iptables --wait -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
		"iptables --wait -t filter -I FORWARD -j DOCKER-FORWARD",
		"iptables --wait -t filter -I FORWARD -j DOCKER-USER", // after DOCKER-FORWARD, so it ends up first
		"-t nat -I POSTROUTING -s 198.51.100.0/24 ! -o docker0 -j MASQUERADE",
		"-t filter -A DOCKER ! -i docker0 -o docker0 -j DROP",
		"-t raw -A PREROUTING -d 198.51.100.2 ! -i docker0 -j DROP",
		"-t nat -A DOCKER -p tcp -d 0/0 --dport 8080 -j DNAT --to-destination 198.51.100.2:80 ! -i docker0",
		"-t filter -I DOCKER ! -i docker0 -o docker0 -p tcp -d 198.51.100.2 --dport 80 -j ACCEPT",
	}
	last := -1
	for _, s := range order {
		i := index(rep, s)
		if i < 0 {
			t.Fatalf("%q never ran:\n%s", s, rep.Transcript())
		}
		if i <= last {
			t.Errorf("%q ran at step %d, before the previous expected command (step %d)", s, i, last)
		}
		last = i
	}
	if i := index(rep, "-P FORWARD DROP"); i >= 0 {
		t.Errorf("forwarding was already on, yet dockerd set the FORWARD policy: %s", rep.Steps[i].Command())
	}
}

func TestDocker29SetsDropPolicyOnlyWhenItEnablesForwarding(t *testing.T) {
	rep := replayFake(t, Docker29, &fakeHost{forwarding: "0"})
	w, p := index(rep, "net.ipv4.ip_forward=1"), index(rep, "iptables --wait -t filter -P FORWARD DROP")
	if w < 0 || p < 0 || p < w {
		t.Fatalf("want sysctl -w then -P FORWARD DROP (steps %d, %d):\n%s", w, p, rep.Transcript())
	}
	if c := rep.Steps[p].Consequence; c != DaemonFails {
		t.Errorf("-P FORWARD DROP consequence %v, want %v", c, DaemonFails)
	}
}

func TestDocker29StopsAtFirstFatalFailure(t *testing.T) {
	rep := replayFake(t, Docker29, &fakeHost{forwarding: "1", fail: []string{"iptables --wait -t filter -I FORWARD -j DOCKER-FORWARD"}})
	if rep.DaemonErr == nil || !strings.Contains(rep.DaemonErr.Error(), "CHAIN_ADD failed") {
		t.Fatalf("want the daemon to fail with the iptables message, got %v", rep.DaemonErr)
	}
	failed := index(rep, "-I FORWARD -j DOCKER-FORWARD")
	for _, st := range rep.Steps[failed+1:] {
		if st.Consequence != Ignored && st.Consequence != Check {
			t.Errorf("after the fatal failure only clean-up may run, got %s (%v)", st.Command(), st.Consequence)
		}
	}
	// setupIPChains' deferred clean-up removes the chains it created.
	if lastIndex(rep, "-t filter -X DOCKER-INTERNAL") < failed {
		t.Errorf("want the created chains removed after the failure:\n%s", rep.Transcript())
	}
	if index(rep, "POSTROUTING -s 198.51.100.0/24") >= 0 {
		t.Errorf("the default bridge must not be set up after a failed start")
	}
}

func TestDocker29IPv6ChainFailureIsOnlyLogged(t *testing.T) {
	rep := replayFake(t, Docker29, &fakeHost{forwarding: "1", fail: []string{"ip6tables --wait -t nat -N DOCKER"}})
	if !rep.OK() {
		t.Fatalf("an ip6tables failure must not stop the daemon: %s", rep.Summary())
	}
	if len(rep.Warnings) == 0 || !strings.Contains(rep.Warnings[0], "ip6tables is enabled, but cannot set up ip6tables chains") {
		t.Errorf("want the ip6tables warning, got %q", rep.Warnings)
	}
}

func TestDockerUserJumpSkippedWhenCreateFails(t *testing.T) {
	for _, rt := range []Runtime{Docker29, DockerLegacy} {
		t.Run(string(rt), func(t *testing.T) {
			rep := replayFake(t, rt, &fakeHost{forwarding: "1", fail: []string{"iptables --wait -t filter -N DOCKER-USER"}})
			if !rep.OK() {
				t.Fatalf("a DOCKER-USER failure must not stop the daemon: %s", rep.Summary())
			}
			if i := index(rep, "iptables --wait -t filter -I FORWARD -j DOCKER-USER"); i >= 0 && !strings.HasPrefix(rep.Steps[i].Command(), "ip6tables") {
				t.Errorf("jump inserted although -N DOCKER-USER failed: %s", rep.Steps[i].Command())
			}
			if !strings.Contains(strings.Join(rep.Warnings, "\n"), "configuring DOCKER-USER") {
				t.Errorf("want a logged DOCKER-USER warning, got %q", rep.Warnings)
			}
			failures := rep.Failures()
			if len(failures) != 1 || failures[0].Consequence != Logged {
				t.Errorf("want exactly the logged -N failure, got %v", failures)
			}
		})
	}
}

func TestCheckFoundSkipsAdd(t *testing.T) {
	rule := "-t nat -C POSTROUTING -s 198.51.100.0/24 ! -o docker0 -j MASQUERADE"
	rep := replayFake(t, Docker29, &fakeHost{forwarding: "1", present: []string{rule}})
	if i := index(rep, "-t nat -I POSTROUTING -s 198.51.100.0/24"); i >= 0 {
		t.Errorf("the rule was found by -C, yet dockerd inserted it again: %s", rep.Steps[i].Command())
	}
}

func TestDockerNftablesRefusesWithoutForwarding(t *testing.T) {
	rep := replayFake(t, DockerNftables, &fakeHost{forwarding: "0"})
	if rep.DaemonErr == nil || !strings.Contains(rep.DaemonErr.Error(), "IPv4 forwarding is disabled") {
		t.Fatalf("want the forwarding error, got %v", rep.DaemonErr)
	}
	if index(rep, "nft") >= 0 || index(rep, "net.ipv4.ip_forward=1") >= 0 {
		t.Errorf("the nftables backend neither enables forwarding nor creates tables when it refuses:\n%s", rep.Transcript())
	}
}

func TestPodmanEnablesForwarding(t *testing.T) {
	rep := replayFake(t, Podman, &fakeHost{forwarding: "0"})
	if !rep.OK() {
		t.Fatalf("%s", rep.Summary())
	}
	w, n := index(rep, "net.ipv4.ip_forward=1"), index(rep, "nft -f -")
	if w < 0 || n < w {
		t.Errorf("want netavark to enable forwarding before loading its table:\n%s", rep.Transcript())
	}
}

func TestParseRuntime(t *testing.T) {
	for _, rt := range Runtimes() {
		got, err := ParseRuntime(string(rt))
		if err != nil || got != rt {
			t.Errorf("ParseRuntime(%q) = %q, %v", rt, got, err)
		}
	}
	if _, err := ParseRuntime("kubernetes"); err == nil {
		t.Errorf("kubernetes cannot be replayed and must be rejected")
	}
}

func TestNetworkValidate(t *testing.T) {
	n := testNetwork()
	n.Container = netip.MustParseAddr("203.0.113.9")
	if err := n.Validate(); err == nil {
		t.Errorf("a container outside the subnet must be rejected")
	}
	if _, err := Replay(context.Background(), &fakeHost{}, Docker29, Network{}); err == nil {
		t.Errorf("Replay must reject an empty network")
	}
}
