package checks

import (
	"fmt"
	"strconv"
	"strings"
)

// nftVersion is an nftables release, major.minor.patch.
type nftVersion [3]int

// newestNft is the newest nftables release whose syntax nftlint accepts.
var newestNft = nftVersion{1, 1, 6}

// parseNftVersion parses "1.0.6", "v1.0.6" or "nftables v1.0.6 (Lester
// Gooch #5)".
func parseNftVersion(s string) (nftVersion, bool) {
	var v nftVersion
	for _, f := range strings.Fields(s) {
		f = strings.TrimPrefix(f, "v")
		parts := strings.Split(f, ".")
		if len(parts) < 2 || len(parts) > 3 {
			continue
		}
		ok := true
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n > 1000 {
				ok = false
				break
			}
			v[i] = n
		}
		if ok {
			return v, true
		}
	}
	return nftVersion{}, false
}

func (v nftVersion) String() string { return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]) }

// less reports whether v is older than w.
func (v nftVersion) less(w nftVersion) bool {
	for i := range v {
		if v[i] != w[i] {
			return v[i] < w[i]
		}
	}
	return false
}

// targetNft returns the nft version the ruleset is meant for: the
// --nft-version option, else the newest release.
func targetNft(o *Options) nftVersion {
	if o != nil && o.NftVersion != "" {
		if v, ok := parseNftVersion(o.NftVersion); ok {
			return v
		}
	}
	return newestNft
}

// nftSupports reports whether the target version has a feature that first
// appeared in since.
func nftSupports(o *Options, since nftVersion) bool { return !targetNft(o).less(since) }
