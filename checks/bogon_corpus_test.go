package checks

import (
	"path/filepath"
	"testing"
)

// TestCorpusSyntaxBogonsFlagged lints the corpus bogons that nft 1.0.6
// rejects with a syntax error (manifest: upstream_expect invalid-bogon,
// error_kind syntax) with the target set to nft 1.0.6, and requires that
// at least 90% of them are flagged: by NFT001 (nftlint's parser rejects
// them too) or by NFT211 (the syntax is newer than 1.0.6; nftlint
// accepts the newest release's syntax, in which several of these bogons
// parse and fail only at evaluation).
func TestCorpusSyntaxBogonsFlagged(t *testing.T) {
	dir := corpusDir(t)
	opts := &Options{NftVersion: "1.0.6"}
	total, flagged := 0, 0
	for _, row := range readTSV(t, filepath.Join(dir, "manifest.tsv")) {
		if row["upstream_expect"] != "invalid-bogon" || row["error_kind"] != "syntax" {
			continue
		}
		total++
		path := filepath.Join(dir, filepath.FromSlash(row["file"]))
		rs, inputDiags := loadRuleset(t, filepath.Dir(path), filepath.Base(path))
		var by []string
		for _, d := range inputDiags {
			if d.Check == "NFT001" {
				by = append(by, "NFT001 "+d.Message)
				break
			}
		}
		if rs != nil {
			for _, d := range Run(rs, opts, func(c *Check) bool { return c.ID == "NFT211" }) {
				by = append(by, "NFT211 "+d.Message)
				break
			}
		}
		if len(by) == 0 {
			t.Logf("miss: %s; nft 1.0.6: %s", row["file"], row["first_error_line"])
			continue
		}
		flagged++
		t.Logf("flagged %s by %s", filepath.Base(row["file"]), by[0])
	}
	if total == 0 {
		t.Fatal("no syntax bogons in the manifest")
	}
	pct := 100 * float64(flagged) / float64(total)
	t.Logf("MEASURED syntax bogons flagged by NFT001 or NFT211 (target nft 1.0.6): %d/%d (%.1f%%)", flagged, total, pct)
	if pct < 90 {
		t.Errorf("only %.1f%% of the syntax bogons flagged, want at least 90%%", pct)
	}
}
