package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
)

// asMainEnv makes the test binary run main() (TestMain), so git can run
// it as channelguard.
const asMainEnv = "CHANNELGUARD_TEST_AS_MAIN"

// plainHook is the README's .git/hooks/pre-commit script, word for word
// (TestReadmeHookScript keeps the two the same).
const plainHook = `#!/bin/sh
# .git/hooks/pre-commit: refuse a commit that adds a secret
exec channelguard scan --staged --quiet
`

// TestPlainPreCommitHook commits through git with the README's hook
// installed: git runs it with its own index (GIT_INDEX_FILE for commit -a
// and commit PATH), and a commit that would add a secret is refused.
func TestPlainPreCommitHook(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(exe, filepath.Join(bin, "channelguard")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv(asMainEnv, "1")

	secret := fakecred.ChannelSecret("hook-secret")
	r := gittest.New(t)
	r.Commit("init", map[string]string{"app.env": "PORT=1\n", "README.md": "hi\n"})
	hook := filepath.Join(r.Dir, ".git", "hooks", "pre-commit")
	if err := os.MkdirAll(filepath.Dir(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hook, []byte(plainHook), 0o755); err != nil {
		t.Fatal(err)
	}
	commit := func(args ...string) (bool, string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "m"}, args...)...)
		cmd.Dir = r.Dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		if strings.Contains(string(out), secret) {
			t.Fatal("hook output holds the planted secret")
		}
		return err == nil, string(out)
	}
	head := func() string { return r.Git("rev-parse", "HEAD") }

	// a staged secret: refused, nothing committed
	before := head()
	r.Write(map[string]string{"leak.env": "LINE_CHANNEL_SECRET=" + secret + "\n"})
	r.Git("add", "leak.env")
	if ok, out := commit(); ok || head() != before || !strings.Contains(out, "leak.env") {
		t.Fatalf("a staged secret was committed (or not named):\n%s", out)
	}
	r.Git("reset", "-q")
	// the secret left unstaged, a clean change staged: committed
	r.Write(map[string]string{"README.md": "hello\n"})
	r.Git("add", "README.md")
	if ok, out := commit(); !ok || head() == before {
		t.Fatalf("a clean commit was refused:\n%s", out)
	}
	// commit -a stages a tracked file's secret through its own index
	before = head()
	r.Write(map[string]string{"app.env": "PORT=1\nLINE_CHANNEL_SECRET=" + secret + "\n"})
	if ok, out := commit("-a"); ok || head() != before || !strings.Contains(out, "app.env") {
		t.Fatalf("commit -a with a secret was not refused:\n%s", out)
	}
	// commit PATH commits that path alone, from a temporary index
	r.Write(map[string]string{"README.md": "hello again\n"})
	if ok, out := commit("--", "README.md"); !ok || head() == before {
		t.Fatalf("commit of a clean path was refused:\n%s", out)
	}
	before = head()
	if ok, out := commit("--", "app.env"); ok || head() != before {
		t.Fatalf("commit of the leaking path was not refused:\n%s", out)
	}
}

// TestReadmeHookScript: the script the README tells users to save is the
// one TestPlainPreCommitHook runs.
func TestReadmeHookScript(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```sh\n"+plainHook+"```\n") {
		t.Errorf("README does not show the tested .git/hooks/pre-commit script:\n%s", plainHook)
	}
}
