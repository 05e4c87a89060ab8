//go:build linux

package main

// Acceptance tests of `nftlint --live`: configurations are loaded with the
// real `nft -f` into private network namespaces (internal/netns), dockerd
// 29's firewall commands are replayed there with the real iptables-nft
// (internal/dockersim), and the command lints the namespace's ruleset
// (--live --netns). They need root, ip, nft and iptables-nft; without them
// they skip, unless NFTLINT_KERNEL_TESTS=required. The namespaces are
// always deleted.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nftlint/nftlint/internal/kerneltest"

	"github.com/nftlint/nftlint/internal/dockersim"
	"github.com/nftlint/nftlint/internal/netns"
	"github.com/nftlint/nftlint/internal/sarifvalidate"
	"github.com/nftlint/nftlint/live"
	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// liveEnv builds the namespaces of internal/netns with a docker0 bridge,
// or skips (fails when NFTLINT_KERNEL_TESTS=required).
func liveEnv(t *testing.T, ctx context.Context) *netns.Env {
	t.Helper()
	return liveEnvFor(t, ctx, dockersim.Docker29)
}

// liveEnvFor builds the namespaces with the bridge of runtime rt.
func liveEnvFor(t *testing.T, ctx context.Context, rt dockersim.Runtime) *netns.Env {
	t.Helper()
	kerneltest.Check(t, netns.Available())
	env, err := netns.New(ctx, netns.Options{Bridge: rt.Bridge()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Close(); err != nil {
			t.Errorf("deleting the namespaces: %v", err)
		}
	})
	return env
}

// seedConfig returns ../shared/examples/seed.nft ($NFTLINT_SHARED/examples),
// or skips when it is absent (fails when NFTLINT_CORPUS=required).
func seedConfig(t *testing.T) string {
	t.Helper()
	path, ok := findSeed(t)
	if !ok {
		t.Skipf("seed config not found at %s (set NFTLINT_SHARED to the shared directory); skipping", path)
	}
	return path
}

// findSeed returns the seed config's path and whether it exists; when it
// is absent and NFTLINT_CORPUS=required, the test fails.
func findSeed(t *testing.T) (string, bool) {
	t.Helper()
	dir := os.Getenv("NFTLINT_SHARED")
	if dir == "" {
		dir = filepath.Join(repoRoot, "..", "shared")
	}
	path := filepath.Join(dir, "examples", "seed.nft")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("NFTLINT_CORPUS") == "required" {
			t.Fatalf("seed config required but not found (set NFTLINT_SHARED): %v", err)
		}
		return path, false
	}
	return path, true
}

// liveFinding is one finding of the json report, with the place in the
// ruleset it concerns.
type liveFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Message  string `json:"message"`
	where    string // "family table/chain", "family table" or ""
}

func (f liveFinding) String() string {
	return fmt.Sprintf("%s:%d:%d %s %s [%s] %s", f.File, f.Line, f.Column, f.Rule, f.Severity, f.where, f.Message)
}

// key is what must agree between the file and the live ruleset.
func (f liveFinding) key() string { return f.Rule + " " + f.Severity + " " + f.where }

