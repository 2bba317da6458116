package jsonreport

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/channelguard/channelguard/finding"
)

// A replay's access results survive a write and a read (channelguard
// report re-renders them).
func TestReplayRoundTrip(t *testing.T) {
	in := &finding.Report{Findings: []finding.Finding{}, Replay: &finding.Replay{
		Capture: "admin.har", Role: "admin", As: "member", Target: "http://127.0.0.1:8080", Sent: 1, Skipped: 1,
		Endpoints: []finding.Access{
			{Entry: 9, Method: "GET", URL: "http://127.0.0.1:8080/api/v1/channels/1", Template: "/api/v1/channels/{id}", CapturedStatus: 200, Status: 200,
				Result: finding.AccessFiltered, Detail: "1 fields removed", Removed: []string{"$['channelSecret']"}, Differ: []string{"$['yourUserId']"}},
			{Entry: 3, Method: "POST", URL: "http://127.0.0.1:40405/api/login", Template: "/api/login", CapturedStatus: 200, Result: finding.AccessSkipped, Detail: "method POST"},
		},
	}}
	var b bytes.Buffer
	if err := Write(&b, in); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte(`"replay": {`)) || !bytes.Contains(b.Bytes(), []byte(`"result": "filtered"`)) {
		t.Fatalf("no replay section:\n%s", b.String())
	}
	out, err := Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.Replay, in.Replay) {
		t.Errorf("read back %+v\nwant %+v", out.Replay, in.Replay)
	}
}
