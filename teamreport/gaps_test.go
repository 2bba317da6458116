package teamreport

import (
	"fmt"
	"testing"

	"github.com/channelguard/channelguard/finding"
)

func gapIn(repo, path string) finding.Gap {
	return finding.Gap{Repository: repo, Kind: finding.GapMissingBlob, Object: "6f33101bb4d8ad09a1447d2b1ee3de455dded1e6", Commit: "4f713801df8c32062bd0815a81111d64322f71b0", Path: path}
}

// A partial repository fixes nothing (a finding may be behind an object
// the scan could not read), and neither does a single scan with gaps;
// its findings are still new or open.
func TestDiffPartial(t *testing.T) {
	f := func(repo, fp string) finding.Finding {
		return finding.Finding{Repository: repo, RuleID: "r", Severity: finding.High, Fingerprint: fp, Location: finding.Location{Path: fp}}
	}
	prev := &finding.Report{Findings: []finding.Finding{f("a/x", "1"), f("a/x", "2"), f("a/y", "3")}}
	cur := &finding.Report{
		Findings:     []finding.Finding{f("a/x", "2")},
		Repositories: []finding.RepoScan{{Name: "a/x", Status: finding.RepoPartial, Gaps: 1}, {Name: "a/y", Status: finding.RepoOK}},
		Gaps:         []finding.Gap{gapIn("a/x", "f")},
	}
	Diff(prev, cur, "prev")
	if len(cur.Changes.Fixed) != 1 || Key(&cur.Changes.Fixed[0]) != Key(&prev.Findings[2]) {
		t.Errorf("fixed %v, want only a/y's finding", cur.Changes.Fixed)
	}
	if cur.Findings[0].Change != ChangeOpen {
		t.Errorf("a partial repository's finding is %q, want open", cur.Findings[0].Change)
	}

	single := &finding.Report{Findings: []finding.Finding{f("", "2")}, Gaps: []finding.Gap{gapIn("", "f")}}
	Diff(&finding.Report{Findings: []finding.Finding{f("", "1"), f("", "2")}}, single, "prev")
	if len(single.Changes.Fixed) != 0 {
		t.Errorf("a scan with gaps reported %d findings fixed", len(single.Changes.Fixed))
	}
}

// Shards' gaps and notes are joined, each once, in the canonical order;
// a shard given twice adds none.
func TestMergeGaps(t *testing.T) {
	a := &finding.Report{Target: "acme", Repositories: []finding.RepoScan{{Name: "a/x", Status: finding.RepoPartial, Gaps: 2}},
		Gaps: []finding.Gap{gapIn("a/x", "z"), gapIn("a/x", "b")}, Notes: []string{"n"}}
	b := &finding.Report{Target: "acme", Repositories: []finding.RepoScan{{Name: "a/w", Status: finding.RepoPartial, Gaps: 1}},
		Gaps: []finding.Gap{gapIn("a/w", "q")}, Notes: []string{"n"}}
	out, err := Merge(a, b, a)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range out.Gaps {
		got = append(got, g.Repository+":"+g.Path)
	}
	if want := "[a/w:q a/x:b a/x:z]"; fmt.Sprint(got) != want {
		t.Errorf("gaps %s, want %s", fmt.Sprint(got), want)
	}
	if len(out.Notes) != 1 {
		t.Errorf("notes %q", out.Notes)
	}
}
