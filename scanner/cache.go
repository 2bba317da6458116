package scanner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/reporters"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/scanner/engine"
	"github.com/channelguard/channelguard/scanner/gitrepo"
	"github.com/channelguard/channelguard/scanner/history"
)

// Cache makes a repository's history scan incremental: the state file
// remembers the ref tips the last scan read and what it found (the report
// model: previews and hashes, never a raw value). A rescan whose refs did
// not move reads nothing; one whose refs only moved forward reads the new
// commits alone and adds their findings to the remembered ones. Anything
// that could change an earlier finding (a branch deleted or rewritten, a
// file of a secret still at HEAD changed, a known secret added again)
// gets a full scan, so the result is always what a full scan reports.
// `scan` and `org` share it.
type Cache struct {
	// State is the file that remembers the last scan of this repository.
	State string
	// Key identifies the rules and settings (version, config, --verify):
	// a state written under another key is not reused.
	Key string
	// Off scans in full and writes the state afresh (--no-cache).
	Off bool
}

// CacheUse says what a scan took from its cache.
type CacheUse struct {
	// Incremental: earlier findings were reused and only new commits read
	// (none at all when the refs had not moved).
	Incremental bool
	// Since is when the reused scan ran (RFC 3339).
	Since string
	// Reason is why the cache could not be used, when it could not.
	Reason string
	// Read is what this run read itself; the report's stats cover the
	// whole history, the remembered part included.
	Read finding.Stats
	// Warning is set when this scan could not be remembered.
	Warning string
}

const cacheVersion = 1

// cacheState is the state file's content.
type cacheState struct {
	Version   int               `json:"version"`
	Key       string            `json:"key"`
	Tips      map[string]string `json:"tips"`
	HeadSHA   string            `json:"head_sha,omitempty"`
	ScannedAt string            `json:"scanned_at"`
	// Stats of the history the findings cover (commits and bytes read by
	// every scan that built them).
	Stats    finding.Stats     `json:"stats"`
	Findings []finding.Finding `json:"findings"`
}

func loadCacheState(path, key string) *cacheState {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var s cacheState
	if json.Unmarshal(b, &s) != nil || s.Version != cacheVersion || s.Key != key || s.Tips == nil {
		return nil
	}
	return &s
}

func saveCacheState(path string, s *cacheState) error {
	s.Version = cacheVersion
	if s.Findings == nil {
		s.Findings = []finding.Finding{}
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("cache state %s: %w", path, err)
	}
	if err := reporters.AtomicWrite(path, append(b, '\n')); err != nil {
		return fmt.Errorf("cache state: %w", err)
	}
	return nil
}

// repoNow is what a cached scan compares with the state: the refs, HEAD
// and the working tree's uncommitted files.
type repoNow struct {
	repo    *gitrepo.Repo
	tips    map[string]string
	commits map[string]bool // refs that are commits or tags of commits
	head    string
	dirty   []string
	// promisors are a partial clone's promisor remotes: its scans are
	// neither remembered nor taken from the cache (see cachedRepo).
	promisors []string
	// early is the read of every ref's history, started when the scan is
	// sure to read it all (see lookAt); closed by Scan.
	early *history.Early
}

// lookAt is nil, and no error, when path is not a directory in a git
// repository (a plain directory or a file: nothing to remember). With
// readAll > 0 it also starts reading every ref's history with that many
// git processes, for a scan sure to read it all.
func lookAt(ctx context.Context, path string, readAll int) (*repoNow, error) {
	if info, err := os.Stat(path); err != nil || !info.IsDir() {
		return nil, nil
	}
	repo, err := gitrepo.Open(ctx, path)
	if errors.Is(err, gitrepo.ErrNotRepository) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// three independent questions, asked at once: the working tree's
	// status is the slow one on a large checkout
	n := &repoNow{repo: repo}
	if readAll > 0 {
		n.early = history.StartEarly(ctx, repo, []string{"--all"}, readAll)
	}
	var refErr, treeErr error
	var wg sync.WaitGroup
	wg.Go(func() { n.tips, n.commits, refErr = refTips(ctx, repo) })
	wg.Go(func() { n.head, _ = repo.ResolveCommit(ctx, "HEAD") })
	wg.Go(func() { n.promisors = repo.PartialClone(ctx) })
	if !repo.Bare {
		wg.Go(func() { n.dirty, treeErr = repo.WorktreeChanges(ctx) })
	}
	wg.Wait()
	if err := errors.Join(refErr, treeErr); err != nil {
		return nil, err
	}
	return n, nil
}

