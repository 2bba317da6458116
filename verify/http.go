package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/channelguard/channelguard/internal/wording"
)

// maxBody caps what is read from one LINE answer.
const maxBody = 64 << 10

type response struct {
	status int
	body   []byte
}

// do sends one request, retrying 429 (after Retry-After when given), 5xx and
// network errors up to maxRetries times. form, when non-nil, is sent as an
// application/x-www-form-urlencoded body; bearer, when set, as
// "Authorization: Bearer". Errors never contain the credential: they name
// the method, the path and what went wrong.
func (v *Verifier) do(ctx context.Context, c Candidate, method, path string, form url.Values, bearer string) (*response, error) {
	var body string
	if form != nil {
		body = form.Encode()
	}
	call := method + " " + path
	for attempt := 0; ; attempt++ {
		resp, err := v.once(ctx, method, path, body, form != nil, bearer)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("cancelled: %v", ctx.Err())
		}
		var why string
		var wait time.Duration
		switch {
		case err != nil:
			why = err.Error()
			wait = v.backoff(attempt)
		case resp.status == http.StatusTooManyRequests || resp.status >= 500:
			why = fmt.Sprintf("%d%s", resp.status, lineError(resp.body))
			wait = v.backoff(attempt)
			if ra, ok := retryAfter(resp.header, v.now()); ok {
				if ra > v.maxRetryWait {
					return nil, fmt.Errorf("%s after %d attempt(s); LINE asked to wait %s, longer than %s", why, attempt+1, ra.Round(time.Second), v.maxRetryWait)
				}
				wait = ra
			}
		default:
			return &response{status: resp.status, body: resp.body}, nil
		}
		if attempt >= v.maxRetries {
			return nil, fmt.Errorf("%s after %d attempt(s)", why, attempt+1)
		}
		v.logfRedacted(c.Value, "verify: %s: %s → %s; retry %d/%d in %s", c.Rule, call, why, attempt+1, v.maxRetries, wait.Round(time.Millisecond))
		if err := v.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("cancelled while waiting to retry (%s): %v", why, err)
		}
	}
}

type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// once sends one attempt with the per-request timeout.
func (v *Verifier) once(ctx context.Context, method, path, body string, isForm bool, bearer string) (*rawResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	var rd io.Reader
	if isForm {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, v.base+path, rd)
	if err != nil {
		return nil, errors.New("cannot build the request")
	}
	if isForm {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "channelguard-verify")
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, netError(ctx, err, v.timeout)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, netError(ctx, err, v.timeout)
	}
	return &rawResponse{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// netError describes a transport failure without the request URL or body.
func netError(ctx context.Context, err error, timeout time.Duration) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("timed out after %s", timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("network error: %v", err)
}

// backoff is exponential from waitMin, capped at waitMax, with "equal
// jitter": half fixed, half random.
func (v *Verifier) backoff(attempt int) time.Duration {
	d := v.waitMin
	for i := 0; i < attempt && d < v.waitMax; i++ {
		d *= 2
	}
	d = min(d, v.waitMax)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// retryAfter reads Retry-After as seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	s := strings.TrimSpace(h.Get("Retry-After"))
	if s == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(s); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func decodeJSON(b []byte, v any) error {
	return json.NewDecoder(bytes.NewReader(b)).Decode(v)
}

// lineError formats LINE's error body as " (error: description)", or "":
// the channel-access-token API answers {"error", "error_description"}, the
// Messaging API {"message"}.
func lineError(b []byte) string {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Message     string `json:"message"`
	}
	if decodeJSON(b, &e) != nil {
		return ""
	}
	parts := []string{}
	for _, s := range []string{e.Error, e.Description, e.Message} {
		if s = wording.OneLine(s, 200); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ": ") + ")"
}
