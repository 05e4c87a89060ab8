//go:build linux

package live

import (
	"encoding/binary"
	"strings"

	"github.com/google/nftables"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// google/nftables v0.3.0 overwrites the key type of a verdict map with
// the verdict data type while decoding NFT_MSG_NEWSET, so an empty
// `type ifname : verdict` map (Docker's nftables backend starts with four)
// would read back as `type integer : verdict`. setKeyTypes asks the kernel
// for a table's sets itself and keeps the key types.

// setKeyTypes returns the key types of the sets of a table, by set name:
// the type name ("ifname", "ipv4_addr . inet_service") and the key length.
// nsFD is the network namespace to ask (0: the process's).
func setKeyTypes(nsFD int, fam nftables.TableFamily, table string) (map[string]nftables.SetDatatype, error) {
	conn, err := netlink.Dial(unix.NETLINK_NETFILTER, &netlink.Config{NetNS: nsFD})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	attrs, err := netlink.MarshalAttributes([]netlink.Attribute{
		{Type: unix.NFTA_SET_TABLE, Data: []byte(table + "\x00")},
	})
	if err != nil {
		return nil, err
	}
	req := netlink.Message{
		Header: netlink.Header{
			Type:  netlink.HeaderType(unix.NFNL_SUBSYS_NFTABLES<<8 | unix.NFT_MSG_GETSET),
			Flags: netlink.Request | netlink.Dump,
		},
		// nfgenmsg: family, version, resource id.
		Data: append([]byte{byte(fam), unix.NFNETLINK_V0, 0, 0}, attrs...),
	}
	replies, err := conn.Execute(req)
	if err != nil {
		return nil, err
	}
	out := map[string]nftables.SetDatatype{}
	for _, m := range replies {
		if len(m.Data) < 4 {
			continue
		}
		ad, err := netlink.NewAttributeDecoder(m.Data[4:])
		if err != nil {
			return nil, err
		}
		ad.ByteOrder = binary.BigEndian
		var name string
		var magic, size uint32
		for ad.Next() {
			switch ad.Type() {
			case unix.NFTA_SET_NAME:
				name = ad.String()
			case unix.NFTA_SET_KEY_TYPE:
				magic = ad.Uint32()
			case unix.NFTA_SET_KEY_LEN:
				size = ad.Uint32()
			}
		}
		if err := ad.Err(); err != nil {
			return nil, err
		}
		if t, ok := typeName(magic); ok && name != "" {
			out[name] = nftables.SetDatatype{Name: t, Bytes: size}
		}
	}
	return out, nil
}

// datatypeNames are nft's data types by number (nftables
// include/datatype.h), named as nft prints them.
var datatypeNames = []string{
	"invalid", "verdict", "nf_proto", "bitmask", "integer", "string", "ll_addr",
	"ipv4_addr", "ipv6_addr", "ether_addr", "ether_type", "arp_op", "inet_proto",
	"inet_service", "icmp_type", "tcp_flag", "dccp_pkttype", "mh_type", "time",
	"mark", "iface_index", "iface_type", "realm", "classid", "uid", "gid",
	"ct_state", "ct_dir", "ct_status", "icmpv6_type", "ct_label", "pkt_type",
	"icmp_code", "icmpv6_code", "icmpx_code", "devgroup", "dscp", "ecn",
	"fib_addrtype", "boolean", "ct_event", "ifname", "igmp_type", "time",
	"hour", "day", "cgroupsv2",
}

// typeName decodes a set key type: concatenations pack one type number
// per 6 bits, the last component in the lowest bits.
func typeName(magic uint32) (string, bool) {
	var parts []string
	for magic != 0 {
		n := magic & (1<<nftables.SetConcatTypeBits - 1)
		if n == 0 || int(n) >= len(datatypeNames) {
			return "", false
		}
		parts = append([]string{datatypeNames[n]}, parts...)
		magic >>= nftables.SetConcatTypeBits
	}
	if len(parts) == 0 {
		return "", false
	}
	return strings.Join(parts, " . "), true
}

// lostKeyType reports whether google/nftables lost the key type of s.
func lostKeyType(s *nftables.Set) bool {
	return s.IsMap && s.KeyType.Name == "verdict" && s.DataType.Name == ""
}

// restoreKeyTypes gives the verdict maps of a table their key types back,
// asking the kernel once; fixMapTypes guesses for what it cannot answer.
func (rd *reader) restoreKeyTypes(t *nftables.Table, sets []*nftables.Set) {
	var keys map[string]nftables.SetDatatype
	asked := false
	for _, s := range sets {
		if !lostKeyType(s) {
			continue
		}
		if !asked {
			keys, _ = setKeyTypes(rd.nsFD, t.Family, t.Name) // on error fixMapTypes guesses
			asked = true
		}
		if k, ok := keys[s.Name]; ok {
			s.KeyType = k
			s.DataType = nftables.TypeVerdict
		}
	}
}
