package capture

import (
	"encoding/base64"
	"testing"

	"github.com/channelguard/channelguard/scanner/har"
)

func TestMediaBody(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
	for _, c := range []struct {
		mime, text string
		want       bool
	}{
		{"image/png", png, true},
		{"IMAGE/PNG; charset=binary", png, true},
		{"font/woff2", "wOF2\x00\x01\x00\x00", true},
		{"application/font-woff", "wOFF\x00\x01", true},
		{"application/vnd.ms-fontobject", "\x00\x00\x01", true},
		{"audio/mpeg", "ID3\x04\x00", true},
		{"video/mp4", "\x00\x00\x00\x18ftypmp42", true},
		{"image/svg+xml", "<svg xmlns='http://www.w3.org/2000/svg'/>", false}, // text
		{"image/png", "not really a png", false},                              // no NUL: scanned
		{"application/octet-stream", png, false},                              // not media: scanned
		{"application/x-protobuf", "\x0a\x00token", false},
		{"", png, false},
	} {
		if got := MediaBody(&har.Body{MimeType: c.mime, Text: c.text}); got != c.want {
			t.Errorf("MediaBody(%q, %q) = %v, want %v", c.mime, c.text, got, c.want)
		}
	}
}

// Binary media bodies are not scanned; the same value in a text image, a
// mislabelled text body or a binary body of another type is.
func TestMediaBodiesNotScanned(t *testing.T) {
	binary := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\nLINE_CHANNEL_ACCESS_TOKEN=" + token + "\n"
	text := "LINE_CHANNEL_ACCESS_TOKEN=" + token + "\n"
	b64 := func(s string) map[string]any {
		return map[string]any{"size": len(s), "encoding": "base64", "text": base64.StdEncoding.EncodeToString([]byte(s))}
	}
	with := func(content map[string]any, mime string) map[string]any {
		content["mimeType"] = mime
		return content
	}
	entries := []map[string]any{
		exchange("GET", "https://cdn.example.test/logo.png", 200, nil, nil, with(b64(binary), "image/png")),
		exchange("GET", "https://cdn.example.test/font.woff2", 200, nil, nil, with(b64(binary), "font/woff2")),
		exchange("GET", "https://cdn.example.test/icon.svg", 200, nil, nil, with(map[string]any{"size": len(text), "text": "<svg><!-- " + text + " --></svg>"}, "image/svg+xml")),
		exchange("GET", "https://cdn.example.test/fake.png", 200, nil, nil, with(map[string]any{"size": len(text), "text": text}, "image/png")),
		exchange("GET", "https://cdn.example.test/blob", 200, nil, nil, with(b64(binary), "application/octet-stream")),
	}
	res := scan(t, []Input{{Path: rawHAR(t, "media.har", entries...)}})
	got := map[int]bool{}
	for _, f := range res.Findings {
		for _, o := range f.Occurrences {
			if o.Capture != nil {
				got[o.Capture.Entry] = true
			}
		}
	}
	for i, want := range []bool{false, false, true, true, true} {
		if got[i] != want {
			t.Errorf("entry %d (%s): reported %v, want %v", i, entries[i]["request"].(map[string]any)["url"], got[i], want)
		}
	}
}
