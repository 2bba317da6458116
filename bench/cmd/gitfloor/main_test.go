package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goList renders args as the Go source of a string list: "a", "b".
func goList(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = fmt.Sprintf("%q", a)
	}
	return strings.Join(q, ", ")
}

func readSource(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// The floor runs what channelguard runs: its git log arguments, the
// stream split and the environment are those of scanner/history and
// scanner/gitrepo. When this fails, channelguard changed how it reads
// history: change gitfloor to match (and say so in bench/README.md).
func TestChannelguardArgsMatchScanner(t *testing.T) {
	history := readSource(t, filepath.Join("..", "..", "..", "scanner", "history", "history.go"))
	gitrepo := readSource(t, filepath.Join("..", "..", "..", "scanner", "gitrepo", "gitrepo.go"))
	scanner := readSource(t, filepath.Join("..", "..", "..", "scanner", "scanner.go"))
	tests := []struct {
		name, src, want string
	}{
		{"logArgs", history, goList(cgSingle[:8])},
		{"start's filter", history, `logArgs(repo, revs, "--diff-filter=tuxb", "--irreversible-delete")`},
		{"default streams", history, "func DefaultStreams() int { return max(1, runtime.NumCPU()/2) }"},
		{"omit (early read)", scanner, "cache.Look(ctx, opts.Path, readAll, rules.DefaultSkippedPaths())"},
		{"streams", history, goList(cgStream)},
		{"rev-list", history, `[]string{"rev-list", "--full-history"}, revs...`},
		{"minCommitsPerStream", history, fmt.Sprintf("const minCommitsPerStream = %d", minCommitsPerStream)},
		{"dealRun", history, fmt.Sprintf("const dealRun = %d", dealRun)},
		{"read buffer", history, fmt.Sprintf("bufio.NewReaderSize(stdout, %d<<10)", readBuffer>>10)},
		{"wide pipe", history, "widenPipe(stdout)"},
	}
	for _, e := range cgEnv {
		k, v, _ := strings.Cut(e, "=")
		want := fmt.Sprintf("%q", e)
		if k == "GIT_ALLOW_PROTOCOL" {
			want = fmt.Sprintf(`"GIT_ALLOW_PROTOCOL="+noProtocol`) + "\n" + fmt.Sprintf("const noProtocol = %q", v)
		}
		for _, w := range strings.Split(want, "\n") {
			tests = append(tests, struct{ name, src, want string }{"env " + k, gitrepo, w})
		}
	}
	if cgSingle[len(cgSingle)-1] != "--all" || goList(cgSingle[8:10]) != `"--diff-filter=tuxb", "--irreversible-delete"` {
		t.Errorf("cgSingle = %q: want logArgs, then start's filter, then --all", cgSingle)
	}
	for _, tt := range tests {
		if !strings.Contains(tt.src, tt.want) {
			t.Errorf("%s: scanner source no longer holds %s: gitfloor no longer runs what channelguard runs", tt.name, tt.want)
		}
	}
}

// The gitleaks floor runs what gitleaks v8.30.1 runs without --log-opts.
func TestGitleaksArgsMatchGitleaks(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/zricethezav/gitleaks/v8").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Skipf("gitleaks' module source not available: %v", err)
	}
	src := readSource(t, filepath.Join(strings.TrimSpace(string(out)), "sources", "git.go"))
	want := `exec.CommandContext(ctx, "git", "-C", sourceClean, "log", "-p", "-U0",
			"--full-history", "--all", "--diff-filter=tuxdb")`
	if !strings.Contains(src, want) {
		t.Fatalf("gitleaks' sources/git.go no longer runs %s", want)
	}
	if got := goList(gitleaksLog); got != `"log", "-p", "-U0", "--full-history", "--all", "--diff-filter=tuxdb"` {
		t.Errorf("gitleaksLog = %s", got)
	}
}

func TestPlan(t *testing.T) {
	commits := func(n int) []string {
		c := make([]string, n)
		for i := range c {
			c[i] = fmt.Sprint(i)
		}
		return c
	}
	tests := []struct {
		commits, jobs int
		want          []int // commits per stream; nil: one git log
	}{
		{100, 2, nil},
		{499, 2, nil},
		{500, 1, nil},
		{500, 2, []int{256, 244}},
		{2551, 2, []int{1280, 1271}},
		{2551, 4, []int{640, 640, 640, 631}},
		{1000, 8, []int{256, 256, 256, 232}},
	}
	for _, tt := range tests {
		got := plan(commits(tt.commits), tt.jobs)
		var sizes []int
		for _, s := range got {
			sizes = append(sizes, len(s))
		}
		if fmt.Sprint(sizes) != fmt.Sprint(tt.want) {
			t.Errorf("plan(%d commits, %d jobs) = %v, want %v", tt.commits, tt.jobs, sizes, tt.want)
		}
		// runs of dealRun in turn
		for k, s := range got {
			if len(s) > 0 && s[0] != fmt.Sprint(k*dealRun) {
				t.Errorf("stream %d starts at commit %s, want %d", k, s[0], k*dealRun)
			}
		}
	}
}
