package scanner

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/scanner/engine"
	"github.com/channelguard/channelguard/scanner/gitleaksignore"
	"github.com/channelguard/channelguard/scanner/gitrepo"
	"github.com/channelguard/channelguard/scanner/history"
)

// groupKey is one secret in one file for one rule. The raw secret is part
// of the key only in memory; it never leaves this package.
type groupKey struct {
	rule, path, secret string
}

type occurrence struct {
	located
	commit *finding.Commit
	order  int // position in git log, 0 = newest; -1 for the working tree
	// rule and matchLine are gitleaks' own: its fingerprint of the
	// occurrence is made of them (see gitleaksignore).
	rule      string
	matchLine int
	// ignored: a .gitleaksignore entry names this occurrence.
	ignored bool
}

type group struct {
	key     groupKey
	occs    []occurrence
	also    map[string]bool
	allowed bool

	atHead    bool
	headLoc   *located // where the secret stands at headRev
	removedIn *finding.Commit
}

type aggregator struct {
	set    *rules.Set
	plan   *plan
	groups map[groupKey]*group
	// ignore are .gitleaksignore fingerprints; ignoreAs other names of a
	// file they may use (see Options.GitleaksIgnore).
	ignore   *gitleaksignore.Set
	ignoreAs func(file string) []string
	// ignored counts the findings and occurrences ignore dropped.
	ignored, ignoredOccurrences int
}

func newAggregator(set *rules.Set, p *plan) *aggregator {
	return &aggregator{set: set, plan: p, groups: map[groupKey]*group{}}
}

func (a *aggregator) add(f report.Finding) {
	// a finding by path alone names no value: its group's secret is "",
	// and it stands at the file's first line (see locate)
	if f.File == "" || f.Secret == "" && !engine.ByPathAlone(f) {
		return
	}
	l := locate(f)
	o := occurrence{located: l, order: -1, rule: f.RuleID, matchLine: f.StartLine}
	if a.ignore.Len() > 0 {
		var other []string
		if a.ignoreAs != nil {
			other = a.ignoreAs(f.File)
		}
		o.ignored = a.ignore.Ignores(f.Commit, f.File, f.RuleID, f.StartLine, other...)
	}
	if f.Commit != "" {
		o.commit = &finding.Commit{SHA: f.Commit, Author: f.Author, Email: f.Email, Date: f.Date}
		if a.plan.hist != nil {
			if i, ok := a.plan.hist.Order(f.Commit); ok {
				o.order = i
			}
		}
	}
	k := groupKey{rule: f.RuleID, path: f.File, secret: f.Secret}
	g := a.groups[k]
	if g == nil {
		g = &group{key: k, also: map[string]bool{}}
		a.groups[k] = g
	}
	g.occs = append(g.occs, o)
	for _, m := range allowMarkers {
		if strings.Contains(l.line, m) {
			g.allowed = true
		}
	}
}

// mergeOverlaps makes one alert of one secret in one file: when several
// rules found the same value, the most specific keeps it and notes the
// others, the way gitleaks lets a specific rule win over generic-api-key.
// Only equal values merge, so every value any rule found keeps its own
// secret_sha256 in the report. Rules of equal rank (two vendors' rules on
// one value) stay separate.
func (a *aggregator) mergeOverlaps() {
	byPath := map[string][]*group{}
	for _, g := range a.sorted() {
		byPath[g.key.path] = append(byPath[g.key.path], g)
	}
	into := map[*group]*group{}
	for _, gs := range byPath {
		for _, g := range gs {
			var best *group
			for _, h := range gs {
				if rules.Specificity(h.key.rule) > rules.Specificity(g.key.rule) && h.key.secret == g.key.secret &&
					(best == nil || rules.Specificity(h.key.rule) > rules.Specificity(best.key.rule)) {
					best = h
				}
			}
			if best != nil {
				into[g] = best
			}
		}
	}
	for g, target := range into {
		for into[target] != nil {
			target = into[target]
		}
		target.also[g.key.rule] = true
		target.occs = append(target.occs, g.occs...)
		target.allowed = target.allowed || g.allowed
		delete(a.groups, g.key)
	}
}

