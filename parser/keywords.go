package parser

import "strings"

// Keyword tables (nft-grammar.md §3, §14). They are read-only after
// package initialisation.

func wordSet(lists ...string) map[string]bool {
	m := make(map[string]bool)
	for _, l := range lists {
		for _, w := range strings.Fields(l) {
			m[w] = true
		}
	}
	return m
}

// reservedWords are nft's global keywords (§3.1): they cannot be bare
// names or bare values.
var reservedWords = wordSet(
	`accept add all arp auto-merge bridge chain comment constant continue
	counter create ct define delete describe destroy device devices dnat drop
	dup dynamic element elements exists expires export fib flags flow flowtable
	flush fwd gc-interval get goto handle hook import include index inet insert
	interval jump last limit list log map masquerade meta meter missing monitor
	netdev notrack numgen offload osf policy position priority queue quota
	random redefine redirect reject rename replace reset return rule ruleset
	set size snat socket synproxy table timeout tproxy tunnel type typeof
	undefine update vmap xt`,
	`ah comp dccp dst esp ether exthdr frag geneve gre gretap hbh icmp icmpv6
	igmp ip ip6 ipsec jhash mh rt rt0 rt2 sctp srh symhash tcp th udp udplite
	vlan vni vxlan`,
	`cgroup cpu day ecn hour ibriport ibrname iif iifgroup iifname iiftype mark
	nftrace obriport obrname oif oifgroup oifname oiftype pkttype rtclassid
	skgid skuid time`,
	`and or xor not lshift rshift eq ne lt le gt ge`,
)

// valueKeywords are global keywords that are also legitimate symbolic
// values on a right-hand side (§13.3 KEYWORD_VALUE and PROTO_WORD).
var valueKeywords = wordSet(
	`ether ip ip6 vlan arp dnat snat ecn reset destroy original reply label last`,
	`tcp udp udplite esp ah icmp igmp icmpv6 gre comp dccp sctp redirect`,
	`exists missing`,
)

var families = wordSet(`ip ip6 inet arp bridge netdev`)

var verbs = wordSet(`add create insert replace delete destroy flush reset list
	rename get describe monitor export import`)

// objectWords are the object keywords of commands and table block items.
var objectWords = wordSet(`table chain rule set map element flowtable counter
	quota limit secmark synproxy ct tunnel ruleset meter flow`)

var pluralWords = wordSet(`tables chains sets maps rules counters quotas limits
	meters flowtables secmarks synproxys tunnels hooks elements helpers timeouts
	expectations`)

// relational word aliases, normalised.
var relWords = map[string]string{
	"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=",
}

var binWords = map[string]string{
	"and": "&", "or": "|", "xor": "^", "lshift": "<<", "rshift": ">>",
}

// payloadFields lists the fields of each header selector (§14.1, §14.3).
var payloadFields = map[string]map[string]bool{
	"ether":   wordSet(`saddr daddr type`),
	"vlan":    wordSet(`id cfi dei pcp type`),
	"arp":     wordSet(`htype ptype hlen plen operation saddr daddr`),
	"ip":      wordSet(`version hdrlength dscp ecn length id frag-off ttl protocol checksum saddr daddr`),
	"icmp":    wordSet(`type code checksum id sequence gateway mtu`),
	"igmp":    wordSet(`type checksum mrt group`),
	"ip6":     wordSet(`version dscp ecn flowlabel length nexthdr hoplimit saddr daddr`),
	"icmpv6":  wordSet(`type code checksum param-problem mtu id sequence max-delay taddr daddr`),
	"ah":      wordSet(`nexthdr hdrlength reserved spi sequence`),
	"esp":     wordSet(`spi sequence`),
	"comp":    wordSet(`nexthdr flags cpi`),
	"udp":     wordSet(`sport dport length checksum`),
	"udplite": wordSet(`sport dport csumcov checksum`),
	"tcp":     wordSet(`sport dport sequence ackseq doff reserved flags window checksum urgptr`),
	"dccp":    wordSet(`sport dport type`),
	"sctp":    wordSet(`sport dport vtag checksum`),
	"th":      wordSet(`sport dport`),
	"gre":     wordSet(`version flags protocol`),
	"gretap":  wordSet(``),
	"vxlan":   wordSet(`vni flags`),
	"geneve":  wordSet(`vni type`),
	"hbh":     wordSet(`nexthdr hdrlength`),
	"rt":      wordSet(`nexthdr hdrlength type seg-left`),
	"rt0":     wordSet(`addr`),
	"rt2":     wordSet(`addr`),
	"srh":     wordSet(`last-entry flags tag sid`),
	"frag":    wordSet(`nexthdr reserved frag-off reserved2 more-fragments id`),
	"dst":     wordSet(`nexthdr hdrlength`),
	"mh":      wordSet(`nexthdr hdrlength type reserved checksum`),
}

