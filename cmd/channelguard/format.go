package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/reporters"
)

// formatFlagHelp is the help of every --format flag that writes a report.
func formatFlagHelp(def string) string {
	return "report `FORMAT`: " + reporters.FormatHelp() + "; default: what the --output extension names (.sarif, .json, .csv, .md, .html, .txt), else " + def
}

// outputFormat is the format of a report written to output (every command
// that writes one decides the same way): --format when given, else the
// format output's extension names, else def. A --format that output's
// extension contradicts is an error naming both.
func outputFormat(flags *pflag.FlagSet, format, output, def string) (string, error) {
	f, err := reporters.ChooseFormat(format, flags.Changed("format"), output, def)
	var c *reporters.FormatConflict
	if errors.As(err, &c) {
		return "", fmt.Errorf("--format %s contradicts --output %s: %v (drop one of them, or make them agree)", format, output, c)
	}
	if err != nil {
		return "", fmt.Errorf("--format: %w", err)
	}
	return f, nil
}

// writeReport writes the report in format to output (atomically), or to
// stdout; text on a terminal is in color.
func writeReport(rep *finding.Report, format, output string, opt reporters.Options, stdout io.Writer) error {
	if output != "" {
		return reporters.WriteFile(output, format, rep, opt)
	}
	opt.Color = format == "text" && wantsColor(stdout)
	var buf bytes.Buffer
	if err := reporters.Write(&buf, format, rep, opt); err != nil {
		return err
	}
	if _, err := stdout.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// now is the clock the day a report is written comes from (tests set it).
var now = time.Now

// asOfFlag is --as-of DATE: the day the HTML and Markdown reports count
// exposure ages to. Unset, it is the day the report is written.
type asOfFlag struct{ day time.Time }

func (a *asOfFlag) String() string {
	if a.day.IsZero() {
		return ""
	}
	return a.day.Format(time.DateOnly)
}

func (a *asOfFlag) Set(s string) error {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return errors.New("want a date as YYYY-MM-DD")
	}
	a.day = d
	return nil
}

func (a *asOfFlag) Type() string { return "DATE" }

func (a *asOfFlag) register(f *pflag.FlagSet) {
	f.Var(a, "as-of", "count exposure ages in the HTML and Markdown reports to `DATE` (YYYY-MM-DD; default: today). JSON, SARIF, CSV and text hold dates, never an age: the same scan gives the same bytes any day")
}

// Day is the day ages are counted to: --as-of, else today (the local
// calendar day, as the reader's).
func (a *asOfFlag) Day() time.Time {
	if !a.day.IsZero() {
		return a.day
	}
	n := now()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}
