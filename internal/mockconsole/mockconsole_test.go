package mockconsole

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func client(t *testing.T, h http.Handler, email string) func(method, path string) (int, map[string]any) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	var cookie *http.Cookie
	if email != "" {
		resp, err := http.Post(srv.URL+"/api/login", "application/json", strings.NewReader(`{"email":"`+email+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("login %s: status %d", email, resp.StatusCode)
		}
		for _, c := range resp.Cookies() {
			if c.Name == CookieName {
				cookie = c
				if !c.HttpOnly {
					t.Errorf("session cookie is not HttpOnly")
				}
			}
		}
		if cookie == nil {
			t.Fatalf("login %s: no session cookie", email)
		}
	}
	return func(method, path string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Errorf("%s %s: body is not a JSON object: %v", method, path, err)
		}
		return resp.StatusCode, body
	}
}

const (
	msg   = "/api/v1/channels/" + MessagingChannelID
	login = "/api/v1/channels/" + LoginChannelID
)

// field states
const (
	present = "present" // key with a non-null value
	null    = "null"    // key with null
	absent  = "absent"  // no key
)

func state(body map[string]any, key string) string {
	v, ok := body[key]
	switch {
	case !ok:
		return absent
	case v == nil:
		return null
	}
	return present
}

// TestRoleFields: per mode and role, the status of each endpoint and
// whether it carries the role-sensitive fields.
func TestRoleFields(t *testing.T) {
	type want struct {
		status int
		fields map[string]string // key → present/null/absent
	}
	all := func(s string) map[string]string { return map[string]string{"channelSecret": s} }
	cases := []struct {
		fixed bool
		email string
		path  string
		want  want
	}{
		// The 2019 bug: everyone gets everything.
		{false, "alice@example.com", msg, want{200, all(present)}},
		{false, "bob@example.com", msg, want{200, all(present)}},
		{false, "carol@example.com", msg, want{200, all(present)}},
		{false, "bob@example.com", login, want{200, all(present)}},
		{false, "carol@example.com", login, want{200, all(present)}},
		{false, "bob@example.com", msg + "/messaging-api", want{200, map[string]string{"channelAccessToken": present}}},
		{false, "carol@example.com", msg + "/messaging-api", want{200, map[string]string{"channelAccessToken": present}}},
		{false, "bob@example.com", msg + "/roles", want{200, map[string]string{"roles": present}}},
		{false, "carol@example.com", login + "/roles", want{200, map[string]string{"roles": present}}},
		// Fixed: shaped per role.
		{true, "alice@example.com", msg, want{200, all(present)}},
		{true, "alice@example.com", login, want{200, all(present)}},
		{true, "bob@example.com", msg, want{200, map[string]string{"channelSecret": absent, "description": present}}},
		{true, "bob@example.com", login, want{200, map[string]string{"channelSecret": null, "description": present}}},
		{true, "carol@example.com", msg, want{200, map[string]string{"channelSecret": absent, "description": absent, "name": present}}},
		{true, "carol@example.com", login, want{200, map[string]string{"channelSecret": absent, "name": present}}},
		{true, "alice@example.com", msg + "/messaging-api", want{200, map[string]string{"channelAccessToken": present}}},
		{true, "bob@example.com", msg + "/messaging-api", want{200, map[string]string{"channelAccessToken": absent, "botBasicId": present}}},
		{true, "carol@example.com", msg + "/messaging-api", want{403, map[string]string{"channelAccessToken": absent}}},
		{true, "alice@example.com", msg + "/roles", want{200, map[string]string{"roles": present}}},
		{true, "bob@example.com", msg + "/roles", want{403, map[string]string{"roles": absent}}},
		{true, "carol@example.com", login + "/roles", want{403, map[string]string{"roles": absent}}},
	}
	for _, fixed := range []bool{false, true} {
		for _, email := range []string{"alice@example.com", "bob@example.com", "carol@example.com"} {
			get := client(t, New(Options{Fixed: fixed}), email)
			for _, c := range cases {
				if c.fixed != fixed || c.email != email {
					continue
				}
				status, body := get("GET", c.path)
				if status != c.want.status {
					t.Errorf("fixed=%v %s GET %s: status %d, want %d", fixed, email, c.path, status, c.want.status)
				}
				for k, w := range c.want.fields {
					if got := state(body, k); got != w {
						t.Errorf("fixed=%v %s GET %s: %s is %s, want %s", fixed, email, c.path, k, got, w)
					}
				}
			}
		}
	}
}

