package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
)

// fakeGitHub stands in for the GitHub REST API: it keeps issue comments,
// review comments and SARIF uploads of one pull request, pages lists 100 at
// a time with Link headers as GitHub does, and records every request.
type fakeGitHub struct {
	t        *testing.T
	srv      *httptest.Server
	repo     *gittest.Repo // to answer the PR files API from the real repository
	base     string
	head     string
	mu       sync.Mutex
	requests []string // "METHOD path"
	comments []map[string]any
	reviews  []map[string]any // posted reviews
	inline   []map[string]any // review comments
	uploads  [][]byte         // decoded SARIF of each upload
	refs     []string
	deny     map[string]int // "METHOD pathPrefix" → status to answer
	nextID   int
}

func newFakeGitHub(t *testing.T, repo *gittest.Repo) *fakeGitHub {
	g := &fakeGitHub{t: t, repo: repo, deny: map[string]int{}, nextID: 1000}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGitHub) count(method, prefix string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, r := range g.requests {
		if strings.HasPrefix(r, method+" "+prefix) {
			n++
		}
	}
	return n
}

var (
	reIssueComments = regexp.MustCompile(`^/repos/o/r/issues/(\d+)/comments$`)
	reIssueComment  = regexp.MustCompile(`^/repos/o/r/issues/comments/(\d+)$`)
	rePRFiles       = regexp.MustCompile(`^/repos/o/r/pulls/(\d+)/files$`)
	rePRComments    = regexp.MustCompile(`^/repos/o/r/pulls/(\d+)/comments$`)
	rePRReviews     = regexp.MustCompile(`^/repos/o/r/pulls/(\d+)/reviews$`)
	rePRCommits     = regexp.MustCompile(`^/repos/o/r/pulls/(\d+)/commits$`)
)

func (g *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/api/v3")
	g.requests = append(g.requests, r.Method+" "+path)
	if r.Header.Get("Authorization") != "Bearer test-token" && r.Header.Get("Authorization") != "token test-token" {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	for k, status := range g.deny {
		if strings.HasPrefix(r.Method+" "+path, k) {
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"message":"Resource not accessible by integration","status":"%d"}`, status)
			return
		}
	}
	var body map[string]any
	if r.Body != nil {
		data, _ := io.ReadAll(r.Body)
		if len(data) > 0 {
			_ = json.Unmarshal(data, &body)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == "GET" && reIssueComments.MatchString(path):
		g.page(w, r, g.comments)
	case r.Method == "POST" && reIssueComments.MatchString(path):
		g.nextID++
		c := map[string]any{"id": g.nextID, "body": body["body"]}
		g.comments = append(g.comments, c)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(c)
	case r.Method == "PATCH" && reIssueComment.MatchString(path):
		id, _ := strconv.Atoi(reIssueComment.FindStringSubmatch(path)[1])
		for _, c := range g.comments {
			if c["id"] == id {
				c["body"] = body["body"]
				json.NewEncoder(w).Encode(c)
				return
			}
		}
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	case r.Method == "GET" && rePRFiles.MatchString(path):
		g.page(w, r, g.files())
	case r.Method == "GET" && rePRComments.MatchString(path):
		g.page(w, r, g.inline)
	case r.Method == "GET" && rePRCommits.MatchString(path):
		g.page(w, r, nil)
	case r.Method == "POST" && rePRReviews.MatchString(path):
		g.reviews = append(g.reviews, body)
		cs, _ := body["comments"].([]any)
		for _, c := range cs {
			m := c.(map[string]any)
			g.nextID++
			m["id"] = g.nextID
			g.inline = append(g.inline, m)
		}
		json.NewEncoder(w).Encode(map[string]any{"id": g.nextID})
	case r.Method == "POST" && path == "/repos/o/r/code-scanning/sarifs":
		raw, err := base64.StdEncoding.DecodeString(fmt.Sprint(body["sarif"]))
		if err != nil {
			http.Error(w, `{"message":"sarif is not base64"}`, http.StatusBadRequest)
			return
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			http.Error(w, `{"message":"sarif is not gzip"}`, http.StatusBadRequest)
			return
		}
		data, _ := io.ReadAll(zr)
		g.uploads = append(g.uploads, data)
		g.refs = append(g.refs, fmt.Sprint(body["ref"])+" "+fmt.Sprint(body["commit_sha"]))
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprint(w, `{"id":"upload-1","url":"https://example.test/upload-1"}`)
	default:
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	}
}

// page answers a list request 100 (or per_page) items at a time, with a
// Link header to the next page.
func (g *fakeGitHub) page(w http.ResponseWriter, r *http.Request, all []map[string]any) {
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if per <= 0 || per > 100 {
		per = 30
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page <= 0 {
		page = 1
	}
	from := min((page-1)*per, len(all))
	to := min(from+per, len(all))
	if to < len(all) {
		next := *r.URL
		q := next.Query()
		q.Set("page", strconv.Itoa(page+1))
		q.Set("per_page", strconv.Itoa(per))
		next.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<%s%s>; rel="next"`, g.srv.URL, next.RequestURI()))
	}
	out := all[from:to]
	if out == nil {
		out = []map[string]any{}
	}
	json.NewEncoder(w).Encode(out)
}

