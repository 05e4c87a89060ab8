package checks

import (
	"fmt"
	"sort"
	"strings"
)

// RuntimeProfile describes what a container runtime puts on the host: the
// bridges its containers sit behind, and how its firewall backend works.
// Facts and sources: container-firewall-facts.md §1, §2, §5.
type RuntimeProfile struct {
	Runtime Runtime
	// Description is a short human name for messages ("Docker (iptables backend)").
	Description string
	// Bridges are interface-name patterns in nft syntax (a trailing '*'
	// matches any suffix) of the runtime's container bridges.
	Bridges []string
	// Iptables is set when the runtime programs the kernel through
	// iptables-nft (and therefore inserts its own accepts into the
	// built-in `ip filter FORWARD` chain).
	Iptables bool
	// OwnsForwardBuiltin is set when the runtime inserts accepts for its
	// bridges at the top of the iptables built-in FORWARD chain, so that
	// a config's `ip filter FORWARD` cannot drop its traffic (Docker's
	// iptables backend: DOCKER-USER and DOCKER-FORWARD jumps, §1.3).
	OwnsForwardBuiltin bool
	// Current is set for the runtime the severity contract calls
	// "current Docker" (28+, iptables backend): certain breakage there is
	// an error; elsewhere it is a warning.
	Current bool
}

// runtimeProfiles is indexed by Runtime. It is never modified.
var runtimeProfiles = map[Runtime]RuntimeProfile{
	RuntimeDocker: {
		Runtime:            RuntimeDocker,
		Description:        "Docker (iptables backend)",
		Bridges:            []string{"docker0", "br-*"},
		Iptables:           true,
		OwnsForwardBuiltin: true,
		Current:            true,
	},
	RuntimeDockerLegacy: {
		Runtime:            RuntimeDockerLegacy,
		Description:        "Docker 27 or older",
		Bridges:            []string{"docker0", "br-*"},
		Iptables:           true,
		OwnsForwardBuiltin: true,
	},
	RuntimeDockerNftables: {
		Runtime:     RuntimeDockerNftables,
		Description: "Docker (nftables backend)",
		Bridges:     []string{"docker0", "br-*"},
	},
	RuntimePodman: {
		Runtime:     RuntimePodman,
		Description: "Podman (netavark)",
		Bridges:     []string{"podman*", "cni-podman*"},
	},
	RuntimeKubernetes: {
		Runtime:     RuntimeKubernetes,
		Description: "Kubernetes",
		Bridges:     []string{"cni0", "cbr0", "kube-bridge", "cali*", "flannel*", "weave", "lxc*"},
		Iptables:    true,
		// CNI plugins in iptables mode (flannel, Calico) insert their own
		// FORWARD accepts (coreos/flannel#872).
		OwnsForwardBuiltin: true,
	},
	RuntimeLibvirt: {
		Runtime:     RuntimeLibvirt,
		Description: "libvirt",
		Bridges:     []string{"virbr*"},
	},
	RuntimeNone: {
		Runtime:     RuntimeNone,
		Description: "no container runtime",
	},
}

// Profile returns the profile of r and whether r is known.
func Profile(r Runtime) (RuntimeProfile, bool) {
	p, ok := runtimeProfiles[r]
	return p, ok
}

// KnownRuntimes returns the names of all runtime profiles, sorted.
func KnownRuntimes() []string {
	var names []string
	for r := range runtimeProfiles {
		names = append(names, string(r))
	}
	sort.Strings(names)
	return names
}

// DefaultRuntimes is what --runtime defaults to.
func DefaultRuntimes() []Runtime { return []Runtime{RuntimeDocker} }

