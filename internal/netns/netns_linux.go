//go:build linux

package netns

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nftlint/nftlint/internal/dockersim"
)

// netnsDir is where `ip netns` keeps its named namespaces.
const netnsDir = "/run/netns"

// Available returns nil when this process can build namespaces and run the
// replays, or an error that says exactly what is missing.
func Available() error {
	if os.Geteuid() != 0 {
		return errors.New("kernel verification needs root: creating network namespaces requires CAP_SYS_ADMIN and CAP_NET_ADMIN (run it with sudo)")
	}
	var missing []string
	for _, b := range []string{"ip", "nft", "iptables-nft", "ip6tables-nft", "sysctl"} {
		if _, err := exec.LookPath(b); err != nil {
			missing = append(missing, b)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("kernel verification needs %s in PATH (Debian/Ubuntu: apt-get install nftables iptables iproute2 procps)", strings.Join(missing, ", "))
	}
	return nil
}

// Env is a host, a container and a world namespace wired together, with TCP
// listeners in the container and the world.
type Env struct {
	// Host, Container and World are the namespace names.
	Host, Container, World string

	opts Options
	net  dockersim.Network

	mu        sync.Mutex
	listeners []net.Listener
	serving   sync.WaitGroup
	closed    bool
}

// New creates the namespaces, links and listeners. On error nothing is left
// behind. Call Close when done.
func New(ctx context.Context, opts Options) (*Env, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	if opts.Bridge == "" {
		opts.Bridge = "docker0"
	}
	if opts.CommandTimeout <= 0 {
		opts.CommandTimeout = defaultCommandTimeout
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = defaultDialTimeout
	}
	SweepStale(ctx)

	var id [4]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("random namespace name: %w", err)
	}
	base := fmt.Sprintf("%s%d-%s-", NamePrefix, os.Getpid(), hex.EncodeToString(id[:]))
	e := &Env{
		Host:      base + "host",
		Container: base + "ctr",
		World:     base + "world",
		opts:      opts,
		net:       network(opts.Bridge),
	}
	if err := e.build(ctx); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// build creates the topology described in the package comment.
func (e *Env) build(ctx context.Context) error {
	br := e.opts.Bridge
	bridgeCIDR := netip.PrefixFrom(bridgeAddr, containerSubnet.Bits()).String()
	ctrCIDR := netip.PrefixFrom(containerAddr, containerSubnet.Bits()).String()
	hostWorldCIDR := netip.PrefixFrom(hostWorldAddr, worldSubnetBits).String()
	worldCIDR := netip.PrefixFrom(worldAddr, worldSubnetBits).String()
	H, C, W := e.Host, e.Container, e.World
	steps := [][]string{
		{"netns", "add", H},
		{"netns", "add", C},
		{"netns", "add", W},
		{"-n", H, "link", "set", "lo", "up"},
		{"-n", C, "link", "set", "lo", "up"},
		{"-n", W, "link", "set", "lo", "up"},
		{"-n", H, "link", "add", br, "type", "bridge"},
		{"-n", H, "addr", "add", bridgeCIDR, "dev", br},
		{"-n", H, "link", "set", br, "up"},
		{"-n", H, "link", "add", "veth0", "type", "veth", "peer", "name", "eth0", "netns", C},
		{"-n", H, "link", "set", "veth0", "master", br, "up"},
		{"-n", C, "addr", "add", ctrCIDR, "dev", "eth0"},
		{"-n", C, "link", "set", "eth0", "up"},
		{"-n", C, "route", "add", "default", "via", bridgeAddr.String()},
		{"-n", H, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", W},
		{"-n", H, "addr", "add", hostWorldCIDR, "dev", "eth0"},
		{"-n", H, "link", "set", "eth0", "up"},
		{"-n", W, "addr", "add", worldCIDR, "dev", "eth0"},
		{"-n", W, "link", "set", "eth0", "up"},
	}
	for _, args := range steps {
		if res := e.runIn(ctx, "", append([]string{"ip"}, args...)...); res.ExitCode != 0 {
			return fmt.Errorf("ip %s: %s", strings.Join(args, " "), strings.TrimSpace(res.Stderr))
		}
	}
	// A new namespace starts with forwarding off.
	if !e.opts.ForwardingOff {
		if res := e.Run(ctx, "", "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"); res.ExitCode != 0 {
			return fmt.Errorf("enabling forwarding in %s: %s", H, strings.TrimSpace(res.Stderr))
		}
	}
	// Listeners: the container's service and a service in the world.
	for _, l := range []struct {
		ns   string
		addr string
	}{
		{C, netip.AddrPortFrom(netip.IPv4Unspecified(), containerPort).String()},
		{W, netip.AddrPortFrom(worldAddr, worldPort).String()},
	} {
		if err := e.listen(l.ns, l.addr); err != nil {
			return err
		}
	}
	return nil
}

// Network returns the bridge network the replays set up.
func (e *Env) Network() dockersim.Network { return e.net }

// Run runs argv inside the host namespace (with `ip netns exec`), feeding it
// stdin. It implements [dockersim.Runner]; "iptables" and "ip6tables" run
// iptables-nft and ip6tables-nft, whatever the machine's alternatives say,
// because that is the backend the replays model.
func (e *Env) Run(ctx context.Context, stdin string, argv ...string) dockersim.Result {
	if len(argv) == 0 {
		return dockersim.Result{ExitCode: -1, Stderr: "empty command"}
	}
	bin := argv[0]
	switch bin {
	case "iptables", "ip6tables":
		bin += "-nft"
	}
	full := append([]string{"ip", "netns", "exec", e.Host, bin}, argv[1:]...)
	return e.runIn(ctx, stdin, full...)
}

// runIn runs a command in the caller's namespace with a bounded time.
func (e *Env) runIn(ctx context.Context, stdin string, argv ...string) dockersim.Result {
	ctx, cancel := context.WithTimeout(ctx, e.opts.CommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.Stdin = strings.NewReader(stdin)
	cmd.WaitDelay = 2 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := dockersim.Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr) && exitErr.ExitCode() >= 0:
		res.ExitCode = exitErr.ExitCode()
	default:
		res.ExitCode = -1
		res.Stderr = strings.TrimSpace(res.Stderr + "\n" + err.Error())
		if ctx.Err() != nil {
			res.Stderr += fmt.Sprintf(" (timed out after %v)", e.opts.CommandTimeout)
		}
	}
	return res
}

// LoadConfig loads an nftables file into the host namespace with `nft -f`,
// as nftables.service does at boot and on reload.
func (e *Env) LoadConfig(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	res := e.Run(ctx, "", "nft", "-f", abs)
	if res.ExitCode != 0 {
		return fmt.Errorf("nft -f %s: %s", path, strings.TrimSpace(res.Stderr))
	}
	return nil
}

// ReplayRuntime replays rt's firewall set-up in the host namespace.
func (e *Env) ReplayRuntime(ctx context.Context, rt dockersim.Runtime) (*dockersim.Report, error) {
	if rt.Bridge() != e.opts.Bridge {
		return nil, fmt.Errorf("%s uses bridge %s but this environment has %s", rt, rt.Bridge(), e.opts.Bridge)
	}
	return dockersim.Replay(ctx, e, rt, e.net)
}

// Ruleset returns `nft list ruleset` of the host namespace, for test logs.
func (e *Env) Ruleset(ctx context.Context) string {
	res := e.Run(ctx, "", "nft", "list", "ruleset")
	return res.Stdout + res.Stderr
}

// Probe connects over both paths (at the same time, so that a dropped path
// costs one dial timeout, not two) and reports what happened.
func (e *Env) Probe(ctx context.Context) []PathResult {
	results := make([]PathResult, 2)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		results[0] = e.dial(ctx, PathOutbound, e.Container, netip.AddrPortFrom(worldAddr, worldPort), hostWorldAddr)
	}()
	go func() {
		defer wg.Done()
		results[1] = e.dial(ctx, PathPublished, e.World, netip.AddrPortFrom(hostWorldAddr, publishedPort), netip.Addr{})
	}()
	wg.Wait()
	return results
}

