package replay

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/hartest"
)

func TestAuthPath(t *testing.T) {
	for _, tc := range []struct {
		path string
		auth bool
	}{
		{"/api/login", true},
		{"/users/sign_in", true},
		{"/account/SignOut", true},
		{"/oauth2/v2.1/token", true},
		{"/v2/oauth/accessToken", true},
		{"/auth/realms/x/protocol/openid-connect/auth", true},
		{"/.well-known/openid-configuration", true},
		{"/saml2/acs", true},
		{"/api/sessions", true},
		{"/api/v1/channels/1/token", true},
		{"/logout", true},
		{"/api/v1/channels/1657890123/line-login", false},
		{"/api/v1/channels/1656789012/channel-access-token", false},
		{"/api/v1/channels/1656789012/messaging-api", false},
		{"/api/v1/channels/1656789012/insight/followers", false},
		{"/api/v1/me", false},
		{"/api/v1/login-settings", false},
		{"/catalog/authors", false},
		{"/", false},
	} {
		if got := authPath(tc.path) != ""; got != tc.auth {
			t.Errorf("authPath(%q) = %v, want %v", tc.path, got, tc.auth)
		}
	}
}

func TestAuthQuery(t *testing.T) {
	for _, tc := range []struct {
		q    string
		auth bool
	}{
		{"action=logout", true},
		{"code=abc&state=xyz", true},
		{"redirect_uri=https%3A%2F%2Fx", true},
		{"date=20261125", false},
		{"code=JP", false},
		{"page=2&sort=login", true},
	} {
		q, _ := url.ParseQuery(tc.q)
		if got := authQuery(q) != ""; got != tc.auth {
			t.Errorf("authQuery(%q) = %v, want %v", tc.q, got, tc.auth)
		}
	}
}

