package dockersim

import (
	"fmt"
	"net/netip"
	"strconv"
)

// dockerLegacy replays dockerd 20.10 … 27.x starting with default options
// (IPv4; userland proxy and ICC on) and one container with a published TCP
// port. Everything Docker adds for a bridge is inserted straight into the
// built-in FORWARD chain. Sources, moby/moby at v27.x:
//   - libnetwork/iptables/iptables.go (the `--wait -L -n` xtables-lock probe,
//     NewChain, AddReturnRule, EnsureJumpRule, ProgramChain)
//   - libnetwork/drivers/bridge/setup_ip_tables_linux.go (setupIPChains,
//     setupIPTablesInternal, setIcc, ProgramChain, isolation rules)
//   - libnetwork/drivers/bridge/setup_ip_forwarding.go
//   - libnetwork/firewall_linux.go (arrangeUserFilterRule)
func (r *replay) dockerLegacy() {
	t := r.iptables(false)
	br, subnet := r.net.Bridge, r.net.Subnet.String()

	// ≤27 probed xtables-lock support with a whole-table listing; a failure
	// is logged and dockerd continues without --wait.
	if err := t.raw(Logged, "-L", "-n"); err != nil {
		r.warn("iptables --wait -L -n failed: %v", err)
	}
	// Clean-up of its own chains, errors ignored.
	_ = t.deleteRule(Ignored, "filter", "FORWARD", "-j", oldIsolationChain)
	for _, c := range []chainRef{
		{"nat", dockerChain}, {"filter", dockerChain},
		{"filter", isolationChain1}, {"filter", isolationChain2}, {"filter", oldIsolationChain},
	} {
		t.removeChain(c.table, c.name)
	}
	// setupIPChains: chains and the isolation chains' RETURN rules.
	if err := legacyChains(t); err != nil {
		r.rep.DaemonErr = err
		return
	}
	// IP forwarding; DROP policy only if dockerd changed the sysctl.
	changed, err := r.enableForwarding(DaemonFails)
	if err != nil {
		r.rep.DaemonErr = err
		return
	}
	if changed {
		if err := t.setPolicy(DaemonFails, "filter", "FORWARD", "DROP"); err != nil {
			r.rep.DaemonErr = fmt.Errorf("setting default policy to DROP in FORWARD chain failed: %w", err)
			return
		}
	}
	// The default bridge (fatal at start).
	if err := r.legacyBridge(t, br, subnet); err != nil {
		r.rep.DaemonErr = fmt.Errorf("failed to Setup IP tables: %w", err)
		return
	}
	// arrangeUserFilterRule: DOCKER-USER with a trailing RETURN, jump kept
	// on top of FORWARD; failures are logged.
	if err := setupUserChain(t, true); err != nil {
		r.warn("configuring %s: %v", userChain, err)
	}
	// The container's published port.
	const c = ContainerFails
	cip := r.net.Container.String()
	hp, cp := strconv.Itoa(int(r.net.HostPort)), strconv.Itoa(int(r.net.ContainerPort))
	dest := netip.AddrPortFrom(r.net.Container, r.net.ContainerPort).String()
	if err := t.appendRule(c, "nat", dockerChain, "-p", "tcp", "-d", "0/0", "--dport", hp, "-j", "DNAT", "--to-destination", dest, "!", "-i", br); err != nil {
		r.rep.ContainerErr = fmt.Errorf("unable to enable DNAT rule: %w", err)
		return
	}
	if err := t.appendRule(c, "filter", dockerChain, "-d", cip+"/32", "!", "-i", br, "-o", br, "-p", "tcp", "-m", "tcp", "--dport", cp, "-j", "ACCEPT"); err != nil {
		r.rep.ContainerErr = fmt.Errorf("unable to enable OPEN PORT rule: %w", err)
	}
}

// legacyChains is ≤27 setupIPChains.
func legacyChains(t *ipt) error {
	for _, ch := range []chainRef{
		{"nat", dockerChain}, {"filter", dockerChain},
		{"filter", isolationChain1}, {"filter", isolationChain2},
	} {
		if err := t.newChain(DaemonFails, ch.table, ch.name); err != nil {
			return fmt.Errorf("failed to create %s chain %s: %w", ch.table, ch.name, err)
		}
	}
	for _, ch := range []string{isolationChain1, isolationChain2} {
		if err := t.appendRule(DaemonFails, "filter", ch, "-j", "RETURN"); err != nil {
			return fmt.Errorf("unable to add return rule in %s chain: %w", ch, err)
		}
	}
	return nil
}

// legacyBridge is ≤27 setupIPTablesInternal + ProgramChain + the isolation
// rules for the default bridge.
func (r *replay) legacyBridge(t *ipt, br, subnet string) error {
	const c = DaemonFails
	steps := []struct {
		what  string
		op    string // "-A" or "-I"
		table string
		chain string
		rule  []string
	}{
		{"NAT", "-I", "nat", "POSTROUTING", []string{"-s", subnet, "!", "-o", br, "-j", "MASQUERADE"}},
		{"SKIP DNAT", "-I", "nat", dockerChain, []string{"-i", br, "-j", "RETURN"}},
		{"nat-PREROUTING jump", "-A", "nat", "PREROUTING", []string{"-m", "addrtype", "--dst-type", "LOCAL", "-j", dockerChain}},
		{"nat-OUTPUT jump", "-A", "nat", "OUTPUT", []string{"-m", "addrtype", "--dst-type", "LOCAL", "-j", dockerChain, "!", "--dst", "127.0.0.0/8"}},
		{"ACCEPT NON_ICC OUTGOING", "-I", "filter", "FORWARD", []string{"-i", br, "!", "-o", br, "-j", "ACCEPT"}},
		{"ICC", "-I", "filter", "FORWARD", []string{"-i", br, "-o", br, "-j", "ACCEPT"}},
		{"link to DOCKER", "-I", "filter", "FORWARD", []string{"-o", br, "-j", dockerChain}},
		{"ct related", "-I", "filter", "FORWARD", []string{"-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"}},
		{"isolation stage 1", "-I", "filter", isolationChain1, []string{"-i", br, "!", "-o", br, "-j", isolationChain2}},
		{"isolation stage 2", "-I", "filter", isolationChain2, []string{"-o", br, "-j", "DROP"}},
	}
	for _, s := range steps {
		if err := t.ensure(c, s.op, s.table, s.chain, s.rule...); err != nil {
			return fmt.Errorf("unable to enable %s rule: %w", s.what, err)
		}
	}
	return t.ensureJump(c, "filter", "FORWARD", isolationChain1)
}
