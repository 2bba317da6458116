package ghactions

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
)

const (
	repoURL = "https://github.com/acme/bot"
	headSHA = "5e6f7a8b5e6f7a8b5e6f7a8b5e6f7a8b5e6f7a8b"
)

var secretRemediation = "**Reissue the channel secret in the LINE Developers console.** Anyone who holds it can forge webhook signatures.\n\n1. Open the console."

// raw values the findings stand for; no output may ever contain one.
var (
	rawSecret = fakecred.ChannelSecret("ghactions")
	rawToken  = fakecred.AccessToken("ghactions")
	rawNotify = fakecred.NotifyToken("ghactions")
)

func secretFinding(path string, line int) finding.Finding {
	c := &finding.Commit{SHA: "1a2b3c4d1a2b3c4d1a2b3c4d1a2b3c4d1a2b3c4d", Author: "Alice", Date: "2024-01-02T03:04:05Z"}
	return finding.Finding{
		RuleID: "line-channel-secret", Severity: finding.High, Title: "LINE channel secret",
		Message:       fmt.Sprintf("LINE channel secret in %s:%d (committed in 1a2b3c4d on 2024-01-02, still at HEAD): reissue the channel secret in the LINE Developers console.", path, line),
		Action:        "reissue the channel secret in the LINE Developers console.",
		Location:      finding.Location{Path: path, StartLine: line, StartColumn: 21, EndLine: line, EndColumn: 53},
		Commit:        c,
		SecretPreview: finding.Preview(rawSecret), SecretSHA256: finding.SecretHash(rawSecret),
		Fingerprint: finding.Fingerprint("line-channel-secret", path, finding.SecretHash(rawSecret)),
		Exposure:    finding.Exposure{FirstCommit: c, StillAtHead: true},
	}
}

func report() *finding.Report {
	tok := secretFinding("deploy/app.yaml", 7)
	tok.RuleID, tok.Title, tok.Severity = "line-channel-access-token", "LINE channel access token", finding.Critical
	tok.Message = "LINE channel access token in deploy/app.yaml:7: reissue the channel access token."
	tok.Action = "reissue the channel access token."
	tok.SecretPreview, tok.SecretSHA256 = finding.Preview(rawToken), finding.SecretHash(rawToken)
	tok.Fingerprint = finding.Fingerprint(tok.RuleID, "deploy/app.yaml", tok.SecretSHA256)
	notify := secretFinding("scripts/notify.sh", 2)
	notify.RuleID, notify.Title, notify.Severity = "line-notify-token", "LINE Notify token", finding.Low
	notify.Message = "LINE Notify token in scripts/notify.sh:2: remove it; LINE Notify has ended."
	notify.Action = "remove it; LINE Notify has ended."
	notify.SecretPreview, notify.SecretSHA256 = finding.Preview(rawNotify), finding.SecretHash(rawNotify)
	notify.Fingerprint = finding.Fingerprint(notify.RuleID, "scripts/notify.sh", notify.SecretSHA256)
	med := secretFinding("config/dev.env", 1)
	med.RuleID, med.Title, med.Severity = "generic-api-key", "Generic API Key", finding.Medium
	med.Message = "Generic API Key in config/dev.env:1: rotate this credential now."
	med.Action = "rotate this credential now."
	info := finding.Finding{RuleID: "capture-coverage", Severity: finding.Info, Title: "Capture body missing",
		Message:  "The response body of GET /x was not recorded: record the capture again with bodies.",
		Action:   "record the capture again with bodies.",
		Location: finding.Location{Path: "captures/a.har", StartLine: 10}, Capture: &finding.Capture{File: "captures/a.har", Method: "GET", Template: "/x"},
		Fingerprint: "00112233445566778899aabbccddeeff"}
	rep := &finding.Report{
		Rules: []finding.Rule{
			{ID: "line-channel-secret", Title: "LINE channel secret", Action: "Reissue the channel secret in the LINE Developers console.", Remediation: secretRemediation},
			{ID: "line-channel-access-token", Title: "LINE channel access token", Action: "Reissue the channel access token.", Remediation: "**Reissue the channel access token.** Messaging API tab → Reissue."},
			{ID: "generic-api-key", Title: "Generic API Key", Action: "Rotate this credential now.", Remediation: "**Rotate this credential now.** Revoke it at the service."},
		},
		Findings: []finding.Finding{tok, secretFinding(".env", 3), med, notify, info},
		Stats:    finding.Stats{Commits: 3, Files: 4},
	}
	rep.Sort()
	return rep
}

