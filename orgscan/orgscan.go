// Package orgscan scans many repositories in one run (`channelguard org`):
// Select lists them through the GitHub API and keeps those the filter
// keeps (forks, archived, --exclude, the shard); each is mirrored into a cache (cloned once with `git clone --mirror`,
// fetched with `--prune` after), the mirror's whole history (every ref) is
// scanned, and the findings of all repositories are gathered, each marked
// with its repository. A repository that fails is reported as failed and
// the run goes on; one whose scan could not read some objects is reported
// partial, with its findings and the gaps that name what was not read.
//
// Each mirror keeps its own scanner/cache state (channelguard-state.json
// beside the mirror's objects): a rescan whose refs did not move reads
// nothing; one whose refs only moved forward reads only the new commits.
// Anything else is scanned in full.
package orgscan

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/wording"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/scanner"
	"github.com/channelguard/channelguard/scanner/cache"
	"github.com/channelguard/channelguard/scanner/credential"
)

// Target is one repository to scan.
type Target struct {
	Name          string // owner/name
	CloneURL      string // https, no credentials
	URL           string // web page, for the report
	DefaultBranch string // becomes the mirror's HEAD when known
}

// Options says how to scan.
type Options struct {
	// CacheDir holds the mirrors: CacheDir/<host>/<owner>/<name>.git.
	CacheDir string
	// Token is sent to git as an HTTP header in the environment only.
	Token string
	// Jobs is how many repositories are mirrored and scanned at once (≥ 1).
	Jobs int
	// Timeout bounds each repository (mirror and scan); 0 = none.
	Timeout time.Duration
	// NoCache ignores the remembered state: every repository is scanned in
	// full (the state is written afresh).
	NoCache bool
	// Key identifies the rules and settings (rules, config, --verify):
	// remembered findings made under another key are not reused.
	Key string

	Rules     *rules.Set
	Verify    credential.VerifyFunc
	ChannelID string

	// Logf receives progress lines (never a secret or the token).
	Logf func(format string, args ...any)
	// OnStart and OnDone are called as each repository starts and ends
	// (from the worker goroutines).
	OnStart func(t Target)
	OnDone  func(t Target, rs finding.RepoScan, elapsed time.Duration)
	// OnGit sees every git command orgscan runs itself: its arguments and
	// the environment variables it adds (tests check no token is in them).
	OnGit func(args, env []string)
	// AllowLocal accepts file:// URLs and absolute paths as clone URLs
	// (tests); otherwise only https is.
	AllowLocal bool
}

// Result is a run over many repositories.
type Result struct {
	Repos    []finding.RepoScan // sorted by name
	Findings []finding.Finding  // every repository's, Repository set; sorted
	Stats    finding.Stats      // summed
	Failed   int
	// Partial counts repositories scanned in part; Gaps (Repository set,
	// sorted) name what their scans could not read.
	Partial int
	Gaps    []finding.Gap
}

// gitJobs shares the cores among the repositories scanned at once: each
// scan reads its history with this many git processes.
func (o Options) gitJobs() int { return max(1, runtime.NumCPU()/max(1, o.Jobs)) }

// Run scans every target, Jobs at a time. It returns when all are done or
// ctx ends (repositories not reached are reported as failed).
func Run(ctx context.Context, targets []Target, opts Options) *Result {
	if opts.Jobs < 1 {
		opts.Jobs = 1
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	type one struct {
		rs    finding.RepoScan
		found []finding.Finding
		stats finding.Stats
		gaps  []finding.Gap
	}
	results := make([]one, len(targets))
	sem := make(chan struct{}, opts.Jobs)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i].rs = finding.RepoScan{Name: t.Name, URL: t.URL, Status: finding.RepoFailed, Error: "interrupted before it started"}
				return
			}
			defer func() { <-sem }()
			if opts.OnStart != nil {
				opts.OnStart(t)
			}
			start := time.Now()
			rs, found, stats, gaps := scanOne(ctx, t, opts)
			results[i] = one{rs, found, stats, gaps}
			if opts.OnDone != nil {
				opts.OnDone(t, rs, time.Since(start))
			}
		}()
	}
	wg.Wait()

	res := &Result{}
	for _, r := range results {
		res.Repos = append(res.Repos, r.rs)
		res.Findings = append(res.Findings, r.found...)
		res.Stats.Commits += r.stats.Commits
		res.Stats.Files += r.stats.Files
		res.Stats.Bytes += r.stats.Bytes
		res.Gaps = append(res.Gaps, r.gaps...)
		switch r.rs.Status {
		case finding.RepoOK:
		case finding.RepoPartial:
			res.Partial++
		default:
			res.Failed++
		}
	}
	finding.SortGaps(res.Gaps)
	sort.SliceStable(res.Repos, func(i, j int) bool { return res.Repos[i].Name < res.Repos[j].Name })
	rep := finding.Report{Findings: res.Findings}
	rep.Sort()
	sort.SliceStable(rep.Findings, func(i, j int) bool { return rep.Findings[i].Repository < rep.Findings[j].Repository })
	res.Findings = rep.Findings
	return res
}

