package ghevent

import (
	"context"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/scanner/gitrepo"
)

func TestSpan(t *testing.T) {
	r := gittest.New(t)
	c1 := r.Commit("one", map[string]string{"a": "1\n"})
	c2 := r.Commit("two", map[string]string{"a": "2\n"})
	r.Git("checkout", "-q", "-b", "feature")
	c3 := r.Commit("three", map[string]string{"b": "3\n"})
	repo, err := gitrepo.Open(context.Background(), r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	const absent = "1111111111111111111111111111111111111111"
	tests := []struct {
		name  string
		ev    Event
		want  Span
		error string
	}{
		{"pull request", Event{Name: "pull_request", PR: 7, BaseSHA: c1, HeadSHA: c3},
			Span{Range: c1 + ".." + c3, NotIn: c1, Head: c3, Describe: "pull request #7, " + Short(c1) + ".." + Short(c3)}, ""},
		{"push", Event{Name: "push", Before: c1, After: c2, Ref: "refs/heads/main"},
			Span{Range: c1 + ".." + c2, NotIn: c1, Head: c2, Describe: "push " + Short(c1) + ".." + Short(c2)}, ""},
		{"new branch", Event{Name: "push", Before: ZeroSHA, After: c3, Ref: "refs/heads/feature", DefaultBranch: "main"},
			Span{Range: c2 + ".." + c3, NotIn: c2, Head: c3, Describe: "new branch feature, main.." + Short(c3)}, ""},
		{"force push whose before is gone", Event{Name: "push", Before: absent, After: c3, Ref: "refs/heads/feature", DefaultBranch: "main"},
			Span{Range: c2 + ".." + c3, NotIn: c2, Head: c3, Describe: "new branch feature, main.." + Short(c3)}, ""},
		{"new branch, no default branch", Event{Name: "push", Before: ZeroSHA, After: c3},
			Span{Head: c3, Describe: "new branch with no default branch to compare: whole history"}, ""},
		{"schedule", Event{Name: "schedule"}, Span{Head: c3, Describe: "schedule event: whole history"}, ""},
		{"base not fetched", Event{Name: "pull_request", PR: 8, BaseSHA: absent, HeadSHA: c3}, Span{}, "the base commit of pull request #8 11111111 is not in the clone"},
		{"pushed commit not fetched", Event{Name: "push", Before: c1, After: absent}, Span{}, "the pushed commit 11111111 is not in the clone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.ev.Span(context.Background(), repo, Workflow{})
			if tt.error != "" {
				if err == nil || !strings.Contains(err.Error(), tt.error) || !strings.Contains(err.Error(), "fetch-depth: 0") {
					t.Fatalf("error %v, want one containing %q and the fix", err, tt.error)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v (%v), want %+v", got, err, tt.want)
			}
		})
	}
}

func TestUploadTargetAndURL(t *testing.T) {
	wf := Workflow{SHA: "abc", Ref: "refs/heads/x", ServerURL: "https://ghe.example/", Repository: "o/r"}
	pr := &Event{Name: "pull_request", PR: 3, HeadSHA: "h"}
	if ref, sha := pr.UploadTarget(Span{}, wf); ref != "refs/pull/3/head" || sha != "h" {
		t.Errorf("pull request: %s %s", ref, sha)
	}
	if ref, sha := (&Event{Name: "schedule"}).UploadTarget(Span{Head: "x"}, wf); ref != "refs/heads/x" || sha != "abc" {
		t.Errorf("schedule: %s %s", ref, sha)
	}
	if u := pr.RepositoryURL(wf); u != "https://ghe.example/o/r" {
		t.Errorf("url from the workflow: %s", u)
	}
	if u := (&Event{RepoHTMLURL: "https://github.com/a/b"}).RepositoryURL(wf); u != "https://github.com/a/b" {
		t.Errorf("url from the payload: %s", u)
	}
}