// noRaw fails when out holds any raw value behind the findings.
func noRaw(t *testing.T, what, out string) {
	t.Helper()
	for _, raw := range []string{rawSecret, rawToken, rawNotify} {
		if strings.Contains(out, raw) {
			t.Errorf("%s holds a raw secret value:\n%s", what, out)
		}
	}
}

// inOrder checks that want appear in out in this order.
func inOrder(t *testing.T, out string, want ...string) {
	t.Helper()
	at := 0
	for _, w := range want {
		i := strings.Index(out[at:], w)
		if i < 0 {
			t.Fatalf("missing (or out of order) %q in:\n%s", w, out)
		}
		at += i + len(w)
	}
}

func TestAnnotations(t *testing.T) {
	many := &finding.Report{}
	for i := range 60 {
		many.Findings = append(many.Findings, secretFinding(fmt.Sprintf("f%02d.env", i), 1))
	}
	noPath := &finding.Report{Findings: []finding.Finding{secretFinding("", 0), secretFinding("a.env", 1)}}
	tricky := &finding.Report{Findings: []finding.Finding{{
		RuleID: "line-channel-secret", Severity: finding.Medium, Title: "LINE: secret, maybe",
		Message:       "100% leaked\r\nin a,b:c.env::error::x",
		Location:      finding.Location{Path: "dir,x/a:b%.env", StartLine: 4, StartColumn: 2, EndLine: 5, EndColumn: 9},
		SecretPreview: "abcd… (32 chars)",
	}}}
	tests := []struct {
		name  string
		rep   *finding.Report
		max   int
		lines int
		want  []string // in this order
		never []string
	}{
		{"levels by severity", report(), 50, 5, []string{
			"::error file=deploy/app.yaml,line=7,col=21,endLine=7,endColumn=53,title=channelguard%3A LINE channel access token (critical)::LINE channel access token in deploy/app.yaml:7: reissue the channel access token. Value " + finding.Preview(rawToken) + ", sha256 " + finding.SecretHash(rawToken) + ".\n",
			"::error file=.env,line=3,",
			"::warning file=config/dev.env,line=1,",
			"::notice file=scripts/notify.sh,line=2,",
			"::notice file=captures/a.har,line=10,title=channelguard%3A Capture body missing (info)::The response body",
		}, []string{"more finding"}},
		{"escaping", tricky, 50, 1, []string{
			"::warning file=dir%2Cx/a%3Ab%25.env,line=4,col=2,endLine=5,title=channelguard%3A LINE%3A secret%2C maybe (medium)::100%25 leaked%0D%0Ain a,b:c.env::error::x Value abcd… (32 chars).\n",
		}, []string{"endColumn", "\r"}},
		{"cap at 50", many, 50, 51, []string{"file=f00.env", "file=f49.env", "::notice title=channelguard::10 more findings are not annotated; see the job summary / SARIF\n"},
			[]string{"file=f50.env"}},
		{"default cap", many, 0, 51, []string{"file=f49.env", "10 more findings"}, []string{"file=f50.env"}},
		{"findings without a file are left out", noPath, 50, 2, []string{"::error file=a.env,line=1,", "1 more finding is not annotated"}, []string{"file=,"}},
		{"nothing", &finding.Report{}, 50, 0, nil, []string{"::"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Annotations(&b, tt.rep, tt.max); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if n := strings.Count(out, "\n"); n != tt.lines {
				t.Errorf("%d lines, want %d:\n%s", n, tt.lines, out)
			}
			inOrder(t, out, tt.want...)
			for _, n := range tt.never {
				if strings.Contains(out, n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
			// every line is exactly one workflow command
			for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if l != "" && !regexp.MustCompile(`^::(error|warning|notice) [^:]*::`).MatchString(l) {
					t.Errorf("not one workflow command: %q", l)
				}
			}
			noRaw(t, "annotations", out)
		})
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"a%b", "a%25b", "a%25b"},
		{"l1\nl2\r\n", "l1%0Al2%0D%0A", "l1%0Al2%0D%0A"},
		{"a,b:c", "a,b:c", "a%2Cb%3Ac"},
		{"%0A", "%250A", "%250A"}, // an already-escaped look-alike stays literal
	}
	for _, tt := range tests {
		if got := EscapeData(tt.in); got != tt.data {
			t.Errorf("EscapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := EscapeProperty(tt.in); got != tt.prop {
			t.Errorf("EscapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
}

func TestSummary(t *testing.T) {
	many := &finding.Report{}
	for i := range 7 {
		many.Findings = append(many.Findings, secretFinding(fmt.Sprintf("f%d.env", i), 1))
	}
	tests := []struct {
		name  string
		rep   *finding.Report
		opts  SummaryOptions
		want  []string
		never []string
	}{
		{"findings", report(), SummaryOptions{RepoURL: repoURL, HeadSHA: headSHA, Range: "pull request #3 (1a2b3c4d..5e6f7a8b)", Commits: 3}, []string{
			"## channelguard\n",
			"**5 findings** in 3 commits (pull request #3 (1a2b3c4d..5e6f7a8b)).",
			"| Severity | Findings |", "| critical | 1 |", "| high | 1 |", "| medium | 1 |", "| low | 1 |", "| info | 1 |",
			"| Severity | Rule | Location | Commit | Value | What to do |",
			"| **critical** | `line-channel-access-token` | [`deploy/app.yaml:7`](" + repoURL + "/blob/" + headSHA + "/deploy/app.yaml#L7) | `1a2b3c4d` | `" + finding.Preview(rawToken) + "` | Reissue the channel access token. |",
			"| **high** | `line-channel-secret` | [`.env:3`](" + repoURL + "/blob/" + headSHA + "/.env#L3) | `1a2b3c4d` | `" + finding.Preview(rawSecret) + "` | Reissue the channel secret in the LINE Developers console. |",
			"| medium | `generic-api-key` |",
			"| low | `line-notify-token` | [`scripts/notify.sh:2`]", "| Remove it; LINE Notify has ended. |",
			"| info | `capture-coverage` | `captures/a.har:10` | — | — | Record the capture again with bodies. |", // a capture: no blob link
			"### How to fix",
			"#### LINE channel access token (`line-channel-access-token`)", "**Reissue the channel access token.** Messaging API tab",
			"#### LINE channel secret (`line-channel-secret`)", "Basic settings** → **Issue**", "same window", "Git history still holds the old value: removing the line does not un-leak it",
			"#### Generic API Key (`generic-api-key`)", "**Rotate this credential now.** Revoke it",
			"#### LINE Notify token (`line-notify-token`)", "**Rotate this credential** at the service", // not catalogued: generic
			"#### Capture body missing (`capture-coverage`)\n\nRecord the capture again with bodies.\n", // info: its own action, no rotation
			"### False positive?", "`channelguard:allow`", "`channelguard scan --format json --output baseline.json`", "`baseline` input",
		}, []string{"and 0 more", "Anyone who holds it can forge"}}, // the channel secret's fix is this package's own
		{"no links without a head", report(), SummaryOptions{Commits: 3}, []string{"| `.env:3` |"}, []string{"](https://github.com"}},
		{"row cap", many, SummaryOptions{MaxRows: 5, Commits: 1}, []string{"`f4.env:1`", "…and 2 more (see the SARIF report or the code scanning alerts)."}, []string{"f5.env"}},
		{"default row cap", many, SummaryOptions{}, []string{"`f6.env:1`"}, []string{"more ("}},
		{"title", report(), SummaryOptions{Title: "Secrets\nscan"}, []string{"## Secrets scan\n"}, nil},
		{"zero findings", &finding.Report{}, SummaryOptions{Range: "pull request #3 (1a2b3c4d..5e6f7a8b)", Commits: 4},
			[]string{"## channelguard\n\n✅ No secrets found in 4 commits (pull request #3 (1a2b3c4d..5e6f7a8b)).\n"}, []string{"|", "How to fix"}},
		{"zero findings, one commit", &finding.Report{}, SummaryOptions{Commits: 1}, []string{"No secrets found in 1 commit."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := Summary(tt.rep, tt.opts)
			inOrder(t, out, tt.want...)
			for _, n := range tt.never {
				if strings.Contains(out, n) {
					t.Errorf("summary has %q:\n%s", n, out)
				}
			}
			noRaw(t, "summary", out)
		})
	}
}

// A pull request's author picks file names: they must not break the table,
// ping people or inject links.
func TestMarkdownHostilePaths(t *testing.T) {
	f := secretFinding("a|b/@octocat [x](http://evil) `tick`.env", 2)
	rep := &finding.Report{Findings: []finding.Finding{f}}
	for name, out := range map[string]string{
		"summary": Summary(rep, SummaryOptions{RepoURL: repoURL, HeadSHA: headSHA}),
		"comment": Comment(rep, CommentOptions{RepoURL: repoURL, HeadSHA: headSHA}),
	} {
		row := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "octocat") {
				row = l
			}
		}
		wantText := "[``a\\|b/@octocat [x](http://evil) `tick`.env:2``]"
		wantURL := "(" + repoURL + "/blob/" + headSHA + "/a%7Cb/@octocat%20%5Bx%5D%28http://evil%29%20%60tick%60.env#L2)"
		if !strings.Contains(row, wantText+wantURL) {
			t.Errorf("%s: row\n%s\nwant %s%s", name, row, wantText, wantURL)
		}
		// the row has exactly the table's unescaped pipes
		cols := strings.Count(strings.ReplaceAll(row, `\|`, ""), "|")
		if want := map[string]int{"summary": 7, "comment": 6}[name]; cols != want {
			t.Errorf("%s: %d unescaped pipes in %q, want %d", name, cols, row, want)
		}
	}
}

func TestComment(t *testing.T) {
	opts := CommentOptions{RepoURL: repoURL, HeadSHA: headSHA, Range: "pull request #3 (1a2b3c4d..5e6f7a8b)", Commits: 3}
	many := &finding.Report{}
	for i := range 25 {
		many.Findings = append(many.Findings, secretFinding(fmt.Sprintf("f%02d.env", i), 1))
	}
	resolved := opts
	resolved.Resolved = true
	tests := []struct {
		name  string
		rep   *finding.Report
		opts  CommentOptions
		want  []string
		never []string
	}{
		{"findings", report(), opts, []string{
			"## 🔐 channelguard found 5 leaked secrets\n",
			"In 3 commits (pull request #3 (1a2b3c4d..5e6f7a8b)): **1 critical**, **1 high**, 1 medium, 1 low, 1 info.",
			"| Severity | Secret | Location | Commit | Value |",
			"| **high** | LINE channel secret | [`.env:3`](" + repoURL + "/blob/" + headSHA + "/.env#L3) | `1a2b3c4d` | `" + finding.Preview(rawSecret) + "` |",
			"rotate every one",
			"### How to fix", "#### LINE channel secret", "**Basic settings** → **Issue**",
			"<details><summary>False positive?</summary>", "`channelguard:allow`", "baseline.json", "</details>\n",
		}, []string{"Resolved", "more ("}},
		{"one finding", &finding.Report{Findings: []finding.Finding{secretFinding(".env", 3)}}, opts, []string{"found 1 leaked secret\n", "In 3 commits"}, nil},
		{"20 rows", many, opts, []string{"`f19.env:1`", "…and 5 more (see the job summary of this run)."}, []string{"f20.env"}},
		{"resolved", &finding.Report{}, resolved, []string{
			"## ✅ channelguard: resolved\n",
			"✅ Resolved: the secrets reported earlier are no longer in this pull request's commits — but they were pushed: rotate them anyway, history and forks keep them.",
			"Scanned 3 commits (pull request #3 (1a2b3c4d..5e6f7a8b)).",
		}, []string{"|", "How to fix"}},
		{"clean, never reported", &finding.Report{}, opts, []string{"No secrets found in 3 commits"}, []string{"Resolved", "|"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := Comment(tt.rep, tt.opts)
			if !strings.HasPrefix(out, Marker+"\n") {
				t.Errorf("does not start with the marker line:\n%s", out)
			}
			if strings.Count(out, Marker) != 1 {
				t.Errorf("marker not exactly once:\n%s", out)
			}
			inOrder(t, out, tt.want...)
			for _, n := range tt.never {
				if strings.Contains(out, n) {
					t.Errorf("comment has %q:\n%s", n, out)
				}
			}
			noRaw(t, "comment", out)
			// deterministic: an unchanged re-run gives the same body
			if again := Comment(tt.rep, tt.opts); again != out {
				t.Errorf("second run differs:\n%s\n---\n%s", out, again)
			}
		})
	}
}

func TestReviewComment(t *testing.T) {
	f := secretFinding(".env", 3)
	out := ReviewComment(f)
	inOrder(t, out,
		"**🔐 LINE channel secret** (high, rule `line-channel-secret`)",
		"Value `"+finding.Preview(rawSecret)+"`, secret_sha256 `"+finding.SecretHash(rawSecret)+"`.",
		"**What to do:** Reissue the channel secret in the LINE Developers console. Removing this line does not un-leak it",
		"False positive? Add `channelguard:allow`", "`baseline` input",
	)
	if want := "\n\n<!-- channelguard:fp=" + f.Fingerprint + " -->"; !strings.HasSuffix(out, want) {
		t.Errorf("does not end with %q:\n%s", want, out)
	}
	noRaw(t, "review comment", out)

	bare := ReviewComment(finding.Finding{RuleID: "x", Severity: finding.Low, Fingerprint: "ab"})
	inOrder(t, bare, "**🔐 x** (low, rule `x`)", "**What to do:** Rotate this credential and remove it from the code.", "<!-- channelguard:fp=ab -->")
	if strings.Contains(bare, "secret_sha256") {
		t.Errorf("a finding without a value says secret_sha256:\n%s", bare)
	}
}

func TestReviewKeyMarker(t *testing.T) {
	tests := []struct{ fp, want string }{
		{"0123456789abcdef", "<!-- channelguard:fp=0123456789abcdef -->"},
		{"ab--><script>", "<!-- channelguard:fp=abscript -->"},
		{"", "<!-- channelguard:fp= -->"},
	}
	for _, tt := range tests {
		if got := ReviewKeyMarker(tt.fp); got != tt.want {
			t.Errorf("ReviewKeyMarker(%q) = %q, want %q", tt.fp, got, tt.want)
		}
	}
}

func TestAppendOutputs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "output")
	if err := os.WriteFile(path, []byte("earlier=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := AppendOutputs(path, [][2]string{
		{"findings", "2"},
		{"sarif-file", "out dir/channelguard.sarif"},
		{"note", "line one\nline two"},
		{"empty", ""},
	}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	out := string(data)
	re := regexp.MustCompile(`(?s)^earlier=1\nfindings=2\nsarif-file=out dir/channelguard.sarif\nnote<<(ghadelimiter_[0-9a-f]{32})\nline one\nline two\n(ghadelimiter_[0-9a-f]{32})\nempty=\n$`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("GITHUB_OUTPUT:\n%s", out)
	}
	if m[1] != m[2] {
		t.Errorf("heredoc delimiters differ: %s, %s", m[1], m[2])
	}
	// the value cannot end the heredoc early: the delimiter is not in it
	if err := AppendOutputs(path, [][2]string{{"x", "a\n" + m[1] + "\nb"}}); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(path)
	tail := strings.TrimPrefix(string(data), out)
	first, _, _ := strings.Cut(tail, "\n")
	delim := strings.TrimPrefix(first, "x<<")
	if delim == m[1] || !strings.HasSuffix(tail, "\n"+delim+"\n") || strings.Count(tail, delim) != 2 {
		t.Errorf("heredoc with the delimiter in the value:\n%s", tail)
	}

	for _, bad := range []string{"", "a=b", "a\nb", "a<<b"} {
		if err := AppendOutputs(path, [][2]string{{bad, "v"}}); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	// "" path: nothing is created
	if err := AppendOutputs("", [][2]string{{"findings", "1"}}); err != nil {
		t.Error(err)
	}
	if err := AppendOutputs(filepath.Join(dir, "missing-dir", "out"), [][2]string{{"a", "b"}}); err == nil {
		t.Error("no error for a file in a missing directory")
	}
}

func TestAppendFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.md")
	if err := AppendFile(path, "## one"); err != nil {
		t.Fatal(err)
	}
	if err := AppendFile(path, "two\n"); err != nil {
		t.Fatal(err)
	}
	if err := AppendFile("", "ignored"); err != nil {
		t.Error(err)
	}
	data, _ := os.ReadFile(path)
	if got := string(data); got != "## one\ntwo\n" {
		t.Errorf("summary file = %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the dir, want 1", len(entries))
	}
}
