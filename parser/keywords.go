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
var relWords = map[string]MatchOp{
	"eq": OpEq, "ne": OpNe, "lt": OpLt, "gt": OpGt, "le": OpLe, "ge": OpGe,
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

// Word lookup. A rule's words are compared with several of the tables
// above each (is it reserved, a selector head, a value keyword, a field
// of the header before it …); map lookups were a tenth of the parser's
// time. wordTable answers all of them with one probe of a small
// open-addressing table built from the maps at initialisation, so the two
// cannot disagree (keywords_test.go checks it).

// wordClass is a set of the keyword tables a word is in.
type wordClass uint32

const (
	wcReserved        wordClass = 1 << iota // reservedWords
	wcValue                                 // valueKeywords
	wcSelectorHead                          // selectorHeads
	wcMetaKey                               // metaKeys
	wcUnqualifiedMeta                       // unqualifiedMetaKeys
	wcCtKey                                 // ctKeys
	wcFamily                                // families
	wcVerb                                  // verbs
	wcObject                                // objectWords
	wcPlural                                // pluralWords
	wcBinWord                               // binWords
	wcRelWord                               // relWords
	wcStateful                              // statefulStmtWords
	wcNatFlag                               // natFlags
	wcVerdict                               // verdictWords
	wcObjType                               // objTypeWords
	wcInnerOuter                            // innerOuter
	wcInnerL2                               // innerL2
	wcInnerL3                               // innerL3
)

// wordInfo is what wordTable knows about a word.
type wordInfo struct {
	class wordClass
	// head is 1 + the index of the word in scopeHeads when the word is a
	// header or scope head, else 0.
	head uint8
	// fields has bit i set when the word is a field of header
	// scopeHeads[i] (payloadFields); scopes when it is a keyword after
	// scopeHeads[i] (scopeWords).
	fields, scopes uint64
}

type wordEntry struct {
	word string
	info wordInfo
}

// wordTable is the lookup table: slots holds 1 + an index into entries,
// 0 for an empty slot; len(slots) is a power of two.
type wordTable struct {
	slots   []uint16
	entries []wordEntry
	maxLen  int // the longest word: longer ones are not looked up
}

// scopeHeads are the heads of scopeWords (a superset of the headers of
// payloadFields), sorted; a bit set of them fits in a uint64.
var scopeHeads = func() []string {
	var hs []string
	for h := range scopeWords {
		hs = append(hs, h)
	}
	sortStrings(hs)
	return hs
}()

var keywordTable = func() *wordTable {
	infos := map[string]*wordInfo{}
	info := func(w string) *wordInfo {
		if infos[w] == nil {
			infos[w] = &wordInfo{}
		}
		return infos[w]
	}
	for _, t := range []struct {
		words map[string]bool
		class wordClass
	}{
		{reservedWords, wcReserved}, {valueKeywords, wcValue}, {selectorHeads, wcSelectorHead},
		{metaKeys, wcMetaKey}, {unqualifiedMetaKeys, wcUnqualifiedMeta}, {ctKeys, wcCtKey},
		{families, wcFamily}, {verbs, wcVerb}, {objectWords, wcObject}, {pluralWords, wcPlural},
		{statefulStmtWords, wcStateful}, {natFlags, wcNatFlag}, {verdictWords, wcVerdict},
		{objTypeWords, wcObjType}, {innerOuter, wcInnerOuter}, {innerL2, wcInnerL2}, {innerL3, wcInnerL3},
	} {
		for w := range t.words {
			info(w).class |= t.class
		}
	}
	for w := range binWords {
		info(w).class |= wcBinWord
	}
	for w := range relWords {
		info(w).class |= wcRelWord
	}
	for i, h := range scopeHeads[:min(len(scopeHeads), 64)] {
		info(h).head = uint8(i + 1)
		for f := range payloadFields[h] {
			info(f).fields |= 1 << i
		}
		for f := range scopeWords[h] {
			info(f).scopes |= 1 << i
		}
	}
	size := 1
	for size < 4*len(infos) {
		size *= 2
	}
	t := &wordTable{slots: make([]uint16, size)}
	for w, in := range infos {
		t.entries = append(t.entries, wordEntry{w, *in})
		i := wordHash(w) & uint32(size-1)
		for t.slots[i] != 0 {
			i = (i + 1) & uint32(size-1)
		}
		t.slots[i] = uint16(len(t.entries))
		t.maxLen = max(t.maxLen, len(w))
	}
	return t
}()

// wordHash mixes a word's length and four of its bytes: enough to spread
// the keywords over the table, and cheaper than hashing every byte.
func wordHash(w string) uint32 {
	n := len(w)
	if n == 0 {
		return 0
	}
	h := uint32(n) ^ uint32(w[0])<<8 ^ uint32(w[1%n])<<16 ^ uint32(w[n/2])<<24 ^ uint32(w[n-1])<<4
	h *= 0x9E3779B1
	return h ^ h>>15
}

// lookup returns what the table knows about w (the zero wordInfo for a
// word in none of the tables).
func (t *wordTable) lookup(w string) wordInfo {
	if len(w) > t.maxLen {
		return wordInfo{}
	}
	mask := uint32(len(t.slots) - 1)
	for i := wordHash(w) & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return wordInfo{}
		}
		if e := &t.entries[s-1]; e.word == w {
			return e.info
		}
	}
}

// classOf returns the keyword tables w is in.
func classOf(w string) wordClass { return keywordTable.lookup(w).class }

// isReserved reports whether w is in reservedWords.
func isReserved(w string) bool { return classOf(w)&wcReserved != 0 }

// isField reports payloadFields[head][w].
func isField(head, w string) bool {
	h := keywordTable.lookup(head).head
	return h != 0 && keywordTable.lookup(w).fields&(1<<(h-1)) != 0
}

// isScopeWord reports scopeWords[scope][w].
func isScopeWord(scope, w string) bool {
	h := keywordTable.lookup(scope).head
	return h != 0 && keywordTable.lookup(w).scopes&(1<<(h-1)) != 0
}
