package hostile

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/lint"
	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/report"
)

// corpusFiles returns the paths of every file manifest.tsv lists. Without
// the corpus the test skips, unless NFTLINT_CORPUS=required.
func corpusFiles(tb testing.TB) []string {
	shared := os.Getenv("NFTLINT_SHARED")
	if shared == "" {
		shared = filepath.Join("..", "..", "..", "shared")
	}
	dir := filepath.Join(shared, "corpus")
	rows, err := os.ReadFile(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		if os.Getenv("NFTLINT_CORPUS") == "required" {
			tb.Fatalf("corpus required but not readable: %v", err)
		}
		tb.Skipf("corpus not found at %s (set NFTLINT_SHARED): %v", dir, err)
	}
	var out []string
	for _, line := range strings.Split(string(rows), "\n")[1:] {
		if name, _, _ := strings.Cut(line, "\t"); name != "" {
			out = append(out, filepath.Join(dir, filepath.FromSlash(name)))
		}
	}
	if len(out) < 1000 {
		tb.Fatalf("manifest lists %d files, expected the whole corpus", len(out))
	}
	return out
}

// lintFile runs the pipeline on a corpus file as nft was run on it: from
// the file's directory, every runtime selected.
func lintFile(path string) (*lint.Result, error) {
	return lint.Lint(parser.Source{Name: filepath.Base(path)}, &lint.Options{
		Dir:            filepath.Dir(path),
		InlineSuppress: true,
		Checks: checks.Options{Runtimes: []checks.Runtime{checks.RuntimeDocker, checks.RuntimeDockerLegacy,
			checks.RuntimeDockerNftables, checks.RuntimePodman, checks.RuntimeKubernetes, checks.RuntimeLibvirt}},
	})
}

// TestCorpusNoCrash lints every corpus file, text and JSON (nft 1.0.6
// crashes on 62 of them): nothing may crash, and every file is linted.
func TestCorpusNoCrash(t *testing.T) {
	paths := corpusFiles(t)
	findings := 0
	for _, path := range paths {
		res, err := lintFile(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		findings += len(res.Diagnostics)
		for _, d := range res.Diagnostics {
			if strings.Contains(d.Message, "internal error") {
				t.Errorf("%s: %s crashed: %.300s", path, d.Check, d.Message)
			}
		}
	}
	t.Logf("MEASURED %d files linted, %d findings", len(paths), findings)
}

// render lints path and writes every format.
func render(tb testing.TB, path string) map[report.Format][]byte {
	res, err := lintFile(path)
	if err != nil {
		return map[report.Format][]byte{"error": []byte(err.Error())}
	}
	rep := &report.Report{
		Tool: report.DefaultTool("0.0.0-test"), Rules: checks.All(), Diagnostics: res.Diagnostics,
		Files: map[string]*parser.File{}, WorkDir: filepath.Dir(path), FilesLinted: 1,
	}
	for _, f := range res.Files.Files() {
		rep.Files[f.Name()] = f
	}
	out := map[report.Format][]byte{}
	for _, f := range report.Formats {
		var buf bytes.Buffer
		if err := report.Write(&buf, f, rep, report.TextOptions{}); err != nil {
			tb.Fatalf("%s: %s: %v", path, f, err)
		}
		out[f] = buf.Bytes()
	}
	return out
}

// TestDeterministicOutput lints the same inputs repeatedly with different
// GOMAXPROCS: every format must be byte-identical run after run.
func TestDeterministicOutput(t *testing.T) {
	paths := corpusFiles(t)
	// Every 10th file keeps the test short while covering every kind of
	// corpus file; the files with the most findings are the likeliest to
	// show an order that depends on map iteration.
	var sample []string
	for i, p := range paths {
		if i%10 == 0 {
			sample = append(sample, p)
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, path := range sample {
		runtime.GOMAXPROCS(1)
		first := render(t, path)
		for run, procs := range []int{4, 2, 1} {
			runtime.GOMAXPROCS(procs)
			again := render(t, path)
			for f, b := range first {
				if !bytes.Equal(b, again[f]) {
					t.Errorf("%s: %s output differs on run %d (GOMAXPROCS=%d)", path, f, run+2, procs)
				}
			}
		}
	}
}
