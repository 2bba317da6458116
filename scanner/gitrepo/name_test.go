package gitrepo

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestNameFromURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://github.com/acme/api.git":            "acme/api",
		"https://github.com/acme/api":                "acme/api",
		"https://github.com/acme/api/":               "acme/api",
		"https://x-access-token:tok@github.com/a/b":  "a/b",
		"http://gitlab.example/group/sub/proj.git":   "group/sub/proj",
		"git@github.com:acme/api.git":                "acme/api",
		"ssh://git@github.com:22/acme/api.git":       "acme/api",
		"github.com:acme/api":                        "acme/api",
		"https://github.com/acme/api.git?ref=x#frag": "acme/api",
		"/srv/git/api.git":                           "",
		"../api":                                     "",
		"file:///srv/git/api.git":                    "",
		`C:\repos\api`:                               "",
		"":                                           "",
		"https://github.com/":                        "",
		"https://host/a/../b":                        "",
	} {
		if got := NameFromURL(raw); got != want {
			t.Errorf("NameFromURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestName(t *testing.T) {
	ctx := context.Background()
	git := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	root := t.TempDir()
	plain := filepath.Join(root, "my-bot")
	git(root, "init", "-q", plain)
	open := func(dir string) *Repo {
		t.Helper()
		r, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if got := open(plain).Name(ctx); got != "my-bot" {
		t.Errorf("no remote: %q, want the directory's name", got)
	}
	git(plain, "remote", "add", "upstream", "git@github.com:acme/line-bot.git")
	if got := open(plain).Name(ctx); got != "acme/line-bot" {
		t.Errorf("one remote: %q", got)
	}
	git(plain, "remote", "add", "origin", "https://github.com/fork/line-bot.git")
	if got := open(plain).Name(ctx); got != "fork/line-bot" {
		t.Errorf("origin and another: %q, want origin's", got)
	}
	bare := filepath.Join(root, "mirror.git")
	git(root, "init", "-q", "--bare", bare)
	if got := open(bare).Name(ctx); got != "mirror" {
		t.Errorf("bare: %q", got)
	}
}
