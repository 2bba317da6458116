package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/ghapi"
	"github.com/channelguard/channelguard/internal/wording"
	"github.com/channelguard/channelguard/orgscan"
	"github.com/channelguard/channelguard/reporters"
	"github.com/channelguard/channelguard/reporters/jsonreport"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/teamreport"
)

type orgFlags struct {
	user, repos, exclude, token, cache, config, failOn, shard, out, previous string
	format, output                                                           string
	includeForks, includeArchived, noCache, quiet, verbose                   bool
	formatGiven                                                              bool
	asOf                                                                     asOfFlag
	jobs                                                                     int
	timeout                                                                  time.Duration
	verifyFlags
}

// orgHooks lets tests clone from local paths and see the git commands.
var orgHooks struct {
	allowLocal bool
	onGit      func(args, env []string)
}

func newOrgCmd(stdout, stderr io.Writer) *cobra.Command {
	var fl orgFlags
	cmd := &cobra.Command{
		Use:   "org [ORG]",
		Short: "Scan every repository of a GitHub organisation, a user or a list",
		Long: `Scan the whole git history of every repository of a GitHub organisation
(ORG), of a user (--user USER) or of a list (--repos owner/a,owner/b), and
write one team report.

Repositories are listed through the GitHub API (GITHUB_API_URL, default
https://api.github.com; every page). Forks and archived repositories are
left out unless --include-forks / --include-archived; --exclude REGEX drops
repositories whose owner/name matches. The token (--token or GITHUB_TOKEN)
is optional for public repositories; private ones need a token that can
read them (contents: read).

Each repository is mirrored (git clone --mirror: every branch, tag and pull
request ref, as anyone who can fetch it can read them) into --cache,
default <user cache dir>/channelguard/repos/<host>/<owner>/<name>.git,
and fetched with --prune on the next run. The token reaches git only as an
HTTP header in git's environment, never in a URL, an argument or a log.
The cache remembers the refs each scan read and its findings (never a
secret's value): a repository with no new commits is not read again, and
otherwise only the commits the earlier refs do not reach are read, on every
branch, tag and pull request ref. When those commits change a file that
holds a secret still at HEAD, or find a known secret again, the repository
is scanned in full so exposure windows stay right. --no-cache scans
everything again.

Output: without --out, the text report on stdout. With --out DIR:
findings.json and channelguard.sarif (plus findings.csv, report.md and
report.html where this build has those formats). --previous DIR compares
with DIR/findings.json of an earlier run: each finding is new or open, and
findings gone from a repository scanned this time are listed as fixed.

Sharding: --shard I/N scans only the repositories whose FNV-1a hash of the
lower-cased owner/name, mod N, is I-1: the same split on every runner, with
no coordination. Run N jobs, then merge their findings.json with
'channelguard report merge' (the same bytes as one unsharded run).

Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 error. A
repository that cannot be cloned, fetched or scanned (or runs past
--timeout) does not stop the run: it is in the report with status
"failed" and its error, the others are scanned, the reports are written,
and then the exit code is 2 ("N of M repositories failed; see the
report"), findings or not. A repository whose scan could not read some
objects (a damaged mirror) is "partial": its findings are kept, the
report's gaps name what was not read, and the exit code is 2 as well.`,
		Example: `  # every repository of an organisation, reports in ./out
  GITHUB_TOKEN=... channelguard org acme --out out

  # a user's repositories, forks included, 4 at a time
  channelguard org --user alice --include-forks --jobs 4

  # some repositories only; compare with last week's run
  channelguard org --repos acme/api,acme/web --out out --previous last-week

  # GitHub Actions: 4 runners, each scanning a quarter of the organisation
  #   strategy:
  #     matrix:
  #       shard: [1, 2, 3, 4]
  #   steps:
  #     - run: channelguard org acme --shard ${{ matrix.shard }}/4 --out shard-${{ matrix.shard }}
  #       env:
  #         GITHUB_TOKEN: ${{ secrets.ORG_READ_TOKEN }}
  #     - uses: actions/upload-artifact@v4
  #       with: { name: shard-${{ matrix.shard }}, path: shard-${{ matrix.shard }} }`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			org := ""
			if len(args) == 1 {
				org = args[0]
			}
			format, err := outputFormat(cmd.Flags(), fl.format, fl.output, "text")
			if err != nil {
				return &exitCode{code: exitError, err: err}
			}
			fl.format, fl.formatGiven = format, cmd.Flags().Changed("format")
			return runOrg(cmd.Context(), org, fl, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.user, "user", "", "scan the repositories `USER` owns instead of an organisation's")
	f.StringVar(&fl.repos, "repos", "", "scan these repositories: `owner/a,owner/b`")
	f.BoolVar(&fl.includeForks, "include-forks", false, "also scan forks")
	f.BoolVar(&fl.includeArchived, "include-archived", false, "also scan archived repositories")
	f.StringVar(&fl.exclude, "exclude", "", "leave out repositories whose owner/name matches `REGEX`")
	f.StringVar(&fl.token, "token", "", "GitHub `TOKEN` (default: $GITHUB_TOKEN; optional for public repositories)")
	f.StringVar(&fl.cache, "cache", "", "mirror cache `DIR` (default: <user cache dir>/channelguard/repos)")
	f.BoolVar(&fl.noCache, "no-cache", false, "ignore what the cache remembers of earlier scans: scan every repository in full")
	f.StringVarP(&fl.config, "config", "c", "", "channelguard config `FILE` for every repository")
	f.StringVar(&fl.failOn, "fail-on", "low", "exit 1 when a finding has this `SEVERITY` or worse: critical, high, medium, low, info")
	f.IntVar(&fl.jobs, "jobs", max(1, runtime.NumCPU()), "scan `N` repositories at once")
	f.DurationVar(&fl.timeout, "timeout", 30*time.Minute, "give up on one repository (clone and scan) after `DURATION`")
	f.StringVar(&fl.shard, "shard", "", "scan only shard `I/N` of the repositories (1-based; see above)")
	f.StringVar(&fl.out, "out", "", "write findings.json, channelguard.sarif, findings.csv, report.md and report.html to `DIR` instead of text on stdout")
	f.StringVarP(&fl.format, "format", "f", "text", formatFlagHelp("text"))
	f.StringVarP(&fl.output, "output", "o", "", "write the team report to `FILE` (atomically) instead of stdout; with --out, besides its files")
	f.StringVar(&fl.previous, "previous", "", "compare with `DIR`/findings.json of an earlier run (new, open, fixed)")
	f.BoolVarP(&fl.quiet, "quiet", "q", false, "print nothing but the report and errors")
	f.BoolVarP(&fl.verbose, "verbose", "v", false, "print each repository's progress to stderr")
	fl.verifyFlags.register(f)
	fl.asOf.register(f)
	return cmd
}

func runOrg(ctx context.Context, org string, fl orgFlags, stdout, stderr io.Writer) error {
	fail := func(err error) error { return &exitCode{code: exitError, err: err} }

	// Flags first: nothing is listed or cloned on a bad one.
	owner, filter, failOn, err := checkOrgFlags(org, fl)
	if err != nil {
		return fail(err)
	}
	logf := func(string, ...any) {}
	if fl.verbose {
		logf = func(format string, a ...any) { fmt.Fprintf(stderr, "channelguard: "+format+"\n", a...) }
	}
	verifyFn, err := fl.verifier(logf)
	if err != nil {
		return fail(err)
	}
	set, err := rules.Load(fl.config)
	if err != nil {
		return fail(err)
	}
	key, err := cacheKey(fl.verifyFlags, fl.config, "")
	if err != nil {
		return fail(err)
	}
	var prev *finding.Report
	if fl.previous != "" {
		if prev, err = jsonreport.ReadFile(filepath.Join(fl.previous, "findings.json")); err != nil {
			return fail(fmt.Errorf("--previous: %w", err))
		}
	}
	if fl.out != "" {
		if err := os.MkdirAll(fl.out, 0o755); err != nil {
			return fail(fmt.Errorf("--out: %w", err))
		}
	}
	cache := fl.cache
	if cache == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return fail(fmt.Errorf("no user cache directory (%v); give --cache DIR", err))
		}
		cache = filepath.Join(base, "channelguard", "repos")
	}
	token := firstNonEmpty(fl.token, os.Getenv("GITHUB_TOKEN"))
	apiURL := os.Getenv("GITHUB_API_URL")
	client, err := ghapi.New(ghapi.Options{BaseURL: apiURL, Token: token, Logf: logf})
	if err != nil {
		return fail(fmt.Errorf("GITHUB_API_URL: %w", err))
	}

	sel, err := orgscan.Select(ctx, client, apiURL, owner, filter)
	if err != nil {
		if ctx.Err() != nil {
			return fail(errors.New("interrupted; no report written"))
		}
		return fail(err)
	}
	total := sel.Total()
	if !fl.quiet {
		fmt.Fprintf(stderr, "channelguard: %s\n", sel.Describe())
	}

	// Scan.
	prog := newOrgProgress(stderr, total, !fl.quiet && !fl.verbose && isTerminal(stderr), fl.quiet)
	for _, rs := range sel.Failed {
		prog.done(rs, 0)
	}
	res := orgscan.Run(ctx, sel.Targets, orgscan.Options{
		CacheDir:   cache,
		Token:      token,
		Jobs:       fl.jobs,
		Timeout:    fl.timeout,
		NoCache:    fl.noCache,
		Key:        key,
		Rules:      set,
		Verify:     verifyFn,
		ChannelID:  fl.channelID,
		Logf:       logf,
		OnStart:    func(t orgscan.Target) { prog.start(t.Name) },
		OnDone:     func(_ orgscan.Target, rs finding.RepoScan, d time.Duration) { prog.done(rs, d) },
		OnGit:      orgHooks.onGit,
		AllowLocal: orgHooks.allowLocal,
	})
	prog.stop()
	if ctx.Err() != nil {
		return fail(errors.New("interrupted; no report written"))
	}

	rep := teamreport.Build(teamreport.Run{
		Tool:     finding.Tool{Name: "channelguard", Version: version, InformationURI: "https://github.com/channelguard/channelguard"},
		Target:   sel.Target,
		Rules:    set.Rules(),
		Findings: res.Findings,
		Stats:    res.Stats,
		Repos:    append(append([]finding.RepoScan(nil), res.Repos...), sel.Failed...),
		Gaps:     res.Gaps,
	}, prev, filepath.Join(fl.previous, "findings.json"))
	failed := res.Failed + len(sel.Failed)

	return orgOutcome(rep, res, failed, total, failOn, fl, stdout, stderr)
}

