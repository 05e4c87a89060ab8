//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixable has a finding with a fix (NFT101 adds the container accepts).
const fixable = "table inet host-fw {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tct state established,related accept\n\t}\n}\n"

// --fix writes through a link found by walking only when its target lies
// inside the linted tree: a repository must not make a developer's
// `nftlint --fix .` rewrite a file elsewhere. Named files are written
// wherever their links point.
func TestFixRefusesLinksLeavingTheTree(t *testing.T) {
	root := tempRoot(t)
	repo := filepath.Join(root, "repo")
	writeFiles(t, root, map[string]string{
		"outside/target.nft": fixable,
		"repo/sub/real.nft":  fixable,
	})
	for link, target := range map[string]string{
		"repo/escape.nft": "../outside/target.nft",
		"repo/inner.nft":  "sub/real.nft",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	for _, args := range [][]string{{"--fix", "."}, {"--fix", filepath.Join(root, "repo")}} {
		_, stderr, code := runGuarded(t, repo, args...)
		if code != exitTrouble {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitTrouble, stderr)
		}
		if !strings.Contains(stderr, "escape.nft: fixes not applied: it is a symbolic link to a file outside the directories being linted") {
			t.Errorf("%v: stderr does not explain the refusal:\n%s", args, stderr)
		}
		if strings.Contains(stderr, "outside/target.nft") {
			t.Errorf("%v: stderr names where the link points:\n%s", args, stderr)
		}
		if got := read("outside/target.nft"); got != fixable {
			t.Fatalf("%v: the file outside the tree was rewritten:\n%s", args, got)
		}
		if got := read("repo/sub/real.nft"); got == fixable {
			t.Errorf("%v: the link inside the tree was not fixed", args)
		}
		writeFiles(t, root, map[string]string{"repo/sub/real.nft": fixable})
	}

	// Named, the link is followed.
	_, stderr, code := runGuarded(t, repo, "--fix", "escape.nft")
	if code == exitTrouble {
		t.Errorf("--fix escape.nft: exit %d\n%s", code, stderr)
	}
	if got := read("outside/target.nft"); got == fixable {
		t.Errorf("--fix escape.nft did not fix the named link's target:\n%s", stderr)
	}
	if fi, err := os.Lstat(filepath.Join(repo, "escape.nft")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("escape.nft is no longer a symbolic link (%v)", err)
	}
}
