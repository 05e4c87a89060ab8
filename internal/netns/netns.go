// Package netns builds throw-away network namespaces in which a host
// nftables configuration can be tested against a container runtime with
// real packets: the real `nft -f` loads the configuration, the runtime's
// firewall commands are replayed (package internal/dockersim) with the real
// iptables-nft and nft, and small Go TCP listeners and dialers check the two
// paths container users care about:
//
//   - container → world: a container reaches the outside; the outside must
//     see the host's address (masquerade);
//   - world → published port: the outside reaches the host's published port
//     and lands in the container (DNAT).
//
// Topology (all in namespaces the package creates; nothing in the caller's
// namespace is touched, so the machine's own ruleset is never read or
// changed):
//
//	container ns            host ns                           world ns
//	eth0 198.51.100.2 ── veth0 ⊂ docker0 198.51.100.1
//	                        eth0 203.0.113.1 ───────────────── eth0 203.0.113.2
//
// Only documentation address ranges are used. Namespaces are named
// nftlint-PID-RANDOM-{host,ctr,world}; [Env.Close] removes them, and [New]
// first removes namespaces left behind by processes that no longer exist.
//
// It needs Linux, root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and the ip, nft,
// iptables-nft and ip6tables-nft binaries; [Available] says why it cannot
// run.
package netns

import (
	"net/netip"
	"time"

	"github.com/nftlint/nftlint/internal/dockersim"
)

// Addresses and ports of the simulated hosts, from the documentation ranges
// (RFC 5737).
var (
	containerSubnet = netip.MustParsePrefix("198.51.100.0/24")
	bridgeAddr      = netip.MustParseAddr("198.51.100.1")
	containerAddr   = netip.MustParseAddr("198.51.100.2")
	worldSubnetBits = 24
	hostWorldAddr   = netip.MustParseAddr("203.0.113.1")
	worldAddr       = netip.MustParseAddr("203.0.113.2")
)

const (
	publishedPort = 8080 // host port published by the container
	containerPort = 80   // container's listening port
	worldPort     = 7000 // a service in the world the container connects to

	// NamePrefix starts the name of every namespace this package creates.
	NamePrefix = "nftlint-"

	defaultCommandTimeout = 30 * time.Second
	defaultDialTimeout    = 2 * time.Second
)

// Options configure New. The zero value is a sensible default.
type Options struct {
	// Bridge is the name of the container bridge in the host namespace;
	// empty means "docker0". Use the runtime's own ([dockersim.Runtime.Bridge]).
	Bridge string
	// ForwardingOff leaves net.ipv4.ip_forward at 0 in the host namespace,
	// as on a freshly booted host. Then dockerd (iptables backend) enables
	// forwarding itself and sets the FORWARD policy to DROP, Docker's
	// nftables backend refuses to start, and netavark enables it. By
	// default New enables forwarding, as an administrator running Docker's
	// nftables backend must.
	ForwardingOff bool
	// CommandTimeout bounds every command run in a namespace; zero means 30 s.
	CommandTimeout time.Duration
	// DialTimeout bounds each TCP probe; zero means 2 s.
	DialTimeout time.Duration
}

// Path names of the probes.
const (
	PathOutbound  = "container → world"
	PathPublished = "world → published port"
)

// PathResult is the outcome of probing one traffic path.
type PathResult struct {
	Name   string // PathOutbound or PathPublished
	OK     bool   // the connection was made and, where checked, translated as expected
	Detail string // what was seen, or why it failed
}

// network returns the simulated bridge network for a bridge name.
func network(bridge string) dockersim.Network {
	return dockersim.Network{
		Bridge:        bridge,
		Subnet:        containerSubnet,
		Gateway:       bridgeAddr,
		Container:     containerAddr,
		HostPort:      publishedPort,
		ContainerPort: containerPort,
	}
}