// CachePath is where the mirror of a repository lives.
func CachePath(cacheDir string, t Target, allowLocal bool) (string, error) {
	owner, name, ok := strings.Cut(t.Name, "/")
	if !ok || !safeSegment(owner) || !safeSegment(name) {
		return "", fmt.Errorf("repository name %q is not owner/name", t.Name)
	}
	u, local, err := checkCloneURL(t.CloneURL, allowLocal)
	if err != nil {
		return "", err
	}
	host := "local"
	if !local {
		host = strings.ToLower(u.Host)
		if !safeSegment(strings.ReplaceAll(host, ":", "_")) {
			return "", fmt.Errorf("clone URL host %q is not usable as a directory name", host)
		}
		host = strings.ReplaceAll(host, ":", "_")
	}
	return filepath.Join(cacheDir, host, strings.ToLower(owner), strings.ToLower(name)+".git"), nil
}

func safeSegment(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\\\x00 \t\r\n") && !strings.HasPrefix(s, "-")
}

// scanOne mirrors and scans one repository. It never panics the run: every
// problem becomes Status "failed" with a one-line Error free of the token.
// A scan that could not read some objects is Status "partial": its
// findings are kept, and its gaps name what was not read.
func scanOne(ctx context.Context, t Target, opts Options) (rs finding.RepoScan, found []finding.Finding, stats finding.Stats, gaps []finding.Gap) {
	rs = finding.RepoScan{Name: t.Name, URL: t.URL, Status: finding.RepoFailed}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	g, err := newGit(t.CloneURL, opts.Token, opts.AllowLocal, opts.OnGit)
	if err == nil {
		var dir string
		if dir, err = CachePath(opts.CacheDir, t, opts.AllowLocal); err == nil {
			var inc bool
			found, stats, rs.HeadSHA, inc, gaps, err = mirrorAndScan(ctx, g, dir, t, opts)
			rs.Incremental = inc
		}
	}
	if err != nil {
		msg := err.Error()
		switch {
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
			msg = fmt.Sprintf("timed out after %s", opts.Timeout)
		case errors.Is(err, context.Canceled) || ctx.Err() != nil:
			msg = "interrupted"
		}
		if g != nil {
			msg = g.scrub(msg)
		} else if opts.Token != "" {
			msg = strings.ReplaceAll(msg, opts.Token, "[REDACTED]")
		}
		rs.Error = wording.OneLine(msg, 300)
		return rs, nil, finding.Stats{}, nil
	}
	for i := range found {
		found[i].Repository = t.Name
	}
	rs.Status = finding.RepoOK
	rs.Commits = stats.Commits
	rs.Findings = len(found)
	if len(gaps) > 0 {
		for i := range gaps {
			gaps[i].Repository = t.Name
		}
		rs.Status = finding.RepoPartial
		rs.Gaps = len(gaps)
		rs.Error = fmt.Sprintf("%s could not be read (%s): every other commit was scanned and its findings are kept", wording.Plural(finding.Unreadable(gaps), "object"), wording.Plural(len(gaps), "gap"))
	}
	return rs, found, stats, gaps
}

func mirrorAndScan(ctx context.Context, g *git, dir string, t Target, opts Options) (found []finding.Finding, stats finding.Stats, head string, incremental bool, gaps []finding.Gap, err error) {
	if _, err = g.mirror(ctx, dir, t.DefaultBranch); err != nil {
		return
	}
	res, err := scanner.Scan(ctx, scanner.Options{
		Path:      dir,
		Jobs:      opts.gitJobs(),
		Rules:     opts.Rules,
		Verify:    opts.Verify,
		ChannelID: opts.ChannelID,
		Logf:      prefixed(opts.Logf, t.Name),
		Cache:     cache.InMirror(dir, opts.Key, opts.NoCache),
	})
	if err != nil {
		return nil, finding.Stats{}, "", false, nil, scrubPath(err, dir)
	}
	// a repository's stats in a team report are what this run read
	stats = res.Report.Stats
	if res.Cache != nil {
		stats, incremental = res.Cache.Read, res.Cache.Incremental
	}
	for _, gap := range res.Report.Gaps {
		gap.Detail = g.scrub(strings.ReplaceAll(gap.Detail, dir, filepath.Base(dir)))
		gaps = append(gaps, gap)
	}
	return res.Report.Findings, stats, g.head(ctx, dir), incremental, gaps, nil
}

// scrubPath shortens the cache path in scanner errors to the mirror name.
func scrubPath(err error, dir string) error {
	msg := strings.ReplaceAll(err.Error(), dir, filepath.Base(dir))
	return errors.New(msg)
}

func prefixed(logf func(string, ...any), name string) func(string, ...any) {
	return func(format string, args ...any) { logf(name+": "+format, args...) }
}
