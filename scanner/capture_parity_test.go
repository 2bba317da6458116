package scanner

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
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

// Entries whose headers and bodies are the same text (a response polled
// again, the same headers on every call) are found in every entry, each
// at its own line: the second and third get what the first's text gave
// (Engine.DetectOnce) moved to where they are.
func TestCaptureRepeatedTextFoundInEveryEntry(t *testing.T) {
	body, _ := json.Marshal(map[string]any{"channel": map[string]any{"token": tokenA}})
	entry := map[string]any{
		"startedDateTime": "2026-11-20T10:00:00.000Z",
		"request":         map[string]any{"method": "GET", "url": "https://api.example.test/v2/bot/info", "headers": []any{}},
		"response": map[string]any{"status": 200,
			"headers": []any{map[string]any{"name": "X-Debug-Token", "value": tokenA}},
			"content": map[string]any{"size": len(body), "mimeType": "application/json", "text": string(body)}},
	}
	b, err := json.MarshalIndent(map[string]any{"log": map[string]any{"version": "1.2", "entries": []any{entry, entry, entry}}}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "polled.har")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	res := scan(t, Options{Captures: []capture.Input{{Path: p}}})
	want := finding.SecretHash(tokenA)
	places := map[string]bool{}
	for _, f := range res.Report.Findings {
		if f.SecretSHA256 != want {
			continue
		}
		for _, o := range f.Occurrences {
			if o.Capture == nil {
				t.Fatalf("occurrence without a capture location: %+v", o.Location)
			}
			places[fmt.Sprintf("entry %d %s line %d", o.Capture.Entry, o.Capture.Part, o.StartLine)] = true
		}
	}
	if len(places) != 6 {
		t.Errorf("the token at %d places, want 6 (header and body of 3 entries): %v", len(places), slices.Sorted(maps.Keys(places)))
	}
}
