// Package scanner runs gitleaks' detector with channelguard's rules over a
// repository's history and working tree, a plain directory or a file, and
// turns what it reports into findings: one per secret per file, with every
// occurrence, the exposure window and the words that fix it.
//
// Scan plans what to read (the history's commits, the working tree's
// files), asks scanner/cache whether a remembered scan answers part of it,
// hands the sources (scanner/history, scanner/worktree) to scanner/engine,
// and aggregates the engine's raw matches (aggregate.go) and the capture
// scanner's findings (scanner/capture) into one report.
package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/fatih/semgroup"
	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/logging"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/pathless"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/rules/policy"
	"github.com/channelguard/channelguard/scanner/baseline"
	"github.com/channelguard/channelguard/scanner/cache"
	"github.com/channelguard/channelguard/scanner/capture"
	"github.com/channelguard/channelguard/scanner/credential"
	"github.com/channelguard/channelguard/scanner/engine"
	"github.com/channelguard/channelguard/scanner/gitleaksignore"
	"github.com/channelguard/channelguard/scanner/gitrepo"
	"github.com/channelguard/channelguard/scanner/history"
	"github.com/channelguard/channelguard/scanner/staged"
	"github.com/channelguard/channelguard/scanner/worktree"
)

// Options says what to scan and how.
type Options struct {
	// Path is a git repository (or a directory in one), a directory or a file.
	Path string
	// NoHistory scans the working tree only.
	NoHistory bool
	// Range limits the history to BASE..HEAD (no working tree).
	Range string
	// Staged scans only what the index adds against HEAD (everything staged
	// in a repository without commits): what the next commit would add, for
	// a pre-commit hook. No history, no working tree.
	Staged bool
	// Stdin, when set, is scanned as one file instead of Path, reported at
	// StdinName (default DefaultStdinName).
	Stdin     io.Reader
	StdinName string
	// Exclude lists commits whose history an earlier scan read: only
	// commits they do not reach are read (an incremental rescan). Recheck
	// then brings that scan's findings up to date.
	Exclude []string
	// Recheck are findings of an earlier scan: each is looked for again in
	// the file it stood in, at HEAD, and returned in Result.Rechecked with
	// StillAtHead and Location brought up to date. No raw secret is needed:
	// the file is scanned and secret hashes compared.
	Recheck []finding.Finding
	// NotIn drops findings whose secret the tree of this commit already
	// holds, in any file: a pull request's base. What was there before the
	// range is not the range's doing.
	NotIn string
	// Rules to run; nil means LoadRules, or the built-in rules.
	Rules *rules.Set
	// LoadRules, when Rules is nil, loads them: Scan calls it while git
	// looks at the repository, so compiling the rules costs no wall time.
	LoadRules func() (*rules.Set, error)
	// Baseline holds fingerprints that are not reported again.
	Baseline baseline.Set
	// GitleaksIgnore are .gitleaksignore fingerprints: the occurrences
	// they name are dropped, and a finding left with none is not reported
	// (see aggregator.dropIgnored). In a plain directory an entry may name
	// a file as `gitleaks dir PATH` does (PATH/file) or relative to PATH.
	GitleaksIgnore *gitleaksignore.Set
	// Logf receives progress lines (never a secret); nil discards them.
	Logf func(format string, args ...any)
	// Notef, when set, receives each of Result.Notes as soon as it is
	// known, before the history is read (a partial clone, say).
	Notef func(note string)
	// Progress, when set, is updated while the scan runs.
	Progress *Progress
	// Cache, when set, makes a full-history scan of a git repository
	// incremental (see package cache). Range, NoHistory and Exclude scans ignore it.
	Cache *cache.Cache
	// engine are the engine's options: tests turn its fast paths off to
	// compare.
	engine []engine.Option
	// known is the repository as the cache just looked at it (opened,
	// uncommitted files listed), so the scan does not ask git again.
	known *cache.Repo
	// Jobs is how many git processes read a long history at once; 0 means
	// history.DefaultStreams (one per two cores), 1 one process in all.
	Jobs int

	// Captures are API captures (HAR files) to scan, each with the role it
	// was recorded as. With captures and no Path, no repository is
	// scanned.
	Captures []capture.Input
	// Policy is the role policy for captures; nil means the built-in one.
	Policy *policy.Policy

	// Verify, when set, is asked whether each distinct LINE credential
	// found is live (--verify). ChannelID is used for channel secrets with
	// no channel id near them.
	Verify    credential.VerifyFunc
	ChannelID string
}

