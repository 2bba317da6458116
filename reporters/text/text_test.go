package text

import (
	"bytes"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
)

func report() *finding.Report {
	first := &finding.Commit{SHA: "1111111111111111111111111111111111111111", Author: "Alice", Date: "2024-01-02T03:04:05Z"}
	removed := &finding.Commit{SHA: "2222222222222222222222222222222222222222", Date: "2024-02-03T00:00:00Z"}
	return &finding.Report{
		Stats: finding.Stats{Commits: 12, Files: 1, Kind: finding.KindRepository},
		Findings: []finding.Finding{
			{RuleID: "line-channel-secret", Severity: finding.High, Title: "LINE channel secret",
				Message: "LINE channel secret in a.env:3 (…): reissue it.", Action: "reissue it.",
				Location: finding.Location{Path: "a.env", StartLine: 3}, SecretPreview: "abcd… (32 chars)", SecretSHA256: "0123456789ab",
				Fingerprint: "fedcba9876543210fedcba9876543210", Exposure: finding.Exposure{FirstCommit: first, StillAtHead: true}},
			{RuleID: "line-notify-token", Severity: finding.Low, Title: "LINE Notify token",
				Message: "LINE Notify token in n.sh:1: remove it.", Action: "remove it.",
				Location: finding.Location{Path: "n.sh", StartLine: 1}, SecretPreview: "Ab… (43 chars)", SecretSHA256: "ba9876543210",
				Fingerprint: "0123456789abcdef0123456789abcdef", Exposure: finding.Exposure{FirstCommit: first, RemovedIn: removed}},
		},
	}
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name  string
		rep   *finding.Report
		color bool
		want  []string // in this order
		never []string
	}{
		{"grouped by severity", report(), false,
			[]string{"HIGH (1)", "LINE channel secret  a.env:3", "first committed 11111111 on 2024-01-02 by Alice, still at HEAD", "→ reissue it.",
				"LOW (1)", "removed in 22222222 on 2024-02-03, still in history", "2 findings (1 high, 1 low) in 12 commits (history) and the working tree (1 changed file)."},
			[]string{"\x1b["}},
		{"color on request", report(), true, []string{"\x1b[1;31mHIGH (1)\x1b[0m"}, nil},
		{"nothing found", &finding.Report{Stats: finding.Stats{Commits: 1, Kind: finding.KindRepository}}, false,
			[]string{"No secrets found in 1 commit (history) and the working tree (no changes)."}, []string{"HIGH", "0 files"}},
		{"nothing in a directory", &finding.Report{Stats: finding.Stats{Files: 12, Kind: finding.KindDirectory}}, false,
			[]string{"No secrets found in 12 files."}, []string{"commit"}},
		{"nothing in captures", &finding.Report{Stats: finding.Stats{Captures: 3, Entries: 41}}, false,
			[]string{"No findings in 3 captures (41 requests)."}, []string{"commit", "file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tt.rep, Options{Color: tt.color}); err != nil {
				t.Fatal(err)
			}
			out, at := b.String(), 0
			for _, w := range tt.want {
				i := strings.Index(out[at:], w)
				if i < 0 {
					t.Fatalf("missing (or out of order) %q in:\n%s", w, out)
				}
				at += i + len(w)
			}
			for _, n := range tt.never {
				if strings.Contains(out, n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
		})
	}
}
