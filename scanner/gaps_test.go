package scanner

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/scanner/cache"
)

// gapsOf is the report's gaps on one line each, object and commit short.
func gapsOf(rep *finding.Report) []string {
	var out []string
	for _, g := range rep.Gaps {
		out = append(out, fmt.Sprintf("%s %s %s %s", g.Kind, short8(g.Object), short8(g.Commit), g.Path))
	}
	sort.Strings(out)
	return out
}

func sorted(s ...string) string {
	sort.Strings(s)
	return strings.Join(s, "\n")
}

func short8(s string) string { return s[:min(8, len(s))] }

// findingsJSON is the report's findings, for comparison (hashes and
// previews only: no raw value is in the model).
func findingsJSON(t *testing.T, fs []finding.Finding) string {
	t.Helper()
	b, err := json.MarshalIndent(fs, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func without(fs []finding.Finding, secretHash string) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if f.SecretSHA256 != secretHash {
			out = append(out, f)
		}
	}
	return out
}

// A blob deleted from .git/objects loses what it holds and nothing else:
// every other commit and file is scanned, and the report names the blob,
// the commits that needed it and the file as gaps. A later change to the
// file cannot be diffed either (its version before is gone): a gap too.
func TestMissingBlobIsAGap(t *testing.T) {
	lost, later := fakecred.ChannelSecret("gap-lost"), fakecred.ChannelSecret("gap-later")
	kept := []string{fakecred.ChannelSecret("gap-kept-1"), fakecred.ChannelSecret("gap-kept-2"), fakecred.ChannelSecret("gap-kept-3")}
	r := gittest.New(t)
	r.Commit("one", map[string]string{"a.env": "LINE_CHANNEL_SECRET=" + kept[0] + "\n"})
	two := r.Commit("two", map[string]string{
		"b.env":   "LINE_CHANNEL_SECRET=" + lost + "\n",
		"c.env":   "LINE_CHANNEL_SECRET=" + kept[1] + "\n",
		"doc.txt": "notes\n",
	})
	blob := r.Git("rev-parse", "HEAD:b.env")
	three := r.Commit("three", map[string]string{"b.env": "LINE_CHANNEL_SECRET=" + lost + "\nLINE_CHANNEL_SECRET=" + later + "\n"})
	r.Commit("four", map[string]string{"d.env": "LINE_CHANNEL_SECRET=" + kept[2] + "\n"})

	intact := scan(t, Options{Path: r.Dir, Jobs: 1})
	if len(intact.Report.Gaps) != 0 || len(intact.Report.Findings) != 5 {
		t.Fatalf("the intact repository: %d findings, gaps %v", len(intact.Report.Findings), gapsOf(intact.Report))
	}
	r.RemoveObject(blob)
	for _, jobs := range []int{1, 2} {
		res := scan(t, Options{Path: r.Dir, Jobs: jobs})
		want := without(without(intact.Report.Findings, finding.SecretHash(lost)), finding.SecretHash(later))
		if got := findingsJSON(t, res.Report.Findings); got != findingsJSON(t, want) {
			t.Errorf("jobs %d: findings differ from the intact repository's but for the lost blob's:\n got %s\nwant %s", jobs, summarize(res.Report.Findings), summarize(want))
		}
		wantGaps := []string{
			"missing-blob " + short8(blob) + " " + short8(two) + " b.env",
			"missing-blob " + short8(blob) + " " + short8(three) + " b.env",
		}
		if got := gapsOf(res.Report); strings.Join(got, "\n") != sorted(wantGaps...) {
			t.Errorf("jobs %d: gaps\n%s\nwant\n%s", jobs, strings.Join(got, "\n"), sorted(wantGaps...))
		}
		if res.Report.Stats.Commits != intact.Report.Stats.Commits {
			t.Errorf("jobs %d: %d commits read, want %d", jobs, res.Report.Stats.Commits, intact.Report.Stats.Commits)
		}
		for _, g := range res.Report.Gaps {
			if g.Object != blob || g.Detail == "" || strings.Contains(g.Detail, "partial clone") {
				t.Errorf("gap %+v: want the full blob id and a detail that does not speak of a partial clone", g)
			}
		}
	}
}

