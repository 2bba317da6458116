package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/wording"
	"github.com/channelguard/channelguard/reporters"
	"github.com/channelguard/channelguard/reporters/sarif"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/rules/policy"
	"github.com/channelguard/channelguard/scanner"
	"github.com/channelguard/channelguard/scanner/baseline"
	"github.com/channelguard/channelguard/scanner/cache"
	"github.com/channelguard/channelguard/scanner/capture"
	"github.com/channelguard/channelguard/scanner/history"
)

type scanFlags struct {
	format, output, config, baseline, failOn, rangeSpec string
	role, policy, cpuprofile, memprofile                string
	jobs                                                int
	cache                                               string
	noCache                                             bool
	captures                                            []string
	noHistory, quiet, verbose                           bool
	verifyFlags
	gitleaks gitleaksFlags
	asOf     asOfFlag
	inputFlags
}

func newScanCmd(stdout, stderr io.Writer) *cobra.Command {
	var fl scanFlags
	cmd := &cobra.Command{
		Use:   "scan [PATH | -]",
		Short: "Scan a repository, directory, file or API capture for leaked secrets",
		Long: `Scan PATH (default: the current directory) for leaked secrets.

A git repository is scanned in full: every commit reachable from any ref
(branches, tags, stash: what anyone who can fetch it can read) plus the
working tree's uncommitted and untracked files. The same secret in the same
file is one finding however many commits hold it, with its exposure window:
the first commit that added it, whether HEAD still holds it and which commit
removed it. A plain directory or a single file is scanned as it is.
PATH "-" reads standard input as one file. --staged reads only what the
index adds against HEAD (what the next commit adds): no history, no
working tree; a pre-commit hook runs 'channelguard scan --staged'.

Rules are gitleaks' default rule set plus channelguard's LINE rules
(see 'channelguard rules'). A line containing channelguard:allow or
gitleaks:allow is not reported.

API captures (HAR 1.2: .har, .har.gz, mitmproxy's .zhar) recorded by one
role of a web console are scanned for secrets in every URL, header, cookie,
body and WebSocket message, and for response fields the role must not
receive: the 2019 LINE Developers console bug, where the API behind the
settings tab sent the channel secret to Members although the page hid it
(OWASP API3:2023). Give the role with --role, or several captures with
--capture FILE:ROLE; with captures of two or more roles, what each role
received is compared field by field. Roles and reserved fields come from
the role policy (see 'channelguard rules'; --policy adds to it). Without a
role, a capture is scanned for secrets only (stderr says so). A body
missing from the capture is reported as a coverage gap (severity info), not
as clean; a response that has none by definition (204, 304, HEAD, an empty
redirect) is not. A captured LINE webhook's X-Line-Signature confirms a
channel secret found anywhere in the run, offline.

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

  # an API capture recorded as a console Member
  channelguard scan console-member.har --role member

  # compare what admin and member received; scan the repository too
  channelguard scan . --capture admin.har:admin --capture member.har:member

  # which of the LINE credentials found still work? (sends them to api.line.me)
  channelguard scan --verify

  # accept today's findings, report only new ones from now on
  channelguard scan --format json --output baseline.json
  channelguard scan --baseline baseline.json

  # before a commit (a pre-commit hook): only what is staged
  channelguard scan --staged

  # standard input as one file
  git diff | channelguard scan -
  channelguard scan - --stdin-name config/app.env < pasted.txt`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			return runScan(cmd, path, fl, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&fl.format, "format", "f", "text", formatFlagHelp("text"))
	f.StringVarP(&fl.output, "output", "o", "", "write the report to `FILE` (atomically) instead of stdout")
	f.StringVarP(&fl.config, "config", "c", "", "config `FILE`: a .channelguard.toml, or a gitleaks config (a name with \"gitleaks\" in it; default: PATH/.channelguard.toml, $GITLEAKS_CONFIG, $GITLEAKS_CONFIG_TOML, PATH/.gitleaks.toml)")
	f.StringVarP(&fl.baseline, "baseline", "b", "", "previous channelguard JSON or SARIF report `FILE`: its findings are not reported again")
	f.StringVar(&fl.failOn, "fail-on", "low", "exit 1 when a finding has this `SEVERITY` or worse: critical, high, medium, low, info")
	f.StringVar(&fl.rangeSpec, "range", "", "scan only the commits in `BASE..HEAD` (no working tree)")
	f.BoolVar(&fl.noHistory, "no-history", false, "scan the working tree only, not the git history")
	f.StringVar(&fl.role, "role", "", "PATH is an API capture recorded as `ROLE` (admin, member, tester, or a role of --policy)")
	f.StringArrayVar(&fl.captures, "capture", nil, "also scan the API capture `FILE:ROLE` (repeatable; roles are compared field by field)")
	f.StringVar(&fl.policy, "policy", "", "role policy `FILE` (TOML) added to the built-in LINE console policy")
	f.IntVarP(&fl.jobs, "jobs", "j", history.DefaultStreams(), "read the history with `N` git processes at once (the default is one per two cores: each keeps about a core busy scanning)")
	f.StringVar(&fl.cache, "cache", "", "remember scans in `DIR` (default: <user cache dir>/channelguard/scans; an org mirror keeps its own)")
	f.BoolVar(&fl.noCache, "no-cache", false, "read the whole history even if an earlier scan of it is remembered (and remember this one afresh)")
	f.BoolVarP(&fl.quiet, "quiet", "q", false, "print nothing but the report and errors")
	f.BoolVarP(&fl.verbose, "verbose", "v", false, "print progress and skipped files to stderr")
	fl.verifyFlags.register(f)
	fl.gitleaks.register(f)
	fl.asOf.register(f)
	fl.inputFlags.register(f)
	f.StringVar(&fl.cpuprofile, "cpuprofile", "", "write a Go CPU profile of the scan to `FILE` (for performance work)")
	_ = f.MarkHidden("cpuprofile")
	f.StringVar(&fl.memprofile, "memprofile", "", "write a Go heap profile at the end of the scan to `FILE` (for performance work)")
	_ = f.MarkHidden("memprofile")
	return cmd
}

func runScan(cmd *cobra.Command, path string, fl scanFlags, stdout, stderr io.Writer) error {
	fail := func(err error) error { return &exitCode{code: exitError, err: err} }
	format, err := outputFormat(cmd.Flags(), fl.format, fl.output, "text")
	if err != nil {
		return fail(err)
	}
	fl.format = format
	failOn, err := checkScanFlags(fl)
	if err != nil {
		return fail(err)
	}
	logf := func(format string, a ...any) {}
	if fl.verbose {
		logf = func(format string, a ...any) {
			fmt.Fprintf(stderr, "channelguard: "+format+"\n", a...)
		}
	}
	if path, err = fl.inputFlags.resolve(path, fl); err != nil {
		return fail(err)
	}
	opts, err := scanOptions(path, fl, logf, stderr)
	if err != nil {
		return fail(err)
	}
	fl.inputFlags.apply(&opts, cmd.InOrStdin())
	stopProfile, err := startCPUProfile(fl.cpuprofile)
	if err != nil {
		return fail(err)
	}
	defer stopProfile()
	start := time.Now()
	res, said, err := scanWithProgress(cmd.Context(), opts, fl, stderr)
	if err != nil {
		if cmd.Context().Err() != nil {
			return fail(errors.New("interrupted; no report written"))
		}
		return fail(err)
	}
	if fl.memprofile != "" {
		if err := writeHeapProfile(fl.memprofile); err != nil {
			return fail(fmt.Errorf("--memprofile: %w", err))
		}
	}
	rep := res.Report
	rep.Tool = finding.Tool{Name: "channelguard", Version: version, InformationURI: "https://github.com/channelguard/channelguard"}
	logf("scan took %s", time.Since(start).Round(time.Millisecond))
	if err := writeReport(rep, fl.format, fl.output, reporters.Options{AsOf: fl.asOf.Day()}, stdout); err != nil {
		return fail(err)
	}
	if !fl.quiet {
		printScanNotes(stderr, res, fl, failOn, said)
	}
	if len(rep.Gaps) > 0 {
		// the report is whole but for what could not be read: CI must
		// still fail loudly
		report := "the report"
		if fl.output != "" {
			report += " (" + fl.output + ")"
		}
		return &exitCode{code: exitError, err: fmt.Errorf("%s: %s could not be read (%s); %s lists them as gaps, and every other commit and file was scanned",
			gapTarget(opts.Path, rep), wording.Plural(finding.Unreadable(rep.Gaps), "object"), wording.Plural(len(rep.Gaps), "gap"), report)}
	}
	if rep.AtOrAbove(failOn) > 0 {
		return &exitCode{code: exitFindings}
	}
	return nil
}

// checkScanFlags checks what the flags say alone, before anything is read.
func checkScanFlags(fl scanFlags) (failOn finding.Severity, err error) {
	if err := reporters.CheckFormat(fl.format); err != nil {
		return 0, fmt.Errorf("--format: %w", err)
	}
	if fl.jobs < 1 {
		return 0, fmt.Errorf("--jobs %d: want at least 1", fl.jobs)
	}
	if failOn, err = finding.ParseSeverity(fl.failOn); err != nil {
		return 0, fmt.Errorf("--fail-on: %w", err)
	}
	if fl.quiet && fl.verbose {
		return 0, errors.New("--quiet and --verbose cannot be used together")
	}
	return failOn, nil
}

// scanOptions turns the flags into the scanner's options: the inputs, the
// policy, the verifier, the config, the baseline and the cache.
func scanOptions(path string, fl scanFlags, logf func(string, ...any), stderr io.Writer) (scanner.Options, error) {
	captures, path, err := captureInputs(path, fl)
	if err != nil {
		return scanner.Options{}, err
	}
	pol, err := loadPolicy(fl.policy)
	if err != nil {
		return scanner.Options{}, err
	}
	verifyFn, err := fl.verifier(logf)
	if err != nil {
		return scanner.Options{}, err
	}
	setup, err := prepareScan(path, len(captures) > 0, fl, logf, stderr)
	if err != nil {
		return scanner.Options{}, err
	}
	var base baseline.Set
	if fl.baseline != "" {
		if base, err = baseline.Load(fl.baseline); err != nil {
			return scanner.Options{}, err
		}
		logf("baseline %s: %d known findings", fl.baseline, len(base))
	}
	repoCache, cacheWarning, err := scanCache(path, setup, fl)
	if err != nil {
		return scanner.Options{}, err
	}
	if cacheWarning != "" && !fl.quiet {
		fmt.Fprintf(stderr, "channelguard: warning: %s\n", cacheWarning)
	}
	return scanner.Options{
		Path:           path,
		NoHistory:      fl.noHistory,
		Range:          fl.rangeSpec,
		LoadRules:      setup.loadRules,
		GitleaksIgnore: setup.ignore,
		Baseline:       base,
		Logf:           logf,
		Captures:       captures,
		Policy:         pol,
		Verify:         verifyFn,
		ChannelID:      fl.channelID,
		Jobs:           fl.jobs,
		Cache:          repoCache,
	}, nil
}

// scanWithProgress runs the scan with a status line on a terminal. Notes
// that matter before the scan ends (a partial clone) are said at once;
// said lists them, so they are not said again at the end.
func scanWithProgress(ctx context.Context, opts scanner.Options, fl scanFlags, stderr io.Writer) (*scanner.Result, map[string]bool, error) {
	var progress scanner.Progress
	stopProgress := func() {}
	progressLine := !fl.quiet && !fl.verbose && isTerminal(stderr)
	if progressLine {
		stopProgress = showProgress(stderr, &progress)
	}
	defer stopProgress()
	said := map[string]bool{}
	var saidMu sync.Mutex
	opts.Notef = func(n string) {
		saidMu.Lock()
		defer saidMu.Unlock()
		if fl.quiet || said[n] {
			return
		}
		said[n] = true
		if progressLine {
			fmt.Fprint(stderr, "\r\x1b[K") // the status line is drawn again below
		}
		fmt.Fprintf(stderr, "channelguard: note: %s\n", n)
	}
	if progressLine {
		// counting the commits for the line costs a git call of its own
		opts.Progress = &progress
	}
	res, err := scanner.Scan(ctx, opts)
	return res, said, err
}

// printScanNotes says on stderr what the report alone does not: what the
// cache gave, notes not said yet, what could not be read, what the SARIF
// left out, and the count.
func printScanNotes(stderr io.Writer, res *scanner.Result, fl scanFlags, failOn finding.Severity, said map[string]bool) {
	rep := res.Report
	if c := res.Cache; c != nil && c.Incremental {
		fmt.Fprintf(stderr, "channelguard: %d new commits read; the history up to the scan of %s came from the cache (--no-cache reads it all)\n", c.Read.Commits, c.Since)
	}
	if c := res.Cache; c != nil && c.Warning != "" {
		fmt.Fprintf(stderr, "channelguard: warning: %s\n", c.Warning)
	}
	for _, n := range res.Notes {
		if !said[n] {
			fmt.Fprintf(stderr, "channelguard: note: %s\n", n)
		}
	}
	if fl.verbose {
		for _, s := range res.Skipped {
			fmt.Fprintf(stderr, "channelguard: skipped %s: %s\n", s.Path, s.Reason)
		}
		for _, p := range res.Unscanned {
			fmt.Fprintf(stderr, "channelguard: not scanned (binary or archive): %s\n", p)
		}
	} else {
		if n := len(res.Skipped); n > 0 {
			fmt.Fprintf(stderr, "channelguard: warning: %d files could not be read (run with -v to list them)\n", n)
		}
		if n := len(res.Unscanned); n > 0 {
			fmt.Fprintf(stderr, "channelguard: %d binary files or archives were not scanned (run with -v to list them)\n", n)
		}
	}
	if fl.format == "sarif" && len(rep.Findings) > sarif.MaxResults {
		fmt.Fprintf(stderr, "channelguard: warning: GitHub accepts %d results per SARIF run; the %d least severe of %d findings were left out of the SARIF (use --format json for all)\n",
			sarif.MaxResults, len(rep.Findings)-sarif.MaxResults, len(rep.Findings))
	}
	printIgnored(stderr, res.Ignored, res.IgnoredOccurrences)
	if res.Baselined > 0 {
		fmt.Fprintf(stderr, "channelguard: %d findings already in the baseline were not reported\n", res.Baselined)
	}
	if fl.output != "" || fl.format != "text" {
		fmt.Fprintf(stderr, "channelguard: %d findings (%d at or above %s)%s\n", len(rep.Findings), rep.AtOrAbove(failOn), failOn, outputNote(fl.output))
	}
}

// startCPUProfile starts --cpuprofile; stop ends it.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	pf, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		pf.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); pf.Close() }, nil
}

