package dockersim

import (
	"fmt"
	"net/netip"
	"strconv"
)

// Docker's iptables chains (moby daemon/libnetwork/drivers/bridge/internal/iptabler/iptabler.go).
const (
	dockerChain         = "DOCKER"
	dockerForwardChain  = "DOCKER-FORWARD"
	dockerBridgeChain   = "DOCKER-BRIDGE"
	dockerCTChain       = "DOCKER-CT"
	dockerInternalChain = "DOCKER-INTERNAL"
	isolationChain1     = "DOCKER-ISOLATION-STAGE-1"
	isolationChain2     = "DOCKER-ISOLATION-STAGE-2"
	oldIsolationChain   = "DOCKER-ISOLATION"
	oldIngressChain     = "DOCKER-INGRESS"
	userChain           = "DOCKER-USER"
)

type chainRef struct{ table, name string }

// docker29 replays dockerd 29 (and 28.0.1+) starting with the iptables
// backend and default options (userland proxy on, ICC on, ip6tables on,
// --ip-forward on), then starting one container on the default bridge with
// one published TCP port. Sources, all moby/moby at docker-v29.x:
//   - daemon/libnetwork/drivers/bridge/internal/iptabler/iptabler.go
//     (NewIptabler, setupIPChains, deleteLegacyTopLevelRules, FilterForwardDrop)
//   - …/iptabler/network.go (removeIPChains, addNATJumpRules,
//     setupNonInternalNetworkRules, setIcc, deleteLegacyFilterRules,
//     setDefaultForwardRule)
//   - …/iptabler/endpoint.go (filterDirectAccess), …/iptabler/port.go
//   - daemon/libnetwork/drivers/bridge/setup_ip_forwarding.go
//   - daemon/libnetwork/firewall_linux.go (setupUserChain)
func (r *replay) docker29() {
	v4, v6 := r.iptables(false), r.iptables(true)

	// The bridge driver's firewaller: clean up, then create the chains.
	// IPv4 failures stop the daemon; IPv6 ones are logged ("ip6tables is
	// enabled, but cannot set up ip6tables chains") and the daemon goes on.
	removeIPChains29(v4)
	if err := setupIPChains29(v4, DaemonFails); err != nil {
		r.rep.DaemonErr = err
		return
	}
	_ = v6.raw(Ignored, "-t", "filter", "-n", "-L", "FORWARD") // module probe (modprobe.LoadModules)
	removeIPChains29(v6)
	if err := setupIPChains29(v6, Logged); err != nil {
		r.warn("ip6tables is enabled, but cannot set up ip6tables chains: %v", err)
	}

	// --ip-forward (default true): enable forwarding; set the FORWARD policy
	// to DROP only if dockerd itself changed the sysctl.
	changed, err := r.enableForwarding(DaemonFails)
	if err != nil {
		r.rep.DaemonErr = err
		return
	}
	if changed {
		if err := v4.setPolicy(DaemonFails, "filter", "FORWARD", "DROP"); err != nil {
			r.rep.DaemonErr = fmt.Errorf("setting default policy to DROP in FORWARD chain failed: %w", err)
			return
		}
	}

	// DOCKER-USER for each enabled iptables version; failures are logged
	// ("configuring DOCKER-USER") and the daemon carries on.
	for _, t := range []*ipt{v4, v6} {
		if err := setupUserChain(t, false); err != nil {
			r.warn("configuring %s: %v", userChain, err)
		}
	}

	// The default bridge network is created while the daemon starts, so its
	// failures stop the daemon. Its IPv6 side is off by default.
	if err := r.bridgeRules29(v4); err != nil {
		r.rep.DaemonErr = fmt.Errorf("failed to Setup IP tables: %w", err)
		return
	}

	// One container: its endpoint, then its published port.
	if err := r.endpointRules29(v4); err != nil {
		r.rep.ContainerErr = err
		return
	}
	if err := r.portRules29(v4); err != nil {
		r.rep.ContainerErr = err
	}
}

// removeIPChains29 is network.go removeIPChains: every error is ignored.
func removeIPChains29(t *ipt) {
	_ = t.deleteRule(Ignored, "filter", "FORWARD", "-j", oldIsolationChain)
	for _, c := range []chainRef{
		{"nat", dockerChain},
		{"filter", dockerForwardChain},
		{"filter", dockerBridgeChain},
		{"filter", dockerChain},
		{"filter", dockerCTChain},
		{"filter", dockerInternalChain},
		{"filter", isolationChain1},
		{"filter", isolationChain2},
		{"filter", oldIsolationChain},
		{"filter", oldIngressChain},
		{"nat", oldIngressChain},
	} {
		t.removeChain(c.table, c.name)
	}
}

