//go:build linux

package live

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// This file decodes a rule's netlink expressions back into nft's JSON
// statements, the way nft's netlink_delinearize.c does: loads into
// registers (payload, meta, ct, fib, immediate) are remembered, and the
// expressions that read them (cmp, range, lookup, nat, mangle) become
// statements. What is not understood becomes a statement or expression
// named after its netlink expression, so nothing silently disappears.

// regVal is what a register holds.
type regVal struct {
	expr any    // the JSON expression
	path string // selector path that types the value ("ip saddr", "ct state"), "" when unknown
	size int    // bytes
	data []byte // immediate data, for nat/mangle values
	// prefix is set when a bitwise kept the first prefix bits of an
	// address (ip saddr 10.0.0.0/8); mask holds any other bitwise mask.
	prefix int
	mask   []byte
	// dep is 1 + the statement index of the protocol match a payload
	// field name relied on (meta l4proto tcp before tcp dport), 0 when none.
	dep int
	// netOrder is set when a byteorder expression turned the host-order
	// value (meta hour, ct expiration …) into network order, as nft does
	// before a range comparison.
	netOrder bool
	// head is set on the registers after the first that a map lookup
	// fills with data longer than 4 bytes (address . port, or the two ends
	// of an interval): it is the first register's value.
	head *regVal
}

type ruleDecoder struct {
	rd     *reader
	family nftables.TableFamily
	regs   map[uint32]*regVal
	stmts  []any
	drop   map[int]bool // dependency matches made redundant
	// l3 and l4 are the network and transport protocols the rule has
	// matched so far, and the statements that matched them.
	l3, l4     string
	l3At, l4At int
	// comment is the rule comment an xt comment match carries.
	comment string
	// lowerBound is the last statement when it is a `>=` comparison: nft
	// writes the range `a-b` as >= a followed by <= b on the same register.
	lowerBound *boundMatch
}

type boundMatch struct {
	reg   uint32
	stmt  int // index in stmts
	value any
}

// reg32 maps a register number to its index among the 32-bit registers
// (NFT_REG_1..4 are 16 bytes wide and overlay NFT_REG32_00..15).
func reg32(r uint32) uint32 {
	switch {
	case r >= 1 && r <= 4:
		return (r - 1) * 4
	case r >= 8:
		return r - 8
	}
	return 1 << 20 // the verdict register
}

// decodedRule is a kernel rule in nft's JSON form.
type decodedRule struct {
	stmts []any
	// comment is the comment an xt comment match gave the rule.
	comment string
	// iptables is set when iptables-nft wrote the rule and can read it
	// back: it holds xt matches or targets (which nft never writes), and
	// every expression passes iptables-nft's whitelist.
	iptables bool
}

// decodeRule decodes the expressions of a rule.
func (rd *reader) decodeRule(fam nftables.TableFamily, exprs []expr.Any) decodedRule {
	d := &ruleDecoder{rd: rd, family: fam, regs: map[uint32]*regVal{}, drop: map[int]bool{}, l3At: -1, l4At: -1}
	switch fam {
	case nftables.TableFamilyIPv4:
		d.l3 = "ip"
	case nftables.TableFamilyIPv6:
		d.l3 = "ip6"
	}
	for _, e := range exprs {
		d.expr(e)
	}
	out := make([]any, 0, len(d.stmts))
	for i, s := range d.stmts {
		if !d.drop[i] {
			out = append(out, s)
		}
	}
	return decodedRule{stmts: out, comment: d.comment, iptables: iptablesReadable(exprs)}
}

// iptablesReadable reports whether a rule was written by iptables-nft and
// passes its expression whitelist (iptables/nft.c nft_is_expr_compatible,
// 1.8.9): match, target, payload, meta, cmp, bitwise, counter, immediate,
// lookup, range; limit only packet-based without flags; log only with an
// NFLOG group. Without an xt match or target the rule came from nft and
// is judged by its statements like a rule in a file.
func iptablesReadable(exprs []expr.Any) bool {
	xt := false
	for _, e := range exprs {
		switch e := e.(type) {
		case *expr.Match, *expr.Target:
			xt = true
		case *expr.Payload, *expr.Meta, *expr.Cmp, *expr.Bitwise, *expr.Counter,
			*expr.Immediate, *expr.Lookup, *expr.Range, *expr.Verdict:
			// expr.Verdict is an immediate to the verdict register.
		case *expr.Limit:
			if e.Type != expr.LimitTypePkts || e.Over {
				return false
			}
		case *expr.Log:
			if e.Key&(1<<unix.NFTA_LOG_GROUP) == 0 {
				return false
			}
		default:
			return false
		}
	}
	return xt
}

func (d *ruleDecoder) set(r uint32, v *regVal) { d.regs[reg32(r)] = v }

func (d *ruleDecoder) get(r uint32) *regVal {
	if v, ok := d.regs[reg32(r)]; ok {
		return v
	}
	return &regVal{expr: obj{"register": nil}}
}

func (d *ruleDecoder) add(stmt any) { d.stmts = append(d.stmts, stmt) }

// unknown records an expression nftlint does not decode, named after its
// netlink name.
func (d *ruleDecoder) unknown(name string) { d.add(obj{name: nil}) }

