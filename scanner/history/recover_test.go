package history

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fatih/semgroup"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/scanner/gitrepo"
)

// frag is one fragment a Source yielded: where, and the added text.
type frag struct {
	commit, path string
	line         int
	raw          string
}

func (f frag) String() string { return fmt.Sprintf("%.8s %s:%d %q", f.commit, f.path, f.line, f.raw) }

// read runs a Source over every ref of dir with jobs git processes and
// returns what it yielded (sorted), its gaps and the commits it counted.
func read(t *testing.T, dir string, jobs int) ([]frag, []finding.Gap, int) {
	t.Helper()
	ctx := context.Background()
	repo, err := gitrepo.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	s := &Source{Repo: repo, Revs: []string{"--all"}, Sema: semgroup.NewGroup(ctx, 4), Jobs: jobs}
	return collect(t, s), s.Gaps(), s.Commits()
}

// collect runs s and returns what it yielded, sorted.
func collect(t *testing.T, s *Source) []frag {
	t.Helper()
	var mu sync.Mutex
	var got []frag
	err := s.Fragments(context.Background(), func(f sources.Fragment, err error) error {
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		got = append(got, frag{f.CommitSHA, f.FilePath, f.StartLine, f.Raw})
		return nil
	})
	if err != nil {
		t.Fatalf("jobs %d: %v", s.Jobs, err)
	}
	slices.SortFunc(got, func(a, b frag) int { return strings.Compare(a.String(), b.String()) })
	return got
}

// corrupt overwrites a loose object with bytes that are not zlib: the
// repository still lists the object (git cat-file --batch-all-objects
// names it without reading it), but git cannot read it.
func corrupt(t *testing.T, dir, id string) {
	t.Helper()
	p := filepath.Join(dir, ".git", "objects", id[:2], id[2:])
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatalf("corrupt %s: %v (is it loose?)", id, err)
	}
	if err := os.WriteFile(p, []byte("not an object"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// historyWith is a fast-import stream of n commits on main, each changing
// one of ten files, with extra files changed by the commits extra names
// (commit number → path → content, or "blob <id>" for a blob the
// repository holds already).
func historyWith(n int, extra map[int]map[string]string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		when := 1700000000 + i*3600
		fmt.Fprintf(&b, "commit refs/heads/main\nmark :%d\nauthor Dev <dev@example.com> %d +0000\ncommitter Dev <dev@example.com> %d +0000\ndata 4\nc%03d\n", i, when, when, i%1000)
		if i > 1 {
			fmt.Fprintf(&b, "from :%d\n", i-1)
		}
		files := map[string]string{fmt.Sprintf("f%d.txt", i%10): fmt.Sprintf("version %d of f%d\n", i, i%10)}
		maps.Copy(files, extra[i])
		for _, p := range slices.Sorted(maps.Keys(files)) {
			if id, ok := strings.CutPrefix(files[p], "blob "); ok {
				fmt.Fprintf(&b, "M 100644 %s %s\n", id, p)
				continue
			}
			fmt.Fprintf(&b, "M 100644 inline %s\ndata %d\n%s\n", p, len(files[p]), files[p])
		}
	}
	return b.String()
}

// looseBlob writes content into r as a loose object (fast-import packs
// what it imports; a loose object can be damaged alone) and returns its id.
func looseBlob(t *testing.T, r *gittest.Repo, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return r.Git("hash-object", "-w", p)
}

// fastImport runs git fast-import of stream in r.
func fastImport(t *testing.T, r *gittest.Repo, stream string) {
	t.Helper()
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = r.Dir
	cmd.Stdin = strings.NewReader(stream)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}
}

