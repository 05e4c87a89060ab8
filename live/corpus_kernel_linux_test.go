//go:build linux

package live_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nftlint/nftlint/internal/kerneltest"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/lint"
	"github.com/nftlint/nftlint/live"
	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

func corpusDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("NFTLINT_SHARED")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared")
	}
	dir, _ = filepath.Abs(filepath.Join(dir, "corpus"))
	if _, err := os.Stat(filepath.Join(dir, "manifest.tsv")); err != nil {
		if os.Getenv("NFTLINT_CORPUS") == "required" {
			t.Fatalf("corpus required but not found at %s (set NFTLINT_SHARED): %v", dir, err)
		}
		t.Skipf("corpus not found at %s (set NFTLINT_SHARED to the shared directory); skipping", dir)
	}
	return dir
}

// acceptedFiles lists the corpus's nft-syntax files nft 1.0.6 accepted.
func acceptedFiles(t *testing.T, dir string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var header []string
	var out []string
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = cols
			continue
		}
		row := map[string]string{}
		for i, h := range header {
			if i < len(cols) {
				row[h] = cols[i]
			}
		}
		if row["syntax"] == "nft" && row["nft_1_0_6_check"] == "accept" {
			out = append(out, row["file"])
		}
	}
	return out
}

func kernelOrSkip(t *testing.T) {
	t.Helper()
	kerneltest.Require(t)
}

func inNS(ctx context.Context, ns, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Dir = dir
	return cmd.CombinedOutput()
}

type where struct {
	spans    []span
	fileOnly map[string]map[int]bool
}

type span struct {
	file     string
	from, to int
	name     string
}

func locate(rs *ruleset.Ruleset) *where {
	w := &where{fileOnly: map[string]map[int]bool{}}
	pos := func(n parser.Node) (string, int, int) {
		p, e := rs.Files.Position(n.Pos()), rs.Files.Position(n.End())
		return p.Filename, p.Line, e.Line
	}
	for _, t := range rs.Tables {
		for _, d := range t.Decls {
			f, a, b := pos(d)
			w.spans = append(w.spans, span{f, a, b, fmt.Sprintf("%s %s", t.Family, t.Name)})
		}
		for _, c := range t.Chains {
			name := fmt.Sprintf("%s %s/%s", t.Family, t.Name, c.Name)
			for _, d := range c.Decls {
				f, a, b := pos(d)
				w.spans = append(w.spans, span{f, a, b, name})
			}
			// Rules added by `add rule` commands outside the chain's block.
			for _, r := range c.Rules {
				var n parser.Node = r.AST
				if r.Cmd != nil {
					n = r.Cmd
				}
				if n != nil {
					f, a, b := pos(n)
					w.spans = append(w.spans, span{f, a, b, name})
				}
			}
		}
	}
	mark := func(n parser.Node) {
		f, a, b := pos(n)
		if w.fileOnly[f] == nil {
			w.fileOnly[f] = map[int]bool{}
		}
		for i := a; i <= b; i++ {
			w.fileOnly[f][i] = true
		}
	}
	for _, f := range rs.Flushes {
		mark(f.Cmd)
	}
	for _, d := range rs.Defines {
		mark(d.Cmd)
	}
	for _, ast := range rs.ASTs {
		parser.Inspect(ast, func(n parser.Node) bool {
			if inc, ok := n.(*parser.IncludeCmd); ok {
				mark(inc)
			}
			return true
		})
	}
	return w
}

func (w *where) at(p parser.Position) string {
	best, size := "", -1
	for _, s := range w.spans {
		if s.file == p.Filename && s.from <= p.Line && p.Line <= s.to && (size < 0 || s.to-s.from < size) {
			best, size = s.name, s.to-s.from
		}
	}
	return best
}

// offOnLive are the checks that are off on live rulesets by design: what
// they report belongs to files (saved runtime state, unused sets and
// chains, which the kernel holds because something else uses them).
var offOnLive = map[string]bool{"NFT109": true, "NFT403": true, "NFT404": true}

