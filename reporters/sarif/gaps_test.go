package sarif

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/channelguard/channelguard/finding"
)

// gapReport is the rich sample with what a scan could not read: a note
// (a partial clone) and gaps, one in a path that needs percent-encoding.
func gapReport() *finding.Report {
	r := richReport()
	r.Notes = []string{"repo is a partial clone (promisor remote origin): objects its filter left out are not fetched"}
	r.Gaps = []finding.Gap{
		{Kind: finding.GapMissingBlob, Object: "6f33101bb4d8ad09a1447d2b1ee3de455dded1e6", Commit: "4f713801df8c32062bd0815a81111d64322f71b0", Path: "bin/truffle hog", Detail: "this version of the file is missing from the repository: it was not scanned"},
		{Kind: finding.GapUnreadableCommit, Object: "1111111111111111111111111111111111111111", Commit: "2222222222222222222222222222222222222222", Detail: "git could not read this commit's changes (unable to read 1111111111111111111111111111111111111111)"},
	}
	return r
}

// Gaps are the run's toolExecutionNotifications (an error each, naming
// the object, the commit and the file at its URI), notes are notes, and
// a run with gaps is marked as not successful. A report without either
// has no invocation at all: a complete scan's log is unchanged.
func TestGapsAsNotifications(t *testing.T) {
	_, raw := parse(t, write(t, gapReport()))
	run := raw["runs"].([]any)[0].(map[string]any)
	invs, ok := run["invocations"].([]any)
	if !ok || len(invs) != 1 {
		t.Fatalf("invocations = %v", run["invocations"])
	}
	inv := invs[0].(map[string]any)
	if inv["executionSuccessful"] != false {
		t.Errorf("executionSuccessful = %v, want false", inv["executionSuccessful"])
	}
	notes := inv["toolExecutionNotifications"].([]any)
	if len(notes) != 3 {
		t.Fatalf("%d notifications, want a note and two gaps", len(notes))
	}
	first := notes[0].(map[string]any)
	if first["level"] != "note" {
		t.Errorf("the partial-clone note has level %v", first["level"])
	}
	blob := notes[1].(map[string]any)
	if blob["level"] != "error" {
		t.Errorf("a gap has level %v, want error", blob["level"])
	}
	props := blob["properties"].(map[string]any)
	for k, want := range map[string]string{"kind": "missing-blob", "object": "6f33101bb4d8ad09a1447d2b1ee3de455dded1e6", "commit": "4f713801df8c32062bd0815a81111d64322f71b0", "path": "bin/truffle hog"} {
		if props[k] != want {
			t.Errorf("gap property %s = %v, want %s", k, props[k], want)
		}
	}
	art := blob["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)["artifactLocation"].(map[string]any)
	if art["uri"] != "bin/truffle%20hog" || art["uriBaseId"] != SrcRoot {
		t.Errorf("gap location %v", art)
	}
	if msg := blob["message"].(map[string]any)["text"].(string); msg == "" || msg[len(msg)-1] != '.' {
		t.Errorf("gap message %q", msg)
	}
	if p := run["properties"].(map[string]any); p["gaps"] != float64(2) || p["objects_unreadable"] != float64(2) {
		t.Errorf("run properties %v", p)
	}

	// notes alone: a successful run with a note
	r := richReport()
	r.Notes = gapReport().Notes
	_, raw = parse(t, write(t, r))
	inv = raw["runs"].([]any)[0].(map[string]any)["invocations"].([]any)[0].(map[string]any)
	if inv["executionSuccessful"] != true {
		t.Errorf("a run with a note only: executionSuccessful = %v", inv["executionSuccessful"])
	}
	// neither: no invocation
	_, raw = parse(t, write(t, richReport()))
	if _, ok := raw["runs"].([]any)[0].(map[string]any)["invocations"]; ok {
		t.Error("a complete scan's run has an invocation")
	}
}

// A partial clone of a long history can miss thousands of blobs: the run
// lists the first MaxGapNotifications and says how many more there are.
func TestGapNotificationsAreBounded(t *testing.T) {
	r := richReport()
	for i := range MaxGapNotifications + 5 {
		r.Gaps = append(r.Gaps, finding.Gap{Kind: finding.GapMissingBlob, Object: fmt.Sprintf("%040x", i), Commit: fmt.Sprintf("%040x", i+1), Path: fmt.Sprintf("f%d", i)})
	}
	_, raw := parse(t, write(t, r))
	notes := raw["runs"].([]any)[0].(map[string]any)["invocations"].([]any)[0].(map[string]any)["toolExecutionNotifications"].([]any)
	if len(notes) != MaxGapNotifications+1 {
		t.Fatalf("%d notifications, want %d and one for the rest", len(notes), MaxGapNotifications+1)
	}
	if msg := notes[len(notes)-1].(map[string]any)["message"].(map[string]any)["text"]; msg != "5 more gaps are not listed here; the JSON report (--format json) lists every one." {
		t.Errorf("last notification %q", msg)
	}
}

// TestMultitoolGaps runs the multitool on a log with gaps and notes (see
// TestMultitool).
func TestMultitoolGaps(t *testing.T) {
	script := os.Getenv("CHANNELGUARD_SARIF_VALIDATOR")
	if script == "" {
		t.Skip("CHANNELGUARD_SARIF_VALIDATOR not set (point it at .ci/validate-sarif)")
	}
	p := filepath.Join(t.TempDir(), "gaps.sarif")
	if err := os.WriteFile(p, write(t, gapReport()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(script, p).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
}