func (o Options) jobs() int {
	if o.Jobs > 0 {
		return o.Jobs
	}
	return history.DefaultStreams()
}

// Progress counts what a running scan has read so far; a caller may read
// it from another goroutine to show progress.
type Progress struct {
	Commits, Files atomic.Int64
	// Entries counts capture entries read.
	Entries atomic.Int64
	// TotalCommits is how many commits the history holds (0 until known).
	TotalCommits atomic.Int64
}

// Mode says what kind of target was scanned.
type Mode string

const (
	ModeGit  Mode = "git"
	ModeDir  Mode = "directory"
	ModeFile Mode = "file"
	// ModeCapture: API captures only, no repository.
	ModeCapture Mode = "capture"
)

// Result is a scan's report plus what the caller may want to tell the user.
type Result struct {
	Report  *finding.Report
	Mode    Mode
	Skipped []worktree.Skipped
	// Baselined counts findings dropped because the baseline had them.
	Baselined int
	// Allowed counts findings dropped by channelguard:allow / gitleaks:allow;
	// AllowedFindings are those findings, for tools that must account for
	// every secret (the differential check against gitleaks).
	Allowed         int
	AllowedFindings []finding.Finding
	// PreExisting counts findings dropped because Options.NotIn holds them.
	PreExisting int
	// Ignored counts findings Options.GitleaksIgnore dropped whole;
	// IgnoredOccurrences the places it dropped (of those and of findings
	// still reported).
	Ignored, IgnoredOccurrences int
	// Rechecked are Options.Recheck brought up to date.
	Rechecked []finding.Finding
	// Unscanned are working-tree files read but not scanned: binary files
	// and archives (gitleaks does not open archives).
	Unscanned []string
	// Cache says what the scan took from Options.Cache; nil without one.
	Cache *cache.Use
	// Notes are things the user should know about what was scanned, such
	// as a shallow clone's missing history (one line each, no secret).
	Notes []string
}

// Markers that suppress a finding when they stand on the secret's line.
var allowMarkers = []string{"channelguard:allow", "gitleaks:allow"}

var quietGitleaks sync.Once

