package ghapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

type ic struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
}

func TestUpsertComment(t *testing.T) {
	const marker = "<!-- channelguard -->"
	const list = "GET /repos/o/r/issues/7/comments"
	many := func(markerAt int, body string) []ic {
		var out []ic
		for i := 0; i < 150; i++ {
			out = append(out, ic{ID: int64(1000 + i), Body: fmt.Sprintf("comment %d", i)})
		}
		if markerAt >= 0 {
			out[markerAt].Body = body
		}
		return out
	}
	tests := []struct {
		name     string
		existing []ic
		body     string
		create   bool
		want     string
		wantReqs []string
		wantBody string // body of the write, if any
	}{
		{
			name:     "marker on page 2 is edited in place",
			existing: many(120, marker+"\nold findings"),
			body:     marker + "\nnew findings",
			create:   true,
			want:     "updated",
			wantReqs: []string{list + "?page=1&per_page=100", list + "?page=2&per_page=100", "PATCH /repos/o/r/issues/comments/1120"},
			wantBody: marker + "\nnew findings",
		},
		{
			name:     "marker on page 2, createIfMissing=false still updates",
			existing: many(120, marker+"\nold findings"),
			body:     marker + "\nresolved",
			create:   false,
			want:     "updated",
			wantReqs: []string{list + "?page=1&per_page=100", list + "?page=2&per_page=100", "PATCH /repos/o/r/issues/comments/1120"},
			wantBody: marker + "\nresolved",
		},
		{
			name:     "absent: created after all pages",
			existing: many(-1, ""),
			body:     "findings", // marker prepended
			create:   true,
			want:     "created",
			wantReqs: []string{list + "?page=1&per_page=100", list + "?page=2&per_page=100", "POST /repos/o/r/issues/7/comments"},
			wantBody: marker + "\nfindings",
		},
		{
			name:     "unchanged body sends no write (CRLF, trailing space ignored)",
			existing: many(3, marker+"\r\nsame\r\n"),
			body:     marker + "\nsame",
			create:   true,
			want:     "unchanged",
			wantReqs: []string{list + "?page=1&per_page=100"},
		},
		{
			name:     "absent and createIfMissing=false sends no write",
			existing: many(-1, ""),
			body:     marker + "\nresolved",
			create:   false,
			want:     "none",
			wantReqs: []string{list + "?page=1&per_page=100", list + "?page=2&per_page=100"},
		},
		{
			name:     "no comments at all",
			body:     marker + "\nfindings",
			create:   true,
			want:     "created",
			wantReqs: []string{list + "?page=1&per_page=100", "POST /repos/o/r/issues/7/comments"},
			wantBody: marker + "\nfindings",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			existing := tt.existing
			if existing == nil {
				existing = []ic{}
			}
			f.handle("GET /repos/o/r/issues/7/comments", func(w http.ResponseWriter, r *http.Request) { pageOf(w, r, existing) })
			f.handle("PATCH /repos/o/r/issues/comments/1120", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, r, 200, ic{ID: 1120}, 0, 0)
			})
			f.handle("POST /repos/o/r/issues/7/comments", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, r, 201, ic{ID: 5}, 0, 0)
			})
			got, err := f.client().UpsertComment(context.Background(), Repo{"o", "r"}, 7, marker, tt.body, tt.create)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("result = %q, want %q", got, tt.want)
			}
			assertLines(t, f.lines(), tt.wantReqs)
			reqs := f.requests()
			for _, r := range reqs {
				if r.Auth != "Bearer "+testToken {
					t.Errorf("%s: Authorization = %q", r, r.Auth)
				}
			}
			last := reqs[len(reqs)-1]
			if tt.wantBody != "" {
				var sent struct{ Body string }
				if err := json.Unmarshal([]byte(last.Body), &sent); err != nil {
					t.Fatal(err)
				}
				if sent.Body != tt.wantBody {
					t.Errorf("sent body %q, want %q", sent.Body, tt.wantBody)
				}
			}
		})
	}
}

func TestUpsertCommentForbidden(t *testing.T) {
	f := newFake(t)
	f.handle("GET /repos/o/r/issues/7/comments", func(w http.ResponseWriter, r *http.Request) { pageOf(w, r, []ic{}) })
	f.handle("POST /repos/o/r/issues/7/comments", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, 403, map[string]string{"message": "Resource not accessible by integration",
			"documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment"}, 0, 0)
	})
	_, err := f.client().UpsertComment(context.Background(), Repo{"o", "r"}, 7, "<!-- channelguard -->", "x", true)
	if !IsForbidden(err) || IsNotFound(err) || IsUnprocessable(err) {
		t.Fatalf("err = %v; want forbidden", err)
	}
	want := "create PR comment on #7: 403 Forbidden: Resource not accessible by integration (POST /repos/o/r/issues/7/comments)"
	if err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
	assertNoToken(t, err)
	// 403 without rate-limit signs is not retried.
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests, want 2 (no retry of a plain 403)", n)
	}
}
