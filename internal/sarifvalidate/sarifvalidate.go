// Package sarifvalidate runs the Microsoft SARIF Multitool over SARIF
// files in tests: `validate --rule-kind "Gh;Sarif"`, which checks the
// SARIF 2.1.0 schema, the SARIF rules and GitHub code scanning's rules.
//
// The tool comes from npm (`make sarif-tool`). Tests find it through the
// environment variable NFTLINT_SARIF_MULTITOOL or under node_modules at
// the repository root; without it they skip, unless NFTLINT_SARIF=required.
package sarifvalidate

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Tool returns the path of the Multitool binary, or skips (or fails,
// when NFTLINT_SARIF=required) the test when it cannot be found.
func Tool(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("NFTLINT_SARIF_MULTITOOL"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("NFTLINT_SARIF_MULTITOOL: %v", err)
		}
		return p
	}
	if root := repoRoot(); root != "" {
		// The npm package installs a per-platform package holding a
		// self-contained binary; run that directly (the npm wrapper passes
		// its arguments through a shell, which splits "Gh;Sarif").
		pkg := filepath.Join(root, "node_modules", "@microsoft", "sarif-multitool-"+npmPlatform())
		bin := filepath.Join(pkg, "Sarif.Multitool")
		if runtime.GOOS == "windows" {
			bin += ".exe"
		}
		if _, err := os.Stat(bin); err == nil {
			return bin
		}
	}
	msg := "SARIF Multitool not found: run `make sarif-tool` or set NFTLINT_SARIF_MULTITOOL"
	if os.Getenv("NFTLINT_SARIF") == "required" {
		t.Fatal(msg + " (NFTLINT_SARIF=required)")
	}
	t.Skip(msg)
	return ""
}

func npmPlatform() string {
	if runtime.GOOS == "windows" {
		return "win32"
	}
	return runtime.GOOS
}

// repoRoot returns the directory holding go.mod above the working
// directory, or "".
func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// finding matches a validator line such as
// "/tmp/x.sarif(12,3): error SARIF1004: …".
var finding = regexp.MustCompile(`^(.*)\((\d+),(\d+)\): (error|warning) ([A-Z]+[0-9]+): (.*)$`)

// Validate runs the Multitool over files and fails the test for every
// error or warning it reports. The tool exits 0 even when it finds
// errors, so its output is parsed.
func Validate(t testing.TB, tool string, files ...string) {
	t.Helper()
	if len(files) == 0 {
		t.Fatal("sarifvalidate: no files")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // hang guard only
	defer cancel()
	args := append([]string{"validate", "--rule-kind", "Gh;Sarif"}, files...)
	cmd := exec.CommandContext(ctx, tool, args...)
	// The Multitool is a .NET program: keep it from writing telemetry or
	// first-run files into the user's home.
	cmd.Env = append(os.Environ(), "DOTNET_CLI_TELEMETRY_OPTOUT=1", "DOTNET_NOLOGO=1",
		// No dependency on the system ICU library: the tool only reads JSON.
		"DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, out.String())
	}
	problems := Problems(out.String())
	for _, p := range problems {
		t.Errorf("SARIF validation: %s", p)
	}
	if !strings.Contains(out.String(), "Analysis completed successfully") {
		t.Errorf("SARIF Multitool did not complete:\n%s", out.String())
	}
}

// Problems returns the error and warning lines of the Multitool's output.
func Problems(output string) []string {
	var out []string
	for _, line := range strings.Split(output, "\n") {
		line = strings.TrimRight(line, "\r")
		if finding.MatchString(line) {
			out = append(out, line)
		}
	}
	return out
}
