// Package reporters formats a finished report. Reporters only format: they
// never scan, and they never see a raw secret (the model has none).
package reporters

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/pathless"
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
		return markdown.Write(w, r)
	case "html":
		return html.Write(w, r)
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
	return AtomicWrite(path, buf.Bytes())
}

// AtomicWrite replaces path with data in one rename. A path that is not a
// regular file (/dev/null, /dev/stdout, a named pipe) is written to as it
// is: renaming over it would replace the device with a file, and run as
// root, `-o /dev/null` would leave every other program a /dev/null that
// holds the last report.
func AtomicWrite(path string, data []byte) (err error) {
	if info, statErr := os.Stat(path); statErr == nil && !info.Mode().IsRegular() && !info.IsDir() {
		return writeSpecial(path, data)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	return nil
}

// writeSpecial writes data to a device or pipe, which cannot be replaced
// atomically (nor needs to be: nothing reads it back as a whole report).
func writeSpecial(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	return nil
}
