//go:build linux

package live

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nftlint/nftlint/internal/kerneltest"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// Kernel tests: a configuration is loaded with the real nft into a
// private network namespace, read back through netlink, and compared
// with the model nftlint builds from the same file. They need root and
// nft (and iptables-nft for the Docker replay); without them they skip,
// unless NFTLINT_KERNEL_TESTS=required.

func requireKernel(t *testing.T, tools ...string) {
	t.Helper()
	kerneltest.Require(t, tools...)
}

// netns makes a throw-away network namespace, deleted when the test ends,
// and returns its name.
func netns(t *testing.T) string {
	t.Helper()
	var b [4]byte
	rand.Read(b[:])
	name := fmt.Sprintf("nftlint-live-%d-%s", os.Getpid(), hex.EncodeToString(b[:]))
	run(t, "ip", "netns", "add", name)
	t.Cleanup(func() {
		if out, err := command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v: %s", name, err, out)
		}
	})
	return name
}

// command builds a command with a generous hang guard.
func command(name string, args ...string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	_ = cancel // released when the process exits; the timeout only guards hangs
	return exec.CommandContext(ctx, name, args...)
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func readNS(t *testing.T, ns string) (*ruleset.Ruleset, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := Options{NetNS: filepath.Join("/run/netns", ns)}
	snap, err := Take(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	src := snap.Source
	rs, errs, err := snap.Build()
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Fatalf("the rendering of the live ruleset does not load: %v\n%s", errs, src.Src)
	}
	return rs, src.Src
}

func loadFile(t *testing.T, path string) *ruleset.Ruleset {
	t.Helper()
	res, err := parser.Load(nil, parser.LoadConfig{}, parser.Source{Name: path})
	if err != nil {
		t.Fatal(err)
	}
	rs, errs := ruleset.Build(res)
	if errs = append(res.Errors, errs...); len(errs) > 0 {
		t.Fatal(errs)
	}
	return rs
}

// ruleText prints a rule's statements.
// Counter values are dropped: the kernel reports them, files rarely
// write them.
func ruleText(r *ruleset.Rule) string {
	var b strings.Builder
	for i, s := range r.Stmts {
		if i > 0 {
			b.WriteString(" ")
		}
		if kw, ok := s.(*parser.KeywordStmt); ok && kw.Keyword == "counter" {
			b.WriteString("counter")
			continue
		}
		parser.FprintNode(&b, s)
	}
	return counterValues.ReplaceAllString(b.String(), "counter")
}

// counterValues are the values of counters nested in other statements
// (meters, set updates).
var counterValues = regexp.MustCompile(`counter packets \d+ bytes \d+`)

// TestReadBackMatchesFile loads testdata/live/filter.nft into a namespace
// and compares what netlink returns with the file's model: tables,
// chains, base-chain specs, every rule statement for statement, sets and
// their elements, and the handles.
func TestReadBackMatchesFile(t *testing.T) {
	got, text := readBack(t, filepath.Join("..", "testdata", "live", "filter.nft"), 10)
	if t.Failed() {
		return
	}
	// Positions name the table, chain and handle: the rendering carries
	// `# handle N` on each rule's line.
	r := got.Tables[0].Chain("input").Rules[0]
	pos := got.Files.Position(r.AST.Pos())
	line := got.Files.File(r.AST.Pos()).Line(pos.Line)
	if pos.Filename != DefaultName || !strings.Contains(line, fmt.Sprintf("# handle %d", r.Handle)) {
		t.Errorf("first input rule at %s: %q, want a line of %s with its handle %d", pos, line, DefaultName, r.Handle)
		t.Logf("rendering:\n%s", text)
	}
	// Tables, chains and sets carry theirs too, as in `nft -a list ruleset`.
	for _, head := range []string{"table inet filter { # handle ", "chain input { # handle ", "set allowed { # handle "} {
		if !strings.Contains(string(text), head) {
			t.Errorf("no line %q… in the rendering:\n%s", head, text)
		}
	}
}

// TestReadBackDecodes does the same with testdata/live/decode.nft:
// constructs whose kernel form needs care (NAT from maps with address
// ranges or address . port data, interval data and concatenated interval
// keys, adjacent intervals, interface wildcards, empty verdict maps,
// meta hour/day ranges and sets, host-order ranges, arp hooks, netdev
// devices).
func TestReadBackDecodes(t *testing.T) {
	readBack(t, filepath.Join("..", "testdata", "live", "decode.nft"), 8)
}

// readBack loads file into a fresh namespace with nft, reads it back and
// compares it with the file's model: tables, chains, base-chain specs
// (with devices), every rule statement for statement, sets and their
// elements, and the handles. At least minRules rules must be compared.
func readBack(t *testing.T, file string, minRules int) (*ruleset.Ruleset, []byte) {
	t.Helper()
	requireKernel(t)
	ns := netns(t)
	run(t, "ip", "netns", "exec", ns, "nft", "-f", file)
	want := loadFile(t, file)
	got, text := readNS(t, ns)
	if !got.Live {
		t.Error("Ruleset.Live not set")
	}
	if len(got.Tables) != len(want.Tables) {
		t.Fatalf("%d tables read back, want %d\n%s", len(got.Tables), len(want.Tables), text)
	}
	rules := 0
	for i, wt := range want.Tables {
		gt := got.Tables[i]
		if gt.Family != wt.Family || gt.Name != wt.Name {
			t.Errorf("table %d: %s %s, want %s %s", i, gt.Family, gt.Name, wt.Family, wt.Name)
			continue
		}
		for _, wc := range wt.Chains {
			gc := gt.Chain(wc.Name)
			if gc == nil {
				t.Errorf("%s %s: chain %s missing", wt.Family, wt.Name, wc.Name)
				continue
			}
			if (wc.Base == nil) != (gc.Base == nil) {
				t.Errorf("chain %s: base %v, want %v", wc.Name, gc.Base != nil, wc.Base != nil)
				continue
			}
			if wb, gb := wc.Base, gc.Base; wb != nil {
				if gb.Type != wb.Type || gb.Hook != wb.Hook || gb.Priority != wb.Priority || gb.Policy != wb.Policy ||
					strings.Join(gb.Devices, ",") != strings.Join(wb.Devices, ",") {
					t.Errorf("chain %s: %s %s %v %d %s, want %s %s %v %d %s", wc.Name, gb.Type, gb.Hook, gb.Devices, gb.Priority, gb.Policy, wb.Type, wb.Hook, wb.Devices, wb.Priority, wb.Policy)
				}
			}
			if len(gc.Rules) != len(wc.Rules) {
				t.Errorf("chain %s: %d rules, want %d", wc.Name, len(gc.Rules), len(wc.Rules))
				continue
			}
			for j := range wc.Rules {
				rules++
				if g, w := ruleText(gc.Rules[j]), ruleText(wc.Rules[j]); g != w {
					t.Errorf("chain %s rule %d:\n got %s\nwant %s", wc.Name, j+1, g, w)
				}
				if gc.Rules[j].Handle == 0 {
					t.Errorf("chain %s rule %d: no handle", wc.Name, j+1)
				}
			}
		}
		for _, ws := range wt.Sets {
			gs := gt.Set(ws.Name)
			if gs == nil {
				t.Errorf("set %s missing", ws.Name)
				continue
			}
			if gs.IsMap != ws.IsMap || len(gs.Elements) != len(ws.Elements) {
				t.Errorf("set %s: map %v with %d elements, want map %v with %d", ws.Name, gs.IsMap, len(gs.Elements), ws.IsMap, len(ws.Elements))
				continue
			}
			// typeof keys read back as their data types (integer for
			// ct bytes): the expressions are kept only in the set's
			// user data, which is not decoded.
			if g, w := nodeText(gs.KeyType), nodeText(ws.KeyType); g != w && !ws.Typeof {
				t.Errorf("set %s: type %s, want %s", ws.Name, g, w)
			}
			// The kernel lists hashed elements in its own order.
			var g, w []string
			for j := range ws.Elements {
				g = append(g, nodeText(gs.Elements[j].Node))
				w = append(w, nodeText(ws.Elements[j].Node))
			}
			sort.Strings(g)
			sort.Strings(w)
			if strings.Join(g, ", ") != strings.Join(w, ", ") {
				t.Errorf("set %s elements:\n got %s\nwant %s", ws.Name, strings.Join(g, ", "), strings.Join(w, ", "))
			}
		}
	}
	for i, wt := range want.Tables {
		if i >= len(got.Tables) {
			break
		}
		for _, wo := range wt.Objects {
			g := got.Tables[i].Object(wo.Kind, wo.Name)
			if g == nil {
				t.Errorf("%s %s: %s %s missing", wt.Family, wt.Name, wo.Kind, wo.Name)
				continue
			}
			if gb, wb := blockText(g.Decl.Body), blockText(wo.Decl.Body); gb != wb {
				t.Errorf("%s %s:\n got %s\nwant %s", wo.Kind, wo.Name, gb, wb)
			}
		}
	}
	if rules < minRules {
		t.Errorf("only %d rules compared", rules)
	}
	if t.Failed() {
		t.Logf("rendering:\n%s", text)
	}
	return got, text
}

// blockText prints the items of a block, one after the other.
func blockText(b *parser.Block) string {
	if b == nil {
		return ""
	}
	var parts []string
	for _, it := range b.Items {
		parts = append(parts, nodeText(it))
	}
	return strings.Join(parts, "; ")
}

func nodeText(n parser.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	parser.FprintNode(&b, n)
	return b.String()
}

// TestReadDockerRules replays commands dockerd runs with iptables-nft
// (xt matches and targets) and checks that they read back as the native
// statements nft prints for them.
func TestReadDockerRules(t *testing.T) {
	requireKernel(t, "iptables-nft")
	ns := netns(t)
	for _, args := range [][]string{
		{"-N", "DOCKER"},
		{"-N", "DOCKER-USER"},
		{"-A", "FORWARD", "-j", "DOCKER-USER"},
		{"-A", "FORWARD", "-o", "docker0", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"},
		{"-A", "FORWARD", "-o", "docker0", "-j", "DOCKER"},
		{"-A", "FORWARD", "-i", "docker0", "!", "-o", "docker0", "-j", "ACCEPT"},
		{"-A", "FORWARD", "-i", "br-+", "-m", "comment", "--comment", "bridge traffic", "-j", "DROP"},
		{"-A", "DOCKER", "-d", "198.51.100.2/32", "!", "-i", "docker0", "-o", "docker0", "-p", "tcp", "-m", "tcp", "--dport", "80", "-j", "ACCEPT"},
		{"-A", "DOCKER-USER", "-p", "tcp", "-m", "multiport", "--dports", "22,80:90", "-j", "RETURN"},
		{"-P", "FORWARD", "DROP"},
		{"-t", "nat", "-N", "DOCKER"},
		{"-t", "nat", "-A", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "DOCKER"},
		{"-t", "nat", "-A", "POSTROUTING", "-s", "198.51.100.0/24", "!", "-o", "docker0", "-j", "MASQUERADE"},
		{"-t", "nat", "-A", "DOCKER", "!", "-i", "docker0", "-p", "tcp", "-m", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "198.51.100.2:80"},
	} {
		run(t, "ip", append([]string{"netns", "exec", ns, "iptables-nft"}, args...)...)
	}
	got, text := readNS(t, ns)
	filter := findTable(got, "ip", "filter")
	nat := findTable(got, "ip", "nat")
	if filter == nil || nat == nil {
		t.Fatalf("ip filter and ip nat not read back:\n%s", text)
	}
	fwd := filter.Chain("FORWARD")
	if fwd == nil || fwd.Base == nil || fwd.Base.Policy != "drop" || fwd.Base.Hook != ruleset.HookForward || fwd.Base.Priority != 0 {
		t.Fatalf("FORWARD: %+v\n%s", fwd, text)
	}
	wantRules := map[string][]string{
		"FORWARD": {
			`jump DOCKER-USER`,
			`oifname "docker0" ct state established,related accept`,
			`oifname "docker0" jump DOCKER`,
			`iifname "docker0" oifname != "docker0" accept`,
			`iifname "br-*" drop`,
		},
		// iptables-nft writes the interface matches first.
		"DOCKER":      {`iifname != "docker0" oifname "docker0" ip daddr 198.51.100.2 tcp dport 80 accept`},
		"DOCKER-USER": {`tcp dport { 22, 80 - 90 } return`},
	}
	for chain, want := range wantRules {
		checkRules(t, filter, chain, want)
	}
	checkRules(t, nat, "PREROUTING", []string{`fib daddr type local jump DOCKER`})
	checkRules(t, nat, "POSTROUTING", []string{`oifname != "docker0" ip saddr 198.51.100.0/24 masquerade`})
	checkRules(t, nat, "DOCKER", []string{`iifname != "docker0" tcp dport 8080 dnat to 198.51.100.2:80`})
	if r := fwd.Rules[4]; r.AST.Comment == nil || r.AST.Comment.Value != "bridge traffic" {
		t.Errorf("the -m comment of rule 5 is not its comment: %#v", r.AST.Comment)
	}

	// Rules iptables-nft wrote with xt matches or targets are marked as
	// readable by it; its rules without xt, and nft's, are not.
	for _, c := range []struct {
		rule *ruleset.Rule
		want bool
	}{
		{fwd.Rules[1], true},                      // -m conntrack
		{fwd.Rules[4], true},                      // -m comment
		{nat.Chain("POSTROUTING").Rules[0], true}, // -j MASQUERADE
		{fwd.Rules[0], false},                     // -j DOCKER-USER: no xt
		{filter.Chain("DOCKER").Rules[0], false},  // -m tcp --dport: iptables-nft writes payload, no xt
	} {
		if c.rule.IptablesCompat != c.want {
			t.Errorf("%s: IptablesCompat %v, want %v", ruleText(c.rule), c.rule.IptablesCompat, c.want)
		}
	}

	// The analyses see Docker's accept of established replies.
	m := fwd.Rules[1].Stmts[1].(*parser.MatchStmt)
	if sel, ok := m.Left.(*parser.Selector); !ok || sel.Path() != "ct state" {
		t.Errorf("conntrack match became %#v, want a ct state match", m.Left)
	}
	if t.Failed() {
		t.Logf("rendering:\n%s", text)
	}
}

func findTable(rs *ruleset.Ruleset, fam, name string) *ruleset.Table {
	for _, t := range rs.Tables {
		if string(t.Family) == fam && t.Name == name {
			return t
		}
	}
	return nil
}

func checkRules(t *testing.T, tbl *ruleset.Table, chain string, want []string) {
	t.Helper()
	c := tbl.Chain(chain)
	if c == nil {
		t.Errorf("chain %s missing", chain)
		return
	}
	var got []string
	for _, r := range c.Rules {
		// Counters that iptables-nft adds are not part of what is compared.
		text := ruleText(r)
		text = strings.TrimPrefix(strings.ReplaceAll(text, " counter", ""), "counter ")
		got = append(got, text)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("chain %s:\n got %s\nwant %s", chain, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// TestRenderIsParseable guards the text layout: the rendering of a live
// ruleset parses as nft text with no errors.
func TestRenderIsParseable(t *testing.T) {
	requireKernel(t)
	ns := netns(t)
	run(t, "ip", "netns", "exec", ns, "nft", "-f", filepath.Join("..", "testdata", "live", "filter.nft"))
	_, text := readNS(t, ns)
	if !bytes.Contains(text, []byte("table inet filter {")) || !bytes.Contains(text, []byte("# handle")) {
		t.Errorf("unexpected rendering:\n%s", text)
	}
}

// Verdict maps keep their key types, empty or not (google/nftables v0.3.0
// loses them; Docker's nftables backend starts with empty ifname maps).
func TestVerdictMapKeyTypes(t *testing.T) {
	requireKernel(t)
	ns := netns(t)
	file := filepath.Join(t.TempDir(), "vmaps.nft")
	src := `table ip vm {
	map empty-jumps { type ifname : verdict; }
	map jumps { type ifname : verdict; elements = { "docker0" : jump c1 } }
	map ports { type ipv4_addr . inet_service : verdict; }
	map marks { type mark : verdict; }
	chain c1 {
	}
	chain f {
		type filter hook forward priority 0; policy accept;
		oifname vmap @empty-jumps
		iifname vmap @jumps
		ip daddr . tcp dport vmap @ports
		meta mark vmap @marks
	}
}
`
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "ip", "netns", "exec", ns, "nft", "-f", file)
	got, text := readNS(t, ns)
	tbl := findTable(got, "ip", "vm")
	if tbl == nil {
		t.Fatalf("table ip vm not read back:\n%s", text)
	}
	for name, want := range map[string]string{
		"empty-jumps": "ifname", "jumps": "ifname", "ports": "ipv4_addr . inet_service", "marks": "mark",
	} {
		s := tbl.Set(name)
		if s == nil || !s.IsMap {
			t.Errorf("map %s not read back", name)
			continue
		}
		var b strings.Builder
		parser.FprintNode(&b, s.KeyType)
		if b.String() != want {
			t.Errorf("map %s: key type %q, want %q", name, b.String(), want)
		}
	}
	if t.Failed() {
		t.Logf("rendering:\n%s", text)
	}
}

func TestTypeName(t *testing.T) {
	for magic, want := range map[uint32]string{
		41:                 "ifname",
		7<<6 | 13:          "ipv4_addr . inet_service",
		7<<12 | 12<<6 | 13: "ipv4_addr . inet_proto . inet_service",
	} {
		if got, ok := typeName(magic); !ok || got != want {
			t.Errorf("typeName(%d) = %q, %v; want %q", magic, got, ok, want)
		}
	}
	if _, ok := typeName(63); ok {
		t.Error("typeName(63) accepted an unknown type")
	}
}

// A chain whose rules the netlink library cannot decode (google/nftables
// v0.3.0 fails on a dynset with a timeout) does not fail the whole read:
// the other chains are read and a warning names the chain.
func TestUndecodableChainIsAWarning(t *testing.T) {
	requireKernel(t)
	ns := netns(t)
	file := filepath.Join(t.TempDir(), "update.nft")
	src := `table ip foo {
	map pinned {
		typeof ip saddr . ct original proto-dst : ip daddr . tcp dport
		size 65535
		flags dynamic,timeout
		timeout 6m
	}

	chain pr {
		update @pinned { ip saddr . ct original proto-dst timeout 1m30s : ip daddr . tcp dport }
	}

	chain ok {
		tcp dport 22 accept
	}
}
`
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "ip", "netns", "exec", ns, "nft", "-f", file)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	snap, err := Take(ctx, Options{NetNS: filepath.Join("/run/netns", ns)})
	if err != nil {
		t.Fatal(err)
	}
	rs, errs, err := snap.Build()
	if err != nil || len(errs) > 0 {
		t.Fatalf("%v %v\n%s", err, errs, snap.Source.Src)
	}
	ok := findTable(rs, "ip", "foo").Chain("ok")
	if ok == nil || len(ok.Rules) != 1 {
		t.Errorf("chain ok not read:\n%s", snap.Source.Src)
	}
	pr := findTable(rs, "ip", "foo").Chain("pr")
	switch {
	case pr == nil:
		t.Errorf("chain pr missing:\n%s", snap.Source.Src)
	case len(pr.Rules) == 1:
		// A newer netlink library decodes it: then there is nothing to warn about.
		if len(snap.Warnings) > 0 {
			t.Errorf("warnings %q although every rule was read", snap.Warnings)
		}
	case len(snap.Warnings) != 1 || !strings.Contains(snap.Warnings[0], "ip foo pr"):
		t.Errorf("warnings %q, want one naming chain ip foo pr", snap.Warnings)
	}
}

// TestReadIptablesTranslations: the xt matches and targets common in
// hand-written iptables rulesets read as the statements nft prints for
// them, so the checks see established accepts, ICMP and ND accepts,
// rejects and marks.
func TestReadIptablesTranslations(t *testing.T) {
	requireKernel(t, "iptables-nft", "ip6tables-nft")
	ns := netns(t)
	for _, c := range []struct {
		tool string
		args []string
	}{
		{"iptables-nft", []string{"-A", "INPUT", "-m", "state", "--state", "ESTABLISHED,RELATED", "-j", "ACCEPT"}},
		{"iptables-nft", []string{"-A", "INPUT", "-p", "icmp", "--icmp-type", "echo-request", "-j", "ACCEPT"}},
		{"iptables-nft", []string{"-A", "INPUT", "-m", "iprange", "--src-range", "192.0.2.1-192.0.2.9", "-j", "ACCEPT"}},
		{"iptables-nft", []string{"-A", "INPUT", "-m", "pkttype", "--pkt-type", "broadcast", "-j", "DROP"}},
		{"iptables-nft", []string{"-A", "INPUT", "-j", "LOG", "--log-prefix", "in: "}},
		{"iptables-nft", []string{"-A", "INPUT", "-j", "REJECT", "--reject-with", "icmp-host-prohibited"}},
		{"iptables-nft", []string{"-A", "OUTPUT", "-j", "MARK", "--set-mark", "5"}},
		{"iptables-nft", []string{"-t", "mangle", "-A", "PREROUTING", "-j", "CONNMARK", "--restore-mark"}},
		{"ip6tables-nft", []string{"-A", "INPUT", "-p", "ipv6-icmp", "--icmpv6-type", "neighbour-solicitation", "-j", "ACCEPT"}},
		{"ip6tables-nft", []string{"-A", "INPUT", "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"}},
	} {
		run(t, "ip", append([]string{"netns", "exec", ns, c.tool}, c.args...)...)
	}
	got, text := readNS(t, ns)
	filter4, filter6, mangle := findTable(got, "ip", "filter"), findTable(got, "ip6", "filter"), findTable(got, "ip", "mangle")
	if filter4 == nil || filter6 == nil || mangle == nil {
		t.Fatalf("tables not read back:\n%s", text)
	}
	checkRules(t, filter4, "INPUT", []string{
		`ct state established,related accept`,
		`icmp type echo-request accept`,
		`ip saddr 192.0.2.1 - 192.0.2.9 accept`,
		`meta pkttype broadcast drop`,
		`log prefix "in: "`,
		`reject with icmp type host-prohibited`,
	})
	checkRules(t, filter4, "OUTPUT", []string{`meta mark set 0x00000005`})
	checkRules(t, mangle, "PREROUTING", []string{`meta mark set ct mark`})
	checkRules(t, filter6, "INPUT", []string{
		`icmpv6 type nd-neighbor-solicit accept`,
		`meta l4proto tcp reject with tcp reset`,
	})
	if t.Failed() {
		t.Logf("rendering:\n%s", text)
	}
}
