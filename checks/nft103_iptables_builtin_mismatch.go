package checks

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// dockerBuiltins are the built-in chains dockerd (iptables backend, 28+)
// adds rules to, with what fails when iptables-nft cannot create them
// (container-firewall-facts.md §1.3–1.5, §3.6).
var dockerBuiltins = map[string]string{
	"filter FORWARD":  "so dockerd cannot start (its `iptables -I FORWARD -j DOCKER-FORWARD` fails)",
	"nat PREROUTING":  "so dockerd cannot start (its `iptables -t nat -A PREROUTING … -j DOCKER` fails)",
	"nat OUTPUT":      "so dockerd cannot start (its `iptables -t nat -A OUTPUT … -j DOCKER` fails)",
	"nat POSTROUTING": "so dockerd cannot set up its bridges (its `iptables -t nat -I POSTROUTING … -j MASQUERADE` fails)",
	"raw PREROUTING":  "so containers cannot start (dockerd's per-container `iptables -t raw -A PREROUTING … -j DROP` fails)",
}

var nft103 = &Check{
	ID:       "NFT103",
	Name:     "iptables-builtin-mismatch",
	Title:    "an iptables built-in chain name is used with another type, hook or priority, or for a regular chain",
	Severity: Error,
	Runtimes: containerRuntimes,
	Tags:     []string{"container", "iptables"},
	Run:      runNFT103,
	Doc: `In the tables iptables-nft reads — ` + "`ip`/`ip6`" + ` tables named ` + "`filter`, `nat`, `mangle`, `raw`, `security`" + ` —
the built-in chain names belong to iptables. iptables-nft expects each built-in with
exactly this type, hook and priority (iptables ` + "`iptables/nft.c`" + `):

| table | chains (type, priority) |
|---|---|
| raw | PREROUTING, OUTPUT (filter, −300) |
| mangle | PREROUTING, INPUT, FORWARD, POSTROUTING (filter, −150); OUTPUT (route, −150) |
| filter | INPUT, FORWARD, OUTPUT (filter, 0) |
| security | INPUT, FORWARD, OUTPUT (filter, **150** — not nft's ` + "`security`" + ` = 50) |
| nat | PREROUTING (nat, −100), INPUT (nat, 100), OUTPUT (nat, −100), POSTROUTING (nat, 100) |

When a chain of that name exists with another type, hook or priority, or as a regular
chain, every ` + "`iptables -A/-I/-P`" + ` on it fails with
` + "`CHAIN_ADD failed (Operation not supported)`" + ` or ` + "`CHAIN_ADD failed (File exists)`" + `
(verified with nft 1.0.6 / iptables-nft 1.8.9).

**Error** (the claim a kernel test proves): with Docker 28+ on the iptables backend, for
the IPv4 chains dockerd writes to — ` + "`ip filter FORWARD`" + `, ` + "`ip nat PREROUTING`" + `,
` + "`ip nat OUTPUT`" + ` (dockerd does not start), ` + "`ip nat POSTROUTING`" + ` (the default bridge
cannot be set up, so dockerd does not start) and ` + "`ip raw PREROUTING`" + ` (containers on
NAT networks cannot start).

**Warning** for every other built-in: Docker does not use it (` + "`nat INPUT`" + `, ` + "`mangle`" + `,
` + "`security`" + `, ` + "`filter INPUT/OUTPUT`" + `), or dockerd only logs the failure (the IPv6
chains: IPv6 networks then do not work), but every other iptables user — fail2ban,
kube-proxy, libvirt's iptables backend, ` + "`iptables -I INPUT …`" + ` by hand — fails on it.

While Docker is running, ` + "`nft -f`" + ` of such a file also fails as a whole
(` + "`Could not process rule: Operation not supported`" + `), so the host firewall silently
stays unloaded on reload.

**Fix:** declare the chain exactly as the built-in (the suggested fix rewrites the
priority or type), or give your chain a name iptables does not own and put it in your own
table (` + "`table inet host-fw`" + `).

References: container-firewall-facts.md §3.1, §3.4 (T2–T4, T12, T13, T18), §3.6, §3.7;
moby ` + "`daemon/libnetwork/drivers/bridge/internal/iptabler/`" + `; moby/moby#44601.`,
}