// In a long history read by several git processes, the stream that meets
// the missing blob stops there; the commits it had not read yet are read
// again: the report is the intact repository's but for the one blob.
func TestMissingBlobInAParallelHistory(t *testing.T) {
	lost := fakecred.ChannelSecret("gap-parallel")
	stream := historyStream(900)
	// a branch off the middle of main adds a file no other commit holds,
	// dated in the middle of the history
	when := 1700000000 + 450*3600 + 1800
	stream += fmt.Sprintf("commit refs/heads/lost\nmark :999999\nauthor Dev <dev@example.com> %d +0000\ncommitter Dev <dev@example.com> %d +0000\ndata 5\nlost\nfrom :450\nM 100644 inline lost/unique.env\ndata %d\n%s\n",
		when, when, len("LINE_CHANNEL_SECRET="+lost+"\n"), "LINE_CHANNEL_SECRET="+lost+"\n")
	r := gittest.FastImport(t, stream)
	commit := r.Git("rev-parse", "lost")
	blob := r.Git("rev-parse", "lost:lost/unique.env")

	intact := scan(t, Options{Path: r.Dir, Jobs: 1})
	want := without(intact.Report.Findings, finding.SecretHash(lost))
	if len(want) != len(intact.Report.Findings)-1 || len(want) < 20 {
		t.Fatalf("the intact history should give many findings and the planted one: %d", len(intact.Report.Findings))
	}
	r.Loosen()
	r.RemoveObject(blob)
	for _, jobs := range []int{1, 2, 3} {
		res := scan(t, Options{Path: r.Dir, Jobs: jobs})
		if got := findingsJSON(t, res.Report.Findings); got != findingsJSON(t, want) {
			t.Errorf("jobs %d: %d findings, want the intact history's %d but the lost one (or they differ)", jobs, len(res.Report.Findings), len(want))
		}
		if got, wantGap := strings.Join(gapsOf(res.Report), "\n"), "missing-blob "+short8(blob)+" "+short8(commit)+" lost/unique.env"; got != wantGap {
			t.Errorf("jobs %d: gaps %q, want %q", jobs, got, wantGap)
		}
		if res.Report.Stats.Commits != intact.Report.Stats.Commits {
			t.Errorf("jobs %d: %d commits read, want %d", jobs, res.Report.Stats.Commits, intact.Report.Stats.Commits)
		}
	}
}

// A missing tree makes the commits that need it unreadable: each is a gap
// naming the tree; the rest of the history is scanned.
func TestMissingTreeIsAGap(t *testing.T) {
	inTree, outside := fakecred.ChannelSecret("gap-tree-in"), fakecred.ChannelSecret("gap-tree-out")
	r := gittest.New(t)
	r.Commit("one", map[string]string{"top.env": "LINE_CHANNEL_SECRET=" + outside + "\n"})
	two := r.Commit("two", map[string]string{"sub/x.env": "LINE_CHANNEL_SECRET=" + inTree + "\n"})
	tree := r.Git("rev-parse", "HEAD:sub")
	three := r.Commit("three", map[string]string{"sub/x.env": "nothing here\n"})
	r.Commit("four", map[string]string{"later.txt": "more\n"})
	r.RemoveObject(tree)

	res := scan(t, Options{Path: r.Dir, Jobs: 1})
	if got := summarize(res.Report.Findings); got != "[line-channel-secret@top.env:1]" {
		t.Errorf("findings %s, want the secret outside the missing tree", got)
	}
	want := []string{
		"unreadable-commit " + short8(tree) + " " + short8(two) + " ",
		"unreadable-commit " + short8(tree) + " " + short8(three) + " ",
	}
	if got := gapsOf(res.Report); strings.Join(got, "\n") != sorted(want...) {
		t.Errorf("gaps\n%s\nwant\n%s", strings.Join(got, "\n"), sorted(want...))
	}
}

// A scan with gaps is not remembered as complete: the next scan through
// the cache reads the history again and reports the same gaps.
func TestGappedScanIsNotRemembered(t *testing.T) {
	r := gittest.New(t)
	r.Commit("one", map[string]string{"a.env": "LINE_CHANNEL_SECRET=" + secretA + "\n"})
	r.Commit("two", map[string]string{"b.txt": "hello\n"})
	r.RemoveObject(r.Git("rev-parse", "HEAD:b.txt"))
	cache := &cache.Cache{State: filepath.Join(t.TempDir(), "state.json"), Key: "k"}
	for i := range 2 {
		res := scan(t, Options{Path: r.Dir, Cache: cache})
		if len(res.Report.Gaps) != 1 || len(res.Report.Findings) != 1 {
			t.Errorf("scan %d: %d findings, gaps %v", i+1, len(res.Report.Findings), gapsOf(res.Report))
		}
		if res.Cache == nil || res.Cache.Incremental {
			t.Errorf("scan %d: cache use %+v, want a full read", i+1, res.Cache)
		}
		if _, ok, err := remembered(context.Background(), Options{Path: r.Dir, Cache: cache}); ok || err != nil {
			t.Errorf("scan %d: a scan with gaps was remembered (err %v)", i+1, err)
		}
	}
}

