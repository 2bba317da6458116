package har

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const dir = "../../testdata/har"

func readAll(t *testing.T, name string) []*Entry {
	t.Helper()
	r, err := Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []*Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, e)
	}
}

func field(fs []Field, name string) (Field, bool) {
	for _, f := range fs {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

func TestChrome(t *testing.T) {
	for _, name := range []string{"chrome.har", "chrome.har.gz"} {
		t.Run(name, func(t *testing.T) {
			es := readAll(t, name)
			if len(es) != 2 {
				t.Fatalf("got %d entries, want 2", len(es))
			}
			e := es[0]
			if e.Index != 0 || e.Line != 20 || es[1].Index != 1 || es[1].Line != 135 {
				t.Errorf("index/line = %d/%d, %d/%d; want 0/20, 1/135", e.Index, e.Line, es[1].Index, es[1].Line)
			}
			q := e.Request
			if q.Method != "POST" || q.HTTPVersion != "http/2.0" || !strings.HasSuffix(q.URL, "/token?debug=false") {
				t.Errorf("request line = %q %q %q", q.Method, q.URL, q.HTTPVersion)
			}
			if f, _ := field(q.Headers, ":authority"); f.Value != "api.example.test" || f.Line != 47 {
				t.Errorf(":authority = %+v", f)
			}
			if f, _ := field(q.Headers, ":path"); f.Value != "/v2/channels/1234567890/token?debug=false" {
				t.Errorf(":path = %+v", f)
			}
			want := Field{"authorization", "Bearer FAKE-TOKEN-FOR-TESTS-chrome-request", 59, 24}
			if f, _ := field(q.Headers, "authorization"); f != want {
				t.Errorf("authorization = %+v, want %+v", f, want)
			}
			if want := []Field{{"session", "FAKE-TOKEN-FOR-TESTS-chrome-cookie", 75, 24}}; !reflect.DeepEqual(q.Cookies, want) {
				t.Errorf("cookies = %+v", q.Cookies)
			}
			if want := []Field{{"debug", "false", 69, 24}}; !reflect.DeepEqual(q.Query, want) {
				t.Errorf("query = %+v", q.Query)
			}
			if b := q.Body; b == nil || b.Text != `{"grant_type":"client_credentials","scope":"bot"}` || b.Line != 88 || b.Missing || b.Truncated {
				t.Errorf("postData = %+v", b)
			}
			p := e.Response
			if p.Status != 200 || len(p.Headers) != 2 || p.Headers[1].Line != 102 {
				t.Errorf("response = %+v", p)
			}
			b := p.Body
			if b == nil || b.Text != `{"access_token":"FAKE-TOKEN-FOR-TESTS-chrome-response","expires_in":2592000}` ||
				b.Line != 110 || b.Missing || b.Truncated || b.BadBase64 || b.Size != 76 {
				t.Errorf("content = %+v", b)
			}
			// 204 with size 0 and no text: not a coverage gap.
			if b := es[1].Response.Body; b == nil || b.Missing || b.Truncated || es[1].Response.Status != 204 {
				t.Errorf("204 content = %+v", b)
			}
		})
	}
}

func TestFirefox(t *testing.T) {
	es := readAll(t, "firefox.har")
	if len(es) != 2 {
		t.Fatalf("got %d entries", len(es))
	}
	if b := es[0].Response.Body; b == nil || !b.Missing || b.Truncated || b.Comment != "Response bodies are not included." || b.Line != 0 {
		t.Errorf("comment-only content = %+v", b)
	}
	if es[0].Request.Body != nil {
		t.Errorf("GET has a body: %+v", es[0].Request.Body)
	}
	b := es[1].Response.Body
	if b == nil || b.Missing || !b.Truncated || b.Line != 103 || !strings.Contains(b.Text, "FAKE-TOKEN-FOR-TESTS-firefox-truncated") {
		t.Errorf("truncated content = %+v", b)
	}
}

func TestFiddler(t *testing.T) {
	es := readAll(t, "fiddler.har") // starts with a BOM, numbers as strings
	if len(es) != 1 {
		t.Fatalf("got %d entries", len(es))
	}
	e := es[0]
	if e.Line != 1 || e.Response.Status != 200 || e.Response.StatusText != "OK" {
		t.Errorf("entry = %+v", e)
	}
	if want := []Field{{"csrf", "FAKE-TOKEN-FOR-TESTS-fiddler-cookie", 1, 376}}; !reflect.DeepEqual(e.Request.Cookies, want) {
		t.Errorf("cookies = %+v", e.Request.Cookies)
	}
	b := e.Request.Body
	if b == nil || !strings.HasSuffix(b.Text, "client_secret=FAKE-TOKEN-FOR-TESTS-fiddler-form") || len(b.Params) != 3 ||
		b.Params[2] != (Field{"client_secret", "FAKE-TOKEN-FOR-TESTS-fiddler-form", 1, 932}) {
		t.Errorf("postData = %+v", b)
	}
	if b := e.Response.Body; b == nil || b.Size != 64 || b.Missing || b.Truncated {
		t.Errorf("content = %+v", b)
	}
}

func TestMitmproxyZlib(t *testing.T) {
	es := readAll(t, "mitmproxy.zhar")
	if len(es) != 1 {
		t.Fatalf("got %d entries", len(es))
	}
	if f, _ := field(es[0].Request.Headers, "Authorization"); f.Value != "Bearer FAKE-TOKEN-FOR-TESTS-mitmproxy" {
		t.Errorf("authorization = %+v", f)
	}
	if b := es[0].Response.Body; b == nil || b.Text != "{\"displayName\":\"Q\"}\n" || b.Truncated {
		t.Errorf("content = %+v", b)
	}
}

func TestShapes(t *testing.T) {
	es := readAll(t, "shapes.har")
	if len(es) != 3 {
		t.Fatalf("got %d entries", len(es))
	}
	q := es[0].Request
	if want := []Field{{"Host", "api.example.test", 12, 22}, {"X-Api-Key", "FAKE-TOKEN-FOR-TESTS-pair-header", 13, 27}}; !reflect.DeepEqual(q.Headers, want) {
		t.Errorf("pair headers = %+v", q.Headers)
	}
	if want := []Field{{"sid", "FAKE-TOKEN-FOR-TESTS-pair-cookie", 15, 31}}; !reflect.DeepEqual(q.Cookies, want) {
		t.Errorf("pair cookies = %+v", q.Cookies)
	}
	p := es[0].Response
	if p.Status != 401 || p.Headers != nil || p.Body == nil || p.Body.Missing || p.Body.Truncated {
		t.Errorf("response = %+v / %+v", p, p.Body)
	}
	q = es[1].Request
	if want := []Field{{"Content-Type", "application/x-www-form-urlencoded", 29, 39}, {"X-Count", "2", 29, 87}}; !reflect.DeepEqual(q.Headers, want) {
		t.Errorf("object headers = %+v", q.Headers)
	}
	if b := q.Body; b == nil || b.Missing || len(b.Params) != 3 || b.Params[1] != (Field{"password", "FAKE-TOKEN-FOR-TESTS-param", 34, 45}) || b.Params[2].Name != "avatar" {
		t.Errorf("params = %+v", b)
	}
	p = es[1].Response
	if want := []Field{{"sid", "FAKE-TOKEN-FOR-TESTS-object-cookie", 42, 62}}; p.Status != 302 || !reflect.DeepEqual(p.Cookies, want) {
		t.Errorf("response = %+v", p)
	}
	if b := p.Body; b == nil || !b.BadBase64 || b.Text != "not base64!" {
		t.Errorf("bad base64 = %+v", b)
	}
	if es[2].Request.Headers != nil || es[2].Response.Body != nil {
		t.Errorf("absent headers/null content = %+v", es[2])
	}
}

func TestTruncatedFile(t *testing.T) {
	r, err := Open(filepath.Join(dir, "truncated.har"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	_, err = r.Next()
	want := "truncated.har: line 136 (byte 3916): log.entries[1]: unexpected end of file"
	if err == nil || !strings.HasSuffix(err.Error(), want) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want …%s", err, want)
	}
	if _, err2 := r.Next(); err2 != err {
		t.Errorf("error not sticky: %v", err2)
	}
}

func TestNotHAR(t *testing.T) {
	tests := []struct {
		in, want string
		notHAR   bool // the file is not a HAR at all, rather than a broken one
	}{
		{"", "x.har: not a HAR capture (the file is empty; line 1, byte 0)", true},
		{"hello", "x.har: not a HAR capture (not JSON: invalid character 'h' at start of value; line 1, byte 0)", true},
		{"# notes\n", "x.har: not a HAR capture (not JSON: invalid character '#' at start of value; line 1, byte 0)", true},
		{"onInputData({\"log\": {}})", "x.har: not a HAR capture (not JSON: invalid character 'o' at start of value; line 1, byte 0)", true},
		{"[1,2]", "x.har: not a HAR capture (the file is an array, not an object; line 1, byte 0)", true},
		{"{\"a\": 1,\n\"b\": {}}", "x.har: not a HAR capture (no log; line 2, byte 16)", true},
		{`{"log": []}`, `x.har: not a HAR capture (log is an array, not an object; line 1, byte 8)`, true},
		{`{"log": {"version": "1.2"}}`, `x.har: not a HAR capture (log has no entries; line 1, byte 25)`, true},
		{`{"log": {"entries": {}}}`, `x.har: not a HAR capture (log.entries is an object, not an array; line 1, byte 20)`, true},
		{"{\"log\": {\"entries\": [{},\n\n  \"x\"]}}", `x.har: line 3 (byte 28): log.entries[1]: entry is a string, not an object`, false},
		{"{\"log\": {\"entries\": [{\"request\": {\"headers\": [{\"name\": \"a\"", `x.har: line 1 (byte 58): log.entries[0].request.headers[0]: unexpected end of file`, false},
		{"{\"log\": {\"entries\": [{\"_webSocketMessages\": [{\"data\": \"a\"}, {\"data\": ", `x.har: line 1 (byte 69): log.entries[0]._webSocketMessages[1]: unexpected end of file`, false},
		{"{\"log\": {\"entries\": []}} x", `x.har: line 1 (byte 25): invalid character 'x' at start of value`, false},
		{"\xef\xbb\xbf{\"log\": {\"entries\": [1]}}", `x.har: line 1 (byte 24): log.entries[0]: entry is a number, not an object`, false},
	}
	for _, tt := range tests {
		r, err := NewReader(strings.NewReader(tt.in), "x.har")
		if err != nil {
			t.Fatal(err)
		}
		for err == nil {
			_, err = r.Next()
		}
		if err == io.EOF || err.Error() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.in, err, tt.want)
		}
		var he *Error
		if err != io.EOF && !errors.As(err, &he) {
			t.Errorf("%q: %T is not *Error", tt.in, err)
		} else if he != nil && he.NotHAR != tt.notHAR {
			t.Errorf("%q: NotHAR = %v, want %v", tt.in, he.NotHAR, tt.notHAR)
		}
	}
}

func TestOpenMissing(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "nope.har"))
	if err == nil || strings.Count(err.Error(), "nope.har") != 1 {
		t.Errorf("err = %v", err)
	}
}

