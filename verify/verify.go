// Package verify asks the LINE Platform whether a leaked credential is still
// live, using only calls that change nothing on the channel:
//
//   - channel access token: POST /v2/oauth/verify, then GET /v2/bot/info
//   - channel secret + channel id: POST /oauth2/v3/token (stateless token,
//     15 minutes, no token slot used; the issued token is thrown away)
//   - LINE Notify token: never contacted (the service ended 2025-03-31 and
//     its only endpoint that accepts a token sends a message)
//
// It never calls /v2/oauth/accessToken (it uses one of the channel's
// short-lived token slots) nor any revoke endpoint. A credential is sent to
// the configured base URL only, never logged, never put in a Result or an
// error. See README.md.
package verify

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/channelguard/channelguard/finding"
)

// Status is the outcome of one check.
type Status string

const (
	Live       Status = "live"
	Revoked    Status = "revoked"    // LINE says invalid/expired/revoked
	Unverified Status = "unverified" // not checkable (no channel id for a secret, Notify token, unknown rule)
	Error      Status = "error"      // network, timeout, 5xx after retries, unexpected answer
)

// Endpoint paths, relative to Options.BaseURL. They are the only paths this
// package ever requests.
const (
	PathVerifyToken    = "/v2/oauth/verify"
	PathBotInfo        = "/v2/bot/info"
	PathStatelessToken = "/oauth2/v3/token"
)

// DefaultBaseURL is the LINE Platform API host.
const DefaultBaseURL = "https://api.line.me"

// Detail texts for candidates that are not checked.
const (
	DetailNoChannelID = "no channel id near the secret (use --channel-id)"
	DetailNotify      = "LINE Notify is not checked: the service ended on 2025-03-31 and its token endpoint (notify-api.line.me/api/notify) would send a message; rotate or delete the token"
)

// Result is what LINE said about one credential. It never holds the
// credential.
type Result struct {
	Status    Status
	CheckedAt time.Time // UTC, from Options.Now
	// From LINE, when live (never the credential):
	ChannelID string // client_id of /v2/oauth/verify, or the channel id used for a secret
	ExpiresIn int64  // seconds, from /v2/oauth/verify
	Scope     string
	BotName   string // displayName from /v2/bot/info
	BasicID   string // basicId from /v2/bot/info
	Detail    string // one line for reports: what was called and what it said, never the credential
}

// Candidate is one credential to check.
type Candidate struct {
	Rule      string // finding.RuleChannelAccessToken, finding.RuleChannelSecret, finding.RuleNotifyToken; others → Unverified
	Value     string // the raw credential (memory only)
	ChannelID string // for a channel secret: a channel id found near it, or --channel-id; "" → Unverified
}

// Options configures a Verifier. The zero value is usable.
type Options struct {
	BaseURL                    string        // default "https://api.line.me"; tests and proxies (--line-api-url)
	HTTPClient                 *http.Client  // optional; copied, redirects are never followed
	Timeout                    time.Duration // per request (per attempt), default 10s
	Concurrency                int           // default 4
	MaxRetries                 int           // default 3; retry 429 (honour Retry-After), 5xx and network errors with exponential backoff + jitter; <0 → no retries
	RetryWaitMin, RetryWaitMax time.Duration // default 500ms / 10s
	Now                        func() time.Time
	Logf                       func(format string, args ...any) // never given a credential
}

// MaxRetryAfter is the longest Retry-After this package waits for; a longer
// one ends the check with Error.
const MaxRetryAfter = 2 * time.Minute

// Verifier checks candidates and caches the results. Safe for concurrent use.
type Verifier struct {
	base         string
	client       *http.Client
	timeout      time.Duration
	maxRetries   int
	waitMin      time.Duration
	waitMax      time.Duration
	now          func() time.Time
	logf         func(format string, args ...any)
	sem          chan struct{}
	sleep        func(ctx context.Context, d time.Duration) error // tests replace it
	mu           sync.Mutex
	cache        map[[sha256.Size]byte]*entry
	concurrency  int
	maxRetryWait time.Duration
}

type entry struct {
	done chan struct{}
	res  Result
}