// files is the PR files API from the real repository: each changed file
// with its unified diff hunks as "patch".
func (g *fakeGitHub) files() []map[string]any {
	names := g.repo.Git("diff", "--name-only", g.base, g.head)
	var out []map[string]any
	for _, name := range strings.Fields(names) {
		diff := g.repo.Git("diff", g.base, g.head, "--", name)
		if i := strings.Index(diff, "\n@@"); i >= 0 {
			diff = diff[i+1:]
		}
		out = append(out, map[string]any{"filename": name, "status": "modified", "patch": strings.TrimSuffix(diff, "\n")})
	}
	return out
}

// prEnv sets up GitHub Actions' environment for a pull_request event.
func prEnv(t *testing.T, g *fakeGitHub, dir string, pr int, base, head string) (summary, output string) {
	t.Helper()
	tmp := t.TempDir()
	event := filepath.Join(tmp, "event.json")
	payload := fmt.Sprintf(`{"number":%d,"pull_request":{"number":%d,"base":{"sha":%q,"ref":"main","repo":{"full_name":"o/r"}},"head":{"sha":%q,"repo":{"full_name":"o/r"}}},"repository":{"full_name":"o/r","html_url":"https://github.example/o/r","default_branch":"main"}}`, pr, pr, base, head)
	os.WriteFile(event, []byte(payload), 0o600)
	summary, output = filepath.Join(tmp, "summary.md"), filepath.Join(tmp, "output")
	for k, v := range map[string]string{
		"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event, "GITHUB_WORKSPACE": dir,
		"GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": g.srv.URL + "/api/v3", "GITHUB_TOKEN": "test-token",
		"GITHUB_STEP_SUMMARY": summary, "GITHUB_OUTPUT": output, "GITHUB_SERVER_URL": "https://github.example",
	} {
		t.Setenv(k, v)
	}
	g.base, g.head = base, head
	return summary, output
}

var (
	prSecret = fakecred.ChannelSecret("pr-secret")
	prToken  = fakecred.AccessToken("pr-token")
	prOld    = fakecred.ChannelSecret("pr-old")
)

// prRepo has a base with an old secret and a PR that adds two secrets in
// its first commit, then more commits.
func prRepo(t *testing.T, extraCommits int) (r *gittest.Repo, base, head string) {
	t.Helper()
	r = gittest.New(t)
	base = r.Commit("base", map[string]string{"README.md": "bot\n", "old.env": "LINE_CHANNEL_SECRET=" + prOld + "\n"})
	head = r.Commit("add the bot", map[string]string{
		"bot/app.py": "import os\n\nhandler = WebhookHandler('" + prSecret + "')\nline_bot_api = LineBotApi('" + prToken + "')\n",
		"old.env":    "LINE_CHANNEL_SECRET=" + prOld + "  # still here\n",
	})
	for i := range extraCommits {
		head = r.Commit(fmt.Sprintf("change %d", i), map[string]string{"notes.txt": strings.Repeat("line\n", i+1)})
	}
	return r, base, head
}

