// Package reporters formats a finished report. Reporters only format: they
// never scan, and they never see a raw secret (the model has none).
package reporters

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/atomicfile"
	"github.com/channelguard/channelguard/reporters/csvreport"
	"github.com/channelguard/channelguard/reporters/html"
	"github.com/channelguard/channelguard/reporters/jsonreport"
	"github.com/channelguard/channelguard/reporters/markdown"
	"github.com/channelguard/channelguard/reporters/sarif"
	"github.com/channelguard/channelguard/reporters/text"
)

// Formats lists the formats Write accepts.
var Formats = []string{"text", "json", "sarif", "csv", "markdown", "html"}

// aliases are other names Write accepts for a format.
var aliases = map[string]string{"md": "markdown"}

// CheckFormat rejects an unknown format before any work is done.
func CheckFormat(format string) error {
	if _, ok := aliases[format]; ok {
		return nil
	}
	for _, f := range Formats {
		if f == format {
			return nil
		}
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// Options changes presentation only.
type Options struct {
	Color bool // text only
	// Category is the SARIF run's automationDetails.id (sarif only).
	Category string
	// AsOf is the day exposure ages are counted to (html and markdown
	// only: the formats people read; JSON, SARIF, CSV and text carry
	// dates, never an age, so they stay the same bytes on any day). Zero:
	// the newest commit date in the report.
	AsOf time.Time
}

// Write formats r in format to w.
func Write(w io.Writer, format string, r *finding.Report, opt Options) error {
	switch format {
	case "text":
		return text.Write(w, r, text.Options{Color: opt.Color})
	case "json":
		return jsonreport.Write(w, r)
	case "sarif":
		return sarif.WriteWith(w, r, sarif.Options{Category: opt.Category})
	case "csv":
		return csvreport.Write(w, r)
	case "markdown", "md":
		return markdown.WriteWith(w, r, markdown.Options{AsOf: opt.AsOf})
	case "html":
		return html.WriteWith(w, r, html.Options{AsOf: opt.AsOf})
	}
	return CheckFormat(format)
}

// WriteFile writes the report to path atomically: it is formatted in
// memory, written to a temporary file in the same directory and renamed over
// path, so an interrupted or failed run never leaves a half report that a CI
// system could take for a whole one.
func WriteFile(path, format string, r *finding.Report, opt Options) error {
	var buf bytes.Buffer
	if err := Write(&buf, format, r, opt); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return atomicfile.Write(path, buf.Bytes())
}
