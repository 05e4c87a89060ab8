package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// diffContext is the number of unchanged lines around each change.
const diffContext = 3

// diffLine is one line of an edit script.
type diffLine struct {
	op   diffmatchpatch.Operation
	text string // including its "\n", if it has one
}

// UnifiedDiff writes a unified diff of old to new, as `diff -u` and
// `git diff` print it, with --- a/NAME and +++ b/NAME headers (so that
// `git apply` and `patch -p1` accept it). It writes nothing when the
// contents are equal.
func UnifiedDiff(w io.Writer, name string, old, new []byte) error {
	if string(old) == string(new) {
		return nil
	}
	script := lineDiff(string(old), string(new))
	var b strings.Builder
	a, bn := "a/"+name, "b/"+name
	if strings.HasPrefix(name, "/") {
		a, bn = name, name
	}
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", a, bn)
	for _, h := range hunks(script) {
		writeHunk(&b, script[h[0]:h[1]], h[2], h[3])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// lineDiff computes a line-level edit script with go-diff's line mode.
func lineDiff(old, new string) []diffLine {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // no time limit: the same input always gives the same diff
	c1, c2, lines := dmp.DiffLinesToChars(old, new)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(c1, c2, false), lines)
	var out []diffLine
	for _, d := range diffs {
		text := d.Text
		for text != "" {
			i := strings.IndexByte(text, '\n')
			line := text
			if i >= 0 {
				line = text[:i+1]
			}
			out = append(out, diffLine{op: d.Type, text: line})
			text = text[len(line):]
		}
	}
	return out
}

// hunks groups the changes of script into hunks with diffContext lines of
// context; each is [from, to, oldStart, newStart] (start lines 1-based).
func hunks(script []diffLine) [][4]int {
	var out [][4]int
	oldLine, newLine := 1, 1
	// Line numbers before each script entry.
	oldAt := make([]int, len(script)+1)
	newAt := make([]int, len(script)+1)
	for i, l := range script {
		oldAt[i], newAt[i] = oldLine, newLine
		if l.op != diffmatchpatch.DiffInsert {
			oldLine++
		}
		if l.op != diffmatchpatch.DiffDelete {
			newLine++
		}
	}
	oldAt[len(script)], newAt[len(script)] = oldLine, newLine

	i := 0
	for i < len(script) {
		if script[i].op == diffmatchpatch.DiffEqual {
			i++
			continue
		}
		from := max(i-diffContext, 0)
		// Extend over changes separated by at most 2*context equal lines.
		end := i
		for end < len(script) {
			if script[end].op != diffmatchpatch.DiffEqual {
				end++
				continue
			}
			run := end
			for run < len(script) && script[run].op == diffmatchpatch.DiffEqual {
				run++
			}
			if run == len(script) || run-end > 2*diffContext {
				end = min(end+diffContext, len(script))
				break
			}
			end = run
		}
		out = append(out, [4]int{from, end, oldAt[from], newAt[from]})
		i = end
	}
	return out
}

// writeHunk writes one hunk with its @@ header. A count of 1 is left out
// and an empty side names the line before it, as GNU diff does.
func writeHunk(b *strings.Builder, lines []diffLine, oldStart, newStart int) {
	oldCount, newCount := 0, 0
	for _, l := range lines {
		if l.op != diffmatchpatch.DiffInsert {
			oldCount++
		}
		if l.op != diffmatchpatch.DiffDelete {
			newCount++
		}
	}
	fmt.Fprintf(b, "@@ -%s +%s @@\n", hunkRange(oldStart, oldCount), hunkRange(newStart, newCount))
	for _, l := range lines {
		prefix := " "
		switch l.op {
		case diffmatchpatch.DiffDelete:
			prefix = "-"
		case diffmatchpatch.DiffInsert:
			prefix = "+"
		}
		b.WriteString(prefix)
		b.WriteString(l.text)
		if !strings.HasSuffix(l.text, "\n") {
			b.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

func hunkRange(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprintf("%d", start)
	}
	return fmt.Sprintf("%d,%d", start, count)
}
