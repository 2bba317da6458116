package replay

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/channelguard/channelguard/rules/policy"
	"github.com/channelguard/channelguard/scanner/capture"
	"github.com/channelguard/channelguard/scanner/har"
)

// Plan is what a replay will send: every entry of the capture, each either
// a request or a skip with its reason.
type Plan struct {
	Capture string
	// Primary is the capture's own origin (its page's, or the one most of
	// its credentials went to); Origins are every origin in scope: the
	// primary and those the same credentials were sent to.
	Primary string
	Origins []string
	// Target is the origin requests go to: Options.Target, or Primary.
	Target   string
	Requests []*Request
}

// Request is one entry of the capture and what a replay does with it.
type Request struct {
	Entry  int
	Method string
	// URL is where the request goes (rebased onto the target); Display is
	// it with credential-like path segments and query values redacted, the
	// only form that is ever printed.
	URL, Display string
	Template     string
	// Header is what the request carries from the capture: its own
	// credentials, transport and conditional headers removed. The lower
	// role's headers are added when it is sent.
	Header http.Header
	// Dropped names the capture's headers that are not sent.
	Dropped []string
	// Skip says why the request is not sent ("" when it is).
	Skip string
	// Duplicate is the entry this one repeats (same method and URL), or -1:
	// a repeat is sent once.
	Duplicate int

	captured summary
}

// Send is true for a request the replay sends.
func (r *Request) Send() bool { return r.Skip == "" && r.Duplicate < 0 }

// summary is what a capture entry's response holds, for comparison.
type summary struct {
	status  int
	hasBody bool // a body was captured in full
	json    bool
	fields  map[string]*field
	bodySum [32]byte
}

// field is one JSONPath (list indices as [*]) of a response: the hashes of
// its real values, and whether it also held an empty or masked value.
type field struct {
	values map[[32]byte]bool
	masked bool
}

func summarize(status int, b *har.Body) summary {
	s := summary{status: status}
	if b == nil || b.Missing || b.Truncated || b.BadBase64 {
		return s
	}
	s.hasBody = true
	s.bodySum = sha256.Sum256([]byte(b.Text))
	if doc, ok := capture.DecodeJSON(b.Text); ok {
		s.json = true
		s.fields = fieldsOf(doc)
	}
	return s
}

func fieldsOf(doc any) map[string]*field {
	out := map[string]*field{}
	for _, l := range policy.Flatten(doc) {
		p := capture.Wildcard(l.Path)
		f := out[p]
		if f == nil {
			f = &field{values: map[[32]byte]bool{}}
			out[p] = f
		}
		if policy.Masked(l.Value) {
			f.masked = true
			continue
		}
		f.values[sha256.Sum256([]byte(fmt.Sprint(l.Value)))] = true
	}
	return out
}

// entryInfo is what planning keeps of an entry.
type entryInfo struct {
	index      int
	started    time.Time
	method     string
	u          *url.URL
	rawURL     string
	headers    []har.Field
	sent       map[string]string // cookie name → value the request carried
	authz      string            // Authorization value
	setCookies []string
	html       bool
	stream     string // why the request never ends (a WebSocket, an event stream), or ""
	resp       summary
}

// plan reads the capture and decides, entry by entry, what to send.
func plan(ctx context.Context, opts *Options) (*Plan, error) {
	r, err := har.Open(opts.Capture)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var infos []*entryInfo
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		infos = append(infos, info(e))
	}
	if len(infos) == 0 {
		return nil, fmt.Errorf("%s: the capture has no entries", opts.Capture)
	}
	p := &Plan{Capture: opts.Capture}
	p.Primary = primaryOrigin(infos)
	if p.Primary == "" {
		return nil, fmt.Errorf("%s: no http or https request in the capture", opts.Capture)
	}
	p.Origins = scope(infos, p.Primary)
	p.Target = p.Primary
	if opts.target != nil {
		p.Target = origin(opts.target)
	}
	seen := map[string]int{}
	for _, in := range infos {
		req := p.request(in, opts)
		if req.Skip == "" {
			k := req.Method + " " + req.URL
			if first, ok := seen[k]; ok {
				req.Duplicate = first
			} else {
				seen[k] = req.Entry
			}
		}
		p.Requests = append(p.Requests, req)
	}
	return p, nil
}

