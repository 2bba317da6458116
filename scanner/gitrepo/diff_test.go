package gitrepo_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/scanner/gitrepo"
)

// Patches is base...head per file, as the PR files API gives it: a file
// head deletes has no patch, a line that reads like a header stays in its
// hunk, a path with non-ASCII characters is not quoted, and what base
// gained after the merge base is not head's.
func TestPatches(t *testing.T) {
	r := gittest.New(t)
	base := r.Commit("base", map[string]string{"keep.txt": "a\nb\nc\n", "gone.txt": "x\n", "same.txt": "s\n"})
	r.Git("checkout", "-q", "-b", "feature")
	r.Remove("gone.txt")
	head := r.Commit("feature", map[string]string{"keep.txt": "a\n++ not a header\nc\n", "設定/app.env": "K=1\n"})
	r.Git("checkout", "-q", base)
	r.Commit("later on base", map[string]string{"same.txt": "changed on base\n"})

	repo, err := gitrepo.Open(context.Background(), r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	patches, err := repo.Patches(context.Background(), "HEAD", head)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range patches {
		got[p.Path] = p.Patch
	}
	want := map[string]string{
		"keep.txt":   "@@ -1,3 +1,3 @@\n a\n-b\n+++ not a header\n c\n",
		"設定/app.env": "@@ -0,0 +1 @@\n+K=1\n",
	}
	if len(got) != len(want) {
		t.Errorf("patches for %d files, want %d: %q", len(got), len(want), got)
	}
	for path, patch := range want {
		if got[path] != patch {
			t.Errorf("%s: patch %q, want %q", path, got[path], patch)
		}
	}
	if _, err := repo.Patches(context.Background(), "HEAD", "0000000000000000000000000000000000000001"); err == nil {
		t.Error("a head the clone lacks gave no error")
	}
}

// A copied checkout (stale file times in the index) whose HEAD lacks a
// blob: git diff HEAD dies reading it (git 2.x even crashes), yet the
// working tree's changes are still known.
func TestWorktreeChangesInADamagedCopy(t *testing.T) {
	r := gittest.New(t)
	r.Commit("one", map[string]string{"keep.txt": "a\n", "lost.txt": "b\n", "edit.txt": "c\n"})
	blob := strings.TrimSpace(r.Git("rev-parse", "HEAD:lost.txt"))
	r.RemoveObject(blob)
	later := time.Now().Add(time.Hour)
	for _, name := range []string{"keep.txt", "lost.txt", "edit.txt"} {
		if err := os.Chtimes(filepath.Join(r.Dir, name), later, later); err != nil {
			t.Fatal(err)
		}
	}
	r.Write(map[string]string{"edit.txt": "changed\n", "new.txt": "n\n"})
	repo, err := gitrepo.Open(context.Background(), r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := repo.WorktreeChanges(context.Background())
	if err != nil {
		t.Fatalf("WorktreeChanges: %v", err)
	}
	slices.Sort(got)
	if want := []string{"edit.txt", "new.txt"}; !slices.Equal(got, want) {
		t.Errorf("changes %v, want %v", got, want)
	}
}
