package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/internal/config"
	"github.com/nftlint/nftlint/report"
	"github.com/spf13/pflag"
)

// options are the parsed command line.
type options struct {
	format         report.Format
	output         string
	runtimes       []string
	containerIface []string
	includePaths   []string
	includeOutside bool
	configFile     string
	noInline       bool
	showSuppressed bool
	failOn         string
	minSeverity    string
	enable         []string
	disable        []string
	severity       []string
	nftVersion     string
	color          string
	diff           bool
	fix            bool
	listRules      bool
	explain        string
	inputFormat    string
	live           bool
	netns          string
	version        bool
	help           bool

	flags *pflag.FlagSet
	paths []string
}

func newFlagSet(o *options, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet("nftlint", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	formats := make([]string, len(report.Formats))
	for i, f := range report.Formats {
		formats[i] = string(f)
	}
	fs.StringVarP((*string)(&o.format), "format", "f", "text", "output format: "+strings.Join(formats, ", "))
	fs.StringVarP(&o.output, "output", "o", "", "write the report to `FILE` (atomically) instead of stdout")
	fs.StringSliceVar(&o.runtimes, "runtime", nil, "container runtimes on the host, repeatable or comma-separated: "+strings.Join(checks.KnownRuntimes(), ", ")+" (default docker)")
	fs.StringSliceVar(&o.containerIface, "container-iface", nil, "container bridge interface `PATTERN`s (nft syntax, br-*); default: the runtimes' bridges")
	fs.StringArrayVarP(&o.includePaths, "includepath", "I", nil, "add `DIR` to the include search path, as nft -I does")
	fs.BoolVar(&o.includeOutside, "include-outside", false, "let includes read files outside the linted file's directory and the -I paths")
	fs.StringVar(&o.configFile, "config", "", "read settings from `FILE` instead of the nearest .nftlint.yaml")
	fs.BoolVar(&o.noInline, "no-inline-suppress", false, "ignore `# nftlint disable=…` comments")
	fs.BoolVar(&o.showSuppressed, "show-suppressed", false, "report suppressed findings too, marked with their reason")
	fs.StringVar(&o.failOn, "fail-on", "", "exit 1 on findings at or above `LEVEL`: error, warning, info, none (default warning)")
	fs.StringVar(&o.minSeverity, "min-severity", "", "report only findings at or above `LEVEL`: error, warning, info (default info)")
	fs.StringSliceVar(&o.enable, "enable", nil, "enable `RULES` (IDs or names, comma-separated)")
	fs.StringSliceVar(&o.disable, "disable", nil, "disable `RULES` (IDs or names, comma-separated, or all)")
	fs.StringSliceVar(&o.severity, "severity", nil, "set the severity of a rule: `RULE=LEVEL`, LEVEL one of error, warning, info, off")
	fs.StringVar(&o.nftVersion, "nft-version", "", "target nft `VERSION` (default: the local nft's, else the newest known)")
	fs.StringVar(&o.color, "color", "auto", "colour text output: auto, always, never (NO_COLOR is honoured)")
	fs.Lookup("color").NoOptDefVal = "always"
	fs.BoolVar(&o.diff, "diff", false, "print the suggested fixes as a unified diff instead of the report")
	fs.BoolVar(&o.fix, "fix", false, "apply the suggested fixes to the files, then report what is left")
	fs.BoolVar(&o.listRules, "list-rules", false, "list the rules and exit")
	fs.StringVar(&o.explain, "explain", "", "print the documentation of `RULE` and exit")
	fs.StringVar(&o.inputFormat, "input-format", "", "input syntax: text or json (default: json when the input starts with '{')")
	fs.BoolVar(&o.live, "live", false, "lint the ruleset loaded in the kernel (Linux, needs CAP_NET_ADMIN)")
	fs.StringVar(&o.netns, "netns", "", "with --live: read the ruleset of the network namespace `FILE` (/run/netns/NAME, /proc/PID/ns/net)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.BoolVarP(&o.help, "help", "h", false, "show this help")
	o.flags = fs
	return fs
}

const usageHead = `Usage: nftlint [flags] PATH...
       nftlint verify [--runtime R] FILE

Lints nftables rulesets: files, directories (searched for *.nft and
nftables.conf) or - for standard input.

Flags:
`

const usageTail = `
Exit status: 0 no finding at or above --fail-on, 1 findings, 2 nftlint could
not do its job (bad flags or config, unreadable input, unwritable output).
Rules: nftlint --list-rules; nftlint --explain NFT101.
`

func usage(w io.Writer, fs *pflag.FlagSet) {
	io.WriteString(w, usageHead)
	io.WriteString(w, fs.FlagUsages())
	io.WriteString(w, usageTail)
}

// usageError is a problem with the command line or the config: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

var versionFlagRE = regexp.MustCompile(`^v?\d+\.\d+(\.\d+)?$`)

// validate checks flag values that pflag cannot.
func (o *options) validate() error {
	if _, err := report.ParseFormat(string(o.format)); err != nil {
		return usagef("--format: %v", err)
	}
	switch o.color {
	case "auto", "always", "never":
	default:
		return usagef("--color: unknown value %q (want auto, always or never)", o.color)
	}
	switch o.inputFormat {
	case "", "text", "json":
	default:
		return usagef("--input-format: unknown value %q (want text or json)", o.inputFormat)
	}
	if o.nftVersion != "" && !versionFlagRE.MatchString(o.nftVersion) {
		return usagef("--nft-version: %q is not a version such as 1.0.6", o.nftVersion)
	}
	if o.diff && o.fix {
		return usagef("--diff and --fix cannot be combined: --diff shows what --fix would write")
	}
	if o.live && len(o.paths) > 0 {
		return usagef("--live reads the kernel's ruleset and takes no paths")
	}
	if o.netns != "" && !o.live {
		return usagef("--netns only applies to --live")
	}
	if o.live && (o.fix || o.diff) {
		return usagef("--live cannot be combined with --fix or --diff: the kernel's ruleset is not a file")
	}
	stdin := 0
	for _, p := range o.paths {
		if p == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usagef("- (standard input) given more than once")
	}
	if stdin > 0 && o.fix {
		return usagef("--fix cannot write to standard input; use --diff")
	}
	return nil
}

// layer returns the settings the command line sets, for laying over the
// defaults and the config file.
func (o *options) layer() (*config.Layer, error) {
	l := &config.Layer{Source: "command line"}
	var err error
	if o.flags.Changed("runtime") {
		if l.Runtimes, err = checks.ParseRuntimes(o.runtimes...); err != nil {
			return nil, usagef("--runtime: %v", err)
		}
	}
	l.ContainerIfaces = o.containerIface
	l.IncludePaths = o.includePaths
	if o.flags.Changed("include-outside") {
		l.IncludeOutside = &o.includeOutside
	}
	if o.noInline {
		f := false
		l.InlineSuppress = &f
	}
	l.Enable, l.Disable = o.enable, o.disable
	if len(o.severity) > 0 {
		l.Severity = map[string]checks.Severity{}
		for _, kv := range o.severity {
			rule, level, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, usagef("--severity: want RULE=LEVEL, got %q", kv)
			}
			c := checks.Lookup(strings.TrimSpace(rule))
			if c == nil {
				c = checks.Lookup(strings.ToUpper(strings.TrimSpace(rule)))
			}
			if c == nil {
				return nil, usagef("--severity: unknown rule %q (nftlint --list-rules shows them)", rule)
			}
			sev, err := config.ParseSeverityOverride(c.ID, strings.TrimSpace(level))
			if err != nil {
				return nil, usagef("--severity: %s: %v", c.ID, err)
			}
			l.Severity[c.ID] = sev
		}
	}
	if o.failOn != "" {
		if l.FailOn, err = config.ParseFailOn(o.failOn); err != nil {
			return nil, usagef("--fail-on: %v", err)
		}
	}
	if o.minSeverity != "" {
		if l.MinSeverity, err = checks.ParseSeverity(o.minSeverity); err != nil {
			return nil, usagef("--min-severity: %v", err)
		}
	}
	l.NftVersion = strings.TrimPrefix(o.nftVersion, "v")
	return l, nil
}
