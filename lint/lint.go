// Package lint is the pipeline shared by the command and the tests: load
// one input as `nft -f` would (parser.Load), turn input errors into
// NFT001–NFT003 findings, build the ruleset, run the enabled checks,
// apply inline suppressions and report the unused ones (NFT401), apply
// severity overrides, and sort.
package lint

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"sync"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// Options configure one lint run.
type Options struct {
	// Checks are the options the checks read (runtimes, interfaces, nft version).
	Checks checks.Options
	// Enabled reports whether a rule runs; nil runs all. The input rules
	// always run.
	Enabled func(id string) bool
	// Severity overrides rules' severities (input rules excepted).
	Severity map[string]checks.Severity
	// MinSeverity drops findings below it (0: keep all).
	MinSeverity checks.Severity
	// InlineSuppress applies `# nftlint disable=…` directives.
	InlineSuppress bool
	// KeepSuppressed keeps suppressed findings in the result (with
	// Suppressed set) instead of dropping them.
	KeepSuppressed bool

	// Where includes are searched and what may be read (parser.LoadConfig).
	Dir            string
	IncludePaths   []string
	IncludeOutside bool
	Stdin          io.Reader

	// InputFormat is "text", "json" or "" (detect: JSON when the first
	// non-blank byte is '{').
	InputFormat string

	// MaxPerRule caps the findings of one rule in one input (0:
	// DefaultMaxPerRule, negative: no cap). Past it one note counts the
	// findings left out, so that 250,000 copies of a rule do not make tens
	// of megabytes of output. The input rules have their own cap.
	MaxPerRule int

	// Debug adds the stack trace to the error of a recovered panic (the
	// command sets it from NFTLINT_DEBUG).
	Debug bool

	// Annotate, when set, completes the model before the checks run: the
	// live reader marks it live and adds kernel handles (live.Snapshot).
	Annotate func(*ruleset.Ruleset)

	// NftVersion, when set and Checks.NftVersion is empty, gives the
	// target nft version once the input is loaded: the command asks the
	// local nft (a process to start) while the input is parsed.
	NftVersion func() string
}

// DefaultMaxPerRule is the default of Options.MaxPerRule.
const DefaultMaxPerRule = 1000

// Result is the outcome of linting one input.
type Result struct {
	// Files holds the input and every file it included.
	Files *parser.FileSet
	// Diagnostics, sorted by file, line, column, rule and message.
	Diagnostics []checks.Diagnostic
}

// Lint lints one input named on the command line. The error is set only
// when the input itself cannot be read (the command exits 2); problems
// inside the input are findings.
func Lint(src parser.Source, opts *Options) (res *Result, err error) {
	if opts == nil {
		opts = &Options{InlineSuppress: true}
	}
	// Never let a bug turn into a crash of the whole command: it becomes
	// a one-line error naming the input, so the other inputs are still
	// linted; the stack trace only on request.
	defer func() {
		if v := recover(); v != nil {
			msg := fmt.Sprintf("%s: internal error: %s; this is a bug in nftlint, please report it with the input", src.Name, parser.CleanMessage(fmt.Sprint(v)))
			if opts.Debug {
				msg += "\n" + string(debug.Stack())
			} else {
				msg += " (NFTLINT_DEBUG=1 adds the stack trace)"
			}
			res, err = nil, errors.New(msg)
		}
	}()

	fset := parser.NewFileSet()
	loaded, err := parser.Load(fset, parser.LoadConfig{
		Dir:            opts.Dir,
		IncludePaths:   opts.IncludePaths,
		IncludeOutside: opts.IncludeOutside,
		Stdin:          opts.Stdin,
		InputFormat:    opts.InputFormat,
	}, src)
	if err != nil {
		return nil, err
	}

	diags := errorDiagnostics(loaded.Errors)
	// Commands nft cannot apply are the NFT200 check's findings (it
	// replays the build), so they can be disabled and suppressed.
	rs, _ := ruleset.Build(loaded)
	if opts.Annotate != nil {
		opts.Annotate(rs)
	}

	ran := func(id string) bool {
		if checks.IsInputRule(id) {
			return true
		}
		if id == checks.UnusedSuppressionID && !opts.InlineSuppress {
			return false
		}
		if opts.Enabled != nil && !opts.Enabled(id) {
			return false
		}
		c := checks.Lookup(id)
		return c != nil && applies(c, &opts.Checks)
	}
	checkOpts := opts.Checks
	if checkOpts.NftVersion == "" && opts.NftVersion != nil {
		checkOpts.NftVersion = opts.NftVersion()
	}
	maxPerRule := opts.MaxPerRule
	if maxPerRule == 0 {
		maxPerRule = DefaultMaxPerRule
	}
	var sup *suppressions
	if opts.InlineSuppress {
		sup = collectSuppressions(fset, rs.ASTs)
	}
	// The findings are filtered as the checks report them, and of a rule
	// past the cap only the first cap+1 are kept (the last standing for
	// the rest): a rule reporting thousands of findings does not hold
	// them all until capPerRule.
	admitted := &ruleCounts{n: map[string]int{}}
	admit := func(d *checks.Diagnostic) bool {
		if sup != nil {
			sup.applyTo(d)
		}
		if sev, ok := opts.Severity[d.Check]; ok && sev >= checks.Info && sev <= checks.Error {
			d.Severity = sev
		}
		if d.Suppressed != nil && !opts.KeepSuppressed || d.Severity < opts.MinSeverity {
			return false
		}
		cleanMessages(d)
		admitted.add(d.Check)
		return true
	}
	checkOpts.Admit = admit
	checkOpts.MaxPerCheck = max(maxPerRule, 0)
	found := checks.Run(rs, &checkOpts, func(c *checks.Check) bool { return ran(c.ID) })

	// The input rules' findings are neither suppressed nor filtered.
	for i := range diags {
		cleanMessages(&diags[i])
	}
	if len(diags) == 0 {
		diags = found // thousands of findings on a large ruleset: no copy
	} else {
		diags = append(diags, found...)
	}
	if sup != nil {
		for _, d := range sup.unused(ran) { // after the checks: which directives they used
			if admit(&d) { // `disable=NFT401` may cover these
				diags = append(diags, d)
			}
		}
	}
	Sort(diags)
	out := diags
	if maxPerRule > 0 {
		out = capPerRule(out, maxPerRule, admitted.n)
	}
	return &Result{Files: fset, Diagnostics: out}, nil
}