func commentBodies(g *fakeGitHub) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, c := range g.comments {
		out = append(out, fmt.Sprint(c["body"]))
	}
	return out
}

func assertNoPRSecret(t *testing.T, where, text string) {
	t.Helper()
	for i, s := range []string{prSecret, prToken, prOld, "test-token"} {
		if strings.Contains(text, s) {
			t.Errorf("%s holds secret #%d", where, i)
		}
	}
}

func TestPRFirstRunAndReRun(t *testing.T) {
	r, base, head := prRepo(t, 0)
	g := newFakeGitHub(t, r)
	// A busy PR: the sticky comment is on the second page.
	for i := range 120 {
		g.comments = append(g.comments, map[string]any{"id": i + 1, "body": fmt.Sprintf("comment %d", i)})
	}
	summary, output := prEnv(t, g, r.Dir, 7, base, head)
	sarifPath := filepath.Join(t.TempDir(), "out.sarif")

	res := runCLI(t, "pr", "--sarif", sarifPath, "--upload-sarif")
	if res.code != exitFindings {
		t.Fatalf("exit %d, want 1: %s", res.code, res.stderr)
	}
	// annotations on stdout, one per finding: the two new secrets, not the
	// base's old one although the PR touched its line
	if n := strings.Count(res.stdout, "::error file=bot/app.py,line="); n != 2 || strings.Contains(res.stdout, "old.env") {
		t.Errorf("annotations:\n%s", res.stdout)
	}
	out, _ := os.ReadFile(output)
	if !strings.Contains(string(out), "findings=2") || !strings.Contains(string(out), "sarif-file="+sarifPath) {
		t.Errorf("GITHUB_OUTPUT = %q", out)
	}
	sum, _ := os.ReadFile(summary)
	if !strings.Contains(string(sum), "bot/app.py") {
		t.Errorf("summary lacks the file: %q", sum)
	}
	bodies := commentBodies(g)
	if len(bodies) != 121 || !strings.HasPrefix(bodies[120], "<!-- channelguard -->") {
		t.Fatalf("want one new sticky comment after 120 others, have %d", len(bodies))
	}
	g.mu.Lock()
	reviews, inline := len(g.reviews), len(g.inline)
	for _, c := range g.inline {
		if c["path"] != "bot/app.py" || (fmt.Sprint(c["line"]) != "3" && fmt.Sprint(c["line"]) != "4") {
			t.Errorf("review comment off the secret lines: %v:%v", c["path"], c["line"])
		}
	}
	g.mu.Unlock()
	if reviews != 1 || inline != 2 {
		t.Errorf("reviews %d with %d comments, want 1 with 2", reviews, inline)
	}
	// the upload is the SARIF file, for the PR's head
	written, _ := os.ReadFile(sarifPath)
	if len(g.uploads) != 1 || !bytes.Equal(g.uploads[0], written) || g.refs[0] != "refs/pull/7/head "+head {
		t.Errorf("uploads %d, ref %v; the upload must decode to the SARIF file", len(g.uploads), g.refs)
	}
	for _, text := range append(bodies, res.stdout, res.stderr, string(sum), string(written)) {
		assertNoPRSecret(t, "output", text)
	}

	// Re-run on the same head: the same comment, no new review comment.
	res = runCLI(t, "pr", "--sarif", sarifPath)
	if res.code != exitFindings {
		t.Fatalf("re-run: exit %d: %s", res.code, res.stderr)
	}
	if got := commentBodies(g); len(got) != 121 {
		t.Errorf("re-run: %d comments, want still 121", len(got))
	}
	if g.count("POST", "/repos/o/r/pulls/7/reviews") != 1 {
		t.Errorf("re-run posted another review")
	}
}

