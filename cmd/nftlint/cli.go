package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/internal/config"
	"github.com/nftlint/nftlint/lint"
	"github.com/nftlint/nftlint/live"
	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/report"
	"github.com/spf13/pflag"
)

func (a *app) main(args []string) int {
	if len(args) > 0 && args[0] == "verify" {
		return a.verify(args[1:])
	}
	var o options
	fs := newFlagSet(&o, a.stderr)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			usage(a.stdout, fs)
			return exitOK
		}
		a.errorf("%v (nftlint -h shows the flags)", err)
		return exitTrouble
	}
	o.paths = fs.Args()
	if o.help {
		usage(a.stdout, fs)
		return exitOK
	}
	if o.version {
		fmt.Fprintf(a.stdout, "nftlint %s (%s, %s/%s)\n", a.version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return exitOK
	}
	if err := o.validate(); err != nil {
		a.errorf("%v", err)
		return exitTrouble
	}
	cli, err := o.layer()
	if err != nil {
		a.errorf("%v", err)
		return exitTrouble
	}
	if o.listRules || o.explain != "" {
		return a.rules(&o, cli)
	}
	if o.live {
		return a.live(&o, cli)
	}
	if len(o.paths) == 0 {
		a.errorf("no input: name files or directories to lint, or - for standard input (nftlint -h shows the flags)")
		return exitTrouble
	}
	return a.lint(&o, cli)
}

// errorf prints an error about nftlint's own job to stderr.
func (a *app) errorf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "nftlint: "+format+"\n", args...)
}

// input is one file to lint.
type input struct {
	name     string // as reported: cleaned, with / separators; "-" for stdin
	settings *config.Settings
	// walked is set for files found by walking a directory: only regular
	// files are read (a link to a FIFO or to /proc/self/fd/0 in a
	// repository must not block the run); a named FIFO is read, as
	// `nft -f <(…)` reads it.
	walked bool
}

// outcome is the result of linting one input.
type outcome struct {
	result *lint.Result
	err    error
}

func (a *app) lint(o *options, cli *config.Layer) int {
	cfgs := &configCache{app: a, cli: cli, explicit: o.configFile, byFile: map[string]*config.Settings{}}
	inputs, status := a.expand(o.paths, cfgs)
	if status == exitTrouble && len(inputs) == 0 {
		return exitTrouble
	}
	if len(inputs) == 0 {
		a.errorf("no nftables files found (looked for *.nft and nftables.conf)")
		return status
	}
	if a.memoryPolicy != nil {
		a.memoryPolicy(a.inputBytes(inputs))
	}
	for _, in := range inputs {
		if in.settings.NftVersion == "" {
			go a.localNftVersion() // runs once; the lint waits for it after loading
			break
		}
	}

	outcomes := a.lintAll(o, inputs)

	if o.fix || o.diff {
		fixed, st := a.fixes(o, inputs, outcomes)
		status = max(status, st)
		if o.diff {
			return max(status, a.finish(o, inputs, outcomes, true))
		}
		if fixed {
			outcomes = a.lintAll(o, inputs) // report what is left
		}
	}
	return max(status, a.finish(o, inputs, outcomes, false))
}

