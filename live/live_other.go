//go:build !linux

package live

import "context"

// dump is not available without nftables netlink.
func dump(ctx context.Context, opts Options) (*dumped, error) {
	return nil, ErrUnsupported
}
