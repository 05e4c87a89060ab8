//go:build linux

package hostile

import (
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nftlint/nftlint/lint"
)

// The command writes --fix results with lint.WriteFileAtomic; these tests
// check that no failure loses the original.

// A write that fails half-way (the file size limit, like a full disk)
// leaves the original untouched and no temporary file behind.
func TestFixFailedWriteKeepsOriginal(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "main.nft")
	orig := "table ip t {\n}\n"
	write(t, name, orig)

	signal.Ignore(syscall.SIGXFSZ) // make the write fail with EFBIG instead of killing the process
	defer signal.Reset(syscall.SIGXFSZ)
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	lim := old
	lim.Cur = 4096
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Skipf("setrlimit: %v", err)
	}
	err := lint.WriteFileAtomic(name, []byte(strings.Repeat("# fixed\n", 4096)), 0o644)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatalf("restoring the file size limit: %v", err)
	}
	if err == nil {
		t.Fatal("a write over the file size limit succeeded")
	}
	if got, _ := os.ReadFile(name); string(got) != orig {
		t.Errorf("original changed to %.60q after a failed write", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left behind: %v", names)
	}
}

// Fixing through a symbolic link rewrites the target, keeps the link and
// the target's mode.
func TestFixKeepsSymlinkAndMode(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.nft")
	link := filepath.Join(dir, "link.nft")
	write(t, real, "old\n")
	if err := os.Chmod(real, 0o640); err != nil {
		t.Fatal(err)
	}
	symlink(t, "real.nft", link)
	if err := lint.WriteFileAtomic(link, []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link.nft is no longer a symbolic link")
	}
	fi, err := os.Stat(real)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
	if got, _ := os.ReadFile(real); string(got) != "new\n" {
		t.Errorf("target holds %q", got)
	}
}

// A FIFO or a directory in place of the file is refused without blocking
// and left as it is.
func TestFixRefusesNonRegularTargets(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.nft")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	sub := filepath.Join(dir, "sub.nft")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{fifo, sub} {
		out := runGuarded(t, name, func() *outcome {
			return &outcome{err: lint.WriteFileAtomic(name, []byte("x\n"), 0o644)}
		})
		if out.err == nil || !strings.Contains(out.err.Error(), "not a regular file") {
			t.Errorf("%s: err = %v, want not a regular file", filepath.Base(name), out.err)
		}
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced")
	}
}