// innerOuter are the tunnel headers that may be followed by an inner
// header selector (§14.1).
var innerOuter = wordSet(`vxlan geneve gretap gre`)
var innerL2 = wordSet(`ether vlan arp`)
var innerL3 = wordSet(`ip ip6 icmp icmpv6 igmp ah esp comp udp udplite tcp dccp sctp th`)

var tcpOptions = wordSet(`eol nop noop maxseg mss window sack-perm sack-permitted
	sack sack0 sack1 sack2 sack3 timestamp fastopen md5sig mptcp echo`)

func tcpOptionFields(opt string) map[string]bool {
	switch opt {
	case "maxseg", "mss":
		return wordSet(`size length kind`)
	case "window":
		return wordSet(`count length kind`)
	case "sack", "sack0", "sack1", "sack2", "sack3":
		return wordSet(`left right length kind`)
	case "timestamp":
		return wordSet(`tsval tsecr length kind`)
	case "mptcp":
		return wordSet(`subtype length kind`)
	}
	return wordSet(`length kind`)
}

var ipOptions = wordSet(`lsrr rr ssrr ra`)
var ipOptionFields = wordSet(`type length value ptr addr`)

var sctpChunks = wordSet(`data init init-ack sack heartbeat heartbeat-ack abort
	shutdown shutdown-ack error cookie-echo cookie-ack ecne cwr shutdown-complete
	asconf-ack forward-tsn asconf`)

func sctpChunkFields(chunk string) map[string]bool {
	common := `type flags length `
	switch chunk {
	case "data":
		return wordSet(common + `tsn stream ssn ppid`)
	case "init", "init-ack":
		return wordSet(common + `init-tag a-rwnd num-outbound-streams num-inbound-streams initial-tsn`)
	case "sack":
		return wordSet(common + `cum-tsn-ack a-rwnd num-gap-ack-blocks num-dup-tsns`)
	case "shutdown":
		return wordSet(common + `cum-tsn-ack`)
	case "ecne", "cwr":
		return wordSet(common + `lowest-tsn`)
	case "asconf", "asconf-ack":
		return wordSet(common + `seqno`)
	case "forward-tsn":
		return wordSet(common + `new-cum-tsn`)
	}
	return wordSet(common)
}

var exthdrNames = wordSet(`hbh rt frag dst mh`)

// metaKeys need the `meta` prefix; unqualifiedMetaKeys work with or without.
var metaKeys = wordSet(`length protocol priority random secmark nfproto l4proto
	iifkind oifkind ibrpvid ibrvproto sdif sdifname broute ibrhwaddr secpath`)
var unqualifiedMetaKeys = wordSet(`mark iif iifname iiftype oif oifname oiftype skuid
	skgid nftrace rtclassid ibrname obrname ibriport obriport pkttype cpu iifgroup
	oifgroup cgroup ipsec time day hour`)

var ctKeys = wordSet(`state direction status mark expiration helper label l3proto
	protocol saddr daddr proto-src proto-dst event secmark id bytes packets avgpkt
	zone`)
var ctDirKeys = wordSet(`l3proto protocol saddr daddr proto-src proto-dst bytes
	packets avgpkt zone`)

var fibKeys = wordSet(`saddr daddr mark iif oif`)
var fibResults = wordSet(`oif oifname type check`)

var chainHooks = wordSet(`prerouting input forward output postrouting ingress egress`)

var setFlagWords = wordSet(`constant interval timeout dynamic`)

var logLevels = wordSet(`emerg alert crit err warn warning notice info debug audit`)

var byteUnits = wordSet(`bytes kbytes mbytes`)
var timeUnits = wordSet(`second minute hour day week`)

// statefulStmtWords start statements allowed in set elements and set
// blocks.
var statefulStmtWords = wordSet(`counter limit quota last`)

var natKinds = wordSet(`snat dnat masquerade redirect`)
var natFlags = wordSet(`random fully-random persistent`)

var verdictWords = wordSet(`accept drop continue return jump goto queue`)

var objTypeWords = wordSet(`counter quota limit secmark synproxy`)

// ctTimeoutStates are the conntrack states a ct timeout policy may set
// (tcp, udp, sctp, dccp, gre and the generic/icmp "timeout").
var ctTimeoutStates = wordSet(`syn_sent syn_recv established fin_wait close_wait
	last_ack time_wait close syn_sent2 retrans unacknowledged unreplied replied
	timeout closed cookie_wait cookie_echoed shutdown_sent shutdown_recd
	shutdown_ack_sent heartbeat_sent request respond partopen open closereq
	closing timewait`)
