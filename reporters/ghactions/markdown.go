package ghactions

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/wording"
	"github.com/channelguard/channelguard/reporters/markdown"
)

// Marker is the hidden first line of the sticky pull request comment: the
// pr command finds its own comment by it and edits it in place.
const Marker = "<!-- channelguard -->"

// DefaultMaxRows is the summary's findings table length when
// SummaryOptions.MaxRows is 0; commentRows is the comment's.
const (
	DefaultMaxRows = 100
	commentRows    = 20
)

// SummaryOptions say what the job summary is about.
type SummaryOptions struct {
	// Title is the heading (default "channelguard").
	Title string
	// RepoURL (https://github.com/OWNER/REPO) and HeadSHA make locations
	// links to the file at the scanned head commit; either empty: no links.
	RepoURL, HeadSHA string
	// Range describes what was scanned ("pull request #3 (1a2b3c4d..5e6f7a8b)").
	Range string
	// Commits is how many commits were scanned.
	Commits int
	// MaxRows caps the findings table (0: DefaultMaxRows).
	MaxRows int
}

// Summary is the job summary Markdown (the caller appends it to
// GITHUB_STEP_SUMMARY): counts by severity, a table of findings, how to fix
// them and what to do about a false positive. With no findings it is a short
// "No secrets found" note.
func Summary(rep *finding.Report, opts SummaryOptions) string {
	if rep == nil {
		rep = &finding.Report{}
	}
	title := wording.OneLine(opts.Title, 0)
	if title == "" {
		title = "channelguard"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", title)
	if len(rep.Findings) == 0 {
		fmt.Fprintf(&b, "✅ No secrets found in %s%s.\n", wording.Plural(opts.Commits, "commit"), scope(opts.Range))
		return b.String()
	}
	fmt.Fprintf(&b, "**%s** in %s%s.\n\n", wording.Plural(len(rep.Findings), "finding"), wording.Plural(opts.Commits, "commit"), scope(opts.Range))
	countTable(&b, rep)
	b.WriteString("\n")
	max := opts.MaxRows
	if max <= 0 {
		max = DefaultMaxRows
	}
	findingsTable(&b, rep, links{opts.RepoURL, opts.HeadSHA}, max, true, "see the SARIF report or the code scanning alerts")
	b.WriteString("\n### How to fix\n\n")
	howToFix(&b, rep, "####")
	b.WriteString("\n### False positive?\n\n")
	b.WriteString(falsePositive)
	return b.String()
}

// CommentOptions say what the pull request comment is about.
type CommentOptions struct {
	// RepoURL and HeadSHA make locations links (see SummaryOptions).
	RepoURL, HeadSHA string
	Range            string
	Commits          int
	// Resolved says an earlier run commented: with no findings now, the
	// comment says the findings are resolved (and still to be rotated).
	Resolved bool
}

// Comment is the body of the one sticky pull request comment. It starts
// with Marker and holds no timestamp: the same findings give the same body,
// so an unchanged re-run leaves the comment as it is.
func Comment(rep *finding.Report, opts CommentOptions) string {
	if rep == nil {
		rep = &finding.Report{}
	}
	var b strings.Builder
	b.WriteString(Marker + "\n")
	if len(rep.Findings) == 0 {
		if opts.Resolved {
			b.WriteString("## ✅ channelguard: resolved\n\n")
			b.WriteString("✅ Resolved: the secrets reported earlier are no longer in this pull request's commits — but they were pushed: rotate them anyway, history and forks keep them.\n\n")
			fmt.Fprintf(&b, "Scanned %s%s.\n", wording.Plural(opts.Commits, "commit"), scope(opts.Range))
			return b.String()
		}
		fmt.Fprintf(&b, "## ✅ channelguard\n\nNo secrets found in %s%s.\n", wording.Plural(opts.Commits, "commit"), scope(opts.Range))
		return b.String()
	}
	n := len(rep.Findings)
	noun := "leaked secrets"
	if n == 1 {
		noun = "leaked secret"
	}
	fmt.Fprintf(&b, "## 🔐 channelguard found %d %s\n\n", n, noun)
	fmt.Fprintf(&b, "In %s%s: %s.\n\n", wording.Plural(opts.Commits, "commit"), scope(opts.Range), countLine(rep))
	findingsTable(&b, rep, links{opts.RepoURL, opts.HeadSHA}, commentRows, false, "see the job summary of this run")
	b.WriteString("\n> [!IMPORTANT]\n> These values were pushed: removing them in a later commit does not un-leak them. Git history, forks and clones keep them — rotate every one.\n")
	b.WriteString("\n### How to fix\n\n")
	howToFix(&b, rep, "####")
	b.WriteString("\n<details><summary>False positive?</summary>\n\n")
	b.WriteString(falsePositive)
	b.WriteString("\n</details>\n")
	return b.String()
}

// ReviewComment is the inline review comment for one finding on its line:
// what it is, its redacted value, what to do and how to mark a false
// positive. It ends with ReviewKeyMarker(f.Fingerprint), by which the pr
// command recognises a comment it already posted.
func ReviewComment(f finding.Finding) string {
	var b strings.Builder
	title := wording.OneLine(f.Title, 0)
	if title == "" {
		title = wording.OneLine(f.RuleID, 0)
	}
	fmt.Fprintf(&b, "**🔐 %s** (%s, rule %s)\n\n", title, f.Severity, code(f.RuleID))
	if f.SecretPreview != "" || f.SecretSHA256 != "" {
		var parts []string
		if f.SecretPreview != "" {
			parts = append(parts, "value "+code(f.SecretPreview))
		}
		if f.SecretSHA256 != "" {
			parts = append(parts, "secret_sha256 "+code(f.SecretSHA256))
		}
		b.WriteString(upperFirst(strings.Join(parts, ", ")) + ".\n\n")
	}
	fmt.Fprintf(&b, "**What to do:** %s Removing this line does not un-leak it: the commit is pushed, so history and forks keep the value.\n\n", upperFirst(actionOf(nil, f)))
	b.WriteString("<sub>False positive? Add `channelguard:allow` in a comment on this line, or accept it in a baseline (the action's `baseline` input).</sub>\n\n")
	b.WriteString(ReviewKeyMarker(f.Fingerprint))
	return b.String()
}

// ReviewKeyMarker is the hidden marker that ends a review comment:
// "<!-- channelguard:fp=FINGERPRINT -->". Characters that could end an HTML
// comment are dropped from fp.
func ReviewKeyMarker(fp string) string {
	return "<!-- channelguard:fp=" + markerSafe(fp) + " -->"
}

func markerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == ':', r == '/', r == '+', r == '=':
			return r
		}
		return -1
	}, s)
}

