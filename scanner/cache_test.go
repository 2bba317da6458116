package scanner

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/scanner/cache"
)

// After every kind of change a repository goes through, a scan through
// the cache reports exactly what a full scan reports, and reads no more
// than it must: nothing when no ref moved, only the new commits when refs
// moved forward.
func TestCacheMatchesFullScan(t *testing.T) {
	r := gittest.New(t)
	state := filepath.Join(t.TempDir(), "state.json")
	s1, s2, s3 := fakecred.ChannelSecret("cache-1"), fakecred.ChannelSecret("cache-2"), fakecred.ChannelSecret("cache-3")
	tok := fakecred.AccessToken("cache-token")
	r.Commit("one", map[string]string{"a.env": "LINE_CHANNEL_SECRET=" + s1 + "\n", "notes.txt": "hello\n"})
	r.Commit("two", map[string]string{"b.env": "x=1\n"})

	report := func(res *Result) string {
		rep := *res.Report
		out, err := json.MarshalIndent(rep, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	type want struct {
		incremental bool
		read        int // commits read through the cache; -1: any
	}
	check := func(step string, w want) {
		t.Helper()
		cached := scan(t, Options{Path: r.Dir, Cache: &cache.Cache{State: state, Key: "k"}})
		full := scan(t, Options{Path: r.Dir})
		if got, exp := report(cached), report(full); got != exp {
			t.Fatalf("%s: through the cache:\n%s\nfull scan:\n%s", step, firstDifference(exp, got), "")
		}
		u := cached.Cache
		if u == nil || u.Incremental != w.incremental || (w.read >= 0 && u.Read.Commits != w.read) {
			t.Errorf("%s: cache use %+v, want incremental=%v reading %d commits", step, u, w.incremental, w.read)
		}
	}
	check("first scan", want{false, 2})
	check("nothing changed", want{true, 0})

	r.Commit("three", map[string]string{"c.env": "LINE_CHANNEL_SECRET=" + s2 + "\n"})
	check("a commit with a new secret", want{true, 1})

	r.Git("checkout", "-q", "-b", "feature")
	r.Commit("feature", map[string]string{"d.yaml": "channelAccessToken: " + tok + "\n"})
	r.Git("checkout", "-q", "main")
	check("a new branch", want{true, 1})

	r.Commit("unrelated", map[string]string{"notes.txt": "hello again\n"})
	check("a commit that touches no secret's file", want{true, 1})

	r.Commit("touch", map[string]string{"a.env": "LINE_CHANNEL_SECRET=" + s1 + "\nOTHER=1\n"})
	check("a commit that changes a file of a secret still at HEAD", want{false, -1})

	r.Remove("c.env")
	r.Commit("remove", nil)
	check("a secret removed", want{false, -1})

	r.Commit("copy", map[string]string{"e.env": "LINE_CHANNEL_SECRET=" + s2 + "\n"})
	check("a removed secret added again elsewhere", want{false, -1})

	r.Git("branch", "-D", "feature")
	check("a branch deleted", want{false, -1})

	r.Git("reset", "-q", "--hard", "HEAD~1")
	r.Commit("rewritten", map[string]string{"f.env": "LINE_CHANNEL_SECRET=" + s3 + "\n"})
	check("main rewritten", want{false, -1})

	r.Write(map[string]string{"g.env": "LINE_CHANNEL_SECRET=" + fakecred.ChannelSecret("cache-dirty") + "\n"})
	check("an uncommitted file", want{true, 0})
	check("an uncommitted file, again", want{true, 0})
	if err := os.Remove(filepath.Join(r.Dir, "g.env")); err != nil {
		t.Fatal(err)
	}
	check("the uncommitted file gone: its finding is not remembered", want{true, 0})

	// --no-cache reads everything and remembers afresh
	res := scan(t, Options{Path: r.Dir, Cache: &cache.Cache{State: state, Key: "k", Off: true}})
	if res.Cache.Incremental || res.Cache.Read.Commits != res.Report.Stats.Commits {
		t.Errorf("--no-cache: %+v", res.Cache)
	}
	// another key (other rules or settings) does not reuse the state
	if res := scan(t, Options{Path: r.Dir, Cache: &cache.Cache{State: state, Key: "other"}}); res.Cache.Incremental {
		t.Errorf("a state made under another key was used")
	}
	// a damaged state is a full scan, not an error
	if err := os.WriteFile(state, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if res := scan(t, Options{Path: r.Dir, Cache: &cache.Cache{State: state, Key: "k"}}); res.Cache.Incremental {
		t.Errorf("a damaged state was used")
	}
	data, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{s1, s2, s3, tok} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the state file holds a raw secret")
		}
	}
}

// An unchanged rescan reads no commit at all: the run never starts git log.
func TestCacheUnchangedReadsNothing(t *testing.T) {
	r := gittest.FastImport(t, historyStream(300))
	state := filepath.Join(t.TempDir(), "state.json")
	opts := Options{Path: r.Dir, Cache: &cache.Cache{State: state, Key: "k"}}
	first := scan(t, opts)
	var progress Progress
	opts.Progress = &progress
	again, err := Scan(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Cache.Incremental || progress.Commits.Load() != 0 || len(again.Report.Findings) != len(first.Report.Findings) {
		t.Errorf("rescan: %+v, %d commits read, %d findings (first scan %d)", again.Cache, progress.Commits.Load(), len(again.Report.Findings), len(first.Report.Findings))
	}
}
