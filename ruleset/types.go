package ruleset

// A small datatype layer: enough of nft's type system to tell, without
// running nft, that a value cannot belong to the type a selector or a set
// key expects (an IPv4 address in an IPv6 set, a port above 65535, an
// unknown ct state). Everything not modelled is Unknown, and Unknown
// matches anything: the checks built on this layer must never claim an
// error nft would not raise.

import (
	"fmt"
	"math/bits"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/nftlint/nftlint/parser"
)

// Class groups datatypes whose values are written alike. Values of one
// class never parse as another (an IPv4 address is not a port), which is
// what the mismatch checks compare.
type Class int

const (
	ClassUnknown Class = iota
	ClassInteger       // numbers and symbolic constants: ports, marks, ct state …
	ClassIPv4
	ClassIPv6
	ClassEther
	ClassString // interface names, helper names
	ClassVerdict
)

func (c Class) String() string {
	switch c {
	case ClassInteger:
		return "integer"
	case ClassIPv4:
		return "IPv4 address"
	case ClassIPv6:
		return "IPv6 address"
	case ClassEther:
		return "Ethernet address"
	case ClassString:
		return "string"
	case ClassVerdict:
		return "verdict"
	}
	return "unknown"
}

// Type is one nft datatype.
type Type struct {
	Name  string // nft's name: "ipv4_addr", "inet_service"
	Desc  string // nft's description, used in messages: "internet network service"
	Class Class
	Bits  int // width of integer types; 0 when not fixed
	// Symbols are the symbolic constants nft accepts for the type (lower
	// case). When OpenWords is false, any other bare word is rejected.
	Symbols   map[string]bool
	OpenWords bool   // words resolved outside nft's tables (services, protocols, host, user names)
	MaxLen    int    // strings: the longest accepted value in bytes
	Max       uint64 // integers: the largest value when below the width's maximum (day: 6)
	// Format names a text format nft parses for the type: "hour"
	// (HH:MM[:SS]) or "time" (YYYY-MM-DD [HH:MM[:SS]]).
	Format string
}

// Unknown is the type of everything not modelled here.
var Unknown = &Type{Name: "unknown", Desc: "unknown", Class: ClassUnknown}

