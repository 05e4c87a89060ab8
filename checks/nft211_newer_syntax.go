package checks

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/parser"
)

// NFT211 reports syntax that the target nft version (--nft-version) does
// not know yet.
var nft211 = &Check{
	ID:       "NFT211",
	Name:     "newer-syntax",
	Title:    "the file uses syntax newer than the target nft version",
	Severity: Error,
	Tags:     []string{"load", "compatibility"},
	Doc: `nftlint accepts the syntax of the newest nftables release. Distributions ship
older ones: Debian 12 has nft 1.0.6, which refuses ` + "`destroy`" + ` (1.0.7), the ` + "`last`" + `
statement (1.0.7), chain ` + "`devices = { … }`" + ` items (1.0.8), ` + "`gc-interval`" + ` in maps
(1.0.9), the table flag ` + "`persist`" + ` (1.1.0), ` + "`fib … check`" + ` (1.1.4) and ` + "`tunnel`" + `
(1.1.6), among others. With ` + "`--nft-version`" + ` (or the version of a local ` + "`nft`" + `), nftlint
reports each such construct with the release that introduced it.

**What breaks:** the older nft stops at a syntax error and loads nothing.

**Fix:** rewrite the construct for the older version (` + "`delete`" + ` after an ` + "`add`" + `
instead of ` + "`destroy`" + `, a ` + "`counter`" + ` instead of ` + "`last`" + `, devices in the hook line), or
upgrade nftables on the target hosts.`,
	Run: runNewerSyntax,
}

// syntaxFeature is a construct and the first release that parses it
// (nft-grammar.md §16).
type syntaxFeature struct {
	what  string
	since nftVersion
}

var (
	featDestroy     = syntaxFeature{"the destroy command", nftVersion{1, 0, 7}}
	featLast        = syntaxFeature{"the last statement", nftVersion{1, 0, 7}}
	featResetRule   = syntaxFeature{"reset rule(s)", nftVersion{1, 0, 7}}
	featInner       = syntaxFeature{"inner header matching (vxlan, geneve, gre, gretap)", nftVersion{1, 0, 7}}
	featElemQuota   = syntaxFeature{"quota and last as set element statements", nftVersion{1, 0, 7}}
	featChainDevs   = syntaxFeature{"the chain devices item", nftVersion{1, 0, 8}}
	featResetSet    = syntaxFeature{"reset set/map/element", nftVersion{1, 0, 8}}
	featBroute      = syntaxFeature{"meta broute", nftVersion{1, 0, 8}}
	featDccpOpt     = syntaxFeature{"dccp option", nftVersion{1, 0, 8}}
	featIcmp6Addr   = syntaxFeature{"icmpv6 taddr/daddr", nftVersion{1, 0, 9}}
	featMapGC       = syntaxFeature{"gc-interval in a map", nftVersion{1, 0, 9}}
	featPersist     = syntaxFeature{"the table flag persist", nftVersion{1, 1, 0}}
	featFlagList    = syntaxFeature{"a comma list of table flags", nftVersion{1, 1, 0}}
	featFibCheck    = syntaxFeature{"fib … check", nftVersion{1, 1, 4}}
	featTunnel      = syntaxFeature{"tunnel objects and statements", nftVersion{1, 1, 6}}
	featIbrhwaddr   = syntaxFeature{"meta ibrhwaddr", nftVersion{1, 1, 6}}
	featTypeofQueue = syntaxFeature{"typeof … : queue maps", nftVersion{1, 1, 2}}
	// typeof maps whose data is an object reference; `type … : counter`
	// is older (0.9.x) and not reported.
	featTypeofObjref = syntaxFeature{"typeof … : object-reference maps (counter, quota, limit, secmark, synproxy, ct helper/timeout/expectation)", nftVersion{1, 1, 0}}
)

// typeofObjrefData are the object types a typeof map may map to.
var typeofObjrefData = map[string]bool{
	"counter": true, "quota": true, "limit": true, "secmark": true, "synproxy": true,
	"ct helper": true, "ct timeout": true, "ct expectation": true,
}

