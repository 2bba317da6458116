package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
)

const orgToken = "ghp_ORGtestTOKEN0123456789abcdefghijklmn"

var (
	orgSecret = fakecred.ChannelSecret("cli-org-secret")
	orgNotify = fakecred.NotifyToken("cli-org-notify")
	orgLater  = fakecred.ChannelSecret("cli-org-later")
)

// fakeOrg is a GitHub API listing an organisation's repositories three to
// a page (whatever per_page says), with clone URLs pointing at bare
// repositories on disk, plus GET /repos/{owner}/{name}.
type fakeOrg struct {
	srv   *httptest.Server
	mu    sync.Mutex
	reqs  []string
	auths []string
	repos []map[string]any
	work  map[string]*gittest.Repo // name → work repo feeding the bare one
	bare  map[string]string
}

func newFakeOrg(t *testing.T) *fakeOrg {
	t.Helper()
	o := &fakeOrg{work: map[string]*gittest.Repo{}, bare: map[string]string{}}
	root := t.TempDir()
	add := func(name string, fork, archived bool, files map[string]string) {
		clone := filepath.Join(root, "missing", name+".git") // never cloned unless it is a real one
		if files != nil {
			w := gittest.New(t)
			w.Commit("first", files)
			clone = filepath.Join(root, name+".git")
			w.Git("clone", "-q", "--bare", w.Dir, clone)
			o.work["acme/"+name], o.bare["acme/"+name] = w, clone
		}
		o.repos = append(o.repos, map[string]any{
			"full_name": "acme/" + name, "clone_url": "file://" + clone, "html_url": "https://github.com/acme/" + name,
			"default_branch": "main", "fork": fork, "archived": archived, "size": 1,
		})
	}
	// page 1
	add("app", false, false, map[string]string{"bot/app.py": "handler = WebhookHandler('" + orgSecret + "')\n"})
	add("fork-a", true, false, nil)
	add("old-a", false, true, nil)
	// page 2
	add("lib", false, false, map[string]string{"lib.go": "package lib\n"})
	add("broken", false, false, nil)
	add("fork-b", true, true, nil)
	// page 3
	add("tools", false, false, map[string]string{"n.sh": "curl -H 'Authorization: Bearer " + orgNotify + "' https://notify-api.line.me/api/notify\n"})
	add("old-b", false, true, nil)

	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.reqs = append(o.reqs, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
		o.auths = append(o.auths, r.Header.Get("Authorization"))
		o.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/orgs/acme/repos":
			const per = 3 // forced small: go-github asks for 100
			page := 1
			fmt.Sscan(r.URL.Query().Get("page"), &page)
			last := (len(o.repos) + per - 1) / per
			if page < last {
				u := *r.URL
				u.Scheme, u.Host = "http", r.Host
				q := u.Query()
				q.Set("page", fmt.Sprint(page+1))
				u.RawQuery = q.Encode()
				next := u.String()
				q.Set("page", fmt.Sprint(last))
				u.RawQuery = q.Encode()
				w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next", <%s>; rel="last"`, next, u.String()))
			}
			lo, hi := min((page-1)*per, len(o.repos)), min(page*per, len(o.repos))
			json.NewEncoder(w).Encode(o.repos[lo:hi])
		case strings.HasPrefix(r.URL.Path, "/repos/acme/"):
			for _, repo := range o.repos {
				if "/repos/"+repo["full_name"].(string) == r.URL.Path {
					json.NewEncoder(w).Encode(repo)
					return
				}
			}
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Not Found"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Not Found"}`)
		}
	}))
	t.Cleanup(o.srv.Close)
	t.Setenv("GITHUB_API_URL", o.srv.URL)
	t.Setenv("GITHUB_TOKEN", "")
	return o
}

func (o *fakeOrg) requests() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.reqs...)
}

// push commits files to a repository's work repo and pushes main.
func (o *fakeOrg) push(t *testing.T, name string, files map[string]string) {
	t.Helper()
	w := o.work[name]
	w.Commit("more", files)
	w.Git("push", "-q", o.bare[name], "main")
}

// gitCalls records the git commands orgscan runs (test hook).
type gitCalls struct {
	mu   sync.Mutex
	args [][]string
	envs [][]string
}

func hookGit(t *testing.T) *gitCalls {
	t.Helper()
	g := &gitCalls{}
	orgHooks.allowLocal = true
	orgHooks.onGit = func(args, env []string) {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.args = append(g.args, args)
		g.envs = append(g.envs, env)
	}
	t.Cleanup(func() { orgHooks.allowLocal, orgHooks.onGit = false, nil })
	return g
}

func (g *gitCalls) assertNoToken(t *testing.T) {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.args) == 0 {
		t.Fatal("no git command recorded")
	}
	for i, a := range g.args {
		if strings.Contains(strings.Join(a, " ")+strings.Join(g.envs[i], " "), orgToken) {
			t.Errorf("token in git command %q or its environment", a)
		}
		if !strings.Contains(strings.Join(g.envs[i], " "), "GIT_TERMINAL_PROMPT=0") {
			t.Errorf("git %q may prompt", a)
		}
	}
}

type orgDoc struct {
	Target       string             `json:"target"`
	Findings     []finding.Finding  `json:"findings"`
	Stats        finding.Stats      `json:"stats"`
	Repositories []finding.RepoScan `json:"repositories"`
	Changes      *finding.Changes   `json:"changes"`
}

func readOrgDoc(t *testing.T, dir string) orgDoc {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d orgDoc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func repoByName(d orgDoc) map[string]finding.RepoScan {
	m := map[string]finding.RepoScan{}
	for _, r := range d.Repositories {
		m[r.Name] = r
	}
	return m
}

// assertClean checks that no output, report or cache file holds the token
// or a planted secret.
func assertClean(t *testing.T, res result, dirs ...string) {
	t.Helper()
	check := func(where, text string) {
		t.Helper()
		if strings.Contains(text, orgToken) {
			t.Errorf("%s contains the token", where)
		}
		for _, s := range []string{orgSecret, orgNotify, orgLater} {
			if strings.Contains(text, s) {
				t.Errorf("%s contains a planted secret", where)
			}
		}
	}
	check("stdout", res.stdout)
	check("stderr", res.stderr)
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.Contains(p, string(filepath.Separator)+"objects"+string(filepath.Separator)) {
				return nil
			}
			b, _ := os.ReadFile(p)
			check(p, string(b))
			return nil
		})
	}
}

func TestOrgScan(t *testing.T) {
	o := newFakeOrg(t)
	calls := hookGit(t)
	cache, out := t.TempDir(), t.TempDir()
	args := []string{"org", "acme", "--token", orgToken, "--cache", cache, "--out", out, "--jobs", "2"}

	res := runCLI(t, args...)
	if res.code != exitError {
		t.Fatalf("exit %d, want 2 (one repository failed)\nstderr: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "channelguard: 1 of 4 repositories failed; see the report\n") {
		t.Errorf("stderr lacks the failure count:\n%s", res.stderr)
	}
	for _, want := range []string{"channelguard: github.com/acme: 4 repositories to scan (left out: 2 forks, 2 archived)", "] acme/app: 1 findings (", "] acme/broken: failed: git clone"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	// every page, 100 asked for, the token as the API's bearer
	reqs := o.requests()
	wantReqs := []string{
		"GET /orgs/acme/repos?page=1&per_page=100&sort=full_name&type=all",
		"GET /orgs/acme/repos?page=2&per_page=100&sort=full_name&type=all",
		"GET /orgs/acme/repos?page=3&per_page=100&sort=full_name&type=all",
	}
	if strings.Join(reqs, "\n") != strings.Join(wantReqs, "\n") {
		t.Errorf("API requests:\n%s", strings.Join(reqs, "\n"))
	}
	for _, a := range o.auths {
		if a != "Bearer "+orgToken {
			t.Errorf("Authorization %q", a)
		}
	}

	d := readOrgDoc(t, out)
	if d.Target != "github.com/acme" {
		t.Errorf("target %q", d.Target)
	}
	repos := repoByName(d)
	var names []string
	for _, r := range d.Repositories {
		names = append(names, r.Name)
	}
	if strings.Join(names, ",") != "acme/app,acme/broken,acme/lib,acme/tools" {
		t.Errorf("repositories %v", names)
	}
	if r := repos["acme/app"]; r.Status != "ok" || r.Findings != 1 || r.Commits != 1 || r.HeadSHA == "" || r.URL != "https://github.com/acme/app" {
		t.Errorf("app: %+v", r)
	}
	if r := repos["acme/broken"]; r.Status != "failed" || r.Error == "" || strings.Contains(r.Error, "\n") {
		t.Errorf("broken: %+v", r)
	}
	if r := repos["acme/lib"]; r.Status != "ok" || r.Findings != 0 {
		t.Errorf("lib: %+v", r)
	}
	if len(d.Findings) != 2 || d.Stats.Commits != 3 {
		t.Fatalf("%d findings, %d commits", len(d.Findings), d.Stats.Commits)
	}
	for _, f := range d.Findings {
		switch f.Repository {
		case "acme/app":
			if f.RuleID != "line-channel-secret" || f.Location.Path != "bot/app.py" {
				t.Errorf("app finding %s at %s", f.RuleID, f.Location.Path)
			}
		case "acme/tools":
			if f.RuleID != "line-notify-token" || f.Location.Path != "n.sh" {
				t.Errorf("tools finding %s at %s", f.RuleID, f.Location.Path)
			}
		default:
			t.Errorf("finding without a known repository: %q", f.Repository)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "channelguard.sarif")); err != nil {
		t.Error(err)
	}
	assertClean(t, res, out, cache)
	calls.assertNoToken(t)

	// Rescan, nothing changed: no commit read, same findings.
	res = runCLI(t, args...)
	d2 := readOrgDoc(t, out)
	if res.code != exitError || d2.Stats.Commits != 0 || len(d2.Findings) != 2 {
		t.Fatalf("rescan: exit %d, %d commits, %d findings\n%s", res.code, d2.Stats.Commits, len(d2.Findings), res.stderr)
	}
	for _, r := range d2.Repositories {
		if r.Status == "ok" && (r.Commits != 0 || !r.Incremental) {
			t.Errorf("rescan of %s: %+v", r.Name, r)
		}
	}
	if !strings.Contains(res.stderr, "acme/app: 1 findings (no new commits)") {
		t.Errorf("stderr:\n%s", res.stderr)
	}

	// A pushed commit is picked up, and only it is read.
	o.push(t, "acme/lib", map[string]string{"config.env": "LINE_CHANNEL_SECRET=" + orgLater + "\n"})
	prevDir := t.TempDir()
	copyFile(t, filepath.Join(out, "findings.json"), filepath.Join(prevDir, "findings.json"))
	res = runCLI(t, append(args, "--previous", prevDir)...)
	d3 := readOrgDoc(t, out)
	if r := repoByName(d3)["acme/lib"]; r.Commits != 1 || !r.Incremental || r.Findings != 1 {
		t.Errorf("lib after a push: %+v", r)
	}
	if d3.Stats.Commits != 1 || len(d3.Findings) != 3 {
		t.Errorf("after a push: %d commits, %d findings", d3.Stats.Commits, len(d3.Findings))
	}
	if d3.Changes == nil || d3.Changes.New != 1 || d3.Changes.Open != 2 {
		t.Errorf("changes: %+v", d3.Changes)
	}
	for _, f := range d3.Findings {
		if f.Repository == "acme/lib" && (f.Location.Path != "config.env" || f.Change != "new") {
			t.Errorf("new finding: %s %s %q", f.Repository, f.Location.Path, f.Change)
		}
	}
	assertClean(t, res, out, cache)
	calls.assertNoToken(t)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOrgShards(t *testing.T) {
	newFakeOrg(t)
	hookGit(t)
	cache := t.TempDir()
	outs := map[string]string{}
	names := func(shard string) []string {
		out := t.TempDir()
		outs[shard] = out
		args := []string{"org", "acme", "--cache", cache, "--no-cache", "--out", out, "-q", "--include-forks", "--include-archived", "--exclude", "^acme/(broken|fork-|old-)"}
		if shard != "" {
			args = append(args, "--shard", shard)
		}
		res := runCLI(t, args...)
		if res.code == exitError {
			t.Fatalf("shard %q: exit 2: %s", shard, res.stderr)
		}
		var n []string
		for _, r := range readOrgDoc(t, out).Repositories {
			n = append(n, r.Name)
		}
		return n
	}
	all := names("")
	one, two := names("1/2"), names("2/2")
	union := append(append([]string(nil), one...), two...)
	sort.Strings(union)
	if strings.Join(union, ",") != strings.Join(all, ",") || len(all) != 3 {
		t.Errorf("shards %v + %v != %v", one, two, all)
	}
	// the shards' reports merge to exactly the unsharded report
	merged := filepath.Join(t.TempDir(), "merged.json")
	if res := runCLI(t, "report", "merge", filepath.Join(outs["1/2"], "findings.json"), filepath.Join(outs["2/2"], "findings.json"), "--output", merged); res.code != exitOK {
		t.Fatalf("report merge: exit %d: %s", res.code, res.stderr)
	}
	got, _ := os.ReadFile(merged)
	want, _ := os.ReadFile(filepath.Join(outs[""], "findings.json"))
	if !bytes.Equal(got, want) || len(want) == 0 {
		t.Errorf("merged shards differ from the unsharded report:\n%s\nwant:\n%s", got, want)
	}
}

func TestOrgRepoList(t *testing.T) {
	o := newFakeOrg(t)
	hookGit(t)
	out := t.TempDir()
	res := runCLI(t, "org", "--repos", "acme/app,acme/lib,acme/app,acme/nope", "--cache", t.TempDir(), "--out", out, "--fail-on", "high")
	if res.code != exitError || !strings.Contains(res.stderr, "1 of 3 repositories failed") {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	d := readOrgDoc(t, out)
	r := repoByName(d)
	if len(d.Repositories) != 3 || r["acme/app"].Status != "ok" || r["acme/nope"].Status != "failed" || !strings.Contains(r["acme/nope"].Error, "404") {
		t.Errorf("repositories: %+v", d.Repositories)
	}
	if !strings.HasPrefix(d.Target, "github.com: acme/app, acme/lib") {
		t.Errorf("target %q", d.Target)
	}
	for _, q := range o.requests() {
		if strings.HasPrefix(q, "GET /orgs/") {
			t.Errorf("listed the organisation for --repos: %s", q)
		}
	}

	// without the broken one: findings decide the exit code; text on stdout
	res = runCLI(t, "org", "--repos", "acme/app", "--cache", t.TempDir(), "-q")
	if res.code != exitFindings || !strings.Contains(res.stdout, "bot/app.py") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
	}
	res = runCLI(t, "org", "--repos", "acme/lib", "--cache", t.TempDir(), "-q")
	if res.code != exitOK {
		t.Errorf("clean repository: exit %d: %s", res.code, res.stderr)
	}
}

func TestOrgRejectsLocalCloneURLsWithoutHook(t *testing.T) {
	newFakeOrg(t)
	out := t.TempDir()
	res := runCLI(t, "org", "--repos", "acme/app", "--cache", t.TempDir(), "--out", out, "-q")
	if res.code != exitError {
		t.Fatalf("exit %d", res.code)
	}
	if r := repoByName(readOrgDoc(t, out))["acme/app"]; r.Status != "failed" || !strings.Contains(r.Error, "not https") {
		t.Errorf("%+v", r)
	}
}

func TestOrgFlagErrors(t *testing.T) {
	newFakeOrg(t)
	for _, args := range [][]string{
		{"org"},
		{"org", "acme", "--user", "alice"},
		{"org", "--user", "alice", "--repos", "a/b"},
		{"org", "acme", "--shard", "3/2"},
		{"org", "acme", "--shard", "x"},
		{"org", "acme", "--exclude", "("},
		{"org", "acme", "--jobs", "0"},
		{"org", "acme", "--fail-on", "urgent"},
		{"org", "--repos", "not-a-repo"},
		{"org", "acme", "--previous", t.TempDir()},
		{"org", "acme", "--channel-id", "1"},
	} {
		res := runCLI(t, args...)
		if res.code != exitError || strings.Count(strings.TrimSpace(res.stderr), "\n") > 1 || !strings.HasPrefix(res.stderr, "channelguard: ") {
			t.Errorf("%v: exit %d, stderr %q", args, res.code, res.stderr)
		}
	}
}

func TestOrgHelpDocumentsExitAndMatrix(t *testing.T) {
	res := runCLI(t, "org", "--help")
	for _, want := range []string{"repositories failed; see the", "matrix:", "--shard ${{ matrix.shard }}/4", "FNV-1a"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

func TestOrgProgressTerminal(t *testing.T) {
	var buf lockedBuffer
	p := newOrgProgress(&buf, 2, true, false)
	p.start("acme/a")
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(buf.String(), "[0/2] scanning acme/a…") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	p.done(finding.RepoScan{Name: "acme/a", Status: "ok", Findings: 2}, time.Second)
	p.start("acme/b")
	p.done(finding.RepoScan{Name: "acme/b", Status: "ok"}, time.Second)
	p.stop()
	got := buf.String()
	for _, want := range []string{"\r\x1b[K[0/2] scanning acme/a…", "channelguard: [1/2] acme/a: 2 findings (1s)\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress lacks %q:\n%q", want, got)
		}
	}
	if strings.Contains(got, "acme/b: 0 findings") || !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("a clean repository scrolls past, or the line is not cleared:\n%q", got)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
