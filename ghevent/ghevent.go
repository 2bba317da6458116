// Package ghevent reads the GitHub Actions event that started a workflow
// (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH) and says which commits a scan of
// it should read (Event.Span): a pull request's base..head, a push's
// before..after, or everything.
package ghevent

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/channelguard/channelguard/internal/pathless"
	"github.com/channelguard/channelguard/internal/wording"
)

// Event is what channelguard needs from an event payload.
type Event struct {
	Name string // pull_request, pull_request_target, push, schedule, …

	// Pull requests.
	PR      int
	BaseSHA string
	HeadSHA string
	BaseRef string // the base branch, e.g. main
	// Fork is true when the head repository is not the base repository:
	// the workflow's token is then read-only.
	Fork bool

	// Pushes.
	Before, After string
	Ref           string // refs/heads/… or refs/tags/…
	// Deleted is true for a push that deleted its branch or tag: the
	// payload says "deleted": true and "after" is all zeros.
	Deleted bool

	DefaultBranch string
	RepoFullName  string // owner/name
	RepoHTMLURL   string // https://github.com/owner/name
}

// ZeroSHA is what a push of a new branch has as "before".
const ZeroSHA = "0000000000000000000000000000000000000000"

// IsPR says whether the event is about a pull request.
func (e *Event) IsPR() bool { return e.Name == "pull_request" || e.Name == "pull_request_target" }

// NewBranch says whether a push created its branch.
func (e *Event) NewBranch() bool { return e.Name == "push" && strings.Trim(e.Before, "0") == "" }

// DeletesRef says whether the event is a push that deleted a branch or a
// tag: it brings no commit, so there is nothing to scan (GitHub runs push
// workflows for deletions too). The payload's "deleted" says so; an
// all-zero "after" alone says it as well.
func (e *Event) DeletesRef() bool {
	return e.Name == "push" && (e.Deleted || strings.Trim(e.After, "0") == "")
}

// RefName is the pushed ref as people name it: "branch feature/x",
// "tag v1.2.0", or the ref itself.
func (e *Event) RefName() string {
	switch {
	case strings.HasPrefix(e.Ref, "refs/heads/"):
		return "branch " + strings.TrimPrefix(e.Ref, "refs/heads/")
	case strings.HasPrefix(e.Ref, "refs/tags/"):
		return "tag " + strings.TrimPrefix(e.Ref, "refs/tags/")
	case e.Ref == "":
		return "a ref"
	}
	return e.Ref
}

// Load reads the event of the given name from path (GITHUB_EVENT_PATH).
// Events without a commit range (workflow_dispatch, schedule, …) need no
// file; an unreadable or malformed file is an error that names it.
func Load(name, path string) (*Event, error) {
	if name == "" {
		return nil, errors.New("GITHUB_EVENT_NAME is not set: run channelguard pr in GitHub Actions, or use channelguard scan")
	}
	e := &Event{Name: name}
	if path == "" {
		if e.IsPR() || name == "push" {
			return nil, fmt.Errorf("GITHUB_EVENT_PATH is not set: a %s event needs its payload", name)
		}
		return e, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", path, pathless.Err(err))
	}
	var p payload
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("event %s: not a GitHub event payload: %v", path, err)
	}
	e.DefaultBranch = p.Repository.DefaultBranch
	e.RepoFullName = p.Repository.FullName
	e.RepoHTMLURL = p.Repository.HTMLURL
	switch {
	case e.IsPR():
		pr := p.PullRequest
		if pr == nil || pr.Base.SHA == "" || pr.Head.SHA == "" {
			return nil, fmt.Errorf("event %s: a %s event without pull_request.base.sha and head.sha", path, name)
		}
		e.PR = pr.Number
		if e.PR == 0 {
			e.PR = p.Number
		}
		e.BaseSHA, e.HeadSHA, e.BaseRef = pr.Base.SHA, pr.Head.SHA, pr.Base.Ref
		e.Fork = pr.Head.Repo != nil && pr.Base.Repo != nil && pr.Head.Repo.FullName != pr.Base.Repo.FullName
	case name == "push":
		if p.After == "" {
			return nil, fmt.Errorf("event %s: a push event without \"after\"", path)
		}
		e.Before, e.After, e.Ref, e.Deleted = p.Before, p.After, wording.OneLine(p.Ref, 200), p.Deleted
	}
	for _, sha := range []string{e.BaseSHA, e.HeadSHA, e.Before, e.After} {
		if sha != "" && !isSHA(sha) {
			return nil, fmt.Errorf("event %s: %q is not a commit SHA", path, wording.OneLine(sha, 80))
		}
	}
	return e, nil
}

type payload struct {
	Number      int `json:"number"`
	PullRequest *struct {
		Number int `json:"number"`
		Base   ref `json:"base"`
		Head   ref `json:"head"`
	} `json:"pull_request"`
	Before     string `json:"before"`
	After      string `json:"after"`
	Ref        string `json:"ref"`
	Deleted    bool   `json:"deleted"`
	Repository struct {
		FullName      string `json:"full_name"`
		HTMLURL       string `json:"html_url"`
		DefaultBranch string `json:"default_branch"`
	} `json:"repository"`
}

type ref struct {
	SHA  string `json:"sha"`
	Ref  string `json:"ref"`
	Repo *struct {
		FullName string `json:"full_name"`
	} `json:"repo"`
}

func isSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
