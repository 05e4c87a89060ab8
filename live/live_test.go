package live

import (
	"testing"

	"github.com/nftlint/nftlint/parser"
)

// What the decoder cannot name is rendered as a stand-in (a `counter`
// statement, a `meta mark` selector) so that the listing parses; the
// model the checks see names it after the unknown expression instead.
func TestAnnotatePatchesPlaceholders(t *testing.T) {
	js := `{"nftables": [{"table": {"family": "ip", "name": "t"}},
	{"chain": {"family": "ip", "table": "t", "name": "c"}},
	{"rule": {"family": "ip", "table": "t", "chain": "c", "handle": 4, "expr": [
		{"match": {"op": "==", "left": {"register": null}, "right": 5}},
		{"gizmo": null},
		{"accept": null}]}}]}`
	listing, err := parser.RenderJSONListing([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	snap := &Snapshot{Source: parser.Source{Name: DefaultName, Src: listing.Text}, placeholders: listing.Placeholders}
	rs, errs, err := snap.Build()
	if err != nil || len(errs) > 0 {
		t.Fatalf("%v %v\n%s", err, errs, listing.Text)
	}
	r := rs.Tables[0].Chain("c").Rules[0]
	if r.Handle != 4 || !rs.Live {
		t.Errorf("handle %d, live %v; want 4, true", r.Handle, rs.Live)
	}
	m, ok := r.Stmts[0].(*parser.MatchStmt)
	if !ok {
		t.Fatalf("statement 1 is %T, want a match", r.Stmts[0])
	}
	if sel, ok := m.Left.(*parser.Selector); !ok || sel.Path() != "register" {
		t.Errorf("match on %#v, want the placeholder selector register\n%s", m.Left, listing.Text)
	}
	if kw, ok := r.Stmts[1].(*parser.KeywordStmt); !ok || kw.Keyword != "gizmo" {
		t.Errorf("statement 2 is %#v, want the placeholder gizmo\n%s", r.Stmts[1], listing.Text)
	}
}
