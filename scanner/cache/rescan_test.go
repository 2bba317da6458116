package cache

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/internal/gittest"
)

// gitLog puts a git on PATH that writes each run's subcommand to a log
// before it runs the real git, and returns a func that reads the log.
func gitLog(t *testing.T) func() []string {
	t.Helper()
	real, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	log := filepath.Join(t.TempDir(), "git.log")
	script := "#!/bin/sh\nfor a in \"$@\"; do case $a in -C) skip=1 ;; *) if [ -n \"$skip\" ]; then skip=; else echo \"$a\" >>" + log + "; break; fi ;; esac; done\nexec " + real + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return func() []string {
		b, err := os.ReadFile(log)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return slices.Sorted(slices.Values(strings.Fields(string(b))))
	}
}

// An unchanged rescan is mostly waiting for git: Look runs one git
// process per question and no more (HEAD comes with Open's rev-parse).
func TestLookRunsEachGitOnce(t *testing.T) {
	r := gittest.New(t)
	r.Commit("one", map[string]string{"a.txt": "a\n", "sub/b.txt": "b\n"})
	ran := gitLog(t)
	for _, dir := range []string{r.Dir, filepath.Join(r.Dir, "sub")} {
		now, err := Look(context.Background(), dir, 0, nil)
		if err != nil || now == nil {
			t.Fatalf("Look(%s) = %v, %v", dir, now, err)
		}
		if now.Head == "" || len(now.Tips) != 1 || len(now.Dirty) != 0 {
			t.Errorf("Look(%s) = head %q, tips %v, dirty %v", dir, now.Head, now.Tips, now.Dirty)
		}
	}
	want := "config config diff diff for-each-ref for-each-ref ls-files ls-files rev-parse rev-parse"
	if got := strings.Join(ran(), " "); got != want {
		t.Errorf("git runs: %s\nwant:     %s", got, want)
	}
}