// setupIPChains29 is iptabler.go setupIPChains. On failure it undoes what it
// created, like the deferred clean-ups there, and returns the error.
func setupIPChains29(t *ipt, c Consequence) (err error) {
	var created []chainRef
	natJumps := false
	defer func() {
		if err == nil {
			return
		}
		if natJumps {
			_ = addNATJumpRules(t, Ignored, false)
		}
		for i := len(created) - 1; i >= 0; i-- {
			t.removeChain(created[i].table, created[i].name)
		}
	}()
	for _, ch := range []chainRef{
		{"nat", dockerChain},
		{"filter", dockerChain},
		{"filter", dockerForwardChain},
		{"filter", dockerBridgeChain},
		{"filter", dockerCTChain},
		{"filter", dockerInternalChain},
	} {
		if err := t.newChain(c, ch.table, ch.name); err != nil {
			return fmt.Errorf("failed to create %s chain %s: %w", ch.table, ch.name, err)
		}
		created = append(created, ch)
	}
	if err := addNATJumpRules(t, c, true); err != nil {
		return fmt.Errorf("failed to add jump rules to NAT table: %w", err)
	}
	natJumps = true
	// Inserted at the top in reverse order: FORWARD → DOCKER-FORWARD →
	// DOCKER-CT, DOCKER-INTERNAL, DOCKER-BRIDGE.
	if err := t.ensureJump(c, "filter", "FORWARD", dockerForwardChain); err != nil {
		return err
	}
	for _, to := range []string{dockerBridgeChain, dockerInternalChain, dockerCTChain} {
		if err := t.ensureJump(c, "filter", dockerForwardChain, to); err != nil {
			return err
		}
	}
	// deleteLegacyTopLevelRules: rules left in FORWARD by 28.0.0 and older.
	// Only the isolation-chain deletion can fail the start; the ipset ones
	// are logged at debug level.
	set := "docker-ext-bridges-v4"
	if t.bin == "ip6tables" {
		set = "docker-ext-bridges-v6"
	}
	_ = t.deleteJump(Ignored, "filter", "FORWARD", dockerChain, "-m", "set", "--match-set", set, "dst")
	if err := t.deleteJump(c, "filter", "FORWARD", isolationChain1); err != nil {
		return err
	}
	_ = t.deleteJump(Ignored, "filter", "FORWARD", "ACCEPT", "-m", "set", "--match-set", set, "dst",
		"-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED")
	return nil
}

// addNATJumpRules is network.go addNATJumpRules with the userland proxy on
// (hairpin mode off): append, after a `-C` check, the jumps to nat DOCKER.
func addNATJumpRules(t *ipt, c Consequence, enable bool) error {
	loopback := "127.0.0.0/8"
	if t.bin == "ip6tables" {
		loopback = "::1/128"
	}
	rules := []struct {
		chain string
		rule  []string
	}{
		{"PREROUTING", []string{"-m", "addrtype", "--dst-type", "LOCAL", "-j", dockerChain}},
		{"OUTPUT", []string{"-m", "addrtype", "--dst-type", "LOCAL", "-j", dockerChain, "!", "--dst", loopback}},
	}
	for _, jr := range rules {
		var err error
		if enable {
			err = t.appendRule(c, "nat", jr.chain, jr.rule...)
		} else {
			err = t.deleteRule(c, "nat", jr.chain, jr.rule...)
		}
		if err != nil {
			return fmt.Errorf("nat-%s: %w", jr.chain, err)
		}
	}
	return nil
}

// setupUserChain is firewall_linux.go setupUserChain: create DOCKER-USER
// and keep its jump at the top of FORWARD. If `-N` fails (the chain exists
// but `-n -L` could not list it) the jump is never ensured. withReturn adds
// the `-j RETURN` that dockerd 28.2 and older appended.
func setupUserChain(t *ipt, withReturn bool) error {
	if err := t.newChain(Logged, "filter", userChain); err != nil {
		return fmt.Errorf("failed to create %s chain: %w", userChain, err)
	}
	if withReturn {
		if err := t.appendRule(Logged, "filter", userChain, "-j", "RETURN"); err != nil {
			return fmt.Errorf("unable to add return rule in %s chain: %w", userChain, err)
		}
	}
	if err := t.ensureJump(Logged, "filter", "FORWARD", userChain); err != nil {
		return fmt.Errorf("failed to ensure the jump rule for %s: %w", userChain, err)
	}
	return nil
}

