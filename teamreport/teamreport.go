// Package teamreport builds, joins and compares channelguard team reports:
// one `channelguard org` run's report (Build), the shards of one
// `channelguard org --shard I/N` run (Merge) and this week's report against
// last week's (Diff). Everything here is a pure function of
// reports; it never scans and never sees a raw secret (the model has none).
//
// A finding is identified by its repository and its fingerprint: the
// fingerprint (rule, file, secret hash) alone does not name the repository,
// and the same secret in the same file of two repositories (a fork, a copied
// template) is two findings to fix.
package teamreport

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/channelguard/channelguard/finding"
)

// Change values set by Diff.
const (
	ChangeNew   = "new"
	ChangeOpen  = "open"
	ChangeFixed = "fixed"
)

// Key identifies a finding across reports: repository and fingerprint.
func Key(f *finding.Finding) string { return f.Repository + "\x00" + f.Fingerprint }

// Sort puts a team report in its one canonical order, the order
// `channelguard org` writes, so that the same findings always give the same
// bytes however they were gathered (one run, shards merged in any order):
// findings by repository, and within a repository as Report.Sort orders them
// (most severe first, then path, line, column, fingerprint); the fixed
// findings of Changes likewise; repositories by name.
func Sort(r *finding.Report) {
	sortFindings(r.Findings)
	finding.SortGaps(r.Gaps)
	if r.Changes != nil {
		sortFindings(r.Changes.Fixed)
	}
	sort.SliceStable(r.Repositories, func(i, j int) bool { return r.Repositories[i].Name < r.Repositories[j].Name })
}

func sortFindings(fs []finding.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.Repository != b.Repository {
			return a.Repository < b.Repository
		}
		return finding.Less(a, b)
	})
}

// Merge joins shard reports of one run (channelguard org --shard I/N writes
// each) into the report an unsharded run would have written: findings and
// repositories concatenated, de-duplicated by repository and fingerprint /
// repository name, sorted (see Sort), stats summed, rules unioned (first
// seen first). Tool and target are the shards' own; shards of different
// targets are not one run and are refused (a shard with no repository and
// no finding is not held to it).
//
// A shard given twice is merged once: a part whose content (tool, target,
// findings, stats, repositories, changes: everything its JSON report holds)
// equals an earlier part's is skipped, so it changes nothing, stats
// included. Reports carry no shard id; the content is what identifies a
// shard, and a copy of the same file is the same shard. Gaps and notes are
// joined, each once. Two different
// shards must not list the same repository: a repository belongs to one
// shard of a run, and the stats, which are per shard, cannot be split by
// repository, so merging both would count it twice. A repository listed
// differently by two shards, or a finding two shards report differently, is
// an error naming the repository. When the shards were compared with a
// previous report, their Changes are joined too (they must name the same
// previous report). The parts are not modified.
func Merge(parts ...*finding.Report) (*finding.Report, error) {
	if len(parts) == 0 {
		return nil, errors.New("no reports to merge")
	}
	out := &finding.Report{Findings: []finding.Finding{}}
	seenPart := map[string]struct{}{} // content of each part merged
	seenFinding := map[string]int{}   // key → index in out.Findings
	seenRepo := map[string]int{}      // name → index in out.Repositories
	repoPart := map[string]int{}      // name → the part that listed it
	seenFixed := map[string]int{}     // key → index in out.Changes.Fixed
	seenRule := map[string]struct{}{} // rule id
	seenGap := map[finding.Gap]struct{}{}
	seenNote := map[string]struct{}{}
	targetSet := false
	for i, p := range parts {
		if p == nil {
			return nil, fmt.Errorf("report %d of %d is empty", i+1, len(parts))
		}
		content, err := json.Marshal(p) // what the shard's JSON report holds
		if err != nil {
			return nil, fmt.Errorf("report %d of %d: %w", i+1, len(parts), err)
		}
		if _, dup := seenPart[string(content)]; dup {
			continue // the same shard again
		}
		seenPart[string(content)] = struct{}{}
		// An empty shard (no repository fell to it) says little about the
		// run: its target does not have to match.
		empty := len(p.Repositories) == 0 && len(p.Findings) == 0
		switch {
		case i == 0 || (!targetSet && !empty):
			out.Tool, out.Target, out.Name = p.Tool, p.Target, p.Name
			targetSet = !empty
		case !empty && p.Target != out.Target:
			return nil, fmt.Errorf("reports of different targets (%q and %q) are not shards of one run", out.Target, p.Target)
		}
		if out.Tool.Name == "" {
			out.Tool = p.Tool
		}
		for _, rule := range p.Rules {
			if _, ok := seenRule[rule.ID]; !ok {
				seenRule[rule.ID] = struct{}{}
				out.Rules = append(out.Rules, rule)
			}
		}
		for _, repo := range p.Repositories {
			if j, ok := seenRepo[repo.Name]; ok {
				if out.Repositories[j] != repo {
					return nil, fmt.Errorf("shards disagree about repository %s (%s vs %s)", repo.Name, describeRepo(out.Repositories[j]), describeRepo(repo))
				}
				if repoPart[repo.Name] == i {
					continue // listed twice by one shard
				}
				return nil, fmt.Errorf("two different shards both list repository %s: a repository belongs to one shard of a run, and the shards' stats would count it twice", repo.Name)
			}
			repoPart[repo.Name] = i
			seenRepo[repo.Name] = len(out.Repositories)
			out.Repositories = append(out.Repositories, repo)
		}
		if out.Findings, err = mergeFindings(out.Findings, p.Findings, seenFinding); err != nil {
			return nil, err
		}
		for _, g := range p.Gaps {
			if _, ok := seenGap[g]; !ok {
				seenGap[g] = struct{}{}
				out.Gaps = append(out.Gaps, g)
			}
		}
		for _, n := range p.Notes {
			if _, ok := seenNote[n]; !ok {
				seenNote[n] = struct{}{}
				out.Notes = append(out.Notes, n)
			}
		}
		out.Stats.Commits += p.Stats.Commits
		out.Stats.Files += p.Stats.Files
		out.Stats.Bytes += p.Stats.Bytes
		out.Stats.Entries += p.Stats.Entries
		if p.Changes != nil {
			if out.Changes == nil {
				out.Changes = &finding.Changes{Previous: p.Changes.Previous, Fixed: []finding.Finding{}}
			} else if out.Changes.Previous != p.Changes.Previous {
				return nil, fmt.Errorf("shards were compared with different previous reports (%q and %q)", out.Changes.Previous, p.Changes.Previous)
			}
			if out.Changes.Fixed, err = mergeFindings(out.Changes.Fixed, p.Changes.Fixed, seenFixed); err != nil {
				return nil, err
			}
		}
	}
	if out.Changes != nil {
		out.Changes.New, out.Changes.Open = countChanges(out.Findings)
	}
	Sort(out)
	return out, nil
}

