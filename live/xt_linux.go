//go:build linux

package live

import (
	"encoding/binary"
	"net"

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
		if e.Name == "multiport" && d.xtMultiport([]byte(*info), e.Rev) {
			return
		}
		d.xtPlaceholder("match", e.Name)
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
	if !known || base.MatchFlags&^(xtConntrackState|xtConntrackStatus) != 0 {
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
	switch e.Name {
	case "MASQUERADE":
		d.add(obj{"masquerade": obj{}})
	case "REJECT":
		d.add(obj{"reject": obj{}})
	default:
		d.xtPlaceholder("target", e.Name)
	}
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
