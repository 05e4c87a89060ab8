//go:build linux

package live

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"

	"github.com/google/nftables"

	"github.com/google/nftables/expr"
	"github.com/google/nftables/xt"
)

// The xt matches and targets iptables-nft writes (iptables -m …, -j …)
// are decoded into the native statements nft prints for them, so that
// Docker's own rules read like any other: `-m conntrack --ctstate
// RELATED,ESTABLISHED` becomes `ct state established,related`,
// `-m addrtype --dst-type LOCAL` becomes `fib daddr type local`, `-m
// comment` the rule's comment, `-j MASQUERADE` masquerade, `-j DNAT`
// dnat. Anything else stays an `xt match "NAME"` / `xt target "NAME"`
// statement.

// xt_conntrack match flags and state bits (linux/netfilter/xt_conntrack.h).
const (
	xtConntrackState  = 1 << 0
	xtConntrackStatus = 1 << 6
	// xtConntrackStateAlias marks a conntrack match iptables wrote for
	// `-m state`.
	xtConntrackStateAlias = 1 << 13
)

var xtCtStates = map[uint16]string{1: "invalid", 2: "established", 4: "related", 8: "new", 256: "untracked"}

var xtAddrTypes = map[uint16]string{1: "unspec", 2: "unicast", 4: "local", 8: "broadcast", 16: "anycast",
	32: "multicast", 64: "blackhole", 128: "unreachable", 256: "prohibit"}

func (d *ruleDecoder) xtPlaceholder(typ, name string) {
	d.add(obj{"xt": obj{"type": typ, "name": name}})
}

func (d *ruleDecoder) xtMatch(e *expr.Match) {
	switch info := e.Info.(type) {
	case *xt.Comment:
		d.comment = string(*info)
	case *xt.ConntrackMtinfo1:
		d.xtConntrack(e.Name, &info.ConntrackMtinfoBase, uint16(info.StateMask), uint16(info.StatusMask))
	case *xt.ConntrackMtinfo2:
		d.xtConntrack(e.Name, &info.ConntrackMtinfoBase, info.StateMask, info.StatusMask)
	case *xt.ConntrackMtinfo3:
		d.xtConntrack(e.Name, &info.ConntrackMtinfoBase, info.StateMask, info.StatusMask)
	case *xt.AddrType:
		d.xtAddrType(info.Source, info.Dest, 0)
	case *xt.AddrTypeV1:
		d.xtAddrType(info.Source, info.Dest, uint32(info.Flags))
	case *xt.Tcp:
		d.xtPorts("tcp", info.SrcPorts, info.DstPorts, uint8(info.InvFlags)&1 != 0, uint8(info.InvFlags)&2 != 0)
		if info.FlagsMask != 0 {
			op := "=="
			if uint8(info.InvFlags)&4 != 0 {
				op = "!="
			}
			left := obj{"&": []any{obj{"payload": obj{"protocol": "tcp", "field": "flags"}}, flagList("tcp flags", []byte{info.FlagsMask})}}
			d.add(obj{"match": obj{"op": op, "left": left, "right": flagList("tcp flags", []byte{info.FlagsCmp})}})
		}
	case *xt.Udp:
		d.xtPorts("udp", info.SrcPorts, info.DstPorts, uint8(info.InvFlags)&1 != 0, uint8(info.InvFlags)&2 != 0)
	case *xt.Unknown:
		b := []byte(*info)
		switch {
		case e.Name == "multiport" && d.xtMultiport(b, e.Rev):
		case (e.Name == "icmp" || e.Name == "icmp6") && d.xtICMP(e.Name, b):
		case e.Name == "iprange" && d.xtIPRange(b):
		case e.Name == "pkttype" && d.xtPktType(b):
		case e.Name == "state" && d.xtState(b):
		default:
			d.xtPlaceholder("match", e.Name)
		}
	default:
		d.xtPlaceholder("match", e.Name)
	}
}

func (d *ruleDecoder) xtConntrack(name string, base *xt.ConntrackMtinfoBase, state, status uint16) {
	known := false
	if base.MatchFlags&xtConntrackState != 0 {
		var names []any
		for bit := uint16(1); bit != 0; bit <<= 1 {
			if state&bit != 0 {
				if n, ok := xtCtStates[bit]; ok {
					names = append(names, n)
				}
			}
		}
		op := "in"
		if base.InvertFlags&xtConntrackState != 0 {
			op = "!="
		}
		var right any = names
		if len(names) == 1 {
			right = names[0]
		}
		d.add(obj{"match": obj{"op": op, "left": obj{"ct": obj{"key": "state"}}, "right": right}})
		known = true
	}
	if base.MatchFlags&xtConntrackStatus != 0 {
		op := "in"
		if base.InvertFlags&xtConntrackStatus != 0 {
			op = "!="
		}
		var b [4]byte
		binary.NativeEndian.PutUint32(b[:], uint32(status))
		d.add(obj{"match": obj{"op": op, "left": obj{"ct": obj{"key": "status"}}, "right": flagList("ct status", b[:])}})
		known = true
	}
	// XT_CONNTRACK_STATE_ALIAS marks a conntrack match written as `-m state`.
	if !known || base.MatchFlags&^(xtConntrackState|xtConntrackStatus|xtConntrackStateAlias) != 0 {
		d.xtPlaceholder("match", name) // other conntrack criteria
	}
}

