package html

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/teamreport/teamreporttest"
)

func write(t *testing.T, r *finding.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func singleScan() *finding.Report {
	r := teamreporttest.Report()
	r.Repositories, r.Changes = nil, nil
	for i := range r.Findings {
		r.Findings[i].Repository = ""
		r.Findings[i].Change = ""
	}
	return r
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name      string
		rep       *finding.Report
		want, not []string
	}{
		{"empty", &finding.Report{}, []string{"<p>No findings.</p>", "this report has no dated commit"},
			[]string{"Repositories not scanned", "Fixed since", `id="findings"`, `id="by-repository"`}},
		{"team report", teamreporttest.Report(), []string{
			"<title>channelguard report: github.com/acme</title>",
			`<span class="n">5</span> findings`,
			`<span class="n">1</span> critical`, `<span class="n">1</span> info`,
			`<span class="n">3</span> repositories`, `<span class="n">1</span> failed to scan`,
			`<span class="n">2</span> new`, `<span class="n">3</span> still open`, `<span class="n">1</span> fixed`,
			"<h2 id=\"h-failed\">Repositories not scanned</h2>",
			"<td>acme/web</td><td class=\"err\">clone: authentication required &lt;b&gt;</td>",
			`id="by-repository"`, `id="by-rule"`, `id="by-age"`,
			"<title>acme/bot: 3</title>",
			// exposure ages from 2025-11-25 (the newest commit), one finding per bucket
			"<title>&lt; 1 week: 1</title>", "<title>&lt; 1 month: 1</title>", "<title>&lt; 1 year: 1</title>",
			"<title>1 year or more: 1</title>", "<title>unknown: 1</title>",
			"(2025-11-25).",
			`<a href="` + teamreporttest.HelpURI + `" rel="noopener noreferrer">rule help</a>`,
			`<span class="badge new">new</span>`, `<span class="badge verify-live">live</span>`,
			"Fixed since the last report", "<td class=\"path\" title=\"old.env:1\"><span>old.env:1</span></td>",
			`<td>no, removed in ddddeeee</td>`,
			"reports/2025-11-18.json",
		}, []string{"javascript:", "NaN", "ZgotmplZ"}},
		{"single scan", singleScan(), []string{`id="by-rule"`, "<td>yes</td>"},
			[]string{`id="by-repository"`, "Repository</button>", "Fixed since"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := write(t, tt.rep)
			if out != write(t, tt.rep) {
				t.Error("two writes of one report differ")
			}
			for _, s := range tt.want {
				if !strings.Contains(out, s) {
					t.Errorf("no %q in the page", s)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(out, s) {
					t.Errorf("%q in the page", s)
				}
			}
			selfContained(t, out)
		})
	}
}

var (
	tagRE  = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9:-]*)\b[^>]*>`)
	attrRE = regexp.MustCompile(`\s([a-zA-Z:-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)
)

