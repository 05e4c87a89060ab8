package checks

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// Run runs every registered check that applies to the selected runtimes
// (a check with no Runtimes always applies) and that enabled accepts (nil
// accepts all), and returns their diagnostics in a deterministic order:
// by file (in file-set order), position, rule ID, message.
//
// A check that panics does not stop the run: its panic becomes an
// error-level diagnostic of that check, so the bug is visible and the
// other checks still report.
func Run(rs *ruleset.Ruleset, opts *Options, enabled func(*Check) bool) []Diagnostic {
	if opts == nil {
		opts = &Options{}
	}
	selected := opts.runtimes()
	var todo []*Check
	for _, c := range All() {
		if c.Run == nil || !appliesTo(c.Runtimes, selected) {
			continue
		}
		if enabled != nil && !enabled(c) {
			continue
		}
		todo = append(todo, c)
	}
	// Checks only read the ruleset (the one shared cache, Evaluate's, is
	// locked), so they run on every core; each check's findings go to its
	// own slot and are joined in registry order, then sorted: the output
	// does not depend on the scheduling.
	results := make([][]Diagnostic, len(todo))
	shared := newTableIndex(rs)
	workers := min(runtime.GOMAXPROCS(0), len(todo))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(todo) {
					return
				}
				results[i] = runOne(todo[i], rs, opts, shared)
			}
		})
	}
	wg.Wait()
	var diags []Diagnostic
	for _, r := range results {
		diags = append(diags, r...)
	}
	SortDiagnostics(rs.Files, diags)
	return diags
}

// runOne runs a single check and converts a panic into a diagnostic.
func runOne(c *Check, rs *ruleset.Ruleset, opts *Options, shared *tableIndex) (diags []Diagnostic) {
	pass := NewPass(c, rs, opts, func(d Diagnostic) { diags = append(diags, d) })
	pass.tableIndex = shared
	defer func() {
		if v := recover(); v != nil {
			diags = append(diags, Diagnostic{
				Range:    firstFileRange(rs),
				Check:    c.ID,
				Name:     c.Name,
				Severity: Error,
				Message:  fmt.Sprintf("internal error: check %s (%s) crashed: %v; please report this bug with the input", c.ID, c.Name, v),
				Related:  []Related{{Message: firstStackLine(debug.Stack())}},
			})
		}
	}()
	c.Run(pass)
	return diags
}

// firstFileRange is where an internal error is reported: the start of the
// first file, so that every output format has a location.
func firstFileRange(rs *ruleset.Ruleset) parser.Range {
	if rs == nil || rs.Files == nil {
		return parser.Range{}
	}
	files := rs.Files.Files()
	if len(files) == 0 {
		return parser.Range{}
	}
	p := files[0].PositionAt(0)
	return parser.Range{Start: p, End: p}
}

// firstStackLine picks the first stack frame outside the runtime and this
// file, which names the function that panicked.
func firstStackLine(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "panic(") && i+2 < len(lines) {
			return "panicked in " + strings.TrimSpace(lines[i+2])
		}
	}
	return "panicked"
}

// SortDiagnostics orders diagnostics by file (in the order the file set
// holds them), start position, rule ID and message.
func SortDiagnostics(files *parser.FileSet, diags []Diagnostic) {
	order := make(map[string]int)
	if files != nil {
		for i, f := range files.Files() {
			if _, dup := order[f.Name()]; !dup {
				order[f.Name()] = i
			}
		}
	}
	fileKey := func(name string) int {
		if i, ok := order[name]; ok {
			return i
		}
		return len(order)
	}
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i], diags[j]
		if fa, fb := fileKey(a.Start.Filename), fileKey(b.Start.Filename); fa != fb {
			return fa < fb
		}
		if a.Start.Filename != b.Start.Filename {
			return a.Start.Filename < b.Start.Filename
		}
		if a.Start.Offset != b.Start.Offset {
			return a.Start.Offset < b.Start.Offset
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		return a.Message < b.Message
	})
}

// ApplyFixes applies the first fix of each diagnostic to the sources and
// returns the changed files' new contents. Edits that overlap an edit
// already applied are skipped (reported in the second result), so a
// single pass never corrupts a file.
func ApplyFixes(src map[string][]byte, diags []Diagnostic) (map[string][]byte, []TextEdit) {
	byFile := make(map[string][]TextEdit)
	for _, d := range diags {
		if len(d.Fixes) == 0 {
			continue
		}
		for _, e := range d.Fixes[0].Edits {
			byFile[e.Filename] = append(byFile[e.Filename], e)
		}
	}
	out := make(map[string][]byte)
	var skipped []TextEdit
	for name, edits := range byFile {
		content, ok := src[name]
		if !ok {
			skipped = append(skipped, edits...)
			continue
		}
		sort.SliceStable(edits, func(i, j int) bool {
			if edits[i].Start != edits[j].Start {
				return edits[i].Start < edits[j].Start
			}
			return edits[i].End < edits[j].End
		})
		var b strings.Builder
		last := 0
		for _, e := range edits {
			if e.Start < last || e.End < e.Start || e.End > len(content) {
				skipped = append(skipped, e)
				continue
			}
			b.Write(content[last:e.Start])
			b.WriteString(e.NewText)
			last = e.End
		}
		b.Write(content[last:])
		out[name] = []byte(b.String())
	}
	return out, skipped
}