func (d *ruleDecoder) expr(e expr.Any) {
	switch e := e.(type) {
	case *expr.Payload:
		d.payload(e)
	case *expr.Meta:
		key := metaKeyName(e.Key)
		sel := obj{"meta": obj{"key": key}}
		path := "meta " + key
		if e.SourceRegister {
			d.mangle(sel, path, e.Register)
			return
		}
		d.set(e.Register, &regVal{expr: sel, path: path, size: metaSize(e.Key)})
	case *expr.Ct:
		key := ctKeyName(e.Key)
		ct := obj{"key": key}
		if e.Direction == 1 {
			ct["dir"] = "reply"
		} else if ctKeyDirectional(e.Key) {
			ct["dir"] = "original"
		}
		sel := obj{"ct": ct}
		path := "ct " + key
		if e.SourceRegister {
			d.mangle(sel, path, e.Register)
			return
		}
		d.set(e.Register, &regVal{expr: sel, path: path, size: 4})
	case *expr.Fib:
		d.fib(e)
	case *expr.Byteorder:
		v := *d.get(e.SourceRegister)
		v.netOrder = e.Op == expr.ByteorderHton
		d.set(e.DestRegister, &v)
	case *expr.Immediate:
		d.set(e.Register, &regVal{expr: nil, data: e.Data, size: len(e.Data)})
	case *expr.Bitwise:
		d.bitwise(e)
	case *expr.Cmp:
		d.cmp(e)
	case *expr.Range:
		v := d.get(e.Register).ordered()
		op := "=="
		if e.Op == expr.CmpOpNeq {
			op = "!="
		}
		d.match(v, op, obj{"range": []any{decodeValue(v.path, v.hostData(e.FromData)), decodeValue(v.path, v.hostData(e.ToData))}})
	case *expr.Lookup:
		d.lookup(e)
	case *expr.Verdict:
		d.add(verdictValue(e.Kind, e.Chain))
	case *expr.Counter:
		d.add(obj{"counter": obj{"packets": e.Packets, "bytes": e.Bytes}})
	case *expr.Log:
		d.log(e)
	case *expr.Limit:
		d.limit(e)
	case *expr.Quota:
		d.add(obj{"quota": obj{"val": e.Bytes, "val_unit": "bytes", "used": e.Consumed, "inv": e.Over}})
	case *expr.NAT:
		d.nat(e)
	case *expr.Masq:
		m := obj{}
		if e.ToPorts {
			m["port"] = d.portValue(e.RegProtoMin, e.RegProtoMax)
		}
		if f := natFlags(e.Random, e.FullyRandom, e.Persistent); len(f) > 0 {
			m["flags"] = f
		}
		d.add(obj{"masquerade": m})
	case *expr.Redir:
		m := obj{}
		if e.RegisterProtoMin != 0 {
			m["port"] = d.portValue(e.RegisterProtoMin, e.RegisterProtoMax)
		}
		d.add(obj{"redirect": m})
	case *expr.Reject:
		d.reject(e)
	case *expr.Objref:
		kinds := map[int]string{1: "counter", 2: "quota", 3: "ct helper", 4: "limit", 7: "ct timeout", 8: "secmark", 9: "ct expectation", 10: "synproxy"}
		kind, ok := kinds[int(e.Type)]
		if !ok {
			d.unknown("objref")
			return
		}
		if kind == "secmark" {
			d.add(obj{"secmark": e.Name})
			return
		}
		d.add(obj{kind: e.Name})
	case *expr.Notrack:
		d.add(obj{"notrack": nil})
	case *expr.Queue:
		q := obj{"num": e.Num}
		if e.Total > 1 {
			q["num"] = obj{"range": []any{e.Num, e.Num + e.Total - 1}}
		}
		d.add(obj{"queue": q})
	case *expr.Connlimit:
		d.add(obj{"ct count": obj{"val": e.Count, "inv": e.Flags&1 != 0}})
	case *expr.FlowOffload:
		d.add(obj{"flow": obj{"op": "add", "flowtable": "@" + e.Name}})
	case *expr.Dynset:
		d.dynset(e)
	case *expr.Match:
		d.xtMatch(e)
	case *expr.Target:
		d.xtTarget(e)
	case *expr.Numgen:
		mode := "inc"
		if e.Type == 1 {
			mode = "random"
		}
		d.set(e.Register, &regVal{expr: obj{"numgen": obj{"mode": mode, "mod": e.Modulus, "offset": e.Offset}}, size: 4})
	case *expr.Socket:
		keys := map[expr.SocketKey]string{0: "transparent", 1: "mark", 2: "wildcard", 3: "cgroupv2"}
		d.set(e.Register, &regVal{expr: obj{"socket": obj{"key": keys[e.Key]}}, path: "socket " + keys[e.Key], size: 4})
	case *expr.Rt:
		keys := map[expr.RtKey]string{0: "classid", 1: "nexthop", 2: "nexthop", 3: "mtu", 4: "ipsec"}
		d.set(e.Register, &regVal{expr: obj{"rt": obj{"key": keys[e.Key]}}, path: "rt " + keys[e.Key], size: 4})
	case *expr.Exthdr:
		if e.SourceRegister != 0 {
			d.unknown("exthdr")
			return
		}
		d.set(e.DestRegister, &regVal{expr: obj{"extension header": obj{"type": e.Type, "offset": e.Offset, "len": e.Len}}, size: int(e.Len)})
	case *expr.Hash:
		d.set(e.DestRegister, &regVal{expr: obj{"hash": obj{"mod": e.Modulus}}, size: 4})
	default:
		d.unknown(exprName(e))
	}
}

// dynset decodes `add/update/delete @set { key [timeout T] [stmt] [: data] }`,
// and the meters nft writes as updates of an anonymous set.
func (d *ruleDecoder) dynset(e *expr.Dynset) {
	ops := map[uint32]string{0: "add", 1: "update", 2: "delete"}
	var elem any = d.concatFrom(e.SrcRegKey, d.setKeySize(e.SetName))
	if e.Timeout > 0 {
		elem = obj{"elem": obj{"val": elem, "timeout": int64(e.Timeout.Seconds())}}
	}
	// The statements attached to the element (counter, limit …).
	var stmts []any
	if len(e.Exprs) > 0 {
		sub := &ruleDecoder{rd: d.rd, family: d.family, regs: map[uint32]*regVal{}, drop: map[int]bool{}, l3At: -1, l4At: -1}
		for _, x := range e.Exprs {
			sub.expr(x)
		}
		stmts = sub.stmts
	}
	ls := d.rd.sets[e.SetName]
	if ls != nil && ls.set.Anonymous && e.SrcRegData == 0 {
		m := obj{"name": e.SetName, "key": elem}
		if ls.set.Size > 0 {
			m["size"] = ls.set.Size
		}
		if len(stmts) > 0 {
			m["stmt"] = stmts[0]
		}
		d.add(obj{"meter": m})
		return
	}
	kind := "set"
	u := obj{"op": ops[e.Operation], "elem": elem}
	if e.SrcRegData != 0 {
		kind = "map"
		u["data"] = d.concatFrom(e.SrcRegData, int(d.setDataSize(e.SetName)))
	}
	u[kind] = "@" + e.SetName
	if len(stmts) > 0 {
		u["stmt"] = stmts
	}
	d.add(obj{kind: u})
}

func (d *ruleDecoder) setDataSize(name string) uint32 {
	if ls := d.rd.sets[name]; ls != nil {
		return ls.set.DataType.Bytes
	}
	return 0
}

// exprName names an expression type for the placeholder statement.
func exprName(e expr.Any) string {
	n := fmt.Sprintf("%T", e)
	n = strings.TrimPrefix(n, "*expr.")
	return strings.ToLower(n)
}

func (d *ruleDecoder) mangle(key any, path string, src uint32) {
	v := d.get(src)
	val := v.expr
	if val == nil {
		val = decodeValue(path, v.data)
	}
	d.add(obj{"mangle": obj{"key": key, "value": val}})
}

// ---------------------------------------------------------------------------
// payload

// payloadField names a field by protocol, byte offset and length.
type payloadField struct {
	proto  string
	offset uint32
	size   uint32
}

