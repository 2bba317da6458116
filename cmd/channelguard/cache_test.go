package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Scans remember what they read in the user's cache dir: tests get their own.
func TestMain(m *testing.M) {
	// The test binary stands in for channelguard where git runs it (as a
	// pre-commit hook, hook_test.go).
	if os.Getenv(asMainEnv) == "1" {
		main()
	}
	dir, err := os.MkdirTemp("", "channelguard-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// A second scan of an unchanged repository comes from the cache and
// reports the same; a new commit is read alone; --no-cache reads all.
func TestScanCache(t *testing.T) {
	r := leakyRepo(t)
	cache := t.TempDir()
	scanJSON := func(extra ...string) (map[string]any, result) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "r.json")
		res := runCLI(t, append([]string{"scan", r.Dir, "--cache", cache, "--format", "json", "-o", out}, extra...)...)
		if res.code != exitFindings {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var rep map[string]any
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		delete(rep["stats"].(map[string]any), "bytes")
		return rep, res
	}
	same := func(a, b map[string]any) bool {
		x, _ := json.Marshal(a)
		y, _ := json.Marshal(b)
		return string(x) == string(y)
	}
	first, res := scanJSON()
	if strings.Contains(res.stderr, "from the cache") {
		t.Errorf("first scan claims the cache: %s", res.stderr)
	}
	states := func() []string {
		entries, _ := os.ReadDir(cache)
		var out []string
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), "rules-") {
				out = append(out, e.Name())
			}
		}
		return out
	}
	if entries := states(); len(entries) != 0 {
		t.Errorf("a scan of a repository with uncommitted files should not be remembered: %d files in the cache", len(entries))
	}
	if err := os.Remove(filepath.Join(r.Dir, "local.env")); err != nil {
		t.Fatal(err)
	}
	first, _ = scanJSON()
	again, res := scanJSON()
	if !strings.Contains(res.stderr, "0 new commits read; the history up to the scan of") || !same(first, again) {
		t.Errorf("rescan: %s\nsame report: %v", res.stderr, same(first, again))
	}
	assertNoSecret(t, "rescan stderr", res.stderr)
	r.Commit("more", map[string]string{"more.txt": "nothing secret\n"})
	_, res = scanJSON()
	if !strings.Contains(res.stderr, "1 new commits read") {
		t.Errorf("after a commit: %s", res.stderr)
	}
	_, res = scanJSON("--no-cache")
	if strings.Contains(res.stderr, "from the cache") {
		t.Errorf("--no-cache used the cache: %s", res.stderr)
	}
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(cache, e.Name()))
		assertNoSecret(t, "cache file", string(b))
	}
	if n := len(states()); n != 1 || len(entries) != 2 {
		t.Errorf("%d states and %d files in the cache, want 1 state and its rule list", n, len(entries))
	}
	// a cache that cannot be written is a warning, not a failure
	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	res = runCLI(t, "scan", r.Dir, "--cache", filepath.Join(blocked, "sub"), "--format", "json")
	if res.code != exitFindings || !strings.Contains(res.stderr, "warning: cache") || strings.Count(strings.TrimSpace(res.stderr), "\n") > 1 {
		t.Errorf("unwritable cache: exit %d, stderr %q", res.code, res.stderr)
	}
}
