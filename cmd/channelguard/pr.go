package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/ghapi"
	"github.com/channelguard/channelguard/ghevent"
	"github.com/channelguard/channelguard/internal/wording"
	"github.com/channelguard/channelguard/reporters"
	"github.com/channelguard/channelguard/reporters/ghactions"
	"github.com/channelguard/channelguard/reporters/markdown"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/scanner"
	"github.com/channelguard/channelguard/scanner/baseline"
	"github.com/channelguard/channelguard/scanner/gitrepo"
)

// maxAnnotations is how many findings become workflow annotations; GitHub
// shows at most 10 per step and 50 per job.
const maxAnnotations = 50

type prFlags struct {
	sarif, failOn, config, baseline, token, path string
	noComment, noReview, uploadSARIF, verbose    bool
	verifyFlags
}

func newPRCmd(stdout, stderr io.Writer) *cobra.Command {
	var fl prFlags
	cmd := &cobra.Command{
		Use:   "pr",
		Short: "Scan a pull request (or push) in GitHub Actions and report on it",
		Long: `Scan exactly the commits a GitHub Actions event brings, and report them
where the developer looks.

The event comes from GITHUB_EVENT_NAME and GITHUB_EVENT_PATH:
  pull_request, pull_request_target   the commits base.sha..head.sha, all of them
  push                                before..after (a new branch: the commits
                                      not on the default branch; a deleted
                                      branch or tag: a notice, exit 0)
  anything else                       the whole history
A secret the base commit already held is not blamed on the pull request. The
base commit must be in the clone: check out with fetch-depth: 0. A pull
request's .channelguard.toml is read from its base commit, so the pull
request cannot turn off the rules that check it.

What it writes:
  --sarif FILE          SARIF for code scanning (category channelguard)
  annotations           ::error file=…,line=… per finding (at most 50), no token needed
  GITHUB_STEP_SUMMARY   counts, a table of findings, how to fix
  GITHUB_OUTPUT         findings=N, sarif-file=FILE
  PR comment            one, found again by a hidden marker and edited in place;
                        "resolved" once a later push removes the findings
  review comments       on the added lines that hold a secret, once each
  --upload-sarif        the SARIF through the code scanning API

API calls use GITHUB_API_URL, GITHUB_REPOSITORY and the token (--token or
GITHUB_TOKEN). Without a token, or with a read-only one (a fork's pull
request), API writes fail: each is a warning, the rest is still written and
the exit code is decided by the findings alone.

Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 error.`,
		Example: `  # in a workflow step (see the README for the whole workflow)
  channelguard pr --sarif channelguard.sarif --fail-on high`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPR(cmd.Context(), fl, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.sarif, "sarif", "channelguard.sarif", "write the SARIF report to `FILE` (.sarif or .json; no other format's extension)")
	f.StringVar(&fl.failOn, "fail-on", "low", "exit 1 when a finding has this `SEVERITY` or worse: critical, high, medium, low, info")
	f.StringVarP(&fl.config, "config", "c", "", "channelguard config `FILE` (default: .channelguard.toml of the base commit, or of the checkout)")
	f.StringVarP(&fl.baseline, "baseline", "b", "", "previous channelguard JSON or SARIF report `FILE`: its findings are not reported again")
	f.StringVar(&fl.token, "token", "", "GitHub `TOKEN` for comments and uploads (default: $GITHUB_TOKEN)")
	f.StringVar(&fl.path, "path", "", "the checked-out repository (default: $GITHUB_WORKSPACE, else the current directory)")
	f.BoolVar(&fl.noComment, "no-comment", false, "do not write the pull request comment")
	f.BoolVar(&fl.noReview, "no-review-comments", false, "do not write inline review comments")
	f.BoolVar(&fl.uploadSARIF, "upload-sarif", false, "upload the SARIF through the code scanning API")
	f.BoolVarP(&fl.verbose, "verbose", "v", false, "print progress to stderr")
	fl.verifyFlags.register(f)
	return cmd
}

func runPR(ctx context.Context, fl prFlags, stdout, stderr io.Writer) error {
	fail := func(err error) error { return &exitCode{code: exitError, err: err} }
	failOn, err := finding.ParseSeverity(fl.failOn)
	if err != nil {
		return fail(fmt.Errorf("--fail-on: %w", err))
	}
	if _, err := reporters.ChooseFormat("sarif", true, fl.sarif, "sarif"); err != nil {
		return fail(fmt.Errorf("--sarif %s: %w", fl.sarif, err))
	}
	logf := func(string, ...any) {}
	if fl.verbose {
		logf = func(format string, a ...any) { fmt.Fprintf(stderr, "channelguard: "+format+"\n", a...) }
	}
	ev, err := ghevent.Load(os.Getenv("GITHUB_EVENT_NAME"), os.Getenv("GITHUB_EVENT_PATH"))
	if err != nil {
		return fail(err)
	}
	if ev.DeletesRef() {
		return prRefDeleted(ev, stdout, stderr)
	}
	path := firstNonEmpty(fl.path, os.Getenv("GITHUB_WORKSPACE"), ".")
	repo, err := gitrepo.Open(ctx, path)
	if err != nil {
		return fail(err)
	}
	wf := ghevent.Workflow{SHA: os.Getenv("GITHUB_SHA"), Ref: os.Getenv("GITHUB_REF"), ServerURL: os.Getenv("GITHUB_SERVER_URL"), Repository: os.Getenv("GITHUB_REPOSITORY")}
	span, err := ev.Span(ctx, repo, wf)
	if err != nil {
		return fail(err)
	}
	logf("%s: %s", ev.Name, span.Describe)

	set, err := prRules(ctx, repo, fl.config, span.NotIn, logf)
	if err != nil {
		return fail(err)
	}
	verifyFn, err := fl.verifier(logf)
	if err != nil {
		return fail(err)
	}
	var base baseline.Set
	if fl.baseline != "" {
		if base, err = baseline.Load(fl.baseline); err != nil {
			return fail(err)
		}
	}
	res, err := scanner.Scan(ctx, scanner.Options{
		Path:      repo.Root,
		Range:     span.Range,
		NotIn:     span.NotIn,
		Rules:     set,
		Baseline:  base,
		Logf:      logf,
		Verify:    verifyFn,
		ChannelID: fl.channelID,
	})
	if err != nil {
		if ctx.Err() != nil {
			return fail(errors.New("interrupted; no report written"))
		}
		return fail(err)
	}
	rep := res.Report
	rep.Tool = finding.Tool{Name: "channelguard", Version: version, InformationURI: "https://github.com/channelguard/channelguard"}
	for _, n := range res.Notes {
		// a shallow checkout, say: worth a warning in the job's log
		fmt.Fprintf(stdout, "::warning title=channelguard::%s\n", ghactions.EscapeData(n))
	}
	if res.PreExisting > 0 {
		logf("%d findings were already in the base commit and are not blamed on this change", res.PreExisting)
	}

	// What needs no token: the SARIF file, annotations, summary, outputs.
	if err := reporters.WriteFile(fl.sarif, "sarif", rep, reporters.Options{Category: "channelguard"}); err != nil {
		return fail(err)
	}
	if err := ghactions.Annotations(stdout, rep, maxAnnotations); err != nil {
		return fail(fmt.Errorf("write annotations: %w", err))
	}
	repoURL := ev.RepositoryURL(wf)
	commits := rep.Stats.Commits
	if err := ghactions.AppendFile(os.Getenv("GITHUB_STEP_SUMMARY"), ghactions.Summary(rep, ghactions.SummaryOptions{
		Title: "channelguard", RepoURL: repoURL, HeadSHA: span.Head, Range: span.Describe, Commits: commits,
	})); err != nil {
		return fail(fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err))
	}
	if err := ghactions.AppendOutputs(os.Getenv("GITHUB_OUTPUT"), [][2]string{
		{"findings", strconv.Itoa(len(rep.Findings))},
		{"sarif-file", fl.sarif},
	}); err != nil {
		return fail(fmt.Errorf("GITHUB_OUTPUT: %w", err))
	}

	// What needs the API: each failure is a warning, never the exit code.
	warn := func(what string, err error) {
		fmt.Fprintf(stdout, "::warning title=channelguard::%s\n", ghactions.EscapeData(what+": "+apiHint(err)))
	}
	if ev.IsPR() && (!fl.noComment || !fl.noReview) || fl.uploadSARIF {
		client, gh, err := apiClient(fl.token, ev, logf)
		if err != nil {
			warn("GitHub API not used", err)
		} else {
			publish(ctx, client, gh, repo, ev, span, wf, rep, fl, repoURL, warn, logf)
		}
	}

	noun := "findings"
	if len(rep.Findings) == 1 {
		noun = "finding"
	}
	fmt.Fprintf(stderr, "channelguard: %d %s in %s (%d at or above %s); SARIF written to %s\n",
		len(rep.Findings), noun, span.Describe, rep.AtOrAbove(failOn), failOn, fl.sarif)
	if len(rep.Gaps) > 0 {
		// everything else was scanned and reported; the job still fails
		msg := fmt.Sprintf("%s: %s could not be read (%s), so not all of %s was scanned; the SARIF's notifications name them", repo.Root, wording.Plural(finding.Unreadable(rep.Gaps), "object"), wording.Plural(len(rep.Gaps), "gap"), span.Describe)
		fmt.Fprintf(stdout, "::error title=channelguard::%s\n", ghactions.EscapeData(msg))
		return &exitCode{code: exitError, err: errors.New(msg)}
	}
	if rep.AtOrAbove(failOn) > 0 {
		return &exitCode{code: exitFindings}
	}
	return nil
}