// gapTarget names the repository a scan's gaps are in.
func gapTarget(path string, rep *finding.Report) string {
	if path != "" {
		return path
	}
	return rep.Target
}

// scanCache is where a full-history scan of the repository at path is
// remembered, or nil when this scan is not one (a range, the working tree
// alone, captures: webhook signatures need the secrets themselves).
func scanCache(path string, setup scanSetup, fl scanFlags) (c *cache.Cache, warning string, err error) {
	if path == "" || fl.rangeSpec != "" || fl.noHistory || fl.role != "" || len(fl.captures) > 0 || !fl.inputFlags.remembered() {
		return nil, "", nil
	}
	if info, err := os.Stat(path); err != nil || !info.IsDir() {
		return nil, "", nil
	}
	key, err := cacheKey(fl.verifyFlags, setup.configPath, setup.inputs)
	if err != nil {
		return nil, "", err
	}
	return cache.For(path, fl.cache, key, fl.noCache)
}

// cacheKey is the cache key of this program with these settings.
func cacheKey(v verifyFlags, configPath, inputs string) (string, error) {
	return cache.Key(cache.KeyParts{Version: version, Revision: buildRevision(), RulesDigest: rules.Digest(),
		Verify: v.verify, LineAPIURL: v.lineAPIURL, ChannelID: v.channelID, Config: configPath, Inputs: inputs})
}