var payloadFields = map[payloadField]string{
	{"ether", 0, 6}: "daddr", {"ether", 6, 6}: "saddr", {"ether", 12, 2}: "type",
	{"ip", 2, 2}: "length", {"ip", 4, 2}: "id", {"ip", 8, 1}: "ttl", {"ip", 9, 1}: "protocol",
	{"ip", 10, 2}: "checksum", {"ip", 12, 4}: "saddr", {"ip", 16, 4}: "daddr",
	{"ip6", 4, 2}: "length", {"ip6", 6, 1}: "nexthdr", {"ip6", 7, 1}: "hoplimit",
	{"ip6", 8, 16}: "saddr", {"ip6", 24, 16}: "daddr",
	{"tcp", 0, 2}: "sport", {"tcp", 2, 2}: "dport", {"tcp", 4, 4}: "sequence", {"tcp", 8, 4}: "ackseq",
	{"tcp", 13, 1}: "flags", {"tcp", 14, 2}: "window", {"tcp", 16, 2}: "checksum", {"tcp", 18, 2}: "urgptr",
	{"udp", 0, 2}: "sport", {"udp", 2, 2}: "dport", {"udp", 4, 2}: "length", {"udp", 6, 2}: "checksum",
	{"udplite", 0, 2}: "sport", {"udplite", 2, 2}: "dport",
	{"sctp", 0, 2}: "sport", {"sctp", 2, 2}: "dport", {"sctp", 4, 4}: "vtag",
	{"dccp", 0, 2}: "sport", {"dccp", 2, 2}: "dport",
	{"icmp", 0, 1}: "type", {"icmp", 1, 1}: "code", {"icmp", 2, 2}: "checksum", {"icmp", 4, 2}: "id", {"icmp", 6, 2}: "sequence",
	{"icmpv6", 0, 1}: "type", {"icmpv6", 1, 1}: "code", {"icmpv6", 2, 2}: "checksum",
	{"th", 0, 2}: "sport", {"th", 2, 2}: "dport",
}

func (d *ruleDecoder) payload(e *expr.Payload) {
	proto, dep := "", -1
	switch e.Base {
	case expr.PayloadBaseLLHeader:
		proto = "ether"
	case expr.PayloadBaseNetworkHeader:
		proto, dep = d.l3, d.l3At
		if proto == "" { // inet, bridge, netdev without a match: guess by the field
			switch {
			case e.Len == 4 && (e.Offset == 12 || e.Offset == 16), e.Offset == 9:
				proto = "ip"
			case e.Len == 16:
				proto = "ip6"
			}
		}
	case expr.PayloadBaseTransportHeader:
		proto, dep = d.l4, d.l4At
		if proto == "" {
			proto = "th"
		}
	}
	var sel any
	path := ""
	prefix := 0
	if f, ok := payloadFields[payloadField{proto, e.Offset, e.Len}]; ok {
		sel = obj{"payload": obj{"protocol": proto, "field": f}}
		path = proto + " " + f
	} else if f, size := addrFieldAt(proto, e.Offset, e.Len); f != "" {
		// nft loads only the prefix bytes of an address it compares
		// with a prefix on a byte boundary (ip saddr 10.0.0.0/8).
		sel = obj{"payload": obj{"protocol": proto, "field": f}}
		path = proto + " " + f
		prefix = int(e.Len) * 8
		e.Len = uint32(size)
	} else {
		bases := map[expr.PayloadBase]string{expr.PayloadBaseLLHeader: "ll", expr.PayloadBaseNetworkHeader: "nh", expr.PayloadBaseTransportHeader: "th"}
		sel = obj{"payload": obj{"base": bases[e.Base], "offset": e.Offset * 8, "len": e.Len * 8}}
		dep = -1
	}
	if e.OperationType == expr.PayloadWrite {
		d.mangle(sel, path, e.SourceRegister)
		return
	}
	d.set(e.DestRegister, &regVal{expr: sel, path: path, size: int(e.Len), dep: dep + 1, prefix: prefix})
}

// addrFieldAt returns the address field that starts at offset and is
// longer than size bytes, and its full size.
func addrFieldAt(proto string, offset, size uint32) (string, int) {
	for _, full := range []uint32{4, 16} {
		if full <= size {
			continue
		}
		if f, ok := payloadFields[payloadField{proto, offset, full}]; ok && (f == "saddr" || f == "daddr") {
			return f, int(full)
		}
	}
	return "", 0
}

// ---------------------------------------------------------------------------
// comparisons

func (d *ruleDecoder) bitwise(e *expr.Bitwise) {
	v := *d.get(e.SourceRegister)
	allOnes, xorZero := true, true
	for _, b := range e.Mask {
		if b != 0xff {
			allOnes = false
		}
	}
	for _, b := range e.Xor {
		if b != 0 {
			xorZero = false
		}
	}
	switch {
	case allOnes && xorZero:
	case xorZero && isAddrPath(v.path) && prefixLen(e.Mask) >= 0:
		v.prefix = prefixLen(e.Mask)
	case xorZero:
		v.mask = e.Mask
	default:
		v.expr = obj{"^": []any{obj{"&": []any{v.expr, decodeValue(v.path, e.Mask)}}, decodeValue(v.path, e.Xor)}}
		v.path = ""
	}
	d.set(e.DestRegister, &v)
}

func isAddrPath(p string) bool {
	return strings.HasSuffix(p, "saddr") || strings.HasSuffix(p, "daddr")
}

// prefixLen returns the length of a prefix mask, or -1.
func prefixLen(mask []byte) int {
	n, end := 0, false
	for _, b := range mask {
		for i := 7; i >= 0; i-- {
			if b&(1<<i) != 0 {
				if end {
					return -1
				}
				n++
			} else {
				end = true
			}
		}
	}
	return n
}

var cmpOps = map[expr.CmpOp]string{
	expr.CmpOpEq: "==", expr.CmpOpNeq: "!=", expr.CmpOpLt: "<", expr.CmpOpLte: "<=", expr.CmpOpGt: ">", expr.CmpOpGte: ">=",
}

func (d *ruleDecoder) cmp(e *expr.Cmp) {
	v := d.get(e.Register)
	op := cmpOps[e.Op]
	if op != "==" && op != "!=" {
		v = v.ordered()
	}
	switch {
	case v.prefix > 0:
		data := e.Data
		if len(data) < v.size { // a partial load: pad to the address size
			data = append(append([]byte(nil), data...), make([]byte, v.size-len(data))...)
		}
		d.match(v, op, obj{"prefix": obj{"addr": decodeValue(v.path, data), "len": v.prefix}})
	case v.mask != nil && op == "!=" && allZero(e.Data) && flagNames[v.path] != nil:
		// `ct state established,related`: (state & mask) != 0.
		d.match(v, "in", flagList(v.path, v.mask))
	case v.mask != nil:
		left := obj{"&": []any{v.expr, decodeValue(v.path, v.mask)}}
		d.matchLeft(left, v, op, decodeValue(v.path, e.Data))
	case isIfnamePath(v.path) && (op == "==" || op == "!="):
		d.match(v, op, ifname(e.Data))
	case (v.path == "meta iif" || v.path == "meta oif") && len(e.Data) == 4 && (op == "==" || op == "!="):
		if name := d.rd.linkName(binary.NativeEndian.Uint32(e.Data)); name != "" {
			d.match(v, op, name)
			return
		}
		d.match(v, op, decodeValue(v.path, e.Data))
	default:
		value := decodeValue(v.path, v.hostData(e.Data))
		if lb := d.lowerBound; op == "<=" && lb != nil && lb.reg == reg32(e.Register) && lb.stmt == len(d.stmts)-1 {
			d.stmts = d.stmts[:lb.stmt]
			d.lowerBound = nil
			d.match(v, "==", obj{"range": []any{lb.value, value}})
			return
		}
		d.match(v, op, value)
		if op == ">=" {
			d.lowerBound = &boundMatch{reg: reg32(e.Register), stmt: len(d.stmts) - 1, value: value}
		}
	}
}