// ruleCounts counts findings by rule, from the checks' goroutines.
type ruleCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *ruleCounts) add(rule string) {
	c.mu.Lock()
	c.n[rule]++
	c.mu.Unlock()
}

// applies reports whether c applies to the selected runtimes.
func applies(c *checks.Check, opts *checks.Options) bool {
	if len(c.Runtimes) == 0 {
		return true
	}
	for _, r := range c.Runtimes {
		if opts.HasRuntime(r) {
			return true
		}
	}
	return false
}

// capPerRule keeps the first limit findings of each rule (ds is sorted,
// so the same ones every run) and puts one note in place of the rest, at
// the first one left out. The note has the highest severity of those it
// stands for, so that the exit status does not change. count holds the
// number of findings of each rule, also of those checks.Run left out
// (Options.MaxPerCheck: the first left out stands for the rest).
func capPerRule(ds []checks.Diagnostic, limit int, count map[string]int) []checks.Diagnostic {
	over := false
	for _, n := range count {
		over = over || n > limit
	}
	if !over {
		return ds
	}
	kept := map[string]int{}
	notes := map[string]int{} // rule → index of its note in out
	out := ds[:0]
	for _, d := range ds {
		if checks.IsInputRule(d.Check) {
			out = append(out, d)
			continue
		}
		kept[d.Check]++
		if kept[d.Check] <= limit {
			out = append(out, d)
			continue
		}
		if i, ok := notes[d.Check]; ok {
			out[i].Severity = max(out[i].Severity, d.Severity)
			continue
		}
		notes[d.Check] = len(out)
		out = append(out, checks.Diagnostic{
			Range:    d.Range,
			Check:    d.Check,
			Name:     d.Name,
			Severity: d.Severity,
			Message: fmt.Sprintf("%d more %s findings in this input are not shown: nftlint reports at most %d per rule and input; fix the ones shown and lint again",
				count[d.Check]-limit, d.Check, limit),
		})
	}
	return out
}

// cleanMessages escapes the control and format characters that messages
// quote from the input (names of tables, chains, sets…) and bounds their
// length (parser.CleanMessage), so that no output format prints an
// escape sequence or a bidi override from a ruleset.
func cleanMessages(d *checks.Diagnostic) {
	d.Message = cleanMessage(d.Message)
	for i := range d.Related {
		d.Related[i].Message = cleanMessage(d.Related[i].Message)
	}
	for i := range d.Fixes {
		d.Fixes[i].Message = cleanMessage(d.Fixes[i].Message)
	}
}

// cleanMessage is parser.CleanMessage with a faster test for the common
// case, a short message of printable ASCII, which it returns unchanged:
// CleanMessage looks up every code point in the Unicode tables, a
// microsecond per message, and a large ruleset has thousands of findings.
func cleanMessage(msg string) string {
	if len(msg) <= plainMessageBytes {
		plain := true
		for i := 0; i < len(msg); i++ {
			if c := msg[i]; c < 0x20 || c > 0x7e {
				plain = false
				break
			}
		}
		if plain {
			return msg
		}
	}
	return parser.CleanMessage(msg)
}

// plainMessageBytes is the length up to which CleanMessage keeps a
// message of printable ASCII whole (its maxPlainMessage code points,
// one byte each).
const plainMessageBytes = 400

// errorDiagnostics turns the loader's errors (NFT001–NFT003) into
// findings, with the rule's default severity (error for the input rules).
func errorDiagnostics(errs parser.ErrorList) []checks.Diagnostic {
	var out []checks.Diagnostic
	for _, e := range errs {
		code := e.Code
		if code == "" {
			code = parser.CodeSyntax
		}
		d := checks.Diagnostic{
			Range:    parser.Range{Start: e.Pos, End: e.End},
			Check:    code,
			Severity: checks.Error,
			Message:  e.Msg,
		}
		if !d.End.IsValid() {
			d.End = d.Start
		}
		if c := checks.Lookup(code); c != nil {
			d.Name = c.Name
			if !checks.IsInputRule(code) {
				d.Severity = c.Severity
			}
		}
		for _, r := range e.Related {
			d.Related = append(d.Related, checks.Related{Range: parser.Range{Start: r.Pos, End: r.End}, Message: r.Msg})
		}
		out = append(out, d)
	}
	return out
}

// Sort orders diagnostics by file name, line, column, rule and message.
func Sort(ds []checks.Diagnostic) {
	less := func(i, j int) bool { return checks.FindingOrder(&ds[i], &ds[j]) }
	// checks.Run has sorted the findings of one file already, by offset.
	for i := 1; i < len(ds); i++ {
		if less(i, i-1) {
			sort.SliceStable(ds, less)
			return
		}
	}
}
