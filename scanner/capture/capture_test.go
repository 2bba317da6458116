package capture

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/hartest"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/rules/policy"
)

// Fake values (internal/fakecred): never anyone's credential.
var (
	secret   = fakecred.ChannelSecret("capture-test/secret")
	token    = fakecred.AccessToken("capture-test/token")
	apiKey   = "k" + fakecred.Hex("capture-test/api-key", 20) // secret-shaped, named apiKey
	memberID = "U" + fakecred.Hex("capture-test/user", 16)
)

type ex = hartest.Exchange

func writeHAR(t *testing.T, name string, exs []ex) string { return hartest.Write(t, name, exs) }

func lineOf(t *testing.T, path, marker string) int { return hartest.LineOf(t, path, marker) }

func engineForTest(t *testing.T) (*rules.Set, *policy.Policy, Detector) {
	t.Helper()
	set, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	d := detect.NewDetectorContext(context.Background(), set.Config)
	d.MaxDecodeDepth = 5
	return set, pol, func(ctx context.Context, fr sources.Fragment) []report.Finding {
		return d.DetectContext(ctx, detect.Fragment(fr))
	}
}

func scan(t *testing.T, inputs []Input, candidates ...string) *Result {
	t.Helper()
	set, pol, detector := engineForTest(t)
	res, err := Scan(context.Background(), inputs, Options{Rules: set, Policy: pol, Detect: detector, Candidates: candidates})
	if err != nil {
		t.Fatal(err)
	}
	// No raw value may leave the package.
	out, _ := json.Marshal(res.Findings)
	for _, raw := range []string{secret, token, apiKey, fakecred.ChannelSecret("mockconsole/messaging/channel-secret"), fakecred.ChannelSecret("mockconsole/login/channel-secret"), fakecred.AccessToken("mockconsole/messaging/channel-access-token")} {
		if bytes.Contains(out, []byte(raw)) {
			t.Fatalf("a raw value (sha256 %s) appears in the findings", finding.SecretHash(raw))
		}
	}
	return res
}

// consoleAPI is the 2019 bug: the settings API returns the secret to
// whoever asks; the page would hide it.
func consoleAPI(fixed bool, role string) []ex {
	channel := map[string]any{
		"channelId": "1656789012", "name": "Test bot", "type": "MESSAGING_API",
		"iconUrl": "https://example.test/icon.png", "description": "A test channel",
		"channelSecret": secret,
	}
	msg := map[string]any{"botBasicId": "@123abcde", "webhookUrl": "https://bot.example.test/callback", "useWebhook": true, "channelAccessToken": token}
	roles := map[string]any{"roles": []any{
		map[string]any{"userId": memberID, "name": "Alice", "email": "alice@example.com", "role": "admin"},
		map[string]any{"userId": memberID, "name": "Bob", "email": "bob@example.com", "role": "member"},
	}}
	if fixed && role != "admin" {
		delete(channel, "channelSecret")
		msg["channelAccessToken"] = nil
		roles = map[string]any{"roles": []any{map[string]any{"name": "Alice", "role": "admin"}, map[string]any{"name": "Bob", "role": "member"}}}
	}
	return []ex{
		{Method: "GET", URL: "https://console.example.test/api/v1/me", Body: map[string]any{"name": "Bob", "email": "bob@example.com", "role": role}},
		{Method: "POST", URL: "https://console.example.test/api/login", ReqBody: `{"user":"bob"}`, Body: map[string]any{"ok": true, "accessToken": "session-" + fakecred.Hex("session-"+role, 8)}},
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012", Body: channel},
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012/messaging-api", Body: msg},
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012/roles", Body: roles},
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012/insight/followers?date=20261119", Body: map[string]any{"status": "ready", "followers": 1205, "targetedReaches": 1000, "blocks": 37}},
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012/insight/demographic", Body: map[string]any{
			"available": true,
			"genders":   []any{map[string]any{"gender": "male", "percentage": 41.2}, map[string]any{"gender": "female", "percentage": 58.8}},
			"ages":      []any{map[string]any{"age": "from20to24", "percentage": 20.5}},
			"areas":     []any{map[string]any{"area": "Tokyo", "percentage": 40.0}},
			"appTypes":  []any{map[string]any{"appType": "ios", "percentage": 62.0}},
		}},
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012/insight/message/delivery?date=20261119", Body: map[string]any{"status": "ready", "broadcast": 5385, "targeting": 522, "apiPush": 12}},
	}
}