// ordered returns v as an ordering comparison (<, >=, a range) sees it:
// nft turns host-order values (meta hour, meta mark, ct expiration …) into
// network order before comparing them. google/nftables v0.3.0 drops the
// byteorder expression that does it, so it is implied here.
func (v *regVal) ordered() *regVal {
	if v.netOrder || !hostOrderPath(v.path) {
		return v
	}
	w := *v
	w.netOrder = true
	return &w
}

// hostOrderPath reports whether values of the selector are in host byte
// order (hostUint's rule).
func hostOrderPath(path string) bool {
	return strings.HasPrefix(path, "meta ") || strings.HasPrefix(path, "ct ") || strings.HasPrefix(path, "fib ")
}

// implied drops the protocol match a field of v relied on: `tcp dport`
// implies `meta l4proto tcp`, and icmp/icmpv6 fields also imply the
// `meta nfproto` match before it (inet tables), as nft lists them.
func (d *ruleDecoder) implied(v *regVal) {
	if v.dep <= 0 {
		return
	}
	i := v.dep - 1
	d.drop[i] = true
	if i == d.l4At && d.l3At >= 0 && (d.l4 == "icmpv6" && d.l3 == "ip6" || d.l4 == "icmp" && d.l3 == "ip") {
		d.drop[d.l3At] = true
	}
}

// hostData returns comparison data in the byte order decodeValue expects
// for v's selector: values converted to network order go back to host
// order.
func (v *regVal) hostData(b []byte) []byte {
	if !v.netOrder || binaryutil.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		return b
	}
	out := make([]byte, len(b))
	for i := range b {
		out[i] = b[len(b)-1-i]
	}
	return out
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func (d *ruleDecoder) match(v *regVal, op string, right any) {
	d.matchLeft(v.expr, v, op, right)
}

func (d *ruleDecoder) matchLeft(left any, v *regVal, op string, right any) {
	d.implied(v)
	if left == nil {
		left = obj{"immediate": nil}
	}
	d.add(obj{"match": obj{"op": op, "left": left, "right": right}})
	// Remember protocol matches for naming later fields.
	if op != "==" {
		return
	}
	s, _ := right.(string)
	switch v.path {
	case "meta l4proto", "ip protocol", "ip6 nexthdr":
		if s != "" {
			d.l4, d.l4At = s, len(d.stmts)-1
		}
	case "meta nfproto":
		switch s {
		case "ipv4":
			d.l3, d.l3At = "ip", len(d.stmts)-1
		case "ipv6":
			d.l3, d.l3At = "ip6", len(d.stmts)-1
		}
	case "ether type", "meta protocol":
		switch s {
		case "ip":
			d.l3, d.l3At = "ip", len(d.stmts)-1
		case "ip6":
			d.l3, d.l3At = "ip6", len(d.stmts)-1
		}
	}
}

func (d *ruleDecoder) setKeySize(name string) int {
	if ls := d.rd.sets[name]; ls != nil {
		return int(ls.set.KeyType.Bytes)
	}
	return 0
}

// concatFrom returns the expression in register r, or the concatenation
// of the registers that together make a key of size bytes.
// concatSizes returns the byte sizes of the expressions concatFrom
// joins.
func (d *ruleDecoder) concatSizes(r uint32, size int) []int {
	first := d.get(r)
	sizes := []int{first.size}
	if size <= 0 || first.size <= 0 || roundUp4(first.size) >= size {
		return sizes
	}
	idx := reg32(r) + uint32(roundUp4(first.size)/4)
	total := roundUp4(first.size)
	for total < size {
		v, ok := d.regs[idx]
		if !ok || v.size <= 0 {
			break
		}
		sizes = append(sizes, v.size)
		total += roundUp4(v.size)
		idx += uint32(roundUp4(v.size) / 4)
	}
	return sizes
}

// sizeKeys gives the integer components of a set's key type the sizes of
// the expressions a rule looks up with (`udp length . @th,160,128`),
// when the kernel did not say (sizedIntegers).
func (d *ruleDecoder) sizeKeys(ls *liveSet, r uint32) {
	name := ls.set.KeyType.Name
	parts := strings.Split(name, " . ")
	if len(parts) < 2 || !slices.Contains(parts, "integer") {
		return
	}
	sizes := d.concatSizes(r, int(ls.set.KeyType.Bytes))
	if len(sizes) != len(parts) {
		return
	}
	fields := make([]uint32, len(sizes))
	for i, n := range sizes {
		if n <= 0 {
			return
		}
		fields[i] = uint32(n)
	}
	ls.set.KeyType.Name = sizedIntegers(name, fields)
}

func (d *ruleDecoder) concatFrom(r uint32, size int) any {
	first := d.get(r)
	// The fields' protocol matches are implied, as in a comparison.
	used := d.implied
	used(first)
	if size <= 0 || first.size <= 0 || roundUp4(first.size) >= size {
		return first.expr
	}
	parts := []any{first.expr}
	idx := reg32(r) + uint32(roundUp4(first.size)/4)
	total := roundUp4(first.size)
	for total < size {
		v, ok := d.regs[idx]
		if !ok || v.size <= 0 {
			break
		}
		used(v)
		parts = append(parts, v.expr)
		total += roundUp4(v.size)
		idx += uint32(roundUp4(v.size) / 4)
	}
	if len(parts) == 1 {
		return first.expr
	}
	return obj{"concat": parts}
}

func roundUp4(n int) int { return (n + 3) &^ 3 }

func (d *ruleDecoder) lookup(e *expr.Lookup) {
	ls := d.rd.sets[e.SetName]
	if ls != nil {
		d.sizeKeys(ls, e.SourceRegister)
	}
	size := d.setKeySize(e.SetName)
	key := d.concatFrom(e.SourceRegister, size)
	v := d.get(e.SourceRegister)
	var setRef any = "@" + e.SetName
	if ls != nil && ls.set.Anonymous {
		setRef = obj{"set": elementValues(ls.set, ls.elems)}
	}
	if e.IsDestRegSet {
		if e.DestRegister == 0 {
			d.add(obj{"vmap": obj{"key": key, "data": setRef}})
			return
		}
		head := &regVal{expr: obj{"map": obj{"key": key, "data": setRef}}, size: 4}
		d.set(e.DestRegister, head)
		if ls != nil {
			if n := int(ls.set.DataType.Bytes); n > 4 {
				head.size = n
				for k := 1; k < (n+3)/4; k++ {
					d.regs[reg32(e.DestRegister)+uint32(k)] = &regVal{expr: head.expr, size: 4, head: head}
				}
			}
		}
		return
	}
	op := "=="
	if e.Invert {
		op = "!="
	}
	tmp := *v
	tmp.expr = key
	d.match(&tmp, op, setRef)
}

