// Package dockersim replays, command by command, what container runtimes do to
// a host's firewall when they start: dockerd 29 and dockerd 27 and older with
// the iptables backend, dockerd 29 with its nftables backend, and Podman's
// netavark with its nftables driver.
//
// The replays run the real iptables-nft and nft binaries through a [Runner]
// (internal/netns runs them inside a private network namespace) and keep
// the runtime's error handling: dockerd checks before it adds (`-n -L`, `-C`)
// and treats a failing check as "absent", some failures stop the daemon, some
// are only logged, and some make a container fail to start. Each replayed
// command is recorded as a [Step] so that tests can say which command broke
// and with what message.
//
// Sources are cited next to each sequence; the facts they rest on are
// summarised in the project's container-firewall notes (§1.2–1.8, §2.2, §5.1).
package dockersim

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Runtime names a container runtime whose firewall set-up can be replayed.
// The values match nftlint's --runtime profile names.
type Runtime string

const (
	// Docker29 is dockerd 28.0.1 and later (29.x) with the default iptables
	// firewall backend.
	Docker29 Runtime = "docker"
	// DockerLegacy is dockerd 20.10 to 27.x (iptables only).
	DockerLegacy Runtime = "docker-legacy"
	// DockerNftables is dockerd 29 with --firewall-backend=nftables.
	DockerNftables Runtime = "docker-nftables"
	// Podman is Podman with netavark's nftables firewall driver.
	Podman Runtime = "podman"
)

// Runtimes lists every runtime Replay knows, in a stable order.
func Runtimes() []Runtime {
	return []Runtime{Docker29, DockerLegacy, DockerNftables, Podman}
}

// ParseRuntime returns the Runtime called name.
func ParseRuntime(name string) (Runtime, error) {
	for _, rt := range Runtimes() {
		if string(rt) == name {
			return rt, nil
		}
	}
	names := make([]string, 0, 4)
	for _, rt := range Runtimes() {
		names = append(names, string(rt))
	}
	return "", fmt.Errorf("unknown runtime %q (known: %s)", name, strings.Join(names, ", "))
}

// Description says in a few words what the runtime stands for.
func (rt Runtime) Description() string {
	switch rt {
	case Docker29:
		return "dockerd 28.0.1+/29, iptables backend"
	case DockerLegacy:
		return "dockerd 20.10-27.x, iptables"
	case DockerNftables:
		return "dockerd 29, nftables backend"
	case Podman:
		return "Podman, netavark nftables driver"
	}
	return "unknown runtime"
}

// Bridge returns the name of the runtime's default bridge.
func (rt Runtime) Bridge() string {
	if rt == Podman {
		return "podman0"
	}
	return "docker0"
}

// Network describes the default bridge network and the one container with one
// published TCP port that a replay sets up. The addresses stand in for
// Docker's 172.17.0.0/16 and must come from the documentation ranges.
type Network struct {
	Bridge        string       // bridge interface in the host namespace, e.g. "docker0"
	Subnet        netip.Prefix // container subnet, e.g. 198.51.100.0/24
	Gateway       netip.Addr   // the bridge's address, e.g. 198.51.100.1
	Container     netip.Addr   // the container's address, e.g. 198.51.100.2
	HostPort      uint16       // published port on the host, e.g. 8080
	ContainerPort uint16       // port the container listens on, e.g. 80
}

// Validate reports what is missing or inconsistent in n.
func (n Network) Validate() error {
	switch {
	case n.Bridge == "":
		return errors.New("network: bridge name is empty")
	case !n.Subnet.IsValid() || !n.Subnet.Addr().Is4():
		return fmt.Errorf("network: subnet %v is not an IPv4 prefix", n.Subnet)
	case !n.Subnet.Contains(n.Gateway) || !n.Subnet.Contains(n.Container):
		return fmt.Errorf("network: gateway %v and container %v must lie in %v", n.Gateway, n.Container, n.Subnet)
	case n.HostPort == 0 || n.ContainerPort == 0:
		return errors.New("network: ports must be non-zero")
	}
	return nil
}

// Result is the outcome of one command run by a [Runner].
type Result struct {
	ExitCode int    // process exit status; -1 when it could not be started or was killed
	Stdout   string // standard output
	Stderr   string // standard error, or why the command could not run
}

// Runner runs a command (argv[0] looked up in PATH) in the host network
// namespace of the simulation, feeding it stdin.
type Runner interface {
	Run(ctx context.Context, stdin string, argv ...string) Result
}

// Consequence says what a failure of a replayed command means to the runtime.
type Consequence int

const (
	// Check is a probe such as `iptables -C` or `-n -L`: a failure only
	// means "absent" to dockerd (moby iptables.go Exists / NewChain).
	Check Consequence = iota
	// Ignored is clean-up whose errors the runtime discards.
	Ignored
	// Logged failures are logged as warnings; the runtime carries on.
	Logged
	// DaemonFails: the failure stops the daemon from starting.
	DaemonFails
	// ContainerFails: the failure makes starting the container (its
	// endpoint or published port) fail; the daemon keeps running.
	ContainerFails
)

