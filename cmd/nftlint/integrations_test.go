package main

// Tests of the integrations around the command: the pre-commit hook, the
// GitHub Action and the example workflow in README.md.
//
// The pre-commit test runs `pre-commit try-repo` for real when pre-commit
// and git are installed (NFTLINT_PRECOMMIT=required makes their absence a
// failure); the actionlint test runs actionlint through `go run` at a
// pinned version when NFTLINT_ACTIONLINT is set (it needs the Go module
// proxy or a warm module cache).

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nftlint/nftlint/internal/config"
	"go.yaml.in/yaml/v3"
)

const repoRoot = "../.."

// actionlintVersion pins the actionlint used on the example workflow.
const actionlintVersion = "v1.7.12"

func readRepoFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestPreCommitHooksFile(t *testing.T) {
	var hooks []struct {
		ID       string `yaml:"id"`
		Entry    string `yaml:"entry"`
		Language string `yaml:"language"`
		Files    string `yaml:"files"`
	}
	if err := yaml.Unmarshal(readRepoFile(t, ".pre-commit-hooks.yaml"), &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 || hooks[0].ID != "nftlint" || hooks[0].Language != "golang" || hooks[0].Entry != "nftlint" {
		t.Fatalf("hooks = %+v, want one golang hook nftlint", hooks)
	}
	re, err := regexp.Compile(hooks[0].Files)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"rules.nft": true, "etc/nftables.conf": true, "etc/nftables.d/10-docker.nft": true,
		"nftables.conf.bak": false, "README.md": false, "etc/other.conf": false,
	} {
		if re.MatchString(name) != want {
			t.Errorf("files regexp %q on %q = %v, want %v", hooks[0].Files, name, !want, want)
		}
	}
}