func (d *ruleDecoder) xtAddrType(src, dst uint16, flags uint32) {
	add := func(mask uint16, which string, invert bool) {
		if mask == 0 {
			return
		}
		var names []any
		for bit := uint16(1); bit != 0; bit <<= 1 {
			if mask&bit != 0 {
				if n, ok := xtAddrTypes[bit]; ok {
					names = append(names, n)
				}
			}
		}
		fibFlags := []string{which}
		if flags&4 != 0 {
			fibFlags = append(fibFlags, "iif")
		}
		if flags&8 != 0 {
			fibFlags = append(fibFlags, "oif")
		}
		op := "=="
		if invert {
			op = "!="
		}
		var right any = obj{"set": names}
		if len(names) == 1 {
			right = names[0]
		}
		d.add(obj{"match": obj{"op": op, "left": obj{"fib": obj{"result": "type", "flags": fibFlags}}, "right": right}})
	}
	add(src, "saddr", flags&1 != 0)
	add(dst, "daddr", flags&2 != 0)
}

// xtPorts adds the port matches of -m tcp/-m udp.
func (d *ruleDecoder) xtPorts(proto string, src, dst [2]uint16, invSrc, invDst bool) {
	add := func(field string, r [2]uint16, inv bool) {
		if r[0] == 0 && r[1] == 0xffff {
			return
		}
		var right any = r[0]
		if r[0] != r[1] {
			right = obj{"range": []any{r[0], r[1]}}
		}
		op := "=="
		if inv {
			op = "!="
		}
		d.add(obj{"match": obj{"op": op, "left": obj{"payload": obj{"protocol": proto, "field": field}}, "right": right}})
	}
	add("sport", src, invSrc)
	add("dport", dst, invDst)
	d.dropL4(proto)
}

// dropL4 removes the `meta l4proto PROTO` match a port match implies.
func (d *ruleDecoder) dropL4(proto string) {
	if d.l4 == proto && d.l4At >= 0 {
		d.drop[d.l4At] = true
	}
}

// xtMultiport decodes struct xt_multiport_v1 (revision 1): flags,
// count, ports[15], pflags[15] (port ranges), invert.
func (d *ruleDecoder) xtMultiport(b []byte, rev uint32) bool {
	if rev != 1 || len(b) < 2+15*2+15+1 {
		return false
	}
	flags, count := b[0], int(b[1])
	if count > 15 {
		return false
	}
	ports := make([]uint16, 15)
	for i := range ports {
		ports[i] = binary.NativeEndian.Uint16(b[2+2*i:])
	}
	pflags := b[32 : 32+15]
	invert := b[32+15] != 0
	field := map[byte]string{0: "sport", 1: "dport"}[flags] // XT_MULTIPORT_SOURCE, _DESTINATION
	if field == "" || d.l4 == "" {
		return false
	}
	var elems []any
	for i := 0; i < count; i++ {
		if pflags[i] != 0 && i+1 < count {
			elems = append(elems, obj{"range": []any{ports[i], ports[i+1]}})
			i++
			continue
		}
		elems = append(elems, ports[i])
	}
	op := "=="
	if invert {
		op = "!="
	}
	d.add(obj{"match": obj{"op": op, "left": obj{"payload": obj{"protocol": d.l4, "field": field}}, "right": obj{"set": elems}}})
	d.dropL4(d.l4)
	return true
}

func (d *ruleDecoder) xtTarget(e *expr.Target) {
	switch info := e.Info.(type) {
	case *xt.NatIPv4MultiRangeCompat:
		if e.Name == "MASQUERADE" {
			d.add(obj{"masquerade": obj{}})
			return
		}
		if len(*info) > 0 {
			r := (*info)[0]
			d.xtNat(e.Name, uint(r.Flags), r.MinIP, r.MaxIP, r.MinPort, r.MaxPort)
			return
		}
	case *xt.NatRange:
		if e.Name == "MASQUERADE" {
			d.add(obj{"masquerade": obj{}})
			return
		}
		d.xtNat(e.Name, info.Flags, info.MinIP, info.MaxIP, info.MinPort, info.MaxPort)
		return
	case *xt.NatRange2:
		d.xtNat(e.Name, info.Flags, info.MinIP, info.MaxIP, info.MinPort, info.MaxPort)
		return
	}
	var b []byte
	if u, ok := e.Info.(*xt.Unknown); ok {
		b = []byte(*u)
	}
	switch {
	case e.Name == "MASQUERADE":
		d.add(obj{"masquerade": obj{}})
	case e.Name == "REJECT":
		d.xtReject(b)
	case e.Name == "LOG" && d.xtLog(b):
	case e.Name == "MARK" && d.xtMark(b, e.Rev):
	case e.Name == "CONNMARK" && d.xtConnmark(b, e.Rev):
	default:
		d.xtPlaceholder("target", e.Name)
	}
}