// New returns a Verifier. It rejects a BaseURL that is not http(s), has no
// host, or carries user info, a query or a fragment.
func New(opts Options) (*Verifier, error) {
	base := opts.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("verify: LINE API base URL: %v", err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("verify: LINE API base URL must be http(s), got scheme %q", u.Scheme)
	case u.User != nil:
		return nil, errors.New("verify: LINE API base URL must not carry user info")
	case u.Host == "":
		return nil, errors.New("verify: LINE API base URL has no host")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, errors.New("verify: LINE API base URL must not have a query or fragment")
	case u.Opaque != "":
		return nil, errors.New("verify: LINE API base URL is not a hierarchical URL")
	}
	v := &Verifier{
		base:         strings.TrimRight(u.String(), "/"),
		timeout:      opts.Timeout,
		maxRetries:   opts.MaxRetries,
		waitMin:      opts.RetryWaitMin,
		waitMax:      opts.RetryWaitMax,
		now:          opts.Now,
		logf:         opts.Logf,
		concurrency:  opts.Concurrency,
		cache:        map[[sha256.Size]byte]*entry{},
		sleep:        sleepCtx,
		maxRetryWait: MaxRetryAfter,
	}
	if v.timeout <= 0 {
		v.timeout = 10 * time.Second
	}
	if v.concurrency <= 0 {
		v.concurrency = 4
	}
	if opts.MaxRetries == 0 {
		v.maxRetries = 3
	} else if opts.MaxRetries < 0 {
		v.maxRetries = 0
	}
	if v.waitMin <= 0 {
		v.waitMin = 500 * time.Millisecond
	}
	if v.waitMax <= 0 {
		v.waitMax = 10 * time.Second
	}
	if v.waitMax < v.waitMin {
		v.waitMax = v.waitMin
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.logf == nil {
		v.logf = func(string, ...any) {}
	}
	var c http.Client
	if opts.HTTPClient != nil {
		c = *opts.HTTPClient
	}
	// A redirect could carry a credential in a body to another host: never
	// follow one; it is reported as an unexpected answer.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	v.client = &c
	v.sem = make(chan struct{}, v.concurrency)
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		v.logf("verify: LINE API base URL %s is plain http: credentials would cross the network unencrypted", v.base)
	}
	return v, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL is the API base the Verifier sends requests to.
func (v *Verifier) BaseURL() string { return v.base }

// Verify checks one candidate. One request set per distinct (rule, value,
// channel id) per Verifier: results are cached by SHA-256, so 50 occurrences
// of one token cost one call; concurrent calls for the same candidate wait
// for the first.
func (v *Verifier) Verify(ctx context.Context, c Candidate) Result {
	if res, ok := v.precheck(c); !ok {
		return res
	}
	key := cacheKey(c)
	v.mu.Lock()
	if e, ok := v.cache[key]; ok {
		v.mu.Unlock()
		select {
		case <-e.done:
			return e.res
		case <-ctx.Done():
			return v.result(Error, fmt.Sprintf("%s: not checked: %v", c.Rule, ctx.Err()))
		}
	}
	e := &entry{done: make(chan struct{})}
	v.cache[key] = e
	v.mu.Unlock()

	e.res = v.check(ctx, c)
	if ctx.Err() != nil && e.res.Status == Error {
		// The caller gave up: a later call may try again.
		v.mu.Lock()
		delete(v.cache, key)
		v.mu.Unlock()
	}
	close(e.done)
	return e.res
}

// VerifyAll checks many with at most Concurrency in flight; results in input
// order.
func (v *Verifier) VerifyAll(ctx context.Context, cs []Candidate) []Result {
	out := make([]Result, len(cs))
	idx := make(chan int)
	var wg sync.WaitGroup
	workers := min(v.concurrency, len(cs))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				out[i] = v.Verify(ctx, cs[i])
			}
		}()
	}
	for i := range cs {
		idx <- i
	}
	close(idx)
	wg.Wait()
	return out
}

// precheck returns (result, false) for candidates that are never sent.
func (v *Verifier) precheck(c Candidate) (Result, bool) {
	switch c.Rule {
	case finding.RuleNotifyToken:
		return v.result(Unverified, DetailNotify), false
	case finding.RuleChannelAccessToken:
	case finding.RuleChannelSecret:
		if c.ChannelID == "" {
			return v.result(Unverified, DetailNoChannelID), false
		}
		if !isChannelID(c.ChannelID) {
			return v.result(Unverified, fmt.Sprintf("channel id %q is not a number; not checked", c.ChannelID)), false
		}
	default:
		return v.result(Unverified, fmt.Sprintf("rule %q has no live check", c.Rule)), false
	}
	if c.Value == "" {
		return v.result(Unverified, c.Rule+": empty value, not checked"), false
	}
	return Result{}, true
}

func isChannelID(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func cacheKey(c Candidate) [sha256.Size]byte {
	h := sha256.New()
	for _, s := range []string{c.Rule, c.Value, c.ChannelID} {
		fmt.Fprintf(h, "%d:%s\x00", len(s), s)
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

func (v *Verifier) result(s Status, detail string) Result {
	return Result{Status: s, CheckedAt: v.now().UTC(), Detail: detail}
}

// check does the network work for one candidate, within the concurrency
// limit, and scrubs the credential from anything it returns.
func (v *Verifier) check(ctx context.Context, c Candidate) Result {
	select {
	case v.sem <- struct{}{}:
	case <-ctx.Done():
		return v.result(Error, fmt.Sprintf("%s: not checked: %v", c.Rule, ctx.Err()))
	}
	defer func() { <-v.sem }()

	var res Result
	switch c.Rule {
	case finding.RuleChannelAccessToken:
		res = v.checkToken(ctx, c)
	case finding.RuleChannelSecret:
		res = v.checkSecret(ctx, c)
	}
	res.CheckedAt = v.now().UTC()
	return scrub(res, c.Value)
}

// scrub removes the credential (raw and form-encoded) from every text field:
// defence in depth should LINE or a proxy echo it back.
func scrub(r Result, secret string) Result {
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret)}
	clean := func(s string) string {
		for _, f := range forms {
			if f != "" {
				s = strings.ReplaceAll(s, f, "[REDACTED]")
			}
		}
		return s
	}
	r.ChannelID = clean(r.ChannelID)
	r.Scope = clean(r.Scope)
	r.BotName = clean(r.BotName)
	r.BasicID = clean(r.BasicID)
	r.Detail = clean(r.Detail)
	return r
}

func (v *Verifier) logfRedacted(secret, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	for _, f := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
		if f != "" {
			msg = strings.ReplaceAll(msg, f, "[REDACTED]")
		}
	}
	v.logf("%s", msg)
}

