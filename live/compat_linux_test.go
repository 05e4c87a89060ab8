//go:build linux

package live

import (
	"testing"

	"github.com/google/nftables/expr"
	"github.com/google/nftables/xt"
	"golang.org/x/sys/unix"
)

// iptablesReadable follows iptables-nft's expression whitelist, and only
// for rules that carry xt expressions (nft never writes those).
func TestIptablesReadable(t *testing.T) {
	ctMatch := &expr.Match{Name: "conntrack", Rev: 3, Info: &xt.ConntrackMtinfo3{}}
	accept := &expr.Verdict{Kind: expr.VerdictAccept}
	for _, c := range []struct {
		name  string
		exprs []expr.Any
		want  bool
	}{
		{"xt match and verdict", []expr.Any{&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1}, &expr.Cmp{Register: 1, Data: []byte("docker0\x00")}, ctMatch, &expr.Counter{}, accept}, true},
		{"xt target", []expr.Any{&expr.Target{Name: "MASQUERADE", Info: &xt.NatRange{}}}, true},
		{"no xt at all", []expr.Any{&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1}, &expr.Cmp{Register: 1, Data: []byte("lo\x00")}, accept}, false},
		{"native ct next to xt", []expr.Any{ctMatch, &expr.Ct{Key: expr.CtKeySTATE, Register: 1}, accept}, false},
		{"packet limit", []expr.Any{ctMatch, &expr.Limit{Type: expr.LimitTypePkts, Rate: 5, Unit: expr.LimitTimeSecond}, accept}, true},
		{"limit over", []expr.Any{ctMatch, &expr.Limit{Type: expr.LimitTypePkts, Rate: 5, Over: true}, accept}, false},
		{"byte limit", []expr.Any{ctMatch, &expr.Limit{Type: expr.LimitTypePktBytes, Rate: 5}, accept}, false},
		{"log group", []expr.Any{ctMatch, &expr.Log{Key: 1 << unix.NFTA_LOG_GROUP, Group: 2}}, true},
		{"log without group", []expr.Any{ctMatch, &expr.Log{Key: 1 << unix.NFTA_LOG_PREFIX, Data: []byte("x")}}, false},
	} {
		if got := iptablesReadable(c.exprs); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
