package verify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
)

var (
	token       = fakecred.AccessToken("verify-live-token") // has '+' and '/': form encoding matters
	token2      = fakecred.AccessToken("verify-other-token")
	secret      = fakecred.ChannelSecret("verify-secret")
	notifyTok   = fakecred.NotifyToken("verify-notify")
	channelID   = "1234567890"
	issuedToken = "eyJISSUED.stateless.token-must-never-surface"
	fixedNow    = time.Date(2026, 5, 4, 3, 2, 1, 0, time.FixedZone("JST", 9*3600))
)

// seen is one request the fake LINE API received.
type seen struct {
	Method, Path, ContentType, Auth string
	Form                            url.Values
}

// want is one request a test expects, exactly.
type want struct {
	Method, Path, ContentType, Auth string
	Form                            map[string]string // nil: no body expected
}

// fakeLine stands in for api.line.me. Each route is "METHOD /path"; a
// request to any other route fails the test (that is how "never call
// /v2/oauth/accessToken" and "never contact Notify" are enforced). Routes
// get the 0-based count of earlier requests to the same route.
type fakeLine struct {
	t      *testing.T
	srv    *httptest.Server
	routes map[string]func(w http.ResponseWriter, r *http.Request, n int)

	mu       sync.Mutex
	reqs     []seen
	perRoute map[string]int
	inFlight atomic.Int32
	maxIn    atomic.Int32
}

func newFakeLine(t *testing.T, routes map[string]func(w http.ResponseWriter, r *http.Request, n int)) *fakeLine {
	t.Helper()
	f := &fakeLine{t: t, routes: routes, perRoute: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLine) serve(w http.ResponseWriter, r *http.Request) {
	cur := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxIn.Load()
		if cur <= m || f.maxIn.CompareAndSwap(m, cur) {
			break
		}
	}
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.PostForm = form
	key := r.Method + " " + r.URL.Path
	f.mu.Lock()
	f.reqs = append(f.reqs, seen{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), Auth: r.Header.Get("Authorization"), Form: form})
	n := f.perRoute[key]
	f.perRoute[key]++
	f.mu.Unlock()
	h, ok := f.routes[key]
	if !ok {
		f.t.Errorf("fake LINE: unexpected request %s (query %q)", key, "[not shown]")
		http.Error(w, `{"message":"not found"}`, http.StatusNotFound)
		return
	}
	h(w, r, n)
}

func (f *fakeLine) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

func jsonReply(status int, body string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// sequence answers the n-th request with replies[n] (the last one repeats).
func sequence(replies ...func(http.ResponseWriter, *http.Request, int)) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		replies[min(n, len(replies)-1)](w, r, n)
	}
}

func withHeader(k, v string, next func(http.ResponseWriter, *http.Request, int)) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set(k, v)
		next(w, r, n)
	}
}

const (
	verifyOK  = `{"client_id":"1234567890","expires_in":2591999,"scope":"P CM"}`
	botInfoOK = `{"userId":"Ub9952f8aaaaaaaaaaaaaaaaaaaaaaaaa","basicId":"@216ruabc","displayName":"Example bot","chatMode":"bot","markAsReadMode":"auto"}`
	formCT    = "application/x-www-form-urlencoded"
)

var (
	wantVerify    = want{Method: "POST", Path: PathVerifyToken, ContentType: formCT, Form: map[string]string{"access_token": token}}
	wantBotInfo   = want{Method: "GET", Path: PathBotInfo, Auth: "Bearer " + token}
	wantStateless = want{Method: "POST", Path: PathStatelessToken, ContentType: formCT, Form: map[string]string{
		"grant_type": "client_credentials", "client_id": channelID, "client_secret": secret}}
)

// logSink collects log lines.
type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logSink) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// credentials every leak check looks for (raw and form-encoded).
func credentials() []string {
	var out []string
	for _, s := range []string{token, token2, secret, notifyTok, issuedToken} {
		out = append(out, s, url.QueryEscape(s))
	}
	return out
}

// assertNoCredential fails if any credential appears in text; the message
// names where, never what.
func assertNoCredential(t *testing.T, where string, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for i, c := range credentials() {
			if strings.Contains(text, c) {
				t.Errorf("%s contains credential #%d (value not shown)", where, i)
			}
		}
	}
}

