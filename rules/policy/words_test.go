package policy

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestWordsSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"secretToken", []string{"secret", "token"}},
		{"LINE_CHANNEL_SECRET", []string{"line", "channel", "secret"}},
		{"client_secret", []string{"client", "secret"}},
		{"x-api-key", []string{"x", "api", "key"}},
		{"APIKey", []string{"api", "key"}},
		{"clientSECRET", []string{"client", "secret"}},
		{"personalAccessToken", []string{"personal", "access", "token"}},
		{"tokenIDs", []string{"token", "ids"}},
		{"signingURLs", []string{"signing", "urls"}},
		{"APIKeys", []string{"api", "keys"}},
		{"HTTPServer", []string{"http", "server"}},
		{"oauth2Token", []string{"oauth", "2", "token"}},
		{"secret_b64", []string{"secret", "b", "64"}},
		{"webhook.secretToken", []string{"webhook", "secret", "token"}},
		{"Private Key", []string{"private", "key"}},
		{"Ключ_Token", []string{"ключ", "token"}},
		{"__", nil},
	}
	for _, tt := range tests {
		if got := Words(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHead(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"secretValue", []string{"secret"}},
		{"token_b64", []string{"token"}},
		{"secretBase64", []string{"secret"}},
		{"apiKeyV2", []string{"api", "key"}},
		{"token2", []string{"token"}},
		{"privateKeyPem", []string{"private", "key"}},
		{"value", []string{"value"}},
		{"secretIssuedAt", []string{"secret", "issued", "at"}},
	}
	for _, tt := range tests {
		if got := head(Words(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("head(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// builtinWords are the built-in policy's words.
func builtinWords(t *testing.T) []phrase {
	t.Helper()
	r, ok := builtinT(t).Rule("secret-named-field")
	if !ok {
		t.Fatal("built-in rule secret-named-field missing")
	}
	return r.compiled().words
}

// The look-alikes the policy README lists: names with a secret word that
// do not hold a secret.
var lookAlikes = []string{
	"tokenType", "token_type", "tokentype", "TokenType", "authType",
	"expiresIn", "expires_in", "expiresin", "tokenExpiresAt", "token_expires_at", "refreshTokenExpiresIn",
	"accessTokenExpiry", "secretExpiration", "tokenTtl", "tokenLifetime",
	"nextPageToken", "next_page_token", "nextpagetoken", "pageToken", "page_token", "nextToken",
	"continuationToken", "cursorToken", "paginationToken", "syncToken", "prevPageToken",
	"csrfTokenName", "csrfToken", "xsrfToken", "XSRF-TOKEN", "csrftoken",
	"publicKey", "public_key", "publickey", "publicKeyPem", "publicKeys", "publishableKey",
	"keyId", "key_id", "keyid", "kid", "accessKeyId", "apiKeyId", "tokenId", "secretIds",
	"secretIssuedAt", "secret_issued_at", "tokenIssuedAt", "passwordChangedAt", "secretCreatedDate",
	"tokenUpdatedTime", "secretRotatedOn", "tokenTimestamp",
	"hasSecret", "has_secret", "hassecret", "isSecret", "issecret", "isTokenValid", "useToken", "showSecret",
	"secretsCount", "secret_count", "secretscount", "tokenCount", "numTokens", "maxTokens", "tokensTotal",
	"secretName", "apiKeyName", "tokenLabel", "passwordLength", "secretSize",
	"tokenUrl", "token_url", "tokenEndpoint", "token_endpoint", "tokenendpoint", "tokenUri", "jwksUri", "jwks_uri",
	"secretPath", "tokenLink",
	"tokenStatus", "secretState", "passwordPolicy", "tokenFormat", "signingKeyAlgorithm", "tokenScope",
	"secretVersion", "passwordEnabled", "passwordRequired", "tokenMode",
}

// Names that hold a secret: the word rule must reserve them.
var secretNames = []string{
	"secret", "Secret", "SECRET", "secrets", "secretToken", "webhookSecretToken", "secret_token",
	"personalAccessToken", "accessToken", "access_token", "accesstoken", "refreshToken", "idToken",
	"channelSecret", "client_secret", "clientSecret", "clientsecret", "clientSECRET", "LINE_CHANNEL_SECRET",
	"signingKey", "signing_key", "signingkey", "assertionSigningKey", "privateKey", "private_key", "PRIVATE-KEY",
	"rsaPrivateKey", "privateKeyPem", "privateKeys", "secretKey", "secret_key",
	"apiKey", "api_key", "APIKey", "X-API-Key", "apikey", "xApiKey", "apiKeys", "API_KEYS",
	"password", "newPassword", "db_password", "passwd", "passphrase", "keyPassphrase", "passcode",
	"credential", "credentials", "serviceCredentials", "jwt", "assertionJwt",
	"encryptionKey", "masterKey", "tokenValue", "secretValue", "secret_b64", "secretBase64", "apiKeyV2",
	"token2", "tokens", "accessTokens", "tokenSecret", "oauthTokenSecret", "appSecret", "consumerSecret",
	"webhookSecret", "webhook_signing_secret", "channelAccessToken", "botToken", "notifyToken",
}

// Names without a secret word, or whose head is something else.
var plainNames = []string{
	"", "name", "id", "channelId", "followers", "targetedReaches", "blocks", "genders", "ages",
	"percentage", "description", "iconUrl", "webhookUrl", "email", "key", "keys", "monkey", "turkey",
	"keyword", "tokenizer", "secretary", "passwordless", "tokenAudience", "secretDescription",
	"algorithm", "kid", "botUserId", "status", "sessionCount",
}

func TestMatchWordsBuiltin(t *testing.T) {
	phrases := builtinWords(t)
	for _, n := range secretNames {
		if !matchWords(n, phrases) {
			t.Errorf("matchWords(%q) = false, want true", n)
		}
	}
	for _, n := range append(slices.Clone(lookAlikes), plainNames...) {
		if matchWords(n, phrases) {
			t.Errorf("matchWords(%q) = true, want false", n)
		}
	}
}

// Phrases of several words match adjacent words only, in order.
func TestMatchWordsPhrases(t *testing.T) {
	tests := []struct {
		phrase string
		yes    []string
		no     []string
	}{
		{"private key", []string{"privateKey", "rsa_private_key", "PRIVATE-KEY", "privatekey", "privateKeys", "userPrivateKeyHex"},
			[]string{"keyPrivate", "private", "key", "privateSigningKey", "privateKeyName", "privateKeyId"}},
		{"api key", []string{"apiKey", "xapikey", "API_KEY", "partnerApiKeys"}, []string{"apiTokenKey", "apiSecretKey", "api", "keyApi"}},
		{"client secret", []string{"clientSecret", "client_secret", "oauthClientSecret", "clientsecret"}, []string{"secret", "clientId", "clientSecretName"}},
		{"key", []string{"key", "signingKey", "keys"}, []string{"monkey", "turkey", "keyword", "keyId"}},
		{"privateKey", []string{"private_key"}, []string{"private"}},
	}
	for _, tt := range tests {
		p, err := compilePhrase(tt.phrase)
		if err != nil {
			t.Fatalf("%q: %v", tt.phrase, err)
		}
		for _, n := range tt.yes {
			if !matchWords(n, []phrase{p}) {
				t.Errorf("phrase %q: %q does not match", tt.phrase, n)
			}
		}
		for _, n := range tt.no {
			if matchWords(n, []phrase{p}) {
				t.Errorf("phrase %q: %q matches", tt.phrase, n)
			}
		}
	}
	for _, bad := range []string{"", " ", "_-.", "*"} {
		if _, err := compilePhrase(bad); err == nil {
			t.Errorf("compilePhrase(%q): no error", bad)
		}
	}
}

func TestLookAlikeName(t *testing.T) {
	for _, n := range lookAlikes {
		if !LookAlikeName(n) {
			t.Errorf("LookAlikeName(%q) = false, want true", n)
		}
	}
	// Credentials, and names without a credential word, are not look-alikes.
	for _, n := range append(slices.Clone(secretNames), "sessionId", "session_id", "sessionid", "followers", "iconUrl", "createdAt", "channelId", "") {
		if LookAlikeName(n) {
			t.Errorf("LookAlikeName(%q) = true, want false", n)
		}
	}
}

func TestSecretValue(t *testing.T) {
	yes := []any{
		"wst_0f3c9a7e5b1d2c4e6f8a0b1c2d3e4f5a", fakeSecret, fakeToken, "abc123def", "Zx9kQ2", "482913",
		"correct horse battery staple", "s3cr3t-P@ss", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl",
		"-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----", "0123456789abcdef0123",
		"6f1c2a9e-3b4d-4c5e-8f70-112233445566",
	}
	no := []any{
		nil, true, false, json.Number("3"), json.Number("1732557446"), 3.5, map[string]any{"a": "b"}, []any{"x"},
		"", "****", "[REDACTED]", "****1234",
		"Bearer", "bearer", "Basic", "ENABLED", "disabled", "hmac-sha256", "HMAC-SHA256", "RS256", "ES256",
		"long_lived", "LONG_LIVED", "v2.1", "true", "false", "none", "2fa", "ACTIVE", "client_credentials",
		"2026-11-25T18:17:26.438Z", "2026-11-25T18:17:26+09:00", "2026-11-25", "2026/11/25",
		"2026-11-25 18:17:26", "2026-11-25T18:17:26", "Wed, 25 Nov 2026 18:17:26 GMT",
	}
	for i, v := range yes {
		if !SecretValue(v) {
			t.Errorf("SecretValue(yes[%d]) = false, want true", i) // index, not the value
		}
	}
	for i, v := range no {
		if SecretValue(v) {
			t.Errorf("SecretValue(no[%d]) = true, want false", i)
		}
	}
}

// The built-in word rule: every secret-named string under a channel, bot,
// webhook, provider or LIFF endpoint is admin-only; look-alikes, values that
// cannot be secrets, statistics and other endpoints give nothing; a field
// an exact-name rule reports is not reported twice.
func TestCheckSecretNamedField(t *testing.T) {
	p := builtinT(t)
	body := decodeJSON(t, `{
		"channelId": "1656789012",
		"channelSecret": "`+fakeSecret+`",
		"webhook": {"url": "https://bot.example.test/cb", "secretToken": "wst_0f3c9a7e5b1d2c4e6f8a0b1c2d3e4f5a",
			"tokenType": "Bearer", "hasSecret": true, "secretsCount": 3, "secretIssuedAt": "2026-11-25T18:17:26Z",
			"signatureAlgorithm": "hmac-sha256", "nextPageToken": "cGFnZTI6b2Zmc2V0PTUwOmxpbWl0PTUw"},
		"notify": {"personalAccessToken": "pat_9c1e7a3f5d2b4c6e8a0f1b3d5c7e9a1b", "tokenExpiresAt": 1732557446},
		"channel": {"client_secret": "cs_4b2d6f8a0c1e3b5d7f9a1c3e5b7d9f1a"},
		"bot": {"signingKey": "sk_7e9a1c3e5b7d9f1a4b2d6f8a0c1e3b5d", "publicKey": "pk_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d", "keyId": "kid-0001"},
		"apiKeys": ["ak_5d7f9a1c3e5b7d9f1a4b2d6f8a0c1e3b", "ENABLED"],
		"credentials": {"password": "Zq8mX3vR7tK1pW5n"},
		"followers": 1205, "targetedReaches": 1000, "blocks": 37,
		"ages": [{"age": "from20to24", "percentage": 20.5}]
	}`)
	// Exact rules report what they report today, and the words do not
	// report those nodes again.
	exact := []string{
		"channel-secret $['channel']['client_secret']", // $..channel['client_secret']
		"channel-secret $['channelSecret']",
		"webhook-signing-secret $['bot']['signingKey']",
	}
	words := []string{
		"secret-named-field $['apiKeys'][0]",
		"secret-named-field $['credentials']['password']",
		"secret-named-field $['notify']['personalAccessToken']",
		"secret-named-field $['webhook']['secretToken']",
	}
	for _, tt := range []struct {
		path         string
		channelOrBot bool // the generic-name rules apply too
	}{
		{"/api/v1/channels/1656789012", true}, {"/v2/bot/info", true}, {"/api/webhooks/7", false},
		{"/api/v1/providers/42/settings", false}, {"/api/v1/login-channels/1656789012", false}, {"/liff/v1/apps", false},
	} {
		want := append(slices.Clone(exact), words...)
		if tt.channelOrBot {
			want = append(want, "channel-secret-in-channel-api $['channel']['client_secret']")
		}
		slices.Sort(want)
		for _, role := range []string{"member", "tester"} {
			got := summary(p.Check("GET", tt.path, role, body))
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s as %s:\n got %q\nwant %q", tt.path, role, got, want)
			}
		}
		if got := p.Check("GET", tt.path, "admin", body); len(got) != 0 {
			t.Errorf("%s as admin: %q", tt.path, summary(got))
		}
	}
	// Outside those resources only the exact, unambiguous names count: the
	// user's own sign-in and profile are not a channel's secrets.
	for _, path := range []string{"/api/login", "/api/v1/me", "/oauth2/v2.1/token"} {
		got := summary(p.Check("POST", path, "member", body))
		slices.Sort(got)
		if !slices.Equal(got, exact) {
			t.Errorf("%s: got %q, want %q", path, got, exact)
		}
	}
}

func TestCheckWordsUserRule(t *testing.T) {
	p, err := Parse("words.toml", []byte(`
[[roles]]
name = "owner"
rank = 2
[[roles]]
name = "guest"
rank = 1

[[rules]]
id = "integration-secrets"
min_role = "owner"
path = "/api/integrations/**"
words = ["secret", "api key", "webhook url"]
except_names = ["demo_api_key"]
values = "string"

[[rules]]
id = "any-values"
min_role = "owner"
path = "**/any/**"
words = ["secret"]

[[rules]]
id = "vaults"
min_role = "owner"
path = "/api/vaults/**"
names = ["vault"]
`))
	if err != nil {
		t.Fatal(err)
	}
	body := decodeJSON(t, `{"apiKey": "ENABLED", "demoApiKey": "x1", "slackWebhookUrl": "https://hooks.example.test/T0/B0/x",
		"secretCount": "3", "sharedSecrets": ["a1", 7, null], "clientSecret": 42}`)
	got := summary(p.Check("GET", "/api/integrations/9", "guest", body))
	// values = "string": "ENABLED" is a string, 42 is not.
	want := []string{"integration-secrets $['apiKey']", "integration-secrets $['sharedSecrets'][0]", "integration-secrets $['slackWebhookUrl']"}
	if !slices.Equal(got, want) {
		t.Errorf("string values: got %q, want %q", got, want)
	}
	got = summary(p.Check("GET", "/api/any/9", "guest", body))
	want = []string{"any-values $['clientSecret']", "any-values $['sharedSecrets']"}
	if !slices.Equal(got, want) {
		t.Errorf("any values: got %q, want %q", got, want)
	}
	// A node an exact rule reports, and what is inside it, is not reported
	// again by words.
	vault := decodeJSON(t, `{"vault": {"secret": "v1-abc123def"}, "other": {"secret": "v2-abc123def"}}`)
	got = summary(p.Check("GET", "/api/vaults/any/1", "guest", vault))
	if want := []string{"any-values $['other']['secret']", "vaults $['vault']"}; !slices.Equal(got, want) {
		t.Errorf("exact before words: got %q, want %q", got, want)
	}
	if got := p.Check("GET", "/api/integrations/9", "owner", body); len(got) != 0 {
		t.Errorf("owner: %q", summary(got))
	}
}

func TestWordsErrors(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
	}{
		{"empty word", "[[rules]]\nid = \"x\"\nmin_role = \"admin\"\nwords = [\"secret\", \"  \"]\n", []string{"line 1", `rule "x"`, "words entry", "has no word"}},
		{"punctuation word", "[[rules]]\nid = \"x\"\nmin_role = \"admin\"\nwords = [\"*\"]\n", []string{`rule "x"`, "words entry"}},
		{"bad values", "[[rules]]\nid = \"x\"\nmin_role = \"admin\"\nwords = [\"secret\"]\nvalues = \"secrets\"\n", []string{`rule "x"`, `values = "secrets"`, `want "any", "string" or "secret"`}},
		{"except without words", "[[rules]]\nid = \"x\"\nmin_role = \"admin\"\nnames = [\"a\"]\nexcept_names = [\"b\"]\n", []string{`rule "x"`, "except_names", "words"}},
		{"empty except", "[[rules]]\nid = \"x\"\nmin_role = \"admin\"\nwords = [\"secret\"]\nexcept_names = [\"-\"]\n", []string{`rule "x"`, "except_names"}},
		{"words wrong type", "[[rules]]\nid = \"x\"\nmin_role = \"admin\"\nwords = \"secret\"\n", []string{"line 4"}},
		{"misspelt key", "[[rules]]\nid = \"x\"\nmin_role = \"admin\"\nword = [\"secret\"]\n", []string{"line 4", `unknown key "rules.word"`}},
	}
	for _, tt := range tests {
		path := writeFile(t, "user-policy.toml", tt.content)
		_, err := Load(path)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "policy "+path+": ") || strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q does not name the file first on one line", tt.name, msg)
		}
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error %q does not contain %q", tt.name, msg, w)
			}
		}
	}
}
