package checks

import (
	"sort"
	"sync"
)

// registry lists every check. A new check adds exactly one line here.
var registry = []*Check{
	// NFT0xx are reported by the parser and loader; see input.go.
	// NFT1xx: container-runtime coexistence.
	nft101,
	nft102,
	nft103,
	nft104,
	nft105,
	nft106,
	nft107,
	nft108,
	nft109,
	nft110,
	nft111,
	nft112,
	// NFT2xx: what nft or the kernel rejects at load time.
	nft200,
	nft201, nft202, nft203,
	nft204,
	nft205,
	nft206,
	nft207,
	nft208,
	nft210,
	nft211,
	nft212,
	nft213,
	nft214,
	nft215,
	nft216,
	nft217,
	// NFT3xx: safety.
	nft301,
	nft302,
	nft303,
	nft304,
	nft305,
	nft306,
	nft307,
	nft308,
	nft309,
	// NFT4xx: maintainability.
	nft401,
	nft402,
	nft403,
	nft404,
	nft405,
}

// All returns every check, sorted by ID. The slice is a copy.
func All() []*Check {
	out := append([]*Check(nil), registry...)
	out = append(out, inputChecks...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// byKey indexes every check by ID and by name; Lookup runs once per
// diagnostic, so it must not rebuild and sort the list each time.
var byKey = sync.OnceValue(func() map[string]*Check {
	m := map[string]*Check{}
	for _, c := range All() {
		m[c.ID] = c
		if _, dup := m[c.Name]; !dup {
			m[c.Name] = c
		}
	}
	return m
})

// Lookup returns the check with the given ID or name, or nil.
func Lookup(idOrName string) *Check {
	return byKey()[idOrName]
}
