package checks

// What a forward base chain does to container traffic, shared by NFT101,
// NFT102, NFT110 and NFT111.
//
// Container traffic is modelled as four packet classes per bridge
// pattern B (all other interfaces are "not a container bridge"):
//
//	egress       new connection from a container:    iif B,     oif other, ct new
//	egress reply reply to it:                        iif other, oif B,     ct established
//	ingress      new connection to a published port: iif other, oif B,     ct new
//	ingress reply reply from the container:          iif B,     oif other, ct established
//
// A direction is broken in a chain when one of its classes is certainly
// dropped there (ruleset.Evaluate over-approximates, so "certainly" is
// sound), and the drop is a catch-all — a policy or a rule that did not
// name the bridge (an explicit `iifname "docker0" drop` is a decision, not
// an accident).

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

type direction int

const (
	egress direction = iota
	ingress
)

// bridgeFlow is the outcome of a chain for one bridge and family.
type bridgeFlow struct {
	bridge Bridge
	family ruleset.Family
	// drops holds, per direction, the catch-all drop decisions; nil when
	// the direction is not certainly dropped.
	drops [2][]ruleset.Decision
	// newDropped/replyDropped record which classes are dropped.
	newDropped, replyDropped [2]bool
	// newMayDrop/replyMayDrop record which classes a catch-all drop may
	// hit for some interface or state the analysis cannot decide (a drop
	// after `iifname "eth1" return` hits a packet from eth0). The fix
	// accepts these too: the kernel showed that a fix accepting only the
	// certainly dropped classes leaves published ports dropped.
	newMayDrop, replyMayDrop [2]bool
}

func (f bridgeFlow) broken(d direction) bool { return f.drops[d] != nil }

// evalBridge evaluates chain c for one bridge pattern in family fam.
func evalBridge(c *ruleset.Chain, fam ruleset.Family, b Bridge, all []string) bridgeFlow {
	flow := bridgeFlow{bridge: b, family: fam}
	in := ruleset.Iface{Pattern: b.Pattern}
	other := ruleset.Iface{Not: all}
	classes := []struct {
		dir      direction
		reply    bool
		iif, oif ruleset.Iface
		state    string
	}{
		{egress, false, in, other, "new"},
		{egress, true, other, in, "established"},
		{ingress, false, other, in, "new"},
		{ingress, true, in, other, "established"},
	}
	for _, cl := range classes {
		res := ruleset.EvaluateListing(c, &ruleset.Packet{Family: fam, IIf: cl.iif, OIf: cl.oif, CtState: cl.state}, ruleset.Drop)
		if !res.May(ruleset.Drop) {
			continue
		}
		// Read the decisions in place: copying the drops (res.Of) of a
		// large chain for each class and bridge was most of this check's
		// allocations, and they are kept only when the drop is certain.
		catchAll := false
		for i := range res.Decisions {
			if d := &res.Decisions[i]; d.Verdict == ruleset.Drop && !d.Named {
				catchAll = true
				break
			}
		}
		if !catchAll {
			continue
		}
		if cl.reply {
			flow.replyMayDrop[cl.dir] = true
		} else {
			flow.newMayDrop[cl.dir] = true
		}
		if !res.Certainly(ruleset.Drop) {
			continue
		}
		flow.drops[cl.dir] = append(flow.drops[cl.dir], res.Of(ruleset.Drop)...)
		if cl.reply {
			flow.replyDropped[cl.dir] = true
		} else {
			flow.newDropped[cl.dir] = true
		}
	}
	return flow
}

// familiesOf returns the packet families a table's base chains see.
func familiesOf(t *ruleset.Table) []ruleset.Family {
	switch tableFamily(t) {
	case parser.FamilyIP:
		return []ruleset.Family{parser.FamilyIP}
	case parser.FamilyIP6:
		return []ruleset.Family{parser.FamilyIP6}
	case parser.FamilyInet:
		return []ruleset.Family{parser.FamilyIP, parser.FamilyIP6}
	}
	return nil
}

// forwardChains returns every forward base chain of an ip, ip6 or inet
// table, in priority order.
func forwardChains(rs *ruleset.Ruleset) []*ruleset.Chain {
	seen := make(map[*ruleset.Chain]bool)
	var out []*ruleset.Chain
	for _, fam := range []ruleset.Family{parser.FamilyIP, parser.FamilyIP6} {
		for _, c := range rs.HookChains(ruleset.HookForward, fam) {
			if !seen[c] && c.Base.Type == "filter" {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Base.Priority < out[j].Base.Priority })
	return out
}

// chainFlows evaluates chain c for every bridge the run checks, in every
// family its table sees, skipping bridges whose runtime owns the chain.
// builtinFwd selects which chains are examined for which bridges: for
// NFT101/102/110 (false) the built-in FORWARD is skipped for runtimes that
// do not own it (NFT111 reports those); for NFT111 (true) only those.
//
// The flows are computed once per Run and chain and shared, read only, by
// the checks that ask (NFT101, NFT102 and NFT110 start together and
// would each evaluate the same large chains).
func chainFlows(pass *Pass, c *ruleset.Chain, builtinFwd bool) []bridgeFlow {
	e := pass.sharedRun().flowEntry(forwardKey{c, builtinFwd})
	e.once.Do(func() { e.flows = evalChainFlows(pass, c, builtinFwd) })
	return e.flows
}

func evalChainFlows(pass *Pass, c *ruleset.Chain, builtinFwd bool) []bridgeFlow {
	bridges := pass.Options.Bridges()
	var all []string
	for _, b := range bridges {
		all = append(all, b.Pattern)
	}
	var out []bridgeFlow
	seen := make(map[string]bool)
	for _, fam := range familiesOf(c.Table) {
		for _, b := range bridges {
			if ownedBy(c, b.Profile) {
				continue
			}
			if isBuiltinForward(c) != builtinFwd {
				continue
			}
			key := string(fam) + "\x00" + b.Pattern + "\x00" + string(b.Profile.Runtime)
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, evalBridge(c, fam, b, all))
		}
	}
	return out
}

