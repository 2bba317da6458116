package html

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	htmlstd "html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/channelguard/channelguard/finding"
)

// chromium finds a Chromium or Chrome to render with: $CHANNELGUARD_CHROMIUM,
// else the first of the usual names on PATH.
func chromium() string {
	if p := os.Getenv("CHANNELGUARD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// measure is run in the page: for every element a selector names it
// counts the lines the element's text takes (distinct tops of its line
// boxes) and writes what wrapped into the DOM, where --dump-dom shows it.
// A control paragraph, narrow on purpose, must wrap: it proves the
// counting sees a wrap when there is one.
const measure = `
(function () {
  function lines(el) {
    var r = document.createRange();
    r.selectNodeContents(el);
    var tops = [];
    Array.prototype.forEach.call(r.getClientRects(), function (x) {
      if (x.width > 0 && x.height > 0) { tops.push(x.top); }
    });
    tops.sort(function (a, b) { return a - b; });
    var n = 0, last = -1e9;
    tops.forEach(function (t) { if (t - last > 3) { n++; last = t; } });
    return n;
  }
  var control = document.createElement("p");
  control.textContent = "2024-05-01 and a few more words";
  control.style.width = "60px";
  document.body.appendChild(control);
  var out = {control: lines(control), wrapped: [], checked: 0, pathLines: []};
  var sel = "td.date, td.age, td.preview, code.sha, td.path span, span.sev, .meta .date";
  Array.prototype.forEach.call(document.querySelectorAll(sel), function (el) {
    if (el.textContent.trim() === "") { return; }
    out.checked++;
    var n = lines(el);
    if (n !== 1) { out.wrapped.push(el.className + " " + el.tagName + " '" + el.textContent + "': " + n + " lines"); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("#findings td.path"), function (el) {
    out.pathLines.push(lines(el));
  });
  var scroll = document.querySelector(".scroll");
  out.pageOverflow = document.documentElement.scrollWidth > window.innerWidth + 1;
  out.tableScrolls = scroll ? scroll.scrollWidth > scroll.clientWidth : false;
  document.body.setAttribute("data-layout", JSON.stringify(out));
}());
`

type layout struct {
	Control      int      `json:"control"`
	Wrapped      []string `json:"wrapped"`
	Checked      int      `json:"checked"`
	PathLines    []int    `json:"pathLines"`
	PageOverflow bool     `json:"pageOverflow"`
	TableScrolls bool     `json:"tableScrolls"`
}

var layoutAttr = regexp.MustCompile(`data-layout="([^"]*)"`)

// render opens page in headless Chromium at the given window width and
// returns what measure wrote.
func render(t *testing.T, bin, page string, width int) layout {
	t.Helper()
	// The page's CSP admits its own script by hash; admit measure's too.
	sum := sha256.Sum256([]byte(measure))
	h := "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
	if !strings.Contains(page, "script-src ") {
		t.Fatal("no script-src in the page's CSP")
	}
	page = strings.Replace(page, "script-src ", "script-src &#39;"+h+"&#39; ", 1)
	page = strings.Replace(page, "</body>", "<script>"+measure+"</script>\n</body>", 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, []byte(page), 0o600); err != nil {
		t.Fatal(err)
	}
	// The timeout only guards against a browser that hangs.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir="+filepath.Join(dir, "profile"), fmt.Sprintf("--window-size=%d,900", width),
		"--dump-dom", "file://"+file)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, lastLines(stderr.String(), 5))
	}
	m := layoutAttr.FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("the measuring script left no result (blocked by the CSP?); stderr:\n%s", lastLines(stderr.String(), 5))
	}
	var l layout
	if err := json.Unmarshal([]byte(htmlstd.UnescapeString(m[1])), &l); err != nil {
		t.Fatal(err)
	}
	return l
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// crowdedReport is a team report whose table has to fight for width:
// deep paths with long names, long previews, authors, every column.
func crowdedReport() *finding.Report {
	r := &finding.Report{Target: "github.com/acme", Repositories: []finding.RepoScan{
		{Name: "acme/line-messaging-platform-gateway", Status: finding.RepoOK},
		{Name: "acme/api", Status: finding.RepoOK},
	}}
	paths := []string{
		"services/line-messaging-platform-integration/webhook-handlers/production-configuration/channel-credentials.env",
		"deploy/kubernetes/overlays/production-asia-northeast1/secrets/line-channel-access-token.yaml",
		"a.env",
	}
	for i, p := range paths {
		first := &finding.Commit{SHA: fmt.Sprintf("%040d", i+1), Author: "Alexandra Example-Longname", Date: fmt.Sprintf("2023-0%d-15T10:00:00Z", i+1)}
		r.Findings = append(r.Findings, finding.Finding{
			Repository: []string{"acme/line-messaging-platform-gateway", "acme/api"}[i%2],
			RuleID:     "line-channel-access-token", Severity: finding.Critical, Title: "LINE channel access token",
			Fingerprint: fmt.Sprint(i), SecretPreview: "eyJh… (172 chars)", SecretSHA256: "869a194bd246",
			Action:   "reissue the channel access token on the Messaging API tab of the LINE Developers console, then update the deployment in the same change window.",
			Location: finding.Location{Path: p, StartLine: 100 + i},
			Commit:   first,
			Exposure: finding.Exposure{FirstCommit: first, RemovedIn: &finding.Commit{SHA: fmt.Sprintf("%040d", 9), Date: "2024-01-01T00:00:00Z"}},
		})
	}
	return r
}

// TestLayoutInChromium renders the page in headless Chromium, narrow and
// wide, and checks that no date, age, preview, commit id or severity wraps
// inside, and that a path wraps only between its segments (each segment
// stays on one line). Skipped without a Chromium (.ci/run installs one).
func TestLayoutInChromium(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("no chromium on PATH (apt-get install chromium, or set CHANNELGUARD_CHROMIUM)")
	}
	page := writeWith(t, crowdedReport(), Options{AsOf: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)})
	for _, width := range []int{640, 1400} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			l := render(t, bin, page, width)
			if l.Control < 2 {
				t.Fatalf("the control paragraph did not wrap (%d lines): the measurement sees nothing", l.Control)
			}
			if l.Checked < 15 {
				t.Errorf("only %d elements measured", l.Checked)
			}
			for _, w := range l.Wrapped {
				t.Errorf("wrapped inside: %s", w)
			}
			if l.PageOverflow {
				t.Error("the page is wider than the window: the table should scroll in its own box")
			}
			t.Logf("path cells take %v lines; table scrolls: %v", l.PathLines, l.TableScrolls)
		})
	}
}
