package dockersim

import (
	"fmt"
	"strings"
)

// ipt mirrors the exec wrapper dockerd uses for iptables
// (moby daemon/libnetwork/iptables/iptables.go): every call is
// `iptables --wait ARGS`, rules are added only after a `-C` check fails,
// chains are created only after `-n -L` fails, and "jump rules that must
// stay on top" are deleted and re-inserted at position 1.
type ipt struct {
	r   *replay
	bin string // "iptables" or "ip6tables": dockerd runs what PATH names (iptables-nft on Debian)
}

func (r *replay) iptables(v6 bool) *ipt {
	if v6 {
		return &ipt{r: r, bin: "ip6tables"}
	}
	return &ipt{r: r, bin: "iptables"}
}

// raw runs the command; like moby's Raw it fails only on a non-zero exit.
func (t *ipt) raw(c Consequence, args ...string) error {
	argv := append([]string{t.bin, "--wait"}, args...)
	s := t.r.exec(c, "", argv...)
	if s.Failed() {
		return stepError(s)
	}
	return nil
}

// combined runs the command; like moby's RawCombinedOutput any output at
// all counts as an error too.
func (t *ipt) combined(c Consequence, args ...string) error {
	argv := append([]string{t.bin, "--wait"}, args...)
	s := t.r.exec(c, "", argv...)
	if s.Failed() {
		return stepError(s)
	}
	if out := strings.TrimSpace(s.Stdout + s.Stderr); out != "" {
		return fmt.Errorf("%s: unexpected output: %s", s.Command(), firstLine(out))
	}
	return nil
}

// exists is moby's Exists: `-C`, and any failure means "absent".
func (t *ipt) exists(table, chain string, rule ...string) bool {
	return t.raw(Check, append([]string{"-t", table, "-C", chain}, rule...)...) == nil
}

// newChain is moby's NewChain: `-n -L` first, `-N` only if that fails.
func (t *ipt) newChain(c Consequence, table, name string) error {
	if t.raw(Check, "-t", table, "-n", "-L", name) == nil {
		return nil
	}
	return t.combined(c, "-t", table, "-N", name)
}

// ensure is moby's Rule.Append/Insert: add unless `-C` finds the rule.
func (t *ipt) ensure(c Consequence, op, table, chain string, rule ...string) error {
	if t.exists(table, chain, rule...) {
		return nil
	}
	return t.combined(c, append([]string{"-t", table, op, chain}, rule...)...)
}

func (t *ipt) appendRule(c Consequence, table, chain string, rule ...string) error {
	return t.ensure(c, "-A", table, chain, rule...)
}

func (t *ipt) insertRule(c Consequence, table, chain string, rule ...string) error {
	return t.ensure(c, "-I", table, chain, rule...)
}

// deleteRule is moby's Rule.Delete: `-D` only if `-C` finds the rule.
func (t *ipt) deleteRule(c Consequence, table, chain string, rule ...string) error {
	if !t.exists(table, chain, rule...) {
		return nil
	}
	return t.combined(c, append([]string{"-t", table, "-D", chain}, rule...)...)
}

// ensureJump is moby's EnsureJumpRule: delete the jump if present, then
// insert it at the top.
func (t *ipt) ensureJump(c Consequence, table, from, to string, rule ...string) error {
	if err := t.deleteJump(c, table, from, to, rule...); err != nil {
		return err
	}
	args := append([]string{"-t", table, "-I", from}, rule...)
	return t.combined(c, append(args, "-j", to)...)
}

// deleteJump is moby's DeleteJumpRule.
func (t *ipt) deleteJump(c Consequence, table, from, to string, rule ...string) error {
	return t.deleteRule(c, table, from, append(append([]string{}, rule...), "-j", to)...)
}

// removeChain is moby's ChainInfo.Remove: every error ignored.
func (t *ipt) removeChain(table, name string) {
	if table == "nat" {
		loopback := "127.0.0.0/8"
		if t.bin == "ip6tables" {
			loopback = "::1/128"
		}
		_ = t.raw(Ignored, "-t", "nat", "-D", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", name)
		_ = t.raw(Ignored, "-t", "nat", "-D", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "!", "--dst", loopback, "-j", name)
		_ = t.raw(Ignored, "-t", "nat", "-D", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-j", name)
		_ = t.raw(Ignored, "-t", "nat", "-D", "PREROUTING")
		_ = t.raw(Ignored, "-t", "nat", "-D", "OUTPUT")
	}
	_ = t.raw(Ignored, "-t", table, "-F", name)
	_ = t.raw(Ignored, "-t", table, "-X", name)
}

// setPolicy is moby's SetDefaultPolicy.
func (t *ipt) setPolicy(c Consequence, table, chain, policy string) error {
	return t.combined(c, "-t", table, "-P", chain, policy)
}
