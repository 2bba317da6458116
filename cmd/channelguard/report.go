package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/reporters"
	"github.com/channelguard/channelguard/reporters/jsonreport"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/scanner/capture"
	"github.com/channelguard/channelguard/teamreport"
)

type reportFlags struct {
	from, format, output, config string
	quiet                        bool
	asOf                         asOfFlag
}

// register adds the flags shared by `report` and `report diff`.
func (fl *reportFlags) register(cmd *cobra.Command, defaultFormat string) {
	f := cmd.Flags()
	f.StringVarP(&fl.format, "format", "f", defaultFormat, formatFlagHelp(defaultFormat))
	f.StringVarP(&fl.output, "output", "o", "", "write the report to `FILE` (atomically) instead of stdout")
	f.StringVarP(&fl.config, "config", "c", "", "channelguard config `FILE` whose extra rules' help links and remediation the report should show")
	f.BoolVarP(&fl.quiet, "quiet", "q", false, "print nothing but the report and errors")
	fl.asOf.register(f)
}

func newReportCmd(stdout, stderr io.Writer) *cobra.Command {
	var fl reportFlags
	cmd := &cobra.Command{
		Use:   "report --from FILE [--format FORMAT] [--output FILE]",
		Short: "Render, merge or compare saved JSON reports (no scanning)",
		Long: `Turn a saved channelguard JSON report (from 'scan --format json' or
'org --out DIR', which writes DIR/findings.json) into another format, without
scanning again: scanning and reporting are separate steps.

  channelguard report --from FILE       render FILE as text, markdown, html, csv, sarif or json
  channelguard report merge SHARD...    join the shards of 'org --shard I/N' into one JSON report
  channelguard report diff OLD NEW      compare two reports: new, still open and fixed findings

Formats:
  text      for a terminal (default)
  markdown  report.md: counts, repositories, changes, findings by repository (alias md)
  html      report.html: one self-contained page (charts, sortable and filterable
            table; loads nothing from the network)
  csv       one row per finding for spreadsheets (formula-safe cells)
  sarif     for GitHub code scanning
  json      channelguard's JSON report (schema_version 1)
Without --format, the extension of --output chooses (.html, .md, .csv, .sarif,
.json, .txt; any other: the default); a --format the extension contradicts
is an error.

The input must be a channelguard JSON report of schema_version 1; a SARIF log
is refused. Rule help links come from the built-in rule catalogue (and
--config's rules). Reports never contain a raw secret, only a redacted
preview and a short SHA-256, and neither does anything rendered from them.

Exit codes: 0 the report was written (findings do not fail this command),
2 error (nothing written).`,
		Example: `  # scan once, render as often as needed
  channelguard scan --format json --output findings.json
  channelguard report --from findings.json --output report.html
  channelguard report --from findings.json --format md > report.md

  # join the shards of a GitHub Actions matrix, then render the whole
  channelguard report merge shard-*/findings.json --output findings.json
  channelguard report --from findings.json --format csv --output findings.csv

  # what changed since last week
  channelguard report diff last-week/findings.json findings.json --output changes.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if fl.from == "" {
				return &exitCode{code: exitError, err: errors.New("report: --from FILE is required (or use 'channelguard report merge' or 'channelguard report diff'; see 'channelguard report --help')")}
			}
			format, err := reportFormat(cmd, fl, "text")
			if err != nil {
				return &exitCode{code: exitError, err: err}
			}
			rep, err := readReport(cmd, fl.from)
			if err != nil {
				return &exitCode{code: exitError, err: err}
			}
			return renderReport(rep, format, fl, stdout, stderr)
		},
	}
	cmd.Flags().StringVar(&fl.from, "from", "", "the channelguard JSON report `FILE` to render (- for stdin)")
	fl.register(cmd, "text")
	cmd.AddCommand(newReportMergeCmd(stdout, stderr), newReportDiffCmd(stdout, stderr))
	return cmd
}

func newReportMergeCmd(stdout, stderr io.Writer) *cobra.Command {
	var output string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "merge SHARD.json... [--output FILE]",
		Short: "Join the JSON reports of 'org --shard I/N' into the report of the whole run",
		Long: `Join the JSON reports written by the shards of one run
('channelguard org ORG --shard I/N', e.g. the jobs of a GitHub Actions
matrix) into the JSON report one unsharded run would have written: findings
and repositories together, each once, sorted; statistics summed.

Shards must be of the same target, and each repository must be in one
shard: two different shards that list the same repository are refused (the
statistics are per shard and cannot be split by repository, so it would be
counted twice), as are shards that report one finding differently; nothing
is written and the error names the shard at fault. A shard given twice (the
same file, or a copy with the same content: reports carry no shard id, so
the content identifies a shard) is merged once and changes nothing,
statistics included.

The output is always a JSON report; render it with 'channelguard report
--from'. Exit codes: 0 written, 2 error.`,
		Example: `  channelguard report merge shard-1/findings.json shard-2/findings.json shard-3/findings.json --output findings.json`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fail := func(err error) error { return &exitCode{code: exitError, err: err} }
			if _, err := reporters.ChooseFormat("json", true, output, "json"); err != nil {
				// merge writes JSON whatever the name says
				return fail(fmt.Errorf("--output %s: %w (report merge writes a JSON report)", output, err))
			}
			parts := make([]*finding.Report, len(args))
			for i, path := range args {
				rep, err := readReport(cmd, path)
				if err != nil {
					return fail(err)
				}
				parts[i] = rep
			}
			merged, err := teamreport.Merge(parts...)
			if err != nil {
				return fail(mergeCulprit(args, parts, err))
			}
			fl := reportFlags{output: output, quiet: quiet}
			return renderReport(merged, "json", fl, stdout, stderr)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the merged JSON report to `FILE` (atomically) instead of stdout")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print nothing but the report and errors")
	return cmd
}

