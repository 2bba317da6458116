package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/internal/hartest"
)

var (
	capSecret = fakecred.ChannelSecret("cli-capture-secret")
	capToken  = fakecred.AccessToken("cli-capture-token")
)

// console is a settings API as the 2019 LINE console had it (buggy: the
// secret for every role) or as it should be.
func console(fixed bool) []hartest.Exchange {
	ch := map[string]any{"channelId": "1656789012", "name": "Bot", "channelSecret": capSecret}
	msg := map[string]any{"botBasicId": "@123abcde", "channelAccessToken": capToken}
	if fixed {
		delete(ch, "channelSecret")
		delete(msg, "channelAccessToken")
	}
	return []hartest.Exchange{
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012", Body: ch},
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012/messaging-api", Body: msg},
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012/insight/followers?date=20261119", Body: map[string]any{"status": "ready", "followers": 10, "targetedReaches": 8, "blocks": 1}},
	}
}

type capDoc struct {
	Summary  struct{ Total, Critical, High, Medium, Low, Info int }
	Findings []struct {
		RuleID     string   `json:"rule_id"`
		Severity   string   `json:"severity"`
		PolicyRule string   `json:"policy_rule"`
		Confirmed  string   `json:"confirmed"`
		SameAs     []string `json:"same_value_as"`
		Location   struct {
			Path      string `json:"path"`
			StartLine int    `json:"start_line"`
		} `json:"location"`
		Capture *struct {
			Role, Method, Template, Part, Field string
		} `json:"capture"`
	} `json:"findings"`
}

func scanJSON(t *testing.T, args ...string) (capDoc, result) {
	t.Helper()
	res := runCLI(t, append(append([]string{"scan"}, args...), "--format", "json")...)
	var doc capDoc
	if res.code == exitError {
		t.Fatalf("exit 2: %s", res.stderr)
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("json: %v", err)
	}
	return doc, res
}

func roleFindings(d capDoc) []string {
	var out []string
	for _, f := range d.Findings {
		if f.RuleID == "role-inappropriate-field" {
			out = append(out, f.Capture.Role+" "+f.Capture.Method+" "+f.Capture.Template+" "+f.Capture.Field)
		}
	}
	return out
}

