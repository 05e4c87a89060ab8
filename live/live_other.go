//go:build !linux

package live

import "context"

// dump is not available without nftables netlink.
func dump(ctx context.Context, opts Options) ([]byte, map[ruleKey]bool, error) {
	return nil, nil, ErrUnsupported
}