// Remembered returns the remembered result of the last scan when nothing
// it read has changed since (no ref moved, no uncommitted file), without
// compiling a rule: ok is false when a scan is needed. The report has no
// Rules (the caller keeps them); opts.Baseline applies.
func Remembered(ctx context.Context, opts Options) (res *Result, ok bool, err error) {
	c := opts.Cache
	if !cacheable(opts) || c.Off {
		return nil, false, nil
	}
	now, err := lookAt(ctx, opts.Path, 0)
	if err != nil || now == nil {
		return nil, false, err
	}
	prev := loadCacheState(c.State, c.Key)
	if prev == nil || len(now.promisors) > 0 || len(now.dirty) > 0 || now.head == "" || now.head != prev.HeadSHA || !maps.Equal(prev.Tips, now.tips) {
		return nil, false, nil
	}
	rep := &finding.Report{Target: opts.Path, Stats: prev.Stats}
	res = &Result{Report: rep, Mode: ModeGit, Cache: &CacheUse{Incremental: true, Since: prev.ScannedAt}}
	for _, f := range cleanFindings(prev.Findings) {
		if opts.Baseline.Has(f.Fingerprint) {
			res.Baselined++
			continue
		}
		rep.Findings = append(rep.Findings, f)
	}
	rep.Sort()
	if opts.Logf != nil {
		opts.Logf("no new commits since %s: %d findings from the cache", prev.ScannedAt, len(prev.Findings))
	}
	return res, true, nil
}

// cachedRepo is scanRepo through the cache. Each scan it runs gets an
// engine of its own (an engine keeps what it found): eng for the first.
func cachedRepo(ctx context.Context, opts Options, set *rules.Set, now *repoNow, eng *engine.Engine) (*repoResult, *CacheUse, error) {
	fresh := func() *engine.Engine {
		if e := eng; e != nil {
			eng = nil
			return e
		}
		return engine.New(ctx, set, opts.engine...)
	}
	c := opts.Cache
	opts.known = now
	repo, tips, commits, head, dirty := now.repo, now.tips, now.commits, now.head, now.dirty
	started := time.Now().UTC().Format(time.RFC3339)
	warning := ""
	full := func(reason string) (*repoResult, *CacheUse, error) {
		r, err := scanRepo(ctx, opts, set, fresh())
		if err != nil {
			return nil, nil, err
		}
		// A working tree's uncommitted files are not history: a state
		// made with them would hand their findings to later scans. A scan
		// with gaps is not complete, and a partial clone's is not to be
		// trusted to stay so: neither is remembered.
		if remembers(now, r) {
			warning = remember(c.State, &cacheState{Key: c.Key, Tips: tips, HeadSHA: head, ScannedAt: started, Stats: historyStats(r.stats), Findings: cleanFindings(r.findings)})
		}
		if reason != "" {
			opts.Logf("scanning the whole history: %s", reason)
		}
		return r, &CacheUse{Reason: reason, Read: r.stats, Warning: warning}, nil
	}
	if c.Off {
		return full("--no-cache")
	}
	if len(now.promisors) > 0 {
		return full("a partial clone is always read in full")
	}
	prev := loadCacheState(c.State, c.Key)
	switch {
	case prev == nil:
		return full("") // the first scan with these rules and settings
	case len(tips) == 0 || head == "" || prev.HeadSHA == "" || !hasCommit(ctx, repo, prev.HeadSHA):
		return full("HEAD of the earlier scan is gone")
	}
	if why := rewritten(ctx, repo, prev.Tips, tips); why != "" {
		return full(why)
	}
	changed := map[string]bool{}
	if prev.HeadSHA != head {
		out, err := repo.Run(ctx, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", prev.HeadSHA, head)
		if err != nil {
			return nil, nil, err
		}
		for _, p := range strings.Split(string(out), "\x00") {
			if p != "" {
				changed[p] = true
			}
		}
	}
	for _, p := range dirty {
		changed[p] = true
	}
	if !mergeable(prev.Findings, changed, nil) {
		return full("a file of an earlier finding changed")
	}
	use := &CacheUse{Incremental: true, Since: prev.ScannedAt}
	if maps.Equal(prev.Tips, tips) && len(dirty) == 0 {
		opts.Logf("no new commits since %s: %d findings from the cache", prev.ScannedAt, len(prev.Findings))
		return &repoResult{mode: ModeGit, target: opts.Path, stats: prev.Stats, findings: cleanFindings(prev.Findings)}, use, nil
	}
	sub := opts
	sub.Exclude = nil
	seen := map[string]bool{}
	for _, ref := range slices.Sorted(maps.Keys(prev.Tips)) {
		// every earlier tip is still in the history of its ref (see
		// rewritten); one that is not a commit bounds nothing
		if sha := prev.Tips[ref]; commits[ref] && !seen[sha] {
			seen[sha] = true
			sub.Exclude = append(sub.Exclude, sha)
		}
	}
	r, err := scanRepo(ctx, sub, set, fresh())
	if err != nil {
		return nil, nil, err
	}
	if !mergeable(prev.Findings, changed, r.findings) {
		return full("a new commit holds a secret found before")
	}
	all := append(cleanFindings(prev.Findings), r.findings...)
	rep := finding.Report{Findings: all}
	rep.Sort()
	r.findings = rep.Findings
	use.Read = r.stats
	r.stats.Commits += prev.Stats.Commits
	r.stats.Bytes += prev.Stats.Bytes
	if remembers(now, r) {
		use.Warning = remember(c.State, &cacheState{Key: c.Key, Tips: tips, HeadSHA: head, ScannedAt: started, Stats: historyStats(r.stats), Findings: cleanFindings(r.findings)})
	}
	opts.Logf("%d new commits scanned since %s; %d findings", use.Read.Commits, prev.ScannedAt, len(r.findings))
	return r, use, nil
}

// remembers says whether a scan's result may be remembered: only a
// complete scan of the history alone (no gap, no uncommitted file, not a
// partial clone, whose missing objects could be fetched at any time).
func remembers(now *repoNow, r *repoResult) bool {
	return len(now.dirty) == 0 && len(now.promisors) == 0 && len(r.gaps) == 0
}

// remember writes the state and returns a warning when it cannot: a cache
// that cannot be written costs the next scan its speed, not this scan its
// result.
func remember(path string, s *cacheState) string {
	if err := saveCacheState(path, s); err != nil {
		return fmt.Sprintf("this scan is not remembered for the next: %v", err)
	}
	return ""
}

// historyStats are the stats of the history alone (a clean working tree
// adds no files).
func historyStats(s finding.Stats) finding.Stats {
	return finding.Stats{Commits: s.Commits, Bytes: s.Bytes}
}

// refTips are the repository's refs (name → object id) and which of them
// are commits or tags of commits (a ref may name a tree or a blob).
func refTips(ctx context.Context, repo *gitrepo.Repo) (tips map[string]string, commits map[string]bool, err error) {
	out, err := repo.Run(ctx, "for-each-ref", "--format=%(objectname) %(objecttype) %(*objecttype) %(refname)")
	if err != nil {
		return nil, nil, err
	}
	tips, commits = map[string]string{}, map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(l, " ", 4)
		if len(f) != 4 {
			continue
		}
		tips[f[3]] = f[0]
		commits[f[3]] = f[1] == "commit" || f[2] == "commit"
	}
	return tips, commits, nil
}

