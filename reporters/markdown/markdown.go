// Package markdown writes a report as Markdown (report.md) for an issue, a
// wiki page or a pull request: headline counts by severity, the
// repositories of a team report with their status, what changed since the
// previous report, and the findings grouped by repository, each with what
// to do.
//
// Repository names, paths, previews and messages come from the scanned
// repositories; every such text is escaped so that it cannot break a table
// (|), open code spans (`), add links, images, HTML, mentions or issue
// references. Like every reporter it holds no raw secret.
package markdown

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/wording"
)

// Options changes what the Markdown shows beside the report.
type Options struct {
	// AsOf is the day exposure ages are counted to (the day the report is
	// written, or --as-of); zero: the newest commit date in the report.
	AsOf time.Time
}

// Write writes r as Markdown, ages counted to the newest commit in it. The
// same report gives the same bytes.
func Write(w io.Writer, r *finding.Report) error {
	return WriteWith(w, r, Options{})
}

// WriteWith writes r as Markdown. The same report and options give the
// same bytes.
func WriteWith(w io.Writer, r *finding.Report, opt Options) error {
	var b strings.Builder
	title := "channelguard report"
	if s := r.Subject(); s != "" {
		title += ": " + Escape(s)
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	ages := newAger(r, opt)
	headline(&b, r, ages)
	repositories(&b, r)
	coverage(&b, r)
	replay(&b, r)
	changes(&b, r)
	findings(&b, r, ages)
	_, err := io.WriteString(w, b.String())
	return err
}

func headline(b *strings.Builder, r *finding.Report, ages ager) {
	by := r.CountBySeverity()
	fmt.Fprintf(b, "**%s**", wording.Plural(len(r.Findings), "finding"))
	if len(r.Repositories) > 0 {
		failed, partial := 0, 0
		for _, repo := range r.Repositories {
			switch repo.Status {
			case finding.RepoOK:
			case finding.RepoPartial:
				partial++
			default:
				failed++
			}
		}
		fmt.Fprintf(b, " in %s", wording.Plural(len(r.Repositories), "repository"))
		switch {
		case failed > 0 && partial > 0:
			fmt.Fprintf(b, " (%d failed to scan, %d scanned in part)", failed, partial)
		case failed > 0:
			fmt.Fprintf(b, " (%d failed to scan)", failed)
		case partial > 0:
			fmt.Fprintf(b, " (%d scanned in part)", partial)
		}
		fmt.Fprintf(b, "; %s read", wording.Plural(r.Stats.Commits, "commit"))
	} else {
		fmt.Fprintf(b, " in %s", Escape(r.Scanned()))
	}
	if r.Tool.Version != "" {
		fmt.Fprintf(b, ", by channelguard %s", Escape(r.Tool.Version))
	}
	b.WriteString(".")
	switch {
	case ages.asOf:
		fmt.Fprintf(b, " Exposure ages as of %s.", ages.day.Format("2006-01-02"))
	case ages.ok && len(r.Findings) > 0:
		fmt.Fprintf(b, " Exposure ages counted to the newest commit in the report (%s).", ages.day.Format("2006-01-02"))
	}
	b.WriteString("\n\n| Severity | Findings |\n|---|---:|\n")
	for _, sev := range finding.Severities {
		fmt.Fprintf(b, "| %s | %d |\n", sev, by[sev])
	}
	b.WriteString("\n")
}

func repositories(b *strings.Builder, r *finding.Report) {
	if len(r.Repositories) == 0 {
		return
	}
	b.WriteString("## Repositories\n\n| Repository | Status | Findings | Commits read | Error |\n|---|---|---:|---:|---|\n")
	for _, repo := range r.Repositories {
		status := Escape(repo.Status)
		if repo.Status != finding.RepoOK {
			status = "**" + status + "**"
		} else if repo.Incremental {
			status += " (incremental)"
		}
		fmt.Fprintf(b, "| %s | %s | %d | %d | %s |\n", Escape(repo.Name), status, repo.Findings, repo.Commits, Escape(repo.Error))
	}
	b.WriteString("\n")
}

// maxGapRows bounds the gaps listed one by one.
const maxGapRows = 200

// coverage lists the report's notes and what could not be read: the
// findings are complete but for what the gaps name.
func coverage(b *strings.Builder, r *finding.Report) {
	for _, n := range r.Notes {
		fmt.Fprintf(b, "> **Note:** %s\n\n", Escape(n))
	}
	if len(r.Gaps) == 0 {
		return
	}
	fmt.Fprintf(b, "## Not scanned\n\n%s could not be read (%s): what they hold is not in this report, and is not a clean result.\n\n",
		wording.Plural(finding.Unreadable(r.Gaps), "object"), wording.Plural(len(r.Gaps), "gap"))
	team := false
	for _, g := range r.Gaps {
		team = team || g.Repository != ""
	}
	if team {
		b.WriteString("| Repository | Kind | File | Commit | Object | Detail |\n|---|---|---|---|---|---|\n")
	} else {
		b.WriteString("| Kind | File | Commit | Object | Detail |\n|---|---|---|---|---|\n")
	}
	for i, g := range r.Gaps {
		if i == maxGapRows {
			break
		}
		if team {
			fmt.Fprintf(b, "| %s ", Escape(orDash(g.Repository)))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", Escape(g.Kind), Escape(orDash(g.Path)), Escape(orDash(g.Commit)), Escape(orDash(g.Object)), Escape(orDash(g.Detail)))
	}
	if more := len(r.Gaps) - maxGapRows; more > 0 {
		fmt.Fprintf(b, "\n… and %d more gaps (the JSON report lists every one).\n", more)
	}
	b.WriteString("\n")
}

func changes(b *strings.Builder, r *finding.Report) {
	c := r.Changes
	if c == nil {
		return
	}
	fmt.Fprintf(b, "## Changes since %s\n\n", Escape(orDash(c.Previous)))
	fmt.Fprintf(b, "| New | Still open | Fixed |\n|---:|---:|---:|\n| %d | %d | %d |\n\n", c.New, c.Open, len(c.Fixed))
	if len(c.Fixed) == 0 {
		return
	}
	b.WriteString("### Fixed since the last report\n\n| Repository | Severity | Rule | File:line | First seen | Introduced by | Preview |\n|---|---|---|---|---|---|---|\n")
	for _, f := range c.Fixed {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", Escape(orDash(f.Repository)), f.Severity, Escape(f.RuleID),
			Code(f.Location.String()), firstSeen(&f), introducer(&f), keepTogether(Escape(orDash(f.SecretPreview))))
	}
	b.WriteString("\n")
}

func findings(b *strings.Builder, r *finding.Report, ages ager) {
	if len(r.Findings) == 0 {
		b.WriteString("No findings.\n")
		return
	}
	groups := map[string][]int{}
	var names []string
	for i, f := range r.Findings {
		if _, ok := groups[f.Repository]; !ok {
			names = append(names, f.Repository)
		}
		groups[f.Repository] = append(groups[f.Repository], i)
	}
	sort.Strings(names)
	b.WriteString("## Findings\n\n")
	withChange := r.Changes != nil
	for _, name := range names {
		idx := groups[name]
		if name != "" {
			fmt.Fprintf(b, "### %s (%d)\n\n", Escape(name), len(idx))
		}
		b.WriteString("| Severity | Rule | File:line | First seen | Exposed | Introduced by | At HEAD | Preview | What to do |\n|---|---|---|---|---:|---|---|---|---|\n")
		for _, i := range idx {
			f := &r.Findings[i]
			sev := f.Severity.String()
			if withChange && f.Change == "new" {
				sev += " (new)"
			}
			if f.Verification != nil {
				sev += ", verified " + Escape(f.Verification.Status)
			}
			rule := Escape(f.RuleID)
			if rule2, ok := r.RuleByID(f.RuleID); ok && isWebURL(rule2.HelpURI) {
				rule = "[" + rule + "](" + linkTarget(rule2.HelpURI) + ")"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", sev, rule, Code(f.Location.String()),
				firstSeen(f), ages.of(f), introducer(f), atHead(f), keepTogether(Escape(orDash(f.SecretPreview))), Escape(f.Action))
		}
		b.WriteString("\n")
	}
}

// ager counts exposure ages to one day.
type ager struct {
	day      time.Time
	ok, asOf bool
}

func newAger(r *finding.Report, opt Options) ager {
	if !opt.AsOf.IsZero() {
		return ager{day: opt.AsOf, ok: true, asOf: true}
	}
	day, ok := r.NewestCommitDate()
	return ager{day: day, ok: ok}
}

// of is how long f's secret has been exposed, kept on one line.
func (a ager) of(f *finding.Finding) string {
	days, ok := f.ExposedDays(a.day)
	if !ok || !a.ok || days < 0 {
		return "—"
	}
	return keepTogether(wording.Age(days))
}

// introducer names the commit that first added the secret and its author
// (the name, not the address): whom to ask.
func introducer(f *finding.Finding) string {
	c := f.Exposure.FirstCommit
	if c == nil {
		return "—"
	}
	s := Code(c.Short())
	if c.Author != "" {
		s += " " + Escape(c.Author)
	}
	return s
}

// keepTogether joins words with no-break spaces: a preview ("c3d7… (32
// chars)") or an age ("1 year 2 months") should not wrap inside.
func keepTogether(s string) string { return strings.ReplaceAll(s, " ", "\u00a0") }

// Code puts s in a code span: monospace, and inert on GitHub (no link,
// mention, issue reference, emphasis or HTML is read inside one), so a
// path reads as a path. Text with a "|" or a backslash, which a table
// cell's code span cannot hold faithfully, is escaped as other text is.
func Code(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '\t' }), " ")
	if s == "" {
		return "—"
	}
	if strings.ContainsAny(s, "|\\") {
		return Escape(s)
	}
	return CodeSpan(s)
}

