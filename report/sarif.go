package report

import (
	"encoding/json"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/parser"
)

// SARIF 2.1.0 (OASIS), written for GitHub code scanning and checked with
// the Microsoft SARIF Multitool (`validate --rule-kind "Gh;Sarif"`).

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	// srcRoot is the uriBaseId of paths under the working directory.
	srcRoot = "%SRCROOT%"
	// fingerprintKey names nftlint's own partial fingerprint; GitHub's
	// primaryLocationLineHash is left to the uploader.
	fingerprintKey = "nftlint/v1"
	// stdinURI is the artifact URI of input read from stdin.
	stdinURI = "stdin"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	Invocations        []sarifInvocation           `json:"invocations"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	ColumnKind         string                      `json:"columnKind"`
	Results            []sarifResult               `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	Version         string      `json:"version"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	InformationURI  string      `json:"informationUri"`
	Rules           []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name"`
	ShortDescription     sarifText         `json:"shortDescription"`
	FullDescription      sarifText         `json:"fullDescription"`
	Help                 sarifMultiText    `json:"help"`
	HelpURI              string            `json:"helpUri"`
	DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
	Properties           sarifRuleProperty `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifMultiText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProperty struct {
	Tags []string `json:"tags"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool              `json:"executionSuccessful"`
	WorkingDirectory    *sarifArtifactLoc `json:"workingDirectory,omitempty"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	RelatedLocations    []sarifLocation    `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Fixes               []sarifFix         `json:"fixes,omitempty"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifLocation struct {
	ID               *int             `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLoc `json:"physicalLocation"`
	Message          *sarifText       `json:"message,omitempty"`
}