// finish writes the report (unless diffOnly) and computes the exit status.
func (a *app) finish(o *options, inputs []input, outcomes []outcome, diffOnly bool) int {
	status := exitOK
	rep := &report.Report{
		Tool:    report.DefaultTool(a.version),
		Rules:   checks.All(),
		Files:   map[string]*parser.File{},
		WorkDir: a.dir,
	}
	var lists [][]checks.Diagnostic // the inputs' findings, where there are any
	for i, oc := range outcomes {
		if oc.err != nil {
			a.errorf("%v", oc.err)
			status = exitTrouble
			continue
		}
		rep.FilesLinted++
		for _, f := range oc.result.Files.Files() {
			if _, ok := rep.Files[f.Name()]; !ok {
				rep.Files[f.Name()] = f
			}
		}
		failOn := inputs[i].settings.FailOn
		for k := range oc.result.Diagnostics {
			if d := &oc.result.Diagnostics[k]; d.Suppressed == nil && d.Severity >= failOn {
				status = max(status, exitFindings)
				break
			}
		}
		if len(oc.result.Diagnostics) > 0 {
			lists = append(lists, oc.result.Diagnostics)
		}
	}
	var diags []checks.Diagnostic
	if len(lists) == 1 {
		diags = lists[0] // thousands on a large ruleset: one input's are not copied
	} else {
		diags = slices.Concat(lists...)
	}
	lint.Sort(diags)
	rep.Diagnostics = dropRepeated(diags)
	if diffOnly {
		return status
	}

	color := false
	if o.format == report.FormatText {
		color = a.useColor(o)
	}
	textOpts := report.TextOptions{Color: color}
	if o.output != "" {
		// The file is replaced only by a complete report.
		var buf bytes.Buffer
		if err := report.Write(&buf, o.format, rep, textOpts); err != nil {
			a.errorf("writing the report: %v", err)
			return exitTrouble
		}
		name := o.output
		if !filepath.IsAbs(name) {
			name = filepath.Join(a.dir, name)
		}
		if err := lint.WriteFileAtomic(name, buf.Bytes(), 0o644); err != nil {
			a.errorf("cannot write the report: %v", err)
			return exitTrouble
		}
	} else {
		// Streamed: a report in memory would be one more copy of every
		// finding (megabytes on a large ruleset).
		w := bufio.NewWriterSize(a.stdout, 64<<10)
		err := report.Write(w, o.format, rep, textOpts)
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			a.errorf("cannot write the report: %v", err)
			return exitTrouble
		}
	}
	if o.format == report.FormatText && rep.FilesLinted > 0 {
		report.Summary(a.stderr, rep)
	}
	return status
}

// dropRepeated removes, in place, the diagnostics of a sorted list that
// repeat an earlier one (same file, range, rule and message): a file
// included by several inputs, or twice by one, is reported once. Repeats
// sort next to each other but for findings at the same start with other
// ends, so each is compared with the run of findings at its start.
func dropRepeated(ds []checks.Diagnostic) []checks.Diagnostic {
	out := ds[:0]
	run := 0 // out[run:] start where ds[i] starts, with its rule and message
	for i := range ds {
		d := &ds[i]
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Start.Filename != d.Start.Filename || last.Start.Offset != d.Start.Offset ||
				last.Check != d.Check || last.Message != d.Message {
				run = n
			}
		}
		repeated := false
		for k := run; k < len(out) && !repeated; k++ {
			repeated = out[k].End.Filename == d.End.Filename && out[k].End.Offset == d.End.Offset
		}
		if !repeated {
			out = append(out, *d)
		}
	}
	return out
}

// useColor decides whether text output gets ANSI colours.
func (a *app) useColor(o *options) bool {
	switch o.color {
	case "always":
		return true
	case "never":
		return false
	}
	if o.output != "" || a.getenv("NO_COLOR") != "" || a.getenv("TERM") == "dumb" {
		return false
	}
	return a.isTerminal(a.stdout)
}

// lintAll lints the inputs concurrently; outcomes are in input order.
func (a *app) lintAll(o *options, inputs []input) []outcome {
	out := make([]outcome, len(inputs))
	workers := min(runtime.GOMAXPROCS(0), len(inputs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res, err := lint.Lint(parser.Source{Name: inputs[i].name, RegularOnly: inputs[i].walked}, a.lintOptions(o, inputs[i].settings))
				out[i] = outcome{result: res, err: err}
			}
		}()
	}
	for i := range inputs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// inputBytes is the total size of the input files (standard input and
// what cannot be read count for nothing; includes are not known yet).
func (a *app) inputBytes(inputs []input) int64 {
	var n int64
	for _, in := range inputs {
		if in.name == "-" {
			continue
		}
		if fi, err := os.Stat(a.abs(in.name)); err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
	}
	return n
}