// dial connects from namespace ns to target. The server answers with the
// source address it saw; when wantSource is valid it must match.
func (e *Env) dial(ctx context.Context, name, ns string, target netip.AddrPort, wantSource netip.Addr) PathResult {
	res := PathResult{Name: name}
	var seen string
	err := inNamespace(ns, func() error {
		d := net.Dialer{Timeout: e.opts.DialTimeout}
		conn, err := d.DialContext(ctx, "tcp", target.String())
		if err != nil {
			return err
		}
		defer conn.Close()
		if err := conn.SetDeadline(time.Now().Add(e.opts.DialTimeout)); err != nil {
			return err
		}
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil {
			return fmt.Errorf("connected but no answer: %w", err)
		}
		seen = strings.TrimSpace(line)
		return nil
	})
	if err != nil {
		res.Detail = fmt.Sprintf("connect %s: %v", target, err)
		return res
	}
	if wantSource.IsValid() && seen != wantSource.String() {
		res.Detail = fmt.Sprintf("connected to %s but the peer saw source %s, want %s (no masquerade)", target, seen, wantSource)
		return res
	}
	res.OK = true
	res.Detail = fmt.Sprintf("connected to %s; the peer saw source %s", target, seen)
	return res
}

// listen starts a TCP server in namespace ns that writes each client's
// address and hangs up.
func (e *Env) listen(ns, addr string) error {
	var ln net.Listener
	err := inNamespace(ns, func() error {
		var err error
		ln, err = net.Listen("tcp", addr)
		return err
	})
	if err != nil {
		return fmt.Errorf("listening on %s in %s: %w", addr, ns, err)
	}
	e.mu.Lock()
	e.listeners = append(e.listeners, ln)
	e.mu.Unlock()
	e.serving.Add(1)
	go func() {
		defer e.serving.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed
			}
			host, _, _ := net.SplitHostPort(conn.RemoteAddr().String())
			_ = conn.SetDeadline(time.Now().Add(e.opts.DialTimeout))
			_, _ = conn.Write([]byte(host + "\n"))
			_ = conn.Close()
		}
	}()
	return nil
}