// Scan runs one scan. Errors are one line and name what failed.
func Scan(ctx context.Context, opts Options) (*Result, error) {
	// gitleaks logs raw secrets at debug and trace level; it never speaks.
	quietGitleaks.Do(func() { logging.Logger = zerolog.Nop() })
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	// Nothing new since the last scan: its result, without compiling a
	// rule (the rule list the report names is kept beside the state).
	// The rule list is read while git is asked whether anything changed.
	if c := opts.Cache; c != nil && !c.Off && cacheable(opts) && isFile(c.State) {
		type ruleList struct {
			list []finding.Rule
			ok   bool
		}
		listed := make(chan ruleList, 1)
		go func() {
			list, ok := c.Rules()
			listed <- ruleList{list, ok}
		}()
		res, ok, err := remembered(ctx, opts)
		if l := <-listed; l.ok {
			if err != nil {
				return nil, err
			}
			if ok {
				res.Report.Rules = l.list
				return res, nil
			}
		}
	}
	// The rules compile while git looks at the repository.
	type loaded struct {
		set *rules.Set
		err error
	}
	ruleSet := make(chan loaded, 1)
	go func() {
		set, err := opts.Rules, error(nil)
		switch {
		case set != nil:
		case opts.LoadRules != nil:
			set, err = opts.LoadRules()
		default:
			set, err = rules.Builtin()
		}
		ruleSet <- loaded{set, err}
	}()
	var now *cache.Repo
	var lookErr error
	if cacheable(opts) {
		// Sure to read every commit: start git while the rules compile.
		readAll := 0
		if opts.Cache.Off || !isFile(opts.Cache.State) {
			readAll = opts.jobs()
		}
		now, lookErr = cache.Look(ctx, opts.Path, readAll, rules.DefaultSkippedPaths())
		if now != nil {
			defer now.Early.Close()
		}
	}
	l := <-ruleSet
	if l.err != nil {
		return nil, l.err
	}
	if lookErr != nil {
		return nil, lookErr
	}
	set := l.set
	eng := engine.New(ctx, set, opts.engine...)
	res := &Result{}
	rep := &finding.Report{Rules: set.Rules()}
	var found []finding.Finding
	var candidates []string
	if opts.Path != "" || opts.Stdin != nil || len(opts.Captures) == 0 {
		var repo *repoResult
		var err error
		if now != nil {
			repo, res.Cache, err = cachedRepo(ctx, opts, set, now, eng)
			if err == nil && res.Cache.Warning == "" {
				opts.Cache.SaveRules(rep.Rules)
			}
		} else {
			repo, err = scanRepo(ctx, opts, set, eng)
		}
		if err != nil {
			return nil, err
		}
		res.Mode, res.Skipped, res.Allowed, res.PreExisting = repo.mode, repo.skipped, len(repo.allowed), repo.preExisting
		res.Ignored, res.IgnoredOccurrences = repo.ignored, repo.ignoredOccurrences
		res.AllowedFindings = repo.allowed
		res.Rechecked, res.Unscanned, res.Notes = repo.rechecked, repo.unscanned, repo.notes
		rep.Target, rep.Name, rep.Stats = repo.target, repo.name, repo.stats
		rep.Notes, rep.Gaps = repo.reportNotes, repo.gaps
		found, candidates = repo.findings, repo.candidates
	}
	if len(opts.Captures) > 0 {
		caps, err := scanCaptures(ctx, opts, set, eng, candidates)
		if err != nil {
			return nil, err
		}
		if res.Mode == "" {
			res.Mode = ModeCapture
		}
		rep.Rules = append(rep.Rules, capture.Rules()...)
		var names []string
		for _, c := range opts.Captures {
			names = append(names, c.Path)
		}
		rep.Target = strings.TrimPrefix(rep.Target+", "+strings.Join(names, ", "), ", ")
		rep.Stats.Entries, rep.Stats.Bytes = caps.Entries, rep.Stats.Bytes+int(caps.Bytes)
		rep.Stats.Captures = len(opts.Captures)
		for i := range found {
			if how, ok := caps.Confirmed[found[i].SecretSHA256]; ok && found[i].RuleID == finding.RuleChannelSecret {
				found[i].Confirmed = how
				found[i].Severity = finding.Critical
			}
		}
		found = append(found, caps.Findings...)
		if n := roleSkippedNote(opts); n != "" {
			res.Notes = append(res.Notes, n)
		}
	}
	// A value verified once counts everywhere it was found: a role
	// finding whose value is a live token is about a live token.
	verified := map[string]*finding.Verification{}
	for _, f := range found {
		if v := f.Verification; v != nil && f.SecretSHA256 != "" && (v.Status == finding.VerifiedLive || v.Status == finding.VerifiedRevoked) {
			verified[f.SecretSHA256] = v
		}
	}
	for i := range found {
		f := &found[i]
		v, ok := verified[f.SecretSHA256]
		if !ok || f.Verification != nil {
			continue
		}
		if credential.Verifiable(f.RuleID) {
			credential.Apply(f, *v)
			continue
		}
		// A role finding stays a bug in the API when the value was
		// rotated; it only gets worse when the value is live.
		f.Verification = v
		if v.Status == finding.VerifiedLive {
			f.Severity = finding.Critical
		}
	}
	for _, f := range found {
		if opts.Baseline.Has(f.Fingerprint) {
			res.Baselined++
			continue
		}
		rep.Findings = append(rep.Findings, f)
	}
	rep.Sort()
	res.Report = rep
	return res, nil
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// cacheable: a full-history scan of a repository, which Options.Cache
// can make incremental.
func cacheable(opts Options) bool {
	return opts.Cache != nil && opts.Range == "" && !opts.NoHistory && !opts.Staged && opts.Stdin == nil && len(opts.Exclude) == 0 && len(opts.Captures) == 0 && opts.Path != ""
}

// roleSkippedNote says, once for the whole run, which captures were
// scanned without a role, so that no one takes the lack of role findings
// for a clean result: the role policy needs the role a capture was
// recorded as, which is never guessed.
func roleSkippedNote(opts Options) string {
	var names []string
	for _, c := range opts.Captures {
		if c.Role == "" {
			names = append(names, c.Path)
		}
	}
	if len(names) == 0 {
		return ""
	}
	roles := "admin, member, tester"
	if opts.Policy != nil {
		roles = strings.Join(opts.Policy.RoleNames(), ", ")
	}
	example, was := names[0], "was"
	if len(names) > 1 {
		example, was = "FILE", "were"
	}
	return fmt.Sprintf("%s %s scanned for secrets only; role checks (fields its role must not receive) were skipped, as no role was given: run channelguard scan %s --role ROLE (roles: %s)",
		strings.Join(names, ", "), was, example, roles)
}

// scanCaptures runs the capture scanner with the engine's rules.
func scanCaptures(ctx context.Context, opts Options, set *rules.Set, eng *engine.Engine, candidates []string) (*capture.Result, error) {
	pol := opts.Policy
	if pol == nil {
		var err error
		if pol, err = policy.Builtin(); err != nil {
			return nil, err
		}
	}
	inputs := make([]capture.Input, len(opts.Captures))
	copy(inputs, opts.Captures)
	var entries interface{ Add(int64) int64 }
	if opts.Progress != nil {
		entries = &opts.Progress.Entries
	}
	return capture.Scan(ctx, inputs, capture.Options{
		Rules:      set,
		Policy:     pol,
		Detect:     eng.DetectOnce,
		Candidates: candidates,
		Logf:       opts.Logf,
		Entries:    entries,
		Verify:     opts.Verify,
		ChannelID:  opts.ChannelID,
	})
}

// report has the plan's sources count what they read into p.
func (p *plan) report(ctx context.Context, progress *Progress) {
	if p.hist != nil {
		p.hist.Seen = &progress.Commits
		if p.hist.Jobs > 1 {
			p.hist.Total = &progress.TotalCommits // it lists the commits anyway
		} else {
			go func() {
				if n, err := p.repo.CountCommits(ctx, p.hist.Revs); err == nil {
					progress.TotalCommits.Store(int64(n))
				}
			}()
		}
	}
	if p.work != nil {
		p.work.Seen = &progress.Files
	}
	if p.staged != nil {
		p.staged.Seen = &progress.Files
	}
}

// partialCloneNote is the note a scan of a partial clone's history makes, ""
// for any other scan.
func partialCloneNote(ctx context.Context, opts Options, p *plan, target string) string {
	if p.hist == nil {
		return ""
	}
	var promisors []string
	if opts.known != nil {
		promisors = opts.known.Promisors
	} else {
		promisors = p.repo.PartialClone(ctx)
	}
	if len(promisors) == 0 {
		return ""
	}
	return fmt.Sprintf("%s is a partial clone (promisor remote %s): objects its filter left out are not fetched during the scan, and those the history needs are listed as gaps, not scanned (a clone without --filter is scanned completely)", target, strings.Join(promisors, ", "))
}

// verifications are the LINE credentials of a scan's findings to ask LINE
// about: one question per distinct value, however many files hold it.
type verifications struct {
	creds    []credential.Credential
	findings [][]int // indices of each credential's findings
	index    map[[2]string]int
}

func (v *verifications) add(g *group, finding int, p *plan) {
	if v.index == nil {
		v.index = map[[2]string]int{}
	}
	k := [2]string{g.key.rule, g.key.secret}
	i, ok := v.index[k]
	if !ok {
		i = len(v.creds)
		v.index[k] = i
		v.creds = append(v.creds, credential.Credential{Rule: g.key.rule, Value: g.key.secret})
		v.findings = append(v.findings, nil)
	}
	if v.creds[i].ChannelID == "" {
		v.creds[i].ChannelID = p.channelIDNear(g, "")
	}
	v.findings[i] = append(v.findings[i], finding)
}

// run asks LINE and applies each answer to the findings of its credential.
func (v *verifications) run(ctx context.Context, opts Options, findings []finding.Finding) {
	if len(v.creds) == 0 {
		return
	}
	for i := range v.creds {
		if v.creds[i].ChannelID == "" {
			v.creds[i].ChannelID = opts.ChannelID
		}
	}
	opts.Logf("verifying %d distinct LINE credentials with LINE's API", len(v.creds))
	for i, answer := range opts.Verify(ctx, v.creds) {
		for _, j := range v.findings[i] {
			credential.Apply(&findings[j], answer)
		}
	}
}

// repoResult is what the repository (or directory, or file) part of a scan
// found.
type repoResult struct {
	mode     Mode
	target   string
	name     string
	stats    finding.Stats
	findings []finding.Finding
	skipped  []worktree.Skipped
	allowed  []finding.Finding
	// preExisting counts findings the NotIn commit already held.
	preExisting int
	// ignored and ignoredOccurrences: what .gitleaksignore dropped.
	ignored, ignoredOccurrences int
	rechecked                   []finding.Finding
	unscanned                   []string
	notes                       []string
	// reportNotes are the notes the report carries too; gaps are what git
	// could not read.
	reportNotes []string
	gaps        []finding.Gap
	// candidates are channel-secret values, for captured webhook
	// signatures to confirm. In memory only.
	candidates []string
}

func scanRepo(ctx context.Context, opts Options, set *rules.Set, eng *engine.Engine) (*repoResult, error) {
	logf := opts.Logf
	omit := &history.Omit{Regexes: eng.SkippedPaths(), Skipped: eng.Skipped}
	target, plan, err := planFor(ctx, opts, set, eng.Sema(), omit)
	if err != nil {
		return nil, err
	}
	if opts.Progress != nil {
		plan.report(ctx, opts.Progress)
	}
	var head *headChecker
	var onFound func(report.Finding)
	if plan.repo != nil && plan.headRev != "" {
		if head, err = newHeadChecker(ctx, plan.repo, plan.headRev); err != nil {
			return nil, err
		}
		defer func() {
			_, _ = head.finish()
			_ = head.blobs.Close()
		}()
		onFound = func(f report.Finding) {
			if f.Commit != "" && f.File != "" && f.Secret != "" {
				head.offer(f.File, f.Secret)
			}
		}
	}
	partialNote := partialCloneNote(ctx, opts, plan, target)
	if partialNote != "" && opts.Notef != nil {
		opts.Notef(partialNote)
	}
	logf("scanning %s (%s)", target, plan.describe())
	if err := eng.Scan(ctx, plan.source(), onFound); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, err
	}
	if plan.mode == ModeFile && plan.work != nil {
		// The one file asked for could not be read: an error, not a clean
		// result.
		if sk := plan.work.SkippedFiles(); len(sk) > 0 {
			return nil, fmt.Errorf("%s: %s", target, sk[0].Reason)
		}
	}
	raw := eng.Findings()
	logf("detector done: %d raw matches in %d commits and %d files", len(raw), plan.commits(), plan.files())

	agg := newAggregator(set, plan)
	agg.ignore = opts.GitleaksIgnore
	if plan.mode == ModeDir {
		agg.ignoreAs = func(file string) []string {
			return []string{filepath.ToSlash(filepath.Join(target, file))}
		}
	}
	for _, f := range raw {
		agg.add(f)
	}
	if err := agg.resolveExposure(ctx, head, logf); err != nil {
		return nil, err
	}
	out := &repoResult{
		mode:               plan.mode,
		target:             target,
		name:               plan.name(ctx, target),
		stats:              finding.Stats{Commits: plan.commits(), Files: plan.files(), Bytes: eng.Bytes(), Kind: plan.kind(opts)},
		ignored:            agg.ignored,
		ignoredOccurrences: agg.ignoredOccurrences,
	}
	var before map[string]bool
	if opts.NotIn != "" {
		if plan.repo == nil {
			return nil, errors.New("scanner: NotIn needs a git repository")
		}
		if before, err = secretsAt(ctx, plan.repo, opts.NotIn, agg.sorted()); err != nil {
			return nil, err
		}
	}
	var verify verifications
	for _, g := range agg.sorted() {
		if channelSecretShape.MatchString(g.key.secret) {
			out.candidates = append(out.candidates, g.key.secret)
		}
		if before[g.key.secret] {
			out.preExisting++
			continue
		}
		if g.allowed {
			out.allowed = append(out.allowed, agg.finding(g))
			continue
		}
		out.findings = append(out.findings, agg.finding(g))
		if opts.Verify != nil && credential.Verifiable(g.key.rule) {
			verify.add(g, len(out.findings)-1, plan)
		}
	}
	verify.run(ctx, opts, out.findings)
	if plan.work != nil {
		out.skipped = plan.work.SkippedFiles()
		out.unscanned = plan.work.Unscanned()
	}
	if plan.staged != nil {
		out.unscanned = plan.staged.Unscanned()
	}
	if plan.stdin != nil {
		out.unscanned = plan.stdin.unscanned()
	}
	if partialNote != "" {
		out.notes = append(out.notes, partialNote)
		out.reportNotes = append(out.reportNotes, partialNote)
	}
	if plan.hist != nil {
		out.gaps = plan.hist.Gaps()
		if n := len(out.gaps); n > 0 {
			logf("%d objects could not be read; what they hold was not scanned (%d gaps)", finding.Unreadable(out.gaps), n)
		}
	}
	if plan.repo != nil && plan.hist != nil && plan.repo.Shallow(ctx) {
		out.notes = append(out.notes, fmt.Sprintf("%s is a shallow clone: history before its cut-off is not in it, so older commits were not scanned and first-commit dates stop at the cut-off (fetch the whole history: git fetch --unshallow, or actions/checkout with fetch-depth: 0)", target))
	}
	if len(opts.Recheck) > 0 {
		if out.rechecked, err = recheck(ctx, eng, plan, opts.Recheck); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// channelIDNear is the channel id named near a secret: on the lines that
// hold it, or in the file where it stands now; def when there is none.
func (p *plan) channelIDNear(g *group, def string) string {
	var texts []string
	for _, o := range g.occs {
		texts = append(texts, o.line)
	}
	if id := credential.ChannelIDIn(texts...); id != "" {
		return id
	}
	root := ""
	switch {
	case p.repo != nil:
		root = p.repo.Root
	case p.work != nil:
		root = p.work.Root
	}
	if root != "" && len(g.occs) > 0 {
		path := g.occs[0].loc.Path
		if g.headLoc != nil {
			path = g.headLoc.loc.Path
		}
		full := filepath.Join(root, filepath.FromSlash(path))
		// never through a symlink: it could point anywhere on the machine
		if info, err := os.Lstat(full); err != nil || !info.Mode().IsRegular() || info.Size() > 1<<20 {
			return def
		}
		if data, err := os.ReadFile(full); err == nil {
			if id := credential.ChannelIDIn(string(data)); id != "" {
				return id
			}
		}
	}
	return def
}

// secretsAt is the set of the groups' secrets that the tree of rev holds
// in any file.
func secretsAt(ctx context.Context, repo *gitrepo.Repo, rev string, groups []*group) (map[string]bool, error) {
	var secrets []string
	for _, g := range groups {
		if g.key.secret != "" && !strings.ContainsAny(g.key.secret, "\r\n") {
			secrets = append(secrets, g.key.secret)
		}
	}
	files, err := repo.FilesContaining(ctx, rev, secrets)
	if err != nil || len(files) == 0 {
		return nil, err
	}
	blobs, err := repo.NewBlobReader(ctx)
	if err != nil {
		return nil, err
	}
	defer blobs.Close()
	out := map[string]bool{}
	for _, path := range files {
		data, ok, err := blobs.Read(rev, path)
		if err != nil {
			return nil, err
		}
		for _, s := range secrets {
			if ok && strings.Contains(string(data), s) {
				out[s] = true
			}
		}
	}
	return out, nil
}

// channelSecretShape is what a LINE channel secret looks like.
var channelSecretShape = regexp.MustCompile(`^[0-9a-f]{32}$`)

// plan is what one scan reads.
type plan struct {
	mode    Mode
	repo    *gitrepo.Repo
	hist    *history.Source
	work    *worktree.Source
	headRev string // commit "still at HEAD" is judged against; "" if none
	// changed is the set of working-tree files that differ from headRev;
	// unchanged files hold what headRev holds.
	changed map[string]bool
	ranged  bool
	// staged reads the index against HEAD (Options.Staged); stdin reads
	// one file from a reader (Options.Stdin).
	staged *staged.Source
	stdin  *readerSource
}

// planFor names the target and plans what to read: standard input, or
// the file, directory or repository at Options.Path.
func planFor(ctx context.Context, opts Options, set *rules.Set, sema *semgroup.Group, omit *history.Omit) (string, *plan, error) {
	if opts.Stdin != nil {
		if opts.Range != "" || opts.NoHistory || opts.Staged {
			return "", nil, errors.New("standard input is one file: --range, --no-history and --staged need a git repository")
		}
		name := opts.StdinName
		if name == "" {
			name = DefaultStdinName
		}
		return name, &plan{mode: ModeFile, stdin: &readerSource{name: name, r: opts.Stdin}}, nil
	}
	target := opts.Path
	if target == "" {
		target = "."
	}
	info, err := os.Stat(target)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", target, pathless.Err(err))
	}
	p, err := makePlan(ctx, target, info, opts, set, sema, omit)
	return target, p, err
}

func makePlan(ctx context.Context, target string, info fs.FileInfo, opts Options, set *rules.Set, sema *semgroup.Group, omit *history.Omit) (*plan, error) {
	if info.Mode().IsRegular() {
		if opts.Range != "" {
			return nil, fmt.Errorf("--range needs a git repository; %s is a file", target)
		}
		if opts.Staged {
			return nil, fmt.Errorf("--staged needs a git repository; %s is a file", target)
		}
		root, rel := fileRoot(target)
		return &plan{mode: ModeFile, work: &worktree.Source{Root: root, Paths: []string{rel}, Config: &set.Config, Sema: sema}}, nil
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s: not a regular file or directory", target)
	}
	var repo *gitrepo.Repo
	var err error
	if opts.known != nil {
		repo = opts.known.Git
	} else {
		repo, err = gitrepo.Open(ctx, target)
	}
	if errors.Is(err, gitrepo.ErrNotRepository) {
		if opts.Range != "" {
			return nil, fmt.Errorf("--range needs a git repository; %s is not one", target)
		}
		if opts.Staged {
			return nil, fmt.Errorf("--staged needs a git repository; %s is not one", target)
		}
		return &plan{mode: ModeDir, work: &worktree.Source{Root: target, Walk: true, Config: &set.Config, Sema: sema}}, nil
	}
	if err != nil {
		return nil, err
	}
	p := &plan{mode: ModeGit, repo: repo}
	if opts.Staged {
		switch {
		case opts.Range != "" || opts.NoHistory:
			return nil, errors.New("--staged cannot be used with --range or --no-history")
		case repo.Bare:
			return nil, fmt.Errorf("--staged: %s is a bare repository, it has no staging area", target)
		}
		p.staged = &staged.Source{Repo: repo, Sema: sema}
		return p, nil
	}
	hasCommits := repo.HasCommits(ctx)
	switch {
	case opts.Range != "":
		if opts.NoHistory {
			return nil, errors.New("--range and --no-history cannot be used together")
		}
		rg, err := repo.ParseRange(ctx, opts.Range)
		if err != nil {
			return nil, err
		}
		p.ranged = true
		p.headRev = rg.Head
		p.hist = &history.Source{Repo: repo, Revs: []string{rg.Base + ".." + rg.Head}, Sema: sema, Jobs: opts.jobs(), Omit: omit}
		return p, nil
	case opts.NoHistory:
		if repo.Bare {
			return nil, fmt.Errorf("--no-history: %s is a bare repository, it has no working tree", target)
		}
		files, err := repo.TrackedAndUntracked(ctx)
		if err != nil {
			return nil, err
		}
		p.work = &worktree.Source{Root: repo.Root, Paths: files, Config: &set.Config, Sema: sema}
		return p, nil
	}
	if hasCommits {
		p.headRev = "HEAD"
		// Every ref, as gitleaks does: a secret on any branch, tag or stash
		// has leaked to whoever can fetch it.
		revs := []string{"--all"}
		if len(opts.Exclude) > 0 {
			// An incremental rescan: what these commits reach was read
			// before. Each must exist, or the scan would silently cover
			// less (or, unresolved, everything).
			shas, err := repo.ResolveCommits(ctx, opts.Exclude)
			if err != nil {
				return nil, fmt.Errorf("exclude: %w", err)
			}
			revs = append(append(revs, "--not"), shas...)
		}
		p.hist = &history.Source{Repo: repo, Revs: revs, Sema: sema, Jobs: opts.jobs(), Omit: omit}
		if opts.known != nil && len(opts.Exclude) == 0 {
			p.hist.Early = opts.known.Early // of "--all", started early
		}
	}
	if !repo.Bare {
		var files []string
		if opts.known != nil {
			files = opts.known.Dirty
		} else if files, err = repo.WorktreeChanges(ctx); err != nil {
			return nil, err
		}
		p.changed = map[string]bool{}
		for _, f := range files {
			p.changed[f] = true
		}
		p.work = &worktree.Source{Root: repo.Root, Paths: files, Config: &set.Config, Sema: sema}
	}
	return p, nil
}

// fileRoot splits a file path into the directory reports are relative to
// (the current directory when the file is under it) and the rest.
func fileRoot(target string) (root, rel string) {
	abs, err := filepath.Abs(target)
	if err != nil {
		return filepath.Dir(target), filepath.Base(target)
	}
	if cwd, err := os.Getwd(); err == nil {
		if r, err := filepath.Rel(cwd, abs); err == nil && !strings.HasPrefix(r, "..") {
			return cwd, filepath.ToSlash(r)
		}
	}
	return filepath.Dir(abs), filepath.Base(abs)
}

func (p *plan) describe() string {
	switch {
	case p.mode != ModeGit:
		return string(p.mode)
	case p.ranged:
		return "git history, commit range"
	case p.staged != nil:
		return "staged changes"
	case p.hist != nil && p.work != nil:
		return "git history of every ref and uncommitted files"
	case p.hist != nil:
		return "git history of every ref"
	default:
		return "git working tree"
	}
}

func (p *plan) source() sources.Source {
	var parts []sources.Source
	if p.hist != nil {
		parts = append(parts, p.hist)
	}
	if p.work != nil {
		parts = append(parts, p.work)
	}
	if p.staged != nil {
		parts = append(parts, p.staged)
	}
	if p.stdin != nil {
		parts = append(parts, p.stdin)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return both(parts)
}

func (p *plan) commits() int {
	if p.hist == nil {
		return 0
	}
	return p.hist.Commits()
}

func (p *plan) files() int {
	switch {
	case p.work != nil:
		return p.work.Files()
	case p.staged != nil:
		return p.staged.Files()
	case p.stdin != nil:
		return 1
	}
	return 0
}

// both runs several sources at once: history and working tree share the
// detector but not the disk reads, and the second core.
type both []sources.Source

func (b both) Fragments(ctx context.Context, yield sources.FragmentsFunc) error {
	errs := make([]error, len(b))
	var wg sync.WaitGroup
	for i, s := range b {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Fragments(ctx, yield)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
