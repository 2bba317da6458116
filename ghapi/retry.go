package ghapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// The retry policy plugged into go-retryablehttp (which does the loop, body
// rewinding and context-aware sleeping):
//
//   - network errors (not TLS/scheme/redirect errors) and 5xx except 501:
//     exponential backoff RetryWaitMin·2^n capped at RetryWaitMax, with
//     jitter (a random point in the upper half), or Retry-After when sent;
//   - secondary rate limits (403/429 with Retry-After, or the documented
//     "secondary rate limit" message/documentation_url; any other 429):
//     Retry-After, else one minute doubling per retry, as GitHub documents;
//   - primary rate limit (403/429 with x-ratelimit-remaining: 0): wait until
//     x-ratelimit-reset;
//
// and a rate-limit wait longer than MaxRateLimitWait is not retried at all:
// the response goes back to go-github, which turns it into an error.
type retryPolicy struct{ opts *Options }

type retryKind int

const (
	noRetry retryKind = iota
	retryServer
	retrySecondary
	retryPrimary
)

func (k retryKind) String() string {
	switch k {
	case retryServer:
		return "server error"
	case retrySecondary:
		return "secondary rate limit"
	case retryPrimary:
		return "primary rate limit"
	}
	return "no retry"
}

func (p *retryPolicy) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		retry, _ := retryablehttp.DefaultRetryPolicy(ctx, resp, err)
		if retry {
			p.opts.Logf("ghapi: request failed: %v", err)
		}
		return retry, nil
	}
	kind, wait := p.classify(resp, 0)
	if kind == noRetry {
		return false, nil
	}
	if kind != retryServer && wait > p.opts.MaxRateLimitWait {
		p.opts.Logf("ghapi: %s %s: %s; not waiting %s (more than %s)", resp.Request.Method, resp.Request.URL.Path,
			kind, wait.Round(time.Second), p.opts.MaxRateLimitWait)
		return false, nil
	}
	return true, nil
}

func (p *retryPolicy) backoff(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp == nil {
		return p.expBackoff(attempt)
	}
	kind, wait := p.classify(resp, attempt)
	if kind == noRetry {
		wait = p.expBackoff(attempt)
	}
	if resp.Request != nil && resp.Request.URL != nil {
		p.opts.Logf("ghapi: %s %s: %s (%s); retry %d of %d in %s", resp.Request.Method, resp.Request.URL.Path,
			resp.Status, kind, attempt+1, p.opts.MaxRetries, wait.Round(time.Millisecond))
	}
	return wait
}

// expBackoff is RetryWaitMin·2^attempt capped at RetryWaitMax, jittered to
// a random point in [d/2, d].
func (p *retryPolicy) expBackoff(attempt int) time.Duration {
	d := p.opts.RetryWaitMin
	for i := 0; i < attempt && d < p.opts.RetryWaitMax; i++ {
		d *= 2
	}
	d = min(d, p.opts.RetryWaitMax)
	return jitter(d)
}

func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// classify says whether resp is worth retrying and how long to wait first.
func (p *retryPolicy) classify(resp *http.Response, attempt int) (retryKind, time.Duration) {
	code := resp.StatusCode
	retryAfter, hasRetryAfter := parseRetryAfter(resp.Header.Get("Retry-After"), p.opts.retryAfterUnit)
	switch {
	case code == 0 || (code >= 500 && code != http.StatusNotImplemented):
		if hasRetryAfter {
			return retryServer, min(retryAfter, p.opts.RetryWaitMax)
		}
		return retryServer, p.expBackoff(attempt)
	case code == http.StatusForbidden || code == http.StatusTooManyRequests:
	default:
		return noRetry, 0
	}
	// 403 / 429.
	if resp.Header.Get("X-RateLimit-Remaining") == "0" && !hasRetryAfter {
		reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64)
		if err != nil {
			return noRetry, 0
		}
		wait := time.Until(time.Unix(reset, 0))
		if wait <= 0 {
			return retryPrimary, p.expBackoff(attempt)
		}
		return retryPrimary, wait + jitter(p.opts.RetryWaitMin)
	}
	if hasRetryAfter {
		return retrySecondary, retryAfter
	}
	if code == http.StatusTooManyRequests || isSecondaryMessage(resp) {
		d := 60 * p.opts.retryAfterUnit
		for i := 0; i < attempt; i++ {
			d *= 2
		}
		return retrySecondary, d + jitter(p.opts.RetryWaitMin)
	}
	return noRetry, 0 // a plain 403: permissions, not load
}

// isSecondaryMessage peeks at the error body (and puts it back) for
// GitHub's documented secondary-rate-limit message or documentation URL.
func isSecondaryMessage(resp *http.Response) bool {
	if resp.Body == nil {
		return false
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	rest := resp.Body
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), rest), rest}
	if err != nil {
		return false
	}
	var e struct {
		Message          string `json:"message"`
		DocumentationURL string `json:"documentation_url"`
	}
	_ = json.Unmarshal(b, &e)
	text := strings.ToLower(e.Message + " " + e.DocumentationURL)
	if e.Message == "" && e.DocumentationURL == "" {
		text = strings.ToLower(string(b))
	}
	return strings.Contains(text, "secondary rate limit") ||
		strings.Contains(text, "secondary-rate-limit") ||
		strings.Contains(text, "abuse-rate-limit") ||
		strings.Contains(text, "abuse detection")
}

// parseRetryAfter reads Retry-After as seconds (scaled by unit) or an HTTP date.
func parseRetryAfter(v string, unit time.Duration) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(n) * unit, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// passLastResponse hands the last response to go-github when retries are
// exhausted (so it becomes a *github.ErrorResponse with its status), or the
// last error when there is none.
func passLastResponse(resp *http.Response, err error, _ int) (*http.Response, error) {
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		return nil, err
	}
	return resp, nil
}
