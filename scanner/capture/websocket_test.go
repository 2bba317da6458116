package capture

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
)

// rawHAR writes entries (HAR entry objects as Go values) as a
// pretty-printed capture, the way Chrome exports one, and returns its path.
func rawHAR(t *testing.T, name string, entries ...map[string]any) string {
	t.Helper()
	doc := map[string]any{"log": map[string]any{"version": "1.2", "creator": map[string]any{"name": "WebInspector", "version": "537.36"}, "entries": entries}}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func headers(kv ...string) []any {
	var out []any
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, map[string]any{"name": kv[i], "value": kv[i+1]})
	}
	return out
}

// exchange is a HAR entry: method, URL, status, request headers, response
// headers and content as given.
func exchange(method, url string, status int, reqHeaders, respHeaders []any, content map[string]any) map[string]any {
	e := map[string]any{
		"startedDateTime": "2026-11-20T10:00:00.000Z",
		"time":            3.5,
		"request":         map[string]any{"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": reqHeaders, "cookies": []any{}, "queryString": []any{}, "headersSize": -1, "bodySize": 0},
		"response":        map[string]any{"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": respHeaders, "cookies": []any{}, "redirectURL": "", "headersSize": -1, "bodySize": -1},
	}
	if content != nil {
		e["response"].(map[string]any)["content"] = content
	}
	return e
}