// dropIgnored removes the occurrences .gitleaksignore names, as gitleaks
// drops the findings it names: a place (commit and position, or the
// working tree's) an entry names goes, under every rule that found the
// secret there (when a LINE rule and generic-api-key found one value, the
// entry may name either). A finding with no place left is not reported;
// its exposure is what its other places say.
func (a *aggregator) dropIgnored() {
	if a.ignore.Len() == 0 {
		return
	}
	type place struct {
		commit    string
		line, col int
	}
	where := func(o occurrence) place {
		p := place{line: o.loc.StartLine, col: o.loc.StartColumn}
		if o.commit != nil {
			p.commit = o.commit.SHA
		}
		return p
	}
	for k, g := range a.groups {
		gone := map[place]bool{}
		for _, o := range g.occs {
			if o.ignored {
				gone[where(o)] = true
			}
		}
		if len(gone) == 0 {
			continue
		}
		a.ignoredOccurrences += len(gone)
		kept := g.occs[:0]
		for _, o := range g.occs {
			if !gone[where(o)] {
				kept = append(kept, o)
			}
		}
		g.occs = kept
		if len(kept) == 0 {
			delete(a.groups, k)
			a.ignored++
		}
	}
}

// resolveExposure decides, for every secret seen in history, whether the
// scanned tip still holds it (and where), and which commit removed it.
func (a *aggregator) resolveExposure(ctx context.Context, head *headChecker, logf func(string, ...any)) error {
	a.mergeOverlaps()
	a.dropIgnored()
	for _, g := range a.groups {
		g.sortOccurrences()
	}
	p := a.plan
	if head == nil {
		return nil
	}
	var historic []*group
	for _, g := range a.sorted() {
		if g.hasHistory() {
			historic = append(historic, g)
		}
	}
	if len(historic) == 0 {
		return nil
	}
	answers, err := head.finish()
	if err != nil {
		return err
	}
	for _, g := range historic {
		if g.key.secret == "" {
			// a whole-file finding is at HEAD while its file is
			_, found, err := head.blobs.Read(p.headRev, g.key.path)
			if err != nil {
				return err
			}
			if found {
				g.atHead, g.headLoc = true, &located{loc: fileStart(g.key.path)}
			}
			continue
		}
		l, ok := answers[headKey{g.key.path, g.key.secret}]
		if !ok {
			// Never offered (a finding the engine did not pass on): ask now.
			data, found, err := head.blobs.Read(p.headRev, g.key.path)
			if err != nil {
				return err
			}
			if found {
				if loc, in := locateIn(g.key.path, string(data), g.key.secret); in {
					l = &loc
				}
			}
		}
		if l != nil {
			g.atHead, g.headLoc = true, l
		}
	}
	// Secrets gone from their file: find the commit that deleted them, and
	// at the same time whether they moved with the file (git mv, a copy) and
	// are still at the tip elsewhere. The two are independent git runs;
	// they write different fields of the groups.
	pending := map[string][]*group{}
	var paths []string
	left := 0
	for _, g := range historic {
		if g.atHead || g.key.secret == "" {
			continue
		}
		if _, ok := pending[g.key.path]; !ok {
			paths = append(paths, g.key.path)
		}
		pending[g.key.path] = append(pending[g.key.path], g)
		left++
	}
	if len(paths) == 0 {
		logf("checked %d secrets against %s: all still there", len(historic), p.headRev)
		return nil
	}
	sort.Strings(paths)
	movedErr := make(chan error, 1)
	go func() { movedErr <- a.findMoved(ctx, head.blobs, historic) }()
	err = p.hist.Deletions(ctx, paths, func(d history.Deletion) bool {
		for _, g := range pending[d.Path] {
			if g.removedIn != nil || !strings.Contains(d.Lines, g.key.secret) {
				continue
			}
			g.removedIn = &finding.Commit{SHA: d.Commit.SHA, Author: d.Commit.AuthorName, Email: d.Commit.AuthorEmail, Date: d.Commit.Date}
			left--
		}
		return left > 0
	})
	if mErr := <-movedErr; err == nil {
		err = mErr
	}
	if err != nil {
		return err
	}
	gone := 0
	for _, g := range historic {
		if g.atHead {
			g.removedIn = nil // it moved: still there
		} else {
			gone++
		}
	}
	logf("checked %d secrets against %s: %d no longer there", len(historic), p.headRev, gone)
	return nil
}

