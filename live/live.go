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
	return dump(ctx, opts)
}

// Source reads the running ruleset and renders it as nft text, ready for
// the lint pipeline (lint.Lint) like a file.
func Source(ctx context.Context, opts Options) (parser.Source, error) {
	js, err := dump(ctx, opts)
	if err != nil {
		return parser.Source{}, err
	}
	text, err := parser.RenderJSONRuleset(js)
	if err != nil && text == nil {
		return parser.Source{}, err
	}
	return parser.Source{Name: opts.name(), Src: text}, nil
}

// Read reads the running ruleset and builds its model: Ruleset.Live is
// set and every rule carries its kernel handle. The error list holds
// problems of the rendering (a bug in the decoder, reported rather than
// hidden).
func Read(ctx context.Context, opts Options) (*ruleset.Ruleset, parser.ErrorList, error) {
	src, err := Source(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	return Build(src)
}

// Build loads and builds a rendering made by Source: the model of a live
// ruleset, with Live set and rule handles taken from the `# handle N`
// comments.
func Build(src parser.Source) (*ruleset.Ruleset, parser.ErrorList, error) {
	res, err := parser.Load(nil, parser.LoadConfig{InputFormat: "text"}, src)
	if err != nil {
		return nil, nil, err
	}
	rs, applyErrs := ruleset.Build(res)
	rs.Live = true
	setHandles(rs)
	return rs, append(res.Errors, applyErrs...), nil
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
