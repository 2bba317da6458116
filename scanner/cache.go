package scanner

import (
	"context"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/scanner/cache"
	"github.com/channelguard/channelguard/scanner/engine"
)

// remembered returns the remembered result of the last scan when nothing
// it read has changed since (no ref moved, no uncommitted file), without
// compiling a rule: ok is false when a scan is needed. The report has no
// Rules (the caller keeps them); opts.Baseline applies.
func remembered(ctx context.Context, opts Options) (res *Result, ok bool, err error) {
	c := opts.Cache
	if !cacheable(opts) || c.Off {
		return nil, false, nil
	}
	now, err := cache.Look(ctx, opts.Path, 0, nil)
	if err != nil || now == nil {
		return nil, false, err
	}
	prev, ok := c.Unchanged(now)
	if !ok {
		return nil, false, nil
	}
	rep := &finding.Report{Target: opts.Path, Stats: prev.Stats}
	rep.Stats.Kind, rep.Name = cachedKind(now), now.Name
	res = &Result{Report: rep, Mode: ModeGit, Cache: &cache.Use{Incremental: true, Since: prev.ScannedAt}}
	for _, f := range cache.CleanFindings(prev.Findings) {
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
func cachedRepo(ctx context.Context, opts Options, set *rules.Set, now *cache.Repo, eng *engine.Engine) (*repoResult, *cache.Use, error) {
	fresh := func() *engine.Engine {
		if e := eng; e != nil {
			eng = nil
			return e
		}
		return engine.New(ctx, set, opts.engine...)
	}
	c := opts.Cache
	opts.known = now
	started := time.Now().UTC().Format(time.RFC3339)
	remember := func(r *repoResult) string {
		// A working tree's uncommitted files are not history: a state
		// made with them would hand their findings to later scans. A scan
		// with gaps is not complete, and a partial clone's is not to be
		// trusted to stay so: neither is remembered.
		if !now.Remembers(len(r.gaps)) {
			return ""
		}
		return c.Save(&cache.State{Tips: now.Tips, HeadSHA: now.Head, ScannedAt: started, Stats: r.stats, Findings: r.findings})
	}
	full := func(reason string) (*repoResult, *cache.Use, error) {
		r, err := scanRepo(ctx, opts, set, fresh())
		if err != nil {
			return nil, nil, err
		}
		warning := remember(r)
		if reason != "" {
			opts.Logf("scanning the whole history: %s", reason)
		}
		return r, &cache.Use{Reason: reason, Read: r.stats, Warning: warning}, nil
	}
	plan, err := c.Plan(ctx, now)
	switch {
	case err != nil:
		return nil, nil, err
	case plan.Full:
		return full(plan.Reason)
	}
	prev := plan.Prev
	use := &cache.Use{Incremental: true, Since: prev.ScannedAt}
	if plan.Unchanged {
		opts.Logf("no new commits since %s: %d findings from the cache", prev.ScannedAt, len(prev.Findings))
		r := &repoResult{mode: ModeGit, target: opts.Path, stats: prev.Stats, findings: cache.CleanFindings(prev.Findings)}
		r.stats.Kind, r.name = cachedKind(now), now.Name
		return r, use, nil
	}
	sub := opts
	sub.Exclude = plan.Exclude
	r, err := scanRepo(ctx, sub, set, fresh())
	if err != nil {
		return nil, nil, err
	}
	all, ok := plan.Merge(r.findings)
	if !ok {
		return full("a new commit holds a secret found before")
	}
	r.findings = all
	use.Read = r.stats
	r.stats.Commits += prev.Stats.Commits
	r.stats.Bytes += prev.Stats.Bytes
	use.Warning = remember(r)
	opts.Logf("%d new commits scanned since %s; %d findings", use.Read.Commits, prev.ScannedAt, len(r.findings))
	return r, use, nil
}
