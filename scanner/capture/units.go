package capture

import (
	"net/url"
	"sort"
	"strings"

	"github.com/channelguard/channelguard/scanner/har"
)

// Parts of an HTTP exchange a finding can stand in.
const (
	PartURL            = "url"
	PartQuery          = "query"
	PartRequestHeader  = "request-header"
	PartCookie         = "cookie"
	PartRequestBody    = "request-body"
	PartResponseHeader = "response-header"
	PartSetCookie      = "set-cookie"
	PartResponseBody   = "response-body"
)

// unit is one thing a fragment line belongs to: a header, a cookie, a
// query parameter, the URL, or a whole body.
type unit struct {
	part, name string
	line, col  int       // line and column of the HAR file where its value starts
	body       *har.Body // for body units
	// text is what the detector reads for the unit; the file's JSON
	// string value is text[valueAt:] ("Name: " before a header's value).
	text    string
	valueAt int
}

// fragment is text for the detector plus, for each of its lines, the unit
// that line came from. Several units share a fragment so that a header
// block is scanned the way a file is (one detector call, not one per
// header).
type fragment struct {
	b     strings.Builder
	lines int // lines written so far
	units []unit
	// starts[i] is the first fragment line (0-based) of units[i].
	starts []int
	// nonces: the fragment holds only headers whose values are random by
	// design and no credential (see NonSecretHeader); generic rules'
	// findings in it are not believed.
	nonces bool
}

func (f *fragment) add(u unit, text string) {
	u.text = text
	if len(f.units) > 0 {
		f.b.WriteByte('\n')
	}
	f.units = append(f.units, u)
	f.starts = append(f.starts, f.lines)
	f.b.WriteString(text)
	f.lines += strings.Count(text, "\n") + 1
}

func (f *fragment) text() string { return f.b.String() }

// at is the unit that fragment line (0-based) belongs to.
func (f *fragment) at(line int) unit {
	i := sort.Search(len(f.starts), func(i int) bool { return f.starts[i] > line }) - 1
	return f.units[max(i, 0)]
}

// fragments splits an entry into what the detector reads: the request line
// with headers, cookies and query parameters; the request body and its
// form parameters; the response headers and cookies; the response body.
func fragments(e *har.Entry) []*fragment {
	q, p := &e.Request, &e.Response
	req, nonces := &fragment{}, &fragment{nonces: true}
	header := func(f *fragment, part string, h har.Field) {
		if NonSecretHeader(h.Name) {
			f = nonces
		}
		f.add(unit{part: part, name: h.Name, line: h.Line, col: h.Column, valueAt: len(h.Name) + 2}, h.Name+": "+h.Value)
	}
	req.add(unit{part: PartURL, line: q.URLLine, col: q.URLColumn, valueAt: len(q.Method) + 1}, q.Method+" "+q.URL)
	for _, h := range q.Headers {
		header(req, PartRequestHeader, h)
	}
	for _, c := range q.Cookies {
		req.add(unit{part: PartCookie, name: c.Name, line: c.Line, col: c.Column, valueAt: len(c.Name) + 1}, c.Name+"="+c.Value)
	}
	for _, v := range q.Query {
		req.add(unit{part: PartQuery, name: v.Name, line: v.Line, col: v.Column, valueAt: len(v.Name) + 1}, v.Name+"="+v.Value)
	}
	out := []*fragment{req}
	if b := q.Body; b != nil {
		if b.Text != "" && !MediaBody(b) {
			f := &fragment{}
			f.add(unit{part: PartRequestBody, line: b.Line, col: b.Column, body: b}, b.Text)
			out = append(out, f)
		}
		if len(b.Params) > 0 {
			f := &fragment{}
			for _, v := range b.Params {
				f.add(unit{part: PartRequestBody, name: v.Name, line: v.Line, col: v.Column, valueAt: len(v.Name) + 1}, v.Name+"="+v.Value)
			}
			out = append(out, f)
		}
	}
	resp := &fragment{}
	for _, h := range p.Headers {
		header(resp, PartResponseHeader, h)
	}
	for _, c := range p.Cookies {
		resp.add(unit{part: PartSetCookie, name: c.Name, line: c.Line, col: c.Column, valueAt: len(c.Name) + 1}, c.Name+"="+c.Value)
	}
	if len(resp.units) > 0 {
		out = append(out, resp)
	}
	if b := p.Body; b != nil && b.Text != "" && !MediaBody(b) {
		f := &fragment{}
		f.add(unit{part: PartResponseBody, line: b.Line, col: b.Column, body: b}, b.Text)
		out = append(out, f)
	}
	if len(nonces.units) > 0 {
		out = append(out, nonces)
	}
	return out
}

