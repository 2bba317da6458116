// Package html writes a report as one self-contained HTML page
// (report.html) for a security team: headline counts by severity, bar
// charts of findings per repository and per rule, a chart of how long the
// secrets have been exposed, the repositories that could not be scanned,
// what changed since the previous report, and a sortable, filterable table
// of the findings with a link to each rule's remediation.
//
// The page loads nothing: no external script, stylesheet, font, image or
// CDN. The charts are inline SVG drawn here (a chart library would add a
// dependency, and the ones that emit HTML load their JavaScript from a CDN
// or embed hundreds of kilobytes for three bar charts); sorting and
// filtering are a few lines of inline vanilla JavaScript that work offline.
// A Content-Security-Policy in the page allows exactly that inline style and
// script (by hash) and nothing else, so even a browser that opens the file
// from a mail or an artifact store fetches nothing. The only addresses in
// the page are plain <a> links to the rules' help pages.
//
// Everything from the scanned repositories (names, paths, previews,
// messages, errors) goes through html/template and is escaped. Like every
// reporter it holds no raw secret: only the redacted preview and the hash.
//
// Exposure ages are counted to Options.AsOf, the day the report is written
// (or the day --as-of names): the same report and day give the same bytes,
// and nothing else depends on time or map order. Without AsOf they are
// counted to the newest commit date in the report, so the page depends on
// the report alone.
//
// Dates, commit ids, previews and ages never wrap inside (white-space:
// nowrap); a path wraps only after a "/" (each segment is a nowrap span
// with a <wbr> between), and the findings table scrolls sideways instead
// of breaking them. TestLayoutInChromium checks that in a real browser.
package html

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	htmltemplate "html/template"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/wording"
)

// Options changes what the page shows beside the report.
type Options struct {
	// AsOf is the day exposure ages are counted to; zero: the newest
	// commit date in the report.
	AsOf time.Time
}

// Write writes r as one HTML page, ages counted to the newest commit.
func Write(w io.Writer, r *finding.Report) error {
	return WriteWith(w, r, Options{})
}

// WriteWith writes r as one HTML page.
func WriteWith(w io.Writer, r *finding.Report, opt Options) error {
	return page().Execute(w, build(r, opt))
}

type view struct {
	Title, Target, Tool string
	CSP                 string
	Total               int
	Severities          []sevCount
	Repos               int
	Failed              []finding.RepoScan
	Reference           string // day ages are measured to
	AsOf                bool   // Reference is Options.AsOf, not the newest commit
	Scanned             string
	Charts              []chart
	Changes             *changesView
	Rows                []row
	SeverityNames       []string
	ShowRepo            bool // a team report: findings name their repository
	// Partial are repositories scanned in part (objects unreadable);
	// Gaps name what could not be read, at most maxGapRows of them.
	Partial    []finding.RepoScan
	Notes      []string
	Gaps       []finding.Gap
	GapsMore   int
	Unreadable int
}

type sevCount struct {
	Name  string
	Count int
}

type changesView struct {
	Previous         string
	New, Open, Fixed int
	Rows             []row
}

type row struct {
	Repository, Severity, Rule, RuleTitle, HelpURI string
	Location, LocationKey                          string
	FirstSeen, AtHead, Preview, Hash, Change       string
	Verification, Todo                             string
	Rank                                           int
	ShowRepo                                       bool
	// Age is how long the secret has been exposed (AgeKey sorts it, in
	// days; AgeTitle says since when); "" when unknown.
	Age, AgeKey, AgeTitle string
	// IntroSHA and IntroAuthor name the commit that first added the
	// secret and its author: whom to ask.
	IntroSHA, IntroAuthor string
}

type chart struct {
	ID, Title, Note string
	Width, Height   int
	LabelWidth      int
	Bars            []bar
	More            int // bars left out
	Empty           string
}

type bar struct {
	Label, Full string
	Count       int
	Y, TextY    int
	Width       int
	CountX      int
	Fill        string
}

// maxGapRows bounds the gaps the page lists one by one.
const maxGapRows = 500

const (
	maxBars    = 25
	barHeight  = 18
	barGap     = 6
	labelWidth = 260
	barSpace   = 380
)

var sevFill = map[finding.Severity]string{
	finding.Critical: "#8e24aa", finding.High: "#d32f2f", finding.Medium: "#f57c00", finding.Low: "#0288d1", finding.Info: "#757575",
}

