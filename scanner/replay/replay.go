// Package replay is active role testing: it replays the requests of a
// capture recorded by a higher role (a console Admin) with a lower role's
// credentials (a Member's session) and compares what the lower role is
// served with what the capture holds, through the capture scanner's engine
// (scanner/capture: secrets in traffic, role-inappropriate fields, fields
// shared with a higher role, coverage gaps), plus an access result per
// endpoint: enforced, served the same, or served filtered, and which
// fields differ. It finds what a passive capture cannot: an endpoint the
// lower role's page never calls.
//
// Safety is the point. Only GET and HEAD are sent; only to the capture's
// own origin(s) or the target that rebases them; redirects to another
// origin or to a sign-in page are not followed. The capture's own
// credentials (Cookie, Authorization, CSRF and API-key headers, credential
// query parameters) are never sent, and no cookie a server sets is ever
// adopted: the client has no cookie jar. Sign-in, sign-out, OAuth, session
// and token endpoints are skipped, by path words and by captured responses
// that set or clear a session cookie. Requests are rate limited and bounded
// in number at once, each with a timeout, and a run of server errors stops
// the replay. Every skip is listed with its reason.
//
// The lower role's credentials never appear in a listing, a log, a report
// or the recorded HAR (its headers, cookies, and any body that echoes
// them, are redacted); response header values that look like credentials
// are redacted in the recording too.
package replay

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/rules/policy"
	"github.com/channelguard/channelguard/scanner"
	"github.com/channelguard/channelguard/scanner/capture"
)

// Defaults of Options.
const (
	DefaultRate      = 3                // requests per second
	DefaultJobs      = 2                // requests at once
	DefaultTimeout   = 15 * time.Second // per request
	DefaultStopAfter = 5                // server errors in a row that stop the replay
	DefaultMaxBody   = 16 << 20         // bytes of a response body kept
)

// Options configure a replay.
type Options struct {
	// Capture is the HAR file recorded by Role; As is the lower role whose
	// credentials Headers are.
	Capture, Role, As string
	Headers           []Header
	// Target, when set, is the origin (scheme://host[:port]) the capture's
	// origin is rebased onto.
	Target string
	// Rate is requests per second (default DefaultRate); Jobs how many at
	// once (default DefaultJobs); Timeout per request (default
	// DefaultTimeout); StopAfter how many server errors or failures in a
	// row stop the replay (default DefaultStopAfter); MaxBody how many
	// bytes of a response are kept (default DefaultMaxBody).
	Rate      float64
	Jobs      int
	Timeout   time.Duration
	StopAfter int
	MaxBody   int64
	// DryRun plans and sends nothing.
	DryRun bool
	// RecordName names the replayed exchanges in findings: the file the
	// caller writes Result.Record to (--record), so that a scan of that
	// file names them alike. Default: CAPTURE with ".as-ROLE.har".
	RecordName string
	Recorded   bool // RecordName will be written
	// Policy is the role policy (nil: the built-in one).
	Policy *policy.Policy
	// Logf receives progress lines (never a value); nil discards them.
	Logf func(format string, args ...any)
	// Version names the writer in the recorded HAR's creator.
	Version string

	target *url.URL
}

// Result is what a replay did.
type Result struct {
	Plan *Plan
	// Report is the scan of the replayed exchanges against the capture,
	// with Report.Replay holding the access results; nil for a dry run.
	Report *finding.Report
	// Record is the replayed exchanges as a HAR 1.2 capture, credentials
	// redacted; nil for a dry run or when nothing was sent.
	Record []byte
	// Stopped says why the replay stopped early ("" when it did not).
	Stopped string
}

// ErrNothingToSend: every entry was skipped.
var ErrNothingToSend = errors.New("nothing to replay")

