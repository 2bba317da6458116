package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/internal/gittest"
)

// The text report's last line says what was scanned, in the words of what
// it was: never "7 commits and 0 files scanned" for a repository.
func TestSummaryWordsWhatWasScanned(t *testing.T) {
	leaky := leakyRepo(t) // 3 commits and one untracked file
	clean := gittest.New(t)
	clean.Commit("one", map[string]string{"a.txt": "a\n"})
	clean.Commit("two", map[string]string{"b.txt": "b\n"})
	dir := t.TempDir()
	for name, body := range map[string]string{"a.txt": "a\n", "sub/b.txt": "b\n"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600)
	}
	captures := filepath.Join("..", "..", "testdata", "captures")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"repository with an untracked file", []string{leaky.Dir}, "in 3 commits (history) and the working tree (1 changed file).\n"},
		{"clean repository", []string{clean.Dir}, "No secrets found in 2 commits (history) and the working tree (no changes).\n"},
		{"range", []string{clean.Dir, "--range", "HEAD~1..HEAD"}, "No secrets found in 1 commit (the range).\n"},
		{"working tree only", []string{clean.Dir, "--no-history"}, "No secrets found in 2 files (the working tree; history not scanned).\n"},
		{"directory", []string{dir}, "No secrets found in 2 files.\n"},
		{"file", []string{filepath.Join(dir, "a.txt")}, "No secrets found in 1 file.\n"},
		{"captures", []string{"--capture", filepath.Join(captures, "console-admin-fixed.har") + ":admin",
			"--capture", filepath.Join(captures, "console-member-fixed.har") + ":member"}, " in 2 captures ("},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, append(append([]string{"scan", "--no-cache"}, tt.args...), "-q")...)
			if res.code == exitError {
				t.Fatalf("exit 2: %s", res.stderr)
			}
			if !strings.Contains(res.stdout, tt.want) {
				t.Errorf("summary lacks %q:\n%s", tt.want, lastLines(res.stdout, 3))
			}
			for _, bad := range []string{"0 files", "0 commits", "scanned."} {
				if strings.Contains(res.stdout, bad) {
					t.Errorf("summary says %q:\n%s", bad, lastLines(res.stdout, 3))
				}
			}
		})
	}
	// A rescan the cache answers says the same.
	cache := t.TempDir()
	for i := range 2 {
		res := runCLI(t, "scan", clean.Dir, "--cache", cache, "-q")
		if want := "No secrets found in 2 commits (history) and the working tree (no changes).\n"; !strings.Contains(res.stdout, want) {
			t.Errorf("scan %d with the cache: summary lacks %q:\n%s", i+1, want, lastLines(res.stdout, 3))
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
