package scanner

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
)

var (
	stagedSecret   = fakecred.ChannelSecret("staged-in-index")
	unstagedSecret = fakecred.ChannelSecret("staged-only-worktree")
	headSecret     = fakecred.ChannelSecret("staged-at-head")
)

// secretIndex says which of the given values a report's findings are
// (by their hash), so that a failure names #i and never prints a value.
func secretIndex(t *testing.T, fs []finding.Finding, values ...string) map[int]finding.Finding {
	t.Helper()
	out := map[int]finding.Finding{}
	for _, f := range fs {
		hit := false
		for i, v := range values {
			if finding.ForSecret(finding.Rule{}, "", v, nil).SecretSHA256 == f.SecretSHA256 {
				out[i] = f
				hit = true
			}
		}
		if !hit {
			t.Errorf("unexpected finding %s@%s", f.RuleID, f.Location)
		}
	}
	return out
}

func TestStagedReadsOnlyWhatTheIndexAdds(t *testing.T) {
	env := func(s string) string { return "PORT=8080\nLINE_CHANNEL_SECRET=" + s + "\n" }
	tests := []struct {
		name  string
		setup func(r *gittest.Repo)
		// want maps a value (0 staged, 1 unstaged, 2 head) to "path:line"
		want map[int]string
	}{
		{"new file staged, another only in the work tree", func(r *gittest.Repo) {
			r.Commit("init", map[string]string{"README.md": "hi\n"})
			r.Write(map[string]string{"new.env": env(stagedSecret), "untracked.env": env(unstagedSecret)})
			r.Git("add", "new.env")
		}, map[int]string{0: "new.env:2"}},
		{"staged version differs from the work tree", func(r *gittest.Repo) {
			r.Commit("init", map[string]string{"app.env": "PORT=8080\n"})
			r.Write(map[string]string{"app.env": env(stagedSecret)})
			r.Git("add", "app.env")
			r.Write(map[string]string{"app.env": "PORT=8080\nX=1\nLINE_CHANNEL_SECRET=" + unstagedSecret + "\n"})
		}, map[int]string{0: "app.env:2"}},
		{"unstaged change to a tracked file only", func(r *gittest.Repo) {
			r.Commit("init", map[string]string{"app.env": "PORT=8080\n"})
			r.Write(map[string]string{"app.env": env(unstagedSecret)})
		}, map[int]string{}},
		{"a secret HEAD holds is not re-reported by an edit elsewhere", func(r *gittest.Repo) {
			r.Commit("init", map[string]string{"app.env": "A=1\nB=2\nC=3\nLINE_CHANNEL_SECRET=" + headSecret + "\nD=4\n"})
			r.Write(map[string]string{"app.env": "A=1\nB=2\nC=3\nLINE_CHANNEL_SECRET=" + headSecret + "\nD=4\nE=5\nLINE_CHANNEL_SECRET=" + stagedSecret + "\n"})
			r.Git("add", "app.env")
		}, map[int]string{0: "app.env:7"}},
		{"no commit yet: everything staged", func(r *gittest.Repo) {
			r.Write(map[string]string{"first.env": env(stagedSecret), "later.env": env(unstagedSecret)})
			r.Git("add", "first.env")
		}, map[int]string{0: "first.env:2"}},
		{"staged deletion", func(r *gittest.Repo) {
			r.Commit("init", map[string]string{"old.env": env(headSecret)})
			r.Git("rm", "-q", "old.env")
		}, map[int]string{}},
		{"staged rename carries its lines", func(r *gittest.Repo) {
			r.Commit("init", map[string]string{"old.env": env(headSecret)})
			r.Git("mv", "old.env", "new.env")
		}, map[int]string{2: "new.env:2"}},
		{"user diff config cannot shift lines or paths", func(r *gittest.Repo) {
			r.Git("config", "diff.noprefix", "true")
			r.Git("config", "diff.interHunkContext", "5")
			r.Git("config", "diff.mnemonicPrefix", "true")
			r.Commit("init", map[string]string{"app.env": "A=1\nB=2\nC=3\nD=4\n"})
			r.Write(map[string]string{"app.env": "A=1\nX=9\nB=2\nC=3\nLINE_CHANNEL_SECRET=" + stagedSecret + "\nD=4\n"})
			r.Git("add", "app.env")
		}, map[int]string{0: "app.env:5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gittest.New(t)
			tt.setup(r)
			res := scan(t, Options{Path: r.Dir, Staged: true})
			got := secretIndex(t, res.Report.Findings, stagedSecret, unstagedSecret, headSecret)
			for i, loc := range tt.want {
				f, ok := got[i]
				if !ok {
					t.Errorf("value #%d (want at %s) not reported: %s", i, loc, summarize(res.Report.Findings))
					continue
				}
				if at := fmt.Sprintf("%s:%d", f.Location.Path, f.Location.StartLine); at != loc {
					t.Errorf("value #%d at %s, want %s", i, at, loc)
				}
				if !f.Exposure.Staged || f.Exposure.InWorkingTree || f.Exposure.FirstCommit != nil {
					t.Errorf("value #%d exposure = %+v, want staged only", i, f.Exposure)
				}
				if !strings.Contains(f.Message, "(staged)") {
					t.Errorf("message %q does not say staged", f.Message)
				}
			}
			for i := range got {
				if _, ok := tt.want[i]; !ok {
					t.Errorf("value #%d reported at %s, want it not reported", i, got[i].Location)
				}
			}
			if res.Report.Stats.Kind != finding.KindStaged || res.Report.Stats.Commits != 0 {
				t.Errorf("stats = %+v, want kind staged and no commits", res.Report.Stats)
			}
		})
	}
}

