package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftlint/nftlint/checks"
)

// someRule returns a registered rule that is not an input rule, or skips.
func someRule(t *testing.T) *checks.Check {
	t.Helper()
	for _, c := range checks.All() {
		if !inputRule(c.ID) {
			return c
		}
	}
	t.Skip("no non-input rule registered yet")
	return nil
}

func TestParse(t *testing.T) {
	rule := someRule(t)
	src := `# nftlint settings
runtimes: [docker, podman]
container-interfaces: ["docker0", "br-*"]
include-paths: [rules.d]
disable: [all]
enable: [` + rule.Name + `]
severity:
  ` + rule.ID + `: info
ignore: ["vendor/", "*.generated.nft"]
fail-on: error
nft-version: 1.0.6
inline-suppress: false
`
	l, err := Parse("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	l.Dir = "/cfg"
	s := Defaults()
	if err := s.Apply(l); err != nil {
		t.Fatal(err)
	}
	if got := s.Runtimes; len(got) != 2 || got[1] != checks.RuntimePodman {
		t.Errorf("runtimes = %v", got)
	}
	if got := s.IncludePaths; len(got) != 1 || got[0] != "/cfg/rules.d" {
		t.Errorf("include paths = %v, want relative to the config's directory", got)
	}
	if !s.Enabled(rule.ID) {
		t.Errorf("%s disabled, want enabled: enable applies after disable: [all]", rule.ID)
	}
	for _, c := range checks.All() {
		if c.ID != rule.ID && !inputRule(c.ID) && s.Enabled(c.ID) {
			t.Errorf("%s enabled after disable: [all]", c.ID)
		}
		if inputRule(c.ID) && !s.Enabled(c.ID) {
			t.Errorf("%s disabled by 'all': input rules cannot be disabled", c.ID)
		}
	}
	if s.Severity[rule.ID] != checks.Info || s.FailOn != checks.Error || s.NftVersion != "1.0.6" || s.InlineSuppress {
		t.Errorf("settings = %+v", s)
	}
	if !s.Ignored("/cfg/vendor/x/a.nft", "/") || !s.Ignored("/cfg/sub/a.generated.nft", "/") || s.Ignored("/cfg/a.nft", "/") {
		t.Errorf("ignore globs wrong: %+v", s.Ignore)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"runtimes: [docker]\nfail-onn: error\n", `x.yaml:2:1: unknown key "fail-onn"`},
		{"severity:\n  NFT999: error\n", `x.yaml:2:3: severity: unknown rule "NFT999"`},
		{"severity:\n  NFT001: warning\n", "x.yaml:2:11: severity: NFT001: NFT001 cannot be downgraded"},
		{"disable: [NFT002]\n", "NFT002 cannot be disabled"},
		{"runtimes: dockr\n", `x.yaml:1:11: runtimes: unknown runtime "dockr"`},
		{"fail-on: sometimes\n", "x.yaml:1:10: fail-on: unknown level"},
		{"include-outside: maybe\n", "x.yaml:1:18: include-outside: want true or false"},
		{"- a\n- b\n", "x.yaml:1:1: the config must be a mapping"},
		{"ignore: {a: b}\n", "x.yaml:1:9: ignore: want a list of strings"},
		{"fail-on: error\nfail-on: info\n", `x.yaml:2:1: key "fail-on" given twice`},
		{"a: [\n", "x.yaml: yaml:"},
	} {
		_, err := Parse("x.yaml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tc.src, err, tc.want)
		}
	}
	for _, src := range []string{"", "# only a comment\n", "---\n"} {
		if _, err := Parse("x.yaml", []byte(src)); err != nil {
			t.Errorf("Parse(%q): %v, want an empty config", src, err)
		}
	}
}

// Later layers win: defaults < config file < command line.
func TestPrecedence(t *testing.T) {
	rule := someRule(t)
	file := &Layer{Source: "file", Disable: []string{rule.ID}, FailOn: checks.Error, Runtimes: []checks.Runtime{checks.RuntimePodman}}
	flags := &Layer{Source: "flags", Enable: []string{rule.ID}, Runtimes: []checks.Runtime{checks.RuntimeLibvirt}}
	s := Defaults()
	for _, l := range []*Layer{file, flags} {
		if err := s.Apply(l); err != nil {
			t.Fatal(err)
		}
	}
	if !s.Enabled(rule.ID) {
		t.Error("--enable on the command line did not override the config's disable")
	}
	if s.FailOn != checks.Error {
		t.Errorf("fail-on from the config file lost: %v", s.FailOn)
	}
	if len(s.Runtimes) != 1 || s.Runtimes[0] != checks.RuntimeLibvirt {
		t.Errorf("runtimes = %v, want the command line's", s.Runtimes)
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(root, "a", FileName)
	if err := os.WriteFile(cfg, []byte("fail-on: error\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Find(deep)
	if err != nil || got != cfg {
		t.Errorf("Find(%s) = %q, %v; want %q", deep, got, err, cfg)
	}
	l, err := Load(got)
	if err != nil {
		t.Fatal(err)
	}
	if l.Dir != filepath.Dir(cfg) || l.FailOn != checks.Error {
		t.Errorf("Load = %+v", l)
	}
}

func TestMatchGlob(t *testing.T) {
	for _, tc := range []struct {
		pat, name string
		want      bool
	}{
		{"*.nft", "a.nft", true},
		{"*.nft", "x/y/a.nft", true},
		{"x/*.nft", "x/a.nft", true},
		{"x/*.nft", "x/y/a.nft", false},
		{"x/**/a.nft", "x/a.nft", true},
		{"x/**/a.nft", "x/y/z/a.nft", true},
		{"vendor/", "vendor/q/r.nft", true},
		{"vendor/", "other/r.nft", false},
		{"./gen/*.nft", "gen/a.nft", true},
	} {
		if got := MatchGlob(tc.pat, tc.name); got != tc.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", tc.pat, tc.name, got, tc.want)
		}
	}
}
