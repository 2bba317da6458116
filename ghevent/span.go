package ghevent

import (
	"context"
	"fmt"
	"strings"

	"github.com/channelguard/channelguard/scanner/gitrepo"
)

// Workflow is what a workflow's environment says besides the event
// payload (GITHUB_SHA, GITHUB_REF, GITHUB_SERVER_URL, GITHUB_REPOSITORY).
type Workflow struct {
	SHA, Ref, ServerURL, Repository string
}

// Span is the commits an event asks to scan.
type Span struct {
	// Range is BASE..HEAD, "" for the whole history.
	Range string
	// NotIn is the base commit: what it already holds is not blamed on
	// the range.
	NotIn string
	// Head is the commit reports link to.
	Head string
	// Describe says it in words: "pull request #7, 1a2b3c4d..5e6f7a8b".
	Describe string
}

// Span turns the event into commits to scan in repo. A commit the event
// names that the clone lacks (the default actions/checkout fetches one
// commit) is an error that says how to fix the checkout.
func (e *Event) Span(ctx context.Context, repo *gitrepo.Repo, wf Workflow) (Span, error) {
	have := func(sha string) bool { _, err := repo.ResolveCommit(ctx, sha+"^{commit}"); return err == nil }
	missing := func(what, sha string) error {
		return fmt.Errorf("%s %s is not in the clone at %s: check out with actions/checkout and fetch-depth: 0", what, Short(sha), repo.Root)
	}
	switch {
	case e.IsPR():
		if !have(e.HeadSHA) {
			return Span{}, missing(fmt.Sprintf("the head commit of pull request #%d", e.PR), e.HeadSHA)
		}
		if !have(e.BaseSHA) {
			return Span{}, missing(fmt.Sprintf("the base commit of pull request #%d", e.PR), e.BaseSHA)
		}
		return Span{Range: e.BaseSHA + ".." + e.HeadSHA, NotIn: e.BaseSHA, Head: e.HeadSHA,
			Describe: fmt.Sprintf("pull request #%d, %s..%s", e.PR, Short(e.BaseSHA), Short(e.HeadSHA))}, nil
	case e.Name == "push" && !e.NewBranch() && have(e.Before):
		if !have(e.After) {
			return Span{}, missing("the pushed commit", e.After)
		}
		return Span{Range: e.Before + ".." + e.After, NotIn: e.Before, Head: e.After,
			Describe: fmt.Sprintf("push %s..%s", Short(e.Before), Short(e.After))}, nil
	case e.Name == "push":
		// A new branch, or a force push whose "before" no clone has any
		// more: the commits that are not on the default branch.
		if !have(e.After) {
			return Span{}, missing("the pushed commit", e.After)
		}
		for _, ref := range []string{"refs/remotes/origin/" + e.DefaultBranch, "refs/heads/" + e.DefaultBranch} {
			if e.DefaultBranch == "" {
				break
			}
			if tip, err := repo.ResolveCommit(ctx, ref); err == nil && tip != e.After {
				return Span{Range: tip + ".." + e.After, NotIn: tip, Head: e.After,
					Describe: fmt.Sprintf("new branch %s, %s..%s", strings.TrimPrefix(e.Ref, "refs/heads/"), e.DefaultBranch, Short(e.After))}, nil
			}
		}
		return Span{Head: e.After, Describe: "new branch with no default branch to compare: whole history"}, nil
	}
	head, _ := repo.ResolveCommit(ctx, "HEAD")
	return Span{Head: firstNonEmpty(wf.SHA, head), Describe: e.Name + " event: whole history"}, nil
}

// UploadTarget is the ref and commit a SARIF upload for this event names.
func (e *Event) UploadTarget(s Span, wf Workflow) (ref, sha string) {
	switch {
	case e.IsPR():
		return fmt.Sprintf("refs/pull/%d/head", e.PR), e.HeadSHA
	case e.Name == "push":
		return e.Ref, e.After
	}
	return wf.Ref, firstNonEmpty(wf.SHA, s.Head)
}

// RepositoryURL is the repository's web address, "" when neither the
// payload nor the workflow says it.
func (e *Event) RepositoryURL(wf Workflow) string {
	if e.RepoHTMLURL != "" {
		return e.RepoHTMLURL
	}
	if wf.ServerURL != "" && wf.Repository != "" {
		return strings.TrimSuffix(wf.ServerURL, "/") + "/" + wf.Repository
	}
	return ""
}

// Short is a commit's abbreviation in messages: its first 8 characters.
func Short(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
