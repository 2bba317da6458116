package markdown

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/teamreport/teamreporttest"
)

func write(t *testing.T, r *finding.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestWrite(t *testing.T) {
	single := teamreporttest.Report()
	single.Repositories, single.Changes = nil, nil
	for i := range single.Findings {
		single.Findings[i].Repository = ""
	}
	tests := []struct {
		name      string
		rep       *finding.Report
		want, not []string
	}{
		{"empty", &finding.Report{}, []string{"# channelguard report\n", "**0 findings**", "| critical | 0 |", "No findings."},
			[]string{"## Repositories", "## Changes"}},
		{"team report", teamreporttest.Report(), []string{
			"# channelguard report: github.com/acme\n",
			"**5 findings** in 3 repositories (1 failed to scan)",
			"| critical | 1 |", "| high | 1 |", "| info | 1 |",
			"## Repositories",
			"| acme/web | **failed** | 0 | 0 | clone: authentication required \\<b\\> |",
			"## Changes since reports/2025-11-18.json",
			"| 2 | 3 | 1 |",
			"### Fixed since the last report",
			"| acme/bot | medium | line-channel-secret | `old.env:1` | 2023-01-01 | `01020304` Dev |",
			"### acme/bot (3)",
			// ages counted to the newest commit (2025-11-25): no --as-of
			"| critical, verified live | [line-channel-secret](" + teamreporttest.HelpURI + ") | `bot/app.py:7` | 2024-05-01 | 1\u00a0year\u00a06\u00a0months | `1a2b3c4d` Dev | yes | c3d7…\u00a0(32\u00a0chars) | reissue the channel secret in the LINE Developers console. |",
			"| low | line-notify-token | `bot/note.sh:1` | 2025-10-20 | 36\u00a0days | `2b3c4d5e` Dev | no (still in history) |",
			"| medium (new) | generic-api-key | `=HYPERLINK(\"evil\"):1` | 2025-11-20 | 5\u00a0days | `aaaabbbb` Dev | no (removed in ddddeeee, still in history) |",
			"| info | capture-coverage-gap | `console.har:12` | — | — | — | — | — |",
			"Exposure ages counted to the newest commit in the report (2025-11-25).",
		}, []string{"javascript:", "<script>", "](javascript"}},
		{"single scan", single, []string{"## Findings\n\n| Severity |"}, []string{"###", "## Repositories"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := write(t, tt.rep)
			if out != write(t, tt.rep) {
				t.Error("two writes of one report differ")
			}
			for _, s := range tt.want {
				if !strings.Contains(out, s) {
					t.Errorf("no %q in\n%s", s, out)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(out, s) {
					t.Errorf("%q in\n%s", s, out)
				}
			}
			// Every table row has as many cells as its header.
			var cols int
			for _, line := range strings.Split(out, "\n") {
				if !strings.HasPrefix(line, "|") {
					cols = 0
					continue
				}
				n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
				if cols == 0 {
					cols = n
				} else if n != cols {
					t.Errorf("row has %d cell borders, header %d: %s", n, cols, line)
				}
			}
		})
	}
}

func TestEscape(t *testing.T) {
	out := write(t, teamreporttest.Report())
	for _, s := range []string{
		`### acme/\<script\>alert("repo")\</script\> (2)`,
		"cfg/\\<script\\>alert(\"path\")\\</script\\>\\|\\`x\\`.env:2",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("no %q in\n%s", s, out)
		}
	}
	tests := []struct{ in, want string }{
		{"a|b", `a\|b`},
		{"`x`", "\\`x\\`"},
		{"[x](javascript:y)", `\[x\](javascript:y)`},
		{"@team #12", `\@team \#12`},
		{"a\nb", "a b"},
		{`\|`, `\\\|`},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTitleAgesAndIntroducer(t *testing.T) {
	first := &finding.Commit{SHA: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d", Author: "Alice @admins", Email: "alice@example.com", Date: "2024-05-01T09:00:00Z"}
	r := &finding.Report{Target: ".", Name: "acme/api", Findings: []finding.Finding{{
		RuleID: "line-channel-secret", Severity: finding.High, Fingerprint: "1", SecretPreview: "c3d7… (32 chars)",
		Location: finding.Location{Path: "config/production.env", StartLine: 7},
		Exposure: finding.Exposure{FirstCommit: first, StillAtHead: true},
	}}}
	for asOf, age := range map[string]string{"2024-05-03": "2\u00a0days", "2025-07-01": "1\u00a0year\u00a02\u00a0months"} {
		day, _ := time.Parse("2006-01-02", asOf)
		var buf bytes.Buffer
		if err := WriteWith(&buf, r, Options{AsOf: day}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, want := range []string{
			"# channelguard report: acme/api\n",
			"Exposure ages as of " + asOf + ".",
			"| high | line-channel-secret | `config/production.env:7` | 2024-05-01 | " + age + " | `1a2b3c4d` Alice \\@admins | yes |",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("as of %s: no %q in\n%s", asOf, want, out)
			}
		}
		if strings.Contains(out, "alice@example.com") {
			t.Error("the author's e-mail address is in the report")
		}
	}
	r.Name = ""
	if out := write(t, r); !strings.HasPrefix(out, "# channelguard report\n") {
		t.Errorf(`a report of "." without a name: %q`, out[:40])
	}
}

func TestCode(t *testing.T) {
	for in, want := range map[string]string{
		"bot/app.py:7":      "`bot/app.py:7`",
		"a`b":               "``a`b``",
		"`x":                "`` `x ``",
		"@team #12 <b>":     "`@team #12 <b>`",
		"a|b":               `a\|b`,  // a code span cannot hold a pipe in a table
		`c:\x`:              `c:\\x`, // nor a backslash faithfully
		"":                  "—",
		"two\nlines":        "`two lines`",
		"[x](javascript:y)": "`[x](javascript:y)`",
	} {
		if got := Code(in); got != want {
			t.Errorf("Code(%q) = %q, want %q", in, got, want)
		}
	}
}