func words(s string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func intType(name, desc string, width int) *Type {
	return &Type{Name: name, Desc: desc, Class: ClassInteger, Bits: width}
}

func symType(name, desc string, width int, symbols string) *Type {
	return &Type{Name: name, Desc: desc, Class: ClassInteger, Bits: width, Symbols: words(symbols)}
}

// The datatypes, by nft name.
var (
	TypeIPv4    = &Type{Name: "ipv4_addr", Desc: "IPv4 address", Class: ClassIPv4, Bits: 32, OpenWords: true}
	TypeIPv6    = &Type{Name: "ipv6_addr", Desc: "IPv6 address", Class: ClassIPv6, Bits: 128, OpenWords: true}
	TypeEther   = &Type{Name: "ether_addr", Desc: "Ethernet address", Class: ClassEther, Bits: 48}
	TypeIfname  = &Type{Name: "ifname", Desc: "network interface name", Class: ClassString, MaxLen: 15}
	TypeString  = &Type{Name: "string", Desc: "string", Class: ClassString}
	TypeVerdict = &Type{Name: "verdict", Desc: "netfilter verdict", Class: ClassVerdict}
	TypeService = &Type{Name: "inet_service", Desc: "internet network service", Class: ClassInteger, Bits: 16, OpenWords: true}
	TypeProto   = &Type{Name: "inet_proto", Desc: "Internet protocol", Class: ClassInteger, Bits: 8, OpenWords: true}
	TypeMark    = intType("mark", "packet mark", 32)
	TypeInteger = &Type{Name: "integer", Desc: "integer", Class: ClassInteger}
	TypeIfIndex = &Type{Name: "iface_index", Desc: "network interface index", Class: ClassInteger, Bits: 32, OpenWords: true}
	TypeUID     = &Type{Name: "uid", Desc: "user ID", Class: ClassInteger, Bits: 32, OpenWords: true}
	TypeGID     = &Type{Name: "gid", Desc: "group ID", Class: ClassInteger, Bits: 32, OpenWords: true}
	TypeCtState = symType("ct_state", "conntrack state", 32, "invalid established related new untracked")
	TypeCtDir   = symType("ct_dir", "conntrack direction", 8, "original reply")
	TypeCtStat  = symType("ct_status", "conntrack status", 32, "expected seen-reply assured confirmed snat dnat dying seq-adjust snat-done dnat-done fixed-timeout helper offload hw-offload")
	TypeCtEvent = symType("ct_event", "conntrack event bits", 32, "new related destroy reply assured protoinfo helper mark seqadj secmark label")
	TypeNfProto = symType("nf_proto", "netfilter protocol", 8, "ipv4 ipv6")
	TypePktType = symType("pkt_type", "packet type", 8, "host unicast broadcast multicast other")
	TypeTCPFlag = symType("tcp_flag", "TCP flag", 8, "fin syn rst psh ack urg ecn cwr")
	TypeBool    = symType("boolean", "boolean type", 1, "exists missing")
	TypeEthType = &Type{Name: "ether_type", Desc: "Ethernet protocol", Class: ClassInteger, Bits: 16,
		Symbols: words("ip ip6 arp vlan 8021q 8021ad")}
	TypeArpOp = symType("arp_op", "ARP operation", 16, "request reply rrequest rreply inrequest inreply nak")
	TypeICMP  = symType("icmp_type", "ICMP type", 8, "echo-reply destination-unreachable source-quench redirect echo-request router-advertisement router-solicitation time-exceeded parameter-problem timestamp-request timestamp-reply info-request info-reply address-mask-request address-mask-reply")
	TypeICMP6 = symType("icmpv6_type", "ICMPv6 type", 8, "destination-unreachable packet-too-big time-exceeded parameter-problem echo-request echo-reply mld-listener-query mld-listener-report mld-listener-done mld-listener-reduction nd-router-solicit nd-router-advert nd-neighbor-solicit nd-neighbor-advert nd-redirect router-renumbering ind-neighbor-solicit ind-neighbor-advert mld2-listener-report")
	TypeDSCP  = symType("dscp", "Differentiated Services Code Point", 6, "cs0 cs1 cs2 cs3 cs4 cs5 cs6 cs7 df be lephb af11 af12 af13 af21 af22 af23 af31 af32 af33 af41 af42 af43 va ef")
	TypeECN   = symType("ecn", "Explicit Congestion Notification", 2, "not-ect ect1 ect0 ce")
	TypeDay   = &Type{Name: "day", Desc: "Day of week of packet reception", Class: ClassInteger, Bits: 8, Max: 6,
		Symbols: words("sunday monday tuesday wednesday thursday friday saturday")}
	TypeHour   = &Type{Name: "hour", Desc: "Hour of day of packet reception", Class: ClassInteger, Bits: 32, Format: "hour"}
	TypeTime   = &Type{Name: "time", Desc: "Relative time of packet reception", Class: ClassInteger, Bits: 64, Format: "time"}
	TypeFib    = symType("fib_addrtype", "fib address type", 32, "unspec unicast local broadcast anycast multicast blackhole unreachable prohibit")
	TypeIfType = &Type{Name: "iface_type", Desc: "network interface type", Class: ClassInteger, Bits: 16,
		Symbols: words("ether ppp ipip ipip6 loopback sit ipgre")}
)

var typesByName = func() map[string]*Type {
	m := make(map[string]*Type)
	for _, t := range []*Type{TypeIPv4, TypeIPv6, TypeEther, TypeIfname, TypeString, TypeVerdict,
		TypeService, TypeProto, TypeMark, TypeInteger, TypeIfIndex, TypeUID, TypeGID, TypeCtState,
		TypeCtDir, TypeCtStat, TypeCtEvent, TypeNfProto, TypePktType, TypeTCPFlag, TypeBool,
		TypeEthType, TypeArpOp, TypeICMP, TypeICMP6, TypeDSCP, TypeECN, TypeDay, TypeFib, TypeIfType} {
		m[t.Name] = t
	}
	return m
}()

// TypeByName returns the datatype nft calls name, or Unknown.
func TypeByName(name string) *Type {
	if t, ok := typesByName[name]; ok {
		return t
	}
	return Unknown
}

// Selector describes what a selector reads.
type Selector struct {
	Type *Type
	// Proto is the protocol header the selector depends on: "ip", "ip6",
	// "arp", "ether", "vlan", a transport protocol ("tcp"), "exthdr" for
	// IPv6 extension headers, or "" for metadata.
	Proto string
}

var selectorTable = map[string]Selector{
	"ip saddr": {TypeIPv4, "ip"}, "ip daddr": {TypeIPv4, "ip"},
	"ip protocol": {TypeProto, "ip"}, "ip version": {intType("integer", "integer", 4), "ip"},
	"ip hdrlength": {intType("integer", "integer", 4), "ip"}, "ip dscp": {TypeDSCP, "ip"},
	"ip ecn": {TypeECN, "ip"}, "ip length": {intType("integer", "integer", 16), "ip"},
	"ip id": {intType("integer", "integer", 16), "ip"}, "ip frag-off": {intType("integer", "integer", 16), "ip"},
	"ip ttl": {intType("integer", "integer", 8), "ip"}, "ip checksum": {intType("integer", "integer", 16), "ip"},

	"ip6 saddr": {TypeIPv6, "ip6"}, "ip6 daddr": {TypeIPv6, "ip6"},
	"ip6 nexthdr": {TypeProto, "ip6"}, "ip6 version": {intType("integer", "integer", 4), "ip6"},
	"ip6 dscp": {TypeDSCP, "ip6"}, "ip6 ecn": {TypeECN, "ip6"},
	"ip6 flowlabel": {intType("integer", "integer", 20), "ip6"}, "ip6 length": {intType("integer", "integer", 16), "ip6"},
	"ip6 hoplimit": {intType("integer", "integer", 8), "ip6"},

	"tcp sport": {TypeService, "tcp"}, "tcp dport": {TypeService, "tcp"},
	"tcp flags": {TypeTCPFlag, "tcp"}, "tcp sequence": {intType("integer", "integer", 32), "tcp"},
	"tcp ackseq": {intType("integer", "integer", 32), "tcp"}, "tcp window": {intType("integer", "integer", 16), "tcp"},
	"tcp urgptr": {intType("integer", "integer", 16), "tcp"}, "tcp doff": {intType("integer", "integer", 4), "tcp"},
	"tcp checksum": {intType("integer", "integer", 16), "tcp"},
	"udp sport":    {TypeService, "udp"}, "udp dport": {TypeService, "udp"},
	"udp length": {intType("integer", "integer", 16), "udp"}, "udp checksum": {intType("integer", "integer", 16), "udp"},
	"udplite sport": {TypeService, "udplite"}, "udplite dport": {TypeService, "udplite"},
	"sctp sport": {TypeService, "sctp"}, "sctp dport": {TypeService, "sctp"},
	"sctp vtag":  {intType("integer", "integer", 32), "sctp"},
	"dccp sport": {TypeService, "dccp"}, "dccp dport": {TypeService, "dccp"},
	"th sport": {TypeService, ""}, "th dport": {TypeService, ""},

	"icmp type": {TypeICMP, "icmp"}, "icmp code": {intType("icmp_code", "icmp code", 8), "icmp"},
	"icmp id": {intType("integer", "integer", 16), "icmp"}, "icmp sequence": {intType("integer", "integer", 16), "icmp"},
	"icmp mtu": {intType("integer", "integer", 16), "icmp"}, "icmp gateway": {TypeIPv4, "icmp"},
	"icmpv6 type": {TypeICMP6, "icmpv6"}, "icmpv6 code": {intType("icmpv6_code", "icmpv6 code", 8), "icmpv6"},
	"icmpv6 id": {intType("integer", "integer", 16), "icmpv6"}, "icmpv6 sequence": {intType("integer", "integer", 16), "icmpv6"},
	"icmpv6 mtu": {intType("integer", "integer", 32), "icmpv6"},

	"ether saddr": {TypeEther, "ether"}, "ether daddr": {TypeEther, "ether"}, "ether type": {TypeEthType, "ether"},
	"vlan id": {intType("integer", "integer", 12), "vlan"}, "vlan pcp": {intType("integer", "integer", 3), "vlan"},
	"vlan dei": {intType("integer", "integer", 1), "vlan"}, "vlan cfi": {intType("integer", "integer", 1), "vlan"},
	"vlan type":     {TypeEthType, "vlan"},
	"arp operation": {TypeArpOp, "arp"}, "arp htype": {intType("integer", "integer", 16), "arp"},
	"arp ptype": {TypeEthType, "arp"}, "arp hlen": {intType("integer", "integer", 8), "arp"},
	"arp plen":     {intType("integer", "integer", 8), "arp"},
	"arp saddr ip": {TypeIPv4, "arp"}, "arp daddr ip": {TypeIPv4, "arp"},
	"arp saddr ether": {TypeEther, "arp"}, "arp daddr ether": {TypeEther, "arp"},

	"meta mark": {TypeMark, ""}, "mark": {TypeMark, ""},
	"meta l4proto": {TypeProto, ""}, "meta protocol": {TypeEthType, ""}, "meta nfproto": {TypeNfProto, ""},
	"meta iifname": {TypeIfname, ""}, "iifname": {TypeIfname, ""},
	"meta oifname": {TypeIfname, ""}, "oifname": {TypeIfname, ""},
	"meta iif": {TypeIfIndex, ""}, "iif": {TypeIfIndex, ""}, "meta oif": {TypeIfIndex, ""}, "oif": {TypeIfIndex, ""},
	"meta pkttype": {TypePktType, ""}, "pkttype": {TypePktType, ""},
	"meta skuid": {TypeUID, ""}, "skuid": {TypeUID, ""}, "meta skgid": {TypeGID, ""}, "skgid": {TypeGID, ""},
	"meta day": {TypeDay, ""}, "day": {TypeDay, ""},
	"meta hour": {TypeHour, ""}, "hour": {TypeHour, ""}, "meta time": {TypeTime, ""}, "time": {TypeTime, ""},
	"srh flags": {intType("integer", "integer", 8), "exthdr"}, "srh last-entry": {intType("integer", "integer", 8), "exthdr"},
	"srh tag":      {intType("integer", "integer", 16), "exthdr"},
	"meta iiftype": {TypeIfType, ""}, "iiftype": {TypeIfType, ""}, "meta oiftype": {TypeIfType, ""}, "oiftype": {TypeIfType, ""},
	"meta cpu": {intType("integer", "integer", 32), ""}, "cpu": {intType("integer", "integer", 32), ""},
	"meta length":  {intType("integer", "integer", 32), ""},
	"meta nftrace": {intType("integer", "integer", 1), ""}, "nftrace": {intType("integer", "integer", 1), ""},

	"ct state": {TypeCtState, ""}, "ct status": {TypeCtStat, ""}, "ct direction": {TypeCtDir, ""},
	"ct mark": {TypeMark, ""}, "ct zone": {intType("integer", "integer", 16), ""},
	"ct event": {TypeCtEvent, ""}, "ct l3proto": {TypeNfProto, ""}, "ct protocol": {TypeProto, ""},
	"ct helper":            {&Type{Name: "string", Desc: "string", Class: ClassString, MaxLen: 15}, ""},
	"ct original ip saddr": {TypeIPv4, ""}, "ct original ip daddr": {TypeIPv4, ""},
	"ct reply ip saddr": {TypeIPv4, ""}, "ct reply ip daddr": {TypeIPv4, ""},
	"ct original ip6 saddr": {TypeIPv6, ""}, "ct original ip6 daddr": {TypeIPv6, ""},
	"ct reply ip6 saddr": {TypeIPv6, ""}, "ct reply ip6 daddr": {TypeIPv6, ""},
	"ct original proto-src": {TypeService, ""}, "ct original proto-dst": {TypeService, ""},
	"ct reply proto-src": {TypeService, ""}, "ct reply proto-dst": {TypeService, ""},

	"socket transparent": {intType("integer", "integer", 1), ""}, "socket wildcard": {intType("integer", "integer", 1), ""},
	"socket mark": {TypeMark, ""},
	"osf name":    {&Type{Name: "string", Desc: "string", Class: ClassString, MaxLen: 15}, ""},
}

// ipv6Exthdrs are the IPv6 extension header selectors (`frag id`, `rt type`).
var ipv6Exthdrs = words("hbh rt rt0 rt2 srh frag dst mh exthdr")

// SelectorOf describes sel. The type is Unknown for selectors not
// modelled here; Proto is still filled in when the first word names a
// protocol header.
func SelectorOf(sel *parser.Selector) Selector {
	if sel == nil || len(sel.Words) == 0 {
		return Selector{Type: Unknown}
	}
	if s, ok := selectorIndex.lookup(sel); ok {
		return s
	}
	first := sel.Words[0].Name
	if len(sel.Words) == 3 && strings.HasPrefix(first, "@") {
		// Raw payload @base,offset,length: an integer of length bits.
		if n, ok := parseUint(sel.Words[2].Name); ok && n > 0 && n <= 128 {
			return Selector{Type: intType("integer", "integer", int(n))}
		}
		if n, ok := parseUint(sel.Words[2].Name); ok && n == 0 {
			return Selector{Type: &Type{Name: "integer", Desc: "integer", Class: ClassInteger, Bits: -1}}
		}
	}
	if first == "osf" {
		switch sel.Words[len(sel.Words)-1].Name {
		case "name", "version":
			return Selector{Type: &Type{Name: "string", Desc: "string", Class: ClassString, MaxLen: 15}}
		}
	}
	switch {
	case first == "ip", first == "ip6", first == "arp", first == "ether", first == "vlan",
		first == "tcp", first == "udp", first == "udplite", first == "sctp", first == "dccp",
		first == "icmp", first == "icmpv6", first == "igmp", first == "ah", first == "esp", first == "comp":
		return Selector{Type: Unknown, Proto: first}
	case ipv6Exthdrs[first]:
		return Selector{Type: Unknown, Proto: "exthdr"}
	}
	return Selector{Type: Unknown}
}

func parseUint(s string) (uint64, bool) {
	var n uint64
	if s == "" {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + uint64(r-'0')
		if n > 1<<40 {
			return 0, false
		}
	}
	return n, true
}

// ExprTypes returns the component types of a key expression: a selector,
// a concatenation of selectors, or a `type` declaration (Ident or Concat
// of Idents). Components that are not understood are Unknown.
func ExprTypes(e parser.Expr, declared bool) []*Type {
	switch x := any(e).(type) {
	case *parser.Concat:
		var out []*Type
		for _, p := range x.Parts {
			out = append(out, ExprTypes(p, declared)...)
		}
		return out
	case *parser.Ident:
		if declared {
			return []*Type{TypeByName(x.Name)}
		}
	case *parser.Literal:
		if declared && (x.Kind == parser.LitWord) {
			return []*Type{TypeByName(x.Text)}
		}
	case *parser.Selector:
		if declared && len(x.Words) == 1 {
			// `type mark` may be parsed as the selector `mark`.
			if t := TypeByName(x.Words[0].Name); t != Unknown {
				return []*Type{t}
			}
		}
		return []*Type{SelectorOf(x).Type}
	case *parser.Paren:
		return ExprTypes(x.X, declared)
	}
	return []*Type{Unknown}
}

// KeyTypes returns the component types of a set's key.
func (s *Set) KeyTypes() []*Type {
	if s.KeyType == nil {
		return nil
	}
	return ExprTypes(s.KeyType, !s.Typeof)
}

// DataTypes returns the component types of a map's data ([TypeVerdict]
// for verdict maps), or nil for sets.
func (s *Set) DataTypes() []*Type {
	if !s.IsMap || s.DataType == nil {
		return nil
	}
	return ExprTypes(s.DataType, !s.Typeof)
}

// ValueProblem reports why the value e cannot be a value of type t, or ""
// when it can (or when this layer cannot tell). e is a single value, a
// prefix or a range of the type, not a set or concatenation.
func ValueProblem(t *Type, e parser.Expr) string {
	if t == nil || t.Class == ClassUnknown {
		return ""
	}
	switch x := any(e).(type) {
	case *parser.VarRef:
		if x.Value != nil {
			return ValueProblem(t, x.Value)
		}
	case *parser.Paren:
		return ValueProblem(t, x.X)
	case *parser.Prefix:
		return ValueProblem(t, x.X)
	case *parser.RangeExpr:
		if p := ValueProblem(t, x.Lo); p != "" {
			return p
		}
		return ValueProblem(t, x.Hi)
	case *parser.List:
		for _, el := range x.Elems {
			if p := ValueProblem(t, el); p != "" {
				return p
			}
		}
	case *parser.Elem:
		return ValueProblem(t, x.Value)
	case *parser.Number:
		return numberProblem(t, x)
	case *parser.Literal:
		return literalProblem(t, x)
	case *parser.Ident:
		return wordProblem(t, x.Name, x.Quoted())
	case *parser.StringLit:
		return wordProblem(t, x.Value, true)
	}
	return ""
}

func numberProblem(t *Type, n *parser.Number) string {
	switch t.Class {
	case ClassInteger:
		if n.Neg {
			return ""
		}
		if t.Bits < 0 {
			return fmt.Sprintf("value %s does not fit in a 0-bit field", n.Text)
		}
		if t.Bits > 0 && t.Bits < 64 && (n.Overflow || n.Value>>uint(t.Bits) != 0) {
			return fmt.Sprintf("value %s exceeds the valid range 0-%d of %s", n.Text, uint64(1)<<uint(t.Bits)-1, t.Desc)
		}
		if t.Max > 0 && (n.Overflow || n.Value > t.Max) {
			return fmt.Sprintf("value %s exceeds the valid range 0-%d of %s", n.Text, t.Max, t.Desc)
		}
	case ClassString:
		// nft reads a number as a string here (iifname 1 is "1").
	case ClassEther:
		return fmt.Sprintf("%s is not %s", n.Text, article(t.Desc))
	}
	return ""
}

func literalProblem(t *Type, l *parser.Literal) string {
	switch l.Kind {
	case parser.LitWord:
		return wordProblem(t, l.Text, false)
	case parser.LitString:
		return wordProblem(t, l.Text, true)
	case parser.LitNumber:
		return ""
	case parser.LitIPv4:
		if t.Class != ClassIPv4 && t.Class != ClassString {
			return fmt.Sprintf("%s is an IPv4 address, not %s", l.Text, article(t.Desc))
		}
	case parser.LitIPv6:
		if t.Class != ClassIPv6 && t.Class != ClassString {
			return fmt.Sprintf("%s is an IPv6 address, not %s", l.Text, article(t.Desc))
		}
	case parser.LitMAC:
		// 00:11:22:33:44:55 also lexes as IPv6-like text; only flag it
		// for address types that cannot take it.
		if t.Class == ClassIPv4 {
			return fmt.Sprintf("%s is an Ethernet address, not %s", l.Text, article(t.Desc))
		}
	}
	return ""
}

// article prefixes desc with "a" or "an".
func article(desc string) string {
	if desc != "" && strings.ContainsRune("aeiouAEIOU", rune(desc[0])) {
		return "an " + desc
	}
	return "a " + desc
}

func wordProblem(t *Type, w string, quoted bool) string {
	switch t.Class {
	case ClassString:
		if w == "" {
			return "the empty string is not a valid " + t.Desc
		}
		if t.MaxLen > 0 && len(w) > t.MaxLen {
			return fmt.Sprintf("%q is %d bytes long; a %s holds at most %d", w, len(w), t.Desc, t.MaxLen)
		}
	case ClassInteger:
		if t.Format != "" {
			return formatProblem(t, w)
		}
		if t.Symbols == nil || t.OpenWords || quoted && t != TypeDay {
			return ""
		}
		lw := strings.ToLower(w)
		if t == TypeDay {
			// nft matches day names by prefix, case-insensitively.
			for d := range t.Symbols {
				if lw != "" && strings.HasPrefix(d, lw) {
					return ""
				}
			}
			return fmt.Sprintf("%q is not %s", w, article(t.Desc))
		}
		if t.Symbols[lw] {
			return ""
		}
		if strings.ContainsAny(w, "$@") {
			return ""
		}
		return fmt.Sprintf("%q is not %s (known values: %s)", w, article(t.Desc), symbolList(t))
	}
	return ""
}

func symbolList(t *Type) string {
	var names []string
	for n := range t.Symbols {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) > 8 {
		names = append(names[:8], "…")
	}
	return strings.Join(names, ", ")
}

// ClassOf returns the class a literal value belongs to, or ClassUnknown
// when it could belong to several (words, numbers).
func ClassOf(e parser.Expr) Class {
	switch x := any(e).(type) {
	case *parser.Literal:
		switch x.Kind {
		case parser.LitIPv4:
			return ClassIPv4
		case parser.LitIPv6:
			return ClassIPv6
		}
	case *parser.Prefix:
		return ClassOf(x.X)
	case *parser.RangeExpr:
		return ClassOf(x.Lo)
	case *parser.VarRef:
		if x.Value != nil {
			return ClassOf(x.Value)
		}
	}
	return ClassUnknown
}

var (
	hourFormat = regexp.MustCompile(`^([0-9]{1,2}):([0-9]{2})(:([0-9]{2}))?$`)
	timeFormat = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?$`)
)

// formatProblem checks the text formats of meta hour and meta time.
func formatProblem(t *Type, w string) string {
	switch t.Format {
	case "hour":
		m := hourFormat.FindStringSubmatch(w)
		if m == nil {
			return fmt.Sprintf("%q is not a time of day (HH:MM or HH:MM:SS)", w)
		}
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		sec := 0
		if m[4] != "" {
			sec, _ = strconv.Atoi(m[4])
		}
		if h > 23 || mi > 59 || sec > 59 {
			return fmt.Sprintf("%q is not a time of day: hours run 0-23, minutes and seconds 0-59", w)
		}
	case "time":
		if !timeFormat.MatchString(w) {
			return fmt.Sprintf("%q is not a date (YYYY-MM-DD or \"YYYY-MM-DD HH:MM:SS\")", w)
		}
	}
	return ""
}

// RunMayHaveProblem reports whether ValueProblem may find a problem with
// an element of the packed run r under t, without building a node per
// element. It never answers false when ValueProblem would report one, so
// callers check the elements one by one (r.At) only when it says true.
func RunMayHaveProblem(t *Type, r *parser.ElemRun) bool {
	if t == nil || r.Len() == 0 {
		return false
	}
	switch r.Family() {
	case parser.RunIPv4:
		return t.Class != ClassUnknown && t.Class != ClassIPv4 && t.Class != ClassString
	case parser.RunIPv6:
		return t.Class != ClassUnknown && t.Class != ClassIPv6 && t.Class != ClassString
	}
	switch t.Class {
	case ClassEther:
		return true
	case ClassInteger:
		if t.Bits < 0 || t.Format != "" {
			return true
		}
		limit := ^uint64(0)
		if t.Bits > 0 && t.Bits < 64 {
			limit = uint64(1)<<uint(t.Bits) - 1
		}
		if t.Max > 0 {
			limit = min(limit, t.Max)
		}
		for i := range r.Len() {
			if _, hi := r.Bounds(i); hi.Hi != 0 || hi.Lo > limit {
				return true
			}
		}
	}
	return false
}

// selectorIndex is selectorTable as an open-addressing table hashed over
// a selector's words as they are: SelectorOf runs for every match of
// every rule, and building the path string to look it up cost more than
// the rest of the lookup.
var selectorIndex = newSelectorIndex(selectorTable)

type selectorSlot struct {
	hash uint64
	path string
	sel  Selector
	used bool
}

type selectorHashTable struct {
	slots []selectorSlot
	mask  uint64
	shift uint // the slot is the hash's top bits: its low bits mix poorly
}

func newSelectorIndex(table map[string]Selector) *selectorHashTable {
	n := 1
	for n < 2*len(table) {
		n *= 2
	}
	t := &selectorHashTable{slots: make([]selectorSlot, n), mask: uint64(n - 1), shift: uint(64 - bits.TrailingZeros(uint(n)))}
	for path, sel := range table {
		h := pathHash(path)
		i := h >> t.shift
		for t.slots[i].used {
			i = (i + 1) & t.mask
		}
		t.slots[i] = selectorSlot{hash: h, path: path, sel: sel, used: true}
	}
	return t
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// wordHash mixes a word's length and first, middle and last bytes into
// h: one multiplication per word, and selector paths differ there
// (collisions only cost a probe: pathIs compares in full).
func wordHash(h uint64, w string) uint64 {
	v := uint64(len(w))
	if len(w) > 0 {
		v |= uint64(w[0])<<8 | uint64(w[len(w)/2])<<16 | uint64(w[len(w)-1])<<24
	}
	return (h ^ v) * fnvPrime
}

// pathHash is the hash of a path's blank-separated words.
func pathHash(path string) uint64 {
	h := uint64(fnvOffset)
	for _, w := range strings.Split(path, " ") {
		h = wordHash(h, w)
	}
	return mixHash(h)
}

// mixHash spreads every bit of h over the top bits (the finaliser of
// MurmurHash3).
func mixHash(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

// wordsHash is pathHash of the words joined by blanks, without joining them.
func wordsHash(words []parser.Ident) uint64 {
	h := uint64(fnvOffset)
	for i := range words {
		h = wordHash(h, words[i].Name)
	}
	return mixHash(h)
}

// pathIs reports whether path is the words joined by blanks.
func pathIs(path string, words []parser.Ident) bool {
	for i := range words {
		w := &words[i]
		if i > 0 {
			if len(path) == 0 || path[0] != ' ' {
				return false
			}
			path = path[1:]
		}
		if len(path) < len(w.Name) || path[:len(w.Name)] != w.Name {
			return false
		}
		path = path[len(w.Name):]
	}
	return len(path) == 0
}

func (t *selectorHashTable) lookup(sel *parser.Selector) (Selector, bool) {
	h := wordsHash(sel.Words)
	for i := h >> t.shift; t.slots[i].used; i = (i + 1) & t.mask {
		if s := &t.slots[i]; s.hash == h && pathIs(s.path, sel.Words) {
			return s.sel, true
		}
	}
	return Selector{}, false
}