// mergeCulprit names the first shard that cannot be merged with the ones
// before it.
func mergeCulprit(paths []string, parts []*finding.Report, err error) error {
	for i := 1; i < len(parts); i++ {
		if _, e := teamreport.Merge(parts[:i+1]...); e != nil {
			return fmt.Errorf("report %s: cannot merge with %s: %w", paths[i], strings.Join(paths[:i], ", "), e)
		}
	}
	return fmt.Errorf("merge: %w", err)
}

func newReportDiffCmd(stdout, stderr io.Writer) *cobra.Command {
	var fl reportFlags
	cmd := &cobra.Command{
		Use:   "diff OLD.json NEW.json [--format FORMAT] [--output FILE]",
		Short: "Compare two JSON reports: new, still open and fixed findings",
		Long: `Compare NEW with OLD, two channelguard JSON reports, and render NEW with the
comparison: each finding is new (not in OLD) or still open, and the findings
of OLD that NEW no longer has are listed as fixed. Findings are matched by
repository and fingerprint (rule, file and the secret's hash), so a moved
line is not a new finding.

A repository that NEW failed to scan, or did not scan at all, fixes nothing:
its findings in OLD are not reported fixed.

The default format is markdown (the text format does not show changes); the
json format keeps the comparison (its "change" fields and "changes" object)
for later rendering. Exit codes: 0 written, 2 error.`,
		Example: `  channelguard report diff last-week/findings.json findings.json
  channelguard report diff last-week/findings.json findings.json --output report.html
  channelguard report diff old.json new.json --format json --output compared.json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			fail := func(err error) error { return &exitCode{code: exitError, err: err} }
			format, err := reportFormat(cmd, fl, "markdown")
			if err != nil {
				return fail(err)
			}
			prev, err := readReport(cmd, args[0])
			if err != nil {
				return fail(err)
			}
			cur, err := readReport(cmd, args[1])
			if err != nil {
				return fail(err)
			}
			rep := teamreport.Diff(prev, cur, args[0])
			if !fl.quiet {
				c := rep.Changes
				fmt.Fprintf(stderr, "channelguard: compared with %s: %d new, %d still open, %d fixed\n", args[0], c.New, c.Open, len(c.Fixed))
			}
			return renderReport(rep, format, fl, stdout, stderr)
		},
	}
	fl.register(cmd, "markdown")
	return cmd
}

// reportFormat is the format to render in (see outputFormat) once the
// flags are checked.
func reportFormat(cmd *cobra.Command, fl reportFlags, def string) (string, error) {
	format, err := outputFormat(cmd.Flags(), fl.format, fl.output, def)
	if err != nil {
		return "", err
	}
	if fl.config != "" && !isFile(fl.config) {
		return "", fmt.Errorf("config %s: no such file", fl.config)
	}
	return format, nil
}

func readReport(cmd *cobra.Command, path string) (*finding.Report, error) {
	if path == "-" {
		rep, err := jsonreport.Read(cmd.InOrStdin())
		if err != nil {
			return nil, fmt.Errorf("report from stdin: %w", err)
		}
		return rep, nil
	}
	return jsonreport.ReadFile(path)
}

// renderReport writes rep in format to --output (atomically) or stdout.
// Formats that show rule help get the rule catalogue first: JSON reports
// do not carry it.
func renderReport(rep *finding.Report, format string, fl reportFlags, stdout, stderr io.Writer) error {
	fail := func(err error) error { return &exitCode{code: exitError, err: err} }
	if len(rep.Rules) == 0 && (format == "html" || format == "markdown" || format == "md" || format == "sarif") {
		set, err := rules.Load(fl.config)
		if err != nil {
			return fail(err)
		}
		rep.Rules = append(set.Rules(), capture.Rules()...)
	}
	if err := writeReport(rep, format, fl.output, reporters.Options{AsOf: fl.asOf.Day()}, stdout); err != nil {
		return fail(err)
	}
	if fl.output != "" && !fl.quiet {
		fmt.Fprintf(stderr, "channelguard: %d findings; report written to %s\n", len(rep.Findings), fl.output)
	}
	return nil
}
