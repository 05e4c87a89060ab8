//go:build linux

package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/userdata"
	"golang.org/x/sys/unix"
)

// obj is one JSON object of nft's schema.
type obj = map[string]any

// dump lists the ruleset through netlink and returns it as nft JSON list
// output, with the rules iptables-nft can read. Only List/Get calls are
// made.
func dump(ctx context.Context, opts Options) (*dumped, error) {
	var connOpts []nftables.ConnOption
	nsFD := 0
	if opts.NetNS != "" {
		f, err := os.Open(opts.NetNS)
		if err != nil {
			return nil, fmt.Errorf("cannot open network namespace: %w", err)
		}
		defer f.Close()
		nsFD = int(f.Fd())
		connOpts = append(connOpts, nftables.WithNetNSFd(nsFD))
	}
	conn, err := nftables.New(connOpts...)
	if err != nil {
		return nil, fmt.Errorf("cannot open nftables netlink: %w", err)
	}
	defer conn.CloseLasting()

	type result struct {
		d   *dumped
		err error
	}
	done := make(chan result, 1)
	go func() {
		rd := &reader{conn: conn, nsFD: nsFD, iptables: map[ruleKey]bool{}}
		out, err := rd.read()
		done <- result{&dumped{json: out, iptables: rd.iptables, warnings: rd.warnings}, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, r.err
		}
		return r.d, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// reader turns the kernel's objects into nft JSON.
type reader struct {
	conn *nftables.Conn
	// nsFD is the network namespace read (0: the process's).
	nsFD int
	// sets of the table being read, by name (anonymous sets included),
	// for lookups and their element types.
	sets map[string]*liveSet
	// iptables holds the rules iptables-nft wrote and can read back.
	iptables map[ruleKey]bool
	warnings []string
	// setHandles are the handles of the sets of the table being read.
	setHandles map[string]uint64
	// links names the namespace's interfaces by index (nil until needed).
	links map[uint32]string
}

// linkName returns the name of interface index, or "".
func (rd *reader) linkName(index uint32) string {
	if rd.links == nil {
		rd.links, _ = linkNames(rd.nsFD) // unnamed indexes stay numbers
		if rd.links == nil {
			rd.links = map[uint32]string{}
		}
	}
	return rd.links[index]
}

type liveSet struct {
	set   *nftables.Set
	elems []nftables.SetElement
}

func familyName(f nftables.TableFamily) string {
	switch f {
	case nftables.TableFamilyIPv4:
		return "ip"
	case nftables.TableFamilyIPv6:
		return "ip6"
	case nftables.TableFamilyINet:
		return "inet"
	case nftables.TableFamilyARP:
		return "arp"
	case nftables.TableFamilyBridge:
		return "bridge"
	case nftables.TableFamilyNetdev:
		return "netdev"
	}
	return fmt.Sprintf("family%d", f)
}

// hookName names a chain's hook number, which depends on the family
// (linux/netfilter.h, netfilter_arp.h).
func hookName(fam nftables.TableFamily, h nftables.ChainHook) string {
	var names []string
	switch fam {
	case nftables.TableFamilyNetdev:
		names = []string{"ingress", "egress"}
	case nftables.TableFamilyARP:
		names = []string{"input", "output", "forward"}
	default:
		names = []string{"prerouting", "input", "forward", "output", "postrouting", "ingress"}
	}
	if int(h) < len(names) {
		return names[h]
	}
	return fmt.Sprintf("hook%d", h)
}

func (rd *reader) read() ([]byte, error) {
	tables, err := rd.conn.ListTables()
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return nil, fmt.Errorf("reading the ruleset needs root or CAP_NET_ADMIN (sudo nftlint --live): %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot list tables: %w", err)
	}
	chains, err := rd.conn.ListChains()
	if err != nil {
		return nil, fmt.Errorf("cannot list chains: %w", err)
	}
	// On error, tables and chains are listed without handles and devices.
	chainMeta, _ := chainMetas(rd.nsFD)
	tableHandle, _ := tableHandles(rd.nsFD)
	items := []any{obj{"metainfo": obj{"json_schema_version": 1}}}
	for _, t := range tables {
		fam := familyName(t.Family)
		tobj := obj{"family": fam, "name": t.Name}
		if h := tableHandle[fam+" "+t.Name]; h != 0 {
			tobj["handle"] = h
		}
		var flags []string
		if t.Flags&0x1 != 0 {
			flags = append(flags, "dormant")
		}
		if t.Flags&0x2 != 0 {
			flags = append(flags, "owner")
		}
		if t.Flags&0x4 != 0 {
			flags = append(flags, "persist")
		}
		if len(flags) > 0 {
			tobj["flags"] = flags
		}
		items = append(items, obj{"table": tobj})

		rd.sets = make(map[string]*liveSet)
		sets, err := rd.conn.GetSets(t)
		if err == nil {
			rd.restoreKeyTypes(t, sets)
			for _, s := range sets {
				ls := &liveSet{set: s}
				if elems, err := rd.conn.GetSetElements(s); err == nil {
					ls.elems = elems
				}
				rd.sets[s.Name] = ls
			}
		}
		// The rules are decoded first: their lookups tell the sizes of
		// integer key components the set itself does not (sizeKeys).
		chainItems := rd.chainItems(t, chains, chainMeta)
		if err == nil {
			for _, s := range sets {
				if s.Anonymous {
					continue
				}
				items = append(items, rd.setObject(fam, t.Name, rd.sets[s.Name]))
			}
		}
		if fts, err := rd.conn.ListFlowtables(t); err == nil {
			for _, ft := range fts {
				fo := obj{"family": fam, "table": t.Name, "name": ft.Name, "hook": "ingress"}
				if ft.Priority != nil {
					fo["prio"] = int32(*ft.Priority)
				}
				if len(ft.Devices) > 0 {
					fo["dev"] = ft.Devices
				}
				items = append(items, obj{"flowtable": fo})
			}
		}
		if objs, err := rd.conn.GetNamedObjects(t); err == nil {
			for _, o := range objs {
				if item := namedObject(fam, t.Name, o); item != nil {
					items = append(items, item)
				}
			}
		}
		items = append(items, chainItems...)
	}
	return json.Marshal(obj{"nftables": items})
}

// chainItems decodes the chains of table t and their rules.
func (rd *reader) chainItems(t *nftables.Table, chains []*nftables.Chain, metas map[string]chainMeta) []any {
	fam := familyName(t.Family)
	var items []any
	for _, c := range chains {
		if c.Table == nil || c.Table.Name != t.Name || c.Table.Family != t.Family {
			continue
		}
		co := chainObject(fam, t, c)
		meta := metas[fam+" "+t.Name+" "+c.Name]
		if devs := meta.devices; len(devs) == 1 {
			co["dev"] = devs[0]
		} else if len(devs) > 1 {
			co["dev"] = devs
		}
		if meta.handle != 0 {
			co["handle"] = meta.handle
		}
		items = append(items, obj{"chain": co})
		rules, err := rd.conn.GetRules(t, c)
		if err != nil {
			// One rule the netlink library cannot decode fails the
			// whole listing of its chain: say so, lint the rest.
			rd.warnings = append(rd.warnings, fmt.Sprintf("the rules of chain %s %s %s cannot be decoded (%v); they are not linted", fam, t.Name, c.Name, err))
			continue
		}
		for _, r := range rules {
			dr := rd.decodeRule(t.Family, r.Exprs)
			ro := obj{"family": fam, "table": t.Name, "chain": c.Name, "handle": r.Handle, "expr": dr.stmts}
			if cm, ok := userdata.GetString(r.UserData, userdata.TypeComment); ok && cm != "" {
				ro["comment"] = cm
			} else if dr.comment != "" {
				ro["comment"] = dr.comment
			}
			if dr.iptables {
				rd.iptables[ruleKey{fam, t.Name, r.Handle}] = true
			}
			items = append(items, obj{"rule": ro})
		}
	}
	return items
}

func chainObject(fam string, t *nftables.Table, c *nftables.Chain) obj {
	co := obj{"family": fam, "table": t.Name, "name": c.Name}
	if c.Hooknum == nil {
		return co
	}
	co["hook"] = hookName(t.Family, *c.Hooknum)
	typ := string(c.Type)
	if typ == "" {
		typ = "filter"
	}
	co["type"] = typ
	if c.Priority != nil {
		co["prio"] = int32(*c.Priority)
	} else {
		co["prio"] = 0
	}
	policy := "accept"
	if c.Policy != nil && *c.Policy == nftables.ChainPolicyDrop {
		policy = "drop"
	}
	co["policy"] = policy
	if c.Device != "" {
		co["dev"] = c.Device
	}
	return co
}

// setObject renders a named set or map with its elements.
func (rd *reader) setObject(fam, table string, ls *liveSet) obj {
	s := ls.set
	fixMapTypes(s, ls.elems)
	so := obj{"family": fam, "table": table, "name": s.Name}
	if h := rd.setHandles[s.Name]; h != 0 {
		so["handle"] = h
	}
	so["type"] = typeNames(s.KeyType.Name)
	var flags []string
	if s.Constant {
		flags = append(flags, "constant")
	}
	if s.Interval {
		flags = append(flags, "interval")
	}
	if s.HasTimeout {
		flags = append(flags, "timeout")
	}
	if s.Dynamic {
		flags = append(flags, "dynamic")
	}
	if len(flags) > 0 {
		so["flags"] = flags
	}
	if s.Timeout > 0 {
		so["timeout"] = int64(s.Timeout.Seconds())
	}
	if s.Size > 0 {
		so["size"] = s.Size
	}
	if s.Comment != "" {
		so["comment"] = s.Comment
	}
	if elems := elementValues(s, ls.elems); len(elems) > 0 {
		so["elem"] = elems
	}
	if s.IsMap {
		so["map"] = typeNames(s.DataType.Name)
		return obj{"map": so}
	}
	return obj{"set": so}
}

// typeNames turns "ipv4_addr . inet_service" into a JSON type: a string,
// or an array for concatenations.
func typeNames(name string) any {
	parts := strings.Split(name, " . ")
	for i, p := range parts {
		if strings.HasPrefix(p, "integer/") {
			parts[i] = "integer" // sizedIntegers
		}
	}
	if len(parts) == 1 {
		return name
	}
	return parts
}

// elementValues decodes the elements of a set: keys (and map data) by the
// set's types; interval sets come as start elements each followed by the
// end element, which become ranges or prefixes.
func elementValues(s *nftables.Set, elems []nftables.SetElement) []any {
	keyTypes := strings.Split(s.KeyType.Name, " . ")
	decodeKey := func(b []byte) any { return decodeTyped(keyTypes, b) }
	var out []any
	if s.Interval {
		sorted := append([]nftables.SetElement(nil), elems...)
		// The end of an interval and the start of the next one may share a
		// key (10.0.1.0 ends 10.0.0.0/24 and starts 10.0.1.0/24): the end
		// comes first.
		sort.SliceStable(sorted, func(i, j int) bool {
			if a, b := string(sorted[i].Key), string(sorted[j].Key); a != b {
				return a < b
			}
			return sorted[i].IntervalEnd && !sorted[j].IntervalEnd
		})
		for i := 0; i < len(sorted); i++ {
			e := sorted[i]
			if e.IntervalEnd {
				continue
			}
			if len(e.Key) == 0 { // the catch-all element
				out = append(out, withData(s, e, "*"))
				continue
			}
			// An interval ends where the next element starts: at an end
			// element, or right before the next interval when the two are
			// adjacent (the kernel then stores no end between them). The
			// last interval without an end runs to the largest value.
			var key any
			switch {
			case len(e.KeyEnd) > 0:
				key = rangeOrValue(keyTypes, e.Key, e.KeyEnd, true)
			case i+1 < len(sorted):
				key = rangeOrValue(keyTypes, e.Key, sorted[i+1].Key, false)
			default:
				key = rangeOrValue(keyTypes, e.Key, bytes.Repeat([]byte{0xff}, len(e.Key)), true)
			}
			out = append(out, withData(s, e, key))
		}
		return out
	}
	for _, e := range elems {
		if len(e.Key) == 0 { // the catch-all element
			out = append(out, withData(s, e, "*"))
			continue
		}
		out = append(out, withData(s, e, decodeKey(e.Key)))
	}
	return out
}

// fixMapTypes works around google/nftables v0.3.0 decoding the verdict
// data type of a verdict map into KeyType, losing the key type: the key
// type is guessed from the elements' key size (and content), and the
// data type set back to verdict.
func fixMapTypes(s *nftables.Set, elems []nftables.SetElement) {
	if !s.IsMap || s.KeyType.Name != "verdict" || s.DataType.Name != "" {
		return
	}
	s.DataType = nftables.TypeVerdict
	size := int(s.KeyType.Bytes)
	var sample []byte
	if len(elems) > 0 {
		sample = elems[0].Key
		if size == 0 {
			size = len(sample)
		}
	}
	name := "integer"
	switch size {
	case 1:
		name = "inet_proto"
	case 2:
		name = "inet_service"
	case 4:
		name = "ipv4_addr"
	case 6:
		name = "ether_addr"
	case 16:
		name = "ipv6_addr"
		if i := strings.IndexByte(string(sample), 0); i > 0 && isPrintable(sample[:i]) {
			name = "ifname"
		}
	}
	s.KeyType = nftables.SetDatatype{Name: name, Bytes: uint32(size)}
}

func isPrintable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

func withData(s *nftables.Set, e nftables.SetElement, key any) any {
	if e.Comment != "" || e.Timeout > 0 {
		el := obj{"val": key}
		if e.Comment != "" {
			el["comment"] = e.Comment
		}
		if e.Timeout > 0 {
			el["timeout"] = int64(e.Timeout.Seconds())
		}
		key = obj{"elem": el}
	}
	if !s.IsMap {
		return key
	}
	if e.VerdictData != nil {
		return []any{key, verdictValue(e.VerdictData.Kind, e.VerdictData.Chain)}
	}
	if s.DataType.Name == "verdict" {
		if v, ok := verdictAttrs(e.Val); ok {
			return []any{key, v}
		}
	}
	return []any{key, dataValue(s, e.Val)}
}

// dataValue decodes map data; interval data (`ip prefix to … map`, nft
// 1.0.3+) holds the first and the last value of the interval.
func dataValue(s *nftables.Set, b []byte) any {
	types := strings.Split(s.DataType.Name, " . ")
	size := 0
	for _, t := range types {
		size += roundUp4(typeSize(t))
	}
	if size > 0 && len(b) == 2*size {
		// The first values of the components, then the last ones.
		return rangeOrValue(types, b[:size], b[size:], true)
	}
	return decodeTyped(types, b)
}
