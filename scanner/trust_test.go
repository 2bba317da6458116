package scanner

import (
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/rules"
)

// TestTrustFixes covers what the differential check against gitleaks
// found (issue 14): each case is a repository whose history and working
// tree must report one finding of the rule, on the secret's own line.
func TestTrustFixes(t *testing.T) {
	secret := fakecred.ChannelSecret("trust")
	token := fakecred.AccessToken("trust")
	var key strings.Builder
	key.WriteString("-----BEGIN RSA PRIVATE KEY-----\n")
	for i := 0; i < 4; i++ {
		key.WriteString(base64.StdEncoding.EncodeToString(fakecred.Bytes("trust-key", 48)) + "\n")
	}
	key.WriteString("-----END RSA PRIVATE KEY-----")
	tests := []struct {
		name, path, content, rule string
		line                      int
		hash                      string // "" for a whole-file finding
	}{
		// path-only rules were dropped: a finding without a value
		{"pkcs12 file", "certs/client.p12", "not really a bundle\n", "pkcs12-file", 1, ""},
		// a key as the last thing in a file without a newline: line -2 before
		{"key at end of file", "deploy/id_rsa.txt", "x = 1\ny = 2\n" + key.String(), "private-key", 3, finding.SecretHash(key.String())},
		// Jupyter notebooks keep code in JSON strings: WebhookHandler(\"…\")
		{"notebook", "bot.ipynb", "{\"cells\": [{\"source\": [\n    \"handler = WebhookHandler(\\\"" + secret + "\\\")\\n\",\n    \"x = 1\"\n]}]}\n", "line-channel-secret", 2, finding.SecretHash(secret)},
		// a Kubernetes Secret: base64-encoded, found once decoded, as LINE
		{"base64 in a Kubernetes Secret", "k8s/secret.yaml", "kind: Secret\ndata:\n  LINE_CHANNEL_SECRET: " + base64.StdEncoding.EncodeToString([]byte(secret)) + "\n", "line-channel-secret", 3, finding.SecretHash(secret)},
		{"access token base64", "k8s/token.yaml", "data:\n  token: " + base64.StdEncoding.EncodeToString([]byte(token)) + "\n", "line-channel-access-token", 2, finding.SecretHash(token)},
		{"name and value encoded together", "app/conf.txt", "blob = " + base64.RawStdEncoding.EncodeToString([]byte("LINE_CHANNEL_SECRET="+secret)) + "\n", "line-channel-secret", 1, finding.SecretHash(secret)},
		{"unicode escapes", "app/conf.json", "{\"s\": \"LINE_CHANNEL_SECRET=" + escapeUnicode(secret) + "\"}\n", "line-channel-secret", 1, finding.SecretHash(secret)},
		// the rule's context reach is 300 characters; in Japanese that is
		// 900 bytes, beyond the old 400-byte window
		{"Japanese between context and value", "login.md", "LINE Login の設定: api.line.me\n" + strings.Repeat(strings.Repeat("チャネル設定を確認します。", 2)+"\n", 8) + "client_secret: " + secret + "\n", "line-channel-secret", 10, finding.SecretHash(secret)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gittest.New(t)
			r.Commit("add", map[string]string{tt.path: tt.content})
			res := scan(t, Options{Path: r.Dir, Jobs: 1})
			check := func(mode string, res *Result) {
				t.Helper()
				var got []finding.Finding
				for _, f := range res.Report.Findings {
					if f.RuleID == tt.rule || slices.Contains(f.AlsoMatched, tt.rule) {
						got = append(got, f)
					}
				}
				if len(got) != 1 {
					t.Fatalf("%s: want one %s finding, got %s", mode, tt.rule, summarize(res.Report.Findings))
				}
				f := got[0]
				if f.SecretSHA256 != tt.hash || f.Location.Path != tt.path || f.Location.StartLine != tt.line {
					t.Errorf("%s: %s at %s sha256:%s, want %s:%d sha256:%s", mode, f.RuleID, f.Location, f.SecretSHA256, tt.path, tt.line, tt.hash)
				}
				for _, o := range f.Occurrences {
					if o.StartLine != tt.line {
						t.Errorf("%s: occurrence at line %d, want %d", mode, o.StartLine, tt.line)
					}
				}
				if tt.hash == "" && (f.SecretPreview != finding.WholeFile || f.Fingerprint == "") {
					t.Errorf("%s: whole-file finding: preview %q fingerprint %q", mode, f.SecretPreview, f.Fingerprint)
				}
			}
			check("history", res)
			dir := t.TempDir()
			p := filepath.Join(dir, filepath.FromSlash(tt.path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			check("directory", scan(t, Options{Path: dir}))
		})
	}
}

func escapeUnicode(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// TestAllowMarkerStaysInItsFile: a secret removed from one file and still
// at HEAD in another, marked allowed there, is still reported for the
// file it was removed from (the marker once silenced both).
func TestAllowMarkerStaysInItsFile(t *testing.T) {
	r := gittest.New(t)
	secret := fakecred.ChannelSecret("allow-other")
	r.Commit("leak", map[string]string{"old/app.env": "LINE_CHANNEL_SECRET=" + secret + "\n"})
	r.Git("rm", "-q", "old/app.env")
	r.Commit("fixture", map[string]string{"test/fixture.env": "LINE_CHANNEL_SECRET=" + secret + " # channelguard:allow\n"})
	res := scan(t, Options{Path: r.Dir})
	var paths []string
	for _, f := range res.Report.Findings {
		paths = append(paths, f.Location.Path)
	}
	if !slices.Contains(paths, "old/app.env") {
		t.Errorf("the secret's history in old/app.env is not reported: %s (allowed %d)", summarize(res.Report.Findings), res.Allowed)
	}
	if slices.Contains(paths, "test/fixture.env") {
		t.Errorf("the allowed copy is reported: %s", summarize(res.Report.Findings))
	}
}

// A user rule that requires a LINE rule: gitleaks looks the required rule
// up in the composite rule's own detector, so the LINE rule runs there too
// (see engine.New). The composite is reported only beside a LINE secret,
// and the secret itself once, as its LINE rule.
func TestUserRuleRequiringALINERule(t *testing.T) {
	secret := fakecred.ChannelSecret("required-line")
	r := gittest.New(t)
	r.Commit("add", map[string]string{
		"bot/config.ini": "[bot]\nbot_name = shopbot\nLINE_CHANNEL_SECRET=" + secret + "\n",
		"bot/other.ini":  "[bot]\nbot_name = lonely\n",
	})
	cfg := filepath.Join(t.TempDir(), ".channelguard.toml")
	if err := os.WriteFile(cfg, []byte(`
[[rules]]
id = "line-bot-config"
description = "a bot's name beside its channel secret"
regex = '''bot_name = (\w+)'''
keywords = ["bot_name"]
[[rules.required]]
id = "line-channel-secret"
withinLines = 2
`), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := rules.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res := scan(t, Options{Path: r.Dir, Rules: set, Jobs: 1})
	count := map[string]int{}
	for _, f := range res.Report.Findings {
		count[f.RuleID+" "+f.Location.Path]++
		if f.RuleID == finding.RuleChannelSecret && f.SecretSHA256 != finding.SecretHash(secret) {
			t.Errorf("the LINE finding holds another value: %s", f.SecretSHA256)
		}
	}
	want := map[string]int{"line-bot-config bot/config.ini": 1, "line-channel-secret bot/config.ini": 1}
	if !maps.Equal(count, want) {
		t.Errorf("findings %v, want %v", count, want)
	}
}
