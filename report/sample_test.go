package report

import (
	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/parser"
)

// sampleSource is a small file with a tab, a non-ASCII comment and a
// finding after it, so that column handling shows in the output.
const sampleSource = "table ip filter {\n\tchain FORWARD { # “quoted” ä\n\t\ttype filter hook forward priority 0; policy drop;\n\t}\n}\n"

// sampleReport builds a report by hand: two files, three rules, related
// locations, a fix and a suppressed finding.
func sampleReport(workDir string) *Report {
	fset := parser.NewFileSet()
	a := fset.AddFile("conf/a.nft", []byte(sampleSource))
	b := fset.AddFile("/elsewhere/b.nft", []byte("flush ruleset\n"))
	rng := func(f *parser.File, from, to int) parser.Range {
		return parser.Range{Start: f.PositionAt(from), End: f.PositionAt(to)}
	}
	rules := []*checks.Check{
		{ID: "NFT001", Name: "syntax-error", Title: "the file is not valid nft syntax", Doc: "First paragraph\nwraps.\n\nSecond.", Severity: checks.Error, Tags: []string{"input"}},
		{ID: "NFT101", Name: "forward-drop", Title: "forward policy drop", Doc: "Why it matters.\n\n**Fix:** accept.", Severity: checks.Error, Tags: []string{"container"}},
		{ID: "NFT301", Name: "flush-ruleset", Title: "flush ruleset removes other tables", Doc: "Docker's rules go away.", Severity: checks.Warning},
	}
	// "drop" in line 3.
	dropAt := len("table ip filter {\n\tchain FORWARD { # “quoted” ä\n\t\ttype filter hook forward priority 0; policy ")
	chainAt := len("table ip filter {\n\t")
	return &Report{
		Tool:    DefaultTool("1.2.3"),
		Rules:   rules,
		WorkDir: workDir,
		Files:   map[string]*parser.File{a.Name(): a, b.Name(): b},
		Diagnostics: []checks.Diagnostic{
			{
				Range: rng(a, dropAt, dropAt+4), Check: "NFT101", Name: "forward-drop", Severity: checks.Error,
				Message: "forward policy drop blocks container traffic, so published ports stop answering; accept docker0",
				Related: []checks.Related{{Range: rng(a, chainAt, chainAt+len("chain FORWARD")), Message: "chain declared here"}},
				Fixes: []checks.Fix{{Message: "change the policy to accept", Edits: []checks.TextEdit{
					{Filename: a.Name(), Start: dropAt, End: dropAt + 4, NewText: "accept"},
				}}},
			},
			{
				Range: rng(a, chainAt, len(sampleSource)-2), Check: "NFT301", Name: "flush-ruleset", Severity: checks.Info,
				Message:    "a multi-line range, with \"quotes\", <angle> & 100% per cent, comma",
				Suppressed: &checks.Suppression{Range: rng(a, 0, 1), Checks: []string{"NFT301"}, Reason: "we know"},
			},
			{
				Range: rng(b, 0, len("flush ruleset")), Check: "NFT301", Name: "flush-ruleset", Severity: checks.Warning,
				Message: "flush ruleset deletes the tables docker created: containers lose\nnetwork",
			},
		},
		FilesLinted: 2,
	}
}
