package capture

import (
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
)

// Protocol nonces, entity tags, request and trace ids are random by
// design: generic-api-key fires on their shape, so it is not believed
// there. A specific rule still is, and the same value under a header that
// is not on the list is still reported.
func TestNonceHeadersAreNotSecrets(t *testing.T) {
	hex := func(seed string, n int) string { return fakecred.Hex("nonce-test/"+seed, n) }
	b64 := func(seed string, n int) string {
		return base64.StdEncoding.EncodeToString(fakecred.Bytes("nonce-test/"+seed, n))
	}
	nonces := []string{
		"Sec-WebSocket-Key", b64("key", 16),
		"sec-websocket-key", b64("key2", 16), // HTTP/2 writes names in lower case
		"ETag", `W/"` + hex("etag", 20) + `"`,
		"If-None-Match", `"` + hex("etag2", 16) + `"`,
		"X-Request-Id", hex("rid", 16),
		"traceparent", "00-" + hex("trace", 16) + "-" + hex("span", 8) + "-01",
		"X-Amzn-Trace-Id", "Root=1-67891233-" + hex("amzn", 12),
		"X-Cloud-Trace-Context", hex("gcp", 16) + "/1234567890123456789;o=1",
		"CF-Ray", hex("ray", 8) + "-NRT",
	}
	resp := []string{
		"Sec-WebSocket-Accept", b64("accept", 20),
		"ETag", `"` + hex("etag3", 20) + `"`,
		"x-request-id", hex("rid2", 16),
	}
	// Control: the key's value under a name that is not a nonce, and a
	// LINE access token where a request id should be.
	apiKeyValue := b64("key", 16)
	req := append(append([]string{}, nonces...), "X-Api-Key", apiKeyValue, "X-Correlation-Id", token)
	ws := exchange("GET", "wss://rt.example.test/socket", 101, headers(req...), headers(resp...), map[string]any{"size": 0})
	p := rawHAR(t, "nonces.har", ws)
	res := scan(t, []Input{{Path: p}})
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.RuleID+" "+f.Capture.Part+" "+f.Capture.Field)
	}
	want := map[string]bool{
		"generic-api-key request-header X-Api-Key":                  true,
		"line-channel-access-token request-header X-Correlation-Id": true,
	}
	if len(got) != len(want) {
		t.Errorf("findings %q, want exactly %d: the control header and the token", got, len(want))
	}
	for _, g := range got {
		if !want[g] {
			t.Errorf("unexpected finding: %s", g)
		}
	}
	for _, f := range res.Findings {
		if f.RuleID == "generic-api-key" && f.SecretSHA256 != finding.SecretHash(apiKeyValue) {
			t.Errorf("generic-api-key on another value (%s) in %s", f.SecretPreview, f.Capture.Field)
		}
	}
}

func TestNonSecretHeader(t *testing.T) {
	for name, want := range map[string]bool{
		"Sec-WebSocket-Key": true, "SEC-WEBSOCKET-ACCEPT": true, "etag": true, "X-Request-ID": true,
		"traceparent": true, "X-Amzn-Trace-Id": true, "X-Cloud-Trace-Context": true, "CF-Ray": true,
		"Authorization": false, "Cookie": false, "X-Api-Key": false, "Sec-WebSocket-Protocol": false, "X-Csrf-Token": false,
	} {
		if got := NonSecretHeader(name); got != want {
			t.Errorf("NonSecretHeader(%q) = %v, want %v", name, got, want)
		}
	}
}

