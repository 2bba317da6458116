package jsonreport

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
)

func TestReadRoundTrip(t *testing.T) {
	rep := &finding.Report{
		Tool:   finding.Tool{Name: "channelguard", Version: "1.2.3"},
		Target: "github.com/acme",
		Findings: []finding.Finding{{
			Repository: "acme/bot", Change: "new", RuleID: "line-channel-secret", Severity: finding.Critical,
			Title: "LINE channel secret", Message: "m", Location: finding.Location{Path: "a.env", StartLine: 3},
			Commit:        &finding.Commit{SHA: "abc", Date: "2024-05-01T00:00:00Z"},
			SecretPreview: "c3d7… (32 chars)", SecretSHA256: "869a194bd246", Fingerprint: "fp1",
			Exposure:     finding.Exposure{FirstCommit: &finding.Commit{SHA: "abc"}, StillAtHead: true},
			Verification: &finding.Verification{Status: finding.VerifiedLive},
		}},
		Stats:        finding.Stats{Commits: 4, Files: 2},
		Repositories: []finding.RepoScan{{Name: "acme/bot", Status: "ok", Findings: 1}, {Name: "acme/web", Status: "failed", Error: "clone: denied"}},
		Changes:      &finding.Changes{Previous: "last.json", New: 1, Fixed: []finding.Finding{{RuleID: "x", Severity: finding.Info, Fingerprint: "fp0", Change: "fixed"}}},
	}
	var buf bytes.Buffer
	if err := Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	got, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rep) {
		t.Errorf("round trip differs:\n got %+v\nwant %+v", got, rep)
	}
	var again bytes.Buffer
	if err := Write(&again, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("write(read(write(r))) is not write(r)")
	}
}

func TestReadFileRejects(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, file, content, want string
	}{
		{"sarif", "scan.sarif", `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[]}`, "SARIF"},
		{"newer schema", "next.json", `{"schema_version":2,"findings":[]}`, "schema_version 2"},
		{"no schema", "other.json", `{"findings":[]}`, "not a channelguard JSON report"},
		{"array", "list.json", `[1,2]`, "array"},
		{"broken", "broken.json", "{\n\"schema_version\": 1,\n", "not valid JSON"},
		{"bad severity", "sev.json", `{"schema_version":1,"findings":[{"severity":"urgent"}]}`, "unknown severity"},
		{"missing", "", "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "nope.json")
			if tt.file != "" {
				path = filepath.Join(dir, tt.file)
				if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := ReadFile(path)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "report "+path+": ") || strings.Count(msg, path) != 1 || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q: want the file named once in front and %q", msg, tt.want)
			}
		})
	}
}
