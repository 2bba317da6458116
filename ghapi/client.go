// Package ghapi is everything `channelguard pr` asks of the GitHub REST API:
// the sticky PR comment, the PR diff, one review with inline comments, the
// SARIF upload and the PR commit count. Every call goes through go-github
// with a per-request timeout, and is retried on 5xx and rate limits (see
// retry.go). Errors name the operation that failed and never contain the
// token; IsForbidden, IsNotFound and IsUnprocessable classify them.
package ghapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/hashicorp/go-retryablehttp"
)

// DefaultBaseURL is the API base used when Options.BaseURL is empty.
const DefaultBaseURL = "https://api.github.com/"

// Options configures a Client. Zero values get the documented defaults.
type Options struct {
	BaseURL    string                           // GITHUB_API_URL; "" = https://api.github.com/ (a trailing slash is added when missing); also used as the upload URL
	Token      string                           // "" = unauthenticated (every write will fail; reads may work)
	Timeout    time.Duration                    // per HTTP request (each attempt); default 30s
	HTTPClient *http.Client                     // optional base client (tests); its Transport, Jar and CheckRedirect are used
	Logf       func(format string, args ...any) // retries etc.; never a token
	MaxRetries int                              // retries after the first attempt; default 4, negative = none

	// RetryWaitMin and RetryWaitMax bound the exponential backoff (with
	// jitter) between retries of 5xx and network errors; defaults 1s and 30s.
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxRateLimitWait is the longest wait honoured for a rate limit
	// (Retry-After, a primary limit's reset, a secondary limit without
	// Retry-After); a longer one is not waited for: the call fails. Default 60s.
	MaxRateLimitWait time.Duration

	// retryAfterUnit scales Retry-After seconds and the one-minute secondary
	// rate-limit wait; tests shrink it. Default time.Second.
	retryAfterUnit time.Duration
}

// Client is a GitHub REST API client for one token.
type Client struct {
	gh    *github.Client
	token string
	opts  Options
	sleep func(ctx context.Context, d time.Duration) error
}

// New builds a Client. It fails only on an unusable BaseURL.
func New(opts Options) (*Client, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = 4
	} else if opts.MaxRetries < 0 {
		opts.MaxRetries = 0
	}
	if opts.RetryWaitMin <= 0 {
		opts.RetryWaitMin = time.Second
	}
	if opts.RetryWaitMax <= 0 {
		opts.RetryWaitMax = 30 * time.Second
	}
	if opts.RetryWaitMax < opts.RetryWaitMin {
		opts.RetryWaitMax = opts.RetryWaitMin
	}
	if opts.MaxRateLimitWait <= 0 {
		opts.MaxRateLimitWait = 60 * time.Second
	}
	if opts.retryAfterUnit <= 0 {
		opts.retryAfterUnit = time.Second
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	base := strings.TrimSpace(opts.BaseURL)
	if base == "" {
		base = DefaultBaseURL
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("ghapi: GitHub API URL %q is not an http(s) URL", redact(opts.BaseURL, opts.Token))
	}
	if u.User != nil {
		return nil, errors.New("ghapi: GitHub API URL must not carry credentials")
	}

	// Innermost: one attempt, bounded by Timeout.
	inner := &http.Client{Timeout: opts.Timeout}
	if opts.HTTPClient != nil {
		inner.Transport = opts.HTTPClient.Transport
		inner.Jar = opts.HTTPClient.Jar
		inner.CheckRedirect = opts.HTTPClient.CheckRedirect
	}
	pol := &retryPolicy{opts: &opts}
	rc := &retryablehttp.Client{
		HTTPClient:   inner,
		Logger:       nil, // retryablehttp would log every request; we log retries ourselves
		RetryWaitMin: opts.RetryWaitMin,
		RetryWaitMax: opts.RetryWaitMax,
		RetryMax:     opts.MaxRetries,
		CheckRetry:   pol.checkRetry,
		Backoff:      pol.backoff,
		ErrorHandler: passLastResponse,
	}
	gh := github.NewClient(&http.Client{Transport: &retryablehttp.RoundTripper{Client: rc}})
	if opts.Token != "" {
		gh = gh.WithAuthToken(opts.Token)
	}
	gh.BaseURL = u
	up := *u
	gh.UploadURL = &up
	gh.UserAgent = "channelguard"
	return &Client{gh: gh, token: opts.Token, opts: opts, sleep: sleepCtx}, nil
}

// GitHub returns the underlying go-github client (same transport, retries
// and token) for calls this package does not wrap.
func (c *Client) GitHub() *github.Client { return c.gh }

// Repo is an owner/name pair.
type Repo struct{ Owner, Name string }

func (r Repo) String() string { return r.Owner + "/" + r.Name }