// orgOutcome writes the team report and turns the run into an exit code:
// failed or partly read repositories are an error even with every report
// written, findings at or above failOn exit 1.
func orgOutcome(rep *finding.Report, res *orgscan.Result, failed, total int, failOn finding.Severity, fl orgFlags, stdout, stderr io.Writer) error {
	fail := func(err error) error { return &exitCode{code: exitError, err: err} }
	if fl.out != "" {
		written, err := writeOrgReports(fl.out, rep, fl.asOf.Day())
		if err != nil {
			return fail(err)
		}
		if !fl.quiet {
			fmt.Fprintf(stderr, "channelguard: %d findings (%d at or above %s) in %d repositories; wrote %s\n",
				len(rep.Findings), rep.AtOrAbove(failOn), failOn, total, strings.Join(written, ", "))
		}
	}
	if fl.output != "" || fl.out == "" || fl.formatGiven {
		// --output FILE, or stdout: unless --out wrote the files and
		// --format asked for nothing more
		opt := reporters.Options{Category: "channelguard-org", AsOf: fl.asOf.Day()}
		if err := writeReport(rep, fl.format, fl.output, opt, stdout); err != nil {
			return fail(err)
		}
		if fl.output != "" && !fl.quiet {
			fmt.Fprintf(stderr, "channelguard: team report written to %s\n", fl.output)
		}
	}
	if !fl.quiet && rep.Changes != nil {
		fmt.Fprintf(stderr, "channelguard: compared with %s: %d new, %d still open, %d fixed\n",
			rep.Changes.Previous, rep.Changes.New, rep.Changes.Open, len(rep.Changes.Fixed))
	}
	switch {
	case failed > 0 && res.Partial > 0:
		return &exitCode{code: exitError, err: fmt.Errorf("%d of %d repositories failed and %d were scanned in part (%s could not be read); see the report", failed, total, res.Partial, wording.Plural(finding.Unreadable(res.Gaps), "object"))}
	case failed > 0:
		return &exitCode{code: exitError, err: fmt.Errorf("%d of %d repositories failed; see the report", failed, total)}
	case res.Partial > 0:
		return &exitCode{code: exitError, err: fmt.Errorf("%d of %d repositories were scanned in part: %s could not be read (the report's gaps name them; their findings are in it); see the report", res.Partial, total, wording.Plural(finding.Unreadable(res.Gaps), "object"))}
	}
	if rep.AtOrAbove(failOn) > 0 {
		return &exitCode{code: exitFindings}
	}
	return nil
}

