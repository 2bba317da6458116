// Package gittest makes real git repositories in temporary directories for
// tests, with fixed identities and dates so commits are reproducible.
package gittest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Repo is a repository under a test's temp dir.
type Repo struct {
	t    testing.TB
	Dir  string
	tick int
}

// New runs git init in a new temp dir.
func New(t testing.TB) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: t.TempDir()}
	r.Git("init", "-q", "-b", "main")
	return r
}

// Git runs a git command in the repository and returns its trimmed stdout.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	date := fmt.Sprintf("2024-01-%02dT12:00:00Z", 1+r.tick%28)
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Alice Example", "GIT_AUTHOR_EMAIL=alice@example.com",
		"GIT_COMMITTER_NAME=Alice Example", "GIT_COMMITTER_EMAIL=alice@example.com",
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date,
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Write writes files (path → content) into the work tree.
func (r *Repo) Write(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// Remove deletes files from the work tree.
func (r *Repo) Remove(names ...string) {
	r.t.Helper()
	for _, n := range names {
		if err := os.Remove(filepath.Join(r.Dir, filepath.FromSlash(n))); err != nil {
			r.t.Fatal(err)
		}
	}
}

// Commit writes files, stages everything and commits; it returns the SHA.
// Each commit is one day after the previous one.
func (r *Repo) Commit(msg string, files map[string]string) string {
	r.t.Helper()
	r.Write(files)
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "-m", msg)
	r.tick++
	return r.Git("rev-parse", "HEAD")
}

// FastImport makes a repository from a git fast-import stream in one run,
// so histories of hundreds of commits cost milliseconds. Marks, branches
// and merges are the stream's own.
func FastImport(t testing.TB, stream string) *Repo {
	t.Helper()
	r := New(t)
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = r.Dir
	cmd.Stdin = strings.NewReader(stream)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}
	r.Git("checkout", "-q", "-f", "main")
	return r
}

// Open is an existing repository (a clone, a bare mirror) for tests.
func Open(t testing.TB, dir string) *Repo {
	return &Repo{t: t, Dir: dir}
}

// gitDir is the repository's .git directory, or Dir for a bare one.
func (r *Repo) gitDir() string {
	if info, err := os.Stat(filepath.Join(r.Dir, ".git")); err == nil && info.IsDir() {
		return filepath.Join(r.Dir, ".git")
	}
	return r.Dir
}

// Loosen turns every packed object into a loose one (a fresh commit's
// objects are loose already; a clone's or a fast-import's are packed), so
// that RemoveObject can take one out.
func (r *Repo) Loosen() {
	r.t.Helper()
	packDir := filepath.Join(r.gitDir(), "objects", "pack")
	packs, err := filepath.Glob(filepath.Join(packDir, "*.pack"))
	if err != nil {
		r.t.Fatal(err)
	}
	away := r.t.TempDir()
	for _, p := range packs {
		moved := filepath.Join(away, filepath.Base(p))
		if err := os.Rename(p, moved); err != nil {
			r.t.Fatal(err)
		}
		base := strings.TrimSuffix(p, ".pack")
		for _, ext := range []string{".idx", ".rev", ".promisor", ".keep"} {
			_ = os.Remove(base + ext)
		}
		f, err := os.Open(moved)
		if err != nil {
			r.t.Fatal(err)
		}
		cmd := exec.Command("git", "unpack-objects", "-q")
		cmd.Dir = r.Dir
		cmd.Stdin = f
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		f.Close()
		if err != nil {
			r.t.Fatalf("git unpack-objects: %v\n%s", err, out)
		}
	}
}

// RemoveObject deletes a loose object from the repository, as a damaged
// clone or a snapshot that left it out would lack it.
func (r *Repo) RemoveObject(sha string) {
	r.t.Helper()
	if err := os.Remove(filepath.Join(r.gitDir(), "objects", sha[:2], sha[2:])); err != nil {
		r.t.Fatalf("remove object %s: %v (call Loosen first for a packed object)", sha, err)
	}
}
