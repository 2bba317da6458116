package har

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
)

func readString(t *testing.T, in string) []*Entry {
	t.Helper()
	r, err := NewReader(strings.NewReader(in), "ws.har")
	if err != nil {
		t.Fatal(err)
	}
	var out []*Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
}

func TestWebSocketFrames(t *testing.T) {
	bin := base64.StdEncoding.EncodeToString([]byte("\x00\x01binary FAKE-TOKEN-FOR-TESTS-ws-binary"))
	in := `{"log": {"entries": [
  {"startedDateTime": "2026-01-02T03:04:05Z",
   "request": {"method": "GET", "url": "wss://rt.example.test/socket"},
   "response": {"status": 101, "content": {"size": 0}},
   "_webSocketMessages": [
    {"type": "send", "time": 1693314200.33, "opcode": 1, "data": "{\"token\": \"FAKE-TOKEN-FOR-TESTS-ws-text\"}"},
    {"type": "Receive", "time": 1693314201, "opcode": "2",
     "data": "` + bin + `"},
    {"type": "receive", "opcode": 2, "data": "not base64!"},
    42,
    {"type": "send", "opcode": 9}
   ]},
  {"request": {"method": "GET", "url": "https://rt.example.test/after"}}
]}}`
	es := readString(t, in)
	if len(es) != 2 || es[1].Index != 1 || es[0].FramesOnly || es[1].Frames != nil {
		t.Fatalf("entries = %d, want 2 with the frames on the first", len(es))
	}
	fs := es[0].Frames
	if len(fs) != 4 {
		t.Fatalf("frames = %+v, want 4 (the number is skipped)", fs)
	}
	want := []Frame{
		{Index: 0, Type: "send", Opcode: 1, Data: `{"token": "FAKE-TOKEN-FOR-TESTS-ws-text"}`, Line: 6, Column: 66},
		{Index: 1, Type: "receive", Opcode: 2, Data: "\x00\x01binary FAKE-TOKEN-FOR-TESTS-ws-binary", Line: 8, Column: 14, Binary: true},
		{Index: 2, Type: "receive", Opcode: 2, Data: "not base64!", Line: 9, Column: 46, BadBase64: true},
		{Index: 4, Type: "send", Opcode: 9},
	}
	for i := range want {
		if fs[i] != want[i] {
			t.Errorf("frame %d = %+v\n        want %+v", i, fs[i], want[i])
		}
	}
	if es[0].Request.URL != "wss://rt.example.test/socket" || es[0].Response.Status != 101 {
		t.Errorf("entry = %+v", es[0])
	}
}

// A long session's frames come in batches, so that memory does not grow
// with the session; every frame arrives once, in order, and the entry
// itself comes last.
func TestWebSocketBatches(t *testing.T) {
	const n = 3000
	data := strings.Repeat("x", 4096)
	var b strings.Builder
	b.WriteString(`{"log": {"entries": [{"request": {"method": "GET", "url": "wss://rt.example.test/s"}, "_webSocketMessages": [`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type": "receive", "opcode": 1, "data": "%d %s"}`, i, data)
	}
	b.WriteString(`], "response": {"status": 101}}, {"request": {"url": "https://rt.example.test/next"}}]}}`)
	es := readString(t, b.String())
	next := 0
	parts := 0
	for i, e := range es[:len(es)-2] {
		if !e.FramesOnly || e.Index != 0 || e.Request.URL != "wss://rt.example.test/s" {
			t.Fatalf("part %d: FramesOnly %v, index %d, url %q", i, e.FramesOnly, e.Index, e.Request.URL)
		}
		parts++
	}
	last := es[len(es)-2]
	if last.FramesOnly || last.Index != 0 || last.Response.Status != 101 {
		t.Fatalf("the entry itself: %+v", last)
	}
	if es[len(es)-1].Index != 1 || es[len(es)-1].FramesOnly {
		t.Fatalf("next entry: %+v", es[len(es)-1])
	}
	if parts < 2 {
		t.Fatalf("%d batches: the frames were not batched", parts+1)
	}
	for _, e := range es[:len(es)-1] {
		size := 0
		for _, f := range e.Frames {
			if f.Index != next || !strings.HasPrefix(f.Data, fmt.Sprint(next)+" ") {
				t.Fatalf("frame %d arrived as %d", next, f.Index)
			}
			next++
			size += len(f.Data)
		}
		if size > FrameBatchBytes+len(data)+16 {
			t.Errorf("a batch holds %d bytes of frames, more than %d", size, FrameBatchBytes)
		}
	}
	if next != n {
		t.Errorf("%d frames read, want %d", next, n)
	}
}

