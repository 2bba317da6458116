package html

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

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
			"Fixed since the last report", "<td class=\"path\">old.env:1</td>",
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
		"cfg/&lt;script&gt;alert(&#34;path&#34;)&lt;/script&gt;|`x`.env:2</td>",
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