// writeHeapProfile records what the scan allocated (alloc_space) and what
// is still live.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// buildRevision is the commit the binary was built from, as go build
// stamps it ("" outside a git checkout), marked when the tree had changes.
func buildRevision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	rev, modified := "", ""
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+modified"
			}
		}
	}
	return rev + modified
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
				line := fmt.Sprintf("scanning… %s commits, %d files", commits, p.Files.Load())
				if n := p.Entries.Load(); n > 0 {
					line += fmt.Sprintf(", %d capture entries", n)
				}
				fmt.Fprint(w, "\r\x1b[K"+line)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			<-finished
		})
	}
}

// captureInputs reads --role and --capture. PATH is a capture when --role
// is given or its name says so (.har, .har.gz, .zhar), and a repository,
// directory or file otherwise. Without PATH, the current directory is
// scanned unless --capture gives captures to scan instead.
func captureInputs(path string, fl scanFlags) ([]capture.Input, string, error) {
	var out []capture.Input
	if path != "" && (fl.role != "" || isCaptureName(path)) {
		if info, err := os.Stat(path); err == nil && !info.Mode().IsRegular() {
			return nil, "", fmt.Errorf("--role: %s is not a capture file", path)
		}
		out = append(out, capture.Input{Path: path, Role: fl.role})
		path = ""
	} else if fl.role != "" {
		return nil, "", errors.New("--role needs a capture file as PATH (or use --capture FILE:ROLE)")
	}
	for _, c := range fl.captures {
		i := strings.LastIndexByte(c, ':')
		if i <= 0 || i == len(c)-1 {
			return nil, "", fmt.Errorf("--capture %s: want FILE:ROLE, e.g. member.har:member", c)
		}
		out = append(out, capture.Input{Path: c[:i], Role: c[i+1:]})
	}
	if path == "" && len(out) == 0 {
		path = "."
	}
	return out, path, nil
}

func isCaptureName(p string) bool {
	l := strings.ToLower(p)
	return strings.HasSuffix(l, ".har") || strings.HasSuffix(l, ".har.gz") || strings.HasSuffix(l, ".zhar")
}

func loadPolicy(path string) (*policy.Policy, error) {
	if path == "" {
		return policy.Builtin()
	}
	return policy.Load(path)
}