// ParseRepo parses "owner/name" (GITHUB_REPOSITORY).
func ParseRepo(s string) (Repo, error) {
	s = strings.TrimSpace(s)
	owner, name, ok := strings.Cut(s, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") ||
		strings.ContainsAny(s, " \t\r\n?#%\\") || owner == "." || owner == ".." || name == "." || name == ".." {
		return Repo{}, fmt.Errorf("ghapi: repository %q is not of the form owner/name (GITHUB_REPOSITORY)", s)
	}
	return Repo{Owner: owner, Name: name}, nil
}

// call runs one go-github call. When go-github refuses to send it because
// an earlier response exhausted the primary rate limit (no request is made),
// it waits for the reset if that is within MaxRateLimitWait and tries once
// more. Errors come back wrapped as *Error naming op.
func (c *Client) call(ctx context.Context, op string, fn func(ctx context.Context) (*github.Response, error)) error {
	for attempt := 0; ; attempt++ {
		_, err := fn(ctx)
		if err == nil {
			return nil
		}
		var rl *github.RateLimitError
		if attempt == 0 && errors.As(err, &rl) && ctx.Err() == nil {
			wait := time.Until(rl.Rate.Reset.Time) + time.Second
			if wait > 0 && wait <= c.opts.MaxRateLimitWait {
				c.opts.Logf("ghapi: %s: primary rate limit exhausted; waiting %s for the reset", op, wait.Round(time.Second))
				if c.sleep(ctx, wait) == nil {
					continue
				}
			}
		}
		return c.wrap(op, err)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Error is a failed API call: Op says what was attempted ("create PR
// comment"), Status is the HTTP status (0 when no response was received).
// Its text never contains the token.
type Error struct {
	Op     string
	Status int
	msg    string
	err    error
}

func (e *Error) Error() string { return e.msg }
func (e *Error) Unwrap() error { return e.err }

// wrap turns a go-github error into an *Error with a one-line message:
// "create PR comment: 403 Forbidden: Resource not accessible by integration (POST /repos/o/r/issues/7/comments)".
func (c *Client) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	status := StatusCode(err)
	var detail string
	var resp *http.Response
	var er *github.ErrorResponse
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	switch {
	case errors.As(err, &rl):
		resp = rl.Response
		detail = "primary rate limit exhausted"
		if !rl.Rate.Reset.Time.IsZero() {
			detail += fmt.Sprintf(" until %s", rl.Rate.Reset.Time.UTC().Format(time.RFC3339))
		}
		if rl.Message != "" {
			detail += ": " + rl.Message
		}
	case errors.As(err, &ab):
		resp = ab.Response
		detail = "secondary rate limit"
		if ab.Message != "" {
			detail += ": " + ab.Message
		}
	case errors.As(err, &er):
		resp = er.Response
		detail = er.Message
		for _, e := range er.Errors {
			switch {
			case e.Message != "":
				detail += "; " + e.Message
			case e.Field != "" || e.Code != "":
				detail += fmt.Sprintf("; %s %s", e.Field, e.Code)
			}
		}
	default:
		detail = err.Error()
	}
	var msg string
	if status != 0 {
		msg = fmt.Sprintf("%s: %d %s", op, status, http.StatusText(status))
		if detail != "" {
			msg += ": " + detail
		}
		if resp != nil && resp.Request != nil && resp.Request.URL != nil {
			msg += fmt.Sprintf(" (%s %s)", resp.Request.Method, resp.Request.URL.Path)
		}
	} else {
		msg = op + ": " + detail
	}
	msg = strings.Join(strings.Fields(msg), " ")
	return &Error{Op: op, Status: status, msg: redact(msg, c.token), err: err}
}

// redact removes the token from s (defence in depth: the token is only ever
// sent in the Authorization header).
func redact(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "[REDACTED]")
}

// StatusCode is the HTTP status of a failed GitHub API call (a
// *github.ErrorResponse, rate-limit error or *Error), or 0.
func StatusCode(err error) int {
	var er *github.ErrorResponse
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	var e *Error
	switch {
	case errors.As(err, &e) && e.Status != 0:
		return e.Status
	case errors.As(err, &er) && er.Response != nil:
		return er.Response.StatusCode
	case errors.As(err, &rl) && rl.Response != nil:
		return rl.Response.StatusCode
	case errors.As(err, &ab) && ab.Response != nil:
		return ab.Response.StatusCode
	}
	return 0
}

// IsForbidden: 403 (a fork PR's read-only token, upload-sarif without code
// security, an exhausted rate limit).
func IsForbidden(err error) bool { return StatusCode(err) == http.StatusForbidden }

// IsNotFound: 404 (also what GitHub answers for a repository the token cannot see).
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// IsUnprocessable: 422 (e.g. a review comment line outside the diff, a stale commit).
func IsUnprocessable(err error) bool { return StatusCode(err) == http.StatusUnprocessableEntity }

// IsRateLimited: a primary or secondary rate limit that was not (or no
// longer) worth waiting for.
func IsRateLimited(err error) bool {
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	return errors.As(err, &rl) || errors.As(err, &ab) || StatusCode(err) == http.StatusTooManyRequests
}

// paged is the common loop of the list calls: fetch page 1, 2, … while the
// Link header names a next page, at most maxPages pages.
func paged(maxPages int, fetch func(page int) (next int, err error)) error {
	page := 1
	for i := 0; i < maxPages && page != 0; i++ {
		next, err := fetch(page)
		if err != nil {
			return err
		}
		if next != 0 && next <= page {
			break // a broken Link header must not loop forever
		}
		page = next
	}
	return nil
}
