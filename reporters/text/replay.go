package text

import (
	"fmt"
	"strings"

	"github.com/channelguard/channelguard/finding"
)

// maxFieldNames bounds the field paths one access line lists (the JSON
// report lists every one).
const maxFieldNames = 8

// replay lists a replay's access results, one line per request: what the
// lower role got where the capture's role was served.
func (p *printer) replay(r *finding.Replay) {
	if r == nil {
		return
	}
	head := fmt.Sprintf("Access as %s, replaying %s (recorded as %s)", r.As, r.Capture, r.Role)
	if r.Target != "" {
		head += " against " + r.Target
	}
	p.printf("%s\n", p.paint(bold, head+":"))
	for _, a := range r.Endpoints {
		status := "—"
		if a.Status != 0 {
			status = fmt.Sprint(a.Status)
		}
		p.printf("  %-12s %s %s  %s (%s: %d)\n", a.Result, a.Method, a.URL, status, r.Role, a.CapturedStatus)
		if len(a.Removed) > 0 {
			p.printf("      removed: %s\n", names(a.Removed))
		}
		if len(a.Added) > 0 {
			p.printf("      added: %s\n", names(a.Added))
		}
		if len(a.Differ) > 0 {
			p.printf("      other values: %s\n", names(a.Differ))
		}
		if a.Detail != "" && a.Result != finding.AccessFiltered && len(a.Differ) == 0 {
			p.printf("      %s\n", p.paint(dim, a.Detail))
		}
	}
	counts := map[string]int{}
	for _, a := range r.Endpoints {
		counts[a.Result]++
	}
	var parts []string
	for _, res := range []string{finding.AccessEnforced, finding.AccessFiltered, finding.AccessSame, finding.AccessChanged, finding.AccessServerError, finding.AccessFailed, finding.AccessSkipped, finding.AccessNotSent} {
		if counts[res] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[res], res))
		}
	}
	line := fmt.Sprintf("%d sent: %s", r.Sent, strings.Join(parts, ", "))
	if r.Duplicates > 0 {
		line += fmt.Sprintf("; %d repeated requests sent once", r.Duplicates)
	}
	if r.Recorded != "" {
		line += "; recorded to " + r.Recorded
	}
	p.printf("  %s\n", line)
	if r.Stopped != "" {
		p.printf("  %s\n", p.paint(severityColor[finding.High], "STOPPED: "+r.Stopped))
	}
	p.printf("\n")
}

func names(xs []string) string {
	if len(xs) <= maxFieldNames {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:maxFieldNames], ", ") + fmt.Sprintf(" … and %d more", len(xs)-maxFieldNames)
}
