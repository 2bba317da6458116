package html

import (
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/teamreport/teamreporttest"
)

// A partial repository is not listed as failed; the gaps have a section
// of their own, escaped, and the page stays self-contained.
func TestGapsSection(t *testing.T) {
	r := teamreporttest.Report()
	r.Repositories = append(r.Repositories, finding.RepoScan{Name: "acme/api", Status: finding.RepoPartial, Error: "1 object could not be read (1 gap)", Gaps: 1})
	r.Gaps = []finding.Gap{{Repository: "acme/api", Kind: finding.GapMissingBlob, Object: "6f33101bb4d8ad09a1447d2b1ee3de455dded1e6", Commit: "4f713801df8c32062bd0815a81111d64322f71b0", Path: teamreporttest.HostilePath, Detail: "not scanned"}}
	r.Notes = []string{"a <b>note</b>"}
	page := write(t, r)
	selfContained(t, page)
	failed := page[strings.Index(page, `id="h-failed"`):]
	failed = failed[:strings.Index(failed, "</section>")]
	if strings.Contains(failed, "acme/api") {
		t.Error("the partial repository is listed as not scanned")
	}
	for _, want := range []string{
		`<span class="n">1</span> scanned in part`,
		`<span class="n">1</span> unreadable object</div>`,
		`<h2 id="h-gaps">Not scanned</h2>`,
		"<td>acme/api</td><td class=\"err\">1 object could not be read (1 gap)</td>",
		"6f33101bb4d8ad09a1447d2b1ee3de455dded1e6",
		"<strong>Note:</strong> a &lt;b&gt;note&lt;/b&gt;",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(page, teamreporttest.HostilePath) || strings.Contains(page, "<b>note") {
		t.Error("text from the repository is not escaped")
	}
}
