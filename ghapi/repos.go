package ghapi

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"
)

// Owner kinds for ListRepos.
const (
	OwnerOrg  = "org"  // GET /orgs/{org}/repos?type=all
	OwnerUser = "user" // GET /users/{user}/repos?type=owner
)

// maxRepoPages bounds ListRepos: 1000 pages of 100 = 100,000 repositories.
const maxRepoPages = 1000

// RepoInfo is what `channelguard org` needs of a repository.
type RepoInfo struct {
	FullName      string // owner/name
	CloneURL      string // clone_url (https)
	HTMLURL       string
	DefaultBranch string
	Fork          bool
	Archived      bool
	Size          int // KB, as GitHub reports it
}

// ListReposOptions tunes ListRepos; the zero value lists every page.
type ListReposOptions struct {
	// MaxPages bounds the number of pages read (default 1000).
	MaxPages int
}

// ListRepos lists every repository of an organisation (kind OwnerOrg: all
// types the token can see, private included) or of a user (OwnerUser:
// repositories the user owns; private ones only when the token is that
// user's), following the Link header over ALL pages, 100 per page, in the
// order GitHub returns them.
func (c *Client) ListRepos(ctx context.Context, kind, name string, opts ListReposOptions) ([]RepoInfo, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, "/ \t\r\n?#%\\") {
		return nil, fmt.Errorf("ghapi: %q is not an organisation or user name", name)
	}
	maxPages := opts.MaxPages
	if maxPages <= 0 {
		maxPages = maxRepoPages
	}
	var op string
	var list func(ctx context.Context, page int) ([]*github.Repository, *github.Response, error)
	switch kind {
	case OwnerOrg:
		op = "list repositories of organisation " + name
		list = func(ctx context.Context, page int) ([]*github.Repository, *github.Response, error) {
			return c.gh.Repositories.ListByOrg(ctx, name, &github.RepositoryListByOrgOptions{
				Type: "all", Sort: "full_name", ListOptions: github.ListOptions{Page: page, PerPage: 100},
			})
		}
	case OwnerUser:
		op = "list repositories of user " + name
		list = func(ctx context.Context, page int) ([]*github.Repository, *github.Response, error) {
			return c.gh.Repositories.ListByUser(ctx, name, &github.RepositoryListByUserOptions{
				Type: "owner", Sort: "full_name", ListOptions: github.ListOptions{Page: page, PerPage: 100},
			})
		}
	default:
		return nil, fmt.Errorf("ghapi: ListRepos: unknown owner kind %q (want %q or %q)", kind, OwnerOrg, OwnerUser)
	}
	var out []RepoInfo
	seen := map[string]bool{}
	err := paged(maxPages, func(page int) (int, error) {
		var repos []*github.Repository
		var resp *github.Response
		err := c.call(ctx, op, func(ctx context.Context) (*github.Response, error) {
			var err error
			repos, resp, err = list(ctx, page)
			return resp, err
		})
		if err != nil {
			return 0, err
		}
		for _, r := range repos {
			info := repoInfo(r)
			// a repository created or renamed while paging can show twice
			if key := strings.ToLower(info.FullName); info.FullName != "" && !seen[key] {
				seen[key] = true
				out = append(out, info)
			}
		}
		return resp.NextPage, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetRepo fetches one repository (GET /repos/{owner}/{repo}).
func (c *Client) GetRepo(ctx context.Context, r Repo) (RepoInfo, error) {
	var repo *github.Repository
	err := c.call(ctx, "get repository "+r.String(), func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		repo, resp, err = c.gh.Repositories.Get(ctx, r.Owner, r.Name)
		return resp, err
	})
	if err != nil {
		return RepoInfo{}, err
	}
	return repoInfo(repo), nil
}

func repoInfo(r *github.Repository) RepoInfo {
	return RepoInfo{
		FullName:      r.GetFullName(),
		CloneURL:      r.GetCloneURL(),
		HTMLURL:       r.GetHTMLURL(),
		DefaultBranch: r.GetDefaultBranch(),
		Fork:          r.GetFork(),
		Archived:      r.GetArchived(),
		Size:          r.GetSize(),
	}
}
