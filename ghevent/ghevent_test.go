package ghevent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	shaA = "1111111111111111111111111111111111111111"
	shaB = "2222222222222222222222222222222222222222"
)

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	repo := `"repository":{"full_name":"o/r","html_url":"https://github.com/o/r","default_branch":"main"}`
	tests := []struct {
		name, event, body string
		want              Event
		err               string
	}{
		{"pull request", "pull_request",
			`{"number":7,"pull_request":{"number":7,"base":{"sha":"` + shaA + `","ref":"main","repo":{"full_name":"o/r"}},"head":{"sha":"` + shaB + `","repo":{"full_name":"o/r"}}},` + repo + `}`,
			Event{Name: "pull_request", PR: 7, BaseSHA: shaA, HeadSHA: shaB, BaseRef: "main", DefaultBranch: "main", RepoFullName: "o/r", RepoHTMLURL: "https://github.com/o/r"}, ""},
		{"fork", "pull_request_target",
			`{"pull_request":{"number":8,"base":{"sha":"` + shaA + `","repo":{"full_name":"o/r"}},"head":{"sha":"` + shaB + `","repo":{"full_name":"fork/r"}}},` + repo + `}`,
			Event{Name: "pull_request_target", PR: 8, BaseSHA: shaA, HeadSHA: shaB, Fork: true, DefaultBranch: "main", RepoFullName: "o/r", RepoHTMLURL: "https://github.com/o/r"}, ""},
		{"push", "push", `{"before":"` + shaA + `","after":"` + shaB + `","ref":"refs/heads/x",` + repo + `}`,
			Event{Name: "push", Before: shaA, After: shaB, Ref: "refs/heads/x", DefaultBranch: "main", RepoFullName: "o/r", RepoHTMLURL: "https://github.com/o/r"}, ""},
		{"pr without shas", "pull_request", `{"pull_request":{"number":1}}`, Event{}, "without pull_request.base.sha"},
		{"push without after", "push", `{"before":"` + shaA + `"}`, Event{}, `without "after"`},
		{"not json", "push", `<html>`, Event{}, "not a GitHub event payload"},
		{"bad sha", "push", `{"before":"$(rm -rf /)","after":"` + shaB + `"}`, Event{}, "is not a commit SHA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, tc.body)
			e, err := Load(tc.event, p)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), p) {
					t.Fatalf("err = %v, want %q naming the file", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *e != tc.want {
				t.Errorf("event = %+v\nwant    %+v", *e, tc.want)
			}
		})
	}
}

func TestLoadWithoutPayload(t *testing.T) {
	if e, err := Load("schedule", ""); err != nil || e.IsPR() || e.Name != "schedule" {
		t.Errorf("schedule: %+v, %v", e, err)
	}
	if _, err := Load("pull_request", ""); err == nil || !strings.Contains(err.Error(), "GITHUB_EVENT_PATH") {
		t.Errorf("pull_request without payload: %v", err)
	}
	if _, err := Load("", ""); err == nil || !strings.Contains(err.Error(), "GITHUB_EVENT_NAME") {
		t.Errorf("no event name: %v", err)
	}
	if _, err := Load("push", filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
	e := &Event{Name: "push", Before: ZeroSHA}
	if !e.NewBranch() {
		t.Error("zero before is a new branch")
	}
}

// A push that deletes a tag or a branch (GitHub runs push workflows for
// those too) brings no commit: DeletesRef says so, from the payload.
func TestLoadRefDeletion(t *testing.T) {
	for file, ref := range map[string]string{
		"push-delete-tag.json":    "tag v1.2.0",
		"push-delete-branch.json": "branch feature/webhook",
	} {
		e, err := Load("push", filepath.Join("testdata", file))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if !e.Deleted || !e.DeletesRef() || e.After != ZeroSHA || e.RefName() != ref || e.RepoFullName != "acme/line-bot" {
			t.Errorf("%s: %+v (DeletesRef %v, RefName %q)", file, *e, e.DeletesRef(), e.RefName())
		}
	}
	// "deleted" absent, "after" all zeros: still a deletion
	e, err := Load("push", write(t, `{"ref":"refs/heads/x","before":"`+shaA+`","after":"`+ZeroSHA+`"}`))
	if err != nil || !e.DeletesRef() {
		t.Errorf("zero after: %+v, %v", e, err)
	}
	// an ordinary push, a new branch and a pull request are not
	for _, e := range []*Event{
		{Name: "push", Before: shaA, After: shaB},
		{Name: "push", Before: ZeroSHA, After: shaB},
		{Name: "pull_request", BaseSHA: shaA, HeadSHA: shaB},
		{Name: "schedule"},
	} {
		if e.DeletesRef() {
			t.Errorf("%+v is not a deletion", *e)
		}
	}
}
