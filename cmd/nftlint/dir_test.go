package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDirOutputOrder lints a directory of files of different sizes (the
// command lints them concurrently, so they finish in varying order) a few
// times: the report must be the same every time, ordered by file name.
func TestDirOutputOrder(t *testing.T) {
	dir := t.TempDir()
	var names []string
	for i := range 12 {
		var b strings.Builder
		b.WriteString("flush ruleset\ntable inet t {\n")
		// Files of 1 to 400 chains, each unreferenced (NFT404).
		for j := range 1 + (i*37)%400 {
			fmt.Fprintf(&b, "\tchain c%d { counter }\n", j)
		}
		b.WriteString("}\n")
		name := fmt.Sprintf("f%02d.nft", (i*5)%12) // written out of name order
		names = append(names, name)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var first []byte
	for run := range 4 {
		var stdout, stderr bytes.Buffer
		code := runIn(t, dir, []string{"-f", "json", "."}, &stdout, &stderr)
		if code != exitFindings {
			t.Fatalf("run %d: exit %d, want %d; stderr:\n%s", run, code, exitFindings, stderr.String())
		}
		if run == 0 {
			first = stdout.Bytes()
			var doc struct {
				Diagnostics []struct{ File string }
			}
			if err := json.Unmarshal(first, &doc); err != nil {
				t.Fatal(err)
			}
			var files []string
			for _, d := range doc.Diagnostics {
				if len(files) == 0 || files[len(files)-1] != d.File {
					files = append(files, d.File)
				}
			}
			slices.Sort(names)
			if !slices.Equal(files, names) {
				t.Fatalf("findings by file in the order %v, want every file once in name order %v", files, names)
			}
			continue
		}
		if !bytes.Equal(stdout.Bytes(), first) {
			t.Fatalf("run %d wrote a different report than run 0", run)
		}
	}
}

// runIn runs the command in-process with dir as its working directory.
func runIn(t *testing.T, dir string, args []string, stdout, stderr *bytes.Buffer) int {
	t.Helper()
	a, err := newApp(strings.NewReader(""), stdout, stderr)
	if err != nil {
		t.Fatal(err)
	}
	a.dir = dir
	a.localNft = func() string { return "" }
	return a.main(args)
}
