package checks

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	idFormat   = regexp.MustCompile(`^NFT\d{3}$`)
	kebabCase  = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	fixSection = regexp.MustCompile(`(?im)^(#+\s*(how to )?fix\b|\*\*(how to )?fix\b)`)
)

// TestRegistry enforces what every check must have: a unique, well-formed
// ID and name, a title, a Markdown doc with a "Fix" part, a severity, and
// (for checks with a Run function) test cases where it fires and where it
// does not.
func TestRegistry(t *testing.T) {
	ids := make(map[string]bool)
	names := make(map[string]bool)
	for _, c := range All() {
		if !idFormat.MatchString(c.ID) {
			t.Errorf("%s: ID must match NFT\\d{3}", c.ID)
		}
		if ids[c.ID] {
			t.Errorf("%s: duplicate ID", c.ID)
		}
		ids[c.ID] = true
		if !kebabCase.MatchString(c.Name) {
			t.Errorf("%s: name %q is not kebab-case", c.ID, c.Name)
		}
		if names[c.Name] {
			t.Errorf("%s: duplicate name %q", c.ID, c.Name)
		}
		names[c.Name] = true
		if c.Title == "" || strings.HasSuffix(c.Title, ".") || strings.ToLower(c.Title[:1]) != c.Title[:1] {
			t.Errorf("%s: title must be set, start lower case and not end with a period: %q", c.ID, c.Title)
		}
		if strings.TrimSpace(c.Doc) == "" {
			t.Errorf("%s: no doc", c.ID)
		} else if !fixSection.MatchString(c.Doc) {
			t.Errorf("%s: doc has no \"Fix\" part (a `**Fix:**` paragraph or a `## Fix` heading)", c.ID)
		}
		if c.Severity < Info || c.Severity > Error {
			t.Errorf("%s: invalid default severity %d", c.ID, c.Severity)
		}
		for _, r := range c.Runtimes {
			if _, ok := Profile(r); !ok {
				t.Errorf("%s: unknown runtime %q", c.ID, r)
			}
		}
		if c.Run == nil {
			if !strings.HasPrefix(c.ID, "NFT0") {
				t.Errorf("%s: no Run function", c.ID)
			}
			continue // the input rules are reported by the loader
		}
		fires, quiet := caseCoverage(t, c.ID)
		if fires == 0 {
			t.Errorf("%s: no test case in %s where it fires (a `# want %s` comment)", c.ID, filepath.Join(checksTestdata, c.ID), c.ID)
		}
		if quiet == 0 {
			t.Errorf("%s: no test case in %s where it must not fire", c.ID, filepath.Join(checksTestdata, c.ID))
		}
	}
}

// caseCoverage counts the cases of a check that expect it to fire and
// those that expect silence.
func caseCoverage(t *testing.T, id string) (fires, quiet int) {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(checksTestdata, id, "*.txtar"))
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		tc := readCase(t, id, p)
		n := 0
		for name, data := range tc.files {
			ws, err := parseWants(name, data)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range ws {
				if w.check == id {
					n++
				}
			}
		}
		if n > 0 {
			fires++
		} else {
			quiet++
		}
	}
	return fires, quiet
}

// TestParseWants pins the expectation syntax the cases rely on.
func TestParseWants(t *testing.T) {
	src := "a # want NFT101 \"x\" NFT103 `y z`\n" +
		"# want NFT105 \"own line\"\n" +
		"\n" +
		"flush ruleset\n" +
		"plain line\n"
	ws, err := parseWants("f.nft", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		line  int
		check string
		re    string
	}
	var g []got
	for _, w := range ws {
		g = append(g, got{w.line, w.check, w.re.String()})
	}
	want := []got{{1, "NFT101", "x"}, {1, "NFT103", "y z"}, {4, "NFT105", "own line"}}
	if len(g) != len(want) {
		t.Fatalf("got %v, want %v", g, want)
	}
	for i := range want {
		if g[i] != want[i] {
			t.Errorf("expectation %d: got %v, want %v", i, g[i], want[i])
		}
	}
	if _, err := parseWants("f.nft", []byte("x # want NFT1 \"a\"\n")); err != nil {
		t.Errorf("a malformed ID is not a want comment, got error %v", err)
	}
	if _, err := parseWants("f.nft", []byte("x # want NFT101 a\n")); err == nil {
		t.Error("an unquoted regexp must be an error")
	}
}

// TestParseRuntimes pins the runtime option syntax.
func TestParseRuntimes(t *testing.T) {
	rts, err := ParseRuntimes("docker,podman", "libvirt", "docker")
	if err != nil {
		t.Fatal(err)
	}
	if len(rts) != 3 || rts[0] != RuntimeDocker || rts[1] != RuntimePodman || rts[2] != RuntimeLibvirt {
		t.Errorf("got %v", rts)
	}
	if rts, _ := ParseRuntimes(); len(rts) != 1 || rts[0] != RuntimeDocker {
		t.Errorf("default: got %v, want [docker]", rts)
	}
	if _, err := ParseRuntimes("dokker"); err == nil {
		t.Error("unknown runtime accepted")
	}
	if _, err := ParseRuntimes("none,docker"); err == nil {
		t.Error("none combined with docker accepted")
	}
	got := ContainerIfaces([]Runtime{RuntimeDocker, RuntimeLibvirt}, nil)
	if strings.Join(got, " ") != "docker0 br-* virbr*" {
		t.Errorf("default ifaces: got %v", got)
	}
	if got := ContainerIfaces([]Runtime{RuntimeDocker}, []string{"lxdbr0,incusbr*"}); strings.Join(got, " ") != "lxdbr0 incusbr*" {
		t.Errorf("explicit ifaces: got %v", got)
	}
	opts := &Options{Runtimes: []Runtime{RuntimePodman}, ContainerIfaces: []string{"podman*", "lxdbr0"}}
	bs := opts.Bridges()
	if len(bs) != 2 || bs[0].Profile.Runtime != RuntimePodman || bs[1].Profile.Runtime != RuntimePodman {
		t.Errorf("bridges: got %+v", bs)
	}
	if bs := (&Options{Runtimes: []Runtime{RuntimeNone}}).Bridges(); len(bs) != 0 {
		t.Errorf("runtime none: got bridges %+v", bs)
	}
}
