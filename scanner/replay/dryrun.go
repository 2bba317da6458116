package replay

import (
	"fmt"
	"io"
	"strings"
)

// Write lists what the plan would send and what it skips, with every
// credential redacted: the lower role's header values never, the capture's
// dropped headers by name only.
func (p *Plan) Write(w io.Writer, opts Options) error {
	var send, skip, dup int
	for _, r := range p.Requests {
		switch {
		case r.Skip != "":
			skip++
		case r.Duplicate >= 0:
			dup++
		default:
			send++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Dry run: nothing was sent.\n")
	fmt.Fprintf(&b, "Capture %s: %d entries; its origin %s", p.Capture, len(p.Requests), p.Primary)
	if len(p.Origins) > 1 {
		fmt.Fprintf(&b, " (in scope: %s)", strings.Join(p.Origins, ", "))
	}
	fmt.Fprintf(&b, ".\nWould send %d requests to %s as %s", send, p.Target, opts.As)
	if opts.Rate > 0 {
		fmt.Fprintf(&b, ", at most %g a second and %d at once, %s timeout each", opts.Rate, opts.Jobs, opts.Timeout)
	}
	fmt.Fprintf(&b, "; %d skipped", skip)
	if dup > 0 {
		fmt.Fprintf(&b, ", %d repeats sent once", dup)
	}
	b.WriteString(".\n")
	if len(opts.Headers) == 0 {
		b.WriteString("No credentials of the lower role given (--header, --header-file): a real run needs them.\n")
	} else {
		b.WriteString("Every request carries the lower role's headers:")
		for _, h := range opts.Headers {
			v := redacted
			if strings.EqualFold(h.Name, "Cookie") {
				v = redactCookieHeader(h.Value)
			}
			fmt.Fprintf(&b, " %s: %s;", h.Name, v)
		}
		b.WriteString(" no cookie a server sets is ever sent back.\n")
	}
	kept, dropped := map[string]bool{}, map[string]bool{}
	for _, r := range p.Requests {
		if !r.Send() {
			continue
		}
		for name := range r.Header {
			kept[name] = true
		}
		for _, name := range r.Dropped {
			dropped[name] = true
		}
	}
	if len(dropped) > 0 {
		fmt.Fprintf(&b, "Capture headers never sent: %s.\n", strings.Join(sortedKeys(dropped), ", "))
	}
	if len(kept) > 0 {
		fmt.Fprintf(&b, "Capture headers kept (as captured): %s.\n", strings.Join(sortedKeys(kept), ", "))
	}
	b.WriteString("\nWould send:\n")
	for _, r := range p.Requests {
		if r.Send() {
			fmt.Fprintf(&b, "  [%d] %s %s\n", r.Entry, r.Method, r.Display)
		}
	}
	if skip > 0 {
		b.WriteString("\nSkipped:\n")
		for _, r := range p.Requests {
			if r.Skip != "" {
				fmt.Fprintf(&b, "  [%d] %s %s — %s\n", r.Entry, r.Method, r.Display, r.Skip)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
