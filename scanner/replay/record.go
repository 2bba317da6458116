package replay

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), the fields
// this writer fills. Pretty-printed, as browsers export it, so that line
// numbers in findings point at one field.
type harFile struct {
	Log harLog `json:"log"`
}

type harLog struct {
	Version string     `json:"version"`
	Creator harCreator `json:"creator"`
	Comment string     `json:"comment,omitempty"`
	Entries []harEntry `json:"entries"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	Comment         string      `json:"comment,omitempty"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harCookie struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Path     string `json:"path,omitempty"`
	Domain   string `json:"domain,omitempty"`
	HTTPOnly bool   `json:"httpOnly,omitempty"`
	Secure   bool   `json:"secure,omitempty"`
}

type harRequest struct {
	Method      string      `json:"method"`
	URL         string      `json:"url"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []harCookie `json:"cookies"`
	Headers     []harNV     `json:"headers"`
	QueryString []harNV     `json:"queryString"`
	HeadersSize int         `json:"headersSize"`
	BodySize    int         `json:"bodySize"`
}

type harResponse struct {
	Status      int         `json:"status"`
	StatusText  string      `json:"statusText"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []harCookie `json:"cookies"`
	Headers     []harNV     `json:"headers"`
	Content     harContent  `json:"content"`
	RedirectURL string      `json:"redirectURL"`
	HeadersSize int         `json:"headersSize"`
	BodySize    int64       `json:"bodySize"`
	Comment     string      `json:"comment,omitempty"`
}

type harContent struct {
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
	Encoding string `json:"encoding,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

type harTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// record writes the exchanges that got an answer or failed as a HAR 1.2
// capture, in the capture's order. Every value of the lower role's headers
// is redacted wherever it stands; so are Set-Cookie values and response
// header values that look like credentials. Bodies are kept as served:
// they are what the lower role received, and what a rescan checks.
func record(p *Plan, xs []*exchange, opts *Options) ([]byte, error) {
	secrets := secretValues(opts.Headers)
	mine := map[string]bool{}
	for _, h := range opts.Headers {
		mine[strings.ToLower(h.Name)] = true
	}
	doc := harFile{Log: harLog{
		Version: "1.2",
		Creator: harCreator{Name: "channelguard replay", Version: opts.Version},
		Comment: fmt.Sprintf("%s (recorded as %s) replayed as %s against %s; credentials redacted", p.Capture, opts.Role, opts.As, p.Target),
		Entries: []harEntry{},
	}}
	for i, x := range xs {
		if x == nil {
			continue
		}
		r := p.Requests[i]
		e := harEntry{
			StartedDateTime: x.started.UTC().Format("2006-01-02T15:04:05.000Z"),
			Time:            ms(x.took),
			Comment:         fmt.Sprintf("entry %d of %s, replayed as %s", r.Entry, p.Capture, opts.As),
			Timings:         harTimings{Send: 0, Wait: ms(x.took), Receive: 0},
		}
		e.Request = harRequest{
			Method: r.Method, URL: r.URL, HTTPVersion: "HTTP/1.1",
			Cookies: []harCookie{}, Headers: []harNV{}, QueryString: []harNV{},
			HeadersSize: -1, BodySize: 0,
		}
		for _, name := range sortedKeys(x.sent) {
			for _, v := range x.sent[name] {
				switch {
				case strings.EqualFold(name, "Cookie"):
					e.Request.Headers = append(e.Request.Headers, harNV{name, redactCookieHeader(v)})
					for _, c := range strings.Split(v, ";") {
						if n, _, ok := strings.Cut(strings.TrimSpace(c), "="); ok {
							e.Request.Cookies = append(e.Request.Cookies, harCookie{Name: n, Value: redacted})
						}
					}
				case mine[strings.ToLower(name)] || credentialHeader(name, v):
					e.Request.Headers = append(e.Request.Headers, harNV{name, redacted})
				default:
					e.Request.Headers = append(e.Request.Headers, harNV{name, scrub(v, secrets)})
				}
			}
		}
		if u, err := url.Parse(r.URL); err == nil {
			q := u.Query()
			for _, n := range sortedKeys(q) {
				for _, v := range q[n] {
					e.Request.QueryString = append(e.Request.QueryString, harNV{n, v})
				}
			}
		}
		e.Response = harResponse{
			Status: x.status, StatusText: x.statusText, HTTPVersion: x.proto,
			Cookies: []harCookie{}, Headers: []harNV{}, HeadersSize: -1,
		}
		if x.err != nil {
			// No answer: HAR's convention for a failed request is status 0.
			e.Response.HTTPVersion = "HTTP/1.1"
			e.Response.Comment = "no answer: " + scrub(x.err.Error(), secrets)
			e.Response.Content = harContent{Size: 0, MimeType: "x-unknown"}
			doc.Log.Entries = append(doc.Log.Entries, e)
			continue
		}
		for _, name := range sortedKeys(x.header) {
			for _, v := range x.header[name] {
				switch {
				case strings.EqualFold(name, "Set-Cookie"):
					e.Response.Headers = append(e.Response.Headers, harNV{name, redactSetCookie(v)})
				case credentialHeader(name, v):
					e.Response.Headers = append(e.Response.Headers, harNV{name, redacted})
				case strings.EqualFold(name, "Location"), strings.EqualFold(name, "Content-Location"):
					e.Response.Headers = append(e.Response.Headers, harNV{name, redactedLocation(v)})
				default:
					e.Response.Headers = append(e.Response.Headers, harNV{name, scrub(v, secrets)})
				}
			}
		}
		for _, c := range (&http.Response{Header: x.header}).Cookies() {
			e.Response.Cookies = append(e.Response.Cookies, harCookie{Name: c.Name, Value: redacted, Path: c.Path, Domain: c.Domain, HTTPOnly: c.HttpOnly, Secure: c.Secure})
		}
		if x.location != "" {
			e.Response.RedirectURL = redactedLocation(x.location)
		}
		e.Response.Content = content(x, secrets)
		e.Response.BodySize = int64(len(x.body))
		doc.Log.Entries = append(doc.Log.Entries, e)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("record the replay: %w", err)
	}
	return buf.Bytes(), nil
}

func content(x *exchange, secrets []string) harContent {
	mt := x.header.Get("Content-Type")
	if mt == "" {
		mt = "x-unknown"
	}
	c := harContent{Size: int64(len(x.body)), MimeType: mt}
	text := string(x.body)
	if utf8.ValidString(text) && !binary(mt) {
		c.Text = scrub(text, secrets)
	} else {
		c.Text = base64.StdEncoding.EncodeToString(x.body)
		c.Encoding = "base64"
	}
	if x.truncated {
		c.Size = max(x.size, int64(len(x.body))+1)
		c.Comment = fmt.Sprintf("truncated by channelguard replay after %d bytes", len(x.body))
	}
	return c
}

func binary(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	for _, p := range []string{"image/", "audio/", "video/", "font/"} {
		if strings.HasPrefix(mt, p) {
			return true
		}
	}
	return mt == "application/octet-stream"
}

// redactedLocation is a redirect target without its query values or user
// info: a sign-in redirect often carries a return URL or a token.
func redactedLocation(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return redacted
	}
	return display(u)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
