package orgscan

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/scanner/cache"
)

const testToken = "ghp_ORGSCANtesttoken0123456789abcdefghij"

var (
	secretA = fakecred.ChannelSecret("orgscan-a")
	secretB = fakecred.ChannelSecret("orgscan-b")
	secretC = fakecred.ChannelSecret("orgscan-c")
)

// remote is a bare repository standing in for GitHub, fed from a work repo.
type remote struct {
	work *gittest.Repo
	Bare string
}

func newRemote(t *testing.T, files map[string]string) *remote {
	t.Helper()
	w := gittest.New(t)
	w.Commit("first", files)
	bare := filepath.Join(t.TempDir(), "remote.git")
	w.Git("clone", "-q", "--bare", w.Dir, bare)
	return &remote{work: w, Bare: bare}
}

// push commits files in the work repo and pushes branch main.
func (r *remote) push(t *testing.T, msg string, files map[string]string) string {
	t.Helper()
	sha := r.work.Commit(msg, files)
	r.work.Git("push", "-q", r.Bare, "main")
	return sha
}

// gitLog records what orgscan ran.
type gitLog struct {
	mu   sync.Mutex
	args [][]string
	envs [][]string
}

func (l *gitLog) record(args, env []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.args = append(l.args, args)
	l.envs = append(l.envs, env)
}

func (l *gitLog) assertNoToken(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.args) == 0 {
		t.Fatal("no git command recorded")
	}
	for i, a := range l.args {
		for _, s := range append(append([]string(nil), a...), l.envs[i]...) {
			if strings.Contains(s, testToken) {
				t.Errorf("token in git command %q", a)
			}
		}
	}
}

func testOptions(t *testing.T, log *gitLog) Options {
	return Options{
		CacheDir:   t.TempDir(),
		Token:      testToken,
		Jobs:       2,
		Timeout:    time.Minute,
		Key:        "test",
		AllowLocal: true,
		OnGit:      log.record,
		Logf:       t.Logf,
	}
}

