// Package mockconsole is a small mock of the LINE Developers console: a
// single-page app and the JSON API behind it, for one provider with a
// Messaging API channel and a LINE Login channel. It exists to record
// realistic HAR captures (testdata/captures) for channelguard's
// role-inappropriate-field checks.
//
// With Options.Fixed unset it reproduces the 2019 LINE incident: the API
// behind the channel settings tab (and the Messaging API and Roles tabs)
// returns the channel secret, the channel access token and the role list
// with e-mail addresses to Member and Tester users, while the page merely
// hides them. With Fixed set, the API shapes every response by role.
//
// Every credential it serves is fake (internal/fakecred, fixed seeds).
package mockconsole

import (
	"embed"
	"encoding/json"
	"net/http"
	"strings"
)

// Options configure the mock console.
type Options struct {
	// Fixed makes the API shape each response per role. Unset, it returns
	// admin-only fields to everyone, as the 2019 console did.
	Fixed bool
	// Log, when set, records every request received (see RequestLog).
	Log *RequestLog
	// OutageAfter > 0 serves that many requests, then answers every later
	// one with 503: an outage, for tests of clients that must back off.
	OutageAfter int
	// VisitCookie makes every /api/ response set an HttpOnly cookie
	// (VisitCookie) with a new value, as consoles that track visits or
	// slide a session do; a replaying client must never send it back.
	VisitCookie bool
}

// CookieName is the session cookie set by POST /api/login.
const CookieName = "ldc_session"

//go:embed static
var static embed.FS

type server struct {
	opts Options
}

// New returns the mock console's handler.
func New(opts Options) http.Handler {
	s := &server{opts: opts}
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", s.get(s.page("static/index.html", "text/html; charset=utf-8")))
	mux.HandleFunc("/static/app.js", s.get(s.page("static/app.js", "text/javascript; charset=utf-8")))
	mux.HandleFunc("/static/app.css", s.get(s.page("static/app.css", "text/css; charset=utf-8")))
	mux.HandleFunc("/api/login", s.login)
	mux.HandleFunc("/api/logout", s.logout)
	mux.HandleFunc("/api/v1/me", s.get(s.authed(s.me)))
	mux.HandleFunc("/api/v1/providers", s.get(s.authed(s.providers)))
	mux.HandleFunc("/api/v1/providers/{providerId}/channels", s.get(s.authed(s.providerChannels)))
	mux.HandleFunc("/api/v1/channels/{channelId}", s.get(s.authed(s.channel(s.basicSettings))))
	mux.HandleFunc("/api/v1/channels/{channelId}/messaging-api", s.get(s.authed(s.channel(s.messagingAPI))))
	mux.HandleFunc("/api/v1/channels/{channelId}/roles", s.get(s.authed(s.channel(s.roles))))
	mux.HandleFunc("/api/v1/channels/{channelId}/secret", s.get(s.authed(s.channel(s.channelSecret))))
	mux.HandleFunc("/api/v1/channels/{channelId}/insight/followers", s.get(s.authed(s.channel(s.insight(s.followers)))))
	mux.HandleFunc("/api/v1/channels/{channelId}/insight/demographic", s.get(s.authed(s.channel(s.insight(s.demographic)))))
	mux.HandleFunc("/api/v1/channels/{channelId}/insight/message/delivery", s.get(s.authed(s.channel(s.insight(s.delivery)))))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource was not found.")
	})
	return s.wrap(mux)
}

func (s *server) page(name, ctype string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := static.ReadFile(name)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "INTERNAL", "asset missing")
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(b)
	}
}

// get allows GET and HEAD only.
func (s *server) get(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "Method not allowed.")
			return
		}
		h(w, r)
	}
}

type userHandler func(w http.ResponseWriter, r *http.Request, u User)

func (s *server) authed(h userHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.session(r)
		if !ok {
			writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "Log in to continue.")
			return
		}
		h(w, r, u)
	}
}

func (s *server) session(r *http.Request) (User, bool) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return User{}, false
	}
	for _, u := range Users {
		if sessionID(u) == c.Value {
			return u, true
		}
	}
	return User{}, false
}

type channelHandler func(w http.ResponseWriter, r *http.Request, u User, c channel)

func (s *server) channel(h channelHandler) userHandler {
	return func(w http.ResponseWriter, r *http.Request, u User) {
		c, ok := channelByID(r.PathValue("channelId"))
		if !ok {
			writeError(w, http.StatusNotFound, "NOT_FOUND", "Channel not found.")
			return
		}
		h(w, r, u, c)
	}
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "Method not allowed.")
		return
	}
	var req struct {
		Email string `json:"email"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "BAD_REQUEST", "Send {\"email\": \"…\"}.")
		return
	}
	u, ok := UserByEmail(strings.TrimSpace(strings.ToLower(req.Email)))
	if !ok {
		writeError(w, http.StatusUnauthorized, "UNKNOWN_USER", "No developer account with that e-mail address.")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: sessionID(u), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "userId": u.ID, "displayName": u.Name})
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "Method not allowed.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, apiError{Code: code, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"code":"INTERNAL","message":"encoding failed"}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b)
}
