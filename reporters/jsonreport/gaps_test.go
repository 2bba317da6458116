package jsonreport

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
)

// Notes and gaps are written as "notes" and "gaps" and read back, so a
// saved report re-rendered or merged keeps what the scan could not read;
// a report without them has neither key.
func TestGapsRoundTrip(t *testing.T) {
	rep := &finding.Report{
		Target:   "repo",
		Findings: []finding.Finding{},
		Notes:    []string{"repo is a partial clone (promisor remote origin)"},
		Gaps: []finding.Gap{{Kind: finding.GapMissingBlob, Object: "6f33101bb4d8ad09a1447d2b1ee3de455dded1e6",
			Commit: "4f713801df8c32062bd0815a81111d64322f71b0", Path: "bin/tool", Detail: "not scanned"}},
	}
	var buf bytes.Buffer
	if err := Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"notes": [`, `"gaps": [`, `"kind": "missing-blob"`, `"object": "6f33101bb4d8ad09a1447d2b1ee3de455dded1e6"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("missing %s in\n%s", want, buf.String())
		}
	}
	back, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Gaps, rep.Gaps) || !reflect.DeepEqual(back.Notes, rep.Notes) {
		t.Errorf("read back gaps %+v notes %q", back.Gaps, back.Notes)
	}
	buf.Reset()
	if err := Write(&buf, &finding.Report{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), `"gaps"`) || strings.Contains(buf.String(), `"notes"`) {
		t.Errorf("a complete report has gaps or notes:\n%s", buf.String())
	}
}
