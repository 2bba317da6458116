package mockconsole

import (
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// This file holds what active role replay (channelguard replay) is tested
// against: a log of every request the console received, an outage switch,
// a cookie set on every API response, and an endpoint that no page of the
// mock calls (a "Show secret" button an admin's page would call).

// LoggedRequest is one request the console received, without any value
// that could be a credential: cookie names, not values; the user whose
// session the request carried.
type LoggedRequest struct {
	Method string
	URI    string // path and query
	// User is the e-mail address of the user whose session cookie the
	// request carried ("" without a valid session).
	User string
	// Cookies are the names of the cookies sent, in order.
	Cookies []string
	// Authorization is true when an Authorization header was sent.
	Authorization bool
}

// RequestLog records the requests a console received. Safe for concurrent
// use.
type RequestLog struct {
	mu   sync.Mutex
	reqs []LoggedRequest
}

// Requests returns a copy of what was logged so far, in arrival order.
func (l *RequestLog) Requests() []LoggedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.reqs)
}

func (l *RequestLog) add(r LoggedRequest) {
	l.mu.Lock()
	l.reqs = append(l.reqs, r)
	l.mu.Unlock()
}

// VisitCookie is the cookie every API response sets when Options.VisitCookie
// is on.
const VisitCookie = "ldc_visit"

// wrap adds the request log, the outage and the visit cookie around the
// console's handler.
func (s *server) wrap(h http.Handler) http.Handler {
	var served atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l := s.opts.Log; l != nil {
			lr := LoggedRequest{Method: r.Method, URI: r.URL.RequestURI(), Authorization: r.Header.Get("Authorization") != ""}
			for _, c := range r.Cookies() {
				lr.Cookies = append(lr.Cookies, c.Name)
			}
			if u, ok := s.session(r); ok {
				lr.User = u.Email
			}
			l.add(lr)
		}
		n := served.Add(1)
		if s.opts.OutageAfter > 0 && n > int64(s.opts.OutageAfter) {
			w.Header().Set("Retry-After", "30")
			writeError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "The service is temporarily unavailable.")
			return
		}
		if s.opts.VisitCookie && len(r.URL.Path) >= 5 && r.URL.Path[:5] == "/api/" {
			http.SetCookie(w, &http.Cookie{Name: VisitCookie, Value: "v" + strconv.FormatInt(n, 10), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
		h.ServeHTTP(w, r)
	})
}

// GET /api/v1/channels/{channelId}/secret: the channel secret alone, as a
// console's "Show secret" button fetches it. No page of the mock calls it,
// so no member capture holds it: only replaying an admin's request finds
// that the buggy console serves it to everyone.
func (s *server) channelSecret(w http.ResponseWriter, r *http.Request, u User, c channel) {
	if s.opts.Fixed && u.Role != Admin {
		writeError(w, http.StatusForbidden, "FORBIDDEN", "Only channel admins can view the channel secret.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"channelId":     c.ID,
		"channelSecret": c.Secret,
		"issuedAt":      1698796800000,
	})
}
