package gitrepo

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/channelguard/channelguard/internal/gittest"
)

// partialClone returns a --filter=blob:none clone of src, whose promisor
// is then gone: the history's blobs are neither here nor fetchable.
func partialClone(t *testing.T, src *gittest.Repo) string {
	t.Helper()
	bare := filepath.Join(t.TempDir(), "remote.git")
	src.Git("clone", "-q", "--bare", src.Dir, bare)
	src.Git("-C", bare, "config", "uploadpack.allowFilter", "true")
	src.Git("-C", bare, "config", "uploadpack.allowAnySHA1InWant", "true")
	dir := filepath.Join(t.TempDir(), "partial")
	src.Git("clone", "-q", "--filter=blob:none", "file://"+bare, dir)
	src.Git("-C", dir, "remote", "set-url", "origin", "file://"+filepath.Join(t.TempDir(), "gone.git"))
	return dir
}

// A partial clone is detected; a blob it lacks reads as absent (git
// cat-file dies on it rather than say "missing": the reader starts again)
// and the reader goes on; MissingAt and MissingObjects name it; a
// complete repository has no promisor.
func TestPartialCloneAndMissingBlobs(t *testing.T) {
	ctx := context.Background()
	src := gittest.New(t)
	src.Commit("one", map[string]string{"a.txt": "first\n"})
	old := src.Git("rev-parse", "HEAD:a.txt")
	src.Commit("two", map[string]string{"a.txt": "second\n", "b.txt": "b\n"})
	if r, err := Open(ctx, src.Dir); err != nil || r.PartialClone(ctx) != nil {
		t.Fatalf("a complete repository: %v, promisors %v", err, r.PartialClone(ctx))
	}
	r, err := Open(ctx, partialClone(t, src))
	if err != nil {
		t.Fatal(err)
	}
	if p := r.PartialClone(ctx); len(p) != 1 || p[0] != "origin" {
		t.Errorf("promisors %v, want [origin]", p)
	}
	blobs, err := r.NewBlobReader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer blobs.Close()
	for i, q := range []struct {
		rev, path, want string
		ok              bool
	}{
		{"HEAD~1", "a.txt", "", false},
		{"HEAD", "a.txt", "second\n", true},
		{"HEAD~1", "a.txt", "", false},
		{"HEAD", "b.txt", "b\n", true},
		{"HEAD", "none.txt", "", false},
	} {
		data, ok, err := blobs.Read(q.rev, q.path)
		if err != nil || ok != q.ok || string(data) != q.want {
			t.Errorf("read %d %s:%s = %q, %v, %v; want %q, %v", i, q.rev, q.path, data, ok, err, q.want, q.ok)
		}
	}
	missing, err := r.MissingObjects(ctx, []string{"--all"})
	if err != nil || !missing[old] {
		t.Errorf("MissingObjects: %v, %v; want %s among them", missing, err, old)
	}
	if at, err := r.MissingAt(ctx, "HEAD~1"); err != nil || len(at) != 1 || at[0] != "a.txt" {
		t.Errorf("MissingAt(HEAD~1) = %v, %v", at, err)
	}
	if at, err := r.MissingAt(ctx, "HEAD"); err != nil || len(at) != 0 {
		t.Errorf("MissingAt(HEAD) = %v, %v: HEAD's blobs are checked out", at, err)
	}
}

// git's message is its fatal line, not a warning before it.
func TestMessageSkipsWarnings(t *testing.T) {
	got := Message([]byte("warning: lazy fetching disabled; some objects may not be available\nfatal: could not fetch 1234 from promisor remote\n"))
	if got != "could not fetch 1234 from promisor remote" {
		t.Errorf("Message = %q", got)
	}
	if got := Message([]byte("hint: x\nsomething odd\n")); got != "something odd" {
		t.Errorf("Message = %q", got)
	}
}