// prRefDeleted ends the run of a push that deleted a branch or a tag (push
// workflows run for those too): it brings no commit, so there is nothing to
// scan and nothing failed. A notice says so in the run's log and summary;
// the outputs say 0 findings and no SARIF file, since there is nothing to
// upload.
func prRefDeleted(ev *ghevent.Event, stdout, stderr io.Writer) error {
	fail := func(err error) error { return &exitCode{code: exitError, err: err} }
	msg := fmt.Sprintf("the push deleted %s: there is no commit to scan", ev.RefName())
	fmt.Fprintf(stdout, "::notice title=channelguard::%s\n", ghactions.EscapeData(msg))
	fmt.Fprintf(stderr, "channelguard: %s\n", msg)
	if err := ghactions.AppendFile(os.Getenv("GITHUB_STEP_SUMMARY"), "**channelguard**: "+markdown.Escape(msg)+".\n"); err != nil {
		return fail(fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err))
	}
	if err := ghactions.AppendOutputs(os.Getenv("GITHUB_OUTPUT"), [][2]string{{"findings", "0"}, {"sarif-file", ""}}); err != nil {
		return fail(fmt.Errorf("GITHUB_OUTPUT: %w", err))
	}
	return nil
}

// publish writes the comment, the review and the SARIF upload.
func publish(ctx context.Context, c *ghapi.Client, gh ghapi.Repo, repo *gitrepo.Repo, ev *ghevent.Event, span ghevent.Span, wf ghevent.Workflow, rep *finding.Report,
	fl prFlags, repoURL string, warn func(string, error), logf func(string, ...any)) {
	call := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 2*time.Minute) }
	if ev.IsPR() && !fl.noComment {
		cctx, cancel := call()
		body := ghactions.Comment(rep, ghactions.CommentOptions{
			RepoURL: repoURL, HeadSHA: span.Head, Range: span.Describe, Commits: rep.Stats.Commits, Resolved: len(rep.Findings) == 0,
		})
		did, err := c.UpsertComment(cctx, gh, ev.PR, ghactions.Marker, body, len(rep.Findings) > 0)
		cancel()
		if err != nil {
			warn("could not write the pull request comment", err)
		} else {
			logf("pull request comment: %s", did)
		}
	}
	if ev.IsPR() && !fl.noReview && len(rep.Findings) > 0 {
		cctx, cancel := call()
		if err := review(cctx, c, gh, repo, ev, rep, logf); err != nil {
			warn("could not write review comments", err)
		}
		cancel()
	}
	if fl.uploadSARIF {
		data, err := os.ReadFile(fl.sarif)
		if err != nil {
			warn("could not upload the SARIF", err)
			return
		}
		ref, sha := ev.UploadTarget(span, wf)
		cctx, cancel := call()
		id, err := c.UploadSARIF(cctx, gh, ref, sha, data)
		cancel()
		if err != nil {
			warn("could not upload the SARIF to code scanning", err)
		} else {
			logf("SARIF uploaded to code scanning (%s, %s): %s", ref, sha, id)
		}
	}
}

