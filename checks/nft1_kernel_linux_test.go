//go:build linux

package checks_test

// Kernel proofs of the error-level NFT1xx findings (the severity contract:
// an error means dockerd's iptables-nft commands fail or container traffic
// is dropped, and a kernel test shows it). For each proof the flagged
// config is linted with the real pipeline (lint.Lint), the finding must be
// an error, the finding's own fix edits are applied (lint.ApplyFixes), and
// both configs are loaded with the real nft into throw-away namespaces
// where dockerd 29 is replayed command by command with iptables-nft and TCP
// probes check the two container paths: the flagged config must break what
// the finding claims, the fixed one must not. Findings without a
// mechanical fix name a config that follows the message's advice instead.
//
// TestKernelCleanConfigs is the other direction: realistic host firewalls
// written to coexist with Docker get no error-level finding and pass
// `nftlint verify` (load, dockerd start, both paths before and after a
// reload).
//
// Gated like internal/netns's kernel tests: skipped without root, nft and
// iptables-nft, a failure when NFTLINT_KERNEL_TESTS=required.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nftlint/nftlint/internal/kerneltest"

	"golang.org/x/tools/txtar"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/internal/dockersim"
	"github.com/nftlint/nftlint/internal/netns"
	"github.com/nftlint/nftlint/internal/verify"
	"github.com/nftlint/nftlint/lint"
	"github.com/nftlint/nftlint/parser"
)

const (
	checkCases    = "../testdata/checks"
	kernelConfigs = "../testdata/kernel"
)

// kernelOutcome is what a configuration does to dockerd and its container.
type kernelOutcome struct {
	daemonFails    bool // dockerd (replayed) does not start
	containerFails bool // the container with the published port does not start
	// outbound: container → world works (masqueraded); published: world →
	// published port reaches the container. Both false when the daemon or
	// the container fails.
	outbound, published bool
}

func (o kernelOutcome) String() string {
	switch {
	case o.daemonFails:
		return "dockerd does not start"
	case o.containerFails:
		return "the container does not start"
	}
	yes := map[bool]string{true: "works", false: "dropped"}
	return fmt.Sprintf("outbound %s, published port %s", yes[o.outbound], yes[o.published])
}

var (
	traffic     = kernelOutcome{outbound: true, published: true}
	noTraffic   = kernelOutcome{}
	daemonFails = kernelOutcome{daemonFails: true}
)

// kernelProof is one error-level finding and what the kernel must show.
type kernelProof struct {
	check string
	// input is testdata/checks/<ID>/<case>.txtar (its input.nft is used)
	// or a file under testdata/kernel.
	input string
	claim string // what the finding claims, for the proof table
	// broken is what the flagged config does.
	broken kernelOutcome
	// failing names the parts of a command that must fail when the
	// flagged config is loaded (and must not fail with the fix).
	failing []string
	// skipped names the parts of a command dockerd must not run when the
	// flagged config is loaded (it gave up before).
	skipped []string
	// advice lists configs under testdata/kernel that follow the message
	// when the finding has no mechanical fix; empty means the finding must
	// carry a fix, which is applied.
	advice []string
	// fixed is what the fixed config does: traffic unless set.
	fixed *kernelOutcome
}