func checkRequests(t *testing.T, got []seen, want []want) {
	t.Helper()
	if len(got) != len(want) {
		var paths []string
		for _, g := range got {
			paths = append(paths, g.Method+" "+g.Path)
		}
		t.Fatalf("got %d requests %v, want %d", len(got), paths, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Method != w.Method || g.Path != w.Path {
			t.Errorf("request %d: %s %s, want %s %s", i, g.Method, g.Path, w.Method, w.Path)
		}
		if g.ContentType != w.ContentType {
			t.Errorf("request %d: Content-Type %q, want %q", i, g.ContentType, w.ContentType)
		}
		if g.Auth != w.Auth {
			t.Errorf("request %d (%s): Authorization header differs from the expected one (values not shown; got empty=%v)", i, g.Path, g.Auth == "")
		}
		if len(g.Form) != len(w.Form) {
			t.Errorf("request %d (%s): %d form fields, want %d", i, g.Path, len(g.Form), len(w.Form))
		}
		for k, v := range w.Form {
			if vs := g.Form[k]; len(vs) != 1 || vs[0] != v {
				t.Errorf("request %d (%s): form field %q differs from the expected value (not shown)", i, g.Path, k)
			}
		}
	}
}

type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func newVerifier(t *testing.T, base string, logs *logSink, tweak func(*Options)) *Verifier {
	t.Helper()
	opts := Options{
		BaseURL:      base,
		Timeout:      2 * time.Second,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
		Now:          func() time.Time { return fixedNow },
		Logf:         logs.logf,
	}
	if tweak != nil {
		tweak(&opts)
	}
	v, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

func TestVerify(t *testing.T) {
	type tc struct {
		name   string
		cand   Candidate
		routes map[string]func(http.ResponseWriter, *http.Request, int)
		tweak  func(*Options)
		sleeps *sleepRecorder // when set, replaces the real sleep
		want   []want
		status Status
		check  func(t *testing.T, r Result, elapsed time.Duration, s *sleepRecorder)
	}
	tokenCand := Candidate{Rule: finding.RuleChannelAccessToken, Value: token}
	secretCand := Candidate{Rule: finding.RuleChannelSecret, Value: secret, ChannelID: channelID}
	detailHas := func(subs ...string) func(*testing.T, Result, time.Duration, *sleepRecorder) {
		return func(t *testing.T, r Result, _ time.Duration, _ *sleepRecorder) {
			t.Helper()
			for _, s := range subs {
				if !strings.Contains(r.Detail, s) {
					t.Errorf("Detail %q lacks %q", r.Detail, s)
				}
			}
		}
	}
	cases := []tc{
		{
			name: "live token: verify then bot info, exactly 2 requests",
			cand: tokenCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathVerifyToken: jsonReply(200, verifyOK),
				"GET " + PathBotInfo:      jsonReply(200, botInfoOK),
			},
			want:   []want{wantVerify, wantBotInfo},
			status: Live,
			check: func(t *testing.T, r Result, _ time.Duration, _ *sleepRecorder) {
				wantR := Result{Status: Live, CheckedAt: fixedNow.UTC(), ChannelID: channelID, ExpiresIn: 2591999,
					Scope: "P CM", BotName: "Example bot", BasicID: "@216ruabc", Detail: r.Detail}
				if r != wantR {
					t.Errorf("result %+v, want %+v", r, wantR)
				}
				if r.CheckedAt.Location() != time.UTC {
					t.Errorf("CheckedAt not UTC: %v", r.CheckedAt)
				}
				detailHas("POST /v2/oauth/verify → 200", "GET /v2/bot/info → 200")(t, r, 0, nil)
			},
		},
		{
			name: "live token, bot info refused: still live, Detail says so",
			cand: tokenCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathVerifyToken: jsonReply(200, verifyOK),
				"GET " + PathBotInfo:      jsonReply(403, `{"message":"Access to this API is not available for your account"}`),
			},
			want:   []want{wantVerify, wantBotInfo},
			status: Live,
			check:  detailHas("GET /v2/bot/info → 403", "not available for your account"),
		},
		{
			name: "revoked token: 400 invalid_token, 1 request, no bot info",
			cand: tokenCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathVerifyToken: jsonReply(400, `{"error":"invalid_token","error_description":"The access token expired"}`),
			},
			want:   []want{wantVerify},
			status: Revoked,
			check:  detailHas("POST /v2/oauth/verify → 400", "invalid_token", "The access token expired"),
		},
		{
			name: "token: 401 is revoked too",
			cand: tokenCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathVerifyToken: jsonReply(401, `{"error":"invalid_request","error_description":"invalid access token"}`),
			},
			want:   []want{wantVerify},
			status: Revoked,
		},
		{
			name: "token: 200 without client_id is an unexpected answer",
			cand: tokenCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathVerifyToken: jsonReply(200, `<html>captive portal</html>`),
			},
			want:   []want{wantVerify},
			status: Error,
			check:  detailHas(finding.RuleChannelAccessToken, "POST /v2/oauth/verify", "unexpected answer"),
		},
		{
			name: "token: 404 is an error, not revoked",
			cand: tokenCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathVerifyToken: jsonReply(404, `{"message":"Not found"}`),
			},
			want:   []want{wantVerify},
			status: Error,
			check:  detailHas(finding.RuleChannelAccessToken, "unexpected 404"),
		},
		{
			name: "redirect is never followed",
			cand: tokenCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathVerifyToken: func(w http.ResponseWriter, r *http.Request, _ int) {
					http.Redirect(w, r, "https://attacker.invalid/collect", http.StatusTemporaryRedirect)
				},
			},
			want:   []want{wantVerify},
			status: Error,
			check:  detailHas("unexpected 307"),
		},
		{
			name: "live secret with channel id: one POST /oauth2/v3/token",
			cand: secretCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathStatelessToken: jsonReply(200, `{"token_type":"Bearer","access_token":"`+issuedToken+`","expires_in":899}`),
			},
			want:   []want{wantStateless},
			status: Live,
			check: func(t *testing.T, r Result, _ time.Duration, _ *sleepRecorder) {
				if r.ChannelID != channelID || r.BotName != "" || r.ExpiresIn != 0 {
					t.Errorf("result %+v: want ChannelID %s and nothing from the issued token", r, channelID)
				}
				detailHas("POST /oauth2/v3/token (channel 1234567890) → 200", "discarded")(t, r, 0, nil)
			},
		},
		{
			name: "wrong secret: 400 invalid_client → revoked",
			cand: secretCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathStatelessToken: jsonReply(400, `{"error":"invalid_client","error_description":"invalid client_secret"}`),
			},
			want:   []want{wantStateless},
			status: Revoked,
			check:  detailHas("→ 400", "invalid_client", "channel 1234567890"),
		},
		{
			name: "secret: 200 without access_token is an unexpected answer",
			cand: secretCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathStatelessToken: jsonReply(200, `{}`),
			},
			want:   []want{wantStateless},
			status: Error,
			check:  detailHas(finding.RuleChannelSecret, "unexpected answer"),
		},
		{
			name:   "secret without channel id: no request",
			cand:   Candidate{Rule: finding.RuleChannelSecret, Value: secret},
			want:   nil,
			status: Unverified,
			check: func(t *testing.T, r Result, _ time.Duration, _ *sleepRecorder) {
				if r.Detail != DetailNoChannelID {
					t.Errorf("Detail %q, want %q", r.Detail, DetailNoChannelID)
				}
				if !r.CheckedAt.Equal(fixedNow) || r.CheckedAt.Location() != time.UTC {
					t.Errorf("CheckedAt %v, want %v in UTC", r.CheckedAt, fixedNow)
				}
			},
		},
		{
			name:   "secret with a non-numeric channel id: no request",
			cand:   Candidate{Rule: finding.RuleChannelSecret, Value: secret, ChannelID: "abc"},
			status: Unverified,
			check:  detailHas("not a number"),
		},
		{
			name:   "unknown rule: no request",
			cand:   Candidate{Rule: "generic-api-key", Value: token},
			status: Unverified,
			check:  detailHas("generic-api-key", "no live check"),
		},
		{
			name: "429 then 200: Retry-After honoured, 2 requests",
			cand: secretCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathStatelessToken: sequence(
					withHeader("Retry-After", "7", jsonReply(429, `{"message":"The API rate limit has been exceeded. Try again later."}`)),
					jsonReply(200, `{"token_type":"Bearer","access_token":"`+issuedToken+`","expires_in":899}`),
				),
			},
			sleeps: &sleepRecorder{},
			want:   []want{wantStateless, wantStateless},
			status: Live,
			check: func(t *testing.T, r Result, _ time.Duration, s *sleepRecorder) {
				if len(s.waits) != 1 || s.waits[0] != 7*time.Second {
					t.Errorf("waits %v, want exactly [7s] from Retry-After", s.waits)
				}
			},
		},
		{
			name: "429 with an HTTP-date Retry-After",
			cand: secretCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathStatelessToken: sequence(
					withHeader("Retry-After", fixedNow.Add(3*time.Second).UTC().Format(http.TimeFormat), jsonReply(429, `{}`)),
					jsonReply(200, `{"token_type":"Bearer","access_token":"x","expires_in":899}`),
				),
			},
			sleeps: &sleepRecorder{},
			want:   []want{wantStateless, wantStateless},
			status: Live,
			check: func(t *testing.T, r Result, _ time.Duration, s *sleepRecorder) {
				if len(s.waits) != 1 || s.waits[0] != 3*time.Second {
					t.Errorf("waits %v, want [3s]", s.waits)
				}
			},
		},
		{
			name: "429 asking for more than MaxRetryAfter: error, no second request",
			cand: secretCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathStatelessToken: withHeader("Retry-After", "3600", jsonReply(429, `{}`)),
			},
			sleeps: &sleepRecorder{},
			want:   []want{wantStateless},
			status: Error,
			check:  detailHas(finding.RuleChannelSecret, "POST /oauth2/v3/token", "429", "asked to wait 1h0m0s"),
		},
		{
			name: "5xx then success (real backoff sleep)",
			cand: tokenCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathVerifyToken: sequence(jsonReply(503, `{"message":"unavailable"}`), jsonReply(500, ``), jsonReply(200, verifyOK)),
				"GET " + PathBotInfo:      jsonReply(200, botInfoOK),
			},
			want:   []want{wantVerify, wantVerify, wantVerify, wantBotInfo},
			status: Live,
		},
		{
			name: "5xx backoff is exponential with jitter, capped",
			cand: tokenCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathVerifyToken: jsonReply(502, ``),
			},
			tweak: func(o *Options) {
				o.MaxRetries = 4
				o.RetryWaitMin, o.RetryWaitMax = 100*time.Millisecond, 300*time.Millisecond
			},
			sleeps: &sleepRecorder{},
			want:   []want{wantVerify, wantVerify, wantVerify, wantVerify, wantVerify},
			status: Error,
			check: func(t *testing.T, r Result, _ time.Duration, s *sleepRecorder) {
				bounds := [][2]time.Duration{{50, 100}, {100, 200}, {150, 300}, {150, 300}}
				if len(s.waits) != len(bounds) {
					t.Fatalf("waits %v, want %d", s.waits, len(bounds))
				}
				for i, b := range bounds {
					if lo, hi := b[0]*time.Millisecond, b[1]*time.Millisecond; s.waits[i] < lo || s.waits[i] > hi {
						t.Errorf("wait %d = %v, want in [%v, %v]", i, s.waits[i], lo, hi)
					}
				}
				detailHas(finding.RuleChannelAccessToken, "POST /v2/oauth/verify", "502 after 5 attempt(s)")(t, r, 0, nil)
			},
		},
		{
			name: "timeout: handler sleeps past Timeout → error, quickly",
			cand: tokenCand,
			routes: map[string]func(http.ResponseWriter, *http.Request, int){
				"POST " + PathVerifyToken: func(w http.ResponseWriter, r *http.Request, _ int) {
					select {
					case <-r.Context().Done():
					case <-time.After(5 * time.Second):
					}
				},
			},
			tweak:  func(o *Options) { o.Timeout = 50 * time.Millisecond; o.MaxRetries = 1 },
			want:   []want{wantVerify, wantVerify},
			status: Error,
			check: func(t *testing.T, r Result, elapsed time.Duration, _ *sleepRecorder) {
				if elapsed > time.Second {
					t.Errorf("took %v; the 50ms timeout was not applied", elapsed)
				}
				detailHas(finding.RuleChannelAccessToken, "POST /v2/oauth/verify", "timed out after 50ms", "2 attempt(s)")(t, r, 0, nil)
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			routes := c.routes
			if routes == nil {
				routes = map[string]func(http.ResponseWriter, *http.Request, int){}
			}
			f := newFakeLine(t, routes)
			logs := &logSink{}
			v := newVerifier(t, f.srv.URL, logs, c.tweak)
			if c.sleeps != nil {
				v.sleep = c.sleeps.sleep
			}
			start := time.Now()
			r := v.Verify(context.Background(), c.cand)
			elapsed := time.Since(start)
			if r.Status != c.status {
				t.Errorf("Status %q, want %q (Detail %q)", r.Status, c.status, r.Detail)
			}
			if r.Detail == "" {
				t.Error("empty Detail")
			}
			if strings.ContainsAny(r.Detail, "\r\n") {
				t.Errorf("Detail is not one line: %q", r.Detail)
			}
			checkRequests(t, f.requests(), c.want)
			if c.check != nil {
				c.check(t, r, elapsed, c.sleeps)
			}
			assertNoCredential(t, "Result", fmt.Sprintf("%#v", r))
			assertNoCredential(t, "log", logs.all()...)
		})
	}
}

