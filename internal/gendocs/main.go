// Command gendocs writes docs/rules/ from the check registry: one page per
// rule (NFTxxx.md) and an index (README.md). Run it with `go generate ./...`
// (the directive is in report/generate.go); a test fails when the
// committed pages are stale.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/report"
)

func main() {
	out := flag.String("out", "docs/rules", "directory to write the rule pages to")
	flag.Parse()
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// pages renders every file of the rules directory, by base name.
func pages() map[string][]byte {
	out := map[string][]byte{}
	rules := checks.All()
	for _, c := range rules {
		out[c.ID+".md"] = []byte(report.GeneratedNotice + "\n\n" + report.RuleMarkdown(c))
	}
	out["README.md"] = []byte(report.GeneratedNotice + "\n\n" + report.RulesIndexMarkdown(rules))
	return out
}

// rulePage matches the names of generated rule pages.
var rulePage = regexp.MustCompile(`^NFT\d{3}\.md$`)

// stale compares dir with the rendered pages and returns the names of
// files to write and of generated files to remove.
func stale(dir string, want map[string][]byte) (write, remove []string, err error) {
	for name, data := range want {
		have, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !os.IsNotExist(err) {
			return nil, nil, err
		}
		if !bytes.Equal(have, data) {
			write = append(write, name)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return nil, nil, err
	}
	for _, e := range entries {
		if _, ok := want[e.Name()]; !ok && rulePage.MatchString(e.Name()) {
			remove = append(remove, e.Name())
		}
	}
	sort.Strings(write)
	sort.Strings(remove)
	return write, remove, nil
}

func write(dir string) error {
	want := pages()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	toWrite, toRemove, err := stale(dir, want)
	if err != nil {
		return err
	}
	for _, name := range toWrite {
		if err := os.WriteFile(filepath.Join(dir, name), want[name], 0o644); err != nil {
			return err
		}
	}
	for _, name := range toRemove {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}