// bridgeRules29 is network.go setupIPTables → setupNonInternalNetworkRules,
// deleteLegacyFilterRules, setDefaultForwardRule and the DOCKER-CT and
// DOCKER-BRIDGE rules, for a non-internal network with ICC and masquerade.
func (r *replay) bridgeRules29(t *ipt) error {
	const c = DaemonFails
	br, subnet := r.net.Bridge, r.net.Subnet.String()

	if err := t.insertRule(c, "nat", "POSTROUTING", "-s", subnet, "!", "-o", br, "-j", "MASQUERADE"); err != nil {
		return fmt.Errorf("unable to enable NAT rule: %w", err)
	}
	// Hairpin masquerade: off with the userland proxy, so only deleted.
	if err := t.deleteRule(c, "nat", "POSTROUTING", "-m", "addrtype", "--src-type", "LOCAL", "-o", br, "-j", "MASQUERADE"); err != nil {
		return fmt.Errorf("unable to disable MASQ LOCAL HOST rule: %w", err)
	}
	// setIcc with ICC on for a non-internal network: the DOCKER-FORWARD
	// variants are deleted with failures only logged, the FORWARD ones
	// (left by 28.0.0 and older) with failures returned.
	iccAccept := []string{"-i", br, "-o", br, "-j", "ACCEPT"}
	iccDrop := []string{"-i", br, "-o", br, "-j", "DROP"}
	if err := t.deleteRule(Logged, "filter", dockerForwardChain, iccAccept...); err != nil {
		r.warn("failed to delete legacy ICC accept rule: %v", err)
	}
	if err := t.deleteRule(Logged, "filter", dockerForwardChain, iccDrop...); err != nil {
		r.warn("failed to delete ICC drop rule: %v", err)
	}
	if err := t.deleteRule(c, "filter", "FORWARD", iccAccept...); err != nil {
		return fmt.Errorf("deleting FORWARD chain accept rule: %w", err)
	}
	if err := t.deleteRule(c, "filter", "FORWARD", iccDrop...); err != nil {
		return fmt.Errorf("deleting FORWARD chain drop rule: %w", err)
	}
	if err := t.deleteRule(c, "filter", "FORWARD", "-i", br, "!", "-o", br, "-j", "ACCEPT"); err != nil {
		return fmt.Errorf("deleting FORWARD chain outRuleNoICC: %w", err)
	}
	outICC := []string{"-i", br, "-j", "ACCEPT"}
	if err := t.appendRule(c, "filter", dockerForwardChain, outICC...); err != nil {
		return fmt.Errorf("unable to enable ACCEPT OUTGOING rule: %w", err)
	}
	if err := t.deleteRule(c, "filter", "FORWARD", outICC...); err != nil {
		return fmt.Errorf("deleting FORWARD chain outRuleICC: %w", err)
	}
	// deleteLegacyFilterRules.
	if err := t.deleteRule(c, "filter", "FORWARD", "-o", br, "-j", dockerChain); err != nil {
		return err
	}
	if err := t.deleteRule(c, "filter", "FORWARD", "-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"); err != nil {
		return err
	}
	// setDefaultForwardRule: the "unpublished port" drop, appended so that
	// per-port accepts (inserted) come first.
	if err := t.appendRule(c, "filter", dockerChain, "!", "-i", br, "-o", br, "-j", "DROP"); err != nil {
		return fmt.Errorf("failed to add default-drop rule: %w", err)
	}
	if err := t.appendRule(c, "filter", dockerCTChain, "-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"); err != nil {
		return fmt.Errorf("unable to enable bridge ct related rule: %w", err)
	}
	if err := t.appendRule(c, "filter", dockerBridgeChain, "-o", br, "-j", dockerChain); err != nil {
		return fmt.Errorf("unable to enable jump to docker rule: %w", err)
	}
	return nil
}

// endpointRules29 is endpoint.go filterDirectAccess: drop packets routed
// straight to the container's address from anywhere but its bridge.
func (r *replay) endpointRules29(t *ipt) error {
	br, cip := r.net.Bridge, r.net.Container.String()
	if err := t.appendRule(ContainerFails, "raw", "PREROUTING", "-d", cip, "!", "-i", br, "-j", "DROP"); err != nil {
		return fmt.Errorf("unable to enable DIRECT ACCESS FILTERING - DROP rule: %w", err)
	}
	return nil
}

// portRules29 is port.go setPerPortIptables for a TCP port published on all
// host addresses (userland proxy on, gateway mode nat).
func (r *replay) portRules29(t *ipt) error {
	const c = ContainerFails
	br, cip := r.net.Bridge, r.net.Container.String()
	hp, cp := strconv.Itoa(int(r.net.HostPort)), strconv.Itoa(int(r.net.ContainerPort))
	// dropLegacyFilterDirectAccess (28.0/28.1 per-port raw rule).
	if err := t.deleteRule(c, "raw", "PREROUTING", "-p", "tcp", "-d", cip, "--dport", cp, "!", "-i", br, "-j", "DROP"); err != nil {
		return fmt.Errorf("unable to disable LEGACY DIRECT ACCESS FILTERING - DROP rule: %w", err)
	}
	dest := netip.AddrPortFrom(r.net.Container, r.net.ContainerPort).String()
	if err := t.appendRule(c, "nat", dockerChain, "-p", "tcp", "-d", "0/0", "--dport", hp, "-j", "DNAT", "--to-destination", dest, "!", "-i", br); err != nil {
		return fmt.Errorf("unable to enable DNAT rule: %w", err)
	}
	if err := t.deleteRule(c, "nat", "POSTROUTING", "-p", "tcp", "-s", cip, "-d", cip, "--dport", cp, "-j", "MASQUERADE"); err != nil {
		return fmt.Errorf("unable to disable MASQUERADE rule: %w", err)
	}
	if err := t.insertRule(c, "filter", dockerChain, "!", "-i", br, "-o", br, "-p", "tcp", "-d", cip, "--dport", cp, "-j", "ACCEPT"); err != nil {
		return fmt.Errorf("unable to enable OPEN PORT rule: %w", err)
	}
	return nil
}