// A Notify token is never sent anywhere: the server fails the test if it
// sees any request at all.
func TestNotifyTokenNeverContacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("LINE Notify token caused a request: %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	logs := &logSink{}
	v := newVerifier(t, srv.URL, logs, nil)
	for _, r := range []Result{
		v.Verify(context.Background(), Candidate{Rule: finding.RuleNotifyToken, Value: notifyTok}),
		v.VerifyAll(context.Background(), []Candidate{{Rule: finding.RuleNotifyToken, Value: notifyTok, ChannelID: channelID}})[0],
	} {
		if r.Status != Unverified || r.Detail != DetailNotify {
			t.Errorf("got %q / %q, want %q / %q", r.Status, r.Detail, Unverified, DetailNotify)
		}
		if !strings.Contains(r.Detail, "2025-03-31") || !strings.Contains(r.Detail, "send a message") {
			t.Errorf("Detail %q does not say why", r.Detail)
		}
		assertNoCredential(t, "Result", fmt.Sprintf("%#v", r))
	}
	assertNoCredential(t, "log", logs.all()...)
}

// 50 occurrences of one token cost one request set, whether they arrive one
// after another or all at once.
func TestCacheOneRequestSetPerCredential(t *testing.T) {
	f := newFakeLine(t, map[string]func(http.ResponseWriter, *http.Request, int){
		"POST " + PathVerifyToken: func(w http.ResponseWriter, r *http.Request, n int) {
			time.Sleep(20 * time.Millisecond) // let concurrent callers pile up
			jsonReply(200, verifyOK)(w, r, n)
		},
		"GET " + PathBotInfo:         jsonReply(200, botInfoOK),
		"POST " + PathStatelessToken: jsonReply(400, `{"error":"invalid_client"}`),
	})
	v := newVerifier(t, f.srv.URL, &logSink{}, func(o *Options) { o.Concurrency = 8 })

	first := v.Verify(context.Background(), Candidate{Rule: finding.RuleChannelAccessToken, Value: token})
	second := v.Verify(context.Background(), Candidate{Rule: finding.RuleChannelAccessToken, Value: token})
	if first != second || first.Status != Live {
		t.Errorf("second call %+v differs from first %+v", second, first)
	}
	checkRequests(t, f.requests(), []want{wantVerify, wantBotInfo})

	// Concurrent duplicates of a new token: still one set.
	cs := make([]Candidate, 50)
	for i := range cs {
		cs[i] = Candidate{Rule: finding.RuleChannelAccessToken, Value: token2}
	}
	for i, r := range v.VerifyAll(context.Background(), cs) {
		if r.Status != Live {
			t.Errorf("result %d: %q", i, r.Status)
		}
	}
	if n := len(f.requests()); n != 4 {
		t.Errorf("%d requests after 50 duplicates of a second token, want 4", n)
	}

	// The same secret with two channel ids is two candidates.
	v.Verify(context.Background(), Candidate{Rule: finding.RuleChannelSecret, Value: secret, ChannelID: channelID})
	v.Verify(context.Background(), Candidate{Rule: finding.RuleChannelSecret, Value: secret, ChannelID: channelID})
	v.Verify(context.Background(), Candidate{Rule: finding.RuleChannelSecret, Value: secret, ChannelID: "2000000001"})
	if n := len(f.requests()); n != 6 {
		t.Errorf("%d requests, want 6 (one per channel id)", n)
	}

	// A fresh Verifier has its own cache.
	v2 := newVerifier(t, f.srv.URL, &logSink{}, nil)
	v2.Verify(context.Background(), Candidate{Rule: finding.RuleChannelAccessToken, Value: token})
	if n := len(f.requests()); n != 8 {
		t.Errorf("%d requests, want 8", n)
	}
}

