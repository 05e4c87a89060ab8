package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/parser"
)

// The cap applied while the checks run (checks.Options.MaxPerCheck and
// Admit) gives what capping the whole sorted list gives: the same
// findings, notes, positions and severities, with suppressions, severity
// overrides and a minimum severity in play.
func TestCapWhileCheckingMatchesCapAfter(t *testing.T) {
	var src strings.Builder
	src.WriteString("table inet t {\n")
	for i := range 12 {
		fmt.Fprintf(&src, "\tchain c%d {\n\t\tpolicy drop;\n\t}\n", i) // NFT204, an error
	}
	src.WriteString("\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n")
	for i := range 15 {
		// Duplicate rules (NFT309) and rules they shadow, some suppressed.
		line := "\t\ttcp dport 22 counter accept"
		if i%4 == 1 {
			line += " # nftlint disable=NFT309 -- kept on purpose"
		}
		src.WriteString(line + "\n")
	}
	src.WriteString("\t}\n}\n")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.nft"), []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	lintWith := func(maxPerRule int, keepSuppressed bool, severity map[string]checks.Severity, min checks.Severity) []checks.Diagnostic {
		res, err := Lint(parser.Source{Name: "a.nft"}, &Options{
			Dir: dir, InlineSuppress: true, KeepSuppressed: keepSuppressed,
			Severity: severity, MinSeverity: min, MaxPerRule: maxPerRule,
		})
		if err != nil {
			t.Fatal(err)
		}
		return res.Diagnostics
	}
	render := func(ds []checks.Diagnostic) string {
		var b strings.Builder
		for _, d := range ds {
			fmt.Fprintf(&b, "%d:%d-%d:%d %s %v suppressed=%v %s\n", d.Start.Line, d.Start.Column, d.End.Line, d.End.Column,
				d.Check, d.Severity, d.Suppressed != nil, d.Message)
		}
		return b.String()
	}
	for _, tc := range []struct {
		name     string
		keep     bool
		severity map[string]checks.Severity
		min      checks.Severity
	}{
		{"defaults", false, nil, 0},
		{"suppressed kept", true, nil, 0},
		{"override and minimum", false, map[string]checks.Severity{"NFT204": checks.Info}, checks.Warning},
		{"override up", true, map[string]checks.Severity{"NFT309": checks.Error}, checks.Info},
	} {
		for _, limit := range []int{1, 2, 3, 5, 20} {
			all := lintWith(-1, tc.keep, tc.severity, tc.min)
			count := map[string]int{}
			for _, d := range all {
				if !checks.IsInputRule(d.Check) {
					count[d.Check]++
				}
			}
			if count["NFT204"]+count["NFT309"] == 0 {
				t.Fatalf("%s: no NFT204 or NFT309 finding to cap:\n%s", tc.name, render(all))
			}
			want := render(capPerRule(all, limit, count))
			if got := render(lintWith(limit, tc.keep, tc.severity, tc.min)); got != want {
				t.Errorf("%s, cap %d: findings\n%s\nwant, as when the whole list is capped,\n%s", tc.name, limit, got, want)
			}
		}
	}
}