// severityFor is Error when a bridge belongs to current Docker (28+,
// iptables backend) and the family is IPv4, Warning otherwise.
func severityFor(flows []bridgeFlow) Severity {
	for _, f := range flows {
		if f.bridge.Profile.Current && f.family == parser.FamilyIP {
			return Error
		}
	}
	return Warning
}

// patterns lists the distinct bridge patterns of flows, in order.
func patterns(flows []bridgeFlow) []string {
	var out []string
	seen := make(map[string]bool)
	for _, f := range flows {
		if !seen[f.bridge.Pattern] {
			seen[f.bridge.Pattern] = true
			out = append(out, f.bridge.Pattern)
		}
	}
	return out
}

// dropRelated describes where the drops happen, once per place.
func dropRelated(pass *Pass, flows []bridgeFlow) []Related {
	var out []Related
	seen := make(map[string]bool)
	for _, f := range flows {
		for _, dir := range []direction{egress, ingress} {
			for _, d := range f.drops[dir] {
				node, msg := decisionNode(d)
				if node == nil {
					continue
				}
				r := related(pass, node, msg)
				k := r.Start.String()
				if !seen[k] {
					seen[k] = true
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// decisionNode returns where a drop decision is written.
func decisionNode(d ruleset.Decision) (parser.Node, string) {
	if d.Policy() {
		if d.Chain.Base != nil {
			if d.Chain.Base.PolicyProp != nil {
				return d.Chain.Base.PolicyProp, "dropped by the policy of " + chainLabel(d.Chain)
			}
		}
		return nil, ""
	}
	if d.Stmt != nil {
		return d.Stmt, "dropped here, in " + chainLabel(d.Chain)
	}
	if d.AST != nil {
		return d.AST, "dropped here, in " + chainLabel(d.Chain)
	}
	return nil, ""
}

// describeDrop names the cause for messages: "policy drop" or "a drop rule".
func describeDrop(flows []bridgeFlow) string {
	policy, rule := false, false
	for _, f := range flows {
		for _, dir := range []direction{egress, ingress} {
			for _, d := range f.drops[dir] {
				if d.Policy() {
					policy = true
				} else {
					rule = true
				}
			}
		}
	}
	switch {
	case policy && rule:
		return "its drop rules and drop policy"
	case rule:
		return "a rule that drops everything else"
	}
	return "its drop policy"
}

// acceptFix inserts accept rules for the broken flows at the top of c.
func acceptFix(pass *Pass, c *ruleset.Chain, flows []bridgeFlow) (Fix, bool) {
	iptables := isIptablesTable(c.Table)
	var lines []string
	reply := false
	in, out := map[string]bool{}, map[string]bool{}
	for _, f := range flows {
		// Only the broken directions: a direction the chain lets through
		// may be restricted on purpose (`iifname "docker0" ip daddr
		// 10.0.0.0/8 accept`), and the fix must not widen that.
		for _, dir := range []direction{egress, ingress} {
			if !f.broken(dir) {
				continue
			}
			if f.replyMayDrop[dir] {
				if iptables {
					// ct is native nft, which iptables-nft cannot list:
					// accept both directions by name instead.
					in[f.bridge.Pattern], out[f.bridge.Pattern] = true, true
				} else {
					reply = true
				}
			}
			if f.newMayDrop[dir] {
				if dir == egress {
					in[f.bridge.Pattern] = true
				} else {
					out[f.bridge.Pattern] = true
				}
			}
		}
	}
	if reply {
		lines = append(lines, "ct state established,related accept")
	}
	for _, p := range patterns(flows) {
		if in[p] {
			lines = append(lines, fmt.Sprintf("iifname %q accept", p))
		}
	}
	for _, p := range patterns(flows) {
		if out[p] {
			lines = append(lines, fmt.Sprintf("oifname %q accept", p))
		}
	}
	var what []string
	for _, l := range lines {
		what = append(what, strings.TrimSuffix(l, " accept"))
	}
	return insertRulesFix(pass.Files, c, "accept "+strings.Join(what, ", ")+" before the drop", lines)
}
