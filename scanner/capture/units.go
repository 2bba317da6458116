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
	line       int       // line of the HAR file
	body       *har.Body // for body units
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
}

func (f *fragment) add(u unit, text string) {
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
	req := &fragment{}
	req.add(unit{part: PartURL, line: q.URLLine}, q.Method+" "+q.URL)
	for _, h := range q.Headers {
		req.add(unit{part: PartRequestHeader, name: h.Name, line: h.Line}, h.Name+": "+h.Value)
	}
	for _, c := range q.Cookies {
		req.add(unit{part: PartCookie, name: c.Name, line: c.Line}, c.Name+"="+c.Value)
	}
	for _, v := range q.Query {
		req.add(unit{part: PartQuery, name: v.Name, line: v.Line}, v.Name+"="+v.Value)
	}
	out := []*fragment{req}
	if b := q.Body; b != nil {
		if b.Text != "" {
			f := &fragment{}
			f.add(unit{part: PartRequestBody, line: b.Line, body: b}, b.Text)
			out = append(out, f)
		}
		if len(b.Params) > 0 {
			f := &fragment{}
			for _, v := range b.Params {
				f.add(unit{part: PartRequestBody, name: v.Name, line: v.Line}, v.Name+"="+v.Value)
			}
			out = append(out, f)
		}
	}
	resp := &fragment{}
	for _, h := range p.Headers {
		resp.add(unit{part: PartResponseHeader, name: h.Name, line: h.Line}, h.Name+": "+h.Value)
	}
	for _, c := range p.Cookies {
		resp.add(unit{part: PartSetCookie, name: c.Name, line: c.Line}, c.Name+"="+c.Value)
	}
	if len(resp.units) > 0 {
		out = append(out, resp)
	}
	if b := p.Body; b != nil && b.Text != "" {
		f := &fragment{}
		f.add(unit{part: PartResponseBody, line: b.Line, body: b}, b.Text)
		out = append(out, f)
	}
	return out
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