type sarifPhysicalLoc struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifFix struct {
	Description     sarifText             `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifactLoc   `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion `json:"deletedRegion"`
	InsertedContent sarifText   `json:"insertedContent"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

// SARIF writes a SARIF 2.1.0 log with one run. Every registered rule is
// listed so that ruleIndex is stable; results is an empty array, never
// absent, when there are no findings.
func SARIF(w io.Writer, r *Report) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:            r.Tool.Name,
			Version:         r.Tool.Version,
			SemanticVersion: semver(r.Tool.Version),
			InformationURI:  r.Tool.InformationURI,
			Rules:           []sarifRule{},
		}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
		ColumnKind:  "unicodeCodePoints",
		Results:     []sarifResult{},
	}
	if root := dirURI(r.WorkDir); root != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLoc{srcRoot: {URI: root}}
		run.Invocations[0].WorkingDirectory = &sarifArtifactLoc{URI: root}
	}

	index := map[string]int{}
	rules := append([]*checks.Check(nil), r.Rules...)
	for _, d := range r.Diagnostics {
		// A finding from a rule missing in the registry still needs a
		// descriptor for ruleIndex to point at.
		if r.rule(d.Check) == nil && !containsRule(rules, d.Check) {
			rules = append(rules, &checks.Check{ID: d.Check, Name: d.Name, Title: d.Check, Severity: d.Severity})
		}
	}
	for i, c := range rules {
		index[c.ID] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, r.sarifRule(c))
	}

	fps := r.fingerprints()
	for i, d := range r.Diagnostics {
		res := sarifResult{
			RuleID:              d.Check,
			RuleIndex:           index[d.Check],
			Level:               sarifLevel(d.Severity),
			Message:             sarifText{Text: sentence(d.Message)},
			Locations:           []sarifLocation{{PhysicalLocation: r.physical(d.Range)}},
			PartialFingerprints: map[string]string{fingerprintKey: fps[i]},
		}
		for j, rel := range d.Related {
			id := j + 1
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
				ID:               &id,
				PhysicalLocation: r.physical(rel.Range),
				Message:          &sarifText{Text: sentence(rel.Message)},
			})
		}
		for _, f := range d.Fixes {
			res.Fixes = append(res.Fixes, r.sarifFix(f))
		}
		if s := d.Suppressed; s != nil {
			res.Suppressions = []sarifSuppression{{Kind: "inSource", Justification: s.Reason}}
		}
		run.Results = append(run.Results, res)
	}

	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

func containsRule(rules []*checks.Check, id string) bool {
	for _, c := range rules {
		if c.ID == id {
			return true
		}
	}
	return false
}

func (r *Report) sarifRule(c *checks.Check) sarifRule {
	doc := strings.TrimSpace(c.Doc)
	if doc == "" {
		doc = c.Title
	}
	tags := c.Tags
	if tags == nil {
		tags = []string{}
	}
	return sarifRule{
		ID:                   c.ID,
		Name:                 c.Name,
		ShortDescription:     sarifText{Text: sentence(c.Title)},
		FullDescription:      sarifText{Text: sentence(firstParagraph(doc))},
		Help:                 sarifMultiText{Text: doc, Markdown: "**" + c.ID + " " + c.Name + "**: " + c.Title + "\n\n" + doc},
		HelpURI:              r.Tool.HelpURI(c.ID),
		DefaultConfiguration: sarifRuleConfig{Level: sarifLevel(c.Severity)},
		Properties:           sarifRuleProperty{Tags: tags},
	}
}

func (r *Report) sarifFix(f checks.Fix) sarifFix {
	out := sarifFix{Description: sarifText{Text: sentence(f.Message)}}
	byFile := map[string]int{}
	for _, e := range f.Edits {
		start, end := r.editRange(e)
		if !start.IsValid() {
			continue
		}
		i, ok := byFile[e.Filename]
		if !ok {
			i = len(out.ArtifactChanges)
			byFile[e.Filename] = i
			out.ArtifactChanges = append(out.ArtifactChanges, sarifArtifactChange{
				ArtifactLocation: r.artifact(e.Filename),
			})
		}
		ch := &out.ArtifactChanges[i]
		ch.Replacements = append(ch.Replacements, sarifReplacement{
			DeletedRegion: sarifRegion{
				StartLine: start.Line, StartColumn: start.Column,
				EndLine: end.Line, EndColumn: end.Column,
			},
			InsertedContent: sarifText{Text: e.NewText},
		})
	}
	if out.ArtifactChanges == nil {
		out.ArtifactChanges = []sarifArtifactChange{}
	}
	return out
}

func (r *Report) physical(rg parser.Range) sarifPhysicalLoc {
	loc := sarifPhysicalLoc{ArtifactLocation: r.artifact(rg.Start.Filename)}
	if rg.Start.Line >= 1 {
		end := endOf(rg)
		reg := &sarifRegion{StartLine: rg.Start.Line, StartColumn: max(rg.Start.Column, 1)}
		reg.EndLine = max(end.Line, reg.StartLine)
		reg.EndColumn = max(end.Column, 1)
		if reg.EndLine == reg.StartLine && reg.EndColumn < reg.StartColumn {
			reg.EndColumn = reg.StartColumn
		}
		loc.Region = reg
	} else {
		// Code scanning rejects results without a region: point at the
		// file's first line.
		loc.Region = &sarifRegion{StartLine: 1}
	}
	return loc
}

// artifact returns where a file is: a relative URI under %SRCROOT% when
// it lies inside the working directory, else an absolute file URI; input
// read from stdin is "stdin".
func (r *Report) artifact(name string) sarifArtifactLoc {
	if name == StdinName || name == "" {
		return sarifArtifactLoc{URI: stdinURI}
	}
	abs := name
	if !isAbs(name) {
		abs = filepath.Join(r.WorkDir, filepath.FromSlash(name))
	}
	if r.WorkDir != "" {
		if rel, err := filepath.Rel(r.WorkDir, abs); err == nil {
			rel = filepath.ToSlash(rel)
			if rel != ".." && !strings.HasPrefix(rel, "../") && !isAbs(rel) {
				return sarifArtifactLoc{URI: escapePath(rel), URIBaseID: srcRoot}
			}
		}
	}
	return sarifArtifactLoc{URI: fileURI(abs)}
}

func isAbs(name string) bool {
	return filepath.IsAbs(name) || path.IsAbs(filepath.ToSlash(name))
}

// fileURI turns an absolute path into a file:// URI.
func fileURI(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x → /C:/x
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// dirURI is fileURI for a directory, with the trailing slash SARIF
// requires of base URIs; "" for an unknown directory.
func dirURI(dir string) string {
	if dir == "" {
		return ""
	}
	u := fileURI(dir)
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// escapePath percent-encodes a relative slash path for use as a relative
// URI reference. A colon in the first segment would make it read as a
// scheme; it is encoded rather than hidden behind the "./" url.URL would
// add, which code scanning does not accept.
func escapePath(p string) string {
	first, rest, more := strings.Cut(p, "/")
	esc := strings.ReplaceAll((&url.URL{Path: first}).EscapedPath(), ":", "%3A")
	esc = strings.TrimPrefix(esc, "./")
	if more {
		esc += "/" + (&url.URL{Path: rest}).EscapedPath()
	}
	return esc
}

func sarifLevel(s checks.Severity) string {
	switch s {
	case checks.Error:
		return "error"
	case checks.Warning:
		return "warning"
	}
	return "note"
}

// sentence ends s with a period: SARIF messages are sentences (the
// Multitool's SARIF2001), while nftlint's own messages carry none.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	// A paragraph that introduces a list or table ends with a colon.
	return strings.TrimSuffix(s, ":") + "."
}

// firstParagraph returns the first paragraph of a Markdown text as one line.
func firstParagraph(doc string) string {
	para, _, _ := strings.Cut(strings.TrimSpace(doc), "\n\n")
	return strings.Join(strings.Fields(para), " ")
}

// semver returns v without a leading "v" when it looks like a semantic
// version, else "".
func semver(v string) string {
	v = strings.TrimPrefix(v, "v")
	if v == "" || v[0] < '0' || v[0] > '9' || strings.Count(v, ".") < 2 {
		return ""
	}
	return v
}