func mergeFindings(dst, src []finding.Finding, seen map[string]int) ([]finding.Finding, error) {
	for _, f := range src {
		k := Key(&f)
		if j, ok := seen[k]; ok {
			if !sameFinding(&dst[j], &f) {
				return nil, fmt.Errorf("shards disagree about repository %s: finding %s (%s) differs", orNone(f.Repository), f.Fingerprint, f.Location)
			}
			continue
		}
		seen[k] = len(dst)
		dst = append(dst, f)
	}
	return dst, nil
}

// sameFinding compares two findings field by field through their JSON
// form, the form shards are exchanged in.
func sameFinding(a, b *finding.Finding) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

func describeRepo(r finding.RepoScan) string {
	s := fmt.Sprintf("%s, %d findings, %d commits", orNone(r.Status), r.Findings, r.Commits)
	if r.HeadSHA != "" {
		s += ", head " + r.HeadSHA[:min(8, len(r.HeadSHA))]
	}
	if r.Error != "" {
		s += ", error: " + r.Error
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func countChanges(fs []finding.Finding) (newCount, open int) {
	for _, f := range fs {
		switch f.Change {
		case ChangeNew:
			newCount++
		case ChangeOpen:
			open++
		}
	}
	return newCount, open
}

// Diff compares cur with prev by repository and fingerprint. It sets each
// of cur's findings' Change to "new" (not in prev) or "open" (in prev), and
// cur.Changes to {Previous: label, New, Open, Fixed}, where Fixed lists, with
// Change "fixed", prev's findings that cur no longer has, in canonical order.
//
// Only repositories cur scanned successfully can have fixed findings: a
// repository whose scan failed this time, was scanned only in part
// (status partial: a finding may be behind an object it could not read),
// or that cur did not scan at all, says nothing about its findings, so
// they are not reported fixed. A report without a repository list (a
// single `channelguard scan`) counts as having scanned everything it
// reports on, unless it has gaps.
//
// Diff modifies cur and returns it; prev is not modified.
func Diff(prev, cur *finding.Report, label string) *finding.Report {
	before := map[string]struct{}{}
	if prev != nil {
		for i := range prev.Findings {
			before[Key(&prev.Findings[i])] = struct{}{}
		}
	}
	now := map[string]struct{}{}
	for i := range cur.Findings {
		f := &cur.Findings[i]
		k := Key(f)
		now[k] = struct{}{}
		if _, ok := before[k]; ok {
			f.Change = ChangeOpen
		} else {
			f.Change = ChangeNew
		}
	}
	scanned := func(string) bool { return true }
	if len(cur.Repositories) == 0 && len(cur.Gaps) > 0 {
		// a single scan that could not read everything: any finding
		// it no longer reports may be behind a gap
		scanned = func(string) bool { return false }
	}
	if len(cur.Repositories) > 0 {
		ok := map[string]bool{}
		for _, r := range cur.Repositories {
			ok[r.Name] = r.Status == finding.RepoOK
		}
		scanned = func(name string) bool { return ok[name] }
	}
	ch := &finding.Changes{Previous: label, Fixed: []finding.Finding{}}
	if prev != nil {
		for _, f := range prev.Findings {
			if _, ok := now[Key(&f)]; ok || !scanned(f.Repository) {
				continue
			}
			f.Change = ChangeFixed
			ch.Fixed = append(ch.Fixed, f)
		}
	}
	ch.New, ch.Open = countChanges(cur.Findings)
	sortFindings(ch.Fixed)
	cur.Changes = ch
	return cur
}