// checkOrgFlags checks what the flags say alone: whose repositories, which
// of them, and the fail level.
func checkOrgFlags(org string, fl orgFlags) (orgscan.Owner, orgscan.Filter, finding.Severity, error) {
	kinds := 0
	for _, s := range []string{org, fl.user, fl.repos} {
		if s != "" {
			kinds++
		}
	}
	if kinds != 1 {
		return orgscan.Owner{}, orgscan.Filter{}, 0, errors.New("give exactly one of ORG, --user USER or --repos owner/a,owner/b (see 'channelguard org --help')")
	}
	failOn, err := finding.ParseSeverity(fl.failOn)
	if err != nil {
		return orgscan.Owner{}, orgscan.Filter{}, 0, fmt.Errorf("--fail-on: %w", err)
	}
	if fl.quiet && fl.verbose {
		return orgscan.Owner{}, orgscan.Filter{}, 0, errors.New("--quiet and --verbose cannot be used together")
	}
	if fl.jobs < 1 {
		return orgscan.Owner{}, orgscan.Filter{}, 0, fmt.Errorf("--jobs %d: want at least 1", fl.jobs)
	}
	if fl.timeout <= 0 {
		return orgscan.Owner{}, orgscan.Filter{}, 0, fmt.Errorf("--timeout %s: want a positive duration", fl.timeout)
	}
	shard, err := orgscan.ParseShard(fl.shard)
	if err != nil {
		return orgscan.Owner{}, orgscan.Filter{}, 0, fmt.Errorf("--shard: %w", err)
	}
	filter := orgscan.Filter{IncludeForks: fl.includeForks, IncludeArchived: fl.includeArchived, Shard: shard}
	if fl.exclude != "" {
		if filter.Exclude, err = regexp.Compile(fl.exclude); err != nil {
			return orgscan.Owner{}, orgscan.Filter{}, 0, fmt.Errorf("--exclude: %w", err)
		}
	}
	var explicit []ghapi.Repo
	if fl.repos != "" {
		seen := map[string]bool{}
		for _, s := range strings.Split(fl.repos, ",") {
			if strings.TrimSpace(s) == "" {
				continue
			}
			r, err := ghapi.ParseRepo(s)
			if err != nil {
				return orgscan.Owner{}, orgscan.Filter{}, 0, fmt.Errorf("--repos: %w", err)
			}
			if k := strings.ToLower(r.String()); !seen[k] {
				seen[k] = true
				explicit = append(explicit, r)
			}
		}
		if len(explicit) == 0 {
			return orgscan.Owner{}, orgscan.Filter{}, 0, errors.New("--repos: no repository given")
		}
	}
	return orgscan.Owner{Org: org, User: fl.user, Repos: explicit}, filter, failOn, nil
}

