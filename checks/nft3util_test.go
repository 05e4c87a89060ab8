package checks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// BenchmarkSafetyChecks runs NFT301–NFT309 together, as one Run shares
// the table index among them, on the large perf ruleset of the shared
// corpus (../shared, or $NFTLINT_SHARED).
func BenchmarkSafetyChecks(b *testing.B) {
	dir := filepath.Join("..", "..", "shared")
	if d := os.Getenv("NFTLINT_SHARED"); d != "" {
		dir = d
	}
	dir = filepath.Join(dir, "corpus", "perf")
	if _, err := os.Stat(filepath.Join(dir, "large-ruleset.nft")); err != nil {
		b.Skipf("perf corpus not found at %s (set NFTLINT_SHARED): %v", dir, err)
	}
	res, err := parser.Load(parser.NewFileSet(), parser.LoadConfig{Dir: dir}, parser.Source{Name: "large-ruleset.nft"})
	if err != nil {
		b.Fatal(err)
	}
	rs, _ := ruleset.Build(res)
	safety := func(c *Check) bool { return strings.HasPrefix(c.ID, "NFT30") }
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Run(rs, &Options{}, safety)
	}
}

// TestPathIs requires pathIs to agree with Selector.Path, including on
// paths that are prefixes of each other.
func TestPathIs(t *testing.T) {
	sel := func(words ...string) *parser.Selector {
		s := &parser.Selector{}
		for _, w := range words {
			s.Words = append(s.Words, parser.Ident{Name: w})
		}
		return s
	}
	sels := []*parser.Selector{sel(), sel("iif"), sel("iifname"), sel("meta", "iif"), sel("meta", "iifname"), sel("ct", "state"), sel("ct", "state", "x"), sel("ct state")}
	paths := []string{"", "iif", "iifname", "meta iif", "meta iifname", "ct state", "ct  state", "ct", "meta"}
	for _, s := range sels {
		for _, p := range paths {
			if got, want := pathIs(s, p), s.Path() == p; got != want {
				t.Errorf("pathIs(%q, %q) = %v, want %v", s.Path(), p, got, want)
			}
		}
	}
}

// TestSafetyChecksReadPackedElements lints input chains whose accepting
// sets the parser may keep packed (parser.ElemRun) and requires the same
// NFT303/NFT306/NFT308/NFT309 findings with packing on and off: ND types
// and port 22 found by value in anonymous and named sets, ranges and
// element order, and no finding where the sets lack them.
func TestSafetyChecksReadPackedElements(t *testing.T) {
	const src = `table inet open {
	set mgmt { type inet_service; elements = { 8000, 20-30, 9000 } }
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iif lo accept
		icmpv6 type { 133, 135, 136 } accept
		tcp dport @mgmt accept
		ip saddr { 10.0.0.0/8, 192.0.2.1-192.0.2.9 } tcp dport { 80, 443 } accept
		ip saddr { 192.0.2.1-192.0.2.9, 10.0.0.0/8 } tcp dport { 443, 80 } accept
	}
}
table inet single {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iif lo accept
		meta l4proto { 6, 58 } accept
		tcp dport { 2222, 22 } accept
	}
}
table inet closed {
	set web { type inet_service; elements = { 80, 443, 8000-8999 } }
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iif lo accept
		icmpv6 type { 1, 2, 128-134 } accept
		tcp dport @web accept
		tcp dport { 23-1000, 3 } drop
		tcp dport { 3, 23-1000 } counter drop
	}
}
`
	lint := func(pack string) []string {
		t.Setenv("NFTLINT_PACK_ELEMENTS", pack)
		diags, _, _ := lintFiles(t, map[string][]byte{"input.nft": []byte(src)}, &Options{})
		var out []string
		for _, d := range diags {
			if strings.HasPrefix(d.Check, "NFT30") {
				out = append(out, fmt.Sprintf("%s %d %s", d.Check, d.Start.Line, d.Message))
			}
		}
		return out
	}
	unpacked, packed := lint("0"), lint("1")
	if strings.Join(unpacked, "\n") != strings.Join(packed, "\n") {
		t.Errorf("findings differ with packed elements:\nunpacked:\n%s\npacked:\n%s", strings.Join(unpacked, "\n"), strings.Join(packed, "\n"))
	}
	want := []string{"NFT309 10", "NFT303 25", "NFT306 25", "NFT308 31"}
	for _, w := range want {
		found := false
		for _, d := range packed {
			found = found || strings.HasPrefix(d, w+" ")
		}
		if !found {
			t.Errorf("no %s finding with packed elements; got:\n%s", w, strings.Join(packed, "\n"))
		}
	}
	if len(packed) != len(want) {
		t.Errorf("got %d NFT30x findings, want %d:\n%s", len(packed), len(want), strings.Join(packed, "\n"))
	}
}
