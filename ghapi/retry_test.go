package ghapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

const secondaryMsg = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ABCD.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`

// failing serves the given responses in order (then 200 with a PR body).
type resp struct {
	status int
	header map[string]string
	body   string
}

func TestRetries(t *testing.T) {
	ok := resp{status: 200, body: `{"number":1,"commits":3}`}
	e502 := resp{status: 502, body: `{"message":"Server Error"}`}
	secondary := resp{status: 403, header: map[string]string{"Retry-After": "1"}, body: secondaryMsg}
	soon := fmt.Sprint(time.Now().Unix())
	later := fmt.Sprint(time.Now().Add(time.Hour).Unix())
	tests := []struct {
		name      string
		responses []resp
		wantReqs  int
		wantErr   func(error) bool
		maxWall   time.Duration
	}{
		{"502 twice then 200 is retried", []resp{e502, e502, ok}, 3, nil, time.Second},
		{"secondary rate limit with Retry-After is retried", []resp{secondary, ok}, 2, nil, time.Second},
		{"secondary rate limit message without Retry-After is retried", []resp{{status: 403, body: secondaryMsg}, ok}, 2, nil, 2 * time.Second},
		{"429 with Retry-After is retried", []resp{{status: 429, header: map[string]string{"Retry-After": "1"}, body: `{"message":"slow down"}`}, ok}, 2, nil, time.Second},
		{"503 with Retry-After is retried", []resp{{status: 503, header: map[string]string{"Retry-After": "1"}}, ok}, 2, nil, time.Second},
		{"primary rate limit resetting now is retried", []resp{
			{status: 403, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": soon}, body: `{"message":"API rate limit exceeded"}`}, ok}, 2, nil, 3 * time.Second},
		{"primary rate limit resetting in an hour is not waited for", []resp{
			{status: 403, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": later}, body: `{"message":"API rate limit exceeded for installation"}`}},
			1, func(err error) bool { return IsForbidden(err) && IsRateLimited(err) }, time.Second},
		{"secondary rate limit asking for an hour is not waited for", []resp{
			{status: 403, header: map[string]string{"Retry-After": "720000"}, body: secondaryMsg}},
			1, func(err error) bool { return IsForbidden(err) && IsRateLimited(err) }, time.Second},
		{"404 is not retried", []resp{{status: 404, body: `{"message":"Not Found"}`}}, 1, IsNotFound, time.Second},
		{"plain 403 is not retried", []resp{{status: 403, body: `{"message":"Resource not accessible by integration"}`}}, 1, IsForbidden, time.Second},
		{"422 is not retried", []resp{{status: 422, body: `{"message":"Validation Failed"}`}}, 1, IsUnprocessable, time.Second},
		{"501 is not retried", []resp{{status: 501}}, 1, func(err error) bool { return StatusCode(err) == 501 }, time.Second},
		{"5xx forever gives up after MaxRetries with the last status", []resp{e502, e502, e502, e502, e502, e502, e502},
			5, func(err error) bool { return StatusCode(err) == 502 }, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			var n atomic.Int32
			f.handle("GET /repos/o/r/pulls/1", func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				rs := ok
				if i < len(tt.responses) {
					rs = tt.responses[i]
				}
				for k, v := range rs.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(rs.status)
				fmt.Fprint(w, rs.body)
			})
			var logs []string
			c := f.client(func(o *Options) {
				o.Logf = func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }
			})
			start := time.Now()
			got, err := c.PRCommits(context.Background(), Repo{"o", "r"}, 1)
			wall := time.Since(start)
			if tt.wantErr == nil {
				if err != nil || got != 3 {
					t.Fatalf("PRCommits = %d, %v", got, err)
				}
			} else if err == nil || !tt.wantErr(err) {
				t.Fatalf("err = %v (status %d)", err, StatusCode(err))
			}
			if len(f.requests()) != tt.wantReqs {
				t.Errorf("%d requests, want %d", len(f.requests()), tt.wantReqs)
			}
			if wall > tt.maxWall {
				t.Errorf("took %s", wall)
			}
			assertNoToken(t, err)
			if err != nil && !strings.HasPrefix(err.Error(), "get PR #1: ") {
				t.Errorf("err = %q, want it to name the operation", err)
			}
			for _, l := range logs {
				if strings.Contains(l, testToken) {
					t.Errorf("token in log line %q", l)
				}
			}
			if tt.wantReqs > 1 && len(logs) == 0 {
				t.Error("retries not logged")
			}
		})
	}
}

func TestRetryResendsBody(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.handle("POST /repos/o/r/issues/7/comments", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeJSON(w, r, 502, map[string]string{"message": "bad gateway"}, 0, 0)
			return
		}
		writeJSON(w, r, 201, ic{ID: 1}, 0, 0)
	})
	f.handle("GET /repos/o/r/issues/7/comments", func(w http.ResponseWriter, r *http.Request) { pageOf(w, r, []ic{}) })
	got, err := f.client().UpsertComment(context.Background(), Repo{"o", "r"}, 7, "<!-- m -->", "hello", true)
	if err != nil || got != CommentCreated {
		t.Fatalf("UpsertComment = %q, %v", got, err)
	}
	reqs := f.requests()
	if len(reqs) != 3 || reqs[1].Body != reqs[2].Body || !strings.Contains(reqs[2].Body, "hello") {
		t.Errorf("retried POST bodies differ: %q vs %q", reqs[1].Body, reqs[2].Body)
	}
	if reqs[2].Auth != "Bearer "+testToken {
		t.Errorf("retry lost the Authorization header: %q", reqs[2].Auth)
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	f := newFake(t)
	// A hostile server echoing the Authorization header in its error message.
	f.handle("GET /repos/o/r/pulls/1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, 401, map[string]string{"message": "Bad credentials: " + r.Header.Get("Authorization")}, 0, 0)
	})
	_, err := f.client().PRCommits(context.Background(), Repo{"o", "r"}, 1)
	if err == nil {
		t.Fatal("no error")
	}
	assertNoToken(t, err)
	if !strings.Contains(err.Error(), "[REDACTED]") || StatusCode(err) != 401 {
		t.Errorf("err = %q", err)
	}
	// A dead server: network error.
	f.srv.Close()
	_, err = f.client(func(o *Options) { o.MaxRetries = 1 }).PRCommits(context.Background(), Repo{"o", "r"}, 1)
	if err == nil || StatusCode(err) != 0 {
		t.Fatalf("err = %v", err)
	}
	assertNoToken(t, err)
	if !strings.HasPrefix(err.Error(), "get PR #1: ") {
		t.Errorf("err = %q", err)
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	f := newFake(t)
	f.handle("GET /repos/o/r/pulls/1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, 502, map[string]string{"message": "bad gateway"}, 0, 0)
	})
	c := f.client(func(o *Options) { o.RetryWaitMin, o.RetryWaitMax = time.Hour, time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.PRCommits(ctx, Repo{"o", "r"}, 1)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("cancel not honoured: %s", time.Since(start))
	}
}

func TestPerRequestTimeout(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.handle("GET /repos/o/r/pulls/1", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			select { // hang the first attempt past the timeout
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
			return
		}
		writeJSON(w, r, 200, map[string]any{"commits": 3}, 0, 0)
	})
	c := f.client(func(o *Options) { o.Timeout = 100 * time.Millisecond })
	got, err := c.PRCommits(context.Background(), Repo{"o", "r"}, 1)
	if err != nil || got != 3 {
		t.Fatalf("PRCommits = %d, %v (a timed-out attempt should be retried)", got, err)
	}
}

func TestPrimaryRateLimitPrecheck(t *testing.T) {
	// go-github refuses to send a request after a response said the limit is
	// exhausted; with the reset an hour away the call fails fast as 403.
	f := newFake(t)
	later := fmt.Sprint(time.Now().Add(time.Hour).Unix())
	f.handle("GET /repos/o/r/pulls/1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", later)
		writeJSON(w, r, 200, map[string]any{"commits": 3}, 0, 0)
	})
	c := f.client()
	if _, err := c.PRCommits(context.Background(), Repo{"o", "r"}, 1); err != nil {
		t.Fatal(err)
	}
	_, err := c.PRCommits(context.Background(), Repo{"o", "r"}, 1)
	var rl *github.RateLimitError
	if !errors.As(err, &rl) || !IsForbidden(err) || !IsRateLimited(err) {
		t.Fatalf("err = %v", err)
	}
	if len(f.requests()) != 1 {
		t.Errorf("%d requests, want 1", len(f.requests()))
	}
}

func TestNewAndParseRepo(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "https://api.github.com/"},
		{"https://ghe.example.com/api/v3", "https://ghe.example.com/api/v3/"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080/"},
	} {
		c, err := New(Options{BaseURL: tt.in, Token: testToken})
		if err != nil {
			t.Fatal(err)
		}
		if c.GitHub().BaseURL.String() != tt.want || c.GitHub().UploadURL.String() != tt.want {
			t.Errorf("New(%q): base %s upload %s", tt.in, c.GitHub().BaseURL, c.GitHub().UploadURL)
		}
	}
	for _, bad := range []string{"ftp://x/", "not a url", "https://user:" + testToken + "@ghe.example.com/"} {
		_, err := New(Options{BaseURL: bad, Token: testToken})
		if err == nil {
			t.Errorf("New(%q) accepted", bad)
		}
		assertNoToken(t, err)
	}
	for _, tt := range []struct {
		in   string
		want Repo
		ok   bool
	}{
		{"octo/hello-world", Repo{"octo", "hello-world"}, true},
		{" octo/repo.go \n", Repo{"octo", "repo.go"}, true},
		{"", Repo{}, false},
		{"octo", Repo{}, false},
		{"/repo", Repo{}, false},
		{"octo/", Repo{}, false},
		{"a/b/c", Repo{}, false},
		{"a/b c", Repo{}, false},
		{"../x", Repo{}, false},
	} {
		got, err := ParseRepo(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseRepo(%q) = %v, %v", tt.in, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "owner/name") {
			t.Errorf("unclear error: %v", err)
		}
	}
}