type want struct {
	rule, policyRule, field, endpoint string
	severity                          finding.Severity
}

func got(fs []finding.Finding, rule string) []want {
	var out []want
	for _, f := range fs {
		if f.RuleID != rule {
			continue
		}
		out = append(out, want{rule: f.RuleID, policyRule: f.PolicyRule, field: f.Capture.Field, endpoint: f.Capture.Endpoint(), severity: f.Severity})
	}
	return out
}

func TestRolePolicyOnConsoleCaptures(t *testing.T) {
	buggyMember := []want{
		{RuleRoleField, "channel-secret", "$['channelSecret']", "GET /api/v1/channels/{id}", finding.Critical},
		{RuleRoleField, "channel-access-token", "$['channelAccessToken']", "GET /api/v1/channels/{id}/messaging-api", finding.Critical},
		{RuleRoleField, "role-member-emails", "$['roles'][*]['email']", "GET /api/v1/channels/{id}/roles", finding.High},
	}
	tests := []struct {
		name  string
		fixed bool
		role  string
		want  []want
	}{
		{"buggy API, member", false, "member", buggyMember},
		{"buggy API, tester", false, "tester", buggyMember},
		{"buggy API, admin", false, "admin", nil},
		{"fixed API, member", true, "member", nil},
		{"fixed API, admin", true, "admin", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeHAR(t, "console.har", consoleAPI(tc.fixed, tc.role))
			res := scan(t, []Input{{Path: p, Role: tc.role}})
			g := got(res.Findings, RuleRoleField)
			if len(g) != len(tc.want) {
				t.Fatalf("role findings = %+v, want %+v", g, tc.want)
			}
			for _, w := range tc.want {
				found := false
				for _, x := range g {
					if x.policyRule == w.policyRule && x.field == w.field && x.endpoint == w.endpoint && x.severity == w.severity {
						found = true
					}
				}
				if !found {
					t.Errorf("missing %+v in %+v", w, g)
				}
			}
			for _, f := range res.Findings {
				if f.Capture == nil {
					t.Fatalf("%s finding without capture location", f.RuleID)
				}
				if strings.Contains(f.Capture.Template, "insight") {
					t.Errorf("statistics endpoint %s: %s finding %s", f.Capture.Endpoint(), f.RuleID, f.Capture.Field)
				}
				if strings.HasSuffix(f.Capture.Template, "/me") || strings.HasSuffix(f.Capture.Template, "/login") {
					t.Errorf("own profile / login %s: %s finding %s", f.Capture.Endpoint(), f.RuleID, f.Capture.Field)
				}
			}
		})
	}
}

func TestRoleFindingPointsAtTheHARLine(t *testing.T) {
	p := writeHAR(t, "member.har", consoleAPI(false, "member"))
	res := scan(t, []Input{{Path: p, Role: "member"}})
	for _, f := range res.Findings {
		if f.RuleID != RuleRoleField || f.PolicyRule != "channel-secret" {
			continue
		}
		// The body text is one JSON string on one line of the HAR.
		if want := lineOf(t, p, `"text": "{\"channelId\"`); f.Location.StartLine != want {
			t.Errorf("line = %d, want %d", f.Location.StartLine, want)
		}
		if f.Location.Path != displayPath(p) || f.Capture.Entry != 2 || f.Capture.Role != "member" || f.Capture.URL != "https://console.example.test/api/v1/channels/{id}" {
			t.Errorf("location = %+v, capture = %+v", f.Location, *f.Capture)
		}
		if f.SecretSHA256 != finding.SecretHash(secret) || !strings.Contains(f.Remediation, "Basic settings") {
			t.Errorf("value hash or remediation wrong: %s / %q", f.SecretSHA256, f.Remediation)
		}
		return
	}
	t.Fatal("no channel-secret role finding")
}

