package ghapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

type prc struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
}

func TestPostReview(t *testing.T) {
	diff := NewDiff()
	if err := diff.AddPatch("a.go", "@@ -1,2 +1,3 @@\n x\n+secret1\n+secret2"); err != nil {
		t.Fatal(err)
	}
	if err := diff.AddPatch("b.env", "@@ -0,0 +1,2 @@\n+TOKEN=1\n+TOKEN=2"); err != nil {
		t.Fatal(err)
	}
	// 130 existing review comments: keys k-old1 on page 1, k-old2 on page 2.
	var existing []prc
	for i := 0; i < 130; i++ {
		existing = append(existing, prc{ID: int64(i), Body: fmt.Sprintf("unrelated %d", i)})
	}
	existing[5].Body = "old finding\n\n" + KeyMarker("k-old1")
	existing[125].Body = "old finding\n\n<!-- channelguard:fp=k-old2 -->"

	const listReq = "GET /repos/o/r/pulls/3/comments"
	tests := []struct {
		name     string
		comments []ReviewComment
		want     ReviewResult
		wantReqs []string
		wantSent []string // "path:line:key" of posted comments
	}{
		{
			name: "duplicates on both pages and outside-diff dropped",
			comments: []ReviewComment{
				{Path: "a.go", Line: 2, Body: "Leaked LINE channel secret", Key: "k-new1"},
				{Path: "a.go", Line: 3, Body: "again", Key: "k-old1"},         // dup (page 1)
				{Path: "b.env", Line: 1, Body: "token", Key: "k-old2"},        // dup (page 2)
				{Path: "b.env", Line: 2, Body: "token 2", Key: "k-new2"},      //
				{Path: "a.go", Line: 9, Body: "not in diff", Key: "k-far"},    // outside
				{Path: "c.go", Line: 1, Body: "file not in diff", Key: "k-c"}, // outside
				{Path: "a.go", Line: 1, Body: "context line is ok", Key: "k-ctx"},
				{Path: "a.go", Line: 2, Body: "same key twice", Key: "k-new1"}, // dup within the batch
			},
			want:     ReviewResult{Posted: 3, Duplicate: 3, OutsideDiff: 2},
			wantReqs: []string{listReq + "?page=1&per_page=100", listReq + "?page=2&per_page=100", "POST /repos/o/r/pulls/3/reviews"},
			wantSent: []string{"a.go:2:k-new1", "b.env:2:k-new2", "a.go:1:k-ctx"},
		},
		{
			name: "all duplicates: nothing posted",
			comments: []ReviewComment{
				{Path: "a.go", Line: 2, Body: "x", Key: "k-old1"},
				{Path: "a.go", Line: 3, Body: "y", Key: "k-old2"},
			},
			want:     ReviewResult{Duplicate: 2},
			wantReqs: []string{listReq + "?page=1&per_page=100", listReq + "?page=2&per_page=100"},
		},
		{
			name:     "all outside the diff: no request at all",
			comments: []ReviewComment{{Path: "z.go", Line: 1, Body: "x", Key: "k"}},
			want:     ReviewResult{OutsideDiff: 1},
		},
		{
			name: "no comments: no request",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.handle("GET /repos/o/r/pulls/3/comments", func(w http.ResponseWriter, r *http.Request) { pageOf(w, r, existing) })
			f.handle("POST /repos/o/r/pulls/3/reviews", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, r, 200, map[string]any{"id": 77, "state": "COMMENTED"}, 0, 0)
			})
			got, err := f.client().PostReview(context.Background(), Repo{"o", "r"}, 3, "abc123", "channelguard found secrets", tt.comments, diff)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("result = %+v, want %+v", got, tt.want)
			}
			assertLines(t, f.lines(), tt.wantReqs)
			if tt.wantSent == nil {
				return
			}
			reqs := f.requests()
			var sent struct {
				CommitID string `json:"commit_id"`
				Body     string `json:"body"`
				Event    string `json:"event"`
				Comments []struct {
					Path     string `json:"path"`
					Line     int    `json:"line"`
					Side     string `json:"side"`
					Body     string `json:"body"`
					Position *int   `json:"position"`
				} `json:"comments"`
			}
			if err := json.Unmarshal([]byte(reqs[len(reqs)-1].Body), &sent); err != nil {
				t.Fatal(err)
			}
			if sent.CommitID != "abc123" || sent.Event != "COMMENT" || sent.Body != "channelguard found secrets" {
				t.Errorf("review = commit %q event %q body %q", sent.CommitID, sent.Event, sent.Body)
			}
			var gotSent []string
			for _, c := range sent.Comments {
				m := keyMarkerRE.FindStringSubmatch(c.Body)
				if m == nil {
					t.Errorf("comment %s:%d has no key marker: %q", c.Path, c.Line, c.Body)
					continue
				}
				if c.Side != "RIGHT" || c.Position != nil {
					t.Errorf("comment %s:%d side %q position %v", c.Path, c.Line, c.Side, c.Position)
				}
				gotSent = append(gotSent, fmt.Sprintf("%s:%d:%s", c.Path, c.Line, m[1]))
			}
			if strings.Join(gotSent, " ") != strings.Join(tt.wantSent, " ") {
				t.Errorf("posted %v, want %v", gotSent, tt.wantSent)
			}
		})
	}
}

func TestPostReviewFetchesDiffWhenNil(t *testing.T) {
	f := newFake(t)
	f.handle("GET /repos/o/r/pulls/3/files", func(w http.ResponseWriter, r *http.Request) {
		pageOf(w, r, []cf{{Filename: "a.go", Status: "modified", Patch: "@@ -1 +1 @@\n-a\n+b"}})
	})
	f.handle("GET /repos/o/r/pulls/3/comments", func(w http.ResponseWriter, r *http.Request) { pageOf(w, r, []prc{}) })
	f.handle("POST /repos/o/r/pulls/3/reviews", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, 422, map[string]any{"message": "Unprocessable Entity", "errors": []string{"Line could not be resolved"}}, 0, 0)
	})
	res, err := f.client().PostReview(context.Background(), Repo{"o", "r"}, 3, "abc", "", []ReviewComment{{Path: "a.go", Line: 1, Body: "x", Key: "k 1"}}, nil)
	if !IsUnprocessable(err) {
		t.Fatalf("err = %v, want 422", err)
	}
	if res.Posted != 0 {
		t.Errorf("Posted = %d after a failure", res.Posted)
	}
	assertLines(t, f.lines(), []string{
		"GET /repos/o/r/pulls/3/files?page=1&per_page=100",
		"GET /repos/o/r/pulls/3/comments?page=1&per_page=100",
		"POST /repos/o/r/pulls/3/reviews",
	})
	reqs := f.requests()
	body := reqs[len(reqs)-1].Body
	if !strings.Contains(body, `<!-- channelguard:fp=k_1 -->`) || !strings.Contains(body, `"body":"channelguard: 1 new finding(s)`) {
		t.Errorf("review body: %s", body)
	}
	if !strings.HasPrefix(err.Error(), "create review on PR #3: 422 Unprocessable Entity") {
		t.Errorf("err = %q", err)
	}
}
