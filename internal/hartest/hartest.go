// Package hartest writes small HAR 1.2 captures for tests, pretty-printed
// the way browsers export them (so line numbers mean what they do in a
// real file).
package hartest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Exchange is one entry of a capture.
type Exchange struct {
	Method, URL string
	ReqHeaders  [][2]string
	ReqBody     string
	Status      int // default 200
	// RespHeaders are the response headers (Set-Cookie among them).
	RespHeaders [][2]string
	// Body is the response body: a string as it is, anything else as JSON.
	Body any
	Mime string // default application/json
	// NoText writes content.comment instead of the body, as Firefox does.
	NoText bool
	// Started is startedDateTime (default 2026-11-20T10:00:00.000Z).
	Started string
}

// Write writes exs as a capture called name in a new temporary directory
// and returns its path.
func Write(t testing.TB, name string, exs []Exchange) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, Marshal(t, exs), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Marshal is the capture's bytes.
func Marshal(t testing.TB, exs []Exchange) []byte {
	t.Helper()
	entries := []any{}
	for _, e := range exs {
		hs := []any{}
		for _, h := range e.ReqHeaders {
			hs = append(hs, map[string]string{"name": h[0], "value": h[1]})
		}
		req := map[string]any{"method": e.Method, "url": e.URL, "httpVersion": "HTTP/1.1", "headers": hs, "cookies": []any{}, "queryString": []any{}}
		if e.ReqBody != "" {
			req["postData"] = map[string]any{"mimeType": "application/json", "text": e.ReqBody}
		}
		text, ok := e.Body.(string)
		if !ok {
			b, err := json.Marshal(e.Body)
			if err != nil {
				t.Fatal(err)
			}
			text = string(b)
		}
		mime := e.Mime
		if mime == "" {
			mime = "application/json"
		}
		content := map[string]any{"size": len(text), "mimeType": mime, "text": text}
		if e.NoText {
			content = map[string]any{"size": len(text), "mimeType": mime, "comment": "Response bodies are not included."}
		}
		rhs := []any{}
		for _, h := range e.RespHeaders {
			rhs = append(rhs, map[string]string{"name": h[0], "value": h[1]})
		}
		status := e.Status
		if status == 0 {
			status = 200
		}
		started := e.Started
		if started == "" {
			started = "2026-11-20T10:00:00.000Z"
		}
		entries = append(entries, map[string]any{
			"startedDateTime": started,
			"time":            12.5,
			"request":         req,
			"response":        map[string]any{"status": status, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": rhs, "cookies": []any{}, "content": content},
		})
	}
	doc := map[string]any{"log": map[string]any{"version": "1.2", "creator": map[string]string{"name": "channelguard-test", "version": "1"}, "entries": entries}}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// LineOf is the 1-based line of the first line of the file at path that
// holds marker.
func LineOf(t testing.TB, path, marker string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte(marker))
	if i < 0 {
		t.Fatalf("%s: marker not found", path)
	}
	return 1 + bytes.Count(b[:i], []byte("\n"))
}