// Run plans the replay, sends it (unless DryRun), and scans what came back.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	p, err := plan(ctx, &opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Plan: p}
	send := 0
	for _, r := range p.Requests {
		if r.Send() {
			send++
		}
	}
	if opts.DryRun {
		return res, nil
	}
	if send == 0 {
		return nil, fmt.Errorf("%s: %w: every one of its %d entries is skipped (--dry-run lists why)", opts.Capture, ErrNothingToSend, len(p.Requests))
	}
	if len(opts.Headers) == 0 {
		return nil, errors.New("no credentials of the lower role given (--header or --header-file)")
	}
	opts.Logf("replaying %d requests of %s as %s against %s (%g/s, %d at once)", send, opts.Capture, opts.As, p.Target, opts.Rate, opts.Jobs)
	xs, stopped, err := sendAll(ctx, p, &opts)
	if err != nil {
		return nil, err
	}
	res.Stopped = stopped
	res.Record, err = record(p, xs, &opts)
	if err != nil {
		return nil, err
	}
	sres, err := scanner.Scan(ctx, scanner.Options{
		Captures: []capture.Input{
			{Path: opts.Capture, Role: opts.Role},
			{Path: opts.RecordName, Role: opts.As, Data: res.Record},
		},
		Policy: opts.Policy,
		Logf:   opts.Logf,
	})
	if err != nil {
		return nil, err
	}
	rep := sres.Report
	// The capture's own findings (the higher role's secrets, which it may
	// see) are what scanning the capture reports; a replay reports what the
	// lower role was served.
	var keep []finding.Finding
	for _, f := range rep.Findings {
		if f.Capture != nil && f.Capture.Role == opts.As {
			keep = append(keep, f)
		}
	}
	rep.Findings = keep
	rep.Target = fmt.Sprintf("replay of %s (%s) as %s against %s", opts.Capture, opts.Role, opts.As, p.Target)
	rep.Replay = access(p, xs, &opts, stopped)
	rep.Notes = append(rep.Notes, notes(rep.Replay, &opts)...)
	res.Report = rep
	return res, nil
}

func (o *Options) check() error {
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if o.Policy == nil {
		p, err := policy.Builtin()
		if err != nil {
			return err
		}
		o.Policy = p
	}
	if o.Role == "" || o.As == "" {
		return errors.New("both the capture's role (--role) and the lower role (--as) are needed")
	}
	hi, ok := o.Policy.Role(o.Role)
	if !ok {
		return fmt.Errorf("--role %s: unknown role (the policy's roles: %s)", o.Role, strings.Join(o.Policy.RoleNames(), ", "))
	}
	lo, ok := o.Policy.Role(o.As)
	if !ok {
		return fmt.Errorf("--as %s: unknown role (the policy's roles: %s)", o.As, strings.Join(o.Policy.RoleNames(), ", "))
	}
	if lo.Rank >= hi.Rank {
		return fmt.Errorf("--as %s must rank below --role %s (ranks %d and %d): a replay tests what a lower role is served", lo.Name, hi.Name, lo.Rank, hi.Rank)
	}
	o.Role, o.As = hi.Name, lo.Name
	if o.Target != "" {
		u, err := url.Parse(o.Target)
		if err != nil || !web(u) || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("--target %s: want an origin, scheme://host[:port] (http or https, no path)", o.Target)
		}
		o.target = u
	}
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.Jobs <= 0 {
		o.Jobs = DefaultJobs
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.StopAfter <= 0 {
		o.StopAfter = DefaultStopAfter
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.RecordName == "" {
		base := o.Capture
		for _, ext := range []string{".har.gz", ".zhar", ".har"} {
			if strings.HasSuffix(strings.ToLower(base), ext) {
				base = base[:len(base)-len(ext)]
				break
			}
		}
		o.RecordName = base + ".as-" + o.As + ".har"
	}
	return nil
}

func notes(r *finding.Replay, o *Options) []string {
	var out []string
	gaps := 0
	for _, a := range r.Endpoints {
		if a.Gap() {
			gaps++
		}
	}
	if gaps > 0 {
		out = append(out, fmt.Sprintf("%d replayed requests got a server error or no answer: what they would serve %s was not checked (coverage gaps, listed under Access)", gaps, o.As))
	}
	if r.Stopped != "" {
		out = append(out, "the replay stopped early: "+r.Stopped)
	}
	if !o.Recorded {
		out = append(out, fmt.Sprintf("the replayed exchanges were not recorded: findings name them %s, which does not exist (--record FILE keeps them)", o.RecordName))
	}
	return out
}