func TestCredentialHeader(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		cred        bool
	}{
		{"Cookie", "a=b", true},
		{"Authorization", "Bearer x", true},
		{"X-CSRF-Token", "abc", true},
		{"X-XSRF-TOKEN", "abc", true},
		{"X-CSRFToken", "abc", true},
		{"X-Api-Key", "abc", true},
		{"Ocp-Apim-Subscription-Key", "abc", true},
		{"X-Auth-Token", "abc", true},
		{"X-Amz-Security-Token", "abc", true},
		{"X-Session-Id", "abc", true},
		{"X-Custom", "Bearer abc", true},
		{"X-Custom", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", true},
		{"X-Custom", "q8Zr2LmX9vT4kW7pN3bH6yJ1cF5dS0aG", true},
		{"Accept", "application/json", false},
		{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", false},
		{"X-Requested-With", "XMLHttpRequest", false},
		{"Sec-Ch-Ua", `"Chromium";v="131", "Not_A Brand";v="24"`, false},
		{"X-Tenant", "acme", false},
		{"Accept-Language", "en-US,en;q=0.9", false},
	} {
		if got := credentialHeader(tc.name, tc.value); got != tc.cred {
			t.Errorf("credentialHeader(%q, …) = %v, want %v", tc.name, got, tc.cred)
		}
	}
}

func TestSessionChange(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		set  []string
		sent map[string]string
		want string // part of the reason; "" = not a change
	}{
		{"sign-in", []string{"ldc_session=abc; Path=/; HttpOnly"}, nil, "a sign-in"},
		{"sign-out by Max-Age", []string{"ldc_session=; Path=/; Max-Age=0"}, map[string]string{"ldc_session": "x"}, "a sign-out"},
		{"sign-out by Expires", []string{"JSESSIONID=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}, map[string]string{"JSESSIONID": "x"}, "a sign-out"},
		{"sliding session", []string{"connect.sid=new; HttpOnly"}, map[string]string{"connect.sid": "old"}, ""},
		{"not a session cookie", []string{"theme=dark"}, nil, ""},
		{"tracking cookie", []string{"ldc_visit=v3; HttpOnly"}, nil, ""},
		{"no cookie", nil, nil, ""},
	} {
		got := sessionChange(tc.set, tc.sent, at)
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestParseHeaderNeverShowsValue(t *testing.T) {
	const v = "s3cr3t-v4lue-0123456789"
	for _, in := range []string{"Cookie " + v, "Bad Name: " + v, "Host: " + v, "X-Token: a\rb" + v, "Cookie:"} {
		_, err := ParseHeader(in)
		if err == nil {
			t.Errorf("ParseHeader(%q): no error", strings.ReplaceAll(in, v, "…"))
			continue
		}
		if strings.Contains(err.Error(), v) {
			t.Errorf("error shows the value: %v", strings.ReplaceAll(err.Error(), v, "…"))
		}
	}
	hs, err := ReadHeaders(strings.NewReader("# member\n\nCookie: a=b\nx-csrf-token:  t0k\n"), "h.txt")
	if err != nil || len(hs) != 2 || hs[1] != (Header{"X-Csrf-Token", "t0k"}) {
		t.Errorf("ReadHeaders = %v, %v", hs, err)
	}
	_, err = ReadHeaders(strings.NewReader("Cookie: a=b\nnot a header "+v+"\n"), "h.txt")
	if err == nil || !strings.Contains(err.Error(), "h.txt: line 2") || strings.Contains(err.Error(), v) {
		t.Errorf("bad line: %v", err)
	}
}

// app is a small console for the safety test: it records what reached it
// and fails the test on anything a replay must never send.
type app struct {
	t        *testing.T
	other    string
	mu       sync.Mutex
	hits     map[string]int
	inFlight atomic.Int32
	maxIn    atomic.Int32
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := a.inFlight.Add(1)
	defer a.inFlight.Add(-1)
	for {
		m := a.maxIn.Load()
		if n <= m || a.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(20 * time.Millisecond)
	a.mu.Lock()
	a.hits[r.Method+" "+r.URL.Path]++
	a.mu.Unlock()
	for _, h := range []string{"Authorization", "X-Csrf-Token", "X-Api-Key", "Referer", "If-None-Match"} {
		if r.Header.Get(h) != "" {
			a.t.Errorf("%s %s: the capture's %s reached the server", r.Method, r.URL.Path, h)
		}
	}
	if c := r.Header.Get("Cookie"); c != "sess=member-session-0123456789" {
		a.t.Errorf("%s %s: Cookie %q, want the member's session alone", r.Method, r.URL.Path, strings.ReplaceAll(c, "member-session-0123456789", "…"))
	}
	if r.Header.Get("X-Tenant") != "acme" {
		a.t.Errorf("%s %s: the capture's X-Tenant header was not kept", r.Method, r.URL.Path)
	}
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/api/sets-cookie":
		http.SetCookie(w, &http.Cookie{Name: "tracker", Value: "t1"})
		http.SetCookie(w, &http.Cookie{Name: "sess", Value: "server-chosen-session"})
		w.Write([]byte(`{"ok":true}`))
	case "/api/redirect-out":
		http.Redirect(w, r, a.other+"/steal", http.StatusFound)
	case "/api/private":
		http.Redirect(w, r, "/login?next=%2Fapi%2Fprivate", http.StatusFound)
	case "/api/denied":
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"error":"forbidden"}`))
	case "/":
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html></html>"))
	case "/api/filtered":
		w.Write([]byte(`{"a":1,"nested":{"b":"c"},"secretNote":"****"}`))
	default:
		w.Write([]byte(`{"items":[{"id":1}]}`))
	}
}

func TestSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("sends a replay through the whole engine")
	}
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { otherHits.Add(1) }))
	defer other.Close()
	a := &app{t: t, hits: map[string]int{}}
	a.other = other.URL
	srv := httptest.NewServer(a)
	defer srv.Close()

	const o = "https://console.example.test"
	admin := [][2]string{
		{"Cookie", "sess=admin-session-abcdefghij"},
		{"Authorization", "Bearer admin-token-abcdefghijklmnop"},
		{"X-CSRF-Token", "csrf-admin"},
		{"X-Api-Key", "key-admin"},
		{"X-Tenant", "acme"},
		{"Referer", o + "/?token=abc"},
		{"If-None-Match", `"etag"`},
	}
	page := hartest.Exchange{Method: "GET", URL: o + "/", ReqHeaders: admin, Body: "<html></html>", Mime: "text/html"}
	exs := []hartest.Exchange{
		page,
		{Method: "GET", URL: o + "/api/items", ReqHeaders: admin, Body: map[string]any{"items": []any{map[string]any{"id": 1}}}},
		{Method: "POST", URL: o + "/api/items", ReqHeaders: admin, ReqBody: `{"name":"x"}`, Body: map[string]any{"id": 2}},
		{Method: "GET", URL: o + "/logout", ReqHeaders: admin, Body: "bye", Mime: "text/plain"},
		{Method: "GET", URL: o + "/cb?code=abc&state=xyz", ReqHeaders: admin, Body: "ok", Mime: "text/plain"},
		{Method: "GET", URL: o + "/welcome", ReqHeaders: [][2]string{{"X-Tenant", "acme"}}, Body: "hi", Mime: "text/plain", RespHeaders: [][2]string{{"Set-Cookie", "sess=abc; HttpOnly"}}},
		{Method: "GET", URL: o + "/api/goodbye", ReqHeaders: admin, Body: "{}", RespHeaders: [][2]string{{"Set-Cookie", "sess=; Max-Age=0"}}},
		{Method: "GET", URL: "https://cdn.thirdparty.test/lib.js", ReqHeaders: [][2]string{{"Authorization", "Basic dGhpcmQ6cGFydHk="}}, Body: "x", Mime: "text/javascript"},
		{Method: "GET", URL: o + "/api/export?access_token=abc", ReqHeaders: admin, Body: "{}"},
		{Method: "GET", URL: o + "/api/redirect-out", ReqHeaders: admin, Body: map[string]any{"a": 1}},
		{Method: "GET", URL: o + "/api/private", ReqHeaders: admin, Body: map[string]any{"a": 1}},
		{Method: "GET", URL: o + "/api/sets-cookie", ReqHeaders: admin, Body: map[string]any{"ok": true}},
		{Method: "GET", URL: o + "/api/items", ReqHeaders: admin, Body: map[string]any{"items": []any{map[string]any{"id": 1}}}},
		{Method: "HEAD", URL: o + "/api/items", ReqHeaders: admin, Body: ""},
		{Method: "GET", URL: o + "/api/filtered", ReqHeaders: admin, Body: map[string]any{"a": 1, "nested": map[string]any{"b": "c"}, "secretNote": "note for admins"}},
		{Method: "GET", URL: o + "/api/denied", ReqHeaders: admin, Body: map[string]any{"a": 1}},
		{Method: "GET", URL: o + "/api/events", ReqHeaders: append([][2]string{{"Accept", "text/event-stream"}}, admin...), Body: "data: x\n\n", Mime: "text/event-stream"},
		{Method: "GET", URL: o + "/api/cached", ReqHeaders: admin, Status: 304, Body: ""},
	}
	path := hartest.Write(t, "admin.har", exs)
	res, err := Run(context.Background(), Options{
		Capture: path, Role: "admin", As: "member",
		Headers: []Header{{"Cookie", "sess=member-session-0123456789"}},
		Target:  srv.URL, Rate: 100, Jobs: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{ // entry → result (skips: a word of the reason)
		0: finding.AccessSame, 1: finding.AccessSame,
		2: "method POST", 3: "sign-out", 4: "OAuth callback", 5: "a sign-in", 6: "a sign-out",
		7: "not the capture's own", 8: `"access_token" carries a credential`,
		9: finding.AccessChanged, 10: finding.AccessEnforced, 11: finding.AccessSame,
		13: finding.AccessSame, 14: finding.AccessFiltered, 15: finding.AccessEnforced,
		16: "an event stream", 17: finding.AccessSame,
	}
	got := map[int]finding.Access{}
	for _, x := range res.Report.Replay.Endpoints {
		got[x.Entry] = x
	}
	for e, w := range want {
		x, ok := got[e]
		switch {
		case !ok:
			t.Errorf("entry %d not listed", e)
		case x.Result == finding.AccessSkipped:
			if !strings.Contains(x.Detail, w) {
				t.Errorf("entry %d skipped for %q, want %q", e, x.Detail, w)
			}
		case x.Result != w:
			t.Errorf("entry %d (%s %s): %s (%s), want %s", e, x.Method, x.URL, x.Result, x.Detail, w)
		}
	}
	if _, ok := got[12]; ok || res.Report.Replay.Duplicates != 1 {
		t.Errorf("the repeated GET /api/items was not folded into one request (duplicates %d)", res.Report.Replay.Duplicates)
	}
	if f := got[14]; len(f.Removed) != 1 || f.Removed[0] != "$['secretNote']" {
		t.Errorf("filtered: removed %v, want $['secretNote'] (masked)", f.Removed)
	}
	if otherHits.Load() != 0 {
		t.Errorf("a redirect to another origin was followed")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for k := range a.hits {
		if !strings.HasPrefix(k, "GET ") && !strings.HasPrefix(k, "HEAD ") {
			t.Errorf("server got %s", k)
		}
		for _, p := range []string{"/logout", "/cb", "/welcome", "/api/goodbye", "/login", "/api/export", "/api/events"} {
			if strings.HasSuffix(k, " "+p) {
				t.Errorf("server got %s", k)
			}
		}
	}
	if a.hits["GET /api/items"] != 1 {
		t.Errorf("GET /api/items sent %d times", a.hits["GET /api/items"])
	}
	if a.maxIn.Load() > 1 {
		t.Errorf("%d requests at once with Jobs 1", a.maxIn.Load())
	}
}

func TestRateAndJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("takes seconds by design")
	}
	a := &app{t: t, hits: map[string]int{}}
	srv := httptest.NewServer(a)
	defer srv.Close()
	var exs []hartest.Exchange
	for i := range 12 {
		exs = append(exs, hartest.Exchange{Method: "GET", URL: "https://c.example.test/api/items/" + string(rune('a'+i)), ReqHeaders: [][2]string{{"X-Tenant", "acme"}}, Body: map[string]any{"id": i}})
	}
	path := hartest.Write(t, "admin.har", exs)
	p, err := plan(context.Background(), &Options{Capture: path, target: mustURL(srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rate float64
		jobs int
	}{{5, 3}, {200, 3}} {
		a.maxIn.Store(0)
		start := time.Now()
		opts := &Options{Headers: []Header{{"Cookie", "sess=member-session-0123456789"}}, Rate: tc.rate, Jobs: tc.jobs, Timeout: 5 * time.Second, StopAfter: 5, MaxBody: 1 << 20}
		if _, stopped, err := sendAll(context.Background(), p, opts); err != nil || stopped != "" {
			t.Fatal(err, stopped)
		}
		took := time.Since(start)
		// 12 requests at 5/s with a burst of 1: at least 11/5 s.
		if min := time.Duration(float64(len(exs)-1) / tc.rate * float64(time.Second)); took < min*9/10 {
			t.Errorf("rate %g: 12 requests took %s, want at least %s", tc.rate, took, min)
		}
		if m := a.maxIn.Load(); m > int32(tc.jobs) {
			t.Errorf("rate %g: %d requests at once, want at most %d", tc.rate, m, tc.jobs)
		}
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestScope(t *testing.T) {
	page := func(o string, h ...[2]string) hartest.Exchange {
		return hartest.Exchange{Method: "GET", URL: o + "/", ReqHeaders: h, Body: "<html></html>", Mime: "text/html"}
	}
	api := func(u string, h ...[2]string) hartest.Exchange {
		return hartest.Exchange{Method: "GET", URL: u, ReqHeaders: h, Body: map[string]any{"a": 1}}
	}
	cookie := [2]string{"Cookie", "sid=admin-session-value-1234"}
	bearer := [2]string{"Authorization", "Bearer admin-token-value-1234"}
	for _, tc := range []struct {
		name    string
		exs     []hartest.Exchange
		primary string
		origins []string
	}{
		{"one origin", []hartest.Exchange{page("https://c.test", cookie), api("https://c.test/api/a", cookie)},
			"https://c.test", []string{"https://c.test"}},
		{"page and API on two hosts, one cookie", []hartest.Exchange{page("https://c.test", cookie), api("https://api.c.test/a", cookie), api("https://api.c.test/b", cookie)},
			"https://api.c.test", []string{"https://api.c.test", "https://c.test"}},
		{"single-page app with a bearer API and a tracker", []hartest.Exchange{
			page("https://c.test"), api("https://api.c.test/a", bearer), api("https://api.c.test/b", bearer),
			api("https://tracker.example/collect", [2]string{"Authorization", "Basic dHJhY2tlcjprZXk="}),
		}, "https://api.c.test", []string{"https://api.c.test"}},
		{"sanitized export (no credentials)", []hartest.Exchange{api("https://cdn.test/x.json"), page("https://c.test"), api("https://c.test/api/a")},
			"https://c.test", []string{"https://c.test"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := plan(context.Background(), &Options{Capture: hartest.Write(t, "c.har", tc.exs)})
			if err != nil {
				t.Fatal(err)
			}
			if p.Primary != tc.primary || strings.Join(p.Origins, " ") != strings.Join(tc.origins, " ") {
				t.Errorf("primary %s, scope %v; want %s, %v", p.Primary, p.Origins, tc.primary, tc.origins)
			}
		})
	}
}
