package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRuleCheckPairs lints pairs of rules that differ in what the rule
// comparisons ignore or only look at closely (counters, logging, comments,
// statements before the matches, marks set from maps or conntrack) and
// requires exactly the findings of NFT307–NFT309 listed: one finding per
// pair at most, and none where the second rule can still match.
func TestRuleCheckPairs(t *testing.T) {
	for _, tc := range []struct {
		name, first, second string
		want                string // "NFT30x message-part", or "" for none
	}{
		{"counter only in the later rule", "tcp dport 22 accept", "tcp dport 22 counter accept", "NFT308 is redundant"},
		{"counter only in the earlier rule", "tcp dport 22 counter accept", "tcp dport 22 accept", "NFT308 is redundant"},
		{"logging and another verdict", "tcp dport 22 log accept", `tcp dport 22 log prefix "late: " drop`, "NFT308 never matches"},
		{"a pure match after a mark set", "tcp dport 22 counter drop", "tcp dport 22 meta mark set 1 accept", "NFT308 never matches"},
		{"the earlier rule only counts", "tcp dport 22 counter", "tcp dport 22 accept", ""},
		{"the earlier rule only logs", `tcp dport 22 log prefix "ssh: "`, "tcp dport 22 drop", ""},
		{"the earlier rule has a limit", "tcp dport 22 limit rate 1/second accept", "tcp dport 22 drop", ""},
		{"the earlier rule has more matches", "tcp dport 22 ct state new accept", "tcp dport 22 accept", ""},
		{"the earlier rule reads random numbers", "tcp dport 22 numgen random mod 2 0 accept", "tcp dport 22 drop", ""},
		{"the later rule sets what it then matches", "meta mark 1 accept", "meta mark set 1 meta mark 1 drop", ""},
		{"a word and a quoted string", "iifname eth0 accept", `iifname "eth0" accept`, ""},
		{"copies that only count", "tcp dport 22 counter", "tcp dport 22 counter", "NFT309 so what it does (count, log, mark, jump) happens twice"},
		{"copies with other comments", `tcp dport 22 accept comment "a"`, `tcp dport 22 accept comment "b"`, "NFT309 the copy never sees a packet"},
		{"copies of matches alone", "udp dport 67", "udp dport 67", "NFT309 does nothing"},
		{"copies of a TCP reset", "tcp dport 113 reject with tcp reset", "tcp dport 113 reject with tcp reset", "NFT309 the copy never sees a packet"},
		{"copies reading random numbers", "numgen random mod 2 0 accept", "numgen random mod 2 0 accept", "NFT309 the copy sees only the packets the first one let through"},
		{"a lone counter", "counter", "tcp dport 22 accept", ""},
		{"a lone log", `log prefix "in: "`, "tcp dport 22 accept", ""},
		{"counter and accept", "counter accept", "tcp dport 22 accept", "NFT307 never evaluated"},
		{"log and accept", "log accept", "tcp dport 22 log accept", "NFT307 never evaluated"},
		{"a constant mark and accept", "meta mark set 0x10 ct mark set meta mark accept", "tcp dport 22 accept", "NFT307 never evaluated"},
		{"a mark from a map", "meta mark set tcp dport map { 22 : 1 } accept", "tcp dport 80 accept", ""},
		{"a mark from conntrack", "meta mark set ct mark accept", "drop", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := "table inet t {\n\tchain c {\n\t\ttype filter hook input priority 0; policy accept;\n\t\t" +
				tc.first + "\n\t\t" + tc.second + "\n\t}\n}\n"
			if err := os.WriteFile(filepath.Join(dir, "pair.nft"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			rs, inputDiags := loadRuleset(t, dir, "pair.nft")
			if len(inputDiags) > 0 {
				t.Fatalf("input error: %s", inputDiags[0].Message)
			}
			var got []Diagnostic
			for _, d := range Run(rs, &Options{}, isRuleCheck) {
				got = append(got, d)
			}
			if tc.want == "" {
				for _, d := range got {
					t.Errorf("unexpected %s: %s", d.Check, d.Message)
				}
				return
			}
			id, part, _ := strings.Cut(tc.want, " ")
			if len(got) != 1 || got[0].Check != id || !strings.Contains(got[0].Message, part) || got[0].Start.Line != 5 {
				t.Errorf("want one %s finding containing %q on line 5, got:", id, part)
				for _, d := range got {
					t.Errorf("  %d: %s: %s", d.Start.Line, d.Check, d.Message)
				}
			}
		})
	}
}