// partialClone clones remote (a bare repository served with filters
// allowed) with --filter=blob:none: the history's blobs stay on the
// promisor, only HEAD's are fetched at checkout.
func partialClone(t *testing.T, src *gittest.Repo) string {
	t.Helper()
	bare := filepath.Join(t.TempDir(), "remote.git")
	src.Git("clone", "-q", "--bare", src.Dir, bare)
	src.Git("-C", bare, "config", "uploadpack.allowFilter", "true")
	src.Git("-C", bare, "config", "uploadpack.allowAnySHA1InWant", "true")
	dir := filepath.Join(t.TempDir(), "partial")
	src.Git("clone", "-q", "--filter=blob:none", "file://"+bare, dir)
	return dir
}

// silentPromisor listens where the promisor is moved to, accepts and never
// answers: a lazy fetch would hang there. It counts connections.
func silentPromisor(t *testing.T) (url string, connections *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	connections = &atomic.Int64{}
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			connections.Add(1)
			held = append(held, c) // never answered
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range held {
			c.Close()
		}
	})
	return "git://" + ln.Addr().String() + "/remote.git", connections
}

// A partial clone is said up front, its missing blobs are never fetched
// (the promisor here never answers: a lazy fetch would hang the scan),
// and they are reported as gaps; what the clone holds is scanned.
func TestPartialCloneIsNotFetched(t *testing.T) {
	old, atHead := fakecred.ChannelSecret("partial-old"), fakecred.ChannelSecret("partial-head")
	src := gittest.New(t)
	one := src.Commit("one", map[string]string{"old.env": "LINE_CHANNEL_SECRET=" + old + "\n"})
	oldBlob := src.Git("rev-parse", "HEAD:old.env")
	two := src.Commit("two", map[string]string{"old.env": "gone\n"})
	src.Commit("three", map[string]string{"app.env": "LINE_CHANNEL_SECRET=" + atHead + "\n"})
	pc := partialClone(t, src)
	url, connections := silentPromisor(t)
	src.Git("-C", pc, "remote", "set-url", "origin", url)
	if out := src.Git("-C", pc, "rev-list", "--objects", "--missing=print", "--all"); !strings.Contains(out, "?"+oldBlob) {
		t.Fatalf("the clone holds the old blob: not a partial clone")
	}

	var said []string
	for _, jobs := range []int{1, 2} {
		said = nil
		type scanned struct {
			res *Result
			err error
		}
		done := make(chan scanned, 1)
		go func() {
			res, err := Scan(context.Background(), Options{Path: pc, Jobs: jobs, Notef: func(n string) { said = append(said, n) }})
			done <- scanned{res, err}
		}()
		var res *Result
		select {
		case r := <-done:
			if r.err != nil {
				t.Fatalf("jobs %d: %v", jobs, r.err)
			}
			res = r.res
		case <-time.After(60 * time.Second):
			t.Fatalf("jobs %d: the scan hangs (%d connections to the promisor): git is fetching a missing blob", jobs, connections.Load())
		}
		if n := connections.Load(); n > 0 {
			t.Fatalf("jobs %d: git connected to the promisor %d times: a lazy fetch", jobs, n)
		}
		if got := summarize(res.Report.Findings); got != "[line-channel-secret@app.env:1]" {
			t.Errorf("jobs %d: findings %s, want the secret HEAD holds", jobs, got)
		}
		want := []string{
			"missing-blob " + short8(oldBlob) + " " + short8(one) + " old.env",
			"missing-blob " + short8(oldBlob) + " " + short8(two) + " old.env",
		}
		// two deleted old.env's lines and added "gone": its version before
		// is missing, so the line it added was not scanned either
		if got := gapsOf(res.Report); strings.Join(got, "\n") != sorted(want...) {
			t.Errorf("jobs %d: gaps\n%s\nwant\n%s", jobs, strings.Join(got, "\n"), sorted(want...))
		}
		for _, g := range res.Report.Gaps {
			if !strings.Contains(g.Detail, "partial clone") || !strings.Contains(g.Detail, "origin") {
				t.Errorf("gap detail %q does not say the blob was left out of a partial clone", g.Detail)
			}
		}
		if len(said) != 1 || !strings.Contains(said[0], "is a partial clone (promisor remote origin)") {
			t.Errorf("jobs %d: notes said up front %q", jobs, said)
		}
		if len(res.Report.Notes) != 1 || res.Report.Notes[0] != said[0] {
			t.Errorf("jobs %d: report notes %q", jobs, res.Report.Notes)
		}
	}
	if out := src.Git("-C", pc, "rev-list", "--objects", "--missing=print", "--all"); !strings.Contains(out, "?"+oldBlob) {
		t.Errorf("the old blob was fetched")
	}
}

