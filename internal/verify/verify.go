// Package verify proves a host nftables configuration against the real
// kernel: it loads the file with the machine's own nft into a throw-away
// network namespace, replays a container runtime's firewall set-up there
// with the machine's own iptables-nft and nft, and sends real TCP traffic
// over the two paths containers need, before and after reloading the file
// (as `systemctl reload nftables` does). The machine's own ruleset is never
// read or changed.
//
// Wiring it into the command line (`nftlint verify FILE [--runtime NAME]`):
//
//	passed, err := verify.Run(ctx, file, runtime, os.Stdout)
//	switch {
//	case err != nil: // could not verify (not Linux, not root, binaries missing, bad runtime, unreadable file)
//		fmt.Fprintln(os.Stderr, "nftlint:", err)
//		os.Exit(2)
//	case !passed: // the configuration breaks the runtime
//		os.Exit(1)
//	}
//
// Run needs Linux, root, and ip, nft, iptables-nft, ip6tables-nft and
// sysctl in PATH; otherwise it returns an error saying which.
package verify

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nftlint/nftlint/internal/dockersim"
	"github.com/nftlint/nftlint/internal/netns"
)

// Run verifies the nftables file at path against runtime ("docker",
// "docker-legacy", "docker-nftables" or "podman"; empty means "docker"),
// writing a pass/fail line per check to w. passed is true when the file
// loads, the runtime starts, and both traffic paths work before and after
// a reload. err is non-nil only when the verification could not be run.
func Run(ctx context.Context, path, runtime string, w io.Writer) (passed bool, err error) {
	if runtime == "" {
		runtime = string(dockersim.Docker29)
	}
	rt, err := dockersim.ParseRuntime(runtime)
	if err != nil {
		return false, err
	}
	if _, err := os.ReadFile(path); err != nil {
		return false, fmt.Errorf("cannot read %s: %w", path, err)
	}
	if err := netns.Available(); err != nil {
		return false, err
	}

	env, err := netns.New(ctx, netns.Options{
		Bridge: rt.Bridge(),
		// With the iptables backend dockerd finds forwarding off on a fresh
		// host, enables it and sets the FORWARD policy to DROP; its
		// nftables backend requires the administrator to have enabled it.
		ForwardingOff: rt == dockersim.Docker29 || rt == dockersim.DockerLegacy,
	})
	if err != nil {
		return false, fmt.Errorf("building the test namespaces: %w", err)
	}
	defer env.Close()

	p := printer{w: w}
	p.printf("verifying %s with %s (%s) in throw-away network namespaces\n", path, rt, rt.Description())

	if err := env.LoadConfig(ctx, path); err != nil {
		p.check(false, "load", "nft -f failed, so the host firewall would not be loaded at all: %v", err)
		return p.finish(), nil
	}
	p.check(true, "load", "nft -f %s", path)

	rep, err := env.ReplayRuntime(ctx, rt)
	if err != nil {
		return false, err
	}
	switch {
	case rep.DaemonErr != nil:
		p.check(false, "runtime", "the daemon would not start: %v", rep.DaemonErr)
	case rep.ContainerErr != nil:
		p.check(false, "runtime", "the container would not start: %v", rep.ContainerErr)
	default:
		p.check(true, "runtime", "%s started and published port %d (%d commands replayed)", rt, env.Network().HostPort, len(rep.Steps))
	}
	for _, warning := range rep.Warnings {
		p.printf("  note: %s logs: %s\n", rt, warning)
	}
	if !rep.OK() {
		return p.finish(), nil
	}

	p.paths("before reload", env.Probe(ctx))
	if err := env.LoadConfig(ctx, path); err != nil {
		p.check(false, "reload", "loading the file again failed: %v", err)
	} else {
		p.check(true, "reload", "nft -f %s again, as systemctl reload nftables does", path)
	}
	p.paths("after reload", env.Probe(ctx))
	return p.finish(), nil
}

// printer writes the report and counts failures.
type printer struct {
	w        io.Writer
	checks   int
	failures int
}

func (p *printer) printf(format string, args ...any) {
	fmt.Fprintf(p.w, format, args...)
}

func (p *printer) check(ok bool, what, format string, args ...any) {
	p.checks++
	verdict := "PASS"
	if !ok {
		verdict = "FAIL"
		p.failures++
	}
	p.printf("%s %s: %s\n", verdict, what, strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (p *printer) paths(when string, results []netns.PathResult) {
	for _, r := range results {
		p.check(r.OK, when+": "+r.Name, "%s", r.Detail)
	}
}

// finish prints the summary line and reports whether everything passed.
func (p *printer) finish() bool {
	if p.failures == 0 {
		p.printf("result: PASS (%d checks)\n", p.checks)
		return true
	}
	p.printf("result: FAIL (%d of %d checks failed)\n", p.failures, p.checks)
	return false
}