// Close stops the listeners and deletes the namespaces (and with them the
// bridge and veth pairs). It is safe to call more than once.
func (e *Env) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	lns := e.listeners
	e.listeners = nil
	e.mu.Unlock()
	for _, ln := range lns {
		_ = ln.Close()
	}
	e.serving.Wait()
	var errs []error
	for _, ns := range []string{e.Container, e.World, e.Host} {
		if err := deleteNamespace(ns); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// deleteNamespace removes a named namespace if it exists.
func deleteNamespace(name string) error {
	if _, err := os.Stat(filepath.Join(netnsDir, name)); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), defaultCommandTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", "netns", "delete", name).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip netns delete %s: %s", name, strings.TrimSpace(string(out)))
	}
	return nil
}

// SweepStale deletes namespaces named by this package whose creating process
// no longer exists (left by a killed test). Namespaces of live processes,
// including concurrent tests, are kept.
func SweepStale(ctx context.Context) {
	entries, err := os.ReadDir(netnsDir)
	if err != nil {
		return
	}
	for _, ent := range entries {
		name := ent.Name()
		rest, ok := strings.CutPrefix(name, NamePrefix)
		if !ok {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || processAlive(pid) {
			continue
		}
		if ctx.Err() != nil {
			return
		}
		_ = deleteNamespace(name)
	}
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// inNamespace runs fn on an OS thread that has joined network namespace
// name. Sockets created by fn stay in that namespace for their lifetime.
// The thread is never unlocked, so the Go runtime discards it afterwards
// instead of reusing a thread in a foreign namespace.
func inNamespace(name string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open(filepath.Join(netnsDir, name))
		if err != nil {
			errc <- err
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", name, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}
