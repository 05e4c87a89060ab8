// Package live reads the ruleset running in the kernel (`nftlint --live`)
// through netlink (github.com/google/nftables), read-only: it only lists
// tables, chains, rules, sets, elements, flowtables and objects, and never
// adds, flushes or deletes anything.
//
// The kernel's rules are decoded from their netlink expressions (payload,
// meta, ct, cmp, bitwise, lookup, immediate, counter, log, limit, nat, …,
// and the xt matches and targets iptables-nft writes) into nft's JSON
// form, rendered as nft text in the layout of `nft -a list ruleset` (with
// `# handle N` comments) and parsed like a file named "live:ruleset".
// Findings therefore point at lines of that listing, each of which names
// its table, chain and rule handle, and every check works unchanged.
//
// Netlink needs Linux; on other systems every entry point returns
// ErrUnsupported.
package live

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// DefaultName is the file name findings on the live ruleset carry.
const DefaultName = "live:ruleset"

// ErrUnsupported is returned on systems without nftables netlink.
var ErrUnsupported = errors.New("--live requires Linux: the running ruleset is read through nftables netlink")

// Options select what is read.
type Options struct {
	// NetNS is the path of a network namespace file (/run/netns/NAME,
	// /proc/PID/ns/net) whose ruleset is read; "" reads the namespace of
	// the process.
	NetNS string
	// Name is the file name of the rendering; "" means DefaultName.
	Name string
}

func (o Options) name() string {
	if o.Name == "" {
		return DefaultName
	}
	return o.Name
}

// JSON reads the running ruleset and returns it in the form `nft -j list
// ruleset` prints.
func JSON(ctx context.Context, opts Options) ([]byte, error) {
	d, err := dump(ctx, opts)
	if err != nil {
		return nil, err
	}
	return d.json, nil
}

// Snapshot is one reading of the running ruleset: its rendering as nft
// text, and what the text cannot say about the kernel's rules.
type Snapshot struct {
	// Source is the rendering, in the layout of `nft -a list ruleset`.
	Source parser.Source
	// Warnings say what could not be read (the rules of a chain the
	// netlink library cannot decode); what they name is not linted.
	Warnings []string
	// iptables holds the rules iptables-nft wrote and can read back.
	iptables map[ruleKey]bool
	// placeholders are the stand-ins of the rendering for what nftlint
	// does not decode (parser.JSONListing).
	placeholders map[int]string
}

// dumped is what dump read.
type dumped struct {
	json     []byte           // `nft -j list ruleset`
	iptables map[ruleKey]bool // the rules iptables-nft wrote and can read back
	warnings []string
}

// ruleKey names a kernel rule: handles are unique within a table.
type ruleKey struct {
	family, table string
	handle        uint64
}

// Take reads the running ruleset.
func Take(ctx context.Context, opts Options) (*Snapshot, error) {
	d, err := dump(ctx, opts)
	if err != nil {
		return nil, err
	}
	listing, err := parser.RenderJSONListing(d.json)
	if err != nil && listing == nil {
		return nil, err
	}
	return &Snapshot{
		Source:       parser.Source{Name: opts.name(), Src: listing.Text},
		Warnings:     d.warnings,
		iptables:     d.iptables,
		placeholders: listing.Placeholders,
	}, nil
}

// Source reads the running ruleset and renders it as nft text, ready for
// the lint pipeline (lint.Lint) like a file. Take keeps what the text
// cannot carry (Snapshot.Annotate).
func Source(ctx context.Context, opts Options) (parser.Source, error) {
	snap, err := Take(ctx, opts)
	if err != nil {
		return parser.Source{}, err
	}
	return snap.Source, nil
}

// Read reads the running ruleset and builds its model: Ruleset.Live is
// set and every rule carries its kernel handle. The error list holds
// problems of the rendering (a bug in the decoder, reported rather than
// hidden).
func Read(ctx context.Context, opts Options) (*ruleset.Ruleset, parser.ErrorList, error) {
	snap, err := Take(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	return snap.Build()
}

// Build loads and builds the snapshot's rendering into an annotated model.
func (s *Snapshot) Build() (*ruleset.Ruleset, parser.ErrorList, error) {
	res, err := parser.Load(nil, parser.LoadConfig{InputFormat: "text"}, s.Source)
	if err != nil {
		return nil, nil, err
	}
	rs, applyErrs := ruleset.Build(res)
	s.Annotate(rs)
	return rs, append(res.Errors, applyErrs...), nil
}

// Build loads and builds a rendering made by Source: the model of a live
// ruleset, with Live set and rule handles taken from the `# handle N`
// comments (without what only a Snapshot knows).
func Build(src parser.Source) (*ruleset.Ruleset, parser.ErrorList, error) {
	return (&Snapshot{Source: src}).Build()
}

// Annotate marks a model built from the snapshot's rendering (by the lint
// pipeline, say) as live: Ruleset.Live, each rule's kernel handle from the
// `# handle N` comment on its line, Rule.IptablesCompat, and the
// statements and selectors nftlint does not decode named as such (the
// rendering shows `counter` and `meta mark` in their place).
func (s *Snapshot) Annotate(rs *ruleset.Ruleset) {
	rs.Live = true
	for _, ast := range rs.ASTs {
		if ast.File != nil && ast.File.Name() == s.Source.Name {
			parser.PatchPlaceholders(ast, s.placeholders)
		}
	}
	setHandles(rs)
	for _, t := range rs.Tables {
		for _, c := range t.Chains {
			for _, r := range c.Rules {
				if r.Handle != 0 && s.iptables[ruleKey{string(t.Family), t.Name, r.Handle}] {
					r.IptablesCompat = true
				}
			}
		}
	}
}

// setHandles gives every rule the handle written in the comment at the
// end of its line.
func setHandles(rs *ruleset.Ruleset) {
	handles := make(map[string]uint64) // "file:line" → handle
	for _, ast := range rs.ASTs {
		for _, c := range ast.Comments {
			h, ok := strings.CutPrefix(c.Text, "# handle ")
			if !ok {
				continue
			}
			n, err := strconv.ParseUint(strings.TrimSpace(h), 10, 64)
			if err != nil {
				continue
			}
			p := rs.Files.Position(c.Pos())
			handles[p.Filename+":"+strconv.Itoa(p.Line)] = n
		}
	}
	for _, t := range rs.Tables {
		for _, c := range t.Chains {
			for _, r := range c.Rules {
				if r.AST == nil {
					continue
				}
				p := rs.Files.Position(r.AST.End())
				r.Handle = handles[p.Filename+":"+strconv.Itoa(p.Line)]
			}
		}
	}
}