// review posts one review with a comment on every added line that holds a
// secret, skipping what an earlier run already said.
func review(ctx context.Context, c *ghapi.Client, gh ghapi.Repo, repo *gitrepo.Repo, ev *ghevent.Event, rep *finding.Report, logf func(string, ...any)) error {
	diff, err := c.PRDiff(ctx, gh, ev.PR)
	if err != nil {
		// The files API is only one way to know the diff; the clone has it
		// too (base...head, as GitHub shows a pull request).
		local, lerr := cloneDiff(ctx, repo, ev.BaseSHA, ev.HeadSHA)
		if lerr != nil {
			return err
		}
		logf("review: the PR files API failed (%v); using the clone's diff", err)
		diff = local
	}
	var comments []ghapi.ReviewComment
	for _, f := range rep.Findings {
		l := f.Location
		if f.Capture != nil || l.StartLine == 0 || !diff.Added[l.Path][l.StartLine] {
			continue
		}
		comments = append(comments, ghapi.ReviewComment{Path: l.Path, Line: l.StartLine, Body: ghactions.ReviewComment(f), Key: f.Fingerprint})
	}
	if len(comments) == 0 {
		logf("review: no finding stands on a line this pull request adds")
		return nil
	}
	body := fmt.Sprintf("channelguard found %d leaked secret(s) on lines this pull request adds. Rotate each one: removing the line does not un-leak it.", len(comments))
	r, err := c.PostReview(ctx, gh, ev.PR, ev.HeadSHA, body, comments, diff)
	if err != nil {
		return err
	}
	logf("review: %d comments posted, %d already there, %d outside the diff", r.Posted, r.Duplicate, r.OutsideDiff)
	return nil
}

