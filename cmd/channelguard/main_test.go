package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
)

var (
	cliSecret = fakecred.ChannelSecret("cli-secret")
	cliToken  = fakecred.AccessToken("cli-token")
	cliNotify = fakecred.NotifyToken("cli-notify")
	cliOld    = fakecred.ChannelSecret("cli-old")
	// every raw value planted in the test repository
	planted = []string{cliSecret, cliToken, cliNotify, cliOld}
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// leakyRepo has LINE credentials in history, at HEAD and uncommitted.
func leakyRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	r.Commit("old secret", map[string]string{"old.env": "LINE_CHANNEL_SECRET=" + cliOld + "\n"})
	r.Commit("drop it", map[string]string{"old.env": "LINE_CHANNEL_SECRET=${LINE_CHANNEL_SECRET}\n"})
	r.Commit("bot", map[string]string{
		"bot/app.py":  "handler = WebhookHandler('" + cliSecret + "')\nline_bot_api = LineBotApi('" + cliToken + "')\n",
		"bot/note.sh": "curl -H 'Authorization: Bearer " + cliNotify + "' https://notify-api.line.me/api/notify\n",
	})
	r.Write(map[string]string{"local.env": "LINE_CHANNEL_SECRET=" + cliSecret + "\n"})
	return r
}

func assertNoSecret(t *testing.T, where, text string) {
	t.Helper()
	for i, s := range planted {
		if strings.Contains(text, s) {
			t.Errorf("%s contains planted secret #%d (%d chars)", where, i, len(s))
		}
	}
}

func TestExitCodes(t *testing.T) {
	r := leakyRepo(t)
	clean := gittest.New(t)
	clean.Commit("clean", map[string]string{"main.go": "package main\n"})
	notifyOnly := gittest.New(t)
	notifyOnly.Commit("notify", map[string]string{"n.env": "LINE_NOTIFY_TOKEN=" + cliNotify + "\n"})
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"findings", []string{"scan", r.Dir, "-q"}, exitFindings},
		{"clean repo", []string{"scan", clean.Dir, "-q"}, exitOK},
		{"low finding below --fail-on high", []string{"scan", notifyOnly.Dir, "--fail-on", "high", "-q"}, exitOK},
		{"low finding at --fail-on low", []string{"scan", notifyOnly.Dir, "--fail-on", "low", "-q"}, exitFindings},
		{"unknown flag", []string{"scan", r.Dir, "--no-such-flag"}, exitError},
		{"bad format", []string{"scan", r.Dir, "--format", "xml"}, exitError},
		{"bad fail-on", []string{"scan", r.Dir, "--fail-on", "urgent"}, exitError},
		{"missing path", []string{"scan", filepath.Join(r.Dir, "nope")}, exitError},
		{"two paths", []string{"scan", r.Dir, r.Dir}, exitError},
		{"range outside git", []string{"scan", t.TempDir(), "--range", "a..b"}, exitError},
		{"missing baseline", []string{"scan", r.Dir, "--baseline", filepath.Join(r.Dir, "none.json")}, exitError},
		{"missing config", []string{"scan", r.Dir, "--config", filepath.Join(r.Dir, "none.toml")}, exitError},
		{"unknown rule", []string{"rules", "no-such-rule"}, exitError},
		{"unknown command", []string{"scna"}, exitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, tt.args...)
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", res.code, tt.code, res.stderr)
			}
			if tt.code == exitError {
				first := strings.SplitN(strings.TrimSpace(res.stderr), "\n", 2)[0]
				if !strings.HasPrefix(first, "channelguard: ") || strings.Contains(res.stderr, "goroutine") {
					t.Errorf("error output is not one clear line: %q", res.stderr)
				}
				if res.stdout != "" {
					t.Errorf("an error must not print a report, got %q", res.stdout)
				}
			}
		})
	}
}

