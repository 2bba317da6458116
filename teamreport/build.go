package teamreport

import (
	"sort"

	"github.com/channelguard/channelguard/finding"
)

// Run is what one `channelguard org` run (or one shard of it) found.
type Run struct {
	Tool     finding.Tool
	Target   string
	Rules    []finding.Rule
	Findings []finding.Finding
	Stats    finding.Stats
	// Repos are the scanned repositories and those that failed before a
	// scan; Gaps what the scans could not read.
	Repos []finding.RepoScan
	Gaps  []finding.Gap
}

// Build is the team report of a run, in the canonical order (so shards
// merge to the same bytes), compared with prev when there is one (label
// names prev in the report; see Diff).
func Build(run Run, prev *finding.Report, label string) *finding.Report {
	rep := &finding.Report{
		Tool:         run.Tool,
		Target:       run.Target,
		Rules:        run.Rules,
		Findings:     run.Findings,
		Stats:        run.Stats,
		Repositories: append([]finding.RepoScan(nil), run.Repos...),
		Gaps:         run.Gaps,
	}
	if rep.Findings == nil {
		rep.Findings = []finding.Finding{}
	}
	sort.SliceStable(rep.Repositories, func(i, j int) bool { return rep.Repositories[i].Name < rep.Repositories[j].Name })
	Sort(rep)
	if prev != nil {
		Diff(prev, rep, label)
	}
	return rep
}
