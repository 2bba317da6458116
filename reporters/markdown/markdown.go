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

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/wording"
)

// Write writes r as Markdown. The same report gives the same bytes.
func Write(w io.Writer, r *finding.Report) error {
	var b strings.Builder
	title := "channelguard report"
	if r.Target != "" {
		title += ": " + Escape(r.Target)
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	headline(&b, r)
	repositories(&b, r)
	coverage(&b, r)
	replay(&b, r)
	changes(&b, r)
	findings(&b, r)
	_, err := io.WriteString(w, b.String())
	return err
}

func headline(b *strings.Builder, r *finding.Report) {
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
	b.WriteString(".\n\n| Severity | Findings |\n|---|---:|\n")
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
	b.WriteString("### Fixed since the last report\n\n| Repository | Severity | Rule | File:line | First seen | Preview |\n|---|---|---|---|---|---|\n")
	for _, f := range c.Fixed {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", Escape(orDash(f.Repository)), f.Severity, Escape(f.RuleID),
			Escape(f.Location.String()), firstSeen(&f), Escape(orDash(f.SecretPreview)))
	}
	b.WriteString("\n")
}

func findings(b *strings.Builder, r *finding.Report) {
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
		b.WriteString("| Severity | Rule | File:line | First seen | At HEAD | Preview | What to do |\n|---|---|---|---|---|---|---|\n")
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
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", sev, rule, Escape(f.Location.String()),
				firstSeen(f), atHead(f), Escape(orDash(f.SecretPreview)), Escape(f.Action))
		}
		b.WriteString("\n")
	}
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