// TestCorpusLiveMatchesFile loads every corpus file nft 1.0.6 accepted
// into a namespace, reads it back and lints the rendering as --live does
// and the file as a file. The rendering of every loaded file must load
// without error, and no finding that says nft would refuse the input
// (error-level NFT2xx) may appear on the rendering unless the file has
// it too: the kernel holds the ruleset, so nft accepted it, and such a
// finding would be a decoding error. The agreement of the two finding
// lists is logged.
func TestCorpusLiveMatchesFile(t *testing.T) {
	dir := corpusDir(t)
	kernelOrSkip(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute) // hang guard
	defer cancel()
	var b [4]byte
	rand.Read(b[:])
	ns := fmt.Sprintf("nftlint-livecorpus-%d-%s", os.Getpid(), hex.EncodeToString(b[:]))
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", ns).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v %s", ns, err, out)
		}
	})

	opts := func() *lint.Options {
		rts := []checks.Runtime{checks.RuntimeDocker}
		return &lint.Options{Checks: checks.Options{Runtimes: rts, ContainerIfaces: checks.ContainerIfaces(rts, nil), NftVersion: "1.0.6"}, InlineSuppress: true, IncludeOutside: true}
	}
	files := acceptedFiles(t, dir)
	loaded, agree, warned := 0, 0, 0
	onlyFile, onlyLive := map[string]int{}, map[string]int{}
	for _, name := range files {
		path := filepath.Join(dir, name)
		if out, err := inNS(ctx, ns, "", "nft", "flush", "ruleset"); err != nil {
			t.Fatalf("flush: %v %s", err, out)
		}
		if _, err := inNS(ctx, ns, filepath.Dir(path), "nft", "-f", path); err != nil {
			continue // needs devices, modules or files this machine lacks
		}
		loaded++
		snap, err := live.Take(ctx, live.Options{NetNS: "/run/netns/" + ns})
		if err != nil {
			t.Errorf("%s: reading the ruleset back: %v", name, err)
			continue
		}
		if len(snap.Warnings) > 0 {
			warned++
			t.Logf("%s: %s", name, strings.Join(snap.Warnings, "; "))
		}
		lo := opts()
		lo.InputFormat = "text"
		var liveRS *ruleset.Ruleset
		lo.Annotate = func(rs *ruleset.Ruleset) { snap.Annotate(rs); liveRS = rs }
		lr, err := lint.Lint(snap.Source, lo)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		fo := opts()
		fo.Dir = filepath.Dir(path)
		var fileRS *ruleset.Ruleset
		fo.Annotate = func(rs *ruleset.Ruleset) { fileRS = rs }
		fr, err := lint.Lint(parser.Source{Name: path}, fo)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		lw, fw := locate(liveRS), locate(fileRS)
		count := map[string]int{}
		fileRefusals := map[string]bool{}
		for _, d := range fr.Diagnostics {
			if fw.fileOnly[d.Start.Filename][d.Start.Line] || offOnLive[d.Check] {
				continue
			}
			count[d.Check+" "+fw.at(d.Start)]--
			fileRefusals[d.Check] = true
		}
		for _, d := range lr.Diagnostics {
			if checks.IsInputRule(d.Check) {
				t.Errorf("%s: the rendering of the live ruleset does not load: %s %s\n%s", name, d.Check, d.Message, snap.Source.Src)
				continue
			}
			if strings.HasPrefix(d.Check, "NFT2") && d.Severity == checks.Error && !fileRefusals[d.Check] {
				line := ""
				if f := lr.Files.File(liveRS.ASTs[0].Pos()); f != nil {
					line = strings.TrimSpace(f.Line(d.Start.Line))
				}
				t.Errorf("%s: %s on the live ruleset, which nft accepted: %s\n\t%s", name, d.Check, d.Message, line)
			}
			count[d.Check+" "+lw.at(d.Start)]++
		}
		var keys []string
		for k, n := range count {
			if n != 0 {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			id := strings.Fields(k)[0]
			if count[k] > 0 {
				onlyLive[id]++
			} else {
				onlyFile[id]++
			}
		}
		if len(keys) == 0 {
			agree++
		} else if testing.Verbose() {
			t.Logf("%s: findings differ: %v", name, keys)
		}
	}
	if loaded == 0 {
		t.Fatal("no corpus file could be loaded into the kernel")
	}
	t.Logf("MEASURED %d accepted files, %d loaded into the kernel, %d with the same findings live and as a file (checks off on live left out), %d with chains the netlink library cannot decode; files with findings only as a file: %v, only live: %v",
		len(files), loaded, agree, warned, onlyFile, onlyLive)
}