// findMoved looks for the secrets of groups no longer at the tip in their
// own file in every other file of the tip.
func (a *aggregator) findMoved(ctx context.Context, blobs *gitrepo.BlobReader, groups []*group) error {
	var lost []*group
	var secrets []string
	for _, g := range groups {
		if !g.atHead && g.key.secret != "" && !strings.ContainsAny(g.key.secret, "\r\n") {
			lost = append(lost, g)
			secrets = append(secrets, g.key.secret)
		}
	}
	files, err := a.plan.repo.FilesContaining(ctx, a.plan.headRev, secrets)
	if err != nil || len(files) == 0 {
		return err
	}
	sort.Strings(files)
	moved := map[groupKey]*group{} // where lost groups settled
	for _, path := range files {
		data, ok, err := blobs.Read(a.plan.headRev, path)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		content := string(data)
		for _, g := range lost {
			if g.atHead {
				continue
			}
			l, ok := locateIn(path, content, g.key.secret)
			if !ok {
				continue
			}
			// When history also added it to that file, or another lost copy
			// already settled there, that is one secret in one file: one
			// alert, not two on one line.
			k := groupKey{rule: g.key.rule, path: path, secret: g.key.secret}
			there := a.groups[k]
			if there == nil {
				there = moved[k]
			}
			if there != nil && there != g && there.allowed != g.allowed {
				// An allow marker speaks for the secret in its own file:
				// merging would let it silence (or lose) the other file's
				// history. The lost copy stays where history had it.
				continue
			}
			if there != nil && there != g {
				there.occs = append(there.occs, g.occs...)
				there.allowed = there.allowed || g.allowed
				for r := range g.also {
					there.also[r] = true
				}
				there.sortOccurrences()
				delete(a.groups, g.key)
				g.atHead = true // settled: not looked for again, not pending removal
				continue
			}
			g.atHead, g.headLoc = true, &l
			moved[k] = g
		}
	}
	return nil
}

// sortOccurrences puts the working tree first, then commits newest first,
// and drops repeats.
func (g *group) sortOccurrences() {
	sort.SliceStable(g.occs, func(i, j int) bool {
		if g.occs[i].order != g.occs[j].order {
			return g.occs[i].order < g.occs[j].order
		}
		if g.occs[i].loc.Path != g.occs[j].loc.Path {
			return g.occs[i].loc.Path < g.occs[j].loc.Path
		}
		return g.occs[i].loc.StartLine < g.occs[j].loc.StartLine
	})
	g.occs = dedupe(g.occs)
}

func dedupe(occs []occurrence) []occurrence {
	out := occs[:0]
	seen := map[string]int{}
	for _, o := range occs {
		k := fmt.Sprintf("%d:%s:%d:%d", o.order, o.loc.Path, o.loc.StartLine, o.loc.StartColumn)
		if o.commit != nil {
			k = o.commit.SHA + k
		}
		if i, ok := seen[k]; ok {
			// One place found by several rules: it shows the fingerprint
			// gitleaks itself reports for it (a LINE rule's is
			// channelguard's alone), so that a .gitleaksignore line made
			// from it works in both tools.
			if rules.Specificity(out[i].rule) == 2 && rules.Specificity(o.rule) < 2 {
				out[i].rule, out[i].matchLine = o.rule, o.matchLine
			}
			continue
		}
		seen[k] = len(out)
		out = append(out, o)
	}
	return out
}

func (g *group) hasHistory() bool {
	for _, o := range g.occs {
		if o.commit != nil {
			return true
		}
	}
	return false
}