// lintJSON runs the command in-process with a fixed config and returns its
// findings.
func lintJSON(t *testing.T, args ...string) []liveFinding {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "nftlint.yaml")
	// The same settings for every run: nothing depends on the nft found
	// on the machine or on a config file above the working directory.
	if err := os.WriteFile(cfg, []byte("runtimes: [docker]\nnft-version: 1.0.6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args = append([]string{"--config", cfg, "--format", "json"}, args...)
	code := run(args, strings.NewReader(""), &stdout, &stderr)
	if code != exitOK && code != exitFindings {
		t.Fatalf("nftlint %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	var rep struct {
		Diagnostics []liveFinding `json:"diagnostics"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("nftlint %s: %v\n%s", strings.Join(args, " "), err, stdout.String())
	}
	return rep.Diagnostics
}

// span is the lines a declaration covers.
type span struct {
	from, to int
	where    string
}

// locator names the table and chain at a line of one file.
type locator struct {
	spans []span
	// fileOnly are the lines of commands that exist only in files:
	// flush/delete commands, define, include.
	fileOnly map[int]bool
}

func newLocator(rs *ruleset.Ruleset) *locator {
	l := &locator{fileOnly: map[int]bool{}}
	lines := func(n parser.Node) (int, int) {
		return rs.Files.Position(n.Pos()).Line, rs.Files.Position(n.End()).Line
	}
	for _, t := range rs.Tables {
		for _, d := range t.Decls {
			from, to := lines(d)
			l.spans = append(l.spans, span{from, to, fmt.Sprintf("%s %s", t.Family, t.Name)})
		}
		for _, c := range t.Chains {
			for _, d := range c.Decls {
				from, to := lines(d)
				l.spans = append(l.spans, span{from, to, fmt.Sprintf("%s %s/%s", t.Family, t.Name, c.Name)})
			}
		}
	}
	mark := func(n parser.Node) {
		from, to := lines(n)
		for i := from; i <= to; i++ {
			l.fileOnly[i] = true
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
	return l
}

// where returns the innermost table or chain declared around line.
func (l *locator) where(line int) string {
	best, size := "", -1
	for _, s := range l.spans {
		if s.from <= line && line <= s.to && (size < 0 || s.to-s.from < size) {
			best, size = s.where, s.to-s.from
		}
	}
	return best
}

func buildFile(t *testing.T, path string) *ruleset.Ruleset {
	t.Helper()
	res, err := parser.Load(nil, parser.LoadConfig{}, parser.Source{Name: path})
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := ruleset.Build(res)
	return rs
}

func readLive(t *testing.T, ctx context.Context, env *netns.Env) *ruleset.Ruleset {
	t.Helper()
	rs, errs, err := live.Read(ctx, live.Options{NetNS: filepath.Join("/run/netns", env.Host)})
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Fatalf("the rendering of the live ruleset does not load: %v", errs)
	}
	return rs
}

func keys(fs []liveFinding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.key()
	}
	sort.Strings(out)
	return out
}

func list(fs []liveFinding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n\t%s", f)
	}
	return b.String()
}

// The seed config linted as a file and, once `nft -f` has loaded it,
// linted with --live: the same findings (rule, severity, table and chain),
// apart from positions and findings about what only files have (flush
// ruleset, define, include).
func TestLiveSeedMatchesFile(t *testing.T) {
	seed := seedConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // hang guard
	defer cancel()
	env := liveEnv(t, ctx)
	if err := env.LoadConfig(ctx, seed); err != nil {
		t.Fatal(err)
	}

	fileLoc := newLocator(buildFile(t, seed))
	var fromFile, fileOnly []liveFinding
	for _, f := range lintJSON(t, seed) {
		f.where = fileLoc.where(f.Line)
		if fileLoc.fileOnly[f.Line] {
			fileOnly = append(fileOnly, f)
			continue
		}
		fromFile = append(fromFile, f)
	}
	liveLoc := newLocator(readLive(t, ctx, env))
	var fromLive []liveFinding
	for _, f := range lintJSON(t, "--live", "--netns", filepath.Join("/run/netns", env.Host)) {
		if f.File != live.DefaultName {
			t.Errorf("live finding in file %q, want %s: %s", f.File, live.DefaultName, f)
		}
		f.where = liveLoc.where(f.Line)
		fromLive = append(fromLive, f)
	}

	if got, want := keys(fromLive), keys(fromFile); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("--live and the file disagree\nfile:%s\nlive:%s\nleft out of the file's (file-only constructs):%s", list(fromFile), list(fromLive), list(fileOnly))
	}
	// The comparison is not vacuous: the seed has findings in both
	// families' filter tables and its `flush ruleset` is reported.
	if len(fromFile) < 3 {
		t.Errorf("only %d findings on the seed config:%s", len(fromFile), list(fromFile))
	}
	flush := false
	for _, f := range fileOnly {
		flush = flush || f.Rule == "NFT105"
	}
	if !flush {
		t.Errorf("no NFT105 on the seed's flush ruleset; file-only findings:%s", list(fileOnly))
	}
	t.Logf("findings that agree:%s\nfile-only:%s", list(fromLive), list(fileOnly))
}

// objectKeys lists the tables, chains and rules of a ruleset.
func objectKeys(rs *ruleset.Ruleset) map[string]bool {
	out := map[string]bool{}
	for _, t := range rs.Tables {
		out[fmt.Sprintf("%s %s", t.Family, t.Name)] = true
		for _, c := range t.Chains {
			out[fmt.Sprintf("%s %s/%s", t.Family, t.Name, c.Name)] = true
			for _, r := range c.Rules {
				out[fmt.Sprintf("%s %s #%d", t.Family, t.Name, r.Handle)] = true
			}
		}
	}
	return out
}

// createdLines returns the lines of the live rendering that hold what a
// runtime created: its tables and chains (header to closing brace) and
// the rules it added to existing chains.
func createdLines(rs *ruleset.Ruleset, before map[string]bool) map[int]string {
	out := map[int]string{}
	mark := func(n parser.Node, what string) {
		from, to := rs.Files.Position(n.Pos()).Line, rs.Files.Position(n.End()).Line
		for i := from; i <= to; i++ {
			out[i] = what
		}
	}
	for _, t := range rs.Tables {
		tk := fmt.Sprintf("%s %s", t.Family, t.Name)
		if !before[tk] {
			for _, d := range t.Decls {
				mark(d, "table "+tk)
			}
			continue
		}
		for _, c := range t.Chains {
			ck := fmt.Sprintf("%s %s/%s", t.Family, t.Name, c.Name)
			if !before[ck] {
				for _, d := range c.Decls {
					mark(d, "chain "+ck)
				}
				continue
			}
			for _, r := range c.Rules {
				if !before[fmt.Sprintf("%s %s #%d", t.Family, t.Name, r.Handle)] {
					mark(r.AST, fmt.Sprintf("rule %s handle %d", ck, r.Handle))
				}
			}
		}
	}
	return out
}

// dockerd 29 (iptables backend) replayed next to clean host configs, an
// empty ruleset and the seed config: no error-level finding of --live lies
// in what dockerd created (its tables, chains and rules, decoded from xt
// matches and targets), and none at warning level either.
func TestLiveDockerRulesAreClean(t *testing.T) {
	configs, err := filepath.Glob(filepath.Join(repoRoot, "testdata", "kernel", "clean", "*.nft"))
	if err != nil || len(configs) == 0 {
		t.Fatalf("no clean configs in testdata/kernel/clean: %v", err)
	}
	configs = append(configs, "") // an empty ruleset: dockerd alone
	if seed, ok := findSeed(t); ok {
		configs = append(configs, seed)
	}
	for _, cfg := range configs {
		name := filepath.Base(cfg)
		if cfg == "" {
			name = "empty"
		}
		t.Run(name, func(t *testing.T) { checkRuntimeRulesClean(t, dockersim.Docker29, cfg) })
	}
}

// The same for the other runtimes' own rules: Docker's nftables backend
// (native tables with verdict maps), dockerd 27 and Podman's netavark,
// each alone and next to a clean config.
func TestLiveOtherRuntimeRulesAreClean(t *testing.T) {
	clean := filepath.Join(repoRoot, "testdata", "kernel", "clean", "debian-inet-filter.nft")
	for _, rt := range []dockersim.Runtime{dockersim.DockerNftables, dockersim.DockerLegacy, dockersim.Podman} {
		for _, cfg := range []string{"", clean} {
			name := string(rt) + "/empty"
			if cfg != "" {
				name = string(rt) + "/" + filepath.Base(cfg)
			}
			t.Run(name, func(t *testing.T) { checkRuntimeRulesClean(t, rt, cfg) })
		}
	}
}

// checkRuntimeRulesClean loads cfg ("" for none), replays rt and fails on
// every finding above info that --live --runtime rt reports on what the
// runtime created.
func checkRuntimeRulesClean(t *testing.T, rt dockersim.Runtime, cfg string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // hang guard
	defer cancel()
	env := liveEnvFor(t, ctx, rt)
	if cfg != "" {
		if err := env.LoadConfig(ctx, cfg); err != nil {
			t.Fatal(err)
		}
	}
	before := objectKeys(readLive(t, ctx, env))
	rep, err := env.ReplayRuntime(ctx, rt)
	if err != nil {
		t.Fatalf("replaying %s: %v", rt, err)
	}
	if rep.DaemonErr != nil || rep.ContainerErr != nil {
		t.Fatalf("%s could not set up its rules: daemon %v, container %v", rt, rep.DaemonErr, rep.ContainerErr)
	}
	after := readLive(t, ctx, env)
	created := createdLines(after, before)
	if len(created) == 0 {
		t.Fatal("the replay added nothing to the ruleset")
	}
	all := lintJSON(t, "--live", "--netns", filepath.Join("/run/netns", env.Host), "--runtime", string(rt))
	loc := newLocator(after)
	for i := range all {
		all[i].where = loc.where(all[i].Line)
	}
	for _, f := range all {
		what, ok := created[f.Line]
		if !ok || f.Severity == "info" {
			continue
		}
		t.Errorf("finding on what %s created (%s): %s\n\t%s", rt, what, f, after.Files.File(after.ASTs[0].Pos()).Line(f.Line))
	}
	if t.Failed() {
		t.Logf("all findings:%s\nruleset:\n%s", list(all), env.Ruleset(ctx))
	}
}

// lintOut runs the command in-process and returns its standard output.
func lintOut(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"--nft-version", "1.0.6", "--color=never"}, args...), strings.NewReader(""), &stdout, &stderr)
	if code != exitFindings {
		t.Fatalf("nftlint %s: exit %d, want 1\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// Findings on a live ruleset point at lines of the rendering, which the
// text report quotes: a finding on a rule shows the rule's line with its
// `# handle N`, the handle of that rule in the kernel. The SARIF report
// of a live run is valid.
func TestLiveReportPositions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // hang guard
	defer cancel()
	env := liveEnv(t, ctx)
	cfg := filepath.Join(t.TempDir(), "fw.nft")
	src := `table ip filter {
	chain INPUT {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		tcp dport { 22, 80 } accept
	}
}
table inet host {
	chain fw {
		type filter hook forward priority 0; policy accept;
		ip saddr 192.0.2.1 accept
		ip saddr 192.0.2.1 accept
	}
}
`
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := env.LoadConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	rs := readLive(t, ctx, env)
	handleAt := map[int]uint64{} // line → handle of the rule on it
	for _, tbl := range rs.Tables {
		for _, c := range tbl.Chains {
			for _, r := range c.Rules {
				handleAt[rs.Files.Position(r.AST.Pos()).Line] = r.Handle
			}
		}
	}
	ns := filepath.Join("/run/netns", env.Host)

	text := lintOut(t, "--live", "--netns", ns)
	head := regexp.MustCompile(`^live:ruleset:(\d+):(\d+): \w+: .* \[(NFT\d+)\]$`)
	lines := strings.Split(text, "\n")
	seen := map[string]bool{}
	onRules := 0
	for i, l := range lines {
		m := head.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		seen[m[3]] = true
		var line int
		fmt.Sscan(m[1], &line)
		if i+1 >= len(lines) || !strings.HasPrefix(strings.TrimSpace(lines[i+1]), m[1]+" | ") {
			t.Errorf("%s: the rendered line is not quoted", l)
			continue
		}
		if h, ok := handleAt[line]; ok {
			onRules++
			if !strings.HasSuffix(lines[i+1], fmt.Sprintf("# handle %d", h)) {
				t.Errorf("%s: quoted %q, want the rule's line ending in # handle %d", l, lines[i+1], h)
			}
		}
	}
	if onRules < 3 {
		t.Errorf("%d findings on rules, want at least 3:\n%s", onRules, text)
	}
	for _, id := range []string{"NFT106", "NFT107", "NFT309"} {
		if !seen[id] {
			t.Errorf("no %s finding in the text report:\n%s", id, text)
		}
	}

	t.Run("sarif", func(t *testing.T) {
		tool := sarifvalidate.Tool(t)
		out := lintOut(t, "--live", "--netns", ns, "--format", "sarif")
		if strings.Contains(out, `"uri": "live:ruleset"`) || !strings.Contains(out, `"uri": "live%3Aruleset"`) {
			t.Errorf("the live ruleset's artifact URI is not the relative reference live%%3Aruleset:\n%s", out)
		}
		file := filepath.Join(t.TempDir(), "live.sarif")
		if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		sarifvalidate.Validate(t, tool, file)
	})
}

// Restrictions added to DOCKER-USER with iptables, as Docker's
// documentation recommends (conntrack, multiport, source filters), are
// iptables-nft's own xt rules: --live must not report them as native nft
// that iptables cannot read (NFT106, NFT107, NFT108), although they read
// as ct state and anonymous sets.
func TestLiveDockerUserRecipes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // hang guard
	defer cancel()
	env := liveEnv(t, ctx)
	if _, err := env.ReplayRuntime(ctx, dockersim.Docker29); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-I", "DOCKER-USER", "-i", "eth0", "!", "-s", "192.0.2.0/24", "-j", "DROP"},
		{"-I", "DOCKER-USER", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "RETURN"},
		{"-I", "DOCKER-USER", "-i", "eth0", "-p", "tcp", "-m", "multiport", "--dports", "80,443", "-j", "ACCEPT"},
		{"-A", "INPUT", "-m", "state", "--state", "ESTABLISHED,RELATED", "-j", "ACCEPT"},
		{"-A", "INPUT", "-p", "icmp", "--icmp-type", "echo-request", "-m", "limit", "--limit", "5/s", "-j", "ACCEPT"},
	} {
		if r := env.Run(ctx, "", append([]string{"iptables-nft"}, args...)...); r.ExitCode != 0 {
			t.Fatalf("iptables-nft %s: %s", strings.Join(args, " "), r.Stderr)
		}
	}
	all := lintJSON(t, "--live", "--netns", filepath.Join("/run/netns", env.Host))
	for _, f := range all {
		switch f.Rule {
		case "NFT106", "NFT107", "NFT108":
			t.Errorf("iptables-nft's own rule reported: %s", f)
		}
	}
	if t.Failed() {
		t.Logf("ruleset:\n%s", env.Ruleset(ctx))
	}
}

// What the live reader cannot decode is said on stderr, not dropped in
// silence (google/nftables v0.3.0 fails on a set update with a timeout).
func TestLiveWarnsAboutUndecodedChains(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // hang guard
	defer cancel()
	env := liveEnv(t, ctx)
	cfg := filepath.Join(t.TempDir(), "update.nft")
	src := `table ip foo {
	map pinned {
		typeof ip saddr . ct original proto-dst : ip daddr . tcp dport
		size 65535
		flags dynamic,timeout
		timeout 6m
	}

	chain pr {
		update @pinned { ip saddr . ct original proto-dst timeout 1m30s : ip daddr . tcp dport }
	}
}
`
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := env.LoadConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	snap, err := live.Take(ctx, live.Options{NetNS: filepath.Join("/run/netns", env.Host)})
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	run([]string{"--live", "--netns", filepath.Join("/run/netns", env.Host), "--nft-version", "1.0.6"}, strings.NewReader(""), &stdout, &stderr)
	for _, w := range snap.Warnings {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("stderr does not say %q:\n%s", w, stderr.String())
		}
	}
	if len(snap.Warnings) == 0 {
		t.Logf("the netlink library decodes the chain: nothing to warn about")
	}
}
