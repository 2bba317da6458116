package ghapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testToken = "ghs_TESTTOKENabcdefghijklmnopqrstuvwxyz012345"

// recorded is one request the fake GitHub received.
type recorded struct {
	Method, Path, Query, Body, Auth string
}

func (r recorded) String() string {
	s := r.Method + " " + r.Path
	if r.Query != "" {
		s += "?" + r.Query
	}
	return s
}

// fakeGitHub stands in for the GitHub REST API: handlers by "METHOD /path",
// every request recorded.
type fakeGitHub struct {
	t        *testing.T
	srv      *httptest.Server
	mu       sync.Mutex
	reqs     []recorded
	handlers map[string]http.HandlerFunc
}

func newFake(t *testing.T) *fakeGitHub {
	t.Helper()
	f := &fakeGitHub{t: t, handlers: map[string]http.HandlerFunc{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, string(b), r.Header.Get("Authorization")})
		h := f.handlers[r.Method+" "+r.URL.Path]
		f.mu.Unlock()
		if h == nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		h(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGitHub) handle(methodPath string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[methodPath] = h
}

func (f *fakeGitHub) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// lines is the requests as "METHOD /path?query".
func (f *fakeGitHub) lines() []string {
	var out []string
	for _, r := range f.requests() {
		out = append(out, r.String())
	}
	return out
}

// client is a Client against f with test-sized waits. The BaseURL lacks
// the trailing slash on purpose: New must add it.
func (f *fakeGitHub) client(mod ...func(*Options)) *Client {
	f.t.Helper()
	opts := Options{
		BaseURL:        f.srv.URL,
		Token:          testToken,
		Timeout:        5 * time.Second,
		RetryWaitMin:   time.Millisecond,
		RetryWaitMax:   5 * time.Millisecond,
		retryAfterUnit: 5 * time.Millisecond,
		Logf:           func(format string, args ...any) { f.t.Logf(format, args...) },
	}
	for _, m := range mod {
		m(&opts)
	}
	c, err := New(opts)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// writeJSON writes v with status and, when next > 0, a Link header to page next of last.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any, next, last int) {
	if next > 0 {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		link := func(p int, rel string) string {
			q := u.Query()
			q.Set("page", fmt.Sprint(p))
			u.RawQuery = q.Encode()
			return fmt.Sprintf(`<%s>; rel="%s"`, u.String(), rel)
		}
		w.Header().Set("Link", link(next, "next")+", "+link(last, "last"))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// pageOf serves items in pages of 100 following ?page=.
func pageOf[T any](w http.ResponseWriter, r *http.Request, items []T) {
	page := 1
	fmt.Sscan(r.URL.Query().Get("page"), &page)
	per := 100
	last := (len(items) + per - 1) / per
	if last == 0 {
		last = 1
	}
	lo, hi := (page-1)*per, page*per
	lo, hi = min(lo, len(items)), min(hi, len(items))
	next := 0
	if page < last {
		next = page + 1
	}
	writeJSON(w, r, http.StatusOK, items[lo:hi], next, last)
}

func assertLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n got %q\nwant %q", got, want)
	}
}

func assertNoToken(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), testToken) {
		t.Errorf("token in error text: %v", err)
	}
}
