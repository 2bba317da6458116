// Package ghactions formats a report for GitHub Actions: workflow-command
// annotations, the job summary, step outputs, the one sticky pull request
// comment and inline review comments.
//
// Like every reporter it only formats: it never scans and never calls an
// API (the `channelguard pr` command does both). It never sees a raw secret
// either: the finding model holds only a redacted preview and a short hash,
// and this package writes only those.
//
// Everything a pull request's author controls (file paths above all) is
// written inside Markdown code spans and table-escaped, so a crafted file
// name cannot @mention people, inject links or break a table; workflow
// commands are escaped per GitHub's rules so a path cannot end a property
// or start a second command.
package ghactions

import (
	"fmt"
	"io"
	"strings"

	"github.com/channelguard/channelguard/finding"
)

// DefaultMaxAnnotations is the annotation cap when Annotations is given
// max <= 0: GitHub shows at most 50 annotations of one kind per job.
const DefaultMaxAnnotations = 50

// Annotations writes one workflow command per finding that has a file:
//
//	::error file=F,line=L,col=C,endLine=E,title=T::MESSAGE
//
// at level error for critical and high, warning for medium, notice for low
// and info. After max annotations (max <= 0: DefaultMaxAnnotations) it
// writes one notice saying how many findings were left out, findings
// without a file included.
func Annotations(w io.Writer, rep *finding.Report, max int) error {
	if rep == nil {
		return nil
	}
	if max <= 0 {
		max = DefaultMaxAnnotations
	}
	var b strings.Builder
	written, left := 0, 0
	for i := range rep.Findings {
		f := &rep.Findings[i]
		if f.Location.Path == "" || written >= max {
			left++
			continue
		}
		written++
		b.WriteString(annotation(f))
	}
	if left > 0 {
		noun := "findings are"
		if left == 1 {
			noun = "finding is"
		}
		fmt.Fprintf(&b, "::notice title=channelguard::%s\n",
			EscapeData(fmt.Sprintf("%d more %s not annotated; see the job summary / SARIF", left, noun)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func annotation(f *finding.Finding) string {
	l := f.Location
	props := []string{"file=" + EscapeProperty(l.Path)}
	if l.StartLine > 0 {
		props = append(props, fmt.Sprintf("line=%d", l.StartLine))
		if l.StartColumn > 0 {
			props = append(props, fmt.Sprintf("col=%d", l.StartColumn))
		}
		if l.EndLine >= l.StartLine {
			props = append(props, fmt.Sprintf("endLine=%d", l.EndLine))
			// GitHub reads endColumn only on a one-line annotation.
			if l.EndLine == l.StartLine && l.EndColumn > l.StartColumn && l.StartColumn > 0 {
				props = append(props, fmt.Sprintf("endColumn=%d", l.EndColumn))
			}
		}
	}
	title := f.Title
	if title == "" {
		title = f.RuleID
	}
	props = append(props, "title="+EscapeProperty(fmt.Sprintf("channelguard: %s (%s)", title, f.Severity)))
	msg := f.Message
	if msg == "" {
		msg = title + " in " + l.String()
	}
	if v := value(f); v != "" {
		msg += " Value " + v + "."
	}
	return fmt.Sprintf("::%s %s::%s\n", level(f.Severity), strings.Join(props, ","), EscapeData(msg))
}

func level(s finding.Severity) string {
	switch s {
	case finding.Critical, finding.High:
		return "error"
	case finding.Medium:
		return "warning"
	}
	return "notice"
}

// value is "PREVIEW, sha256 HASH" (either part may be missing).
func value(f *finding.Finding) string {
	var parts []string
	if f.SecretPreview != "" {
		parts = append(parts, f.SecretPreview)
	}
	if f.SecretSHA256 != "" {
		parts = append(parts, "sha256 "+f.SecretSHA256)
	}
	return strings.Join(parts, ", ")
}

// EscapeData escapes a workflow command's message: %, CR and LF.
func EscapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// EscapeProperty escapes a workflow command's property value: what
// EscapeData escapes, and ":" and ",".
func EscapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