func TestPRFixUpPushResolvesTheComment(t *testing.T) {
	r, base, head := prRepo(t, 0)
	g := newFakeGitHub(t, r)
	prEnv(t, g, r.Dir, 3, base, head)
	if res := runCLI(t, "pr", "--sarif", filepath.Join(t.TempDir(), "a.sarif")); res.code != exitFindings {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	// The fix-up rewrites the branch without the secrets.
	r.Git("reset", "--hard", base)
	fixed := r.Commit("add the bot, reading secrets from the environment", map[string]string{
		"bot/app.py": "import os\n\nhandler = WebhookHandler(os.environ['LINE_CHANNEL_SECRET'])\n",
	})
	prEnv(t, g, r.Dir, 3, base, fixed)
	res := runCLI(t, "pr", "--sarif", filepath.Join(t.TempDir(), "b.sarif"))
	if res.code != exitOK {
		t.Fatalf("fixed PR: exit %d: %s", res.code, res.stderr)
	}
	bodies := commentBodies(g)
	if len(bodies) != 1 || !strings.Contains(strings.ToLower(bodies[0]), "resolved") {
		t.Errorf("want the one comment turned to resolved, got %d comments", len(bodies))
	}
	// A clean PR that never had findings gets no comment at all.
	g2 := newFakeGitHub(t, r)
	prEnv(t, g2, r.Dir, 4, base, fixed)
	if res := runCLI(t, "pr", "--sarif", filepath.Join(t.TempDir(), "c.sarif")); res.code != exitOK || len(commentBodies(g2)) != 0 {
		t.Errorf("clean PR: exit %d, %d comments", res.code, len(commentBodies(g2)))
	}
}

func TestPRDegradesOnForbiddenAPI(t *testing.T) {
	r, base, head := prRepo(t, 0)
	g := newFakeGitHub(t, r)
	g.deny["POST /repos/o/r/issues"] = http.StatusForbidden
	g.deny["POST /repos/o/r/pulls/5/reviews"] = http.StatusForbidden
	g.deny["POST /repos/o/r/code-scanning"] = http.StatusForbidden
	summary, _ := prEnv(t, g, r.Dir, 5, base, head)
	res := runCLI(t, "pr", "--sarif", filepath.Join(t.TempDir(), "a.sarif"), "--upload-sarif")
	if res.code != exitFindings {
		t.Fatalf("exit %d, want 1 (findings decide): %s", res.code, res.stderr)
	}
	if n := strings.Count(res.stdout, "::warning"); n < 2 || !strings.Contains(res.stdout, "403") {
		t.Errorf("want warnings naming the 403:\n%s", res.stdout)
	}
	if sum, _ := os.ReadFile(summary); len(sum) == 0 || !strings.Contains(res.stdout, "::error file=bot/app.py") {
		t.Error("summary and annotations must still be written")
	}
	assertNoPRSecret(t, "stdout", res.stdout)

	// No token at all: a warning, the same exit code, no API call.
	t.Setenv("GITHUB_TOKEN", "")
	before := len(g.requests)
	res = runCLI(t, "pr", "--sarif", filepath.Join(t.TempDir(), "b.sarif"))
	if res.code != exitFindings || !strings.Contains(res.stdout, "no token") || len(g.requests) != before {
		t.Errorf("no token: exit %d, %d API calls, stdout %q", res.code, len(g.requests)-before, res.stdout)
	}
}

func TestPRLongPullRequestIsScannedWhole(t *testing.T) {
	// The secrets come in the first of 121 commits: a reader of the PR
	// commits API that stops at 30 (or 100) would miss them.
	r, base, head := prRepo(t, 120)
	g := newFakeGitHub(t, r)
	_, output := prEnv(t, g, r.Dir, 9, base, head)
	res := runCLI(t, "pr", "--sarif", filepath.Join(t.TempDir(), "a.sarif"), "--no-comment", "--no-review-comments")
	out, _ := os.ReadFile(output)
	if res.code != exitFindings || !strings.Contains(string(out), "findings=2") {
		t.Errorf("exit %d, outputs %q: %s", res.code, out, res.stderr)
	}
	if len(g.requests) != 0 {
		t.Errorf("--no-comment --no-review-comments made API calls: %v", g.requests)
	}
}

func TestPRMissingBaseCommit(t *testing.T) {
	r, _, head := prRepo(t, 0)
	g := newFakeGitHub(t, r)
	prEnv(t, g, r.Dir, 2, strings.Repeat("ab", 20), head)
	sarifPath := filepath.Join(t.TempDir(), "a.sarif")
	res := runCLI(t, "pr", "--sarif", sarifPath)
	if res.code != exitError || !strings.Contains(res.stderr, "fetch-depth: 0") {
		t.Errorf("exit %d, stderr %q; want 2 naming fetch-depth: 0", res.code, res.stderr)
	}
	if _, err := os.Stat(sarifPath); !os.IsNotExist(err) {
		t.Error("an error wrote a SARIF file")
	}
}

// A pull request cannot disable the rules that check it: the config comes
// from the base commit.
func TestPRConfigComesFromTheBase(t *testing.T) {
	r, base, _ := prRepo(t, 0)
	head := r.Commit("turn it off", map[string]string{
		".channelguard.toml": "[channelguard]\ndisabled_rules = [\"line-channel-secret\", \"line-channel-access-token\", \"generic-api-key\"]\n",
		"more.env":           "LINE_CHANNEL_SECRET=" + fakecred.ChannelSecret("pr-more") + "\n",
	})
	g := newFakeGitHub(t, r)
	_, output := prEnv(t, g, r.Dir, 6, base, head)
	res := runCLI(t, "pr", "--sarif", filepath.Join(t.TempDir(), "a.sarif"), "--no-comment", "--no-review-comments")
	out, _ := os.ReadFile(output)
	if res.code != exitFindings || !strings.Contains(string(out), "findings=3") {
		t.Errorf("exit %d, outputs %q; the PR's own config must not apply", res.code, out)
	}
}

func TestPushEvents(t *testing.T) {
	r, base, head := prRepo(t, 0)
	r.Git("checkout", "-q", "-b", "feature")
	r.Git("branch", "-f", "main", base)
	tmp := t.TempDir()
	for _, tc := range []struct {
		name, before string
		want         int
	}{
		{"push", base, 2},
		{"new branch", strings.Repeat("0", 40), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			event := filepath.Join(tmp, tc.name+".json")
			os.WriteFile(event, []byte(fmt.Sprintf(`{"before":%q,"after":%q,"ref":"refs/heads/feature","repository":{"full_name":"o/r","default_branch":"main"}}`, tc.before, head)), 0o600)
			output := filepath.Join(tmp, tc.name+".out")
			t.Setenv("GITHUB_EVENT_NAME", "push")
			t.Setenv("GITHUB_EVENT_PATH", event)
			t.Setenv("GITHUB_WORKSPACE", r.Dir)
			t.Setenv("GITHUB_OUTPUT", output)
			t.Setenv("GITHUB_STEP_SUMMARY", "")
			t.Setenv("GITHUB_TOKEN", "")
			res := runCLI(t, "pr", "--sarif", filepath.Join(tmp, tc.name+".sarif"))
			out, _ := os.ReadFile(output)
			if res.code != exitFindings || !strings.Contains(string(out), fmt.Sprintf("findings=%d", tc.want)) {
				t.Errorf("exit %d, outputs %q: %s", res.code, out, res.stderr)
			}
		})
	}
	// A scheduled run scans everything, the base's old secret included.
	t.Setenv("GITHUB_WORKSPACE", r.Dir)
	t.Setenv("GITHUB_TOKEN", "")
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	t.Setenv("GITHUB_EVENT_NAME", "schedule")
	t.Setenv("GITHUB_EVENT_PATH", "")
	output := filepath.Join(tmp, "schedule.out")
	t.Setenv("GITHUB_OUTPUT", output)
	res := runCLI(t, "pr", "--sarif", filepath.Join(tmp, "s.sarif"))
	out, _ := os.ReadFile(output)
	if res.code != exitFindings || !strings.Contains(string(out), "findings=3") {
		t.Errorf("schedule: exit %d, outputs %q", res.code, out)
	}
}