func TestRunIncremental(t *testing.T) {
	r := newRemote(t, map[string]string{"app.env": "LINE_CHANNEL_SECRET=" + secretA + "\n", "README": "hi\n"})
	r.push(t, "docs", map[string]string{"docs.md": "nothing\n"})
	log := &gitLog{}
	opts := testOptions(t, log)
	targets := []Target{{Name: "acme/app", CloneURL: "file://" + r.Bare, URL: "https://github.example/acme/app", DefaultBranch: "main"}}

	first := Run(context.Background(), targets, opts)
	rs := first.Repos[0]
	if rs.Status != "ok" || rs.Commits != 2 || rs.Findings != 1 || rs.Incremental || rs.HeadSHA == "" {
		t.Fatalf("first run: %+v", rs)
	}
	if f := first.Findings[0]; f.Repository != "acme/app" || f.Location.Path != "app.env" || f.RuleID != "line-channel-secret" {
		t.Errorf("finding: repo %q path %q rule %q", f.Repository, f.Location.Path, f.RuleID)
	}
	dir, _ := CachePath(opts.CacheDir, targets[0], true)
	if filepath.Base(filepath.Dir(filepath.Dir(dir))) != "local" || !isBareRepo(dir) {
		t.Errorf("mirror at %s", dir)
	}
	stateBytes, err := os.ReadFile(filepath.Join(dir, cache.MirrorStateFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{secretA, testToken} {
		if strings.Contains(string(stateBytes), s) {
			t.Errorf("state file holds a raw secret or the token")
		}
	}

	// unchanged: nothing read, same findings
	second := Run(context.Background(), targets, opts)
	rs = second.Repos[0]
	if rs.Status != "ok" || rs.Commits != 0 || !rs.Incremental || rs.Findings != 1 || second.Stats.Commits != 0 {
		t.Fatalf("unchanged rescan: %+v", rs)
	}
	if second.Findings[0].Fingerprint != first.Findings[0].Fingerprint || second.Findings[0].Repository != "acme/app" {
		t.Errorf("cached finding differs")
	}

	// one new commit on the single branch: only it is read
	r.push(t, "more", map[string]string{"b.env": "LINE_CHANNEL_SECRET=" + secretB + "\n"})
	third := Run(context.Background(), targets, opts)
	rs = third.Repos[0]
	if rs.Status != "ok" || rs.Commits != 1 || !rs.Incremental || rs.Findings != 2 {
		t.Fatalf("rescan after a push: %+v", rs)
	}

	// a new commit touching the file of a finding at HEAD: full scan
	r.push(t, "rotate", map[string]string{"app.env": "LINE_CHANNEL_SECRET=${LINE_CHANNEL_SECRET}\n"})
	fourth := Run(context.Background(), targets, opts)
	rs = fourth.Repos[0]
	if rs.Status != "ok" || rs.Commits != 4 || rs.Incremental || rs.Findings != 2 {
		t.Fatalf("rescan after removing a secret: %+v", rs)
	}
	for _, f := range fourth.Findings {
		if f.Location.Path == "app.env" && (f.Exposure.StillAtHead || f.Exposure.RemovedIn == nil) {
			t.Errorf("removed secret: exposure %+v", f.Exposure)
		}
	}

	// a second branch: several refs; only its one new commit is read
	r.work.Git("checkout", "-q", "-b", "feature")
	r.work.Commit("feature", map[string]string{"c.env": "LINE_CHANNEL_SECRET=" + secretC + "\n"})
	r.work.Git("push", "-q", r.Bare, "feature")
	fifth := Run(context.Background(), targets, opts)
	if rs = fifth.Repos[0]; rs.Status != "ok" || rs.Commits != 1 || !rs.Incremental || rs.Findings != 3 {
		t.Fatalf("rescan with a new branch: %+v", rs)
	}
	// …and a commit on it after that: again only that one
	r.work.Commit("feature 2", map[string]string{"d.txt": "nothing\n"})
	r.work.Git("push", "-q", r.Bare, "feature")
	incremental := Run(context.Background(), targets, opts)
	if rs = incremental.Repos[0]; rs.Commits != 1 || !rs.Incremental || rs.Findings != 3 {
		t.Fatalf("rescan after a push to the second branch: %+v", rs)
	}
	// what the incremental scans gathered is what a full scan finds
	full := opts
	full.NoCache = true
	want := Run(context.Background(), targets, full)
	summary := func(fs []finding.Finding) string {
		var b strings.Builder
		for _, f := range fs {
			fmt.Fprintf(&b, "%s %s:%d head=%v first=%s\n", f.Fingerprint, f.Location.Path, f.Location.StartLine, f.Exposure.StillAtHead, f.Exposure.FirstCommit.Short())
		}
		return b.String()
	}
	if got, w := summary(incremental.Findings), summary(want.Findings); got != w {
		t.Errorf("incremental findings:\n%s\nfull scan:\n%s", got, w)
	}

	// --no-cache: everything again
	opts.NoCache = true
	if rs = Run(context.Background(), targets, opts).Repos[0]; rs.Commits != 6 || rs.Incremental {
		t.Errorf("--no-cache: %+v", rs)
	}
	// another key (other rules): everything again
	opts.NoCache, opts.Key = false, "other rules"
	if rs = Run(context.Background(), targets, opts).Repos[0]; rs.Commits != 6 || rs.Incremental {
		t.Errorf("new key: %+v", rs)
	}
	log.assertNoToken(t)
}

func TestRunFailureGoesOn(t *testing.T) {
	good := newRemote(t, map[string]string{"app.env": "LINE_CHANNEL_SECRET=" + secretA + "\n"})
	log := &gitLog{}
	opts := testOptions(t, log)
	targets := []Target{
		{Name: "acme/zz-good", CloneURL: "file://" + good.Bare},
		{Name: "acme/broken", CloneURL: "file://" + filepath.Join(t.TempDir(), "missing.git")},
		{Name: "acme/creds", CloneURL: "https://x-access-token:" + testToken + "@github.example/acme/creds.git"},
		{Name: "acme/ssh", CloneURL: "ssh://git@github.example/acme/ssh.git"},
	}
	res := Run(context.Background(), targets, opts)
	if res.Failed != 3 || len(res.Repos) != 4 {
		t.Fatalf("failed %d of %d: %+v", res.Failed, len(res.Repos), res.Repos)
	}
	byName := map[string]finding.RepoScan{}
	for _, rs := range res.Repos {
		byName[rs.Name] = rs
		if strings.Contains(rs.Error, testToken) || strings.Contains(rs.Error, "\n") {
			t.Errorf("%s: error %q", rs.Name, rs.Error)
		}
	}
	if res.Repos[0].Name != "acme/broken" {
		t.Errorf("repositories not sorted: %v", res.Repos)
	}
	if rs := byName["acme/zz-good"]; rs.Status != "ok" || rs.Findings != 1 {
		t.Errorf("good: %+v", rs)
	}
	if rs := byName["acme/broken"]; rs.Status != "failed" || !strings.Contains(rs.Error, "git clone") {
		t.Errorf("broken: %+v", rs)
	}
	if rs := byName["acme/creds"]; rs.Status != "failed" || !strings.Contains(rs.Error, "carries credentials") {
		t.Errorf("creds: %+v", rs)
	}
	if rs := byName["acme/ssh"]; rs.Status != "failed" || rs.Error == "" {
		t.Errorf("ssh: %+v", rs)
	}
	if len(res.Findings) != 1 || res.Findings[0].Repository != "acme/zz-good" {
		t.Errorf("findings: %+v", res.Findings)
	}
	log.assertNoToken(t)
}

func TestRunTimeout(t *testing.T) {
	r := newRemote(t, map[string]string{"a": "b\n"})
	opts := testOptions(t, &gitLog{})
	opts.Timeout = time.Nanosecond
	res := Run(context.Background(), []Target{{Name: "acme/slow", CloneURL: r.Bare}}, opts)
	if rs := res.Repos[0]; rs.Status != "failed" || !strings.Contains(rs.Error, "timed out after 1ns") {
		t.Errorf("%+v", rs)
	}
}

func TestGitEnvCarriesTokenAsHeaderOnly(t *testing.T) {
	g, err := newGit("https://github.example/acme/app.git", testToken, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	env := strings.Join(g.Env(), "\n")
	want := []string{
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ALLOW_PROTOCOL=https",
		"GIT_CONFIG_COUNT=1",
		"GIT_CONFIG_KEY_0=http.https://github.example/.extraHeader",
		"GIT_CONFIG_VALUE_0=Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+testToken)),
	}
	for _, w := range want {
		if !strings.Contains(env, w+"\n") && !strings.HasSuffix(env, w) {
			t.Errorf("env lacks %q:\n%s", w, env)
		}
	}
	if strings.Contains(env, testToken) {
		t.Error("raw token in the environment")
	}
	if src := g.cloneSource(); strings.Contains(src, testToken) || strings.Contains(src, "@") {
		t.Errorf("clone source %q", src)
	}
	// no token: no header
	g, _ = newGit("https://github.example/acme/app.git", "", false, nil)
	if env := strings.Join(g.Env(), " "); strings.Contains(env, "GIT_CONFIG") || !strings.Contains(env, "GIT_TERMINAL_PROMPT=0") {
		t.Errorf("env without token: %s", env)
	}
}

// The header reaches an https server (git's own request), and git's
// stderr in the error is scrubbed even if it echoes the token.
func TestGitErrorScrubbed(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	g, err := newGit("https://127.0.0.1:1/acme/app.git", testToken, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = g.run(ctx, "ls-remote", "--", g.cloneSource())
	if err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("err = %v", err)
	}
	msg := g.scrub("fatal: bad header " + authValue(testToken) + " token " + testToken)
	if strings.Contains(msg, testToken) || strings.Contains(msg, basicCreds(testToken)) {
		t.Errorf("scrub: %q", msg)
	}
}

func TestCheckCloneURL(t *testing.T) {
	tests := []struct {
		url, wantErr string
		local        bool
	}{
		{"https://github.com/acme/app.git", "", false},
		{"https://user:pw@github.com/acme/app.git", "carries credentials", false},
		{"https://tok@github.com/acme/app.git", "carries credentials", false},
		{"http://github.com/acme/app.git", "not https", false},
		{"ssh://git@github.com/acme/app.git", "", false},
		{"ext::sh -c touch% /tmp/x", "", false},
		{"file:///tmp/x.git", "not https", false},
		{"file:///tmp/x.git", "", true},
		{"/tmp/x.git", "", true},
		{"/tmp/x.git", "not https", false},
		{"https://github.com/acme/app.git?x=1", "query", false},
		{"", "no clone URL", false},
	}
	for _, tt := range tests {
		_, _, err := checkCloneURL(tt.url, tt.local)
		switch {
		case tt.url == "ext::sh -c touch% /tmp/x" || strings.HasPrefix(tt.url, "ssh:"):
			if err == nil {
				t.Errorf("%q accepted", tt.url)
			}
		case tt.wantErr == "" && err != nil:
			t.Errorf("%q (local %v): %v", tt.url, tt.local, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%q (local %v): err %v, want %q", tt.url, tt.local, err, tt.wantErr)
		case err != nil && strings.Contains(err.Error(), "pw"):
			t.Errorf("%q: password in error %v", tt.url, err)
		}
	}
}

func TestCachePath(t *testing.T) {
	p, err := CachePath("/c", Target{Name: "Acme/App", CloneURL: "https://GHE.example:8443/Acme/App.git"}, false)
	if err != nil || p != filepath.Join("/c", "ghe.example_8443", "acme", "app.git") {
		t.Errorf("got %q, %v", p, err)
	}
	for _, name := range []string{"acme", "../x", "acme/..", "acme/a/b", "-x/y"} {
		if _, err := CachePath("/c", Target{Name: name, CloneURL: "https://github.com/x/y.git"}, false); err == nil {
			t.Errorf("%q accepted", name)
		}
	}
}

func TestShard(t *testing.T) {
	for _, bad := range []string{"0/2", "3/2", "1", "a/b", "1/0", "-1/2"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	const n = 3
	var shards []Shard
	for i := 1; i <= n; i++ {
		s, err := ParseShard(fmt.Sprintf("%d/%d", i, n))
		if err != nil {
			t.Fatal(err)
		}
		shards = append(shards, s)
	}
	counts := make([]int, n)
	for k := 0; k < 300; k++ {
		name := fmt.Sprintf("acme/repo-%d", k)
		in := 0
		for i, s := range shards {
			if s.Has(name) {
				in++
				counts[i]++
			}
		}
		if in != 1 {
			t.Fatalf("%s is in %d shards", name, in)
		}
		if shards[0].Has(name) != shards[0].Has(strings.ToUpper(name)) {
			t.Fatalf("%s: shard depends on case", name)
		}
	}
	for i, c := range counts {
		if c < 60 {
			t.Errorf("shard %d has %d of 300", i+1, c)
		}
	}
	// FNV-1a 32 of "acme/app" is fixed: every runner agrees.
	if all, _ := ParseShard(""); !all.Has("x/y") {
		t.Error("no shard must hold everything")
	}
}

func TestFilter(t *testing.T) {
	f := Filter{Shard: Shard{1, 1}}
	if f.Skip("a/fork", true, false) != "fork" || f.Skip("a/old", false, true) != "archived" || f.Skip("a/b", false, false) != "" {
		t.Error("default filter")
	}
	f.IncludeForks, f.IncludeArchived = true, true
	if f.Skip("a/fork", true, true) != "" {
		t.Error("include forks and archived")
	}
}

// git itself sends the header (and only to the clone URL's host): a TLS
// server standing in for github.com sees it on the first request.
func TestGitSendsHeaderOverHTTPS(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.Path+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		http.NotFound(w, r)
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_SSL_CAINFO", ca)
	log := &gitLog{}
	g, err := newGit(srv.URL+"/acme/app.git", testToken, false, log.record)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	parent := t.TempDir()
	_, err = g.mirror(ctx, filepath.Join(parent, "app.git"), "main")
	if err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "git clone") {
		t.Fatalf("err = %v", err)
	}
	if left, _ := os.ReadDir(parent); len(left) != 0 {
		t.Errorf("a failed clone left %v in the cache", left)
	}
	mu.Lock()
	defer mu.Unlock()
	want := "/acme/app.git/info/refs Basic " + basicCreds(testToken)
	if len(got) == 0 || got[0] != want {
		t.Errorf("server saw %q, want %q", got, want)
	}
	log.assertNoToken(t)
}

// A mirror that lost an object is scanned all the same: the repository is
// "partial", not "failed", its findings are kept and the gaps name what
// could not be read; the others are unaffected.
func TestRunPartial(t *testing.T) {
	lost := fakecred.ChannelSecret("orgscan-lost")
	r := newRemote(t, map[string]string{"app.env": "LINE_CHANNEL_SECRET=" + secretA + "\n"})
	r.push(t, "lost", map[string]string{"lost.env": "LINE_CHANNEL_SECRET=" + lost + "\n"})
	r.push(t, "drop", map[string]string{"lost.env": "nothing\n"})
	other := newRemote(t, map[string]string{"b.env": "LINE_CHANNEL_SECRET=" + secretB + "\n"})
	opts := testOptions(t, &gitLog{})
	targets := []Target{
		{Name: "acme/app", CloneURL: "file://" + r.Bare, DefaultBranch: "main"},
		{Name: "acme/other", CloneURL: "file://" + other.Bare, DefaultBranch: "main"},
	}
	if first := Run(context.Background(), targets, opts); first.Failed+first.Partial != 0 || len(first.Findings) != 3 {
		t.Fatalf("intact: %+v", first.Repos)
	}
	dir, _ := CachePath(opts.CacheDir, targets[0], true)
	mirror := gittest.Open(t, dir)
	blob := mirror.Git("rev-parse", "main~1:lost.env")
	mirror.Loosen()
	mirror.RemoveObject(blob)

	opts.NoCache = true
	res := Run(context.Background(), targets, opts)
	rs := res.Repos[0]
	if rs.Status != "partial" || rs.Findings != 1 || rs.Gaps != 2 || !strings.HasPrefix(rs.Error, "1 object could not be read (2 gaps)") {
		t.Fatalf("damaged mirror: %+v", rs)
	}
	if res.Partial != 1 || res.Failed != 0 || res.Repos[1].Status != "ok" {
		t.Errorf("partial %d failed %d, other %+v", res.Partial, res.Failed, res.Repos[1])
	}
	if len(res.Findings) != 2 {
		t.Errorf("%d findings, want acme/app's secret still at HEAD and acme/other's", len(res.Findings))
	}
	// the commit that added the blob, and the one that changed it after
	if len(res.Gaps) != 2 {
		t.Fatalf("gaps %+v", res.Gaps)
	}
	for _, g := range res.Gaps {
		if g.Repository != "acme/app" || g.Object != blob || g.Path != "lost.env" || strings.Contains(g.Detail, dir) {
			t.Errorf("gap %+v", g)
		}
	}
}