func (a *app) lintOptions(o *options, s *config.Settings) *lint.Options {
	opts := &lint.Options{
		Checks: checks.Options{
			Runtimes:        s.Runtimes,
			ContainerIfaces: checks.ContainerIfaces(s.Runtimes, s.ContainerIfaces),
			NftVersion:      s.NftVersion,
		},
		Enabled:        s.Enabled,
		Severity:       s.Severity,
		MinSeverity:    s.MinSeverity,
		InlineSuppress: s.InlineSuppress,
		KeepSuppressed: o.showSuppressed,
		Dir:            a.dir,
		IncludePaths:   s.IncludePaths,
		IncludeOutside: s.IncludeOutside,
		Stdin:          a.stdin,
		InputFormat:    o.inputFormat,
		Debug:          a.getenv("NFTLINT_DEBUG") != "" && a.getenv("NFTLINT_DEBUG") != "0",
	}
	if s.NftVersion == "" {
		// Asked for after loading; a.lint starts the question early, so
		// `nft --version` runs while the input is parsed.
		opts.NftVersion = a.localNftVersion
	}
	return opts
}

// localNftVersion asks the local nft for its version once per run.
func (a *app) localNftVersion() string {
	a.nftOnce.Do(func() {
		if a.localNft != nil {
			a.nftVersion = a.localNft()
		}
	})
	return a.nftVersion
}

// expand turns the command-line paths into inputs: directories are walked
// for *.nft files and files called nftables.conf (hidden directories are
// skipped), files are taken as named. A named path that cannot be read
// makes the status 2; the others are still linted.
func (a *app) expand(paths []string, cfgs *configCache) ([]input, int) {
	status := exitOK
	var out []input
	seen := map[string]bool{}
	add := func(name string, named bool) bool {
		if seen[name] {
			return true
		}
		s, err := cfgs.settingsFor(name)
		if err != nil {
			a.errorf("%v", err)
			status = exitTrouble
			return false
		}
		if name != "-" && s.Ignored(name, a.dir) {
			return true
		}
		seen[name] = true
		out = append(out, input{name: name, settings: s, walked: !named})
		return true
	}
	for _, p := range paths {
		if p == "-" {
			add("-", true)
			continue
		}
		name := filepath.ToSlash(filepath.Clean(p))
		fi, err := os.Stat(a.abs(name))
		if err != nil {
			a.errorf("%s: %v", name, unwrapPathError(err))
			status = exitTrouble
			continue
		}
		if !fi.IsDir() {
			add(name, true)
			continue
		}
		err = filepath.WalkDir(a.abs(name), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				a.errorf("%v", err)
				status = exitTrouble
				return nil
			}
			rel, rerr := filepath.Rel(a.abs(name), path)
			if rerr != nil {
				return rerr
			}
			shown := filepath.ToSlash(filepath.Join(name, rel))
			if d.IsDir() {
				if rel != "." && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			if strings.HasSuffix(d.Name(), ".nft") || d.Name() == "nftables.conf" {
				if !add(shown, false) {
					return nil
				}
			}
			return nil
		})
		if err != nil {
			a.errorf("%s: %v", name, err)
			status = exitTrouble
		}
	}
	return out, status
}

// abs returns a path named relative to the working directory as absolute.
func (a *app) abs(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(a.dir, filepath.FromSlash(name))
}

// unwrapPathError drops the path from a *PathError (the caller prints it).
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// configCache finds and loads each config file once.
type configCache struct {
	app      *app
	cli      *config.Layer
	explicit string // --config

	mu     sync.Mutex
	byFile map[string]*config.Settings // config path ("" for none) → settings
}

