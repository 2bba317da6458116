// Package text writes a report for people at a terminal: findings grouped
// by severity, most severe first, each with where it is, how long it has
// been exposed and what to do, and a summary line at the end.
package text

import (
	"fmt"
	"io"
	"strings"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/wording"
)

// Options changes the presentation only.
type Options struct {
	// Color uses ANSI colors (the caller decides: a TTY and no NO_COLOR).
	Color bool
}

const (
	reset = "\x1b[0m"
	bold  = "\x1b[1m"
	dim   = "\x1b[2m"
)

var severityColor = map[finding.Severity]string{
	finding.Critical: "\x1b[1;35m",
	finding.High:     "\x1b[1;31m",
	finding.Medium:   "\x1b[1;33m",
	finding.Low:      "\x1b[1;36m",
	finding.Info:     "\x1b[2m",
}

// Write writes the report.
func Write(w io.Writer, r *finding.Report, opt Options) error {
	p := &printer{w: w, color: opt.Color}
	for _, sev := range finding.Severities {
		var group []finding.Finding
		for _, f := range r.Findings {
			if f.Severity == sev {
				group = append(group, f)
			}
		}
		if len(group) == 0 {
			continue
		}
		p.printf("%s\n", p.paint(severityColor[sev], fmt.Sprintf("%s (%d)", strings.ToUpper(sev.String()), len(group))))
		for _, f := range group {
			p.finding(f)
		}
	}
	p.replay(r.Replay)
	p.printf("%s\n", summary(r))
	p.coverage(r)
	return p.err
}

// maxGapLines bounds the gaps the text report lists one by one.
const maxGapLines = 20

// coverage ends the report with its notes and what could not be read:
// the findings above are complete but for what the gaps name.
func (p *printer) coverage(r *finding.Report) {
	for _, n := range r.Notes {
		p.printf("%s %s\n", p.paint(bold, "Note:"), n)
	}
	if len(r.Gaps) == 0 {
		return
	}
	n := finding.Unreadable(r.Gaps)
	what := "what they hold is"
	if n == 1 {
		what = "what it holds is"
	}
	head := fmt.Sprintf("NOT SCANNED: %s could not be read (%s); %s not in this report:", wording.Plural(n, "object"), wording.Plural(len(r.Gaps), "gap"), what)
	p.printf("\n%s\n", p.paint(severityColor[finding.High], head))
	for i, g := range r.Gaps {
		if i == maxGapLines {
			p.printf("  … and %d more (--format json lists every one)\n", len(r.Gaps)-maxGapLines)
			break
		}
		p.printf("  %s\n", g)
	}
}

type printer struct {
	w     io.Writer
	color bool
	err   error
}

func (p *printer) printf(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, a...)
	}
}

func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return code + s + reset
}

func (p *printer) finding(f finding.Finding) {
	p.printf("  %s  %s\n", p.paint(bold, f.Title), f.Location)
	if f.Capture != nil {
		p.printf("    %s\n", p.paint(dim, captured(f)))
	} else {
		p.printf("    %s\n", p.paint(dim, exposure(f)))
	}
	if v := f.Verification; v != nil {
		p.printf("    %s\n", verification(v))
	}
	if f.SecretSHA256 != "" {
		p.printf("    value %s  sha256:%s  rule %s  fingerprint %s\n", f.SecretPreview, f.SecretSHA256, f.RuleID, short(f.Fingerprint))
	} else {
		p.printf("    rule %s  fingerprint %s\n", f.RuleID, short(f.Fingerprint))
	}
	if f.Action != "" {
		p.printf("    → %s\n", f.Action)
	}
	p.printf("\n")
}

// verification is what LINE said, on one line.
func verification(v *finding.Verification) string {
	s := "verified: " + v.Status
	if v.CheckedAt != "" {
		s += " (checked " + v.CheckedAt + ")"
	}
	for _, kv := range [][2]string{{"channel", v.ChannelID}, {"bot", v.BotName}, {"", v.Detail}} {
		if kv[1] == "" {
			continue
		}
		if kv[0] != "" {
			s += " · " + kv[0] + " " + kv[1]
		} else {
			s += " · " + kv[1]
		}
	}
	return s
}

func short(fp string) string { return fp[:min(12, len(fp))] }

// captured describes a capture finding's logical location.
func captured(f finding.Finding) string {
	c := f.Capture
	req := c.Method + " " + c.Path
	if c.Path == "" {
		req = c.Endpoint()
	}
	parts := []string{req}
	where := c.Part
	if c.Field != "" {
		where += " " + c.Field
	}
	parts = append(parts, where)
	if c.Role != "" {
		parts = append(parts, "captured as "+c.Role)
	}
	if f.PolicyRule != "" {
		parts = append(parts, "policy "+f.PolicyRule)
	}
	if len(f.SameAs) > 0 {
		parts = append(parts, "same value as "+strings.Join(f.SameAs, ", "))
	}
	if f.Confirmed != "" {
		parts = append(parts, "confirmed by a webhook signature")
	}
	if n := len(f.Occurrences) + f.MoreOccurrences; n > 1 {
		parts = append(parts, fmt.Sprintf("%d occurrences", n))
	}
	return strings.Join(parts, " · ")
}

func exposure(f finding.Finding) string {
	e := f.Exposure
	if e.FirstCommit == nil {
		if e.InWorkingTree {
			return "in the working tree, not committed"
		}
		return "in the scanned files"
	}
	s := fmt.Sprintf("first committed %s on %s", e.FirstCommit.Short(), e.FirstCommit.Day())
	if e.FirstCommit.Author != "" {
		s += " by " + e.FirstCommit.Author
	}
	switch {
	case e.StillAtHead:
		s += ", still at HEAD"
	case e.RemovedIn != nil:
		s += fmt.Sprintf(", removed in %s on %s, still in history", e.RemovedIn.Short(), e.RemovedIn.Day())
	default:
		s += ", no longer at HEAD, still in history"
	}
	if n := len(f.Occurrences); n > 1 {
		s += fmt.Sprintf(" · %d occurrences", n)
	}
	return s
}

// summary is the last line: the count by severity and what was scanned,
// worded by what it was ("in 7 commits (history) and the working tree (no
// changes)", "in 12 files", "in 3 captures (41 requests)").
func summary(r *finding.Report) string {
	if len(r.Findings) == 0 {
		if r.Stats.Entries > 0 {
			return fmt.Sprintf("No findings in %s.", r.Scanned())
		}
		return fmt.Sprintf("No secrets found in %s.", r.Scanned())
	}
	by := r.CountBySeverity()
	var parts []string
	for _, sev := range finding.Severities {
		if by[sev] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", by[sev], sev))
		}
	}
	return fmt.Sprintf("%s (%s) in %s.", wording.Plural(len(r.Findings), "finding"), strings.Join(parts, ", "), r.Scanned())
}
