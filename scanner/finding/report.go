package finding

import (
	"sort"
)

// Rule is what a reporter needs to know about a rule: the catalogue entry,
// not the regex.
type Rule struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Title    string   `json:"title"`       // short description
	Summary  string   `json:"description"` // full description
	Severity Severity `json:"severity"`
	CWE      int      `json:"cwe"`
	// Precision is SARIF's: very-high, high, medium or low.
	Precision string `json:"precision"`
	HelpURI   string `json:"help_uri"`
	// Remediation is Markdown: the steps that fix a finding of this rule.
	Remediation string `json:"remediation"`
	// Origin says where the rule came from: "line", "gitleaks" or "config".
	Origin string `json:"origin"`
}

// Tool names the program that produced a report.
type Tool struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	InformationURI string `json:"information_uri"`
}

// Stats counts what a scan read.
type Stats struct {
	Commits int `json:"commits"`
	Files   int `json:"files"`
	Bytes   int `json:"bytes"`
	// Entries counts the capture entries read.
	Entries int `json:"entries,omitempty"`
}

// Report is the whole result of one run, in the order reporters print it.
type Report struct {
	Tool     Tool      `json:"tool"`
	Target   string    `json:"target"`
	Rules    []Rule    `json:"-"`
	Findings []Finding `json:"findings"`
	Stats    Stats     `json:"stats"`

	// Team reports (channelguard org) only:
	// Repositories says what happened to each repository of the run.
	Repositories []RepoScan `json:"repositories,omitempty"`
	// Changes compares the findings with a previous report.
	Changes *Changes `json:"changes,omitempty"`
}

// RepoScan is one repository of a team report.
type RepoScan struct {
	Name     string `json:"name"` // owner/name
	URL      string `json:"url,omitempty"`
	Status   string `json:"status"` // "ok" or "failed"
	Error    string `json:"error,omitempty"`
	Commits  int    `json:"commits"`  // commits read in this run
	Findings int    `json:"findings"` // findings open in it
	// Incremental is true when only commits new since the last run were
	// read; older findings come from the cache.
	Incremental bool   `json:"incremental,omitempty"`
	HeadSHA     string `json:"head_sha,omitempty"`
}

// Changes is a report compared with a previous one, by fingerprint: each
// open finding's Change says "new" or "open"; Fixed lists the previous
// findings no longer found.
type Changes struct {
	Previous string    `json:"previous"` // where the previous report came from
	New      int       `json:"new"`
	Open     int       `json:"open"`
	Fixed    []Finding `json:"fixed"`
}

// RuleByID returns the catalogue entry for id.
func (r *Report) RuleByID(id string) (Rule, bool) {
	for _, rule := range r.Rules {
		if rule.ID == id {
			return rule, true
		}
	}
	return Rule{}, false
}

// CountBySeverity counts findings per severity.
func (r *Report) CountBySeverity() map[Severity]int {
	out := map[Severity]int{}
	for _, f := range r.Findings {
		out[f.Severity]++
	}
	return out
}

// AtOrAbove counts findings of severity min or worse.
func (r *Report) AtOrAbove(min Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= min {
			n++
		}
	}
	return n
}

// Sort orders findings so that the same input always gives the same report:
// most severe first, then by path, line and fingerprint.
func (r *Report) Sort() {
	sort.SliceStable(r.Findings, func(i, j int) bool { return Less(&r.Findings[i], &r.Findings[j]) })
}

// Less is the report order: most severe first, then by path, line,
// column and fingerprint.
func Less(a, b *Finding) bool {
	if a.Severity != b.Severity {
		return a.Severity > b.Severity
	}
	if a.Location.Path != b.Location.Path {
		return a.Location.Path < b.Location.Path
	}
	if a.Location.StartLine != b.Location.StartLine {
		return a.Location.StartLine < b.Location.StartLine
	}
	if a.Location.StartColumn != b.Location.StartColumn {
		return a.Location.StartColumn < b.Location.StartColumn
	}
	return a.Fingerprint < b.Fingerprint
}
