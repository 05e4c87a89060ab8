package report

import (
	"bytes"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

func TestUnifiedDiff(t *testing.T) {
	lines := func(n int, change map[int]string) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			if s, ok := change[i]; ok {
				b.WriteString(s)
				continue
			}
			fmt.Fprintf(&b, "line %d\n", i)
		}
		return b.String()
	}
	for _, tc := range []struct {
		name     string
		old, new string
		want     string
	}{
		{"equal", "a\n", "a\n", ""},
		{"one line", "a\nb\nc\n", "a\nB\nc\n", "--- a/f.nft\n+++ b/f.nft\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"two hunks", lines(20, nil), lines(20, map[int]string{2: "two\n", 18: "eighteen\n"}),
			"--- a/f.nft\n+++ b/f.nft\n@@ -1,5 +1,5 @@\n line 1\n-line 2\n+two\n line 3\n line 4\n line 5\n" +
				"@@ -15,6 +15,6 @@\n line 15\n line 16\n line 17\n-line 18\n+eighteen\n line 19\n line 20\n"},
		{"merged hunks", lines(12, nil), lines(12, map[int]string{2: "two\n", 8: "eight\n"}),
			"--- a/f.nft\n+++ b/f.nft\n@@ -1,11 +1,11 @@\n line 1\n-line 2\n+two\n line 3\n line 4\n line 5\n line 6\n line 7\n-line 8\n+eight\n line 9\n line 10\n line 11\n"},
		{"insert into empty", "", "x\n", "--- a/f.nft\n+++ b/f.nft\n@@ -0,0 +1 @@\n+x\n"},
		{"no final newline", "a\nb", "a\nc", "--- a/f.nft\n+++ b/f.nft\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
		{"delete line", "a\nb\nc\n", "a\nc\n", "--- a/f.nft\n+++ b/f.nft\n@@ -1,3 +1,2 @@\n a\n-b\n c\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := UnifiedDiff(&buf, "f.nft", []byte(tc.old), []byte(tc.new)); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), tc.want)
			}
		})
	}
}

// Applying the diff to the old text must give the new text, for random
// edits of random files.
func TestUnifiedDiffRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 300; i++ {
		n := rng.Intn(30)
		var old []string
		for j := 0; j < n; j++ {
			old = append(old, "l"+strconv.Itoa(rng.Intn(8))+"\n")
		}
		cur := append([]string(nil), old...)
		for k := rng.Intn(5); k > 0; k-- {
			at := rng.Intn(len(cur) + 1)
			switch rng.Intn(3) {
			case 0:
				cur = append(cur[:at], append([]string{"new" + strconv.Itoa(k) + "\n"}, cur[at:]...)...)
			case 1:
				if at < len(cur) {
					cur = append(cur[:at], cur[at+1:]...)
				}
			default:
				if at < len(cur) {
					cur[at] = "changed\n"
				}
			}
		}
		a, b := strings.Join(old, ""), strings.Join(cur, "")
		var buf bytes.Buffer
		if err := UnifiedDiff(&buf, "f", []byte(a), []byte(b)); err != nil {
			t.Fatal(err)
		}
		if got, err := applyUnified(a, buf.String()); err != nil || got != b {
			t.Fatalf("case %d: applying the diff gave %q (%v), want %q\ndiff:\n%s", i, got, err, b, buf.String())
		}
	}
}

// applyUnified applies a unified diff made by UnifiedDiff (files ending
// in a newline) to old, checking hunk headers and context as patch does.
func applyUnified(old, diff string) (string, error) {
	if diff == "" {
		return old, nil
	}
	src := strings.SplitAfter(old, "\n")
	if src[len(src)-1] == "" {
		src = src[:len(src)-1]
	}
	lines := strings.SplitAfter(diff, "\n")
	var out []string
	pos := 0 // next unread line of src, 0-based
	for i := 2; i < len(lines) && lines[i] != ""; {
		var os, oc, ns, nc int
		h := lines[i]
		if _, err := fmt.Sscanf(h, "@@ -%s +%s @@", new(string), new(string)); err != nil {
			return "", fmt.Errorf("bad header %q", h)
		}
		parse := func(s string) (int, int) {
			start, count, ok := strings.Cut(s, ",")
			a, _ := strconv.Atoi(start)
			if !ok {
				return a, 1
			}
			c, _ := strconv.Atoi(count)
			return a, c
		}
		f := strings.Fields(h)
		os, oc = parse(strings.TrimPrefix(f[1], "-"))
		ns, nc = parse(strings.TrimPrefix(f[2], "+"))
		_ = ns
		first := os - 1
		if oc == 0 {
			first = os
		}
		if first < pos {
			return "", fmt.Errorf("hunk %q goes backwards", h)
		}
		out = append(out, src[pos:first]...)
		pos = first
		i++
		gotOld, gotNew := 0, 0
		for i < len(lines) && lines[i] != "" && !strings.HasPrefix(lines[i], "@@") {
			l := lines[i]
			switch l[0] {
			case ' ':
				if pos >= len(src) || src[pos] != l[1:] {
					return "", fmt.Errorf("context mismatch at %q", l)
				}
				out = append(out, l[1:])
				pos++
				gotOld++
				gotNew++
			case '-':
				if pos >= len(src) || src[pos] != l[1:] {
					return "", fmt.Errorf("delete mismatch at %q", l)
				}
				pos++
				gotOld++
			case '+':
				out = append(out, l[1:])
				gotNew++
			default:
				return "", fmt.Errorf("bad line %q", l)
			}
			i++
		}
		if gotOld != oc || gotNew != nc {
			return "", fmt.Errorf("hunk %q has %d old and %d new lines", h, gotOld, gotNew)
		}
	}
	out = append(out, src[pos:]...)
	return strings.Join(out, ""), nil
}