func TestScanCaptureRoles(t *testing.T) {
	buggy := hartest.Write(t, "member.har", console(false))
	fixed := hartest.Write(t, "member-fixed.har", console(true))
	admin := hartest.Write(t, "admin.har", console(false))

	d, res := scanJSON(t, buggy, "--role", "member")
	want := []string{
		"member GET /api/v1/channels/{id} $['channelSecret']",
		"member GET /api/v1/channels/{id}/messaging-api $['channelAccessToken']",
	}
	if got := roleFindings(d); strings.Join(got, "\n") != strings.Join(want, "\n") && !sameSet(got, want) {
		t.Errorf("member role findings = %q, want %q", got, want)
	}
	if res.code != exitFindings {
		t.Errorf("exit %d, want 1", res.code)
	}
	for _, f := range d.Findings {
		if f.Capture == nil || f.Location.StartLine == 0 || f.Location.Path == "" {
			t.Errorf("%s: no capture location", f.RuleID)
		} else if strings.Contains(f.Capture.Template, "insight") {
			t.Errorf("statistics endpoint flagged: %s %s", f.RuleID, f.Capture.Field)
		}
	}

	d, _ = scanJSON(t, fixed, "--role", "member")
	if len(d.Findings) != 0 {
		t.Errorf("fixed API: %d findings, want none", len(d.Findings))
	}
	d, _ = scanJSON(t, admin, "--role", "admin")
	if got := roleFindings(d); len(got) != 0 {
		t.Errorf("admin capture: role findings %q", got)
	}

	// Two roles in one run: the member's findings name admin as having
	// received the same value.
	d, _ = scanJSON(t, "--capture", admin+":admin", "--capture", buggy+":member")
	n := 0
	for _, f := range d.Findings {
		if f.RuleID == "role-inappropriate-field" {
			n++
			if len(f.SameAs) != 1 || f.SameAs[0] != "admin" {
				t.Errorf("%s: same_value_as = %v", f.Capture.Field, f.SameAs)
			}
		}
	}
	if n != 2 {
		t.Errorf("compared run: %d role findings, want 2", n)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

// A secret committed to a repository, and a captured webhook signed with
// it: one run proves the committed value is the channel's real secret.
func TestRepositoryAndCaptureInOneRun(t *testing.T) {
	r := gittest.New(t)
	r.Commit("bot", map[string]string{"bot.env": "LINE_CHANNEL_SECRET=" + capSecret + "\n"})
	body := `{"destination":"U` + fakecred.Hex("cli-dest", 16) + `","events":[]}`
	m := hmac.New(sha256.New, []byte(capSecret))
	m.Write([]byte(body))
	hook := hartest.Write(t, "webhook.har", []hartest.Exchange{{
		Method: "POST", URL: "https://bot.example.test/callback",
		ReqHeaders: [][2]string{{"Content-Type", "application/json"}, {"X-Line-Signature", base64.StdEncoding.EncodeToString(m.Sum(nil))}},
		ReqBody:    body, Body: map[string]any{},
	}})
	d, res := scanJSON(t, r.Dir, "--capture", hook+":admin")
	if res.code != exitFindings || len(d.Findings) != 1 {
		t.Fatalf("exit %d, %d findings, want the committed secret", res.code, len(d.Findings))
	}
	f := d.Findings[0]
	if f.Location.Path != "bot.env" || f.Confirmed == "" || f.Severity != "critical" {
		t.Errorf("finding %s at %s: confirmed %q, severity %s", f.RuleID, f.Location.Path, f.Confirmed, f.Severity)
	}
}

func TestCaptureOutputsHoldNoRawValue(t *testing.T) {
	member := hartest.Write(t, "member.har", append(console(false), hartest.Exchange{
		Method: "POST", URL: "https://api.line.me/v2/bot/message/push?access_token=" + capToken,
		ReqHeaders: [][2]string{{"Authorization", "Bearer " + capToken}}, ReqBody: `{"to":"x"}`, Body: map[string]any{},
	}))
	admin := hartest.Write(t, "admin.har", console(false))
	raw := []string{capSecret, capToken}
	check := func(where, text string) {
		t.Helper()
		for i, s := range raw {
			if strings.Contains(text, s) {
				t.Errorf("%s contains raw value #%d (%d chars)", where, i, len(s))
			}
		}
	}
	for _, format := range []string{"text", "json", "sarif"} {
		for _, extra := range [][]string{nil, {"-v"}} {
			out := filepath.Join(t.TempDir(), "report."+format)
			args := append([]string{"scan", "--capture", admin + ":admin", "--capture", member + ":member", "--format", format, "--output", out}, extra...)
			res := runCLI(t, args...)
			if res.code != exitFindings {
				t.Fatalf("%s: exit %d: %s", format, res.code, res.stderr)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			check(format+" report", string(data))
			check(format+" stderr", res.stderr)
			if format == "sarif" {
				rep, err := gosarif.FromBytes(data)
				if err != nil {
					t.Fatal(err)
				}
				if err := rep.Validate(); err != nil {
					t.Errorf("sarif schema: %v", err)
				}
				logical := 0
				for _, r := range rep.Runs[0].Results {
					for _, l := range r.Locations {
						logical += len(l.LogicalLocations)
					}
				}
				if logical == 0 {
					t.Error("sarif results name no logical location")
				}
			}
		}
	}
	res := runCLI(t, "scan", member, "--role", "member")
	check("text stdout", res.stdout)
}

func TestCaptureErrors(t *testing.T) {
	dir := t.TempDir()
	notHAR := filepath.Join(dir, "notes.har")
	os.WriteFile(notHAR, []byte("{\n  \"log\": {\n    \"entries\": 42\n  }\n}\n"), 0o600)
	cut := filepath.Join(dir, "cut.har")
	full := hartest.Marshal(t, console(false))
	os.WriteFile(cut, full[:len(full)/2], 0o600)
	good := hartest.Write(t, "good.har", console(true))
	script := filepath.Join(dir, "deploy.sh")
	os.WriteFile(script, []byte("#!/bin/sh\necho deploy\n"), 0o600)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"not a HAR", []string{notHAR, "--role", "member"}, notHAR + ": not a HAR capture (log.entries is a number, not an array; line 3"},
		{"not JSON", []string{script, "--role", "member"}, script + ": not a HAR capture (not JSON: "},
		{"cut short", []string{cut, "--role", "member"}, "unexpected end of file"},
		{"unknown role", []string{good, "--role", "owner"}, `unknown role "owner"`},
		{"capture without role", []string{"--capture", good}, "want FILE:ROLE"},
		{"missing capture", []string{"--capture", filepath.Join(dir, "nope.har") + ":member"}, "nope.har"},
		{"role without capture", []string{dir, "--role", "member"}, "not a capture file"},
		{"bad policy", []string{good, "--role", "member", "--policy", notHAR}, notHAR},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r.sarif")
			res := runCLI(t, append(append([]string{"scan"}, tc.args...), "-f", "sarif", "-o", out)...)
			if res.code != exitError || !strings.Contains(res.stderr, tc.want) || strings.Count(strings.TrimSpace(res.stderr), "\n") > 0 {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", res.code, res.stderr, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Error("a failed run wrote a report")
			}
		})
	}
}

