package hostile

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
)

// rawValues are every raw secret the inputs hold: the planted ones and the
// mock console's.
func rawValues() map[string]string {
	raw := map[string]string{
		"mockconsole messaging secret": fakecred.ChannelSecret("mockconsole/messaging/channel-secret"),
		"mockconsole login secret":     fakecred.ChannelSecret("mockconsole/login/channel-secret"),
		"mockconsole access token":     fakecred.AccessToken("mockconsole/messaging/channel-access-token"),
	}
	for k, v := range planted {
		raw[k] = v
	}
	return raw
}

// leakCheck collects everything the runs print and write.
type leakCheck struct {
	t     *testing.T
	raw   map[string]string
	dirs  []string // every file under these is read at the end
	runs  int
	texts int
}

func (c *leakCheck) look(what, text string) {
	c.t.Helper()
	c.texts++
	for name, v := range c.raw {
		if strings.Contains(text, v) {
			c.t.Errorf("%s holds the raw %s", what, name)
		}
	}
}

// redact replaces every raw value in text by its name, for error messages.
func (c *leakCheck) redact(text string) string {
	for name, v := range c.raw {
		text = strings.ReplaceAll(text, v, "<raw "+name+">")
	}
	return text
}

func (c *leakCheck) run(o runOpts, args ...string) result {
	c.t.Helper()
	r := run(c.t, o, args...)
	c.runs++
	c.look(fmt.Sprintf("stdout of %q", args), r.stdout)
	c.look(fmt.Sprintf("stderr of %q", args), r.stderr)
	return r
}

// expect is what one run must do besides leaking nothing: end with code,
// and report every value named in values (keys of rawValues) in its
// stdout or in one of files. A value counts as reported when its
// secret_sha256 is there, or, for a format that shows no hash (markdown),
// its preview. A run that failed and printed nothing passes no leak check
// without failing this.
type expect struct {
	code   int
	values []string
	files  []string // written by the run; read after it, before the leak check of c.files
	// preview accepts the redacted preview (first characters and length)
	// instead of the hash: the markdown report shows no hash.
	preview bool
	// say are strings stdout or stderr must hold (for runs that report no
	// value: what they must say instead)
	say []string
}

func (c *leakCheck) check(o runOpts, want expect, args ...string) result {
	c.t.Helper()
	r := c.run(o, args...)
	name := fmt.Sprintf("%q", args)
	if r.code != want.code {
		c.t.Errorf("%s: exit %d, want %d\nstderr: %s", name, r.code, want.code, c.redact(r.stderr))
	}
	text := r.stdout
	for _, f := range want.files {
		data, err := os.ReadFile(f)
		if err != nil {
			c.t.Errorf("%s: %v", name, err)
			continue
		}
		text += string(data)
	}
	for _, v := range c.missing(text, want.values, want.preview) {
		c.t.Errorf("%s: does not report the planted %s: exit %d, %d bytes of report\nstderr: %s",
			name, v, r.code, len(text), c.redact(r.stderr))
	}
	for _, w := range want.say {
		if !strings.Contains(r.stdout, w) && !strings.Contains(r.stderr, w) {
			c.t.Errorf("%s: exit %d, output does not say %q\nstderr: %s", name, r.code, w, c.redact(r.stderr))
		}
	}
	if os.Getenv("HOSTILE_DEBUG") != "" {
		var got []string
		for v, raw := range c.raw {
			if strings.Contains(text, finding.SecretHash(raw)) || strings.Contains(text, finding.Preview(raw)) {
				got = append(got, v)
			}
		}
		sort.Strings(got)
		c.t.Logf("DEBUG %s: exit %d reports %q", name, r.code, got)
	}
	return r
}

// missing returns the values (names in c.raw) text does not report: neither
// their secret_sha256 nor, with preview, their preview is in it.
func (c *leakCheck) missing(text string, values []string, preview bool) []string {
	c.t.Helper()
	var out []string
	// the Markdown report keeps a preview on one line with no-break spaces
	text = strings.ReplaceAll(text, "\u00a0", " ")
	for _, v := range values {
		raw, ok := c.raw[v]
		if !ok {
			c.t.Fatalf("no planted value %q", v)
		}
		if strings.Contains(text, finding.SecretHash(raw)) || (preview && strings.Contains(text, finding.Preview(raw))) {
			continue
		}
		out = append(out, fmt.Sprintf("%s (sha256 %s, preview %q)", v, finding.SecretHash(raw), finding.Preview(raw)))
	}
	return out
}

