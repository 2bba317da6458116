package cache

import (
	"context"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/scanner/gitrepo"
	"github.com/channelguard/channelguard/scanner/history"
)

// Repo is what a rescan compares with the state: the refs, HEAD and the
// working tree's uncommitted files.
type Repo struct {
	Git *gitrepo.Repo
	// Tips are the refs (name → object id); Commits says which of them
	// are commits or tags of commits (a ref may name a tree or a blob).
	Tips    map[string]string
	Commits map[string]bool
	Head    string
	Dirty   []string
	// Promisors are a partial clone's promisor remotes: its scans are
	// neither remembered nor taken from the cache.
	Promisors []string
	// Early is the read of every ref's history, started when the scan is
	// sure to read it all (see Look); the scan closes it.
	Early *history.Early
	// Name is what the report is titled by (gitrepo.Repo.Name), asked
	// with the other questions: a rescan that finds nothing new is mostly
	// these git calls, so none waits for another.
	Name string
}

// Look is nil, and no error, when path is not a directory in a git
// repository (a plain directory or a file: nothing to remember). With
// readAll > 0 it also starts reading every ref's history with that many
// git processes, for a scan sure to read it all, with git told to omit
// the paths of omit's regexes (see history.Omit).
func Look(ctx context.Context, path string, readAll int, omit []string) (*Repo, error) {
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
	// independent questions, asked at once: the working tree's
	// status is the slow one on a large checkout
	n := &Repo{Git: repo}
	if readAll > 0 {
		n.Early = history.StartEarly(ctx, repo, []string{"--all"}, readAll, omit)
	}
	var refErr, treeErr error
	var wg sync.WaitGroup
	wg.Go(func() { n.Tips, n.Commits, refErr = refTips(ctx, repo) })
	wg.Go(func() { n.Head, _ = repo.ResolveCommit(ctx, "HEAD") })
	wg.Go(func() { n.Promisors = repo.PartialClone(ctx) })
	wg.Go(func() { n.Name = repo.Name(ctx) })
	if readAll > 0 {
		wg.Go(func() { repo.Shallow(ctx) }) // for the full scan's report, asked now
	}
	if !repo.Bare {
		wg.Go(func() { n.Dirty, treeErr = repo.WorktreeChanges(ctx) })
	}
	wg.Wait()
	if err := errors.Join(refErr, treeErr); err != nil {
		return nil, err
	}
	return n, nil
}

// Remembers says whether a scan of now may be remembered: only a complete
// scan of the history alone (no gap, no uncommitted file, not a partial
// clone, whose missing objects could be fetched at any time).
func (now *Repo) Remembers(gaps int) bool {
	return len(now.Dirty) == 0 && len(now.Promisors) == 0 && gaps == 0
}

// Unchanged is the remembered state when nothing the last scan read has
// changed since (no ref moved, HEAD the same, no uncommitted file): its
// findings are this scan's.
func (c *Cache) Unchanged(now *Repo) (*State, bool) {
	if c.Off || len(now.Promisors) > 0 || len(now.Dirty) > 0 || now.Head == "" {
		return nil, false
	}
	prev := c.Load()
	if prev == nil || now.Head != prev.HeadSHA || !maps.Equal(prev.Tips, now.Tips) {
		return nil, false
	}
	return prev, true
}

// Plan is what a rescan must read.
type Plan struct {
	// Full: read the whole history, for Reason ("" on a first scan).
	Full   bool
	Reason string
	// Prev is the remembered state (nil when Full).
	Prev *State
	// Unchanged: no ref moved and no file is uncommitted; Prev's findings
	// are the result and nothing is read.
	Unchanged bool
	// Exclude are the commits the earlier scan read: only what they do
	// not reach is read, and its findings added (see Merge).
	Exclude []string
	changed map[string]bool // files changed since Prev's HEAD, or uncommitted
}

// Plan decides what a scan of now must read.
func (c *Cache) Plan(ctx context.Context, now *Repo) (Plan, error) {
	full := func(reason string) (Plan, error) { return Plan{Full: true, Reason: reason}, nil }
	if c.Off {
		return full("--no-cache")
	}
	if len(now.Promisors) > 0 {
		return full("a partial clone is always read in full")
	}
	prev := c.Load()
	switch {
	case prev == nil:
		return full("") // the first scan with these rules and settings
	case len(now.Tips) == 0 || now.Head == "" || prev.HeadSHA == "" || !hasCommit(ctx, now.Git, prev.HeadSHA):
		return full("HEAD of the earlier scan is gone")
	}
	if why := rewritten(ctx, now.Git, prev.Tips, now.Tips); why != "" {
		return full(why)
	}
	changed := map[string]bool{}
	if prev.HeadSHA != now.Head {
		out, err := now.Git.Run(ctx, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", prev.HeadSHA, now.Head)
		if err != nil {
			return Plan{}, err
		}
		for _, p := range strings.Split(string(out), "\x00") {
			if p != "" {
				changed[p] = true
			}
		}
	}
	for _, p := range now.Dirty {
		changed[p] = true
	}
	if !mergeable(prev.Findings, changed, nil) {
		return full("a file of an earlier finding changed")
	}
	p := Plan{Prev: prev, changed: changed}
	if maps.Equal(prev.Tips, now.Tips) && len(now.Dirty) == 0 {
		p.Unchanged = true
		return p, nil
	}
	seen := map[string]bool{}
	for _, ref := range slices.Sorted(maps.Keys(prev.Tips)) {
		// every earlier tip is still in the history of its ref (see
		// rewritten); one that is not a commit bounds nothing
		if sha := prev.Tips[ref]; now.Commits[ref] && !seen[sha] {
			seen[sha] = true
			p.Exclude = append(p.Exclude, sha)
		}
	}
	return p, nil
}

// Merge adds the findings of the new commits to the remembered ones; ok is
// false when they cannot simply be added (a new commit holds a secret
// found before: the two are one finding, with one exposure window) and
// the whole history must be read.
func (p Plan) Merge(found []finding.Finding) (all []finding.Finding, ok bool) {
	if !mergeable(p.Prev.Findings, p.changed, found) {
		return nil, false
	}
	rep := finding.Report{Findings: append(CleanFindings(p.Prev.Findings), found...)}
	rep.Sort()
	return rep.Findings, true
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