// ParseRuntimes parses runtime names given as separate values and/or
// comma-separated lists ("docker,podman"). An empty input yields the
// default. "none" cannot be combined with a runtime.
func ParseRuntimes(values ...string) ([]Runtime, error) {
	var out []Runtime
	seen := make(map[Runtime]bool)
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			r := Runtime(name)
			if _, ok := runtimeProfiles[r]; !ok {
				return nil, fmt.Errorf("unknown runtime %q (want one of %s)", name, strings.Join(KnownRuntimes(), ", "))
			}
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	if len(out) == 0 {
		return DefaultRuntimes(), nil
	}
	if seen[RuntimeNone] && len(out) > 1 {
		return nil, fmt.Errorf("runtime \"none\" cannot be combined with other runtimes")
	}
	return out, nil
}

// DefaultContainerIfaces returns the bridge patterns of the given
// runtimes, in order, without duplicates.
func DefaultContainerIfaces(rts []Runtime) []string {
	var out []string
	seen := make(map[string]bool)
	for _, r := range rts {
		for _, b := range runtimeProfiles[r].Bridges {
			if !seen[b] {
				seen[b] = true
				out = append(out, b)
			}
		}
	}
	return out
}

// ContainerIfaces returns the interface patterns the checks use: the
// explicit patterns when any are given (--container-iface), else the
// runtimes' defaults.
func ContainerIfaces(rts []Runtime, explicit []string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, v := range explicit {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if p != "" && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	return DefaultContainerIfaces(rts)
}

// NewOptions returns Options for the given runtime names and explicit
// container interfaces, with defaults applied.
func NewOptions(runtimes, containerIfaces []string) (*Options, error) {
	rts, err := ParseRuntimes(runtimes...)
	if err != nil {
		return nil, err
	}
	return &Options{Runtimes: rts, ContainerIfaces: ContainerIfaces(rts, containerIfaces)}, nil
}

// runtimes returns the run's runtimes, defaulting when none are set.
func (o *Options) runtimes() []Runtime {
	if o == nil || len(o.Runtimes) == 0 {
		return DefaultRuntimes()
	}
	return o.Runtimes
}

// HasRuntime reports whether r is among the run's runtimes.
func (o *Options) HasRuntime(r Runtime) bool {
	for _, x := range o.runtimes() {
		if x == r {
			return true
		}
	}
	return false
}

// Bridge is one container-bridge pattern and the runtime it belongs to.
type Bridge struct {
	Pattern string
	Profile RuntimeProfile
}

// Bridges returns the container-bridge patterns to check, each attributed
// to a runtime: a pattern of a selected runtime's profile belongs to that
// runtime; an explicit --container-iface pattern that no profile lists
// belongs to the first selected runtime.
func (o *Options) Bridges() []Bridge {
	rts := o.runtimes()
	if len(rts) == 1 && rts[0] == RuntimeNone {
		return nil
	}
	ifaces := DefaultContainerIfaces(rts)
	if o != nil && len(o.ContainerIfaces) > 0 {
		ifaces = o.ContainerIfaces
	}
	var out []Bridge
	for _, pat := range ifaces {
		owners := 0
		for _, r := range rts {
			p := runtimeProfiles[r]
			for _, b := range p.Bridges {
				if b == pat {
					out = append(out, Bridge{Pattern: pat, Profile: p})
					owners++
				}
			}
		}
		if owners == 0 {
			out = append(out, Bridge{Pattern: pat, Profile: runtimeProfiles[rts[0]]})
		}
	}
	return out
}

// appliesTo reports whether a check with the given runtimes runs for the
// selected ones: an empty list means always.
func appliesTo(checkRuntimes, selected []Runtime) bool {
	if len(checkRuntimes) == 0 {
		return true
	}
	for _, a := range checkRuntimes {
		for _, b := range selected {
			if a == b {
				return true
			}
		}
	}
	return false
}

// containerRuntimes is the Runtimes list of checks that apply whenever a
// container runtime is selected.
var containerRuntimes = []Runtime{
	RuntimeDocker, RuntimeDockerLegacy, RuntimeDockerNftables,
	RuntimePodman, RuntimeKubernetes, RuntimeLibvirt,
}
