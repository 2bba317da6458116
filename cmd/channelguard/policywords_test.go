package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/hartest"
)

// Fake values (internal/fakecred) under names no exact policy rule lists.
var (
	wordsWebhookToken = "wst_" + fakecred.Hex("cli-words/webhook-secret-token", 16)
	wordsNotifyPAT    = "pat_" + fakecred.Hex("cli-words/notify-pat", 16)
	wordsPageToken    = "pg_" + fakecred.Hex("cli-words/page-token", 16)
)

func wordsConsole() []hartest.Exchange {
	return []hartest.Exchange{
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012/settings", Body: map[string]any{
			"webhook":       map[string]any{"secretToken": wordsWebhookToken, "tokenType": "Bearer", "hasSecret": true, "secretsCount": 3, "secretIssuedAt": "2026-11-25T18:17:26Z"},
			"notify":        map[string]any{"personalAccessToken": wordsNotifyPAT},
			"nextPageToken": wordsPageToken,
		}},
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012/insight/followers?date=20261119", Body: map[string]any{"status": "ready", "followers": 10, "targetedReaches": 8, "blocks": 1}},
	}
}

// Secret-named fields under a channel are role findings; look-alikes and
// statistics are not; no output format holds a raw value.
func TestScanCaptureSecretNamedFields(t *testing.T) {
	member := hartest.Write(t, "member.har", wordsConsole())
	d, res := scanJSON(t, member, "--role", "member")
	got := roleFindings(d)
	slices.Sort(got)
	want := []string{
		"member GET /api/v1/channels/{id}/settings $['notify']['personalAccessToken']",
		"member GET /api/v1/channels/{id}/settings $['webhook']['secretToken']",
	}
	if !slices.Equal(got, want) || res.code != exitFindings {
		t.Errorf("exit %d, role findings %q, want %q", res.code, got, want)
	}
	for _, f := range d.Findings {
		if f.RuleID == "role-inappropriate-field" && f.PolicyRule != "secret-named-field" {
			t.Errorf("%s: policy rule %s", f.Capture.Field, f.PolicyRule)
		}
	}
	for _, format := range []string{"text", "json", "sarif"} {
		res := runCLI(t, "scan", "-v", member, "--role", "member", "--format", format)
		if res.code != exitFindings {
			t.Fatalf("%s: exit %d: %s", format, res.code, res.stderr)
		}
		if format == "text" && !strings.Contains(res.stdout, "secretToken") {
			t.Errorf("text output does not name the field")
		}
		for i, raw := range []string{wordsWebhookToken, wordsNotifyPAT, wordsPageToken} {
			if strings.Contains(res.stdout, raw) || strings.Contains(res.stderr, raw) {
				t.Errorf("%s output holds fake value #%d", format, i)
			}
		}
	}
}

func TestRulesExplainWords(t *testing.T) {
	res := runCLI(t, "rules")
	for _, want := range []string{"secret-named-field", "Word matching", "secretToken            → secret token", "LINE_CHANNEL_SECRET    → line channel secret", "nextPageToken", "hasSecret"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("rules output lacks %q", want)
		}
	}
	res = runCLI(t, "rules", "secret-named-field")
	for _, want := range []string{"Words:        secret, client secret, token,", "private key", "Values:       strings that could be secrets", "Bearer"} {
		if res.code != 0 || !strings.Contains(res.stdout, want) {
			t.Errorf("rules secret-named-field: exit %d, lacks %q", res.code, want)
		}
	}
}

// A user policy with words: they work, and bad ones are one-line errors
// naming the file and key, exit 2.
func TestPolicyWordsFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "words.toml")
	if err := os.WriteFile(good, []byte("[[rules]]\nid = \"page-cursors\"\nmin_role = \"admin\"\nwords = [\"cursor\"]\nvalues = \"secret\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	member := hartest.Write(t, "member.har", []hartest.Exchange{
		{Method: "GET", URL: "https://console.example.test/api/v1/items", Body: map[string]any{"nextCursor": wordsPageToken, "cursorType": "opaque"}},
	})
	d, _ := scanJSON(t, member, "--role", "member", "--policy", good)
	if got := roleFindings(d); !slices.Equal(got, []string{"member GET /api/v1/items $['nextCursor']"}) {
		t.Errorf("user words rule: %q", got)
	}
	res := runCLI(t, "rules", "--policy", good, "page-cursors")
	if res.code != 0 || !strings.Contains(res.stdout, "Words:        cursor") {
		t.Errorf("rules page-cursors: exit %d: %s", res.code, res.stdout)
	}

	for _, tt := range []struct{ name, body, want string }{
		{"bad-values.toml", "[[rules]]\nid = \"x\"\nmin_role = \"admin\"\nwords = [\"secret\"]\nvalues = \"secrets\"\n", `values = "secrets": want`},
		{"empty-word.toml", "[[rules]]\nid = \"x\"\nmin_role = \"admin\"\nwords = [\"-\"]\n", "words entry"},
		{"misspelt.toml", "[[rules]]\nid = \"x\"\nmin_role = \"admin\"\nwrods = [\"secret\"]\n", `unknown key "rules.wrods"`},
	} {
		p := filepath.Join(dir, tt.name)
		if err := os.WriteFile(p, []byte(tt.body), 0o600); err != nil {
			t.Fatal(err)
		}
		res := runCLI(t, "scan", member, "--role", "member", "--policy", p)
		msg := strings.TrimSpace(res.stderr)
		if res.code != exitError || !strings.Contains(msg, p) || !strings.Contains(msg, tt.want) || strings.Count(msg, "\n") > 0 || res.stdout != "" {
			t.Errorf("%s: exit %d, stdout %d bytes, stderr %q", tt.name, res.code, len(res.stdout), msg)
		}
	}
}
