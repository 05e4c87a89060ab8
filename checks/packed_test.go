package checks

import (
	"path/filepath"
	"strings"
	"testing"
)

// packedChecks are the checks that read set elements: their cases must
// give the same findings when the parser keeps plain elements packed
// (parser.ElemRun) as when it builds a node per element.
var packedChecks = []string{"NFT107", "NFT108", "NFT200", "NFT201", "NFT206", "NFT207", "NFT208", "NFT211", "NFT405"}

func TestChecksPackedElements(t *testing.T) {
	t.Setenv("NFTLINT_PACK_ELEMENTS", "1")
	for _, id := range packedChecks {
		t.Run(id, func(t *testing.T) {
			cases, _ := filepath.Glob(filepath.Join(checksTestdata, id, "*.txtar"))
			if len(cases) == 0 {
				t.Fatalf("no cases for %s", id)
			}
			for _, path := range cases {
				t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
					runCase(t, readCase(t, id, path))
				})
			}
		})
	}
}