// A blob the repository holds but git cannot read (a corrupt object; a
// missing one is found before any re-read, by the list of objects) makes
// the re-read of the commits the stream had not finished fail again. Those
// commits are then read one at a time: each commit that needs the blob is
// a gap naming it (what git gave of it before it failed is kept, what came
// after is lost with it), every other commit is read whole, nothing is
// read twice, and every commit git gave a file of is counted once.
func TestCorruptBlobRereadsCommitByCommit(t *testing.T) {
	const n = 600 // with jobs > 1, several streams (250 commits each at least)
	const adds, changes = 300, 350
	r := gittest.New(t)
	blob := looseBlob(t, r, "the blob that will be corrupt\n")
	fastImport(t, r, historyWith(n, map[int]map[string]string{
		// a.txt comes before the blob in git's output, c.txt after it
		adds:    {"a.txt": "before the blob\n", "b.txt": "blob " + blob, "c.txt": "after the blob\n"},
		changes: {"b.txt": "the blob that will be corrupt\nand a line more\n"},
	}))
	lost := map[string]bool{r.Git("rev-parse", fmt.Sprintf("main~%d", n-adds)): true, r.Git("rev-parse", fmt.Sprintf("main~%d", n-changes)): true}
	// the commit that changes b.txt first (and f0.txt after it) gives
	// nothing: it is a gap, not a commit read
	const counted = n - 1

	intact, gaps, commits := read(t, r.Dir, 1)
	if len(gaps) != 0 || commits != n || len(intact) < n {
		t.Fatalf("the intact history: %d fragments, %d commits, gaps %v", len(intact), commits, gaps)
	}
	// what the damaged repository can still give: all but the blob's
	// commits' files from b.txt on (git writes a commit's files in path
	// order and stops at the blob)
	var want []frag
	for _, f := range intact {
		if !lost[f.commit] || f.path < "b.txt" {
			want = append(want, f)
		}
	}
	corrupt(t, r.Dir, blob)
	for _, jobs := range []int{1, 2} {
		got, gaps, commits := read(t, r.Dir, jobs)
		if !slices.Equal(got, want) {
			t.Errorf("jobs %d: %d fragments, want %d:\n%s", jobs, len(got), len(want), diff(got, want))
		}
		if commits != counted {
			t.Errorf("jobs %d: %d commits counted, want %d", jobs, commits, counted)
		}
		var gapped []string
		for _, g := range gaps {
			gapped = append(gapped, g.Commit)
			if g.Kind != finding.GapUnreadableCommit || g.Object != blob || !lost[g.Commit] || g.Detail == "" {
				t.Errorf("jobs %d: gap %+v: want an unreadable commit that needs %.8s, naming it", jobs, g, blob)
			}
		}
		if len(gaps) != len(lost) {
			t.Errorf("jobs %d: gaps in %v, want one for each of the two commits that need the blob", jobs, gapped)
		}
	}
}

// diff lists the fragments only one side has, and any fragment got more
// than once.
func diff(got, want []frag) string {
	count := map[frag]int{}
	for _, f := range got {
		count[f]++
	}
	var b strings.Builder
	for _, f := range want {
		if count[f] == 0 {
			b.WriteString("  missing " + f.String() + "\n")
		}
		count[f]--
	}
	for f, c := range count {
		if c > 0 {
			fmt.Fprintf(&b, "  extra %s (%d)\n", f, c)
		}
	}
	return b.String()
}

// A submodule's entry names a commit of another repository, which this
// one never holds: it is not a missing blob, and only the blob that is
// missing is a gap.
func TestSubmoduleIsNotAMissingBlob(t *testing.T) {
	r := gittest.New(t)
	r.Commit("one", map[string]string{"a.txt": "a\n"})
	// two adds b.txt and a submodule at a commit of its own repository
	sub := strings.Repeat("5", 40)
	r.Write(map[string]string{"b.txt": "b\n"})
	r.Git("add", "b.txt")
	r.Git("update-index", "--add", "--cacheinfo", "160000,"+sub+",vendor/lib")
	r.Git("commit", "-q", "-m", "two")
	two := r.Git("rev-parse", "HEAD")
	if r.Git("ls-tree", "HEAD", "vendor/lib") == "" {
		t.Fatal("the submodule was not committed")
	}
	blob := r.Git("rev-parse", "HEAD:b.txt")
	// three removes the submodule (git add -A: no such directory) and
	// b.txt (git would read a blob still in the work tree from there)
	r.Remove("b.txt")
	r.Commit("three", map[string]string{"c.txt": "c\n"})

	intact, _, _ := read(t, r.Dir, 1)
	r.RemoveObject(blob)
	for _, jobs := range []int{1, 2} {
		got, gaps, commits := read(t, r.Dir, jobs)
		var want []frag
		for _, f := range intact {
			if f.path != "b.txt" {
				want = append(want, f)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("jobs %d:\n%s", jobs, diff(got, want))
		}
		if len(gaps) != 1 || gaps[0].Kind != finding.GapMissingBlob || gaps[0].Object != blob || gaps[0].Commit != two || gaps[0].Path != "b.txt" {
			t.Errorf("jobs %d: gaps %+v, want only the missing blob b.txt in commit two", jobs, gaps)
		}
		if commits != 3 {
			t.Errorf("jobs %d: %d commits, want 3", jobs, commits)
		}
	}
}
