package markdown

import (
	"fmt"
	"strings"

	"github.com/channelguard/channelguard/finding"
)

// replay is a table of a replay's access results: what the lower role got
// where the capture's role was served.
func replay(b *strings.Builder, r *finding.Report) {
	rp := r.Replay
	if rp == nil {
		return
	}
	fmt.Fprintf(b, "## Access as %s\n\nReplaying %s (recorded as %s): %d requests sent, %d skipped.\n\n",
		Escape(rp.As), Escape(rp.Capture), Escape(rp.Role), rp.Sent, rp.Skipped)
	if rp.Stopped != "" {
		fmt.Fprintf(b, "**Stopped early:** %s\n\n", Escape(rp.Stopped))
	}
	fmt.Fprintf(b, "| Result | Request | %s | %s | Fields | Detail |\n|---|---|---:|---:|---|---|\n", Escape(rp.As), Escape(rp.Role))
	for _, a := range rp.Endpoints {
		var fields []string
		if len(a.Removed) > 0 {
			fields = append(fields, "removed: "+strings.Join(a.Removed, ", "))
		}
		if len(a.Added) > 0 {
			fields = append(fields, "added: "+strings.Join(a.Added, ", "))
		}
		status := ""
		if a.Status != 0 {
			status = fmt.Sprint(a.Status)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %d | %s | %s |\n", a.Result, Escape(a.Method+" "+a.URL), status, a.CapturedStatus, Escape(strings.Join(fields, "; ")), Escape(a.Detail))
	}
	b.WriteString("\n")
}
