//go:build linux

package live

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/google/nftables"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// google/nftables v0.3.0 does not decode everything the kernel says: it
// overwrites the key type of a verdict map with the verdict data type (an
// empty `type ifname : verdict` map — Docker's nftables backend starts
// with four — would read back as `type integer : verdict`), it drops the
// devices of netdev and ingress chains, and the handles of tables, chains
// and sets. The functions here ask the kernel for those directly, with
// read-only dump requests.

// setKeyTypes returns the key types of the sets of a table, by set name:
// the type name ("ifname", "ipv4_addr . inet_service") and the key length.
// nsFD is the network namespace to ask (0: the process's).
func setKeyTypes(nsFD int, fam nftables.TableFamily, table string) (map[string]setMeta, error) {
	out := map[string]setMeta{}
	err := dumpObjects(nsFD, unix.NFT_MSG_GETSET, fam, []netlink.Attribute{
		{Type: unix.NFTA_SET_TABLE, Data: []byte(table + "\x00")},
	}, func(_ nftables.TableFamily, ad *netlink.AttributeDecoder) error {
		var name string
		var magic, size uint32
		var fields []uint32
		var handle uint64
		for ad.Next() {
			switch ad.Type() {
			case unix.NFTA_SET_NAME:
				name = ad.String()
			case unix.NFTA_SET_KEY_TYPE:
				magic = ad.Uint32()
			case unix.NFTA_SET_KEY_LEN:
				size = ad.Uint32()
			case nftaSetHandle:
				handle = ad.Uint64()
			case unix.NFTA_SET_DESC:
				ad.Nested(func(dd *netlink.AttributeDecoder) error {
					for dd.Next() {
						if dd.Type() == nftaSetDescConcat {
							fields = fieldLengths(dd)
						}
					}
					return nil
				})
			}
		}
		if err := ad.Err(); err != nil {
			return err
		}
		if name == "" {
			return nil
		}
		meta := setMeta{handle: handle}
		if t, ok := typeName(magic); ok {
			meta.key = &nftables.SetDatatype{Name: sizedIntegers(t, fields), Bytes: size}
		}
		out[name] = meta
		return nil
	})
	if err != nil {
		return nil, err
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

// setMeta is what the kernel says about a set that google/nftables
// v0.3.0 loses: the key type (nil when unknown) and the handle.
type setMeta struct {
	key    *nftables.SetDatatype
	handle uint64
}

// Set attributes (linux/netfilter/nf_tables.h).
const (
	nftaSetHandle     = 16 // NFTA_SET_HANDLE
	nftaSetDescConcat = 2  // NFTA_SET_DESC_CONCAT: nested NFTA_LIST_ELEM
	nftaSetFieldLen   = 1  // NFTA_SET_FIELD_LEN
)

// fieldLengths reads NFTA_SET_DESC_CONCAT: the byte length of each
// component of a concatenated key.
func fieldLengths(ad *netlink.AttributeDecoder) []uint32 {
	var out []uint32
	ad.Nested(func(ld *netlink.AttributeDecoder) error {
		for ld.Next() {
			if ld.Type() != unix.NFTA_LIST_ELEM {
				continue
			}
			ld.Nested(func(fd *netlink.AttributeDecoder) error {
				fd.ByteOrder = binary.BigEndian
				for fd.Next() {
					if fd.Type() == nftaSetFieldLen {
						out = append(out, fd.Uint32())
					}
				}
				return nil
			})
		}
		return nil
	})
	return out
}

// sizedIntegers gives the integer components of a concatenated key type
// their lengths ("integer . integer" with fields 2 and 16 becomes
// "integer/2 . integer/16"): integers have no fixed size (typeof udp
// length, @th,160,128), and decoding needs it. typeNames drops the sizes
// again for the listing.
func sizedIntegers(name string, fields []uint32) string {
	parts := strings.Split(name, " . ")
	if len(parts) < 2 || len(parts) != len(fields) {
		return name
	}
	for i, p := range parts {
		if p == "integer" {
			parts[i] = fmt.Sprintf("integer/%d", fields[i])
		}
	}
	return strings.Join(parts, " . ")
}

// lostKeyType reports whether google/nftables lost the key type of s.
func lostKeyType(s *nftables.Set) bool {
	return s.IsMap && s.KeyType.Name == "verdict" && s.DataType.Name == ""
}

// restoreKeyTypes asks the kernel about the sets of a table: the verdict
// maps get their key types back (fixMapTypes guesses for what it cannot
// answer), concatenations the sizes of their integer components, and
// every set its handle (rd.setHandles).
func (rd *reader) restoreKeyTypes(t *nftables.Table, sets []*nftables.Set) {
	metas, _ := setKeyTypes(rd.nsFD, t.Family, t.Name) // on error fixMapTypes guesses
	rd.setHandles = map[string]uint64{}
	for _, s := range sets {
		m, ok := metas[s.Name]
		if !ok {
			continue
		}
		rd.setHandles[s.Name] = m.handle
		if m.key == nil {
			continue
		}
		switch {
		case lostKeyType(s):
			s.KeyType = *m.key
			s.DataType = nftables.TypeVerdict
		case strings.Contains(s.KeyType.Name, " . ") && strings.Contains(s.KeyType.Name, "integer"):
			s.KeyType.Name = m.key.Name
		}
	}
}

// rawDump sends one nftables dump request (NFT_MSG_GET…) on a netlink
// socket of its own and returns the replies; read-only like the rest.
func rawDump(nsFD int, msg int, fam nftables.TableFamily, attrs []netlink.Attribute) ([]netlink.Message, error) {
	conn, err := netlink.Dial(unix.NETLINK_NETFILTER, &netlink.Config{NetNS: nsFD})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var data []byte
	if len(attrs) > 0 {
		if data, err = netlink.MarshalAttributes(attrs); err != nil {
			return nil, err
		}
	}
	req := netlink.Message{
		Header: netlink.Header{
			Type:  netlink.HeaderType(unix.NFNL_SUBSYS_NFTABLES<<8 | msg),
			Flags: netlink.Request | netlink.Dump,
		},
		// nfgenmsg: family, version, resource id.
		Data: append([]byte{byte(fam), unix.NFNETLINK_V0, 0, 0}, data...),
	}
	return conn.Execute(req)
}

// dumpObjects sends one dump request (rawDump) and calls decode for each
// reply with the reply's family and a big-endian decoder of the
// attributes after its nfgenmsg header; replies too short for the header
// are skipped. The first error, of the request, of a decoder or of
// decode, stops it and is returned.
func dumpObjects(nsFD int, msg int, fam nftables.TableFamily, attrs []netlink.Attribute, decode func(nftables.TableFamily, *netlink.AttributeDecoder) error) error {
	replies, err := rawDump(nsFD, msg, fam, attrs)
	if err != nil {
		return err
	}
	for _, m := range replies {
		if len(m.Data) < 4 {
			continue
		}
		ad, err := netlink.NewAttributeDecoder(m.Data[4:])
		if err != nil {
			return err
		}
		ad.ByteOrder = binary.BigEndian
		if err := decode(nftables.TableFamily(m.Data[0]), ad); err != nil {
			return err
		}
	}
	return nil
}

// Chain hook attributes google/nftables v0.3.0 does not decode
// (linux/netfilter/nf_tables.h).
const (
	nftaHookDevs   = 4 // NFTA_HOOK_DEVS: nested NFTA_DEVICE_NAME
	nftaDeviceName = 1 // NFTA_DEVICE_NAME
)

// chainMeta is what the kernel says about a chain that google/nftables
// v0.3.0 does not decode: the devices of netdev and ingress chains, and
// the chain's handle.
type chainMeta struct {
	devices []string
	handle  uint64
}

// chainMetas returns the chainMeta of every chain by "family table chain".
func chainMetas(nsFD int) (map[string]chainMeta, error) {
	out := map[string]chainMeta{}
	err := dumpObjects(nsFD, unix.NFT_MSG_GETCHAIN, nftables.TableFamilyUnspecified, nil, func(fam nftables.TableFamily, ad *netlink.AttributeDecoder) error {
		var table, name string
		var meta chainMeta
		var dev string // NFTA_HOOK_DEV; newer kernels also send NFTA_HOOK_DEVS
		for ad.Next() {
			switch ad.Type() {
			case unix.NFTA_CHAIN_TABLE:
				table = ad.String()
			case unix.NFTA_CHAIN_NAME:
				name = ad.String()
			case unix.NFTA_CHAIN_HANDLE:
				meta.handle = ad.Uint64()
			case unix.NFTA_CHAIN_HOOK:
				ad.Nested(func(hd *netlink.AttributeDecoder) error {
					for hd.Next() {
						switch hd.Type() {
						case unix.NFTA_HOOK_DEV:
							dev = hd.String()
						case nftaHookDevs:
							hd.Nested(func(dd *netlink.AttributeDecoder) error {
								for dd.Next() {
									if dd.Type() == nftaDeviceName {
										meta.devices = append(meta.devices, dd.String())
									}
								}
								return nil
							})
						}
					}
					return nil
				})
			}
		}
		if err := ad.Err(); err != nil {
			return err
		}
		if len(meta.devices) == 0 && dev != "" {
			meta.devices = []string{dev}
		}
		out[familyName(fam)+" "+table+" "+name] = meta
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// nftaTableHandle is NFTA_TABLE_HANDLE (linux/netfilter/nf_tables.h).
const nftaTableHandle = 4

// tableHandles returns the handles of the tables by "family table".
func tableHandles(nsFD int) (map[string]uint64, error) {
	out := map[string]uint64{}
	err := dumpObjects(nsFD, unix.NFT_MSG_GETTABLE, nftables.TableFamilyUnspecified, nil, func(fam nftables.TableFamily, ad *netlink.AttributeDecoder) error {
		var name string
		var handle uint64
		for ad.Next() {
			switch ad.Type() {
			case unix.NFTA_TABLE_NAME:
				name = ad.String()
			case nftaTableHandle:
				handle = ad.Uint64()
			}
		}
		// A table whose attributes do not decode is left out, not an error.
		if ad.Err() == nil && name != "" {
			out[familyName(fam)+" "+name] = handle
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// linkNames returns the interface names of the namespace by index, for
// `iif`/`oif` matches, which the kernel keeps as indexes (nft prints the
// names too).
func linkNames(nsFD int) (map[uint32]string, error) {
	conn, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: nsFD})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	req := netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Dump},
		Data:   make([]byte, unix.SizeofIfInfomsg),
	}
	replies, err := conn.Execute(req)
	if err != nil {
		return nil, err
	}
	out := map[uint32]string{}
	for _, m := range replies {
		if len(m.Data) < unix.SizeofIfInfomsg {
			continue
		}
		index := binary.NativeEndian.Uint32(m.Data[4:8]) // ifi_index
		ad, err := netlink.NewAttributeDecoder(m.Data[unix.SizeofIfInfomsg:])
		if err != nil {
			continue
		}
		for ad.Next() {
			if ad.Type() == unix.IFLA_IFNAME {
				out[index] = ad.String()
			}
		}
	}
	return out, nil
}
