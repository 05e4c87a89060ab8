package main

import (
	"context"
	"errors"
	"os"
	"os/signal"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/internal/verify"
	"github.com/spf13/pflag"
)

const verifyUsage = `Usage: nftlint verify [--runtime R] FILE

Proves FILE against the real kernel: loads it with nft into a throw-away
network namespace next to a simulated container runtime and probes real
traffic (container to world, world to a published port). Needs root, nft
and iptables-nft. Exit status: 0 the runtime works, 1 it breaks, 2 the
check could not run.

Flags:
`

// verify implements `nftlint verify`.
func (a *app) verify(args []string) int {
	fs := pflag.NewFlagSet("nftlint verify", pflag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {}
	rt := fs.String("runtime", string(checks.RuntimeDocker), "container runtime to simulate: "+
		"docker, docker-legacy, docker-nftables, podman")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			*help = true
		} else {
			a.errorf("verify: %v (nftlint verify -h shows the flags)", err)
			return exitTrouble
		}
	}
	if *help {
		a.stdout.Write([]byte(verifyUsage + fs.FlagUsages()))
		return exitOK
	}
	if fs.NArg() != 1 {
		a.errorf("verify: want exactly one FILE, got %d arguments", fs.NArg())
		return exitTrouble
	}
	path := a.abs(fs.Arg(0))
	if _, err := os.Stat(path); err != nil {
		a.errorf("verify: %s: %v", fs.Arg(0), unwrapPathError(err))
		return exitTrouble
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	passed, err := verify.Run(ctx, path, *rt, a.stdout)
	switch {
	case err != nil:
		a.errorf("verify: %v", err)
		return exitTrouble
	case !passed:
		return exitFindings
	}
	return exitOK
}