// rewritten names a ref of the earlier scan that is gone or no longer
// holds what it held: the history that scan read is not all still there,
// and a full scan would no longer report what only that history held.
func rewritten(ctx context.Context, repo *gitrepo.Repo, before, now map[string]string) string {
	for _, ref := range slices.Sorted(maps.Keys(before)) {
		old, cur := before[ref], now[ref]
		switch {
		case cur == "":
			return ref + " was deleted"
		case cur == old:
		case !isAncestor(ctx, repo, old, cur):
			return ref + " was rewritten"
		}
	}
	return ""
}

func hasCommit(ctx context.Context, repo *gitrepo.Repo, sha string) bool {
	_, err := repo.Run(ctx, "cat-file", "-e", sha+"^{commit}")
	return err == nil
}

func isAncestor(ctx context.Context, repo *gitrepo.Repo, old, cur string) bool {
	_, err := repo.Run(ctx, "merge-base", "--is-ancestor", old, cur)
	return err == nil
}

// mergeable says whether findings of the new commits can simply be added
// to the previous findings: no previous finding still at HEAD lies in a
// file that changed (its exposure would have to be judged again), and no
// new finding holds a secret found before, in any file (the two would be
// one finding, a moved secret, with one exposure window). Otherwise a full
// scan is needed.
func mergeable(prev []finding.Finding, changed map[string]bool, found []finding.Finding) bool {
	secrets := map[string]bool{}
	for _, f := range prev {
		secrets[f.RuleID+" "+f.SecretSHA256] = true
		if !f.Exposure.StillAtHead {
			continue
		}
		if changed[f.Location.Path] {
			return false
		}
		for _, o := range f.Occurrences {
			if o.Location.Path != "" && changed[o.Location.Path] {
				return false
			}
		}
	}
	for _, f := range found {
		if secrets[f.RuleID+" "+f.SecretSHA256] {
			return false
		}
	}
	return true
}

// cleanFindings drops what belongs to one report, not to the repository.
func cleanFindings(fs []finding.Finding) []finding.Finding {
	out := make([]finding.Finding, len(fs))
	copy(out, fs)
	for i := range out {
		out[i].Repository = ""
		out[i].Change = ""
	}
	return out
}
