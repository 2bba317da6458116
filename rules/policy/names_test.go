package policy

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"accessToken", []string{"access", "token"}},
		{"APIKey", []string{"api", "key"}},
		{"channel_secret", []string{"channel", "secret"}},
		{"Set-Cookie", []string{"set", "cookie"}},
		{"SAMLResponse", []string{"saml", "response"}},
		{"oauth2Token", []string{"oauth", "2", "token"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Words(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSensitiveName(t *testing.T) {
	yes := []string{
		"secret", "Secret", "apiKey", "api_key", "APIKey", "X-API-Key", "apikey",
		"accessToken", "access_token", "accesstoken", "refresh_token", "id_token", "token",
		"channel_secret", "channelSecret", "ChannelSecret", "CHANNEL_SECRET", "LINE_CHANNEL_SECRET",
		"webhookSecret", "client_secret", "clientSecret", "clientsecret",
		"password", "Password", "passwd", "new_password", "passwordHash", "password_confirmation",
		"privateKey", "private_key", "PRIVATE-KEY", "credentials", "credential",
		"authorization", "Authorization", "cookie", "Set-Cookie", "set-cookie", "cookies",
		"sessionId", "session_id", "session", "sessionToken", "code_verifier", "SAMLResponse",
		"channelAccessToken", "longLivedAccessToken", "tokenValue", "secret_key", "secretKey",
	}
	no := []string{
		"", "keyword", "monkey", "tokenizer", "blocks", "key", "tokenType", "token_type",
		"expires_in", "tokenExpiresAt", "passwordPolicy", "sessionCount", "sessionDuration",
		"followers", "targetedReaches", "secretName", "description", "email", "channelId",
		"cookiePolicy", "authorizationUrl", "publicKey", "turkey", "hockey", "tokens_count",
		"secretary", "passwordless", "name", "id",
	}
	for _, n := range yes {
		if !SensitiveName(n) {
			t.Errorf("SensitiveName(%q) = false, want true", n)
		}
	}
	for _, n := range no {
		if SensitiveName(n) {
			t.Errorf("SensitiveName(%q) = true, want false", n)
		}
	}
}

func TestMasked(t *testing.T) {
	yes := []any{
		nil, "", "   ", "****", "********************************", "••••••••", "●●●●",
		"xxxx", "XXXXXXXX", "xxxx-xxxx-xxxx", "<redacted>", "[REDACTED]", "REDACTED",
		"***REDACTED***", "(hidden)", "****1234", "abcd••••••••••••", "12**********************34",
		map[string]any{}, []any{}, "null",
	}
	no := []any{
		"0123456789abcdef0123456789abcdef", "abc", "x1", "a*b", "user@example.com",
		"t****@example.com", json.Number("0"), json.Number("42"), true, false,
		map[string]any{"a": "b"}, []any{"x"}, "eyJhbGciOiJIUzI1NiJ9.e30.xxxx", "0x1234",
		"1656789012",
	}
	for i, v := range yes {
		if !Masked(v) {
			t.Errorf("Masked(yes[%d]) = false, want true", i)
		}
	}
	for i, v := range no {
		if Masked(v) {
			t.Errorf("Masked(no[%d]) = true, want false", i)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	for _, n := range []string{"channel_secret", "channelSecret", "ChannelSecret", "channel-secret", "channel.secret", "Channel Secret", "CHANNEL_SECRET"} {
		if got := normalizeName(n); got != "channelsecret" {
			t.Errorf("normalizeName(%q) = %q", n, got)
		}
	}
}
