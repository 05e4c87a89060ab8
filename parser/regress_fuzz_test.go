package parser

import "testing"

// Inputs the fuzz targets found crashing or hanging the parser or the
// loader, minimized. Each must parse (with errors) and load without a
// panic. A case whose fix is pending has open set to the reason; it is
// skipped until then.
var fuzzRegressions = []struct {
	name, src string
	open      string
}{
	{name: "varref-after-set-in-selector",
		src: "table A{chain A{jhash ip saddr mod 0A fwd to::0 ether daddr set jhash $0000000",
	},
}

func TestFuzzRegressions(t *testing.T) {
	for _, tc := range fuzzRegressions {
		t.Run(tc.name, func(t *testing.T) {
			if tc.open != "" {
				t.Skip(tc.open)
			}
			ast, _ := ParseFile(NewFileSet(), "regress.nft", []byte(tc.src))
			if ast == nil {
				t.Fatal("nil AST")
			}
			if _, err := Load(nil, LoadConfig{Dir: t.TempDir()}, Source{Name: "regress.nft", Src: []byte(tc.src)}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