// newestCommit is the newest history occurrence, oldestCommit the first
// commit that added the secret (occurrences are sorted newest first).
func (g *group) newestCommit() *occurrence {
	for i := range g.occs {
		if g.occs[i].commit != nil {
			return &g.occs[i]
		}
	}
	return nil
}

func (g *group) oldestCommit() *occurrence {
	for i := len(g.occs) - 1; i >= 0; i-- {
		if g.occs[i].commit != nil {
			return &g.occs[i]
		}
	}
	return nil
}

func (g *group) worktree() *occurrence {
	for i := range g.occs {
		if g.occs[i].commit == nil {
			return &g.occs[i]
		}
	}
	return nil
}

// sorted returns the groups in a stable order.
func (a *aggregator) sorted() []*group {
	out := make([]*group, 0, len(a.groups))
	for _, g := range a.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		ki, kj := out[i].key, out[j].key
		if ki.path != kj.path {
			return ki.path < kj.path
		}
		if ki.rule != kj.rule {
			return ki.rule < kj.rule
		}
		return ki.secret < kj.secret // only orders groups in memory
	})
	return out
}

// finding turns a group into the public model, dropping the raw secret.
func (a *aggregator) finding(g *group) finding.Finding {
	meta, ok := a.set.Rule(g.key.rule)
	if !ok {
		meta = finding.Rule{ID: g.key.rule, Title: g.key.rule, Severity: finding.High}
	}
	f := finding.ForSecret(meta, g.key.path, g.key.secret, g.also)
	if g.key.secret == "" {
		f = finding.ForFile(meta, g.key.path)
	}

	wt := g.worktree()
	newest := g.newestCommit()
	p := a.plan
	switch {
	case wt != nil:
		f.Location = wt.loc
	case g.atHead:
		f.Location = g.headLoc.loc
		f.Commit = newest.commit
	case newest != nil:
		f.Location = newest.loc
		f.Commit = newest.commit
	}
	if first := g.oldestCommit(); first != nil {
		f.Exposure.FirstCommit = first.commit
	}
	f.Exposure.StillAtHead = g.atHead
	// A staged scan read the index, not the working tree; standard input
	// is in no tree at all.
	f.Exposure.Staged = wt != nil && p.staged != nil
	f.Exposure.InWorkingTree = (wt != nil && p.staged == nil && p.stdin == nil) || (p.work != nil && g.atHead && !p.changed[g.headLoc.loc.Path])
	f.Exposure.RemovedIn = g.removedIn
	for _, o := range g.occs {
		occ := finding.Occurrence{Location: o.loc, Commit: o.commit}
		if o.rule != "" {
			sha := ""
			if o.commit != nil {
				sha = o.commit.SHA
			}
			occ.GitleaksFingerprint = gitleaksignore.Fingerprint(sha, o.loc.Path, o.rule, o.matchLine)
		}
		f.Occurrences = append(f.Occurrences, occ)
	}
	f.Action = meta.Todo()
	f.Message = message(meta, f, p)
	return f
}

// message is the finding's first sentence: what leaked, where, since when,
// and what to do.
func message(meta finding.Rule, f finding.Finding, p *plan) string {
	var when string
	e := f.Exposure
	switch {
	case e.Staged:
		when = " (staged)"
	case e.FirstCommit == nil && p.mode == ModeGit:
		when = " (uncommitted)"
	case e.FirstCommit == nil:
	case e.StillAtHead:
		when = fmt.Sprintf(" (committed in %s on %s, still at HEAD)", e.FirstCommit.Short(), e.FirstCommit.Day())
	case e.RemovedIn != nil:
		when = fmt.Sprintf(" (committed in %s on %s, removed in %s on %s but still in git history)", e.FirstCommit.Short(), e.FirstCommit.Day(), e.RemovedIn.Short(), e.RemovedIn.Day())
	default:
		when = fmt.Sprintf(" (committed in %s on %s, no longer at HEAD but still in git history)", e.FirstCommit.Short(), e.FirstCommit.Day())
	}
	return fmt.Sprintf("%s in %s%s: %s", meta.Title, f.Location, when, f.Action)
}