func runNewerSyntax(p *Pass) {
	target := targetNft(p.Options)
	if !target.less(newestNft) {
		return // every feature below is at most as new as the newest release
	}
	report := func(n parser.Node, f syntaxFeature) {
		if n == nil || !target.less(f.since) {
			return
		}
		p.Report(Diagnostic{Range: p.Range(n), Message: fmt.Sprintf(
			"%s needs nft %s or newer, but the target is nft %s: that version stops with a syntax error and loads nothing; rewrite it for %s or raise --nft-version",
			f.what, f.since, target, target)})
	}
	syntax := &syntaxVisitor{report: report}
	var visitCmds func(cmds []parser.Cmd, inMap bool, depth int)
	visitCmds = func(cmds []parser.Cmd, inMap bool, depth int) {
		if depth > 64 {
			return
		}
		for _, c := range cmds {
			switch x := c.(type) {
			case *parser.IncludeCmd:
				for _, a := range x.Files {
					if a != nil {
						visitCmds(a.Cmds, false, depth+1)
					}
				}
			case *parser.Command:
				verbAt := parser.Node(x)
				if x.Verb == parser.VerbDestroy {
					report(verbAt, featDestroy)
				}
				if x.Verb == parser.VerbReset {
					switch x.Object {
					case parser.ObjRule:
						report(verbAt, featResetRule)
					case parser.ObjSet, parser.ObjMap, parser.ObjElement:
						report(verbAt, featResetSet)
					case parser.ObjPlural:
						if x.Plural == "rules" {
							report(verbAt, featResetRule)
						}
					}
				}
				if x.Object == parser.ObjTunnel {
					report(verbAt, featTunnel)
				}
				if x.Rule != nil {
					visitStmts(x.Rule.Stmts, syntax)
				}
				if x.Body != nil {
					visitCmds(x.Body.Items, x.Object == parser.ObjMap, depth+1)
					checkBlockItems(x, report)
				}
			case *parser.Rule:
				visitStmts(x.Stmts, syntax)
			case *parser.Property:
				if x.Key == "gc-interval" && inMap {
					report(x, featMapGC)
				}
				if x.Key == "typeof" || x.Key == "type" {
					if name, ok := exprName(x.Data); ok && name == "queue" && x.Key == "typeof" {
						report(x.Data, featTypeofQueue)
					}
					if name, ok := exprName(x.Data); ok && x.Key == "typeof" && typeofObjrefData[name] {
						report(x.Data, featTypeofObjref)
					}
				}
				for _, st := range []parser.Expr{x.Value} {
					if lit, ok := st.(*parser.SetLit); ok && x.Key == "elements" {
						for _, el := range lit.Elems {
							if e, ok := el.(*parser.Elem); ok {
								for _, s := range e.Stmts {
									if k, ok := s.(*parser.KeywordStmt); ok && (k.Keyword == "quota" || k.Keyword == "last") {
										report(k, featElemQuota)
									}
								}
							}
						}
					}
				}
			}
		}
	}
	for _, a := range p.Ruleset.ASTs {
		if a != nil {
			visitCmds(a.Cmds, false, 0)
		}
	}
}

// checkBlockItems reports block-level items of table and chain blocks.
func checkBlockItems(c *parser.Command, report func(parser.Node, syntaxFeature)) {
	for _, item := range c.Body.Items {
		prop, ok := item.(*parser.Property)
		if !ok {
			continue
		}
		switch {
		case c.Object == parser.ObjChain && prop.Key == "devices":
			report(prop, featChainDevs)
		case c.Object == parser.ObjTable && prop.Key == "flags":
			flags := flagWords(prop.Value)
			for _, f := range flags {
				if f == "persist" {
					report(prop, featPersist)
				}
			}
			if len(flags) > 1 {
				report(prop, featFlagList)
			}
		}
	}
}

func flagWords(e parser.Expr) []string {
	switch x := unwrapVar(e).(type) {
	case *parser.List:
		var out []string
		for _, el := range x.Elems {
			if n, ok := exprName(el); ok {
				out = append(out, n)
			}
		}
		return out
	default:
		if n, ok := exprName(x); ok {
			return []string{n}
		}
	}
	return nil
}

func visitStmts(stmts []parser.Stmt, v *syntaxVisitor) {
	for _, s := range stmts {
		walkSelectors(v, s, nil, 0)
	}
}

// syntaxVisitor looks for the statements and selectors of newer nft
// versions; one for the run, not a closure per statement.
type syntaxVisitor struct {
	report func(parser.Node, syntaxFeature)
}

func (v *syntaxVisitor) visit(n parser.Node, _ *parser.VarRef) visitor {
	report := v.report
	switch x := n.(type) {
	case *parser.KeywordStmt:
		if x.Keyword == "last" {
			report(x, featLast)
		}
		if strings.HasPrefix(x.Keyword, "tunnel") {
			report(x, featTunnel)
		}
	case *parser.VerdictStmt:
		if x.Chain != nil {
			for _, item := range x.Chain.Items {
				if r, ok := item.(*parser.Rule); ok {
					visitStmts(r.Stmts, v)
				}
			}
		}
	case *parser.Selector:
		if len(x.Words) == 0 {
			return v
		}
		first := x.Words[0].Name
		var buf [64]byte
		var path []byte // compared in place: no string per selector
		switch first {
		case "meta", "dccp", "icmpv6": // the paths compared below start so
			path = x.AppendPath(buf[:0])
		}
		switch {
		case first == "vxlan" || first == "geneve" || first == "gre" || first == "gretap":
			if len(x.Words) > 2 || first != "gre" {
				report(x, featInner)
			}
		case string(path) == "meta broute":
			report(x, featBroute)
		case bytes.HasPrefix(path, []byte("dccp option")):
			report(x, featDccpOpt)
		case string(path) == "icmpv6 taddr" || string(path) == "icmpv6 daddr":
			report(x, featIcmp6Addr)
		case string(path) == "meta ibrhwaddr":
			report(x, featIbrhwaddr)
		case first == "tunnel":
			report(x, featTunnel)
		case first == "fib" && x.Words[len(x.Words)-1].Name == "check":
			report(x, featFibCheck)
		}
	}
	return v
}
