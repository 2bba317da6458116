package policy

import (
	"math"
	"testing"
)

// Found by FuzzParse (seed testdata/fuzz/policy/FuzzParse/big-rank): roles
// were sorted with b.Rank-a.Rank, which overflows for ranks far apart, so
// the lowest role could come first.
func TestParseExtremeRanks(t *testing.T) {
	p, err := Parse("ranks.toml", []byte("[[roles]]\nname = \"low\"\nrank = -9223372036854775808\n[[roles]]\nname = \"high\"\nrank = 9223372036854775807\n[[roles]]\nname = \"mid\"\nrank = 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Role{{Name: "high", Rank: math.MaxInt}, {Name: "mid"}, {Name: "low", Rank: math.MinInt}}
	if len(p.Roles) != len(want) {
		t.Fatalf("roles = %v", p.Roles)
	}
	for i, r := range p.Roles {
		if r.Name != want[i].Name || r.Rank != want[i].Rank {
			t.Errorf("role %d = %s (%d), want %s (%d)", i, r.Name, r.Rank, want[i].Name, want[i].Rank)
		}
	}
}
