// Package kerneltest is the one policy for tests that need the kernel
// (root, network namespaces, the real nft and iptables-nft): without them
// such a test is skipped with the reason, unless NFTLINT_KERNEL_TESTS is
// "required" (as CI sets it), when it fails instead. A kernel test that
// runs logs Marker, which `make test`'s summary counts.
package kerneltest

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Marker is logged by every kernel test that gets to run.
const Marker = "KERNELTEST ran"

// Required reports whether kernel tests must run (NFTLINT_KERNEL_TESTS=required).
func Required() bool { return os.Getenv("NFTLINT_KERNEL_TESTS") == "required" }

// Unavailable ends t because the kernel cannot be used, for the reason
// why: a failure when kernel tests are required, a skip otherwise.
func Unavailable(t testing.TB, why string) {
	t.Helper()
	if Required() {
		t.Fatalf("NFTLINT_KERNEL_TESTS=required, but the kernel test cannot run: %s", why)
	}
	t.Skipf("kernel test skipped: %s (set NFTLINT_KERNEL_TESTS=required to make this a failure)", why)
}

// Ran records that t runs against the kernel.
func Ran(t testing.TB) {
	t.Helper()
	t.Log(Marker)
}

// Check ends t through Unavailable when err is not nil, else records it as run.
func Check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		Unavailable(t, err.Error())
	}
	Ran(t)
}

// Require checks for root and the given tools (ip and nft are always
// needed) and ends t through Unavailable when one is missing.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	Check(t, missing(tools))
}

func missing(tools []string) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("not root")
	}
	for _, tool := range append([]string{"ip", "nft"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not installed", tool)
		}
	}
	return nil
}