// xtICMP decodes -p icmp --icmp-type (struct ipt_icmp / ip6t_icmp: type,
// code range, inversion flag).
func (d *ruleDecoder) xtICMP(name string, b []byte) bool {
	if len(b) < 4 {
		return false
	}
	proto, names := "icmp", icmpTypes
	if name == "icmp6" {
		proto, names = "icmpv6", icmpv6Types
	}
	typ, codeMin, codeMax, inv := b[0], b[1], b[2], b[3]&1 != 0
	if typ == 0xff && codeMin == 0 && codeMax == 0xff { // --icmp-type any
		if inv {
			return false
		}
		d.dropL4(proto)
		return true
	}
	if codeMin != 0 || codeMax != 0xff {
		return false // a code range: keep the xt placeholder
	}
	op := "=="
	if inv {
		op = "!="
	}
	var right any = uint64(typ)
	if n, ok := names[uint64(typ)]; ok {
		right = n
	}
	d.add(obj{"match": obj{"op": op, "left": obj{"payload": obj{"protocol": proto, "field": "type"}}, "right": right}})
	d.dropL4(proto)
	return true
}

// xtIPRange decodes -m iprange (struct xt_iprange_mtinfo: source and
// destination ranges as nf_inet_addr, then flags).
func (d *ruleDecoder) xtIPRange(b []byte) bool {
	if len(b) < 65 || d.l3 == "" {
		return false
	}
	flags := b[64]
	size := 4
	if d.l3 == "ip6" {
		size = 16
	}
	add := func(lo, hi []byte, field string, inv bool) {
		op := "=="
		if inv {
			op = "!="
		}
		d.add(obj{"match": obj{"op": op, "left": obj{"payload": obj{"protocol": d.l3, "field": field}},
			"right": obj{"range": []any{addrString(lo[:size]), addrString(hi[:size])}}}})
	}
	if flags&1 != 0 {
		add(b[0:16], b[16:32], "saddr", flags&0x10 != 0)
	}
	if flags&2 != 0 {
		add(b[32:48], b[48:64], "daddr", flags&0x20 != 0)
	}
	return flags&3 != 0
}

// xtPktType decodes -m pkttype (struct xt_pkttype_info: int pkttype,
// int invert).
func (d *ruleDecoder) xtPktType(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	types := map[uint32]string{0: "host", 1: "broadcast", 2: "multicast", 3: "other"}
	name, ok := types[binary.NativeEndian.Uint32(b)]
	if !ok {
		return false
	}
	op := "=="
	if binary.NativeEndian.Uint32(b[4:]) != 0 {
		op = "!="
	}
	d.add(obj{"match": obj{"op": op, "left": obj{"meta": obj{"key": "pkttype"}}, "right": name}})
	return true
}

// xtState decodes -m state written as the state match (struct
// xt_state_info: the state bit mask).
func (d *ruleDecoder) xtState(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	mask := binary.NativeEndian.Uint32(b)
	states := map[uint32]string{1: "invalid", 2: "established", 4: "related", 8: "new", 16: "untracked"}
	var names []any
	for bit := uint32(1); bit <= 16; bit <<= 1 {
		if mask&bit != 0 {
			names = append(names, states[bit])
		}
	}
	if len(names) == 0 || mask&^31 != 0 {
		return false
	}
	var right any = names
	if len(names) == 1 {
		right = names[0]
	}
	d.add(obj{"match": obj{"op": "in", "left": obj{"ct": obj{"key": "state"}}, "right": right}})
	return true
}