// writeOrgReports writes the team report's files into dir; csv, markdown
// and html only when this build's reporters know them.
func writeOrgReports(dir string, rep *finding.Report, asOf time.Time) ([]string, error) {
	files := []struct{ name, format string }{
		{"findings.json", "json"},
		{"channelguard.sarif", "sarif"},
	}
	if reporters.CheckFormat("html") == nil {
		for _, f := range []struct{ name, format string }{{"findings.csv", "csv"}, {"report.md", "markdown"}, {"report.html", "html"}} {
			if reporters.CheckFormat(f.format) == nil {
				files = append(files, f)
			}
		}
	}
	var written []string
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := reporters.WriteFile(p, f.format, rep, reporters.Options{Category: "channelguard-org", AsOf: asOf}); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}

// orgProgress reports each repository: a status line redrawn in place on a
// terminal, plain lines otherwise (CI logs).
type orgProgress struct {
	w            io.Writer
	total        int
	tty, quiet   bool
	mu           sync.Mutex
	finished     int
	running      []string
	ticker       *time.Ticker
	stopped      chan struct{}
	stopOnce     sync.Once
	stopFinished chan struct{}
}

func newOrgProgress(w io.Writer, total int, tty, quiet bool) *orgProgress {
	p := &orgProgress{w: w, total: total, tty: tty, quiet: quiet, stopped: make(chan struct{}), stopFinished: make(chan struct{})}
	if !tty {
		close(p.stopFinished)
		return p
	}
	p.ticker = time.NewTicker(200 * time.Millisecond)
	go func() {
		defer close(p.stopFinished)
		for {
			select {
			case <-p.stopped:
				p.mu.Lock()
				fmt.Fprint(p.w, "\r\x1b[K")
				p.mu.Unlock()
				return
			case <-p.ticker.C:
				p.mu.Lock()
				p.redraw()
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// redraw paints "[12/40] scanning owner/name…" (mu held).
func (p *orgProgress) redraw() {
	line := fmt.Sprintf("[%d/%d]", p.finished, p.total)
	if n := len(p.running); n > 0 {
		line += " scanning " + p.running[n-1] + "…"
		if n > 1 {
			line += fmt.Sprintf(" (+%d)", n-1)
		}
	}
	fmt.Fprint(p.w, "\r\x1b[K"+line)
}

func (p *orgProgress) start(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running = append(p.running, name)
}

func (p *orgProgress) done(rs finding.RepoScan, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, n := range p.running {
		if n == rs.Name {
			p.running = append(p.running[:i], p.running[i+1:]...)
			break
		}
	}
	p.finished++
	if p.quiet {
		return
	}
	var what string
	switch {
	case rs.Status == finding.RepoPartial:
		what = fmt.Sprintf("%d findings, partial: %s", rs.Findings, rs.Error)
	case rs.Status != finding.RepoOK:
		what = "failed: " + rs.Error
	case rs.Incremental && rs.Commits == 0:
		what = fmt.Sprintf("%d findings (no new commits)", rs.Findings)
	case rs.Incremental:
		what = fmt.Sprintf("%d findings (%d new commits)", rs.Findings, rs.Commits)
	default:
		what = fmt.Sprintf("%d findings", rs.Findings)
	}
	line := fmt.Sprintf("channelguard: [%d/%d] %s: %s (%s)", p.finished, p.total, rs.Name, what, d.Round(100*time.Millisecond))
	if p.tty {
		// only what needs attention scrolls past; the status line says the rest
		if rs.Status == finding.RepoOK && rs.Findings == 0 {
			return
		}
		fmt.Fprint(p.w, "\r\x1b[K")
		fmt.Fprintln(p.w, line)
		p.redraw()
		return
	}
	fmt.Fprintln(p.w, line)
}

func (p *orgProgress) stop() {
	p.stopOnce.Do(func() {
		if p.ticker != nil {
			p.ticker.Stop()
			close(p.stopped)
		}
	})
	<-p.stopFinished
}