func TestNoRawSecretInAnyOutput(t *testing.T) {
	r := leakyRepo(t)
	for _, format := range []string{"text", "json", "sarif"} {
		for _, extra := range [][]string{nil, {"-v"}} {
			out := filepath.Join(t.TempDir(), "report")
			res := runCLI(t, append([]string{"scan", r.Dir, "--format", format}, extra...)...)
			if res.code != exitFindings {
				t.Fatalf("%s: exit %d: %s", format, res.code, res.stderr)
			}
			assertNoSecret(t, format+" stdout", res.stdout)
			assertNoSecret(t, format+" stderr", res.stderr)
			res = runCLI(t, append([]string{"scan", r.Dir, "--format", format, "--output", out}, extra...)...)
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			assertNoSecret(t, format+" file", string(data))
			assertNoSecret(t, format+" stderr", res.stderr)
		}
	}
	res := runCLI(t, "rules", "line-channel-secret")
	if res.code != 0 || !strings.Contains(res.stdout, "Basic settings") {
		t.Errorf("rules line-channel-secret: exit %d, output lacks the remediation: %s", res.code, res.stdout)
	}
}

func TestJSONReport(t *testing.T) {
	r := leakyRepo(t)
	res := runCLI(t, "scan", r.Dir, "--format", "json")
	var doc struct {
		SchemaVersion int `json:"schema_version"`
		Summary       struct{ Total, High, Low int }
		Findings      []struct {
			RuleID       string `json:"rule_id"`
			SecretSHA256 string `json:"secret_sha256"`
			Location     struct {
				Path string `json:"path"`
			} `json:"location"`
			Exposure struct {
				StillAtHead bool `json:"still_at_head"`
				RemovedIn   *struct {
					SHA string `json:"sha"`
				} `json:"removed_in"`
			} `json:"exposure"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("json: %v", err)
	}
	got := map[string]string{}
	for _, f := range doc.Findings {
		got[f.Location.Path+" "+f.RuleID] = f.SecretSHA256
	}
	want := []string{"old.env line-channel-secret", "bot/app.py line-channel-secret", "bot/app.py line-channel-access-token", "bot/note.sh line-notify-token", "local.env line-channel-secret"}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Errorf("missing %s in %v", w, got)
		}
	}
	if len(doc.Findings) != len(want) || doc.SchemaVersion != 1 || doc.Summary.Total != len(want) || doc.Summary.Low != 1 {
		t.Errorf("findings %d (want %d), schema %d, summary %+v", len(doc.Findings), len(want), doc.SchemaVersion, doc.Summary)
	}
	for _, f := range doc.Findings {
		if f.Location.Path == "old.env" && (f.Exposure.StillAtHead || f.Exposure.RemovedIn == nil) {
			t.Errorf("old.env exposure = %+v, want removed", f.Exposure)
		}
	}
}

func TestSARIFReportAndBaselines(t *testing.T) {
	r := leakyRepo(t)
	dir := t.TempDir()
	sarifPath := filepath.Join(dir, "out.sarif")
	jsonPath := filepath.Join(dir, "out.json")
	if res := runCLI(t, "scan", r.Dir, "-f", "sarif", "-o", sarifPath); res.code != exitFindings {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	rep, err := gosarif.Open(sarifPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Validate(); err != nil {
		t.Errorf("schema: %v", err)
	}
	results := rep.Runs[0].Results
	if len(results) != 5 {
		t.Fatalf("results = %d, want 5", len(results))
	}
	for _, res := range results {
		if res.PartialFingerprints["channelguard/v1"] == "" || res.PartialFingerprints["primaryLocationLineHash"] == "" {
			t.Errorf("result %s lacks fingerprints", *res.RuleID)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("atomic write left extra files: %v", entries)
	}

	// Both report formats work as baselines: nothing new, exit 0.
	runCLI(t, "scan", r.Dir, "-f", "json", "-o", jsonPath)
	for _, b := range []string{sarifPath, jsonPath} {
		res := runCLI(t, "scan", r.Dir, "--baseline", b)
		if res.code != exitOK || !strings.Contains(res.stderr, "5 findings already in the baseline") {
			t.Errorf("baseline %s: exit %d, stderr %q", filepath.Base(b), res.code, res.stderr)
		}
	}
	// A baseline that is not a report is an error naming it.
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"x": 1}`), 0o644)
	if res := runCLI(t, "scan", r.Dir, "--baseline", bad); res.code != exitError || !strings.Contains(res.stderr, bad) {
		t.Errorf("bad baseline: exit %d, stderr %q", res.code, res.stderr)
	}
}

