package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/checks"
)

// The committed rule pages must match the registry.
func TestDocsUpToDate(t *testing.T) {
	write, remove, err := stale(filepath.Join("..", "..", "docs", "rules"), pages())
	if err != nil {
		t.Fatal(err)
	}
	if len(write) > 0 || len(remove) > 0 {
		t.Errorf("docs/rules is stale (out of date: %v; no longer registered: %v): run `go generate ./...` and commit the result", write, remove)
	}
}

func TestPages(t *testing.T) {
	p := pages()
	for _, c := range checks.All() {
		page, ok := p[c.ID+".md"]
		if !ok {
			t.Errorf("no page for %s", c.ID)
			continue
		}
		if !strings.Contains(string(page), "# "+c.ID+" "+c.Name) {
			t.Errorf("%s page has no title line", c.ID)
		}
		if !strings.Contains(string(p["README.md"]), "["+c.ID+"]("+c.ID+".md)") {
			t.Errorf("index does not link %s", c.ID)
		}
	}
}

// write brings a directory up to date and removes pages of rules that
// are gone, leaving other files alone.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"NFT999.md": "gone", "notes.md": "mine"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	w, r, err := stale(dir, pages())
	if err != nil || len(w) > 0 || len(r) > 0 {
		t.Errorf("after write: stale %v, remove %v, err %v", w, r, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "NFT999.md")); !os.IsNotExist(err) {
		t.Errorf("NFT999.md not removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.md")); err != nil {
		t.Errorf("notes.md removed: %v", err)
	}
}
