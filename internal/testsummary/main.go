// Command testsummary condenses `go test -json` output for `make test`:
// the usual per-package "ok"/"FAIL" lines, the whole output of every
// failed test, and the measurements tests report with t.Logf("MEASURED …")
// (corpus pass rates, kernel scenario counts), which plain `go test`
// hides for passing tests, and the number of kernel tests that ran. It
// exits 1 when anything failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// kernelMarker is what internal/kerneltest logs for a kernel test that
// runs (kerneltest.Marker; not imported, to keep this command free of
// test-only packages).
const kernelMarker = "KERNELTEST ran"

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

func main() {
	os.Exit(summarize(os.Stdin, os.Stdout))
}

// summarize reads test2json events from r and writes the summary to w.
func summarize(r io.Reader, w io.Writer) int {
	in := bufio.NewScanner(r)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(w)
	defer out.Flush()

	failed := false
	pending := map[string][]string{} // package/test → output lines kept until the test ends
	kernel := map[string]bool{}      // package/test → a kernel test that ran
	kernelPassed, kernelFailed := 0, 0
	for in.Scan() {
		line := in.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Not test2json output (a build error printed as text): pass it on.
			fmt.Fprintln(out, string(line))
			continue
		}
		key := e.Package + "\x00" + e.Test
		switch e.Action {
		case "output", "build-output":
			if e.Test != "" && strings.Contains(e.Output, kernelMarker) {
				kernel[key] = true
			}
			if strings.Contains(e.Output, "MEASURED ") {
				fmt.Fprint(out, e.Package, ": ", strings.TrimLeft(e.Output, " \t"))
			}
			if e.Test == "" {
				// Package-level lines: "ok  pkg 1.2s", "FAIL", TestMain prints, build errors.
				if !strings.HasPrefix(e.Output, "PASS") && !strings.HasPrefix(e.Output, "=== ") &&
					!strings.Contains(e.Output, "MEASURED ") {
					fmt.Fprint(out, e.Output)
				}
				continue
			}
			pending[key] = append(pending[key], e.Output)
		case "fail", "build-fail":
			failed = true
			if kernel[key] {
				kernelFailed++
			}
			for _, l := range pending[key] {
				fmt.Fprint(out, l)
			}
			delete(pending, key)
		case "pass", "skip":
			if e.Action == "pass" && kernel[key] {
				kernelPassed++
			}
			delete(pending, key)
		}
	}
	fmt.Fprintf(out, "MEASURED kernel tests run: %d (%d passed, %d failed)\n", kernelPassed+kernelFailed, kernelPassed, kernelFailed)
	if err := in.Err(); err != nil {
		fmt.Fprintln(out, "testsummary:", err)
		return 1
	}
	if failed {
		return 1
	}
	return 0
}
