package gitrepo_test

import (
	"context"
	"testing"

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
