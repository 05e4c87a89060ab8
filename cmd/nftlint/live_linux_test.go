//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/internal/kerneltest"
)

// TestLiveNetns loads a ruleset into a throw-away network namespace with
// the real nft and lints it with --live --netns. It needs root, ip and
// nft; without them it skips, unless NFTLINT_KERNEL_TESTS=required.
func TestLiveNetns(t *testing.T) {
	kerneltest.Require(t)
	name := fmt.Sprintf("nftlint-cli-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "delete", name).Run() })

	ruleset := filepath.Join(t.TempDir(), "fw.nft")
	src := "table inet host-fw {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tct state established,related accept\n\t}\n}\n"
	if err := os.WriteFile(ruleset, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("ip", "netns", "exec", name, "nft", "-f", ruleset).CombinedOutput(); err != nil {
		t.Fatalf("loading the ruleset into %s: %v\n%s", name, err, out)
	}

	lintLive := func(args ...string) (string, string, int) {
		var stdout, stderr bytes.Buffer
		a := &app{
			stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, dir: t.TempDir(),
			getenv: func(string) string { return "" }, isTerminal: func(io.Writer) bool { return false },
			version: testVersion, localNft: func() string { return "" },
		}
		code := a.main(append([]string{"--live", "--netns", "/run/netns/" + name}, args...))
		return stdout.String(), stderr.String(), code
	}

	stdout, stderr, code := lintLive("--format", "json")
	if code != exitFindings {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	var doc struct {
		Diagnostics []struct {
			File string `json:"file"`
			Line int    `json:"line"`
			Rule string `json:"rule"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("json: %v\n%s", err, stdout)
	}
	found := false
	for _, d := range doc.Diagnostics {
		if d.File != "live:ruleset" || d.Line < 1 {
			t.Errorf("finding %+v does not point into live:ruleset", d)
		}
		if d.Rule == "NFT101" {
			found = true
		}
	}
	if !found {
		t.Errorf("no NFT101 finding for the forward chain that drops container traffic:\n%s", stdout)
	}

	// The text report shows the kernel's listing as the source.
	stdout, _, _ = lintLive()
	if !strings.Contains(stdout, "live:ruleset:") || !strings.Contains(stdout, "chain forward") {
		t.Errorf("text report does not quote the live listing:\n%s", stdout)
	}

	if _, stderr, code := lintLive("--fix"); code != exitTrouble || !strings.Contains(stderr, "--live cannot be combined") {
		t.Errorf("--live --fix: exit %d, %q; want 2 and an explanation", code, stderr)
	}
}
