package text

import (
	"bytes"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
)

func TestReplaySection(t *testing.T) {
	rep := &finding.Report{Replay: &finding.Replay{
		Capture: "admin.har", Role: "admin", As: "member", Sent: 3, Skipped: 1, Stopped: "5 answers in a row were server errors",
		Endpoints: []finding.Access{
			{Method: "GET", URL: "https://c.test/api/roles", CapturedStatus: 200, Status: 403, Result: finding.AccessEnforced},
			{Method: "GET", URL: "https://c.test/api/ch/1", CapturedStatus: 200, Status: 200, Result: finding.AccessFiltered, Removed: []string{"$['channelSecret']"}, Detail: "1 fields removed"},
			{Method: "GET", URL: "https://c.test/api/me", CapturedStatus: 200, Status: 200, Result: finding.AccessSame, Differ: []string{"$['email']"}, Detail: "same fields; 1 with other values"},
			{Method: "POST", URL: "https://c.test/api/login", CapturedStatus: 200, Result: finding.AccessSkipped, Detail: "method POST: only GET and HEAD are replayed"},
		},
	}}
	var b bytes.Buffer
	if err := Write(&b, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Access as member, replaying admin.har (recorded as admin):",
		"enforced     GET https://c.test/api/roles  403 (admin: 200)",
		"removed: $['channelSecret']",
		"other values: $['email']",
		"skipped      POST https://c.test/api/login  — (admin: 200)",
		"method POST: only GET and HEAD are replayed",
		"3 sent: 1 enforced, 1 filtered, 1 same, 1 skipped",
		"STOPPED: 5 answers in a row",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "1 fields removed") || strings.Contains(out, "same fields;") {
		t.Errorf("details repeated beside the field lists:\n%s", out)
	}
	b.Reset()
	if err := Write(&b, &finding.Report{}, Options{}); err != nil || strings.Contains(b.String(), "Access as") {
		t.Errorf("a scan report shows a replay section: %q", b.String())
	}
}