func TestStagedEdges(t *testing.T) {
	t.Run("subdirectory limits it", func(t *testing.T) {
		r := gittest.New(t)
		r.Commit("init", map[string]string{"README.md": "hi\n"})
		r.Write(map[string]string{"svc/a.env": "LINE_CHANNEL_SECRET=" + stagedSecret + "\n", "other/b.env": "LINE_CHANNEL_SECRET=" + unstagedSecret + "\n"})
		r.Git("add", "-A")
		res := scan(t, Options{Path: r.Dir + "/svc", Staged: true})
		got := secretIndex(t, res.Report.Findings, stagedSecret, unstagedSecret)
		if _, ok := got[0]; !ok || len(got) != 1 {
			t.Errorf("want only value #0 (svc/), got %s", summarize(res.Report.Findings))
		}
	})
	t.Run("binary staged file is named unscanned", func(t *testing.T) {
		r := gittest.New(t)
		r.Commit("init", map[string]string{"README.md": "hi\n"})
		r.Write(map[string]string{"blob.bin": "\x00\x01LINE_CHANNEL_SECRET=" + stagedSecret + "\x00"})
		r.Git("add", "blob.bin")
		res := scan(t, Options{Path: r.Dir, Staged: true})
		if !strings.Contains(strings.Join(res.Unscanned, ","), "blob.bin") {
			t.Errorf("unscanned = %v, want blob.bin", res.Unscanned)
		}
	})
	t.Run("nothing staged", func(t *testing.T) {
		r := gittest.New(t)
		r.Commit("init", map[string]string{"a.env": "LINE_CHANNEL_SECRET=" + headSecret + "\n"})
		res := scan(t, Options{Path: r.Dir, Staged: true})
		if len(res.Report.Findings) != 0 || res.Report.Stats.Files != 0 {
			t.Errorf("want nothing read, got %s, stats %+v", summarize(res.Report.Findings), res.Report.Stats)
		}
		if got := res.Report.Scanned(); got != "0 staged files" {
			t.Errorf("Scanned() = %q", got)
		}
	})
	errs := []struct {
		name string
		dir  func(t *testing.T) string
		opts Options
		want string
	}{
		{"bare", func(t *testing.T) string {
			r := gittest.New(t)
			r.Commit("init", map[string]string{"a": "1\n"})
			bare := t.TempDir()
			r.Git("clone", "-q", "--bare", r.Dir, bare)
			return bare
		}, Options{Staged: true}, "bare repository"},
		{"plain directory", func(t *testing.T) string { return t.TempDir() }, Options{Staged: true}, "needs a git repository"},
		{"with --range", func(t *testing.T) string { return gittest.New(t).Dir }, Options{Staged: true, Range: "a..b"}, "--range"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Path = tt.dir(t)
			_, err := Scan(context.Background(), opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one naming %q", err, tt.want)
			}
		})
	}
}