// Coverage gaps say the truth: a response with no body by definition is
// no gap, whatever size the tool wrote; a body whose size is larger than
// its complete text is not cut short and is checked; only a body the
// capture lacks, or lacks in part, is a gap.
func TestCoverageGapsTellTheTruth(t *testing.T) {
	channel := `{"channelId":"1656789012","channelSecret":"` + secret + `"}`
	api := "https://console.example.test/api/v1/channels/1656789012"
	tests := []struct {
		name    string
		method  string
		status  int
		content map[string]any // nil: no content at all
		gap     string         // "" none, else the message's words
		role    bool           // the secret is found as a role finding
	}{
		{"204 No Content, size -1", "GET", 204, map[string]any{"size": -1, "mimeType": "x-unknown"}, "", false},
		{"204, no content object", "DELETE", 204, nil, "", false},
		{"304 Not Modified, size of the cached body", "GET", 304, map[string]any{"size": 893, "mimeType": "application/json"}, "", false},
		{"101 Switching Protocols", "GET", 101, map[string]any{"size": 0}, "", false},
		{"103 Early Hints", "GET", 103, map[string]any{"size": -1}, "", false},
		{"HEAD, size of the GET body", "HEAD", 200, map[string]any{"size": 1024, "mimeType": "application/json"}, "", false},
		{"301, size -1", "GET", 301, map[string]any{"size": -1, "mimeType": "text/html"}, "", false},
		{"302, size 0", "GET", 302, map[string]any{"size": 0, "mimeType": ""}, "", false},
		{"307, no content object", "POST", 307, nil, "", false},
		{"whole JSON, size larger (compressed or decoded count)", "GET", 200, map[string]any{"size": 5000, "mimeType": "application/json", "text": channel}, "", true},
		{"whole JSON, size smaller", "GET", 200, map[string]any{"size": 12, "mimeType": "application/json", "text": channel}, "", true},
		// what is a gap
		{"200 without text", "GET", 200, map[string]any{"size": 120, "mimeType": "application/json", "comment": "Response bodies are not included."}, "is not in the capture", false},
		{"301 with a body the capture lacks", "GET", 301, map[string]any{"size": 325, "mimeType": "text/html"}, "is not in the capture", false},
		{"JSON cut short", "GET", 200, map[string]any{"size": 5000, "mimeType": "application/json", "text": channel[:len(channel)-2]}, "is cut short in the capture", true}, // the part held was checked: the secret rules find it
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rawHAR(t, "gaps.har", exchange(tt.method, api, tt.status, nil, nil, tt.content))
			res := scan(t, []Input{{Path: p, Role: "member"}})
			var gaps []finding.Finding
			roles := 0
			for _, f := range res.Findings {
				switch f.RuleID {
				case RuleCoverageGap:
					gaps = append(gaps, f)
				case RuleRoleField:
					roles++
				}
			}
			if tt.gap == "" && len(gaps) > 0 {
				t.Fatalf("a gap: %s", gaps[0].Message)
			}
			if tt.gap != "" {
				if len(gaps) != 1 || !strings.Contains(gaps[0].Message, tt.gap) {
					t.Fatalf("%d gaps, want one saying %q", len(gaps), tt.gap)
				}
			}
			if tt.role != (roles == 1) {
				t.Errorf("%d role findings: the body was checked = %v, want %v", roles, roles == 1, tt.role)
			}
		})
	}
}

// A body that was scanned is never called "not checked": the part of a
// body cut short was checked for secrets, and its secret is found.
func TestTruncatedGapSaysWhatWasChecked(t *testing.T) {
	script := "window.cfg = {channelSecret: '" + secret + "'};\n" + strings.Repeat("// padding\n", 20)
	p := rawHAR(t, "cut.har", exchange("GET", "https://console.example.test/static/app.js", 200, nil, nil,
		map[string]any{"size": len(script) * 4, "mimeType": "application/javascript", "text": script, "comment": "Response truncated at 1 MiB"}))
	res := scan(t, []Input{{Path: p}})
	var gap *finding.Finding
	found := false
	for i, f := range res.Findings {
		switch {
		case f.RuleID == RuleCoverageGap:
			gap = &res.Findings[i]
		case f.SecretSHA256 == finding.SecretHash(secret):
			found = true
		}
	}
	if gap == nil || !found {
		t.Fatalf("gap %v, secret found %v: want both", gap != nil, found)
	}
	if strings.Contains(gap.Message, "it was not checked") || !strings.Contains(gap.Message, "the part the capture holds was checked for secrets") {
		t.Errorf("gap message: %q", gap.Message)
	}
	for _, r := range Rules() {
		if r.ID == RuleCoverageGap && strings.Contains(r.Title, "not checked") {
			t.Errorf("rule title %q calls every gap not checked", r.Title)
		}
	}
}

// The README lists every header NonSecretHeader knows, so users can see
// where generic-api-key is not believed.
func TestNonSecretHeadersDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ToLower(string(readme))
	for name := range nonSecretHeaders {
		if !strings.Contains(text, "`"+name+"`") {
			t.Errorf("README.md does not list the header %s", name)
		}
	}
}