// settingsFor returns the settings for an input: defaults, then the
// config file (--config, or the nearest .nftlint.yaml upward from the
// file; from the working directory for stdin), then the command line.
func (c *configCache) settingsFor(name string) (*config.Settings, error) {
	path := c.explicit
	if path != "" {
		path = c.app.abs(path)
	} else {
		dir := c.app.dir
		if name != "-" {
			dir = filepath.Dir(c.app.abs(name))
		}
		found, err := config.Find(dir)
		if err != nil {
			return nil, err
		}
		path = found
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.byFile[path]; ok {
		return s, nil
	}
	s := config.Defaults()
	if path != "" {
		l, err := config.Load(path)
		if err != nil {
			return nil, usagef("config: %v", err)
		}
		if err := s.Apply(l); err != nil {
			return nil, usagef("config: %v", err)
		}
		s.ConfigFile = path
	}
	if err := s.Apply(c.cli); err != nil {
		return nil, err
	}
	c.byFile[path] = s
	return s, nil
}

// fixes applies (--fix) or shows (--diff) the first fix of every finding.
// It reports whether files were changed.
func (a *app) fixes(o *options, inputs []input, outcomes []outcome) (bool, int) {
	status := exitOK
	sources := map[string][]byte{}
	var diags []checks.Diagnostic
	for _, oc := range outcomes {
		if oc.err != nil {
			continue
		}
		for _, f := range oc.result.Files.Files() {
			if f.Name() != "-" || o.diff {
				if _, ok := sources[f.Name()]; !ok {
					sources[f.Name()] = f.Source()
				}
			}
		}
		diags = append(diags, oc.result.Diagnostics...)
	}
	lint.Sort(diags)
	diags = a.dropJSONFixes(o, sources, diags)
	changed, conflicts := lint.ApplyFixes(sources, diags)
	for _, c := range conflicts {
		d := c.Diagnostic
		a.errorf("%s:%d:%d: fix for %s not applied: %s", d.Start.Filename, d.Start.Line, d.Start.Column, d.Check, c.Reason)
	}
	names := make([]string, 0, len(changed))
	for name := range changed {
		names = append(names, name)
	}
	sort.Strings(names)
	if o.diff {
		for _, name := range names {
			shown := name
			if name == "-" {
				shown = "stdin"
			}
			if err := report.UnifiedDiff(a.stdout, shown, sources[name], changed[name]); err != nil {
				a.errorf("writing the diff: %v", err)
				return false, exitTrouble
			}
		}
		return false, status
	}
	guard := a.newWriteGuard(o.paths, inputs)
	for _, name := range names {
		if err := guard.check(name); err != nil {
			a.errorf("%s: fixes not applied: %v", name, err)
			status = exitTrouble
			continue
		}
		if err := lint.WriteFileAtomic(a.abs(name), changed[name], 0o644); err != nil {
			a.errorf("cannot apply fixes: %v", err)
			status = exitTrouble
			continue
		}
		fmt.Fprintf(a.stderr, "nftlint: fixed %s\n", name)
	}
	return len(names) > 0, status
}

// writeGuard keeps --fix inside the trees the user asked to lint. A
// file found by walking a directory, or included, may be a symbolic link
// placed by whoever wrote the repository; WriteFileAtomic follows links,
// so without the guard a pre-commit `nftlint --fix .` could rewrite a
// file anywhere the user can write. Files named on the command line are
// written wherever their links point: the user chose them.
type writeGuard struct {
	named map[string]bool // input names given on the command line
	roots []string        // resolved directories fixes may write into
}

// newWriteGuard allows the working directory, every named directory and
// the directory of every named file (where its includes are confined).
func (a *app) newWriteGuard(paths []string, inputs []input) *writeGuard {
	g := &writeGuard{named: map[string]bool{}}
	for _, in := range inputs {
		if !in.walked {
			g.named[in.name] = true
		}
	}
	dirs := []string{a.dir}
	for _, p := range paths {
		if p == "-" {
			continue
		}
		abs := a.abs(filepath.ToSlash(filepath.Clean(p)))
		if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
			abs = filepath.Dir(abs)
		}
		dirs = append(dirs, abs)
	}
	for _, d := range dirs {
		if real, err := filepath.EvalSymlinks(d); err == nil {
			d = real
		}
		g.roots = append(g.roots, d)
	}
	return g
}