// cloneDiff is the pull request's diff from the clone.
func cloneDiff(ctx context.Context, repo *gitrepo.Repo, base, head string) (*ghapi.Diff, error) {
	patches, err := repo.Patches(ctx, base, head)
	if err != nil {
		return nil, err
	}
	d := ghapi.NewDiff()
	for _, p := range patches {
		if err := d.AddPatch(p.Path, p.Patch); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func apiClient(token string, ev *ghevent.Event, logf func(string, ...any)) (*ghapi.Client, ghapi.Repo, error) {
	name := firstNonEmpty(os.Getenv("GITHUB_REPOSITORY"), ev.RepoFullName)
	gh, err := ghapi.ParseRepo(name)
	if err != nil {
		return nil, gh, fmt.Errorf("GITHUB_REPOSITORY: %w", err)
	}
	token = firstNonEmpty(token, os.Getenv("GITHUB_TOKEN"))
	if token == "" {
		return nil, gh, errors.New("no token (set GITHUB_TOKEN or --token); comments and uploads skipped, annotations and summary written")
	}
	c, err := ghapi.New(ghapi.Options{BaseURL: os.Getenv("GITHUB_API_URL"), Token: token, Logf: logf})
	return c, gh, err
}

// apiHint explains the usual causes of an API refusal.
func apiHint(err error) string {
	msg := err.Error()
	switch {
	case ghapi.IsForbidden(err):
		msg += " (a read-only token: a pull request from a fork, or missing permissions pull-requests: write / security-events: write)"
	case ghapi.IsNotFound(err):
		msg += " (not found: check GITHUB_REPOSITORY and the token's access)"
	}
	return msg
}

// prRules loads the rules. Without --config, a pull request's config comes
// from its base commit: the change under review must not be able to turn
// off the rules that review it.
func prRules(ctx context.Context, repo *gitrepo.Repo, config, base string, logf func(string, ...any)) (*rules.Set, error) {
	if config != "" {
		return rules.Load(config)
	}
	if base == "" {
		p := filepath.Join(repo.Root, rules.DefaultConfigName)
		if isFile(p) {
			logf("using config %s", p)
			return rules.Load(p)
		}
		return rules.Load("")
	}
	data, err := repo.Run(ctx, "show", base+":"+rules.DefaultConfigName)
	if err != nil {
		return rules.Load("") // the base has none
	}
	name := ghevent.Short(base) + ":" + rules.DefaultConfigName
	logf("using %s of the base commit", name)
	return rules.LoadData(name, data)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
