package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// exchange is one request sent and what came back.
type exchange struct {
	req     *Request
	sent    http.Header // as sent, the lower role's headers included
	started time.Time
	took    time.Duration

	status     int
	statusText string
	proto      string
	header     http.Header
	body       []byte
	size       int64 // bytes the body had, when more than were kept
	truncated  bool
	// location is where a redirect that was not followed pointed.
	location string
	err      error
}

func (x *exchange) serverError() bool { return x.err != nil || x.status >= 500 }

// client never keeps a cookie (no jar) and follows redirects only within
// the origin and never to a sign-in page.
func client() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			switch {
			case len(via) >= 5,
				origin(req.URL) != origin(via[0].URL),
				authPath(req.URL.Path) != "":
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
}

// sendAll sends the plan's requests, at most opts.Rate a second and
// opts.Jobs at once, and stops when opts.StopAfter answers in a row are
// server errors or failures. xs[i] is the exchange of p.Requests[i] (nil
// when not sent).
func sendAll(ctx context.Context, p *Plan, opts *Options) (xs []*exchange, stopped string, err error) {
	xs = make([]*exchange, len(p.Requests))
	lim := rate.NewLimiter(rate.Limit(opts.Rate), 1)
	c := client()
	defer c.CloseIdleConnections()

	stop := make(chan struct{})
	var mu sync.Mutex
	run := 0 // server errors in a row, in the order answers came
	var errs []string
	done := func(x *exchange) {
		mu.Lock()
		defer mu.Unlock()
		if stopped != "" {
			return
		}
		if !x.serverError() {
			run, errs = 0, errs[:0]
			return
		}
		run++
		errs = append(errs, x.req.Method+" "+x.req.Display+": "+x.outcome())
		if run >= opts.StopAfter {
			stopped = fmt.Sprintf("%d answers in a row were server errors or failures (the last: %s); the service looks unwell, so the remaining requests were not sent", run, errs[len(errs)-1])
			close(stop)
		}
	}
	halted := func() bool {
		select {
		case <-stop:
			return true
		default:
			return ctx.Err() != nil
		}
	}

	work := make(chan int)
	var wg sync.WaitGroup
	for range opts.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if halted() {
					continue
				}
				if err := lim.Wait(ctx); err != nil || halted() {
					continue
				}
				x := sendOne(ctx, c, p.Requests[i], opts)
				xs[i] = x
				if ctx.Err() == nil {
					done(x)
				}
			}
		}()
	}
	for i, r := range p.Requests {
		if !r.Send() {
			continue
		}
		if halted() {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	return xs, stopped, nil
}

func (x *exchange) outcome() string {
	if x.err != nil {
		return x.err.Error()
	}
	return fmt.Sprintf("HTTP %d", x.status)
}

// sendOne sends one request with the lower role's headers.
func sendOne(ctx context.Context, c *http.Client, r *Request, opts *Options) *exchange {
	x := &exchange{req: r, started: time.Now()}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, nil)
	if err != nil {
		x.err = errors.New("the request could not be built")
		return x
	}
	req.Header = r.Header.Clone()
	for _, h := range opts.Headers {
		req.Header.Del(h.Name)
	}
	for _, h := range opts.Headers {
		if c := req.Header.Get("Cookie"); c != "" && http.CanonicalHeaderKey(h.Name) == "Cookie" {
			// one Cookie header: servers need not join several
			req.Header.Set("Cookie", c+"; "+h.Value)
			continue
		}
		req.Header.Add(h.Name, h.Value)
	}
	x.sent = req.Header.Clone()
	resp, err := c.Do(req)
	x.took = time.Since(x.started)
	if err != nil {
		x.err = transportError(err, opts.Timeout)
		return x
	}
	defer resp.Body.Close()
	x.status, x.proto, x.header = resp.StatusCode, resp.Proto, resp.Header
	x.statusText = strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode)))
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		x.location = resp.Header.Get("Location")
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, opts.MaxBody+1))
	x.took = time.Since(x.started)
	if err != nil {
		x.body, x.truncated = body, true
		x.size = max(resp.ContentLength, int64(len(body))+1)
		return x
	}
	if int64(len(body)) > opts.MaxBody {
		x.body, x.truncated = body[:opts.MaxBody], true
		x.size = max(resp.ContentLength, int64(len(body)))
		return x
	}
	x.body = body
	return x
}

// transportError says what went wrong without the URL (printed beside it)
// or anything sent.
func transportError(err error, timeout time.Duration) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("no answer within %s", timeout)
		}
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s", timeout)
	}
	return err
}