// A GitHub API (or stand-in) without the PR files and review comments
// lists: the review still lands on the secret lines, from the clone's diff.
func TestPRReviewWithoutFilesAPI(t *testing.T) {
	r, base, head := prRepo(t, 0)
	g := newFakeGitHub(t, r)
	g.deny["GET /repos/o/r/pulls/11/files"] = http.StatusNotFound
	g.deny["GET /repos/o/r/pulls/11/comments"] = http.StatusNotFound
	prEnv(t, g, r.Dir, 11, base, head)
	if res := runCLI(t, "pr", "--sarif", filepath.Join(t.TempDir(), "a.sarif"), "--no-comment"); res.code != exitFindings {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.reviews) != 1 || len(g.inline) != 2 {
		t.Fatalf("reviews %d with %d comments, want 1 with 2", len(g.reviews), len(g.inline))
	}
	for _, c := range g.inline {
		if c["path"] != "bot/app.py" || (fmt.Sprint(c["line"]) != "3" && fmt.Sprint(c["line"]) != "4") {
			t.Errorf("review comment off the secret lines: %v:%v", c["path"], c["line"])
		}
	}
}

// A push that deleted a tag or a branch brings no commit: a notice and exit
// 0, not "the pushed commit 00000000 is not in the clone". Nothing is
// scanned, no SARIF is written, the outputs say so.
func TestPushDeletingARef(t *testing.T) {
	r, _, _ := prRepo(t, 0)
	for _, payload := range []string{"push-delete-tag.json", "push-delete-branch.json"} {
		t.Run(payload, func(t *testing.T) {
			tmp := t.TempDir()
			summary, output := filepath.Join(tmp, "summary.md"), filepath.Join(tmp, "output")
			t.Setenv("GITHUB_EVENT_NAME", "push")
			t.Setenv("GITHUB_EVENT_PATH", filepath.Join("..", "..", "ghevent", "testdata", payload))
			t.Setenv("GITHUB_WORKSPACE", r.Dir)
			t.Setenv("GITHUB_OUTPUT", output)
			t.Setenv("GITHUB_STEP_SUMMARY", summary)
			t.Setenv("GITHUB_TOKEN", "")
			sarif := filepath.Join(tmp, "channelguard.sarif")
			res := runCLI(t, "pr", "--sarif", sarif)
			if res.code != exitOK {
				t.Fatalf("exit %d, want 0\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
			}
			what := map[string]string{"push-delete-tag.json": "tag v1.2.0", "push-delete-branch.json": "branch feature/webhook"}[payload]
			if want := "::notice title=channelguard::the push deleted " + what + ": there is no commit to scan\n"; res.stdout != want {
				t.Errorf("stdout %q, want %q", res.stdout, want)
			}
			if strings.Contains(res.stdout+res.stderr, "not in the clone") {
				t.Error("the deletion is reported as a missing commit")
			}
			out, _ := os.ReadFile(output)
			if string(out) != "findings=0\nsarif-file=\n" {
				t.Errorf("outputs %q", out)
			}
			if s, _ := os.ReadFile(summary); !strings.Contains(string(s), "the push deleted "+what) {
				t.Errorf("summary %q", s)
			}
			if _, err := os.Stat(sarif); err == nil {
				t.Error("a SARIF was written for a push with no commit")
			}
		})
	}
}