func runNFT103(pass *Pass) {
	docker := pass.Options.HasRuntime(RuntimeDocker) || pass.Options.HasRuntime(RuntimeDockerLegacy)
	for _, t := range pass.Ruleset.Tables {
		if !isIptablesTable(t) {
			continue
		}
		for _, c := range t.Chains {
			if c.Anonymous {
				continue
			}
			want, ok := builtinOf(c)
			if !ok {
				continue
			}
			checkBuiltin(pass, c, want, docker)
		}
	}
}

func checkBuiltin(pass *Pass, c *ruleset.Chain, want builtinSpec, docker bool) {
	fam := tableFamily(c.Table)
	key := c.Table.Name + " " + c.Name
	sev := Warning
	consequence := "which breaks fail2ban, kube-proxy and other iptables users"
	what, used := dockerBuiltins[key]
	if !used {
		consequence += " (Docker does not use this chain)"
	}
	if used && docker {
		if fam == parser.FamilyIP {
			sev = Error
			consequence = what
		} else {
			consequence = "so dockerd's ip6tables set-up fails (it only logs it) and IPv6 container networks do not work"
		}
	}
	builtin := fmt.Sprintf("type %s hook %s priority %d", want.Type, want.Hook, want.Priority)
	cmd := "iptables"
	if fam == parser.FamilyIP6 {
		cmd = "ip6tables"
	}

	if c.Base == nil {
		reportAt(pass, chainNode(c), Diagnostic{
			Severity: sev,
			Message: fmt.Sprintf("%s is a regular chain, but %s-nft needs %s %s to be the built-in base chain (%s): its commands on the chain fail with \"CHAIN_ADD failed\", %s; rename the chain or declare the built-in",
				chainLabel(c), cmd, c.Table.Name, c.Name, builtin, consequence),
		})
		return
	}
	var diffs []string
	var edits []TextEdit
	fixable := true
	prop := c.Base.Prop
	if c.Base.Type != want.Type {
		diffs = append(diffs, fmt.Sprintf("type %s instead of %s", c.Base.Type, want.Type))
		if e, ok := identEdit(pass.Files, prop.ChainType, want.Type); ok {
			edits = append(edits, e)
		} else {
			fixable = false
		}
	}
	if c.Base.Hook != want.Hook {
		diffs = append(diffs, fmt.Sprintf("hook %s instead of %s", c.Base.Hook, want.Hook))
		fixable = false // the author may have meant another chain name
	}
	if c.Base.PrioOK && c.Base.Priority != want.Priority {
		written := strconv.Itoa(c.Base.Priority)
		if c.Base.PrioName != "" {
			written = fmt.Sprintf("%d (%s)", c.Base.Priority, nodeText(pass.Files, prop.Priority))
		}
		diffs = append(diffs, fmt.Sprintf("priority %s instead of %d", written, want.Priority))
		if prop != nil && prop.Priority != nil {
			if e, ok := replaceNode(pass.Files, prop.Priority, strconv.Itoa(want.Priority)); ok {
				edits = append(edits, e)
			} else {
				fixable = false
			}
		} else {
			fixable = false
		}
	}
	if len(diffs) == 0 {
		return
	}
	d := Diagnostic{
		Severity: sev,
		Message: fmt.Sprintf("%s has %s, but %s-nft's built-in is %s: its commands on the chain fail with \"CHAIN_ADD failed\", %s; declare the built-in exactly or rename the chain",
			chainLabel(c), strings.Join(diffs, " and "), cmd, builtin, consequence),
	}
	if fixable && len(edits) > 0 {
		d.Fixes = []Fix{{Message: "declare the chain as iptables-nft's built-in: " + builtin, Edits: edits}}
	}
	var node parser.Node = chainNode(c)
	if prop != nil {
		node = prop
	}
	reportAt(pass, node, d)
}

// identEdit replaces an identifier's text.
func identEdit(files *parser.FileSet, id *parser.Ident, text string) (TextEdit, bool) {
	if id == nil {
		return TextEdit{}, false
	}
	return replaceNode(files, id, text)
}