// CodeSpan is s (one line) between backtick fences longer than any
// backtick run in it, padded with a space where CommonMark would otherwise
// read an edge backtick or strip an edge space: nothing in s is rendered.
func CodeSpan(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

func firstSeen(f *finding.Finding) string {
	if c := f.Exposure.FirstCommit; c != nil && c.Day() != "" {
		return Escape(c.Day())
	}
	return "—"
}

func atHead(f *finding.Finding) string {
	switch {
	case f.Capture != nil || (f.Exposure.FirstCommit == nil && f.Commit == nil && !f.Exposure.InWorkingTree):
		return "—"
	case f.Exposure.StillAtHead || f.Exposure.InWorkingTree:
		return "yes"
	case f.Exposure.RemovedIn != nil:
		return "no (removed in " + Escape(f.Exposure.RemovedIn.Short()) + ", still in history)"
	}
	return "no (still in history)"
}

// Escape makes text from a scanned repository inert in Markdown (GitHub
// Flavored Markdown): one line, with every character that could end a table
// cell, start code, emphasis, a link or image (its brackets), HTML, math, a heading, a mention
// or an issue reference backslash-escaped (CommonMark lets any ASCII
// punctuation be escaped).
func Escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		case '\\', '`', '|', '*', '_', '[', ']', '<', '>', '#', '@', '~', '&', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isWebURL(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// linkTarget percent-encodes what would end a link destination.
func linkTarget(u string) string {
	return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "|", "%7C", "`", "%60").Replace(u)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