// check returns an error when name must not be written: it was not named
// and its real path lies outside every allowed tree.
func (g *writeGuard) check(name string) error {
	if g.named[name] {
		return nil
	}
	abs := name
	if !filepath.IsAbs(abs) {
		// Names are relative to the working directory, the first root.
		abs = filepath.Join(g.roots[0], filepath.FromSlash(name))
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return fmt.Errorf("cannot resolve it: %v", unwrapPathError(err))
	}
	for _, root := range g.roots {
		if rel, err := filepath.Rel(root, real); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil
		}
	}
	if real != filepath.Clean(abs) {
		return errors.New("it is a symbolic link to a file outside the directories being linted; name the file on the command line to fix it where the link points")
	}
	return errors.New("it lies outside the directories being linted; name it on the command line to fix it")
}

// dropJSONFixes removes the fixes that edit nft JSON input: fixes are
// nft text, which does not belong in a JSON document.
func (a *app) dropJSONFixes(o *options, sources map[string][]byte, diags []checks.Diagnostic) []checks.Diagnostic {
	if o.inputFormat == "text" {
		return diags
	}
	isJSON := map[string]bool{}
	for name, src := range sources {
		if o.inputFormat == "json" || parser.IsJSON(src) {
			isJSON[name] = true
		}
	}
	noted := map[string]bool{}
	out := make([]checks.Diagnostic, 0, len(diags))
	for _, d := range diags {
		for _, f := range d.Fixes {
			for _, e := range f.Edits {
				if isJSON[e.Filename] {
					if !noted[e.Filename] {
						a.errorf("%s: fixes are not applied to nft JSON input; fix the source the JSON is generated from", e.Filename)
						noted[e.Filename] = true
					}
					d.Fixes = nil
				}
			}
		}
		out = append(out, d)
	}
	return out
}

// live lints the kernel's ruleset: it is read through netlink (read-only)
// and rendered as the listing `nft -a list ruleset` prints, which the
// findings point into ("live:ruleset"). Settings come from the
// .nftlint.yaml found upward from the working directory.
func (a *app) live(o *options, cli *config.Layer) int {
	cfgs := &configCache{app: a, cli: cli, explicit: o.configFile, byFile: map[string]*config.Settings{}}
	s, err := cfgs.settingsFor("-")
	if err != nil {
		a.errorf("%v", err)
		return exitTrouble
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	snap, err := live.Take(ctx, live.Options{NetNS: o.netns})
	if err != nil {
		a.errorf("--live: %v", err)
		return exitTrouble
	}
	for _, w := range snap.Warnings { // what could not be read is not linted
		a.errorf("--live: %s", w)
	}
	opts := a.lintOptions(o, s)
	opts.InputFormat = "text"
	opts.Annotate = snap.Annotate
	res, err := lint.Lint(snap.Source, opts)
	return a.finish(o, []input{{name: snap.Source.Name, settings: s}}, []outcome{{result: res, err: err}}, false)
}

// rules implements --list-rules and --explain.
func (a *app) rules(o *options, cli *config.Layer) int {
	if o.explain != "" {
		c := checks.Lookup(o.explain)
		if c == nil {
			c = checks.Lookup(strings.ToUpper(o.explain))
		}
		if c == nil {
			a.errorf("--explain: unknown rule %q (nftlint --list-rules shows them)", o.explain)
			return exitTrouble
		}
		io.WriteString(a.stdout, report.RuleMarkdown(c))
		return exitOK
	}
	s := config.Defaults()
	if err := s.Apply(cli); err != nil {
		a.errorf("%v", err)
		return exitTrouble
	}
	if err := report.RulesTable(a.stdout, checks.All(), s.Enabled); err != nil {
		a.errorf("%v", err)
		return exitTrouble
	}
	return exitOK
}