// TestActionMetadata checks action.yml for the mistakes GitHub only
// reports at run time: unknown inputs, steps without a shell, outputs of
// steps that do not exist.
func TestActionMetadata(t *testing.T) {
	data := readRepoFile(t, "action.yml")
	var action struct {
		Name    string                    `yaml:"name"`
		Inputs  map[string]map[string]any `yaml:"inputs"`
		Outputs map[string]struct {
			Value string `yaml:"value"`
		} `yaml:"outputs"`
		Runs struct {
			Using string `yaml:"using"`
			Steps []struct {
				ID    string `yaml:"id"`
				Name  string `yaml:"name"`
				Run   string `yaml:"run"`
				Uses  string `yaml:"uses"`
				Shell string `yaml:"shell"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatal(err)
	}
	if action.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", action.Runs.Using)
	}
	ids := map[string]bool{}
	uses := ""
	for _, s := range action.Runs.Steps {
		if s.ID != "" {
			ids[s.ID] = true
		}
		if s.Run != "" && s.Shell == "" {
			t.Errorf("step %q runs a script without a shell (composite steps need one)", s.Name)
		}
		if s.Run == "" && s.Uses == "" {
			t.Errorf("step %q neither runs nor uses anything", s.Name)
		}
		if s.Run != "" && strings.Contains(s.Run, "${{") {
			t.Errorf("step %q expands an expression inside its script (pass it through env instead)", s.Name)
		}
		uses += s.Uses + "\n"
		if s.Run != "" && strings.Contains(s.Run, "go install") && !strings.Contains(s.Run, "GITHUB_ACTION_PATH") {
			t.Errorf("step %q does not build from the action's own checkout", s.Name)
		}
	}
	for _, want := range []string{"actions/setup-go@", "github/codeql-action/upload-sarif@"} {
		if !strings.Contains(uses, want) {
			t.Errorf("action does not use %s", want)
		}
	}
	for _, m := range regexp.MustCompile(`inputs\.([a-z-]+)`).FindAllStringSubmatch(string(data), -1) {
		if _, ok := action.Inputs[m[1]]; !ok {
			t.Errorf("action.yml uses inputs.%s, which it does not declare", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`steps\.([a-z-]+)\.outputs`).FindAllStringSubmatch(string(data), -1) {
		if !ids[m[1]] {
			t.Errorf("action.yml reads outputs of step %q, which does not exist", m[1])
		}
	}
	for name, in := range action.Inputs {
		if in["description"] == nil {
			t.Errorf("input %s has no description", name)
		}
	}
}

// The README shows the example workflow verbatim.
func TestReadmeWorkflow(t *testing.T) {
	workflow := readRepoFile(t, "testdata/examples/github-workflow.yml")
	if !bytes.Contains(readRepoFile(t, "README.md"), workflow) {
		t.Error("README.md does not contain testdata/examples/github-workflow.yml verbatim; copy it into the GitHub Action section")
	}
}

func TestActionlint(t *testing.T) {
	if os.Getenv("NFTLINT_ACTIONLINT") == "" {
		t.Skip("set NFTLINT_ACTIONLINT=1 to lint the example workflow with actionlint " + actionlintVersion + " (go run, needs the Go module proxy)")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // hang guard
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "run", "github.com/rhysd/actionlint/cmd/actionlint@"+actionlintVersion,
		"-no-color", filepath.Join(repoRoot, "testdata", "examples", "github-workflow.yml"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("actionlint: %v\n%s", err, out)
	}
}

// TestPreCommitTryRepo installs the hook from this repository with
// pre-commit and runs it on a clean and on a broken file.
func TestPreCommitTryRepo(t *testing.T) {
	required := os.Getenv("NFTLINT_PRECOMMIT") == "required"
	var missing []string
	for _, tool := range []string{"pre-commit", "git", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		msg := "pre-commit test needs " + strings.Join(missing, ", ") + " (apt install pre-commit git)"
		if required {
			t.Fatal(msg + "; NFTLINT_PRECOMMIT=required")
		}
		t.Skip(msg)
	}
	if testing.Short() && !required {
		t.Skip("-short: the pre-commit test builds nftlint from scratch")
	}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("git", "-C", root, "rev-parse", "--git-dir").Run(); err != nil {
		msg := "pre-commit test: " + root + " is not a git checkout"
		if required {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	goEnv := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	work := t.TempDir()
	env := append(os.Environ(),
		"PRE_COMMIT_HOME="+filepath.Join(work, "cache"),
		// pre-commit builds with GOPATH in its cache and HOME is changed
		// below: share the module and build caches.
		"GOMODCACHE="+goEnv("GOMODCACHE"), "GOCACHE="+goEnv("GOCACHE"),
		"GIT_AUTHOR_NAME=nftlint test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=nftlint test", "GIT_COMMITTER_EMAIL=test@example.com",
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+work,
	)
	repo := filepath.Join(work, "repo")
	files := map[string]string{
		"good.nft": "table inet host-fw {\n\tset blocked {\n\t\ttype ipv4_addr\n\t}\n}\n",
		"bad.nft":  "table inet t {\n\tchain helper {\n\t\tpolicy drop;\n\t}\n}\n",
	}
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute) // hang guard
	defer cancel()
	run := func(args ...string) (string, int) {
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Dir, cmd.Env = repo, env
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return string(out), 0
	}
	if out, code := run("git", "init", "-q"); code != 0 {
		t.Fatalf("git init: %s", out)
	}
	if out, code := run("git", "add", "good.nft", "bad.nft"); code != 0 {
		t.Fatalf("git add: %s", out)
	}
	out, code := run("pre-commit", "try-repo", root, "nftlint", "--files", "good.nft")
	if code != 0 || !strings.Contains(out, "Passed") {
		t.Fatalf("hook on a clean file: exit %d, want 0 and Passed\n%s", code, out)
	}
	out, code = run("pre-commit", "try-repo", root, "nftlint", "--files", "bad.nft")
	if code == 0 || !strings.Contains(out, "Failed") || !strings.Contains(out, "bad.nft:3:3: error:") || !strings.Contains(out, "[NFT204]") {
		t.Fatalf("hook on a broken file: exit %d, want non-zero with the NFT204 finding\n%s", code, out)
	}
}

// readmeBlock returns the first fenced block of README.md whose fence line
// is open and whose first line starts with first.
func readmeBlock(t *testing.T, open, first string) string {
	t.Helper()
	readme := string(readRepoFile(t, "README.md"))
	for _, part := range strings.Split(readme, open+"\n")[1:] {
		block, _, ok := strings.Cut(part, "```\n")
		if ok && strings.HasPrefix(block, first) {
			return block
		}
	}
	t.Fatalf("README.md has no %s block starting with %q", open, first)
	return ""
}

// The README's config example is a valid config.
func TestReadmeConfig(t *testing.T) {
	block := readmeBlock(t, "```yaml", "# .nftlint.yaml")
	if _, err := config.Parse("README.md", []byte(block)); err != nil {
		t.Errorf("README.md config example: %v", err)
	}
}

// The README's suppression example uses every directive and has no error.
func TestReadmeSuppression(t *testing.T) {
	block := readmeBlock(t, "```nft", "#!/usr/sbin/nft -f")
	c := &cliCase{files: map[string][]byte{"example.nft": []byte(block)}, env: map[string]string{}}
	stdout, stderr, code := c.runIn(c.setup(t, false), []string{"--format", "json", "example.nft"})
	var doc struct {
		Diagnostics []struct {
			Rule, Severity, Message string
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code == exitTrouble {
		t.Fatalf("exit %d, %v\n%s%s", code, err, stdout, stderr)
	}
	for _, d := range doc.Diagnostics {
		if d.Rule == "NFT401" || d.Severity == "error" {
			t.Errorf("README.md suppression example: %s %s: %s", d.Rule, d.Severity, d.Message)
		}
	}
}

// The README opens with its title and the two commands a newcomer runs;
// the example it lints ships in the repository and has findings.
func TestReadmeQuickstart(t *testing.T) {
	readme := string(readRepoFile(t, "README.md"))
	want := "# nftlint\n\n```sh\ngo run ./cmd/nftlint testdata/examples/docker-host.nft "
	if !strings.HasPrefix(readme, want) {
		t.Fatalf("README.md does not start with %q", want)
	}
	block, _, _ := strings.Cut(strings.TrimPrefix(readme, "# nftlint\n\n```sh\n"), "```\n")
	var commands []string
	for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
		cmd, _, _ := strings.Cut(line, "#")
		commands = append(commands, strings.TrimSpace(cmd))
	}
	if got := strings.Join(commands, "; "); got != "go run ./cmd/nftlint testdata/examples/docker-host.nft; make test" {
		t.Errorf("README.md quick start commands: %s", got)
	}
	if !regexp.MustCompile(`(?m)^test:`).Match(readRepoFile(t, "Makefile")) {
		t.Error("the Makefile has no test target")
	}
	example := readRepoFile(t, "testdata/examples/docker-host.nft")
	c := &cliCase{files: map[string][]byte{"docker-host.nft": example}, env: map[string]string{}}
	stdout, stderr, code := c.runIn(c.setup(t, false), []string{"docker-host.nft"})
	if code != exitFindings || !strings.Contains(stdout, "[NFT101]") {
		t.Errorf("linting the example: exit %d, want %d with an NFT101 finding\n%s%s", code, exitFindings, stdout, stderr)
	}
}