func build(r *finding.Report, opt Options) view {
	v := view{
		Title:   "channelguard report",
		Target:  r.Target,
		Total:   len(r.Findings),
		Repos:   len(r.Repositories),
		CSP:     csp(),
		Scanned: r.Scanned(),
	}
	if s := r.Subject(); s != "" {
		v.Title += ": " + s
	}
	ref, haveRef := reference(r)
	if !opt.AsOf.IsZero() {
		ref, haveRef, v.AsOf = opt.AsOf, true, true
	}
	if r.Tool.Name != "" {
		v.Tool = strings.TrimSpace(r.Tool.Name + " " + r.Tool.Version)
	}
	by := r.CountBySeverity()
	for _, s := range finding.Severities {
		v.Severities = append(v.Severities, sevCount{s.String(), by[s]})
		v.SeverityNames = append(v.SeverityNames, s.String())
	}
	for _, repo := range r.Repositories {
		switch repo.Status {
		case finding.RepoOK:
		case finding.RepoPartial:
			v.Partial = append(v.Partial, repo)
		default:
			v.Failed = append(v.Failed, repo)
		}
	}
	v.Notes = r.Notes
	v.Gaps = r.Gaps
	if len(v.Gaps) > maxGapRows {
		v.Gaps, v.GapsMore = v.Gaps[:maxGapRows], len(v.Gaps)-maxGapRows
	}
	if len(r.Gaps) > 0 {
		v.Unreadable = finding.Unreadable(r.Gaps)
	}
	v.ShowRepo = len(r.Repositories) > 0 || anyRepository(r)
	for i := range r.Findings {
		rw := makeRow(r, &r.Findings[i], ref, haveRef)
		rw.ShowRepo = v.ShowRepo
		v.Rows = append(v.Rows, rw)
	}
	if c := r.Changes; c != nil {
		cv := &changesView{Previous: c.Previous, New: c.New, Open: c.Open, Fixed: len(c.Fixed)}
		for i := range c.Fixed {
			cv.Rows = append(cv.Rows, makeRow(r, &c.Fixed[i], ref, haveRef))
		}
		v.Changes = cv
	}

	if haveRef {
		v.Reference = ref.Format("2006-01-02")
	}
	if v.ShowRepo {
		counts := map[string]int{}
		for _, f := range r.Findings {
			counts[f.Repository]++
		}
		v.Charts = append(v.Charts, barChart("by-repository", "Findings per repository", "", ranked(counts), "#d32f2f", "No findings in any repository."))
	}
	rules := map[string]int{}
	for _, f := range r.Findings {
		rules[f.RuleID]++
	}
	v.Charts = append(v.Charts, barChart("by-rule", "Findings per rule", "", ranked(rules), "#5e35b1", "No findings."))
	v.Charts = append(v.Charts, ageChart(r, ref, haveRef, v.AsOf))
	return v
}

func anyRepository(r *finding.Report) bool {
	for _, f := range r.Findings {
		if f.Repository != "" {
			return true
		}
	}
	return false
}

func makeRow(r *finding.Report, f *finding.Finding, ref time.Time, haveRef bool) row {
	rw := row{
		Repository:  f.Repository,
		Severity:    f.Severity.String(),
		Rank:        int(f.Severity),
		Rule:        f.RuleID,
		RuleTitle:   f.Title,
		Location:    f.Location.String(),
		LocationKey: fmt.Sprintf("%s\t%09d", f.Location.Path, f.Location.StartLine),
		Preview:     f.SecretPreview,
		Hash:        f.SecretSHA256,
		Change:      f.Change,
		Todo:        f.Action,
	}
	if rule, ok := r.RuleByID(f.RuleID); ok {
		if isWebURL(rule.HelpURI) {
			rw.HelpURI = rule.HelpURI
		}
		if rw.RuleTitle == "" || rw.RuleTitle == f.RuleID {
			rw.RuleTitle = rule.Title
		}
	}
	if f.Verification != nil {
		rw.Verification = f.Verification.Status
	}
	if c := f.Exposure.FirstCommit; c != nil {
		rw.FirstSeen = c.Day()
		rw.IntroSHA, rw.IntroAuthor = c.Short(), c.Author
	}
	rw.AgeKey = "-1"
	if days, ok := f.ExposedDays(ref); ok && haveRef {
		rw.AgeKey = fmt.Sprint(days)
		rw.Age = wording.Age(days)
		rw.AgeTitle = fmt.Sprintf("%s since %s, as of %s", wording.Plural(days, "day"), rw.FirstSeen, ref.Format("2006-01-02"))
		if days < 0 {
			rw.Age = "—"
			rw.AgeTitle = "first committed after " + ref.Format("2006-01-02")
		}
	}
	switch {
	case f.Capture != nil || (f.Exposure.FirstCommit == nil && f.Commit == nil && !f.Exposure.InWorkingTree):
		rw.AtHead = ""
	case f.Exposure.StillAtHead || f.Exposure.InWorkingTree:
		rw.AtHead = "yes"
	case f.Exposure.RemovedIn != nil:
		rw.AtHead = "no, removed in " + f.Exposure.RemovedIn.Short()
	default:
		rw.AtHead = "no"
	}
	return rw
}