// A WebSocket session as Chrome keeps it: the handshake (101, no body) and
// its frames in _webSocketMessages. A token the page sends and a channel
// secret a member receives are found in the frames, named by frame, and
// the received secret is a role finding; the handshake's nonces are not.
func TestWebSocketFramesScannedLikeBodies(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(fakecred.Bytes("ws-test/key", 16))
	accept := base64.StdEncoding.EncodeToString(fakecred.Bytes("ws-test/accept", 20))
	ws := exchange("GET", "wss://console.example.test/api/v1/channels/1656789012/live", 101,
		headers("Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Key", key, "Sec-WebSocket-Version", "13"),
		headers("Upgrade", "websocket", "Sec-WebSocket-Accept", accept),
		map[string]any{"size": 0, "mimeType": "x-unknown"})
	sent, _ := json.Marshal(map[string]any{"type": "auth", "accessToken": token})
	received, _ := json.Marshal(map[string]any{"type": "channel", "channel": map[string]any{"channelId": "1656789012", "channelSecret": secret}})
	stats, _ := json.Marshal(map[string]any{"type": "stats", "followers": 1205, "blocks": 3})
	ws["_webSocketMessages"] = []any{
		map[string]any{"type": "send", "time": 1763632800.1, "opcode": 1, "data": string(sent)},
		map[string]any{"type": "receive", "time": 1763632800.2, "opcode": 1, "data": string(received)},
		map[string]any{"type": "receive", "time": 1763632800.3, "opcode": 1, "data": string(stats)},
		// a binary frame: the token again, base64 as Chrome writes it
		map[string]any{"type": "receive", "time": 1763632800.4, "opcode": 2, "data": base64.StdEncoding.EncodeToString([]byte("\x00\x02" + token))},
	}
	p := rawHAR(t, "ws.har", ws)
	res := scan(t, []Input{{Path: p, Role: "member"}})

	text := readCapture(t, p)
	lines := strings.Split(text, "\n")
	var got []string
	for _, f := range res.Findings {
		c := f.Capture
		got = append(got, f.RuleID+" "+c.Part+" "+c.Field)
		if f.RuleID == RuleCoverageGap || c.Part == PartRequestHeader || c.Part == PartResponseHeader {
			continue
		}
		// Text frames: the location points at the value inside the
		// frame's JSON string in the file.
		l := f.Location
		if f.RuleID == "line-channel-access-token" || f.RuleID == "line-channel-secret" {
			at := lines[l.StartLine-1][l.StartColumn-1:]
			if f.SecretSHA256 == finding.SecretHash(token) && !strings.HasPrefix(at, token) ||
				f.SecretSHA256 == finding.SecretHash(secret) && !strings.HasPrefix(at, secret) {
				t.Errorf("%s %s: %d:%d does not point at the value", f.RuleID, c.Field, l.StartLine, l.StartColumn)
			}
		}
	}
	sort.Strings(got)
	want := []string{
		"line-channel-access-token websocket-send frame 0 $['accessToken']",
		"line-channel-secret websocket-receive frame 1 $['channel']['channelSecret']",
		"role-inappropriate-field websocket-receive $['channel']['channelSecret']",
		// the binary frame hands the member the access token: the
		// policy's secret_rules, whatever the frame holds
		"role-inappropriate-field websocket-receive ",
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range res.Findings {
		if f.RuleID == "line-channel-access-token" {
			// the sent frame and the binary received frame: one finding
			if n := len(f.Occurrences) + f.MoreOccurrences; n != 2 {
				t.Errorf("token: %d occurrences, want 2 (frame 0 and binary frame 3)", n)
			}
			if !strings.Contains(f.Message, "frame 0") {
				t.Errorf("the message does not name the frame: %q", f.Message)
			}
		}
		if f.RuleID == RuleRoleField {
			wantRule, frame := "channel-secret", "(frame 1)"
			if f.Capture.Field == "" {
				wantRule, frame = "channel-access-token", "(frame 3)"
			}
			if f.PolicyRule != wantRule || f.Severity != finding.Critical || !strings.Contains(f.Message, "WebSocket message "+frame) {
				t.Errorf("role finding: policy rule %s, severity %s, message %q; want %s, critical, naming %s", f.PolicyRule, f.Severity, f.Message, wantRule, frame)
			}
		}
	}
	if res.Entries != 1 {
		t.Errorf("entries = %d, want 1", res.Entries)
	}
	// An admin may receive the secret: the frames still hold the secrets,
	// but no role finding.
	res = scan(t, []Input{{Path: p, Role: "admin"}})
	if g := got2(res.Findings, RuleRoleField); g != 0 {
		t.Errorf("admin: %d role findings, want 0", g)
	}
}

func got2(fs []finding.Finding, rule string) int { return len(got(fs, rule)) }

// A long session's frames come in batches (har.FrameBatchBytes): a secret
// in any batch is found, and the entry counts once.
func TestWebSocketLongSession(t *testing.T) {
	ws := exchange("GET", "wss://rt.example.test/socket", 101, nil, nil, map[string]any{"size": 0})
	pad := strings.Repeat("x", 64<<10)
	var frames []any
	for i := range 100 { // 6.4 MB of frames: two batches at least
		data := `{"seq":` + string(rune('0'+i%10)) + `,"pad":"` + pad + `"}`
		if i == 90 {
			data = `{"seq":9,"token":"` + token + `"}`
		}
		frames = append(frames, map[string]any{"type": "receive", "opcode": 1, "data": data})
	}
	ws["_webSocketMessages"] = frames
	p := rawHAR(t, "long.har", ws, exchange("GET", "https://rt.example.test/after", 204, nil, nil, map[string]any{"size": -1}))
	res := scan(t, []Input{{Path: p}})
	if res.Entries != 2 {
		t.Errorf("entries = %d, want 2 (batches are not entries)", res.Entries)
	}
	n := 0
	for _, f := range res.Findings {
		if f.SecretSHA256 == finding.SecretHash(token) {
			n++
			if f.Capture.Field != "frame 90 $['token']" || f.Capture.Part != PartWebSocketReceive {
				t.Errorf("token at %s %s, want websocket-receive frame 90", f.Capture.Part, f.Capture.Field)
			}
		} else {
			t.Errorf("unexpected %s at %s %s", f.RuleID, f.Capture.Part, f.Capture.Field)
		}
	}
	if n != 1 {
		t.Errorf("%d findings of the token, want 1", n)
	}
}
