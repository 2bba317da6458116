package history

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fatih/semgroup"

	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/scanner/gitrepo"
)

// defaultOmit is Omit for gitleaks' default global path allowlist, its
// Skipped matching the regexes as the engine does.
func defaultOmit(t *testing.T) *Omit {
	t.Helper()
	regexes := rules.DefaultSkippedPaths()
	if len(regexes) == 0 {
		t.Fatal("no default skipped paths")
	}
	var res []*regexp.Regexp
	for _, r := range regexes {
		res = append(res, regexp.MustCompile(r))
	}
	return &Omit{Regexes: regexes, Skipped: func(p string) bool {
		return slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(p) })
	}}
}

// readOmitting is read with omit, started early (as a scan of every ref
// does) when early is set.
func readOmitting(t *testing.T, dir string, jobs int, omit *Omit, early bool) []frag {
	t.Helper()
	ctx := context.Background()
	repo, err := gitrepo.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	s := &Source{Repo: repo, Revs: []string{"--all"}, Sema: semgroup.NewGroup(ctx, 4), Jobs: jobs, Omit: omit}
	if early {
		s.Early = StartEarly(ctx, repo, s.Revs, jobs, rules.DefaultSkippedPaths())
		defer s.Early.Close()
	}
	got := collect(t, s)
	if s.attrs != nil {
		if _, err := os.Stat(s.attrs.path); err == nil {
			t.Errorf("attributes file %s left behind", s.attrs.path)
		}
	}
	return got
}

// kept is what a scan keeps of frags: every fragment of a path it does
// not skip.
func kept(frags []frag, omit *Omit) (out []frag, skipped int) {
	for _, f := range frags {
		if omit.Skipped(f.path) {
			skipped++
			continue
		}
		out = append(out, f)
	}
	return out, skipped
}

var vendored = strings.Repeat("package lib // vendored, the scan skips it\n", 40)

