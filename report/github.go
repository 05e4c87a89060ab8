package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/nftlint/nftlint/checks"
)

// GitHub writes one workflow command per diagnostic, which GitHub Actions
// turns into an annotation on the file:
//
//	::error file=a.nft,line=3,col=5,endLine=3,endColumn=12,title=NFT101 (name)::message
//
// Suppressed diagnostics are left out: an annotation cannot say so.
func GitHub(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	for _, d := range r.Diagnostics {
		if d.Suppressed != nil {
			continue
		}
		var props []string
		if d.Start.Filename != "" && d.Start.Filename != StdinName {
			props = append(props, "file="+escapeProperty(d.Start.Filename))
		}
		if d.Start.Line >= 1 {
			end := endOf(d.Range)
			props = append(props, fmt.Sprintf("line=%d", d.Start.Line))
			if d.Start.Column >= 1 {
				props = append(props, fmt.Sprintf("col=%d", d.Start.Column))
			}
			if end.Line >= d.Start.Line {
				props = append(props, fmt.Sprintf("endLine=%d", end.Line))
				if end.Column >= 1 {
					props = append(props, fmt.Sprintf("endColumn=%d", end.Column))
				}
			}
		}
		title := d.Check
		if d.Name != "" {
			title += " (" + d.Name + ")"
		}
		props = append(props, "title="+escapeProperty(title))
		fmt.Fprintf(bw, "::%s %s::%s\n", githubLevel(d.Severity), strings.Join(props, ","), escapeData(d.Message))
	}
	return bw.Flush()
}

func githubLevel(s checks.Severity) string {
	switch s {
	case checks.Error:
		return "error"
	case checks.Warning:
		return "warning"
	}
	return "notice"
}

// escapeData escapes a workflow command's message (as @actions/core does).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command property value, where ':' and
// ',' are separators.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