func (c *leakCheck) files() {
	c.t.Helper()
	for _, d := range c.dirs {
		filepath.Walk(d, func(p string, info os.FileInfo, err error) error {
			if err == nil && info.Mode().IsRegular() {
				data, _ := os.ReadFile(p)
				c.look("file "+p, string(data))
			}
			return nil
		})
	}
}

// No raw secret in any output: every command, every format, -v logs, and
// the errors of runs that fail over the secret's own file. Each run's exit
// code is checked, and so is that it reported the planted values it was
// given (by hash, or preview where the format shows no hash): a run that
// failed and printed nothing would pass the leak check alone.
func TestNoRawSecretInAnyOutput(t *testing.T) {
	repo := plantedRepo(t)
	captures := filepath.Join(repoRoot, "testdata", "captures")
	member := filepath.Join(captures, "console-member.har")
	out := t.TempDir()
	c := &leakCheck{t: t, raw: rawValues(), dirs: []string{out}}
	// the inputs hold the values (else the test proves nothing)
	for _, f := range []string{member, filepath.Join(captures, "console-admin.har")} {
		data, _ := os.ReadFile(f)
		if !strings.Contains(string(data), c.raw["mockconsole messaging secret"]) && !strings.Contains(string(data), c.raw["mockconsole access token"]) {
			t.Errorf("%s holds no mock console value", f)
		}
	}

	// what each input reports: the repository every planted value (its
	// history holds them all), --no-history what is at HEAD and in the
	// working tree; the captures the mock console's values
	history := []string{"secret-a", "secret-b", "token", "notify", "uncommitted"}
	atHead := []string{"secret-a", "token", "notify", "uncommitted"}
	console := []string{"mockconsole messaging secret", "mockconsole login secret", "mockconsole access token"}
	formats := []string{"text", "json", "sarif", "csv", "markdown", "html"}
	inputs := []struct {
		name              string
		args              []string
		values, noHistory []string
	}{
		{"repo", []string{repo.Dir}, history, atHead},
		{"member", []string{member, "--role", "member"}, console, console},
		{"compared", []string{"--capture", filepath.Join(captures, "console-admin.har") + ":admin", "--capture", member + ":member", "--capture", filepath.Join(captures, "console-tester.har") + ":tester"}, console, console},
	}
	for _, in := range inputs {
		for _, f := range formats {
			md := f == "markdown"
			c.check(runOpts{}, expect{code: 1, values: in.values, preview: md}, append(append([]string{"scan"}, in.args...), "-f", f, "-v")...)
			file := filepath.Join(out, in.name+"."+f)
			c.check(runOpts{}, expect{code: 1, values: in.values, files: []string{file}, preview: md}, append(append([]string{"scan"}, in.args...), "-f", f, "-o", file)...)
		}
		c.check(runOpts{}, expect{code: 1, values: in.noHistory}, append(append([]string{"scan"}, in.args...), "--no-history", "-f", "json")...)
	}
	report := filepath.Join(out, "repo.json")
	memberReport := filepath.Join(out, "member.json")
	for _, f := range formats {
		md := f == "markdown"
		c.check(runOpts{}, expect{code: 0, values: history, preview: md}, "report", "--from", report, "-f", f)
		file := filepath.Join(out, "from-member."+f)
		c.check(runOpts{}, expect{code: 0, values: console, files: []string{file}, preview: md}, "report", "--from", memberReport, "-f", f, "-o", file)
		// NEW is the repository's report: its findings are all new
		c.check(runOpts{}, expect{code: 0, values: history, preview: md}, "report", "diff", memberReport, report, "-f", f)
	}
	// every finding is in the baseline: nothing new, exit 0
	c.check(runOpts{}, expect{code: 0, say: []string{"No secrets found", fmt.Sprintf("%d findings already in the baseline", len(history))}}, "scan", repo.Dir, "--baseline", report, "-v")
	c.check(runOpts{}, expect{code: 0, say: []string{"line-channel-secret", "line-channel-access-token", "line-notify-token"}}, "rules")

	// failing runs over the secrets' own files
	secretFile := filepath.Join(repo.Dir, "bot", "app.py")
	envFile := filepath.Join(repo.Dir, "local.env")
	for _, args := range [][]string{
		{"scan", repo.Dir, "--config", secretFile},
		{"scan", repo.Dir, "--config", envFile},
		{"scan", repo.Dir, "--baseline", secretFile},
		{"scan", repo.Dir, "--policy", envFile},
		{"scan", secretFile, "--role", "member"},
		{"scan", envFile, "--role", "member"},
		{"report", "--from", envFile},
		{"report", "diff", envFile, secretFile},
		{"report", "merge", envFile},
		{"scan", repo.Dir, "--capture", envFile + ":member"},
	} {
		c.check(runOpts{}, expect{code: 2}, args...)
	}

	// pr, over a push of the planted commits; the API is unreachable
	event := filepath.Join(out, "event.json")
	base := repo.Git("rev-list", "--max-parents=0", "HEAD")
	write(t, event, []byte(fmt.Sprintf(`{"before":%q,"after":%q,"ref":"refs/heads/main","repository":{"full_name":"o/r","default_branch":"main"}}`, base, repo.Git("rev-parse", "HEAD"))))
	prEnv := []string{"GITHUB_EVENT_NAME=push", "GITHUB_EVENT_PATH=" + event, "GITHUB_WORKSPACE=" + repo.Dir,
		"GITHUB_REPOSITORY=o/r", "GITHUB_API_URL=http://127.0.0.1:1", "GITHUB_TOKEN=" + fakeToken,
		"GITHUB_STEP_SUMMARY=" + filepath.Join(out, "summary.md"), "GITHUB_OUTPUT=" + filepath.Join(out, "gh-output")}
	prSARIF := filepath.Join(out, "pr.sarif")
	// the push leaves out the first commit: only the Notify token is new
	// (the secrets of the first commit are the base's)
	c.check(runOpts{env: prEnv}, expect{code: 1, values: []string{"notify"}, files: []string{prSARIF, filepath.Join(out, "summary.md")}}, "pr", "-v", "--sarif", prSARIF, "--no-review-comments")

	// org, from a fake API listing one repository served over HTTPS by
	// git http-backend (org clones https URLs only); the working tree's
	// uncommitted value is not in the clone
	bare := filepath.Join(t.TempDir(), "app.git")
	git(t, repoRoot, "clone", "-q", "--bare", repo.Dir, bare)
	cloneURL, ca := gitHTTPS(t, bare)
	srv := fakeOrgAPI(t, cloneURL)
	cache := t.TempDir()
	c.dirs = append(c.dirs, cache)
	committed := []string{"secret-a", "secret-b", "token", "notify"}
	orgEnv := []string{"GITHUB_API_URL=" + srv.URL, "GITHUB_TOKEN=" + fakeToken, "GIT_SSL_CAINFO=" + ca}
	orgReport := filepath.Join(out, "org", "findings.json")
	orgFiles := []string{orgReport}
	for _, f := range []string{"channelguard.sarif", "findings.csv", "report.md", "report.html"} {
		orgFiles = append(orgFiles, filepath.Join(out, "org", f))
	}
	// it prints no report with --out: it writes five, checked one by one
	c.check(runOpts{env: orgEnv}, expect{code: 1, say: []string{fmt.Sprintf("%d findings", len(committed))}}, "org", "acme", "--out", filepath.Join(out, "org"), "--cache", cache, "-v")
	for _, f := range orgFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Errorf("org: %v", err)
			continue
		}
		for _, v := range c.missing(string(data), committed, strings.HasSuffix(f, ".md")) {
			t.Errorf("org: %s does not report the planted %s", filepath.Base(f), v)
		}
	}
	// the second run reads nothing new; the findings come from the cache
	c.check(runOpts{env: orgEnv}, expect{code: 1, values: committed}, "org", "acme", "--cache", cache)
	// the run's report given twice as shards of one run
	merged := filepath.Join(out, "merged.json")
	c.check(runOpts{}, expect{code: 0, values: committed, files: []string{merged}}, "report", "merge", orgReport, orgReport, "-o", merged)

	c.files()
	c.look("nothing", "") // keeps the counter honest when nothing ran
	t.Logf("%d runs, %d outputs and files checked for %d raw values", c.runs, c.texts, len(c.raw))
}

