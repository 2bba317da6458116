package orgscan

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/rules"
)

// benchRepo makes a bare repository with n commits of realistic text (a
// few files changing each commit, a LINE secret in one of them) in one
// git fast-import run, so large histories are quick to build.
func benchRepo(b *testing.B, dir string, seed, n int) string {
	b.Helper()
	bare := filepath.Join(dir, fmt.Sprintf("repo%d.git", seed))
	if out, err := exec.Command("git", "init", "-q", "--bare", "-b", "main", bare).CombinedOutput(); err != nil {
		b.Fatalf("git init: %v %s", err, out)
	}
	var s strings.Builder
	for i := range n {
		fmt.Fprintf(&s, "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.com> %d +0000\ndata <<EOT\nchange %d\nEOT\n", i+1, 1700000000+i*60, i)
		if i > 0 {
			fmt.Fprintf(&s, "from :%d\n", i)
		}
		for f := range 3 {
			body := fmt.Sprintf("// file %d, revision %d\npackage app\n\nfunc f%d() int { return %d }\n%s", f, i, i, i*f, strings.Repeat("// filler line of ordinary code comments\n", 40))
			if f == 0 && i == n/2 {
				body += "LINE_CHANNEL_SECRET=" + fakecred.ChannelSecret(fmt.Sprintf("bench-%d", seed)) + "\n"
			}
			fmt.Fprintf(&s, "M 100644 inline src/f%d_%d.go\ndata %d\n%s\n", f, i%7, len(body), body)
		}
	}
	cmd := exec.Command("git", "-C", bare, "fast-import", "--quiet")
	cmd.Stdin = strings.NewReader(s.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("fast-import: %v %s", err, out)
	}
	return bare
}

// BenchmarkRescan measures what a weekly rescan costs next to the first
// scan of the same repositories: unchanged (the target: ≤ 5 %), and after
// one new commit in one of them. Metrics: unchanged_%, one_push_%.
//
//	go test -tags gore2regex -run XXX -bench Rescan -benchtime 3x ./orgscan/
func BenchmarkRescan(b *testing.B) {
	set, err := rules.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	src := b.TempDir()
	var targets []Target
	for i := range 4 {
		bare := benchRepo(b, src, i, 1500)
		targets = append(targets, Target{Name: fmt.Sprintf("bench/repo%d", i), CloneURL: bare, DefaultBranch: "main"})
	}
	ctx := context.Background()
	var first, unchanged, pushed time.Duration
	pushes := 0
	for range b.N {
		opts := Options{CacheDir: b.TempDir(), Jobs: 2, Rules: set, Key: "bench", AllowLocal: true}
		t0 := time.Now()
		res := Run(ctx, targets, opts)
		first += time.Since(t0)
		if res.Failed > 0 || len(res.Findings) != len(targets) {
			b.Fatalf("first scan: %d failed, %d findings", res.Failed, len(res.Findings))
		}
		t0 = time.Now()
		res = Run(ctx, targets, opts)
		unchanged += time.Since(t0)
		if res.Stats.Commits != 0 {
			b.Fatalf("unchanged rescan read %d commits", res.Stats.Commits)
		}
		// one new commit in one repository
		b.StopTimer()
		work := filepath.Join(b.TempDir(), "w")
		gitDo := func(args ...string) {
			if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
				b.Fatalf("git %v: %v %s", args, err, out)
			}
		}
		gitDo("clone", "-q", targets[0].CloneURL, work)
		if err := os.WriteFile(filepath.Join(work, "NEWS.md"), []byte(fmt.Sprintf("release %d\n", pushes)), 0o644); err != nil {
			b.Fatal(err)
		}
		pushes++
		gitDo("-C", work, "add", "NEWS.md")
		gitDo("-C", work, "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-q", "-m", "new")
		gitDo("-C", work, "push", "-q", "origin", "main")
		b.StartTimer()
		t0 = time.Now()
		res = Run(ctx, targets, opts)
		pushed += time.Since(t0)
		if res.Stats.Commits != 1 {
			b.Fatalf("rescan after one push read %d commits", res.Stats.Commits)
		}
	}
	b.ReportMetric(100*float64(unchanged)/float64(first), "unchanged_%")
	b.ReportMetric(100*float64(pushed)/float64(first), "one_push_%")
	b.ReportMetric(first.Seconds()/float64(b.N), "first_s")
}
