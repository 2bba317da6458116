package ghapi

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/go-github/v62/github"
)

// ReviewComment is one inline comment of a review. Key (a finding
// fingerprint) is embedded in the body as "<!-- channelguard:fp=KEY -->" so
// that a re-run does not repeat it.
type ReviewComment struct {
	Path string
	Line int
	Body string
	Key  string
}

// ReviewResult counts what PostReview did with the comments it was given.
type ReviewResult struct{ Posted, Duplicate, OutsideDiff int }

// maxReviewCommentPages bounds the review-comment listing (100 per page).
const maxReviewCommentPages = 100

var keyMarkerRE = regexp.MustCompile(`<!-- channelguard:fp=(\S+) -->`)

// KeyMarker is the hidden marker PostReview embeds for key.
func KeyMarker(key string) string { return "<!-- channelguard:fp=" + sanitizeKey(key) + " -->" }

// sanitizeKey keeps a key usable inside an HTML comment and the marker's
// pattern: no white space, no "-->".
func sanitizeKey(k string) string {
	k = strings.Join(strings.Fields(k), "_")
	return strings.ReplaceAll(k, "-->", "--_")
}

// PostReview posts ONE review (event COMMENT on headSHA) with the comments
// that are in the diff (diff.InDiff) and whose key no existing review
// comment of the PR carries (all pages are listed). Comments outside the
// diff are counted in OutsideDiff, already-posted keys (or a key repeated in
// comments) in Duplicate. When nothing is left, nothing is posted. A nil
// diff is fetched with PRDiff. An empty body becomes a short summary (GitHub
// requires one for COMMENT).
func (c *Client) PostReview(ctx context.Context, r Repo, pr int, headSHA, body string, comments []ReviewComment, diff *Diff) (ReviewResult, error) {
	var res ReviewResult
	if len(comments) == 0 {
		return res, nil
	}
	if diff == nil {
		var err error
		if diff, err = c.PRDiff(ctx, r, pr); err != nil {
			return res, err
		}
	}
	var inDiff []ReviewComment
	for _, cm := range comments {
		if !diff.Contains(cm.Path, cm.Line) {
			res.OutsideDiff++
			continue
		}
		inDiff = append(inDiff, cm)
	}
	if len(inDiff) == 0 {
		return res, nil
	}

	seen := map[string]bool{}
	err := paged(maxReviewCommentPages, func(page int) (int, error) {
		var list []*github.PullRequestComment
		var resp *github.Response
		err := c.call(ctx, fmt.Sprintf("list review comments of PR #%d", pr), func(ctx context.Context) (*github.Response, error) {
			var err error
			list, resp, err = c.gh.PullRequests.ListComments(ctx, r.Owner, r.Name, pr, &github.PullRequestListCommentsOptions{
				ListOptions: github.ListOptions{Page: page, PerPage: 100},
			})
			return resp, err
		})
		if err != nil {
			return 0, err
		}
		for _, cm := range list {
			for _, m := range keyMarkerRE.FindAllStringSubmatch(cm.GetBody(), -1) {
				seen[m[1]] = true
			}
		}
		return resp.NextPage, nil
	})
	if err != nil && !IsNotFound(err) {
		return res, err
	}
	// A server without the review comments list (an older GHES, a stand-in)
	// cannot tell what an earlier run posted: post anyway, once per run.

	var drafts []*github.DraftReviewComment
	for _, cm := range inDiff {
		key := sanitizeKey(cm.Key)
		if key != "" {
			if seen[key] {
				res.Duplicate++
				continue
			}
			seen[key] = true
		}
		text := cm.Body
		if key != "" && !strings.Contains(text, KeyMarker(key)) {
			text = strings.TrimRight(text, "\n") + "\n\n" + KeyMarker(key)
		}
		drafts = append(drafts, &github.DraftReviewComment{
			Path: github.String(cm.Path),
			Line: github.Int(cm.Line),
			Side: github.String("RIGHT"),
			Body: github.String(text),
		})
	}
	if len(drafts) == 0 {
		return res, nil
	}
	if strings.TrimSpace(body) == "" {
		body = fmt.Sprintf("channelguard: %d new finding(s) in this pull request.", len(drafts))
	}
	req := &github.PullRequestReviewRequest{
		CommitID: github.String(headSHA),
		Body:     github.String(body),
		Event:    github.String("COMMENT"),
		Comments: drafts,
	}
	err = c.call(ctx, fmt.Sprintf("create review on PR #%d", pr), func(ctx context.Context) (*github.Response, error) {
		_, resp, err := c.gh.PullRequests.CreateReview(ctx, r.Owner, r.Name, pr, req)
		return resp, err
	})
	if err != nil {
		return res, err
	}
	res.Posted = len(drafts)
	return res, nil
}