// fakeToken stands for GITHUB_TOKEN: it must never be printed.
const fakeToken = "ghp_HOSTILEmarker0123456789abcdefghijklmnop"

// gitHTTPS serves the bare repository over HTTPS with git http-backend and
// returns its clone URL and the PEM file of the server's certificate, for
// GIT_SSL_CAINFO.
func gitHTTPS(t *testing.T, bare string) (cloneURL, caFile string) {
	t.Helper()
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(&cgi.Handler{
		Path: gitPath,
		Args: []string{"http-backend"},
		Env: []string{"GIT_PROJECT_ROOT=" + filepath.Dir(bare), "GIT_HTTP_EXPORT_ALL=1",
			"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME=" + t.TempDir()},
	})
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	write(t, caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	return srv.URL + "/" + filepath.Base(bare), caFile
}

func fakeOrgAPI(t *testing.T, cloneURL string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		repo := map[string]any{"full_name": "acme/app", "name": "app", "clone_url": cloneURL, "html_url": "https://github.com/acme/app", "default_branch": "main", "size": 1}
		switch r.URL.Path {
		case "/orgs/acme/repos":
			json.NewEncoder(w).Encode([]any{repo})
		case "/repos/acme/app":
			json.NewEncoder(w).Encode(repo)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Not Found"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// GITHUB_TOKEN is never printed: not by scan -v, not by pr (API
// unreachable, so every call fails and is reported), not by org.
func TestTokenNeverPrinted(t *testing.T) {
	repo := plantedRepo(t)
	out := t.TempDir()
	c := &leakCheck{t: t, raw: map[string]string{"GITHUB_TOKEN": fakeToken}, dirs: []string{out}}
	env := []string{"GITHUB_TOKEN=" + fakeToken, "GITHUB_API_URL=http://127.0.0.1:1"}
	c.run(runOpts{env: env}, "scan", repo.Dir, "-v")
	c.run(runOpts{env: env}, "scan", repo.Dir, "-v", "--verify", "-f", "json")

	event := filepath.Join(out, "event.json")
	head := repo.Git("rev-parse", "HEAD")
	base := repo.Git("rev-list", "--max-parents=0", "HEAD")
	write(t, event, []byte(fmt.Sprintf(`{"number":7,"pull_request":{"number":7,"base":{"sha":%q,"ref":"main","repo":{"full_name":"o/r"}},"head":{"sha":%q,"repo":{"full_name":"o/r"}}},"repository":{"full_name":"o/r","html_url":"https://github.example/o/r","default_branch":"main"}}`, base, head)))
	prEnv := append(env, "GITHUB_EVENT_NAME=pull_request", "GITHUB_EVENT_PATH="+event, "GITHUB_WORKSPACE="+repo.Dir,
		"GITHUB_REPOSITORY=o/r", "GITHUB_STEP_SUMMARY="+filepath.Join(out, "summary.md"), "GITHUB_OUTPUT="+filepath.Join(out, "gh-output"))
	r := c.run(runOpts{env: prEnv}, "pr", "-v", "--sarif", filepath.Join(out, "pr.sarif"), "--upload-sarif")
	if r.code != 1 {
		t.Errorf("pr: exit %d, want 1 (findings; API failures are warnings)\nstderr: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "127.0.0.1:1") {
		t.Errorf("pr does not report the unreachable API:\n%s", r.stderr)
	}
	c.run(runOpts{env: prEnv}, "pr", "--token", fakeToken, "--sarif", filepath.Join(out, "pr2.sarif"), "--no-comment", "--no-review-comments")
	c.run(runOpts{env: env}, "org", "acme", "--out", filepath.Join(out, "org"), "--cache", filepath.Join(out, "cache"), "-v")
	c.files()
}
