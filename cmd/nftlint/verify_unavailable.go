package main

import (
	"context"

	"github.com/nftlint/nftlint/checks"
)

// runVerify runs the kernel verification. The kernel machinery
// (internal/verify) is not part of this build yet: say so plainly.
func (a *app) runVerify(ctx context.Context, path string, rt checks.Runtime) int {
	a.errorf("verify: not available in this build: the kernel verifier (internal/verify) is not included yet")
	return exitTrouble
}
