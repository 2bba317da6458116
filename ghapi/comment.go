package ghapi

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"
)

// DefaultMarker is the hidden marker of channelguard's sticky PR comment.
const DefaultMarker = "<!-- channelguard -->"

// Results of UpsertComment.
const (
	CommentCreated   = "created"
	CommentUpdated   = "updated"
	CommentUnchanged = "unchanged"
	CommentNone      = "none"
)

// maxCommentPages bounds the issue-comment listing (100 per page).
const maxCommentPages = 100

// UpsertComment maintains the ONE sticky PR comment, found by marker in its
// body among ALL issue comments of the PR (paged, 100 per page; the first
// match wins). The marker is prepended to body when body lacks it.
//
//   - found, body differs (ignoring CRLF and surrounding blank space): edit it → "updated"
//   - found, same body: no write → "unchanged"
//   - not found, createIfMissing: create it → "created"
//   - not found, !createIfMissing: no write → "none"
func (c *Client) UpsertComment(ctx context.Context, r Repo, pr int, marker, body string, createIfMissing bool) (string, error) {
	if strings.TrimSpace(marker) == "" {
		return "", errors.New("ghapi: UpsertComment needs a marker")
	}
	if !strings.Contains(body, marker) {
		body = marker + "\n" + body
	}
	var found *github.IssueComment
	err := paged(maxCommentPages, func(page int) (int, error) {
		var list []*github.IssueComment
		var resp *github.Response
		err := c.call(ctx, fmt.Sprintf("list comments of PR #%d", pr), func(ctx context.Context) (*github.Response, error) {
			var err error
			list, resp, err = c.gh.Issues.ListComments(ctx, r.Owner, r.Name, pr, &github.IssueListCommentsOptions{
				ListOptions: github.ListOptions{Page: page, PerPage: 100},
			})
			return resp, err
		})
		if err != nil {
			return 0, err
		}
		for _, cm := range list {
			if strings.Contains(cm.GetBody(), marker) {
				found = cm
				return 0, nil
			}
		}
		return resp.NextPage, nil
	})
	if err != nil {
		return "", err
	}
	if found != nil {
		if normalizeBody(found.GetBody()) == normalizeBody(body) {
			return CommentUnchanged, nil
		}
		id := found.GetID()
		err := c.call(ctx, fmt.Sprintf("update PR comment %d", id), func(ctx context.Context) (*github.Response, error) {
			_, resp, err := c.gh.Issues.EditComment(ctx, r.Owner, r.Name, id, &github.IssueComment{Body: github.String(body)})
			return resp, err
		})
		if err != nil {
			return "", err
		}
		return CommentUpdated, nil
	}
	if !createIfMissing {
		return CommentNone, nil
	}
	err = c.call(ctx, fmt.Sprintf("create PR comment on #%d", pr), func(ctx context.Context) (*github.Response, error) {
		_, resp, err := c.gh.Issues.CreateComment(ctx, r.Owner, r.Name, pr, &github.IssueComment{Body: github.String(body)})
		return resp, err
	})
	if err != nil {
		return "", err
	}
	return CommentCreated, nil
}

func normalizeBody(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}
