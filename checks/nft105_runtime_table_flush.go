package checks

import (
	"fmt"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

var nft105 = &Check{
	ID:       "NFT105",
	Name:     "runtime-table-flush",
	Title:    "the config flushes the whole ruleset or a table a container runtime owns",
	Severity: Warning,
	Runtimes: containerRuntimes,
	Tags:     []string{"container", "reload"},
	Run:      runNFT105,
	Doc: `` + "`flush ruleset`" + ` removes every table — not only the config's own, but also the
rules container runtimes added: Docker's ` + "`ip filter`/`ip nat`/`ip raw`" + ` chains (iptables
backend) or ` + "`ip docker-bridges`" + ` (nftables backend), Podman's ` + "`inet netavark`" + `, libvirt's
` + "`libvirt_network`" + `, kube-proxy's tables, LXD/Incus tables. ` + "`flush`/`delete`/`destroy table`" + ` of
one of those tables does the same for that runtime.

At boot this is harmless (the firewall loads before dockerd), which is why the problem
appears only on ` + "`systemctl reload nftables`" + ` or ` + "`nft -f /etc/nftables.conf`" + ` later: Docker's
iptables backend never notices and containers lose NAT, published ports and forwarding
until ` + "`systemctl restart docker`" + `; network creation fails meanwhile (Docker ≤28: "Unable
to enable SKIP DNAT rule"). Docker's nftables backend re-creates its table only on the
next network change; Podman repairs only through its systemd reload unit. Debian's
nftables unit also runs ` + "`nft flush ruleset`" + ` on stop, so ` + "`systemctl restart nftables`" + `
wipes container rules even without the line in the file.

It is a warning: it breaks on a reload, not at boot.

**Fix:** manage only your own tables. Replace ` + "`flush ruleset`" + ` by deleting and re-creating
each of your tables (the suggested fix does this when all the config's tables are its
own):

    table inet host-fw
    delete table inet host-fw      # or, with nft ≥ 1.0.7: destroy table inet host-fw
    table inet host-fw { … }

Tables named like iptables' (` + "`ip filter`" + `, ` + "`ip nat`" + `) are shared with Docker: move your
rules to a table of your own first.

References: container-firewall-facts.md §2.6, §4.4, §6 #1–2; docker/for-linux#1472,
moby/moby#12294, docker/roadmap#867.`,
}

func runNFT105(pass *Pass) {
	for _, fl := range pass.Ruleset.Flushes {
		if fl.Cmd == nil {
			continue
		}
		switch fl.Object {
		case parser.ObjRuleset:
			reportFlushRuleset(pass, fl)
		case parser.ObjTable:
			if fl.Verb != parser.VerbFlush && fl.Verb != parser.VerbDelete && fl.Verb != parser.VerbDestroy {
				continue
			}
			if owner, ok := runtimeTableOwner(fl.Family, fl.Table); ok {
				reportAt(pass, fl.Cmd, Diagnostic{
					Message: fmt.Sprintf("%s table %s %s removes the rules of %s: on a reload the runtime does not notice and its containers lose forwarding, NAT and published ports until it restarts; manage only your own tables",
						fl.Verb, familyOrIP(fl.Family), fl.Table, owner),
				})
			}
		}
	}
}

// runtimeTableOwner says who else writes to a table: container runtimes,
// and every iptables-nft user for the iptables tables.
func runtimeTableOwner(f ruleset.Family, name string) (string, bool) {
	if f == parser.FamilyNone {
		f = parser.FamilyIP
	}
	if (f == parser.FamilyIP || f == parser.FamilyIP6) && iptablesBuiltins[name] != nil {
		return "Docker's iptables backend and every other iptables-nft user", true
	}
	if rt, ok := runtimeTableOf(f, name); ok {
		return rt.owner, true
	}
	return "", false
}

func familyOrIP(f ruleset.Family) ruleset.Family {
	if f == parser.FamilyNone {
		return parser.FamilyIP
	}
	return f
}

func reportFlushRuleset(pass *Pass, fl *ruleset.Flush) {
	which := "every table, including the ones Docker, Podman, libvirt and kube-proxy add"
	if fl.Family != parser.FamilyNone {
		which = fmt.Sprintf("every %s table, including container runtimes' tables", fl.Family)
	}
	d := Diagnostic{
		Message: fmt.Sprintf("flush ruleset removes %s: on a reload Docker does not notice and containers lose NAT, published ports and forwarding until dockerd restarts; delete and re-create only your own tables instead",
			which),
	}
	if fix, ok := flushRulesetFix(pass, fl); ok {
		d.Fixes = []Fix{fix}
	}
	reportAt(pass, fl.Cmd, d)
}

// flushRulesetFix replaces `flush ruleset` with a delete-and-re-create of
// each table the config declares after it, when none of them is shared
// with a runtime.
func flushRulesetFix(pass *Pass, fl *ruleset.Flush) (Fix, bool) {
	if fl.Family != parser.FamilyNone {
		return Fix{}, false
	}
	type key struct {
		fam  ruleset.Family
		name string
	}
	var tables []key
	seen := make(map[key]bool)
	for _, t := range pass.Ruleset.Tables {
		k := key{tableFamily(t), t.Name}
		if _, shared := runtimeTableOwner(k.fam, k.name); shared {
			return Fix{}, false
		}
		if !seen[k] {
			seen[k] = true
			tables = append(tables, k)
		}
	}
	if len(tables) == 0 {
		return Fix{}, false
	}
	destroy := nftAtLeast(pass.Options.NftVersion, "1.0.7")
	var lines []string
	for _, k := range tables {
		if destroy {
			lines = append(lines, fmt.Sprintf("destroy table %s %s", k.fam, k.name))
		} else {
			lines = append(lines, fmt.Sprintf("table %s %s", k.fam, k.name), fmt.Sprintf("delete table %s %s", k.fam, k.name))
		}
	}
	e, ok := replaceNode(pass.Files, fl.Cmd, strings.Join(lines, "\n"))
	if !ok {
		return Fix{}, false
	}
	return Fix{Message: "delete and re-create only the config's own tables", Edits: []TextEdit{e}}, true
}

// nftAtLeast reports whether target version v ("" = newest) is at least min.
func nftAtLeast(v, min string) bool {
	if v == "" {
		return true
	}
	a, b := strings.Split(v, "."), strings.Split(min, ".")
	for i := 0; i < len(b); i++ {
		var x, y int
		if i < len(a) {
			fmt.Sscanf(a[i], "%d", &x)
		}
		fmt.Sscanf(b[i], "%d", &y)
		if x != y {
			return x > y
		}
	}
	return true
}
