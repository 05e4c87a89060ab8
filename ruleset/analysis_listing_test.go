package ruleset

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nftlint/nftlint/parser"
)

// EvaluateListing lists the decisions Evaluate lists with a verdict in
// the list, in the same order, and gives the same verdicts, those of
// every decision Evaluate lists: checked on
// every base chain of the corpus files and of the large perf ruleset,
// for container-like packets.
func TestEvaluateListingMatchesEvaluate(t *testing.T) {
	paths := []string{filepath.Join(sharedDir(t), "corpus", "perf", "large-ruleset.nft")}
	for _, cf := range readManifest(t) {
		if cf.syntax == "nft" {
			paths = append(paths, cf.path)
		}
	}
	var packets []Packet
	for _, fam := range []Family{parser.FamilyIP, parser.FamilyIP6} {
		for _, state := range []string{"new", "established", ""} {
			bridge, other := Iface{Pattern: "docker0"}, Iface{Pattern: "eth0"}
			packets = append(packets,
				Packet{Family: fam, IIf: bridge, OIf: other, CtState: state},
				Packet{Family: fam, IIf: other, OIf: bridge, CtState: state})
		}
	}
	chains, listed := 0, 0
	for _, path := range paths {
		_, rs, _, err := loadAndBuild(path)
		if err != nil || rs == nil {
			continue
		}
		for _, tb := range rs.Tables {
			for _, c := range tb.Chains {
				if c.Base == nil {
					continue
				}
				chains++
				for _, p := range packets {
					all := Evaluate(c, &p)
					var union Verdict // the policy included, where the chain may end
					for _, d := range all.Decisions {
						union |= d.Verdict
					}
					if all.Verdicts != union {
						t.Fatalf("%s: chain %s, packet %+v: verdicts %v, but the decisions give %v", path, c.Name, p, all.Verdicts, union)
					}
					for _, list := range []Verdict{Drop, Accept, Accept | Other} {
						got := EvaluateListing(c, &p, list)
						var want []Decision
						for _, d := range all.Decisions {
							if d.Verdict&list != 0 {
								want = append(want, d)
							}
						}
						listed += len(want)
						if got.Verdicts != all.Verdicts || !reflect.DeepEqual(got.Decisions, want) {
							t.Fatalf("%s: chain %s, packet %+v, listing %v: verdicts %v and %d decisions, want %v and %d",
								path, c.Name, p, list, got.Verdicts, len(got.Decisions), all.Verdicts, len(want))
						}
					}
				}
			}
		}
	}
	if chains < 100 || listed == 0 {
		t.Fatalf("compared %d base chains, %d decisions: too few to tell", chains, listed)
	}
	t.Logf("compared %d base chains, %d listed decisions", chains, listed)
}
