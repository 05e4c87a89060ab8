package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/nftlint/nftlint/checks"
)

// Rule documentation, rendered from the check registry: the pages under
// docs/rules/ (go generate), `nftlint --explain` and `nftlint --list-rules`.

// GeneratedNotice heads every generated documentation file.
const GeneratedNotice = "<!-- Generated from the check registry by `go generate ./...`; DO NOT EDIT. -->"

// runtimesOf describes the runtimes a rule applies to.
func runtimesOf(c *checks.Check) string {
	if len(c.Runtimes) == 0 {
		return "all"
	}
	names := make([]string, len(c.Runtimes))
	for i, r := range c.Runtimes {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// RuleMarkdown renders the documentation page of one rule.
func RuleMarkdown(c *checks.Check) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s\n\n", c.ID, c.Name)
	fmt.Fprintf(&b, "%s.\n\n", capitalize(c.Title))
	b.WriteString("| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| Default severity | %s |\n", c.Severity)
	fmt.Fprintf(&b, "| Runtimes | %s |\n", runtimesOf(c))
	if len(c.Tags) > 0 {
		fmt.Fprintf(&b, "| Tags | %s |\n", strings.Join(c.Tags, ", "))
	}
	b.WriteString("\n")
	b.WriteString(strings.TrimSpace(c.Doc))
	b.WriteString("\n")
	if checks.IsInputRule(c.ID) {
		b.WriteString("\nThis rule cannot be disabled, suppressed or downgraded: nft refuses such input.\n")
	} else {
		fmt.Fprintf(&b, "\n## Configuration\n\nDisable with `--disable %s` or `disable: [%s]` in `.nftlint.yaml`; change the severity with `severity: {%s: info}`; suppress one finding with `# nftlint disable=%s -- reason` on or above its line.\n",
			c.ID, c.ID, c.ID, c.ID)
	}
	return b.String()
}

// RulesIndexMarkdown renders docs/rules/README.md: a table of every rule.
func RulesIndexMarkdown(rules []*checks.Check) string {
	var b strings.Builder
	b.WriteString("# nftlint rules\n\n")
	b.WriteString("`NFT0xx` input (syntax, includes, limits) · `NFT1xx` container-runtime coexistence · `NFT2xx` what nft or the kernel rejects at load time · `NFT3xx` safety · `NFT4xx` maintainability. `nftlint --explain ID` prints a page in the terminal.\n\n")
	b.WriteString("| ID | Name | Severity | Runtimes | Title |\n|---|---|---|---|---|\n")
	for _, c := range rules {
		fmt.Fprintf(&b, "| [%s](%s.md) | `%s` | %s | %s | %s |\n", c.ID, c.ID, c.Name, c.Severity, runtimesOf(c), strings.ReplaceAll(c.Title, "|", "\\|"))
	}
	return b.String()
}

// RulesTable writes the `--list-rules` table.
func RulesTable(w io.Writer, rules []*checks.Check, enabled func(id string) bool) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSEVERITY\tRUNTIMES\tTITLE")
	for _, c := range rules {
		id := c.ID
		if enabled != nil && !enabled(c.ID) {
			id += " (off)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", id, c.Name, c.Severity, runtimesOf(c), c.Title)
	}
	return tw.Flush()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
