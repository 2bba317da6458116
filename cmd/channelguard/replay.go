package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/atomicfile"
	"github.com/channelguard/channelguard/reporters"
	"github.com/channelguard/channelguard/scanner/replay"
)

type replayFlags struct {
	role, as, headerFile, target, record string
	format, output, failOn, policy       string
	headers                              []string
	rate                                 float64
	jobs                                 int
	timeout                              time.Duration
	dryRun, quiet, verbose               bool
	asOf                                 asOfFlag
}

func newReplayCmd(stdout, stderr io.Writer) *cobra.Command {
	var fl replayFlags
	cmd := &cobra.Command{
		Use:   "replay CAPTURE --role ROLE --as LOWER_ROLE (--header 'Name: value' … | --header-file FILE)",
		Short: "Replay a higher role's API capture with a lower role's session and compare field by field",
		Long: `Replay the requests of CAPTURE, recorded by --role (a console Admin), with
the credentials of --as (a Member), and compare what the lower role is
served with what the capture holds: secrets in the traffic,
role-inappropriate fields, fields served with the same value as to the
higher role, coverage gaps (as 'scan --capture A:admin --capture B:member'),
and per endpoint whether access is enforced (401/403/404), served the same,
or served filtered, and which fields differ. It finds what a lower role is
served although its page never asks for it (OWASP API3:2023).

Safety: only GET and HEAD are sent (others are listed as skipped); only to
the capture's own origin (or --target, which rebases it); redirects to
another origin or a sign-in page are not followed. The capture's own
credentials (Cookie, Authorization, CSRF and API-key headers) are never sent;
the lower role's headers are added, and no cookie a server sets is ever sent
back. Sign-in, sign-out, OAuth, session and token endpoints are skipped, by
path words and by captured responses that set or clear a session cookie.
At most --rate requests a second, --jobs at once, --timeout each; 5xx answers
are coverage gaps, and 5 server errors or failures in a row stop the replay.
--dry-run lists what would be sent and sends nothing.

The lower role's credentials never appear in any output: give them with
--header-file (one 'Name: value' a line; - reads stdin) rather than
--header, which leaves them in your shell history. --record writes the
replayed exchanges as a HAR 1.2 file, credentials redacted, that
'channelguard scan --capture FILE:ROLE' reads.

Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 error (also
when the replay stopped early; the report then says what was not sent).`,
		Example: `  # what would be sent, with nothing sent
  channelguard replay admin.har --role admin --as member --header-file member.headers --dry-run

  # replay an admin's capture against a test deployment as a member
  channelguard replay admin.har --role admin --as member --header-file member.headers \
      --target http://127.0.0.1:8080 --record member-replay.har

  # the recorded exchanges, offline, again
  channelguard scan --capture admin.har:admin --capture member-replay.har:member`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReplay(cmd, args[0], fl, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.role, "role", "", "the role CAPTURE was recorded as (admin, or a role of --policy)")
	f.StringVar(&fl.as, "as", "", "the lower `ROLE` to replay as (member, tester, or a role of --policy)")
	f.StringArrayVarP(&fl.headers, "header", "H", nil, "send `'Name: value'` with every request: the lower role's credentials (repeatable)")
	f.StringVar(&fl.headerFile, "header-file", "", "read the lower role's headers from `FILE`, one 'Name: value' a line (- for stdin)")
	f.StringVar(&fl.target, "target", "", "send to this origin `URL` (scheme://host[:port]) instead of the capture's")
	f.StringVar(&fl.record, "record", "", "write the replayed exchanges to `FILE` (HAR 1.2, credentials redacted)")
	f.Float64Var(&fl.rate, "rate", replay.DefaultRate, "send at most `N` requests a second")
	f.IntVarP(&fl.jobs, "jobs", "j", replay.DefaultJobs, "send at most `N` requests at once")
	f.DurationVar(&fl.timeout, "timeout", replay.DefaultTimeout, "give up on a request after `DURATION`")
	f.BoolVar(&fl.dryRun, "dry-run", false, "list what would be sent and send nothing")
	f.StringVarP(&fl.format, "format", "f", "text", formatFlagHelp("text"))
	f.StringVarP(&fl.output, "output", "o", "", "write the report to `FILE` (atomically) instead of stdout")
	f.StringVar(&fl.failOn, "fail-on", "low", "exit 1 when a finding has this `SEVERITY` or worse: critical, high, medium, low, info")
	f.StringVar(&fl.policy, "policy", "", "role policy `FILE` (TOML) added to the built-in LINE console policy")
	f.BoolVarP(&fl.quiet, "quiet", "q", false, "print nothing but the report and errors")
	f.BoolVarP(&fl.verbose, "verbose", "v", false, "print progress to stderr")
	fl.asOf.register(f)
	return cmd
}

func runReplay(cmd *cobra.Command, capturePath string, fl replayFlags, stdout, stderr io.Writer) error {
	fail := func(err error) error { return &exitCode{code: exitError, err: err} }
	format, err := outputFormat(cmd.Flags(), fl.format, fl.output, "text")
	if err != nil {
		return fail(err)
	}
	fl.format = format
	failOn, err := finding.ParseSeverity(fl.failOn)
	if err != nil {
		return fail(fmt.Errorf("--fail-on: %w", err))
	}
	switch {
	case fl.quiet && fl.verbose:
		return fail(errors.New("--quiet and --verbose cannot be used together"))
	case fl.rate <= 0:
		return fail(fmt.Errorf("--rate %g: want more than 0", fl.rate))
	case fl.jobs < 1:
		return fail(fmt.Errorf("--jobs %d: want at least 1", fl.jobs))
	case fl.timeout <= 0:
		return fail(fmt.Errorf("--timeout %s: want more than 0", fl.timeout))
	case fl.role == "" || fl.as == "":
		return fail(errors.New("--role (the capture's role) and --as (the lower role) are both required"))
	case fl.record != "" && fl.record == capturePath:
		return fail(errors.New("--record would overwrite the capture"))
	}
	if !isFile(capturePath) {
		return fail(fmt.Errorf("%s: not a capture file", capturePath))
	}
	headers, err := replayHeaders(fl)
	if err != nil {
		return fail(err)
	}
	if len(headers) == 0 && !fl.dryRun {
		return fail(errors.New("the lower role's credentials are required: --header 'Name: value' or --header-file FILE"))
	}
	pol, err := loadPolicy(fl.policy)
	if err != nil {
		return fail(err)
	}
	logf := func(string, ...any) {}
	if fl.verbose {
		logf = func(format string, a ...any) { fmt.Fprintf(stderr, "channelguard: "+format+"\n", a...) }
	}
	opts := replay.Options{
		Capture: capturePath, Role: fl.role, As: fl.as, Headers: headers,
		Target: fl.target, Rate: fl.rate, Jobs: fl.jobs, Timeout: fl.timeout,
		DryRun: fl.dryRun, RecordName: fl.record, Recorded: fl.record != "",
		Policy: pol, Logf: logf, Version: version,
	}
	res, err := replay.Run(cmd.Context(), opts)
	if err != nil {
		if cmd.Context().Err() != nil {
			return fail(errors.New("interrupted; no report written"))
		}
		return fail(err)
	}
	if fl.dryRun {
		if err := res.Plan.Write(stdout, opts); err != nil {
			return fail(fmt.Errorf("write: %w", err))
		}
		return nil
	}
	if fl.record != "" {
		if err := atomicfile.Write(fl.record, res.Record); err != nil {
			return fail(fmt.Errorf("--record: %w", err))
		}
	}
	rep := res.Report
	rep.Tool = finding.Tool{Name: "channelguard", Version: version, InformationURI: "https://github.com/channelguard/channelguard"}
	if err := writeReport(rep, fl.format, fl.output, reporters.Options{AsOf: fl.asOf.Day()}, stdout); err != nil {
		return fail(err)
	}
	if !fl.quiet {
		r := rep.Replay
		fmt.Fprintf(stderr, "channelguard: replayed %d requests as %s (%d skipped, %d not sent); %d findings (%d at or above %s)%s\n",
			r.Sent, r.As, r.Skipped, r.NotSent, len(rep.Findings), rep.AtOrAbove(failOn), failOn, outputNote(fl.output))
		if fl.record != "" {
			fmt.Fprintf(stderr, "channelguard: replayed exchanges recorded to %s (rescan: channelguard scan --capture %s:%s --capture %s:%s)\n", fl.record, capturePath, r.Role, fl.record, r.As)
		}
	}
	if res.Stopped != "" {
		return &exitCode{code: exitError, err: fmt.Errorf("replay stopped: %s; the report lists what was replayed", res.Stopped)}
	}
	if rep.AtOrAbove(failOn) > 0 {
		return &exitCode{code: exitFindings}
	}
	return nil
}

// replayHeaders reads --header and --header-file.
func replayHeaders(fl replayFlags) ([]replay.Header, error) {
	var out []replay.Header
	for _, s := range fl.headers {
		h, err := replay.ParseHeader(s)
		if err != nil {
			return nil, fmt.Errorf("--header: %w", err)
		}
		out = append(out, h)
	}
	if fl.headerFile != "" {
		var rd io.Reader
		name := fl.headerFile
		if name == "-" {
			rd, name = os.Stdin, "stdin"
		} else {
			f, err := os.Open(name)
			if err != nil {
				return nil, fmt.Errorf("--header-file: %w", err)
			}
			defer f.Close()
			rd = f
		}
		hs, err := replay.ReadHeaders(rd, name)
		if err != nil {
			return nil, fmt.Errorf("--header-file: %w", err)
		}
		out = append(out, hs...)
	}
	return out, nil
}