// nonSecretHeaders are headers whose values are random or unique by
// design and are no credential: WebSocket handshake nonces (RFC 6455
// §4.2.2: the key is 16 random bytes, the accept value a SHA-1 of it),
// entity tags, and request and trace ids that servers, proxies and CDNs
// add to every exchange. A generic rule (generic-api-key) fires on their
// shape, not on their meaning, so its findings there are dropped; a rule
// for a known kind of credential (a LINE token, an AWS key) is still
// believed in them. Kept short on purpose: a header is added only when it
// is defined or documented as an id or a nonce.
var nonSecretHeaders = map[string]bool{
	"sec-websocket-key":     true, // RFC 6455
	"sec-websocket-accept":  true, // RFC 6455
	"etag":                  true, // RFC 9110 §8.8.3
	"if-none-match":         true, // carries ETags back
	"if-match":              true, // carries ETags back
	"x-request-id":          true, // Heroku, Rails, nginx, many frameworks
	"x-correlation-id":      true,
	"request-id":            true, // Azure, Stripe
	"traceparent":           true, // W3C Trace Context
	"tracestate":            true, // W3C Trace Context
	"x-amzn-trace-id":       true, // AWS X-Ray, ALB
	"x-amzn-requestid":      true, // AWS API Gateway, Lambda
	"x-amz-request-id":      true, // S3
	"x-amz-cf-id":           true, // CloudFront
	"x-cloud-trace-context": true, // Google Cloud
	"cf-ray":                true, // Cloudflare
	"x-github-request-id":   true,
	"x-b3-traceid":          true, // Zipkin B3
	"x-b3-spanid":           true, // Zipkin B3
}

// NonSecretHeader reports whether a header (any case) is a protocol nonce,
// entity tag, request id or trace id: random by design, and no secret.
func NonSecretHeader(name string) bool {
	return nonSecretHeaders[strings.ToLower(strings.TrimSpace(name))]
}

// MediaBody reports whether b is an image, font, audio or video body in
// binary form (a NUL byte in its first 8,000 bytes, git's test for a
// binary file): it is not scanned for secrets, as gitleaks and git leave
// binary files alone, and no rule's pattern lives in compressed pixels or
// glyphs. Such bodies are a fifth or more of a browser capture's bytes.
// Text media (SVG, a data: URL kept as text) and every other type are
// scanned whatever they hold.
func MediaBody(b *har.Body) bool {
	mt, _, _ := strings.Cut(b.MimeType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	switch {
	case strings.HasPrefix(mt, "image/"), strings.HasPrefix(mt, "font/"),
		strings.HasPrefix(mt, "audio/"), strings.HasPrefix(mt, "video/"),
		strings.HasPrefix(mt, "application/font-"), strings.HasPrefix(mt, "application/x-font-"),
		mt == "application/vnd.ms-fontobject":
	default:
		return false
	}
	return strings.IndexByte(b.Text[:min(len(b.Text), 8000)], 0) >= 0
}

// column is where u.text[i:] stands in the HAR file: inside the JSON
// string that holds it, so that a one-line capture (Playwright writes
// compact JSON) still points at the value.
func (u unit) column(i int) int {
	if u.col == 0 || i < u.valueAt || i > len(u.text) {
		return u.col
	}
	return u.col + 1 + encodedLen(u.text[u.valueAt:i])
}

// encodedLen is the length of s written as a JSON string's content the way
// browsers write it (JSON.stringify): quote, backslash and control
// characters escaped, everything else as UTF-8.
func encodedLen(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t':
			n += 2
		case c < 0x20:
			n += 6
		default:
			n++
		}
	}
	return n
}

// endpoint is an entry's request reduced to what identifies the API call
// without any value that could be a secret: scheme, host and path.
type endpoint struct {
	method, origin, path string
}

func parseEndpoint(q *har.Request) endpoint {
	ep := endpoint{method: strings.ToUpper(q.Method)}
	u, err := url.Parse(q.URL)
	if err != nil {
		// Keep nothing of a URL that does not parse: it may hold anything.
		ep.path = "/"
		return ep
	}
	if u.Scheme != "" && u.Host != "" {
		ep.origin = u.Scheme + "://" + u.Host
	}
	ep.path = u.EscapedPath()
	if p, err := url.PathUnescape(ep.path); err == nil {
		ep.path = p
	}
	if ep.path == "" {
		ep.path = "/"
	}
	return ep
}

// resource is the request path as reports may show it: the path with any
// segment that looks like a credential replaced, so that a token in a URL
// path never reaches a report. Ids stay: they say which channel's secret
// to rotate.
func (ep endpoint) resource() string {
	segs := strings.Split(ep.path, "/")
	for i, s := range segs {
		if secretShaped(s) && !idLike.MatchString(s) {
			segs[i] = "{redacted}"
		}
	}
	return strings.Join(segs, "/")
}
