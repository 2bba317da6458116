package mockconsole

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestSecretEndpoint(t *testing.T) {
	for _, tc := range []struct {
		fixed bool
		email string
		want  int
	}{
		{false, "alice@example.com", 200},
		{false, "bob@example.com", 200}, // the bug
		{false, "carol@example.com", 200},
		{true, "alice@example.com", 200},
		{true, "bob@example.com", 403},
		{true, "carol@example.com", 403},
	} {
		get := client(t, New(Options{Fixed: tc.fixed}), tc.email)
		for _, ch := range []string{msg, login} {
			status, body := get("GET", ch+"/secret")
			if status != tc.want {
				t.Errorf("fixed=%v %s GET %s/secret: %d, want %d", tc.fixed, tc.email, ch, status, tc.want)
			}
			if (status == 200) != (state(body, "channelSecret") == present) {
				t.Errorf("fixed=%v %s: channelSecret %s with status %d", tc.fixed, tc.email, state(body, "channelSecret"), status)
			}
		}
	}
}

func TestRequestLogOutageVisitCookie(t *testing.T) {
	log := &RequestLog{}
	srv := httptest.NewServer(New(Options{Log: log, OutageAfter: 2, VisitCookie: true}))
	defer srv.Close()
	do := func(path, cookie string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	bob, _ := UserByEmail("bob@example.com")
	r1 := do("/api/v1/me", CookieName+"="+sessionID(bob)+"; other=1")
	if r1.StatusCode != 200 || !slices.ContainsFunc(r1.Cookies(), func(c *http.Cookie) bool { return c.Name == VisitCookie && c.HttpOnly }) {
		t.Errorf("first answer: %d, cookies %v; want 200 and an HttpOnly %s", r1.StatusCode, r1.Cookies(), VisitCookie)
	}
	if r := do("/static/app.js", ""); r.StatusCode != 200 || len(r.Cookies()) != 0 {
		t.Errorf("a page asset: %d with cookies %d; want 200 and no cookie", r.StatusCode, len(r.Cookies()))
	}
	if r := do("/api/v1/me", ""); r.StatusCode != 503 {
		t.Errorf("third request: %d, want 503 (OutageAfter 2)", r.StatusCode)
	}
	got := log.Requests()
	if len(got) != 3 || got[0].User != "bob@example.com" || !slices.Equal(got[0].Cookies, []string{CookieName, "other"}) || got[1].User != "" || !strings.HasPrefix(got[2].URI, "/api/v1/me") {
		t.Errorf("log: %+v", got)
	}
}
