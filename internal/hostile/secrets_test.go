package hostile

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

func (c *leakCheck) run(o runOpts, args ...string) result {
	c.t.Helper()
	r := run(c.t, o, args...)
	c.runs++
	c.look(fmt.Sprintf("stdout of %q", args), r.stdout)
	c.look(fmt.Sprintf("stderr of %q", args), r.stderr)
	return r
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
// the errors of runs that fail over the secret's own file.
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
			t.Logf("%s holds no mock console value", f)
		}
	}

	formats := []string{"text", "json", "sarif", "csv", "markdown", "html"}
	inputs := map[string][]string{
		"repo":     {repo.Dir},
		"member":   {member, "--role", "member"},
		"compared": {"--capture", filepath.Join(captures, "console-admin.har") + ":admin", "--capture", member + ":member", "--capture", filepath.Join(captures, "console-tester.har") + ":tester"},
	}
	for name, in := range inputs {
		for _, f := range formats {
			c.run(runOpts{}, append(append([]string{"scan"}, in...), "-f", f, "-v")...)
			c.run(runOpts{}, append(append([]string{"scan"}, in...), "-f", f, "-o", filepath.Join(out, name+"."+f))...)
		}
		c.run(runOpts{}, append(append([]string{"scan"}, in...), "--no-history", "-f", "json")...)
	}
	report := filepath.Join(out, "repo.json")
	for _, f := range formats {
		c.run(runOpts{}, "report", "--from", report, "-f", f)
		c.run(runOpts{}, "report", "--from", filepath.Join(out, "member.json"), "-f", f, "-o", filepath.Join(out, "from-member."+f))
		c.run(runOpts{}, "report", "diff", filepath.Join(out, "member.json"), report, "-f", f)
	}
	c.run(runOpts{}, "report", "merge", report, filepath.Join(out, "member.json"), "-o", filepath.Join(out, "merged.json"))
	c.run(runOpts{}, "scan", repo.Dir, "--baseline", report, "-v")
	c.run(runOpts{}, "rules")

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
		if r := c.run(runOpts{}, args...); r.code != 2 {
			t.Errorf("%q: exit %d, want 2", args, r.code)
		}
	}

	// pr, over a push of the planted commits; the API is unreachable
	event := filepath.Join(out, "event.json")
	base := repo.Git("rev-list", "--max-parents=0", "HEAD")
	write(t, event, []byte(fmt.Sprintf(`{"before":%q,"after":%q,"ref":"refs/heads/main","repository":{"full_name":"o/r","default_branch":"main"}}`, base, repo.Git("rev-parse", "HEAD"))))
	prEnv := []string{"GITHUB_EVENT_NAME=push", "GITHUB_EVENT_PATH=" + event, "GITHUB_WORKSPACE=" + repo.Dir,
		"GITHUB_REPOSITORY=o/r", "GITHUB_API_URL=http://127.0.0.1:1", "GITHUB_TOKEN=" + fakeToken,
		"GITHUB_STEP_SUMMARY=" + filepath.Join(out, "summary.md"), "GITHUB_OUTPUT=" + filepath.Join(out, "gh-output")}
	c.run(runOpts{env: prEnv}, "pr", "-v", "--sarif", filepath.Join(out, "pr.sarif"), "--no-review-comments")

	// org, from a fake API listing one repository cloned from disk
	bare := filepath.Join(t.TempDir(), "app.git")
	git(t, repoRoot, "clone", "-q", "--bare", repo.Dir, bare)
	srv := fakeOrgAPI(t, bare)
	cache := t.TempDir()
	c.dirs = append(c.dirs, cache)
	c.run(runOpts{env: []string{"GITHUB_API_URL=" + srv.URL, "GITHUB_TOKEN=" + fakeToken}}, "org", "acme", "--out", filepath.Join(out, "org"), "--cache", cache, "-v")
	c.run(runOpts{env: []string{"GITHUB_API_URL=" + srv.URL, "GITHUB_TOKEN=" + fakeToken}}, "org", "acme", "--cache", cache)

	c.files()
	c.look("nothing", "") // keeps the counter honest when nothing ran
	t.Logf("%d runs, %d outputs and files checked for %d raw values", c.runs, c.texts, len(c.raw))
}

// fakeToken stands for GITHUB_TOKEN: it must never be printed.
const fakeToken = "ghp_HOSTILEmarker0123456789abcdefghijklmnop"

func fakeOrgAPI(t *testing.T, bare string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		repo := map[string]any{"full_name": "acme/app", "name": "app", "clone_url": "file://" + bare, "html_url": "https://github.com/acme/app", "default_branch": "main", "size": 1}
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