// selfContained fails when the page could load anything: only <a href>
// may hold an address, and there is no external script, stylesheet,
// import or url().
func selfContained(t *testing.T, page string) {
	t.Helper()
	lower := strings.ToLower(page)
	for _, bad := range []string{"<script src", "<link", "@import", "url(", "<img", "<iframe", "<object", "<embed", "srcset", "//cdn"} {
		if strings.Contains(lower, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	if n := strings.Count(lower, "<script"); n != 1 {
		t.Errorf("%d <script> elements, want exactly the one inline script", n)
	}
	for _, m := range tagRE.FindAllStringSubmatch(page, -1) {
		tag := strings.ToLower(m[1])
		for _, a := range attrRE.FindAllStringSubmatch(m[0], -1) {
			name, val := strings.ToLower(a[1]), strings.ToLower(a[2])
			if name == "src" || name == "xlink:href" || name == "action" || name == "data" || name == "poster" {
				t.Errorf("<%s %s=%s>: no element may load anything", tag, name, val)
			}
			if name == "href" && tag != "a" {
				t.Errorf("<%s href=%s>: only <a> may link", tag, val)
			}
			if name == "href" && !strings.HasPrefix(val, `"https://`) && !strings.HasPrefix(val, `"http://`) && !strings.HasPrefix(val, `"#`) {
				t.Errorf("<a href=%s>: a link is a plain web address", val)
			}
			if strings.HasPrefix(name, "on") {
				t.Errorf("<%s %s>: no inline event handlers", tag, name)
			}
		}
	}
	// The CSP names the exact hashes of the inline style and script.
	for _, el := range []string{"style", "script"} {
		i, j := strings.Index(page, "<"+el+">"), strings.Index(page, "</"+el+">")
		if i < 0 || j < i {
			t.Fatalf("no <%s>", el)
		}
		sum := sha256.Sum256([]byte(page[i+len(el)+2 : j]))
		h := "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
		h = strings.ReplaceAll(h, "+", "&#43;")
		if !strings.Contains(page, el+"-src &#39;"+h+"&#39;") {
			t.Errorf("the Content-Security-Policy does not allow the page's own <%s> (%s)", el, h)
		}
	}
	if !strings.Contains(page, "default-src &#39;none&#39;") {
		t.Error("no default-src 'none' in the Content-Security-Policy")
	}
}

func TestEscaping(t *testing.T) {
	out := write(t, teamreporttest.Report())
	for _, raw := range []string{`<script>alert(`, `alert("repo")`, `alert("path")`, "<b>"} {
		if strings.Contains(out, raw) {
			t.Errorf("unescaped %q in the page", raw)
		}
	}
	for _, esc := range []string{
		`<td>acme/&lt;script&gt;alert(&#34;repo&#34;)&lt;/script&gt;</td>`,
		"<span>cfg/</span><wbr><span>&lt;script&gt;alert(&#34;path&#34;)&lt;/</span><wbr><span>script&gt;|`x`.env:2</span></td>",
	} {
		if !strings.Contains(out, esc) {
			t.Errorf("no %q in the page", esc)
		}
	}
}

func TestExposureAgeUsesReportTime(t *testing.T) {
	// The same report renders the same ages whenever it is rendered: only
	// commit dates in the report matter.
	r := &finding.Report{Findings: []finding.Finding{{
		RuleID: "x", Severity: finding.High, Fingerprint: "1",
		Commit:   &finding.Commit{SHA: "b", Date: "2020-01-10T00:00:00Z"},
		Exposure: finding.Exposure{FirstCommit: &finding.Commit{SHA: "a", Date: "2020-01-01T00:00:00Z"}, StillAtHead: true},
	}}}
	out := write(t, r)
	if !strings.Contains(out, "<title>&lt; 1 month: 1</title>") || !strings.Contains(out, "(2020-01-10).") {
		t.Error("age not measured from the newest commit in the report")
	}
}

func writeWith(t *testing.T, r *finding.Report, opt Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteWith(&buf, r, opt); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// agedReport has one secret first committed by Alice on 2024-05-01 in a
// deep path, still at HEAD, in a scan of "." of the repository acme/api.
func agedReport() *finding.Report {
	first := &finding.Commit{SHA: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d", Author: "Alice Example", Email: "alice@example.com", Date: "2024-05-01T09:00:00Z"}
	newest := &finding.Commit{SHA: "9999999999999999999999999999999999999999", Author: "Bob", Date: "2024-06-01T09:00:00Z"}
	return &finding.Report{Target: ".", Name: "acme/api", Findings: []finding.Finding{{
		RuleID: "line-channel-secret", Severity: finding.High, Fingerprint: "1", SecretPreview: "c3d7… (32 chars)", SecretSHA256: "869a194bd246",
		Location: finding.Location{Path: "services/line-bot/config/production.env", StartLine: 7},
		Commit:   newest,
		Exposure: finding.Exposure{FirstCommit: first, StillAtHead: true},
	}}}
}

func TestTitleNamesTheRepository(t *testing.T) {
	out := write(t, agedReport())
	if !strings.Contains(out, "<title>channelguard report: acme/api</title>") || !strings.Contains(out, "<h1>channelguard report: acme/api</h1>") {
		t.Errorf("title does not name acme/api:\n%s", out[:min(len(out), 600)])
	}
	r := agedReport()
	r.Name = "" // an older report of "."
	out = write(t, r)
	if !strings.Contains(out, "<title>channelguard report</title>") || strings.Contains(out, "report: .") {
		t.Error(`a report of "." without a name is titled with "."`)
	}
}

func TestAgesCountedToAsOf(t *testing.T) {
	r := agedReport()
	day := func(s string) time.Time {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tt := range []struct {
		asOf, age, key, bucket string
	}{
		{"2024-05-03", "2 days", "2", "<title>&lt; 1 week: 1</title>"},
		{"2025-07-01", "1 year 2 months", "426", "<title>1 year or more: 1</title>"},
	} {
		out := writeWith(t, r, Options{AsOf: day(tt.asOf)})
		for _, want := range []string{
			`<td class="age" data-v="` + tt.key + `" title="` + tt.key + ` days since 2024-05-01, as of ` + tt.asOf + `">` + tt.age + `</td>`,
			`Exposure ages as of <span class="date">` + tt.asOf + `</span>.`,
			tt.bucket, "as of " + tt.asOf + ".</p>",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("as of %s: no %q in the page", tt.asOf, want)
			}
		}
		if out != writeWith(t, r, Options{AsOf: day(tt.asOf)}) {
			t.Error("two writes with one --as-of differ")
		}
	}
	// without a day: counted to the newest commit (2024-06-01), as before
	if out := write(t, r); !strings.Contains(out, `data-v="31" title="31 days since 2024-05-01, as of 2024-06-01">31 days</td>`) {
		t.Error("without AsOf the age is not counted to the newest commit")
	}
}

// The introducer column names the first commit and its author (not the
// e-mail address), so a team lead knows whom to ask.
func TestIntroducerColumn(t *testing.T) {
	out := write(t, agedReport())
	if !strings.Contains(out, `<th data-type="text"><button type="button">Introduced by</button></th>`) ||
		!strings.Contains(out, `<td><code class="sha">1a2b3c4d</code> Alice Example</td>`) {
		t.Error("no introducer column naming 1a2b3c4d and Alice Example")
	}
	if strings.Contains(out, "alice@example.com") {
		t.Error("the page shows the author's e-mail address")
	}
	if strings.Contains(out, `<code class="sha">99999999</code>`) {
		t.Error("the introducer is the newest commit, not the first")
	}
}

// Dates, previews, ages and commit ids never wrap inside; a path wraps
// only after a "/".
func TestNoWrapInsideTokens(t *testing.T) {
	out := write(t, agedReport())
	for _, want := range []string{
		`<td class="path" data-v="services/line-bot/config/production.env` + "\t" + `000000007" title="services/line-bot/config/production.env:7"><span>services/</span><wbr><span>line-bot/</span><wbr><span>config/</span><wbr><span>production.env:7</span></td>`,
		`<td class="date">2024-05-01</td>`,
		`<td class="preview" title="sha256 869a194bd246">c3d7… (32 chars)</td>`,
		`td.path span,td.preview,td.date,td.age,.date,code.sha,.sev,.badge{white-space:nowrap}`,
		`<div class="scroll">`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the page", want)
		}
	}
	if strings.Contains(style, "break-all") {
		t.Error("the style breaks words anywhere")
	}
}
