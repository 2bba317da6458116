package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"

	"github.com/channelguard/channelguard/reporters"
	"github.com/channelguard/channelguard/reporters/sarif"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/scanner"
	"github.com/channelguard/channelguard/scanner/baseline"
	"github.com/channelguard/channelguard/scanner/finding"
)

type scanFlags struct {
	format, output, config, baseline, failOn, rangeSpec string
	cpuprofile                                          string
	noHistory, quiet, verbose                           bool
}

func newScanCmd(stdout, stderr io.Writer) *cobra.Command {
	var fl scanFlags
	cmd := &cobra.Command{
		Use:   "scan [PATH]",
		Short: "Scan a repository, directory or file for leaked secrets",
		Long: `Scan PATH (default: the current directory) for leaked secrets.

A git repository is scanned in full: every commit reachable from any ref
(branches, tags, stash: what anyone who can fetch it can read) plus the
working tree's uncommitted and untracked files. The same secret in the same
file is one finding however many commits hold it, with its exposure window:
the first commit that added it, whether HEAD still holds it and which commit
removed it. A plain directory or a single file is scanned as it is.

Rules are gitleaks' default rule set plus channelguard's LINE rules
(see 'channelguard rules'). A line containing channelguard:allow or
gitleaks:allow is not reported.

Raw secrets never appear in any output: findings show a redacted preview
(first 4 characters and the length) and secret_sha256, the first 12 hex
characters of the SHA-256 of the value, to match the same secret elsewhere.

Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 error (the
report is then not written).`,
		Example: `  # scan the current repository, history included
  channelguard scan

  # only what a pull request adds
  channelguard scan --range origin/main..HEAD

  # SARIF for GitHub code scanning; fail only on high or critical findings
  channelguard scan --format sarif --output channelguard.sarif --fail-on high

  # accept today's findings, report only new ones from now on
  channelguard scan --format json --output baseline.json
  channelguard scan --baseline baseline.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "."
			if len(args) == 1 {
				path = args[0]
			}
			return runScan(cmd, path, fl, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&fl.format, "format", "f", "text", "report `FORMAT`: text, json or sarif")
	f.StringVarP(&fl.output, "output", "o", "", "write the report to `FILE` (atomically) instead of stdout")
	f.StringVarP(&fl.config, "config", "c", "", "channelguard config `FILE` (default: .channelguard.toml in PATH when present)")
	f.StringVarP(&fl.baseline, "baseline", "b", "", "previous channelguard JSON or SARIF report `FILE`: its findings are not reported again")
	f.StringVar(&fl.failOn, "fail-on", "low", "exit 1 when a finding has this `SEVERITY` or worse: critical, high, medium, low")
	f.StringVar(&fl.rangeSpec, "range", "", "scan only the commits in `BASE..HEAD` (no working tree)")
	f.BoolVar(&fl.noHistory, "no-history", false, "scan the working tree only, not the git history")
	f.BoolVarP(&fl.quiet, "quiet", "q", false, "print nothing but the report and errors")
	f.BoolVarP(&fl.verbose, "verbose", "v", false, "print progress and skipped files to stderr")
	f.StringVar(&fl.cpuprofile, "cpuprofile", "", "write a Go CPU profile of the scan to `FILE` (for performance work)")
	_ = f.MarkHidden("cpuprofile")
	return cmd
}

func runScan(cmd *cobra.Command, path string, fl scanFlags, stdout, stderr io.Writer) error {
	fail := func(err error) error { return &exitCode{code: exitError, err: err} }
	if err := reporters.CheckFormat(fl.format); err != nil {
		return fail(fmt.Errorf("--format: %w", err))
	}
	failOn, err := finding.ParseSeverity(fl.failOn)
	if err != nil {
		return fail(fmt.Errorf("--fail-on: %w", err))
	}
	if fl.quiet && fl.verbose {
		return fail(errors.New("--quiet and --verbose cannot be used together"))
	}
	logf := func(format string, a ...any) {}
	if fl.verbose {
		logf = func(format string, a ...any) {
			fmt.Fprintf(stderr, "channelguard: "+format+"\n", a...)
		}
	}

	configPath := fl.config
	if configPath == "" {
		if candidate := filepath.Join(path, rules.DefaultConfigName); isFile(candidate) {
			configPath = candidate
		}
	}
	set, err := rules.Load(configPath)
	if err != nil {
		return fail(err)
	}
	if configPath != "" {
		logf("using config %s", configPath)
	}
	var base baseline.Set
	if fl.baseline != "" {
		if base, err = baseline.Load(fl.baseline); err != nil {
			return fail(err)
		}
		logf("baseline %s: %d known findings", fl.baseline, len(base))
	}

	if fl.cpuprofile != "" {
		pf, err := os.Create(fl.cpuprofile)
		if err != nil {
			return fail(fmt.Errorf("--cpuprofile: %w", err))
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return fail(fmt.Errorf("--cpuprofile: %w", err))
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	var progress scanner.Progress
	stopProgress := func() {}
	if !fl.quiet && !fl.verbose && isTerminal(stderr) {
		stopProgress = showProgress(stderr, &progress)
	}
	res, err := scanner.Scan(cmd.Context(), scanner.Options{
		Path:      path,
		NoHistory: fl.noHistory,
		Range:     fl.rangeSpec,
		Rules:     set,
		Baseline:  base,
		Logf:      logf,
		Progress:  &progress,
	})
	stopProgress()
	if err != nil {
		if cmd.Context().Err() != nil {
			return fail(errors.New("interrupted; no report written"))
		}
		return fail(err)
	}
	rep := res.Report
	rep.Tool = finding.Tool{Name: "channelguard", Version: version, InformationURI: "https://github.com/channelguard/channelguard"}
	logf("scan took %s", time.Since(start).Round(time.Millisecond))

	opt := reporters.Options{Color: fl.output == "" && wantsColor(stdout)}
	if fl.output != "" {
		if err := reporters.WriteFile(fl.output, fl.format, rep, opt); err != nil {
			return fail(err)
		}
	} else {
		var buf bytes.Buffer
		if err := reporters.Write(&buf, fl.format, rep, opt); err != nil {
			return fail(err)
		}
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			return fail(fmt.Errorf("write report: %w", err))
		}
	}

	if !fl.quiet {
		if fl.verbose {
			for _, s := range res.Skipped {
				fmt.Fprintf(stderr, "channelguard: skipped %s: %s\n", s.Path, s.Reason)
			}
		} else if n := len(res.Skipped); n > 0 {
			fmt.Fprintf(stderr, "channelguard: warning: %d files could not be read (run with -v to list them)\n", n)
		}
		if fl.format == "sarif" && len(rep.Findings) > sarif.MaxResults {
			fmt.Fprintf(stderr, "channelguard: warning: GitHub accepts %d results per SARIF run; the %d least severe of %d findings were left out of the SARIF (use --format json for all)\n",
				sarif.MaxResults, len(rep.Findings)-sarif.MaxResults, len(rep.Findings))
		}
		if res.Baselined > 0 {
			fmt.Fprintf(stderr, "channelguard: %d findings already in the baseline were not reported\n", res.Baselined)
		}
		if fl.output != "" || fl.format != "text" {
			fmt.Fprintf(stderr, "channelguard: %d findings (%d at or above %s)%s\n", len(rep.Findings), rep.AtOrAbove(failOn), failOn, outputNote(fl.output))
		}
	}
	if rep.AtOrAbove(failOn) > 0 {
		return &exitCode{code: exitFindings}
	}
	return nil
}

func outputNote(path string) string {
	if path == "" {
		return ""
	}
	return "; report written to " + path
}

func isFile(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

// wantsColor is true for a terminal, unless NO_COLOR (https://no-color.org)
// or TERM=dumb says otherwise.
func wantsColor(w io.Writer) bool {
	return os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb" && isTerminal(w)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// showProgress keeps one status line on a terminal's stderr up to date
// while a scan runs; the returned func stops it and clears the line.
func showProgress(w io.Writer, p *scanner.Progress) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\x1b[K")
				return
			case <-tick.C:
				commits := fmt.Sprint(p.Commits.Load())
				if total := p.TotalCommits.Load(); total > 0 {
					commits += fmt.Sprintf("/%d", total)
				}
				fmt.Fprintf(w, "\r\x1b[Kscanning… %s commits, %d files", commits, p.Files.Load())
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