// TestValues: the fields carry the fake credentials in their formats (the
// values themselves are never printed).
func TestValues(t *testing.T) {
	get := client(t, New(Options{}), "bob@example.com")
	_, b := get("GET", msg)
	if b["channelSecret"] != MessagingChannelSecret {
		t.Errorf("GET %s: channelSecret is not the messaging channel's fake secret", msg)
	}
	_, b = get("GET", login)
	if b["channelSecret"] != LoginChannelSecret {
		t.Errorf("GET %s: channelSecret is not the login channel's fake secret", login)
	}
	_, b = get("GET", msg+"/messaging-api")
	tok, _ := b["channelAccessToken"].(string)
	if tok != MessagingAccessToken || len(tok) != 172 || !strings.HasSuffix(tok, "=") {
		t.Errorf("GET %s/messaging-api: channelAccessToken is not the 172-char fake token", msg)
	}
	_, b = get("GET", msg+"/roles")
	roles, _ := b["roles"].([]any)
	if len(roles) != 3 {
		t.Fatalf("GET %s/roles: %d roles, want 3", msg, len(roles))
	}
	for i, r := range roles {
		r, _ := r.(map[string]any)
		for _, k := range []string{"userId", "name", "email", "role"} {
			if _, ok := r[k].(string); !ok {
				t.Errorf("roles[%d].%s missing", i, k)
			}
		}
	}
	if len(MessagingChannelSecret) != 32 || len(LoginChannelSecret) != 32 || MessagingChannelSecret == LoginChannelSecret {
		t.Errorf("fake channel secrets are not two distinct 32-hex values")
	}
}

// TestMayReceive: own profile and statistics are for members too; testers
// get 403 on statistics in both modes.
func TestMayReceive(t *testing.T) {
	insight := []struct {
		path string
		keys []string
	}{
		{msg + "/insight/followers?date=20261124", []string{"status", "followers", "targetedReaches", "blocks"}},
		{msg + "/insight/demographic", []string{"available", "genders", "ages", "areas", "appTypes", "subscriptionPeriods"}},
		{msg + "/insight/message/delivery?date=20261124", []string{"status", "broadcast", "targeting", "autoResponse", "welcomeResponse", "chat", "apiBroadcast", "apiPush", "apiMulticast", "apiReply"}},
	}
	for _, fixed := range []bool{false, true} {
		for _, email := range []string{"alice@example.com", "bob@example.com", "carol@example.com"} {
			get := client(t, New(Options{Fixed: fixed}), email)
			status, me := get("GET", "/api/v1/me")
			if status != 200 || me["email"] != email {
				t.Errorf("fixed=%v %s: /api/v1/me status %d, own email not returned", fixed, email, status)
			}
			for _, in := range insight {
				status, body := get("GET", in.path)
				if email == "carol@example.com" {
					if status != 403 {
						t.Errorf("fixed=%v tester GET %s: status %d, want 403", fixed, in.path, status)
					}
					continue
				}
				if status != 200 {
					t.Errorf("fixed=%v %s GET %s: status %d", fixed, email, in.path, status)
				}
				for _, k := range in.keys {
					if _, ok := body[k]; !ok {
						t.Errorf("fixed=%v %s GET %s: no %s", fixed, email, in.path, k)
					}
				}
			}
			for _, p := range []string{"/api/v1/providers", "/api/v1/providers/" + ProviderID + "/channels"} {
				if status, _ := get("GET", p); status != 200 {
					t.Errorf("fixed=%v %s GET %s: status %d", fixed, email, p, status)
				}
			}
		}
	}
}

func TestErrors(t *testing.T) {
	anon := client(t, New(Options{}), "")
	if status, _ := anon("GET", msg); status != 401 {
		t.Errorf("no session: status %d, want 401", status)
	}
	get := client(t, New(Options{}), "bob@example.com")
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/api/v1/channels/1234567890", 404},
		{"GET", "/api/v1/nothing", 404},
		{"GET", "/favicon.ico", 404},
		{"GET", login + "/messaging-api", 404},
		{"GET", login + "/insight/demographic", 404},
		{"GET", msg + "/insight/followers", 400},
		{"GET", msg + "/insight/followers?date=2026-11-24", 400},
		{"DELETE", msg, 405},
		{"GET", "/api/v1/providers/1111111111/channels", 404},
	} {
		status, body := get(c.method, c.path)
		if status != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, status, c.status)
		}
		if _, ok := body["message"].(string); !ok {
			t.Errorf("%s %s: error body has no message", c.method, c.path)
		}
	}
	srv := httptest.NewServer(New(Options{}))
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/api/login", "application/json", strings.NewReader(`{"email":"mallory@example.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("unknown user login: status %d, want 401", resp.StatusCode)
	}
}

func TestPages(t *testing.T) {
	srv := httptest.NewServer(New(Options{}))
	defer srv.Close()
	for _, c := range []struct{ path, ctype, contains string }{
		{"/", "text/html", "/static/app.js"},
		{"/static/app.js", "text/javascript", "/api/v1/channels/"},
		{"/static/app.css", "text/css", "body"},
	} {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.ctype) || !strings.Contains(b.String(), c.contains) {
			t.Errorf("GET %s: status %d, type %q", c.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if strings.Contains(b.String(), "http://") || strings.Contains(b.String(), "https://") {
			t.Errorf("GET %s: refers to an external resource", c.path)
		}
	}
}
