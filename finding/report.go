package finding

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/channelguard/channelguard/internal/wording"
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
	// Action is what to do about a finding of this rule, in one sentence
	// ("Reissue the channel access token."); Remediation opens with it.
	Action string `json:"action,omitempty"`
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
	// Entries counts the capture entries (requests) read.
	Entries int `json:"entries,omitempty"`
	// Kind says what the commits and files were (Kind* below), so that a
	// summary can say "7 commits (history) and the working tree (no
	// changes)" rather than "7 commits and 0 files". "" when there was
	// no repository, directory or file (captures only), and in reports
	// written before it was recorded.
	Kind string `json:"kind,omitempty"`
	// Captures counts the API capture files read.
	Captures int `json:"captures,omitempty"`
}

// Stats.Kind values.
const (
	// KindRepository: a git repository's history (every ref) and its
	// working tree; Files are the working tree's changed and untracked
	// files.
	KindRepository = "repository"
	// KindHistory: a repository's history alone (a bare repository, a
	// mirror: no working tree).
	KindHistory = "history"
	// KindRange: the commits of a range (BASE..HEAD).
	KindRange = "range"
	// KindWorktree: a repository's working tree alone (--no-history);
	// Files are its tracked and untracked files.
	KindWorktree = "worktree"
	// KindDirectory: a directory that is not a repository.
	KindDirectory = "directory"
	// KindFile: one file.
	KindFile = "file"
)

// Scanned says what the report's scan read, to follow "in": "7 commits
// (history) and the working tree (no changes)", "12 files", "3 captures
// (41 requests)", "3 repositories (40 commits)".
func (r *Report) Scanned() string {
	s := r.Stats
	var parts []string
	commits := wording.Plural(s.Commits, "commit")
	switch {
	case len(r.Repositories) > 0:
		parts = append(parts, fmt.Sprintf("%s (%s)", wording.Plural(len(r.Repositories), "repository"), commits))
	case s.Kind == KindRepository:
		tree := "the working tree (no changes)"
		if s.Files > 0 {
			tree = fmt.Sprintf("the working tree (%s)", wording.Plural(s.Files, "changed file"))
		}
		if s.Commits == 0 {
			tree = fmt.Sprintf("the working tree (%s; no commits yet)", wording.Plural(s.Files, "file"))
		} else {
			parts = append(parts, commits+" (history)")
		}
		parts = append(parts, tree)
	case s.Kind == KindHistory:
		parts = append(parts, commits+" (history; no working tree)")
	case s.Kind == KindRange:
		parts = append(parts, commits+" (the range)")
	case s.Kind == KindWorktree:
		parts = append(parts, wording.Plural(s.Files, "file")+" (the working tree; history not scanned)")
	case s.Kind == KindDirectory || s.Kind == KindFile:
		parts = append(parts, wording.Plural(s.Files, "file"))
	default:
		// an older report, or a kind this version does not know: the
		// counts that are not zero
		if s.Commits > 0 {
			parts = append(parts, commits)
		}
		if s.Files > 0 || (s.Commits == 0 && s.Entries == 0 && s.Captures == 0) {
			parts = append(parts, wording.Plural(s.Files, "file"))
		}
	}
	switch {
	case s.Captures > 0:
		parts = append(parts, fmt.Sprintf("%s (%s)", wording.Plural(s.Captures, "capture"), wording.Plural(s.Entries, "request")))
	case s.Entries > 0:
		parts = append(parts, wording.Plural(s.Entries, "capture entry"))
	}
	return wording.List(parts)
}

// Report is the whole result of one run, in the order reporters print it.
type Report struct {
	Tool   Tool   `json:"tool"`
	Target string `json:"target"`
	// Name is what the target is called, for a report's title: the
	// repository's remote path (owner/name), else its directory's name;
	// "" when nothing names it (captures only, older reports).
	Name     string    `json:"name,omitempty"`
	Rules    []Rule    `json:"-"`
	Findings []Finding `json:"findings"`
	Stats    Stats     `json:"stats"`
	// Notes are what a reader should know about what was scanned, such as
	// a partial clone (one line each, no secret).
	Notes []string `json:"notes,omitempty"`
	// Gaps are what the scan could not read: each is a coverage gap, never
	// a clean result. A report with gaps is complete in every other way.
	Gaps []Gap `json:"gaps,omitempty"`
	// Replay is what an active role replay sent and how each endpoint
	// answered (channelguard replay only).
	Replay *Replay `json:"replay,omitempty"`

	// Team reports (channelguard org) only:
	// Repositories says what happened to each repository of the run.
	Repositories []RepoScan `json:"repositories,omitempty"`
	// Changes compares the findings with a previous report.
	Changes *Changes `json:"changes,omitempty"`
}