func TestSecretsInTraffic(t *testing.T) {
	p := writeHAR(t, "bot.har", []ex{
		{Method: "POST", URL: "https://api.line.me/v2/bot/message/push", ReqHeaders: [][2]string{{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}, ReqBody: `{"to":"` + memberID + `","messages":[]}`, Body: map[string]any{}},
		{Method: "GET", URL: "https://console.example.test/api/v1/export", Body: map[string]any{"config": `{"channelSecret":"` + secret + `"}`}},
	})
	res := scan(t, []Input{{Path: p}})
	var header, escaped *finding.Finding
	for i, f := range res.Findings {
		switch {
		case f.RuleID == "line-channel-access-token":
			header = &res.Findings[i]
		case f.RuleID == "line-channel-secret":
			escaped = &res.Findings[i]
		case f.RuleID == RuleRoleField:
			t.Errorf("role finding without a role: %s", f.Message)
		}
	}
	if header == nil || escaped == nil {
		t.Fatalf("want the token in the Authorization header and the JSON-escaped secret, got %d findings", len(res.Findings))
	}
	if c := header.Capture; c.Part != PartRequestHeader || c.Field != "Authorization" || header.Location.StartLine != lineOf(t, p, `"value": "Bearer `) {
		t.Errorf("token location = %+v %+v", header.Location, *c)
	}
	if c := escaped.Capture; c.Part != PartResponseBody || c.Field != "$['config']" {
		t.Errorf("escaped secret location = %+v", *c)
	}
}

func TestRoleComparison(t *testing.T) {
	shared := func(role string) []ex {
		return []ex{
			{Method: "GET", URL: "https://console.example.test/api/v1/integrations/42", Body: map[string]any{"name": "crm", "apiKey": apiKey, "owner": "alice", "csrf": fakecred.Hex("csrf-"+role, 16), "requestId": fakecred.Hex("request", 16)}},
			{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012", Body: map[string]any{"channelId": "1656789012", "channelSecret": secret}},
		}
	}
	admin := writeHAR(t, "admin.har", shared("admin"))
	member := writeHAR(t, "member.har", shared("member"))
	res := scan(t, []Input{{Path: admin, Role: "admin"}, {Path: member, Role: "member"}})
	sh := got(res.Findings, RuleSharedField)
	if len(sh) != 1 || sh[0].field != "$['apiKey']" || sh[0].endpoint != "GET /api/v1/integrations/{id}" {
		t.Fatalf("shared-field findings = %+v, want one for $['apiKey']", sh)
	}
	for _, f := range res.Findings {
		if f.RuleID == RuleRoleField {
			if f.Capture.Role != "member" || len(f.SameAs) != 1 || f.SameAs[0] != "admin" {
				t.Errorf("role finding %s: role %s, same as %v", f.Capture.Field, f.Capture.Role, f.SameAs)
			}
		}
		if f.RuleID == RuleSharedField && f.Capture.Role != "member" {
			t.Errorf("shared field reported for %s", f.Capture.Role)
		}
	}
}

func sign(key, body string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(body))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestWebhookSignatureConfirmsSecret(t *testing.T) {
	body := `{"destination":"` + memberID + `","events":[]}`
	hook := ex{Method: "POST", URL: "https://bot.example.test/callback", ReqHeaders: [][2]string{{"x-line-signature", sign(secret, body)}}, ReqBody: body, Body: map[string]any{}}
	other := fakecred.ChannelSecret("capture-test/other")
	t.Run("capture secret", func(t *testing.T) {
		p := writeHAR(t, "member.har", append(consoleAPI(false, "member"), hook))
		res := scan(t, []Input{{Path: p, Role: "member"}})
		n := 0
		for _, f := range res.Findings {
			if f.SecretSHA256 == finding.SecretHash(secret) {
				n++
				if f.Confirmed == "" || f.Severity != finding.Critical {
					t.Errorf("%s: confirmed %q, severity %s", f.RuleID, f.Confirmed, f.Severity)
				}
			}
		}
		if n < 2 {
			t.Errorf("want the secret finding and the role finding confirmed, got %d", n)
		}
		if res.Confirmed[finding.SecretHash(secret)] == "" {
			t.Error("Result.Confirmed lacks the secret")
		}
	})
	t.Run("repository candidate", func(t *testing.T) {
		p := writeHAR(t, "hook.har", []ex{hook})
		res := scan(t, []Input{{Path: p}}, other, secret)
		if res.Confirmed[finding.SecretHash(secret)] == "" || res.Confirmed[finding.SecretHash(other)] != "" {
			t.Errorf("confirmed = %v", res.Confirmed)
		}
	})
	t.Run("wrong signature", func(t *testing.T) {
		bad := hook
		bad.ReqHeaders = [][2]string{{"X-Line-Signature", sign(other, body)}}
		p := writeHAR(t, "hook.har", []ex{bad})
		if res := scan(t, []Input{{Path: p}}, secret); len(res.Confirmed) != 0 {
			t.Errorf("confirmed = %v", res.Confirmed)
		}
	})
}

func TestCoverageGaps(t *testing.T) {
	p := writeHAR(t, "firefox.har", []ex{
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012", Body: map[string]any{"channelSecret": secret}, NoText: true},
		{Method: "GET", URL: "https://console.example.test/logo.png", Body: "PNG", Mime: "image/png", NoText: true},
	})
	res := scan(t, []Input{{Path: p, Role: "member"}})
	gaps := got(res.Findings, RuleCoverageGap)
	if len(gaps) != 1 || gaps[0].endpoint != "GET /api/v1/channels/{id}" || gaps[0].severity != finding.Info {
		t.Fatalf("gaps = %+v, want one for the API body and none for the image", gaps)
	}
	if len(res.Findings) != 1 {
		t.Errorf("a body that is not there yields %d findings, want only the gap", len(res.Findings))
	}
}

func TestNotAHAR(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.har")
	os.WriteFile(p, []byte("{\n  \"log\": {\n    \"entries\": {}\n  }\n}\n"), 0o600)
	set, _ := rules.Builtin()
	pol, _ := policy.Builtin()
	_, err := Scan(context.Background(), []Input{{Path: p, Role: "member"}}, Options{Rules: set, Policy: pol, Detect: func(context.Context, sources.Fragment) []report.Finding { return nil }})
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("err = %v, want the file and line 3", err)
	}
	_, err = Scan(context.Background(), []Input{{Path: p, Role: "owner"}}, Options{Rules: set, Policy: pol, Detect: func(context.Context, sources.Fragment) []report.Finding { return nil }})
	if err == nil || !strings.Contains(err.Error(), `unknown role "owner"`) {
		t.Fatalf("err = %v, want unknown role", err)
	}
}

func TestWildcard(t *testing.T) {
	for in, want := range map[string]string{
		"$['roles'][0]['email']":  "$['roles'][*]['email']",
		"$[12]":                   "$[*]",
		"$['a[0]']['b']":          "$['a[0]']['b']",
		`$['it\'s[1]'][3]`:        `$['it\'s[1]'][*]`,
		"$['channelSecret']":      "$['channelSecret']",
		"$['x'][10]['y'][2]['z']": "$['x'][*]['y'][*]['z']",
	} {
		if got := wildcard(in); got != want {
			t.Errorf("wildcard(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestSecretShaped(t *testing.T) {
	for s, want := range map[string]bool{
		secret:                                 true,
		token:                                  true,
		apiKey:                                 true,
		memberID:                               false, // a LINE user id is public
		"3f2504e0-4f89-11d3-9a0c-0305e82c3301": false,
		"https://example.test/a/b/c/d/e/f/g":   false,
		"2026-11-20T10:00:00.000Z":             false,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":     false,
		"from20to24":                           false,
		"12345678901234567890123456789":        false,
	} {
		if got := secretShaped(s); got != want {
			t.Errorf("secretShaped(%s) = %v, want %v", finding.Preview(s), got, want)
		}
	}
}

// A LINE secret the secret rules find in a response to a member is a role
// finding even where no field rule can see it: in an HTML page's inline
// state, under a field name the policy does not know.
func TestSecretRulesOfThePolicy(t *testing.T) {
	page := `<html><script>window.__STATE__ = {"settings":{"channel_secret":"` + secret + `"}};</script></html>`
	exs := []ex{{Method: "GET", URL: "https://console.example.test/console/channel/1656789012/basics", Body: page, Mime: "text/html"}}
	for role, want := range map[string]int{"member": 1, "tester": 1, "admin": 0} {
		p := writeHAR(t, role+".har", exs)
		res := scan(t, []Input{{Path: p, Role: role}})
		g := got(res.Findings, RuleRoleField)
		if len(g) != want {
			t.Fatalf("%s: role findings %+v, want %d", role, g, want)
		}
		if want == 1 && (g[0].policyRule != "channel-secret" || g[0].severity != finding.Critical || g[0].field != "") {
			t.Errorf("%s: %+v, want channel-secret, critical, the whole body", role, g[0])
		}
	}
}

func TestDecodeJSON(t *testing.T) {
	for text, ok := range map[string]bool{
		`{"a":1}`:              true,
		" [1,2]\n":             true,
		")]}'\n{\"a\":1}":      true,
		`while(1);{"a":1}`:     true,
		`{"a":1} {"b":2}`:      false, // two values
		`{"a":`:                false, // cut short
		`"just a string"`:      false,
		`<html>{"a":1}</html>`: false,
	} {
		if _, got := decodeJSON(text); got != ok {
			t.Errorf("decodeJSON(%q) ok = %v, want %v", text, got, ok)
		}
	}
}

// PHP's json_encode writes every "/" of a base64 token as "\/": the raw
// body no longer holds the token, its decoded value does.
func TestEscapedSlashes(t *testing.T) {
	if !strings.Contains(token, "/") {
		t.Skip("the fake token has no slash")
	}
	body := `{"bot":{"name":"x","channelAccessToken":"` + strings.ReplaceAll(token, "/", `\/`) + `"},"note":"a\/b"}`
	p := writeHAR(t, "php.har", []ex{{Method: "GET", URL: "https://console.example.test/api/bots/12", Body: body}})
	res := scan(t, []Input{{Path: p, Role: "member"}})
	var secretRule, role bool
	for _, f := range res.Findings {
		switch {
		case f.RuleID == "line-channel-access-token":
			secretRule = f.Capture.Field == "$['bot']['channelAccessToken']" && f.SecretSHA256 == finding.SecretHash(token)
		case f.RuleID == RuleRoleField:
			role = f.Capture.Field == "$['bot']['channelAccessToken']" && f.Severity == finding.Critical
		}
		if n := len(f.Occurrences) + f.MoreOccurrences; n != 1 {
			t.Errorf("%s: %d occurrences, want 1 (one place in one entry)", f.RuleID, n)
		}
	}
	if !secretRule || !role {
		t.Errorf("secret rule found it at its field: %v; role finding critical: %v", secretRule, role)
	}
}

func TestIdentifierName(t *testing.T) {
	for name, want := range map[string]bool{
		"requestId": true, "request_id": true, "etag": true, "contentHash": true, "kid": true, "nextCursor": true, "version": true,
		"apiKey": false, "secretKey": false, "note": false, "channelSecret": false, "value": false,
	} {
		if got := identifierName(name); got != want {
			t.Errorf("identifierName(%q) = %v, want %v", name, got, want)
		}
	}
}