// ---------------------------------------------------------------------------
// statements

func (d *ruleDecoder) fib(e *expr.Fib) {
	var flags []string
	for _, f := range []struct {
		on   bool
		name string
	}{{e.FlagSADDR, "saddr"}, {e.FlagDADDR, "daddr"}, {e.FlagMARK, "mark"}, {e.FlagIIF, "iif"}, {e.FlagOIF, "oif"}} {
		if f.on {
			flags = append(flags, f.name)
		}
	}
	result, path := "oif", "fib oif"
	switch {
	case e.ResultOIFNAME:
		result, path = "oifname", "fib oifname"
	case e.ResultADDRTYPE:
		result, path = "type", "fib type"
	}
	d.set(e.Register, &regVal{expr: obj{"fib": obj{"result": result, "flags": flags}}, path: path, size: 4})
}

func (d *ruleDecoder) log(e *expr.Log) {
	l := obj{}
	if len(e.Data) > 0 {
		l["prefix"] = strings.TrimRight(string(e.Data), "\x00")
	}
	if e.Key&(1<<unix.NFTA_LOG_GROUP) != 0 {
		l["group"] = e.Group
	}
	if e.Key&(1<<unix.NFTA_LOG_SNAPLEN) != 0 {
		l["snaplen"] = e.Snaplen
	}
	if e.Key&(1<<unix.NFTA_LOG_QTHRESHOLD) != 0 {
		l["queue-threshold"] = e.QThreshold
	}
	levels := []string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"}
	if e.Key&(1<<unix.NFTA_LOG_LEVEL) != 0 {
		if int(e.Level) < len(levels) {
			l["level"] = levels[e.Level]
		} else if e.Level == 8 {
			l["level"] = "audit"
		}
	}
	d.add(obj{"log": l})
}

func (d *ruleDecoder) limit(e *expr.Limit) {
	d.add(obj{"limit": limitObject(e)})
}

// limitObject is the JSON of a limit statement or object.
func limitObject(e *expr.Limit) obj {
	pers := map[expr.LimitTime]string{expr.LimitTimeSecond: "second", expr.LimitTimeMinute: "minute",
		expr.LimitTimeHour: "hour", expr.LimitTimeDay: "day", expr.LimitTimeWeek: "week"}
	l := obj{"rate": e.Rate, "per": pers[e.Unit], "burst": e.Burst, "inv": e.Over}
	if l["per"] == "" {
		l["per"] = "second"
	}
	if e.Type == expr.LimitTypePktBytes {
		l["rate_unit"] = "bytes"
		l["burst_unit"] = "bytes"
	}
	return l
}

func natFlags(random, fullyRandom, persistent bool) []string {
	var f []string
	if random {
		f = append(f, "random")
	}
	if fullyRandom {
		f = append(f, "fully-random")
	}
	if persistent {
		f = append(f, "persistent")
	}
	return f
}

// portValue renders the port (range) held in registers.
func (d *ruleDecoder) portValue(min, max uint32) any {
	lo := d.regValue(min, "tcp dport")
	if max == 0 || max == min {
		return lo
	}
	hi := d.regValue(max, "tcp dport")
	if fmt.Sprint(lo) == fmt.Sprint(hi) {
		return lo
	}
	return obj{"range": []any{lo, hi}}
}

// regValue is the value of a register, decoded with the type of path
// when it holds immediate data.
func (d *ruleDecoder) regValue(r uint32, path string) any {
	v := d.get(r)
	if v.expr != nil {
		return v.expr
	}
	return decodeValue(path, v.data)
}

func (d *ruleDecoder) nat(e *expr.NAT) {
	kind := "snat"
	if e.Type == expr.NATTypeDestNAT {
		kind = "dnat"
	}
	n := obj{}
	addrPath := "ip daddr"
	if e.Family == unix.NFPROTO_IPV6 {
		addrPath = "ip6 daddr"
	}
	if d.family == nftables.TableFamilyINet {
		if e.Family == unix.NFPROTO_IPV6 {
			n["family"] = "ip6"
		} else {
			n["family"] = "ip"
		}
	}
	// A map whose data fills several registers gives the address range,
	// or the address and the port, at once: `dnat ip to ip saddr map @m`.
	// nft then names the family.
	fromMap := func(r uint32) bool {
		if r == 0 || e.RegAddrMin == 0 {
			return false
		}
		v := d.get(r)
		return v.head != nil && v.head == d.get(e.RegAddrMin)
	}
	mapAddrMax, mapPort := fromMap(e.RegAddrMax), fromMap(e.RegProtoMin)
	if mapAddrMax || mapPort || e.Prefix {
		if e.Family == unix.NFPROTO_IPV6 {
			n["family"] = "ip6"
		} else {
			n["family"] = "ip"
		}
	}
	if mapAddrMax || mapPort {
		n["addr"] = d.regValue(e.RegAddrMin, addrPath)
	} else if e.RegAddrMin != 0 {
		lo := d.regValue(e.RegAddrMin, addrPath)
		if e.RegAddrMax != 0 && e.RegAddrMax != e.RegAddrMin {
			hi := d.regValue(e.RegAddrMax, addrPath)
			if fmt.Sprint(lo) != fmt.Sprint(hi) {
				lo = obj{"range": []any{lo, hi}}
			}
		}
		n["addr"] = lo
	}
	if e.RegProtoMin != 0 && !mapPort {
		n["port"] = d.portValue(e.RegProtoMin, e.RegProtoMax)
	}
	if f := natFlags(e.Random, e.FullyRandom, e.Persistent); len(f) > 0 {
		n["flags"] = f
	}
	if e.Prefix {
		n["type_flags"] = []string{"prefix"}
	}
	d.add(obj{kind: n})
}

func (d *ruleDecoder) reject(e *expr.Reject) {
	switch e.Type {
	case unix.NFT_REJECT_TCP_RST:
		d.add(obj{"reject": obj{"type": "tcp reset"}})
	case unix.NFT_REJECT_ICMPX_UNREACH:
		codes := map[uint8]string{0: "no-route", 1: "port-unreachable", 2: "host-unreachable", 3: "admin-prohibited"}
		d.add(obj{"reject": obj{"type": "icmpx", "expr": codeName(codes, e.Code)}})
	default:
		if d.family == nftables.TableFamilyIPv6 || d.l3 == "ip6" {
			codes := map[uint8]string{0: "no-route", 1: "admin-prohibited", 3: "addr-unreachable", 4: "port-unreachable", 5: "policy-fail", 6: "reject-route"}
			d.add(obj{"reject": obj{"type": "icmpv6", "expr": codeName(codes, e.Code)}})
			return
		}
		codes := map[uint8]string{0: "net-unreachable", 1: "host-unreachable", 2: "prot-unreachable", 3: "port-unreachable",
			9: "net-prohibited", 10: "host-prohibited", 13: "admin-prohibited"}
		d.add(obj{"reject": obj{"type": "icmp", "expr": codeName(codes, e.Code)}})
	}
}

