//go:build unix

package parser

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadDir writes files into a fresh directory and loads main.nft there.
func loadDir(t *testing.T, files map[string]string, cfg LoadConfig) (*LoadResult, string) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Dir = dir
	return loadWithTimeout(t, cfg, Source{Name: "main.nft"}), dir
}

// loadWithTimeout guards against a loader that blocks on a FIFO.
func loadWithTimeout(t *testing.T, cfg LoadConfig, roots ...Source) *LoadResult {
	t.Helper()
	type result struct {
		res *LoadResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := Load(nil, cfg, roots...)
		done <- result{res, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("Load: %v", r.err)
		}
		return r.res
	case <-time.After(2 * time.Minute):
		t.Fatal("Load blocked (hang guard)")
		return nil
	}
}

// wantOneError asserts exactly one error with the code whose message
// contains every fragment.
func wantOneError(t *testing.T, res *LoadResult, code string, fragments ...string) {
	t.Helper()
	if len(res.Errors) != 1 {
		t.Fatalf("got %d errors, want 1: %v", len(res.Errors), res.Errors)
	}
	e := res.Errors[0]
	if e.Code != code {
		t.Errorf("code %s, want %s (%s)", e.Code, code, e.Msg)
	}
	for _, f := range fragments {
		if !strings.Contains(e.Msg, f) {
			t.Errorf("message %q lacks %q", e.Msg, f)
		}
	}
}

func TestIncludeFIFORefused(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.nft"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "main.nft"), []byte("include \"pipe.nft\"\n"), 0o644)
	res := loadWithTimeout(t, LoadConfig{Dir: dir}, Source{Name: "main.nft"})
	wantOneError(t, res, CodeInclude, `"pipe.nft"`, "not a regular file")
}

func TestIncludeGlobFIFORefused(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "b.nft"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "a.nft"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "main.nft"), []byte("include \"[ab].nft\"\n"), 0o644)
	res := loadWithTimeout(t, LoadConfig{Dir: dir}, Source{Name: "main.nft"})
	wantOneError(t, res, CodeInclude, "b.nft", "not a regular file")
	if res.Included != 1 {
		t.Errorf("included %d files, want 1 (a.nft)", res.Included)
	}
}

func TestIncludeDeviceRefused(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	res, _ := loadDir(t, map[string]string{"main.nft": "include \"/dev/zero\"\n"}, LoadConfig{IncludeOutside: true})
	wantOneError(t, res, CodeInclude, "/dev/zero", "not a regular file")
}

func TestIncludeDeviceConfined(t *testing.T) {
	res, _ := loadDir(t, map[string]string{"main.nft": "include \"/dev/zero\"\n"}, LoadConfig{})
	wantOneError(t, res, CodeInclude, "outside the linted file's directory")
}

func TestIncludeSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	os.Symlink("b.nft", filepath.Join(dir, "a.nft"))
	os.Symlink("a.nft", filepath.Join(dir, "b.nft"))
	os.WriteFile(filepath.Join(dir, "main.nft"), []byte("include \"a.nft\"\n"), 0o644)
	res := loadWithTimeout(t, LoadConfig{Dir: dir}, Source{Name: "main.nft"})
	wantOneError(t, res, CodeInclude, `"a.nft"`, "too many levels of symbolic links")
}

func TestIncludeDanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	os.Symlink("gone.nft", filepath.Join(dir, "a.nft"))
	os.WriteFile(filepath.Join(dir, "main.nft"), []byte("include \"a.nft\"\n"), 0o644)
	res := loadWithTimeout(t, LoadConfig{Dir: dir}, Source{Name: "main.nft"})
	wantOneError(t, res, CodeInclude, `"a.nft"`, "no such file")
}

func TestIncludeUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "secret.nft"), nil, 0)
	os.WriteFile(filepath.Join(dir, "main.nft"), []byte("include \"secret.nft\"\n"), 0o644)
	res := loadWithTimeout(t, LoadConfig{Dir: dir}, Source{Name: "main.nft"})
	wantOneError(t, res, CodeInclude, `"secret.nft"`, "permission denied")
}

func TestIncludeFileSizeLimit(t *testing.T) {
	res, _ := loadDir(t, map[string]string{
		"main.nft": "include \"big.nft\"\n",
		"big.nft":  strings.Repeat("# filler\n", 100),
	}, LoadConfig{Limits: Limits{MaxFileSize: 200}})
	wantOneError(t, res, CodeLimit, `"big.nft"`, "larger than nftlint's limit of 200 bytes")
}

func TestRootFileSizeLimit(t *testing.T) {
	res, _ := loadDir(t, map[string]string{"main.nft": strings.Repeat("# filler\n", 100)},
		LoadConfig{Limits: Limits{MaxFileSize: 200}})
	wantOneError(t, res, CodeLimit, `"main.nft"`, "larger than")
}

// A FIFO named on the command line is read, as nft reads `-f <(…)`.
func TestRootFIFORead(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "pipe.nft")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	go func() {
		f, err := os.OpenFile(pipe, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		f.WriteString("# from a pipe\n")
		f.Close()
	}()
	res := loadWithTimeout(t, LoadConfig{Dir: dir}, Source{Name: "pipe.nft"})
	if len(res.ASTs) != 1 || string(res.ASTs[0].File.Source()) != "# from a pipe\n" {
		t.Fatalf("FIFO content not read: %+v", res.ASTs)
	}
}

func TestRootUnreadableIsFatal(t *testing.T) {
	dir := t.TempDir()
	res, err := Load(nil, LoadConfig{Dir: dir}, Source{Name: "missing.nft"}, Source{Name: "-", Src: []byte("# ok\n")})
	if err == nil || !strings.Contains(err.Error(), "missing.nft") {
		t.Fatalf("err = %v, want one naming missing.nft", err)
	}
	if len(res.ASTs) != 1 || res.ASTs[0].File.Name() != "-" {
		t.Fatalf("the readable root must still load, got %d ASTs", len(res.ASTs))
	}
}

func TestStdinIncludesConfinedToWorkDir(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.nft"), nil, 0o644)
	src := []byte("include \"./a.nft\"\ninclude \"../x.nft\"\n")
	res := loadWithTimeout(t, LoadConfig{Dir: dir, Stdin: strings.NewReader(string(src))}, Source{Name: "-"})
	if res.Included != 1 {
		t.Errorf("included %d, want 1", res.Included)
	}
	wantOneError(t, res, CodeInclude, `"../x.nft"`)
}

// A file found by walking a directory may be a link to a FIFO (or to
// /proc/self/fd/0): with RegularOnly it is refused without blocking.
func TestRootRegularOnlyRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	os.Symlink("pipe", filepath.Join(dir, "x.nft"))
	done := make(chan error, 1)
	go func() {
		_, err := Load(nil, LoadConfig{Dir: dir}, Source{Name: "x.nft", RegularOnly: true})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("err = %v, want not a regular file", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("blocked on the FIFO")
	}
}
