package dockersim

import (
	"errors"
	"fmt"
	"strings"
)

// nft runs one nft transaction read from stdin.
func (r *replay) nft(c Consequence, script string) error {
	s := r.exec(c, script, "nft", "-f", "-")
	if s.Failed() {
		return stepError(s)
	}
	return nil
}

// dockerNftables replays dockerd 29 with --firewall-backend=nftables: its
// own tables `ip docker-bridges` and `ip6 docker-bridges`, re-created at
// every start, then the default bridge's chains, then one container with a
// published TCP port. The backend never enables forwarding nor sets a drop
// policy; it refuses to start when IPv4 forwarding is off. Docker emits
// numeric priorities. Sources, moby/moby at docker-v29.x:
//   - daemon/libnetwork/drivers/bridge/internal/nftabler/{nftabler,network,endpoint,port}.go
//   - daemon/libnetwork/internal/nftables/nftables_linux.go (priorities, reload)
//   - daemon/libnetwork/drivers/bridge/setup_ip_forwarding.go (checkIPv4Forwarding)
//   - integration/network/bridge/nftablesdoc/generated/usernet-portmap.md (resulting table)
func (r *replay) dockerNftables() {
	n := r.net
	on, err := r.forwarding()
	if err != nil {
		r.rep.DaemonErr = err
		return
	}
	if !on {
		r.rep.DaemonErr = errors.New("IPv4 forwarding is disabled: check your host's firewalling and set sysctl net.ipv4.ip_forward=1, or disable this check using daemon option --ip-forward=false")
		return
	}

	// Daemon start: the base chains of both tables, replacing any old copy
	// in one transaction.
	var base strings.Builder
	for _, fam := range []string{"ip", "ip6"} {
		loopback := "127.0.0.0/8"
		if fam == "ip6" {
			loopback = "::1"
		}
		fmt.Fprintf(&base, `table %[1]s docker-bridges
delete table %[1]s docker-bridges
table %[1]s docker-bridges {
	map filter-forward-in-jumps { type ifname : verdict; }
	map filter-forward-out-jumps { type ifname : verdict; }
	map nat-postrouting-in-jumps { type ifname : verdict; }
	map nat-postrouting-out-jumps { type ifname : verdict; }
	chain filter-FORWARD {
		type filter hook forward priority 0; policy accept;
		oifname vmap @filter-forward-in-jumps
		iifname vmap @filter-forward-out-jumps
	}
	chain nat-PREROUTING {
		type nat hook prerouting priority -100; policy accept;
		fib daddr type local counter jump nat-prerouting-and-output
	}
	chain nat-OUTPUT {
		type nat hook output priority -100; policy accept;
		%[1]s daddr != %[2]s fib daddr type local counter jump nat-prerouting-and-output
	}
	chain nat-POSTROUTING {
		type nat hook postrouting priority 100; policy accept;
		iifname vmap @nat-postrouting-out-jumps
		oifname vmap @nat-postrouting-in-jumps
	}
	chain raw-PREROUTING {
		type filter hook prerouting priority -300; policy accept;
	}
	chain nat-prerouting-and-output {
	}
}
`, fam, loopback)
	}
	if err := r.nft(DaemonFails, base.String()); err != nil {
		r.rep.DaemonErr = fmt.Errorf("initialising nftables: %w", err)
		return
	}

	// The default bridge network, also created at start (IPv4 only).
	bridge := fmt.Sprintf(`table ip docker-bridges {
	chain filter-forward-in__%[1]s {
		ct state established,related counter accept
		iifname "%[1]s" counter accept comment "ICC"
		counter drop comment "UNPUBLISHED PORT DROP"
	}
	chain filter-forward-out__%[1]s {
		ct state established,related counter accept
		counter accept comment "OUTGOING"
	}
	chain nat-postrouting-in__%[1]s {
	}
	chain nat-postrouting-out__%[1]s {
		oifname != "%[1]s" ip saddr %[2]s counter masquerade comment "MASQUERADE"
	}
}
add element ip docker-bridges filter-forward-in-jumps { "%[1]s" : jump filter-forward-in__%[1]s }
add element ip docker-bridges filter-forward-out-jumps { "%[1]s" : jump filter-forward-out__%[1]s }
add element ip docker-bridges nat-postrouting-in-jumps { "%[1]s" : jump nat-postrouting-in__%[1]s }
add element ip docker-bridges nat-postrouting-out-jumps { "%[1]s" : jump nat-postrouting-out__%[1]s }
`, n.Bridge, n.Subnet)
	if err := r.nft(DaemonFails, bridge); err != nil {
		r.rep.DaemonErr = fmt.Errorf("creating network %s: %w", n.Bridge, err)
		return
	}

	// The container: direct-access drop, DNAT, and the published port's
	// accept placed before the network's final drop.
	container := fmt.Sprintf(`add rule ip docker-bridges raw-PREROUTING ip daddr %[2]s iifname != "%[1]s" counter drop comment "DROP DIRECT ACCESS"
add rule ip docker-bridges nat-prerouting-and-output iifname != "%[1]s" tcp dport %[3]d counter dnat to %[2]s:%[4]d comment "DNAT"
insert rule ip docker-bridges filter-forward-in__%[1]s index 2 ip daddr %[2]s tcp dport %[4]d counter accept
`, n.Bridge, n.Container, n.HostPort, n.ContainerPort)
	if err := r.nft(ContainerFails, container); err != nil {
		r.rep.ContainerErr = fmt.Errorf("publishing port %d: %w", n.HostPort, err)
	}
}