func codeName(codes map[uint8]string, c uint8) any {
	if n, ok := codes[c]; ok {
		return n
	}
	return c
}

func verdictValue(kind expr.VerdictKind, chain string) any {
	switch kind {
	case expr.VerdictAccept:
		return obj{"accept": nil}
	case expr.VerdictDrop:
		return obj{"drop": nil}
	case expr.VerdictReturn:
		return obj{"return": nil}
	case expr.VerdictContinue:
		return obj{"continue": nil}
	case expr.VerdictJump:
		return obj{"jump": obj{"target": chain}}
	case expr.VerdictGoto:
		return obj{"goto": obj{"target": chain}}
	case expr.VerdictQueue:
		return obj{"queue": obj{}}
	}
	return obj{"verdict": nil}
}

// namedObject renders a stateful object of the table.
func namedObject(fam, table string, o nftables.Obj) any {
	switch o := o.(type) {
	case *nftables.CounterObj:
		return obj{"counter": obj{"family": fam, "table": table, "name": o.Name, "packets": o.Packets, "bytes": o.Bytes}}
	case *nftables.QuotaObj:
		return obj{"quota": obj{"family": fam, "table": table, "name": o.Name, "bytes": o.Bytes, "used": o.Consumed, "inv": o.Over}}
	case *nftables.NamedObj:
		switch o.Type {
		case nftables.ObjTypeCounter:
			if c, ok := o.Obj.(*expr.Counter); ok {
				return obj{"counter": obj{"family": fam, "table": table, "name": o.Name, "packets": c.Packets, "bytes": c.Bytes}}
			}
		case nftables.ObjTypeQuota:
			if q, ok := o.Obj.(*expr.Quota); ok {
				return obj{"quota": obj{"family": fam, "table": table, "name": o.Name, "bytes": q.Bytes, "used": q.Consumed, "inv": q.Over}}
			}
		case nftables.ObjTypeCtHelper:
			if h, ok := o.Obj.(*expr.CtHelper); ok {
				l3 := map[uint16]string{unix.NFPROTO_IPV4: "ip", unix.NFPROTO_IPV6: "ip6", unix.NFPROTO_INET: "inet"}[h.L3Proto]
				ho := obj{"family": fam, "table": table, "name": o.Name, "type": h.Name, "protocol": protoNames[uint64(h.L4Proto)]}
				if l3 != "" {
					ho["l3proto"] = l3
				}
				return obj{"ct helper": ho}
			}
		case nftables.ObjTypeLimit:
			if l, ok := o.Obj.(*expr.Limit); ok {
				lo := limitObject(l)
				lo["family"], lo["table"], lo["name"] = fam, table, o.Name
				return obj{"limit": lo}
			}
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// values

var metaKeyNames = map[expr.MetaKey]string{
	expr.MetaKeyLEN: "length", expr.MetaKeyPROTOCOL: "protocol", expr.MetaKeyPRIORITY: "priority",
	expr.MetaKeyMARK: "mark", expr.MetaKeyIIF: "iif", expr.MetaKeyOIF: "oif", expr.MetaKeyIIFNAME: "iifname",
	expr.MetaKeyOIFNAME: "oifname", expr.MetaKeyIIFTYPE: "iiftype", expr.MetaKeyOIFTYPE: "oiftype",
	expr.MetaKeySKUID: "skuid", expr.MetaKeySKGID: "skgid", expr.MetaKeyNFTRACE: "nftrace",
	expr.MetaKeyRTCLASSID: "rtclassid", expr.MetaKeySECMARK: "secmark", expr.MetaKeyNFPROTO: "nfproto",
	expr.MetaKeyL4PROTO: "l4proto", expr.MetaKeyBRIIIFNAME: "ibrname", expr.MetaKeyBRIOIFNAME: "obrname",
	expr.MetaKeyPKTTYPE: "pkttype", expr.MetaKeyCPU: "cpu", expr.MetaKeyIIFGROUP: "iifgroup",
	expr.MetaKeyOIFGROUP: "oifgroup", expr.MetaKeyCGROUP: "cgroup", expr.MetaKeyPRANDOM: "random",
	// Keys google/nftables v0.3.0 has no names for (linux/netfilter/nf_tables.h).
	25: "ipsec", 26: "iifkind", 27: "oifkind", 28: "ibrpvid", 29: "ibrvproto",
	30: "time", 31: "day", 32: "hour", 33: "sdif", 34: "sdifname", 35: "broute",
}

func metaKeyName(k expr.MetaKey) string {
	if n, ok := metaKeyNames[k]; ok {
		return n
	}
	return fmt.Sprintf("key%d", k)
}

func metaSize(k expr.MetaKey) int {
	switch k {
	case expr.MetaKeyIIFNAME, expr.MetaKeyOIFNAME, expr.MetaKeyBRIIIFNAME, expr.MetaKeyBRIOIFNAME:
		return 16
	case expr.MetaKeyNFPROTO, expr.MetaKeyL4PROTO, expr.MetaKeyPKTTYPE:
		return 1
	case expr.MetaKeyPROTOCOL, expr.MetaKeyIIFTYPE, expr.MetaKeyOIFTYPE:
		return 2
	}
	switch metaKeyName(k) {
	case "iifkind", "oifkind", "sdifname":
		return 16
	case "time":
		return 8
	case "ipsec", "day", "broute":
		return 1
	case "ibrpvid", "ibrvproto":
		return 2
	}
	return 4
}

var ctKeyNames = map[expr.CtKey]string{
	expr.CtKeySTATE: "state", expr.CtKeyDIRECTION: "direction", expr.CtKeySTATUS: "status",
	expr.CtKeyMARK: "mark", expr.CtKeySECMARK: "secmark", expr.CtKeyEXPIRATION: "expiration",
	expr.CtKeyHELPER: "helper", expr.CtKeyL3PROTOCOL: "l3proto", expr.CtKeySRC: "saddr",
	expr.CtKeyDST: "daddr", expr.CtKeyPROTOCOL: "protocol", expr.CtKeyPROTOSRC: "proto-src",
	expr.CtKeyPROTODST: "proto-dst", expr.CtKeyLABELS: "label", expr.CtKeyPKTS: "packets",
	expr.CtKeyBYTES: "bytes", expr.CtKeyAVGPKT: "avgpkt", expr.CtKeyZONE: "zone", expr.CtKeyEVENTMASK: "event",
}

func ctKeyName(k expr.CtKey) string {
	if n, ok := ctKeyNames[k]; ok {
		return n
	}
	return fmt.Sprintf("key%d", k)
}

func ctKeyDirectional(k expr.CtKey) bool {
	switch k {
	case expr.CtKeySRC, expr.CtKeyDST, expr.CtKeyPROTOSRC, expr.CtKeyPROTODST, expr.CtKeyL3PROTOCOL, expr.CtKeyPROTOCOL:
		return true
	}
	return false
}

// flagNames are the bit names of flag-typed selectors.
var flagNames = map[string]map[uint32]string{
	"ct state":  {1: "invalid", 2: "established", 4: "related", 8: "new", 64: "untracked"},
	"ct status": {1: "expected", 2: "seen-reply", 4: "assured", 8: "confirmed", 16: "snat", 32: "dnat", 512: "dying"},
	"tcp flags": {1: "fin", 2: "syn", 4: "rst", 8: "psh", 16: "ack", 32: "urg", 64: "ecn", 128: "cwr"},
}

// flagList names the bits of a mask: "established", or a list.
func flagList(path string, mask []byte) any {
	n := hostUint(path, mask)
	var out []any
	for bit := uint32(1); bit != 0; bit <<= 1 {
		if n&uint64(bit) == 0 {
			continue
		}
		if name, ok := flagNames[path][bit]; ok {
			out = append(out, name)
		} else {
			out = append(out, bit)
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

// hostUint reads a value in the byte order the kernel keeps for path:
// meta and ct keys are host-endian, packet fields big-endian.
func hostUint(path string, b []byte) uint64 {
	if hostOrderPath(path) {
		var buf [8]byte
		copy(buf[:], b)
		if binaryutil.NativeEndian.Uint16([]byte{1, 0}) == 1 { // little-endian host
			return binary.LittleEndian.Uint64(buf[:])
		}
		v := new(big.Int).SetBytes(b)
		return v.Uint64()
	}
	return new(big.Int).SetBytes(b).Uint64()
}

func isIfnamePath(p string) bool {
	switch p {
	case "meta iifname", "meta oifname", "meta ibrname", "meta obrname":
		return true
	}
	return false
}

// ifname decodes an interface name compared with cmp: NUL-terminated for
// an exact name, unterminated for a prefix (iptables' "eth+").
// addrString prints an address: IPv6 addresses stay IPv6, even those
// that map IPv4 ones (::ffff:0.0.0.0, which net.IP prints as 0.0.0.0).
func addrString(b []byte) string {
	if a, ok := netip.AddrFromSlice(b); ok {
		return a.String()
	}
	return net.IP(b).String()
}

// ifnameWildcard recognises the interval nft stores for `"eth*"`: the
// prefix followed by zeros up to the prefix followed by 0xff bytes.
func ifnameWildcard(lo, hi []byte) (string, bool) {
	if len(lo) != len(hi) {
		return "", false
	}
	n := 0
	for n < len(lo) && lo[n] == hi[n] && lo[n] != 0 {
		n++
	}
	if n == 0 {
		return "", false
	}
	for i := n; i < len(lo); i++ {
		if lo[i] != 0 || hi[i] != 0xff {
			return "", false
		}
	}
	return string(lo[:n]) + "*", true
}

func ifname(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		return string(b[:i])
	}
	return string(b) + "*"
}

var protoNames = map[uint64]string{1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 33: "dccp", 47: "gre", 50: "esp", 51: "ah", 58: "icmpv6", 132: "sctp", 136: "udplite"}

// ICMP and ICMPv6 type names as nft prints them.
var icmpTypes = map[uint64]string{0: "echo-reply", 3: "destination-unreachable", 4: "source-quench",
	5: "redirect", 8: "echo-request", 9: "router-advertisement", 10: "router-solicitation",
	11: "time-exceeded", 12: "parameter-problem", 13: "timestamp-request", 14: "timestamp-reply",
	15: "info-request", 16: "info-reply", 17: "address-mask-request", 18: "address-mask-reply"}

var icmpv6Types = map[uint64]string{1: "destination-unreachable", 2: "packet-too-big",
	3: "time-exceeded", 4: "parameter-problem", 128: "echo-request", 129: "echo-reply",
	130: "mld-listener-query", 131: "mld-listener-report", 132: "mld-listener-done",
	133: "nd-router-solicit", 134: "nd-router-advert", 135: "nd-neighbor-solicit",
	136: "nd-neighbor-advert", 137: "nd-redirect", 138: "router-renumbering",
	141: "ind-neighbor-solicit", 142: "ind-neighbor-advert", 143: "mld2-listener-report"}

var addrTypes = map[uint64]string{0: "unspec", 1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast", 6: "blackhole", 7: "unreachable", 8: "prohibit"}

// decodeValue turns comparison data into a JSON value by the type of the
// selector it is compared with.
func decodeValue(path string, b []byte) any {
	if b == nil {
		return 0
	}
	switch {
	case isAddrPath(path) && len(b) == 4 || path == "ipv4_addr":
		return net.IP(b).String()
	case isAddrPath(path) && len(b) == 16 || path == "ipv6_addr":
		return addrString(b)
	case strings.HasPrefix(path, "ether ") && len(b) == 6 || path == "ether_addr":
		return net.HardwareAddr(b).String()
	case isIfnamePath(path) || path == "ifname":
		return ifname(b)
	}
	n := hostUint(path, b)
	switch path {
	case "meta l4proto", "ip protocol", "ip6 nexthdr", "inet_proto", "ct original protocol":
		if name, ok := protoNames[n]; ok {
			return name
		}
	case "meta nfproto":
		switch n {
		case unix.NFPROTO_IPV4:
			return "ipv4"
		case unix.NFPROTO_IPV6:
			return "ipv6"
		}
	case "ether type", "meta protocol":
		switch n {
		case 0x0800:
			return "ip"
		case 0x86dd:
			return "ip6"
		case 0x0806:
			return "arp"
		case 0x8100:
			return "vlan"
		}
	case "fib type":
		if name, ok := addrTypes[n]; ok {
			return name
		}
	case "icmp type", "icmp_type":
		if name, ok := icmpTypes[n]; ok {
			return name
		}
	case "icmpv6 type", "icmpv6_type":
		if name, ok := icmpv6Types[n]; ok {
			return name
		}
	case "ct state", "ct status", "tcp flags":
		return flagList(path, b)
	case "meta mark", "ct mark":
		return fmt.Sprintf("0x%08x", n) // as nft prints marks
	case "meta priority": // a tc class id, major:minor
		return fmt.Sprintf("%x:%x", n>>16, n&0xffff)
	case "meta day":
		if n < 7 {
			return [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}[n]
		}
	case "meta hour": // seconds since midnight
		if n%60 != 0 {
			return fmt.Sprintf("%02d:%02d:%02d", n/3600, n/60%60, n%60)
		}
		return fmt.Sprintf("%02d:%02d", n/3600, n/60%60)
	case "meta time": // nanoseconds since the epoch; nft prints local time, this UTC
		return time.Unix(0, int64(n)).UTC().Format("2006-01-02 15:04:05")
	case "meta iifkind", "meta oifkind", "meta sdifname":
		return ifname(b)
	case "ct expiration": // milliseconds
		if n%1000 == 0 {
			return strconv.FormatUint(n/1000, 10) + "s"
		}
		return strconv.FormatUint(n, 10) + "ms"
	}
	if len(b) > 8 {
		return "0x" + fmt.Sprintf("%x", b)
	}
	return n
}

// decodeTyped decodes set element data by the set's type names; a
// concatenation is split into 4-byte aligned parts.
func decodeTyped(types []string, b []byte) any {
	if len(types) == 1 {
		return decodeValue(typePath(types[0]), trimType(types[0], b))
	}
	var parts []any
	off := 0
	for _, t := range types {
		n := typeSize(t)
		if off+n > len(b) {
			break
		}
		parts = append(parts, decodeValue(typePath(t), trimType(t, b[off:off+n])))
		off += roundUp4(n)
	}
	return obj{"concat": parts}
}

// rangeOrValue renders an interval element: a prefix when [lo, end)
// covers a CIDR block of addresses, else a range, or the value alone.
func rangeOrValue(types []string, lo, end []byte, endInclusive bool) any {
	if end == nil {
		return decodeTyped(types, toHost(types, lo))
	}
	hi := append([]byte(nil), end...)
	if !endInclusive {
		// The end element is the first value after the interval.
		for i := len(hi) - 1; i >= 0; i-- {
			hi[i]--
			if hi[i] != 0xff {
				break
			}
		}
	}
	return rangeValue(types, toHost(types, lo), toHost(types, hi))
}

// toHost turns the components of host-order types (marks, times of day …)
// of an interval key, which the kernel keeps in network order so that
// intervals compare, back to host order, which decodeTyped expects.
func toHost(types []string, b []byte) []byte {
	if binaryutil.NativeEndian.Uint16([]byte{1, 0}) != 1 { // big-endian host
		return b
	}
	var out []byte
	off := 0
	for _, t := range types {
		n := typeSize(t)
		if off+n > len(b) {
			break
		}
		if out == nil {
			out = append([]byte(nil), b...)
		}
		if hostOrderPath(typePath(t)) && n > 1 {
			for k := 0; k < n; k++ {
				out[off+k] = b[off+n-1-k]
			}
		}
		off += roundUp4(n)
	}
	if out == nil {
		return b
	}
	return out
}

// rangeValue decodes the interval lo-hi (both inclusive, in host order).
func rangeValue(types []string, lo, hi []byte) any {
	if string(lo) == string(hi) {
		return decodeTyped(types, lo)
	}
	if len(types) > 1 {
		// A concatenation of intervals (`ip saddr . tcp sport` keys of a
		// pipapo set): each component is a value, prefix or range.
		var parts []any
		off := 0
		for _, t := range types {
			n := typeSize(t)
			if off+n > len(lo) || off+n > len(hi) {
				break
			}
			parts = append(parts, rangeValue([]string{t}, lo[off:off+n], hi[off:off+n]))
			off += roundUp4(n)
		}
		return obj{"concat": parts}
	}
	if len(types) == 1 && types[0] == "ifname" {
		if w, ok := ifnameWildcard(lo, hi); ok {
			return w
		}
	}
	if len(types) == 1 && (types[0] == "ipv4_addr" || types[0] == "ipv6_addr") {
		if plen, ok := cidr(lo, hi); ok {
			return obj{"prefix": obj{"addr": addrString(lo), "len": plen}}
		}
	}
	a, b := decodeTyped(types, lo), decodeTyped(types, hi)
	if fmt.Sprint(a) == fmt.Sprint(b) {
		return a
	}
	return obj{"range": []any{a, b}}
}

// cidr reports whether [lo, hi] is exactly one prefix block.
func cidr(lo, hi []byte) (int, bool) {
	if len(lo) != len(hi) {
		return 0, false
	}
	mask := make([]byte, len(lo))
	for i := range lo {
		mask[i] = ^(lo[i] ^ hi[i])
	}
	n := prefixLen(mask)
	if n < 0 {
		return 0, false
	}
	for i := range lo {
		if lo[i]&^mask[i] != 0 || hi[i]|mask[i] != 0xff {
			return 0, false
		}
	}
	return n, true
}

func typePath(t string) string {
	switch t {
	case "inet_service":
		return "th dport"
	case "mark":
		return "meta mark"
	case "ct_state":
		return "ct state"
	case "iface_index":
		return "meta iif"
	case "day", "hour", "time":
		return "meta " + t
	case "classid":
		return "meta priority"
	}
	return t
}

func typeSize(t string) int {
	if n, ok := strings.CutPrefix(t, "integer/"); ok { // sizedIntegers
		if size, err := strconv.Atoi(n); err == nil {
			return size
		}
	}
	switch t {
	case "ipv4_addr", "mark", "iface_index", "ct_state", "ct_status", "realm", "classid",
		"uid", "gid", "devgroup", "fib_addrtype", "ct_event", "hour":
		return 4
	case "ipv6_addr", "ifname", "ct_label":
		return 16
	case "ether_addr":
		return 6
	case "inet_service", "ether_type", "arp_op", "iface_type":
		return 2
	case "inet_proto", "nf_proto", "icmp_type", "icmpv6_type", "icmp_code", "icmpv6_code",
		"icmpx_code", "tcp_flag", "dccp_pkttype", "mh_type", "ct_dir", "pkt_type", "dscp",
		"ecn", "boolean", "igmp_type", "day":
		return 1
	case "time", "cgroupsv2":
		return 8
	}
	return 4
}

// trimType cuts data to the type's size (element keys are padded).
func trimType(t string, b []byte) []byte {
	// Integers (typeof ct bytes …) have the length of the key.
	if n := typeSize(t); len(b) > n && t != "ifname" && t != "integer" {
		return b[:n]
	}
	return b
}

// verdictAttrs decodes verdict map data left as raw netlink attributes:
// NFTA_VERDICT_CODE (a big-endian int32) and NFTA_VERDICT_CHAIN.
func verdictAttrs(b []byte) (any, bool) {
	var code int32
	chain, haveCode := "", false
	for len(b) >= 4 {
		n := int(binary.NativeEndian.Uint16(b[0:2]))
		typ := binary.NativeEndian.Uint16(b[2:4]) & 0x3fff
		if n < 4 || n > len(b) {
			return nil, false
		}
		payload := b[4:n]
		switch typ {
		case unix.NFTA_VERDICT_CODE:
			if len(payload) < 4 {
				return nil, false
			}
			code, haveCode = int32(binary.BigEndian.Uint32(payload)), true
		case unix.NFTA_VERDICT_CHAIN:
			chain = strings.TrimRight(string(payload), "\x00")
		}
		b = b[(n+3)&^3:]
	}
	if !haveCode {
		return nil, false
	}
	return verdictValue(expr.VerdictKind(code), chain), true
}
