//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hangGuard is how long a run may take before the test calls it hung; a
// generous bound, not a timing assertion.
const hangGuard = 60 * time.Second

// tempRoot returns a fresh directory with symbolic links resolved, so
// that the paths the command prints are the ones the test expects.
func tempRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	return root
}

// writeFiles writes name→content under dir, creating directories.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runGuarded runs the command in dir and fails the test if it does not
// finish within hangGuard.
func runGuarded(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb, dir: dir,
		getenv: func(string) string { return "" }, isTerminal: func(io.Writer) bool { return false },
		version: testVersion, localNft: func() string { return "" },
	}
	done := make(chan int, 1)
	go func() { done <- a.main(args) }()
	select {
	case code = <-done:
	case <-time.After(hangGuard):
		t.Fatalf("nftlint %s did not finish within %v (blocked on a FIFO?)", strings.Join(args, " "), hangGuard)
	}
	return out.String(), errb.String(), code
}

// unblockFIFO opens a FIFO for writing without blocking and closes it, so
// that a reader stuck in open(2) or read(2) gets end of file.
func unblockFIFO(path string) {
	if fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		syscall.Close(fd)
	}
}

// A repository holding a link to a FIFO (or to /proc/self/fd/0) must not
// block `nftlint .`: files found by walking are read only when regular.
// The same FIFO named on the command line is read, as `nft -f <(…)` is.
func TestWalkReadsOnlyRegularFiles(t *testing.T) {
	root := tempRoot(t)
	repo := filepath.Join(root, "repo")
	writeFiles(t, repo, map[string]string{"good.nft": "table inet t {\n}\n"})
	fifo := filepath.Join(root, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	t.Cleanup(func() { unblockFIFO(fifo) })
	if err := os.Symlink(fifo, filepath.Join(repo, "pipe.nft")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(repo, "direct.nft"), 0o644); err != nil {
		t.Fatal(err)
	}

	_, stderr, code := runGuarded(t, repo, ".")
	if code != exitTrouble {
		t.Errorf("exit %d, want %d (the link to a FIFO is an error)\n%s", code, exitTrouble, stderr)
	}
	if !strings.Contains(stderr, "pipe.nft") || !strings.Contains(stderr, "not a regular file") {
		t.Errorf("stderr does not say pipe.nft is not a regular file:\n%s", stderr)
	}
	if strings.Contains(stderr, "direct.nft") {
		t.Errorf("a FIFO found while walking is not an nftables file to lint:\n%s", stderr)
	}
	if !strings.Contains(stderr, "in 1 file") {
		t.Errorf("good.nft was not linted:\n%s", stderr)
	}

	// Named, the FIFO is read.
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		f.WriteString("table inet t {\n\tchain c {\n\t\tpolicy drop;\n\t}\n}\n")
		f.Close()
	}()
	stdout, stderr, code := runGuarded(t, repo, "--format", "json", "pipe.nft")
	if code == exitTrouble || !strings.Contains(stdout, `"NFT204"`) {
		t.Errorf("the named FIFO was not linted (exit %d):\n%s\n%s", code, stdout, stderr)
	}
}