// xtReject decodes -j REJECT --reject-with (struct ipt_reject_info /
// ip6t_reject_info: one enum).
func (d *ruleDecoder) xtReject(b []byte) {
	if len(b) < 4 {
		d.add(obj{"reject": obj{}})
		return
	}
	with := binary.NativeEndian.Uint32(b)
	var r obj
	if d.l3 == "ip6" || d.family == nftables.TableFamilyIPv6 {
		codes := map[uint32]string{0: "no-route", 1: "admin-prohibited", 3: "addr-unreachable", 4: "port-unreachable", 7: "policy-fail", 8: "reject-route"}
		switch {
		case with == 6:
			r = obj{"type": "tcp reset"}
		case codes[with] != "":
			r = obj{"type": "icmpv6", "expr": codes[with]}
		}
	} else {
		codes := map[uint32]string{0: "net-unreachable", 1: "host-unreachable", 2: "prot-unreachable", 3: "port-unreachable",
			5: "net-prohibited", 6: "host-prohibited", 8: "admin-prohibited"}
		switch {
		case with == 7:
			r = obj{"type": "tcp reset"}
		case codes[with] != "":
			r = obj{"type": "icmp", "expr": codes[with]}
		}
	}
	if r == nil {
		r = obj{}
	}
	d.add(obj{"reject": r})
}

// xtLog decodes -j LOG (struct xt_log_info: level, flags, prefix[30]).
func (d *ruleDecoder) xtLog(b []byte) bool {
	if len(b) < 32 {
		return false
	}
	l := obj{}
	if prefix := strings.TrimRight(string(b[2:32]), "\x00"); prefix != "" {
		if i := strings.IndexByte(prefix, 0); i >= 0 {
			prefix = prefix[:i]
		}
		l["prefix"] = prefix
	}
	levels := []string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"}
	if int(b[0]) < len(levels) && b[0] != 4 { // warn is the default
		l["level"] = levels[b[0]]
	}
	d.add(obj{"log": l})
	return true
}

// xtMark decodes -j MARK --set-mark/--set-xmark (struct xt_mark_tginfo2:
// mark, mask) when it sets the whole mark.
func (d *ruleDecoder) xtMark(b []byte, rev uint32) bool {
	if rev != 2 || len(b) < 8 || binary.NativeEndian.Uint32(b[4:]) != 0xffffffff {
		return false
	}
	d.add(obj{"mangle": obj{"key": obj{"meta": obj{"key": "mark"}}, "value": fmt.Sprintf("0x%08x", binary.NativeEndian.Uint32(b))}})
	return true
}

// xtConnmark decodes -j CONNMARK (struct xt_connmark_tginfo1: ctmark,
// ctmask, nfmask, mode; revision 2 puts shift_dir and shift_bits before
// the mode) when it copies or sets whole marks.
func (d *ruleDecoder) xtConnmark(b []byte, rev uint32) bool {
	if len(b) < 15 || rev < 1 || rev > 2 {
		return false
	}
	mode := b[12]
	if rev == 2 {
		if b[13] != 0 { // a shift
			return false
		}
		mode = b[14]
	}
	ctmark, ctmask, nfmask := binary.NativeEndian.Uint32(b), binary.NativeEndian.Uint32(b[4:]), binary.NativeEndian.Uint32(b[8:])
	ctMark, metaMark := obj{"ct": obj{"key": "mark"}}, obj{"meta": obj{"key": "mark"}}
	switch {
	case mode == 0 && ctmask == 0xffffffff: // --set-mark
		d.add(obj{"mangle": obj{"key": ctMark, "value": fmt.Sprintf("0x%08x", ctmark)}})
	case mode == 1 && ctmask == 0xffffffff && nfmask == 0xffffffff: // --save-mark
		d.add(obj{"mangle": obj{"key": ctMark, "value": metaMark}})
	case mode == 2 && ctmask == 0xffffffff && nfmask == 0xffffffff: // --restore-mark
		d.add(obj{"mangle": obj{"key": metaMark, "value": ctMark}})
	default:
		return false
	}
	return true
}

// xtNat renders -j DNAT/SNAT --to-destination/--to-source.
func (d *ruleDecoder) xtNat(name string, flags uint, minIP, maxIP net.IP, minPort, maxPort uint16) {
	kind := map[string]string{"DNAT": "dnat", "SNAT": "snat"}[name]
	if kind == "" {
		d.xtPlaceholder("target", name)
		return
	}
	n := obj{}
	if flags&uint(xt.NatRangeMapIPs) != 0 && minIP != nil {
		ip := func(x net.IP) string {
			if v4 := x.To4(); v4 != nil && d.l3 != "ip6" {
				return v4.String()
			}
			return x.String()
		}
		var addr any = ip(minIP)
		if maxIP != nil && !maxIP.Equal(minIP) {
			addr = obj{"range": []any{ip(minIP), ip(maxIP)}}
		}
		n["addr"] = addr
	}
	if flags&2 != 0 { // NF_NAT_RANGE_PROTO_SPECIFIED
		lo, hi := minPort, maxPort
		var port any = lo
		if hi != lo {
			port = obj{"range": []any{lo, hi}}
		}
		n["port"] = port
	}
	d.add(obj{kind: n})
}
