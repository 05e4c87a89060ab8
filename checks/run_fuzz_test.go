package checks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// FuzzChecks loads random input, builds the ruleset and runs every check
// for every runtime: no check may crash. checks.Run turns a panic into an
// "internal error" diagnostic, which fails the target.
func FuzzChecks(f *testing.F) {
	f.Add([]byte("table inet filter {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tjump c\n\t}\n\tchain c { goto forward; }\n}\n"))
	f.Add([]byte("table ip nat {\n\tchain POSTROUTING {\n\t\ttype nat hook postrouting priority srcnat;\n\t\tmasquerade\n\t}\n}\nflush table ip filter\n"))
	f.Add([]byte("define s = { 192.0.2.0/24, 192.0.2.1 }\ntable ip t { set s { type ipv4_addr; flags interval; elements = $s } chain c { ip saddr @s drop } }\n"))
	for _, src := range checksFuzzSeeds() {
		f.Add(src)
	}
	opts := &checks.Options{Runtimes: []checks.Runtime{checks.RuntimeDocker, checks.RuntimeDockerLegacy,
		checks.RuntimeDockerNftables, checks.RuntimePodman, checks.RuntimeKubernetes, checks.RuntimeLibvirt}}
	dir := f.TempDir() // empty: includes find nothing; one for all runs keeps them fast
	f.Fuzz(func(t *testing.T, src []byte) {
		res, err := parser.Load(nil, parser.LoadConfig{Dir: dir}, parser.Source{Name: "fuzz.nft", Src: src})
		if err != nil {
			t.Fatal(err)
		}
		rs, _ := ruleset.Build(res)
		if rs == nil {
			t.Fatal("nil ruleset")
		}
		for _, d := range checks.Run(rs, opts, nil) {
			if strings.Contains(d.Message, "internal error") {
				t.Fatalf("%s crashed: %s %v", d.Check, d.Message, d.Related)
			}
		}
	})
}

// checksFuzzSeeds returns the corpus's rulesets (text and JSON) under 64 KiB, read
// at run time, or nothing when the corpus is absent.
func checksFuzzSeeds() [][]byte {
	shared := os.Getenv("NFTLINT_SHARED")
	if shared == "" {
		shared = filepath.Join("..", "..", "shared")
	}
	dir := filepath.Join(shared, "corpus")
	rows, err := os.ReadFile(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		return nil
	}
	var out [][]byte
	for _, line := range strings.Split(string(rows), "\n")[1:] {
		name, _, _ := strings.Cut(line, "\t")
		if name == "" {
			continue
		}
		if src, err := os.ReadFile(filepath.Join(dir, name)); err == nil && len(src) < 64<<10 {
			out = append(out, src)
		}
	}
	return out
}
