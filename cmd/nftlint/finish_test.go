package main

import (
	"testing"

	"github.com/nftlint/nftlint/checks"
	"github.com/nftlint/nftlint/parser"
)

func TestDropRepeated(t *testing.T) {
	// diag makes a finding of check in file a.nft at [start, end) with
	// message msg; line and column follow the offset, as lint.Sort needs.
	diag := func(start, end int, check, msg string) checks.Diagnostic {
		pos := func(off int) parser.Position {
			return parser.Position{Filename: "a.nft", Offset: off, Line: 1, Column: off + 1}
		}
		return checks.Diagnostic{Range: parser.Range{Start: pos(start), End: pos(end)}, Check: check, Message: msg}
	}
	type key struct {
		start, end int
		check, msg string
	}
	tests := []struct {
		name string
		in   []checks.Diagnostic
		want []key
	}{
		{"none", nil, nil},
		{"distinct", []checks.Diagnostic{diag(0, 5, "NFT101", "m"), diag(0, 5, "NFT102", "m"), diag(0, 5, "NFT102", "n"), diag(1, 5, "NFT102", "n")},
			[]key{{0, 5, "NFT101", "m"}, {0, 5, "NFT102", "m"}, {0, 5, "NFT102", "n"}, {1, 5, "NFT102", "n"}}},
		{"adjacent repeat", []checks.Diagnostic{diag(0, 5, "NFT101", "m"), diag(0, 5, "NFT101", "m"), diag(7, 9, "NFT101", "m")},
			[]key{{0, 5, "NFT101", "m"}, {7, 9, "NFT101", "m"}}},
		// Same start, rule and message, other ends: sorted next to each
		// other in any order, so a repeat need not follow its first.
		{"repeat after another end", []checks.Diagnostic{diag(0, 5, "NFT101", "m"), diag(0, 6, "NFT101", "m"), diag(0, 5, "NFT101", "m"), diag(0, 6, "NFT101", "m")},
			[]key{{0, 5, "NFT101", "m"}, {0, 6, "NFT101", "m"}}},
		{"same range, next rule", []checks.Diagnostic{diag(0, 5, "NFT101", "m"), diag(0, 5, "NFT102", "m"), diag(0, 5, "NFT102", "m")},
			[]key{{0, 5, "NFT101", "m"}, {0, 5, "NFT102", "m"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []key
			for _, d := range dropRepeated(tt.in) {
				got = append(got, key{d.Start.Offset, d.End.Offset, d.Check, d.Message})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}