// RepoScan.Status values.
const (
	RepoOK     = "ok"
	RepoFailed = "failed"
	// RepoPartial: scanned, findings kept, but some objects could not be
	// read (the report's Gaps name them). Such a repository fixes nothing
	// in a comparison: a gap may hide a finding.
	RepoPartial = "partial"
)

// RepoScan is one repository of a team report.
type RepoScan struct {
	Name     string `json:"name"` // owner/name
	URL      string `json:"url,omitempty"`
	Status   string `json:"status"` // RepoOK, RepoPartial or RepoFailed
	Error    string `json:"error,omitempty"`
	Commits  int    `json:"commits"`  // commits read in this run
	Findings int    `json:"findings"` // findings open in it
	// Gaps counts what could not be read (status "partial"); the report's
	// Gaps name them.
	Gaps int `json:"gaps,omitempty"`
	// Incremental is true when only commits new since the last run were
	// read; older findings come from the cache.
	Incremental bool   `json:"incremental,omitempty"`
	HeadSHA     string `json:"head_sha,omitempty"`
}

// Gap kinds.
const (
	// GapMissingBlob: a version of a file (a blob) that git could not
	// read, so what it holds was not scanned. Object is the blob, Commit
	// the commit that needed it, Path the file.
	GapMissingBlob = "missing-blob"
	// GapUnreadableCommit: a commit whose changes git could not list or
	// read (a missing tree, say); Object is the object git named, if any.
	GapUnreadableCommit = "unreadable-commit"
)

// Gap is something a scan could not read. It names objects and paths,
// never content: no secret can be in it.
type Gap struct {
	// Repository is the owner/name of a team report's repository.
	Repository string `json:"repository,omitempty"`
	Kind       string `json:"kind"`
	Object     string `json:"object,omitempty"`
	Commit     string `json:"commit,omitempty"`
	Path       string `json:"path,omitempty"`
	// Detail says what was not scanned because of it, in a sentence.
	Detail string `json:"detail,omitempty"`
}

// String is the gap on one line.
func (g Gap) String() string {
	var b strings.Builder
	switch g.Kind {
	case GapMissingBlob:
		b.WriteString("missing blob")
	case GapUnreadableCommit:
		b.WriteString("unreadable commit")
	default:
		b.WriteString(g.Kind)
	}
	if g.Object != "" && g.Kind != GapUnreadableCommit {
		b.WriteString(" " + g.Object)
	}
	if g.Path != "" {
		b.WriteString(" (" + g.Path + ")")
	}
	if g.Commit != "" {
		b.WriteString(" in commit " + g.Commit)
	}
	if g.Repository != "" {
		b.WriteString(" of " + g.Repository)
	}
	if g.Detail != "" {
		b.WriteString(": " + g.Detail)
	}
	return b.String()
}

// SortGaps puts gaps in the one order reports print them: by repository,
// path, commit, object and kind.
func SortGaps(gs []Gap) {
	sort.SliceStable(gs, func(i, j int) bool {
		a, b := &gs[i], &gs[j]
		for _, c := range [][2]string{{a.Repository, b.Repository}, {a.Path, b.Path}, {a.Commit, b.Commit}, {a.Object, b.Object}, {a.Kind, b.Kind}, {a.Detail, b.Detail}} {
			if c[0] != c[1] {
				return c[0] < c[1]
			}
		}
		return false
	})
}

// Unreadable counts what the gaps say could not be read: distinct objects
// (a blob needed by several commits counts once), plus commits that could
// not be read without an object named.
func Unreadable(gs []Gap) int {
	seen := map[string]bool{}
	for _, g := range gs {
		k := g.Repository + "\x00" + g.Object
		if g.Object == "" {
			k = g.Repository + "\x00commit " + g.Commit + "\x00" + g.Path
		}
		seen[k] = true
	}
	return len(seen)
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

// Todo is the rule's action written to follow a colon: "reissue the
// channel access token." (a leading acronym keeps its capitals: "LINE
// …"), or a generic one for a rule without an action.
func (r Rule) Todo() string {
	a := strings.TrimSpace(r.Action)
	if a == "" {
		return "rotate this credential and remove it from the code."
	}
	first, size := utf8.DecodeRuneInString(a)
	if next, _ := utf8.DecodeRuneInString(a[size:]); unicode.ToUpper(next) == next {
		return a // "LINE …"
	}
	return string(unicode.ToLower(first)) + a[size:]
}