func info(e *har.Entry) *entryInfo {
	in := &entryInfo{index: e.Index, method: strings.ToUpper(strings.TrimSpace(e.Request.Method)), rawURL: e.Request.URL, sent: map[string]string{}}
	in.started, _ = time.Parse(time.RFC3339Nano, e.Started)
	if in.started.IsZero() {
		in.started = time.Now()
	}
	if u, err := url.Parse(e.Request.URL); err == nil {
		in.u = u
	}
	in.headers = e.Request.Headers
	if u := in.u; u != nil && (strings.EqualFold(u.Scheme, "ws") || strings.EqualFold(u.Scheme, "wss")) {
		in.stream = "a WebSocket"
	}
	for _, h := range e.Request.Headers {
		switch strings.ToLower(h.Name) {
		case "upgrade":
			in.stream = "a protocol upgrade (" + h.Value + ")"
		case "accept":
			if strings.Contains(strings.ToLower(h.Value), "text/event-stream") {
				in.stream = "an event stream"
			}
		case "cookie":
			for _, c := range strings.Split(h.Value, ";") {
				if n, v, ok := strings.Cut(strings.TrimSpace(c), "="); ok {
					in.sent[n] = v
				}
			}
		case "authorization":
			in.authz = h.Value
		}
	}
	for _, c := range e.Request.Cookies {
		if _, ok := in.sent[c.Name]; !ok {
			in.sent[c.Name] = c.Value
		}
	}
	for _, h := range e.Response.Headers {
		if strings.EqualFold(h.Name, "Set-Cookie") {
			// some tools join several Set-Cookie headers with newlines
			for _, v := range strings.Split(h.Value, "\n") {
				if v = strings.TrimSpace(v); v != "" {
					in.setCookies = append(in.setCookies, v)
				}
			}
		}
		if strings.EqualFold(h.Name, "Content-Type") && strings.Contains(strings.ToLower(h.Value), "html") {
			in.html = true
		}
	}
	if len(in.setCookies) == 0 {
		for _, c := range e.Response.Cookies {
			in.setCookies = append(in.setCookies, c.Name+"="+c.Value)
		}
	}
	if b := e.Response.Body; b != nil && strings.Contains(strings.ToLower(b.MimeType), "html") {
		in.html = true
	}
	if b := e.Response.Body; b != nil && strings.Contains(strings.ToLower(b.MimeType), "event-stream") {
		in.stream = "an event stream"
	}
	if e.Response.Status == http.StatusSwitchingProtocols {
		in.stream = "a protocol upgrade"
	}
	in.resp = summarize(e.Response.Status, e.Response.Body)
	return in
}

func origin(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}

func web(u *url.URL) bool {
	if u == nil || u.Host == "" {
		return false
	}
	s := strings.ToLower(u.Scheme)
	return s == "http" || s == "https"
}

// primaryOrigin is the capture's own origin: the one its API calls went
// to (JSON answers to requests that carried credentials: a single-page app
// on one host may call its API on another), else its first page's (an
// HTML document served with 2xx), else the origin of most entries.
func primaryOrigin(infos []*entryInfo) string {
	api, all := map[string]int{}, map[string]int{}
	page := ""
	for _, in := range infos {
		if !web(in.u) {
			continue
		}
		o := origin(in.u)
		all[o]++
		if (len(in.sent) > 0 || in.authz != "") && in.resp.json {
			api[o]++
		}
		if page == "" && in.html && in.resp.status >= 200 && in.resp.status < 300 && in.method == http.MethodGet {
			page = o
		}
	}
	if o := most(api); o != "" && (page == "" || api[o] > api[page]) {
		return o
	}
	if page != "" {
		return page
	}
	return most(all)
}

func most(m map[string]int) string {
	best, n := "", 0
	for o, c := range m {
		if c > n || c == n && o < best {
			best, n = o, c
		}
	}
	return best
}

// scope is the primary origin plus every origin the capture sent one of
// the primary's credentials to (a console on one host and its API on
// another, under one session). A third party the page called with its own
// keys is not in scope: the lower role's credentials never go there.
func scope(infos []*entryInfo, primary string) []string {
	creds := map[[32]byte]bool{}
	for _, in := range infos {
		if web(in.u) && origin(in.u) == primary {
			for _, v := range in.sent {
				creds[sha256.Sum256([]byte(v))] = true
			}
			if in.authz != "" {
				creds[sha256.Sum256([]byte(in.authz))] = true
			}
		}
	}
	in := map[string]bool{primary: true}
	for _, e := range infos {
		if !web(e.u) || in[origin(e.u)] {
			continue
		}
		shares := e.authz != "" && creds[sha256.Sum256([]byte(e.authz))]
		for _, v := range e.sent {
			shares = shares || len(v) >= 8 && creds[sha256.Sum256([]byte(v))]
		}
		if shares {
			in[origin(e.u)] = true
		}
	}
	out := make([]string, 0, len(in))
	for o := range in {
		out = append(out, o)
	}
	sort.Strings(out)
	return out
}