type verifyResponse struct {
	ClientID  string `json:"client_id"`
	ExpiresIn int64  `json:"expires_in"`
	Scope     string `json:"scope"`
}

type botInfoResponse struct {
	BasicID     string `json:"basicId"`
	DisplayName string `json:"displayName"`
}

type statelessTokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

func (v *Verifier) checkToken(ctx context.Context, c Candidate) Result {
	call := "POST " + PathVerifyToken
	form := url.Values{"access_token": {c.Value}}
	resp, err := v.do(ctx, c, http.MethodPost, PathVerifyToken, form, "")
	if err != nil {
		return Result{Status: Error, Detail: fmt.Sprintf("%s: %s: %v", c.Rule, call, err)}
	}
	switch resp.status {
	case http.StatusOK:
	case http.StatusBadRequest, http.StatusUnauthorized:
		return Result{Status: Revoked, Detail: fmt.Sprintf("%s → %d%s: LINE rejects the token", call, resp.status, lineError(resp.body))}
	default:
		return Result{Status: Error, Detail: fmt.Sprintf("%s: %s → unexpected %d%s", c.Rule, call, resp.status, lineError(resp.body))}
	}
	var vr verifyResponse
	if err := decodeJSON(resp.body, &vr); err != nil || vr.ClientID == "" {
		return Result{Status: Error, Detail: fmt.Sprintf("%s: %s → 200 without a client_id (unexpected answer)", c.Rule, call)}
	}
	res := Result{Status: Live, ChannelID: vr.ClientID, ExpiresIn: vr.ExpiresIn, Scope: vr.Scope}
	detail := fmt.Sprintf("%s → 200 (channel %s, expires in %ds)", call, vr.ClientID, vr.ExpiresIn)

	bcall := "GET " + PathBotInfo
	bresp, err := v.do(ctx, c, http.MethodGet, PathBotInfo, nil, c.Value)
	switch {
	case err != nil:
		detail += fmt.Sprintf("; %s failed: %v", bcall, err)
	case bresp.status != http.StatusOK:
		detail += fmt.Sprintf("; %s → %d%s", bcall, bresp.status, lineError(bresp.body))
	default:
		var bi botInfoResponse
		if err := decodeJSON(bresp.body, &bi); err != nil {
			detail += fmt.Sprintf("; %s → 200 with an unreadable body", bcall)
		} else {
			res.BotName, res.BasicID = bi.DisplayName, bi.BasicID
			detail += fmt.Sprintf("; %s → 200 (%s)", bcall, bi.BasicID)
		}
	}
	res.Detail = detail
	return res
}

func (v *Verifier) checkSecret(ctx context.Context, c Candidate) Result {
	call := "POST " + PathStatelessToken
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.ChannelID},
		"client_secret": {c.Value},
	}
	resp, err := v.do(ctx, c, http.MethodPost, PathStatelessToken, form, "")
	if err != nil {
		return Result{Status: Error, Detail: fmt.Sprintf("%s: %s (channel %s): %v", c.Rule, call, c.ChannelID, err)}
	}
	switch resp.status {
	case http.StatusOK:
	case http.StatusBadRequest, http.StatusUnauthorized:
		return Result{Status: Revoked, ChannelID: c.ChannelID,
			Detail: fmt.Sprintf("%s (channel %s) → %d%s: the secret does not authenticate as this channel", call, c.ChannelID, resp.status, lineError(resp.body))}
	default:
		return Result{Status: Error, Detail: fmt.Sprintf("%s: %s (channel %s) → unexpected %d%s", c.Rule, call, c.ChannelID, resp.status, lineError(resp.body))}
	}
	var tr statelessTokenResponse
	err = decodeJSON(resp.body, &tr)
	issued := tr.AccessToken != ""
	// The issued token is never kept: it lives 15 minutes and cannot be
	// revoked, so the less of it the better.
	tr.AccessToken = ""
	clear(resp.body)
	if err != nil || !issued {
		return Result{Status: Error, Detail: fmt.Sprintf("%s: %s (channel %s) → 200 without an access_token (unexpected answer)", c.Rule, call, c.ChannelID)}
	}
	return Result{Status: Live, ChannelID: c.ChannelID,
		Detail: fmt.Sprintf("%s (channel %s) → 200: LINE issued a stateless token (discarded, expires by itself)", call, c.ChannelID)}
}