func TestRulesListsPolicy(t *testing.T) {
	res := runCLI(t, "rules")
	for _, want := range []string{"role-inappropriate-field", "capture-coverage-gap", "Role policy (built-in)", "channel-secret ", "admin (30)"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("rules output lacks %q", want)
		}
	}
	res = runCLI(t, "rules", "channel-secret")
	if res.code != 0 || !strings.Contains(res.stdout, "Reserved for: admin") {
		t.Errorf("rules channel-secret: exit %d: %s", res.code, res.stdout)
	}
}

// Entries are scanned concurrently; the report must not show it.
func TestCaptureReportsAreDeterministic(t *testing.T) {
	args := []string{"scan", "--capture", "../../testdata/captures/console-admin.har:admin", "--capture", "../../testdata/captures/console-member.har:member",
		"--capture", "../../testdata/captures/quirks/firefox-member.har:member", "-f"}
	for _, format := range []string{"json", "sarif"} {
		first := runCLI(t, append(args, format)...)
		if first.code != exitFindings {
			t.Fatalf("exit %d: %s", first.code, first.stderr)
		}
		for range 3 {
			if again := runCLI(t, append(args, format)...); again.stdout != first.stdout {
				t.Fatalf("%s: two runs over the same captures differ", format)
			}
		}
	}
}

// The recorded browser captures through every format and -v: none of the
// mock console's fake credentials may come out.
func TestRecordedCapturesHoldNoRawValueInAnyOutput(t *testing.T) {
	raw := []string{
		fakecred.ChannelSecret("mockconsole/messaging/channel-secret"),
		fakecred.ChannelSecret("mockconsole/login/channel-secret"),
		fakecred.AccessToken("mockconsole/messaging/channel-access-token"),
	}
	dir := "../../testdata/captures/"
	args := []string{"scan", "-v", "--capture", dir + "console-admin.har:admin", "--capture", dir + "console-member.har:member",
		"--capture", dir + "console-tester.har:tester", "--capture", dir + "quirks/base64-member.har:member",
		"--capture", dir + "quirks/firefox-member.har:member", "--capture", dir + "quirks/webhook.har:admin"}
	for _, format := range []string{"text", "json", "sarif"} {
		res := runCLI(t, append(args, "--format", format)...)
		if res.code != exitFindings {
			t.Fatalf("%s: exit %d: %s", format, res.code, res.stderr)
		}
		for i, s := range raw {
			if strings.Contains(res.stdout, s) || strings.Contains(res.stderr, s) {
				t.Errorf("%s output holds fake credential #%d", format, i)
			}
		}
	}
}

// A capture scanned without --role gets secret findings only: stderr says
// so once, and how to run the role checks; with a role it says nothing.
func TestCaptureWithoutRoleSaysRoleChecksWereSkipped(t *testing.T) {
	buggy := hartest.Write(t, "member.har", console(false))
	res := runCLI(t, "scan", buggy, "-f", "json")
	if res.code != exitFindings {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if n := strings.Count(res.stderr, "role checks"); n != 1 {
		t.Errorf("stderr says %d times that role checks were skipped, want once:\n%s", n, res.stderr)
	}
	if !strings.Contains(res.stderr, "channelguard scan "+buggy+" --role ROLE (roles: admin, member, tester)") {
		t.Errorf("stderr does not say how to run the role checks:\n%s", res.stderr)
	}
	if strings.Contains(res.stdout, "role checks") {
		t.Error("the note went into the report")
	}
	var d capDoc
	if err := json.Unmarshal([]byte(res.stdout), &d); err != nil {
		t.Fatal(err)
	}
	if got := roleFindings(d); len(got) != 0 {
		t.Errorf("role findings without a role: %q", got)
	}
	res = runCLI(t, "scan", buggy, "--role", "member", "-f", "json")
	if strings.Contains(res.stderr, "role checks") {
		t.Errorf("with --role, stderr still says role checks were skipped:\n%s", res.stderr)
	}
}