var kernelProofs = []kernelProof{
	{check: "NFT101", input: "NFT101/fires_inet_policy_drop.txtar",
		claim: "inet forward chain with policy drop and no bridge accepts drops container traffic both ways", broken: noTraffic},
	{check: "NFT101", input: "NFT101/fires_drop_through_jump.txtar",
		claim: "a drop reached through a jump drops container traffic both ways", broken: noTraffic},
	{check: "NFT101", input: "NFT101/fires_goto_and_named_set.txtar",
		claim: "a goto whose target falls through to the policy drop (named set of other interfaces) drops container traffic", broken: noTraffic},
	{check: "NFT101", input: "NFT101/fires_define_without_bridges.txtar",
		claim: "a final reject after accepts for a $define of other interfaces drops container traffic", broken: noTraffic},
	{check: "NFT101", input: "NFT101/fires_lowercase_forward_in_ip_filter.txtar",
		claim: "a lower-case forward chain in ip filter is not Docker's FORWARD and drops container traffic", broken: noTraffic},
	{check: "NFT101", input: "proofs/nft101-ct-vmap.nft",
		claim: "a drop reached through a ct state verdict map drops new connections both ways", broken: noTraffic},
	{check: "NFT102", input: "NFT102/fires_egress_only.txtar",
		claim:  "accepting only iifname of the bridge kills published ports",
		broken: kernelOutcome{outbound: true}},
	{check: "NFT102", input: "NFT102/fires_ingress_only.txtar",
		claim:  "accepting only oifname of the bridge kills outbound traffic",
		broken: kernelOutcome{published: true}},
	{check: "NFT102", input: "NFT102/fires_restricted_egress.txtar",
		claim:  "containers restricted to 10.0.0.0/8 and no accept for new connections to them: published ports are dropped; the fix opens them and keeps the restriction",
		broken: noTraffic, fixed: &kernelOutcome{published: true}},
	{check: "NFT103", input: "NFT103/fires_forward_priority.txtar",
		claim:  "ip filter FORWARD at priority 10: `iptables -I FORWARD` fails, dockerd does not start",
		broken: daemonFails, failing: []string{"-I FORWARD", "-j DOCKER-FORWARD"}},
	{check: "NFT103", input: "NFT103/fires_regular_forward.txtar",
		claim:  "ip filter FORWARD as a regular chain: `iptables -I FORWARD` fails, dockerd does not start",
		broken: daemonFails, failing: []string{"-I FORWARD", "-j DOCKER-FORWARD"},
		advice: []string{"advice/nft103-forward-regular-renamed.nft"}},
	{check: "NFT103", input: "proofs/nft103-forward-hook-input.nft",
		claim:  "ip filter FORWARD on the input hook: `iptables -I FORWARD` fails, dockerd does not start",
		broken: daemonFails, failing: []string{"-I FORWARD", "-j DOCKER-FORWARD"},
		advice: []string{"advice/nft103-forward-hook-input-renamed.nft"}},
	{check: "NFT103", input: "NFT103/fires_nat_postrouting_type.txtar",
		claim:  "ip nat POSTROUTING of type filter: dockerd's MASQUERADE insert fails, dockerd does not start",
		broken: daemonFails, failing: []string{"-t nat -I POSTROUTING", "MASQUERADE"}},
	{check: "NFT103", input: "NFT103/fires_nat_prerouting_priority.txtar",
		claim:  "ip nat PREROUTING at priority 0: dockerd's DOCKER jump append fails, dockerd does not start",
		broken: daemonFails, failing: []string{"-t nat -A PREROUTING", "-j DOCKER"}},
	{check: "NFT103", input: "proofs/nft103-nat-output.nft",
		claim:  "ip nat OUTPUT at priority 0: dockerd's DOCKER jump append fails, dockerd does not start",
		broken: daemonFails, failing: []string{"-t nat -A OUTPUT", "-j DOCKER"}},
	{check: "NFT103", input: "proofs/nft103-raw-prerouting.nft",
		claim:  "ip raw PREROUTING at priority 0: dockerd's per-container raw DROP fails, the container does not start",
		broken: kernelOutcome{containerFails: true}, failing: []string{"-t raw -A PREROUTING", "-j DROP"}},
	{check: "NFT108", input: "NFT108/fires_native_rules.txtar",
		claim:  "DOCKER-USER with native rules: `iptables -N DOCKER-USER` fails, dockerd skips its jump, Docker accepts first and the restriction (drop new connections from eth0) is bypassed",
		broken: traffic, failing: []string{"iptables --wait", "-N DOCKER-USER"}, skipped: []string{"iptables --wait", "-I FORWARD -j DOCKER-USER"},
		advice: []string{"advice/nft108-own-table.nft"},
		fixed:  &kernelOutcome{outbound: true}},
	{check: "NFT108", input: "proofs/nft108-docker-user-base-chain.nft",
		claim:  "DOCKER-USER as a base chain: `iptables -N DOCKER-USER` fails and dockerd cannot insert its jump (logged)",
		broken: kernelOutcome{outbound: true}, failing: []string{"iptables --wait", "-N DOCKER-USER"}, skipped: []string{"iptables --wait", "-I FORWARD -j DOCKER-USER"},
		advice: []string{"advice/nft108-regular-chain.nft"},
		fixed:  &kernelOutcome{outbound: true}},
}

// proofTable names a file to which TestKernelErrorFindings writes the
// proof table (Markdown) with what the kernel showed in this run.
var proofTable = flag.String("kernel-proof-table", "", "write the kernel proof table (Markdown) to this file")

// provenRow is one line of the proof table.
type provenRow struct {
	proof         kernelProof
	test          string
	flagged       string
	fixed         string
	fixedByAdvice bool
	passed        bool
}

