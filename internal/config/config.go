// Package config reads .nftlint.yaml and merges it with the built-in
// defaults and the command-line flags.
//
// Precedence, lowest first: built-in defaults, the config file (the
// nearest .nftlint.yaml upward from the linted file, or the file --config
// names, which turns discovery off), command-line flags. Each source is a
// Layer holding only what it sets; Settings.Apply lays one over another.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nftlint/nftlint/checks"
	"go.yaml.in/yaml/v3"
)

// FileName is the name of the config file discovery looks for.
const FileName = ".nftlint.yaml"

// maxConfigSize bounds what is read from a config file.
const maxConfigSize = 1 << 20

// Off is the severity override that disables a rule.
const Off checks.Severity = -1

// FailNone is the --fail-on value under which nothing fails the run.
const FailNone checks.Severity = checks.Error + 1

// Layer is one source of settings; nil and empty fields are unset.
type Layer struct {
	// Source names where the layer came from, for messages.
	Source string

	Runtimes        []checks.Runtime
	ContainerIfaces []string
	IncludePaths    []string
	IncludeOutside  *bool
	Enable          []string // rule IDs or names, or "all"
	Disable         []string
	Severity        map[string]checks.Severity // rule ID → severity or Off
	Ignore          []string                   // globs, relative to Dir
	FailOn          checks.Severity            // 0: unset
	MinSeverity     checks.Severity            // 0: unset
	NftVersion      string
	InlineSuppress  *bool

	// Dir is the directory relative paths of the layer are resolved
	// against: the config file's directory ("" for the command line,
	// whose paths are relative to the working directory).
	Dir string
}

// Settings are the merged settings of a run.
type Settings struct {
	Runtimes        []checks.Runtime
	ContainerIfaces []string
	IncludePaths    []string
	IncludeOutside  bool
	// Disabled holds the IDs of the rules turned off.
	Disabled map[string]bool
	// Severity overrides a rule's severity (never to Off: Disabled holds those).
	Severity       map[string]checks.Severity
	Ignore         []Glob
	FailOn         checks.Severity
	MinSeverity    checks.Severity
	NftVersion     string
	InlineSuppress bool
	// ConfigFile is the file that contributed, "" when none.
	ConfigFile string
}

// Glob is an ignore pattern anchored at a directory.
type Glob struct {
	Dir     string // absolute, or "" for the working directory
	Pattern string // slash-separated; '**' matches any number of directories
}

// Defaults returns the built-in settings.
func Defaults() *Settings {
	return &Settings{
		Runtimes:       []checks.Runtime{checks.RuntimeDocker},
		Disabled:       map[string]bool{},
		Severity:       map[string]checks.Severity{},
		FailOn:         checks.Warning,
		MinSeverity:    checks.Info,
		InlineSuppress: true,
	}
}

// Clone returns a deep copy.
func (s *Settings) Clone() *Settings {
	c := *s
	c.Runtimes = append([]checks.Runtime(nil), s.Runtimes...)
	c.ContainerIfaces = append([]string(nil), s.ContainerIfaces...)
	c.IncludePaths = append([]string(nil), s.IncludePaths...)
	c.Ignore = append([]Glob(nil), s.Ignore...)
	c.Disabled = make(map[string]bool, len(s.Disabled))
	for k, v := range s.Disabled {
		c.Disabled[k] = v
	}
	c.Severity = make(map[string]checks.Severity, len(s.Severity))
	for k, v := range s.Severity {
		c.Severity[k] = v
	}
	return &c
}

// Apply lays l over s. Lists replace (runtimes, interfaces, include
// paths) or add (ignore globs); within a layer, disable applies before
// enable, so `disable: [all]` with `enable: [NFT101]` runs only NFT101.
func (s *Settings) Apply(l *Layer) error {
	if l == nil {
		return nil
	}
	if len(l.Runtimes) > 0 {
		s.Runtimes = append([]checks.Runtime(nil), l.Runtimes...)
	}
	if len(l.ContainerIfaces) > 0 {
		s.ContainerIfaces = append([]string(nil), l.ContainerIfaces...)
	}
	for _, p := range l.IncludePaths {
		if l.Dir != "" && !filepath.IsAbs(p) {
			p = filepath.Join(l.Dir, p)
		}
		s.IncludePaths = append(s.IncludePaths, p)
	}
	if l.IncludeOutside != nil {
		s.IncludeOutside = *l.IncludeOutside
	}
	for _, g := range l.Ignore {
		s.Ignore = append(s.Ignore, Glob{Dir: l.Dir, Pattern: g})
	}
	ids, err := ruleIDs(l.Source, "disable", l.Disable)
	if err != nil {
		return err
	}
	for _, id := range ids {
		s.Disabled[id] = true
	}
	ids, err = ruleIDs(l.Source, "enable", l.Enable)
	if err != nil {
		return err
	}
	for _, id := range ids {
		delete(s.Disabled, id)
	}
	for _, id := range sortedKeys(l.Severity) {
		sev := l.Severity[id]
		if sev == Off {
			s.Disabled[id] = true
			continue
		}
		delete(s.Disabled, id)
		s.Severity[id] = sev
	}
	if l.FailOn != 0 {
		s.FailOn = l.FailOn
	}
	if l.MinSeverity != 0 {
		s.MinSeverity = l.MinSeverity
	}
	if l.NftVersion != "" {
		s.NftVersion = l.NftVersion
	}
	if l.InlineSuppress != nil {
		s.InlineSuppress = *l.InlineSuppress
	}
	return nil
}

