package report

import (
	"encoding/xml"
	"fmt"
	"io"
)

// Checkstyle writes the checkstyle XML format understood by Jenkins,
// reviewdog and others: one <file> per file, one <error> per diagnostic.
// Suppressed diagnostics are left out.
func Checkstyle(w io.Writer, r *Report) error {
	type csError struct {
		Line     int    `xml:"line,attr"`
		Column   int    `xml:"column,attr,omitempty"`
		Severity string `xml:"severity,attr"`
		Message  string `xml:"message,attr"`
		Source   string `xml:"source,attr"`
	}
	type csFile struct {
		Name   string    `xml:"name,attr"`
		Errors []csError `xml:"error"`
	}
	type csRoot struct {
		XMLName xml.Name  `xml:"checkstyle"`
		Version string    `xml:"version,attr"`
		Files   []*csFile `xml:"file"`
	}
	root := csRoot{Version: "4.3"}
	byName := map[string]*csFile{}
	for _, d := range r.Diagnostics {
		if d.Suppressed != nil {
			continue
		}
		name := d.Start.Filename
		if name == "" {
			name = StdinName
		}
		f := byName[name]
		if f == nil {
			f = &csFile{Name: name}
			byName[name] = f
			root.Files = append(root.Files, f)
		}
		f.Errors = append(f.Errors, csError{
			Line:     d.Start.Line,
			Column:   d.Start.Column,
			Severity: d.Severity.String(),
			Message:  fmt.Sprintf("%s [%s]", d.Message, d.Check),
			Source:   "nftlint." + d.Check,
		})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