const falsePositive = "If a value is a test fixture or not a secret:\n\n" +
	"- put `channelguard:allow` in a comment on its line, or\n" +
	"- accept the current findings in a baseline: run `channelguard scan --format json --output baseline.json`, commit `baseline.json` and pass it to the action's `baseline` input (`baseline: baseline.json`). Findings in the baseline are not reported again.\n"

// channelSecretFix is the fix of a leaked channel secret, in the console's
// own words.
const channelSecretFix = "**Reissue the channel secret in the LINE Developers console.** Open the [LINE Developers console](https://developers.line.biz/console/) → your provider → the channel → **Basic settings** → **Issue** next to *Channel secret*.\n\n" +
	"Deploy the new secret to the app **in the same window**: the old secret stops working at once, so webhook signature checks fail until the app has the new one. Read it from the environment or a secret manager (e.g. `LINE_CHANNEL_SECRET`), never from source.\n\n" +
	"Git history still holds the old value: removing the line does not un-leak it, and forks and clones keep it. Reissuing is the fix.\n"

const genericFix = "**Rotate this credential** at the service that issued it, deploy the new value from the environment or a secret manager, then remove it from the code. Removing it does not un-leak it: git history, forks and clones keep the old value.\n"

// howToFix writes one part per rule the findings use, in findings order.
func howToFix(b *strings.Builder, rep *finding.Report, heading string) {
	var order []string
	extra := map[string][]string{}
	first := map[string]finding.Finding{}
	for _, f := range rep.Findings {
		if _, seen := first[f.RuleID]; !seen {
			first[f.RuleID] = f
			order = append(order, f.RuleID)
		}
		if r := strings.TrimSpace(f.Remediation); r != "" && !contains(extra[f.RuleID], r) {
			extra[f.RuleID] = append(extra[f.RuleID], r)
		}
	}
	for i, id := range order {
		if i > 0 {
			b.WriteString("\n")
		}
		rule, ok := rep.RuleByID(id)
		title := wording.OneLine(rule.Title, 0)
		if title == "" {
			title = titleOf(rep, id)
		}
		fmt.Fprintf(b, "%s %s (%s)\n\n", heading, title, code(id))
		for _, r := range extra[id] {
			b.WriteString(r + "\n\n")
		}
		switch {
		case id == finding.RuleChannelSecret: // its fix is spelled out here (the console path)
			b.WriteString(channelSecretFix)
		case ok && strings.TrimSpace(rule.Remediation) != "":
			b.WriteString(strings.TrimSpace(rule.Remediation) + "\n")
		case first[id].Severity == finding.Info:
			// not a leak but a gap: its own sentence, no rotation
			b.WriteString(upperFirst(actionOf(rep, first[id])) + "\n")
		default:
			b.WriteString(genericFix)
		}
	}
}

