package gitleaksignore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIgnores(t *testing.T) {
	const sha = "fd52ef758f4d71bdc33463dbb59ff066345db0b3"
	dir := t.TempDir()
	p := write(t, dir, Name, "# reviewed 2026-12-01\n\n"+
		"  "+sha+":app/a.py:internal-api-key:1  \n"+
		`docs\setup.md:generic-api-key:12`+"\n"+
		"not-a-fingerprint\n")
	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 3 {
		t.Errorf("Len = %d, want 3 (comments and blank lines skipped)", s.Len())
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "line 5") {
		t.Errorf("Warnings = %q, want one for line 5", s.Warnings)
	}
	for _, c := range []struct {
		commit, file, rule string
		line               int
		other              []string
		want               bool
	}{
		{sha, "app/a.py", "internal-api-key", 1, nil, true},
		{"0000000000000000000000000000000000000000", "app/a.py", "internal-api-key", 1, nil, false}, // another commit
		{sha, "app/a.py", "internal-api-key", 2, nil, false},                                        // another line
		{sha, "app/a.py", "aws-access-token", 1, nil, false},                                        // another rule
		{"", "app/a.py", "internal-api-key", 1, nil, false},                                         // a commit's entry is not global
		{"", "docs/setup.md", "generic-api-key", 12, nil, true},                                     // backslash read as slash
		{sha, "docs/setup.md", "generic-api-key", 12, nil, true},                                    // global entry: any commit
		{"", "setup.md", "generic-api-key", 12, []string{"docs/setup.md"}, true},                    // another name of the file
	} {
		if got := s.Ignores(c.commit, c.file, c.rule, c.line, c.other...); got != c.want {
			t.Errorf("Ignores(%.7s, %s, %s, %d, %v) = %v, want %v", c.commit, c.file, c.rule, c.line, c.other, got, c.want)
		}
	}
	var none *Set
	if none.Ignores(sha, "app/a.py", "internal-api-key", 1) || none.Len() != 0 || none.Digest() != "" {
		t.Error("a nil Set ignores something")
	}
}

func TestDigestFollowsContent(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, Name, "a.py:r:1\n")
	a, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, Name, "a.py:r:2\n")
	b, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest() == "" || a.Digest() == b.Digest() {
		t.Errorf("digests %q and %q: a changed ignore file must change the cache key", a.Digest(), b.Digest())
	}
}

func TestFind(t *testing.T) {
	repo := t.TempDir()
	other := t.TempDir()
	own := write(t, repo, Name, "a.py:r:1\n")
	flagFile := write(t, other, "accepted.txt", "b.py:r:1\n")
	empty := t.TempDir()
	for _, c := range []struct {
		name, dir, flag string
		want            []string
		err             string
	}{
		{"the scanned directory's", repo, "", []string{own}, ""},
		{"none there", empty, "", nil, ""},
		{"flag file and own", repo, flagFile, []string{flagFile, own}, ""},
		{"flag directory", empty, repo, []string{own}, ""},
		{"flag naming the same file once", repo, repo, []string{own}, ""},
		{"flag missing", repo, filepath.Join(other, "nope"), nil, "--gitleaks-ignore-path"},
		{"flag directory without one", repo, empty, nil, "no .gitleaksignore there"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Find(c.dir, c.flag)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want one saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("Find = %q, want %q", got, c.want)
			}
		})
	}
}

func TestLoadUnreadable(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing", Name))
	if err == nil || !strings.Contains(err.Error(), Name) {
		t.Errorf("err = %v, want one naming the file", err)
	}
}