// Enabled reports whether rule id runs.
func (s *Settings) Enabled(id string) bool { return !s.Disabled[id] }

// Ignored reports whether the file at name (a path as given, relative to
// the working directory cwd, or absolute) matches an ignore glob.
func (s *Settings) Ignored(name, cwd string) bool {
	abs := name
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(cwd, name)
	}
	for _, g := range s.Ignore {
		dir := g.Dir
		if dir == "" {
			dir = cwd
		}
		rel, err := filepath.Rel(dir, abs)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		if rel == ".." || strings.HasPrefix(rel, "../") {
			continue
		}
		if MatchGlob(g.Pattern, rel) {
			return true
		}
	}
	return false
}

// MatchGlob matches a slash path against a pattern in which '**' as a
// whole segment matches any number of segments and the other segments use
// path.Match syntax. A pattern without a slash matches the base name at
// any depth, as in .gitignore.
func MatchGlob(pattern, name string) bool {
	pattern = strings.TrimPrefix(pattern, "./")
	if !strings.Contains(strings.TrimSuffix(pattern, "/"), "/") {
		pattern = "**/" + pattern
	}
	if strings.HasSuffix(pattern, "/") {
		pattern += "**" // a directory: everything below it
	}
	return matchSegments(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchSegments(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// ruleIDs resolves rule IDs or names ("all" for every rule) to IDs.
func ruleIDs(source, key string, names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		if strings.EqualFold(n, "all") {
			for _, c := range checks.All() {
				if !inputRule(c.ID) {
					out = append(out, c.ID)
				}
			}
			continue
		}
		id, err := ruleID(n)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", source, key, err)
		}
		if inputRule(id) && key == "disable" {
			return nil, fmt.Errorf("%s: %s: %s cannot be disabled: nft refuses input with this problem", source, key, id)
		}
		out = append(out, id)
	}
	return out, nil
}

func ruleID(name string) (string, error) {
	c := checks.Lookup(strings.TrimSpace(name))
	if c == nil {
		c = checks.Lookup(strings.ToUpper(strings.TrimSpace(name)))
	}
	if c == nil {
		return "", fmt.Errorf("unknown rule %q (nftlint --list-rules shows them)", name)
	}
	return c.ID, nil
}

// inputRule reports whether id is one of NFT001–NFT003, which cannot be
// disabled, suppressed or downgraded.
func inputRule(id string) bool { return strings.HasPrefix(id, "NFT00") }

// ParseSeverityOverride parses a severity override: error, warning, info
// or off.
func ParseSeverityOverride(id, s string) (checks.Severity, error) {
	if strings.EqualFold(s, "off") || strings.EqualFold(s, "none") {
		if inputRule(id) {
			return 0, fmt.Errorf("%s cannot be turned off: nft refuses input with this problem", id)
		}
		return Off, nil
	}
	sev, err := checks.ParseSeverity(s)
	if err != nil {
		return 0, fmt.Errorf("%v (or off)", err)
	}
	if inputRule(id) && sev != checks.Error {
		return 0, fmt.Errorf("%s cannot be downgraded: nft refuses input with this problem", id)
	}
	return sev, nil
}

// ParseFailOn parses --fail-on: error, warning, info or none.
func ParseFailOn(s string) (checks.Severity, error) {
	if strings.EqualFold(s, "none") || strings.EqualFold(s, "never") {
		return FailNone, nil
	}
	sev, err := checks.ParseSeverity(s)
	if err != nil {
		return 0, fmt.Errorf("unknown level %q (want error, warning, info or none)", s)
	}
	return sev, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Find returns the nearest .nftlint.yaml in dir or a parent directory, or
// "" when there is none.
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(abs, FileName)
		fi, err := os.Stat(p)
		if err == nil && !fi.IsDir() {
			return p, nil
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return "", nil
		}
		abs = parent
	}
}