// writeProofTable writes the rows in the order of kernelProofs: rule,
// claim, kernel test, and the result (what the flagged and the fixed
// config did).
func writeProofTable(path string, rows map[string]provenRow) error {
	var b strings.Builder
	b.WriteString("| rule | claim | kernel test | result |\n")
	b.WriteString("|---|---|---|---|\n")
	cell := func(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
	for _, kp := range kernelProofs {
		r, ok := rows[kp.input]
		if !ok {
			continue
		}
		verdict := "**proven**"
		if !r.passed {
			verdict = "**FAILED**"
		}
		fix := "with the fix applied: " + r.fixed
		if r.fixedByAdvice {
			fix = "no mechanical fix; following the message (`testdata/kernel/" + strings.Join(kp.advice, "`, `testdata/kernel/") + "`): " + r.fixed
		}
		fmt.Fprintf(&b, "| %s | %s | `%s` | %s. flagged: %s; %s |\n", kp.check, cell(kp.claim), r.test, verdict, cell(r.flagged), cell(fix))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func requireNetns(t *testing.T) {
	t.Helper()
	kerneltest.Check(t, netns.Available())
}

// proofInput returns the config text of a proof's input.
func proofInput(t *testing.T, name string) []byte {
	t.Helper()
	if strings.HasSuffix(name, ".txtar") {
		ar, err := txtar.ParseFile(filepath.Join(checkCases, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if f.Name == "input.nft" {
				return f.Data
			}
		}
		t.Fatalf("%s has no input.nft", name)
	}
	data, err := os.ReadFile(filepath.Join(kernelConfigs, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// lintConfig lints dir/input.nft with the command's pipeline and default
// options (runtime docker: Docker 28+, iptables backend).
func lintConfig(t *testing.T, dir string) *lint.Result {
	t.Helper()
	res, err := lint.Lint(parser.Source{Name: "input.nft"}, &lint.Options{Dir: dir, InlineSuppress: true})
	if err != nil {
		t.Fatalf("lint: %v", err)
	}
	return res
}

func errorsOf(res *lint.Result, check string) []checks.Diagnostic {
	var out []checks.Diagnostic
	for _, d := range res.Diagnostics {
		if d.Severity == checks.Error && (check == "" || d.Check == check) {
			out = append(out, d)
		}
	}
	return out
}

// fixConfig applies the fix edits of the check's error findings to the
// linted input and returns the fixed text; ok is false when no finding
// carries a fix.
func fixConfig(t *testing.T, res *lint.Result, found []checks.Diagnostic) (fixed []byte, ok bool) {
	t.Helper()
	var withFix []checks.Diagnostic
	for _, d := range found {
		if len(d.Fixes) > 0 {
			withFix = append(withFix, d)
		}
	}
	if len(withFix) == 0 {
		return nil, false
	}
	srcs := map[string][]byte{}
	input := ""
	for _, f := range res.Files.Files() {
		srcs[f.Name()] = f.Source()
		if filepath.Base(f.Name()) == "input.nft" {
			input = f.Name()
		}
	}
	out, conflicts := lint.ApplyFixes(srcs, withFix)
	for _, c := range conflicts {
		t.Errorf("fix of %q not applied: %s", c.Diagnostic.Message, c.Reason)
	}
	fixed, changed := out[input]
	if !changed {
		t.Fatalf("the fixes do not change %s", input)
	}
	return fixed, true
}

// kernelRun is what one configuration did in the kernel.
type kernelRun struct {
	outcome kernelOutcome
	report  *dockersim.Report
	probes  []netns.PathResult
}

// runKernel loads config into fresh namespaces, replays dockerd 29 and
// probes both paths when the daemon and the container started.
func runKernel(config string) (kernelRun, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env, err := netns.New(ctx, netns.Options{Bridge: dockersim.Docker29.Bridge()})
	if err != nil {
		return kernelRun{}, fmt.Errorf("netns.New: %w", err)
	}
	run, err := func() (kernelRun, error) {
		if err := env.LoadConfig(ctx, config); err != nil {
			return kernelRun{}, err
		}
		rep, err := env.ReplayRuntime(ctx, dockersim.Docker29)
		if err != nil {
			return kernelRun{}, fmt.Errorf("replaying dockerd: %w", err)
		}
		run := kernelRun{report: rep}
		switch {
		case rep.DaemonErr != nil:
			run.outcome.daemonFails = true
		case rep.ContainerErr != nil:
			run.outcome.containerFails = true
		default:
			run.probes = env.Probe(ctx)
			for _, p := range run.probes {
				switch p.Name {
				case netns.PathOutbound:
					run.outcome.outbound = p.OK
				case netns.PathPublished:
					run.outcome.published = p.OK
				}
			}
		}
		return run, nil
	}()
	return run, errors.Join(err, env.Close())
}

func (r kernelRun) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", r.report.Summary())
	for _, p := range r.probes {
		fmt.Fprintf(&b, "  %s: %s\n", p.Name, p.Detail)
	}
	b.WriteString(r.report.Transcript())
	return b.String()
}

// runBoth runs the kernel for several configs at once: each spends most of
// its time waiting for dial timeouts of dropped paths.
func runBoth(configs ...string) ([]kernelRun, error) {
	runs := make([]kernelRun, len(configs))
	errs := make([]error, len(configs))
	var wg sync.WaitGroup
	for i, c := range configs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i], errs[i] = runKernel(c)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("%s: %w", filepath.Base(c), errs[i])
			}
		}()
	}
	wg.Wait()
	return runs, errors.Join(errs...)
}

func TestKernelErrorFindings(t *testing.T) {
	requireNetns(t)
	var mu sync.Mutex
	rows := map[string]provenRow{}
	if *proofTable != "" {
		// Cleanups run after the parallel subtests have finished.
		t.Cleanup(func() {
			if err := writeProofTable(*proofTable, rows); err != nil {
				t.Error(err)
			}
		})
	}
	for _, kp := range kernelProofs {
		t.Run(kp.input, func(t *testing.T) {
			t.Parallel()
			row := provenRow{proof: kp, test: t.Name()}
			defer func() {
				row.passed = !t.Failed()
				mu.Lock()
				rows[kp.input] = row
				mu.Unlock()
			}()
			dir := t.TempDir()
			input := filepath.Join(dir, "input.nft")
			if err := os.WriteFile(input, proofInput(t, kp.input), 0o644); err != nil {
				t.Fatal(err)
			}

			// nftlint reports the finding at error level…
			res := lintConfig(t, dir)
			found := errorsOf(res, kp.check)
			if len(found) == 0 {
				t.Fatalf("nftlint reports no %s error for %s; findings: %s", kp.check, kp.input, summarize(res))
			}

			// …its fix (or, without one, the config its message advises)…
			fixedConfigs := []string{}
			fixedText, hasFix := fixConfig(t, res, found)
			switch {
			case hasFix && len(kp.advice) > 0:
				t.Fatalf("%s carries a fix; the proof must use it, not advice configs", kp.check)
			case hasFix:
				fixDir := t.TempDir()
				p := filepath.Join(fixDir, "input.nft")
				if err := os.WriteFile(p, fixedText, 0o644); err != nil {
					t.Fatal(err)
				}
				if again := errorsOf(lintConfig(t, fixDir), kp.check); len(again) > 0 {
					t.Errorf("after the fix nftlint still reports %s: %s", kp.check, again[0].Message)
				}
				fixedConfigs = append(fixedConfigs, p)
			case len(kp.advice) == 0:
				t.Fatalf("%s carries no fix; name a config that follows its advice", kp.check)
			default:
				for _, a := range kp.advice {
					p := filepath.Join(kernelConfigs, a)
					adviceDir := t.TempDir()
					data, err := os.ReadFile(p)
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(adviceDir, "input.nft"), data, 0o644); err != nil {
						t.Fatal(err)
					}
					if again := errorsOf(lintConfig(t, adviceDir), kp.check); len(again) > 0 {
						t.Errorf("%s: nftlint reports %s on the advised config: %s", a, kp.check, again[0].Message)
					}
					fixedConfigs = append(fixedConfigs, p)
				}
			}

			runs, err := runBoth(append([]string{input}, fixedConfigs...)...)
			if err != nil {
				t.Fatal(err)
			}

			// …the kernel agrees that the flagged config breaks dockerd or
			// its traffic…
			flagged := runs[0]
			row.flagged = flagged.outcome.String()
			if s, ok := flagged.report.FailedCommand(kp.failing...); ok && len(kp.failing) > 0 {
				row.flagged += fmt.Sprintf(" (`%s` fails: %s)", strings.Join(s.Argv[2:], " "), firstLine(s.Stderr))
			}
			if len(kp.skipped) > 0 {
				for _, st := range flagged.report.Steps {
					if cmd := " " + st.Command() + " "; containsAll(cmd, kp.skipped) {
						t.Errorf("flagged config: dockerd would not run %s, but the replay did\n%s", st.Command(), flagged.describe())
					}
				}
			}
			if flagged.outcome != kp.broken {
				t.Errorf("flagged config: %s, want %s\n%s", flagged.outcome, kp.broken, flagged.describe())
			}
			if len(kp.failing) > 0 {
				if _, ok := flagged.report.FailedCommand(kp.failing...); !ok {
					t.Errorf("flagged config: no failed command matching %q\n%s", kp.failing, flagged.describe())
				}
			}

			// …and the fix repairs it: dockerd runs every command and the
			// traffic is what the config means.
			want := traffic
			if kp.fixed != nil {
				want = *kp.fixed
			}
			row.fixedByAdvice = !hasFix
			var fixedOutcomes []string
			for i, run := range runs[1:] {
				fixedOutcomes = append(fixedOutcomes, run.outcome.String())
				name := "fixed config"
				if !hasFix {
					name = kp.advice[i]
				}
				if run.outcome != want {
					t.Errorf("%s: %s, want %s\n%s", name, run.outcome, want, run.describe())
				}
				if fails := run.report.Failures(); len(fails) > 0 {
					t.Errorf("%s: dockerd's %s still fails (%s)\n%s", name, fails[0].Command(), fails[0].Consequence, run.describe())
				}
			}
			row.fixed = strings.Join(fixedOutcomes, "; ")
			if len(runs) > 1 && len(runs[1].report.Failures()) == 0 {
				row.fixed += ", no dockerd command fails"
			}
			if t.Failed() {
				t.Logf("fixed config:\n%s", fixedText)
			}
		})
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func summarize(res *lint.Result) string {
	var parts []string
	for _, d := range res.Diagnostics {
		parts = append(parts, fmt.Sprintf("%d:%s %s", d.Start.Line, d.Check, d.Severity))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// TestKernelCleanConfigs: host firewalls written to coexist with Docker get
// no error-level finding and `nftlint verify` passes on them: they load,
// dockerd starts (on a fresh host, enabling forwarding and setting its
// FORWARD policy to drop), and both paths work before and after a reload.
func TestKernelCleanConfigs(t *testing.T) {
	dir := filepath.Join(kernelConfigs, "clean")
	matches, err := filepath.Glob(filepath.Join(dir, "*.nft"))
	if err != nil {
		t.Fatal(err)
	}
	if len(matches) < 3 {
		t.Fatalf("want at least 3 clean configs in %s, found %d", dir, len(matches))
	}
	sort.Strings(matches)
	requireNetns(t)
	for _, path := range matches {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			lintDir := t.TempDir()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(lintDir, "input.nft"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			if errs := errorsOf(lintConfig(t, lintDir), ""); len(errs) > 0 {
				for _, d := range errs {
					t.Errorf("%d:%d: %s error: %s", d.Start.Line, d.Start.Column, d.Check, d.Message)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var out strings.Builder
			passed, err := verify.Run(ctx, path, string(dockersim.Docker29), &out)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if !passed {
				t.Errorf("nftlint verify fails:\n%s", out.String())
			}
			for _, line := range []string{
				"PASS before reload: " + netns.PathOutbound,
				"PASS before reload: " + netns.PathPublished,
				"PASS after reload: " + netns.PathOutbound,
				"PASS after reload: " + netns.PathPublished,
			} {
				if !strings.Contains(out.String(), line) {
					t.Errorf("verify report lacks %q:\n%s", line, out.String())
				}
			}
		})
	}
}

// The README's proof table lists every proof (regenerate it with
// -kernel-proof-table when kernelProofs changes) and every clean config.
func TestKernelProofTableInREADME(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Kernel proofs\n")
	if !ok {
		t.Fatal("README.md has no \"## Kernel proofs\" section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for _, kp := range kernelProofs {
		if !strings.Contains(section, "`TestKernelErrorFindings/"+kp.input+"`") {
			t.Errorf("README.md's kernel proof table lacks %s; run go test ./checks -run TestKernelErrorFindings -kernel-proof-table FILE and paste FILE", kp.input)
		}
	}
	clean, err := filepath.Glob(filepath.Join(kernelConfigs, "clean", "*.nft"))
	if err != nil || len(clean) == 0 {
		t.Fatalf("no clean configs: %v", err)
	}
	for _, c := range clean {
		if !strings.Contains(section, "`"+filepath.Base(c)+"`") {
			t.Errorf("README.md's clean-config table lacks %s", filepath.Base(c))
		}
	}
}
