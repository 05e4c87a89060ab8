package sarifvalidate

import (
	"strings"
	"testing"
)

// Output captured from Sarif.Multitool 5.7.0 on a broken log.
const sampleOutput = `Analyzing...
THREADS: 2
/tmp/rt/bad.sarif(113,32): error JSON1008: runs[0].results[0].locations[0].physicalLocation.region.startLine: 0 is less than the minimum permitted value of 1.
/tmp/rt/bad.sarif(112,27): warning SARIF2017: runs[0].results[0].locations[0].physicalLocation.region: The 'region' object carries no positional information.
/tmp/rt/bad.sarif(102,22): note SARIF2002: runs[0].results[0].message: The 'message' property of this result contains a 'text' property.

Done. 1 files scanned.
Analysis completed successfully.
`

func TestProblems(t *testing.T) {
	got := Problems(sampleOutput)
	if len(got) != 2 {
		t.Fatalf("Problems found %d lines, want the error and the warning:\n%q", len(got), got)
	}
	if want := "error JSON1008"; !contains(got[0], want) {
		t.Errorf("first problem %q does not contain %q", got[0], want)
	}
	if want := "warning SARIF2017"; !contains(got[1], want) {
		t.Errorf("second problem %q does not contain %q", got[1], want)
	}
	if n := len(Problems("Analyzing...\nDone. 1 files scanned.\nAnalysis completed successfully.\n")); n != 0 {
		t.Errorf("clean output: %d problems, want 0", n)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