func TestFailedRunWritesNoReport(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.sarif")
	res := runCLI(t, "scan", filepath.Join(dir, "missing"), "-f", "sarif", "-o", out)
	if res.code != exitError {
		t.Fatalf("exit %d", res.code)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed run left %s", out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed run left files: %v", entries)
	}
}

func TestConfigFile(t *testing.T) {
	r := gittest.New(t)
	r.Commit("secrets", map[string]string{
		"a.env":    "LINE_NOTIFY_TOKEN=" + cliNotify + "\nLINE_CHANNEL_SECRET=" + cliSecret + "\n",
		"keys.txt": "INTKEY_ABCDEFGHIJKLMNOPQRSTUVWX\n",
	})
	r.Write(map[string]string{".channelguard.toml": `
[[rules]]
id = "internal-api-key"
description = "Internal API key"
regex = '''INTKEY_[A-Z0-9]{24}'''
keywords = ["intkey_"]

[channelguard]
disabled_rules = ["line-channel-secret", "generic-api-key"]

[channelguard.severity]
"line-notify-token" = "critical"
`})
	res := runCLI(t, "scan", r.Dir, "-f", "json", "--fail-on", "critical")
	if res.code != exitFindings {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var doc struct {
		Findings []struct {
			RuleID   string `json:"rule_id"`
			Severity string `json:"severity"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range doc.Findings {
		got[f.RuleID] = f.Severity
	}
	if len(got) != 2 || got["line-notify-token"] != "critical" || got["internal-api-key"] != "high" {
		t.Errorf("findings by rule = %v, want notify (critical) and internal-api-key (high), no channel secret", got)
	}

	bad := []struct{ content, want string }{
		{"[channelguard]\ndisable_rules = [\"x\"]\n", "line 2"},
		{"[[rules]]\nid = \"x\"\nregex = '''(unclosed'''\n", "x"},
		{"[channelguard]\ndisabled_rules = [\"no-such-rule\"]\n", "no-such-rule"},
		{"[extend]\nuseDefault = true\npath = \"base.toml\"\n", "[extend] sets both path and useDefault"},
		{"[channelguard.severity]\n\"line-notify-token\" = \"severe\"\n", "severe"},
		{"this is not toml", "line 1"},
	}
	for _, b := range bad {
		path := filepath.Join(t.TempDir(), "cg.toml")
		os.WriteFile(path, []byte(b.content), 0o644)
		res := runCLI(t, "scan", r.Dir, "--config", path)
		if res.code != exitError || !strings.Contains(res.stderr, path) || !strings.Contains(res.stderr, b.want) || strings.Count(res.stderr, "\n") != 1 {
			t.Errorf("config %q: exit %d, stderr %q; want one line naming the file and %q", b.content, res.code, res.stderr, b.want)
		}
	}
}

func TestRulesCommand(t *testing.T) {
	res := runCLI(t, "rules")
	if res.code != 0 {
		t.Fatalf("exit %d", res.code)
	}
	lines := strings.Split(res.stdout, "\n")
	if !strings.HasPrefix(lines[1], "line-") || !strings.Contains(res.stdout, "aws-access-token") {
		t.Errorf("LINE rules first, gitleaks rules too; got:\n%s", strings.Join(lines[:5], "\n"))
	}
}

func TestOutputIntoMissingDirectory(t *testing.T) {
	r := leakyRepo(t)
	out := filepath.Join(t.TempDir(), "no", "such", "dir", "report.json")
	res := runCLI(t, "scan", r.Dir, "-f", "json", "-o", out)
	if res.code != exitError || !strings.Contains(res.stderr, out) || res.stdout != "" {
		t.Errorf("exit %d, stderr %q, stdout %d bytes; want exit 2 naming %s", res.code, res.stderr, len(res.stdout), out)
	}
}

// The root help's own list names every command the binary has, so a new
// command cannot be left out of it.
func TestRootHelpListsEveryCommand(t *testing.T) {
	res := runCLI(t, "--help")
	if res.code != 0 {
		t.Fatalf("--help: exit %d", res.code)
	}
	intro, _, _ := strings.Cut(res.stdout, "Usage:")
	for _, c := range newRootCmd(nil, nil).Commands() {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		if !strings.Contains(intro, "channelguard "+c.Name()+" ") {
			t.Errorf("the root help's introduction does not list %q", c.Name())
		}
	}
}
