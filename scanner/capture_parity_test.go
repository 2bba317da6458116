package scanner

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/scanner/capture"
)

// What a plain scan of a capture file finds, a capture scan of it finds
// too: a token sent over a WebSocket (Chrome's _webSocketMessages) was
// found by a directory scan of the .har and missed by the capture scan.
func TestCaptureScanFindsWhatADirectoryScanOfItFinds(t *testing.T) {
	frame, _ := json.Marshal(map[string]any{"op": "auth", "token": tokenA})
	har := map[string]any{"log": map[string]any{"version": "1.2", "entries": []any{map[string]any{
		"startedDateTime": "2026-11-20T10:00:00.000Z",
		"request":         map[string]any{"method": "GET", "url": "wss://rt.example.test/socket", "headers": []any{}},
		"response":        map[string]any{"status": 101, "headers": []any{}, "content": map[string]any{"size": 0}},
		"_webSocketMessages": []any{
			map[string]any{"type": "send", "time": 1763632800.1, "opcode": 1, "data": string(frame)},
		},
	}}}}
	b, err := json.MarshalIndent(har, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "session.har")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	hashes := func(res *Result) map[string]*finding.Finding {
		out := map[string]*finding.Finding{}
		for i, f := range res.Report.Findings {
			out[f.SecretSHA256] = &res.Report.Findings[i]
		}
		return out
	}
	want := finding.SecretHash(tokenA)
	if _, ok := hashes(scan(t, Options{Path: dir}))[want]; !ok {
		t.Fatal("the directory scan does not find the token: the test proves nothing")
	}
	f, ok := hashes(scan(t, Options{Captures: []capture.Input{{Path: p}}}))[want]
	if !ok {
		t.Fatal("the capture scan misses the token the directory scan finds")
	}
	if c := f.Capture; c == nil || c.Part != capture.PartWebSocketSend || c.Field != "frame 0 $['token']" {
		t.Errorf("capture location %+v, want websocket-send frame 0 $['token']", c)
	}
}
