package report

import (
	"encoding/json"
	"io"

	"github.com/nftlint/nftlint/checks"
)

// CodeClimate writes the GitLab code quality report: a JSON array of
// issues with description, check_name, fingerprint, severity and
// location.path/lines.begin. Suppressed diagnostics are left out.
func CodeClimate(w io.Writer, r *Report) error {
	type lines struct {
		Begin int `json:"begin"`
		End   int `json:"end,omitempty"`
	}
	type location struct {
		Path  string `json:"path"`
		Lines lines  `json:"lines"`
	}
	type issue struct {
		Type        string   `json:"type"`
		Description string   `json:"description"`
		CheckName   string   `json:"check_name"`
		Categories  []string `json:"categories"`
		Fingerprint string   `json:"fingerprint"`
		Severity    string   `json:"severity"`
		Location    location `json:"location"`
	}
	out := []issue{}
	fps := r.fingerprints()
	for i, d := range r.Diagnostics {
		if d.Suppressed != nil {
			continue
		}
		end := endOf(d.Range)
		out = append(out, issue{
			Type:        "issue",
			Description: d.Message + " [" + d.Check + "]",
			CheckName:   d.Check,
			Categories:  []string{"Bug Risk"},
			Fingerprint: fps[i],
			Severity:    codeClimateSeverity(d.Severity),
			Location: location{
				Path:  d.Start.Filename,
				Lines: lines{Begin: max(d.Start.Line, 1), End: max(end.Line, d.Start.Line, 1)},
			},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// codeClimateSeverity maps onto GitLab's info, minor, major, critical,
// blocker: an error breaks the firewall or the containers (critical), a
// warning breaks under conditions (major).
func codeClimateSeverity(s checks.Severity) string {
	switch s {
	case checks.Error:
		return "critical"
	case checks.Warning:
		return "major"
	}
	return "info"
}