// Size alone does not prove a body was cut: tools count it differently.
func TestTruncatedNeedsEvidence(t *testing.T) {
	page := "<!DOCTYPE html>\n<html><body>hello</body></HTML>\n"
	tests := []struct {
		name      string
		text      string
		size      int
		comment   string
		truncated bool
	}{
		{"whole JSON, larger size (compressed/decoded counts)", `{"a": [1, 2], "b": "c"}`, 500, "", false},
		{"whole JSON array with an anti-XSSI prefix", ")]}'\n[1, 2]", 500, "", false},
		{"whole HTML page, larger size (Fiddler drops whitespace)", page, len(page) + 26, "", false},
		{"JSON cut short", `{"a": [1, 2], "b": "c`, 500, "", true},
		{"HTML cut short", "<html><body>hel", 500, "", true},
		{"script, larger size", "var a = 1;", 500, "", true},
		{"whole JSON, but the tool says it truncated it", `{"a": 1}`, 500, "Response truncated at 1 MiB", true},
		{"size equal to the text", "var a = 1;", 10, "", false},
		{"script a few bytes short (Fiddler and IE count size so)", strings.Repeat("var a = 1;\n", 45), 505, "", false},
		{"script a few bytes short, at a KiB limit", strings.Repeat("x", 2048), 2048 + 12, "", true},
		{"script far short", strings.Repeat("var a = 1;\n", 45), 495 + 65, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			content, _ := json.Marshal(map[string]any{"size": tt.size, "text": tt.text, "comment": tt.comment})
			es := readString(t, `{"log": {"entries": [{"response": {"status": 200, "content": `+string(content)+`}}]}}`)
			if b := es[0].Response.Body; b.Truncated != tt.truncated || b.Missing {
				t.Errorf("Truncated = %v, Missing = %v; want Truncated %v", b.Truncated, b.Missing, tt.truncated)
			}
		})
	}
}

func TestBodiless(t *testing.T) {
	tests := []struct {
		method, url string
		status      int
		content     string // "" for none
		bodiless    bool
	}{
		{"GET", "https://a.test/", 204, `{"size": -1}`, true},
		{"GET", "https://a.test/", 304, `{"size": 893, "mimeType": "text/html"}`, true},
		{"GET", "wss://a.test/ws", 101, `{"size": 0}`, true},
		{"GET", "https://a.test/", 103, `{}`, true},
		{"HEAD", "https://a.test/", 200, `{"size": 1024}`, true},
		{"GET", "https://a.test/", 301, `{"size": -1}`, true},
		{"GET", "https://a.test/", 302, `{"size": 0}`, true},
		{"GET", "https://a.test/", 307, ``, true},
		{"GET", "https://a.test/", 0, `{}`, true},
		{"", "data:text/css,body%7b%7d", 200, `{"size": -1}`, true},
		{"GET", "https://a.test/", 301, `{"size": 325, "mimeType": "text/html"}`, false},
		{"GET", "https://a.test/", 200, `{"size": 10}`, false},
		{"GET", "https://a.test/", 404, `{"size": 232}`, false},
		{"POST", "https://a.test/", 201, `{"size": -1}`, false},
	}
	for _, tt := range tests {
		content := ""
		if tt.content != "" {
			content = `, "content": ` + tt.content
		}
		in := fmt.Sprintf(`{"log": {"entries": [{"request": {"method": %q, "url": %q}, "response": {"status": %d%s}}]}}`, tt.method, tt.url, tt.status, content)
		es := readString(t, in)
		if got := es[0].Bodiless(); got != tt.bodiless {
			t.Errorf("%s %s → %d %s: Bodiless = %v, want %v", tt.method, tt.url, tt.status, tt.content, got, tt.bodiless)
		}
	}
}
