package markdown

import (
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/teamreport/teamreporttest"
)

// A partial repository is counted apart from failed ones, and the gaps
// are a table of their own, escaped like everything from a repository.
func TestGapsSection(t *testing.T) {
	r := teamreporttest.Report()
	r.Repositories = append(r.Repositories, finding.RepoScan{Name: "acme/api", Status: finding.RepoPartial, Error: "1 object could not be read", Gaps: 1})
	r.Gaps = []finding.Gap{{Repository: "acme/api", Kind: finding.GapMissingBlob, Object: "6f33101bb4d8ad09a1447d2b1ee3de455dded1e6", Commit: "4f713801df8c32062bd0815a81111d64322f71b0", Path: teamreporttest.HostilePath, Detail: "not scanned"}}
	r.Notes = []string{"a note"}
	out := write(t, r)
	for _, want := range []string{
		"(1 failed to scan, 1 scanned in part)",
		"| acme/api | **partial** |",
		"> **Note:** a note",
		"## Not scanned\n\n1 object could not be read (1 gap)",
		"| Repository | Kind | File | Commit | Object | Detail |",
		"| acme/api | missing-blob | " + Escape(teamreporttest.HostilePath) + " | 4f713801df8c32062bd0815a81111d64322f71b0 | 6f33101bb4d8ad09a1447d2b1ee3de455dded1e6 | not scanned |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, teamreporttest.HostilePath) {
		t.Error("a gap's path is not escaped")
	}
}
