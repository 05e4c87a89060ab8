// Command nftlint lints nftables rulesets: it reads them as `nft -f` would,
// builds the ruleset they produce and reports what breaks, in particular
// what breaks container networking next to Docker, Podman or Kubernetes.
//
//	nftlint [flags] PATH...
//	nftlint verify [--runtime R] FILE
//
// Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 nftlint could
// not do its job (bad flags or config, an unreadable path named on the
// command line, an output that cannot be written).
package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

func main() {
	a, err := newApp(os.Stdin, os.Stdout, os.Stderr)
	if err != nil {
		io.WriteString(os.Stderr, "nftlint: "+err.Error()+"\n")
		os.Exit(exitTrouble)
	}
	// Only the process sets the collector's policy: tests run the command
	// in-process and keep theirs.
	a.memoryPolicy = setMemoryPolicy
	os.Exit(a.main(os.Args[1:]))
}

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1
	exitTrouble  = 2
)

// run is the whole command, minus the process: tests call it in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a, err := newApp(stdin, stdout, stderr)
	if err != nil {
		io.WriteString(stderr, "nftlint: "+err.Error()+"\n")
		return exitTrouble
	}
	return a.main(args)
}

// newApp returns the command reading the process's environment.
func newApp(stdin io.Reader, stdout, stderr io.Writer) (*app, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, errors.New("cannot determine the working directory: " + err.Error())
	}
	return &app{
		stdin:      stdin,
		stdout:     stdout,
		stderr:     stderr,
		dir:        wd,
		getenv:     os.Getenv,
		isTerminal: isTerminal,
		version:    buildVersion(),
		localNft:   localNftVersion,
	}, nil
}

// app holds what the command reads from its environment, so that tests
// can run it in-process with a fixed one.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	dir            string              // working directory, absolute
	getenv         func(string) string // environment (NO_COLOR, TERM)
	isTerminal     func(w io.Writer) bool
	version        string
	// localNft returns the version of the local nft, or "" when there is
	// none; the default target of --nft-version.
	localNft func() string

	nftOnce    sync.Once
	nftVersion string // localNft's answer

	// memoryPolicy, when set, tunes the garbage collector for inputs of
	// the given total size before they are linted (setMemoryPolicy).
	memoryPolicy func(inputBytes int64)
}

// baseVersion is reported when the build carries no module version.
const baseVersion = "0.1.0-dev"

// buildVersion returns the module version nftlint was built at (set by
// `go install …@vX.Y.Z`), or baseVersion for a build from a checkout.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return strings.TrimPrefix(bi.Main.Version, "v")
	}
	return baseVersion
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

var nftVersionRE = regexp.MustCompile(`v?(\d+\.\d+(?:\.\d+)?)`)

// localNftVersion runs `nft --version` and returns "1.0.6", or "" when nft
// is not installed or says something unexpected.
func localNftVersion() string {
	path, err := exec.LookPath("nft")
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return ""
	}
	m := nftVersionRE.FindStringSubmatch(string(out))
	if m == nil {
		return ""
	}
	return m[1]
}