// podman replays netavark's nftables driver setting up one rootful container
// with a published TCP port on the default network. Netavark runs per
// container, so every failure is a container failure; it enables IPv4
// forwarding itself. Sources: containers/netavark src/firewall/nft.rs
// (table `inet netavark`, chains and priorities) and a live
// `nft list table inet netavark` of Podman 5 with `-p 8080:80`.
func (r *replay) podman() {
	n := r.net
	if _, err := r.enableForwarding(ContainerFails); err != nil {
		r.rep.ContainerErr = err
		return
	}
	// Per-network chain names encode the subnet, e.g. nv_2f259bab_10_88_0_0_nm16.
	nv := "nv_2f259bab_" + strings.NewReplacer(".", "_", "/", "_nm").Replace(n.Subnet.String())
	script := fmt.Sprintf(`table inet netavark {
	chain INPUT {
		type filter hook input priority filter; policy accept;
	}
	chain FORWARD {
		type filter hook forward priority filter; policy accept;
		ct state invalid drop
		jump NETAVARK-ISOLATION-1
		ip daddr %[2]s ct state established,related accept
		ip saddr %[2]s accept
	}
	chain POSTROUTING {
		type nat hook postrouting priority srcnat; policy accept;
		meta mark & 0x00002000 == 0x00002000 masquerade
		ip saddr %[2]s jump %[5]s
	}
	chain PREROUTING {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local jump NETAVARK-HOSTPORT-DNAT
	}
	chain OUTPUT {
		type nat hook output priority -100; policy accept;
		fib daddr type local jump NETAVARK-HOSTPORT-DNAT
	}
	chain NETAVARK-HOSTPORT-SETMARK {
		meta mark set meta mark | 0x00002000
	}
	chain NETAVARK-ISOLATION-1 {
	}
	chain NETAVARK-ISOLATION-2 {
	}
	chain NETAVARK-ISOLATION-3 {
		oifname "%[1]s" drop
		jump NETAVARK-ISOLATION-2
	}
	chain %[5]s {
		ip daddr %[2]s accept
		ip daddr != 224.0.0.0/4 masquerade
	}
	chain %[5]s_dnat {
		ip saddr %[2]s tcp dport %[3]d jump NETAVARK-HOSTPORT-SETMARK
		ip saddr 127.0.0.1 tcp dport %[3]d jump NETAVARK-HOSTPORT-SETMARK
		tcp dport %[3]d dnat ip to %[6]s:%[4]d
	}
	chain NETAVARK-HOSTPORT-DNAT {
		tcp dport %[3]d jump %[5]s_dnat
	}
}
`, n.Bridge, n.Subnet, n.HostPort, n.ContainerPort, nv, n.Container)
	if err := r.nft(ContainerFails, script); err != nil {
		r.rep.ContainerErr = fmt.Errorf("netavark: %w", err)
	}
}
