package checks

import (
	"testing"

	"github.com/nftlint/nftlint/parser"
	"github.com/nftlint/nftlint/ruleset"
)

// liveRuleset builds src as the live reader does (Ruleset.Live set) and
// marks the rules of chain FORWARD whose index is in iptablesWrote as
// written by iptables-nft.
func liveRuleset(t *testing.T, src string, iptablesWrote ...int) *ruleset.Ruleset {
	t.Helper()
	res, err := parser.Load(nil, parser.LoadConfig{InputFormat: "text"}, parser.Source{Name: "live:ruleset", Src: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	rs, errs := ruleset.Build(res)
	if errs = append(res.Errors, errs...); len(errs) > 0 {
		t.Fatal(errs)
	}
	rs.Live = true
	fwd := rs.Tables[0].Chain("FORWARD")
	for _, i := range iptablesWrote {
		fwd.Rules[i].IptablesCompat = true
	}
	return rs
}

func runLiveCheck(rs *ruleset.Ruleset, id string) []Diagnostic {
	opts := &Options{Runtimes: []Runtime{RuntimeDocker}}
	return Run(rs, opts, func(c *Check) bool { return c.ID == id })
}

const liveDockerFilter = `table ip filter {
	chain FORWARD {
		type filter hook forward priority 0; policy drop;
		oifname "docker0" ct state established,related counter accept # handle 5
		ct state invalid drop # handle 6
	}
	chain DOCKER {
	}
}
`

// On a live ruleset the rules iptables-nft wrote itself (xt conntrack,
// shown as ct state) are not NFT106 findings; native rules still are.
func TestNFT106LiveSkipsRulesIptablesWrote(t *testing.T) {
	file := runLiveCheck(liveRuleset(t, liveDockerFilter), "NFT106")
	if len(file) != 2 {
		t.Fatalf("without the iptables marks: %d NFT106 findings, want 2: %v", len(file), file)
	}
	live := runLiveCheck(liveRuleset(t, liveDockerFilter, 0), "NFT106")
	if len(live) != 1 || live[0].Start.Line != 5 {
		t.Fatalf("with rule 1 written by iptables-nft: %v, want one finding on line 5", live)
	}
}

// The runtime's chains in the running ruleset are not a saved copy.
func TestNFT109OffOnLiveRulesets(t *testing.T) {
	rs := liveRuleset(t, liveDockerFilter)
	if got := runLiveCheck(rs, "NFT109"); len(got) != 0 {
		t.Errorf("live ruleset: NFT109 reported %v", got)
	}
	rs.Live = false
	if got := runLiveCheck(rs, "NFT109"); len(got) != 1 {
		t.Errorf("the same text as a file: %d NFT109 findings, want 1", len(got))
	}
}

const liveDockerUser = `table ip filter {
	chain FORWARD {
		type filter hook forward priority 0; policy drop;
		jump DOCKER-USER # handle 3
	}
	chain DOCKER-USER {
		ct state established,related return # handle 7
		iifname "eth0" tcp dport { 80, 443 } accept # handle 8
	}
}
`

// Rules of DOCKER-USER that iptables-nft wrote (-m conntrack, -m
// multiport) are not NFT107/NFT108 findings on a live ruleset; the same
// rules written with nft are.
func TestNFT107NFT108LiveSkipRulesIptablesWrote(t *testing.T) {
	for _, id := range []string{"NFT107", "NFT108"} {
		rs := liveRuleset(t, liveDockerUser)
		if got := runLiveCheck(rs, id); len(got) != 1 {
			t.Errorf("%s on rules nft wrote: %d findings, want 1: %v", id, len(got), got)
		}
		for _, r := range rs.Tables[0].Chain("DOCKER-USER").Rules {
			r.IptablesCompat = true
		}
		if got := runLiveCheck(rs, id); len(got) != 0 {
			t.Errorf("%s on rules iptables-nft wrote: %v", id, got)
		}
	}
}
