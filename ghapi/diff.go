package ghapi

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-github/v62/github"
)

// Diff holds the lines of a PR diff on the RIGHT (new) side, per file path:
// Added[path][line] for '+' lines, InDiff[path][line] for '+' and context
// lines — the lines GitHub accepts review comments on.
type Diff struct {
	Added, InDiff map[string]map[int]bool
}

// NewDiff returns an empty Diff.
func NewDiff() *Diff {
	return &Diff{Added: map[string]map[int]bool{}, InDiff: map[string]map[int]bool{}}
}

// IsAdded reports whether line of path is a '+' line. Safe on a nil Diff.
func (d *Diff) IsAdded(path string, line int) bool {
	return d != nil && d.Added[path][line]
}

// Contains reports whether line of path can carry a review comment. Safe on a nil Diff.
func (d *Diff) Contains(path string, line int) bool {
	return d != nil && d.InDiff[path][line]
}

// AddPatch records the RIGHT-side lines of one file's unified patch (hunks
// only, as the PR files API gives them).
func (d *Diff) AddPatch(path, patch string) error {
	added, inDiff := d.Added[path], d.InDiff[path]
	if added == nil {
		added = map[int]bool{}
	}
	if inDiff == nil {
		inDiff = map[int]bool{}
	}
	var newLine, oldLeft, newLeft int
	for _, l := range strings.Split(patch, "\n") {
		if strings.HasPrefix(l, "@@") {
			oldCount, newStart, newCount, err := parseHunkHeader(l)
			if err != nil {
				return fmt.Errorf("ghapi: %s: %w", path, err)
			}
			oldLeft, newLine, newLeft = oldCount, newStart, newCount
			continue
		}
		if oldLeft <= 0 && newLeft <= 0 {
			continue // outside a hunk (or a trailing empty line)
		}
		switch {
		case strings.HasPrefix(l, "+"):
			added[newLine], inDiff[newLine] = true, true
			newLine++
			newLeft--
		case strings.HasPrefix(l, "-"):
			oldLeft--
		case strings.HasPrefix(l, `\`): // "\ No newline at end of file"
		default: // context: " x", or "" when trailing blanks were stripped
			inDiff[newLine] = true
			newLine++
			newLeft--
			oldLeft--
		}
	}
	if len(inDiff) > 0 {
		d.Added[path], d.InDiff[path] = added, inDiff
	}
	return nil
}

// parseHunkHeader reads "@@ -a[,b] +c[,d] @@ ...": b, c, d (b, d default 1).
func parseHunkHeader(h string) (oldCount, newStart, newCount int, err error) {
	f := strings.Fields(h)
	if len(f) < 4 || f[0] != "@@" || !strings.HasPrefix(f[1], "-") || !strings.HasPrefix(f[2], "+") || f[3] != "@@" {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q", h)
	}
	_, oldCount, err = parseRange(f[1][1:])
	if err != nil {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q", h)
	}
	newStart, newCount, err = parseRange(f[2][1:])
	if err != nil {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q", h)
	}
	return oldCount, newStart, newCount, nil
}

func parseRange(s string) (start, count int, err error) {
	a, b, ok := strings.Cut(s, ",")
	if start, err = strconv.Atoi(a); err != nil || start < 0 {
		return 0, 0, fmt.Errorf("bad range %q", s)
	}
	count = 1
	if ok {
		if count, err = strconv.Atoi(b); err != nil || count < 0 {
			return 0, 0, fmt.Errorf("bad range %q", s)
		}
	}
	return start, count, nil
}

// maxFilePages: the PR files API lists at most 3000 files, 100 per page.
const maxFilePages = 30

// PRDiff lists the PR's files (paged, 100 per page, up to GitHub's 3000)
// and parses each file's patch into RIGHT-side lines. Files without a patch
// (binary, too large) have no lines; renamed files are keyed by the new
// filename; removed files have none.
func (c *Client) PRDiff(ctx context.Context, r Repo, pr int) (*Diff, error) {
	d := NewDiff()
	err := paged(maxFilePages, func(page int) (int, error) {
		var files []*github.CommitFile
		var resp *github.Response
		err := c.call(ctx, fmt.Sprintf("list files of PR #%d", pr), func(ctx context.Context) (*github.Response, error) {
			var err error
			files, resp, err = c.gh.PullRequests.ListFiles(ctx, r.Owner, r.Name, pr, &github.ListOptions{Page: page, PerPage: 100})
			return resp, err
		})
		if err != nil {
			return 0, err
		}
		for _, f := range files {
			if f.GetPatch() == "" || f.GetFilename() == "" {
				continue
			}
			if err := d.AddPatch(f.GetFilename(), f.GetPatch()); err != nil {
				c.opts.Logf("%v (file skipped)", err)
			}
		}
		return resp.NextPage, nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// PRCommits returns the PR's commit count (for messages).
func (c *Client) PRCommits(ctx context.Context, r Repo, pr int) (int, error) {
	var p *github.PullRequest
	err := c.call(ctx, fmt.Sprintf("get PR #%d", pr), func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		p, resp, err = c.gh.PullRequests.Get(ctx, r.Owner, r.Name, pr)
		return resp, err
	})
	if err != nil {
		return 0, err
	}
	return p.GetCommits(), nil
}