func (c Consequence) String() string {
	switch c {
	case Check:
		return "check"
	case Ignored:
		return "ignored"
	case Logged:
		return "logged"
	case DaemonFails:
		return "daemon fails"
	case ContainerFails:
		return "container fails"
	}
	return fmt.Sprintf("Consequence(%d)", int(c))
}

// Step is one replayed command and its outcome.
type Step struct {
	Argv        []string
	Consequence Consequence // what a failure of this command means
	Result
}

// Failed reports whether the command exited non-zero.
func (s Step) Failed() bool { return s.ExitCode != 0 }

// Command returns the command line, for messages.
func (s Step) Command() string { return strings.Join(s.Argv, " ") }

// Report is what a replay did and what the runtime would have made of it.
type Report struct {
	Runtime Runtime
	Steps   []Step
	// DaemonErr is non-nil when the daemon would have failed to start; the
	// replay stops there, like the daemon.
	DaemonErr error
	// ContainerErr is non-nil when the container with the published port
	// could not have been started.
	ContainerErr error
	// Warnings are the failures the runtime only logs.
	Warnings []string
}

// OK reports whether the daemon started and the container ran.
func (r *Report) OK() bool { return r.DaemonErr == nil && r.ContainerErr == nil }

// Failures returns the failed steps whose failure the runtime does not
// silently absorb: logged ones and fatal ones.
func (r *Report) Failures() []Step {
	var out []Step
	for _, s := range r.Steps {
		if s.Failed() && s.Consequence >= Logged {
			out = append(out, s)
		}
	}
	return out
}

// FailedCommand returns the first failed step whose command line contains
// every one of parts, and whether there is one.
func (r *Report) FailedCommand(parts ...string) (Step, bool) {
	for _, s := range r.Steps {
		if !s.Failed() {
			continue
		}
		cmd := " " + s.Command() + " "
		all := true
		for _, p := range parts {
			if !strings.Contains(cmd, p) {
				all = false
				break
			}
		}
		if all {
			return s, true
		}
	}
	return Step{}, false
}

// Summary describes the outcome in one line, for logs and messages.
func (r *Report) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d commands", r.Runtime, len(r.Steps))
	switch {
	case r.DaemonErr != nil:
		fmt.Fprintf(&b, "; daemon would not start: %v", r.DaemonErr)
	case r.ContainerErr != nil:
		fmt.Fprintf(&b, "; container would not start: %v", r.ContainerErr)
	default:
		b.WriteString("; daemon and container start")
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(&b, "; %d logged failure(s): %s", len(r.Warnings), strings.Join(r.Warnings, "; "))
	}
	return b.String()
}

// Transcript lists every step with its exit status, for test logs.
func (r *Report) Transcript() string {
	var b strings.Builder
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "[%d %s] %s", s.ExitCode, s.Consequence, s.Command())
		if msg := strings.TrimSpace(s.Stderr); msg != "" && s.Failed() {
			fmt.Fprintf(&b, "  => %s", firstLine(msg))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Replay runs rt's start-up sequence for the default bridge, one container
// and one published port through run, and reports what happened.
func Replay(ctx context.Context, run Runner, rt Runtime, n Network) (*Report, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	r := &replay{ctx: ctx, run: run, net: n, rep: &Report{Runtime: rt}}
	switch rt {
	case Docker29:
		r.docker29()
	case DockerLegacy:
		r.dockerLegacy()
	case DockerNftables:
		r.dockerNftables()
	case Podman:
		r.podman()
	default:
		_, err := ParseRuntime(string(rt))
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return r.rep, fmt.Errorf("replay of %s interrupted: %w", rt, err)
	}
	return r.rep, nil
}

// replay carries the state of one Replay call.
type replay struct {
	ctx context.Context
	run Runner
	net Network
	rep *Report
}

// exec runs argv, records it and returns its step.
func (r *replay) exec(c Consequence, stdin string, argv ...string) Step {
	res := r.run.Run(r.ctx, stdin, argv...)
	st := Step{Argv: argv, Consequence: c, Result: res}
	r.rep.Steps = append(r.rep.Steps, st)
	return st
}

// stepError turns a failed step into the error the runtime would report.
func stepError(s Step) error {
	msg := strings.TrimSpace(s.Stderr + " " + s.Stdout)
	if msg == "" {
		msg = fmt.Sprintf("exit status %d", s.ExitCode)
	}
	return fmt.Errorf("%s: %s", s.Command(), firstLine(msg))
}

func (r *replay) warn(format string, args ...any) {
	r.rep.Warnings = append(r.rep.Warnings, fmt.Sprintf(format, args...))
}

// forwarding reads net.ipv4.ip_forward in the host namespace.
func (r *replay) forwarding() (bool, error) {
	s := r.exec(Check, "", "sysctl", "-n", "net.ipv4.ip_forward")
	if s.Failed() {
		return false, stepError(s)
	}
	return strings.TrimSpace(s.Stdout) == "1", nil
}

// enableForwarding turns net.ipv4.ip_forward on and reports whether it
// changed it (moby setup_ip_forwarding.go configureIPForwarding).
func (r *replay) enableForwarding(c Consequence) (changed bool, err error) {
	on, err := r.forwarding()
	if err != nil || on {
		return false, err
	}
	s := r.exec(c, "", "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
	if s.Failed() {
		return false, stepError(s)
	}
	return true, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
