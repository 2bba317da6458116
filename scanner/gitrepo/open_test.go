package gitrepo_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/scanner/gitrepo"
)

// Open answers the same for every kind of directory whether HEAD is a
// commit or not: Open asks HEAD with its other questions, and where that
// fails (a new repository, HEAD's commit missing, a bare repository) it
// asks again without it.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	work := gittest.New(t)
	work.Commit("one", map[string]string{"apps/bot/a.txt": "a\n"})
	head := work.Git("rev-parse", "HEAD")
	bare := filepath.Join(t.TempDir(), "mirror.git")
	work.Git("clone", "-q", "--bare", work.Dir, bare)

	empty := gittest.New(t)
	empty.Write(map[string]string{"sub/x.txt": "x\n"})
	emptyBare := filepath.Join(t.TempDir(), "empty.git")
	empty.Git("init", "-q", "--bare", emptyBare)

	// a damaged repository: HEAD names a commit it does not hold
	lost := gittest.New(t)
	lost.Commit("one", map[string]string{"a.txt": "a\n"})
	lost.RemoveObject(lost.Git("rev-parse", "HEAD"))

	plain := t.TempDir()
	tests := []struct {
		name, dir    string
		root, prefix string
		bare         bool
		head         string // "" when HEAD is not a commit here
		notRepo      bool
	}{
		{name: "work tree", dir: work.Dir, root: work.Dir, head: head},
		{name: "subdirectory", dir: filepath.Join(work.Dir, "apps", "bot"), root: work.Dir, prefix: "apps/bot", head: head},
		{name: "bare", dir: bare, root: bare, bare: true, head: head},
		{name: "new repository", dir: empty.Dir, root: empty.Dir},
		{name: "new repository, subdirectory", dir: filepath.Join(empty.Dir, "sub"), root: empty.Dir, prefix: "sub"},
		{name: "new bare repository", dir: emptyBare, root: emptyBare, bare: true},
		{name: "HEAD's commit missing", dir: lost.Dir, root: lost.Dir},
		{name: "inside .git", dir: filepath.Join(work.Dir, ".git", "refs"), notRepo: true},
		{name: "plain directory", dir: plain, notRepo: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := gitrepo.Open(ctx, tt.dir)
			if tt.notRepo {
				if !errors.Is(err, gitrepo.ErrNotRepository) {
					t.Fatalf("Open = %v, want ErrNotRepository", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if r.Root != tt.root || r.Prefix != tt.prefix || r.Bare != tt.bare {
				t.Errorf("Open = root %s prefix %q bare %v, want %s %q %v", r.Root, r.Prefix, r.Bare, tt.root, tt.prefix, tt.bare)
			}
			got, err := r.ResolveCommit(ctx, "HEAD")
			if tt.head == "" {
				if err == nil || !strings.Contains(err.Error(), `unknown revision "HEAD"`) || r.HasCommits(ctx) {
					t.Errorf("HEAD = %s, %v; want an unknown revision and no commits", got, err)
				}
				return
			}
			if err != nil || got != tt.head || !r.HasCommits(ctx) {
				t.Errorf("HEAD = %s, %v; want %s", got, err, tt.head)
			}
		})
	}
}

// The HEAD a Repo answers is the one Open saw: it was asked with Open's
// other questions, and one scan reads one HEAD even if a commit lands
// while it runs.
func TestOpenKnowsHead(t *testing.T) {
	ctx := context.Background()
	r := gittest.New(t)
	first := r.Commit("one", map[string]string{"a.txt": "a\n"})
	repo, err := gitrepo.Open(ctx, r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	r.Commit("two", map[string]string{"a.txt": "b\n"})
	if got, err := repo.ResolveCommit(ctx, "HEAD"); err != nil || got != first {
		t.Errorf("HEAD = %s, %v; want %s, the commit Open saw", got, err, first)
	}
}

// WorktreeChanges lists what the history does not hold, relative to the
// top of the work tree and limited to the scanned directory: files that
// differ from HEAD (a change staged and then undone does not) and
// untracked files that are not ignored; in a repository without commits,
// every file that is not ignored.
func TestWorktreeChanges(t *testing.T) {
	ctx := context.Background()
	withCommits := func(t *testing.T) *gittest.Repo {
		r := gittest.New(t)
		r.Commit("one", map[string]string{
			".gitignore": "*.log\n", "a.txt": "a\n", "gone.txt": "g\n", "undone.txt": "u\n",
			"sub/b.txt": "b\n", "sub/same.txt": "s\n",
		})
		r.Write(map[string]string{"a.txt": "changed\n", "new.txt": "n\n", "skip.log": "l\n",
			"sub/b.txt": "changed\n", "sub/new.txt": "n\n", "sub/skip.log": "l\n", "undone.txt": "staged\n"})
		r.Remove("gone.txt")
		r.Git("add", "undone.txt")
		r.Write(map[string]string{"undone.txt": "u\n"})
		return r
	}
	withoutCommits := func(t *testing.T) *gittest.Repo {
		r := gittest.New(t)
		r.Write(map[string]string{".gitignore": "*.log\n", "staged.txt": "s\n", "sub/new.txt": "n\n", "sub/skip.log": "l\n"})
		r.Git("add", ".gitignore", "staged.txt")
		return r
	}
	tests := []struct {
		name string
		repo func(*testing.T) *gittest.Repo
		sub  string
		want string
	}{
		{"with commits", withCommits, "", "a.txt gone.txt new.txt sub/b.txt sub/new.txt"},
		{"with commits, subdirectory", withCommits, "sub", "sub/b.txt sub/new.txt"},
		{"without commits", withoutCommits, "", ".gitignore staged.txt sub/new.txt"},
		{"without commits, subdirectory", withoutCommits, "sub", "sub/new.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.repo(t)
			repo, err := gitrepo.Open(ctx, filepath.Join(r.Dir, tt.sub))
			if err != nil {
				t.Fatal(err)
			}
			got, err := repo.WorktreeChanges(ctx)
			if err != nil {
				t.Fatalf("WorktreeChanges: %v", err)
			}
			if s := strings.Join(slices.Sorted(slices.Values(got)), " "); s != tt.want {
				t.Errorf("changes %q, want %q", s, tt.want)
			}
		})
	}
}