func titleOf(rep *finding.Report, id string) string {
	for _, f := range rep.Findings {
		if f.RuleID == id && f.Title != "" {
			return wording.OneLine(f.Title, 0)
		}
	}
	return id
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func countTable(b *strings.Builder, rep *finding.Report) {
	by := rep.CountBySeverity()
	b.WriteString("| Severity | Findings |\n|---|---:|\n")
	for _, sev := range finding.Severities {
		if by[sev] > 0 {
			fmt.Fprintf(b, "| %s | %d |\n", sev, by[sev])
		}
	}
}

// countLine is "**1 high**, 2 low".
func countLine(rep *finding.Report) string {
	by := rep.CountBySeverity()
	var parts []string
	for _, sev := range finding.Severities {
		if by[sev] == 0 {
			continue
		}
		s := fmt.Sprintf("%d %s", by[sev], sev)
		if sev >= finding.High {
			s = "**" + s + "**"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

type links struct{ repoURL, headSHA string }

// blob is the link to path at line in the head commit, "" without one.
func (l links) blob(path string, line int) string {
	if l.repoURL == "" || l.headSHA == "" || path == "" {
		return ""
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u := strings.TrimSuffix(l.repoURL, "/") + "/blob/" + url.PathEscape(l.headSHA) + "/" + strings.Join(segs, "/")
	if line > 0 {
		u += fmt.Sprintf("#L%d", line)
	}
	// keep the Markdown link target whole
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "|", "%7C", "<", "%3C", ">", "%3E").Replace(u)
}

// findingsTable writes at most max rows, then "…and N more".
func findingsTable(b *strings.Builder, rep *finding.Report, l links, max int, long bool, more string) {
	if long {
		b.WriteString("| Severity | Rule | Location | Commit | Value | What to do |\n|---|---|---|---|---|---|\n")
	} else {
		b.WriteString("| Severity | Secret | Location | Commit | Value |\n|---|---|---|---|---|\n")
	}
	for i := range rep.Findings {
		if i == max {
			break
		}
		f := &rep.Findings[i]
		sev := f.Severity.String()
		if f.Severity >= finding.High {
			sev = "**" + sev + "**"
		}
		loc := locationCell(f, l)
		commit := "—"
		if f.Commit != nil {
			commit = code(f.Commit.Short())
		}
		val := "—"
		if f.SecretPreview != "" {
			val = code(f.SecretPreview)
		}
		if long {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", sev, cell(code(f.RuleID)), cell(loc), cell(commit), cell(val), cell(upperFirst(actionOf(rep, *f))))
		} else {
			title := wording.OneLine(f.Title, 0)
			if title == "" {
				title = f.RuleID
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", sev, cell(title), cell(loc), cell(commit), cell(val))
		}
	}
	if n := len(rep.Findings) - max; n > 0 {
		fmt.Fprintf(b, "\n…and %d more (%s).\n", n, more)
	}
}

func locationCell(f *finding.Finding, l links) string {
	loc := f.Location
	if loc.Path == "" {
		return "—"
	}
	text := code(loc.String())
	if f.Capture == nil {
		if u := l.blob(loc.Path, loc.StartLine); u != "" {
			return "[" + text + "](" + u + ")"
		}
	}
	return text
}

// actionOf is what to do about f: its own action, else its rule's.
func actionOf(rep *finding.Report, f finding.Finding) string {
	if f.Action != "" {
		return wording.OneLine(f.Action, 0)
	}
	if rep != nil {
		if rule, ok := rep.RuleByID(f.RuleID); ok {
			return rule.Todo()
		}
	}
	return finding.Rule{}.Todo()
}

// code is s as a Markdown code span (markdown.CodeSpan): nothing in s (an
// @mention, a link, HTML) is rendered.
func code(s string) string {
	s = wording.OneLine(s, 0)
	if s == "" {
		return ""
	}
	return markdown.CodeSpan(s)
}

// cell makes s safe inside a GFM table cell: no newline, pipes escaped
// (GFM requires \| even inside code spans in a table).
func cell(s string) string {
	return strings.ReplaceAll(wording.OneLine(s, 0), "|", `\|`)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func scope(r string) string {
	if r = wording.OneLine(r, 0); r == "" {
		return ""
	}
	return " (" + r + ")"
}