// VerifyAll with Concurrency 2 never has more than 2 requests in flight, and
// returns results in input order.
func TestVerifyAllConcurrencyAndOrder(t *testing.T) {
	const n = 12
	secrets := make([]string, n)
	good := map[string]bool{}
	for i := range secrets {
		secrets[i] = fakecred.ChannelSecret(fmt.Sprintf("bulk-%d", i))
		good[secrets[i]] = i%3 == 0
	}
	f := newFakeLine(t, map[string]func(http.ResponseWriter, *http.Request, int){
		"POST " + PathStatelessToken: func(w http.ResponseWriter, r *http.Request, _ int) {
			time.Sleep(15 * time.Millisecond)
			if good[r.PostForm.Get("client_secret")] {
				jsonReply(200, `{"token_type":"Bearer","access_token":"t","expires_in":899}`)(w, r, 0)
				return
			}
			jsonReply(400, `{"error":"invalid_client"}`)(w, r, 0)
		},
	})
	v := newVerifier(t, f.srv.URL, &logSink{}, func(o *Options) { o.Concurrency = 2 })
	cs := make([]Candidate, n)
	for i, s := range secrets {
		cs[i] = Candidate{Rule: finding.RuleChannelSecret, Value: s, ChannelID: channelID}
	}
	cs = append(cs, Candidate{Rule: finding.RuleNotifyToken, Value: notifyTok}, Candidate{Rule: finding.RuleChannelSecret, Value: secret})
	res := v.VerifyAll(context.Background(), cs)
	if len(res) != len(cs) {
		t.Fatalf("%d results for %d candidates", len(res), len(cs))
	}
	for i := range n {
		want := Revoked
		if i%3 == 0 {
			want = Live
		}
		if res[i].Status != want {
			t.Errorf("result %d: %q, want %q", i, res[i].Status, want)
		}
	}
	if res[n].Status != Unverified || res[n+1].Status != Unverified || res[n+1].Detail != DetailNoChannelID {
		t.Errorf("tail results %+v %+v", res[n], res[n+1])
	}
	if got := len(f.requests()); got != n {
		t.Errorf("%d requests, want %d", got, n)
	}
	if m := f.maxIn.Load(); m > 2 {
		t.Errorf("%d requests in flight at once, want at most 2", m)
	} else if m < 2 {
		t.Errorf("at most %d in flight: Concurrency 2 was not used", m)
	}
	if got := v.VerifyAll(context.Background(), nil); len(got) != 0 {
		t.Errorf("VerifyAll(nil) = %v", got)
	}
}

