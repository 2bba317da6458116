package jsonreport

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/channelguard/channelguard/finding"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name    string
		rep     *finding.Report
		summary Summary
	}{
		{"empty", &finding.Report{}, Summary{}},
		{"counts", &finding.Report{Findings: []finding.Finding{
			{RuleID: "a", Severity: finding.Critical, Fingerprint: "1"},
			{RuleID: "b", Severity: finding.High, Fingerprint: "2"},
			{RuleID: "c", Severity: finding.High, Fingerprint: "3"},
			{RuleID: "d", Severity: finding.Low, Fingerprint: "4"},
		}}, Summary{Total: 4, Critical: 1, High: 2, Low: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := Write(&a, tt.rep); err != nil {
				t.Fatal(err)
			}
			if err := Write(&b, tt.rep); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("two writes of one report differ")
			}
			var doc map[string]json.RawMessage
			if err := json.Unmarshal(a.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"schema_version", "tool", "target", "summary", "findings", "stats"} {
				if _, ok := doc[k]; !ok {
					t.Errorf("no %q in the document", k)
				}
			}
			if string(doc["findings"]) == "null" {
				t.Error(`"findings" must be a list, even when empty`)
			}
			var got Summary
			if err := json.Unmarshal(doc["summary"], &got); err != nil || got != tt.summary {
				t.Errorf("summary = %+v (%v), want %+v", got, err, tt.summary)
			}
		})
	}
}