func isWebURL(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

type kv struct {
	key   string
	count int
}

// ranked orders counts most first, then by key.
func ranked(m map[string]int) []kv {
	out := make([]kv, 0, len(m))
	for k, n := range m {
		if n > 0 {
			out = append(out, kv{k, n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].count != out[j].count {
			return out[i].count > out[j].count
		}
		return out[i].key < out[j].key
	})
	return out
}

func barChart(id, title, note string, data []kv, fill, empty string) chart {
	c := chart{ID: id, Title: title, Note: note, LabelWidth: labelWidth, Empty: empty}
	if len(data) > maxBars {
		c.More = len(data) - maxBars
		data = data[:maxBars]
	}
	most := 0
	for _, d := range data {
		most = max(most, d.count)
	}
	for i, d := range data {
		label := d.key
		if label == "" {
			label = "(no repository)"
		}
		w := 0
		if most > 0 {
			w = max(2, d.count*barSpace/most)
		}
		y := i * (barHeight + barGap)
		c.Bars = append(c.Bars, bar{
			Label: shorten(label, 38), Full: label, Count: d.count,
			Y: y, TextY: y + barHeight - 5, Width: w, CountX: labelWidth + w + 6, Fill: fill,
		})
	}
	c.Width = labelWidth + barSpace + 60
	c.Height = max(1, len(c.Bars)*(barHeight+barGap))
	return c
}

// Exposure age buckets.
var ageBuckets = []struct {
	label string
	limit time.Duration
}{
	{"< 1 week", 7 * 24 * time.Hour},
	{"< 1 month", 30 * 24 * time.Hour},
	{"< 1 year", 365 * 24 * time.Hour},
	{"1 year or more", 1<<63 - 1},
}

const unknownAge = "unknown"

// ageChart counts findings by how long ago the first commit that added the
// secret was, counted to ref; findings without a dated first commit
// (uncommitted files, captures) are "unknown".
func ageChart(r *finding.Report, ref time.Time, haveRef, asOf bool) chart {
	counts := make([]int, len(ageBuckets)+1)
	for i := range r.Findings {
		k := len(ageBuckets)
		if days, ok := r.Findings[i].ExposedDays(ref); ok && haveRef {
			age := time.Duration(days) * 24 * time.Hour
			for j, b := range ageBuckets {
				if age < b.limit {
					k = j
					break
				}
			}
		}
		counts[k]++
	}
	data := make([]kv, 0, len(counts))
	for i, b := range ageBuckets {
		data = append(data, kv{b.label, counts[i]})
	}
	data = append(data, kv{unknownAge, counts[len(ageBuckets)]})
	note := "Time since the first commit that added the secret, measured from the newest commit in this report"
	switch {
	case asOf:
		note = "Time since the first commit that added the secret, as of " + ref.Format("2006-01-02") + "."
	case haveRef:
		note += " (" + ref.Format("2006-01-02") + ")."
	default:
		note += "; this report has no dated commit."
	}
	c := barChart("by-age", "Exposure age", note, data, "#00897b", "")
	return c
}

// reference is the newest commit date in the report: without a day to
// count to, exposure ages are counted to it, so that the same report
// always renders the same page.
func reference(r *finding.Report) (time.Time, bool) { return r.NewestCommitDate() }

// pathParts cuts a path after each "/", so that the page can offer a line
// break there (and nowhere inside a name).
func pathParts(p string) []string {
	var out []string
	for {
		i := strings.IndexByte(p, '/')
		if i < 0 || i == len(p)-1 {
			return append(out, p)
		}
		out = append(out, p[:i+1])
		p = p[i+1:]
	}
}

func shorten(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// csp allows the page's own inline style and script, by hash, and nothing
// else: no fetch, no image, no font, no frame, no form.
var csp = sync.OnceValue(func() string {
	return "default-src 'none'; style-src " + hash(style) + "; script-src " + hash(script) +
		"; img-src 'none'; base-uri 'none'; form-action 'none'"
})

// page is parsed when a page is first written, not when the program
// starts: most runs write no HTML.
var page = sync.OnceValue(func() *htmltemplate.Template {
	return htmltemplate.Must(htmltemplate.New("report").Funcs(htmltemplate.FuncMap{
		"sevclass": func(s string) string { return "sev sev-" + s },
		"parts":    pathParts,
	}).Parse(pageHead + "<style>" + style + "</style>\n" + pageBody + "<script>" + script + "</script>\n</body>\n</html>\n"))
})