// No credential appears in any Result field, log line or error, even when
// LINE (or a proxy) echoes it back.
func TestNoCredentialAnywhere(t *testing.T) {
	echo := func(status int) func(http.ResponseWriter, *http.Request, int) {
		return func(w http.ResponseWriter, r *http.Request, n int) {
			body, _ := io.ReadAll(r.Body)
			form, _ := url.ParseQuery(string(body))
			v := form.Get("access_token") + form.Get("client_secret")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"error":"invalid_request %s","error_description":"bad %s / %s","client_id":"%s","scope":"%s"}`,
				v, v, url.QueryEscape(v), v, v)
		}
	}
	mux := http.NewServeMux()
	var calls atomic.Int32
	mux.HandleFunc("POST "+PathVerifyToken, func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			echo(500)(w, r, 0) // retried: goes through the log
		case 2:
			echo(400)(w, r, 0)
		default:
			echo(200)(w, r, 0) // client_id and scope carry the token
		}
	})
	mux.HandleFunc("GET "+PathBotInfo, func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"message":"bad token %s"}`, tok)
	})
	mux.HandleFunc("POST "+PathStatelessToken, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		echo(429)(w, r, 0)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	logs := &logSink{}
	v := newVerifier(t, srv.URL, logs, func(o *Options) { o.MaxRetries = 1 })
	var texts []string
	for _, c := range []Candidate{
		{Rule: finding.RuleChannelAccessToken, Value: token},  // 500 then 400 → revoked
		{Rule: finding.RuleChannelAccessToken, Value: token2}, // 200 echoing the token, bot info 401 echoing it
		{Rule: finding.RuleChannelSecret, Value: secret, ChannelID: channelID},
		{Rule: finding.RuleNotifyToken, Value: notifyTok},
		{Rule: "other", Value: token},
	} {
		r := v.Verify(context.Background(), c)
		texts = append(texts, fmt.Sprintf("%#v", r), r.Detail)
	}
	// A token that is cut off mid-call.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := v.Verify(ctx, Candidate{Rule: finding.RuleChannelAccessToken, Value: fakecred.AccessToken("cancelled")})
	texts = append(texts, fmt.Sprintf("%#v", r))
	if r.Status != Error {
		t.Errorf("cancelled: %q", r.Status)
	}
	assertNoCredential(t, "Result", texts...)
	assertNoCredential(t, "log", logs.all()...)
	if len(logs.all()) == 0 {
		t.Error("no log lines: the retry path was not exercised")
	}
	if !strings.Contains(strings.Join(texts, "\n"), "[REDACTED]") {
		t.Error("echoed credentials were not redacted")
	}

	// Errors from New never repeat user info.
	_, err := New(Options{BaseURL: "https://user:" + secret + "@api.line.me"})
	if err == nil {
		t.Fatal("base URL with user info accepted")
	}
	assertNoCredential(t, "New error", err.Error())
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, base := range []string{
		"ftp://api.line.me",
		"file:///etc/passwd",
		"https://user:pass@api.line.me",
		"https://user@api.line.me",
		"api.line.me",
		"https://",
		"https://api.line.me/?x=1",
		"https://api.line.me/#f",
		"mailto:someone@example.com",
		"://bad",
	} {
		if _, err := New(Options{BaseURL: base}); err == nil {
			t.Errorf("New accepted base URL %q", base)
		}
	}
	for base, want := range map[string]string{
		"":                           DefaultBaseURL,
		"https://api.line.me/":       "https://api.line.me",
		"http://127.0.0.1:8080":      "http://127.0.0.1:8080",
		"https://proxy.example/line": "https://proxy.example/line",
	} {
		v, err := New(Options{BaseURL: base})
		if err != nil {
			t.Errorf("New(%q): %v", base, err)
			continue
		}
		if v.BaseURL() != want {
			t.Errorf("New(%q).BaseURL() = %q, want %q", base, v.BaseURL(), want)
		}
	}
}

// A caller that gives up while a retry waits gets Error at once, and the
// Error is not cached.
func TestCancelDuringRetryWaitIsNotCached(t *testing.T) {
	f := newFakeLine(t, map[string]func(http.ResponseWriter, *http.Request, int){
		"POST " + PathVerifyToken: sequence(
			withHeader("Retry-After", "60", jsonReply(429, `{}`)),
			jsonReply(200, verifyOK),
		),
		"GET " + PathBotInfo: jsonReply(200, botInfoOK),
	})
	v := newVerifier(t, f.srv.URL, &logSink{}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	r := v.Verify(ctx, Candidate{Rule: finding.RuleChannelAccessToken, Value: token})
	if r.Status != Error || time.Since(start) > 2*time.Second {
		t.Fatalf("got %q after %v, want a prompt Error", r.Status, time.Since(start))
	}
	r = v.Verify(context.Background(), Candidate{Rule: finding.RuleChannelAccessToken, Value: token})
	if r.Status != Live {
		t.Errorf("second try: %q (%s), want live: the cancelled Error must not be cached", r.Status, r.Detail)
	}
}
