package capture

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"slices"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
)

// Fake values (internal/fakecred, never anyone's credential) under names no
// exact policy rule lists: the built-in words reserve them.
var (
	webhookSecretToken = "wst_" + fakecred.Hex("capture-test/webhook-secret-token", 16)
	notifyPAT          = "pat_" + fakecred.Hex("capture-test/notify-pat", 16)
	loginClientSecret  = fakecred.Hex("capture-test/login-client-secret", 16)
	botSigningKey      = "sk_" + fakecred.Hex("capture-test/bot-signing-key", 16)
	providerPassword   = "pw-" + fakecred.Hex("capture-test/provider-password", 8)
	// A page cursor: secret-shaped, and the same for every role.
	pageToken = base64.RawURLEncoding.EncodeToString(fakecred.Bytes("capture-test/page-token/3", 30))
)

var secretNamedRaw = []string{webhookSecretToken, notifyPAT, loginClientSecret, botSigningKey, providerPassword, pageToken}

// secretNamedConsole serves a console whose names are free: the same
// response to every role (the bug), with look-alike names, values that
// cannot be secrets and friend statistics beside the secrets.
func secretNamedConsole() []ex {
	return []ex{
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012/settings", Body: map[string]any{
			"channelId": "1656789012",
			"webhook": map[string]any{
				"url": "https://bot.example.test/callback", "secretToken": webhookSecretToken,
				"tokenType": "Bearer", "hasSecret": true, "secretsCount": 3, "secretIssuedAt": "2026-11-25T18:17:26Z",
				"signatureAlgorithm": "hmac-sha256",
			},
			"notify":  map[string]any{"personalAccessToken": notifyPAT, "tokenExpiresAt": 1732557446},
			"channel": map[string]any{"client_secret": loginClientSecret, "clientId": "1656789012"},
			"bot":     map[string]any{"signingKey": botSigningKey, "keyId": "kid-0001", "publicKey": "pk-not-secret"},
		}},
		{Method: "GET", URL: "https://console.example.test/api/v1/providers/42/members", Body: map[string]any{
			"credentials": map[string]any{"password": providerPassword}, "total": 2,
		}},
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012/webhook/deliveries", Body: map[string]any{
			"items": []any{map[string]any{"status": "ok", "tokenType": "Bearer"}}, "nextPageToken": pageToken,
		}},
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012/insight/followers?date=20261119", Body: map[string]any{
			"status": "ready", "followers": 1205, "targetedReaches": 1000, "blocks": 37,
		}},
		{Method: "GET", URL: "https://console.example.test/api/v1/channels/1656789012/insight/demographic", Body: map[string]any{
			"available": true,
			"genders":   []any{map[string]any{"gender": "female", "percentage": 58.8}},
			"ages":      []any{map[string]any{"age": "from20to24", "percentage": 20.5}},
		}},
	}
}

func TestSecretNamedFields(t *testing.T) {
	if !secretShaped(pageToken) {
		t.Fatal("the test's page token is not secret-shaped: the look-alike check would test nothing")
	}
	admin := writeHAR(t, "admin.har", secretNamedConsole())
	member := writeHAR(t, "member.har", secretNamedConsole())
	res := scan(t, []Input{{Path: admin, Role: "admin"}, {Path: member, Role: "member"}})

	var roles []string
	for _, w := range got(res.Findings, RuleRoleField) {
		roles = append(roles, w.policyRule+" "+w.endpoint+" "+w.field)
	}
	slices.Sort(roles)
	want := []string{
		// channel.client_secret and bot.signingKey are exact names already
		// (one finding per field, under the first rule).
		"channel-secret GET /api/v1/channels/{id}/settings $['channel']['client_secret']",
		"secret-named-field GET /api/v1/channels/{id}/settings $['notify']['personalAccessToken']",
		"secret-named-field GET /api/v1/channels/{id}/settings $['webhook']['secretToken']",
		"secret-named-field GET /api/v1/providers/{id}/members $['credentials']['password']",
		"webhook-signing-secret GET /api/v1/channels/{id}/settings $['bot']['signingKey']",
	}
	if !slices.Equal(roles, want) {
		t.Errorf("role findings:\n got %q\nwant %q", roles, want)
	}
	for _, f := range res.Findings {
		switch f.RuleID {
		case RuleRoleField:
			if f.Capture.Role != "member" || !slices.Equal(f.SameAs, []string{"admin"}) {
				t.Errorf("%s: role %s, same as %v", f.Capture.Field, f.Capture.Role, f.SameAs)
			}
		case RuleSharedField:
			// nextPageToken is the same for both roles and secret-shaped,
			// but a look-alike: not sensitive-looking.
			t.Errorf("shared-field finding %s %s", f.Capture.Endpoint(), f.Capture.Field)
		}
	}
	// No raw value in the findings (scan checks its own list).
	out, _ := json.Marshal(res.Findings)
	for i, raw := range secretNamedRaw {
		if bytes.Contains(out, []byte(raw)) {
			t.Errorf("fake value #%d (sha256 %s) appears in the findings", i, finding.SecretHash(raw))
		}
	}

	// The admin's own capture: nothing reserved.
	res = scan(t, []Input{{Path: admin, Role: "admin"}})
	if n := len(got(res.Findings, RuleRoleField)); n != 0 {
		t.Errorf("admin capture: %d role findings", n)
	}
}