func TestBase64CutShort(t *testing.T) {
	full := "FAKE-TOKEN-FOR-TESTS-base64-cut-short-body"
	enc := base64.StdEncoding.EncodeToString([]byte(full))
	in := fmt.Sprintf(`{"log": {"entries": [
		{"response": {"content": {"size": %d, "encoding": "base64", "text": %q}}},
		{"response": {"content": {"encoding": "base64", "text": %q}}}]}}`, len(full), enc[:len(enc)-7], enc[:len(enc)-7])
	r, _ := NewReader(strings.NewReader(in), "cut.har")
	e, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if b := e.Response.Body; !b.Truncated || b.BadBase64 || !strings.HasPrefix(full, b.Text) || len(b.Text) < len(full)-6 {
		t.Errorf("cut base64 = %+v", b)
	}
	// Without a size, nothing says the body was cut: keep the text as is.
	e, err = r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if b := e.Response.Body; !b.BadBase64 || b.Text != enc[:len(enc)-7] {
		t.Errorf("cut base64 without size = %+v", b)
	}
}

func TestTruncatedGzip(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(dir, "chrome.har.gz"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(bytes.NewReader(b[:len(b)/2]), "cut.har.gz")
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = r.Next()
	}
	var he *Error
	if !errors.As(err, &he) || !errors.Is(err, io.ErrUnexpectedEOF) || !strings.HasPrefix(err.Error(), "cut.har.gz: line ") {
		t.Errorf("err = %v", err)
	}
	if _, err := NewReader(bytes.NewReader([]byte{0x1f, 0x8b, 9}), "bad.gz"); err == nil || !strings.HasPrefix(err.Error(), "bad.gz: line 1 (byte 0): gzip: ") {
		t.Errorf("bad gzip header: %v", err)
	}
}