// request decides what to do with one entry.
func (p *Plan) request(in *entryInfo, opts *Options) *Request {
	req := &Request{Entry: in.index, Method: in.method, Duplicate: -1, captured: in.resp, Header: http.Header{}}
	if in.u == nil {
		req.Display = "(a URL that does not parse)"
		req.Skip = "the URL does not parse"
		return req
	}
	u := *in.u
	req.Display = display(&u)
	req.Template = policy.Template(pathOf(&u))
	var why []string
	switch {
	case !web(&u):
		why = append(why, "not an http or https URL")
	case !contains(p.Origins, origin(&u)):
		why = append(why, fmt.Sprintf("origin %s is not the capture's own (%s): the lower role's credentials are never sent there", origin(&u), p.Primary))
	case opts.target != nil && origin(&u) != p.Primary:
		why = append(why, fmt.Sprintf("origin %s: --target rebases %s only", origin(&u), p.Primary))
	}
	if w := authPath(pathOf(&u)); w != "" {
		why = append(why, w)
	}
	if w := authQuery(u.Query()); w != "" {
		why = append(why, w)
	}
	if w := sessionChange(in.setCookies, in.sent, in.started); w != "" {
		why = append(why, w)
	}
	if in.stream != "" {
		why = append(why, in.stream+": it does not end like a request")
	}
	if in.method != http.MethodGet && in.method != http.MethodHead {
		why = append(why, fmt.Sprintf("method %s: only GET and HEAD are replayed", in.method))
	}
	if name := credentialQuery(u.Query()); name != "" {
		why = append(why, fmt.Sprintf("query parameter %q carries a credential", name))
	}
	if credentialSegment(pathOf(&u)) {
		why = append(why, "a path segment looks like a credential")
	}
	if u.User != nil {
		why = append(why, "the URL carries a user name or password")
	}
	if len(why) > 0 {
		req.Skip = strings.Join(why, "; ")
		return req
	}
	if opts.target != nil {
		u.Scheme, u.Host = opts.target.Scheme, opts.target.Host
	}
	u.Fragment, u.RawFragment = "", ""
	req.URL = u.String()
	req.Display = display(&u)
	for _, h := range in.headers {
		n := strings.ToLower(h.Name)
		switch {
		case strings.HasPrefix(n, ":"):
			// HTTP/2 pseudo-headers: the client writes its own
		case neverCopied[n] || credentialHeader(h.Name, h.Value):
			req.Dropped = appendOnce(req.Dropped, http.CanonicalHeaderKey(h.Name))
		case n == "origin" && opts.target != nil:
			req.Header.Set("Origin", p.Target)
		default:
			req.Header.Add(h.Name, h.Value)
		}
	}
	return req
}

func pathOf(u *url.URL) string {
	if u.Path != "" {
		return u.Path
	}
	if u.Opaque != "" {
		return u.Opaque
	}
	return "/"
}

// display is a URL as it may be printed: credential-like path segments
// and query values redacted, no user info, no fragment.
func display(u *url.URL) string {
	var b strings.Builder
	if web(u) {
		b.WriteString(origin(u))
	} else if u.Scheme != "" {
		b.WriteString(u.Scheme + ":")
	}
	b.WriteString(capture.RedactPath(pathOf(u)))
	if u.RawQuery != "" {
		q := u.Query()
		names := make([]string, 0, len(q))
		for n := range q {
			names = append(names, n)
		}
		sort.Strings(names)
		var parts []string
		for _, n := range names {
			for _, v := range q[n] {
				if credentialQuery(url.Values{n: {v}}) != "" || len(v) > 64 {
					parts = append(parts, url.QueryEscape(n)+"="+redacted)
					continue
				}
				parts = append(parts, url.QueryEscape(n)+"="+url.QueryEscape(v))
			}
		}
		b.WriteString("?" + strings.Join(parts, "&"))
	}
	return b.String()
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func appendOnce(xs []string, x string) []string {
	if contains(xs, x) {
		return xs
	}
	return append(xs, x)
}