// git is told to omit the paths the scan skips, and the scan keeps exactly
// what it kept before: every fragment of every other path, including a
// file moved out of a vendored directory (git prints such a rename as
// binary when either name is omitted: it is read again without the
// attributes), a file moved into one, and files the user's own global
// attributes make binary.
func TestOmitKeepsEveryReadPath(t *testing.T) {
	xdg := t.TempDir()
	if err := os.MkdirAll(filepath.Join(xdg, "git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(xdg, "git", "attributes"), []byte("*.dat -diff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CONFIG_HOME", xdg)

	r := gittest.New(t)
	r.Commit("vendor", map[string]string{
		"vendor/github.com/x/lib.go":   vendored,
		"node_modules/y/index.js":      "module.exports = 'node_modules, skipped'\n",
		"src/app.go":                   "package app\nconst token = \"first\"\n",
		"Vendor/github.com/x/upper.go": "package upper // not skipped: the regex is case-sensitive\n",
		"notes.dat":                    "binary to the user's git\n",
	})
	r.Commit("change", map[string]string{
		"vendor/github.com/x/lib.go": vendored + "var added = 1\n",
		"src/app.go":                 "package app\nconst token = \"second\"\n",
	})
	r.Remove("vendor/github.com/x/lib.go") // git finds the rename itself
	r.Commit("move out of vendor, and change", map[string]string{
		"internal/lib.go": vendored + "var added = 1\nvar afterMove = \"kept\"\n",
	})
	r.Remove("src/app.go")
	r.Commit("move into vendor", map[string]string{
		"vendor/github.com/z/app.go": "package app\nconst token = \"second\"\nvar moved = 2\n",
	})

	omit := defaultOmit(t)
	all := readOmitting(t, r.Dir, 1, nil, false)
	want, skipped := kept(all, omit)
	if skipped == 0 {
		t.Fatal("no fragment of a skipped path without Omit: the test checks nothing")
	}
	if !slices.ContainsFunc(want, func(f frag) bool { return f.path == "internal/lib.go" && strings.Contains(f.raw, "afterMove") }) {
		t.Fatalf("without Omit, the move out of vendor gives no fragment: %v", want)
	}
	for _, ignoreCase := range []bool{false, true} {
		r.Git("config", "core.ignorecase", map[bool]string{false: "false", true: "true"}[ignoreCase])
		for _, tc := range []struct {
			name  string
			jobs  int
			early bool
		}{{"walk", 1, false}, {"early walk", 1, true}, {"early list", 2, true}} {
			got, n := kept(readOmitting(t, r.Dir, tc.jobs, omit, tc.early), omit)
			if !ignoreCase && n != 0 {
				// (case-blind, git is not told of case-sensitive regexes)
				t.Errorf("%s: git printed %d fragments of skipped paths", tc.name, n)
			}
			if d := diff(got, want); d != "" {
				t.Errorf("ignorecase %v, %s: with Omit the scan keeps other fragments:\n%s", ignoreCase, tc.name, d)
			}
		}
	}
}

// Omit saves git's work: with it, git prints nothing of a skipped path
// (but for the re-read of a rename), on a history long enough for
// several streams too.
func TestOmitLeavesSkippedPathsOut(t *testing.T) {
	extra := map[int]map[string]string{}
	for i := 5; i <= 520; i += 25 {
		extra[i] = map[string]string{"vendor/golang.org/x/sys/z.go": strings.Repeat("x", i) + "\n", "go.sum": strings.Repeat("h1:", i) + "\n"}
	}
	r := gittest.FastImport(t, historyWith(520, extra))
	omit := defaultOmit(t)
	all := readOmitting(t, r.Dir, 2, nil, false)
	want, skipped := kept(all, omit)
	if skipped == 0 {
		t.Fatal("no fragment of a skipped path without Omit: the test checks nothing")
	}
	for _, early := range []bool{false, true} {
		got := readOmitting(t, r.Dir, 2, omit, early)
		if _, n := kept(got, omit); n != 0 {
			t.Errorf("early %v: git printed %d fragments of skipped paths", early, n)
		}
		if d := diff(got, want); d != "" {
			t.Errorf("early %v: with Omit the scan keeps other fragments:\n%s", early, d)
		}
	}
}

// An early read made for gitleaks' default allowlist is not used by a
// scan whose rules do not skip those paths: it reads them itself.
func TestEarlyOmitNotCoveredIsNotUsed(t *testing.T) {
	r := gittest.New(t)
	r.Commit("vendor", map[string]string{"vendor/github.com/x/lib.go": vendored})
	got := readOmitting(t, r.Dir, 1, nil, true)
	if !slices.ContainsFunc(got, func(f frag) bool { return f.path == "vendor/github.com/x/lib.go" }) {
		t.Errorf("a scan without Omit lost the vendored file to the early read's omission: %v", got)
	}
}

// The attributes file is added to config entries the environment already
// gives git (GIT_CONFIG_COUNT: a CI runner's safe.directory, say), not put
// in their place.
func TestAttributesEnvKeepsTheEnvironmentsConfig(t *testing.T) {
	a := &attributes{path: filepath.Join(t.TempDir(), "attributes")}
	get := func(key string) string {
		t.Helper()
		cmd := exec.Command("git", "config", "--get", key)
		cmd.Dir = t.TempDir()
		cmd.Env = append(os.Environ(), a.env()...)
		out, _ := cmd.Output()
		return strings.TrimSpace(string(out))
	}
	for _, tc := range []struct{ count, key0, value0 string }{
		{"", "", ""},
		{"1", "channelguard.test", "kept"},
	} {
		if tc.count == "" {
			t.Setenv("GIT_CONFIG_COUNT", "") // restored after the test
			os.Unsetenv("GIT_CONFIG_COUNT")
		} else {
			t.Setenv("GIT_CONFIG_COUNT", tc.count)
			t.Setenv("GIT_CONFIG_KEY_0", tc.key0)
			t.Setenv("GIT_CONFIG_VALUE_0", tc.value0)
		}
		if got := get("core.attributesFile"); got != a.path {
			t.Errorf("count %q: core.attributesFile = %q, want the file", tc.count, got)
		}
		if tc.key0 != "" {
			if got := get(tc.key0); got != tc.value0 {
				t.Errorf("count %q: the environment's %s = %q, want %q", tc.count, tc.key0, got, tc.value0)
			}
		}
	}
	t.Setenv("GIT_CONFIG_COUNT", "many")
	if env := a.env(); env != nil {
		t.Errorf("a count that is not a number: env %q, want none", env)
	}
}