// A partial clone's scan is neither taken from the cache nor remembered:
// its missing objects could be fetched at any time.
func TestPartialCloneIsNotCached(t *testing.T) {
	src := gittest.New(t)
	src.Commit("one", map[string]string{"app.env": "LINE_CHANNEL_SECRET=" + secretA + "\n"})
	pc := partialClone(t, src)
	cache := &cache.Cache{State: filepath.Join(t.TempDir(), "state.json"), Key: "k"}
	res := scan(t, Options{Path: pc, Cache: cache})
	if len(res.Report.Gaps) != 0 || len(res.Report.Notes) != 1 {
		t.Fatalf("gaps %v, notes %q: a one-commit clone holds every blob, and is a partial clone", gapsOf(res.Report), res.Report.Notes)
	}
	if _, ok, _ := remembered(context.Background(), Options{Path: pc, Cache: cache}); ok || isFile(cache.State) {
		t.Error("a partial clone's scan was remembered")
	}
}

// A missing blob still at HEAD: looking for a removed secret elsewhere at
// HEAD (git grep) searches every other file; the secret's window is right.
func TestMissingBlobAtHead(t *testing.T) {
	removed := fakecred.ChannelSecret("gap-head-removed")
	r := gittest.New(t)
	added := r.Commit("one", map[string]string{"a.env": "LINE_CHANNEL_SECRET=" + removed + "\n"})
	lostIn := r.Commit("two", map[string]string{"lost.env": "LINE_CHANNEL_SECRET=" + secretB + "\n"})
	blob := r.Git("rev-parse", "HEAD:lost.env")
	gone := r.Commit("three", map[string]string{"a.env": "LINE_CHANNEL_SECRET=${LINE_CHANNEL_SECRET}\n"})
	r.RemoveObject(blob)
	res := scan(t, Options{Path: r.Dir})
	f := only(t, res, "a.env")
	if f.Exposure.StillAtHead || f.Exposure.FirstCommit == nil || f.Exposure.FirstCommit.SHA != added || f.Exposure.RemovedIn == nil || f.Exposure.RemovedIn.SHA != gone {
		t.Errorf("exposure %+v", f.Exposure)
	}
	if got := strings.Join(gapsOf(res.Report), "\n"); got != "missing-blob "+short8(blob)+" "+short8(lostIn)+" lost.env" {
		t.Errorf("gaps %q", got)
	}
}

// The commit that deleted a file whose last version is missing cannot be
// read to name the commit that removed a secret: the scan goes on, the
// secret is reported (not at HEAD, no removing commit named) and the
// missing version is a gap.
func TestRemovalBehindAMissingBlob(t *testing.T) {
	s := fakecred.ChannelSecret("gap-removal")
	r := gittest.New(t)
	added := r.Commit("one", map[string]string{"f.env": "LINE_CHANNEL_SECRET=" + s + "\n"})
	two := r.Commit("two", map[string]string{"f.env": "LINE_CHANNEL_SECRET=" + s + "\nPORT=1\n"})
	blob := r.Git("rev-parse", "HEAD:f.env")
	r.Remove("f.env")
	r.Commit("three", nil)
	r.RemoveObject(blob)
	for _, jobs := range []int{1, 2} {
		res := scan(t, Options{Path: r.Dir, Jobs: jobs})
		f := only(t, res, "f.env")
		if f.Exposure.StillAtHead || f.Exposure.FirstCommit == nil || f.Exposure.FirstCommit.SHA != added {
			t.Errorf("jobs %d: exposure %+v", jobs, f.Exposure)
		}
		if got := strings.Join(gapsOf(res.Report), "\n"); got != "missing-blob "+short8(blob)+" "+short8(two)+" f.env" {
			t.Errorf("jobs %d: gaps %q", jobs, got)
		}
	}
}
