package capture

import (
	"encoding/json"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/scanner/har"
)

// Real HAR files from public projects (testdata/README.md names each
// one's source, commit and licence), scanned as a member: exactly these
// findings, no nonce or trace header reported, no coverage gap but the
// two true ones.
func TestPublicCaptures(t *testing.T) {
	const dir = captures + "public/"
	tests := []struct {
		file    string
		entries int
		frames  int      // WebSocket frames read
		want    []string // rule part field, sorted
	}{
		// three handshakes (101, no body) with Sec-WebSocket-Key; frames
		// in _webSocketMessages; the API key in the URL (replaced by a
		// fake) is the one finding
		{"mitmproxy-websocket.har", 3, 5, []string{"generic-api-key query api_key"}},
		// Chrome: a 304 whose text is larger than its size, a request
		// without response (status 0)
		{"mitmproxy-chrome.har", 3, 0, nil},
		{"mitmproxy-head-content-length.har", 1, 0, nil}, // HEAD, size 0
		{"mitmproxy-incomplete-log.har", 4, 0, nil},      // no response at all (status 0)
		{"playwright-har-redirect.har", 3, 0, nil},       // 301s with size -1
		{"playwright-har-fulfill.har", 5, 0, nil},        // a 301 with size -1
		// content._file: the body is in a file beside the capture, not in it
		{"playwright-har-sha1.har", 1, 0, []string{"capture-coverage-gap response-body "}},
		// Firefox 47: a page body with size 6274 and empty text
		{"harviewer-issue-23-ff47.har", 3, 0, []string{"capture-coverage-gap response-body "}},
		{"harviewer-issue-49-ff47.har", 3, 0, nil}, // requests that got no response
		{"harviewer-from-cache.har", 1, 0, nil},    // a 304 served from the cache, with its body
		{"harviewer-data-url.har", 1, 0, nil},      // a data: URL, status 1, size -1
		// Fiddler/IE11: a page and a script whose size is 26 and 12 bytes
		// larger than their complete text; a 304
		{"harviewer-issue-61-ie11-fiddler-excerpt.har", 3, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := scan(t, []Input{{Path: dir + tt.file, Role: "member"}})
			var got []string
			for _, f := range res.Findings {
				got = append(got, f.RuleID+" "+f.Capture.Part+" "+f.Capture.Field)
				if (f.Capture.Part == PartRequestHeader || f.Capture.Part == PartResponseHeader) && NonSecretHeader(f.Capture.Field) {
					t.Errorf("%s reported in the %s header %s", f.RuleID, f.Capture.Part, f.Capture.Field)
				}
				if f.RuleID == RuleCoverageGap && strings.Contains(f.Message, "cut short") {
					t.Errorf("a false 'cut short': %s", f.Capture.Endpoint())
				}
			}
			sort.Strings(got)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if res.Entries != tt.entries {
				t.Errorf("%d entries, want %d", res.Entries, tt.entries)
			}
			if n := countFrames(t, dir+tt.file); n != tt.frames {
				t.Errorf("%d WebSocket frames read, want %d", n, tt.frames)
			}
		})
	}
}

// The fake that replaced PieSocket's public demo key in
// mitmproxy-websocket.har is what the finding is about.
func TestPublicWebSocketKeyIsTheFake(t *testing.T) {
	fake := fakecred.NotifyToken("public/piesocket-demo-key")[:40]
	res := scan(t, []Input{{Path: captures + "public/mitmproxy-websocket.har"}})
	if len(res.Findings) != 1 || res.Findings[0].SecretSHA256 != finding.SecretHash(fake) {
		t.Fatalf("want one finding, of the fake key (%s)", finding.SecretHash(fake))
	}
	if out, _ := json.Marshal(res.Findings); strings.Contains(string(out), fake) {
		t.Error("the key's raw value is in the findings")
	}
	if n := len(res.Findings[0].Occurrences); n != 2 {
		t.Errorf("%d occurrences, want 2 (the two handshakes that send it)", n)
	}
}

func countFrames(t *testing.T, path string) int {
	t.Helper()
	r, err := har.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		e, err := r.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
		n += len(e.Frames)
	}
}
