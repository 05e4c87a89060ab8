//go:build !linux

package netns

import (
	"context"
	"errors"
	"runtime"

	"github.com/nftlint/nftlint/internal/dockersim"
)

// errNotLinux explains why nothing here works on this system.
var errNotLinux = errors.New("kernel verification requires Linux (network namespaces, nftables and iptables-nft); this is " + runtime.GOOS)

// Available always fails outside Linux.
func Available() error { return errNotLinux }

// Env is not usable outside Linux; New always fails.
type Env struct {
	Host, Container, World string
}

// New always fails outside Linux.
func New(ctx context.Context, opts Options) (*Env, error) { return nil, errNotLinux }

// Network returns the bridge network the replays would set up.
func (e *Env) Network() dockersim.Network { return network("docker0") }

// Run always fails outside Linux.
func (e *Env) Run(ctx context.Context, stdin string, argv ...string) dockersim.Result {
	return dockersim.Result{ExitCode: -1, Stderr: errNotLinux.Error()}
}

// LoadConfig always fails outside Linux.
func (e *Env) LoadConfig(ctx context.Context, path string) error { return errNotLinux }

// ReplayRuntime always fails outside Linux.
func (e *Env) ReplayRuntime(ctx context.Context, rt dockersim.Runtime) (*dockersim.Report, error) {
	return nil, errNotLinux
}

// Ruleset returns nothing outside Linux.
func (e *Env) Ruleset(ctx context.Context) string { return "" }

// Probe always fails outside Linux.
func (e *Env) Probe(ctx context.Context) []PathResult {
	return []PathResult{
		{Name: PathOutbound, Detail: errNotLinux.Error()},
		{Name: PathPublished, Detail: errNotLinux.Error()},
	}
}

// Close does nothing outside Linux.
func (e *Env) Close() error { return nil }

// SweepStale does nothing outside Linux.
func SweepStale(ctx context.Context) {}
