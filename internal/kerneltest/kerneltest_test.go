package kerneltest

import (
	"os"
	"os/exec"
	"testing"
)

// TestUnavailablePolicy runs a test that needs a tool nobody has, once
// with kernel tests optional (it must skip) and once required (it must
// fail), in a child process so the failure does not fail this test.
func TestUnavailablePolicy(t *testing.T) {
	if os.Getenv("KERNELTEST_CHILD") == "1" {
		Require(t, "nftlint-no-such-tool")
		t.Fatal("Require returned for a missing tool")
	}
	for _, tc := range []struct {
		required string
		wantFail bool
	}{{"", false}, {"required", true}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestUnavailablePolicy$", "-test.v")
		cmd.Env = append(os.Environ(), "KERNELTEST_CHILD=1", "NFTLINT_KERNEL_TESTS="+tc.required)
		out, err := cmd.CombinedOutput()
		if failed := err != nil; failed != tc.wantFail {
			t.Errorf("NFTLINT_KERNEL_TESTS=%q: failed=%v, want %v\n%s", tc.required, failed, tc.wantFail, out)
		}
	}
}
