package checks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// eachRule visits every rule once: jump bodies through their origin rule
// (attributed to its chain), the bodies of flushed origins as chains of
// their own, and rules added to an anonymous chain by its name too.
func TestEachRuleVisitsEveryRuleOnce(t *testing.T) {
	const src = `table ip t {
	chain c {
		ip saddr 192.0.2.1 jump { ip daddr 192.0.2.2 accept; tcp dport 22 jump { drop } }
		counter
	}
	chain d {
		udp dport 53 jump { accept }
	}
}
add rule ip t __chain0 udp dport 1 drop
flush chain ip t d
`
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.nft"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, _ := loadRuleset(t, dir, "main.nft")
	var got []string
	eachRule(rs, func(r ruleRef) {
		pos := rs.Files.Position(r.Node.Pos())
		got = append(got, fmt.Sprintf("%d:%d %s anon=%v", pos.Line, pos.Column, r.Chain.Name, r.Anon))
	})
	want := []string{
		"3:3 c anon=false",
		"3:29 c anon=true",
		"3:56 c anon=true",
		"3:76 c anon=true",
		"4:3 c anon=false",
		"10:24 __chain0 anon=true",
		"7:23 __chain2 anon=true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("eachRule visited\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
