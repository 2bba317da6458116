package replay

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/scanner/capture"
)

// access compares, request by request, what the lower role was served
// with what the capture holds.
func access(p *Plan, xs []*exchange, opts *Options, stopped string) *finding.Replay {
	r := &finding.Replay{Capture: p.Capture, Role: opts.Role, As: opts.As, Stopped: stopped, Endpoints: []finding.Access{}}
	if opts.target != nil {
		r.Target = p.Target
	}
	if opts.Recorded {
		r.Recorded = opts.RecordName
	}
	for i, q := range p.Requests {
		if q.Duplicate >= 0 {
			r.Duplicates++
			continue
		}
		a := finding.Access{Entry: q.Entry, Method: q.Method, URL: q.Display, Template: q.Template, CapturedStatus: q.captured.status}
		switch x := xs[i]; {
		case q.Skip != "":
			r.Skipped++
			a.Result, a.Detail = finding.AccessSkipped, q.Skip
		case x == nil:
			r.NotSent++
			a.Result, a.Detail = finding.AccessNotSent, "the replay stopped before this request"
		default:
			r.Sent++
			compare(&a, q, x)
		}
		r.Endpoints = append(r.Endpoints, a)
	}
	return r
}

// refused are the statuses that say the lower role may not have it.
func refused(status int) bool {
	return status == 401 || status == 403 || status == 404
}

func compare(a *finding.Access, q *Request, x *exchange) {
	a.Status = x.status
	c := q.captured
	switch {
	case x.err != nil:
		a.Result, a.Detail = finding.AccessFailed, x.err.Error()
		return
	case x.status >= 500:
		a.Result, a.Detail = finding.AccessServerError, fmt.Sprintf("HTTP %d: a coverage gap, not a result", x.status)
		return
	case refused(x.status) && !refused(c.status):
		a.Result = finding.AccessEnforced
		return
	case x.location != "":
		if u, err := url.Parse(x.location); err == nil && authPath(u.Path) != "" {
			a.Result, a.Detail = finding.AccessEnforced, "redirected to "+display(u)+" (not followed)"
			return
		}
		if x.status != c.status {
			a.Result, a.Detail = finding.AccessChanged, fmt.Sprintf("HTTP %d → %d, redirect to %s not followed", c.status, x.status, redactedLocation(x.location))
			return
		}
	case c.status == http.StatusNotModified && ok(x.status):
		a.Result, a.Detail = finding.AccessSame, "the capture holds a 304 (from the browser's cache): compared by status only"
		return
	case x.status != c.status && !(ok(x.status) && ok(c.status)):
		a.Result, a.Detail = finding.AccessChanged, fmt.Sprintf("HTTP %d → %d", c.status, x.status)
		return
	}
	if x.truncated {
		a.Result, a.Detail = finding.AccessChanged, "the replayed body was cut short: compared by status only"
		return
	}
	if !c.hasBody {
		a.Result, a.Detail = finding.AccessSame, "the capture holds no full body: compared by status only"
		return
	}
	if q.Method == "HEAD" {
		a.Result, a.Detail = finding.AccessSame, "HEAD: compared by status"
		return
	}
	doc, isJSON := capture.DecodeJSON(string(x.body))
	switch {
	case c.json && isJSON:
		fieldDiff(a, c.fields, fieldsOf(doc))
	case c.json || isJSON:
		a.Result, a.Detail = finding.AccessChanged, "one body is JSON and the other is not"
	case sha256.Sum256(x.body) == c.bodySum:
		a.Result, a.Detail = finding.AccessSame, "the same body"
	default:
		a.Result, a.Detail = finding.AccessChanged, "another body (not JSON: not compared field by field)"
	}
}

func ok(status int) bool { return status >= 200 && status < 300 }

// fieldDiff sets the result from the two responses' fields: removed are
// fields the capture's role got a value in and the lower role did not (or
// got only an empty or masked value), added the reverse, differ fields both
// got with other values.
func fieldDiff(a *finding.Access, was, got map[string]*field) {
	for _, p := range sortedKeys(was) {
		w, g := was[p], got[p]
		switch {
		case len(w.values) == 0:
		case g == nil || len(g.values) == 0:
			a.Removed = append(a.Removed, p)
		case !sameSet(w.values, g.values):
			a.Differ = append(a.Differ, p)
		}
	}
	for _, p := range sortedKeys(got) {
		if w := was[p]; len(got[p].values) > 0 && (w == nil || len(w.values) == 0) {
			a.Added = append(a.Added, p)
		}
	}
	if len(a.Removed) > 0 {
		a.Result = finding.AccessFiltered
		a.Detail = fmt.Sprintf("%d fields removed", len(a.Removed))
		return
	}
	a.Result = finding.AccessSame
	if len(a.Differ) > 0 {
		a.Detail = fmt.Sprintf("same fields; %d with other values", len(a.Differ))
	}
}

func sameSet(a, b map[[32]byte]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}
