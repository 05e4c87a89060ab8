// Package checks holds the check framework and one file per check.
//
// A check is a value of type *Check, declared in its own file
// (nft101_forward_drop.go) and listed once in registry.go. It never prints:
// it reports Diagnostics through its Pass. Modelled on
// golang.org/x/tools/go/analysis.
package checks

import (
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// Severity orders findings. The zero value is invalid.
type Severity int

const (
	Info Severity = iota + 1
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "invalid"
}

// ParseSeverity parses "info", "warning" or "error".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "info", "note":
		return Info, nil
	case "warning", "warn":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want error, warning or info)", s)
}

// Runtime names a container runtime profile (--runtime).
type Runtime string

const (
	RuntimeDocker         Runtime = "docker"
	RuntimeDockerLegacy   Runtime = "docker-legacy"
	RuntimeDockerNftables Runtime = "docker-nftables"
	RuntimePodman         Runtime = "podman"
	RuntimeKubernetes     Runtime = "kubernetes"
	RuntimeLibvirt        Runtime = "libvirt"
	RuntimeNone           Runtime = "none"
)

// Check is one lint rule.
type Check struct {
	ID       string   // "NFT101"; never changes meaning once released
	Name     string   // kebab-case, "forward-drop-without-container-accept"
	Title    string   // one line, lowercase start, no period
	Doc      string   // Markdown: why it matters, what breaks, how to fix, references
	Severity Severity // default severity; a check may choose per finding
	// Runtimes lists the runtime profiles the check applies to; empty
	// means it applies whatever the runtime (NFT0xx, NFT2xx–NFT4xx).
	Runtimes []Runtime
	Tags     []string // e.g. "container", "security", "correctness"
	Run      func(*Pass)
}

// Pass is what a check sees: the ruleset and the run's options, and a way
// to report.
type Pass struct {
	Check   *Check
	Ruleset *ruleset.Ruleset
	Files   *parser.FileSet
	Options *Options

	report func(Diagnostic)

	// tableIndex is shared by the passes of one Run (per-table data that
	// several checks derive alike); nil until first used otherwise.
	tableIndex *tableIndex

	// shared is what the passes of one Run derive from the whole ruleset
	// alike (run.go); nil until first used otherwise.
	shared *runShared

	// chainRules is this pass's index of where each chain's rules are in
	// the table index (nft3util.go, the safety checks); nil until used.
	chainRules map[*ruleset.Table]*chainRuleIndex
}

// NewPass returns a Pass that hands every diagnostic to report.
func NewPass(c *Check, rs *ruleset.Ruleset, opts *Options, report func(Diagnostic)) *Pass {
	return &Pass{Check: c, Ruleset: rs, Files: rs.Files, Options: opts, report: report}
}

// Options are the settings that checks read.
type Options struct {
	Runtimes []Runtime
	// ContainerIfaces are interface-name patterns of container bridges
	// (nft wildcard syntax: a trailing '*'), from the runtime profiles or
	// --container-iface.
	ContainerIfaces []string
	// NftVersion is the target nft version ("1.0.6"); "" means the newest.
	NftVersion string

	// Admit, when set, sees each finding as its check reports it, on
	// the check's goroutine (checks run concurrently): it may rewrite
	// the finding (a severity override, a suppression) and reports
	// whether Run keeps it. Unset, Run keeps every finding.
	Admit func(*Diagnostic) bool
	// MaxPerCheck, when positive, bounds what Run keeps of one check's
	// findings, so that a check reporting a million of them does not
	// hold them all: the first MaxPerCheck+1 in FindingOrder. When it
	// left some out, the last one kept stands for them: its severity is
	// the highest of theirs and its own (the caller replaces it with a
	// note counting the rest, as lint's cap does).
	MaxPerCheck int
}

// Report records a diagnostic. Check and Severity default to the pass's
// check and its default severity.
func (p *Pass) Report(d Diagnostic) {
	if d.Check == "" {
		d.Check = p.Check.ID
	}
	if d.Name == "" {
		d.Name = p.Check.Name
	}
	if d.Severity == 0 {
		d.Severity = p.Check.Severity
	}
	p.report(d)
}

// Reportf reports a diagnostic spanning node with the default severity.
func (p *Pass) Reportf(node parser.Node, format string, args ...any) {
	p.Report(Diagnostic{
		Range:   p.Files.Range(node.Pos(), node.End()),
		Message: fmt.Sprintf(format, args...),
	})
}

// Range returns the resolved range of node.
func (p *Pass) Range(node parser.Node) parser.Range {
	return p.Files.Range(node.Pos(), node.End())
}

// Diagnostic is one finding.
type Diagnostic struct {
	parser.Range
	Check    string // rule ID, "NFT101"
	Name     string // rule name
	Severity Severity
	Message  string
	Fixes    []Fix
	Related  []Related
	// Suppressed holds the reason of an inline suppression that matched;
	// suppressed diagnostics are dropped before reporting unless asked for.
	Suppressed *Suppression
}

// Related points at another place that explains a finding
// ("FORWARD declared here").
type Related struct {
	parser.Range
	Message string
}

// Fix is one suggested fix: a set of non-overlapping text edits.
type Fix struct {
	Message string // verb phrase: "rename the chain to FORWARD"
	Edits   []TextEdit
}

// TextEdit replaces the bytes [Start, End) of Filename with NewText.
type TextEdit struct {
	Filename   string
	Start, End int // byte offsets
	NewText    string
}

// Suppression is an inline `# nftlint disable=…` directive.
type Suppression struct {
	parser.Range
	Checks []string
	Reason string
	File   bool // disable-file
	Used   bool
}