// Load reads and parses a config file.
func Load(name string) (*Layer, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(data) > maxConfigSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxConfigSize)
	}
	l, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, err
	}
	l.Dir = filepath.Dir(abs)
	return l, nil
}

// keys lists the config file's keys, in the order README.md documents them.
var keys = []string{
	"runtimes", "container-interfaces", "include-paths", "include-outside",
	"enable", "disable", "severity", "ignore", "fail-on", "min-severity",
	"nft-version", "inline-suppress",
}

// Parse parses config file content; name is used in messages. Unknown
// keys and values of the wrong type are errors naming file:line:col.
func Parse(name string, data []byte) (*Layer, error) {
	l := &Layer{Source: name}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return l, nil // an empty file sets nothing
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return l, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, errAt(name, root, "the config must be a mapping of keys (%s)", strings.Join(keys, ", "))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			return nil, errAt(name, k, "key %q given twice", k.Value)
		}
		seen[k.Value] = true
		if err := l.set(name, k, v); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (l *Layer) set(name string, k, v *yaml.Node) error {
	var err error
	switch k.Value {
	case "runtimes":
		var list []string
		if list, err = stringList(name, k.Value, v); err != nil {
			return err
		}
		if len(list) == 0 {
			return nil
		}
		if l.Runtimes, err = checks.ParseRuntimes(list...); err != nil {
			return errAt(name, v, "runtimes: %v", err)
		}
	case "container-interfaces":
		l.ContainerIfaces, err = stringList(name, k.Value, v)
	case "include-paths":
		l.IncludePaths, err = stringList(name, k.Value, v)
	case "ignore":
		l.Ignore, err = stringList(name, k.Value, v)
	case "enable", "disable":
		var list []string
		if list, err = stringList(name, k.Value, v); err != nil {
			return err
		}
		src := fmt.Sprintf("%s:%d:%d", name, v.Line, v.Column)
		if _, err := ruleIDs(src, k.Value, list); err != nil {
			return err
		}
		if k.Value == "enable" {
			l.Enable = list
		} else {
			l.Disable = list
		}
	case "include-outside", "inline-suppress":
		var b bool
		if err := v.Decode(&b); err != nil {
			return errAt(name, v, "%s: want true or false", k.Value)
		}
		if k.Value == "include-outside" {
			l.IncludeOutside = &b
		} else {
			l.InlineSuppress = &b
		}
	case "severity":
		if v.Kind != yaml.MappingNode {
			return errAt(name, v, "severity: want a mapping of rule to error, warning, info or off")
		}
		l.Severity = map[string]checks.Severity{}
		for i := 0; i+1 < len(v.Content); i += 2 {
			rk, rv := v.Content[i], v.Content[i+1]
			id, err := ruleID(rk.Value)
			if err != nil {
				return errAt(name, rk, "severity: %v", err)
			}
			if rv.Kind != yaml.ScalarNode {
				return errAt(name, rv, "severity: %s: want error, warning, info or off", id)
			}
			sev, err := ParseSeverityOverride(id, rv.Value)
			if err != nil {
				return errAt(name, rv, "severity: %s: %v", id, err)
			}
			l.Severity[id] = sev
		}
	case "fail-on":
		if v.Kind != yaml.ScalarNode {
			return errAt(name, v, "fail-on: want error, warning, info or none")
		}
		if l.FailOn, err = ParseFailOn(v.Value); err != nil {
			return errAt(name, v, "fail-on: %v", err)
		}
	case "min-severity":
		if v.Kind != yaml.ScalarNode {
			return errAt(name, v, "min-severity: want error, warning or info")
		}
		if l.MinSeverity, err = checks.ParseSeverity(v.Value); err != nil {
			return errAt(name, v, "min-severity: %v", err)
		}
	case "nft-version":
		if v.Kind != yaml.ScalarNode || v.Value == "" {
			return errAt(name, v, "nft-version: want a version such as 1.0.6")
		}
		l.NftVersion = v.Value
	default:
		return errAt(name, k, "unknown key %q (known keys: %s)", k.Value, strings.Join(keys, ", "))
	}
	return err
}

// stringList decodes a list of strings; a single string is a list of one.
func stringList(name, key string, v *yaml.Node) ([]string, error) {
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Tag == "!!null" {
			return nil, nil
		}
		return []string{v.Value}, nil
	case yaml.SequenceNode:
		out := make([]string, 0, len(v.Content))
		for _, e := range v.Content {
			if e.Kind != yaml.ScalarNode {
				return nil, errAt(name, e, "%s: want a list of strings", key)
			}
			out = append(out, e.Value)
		}
		return out, nil
	}
	return nil, errAt(name, v, "%s: want a list of strings", key)
}

func errAt(name string, n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", name, n.Line, n.Column, fmt.Sprintf(format, args...))
}
