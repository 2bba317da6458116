package ghapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

type fakeRepo struct {
	FullName      string `json:"full_name"`
	CloneURL      string `json:"clone_url"`
	HTMLURL       string `json:"html_url"`
	DefaultBranch string `json:"default_branch"`
	Fork          bool   `json:"fork"`
	Archived      bool   `json:"archived"`
	Size          int    `json:"size"`
}

func fakeRepos(owner string, n int) []fakeRepo {
	var out []fakeRepo
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("%s/repo-%03d", owner, i)
		out = append(out, fakeRepo{
			FullName: name, CloneURL: "https://github.example/" + name + ".git", HTMLURL: "https://github.example/" + name,
			DefaultBranch: "main", Fork: i%3 == 1, Archived: i%5 == 2, Size: i,
		})
	}
	return out
}

func TestListReposOrgAllPages(t *testing.T) {
	f := newFake(t)
	all := fakeRepos("acme", 205)
	f.handle("GET /orgs/acme/repos", func(w http.ResponseWriter, r *http.Request) { pageOf(w, r, all) })
	got, err := f.client().ListRepos(context.Background(), OwnerOrg, "acme", ListReposOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 205 {
		t.Fatalf("got %d repositories, want 205", len(got))
	}
	want := RepoInfo{FullName: "acme/repo-202", CloneURL: "https://github.example/acme/repo-202.git",
		HTMLURL: "https://github.example/acme/repo-202", DefaultBranch: "main", Fork: true, Archived: true, Size: 202}
	if got[202] != want {
		t.Errorf("got[202] = %+v, want %+v", got[202], want)
	}
	assertLines(t, f.lines(), []string{
		"GET /orgs/acme/repos?page=1&per_page=100&sort=full_name&type=all",
		"GET /orgs/acme/repos?page=2&per_page=100&sort=full_name&type=all",
		"GET /orgs/acme/repos?page=3&per_page=100&sort=full_name&type=all",
	})
	for _, r := range f.requests() {
		if r.Auth != "Bearer "+testToken {
			t.Errorf("%s: Authorization %q", r, r.Auth)
		}
	}
}

func TestListReposUser(t *testing.T) {
	f := newFake(t)
	all := fakeRepos("alice", 3)
	f.handle("GET /users/alice/repos", func(w http.ResponseWriter, r *http.Request) { pageOf(w, r, all) })
	got, err := f.client(func(o *Options) { o.Token = "" }).ListRepos(context.Background(), OwnerUser, "alice", ListReposOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].FullName != "alice/repo-000" {
		t.Errorf("got %+v", got)
	}
	assertLines(t, f.lines(), []string{"GET /users/alice/repos?page=1&per_page=100&sort=full_name&type=owner"})
	if a := f.requests()[0].Auth; a != "" {
		t.Errorf("no token, yet Authorization %q", a)
	}
}

func TestListReposErrors(t *testing.T) {
	f := newFake(t)
	c := f.client(func(o *Options) { o.MaxRetries = -1 })
	_, err := c.ListRepos(context.Background(), OwnerOrg, "ghost", ListReposOptions{})
	if !IsNotFound(err) || !strings.Contains(err.Error(), "list repositories of organisation ghost: 404") {
		t.Errorf("err = %v", err)
	}
	assertNoToken(t, err)
	if _, err := c.ListRepos(context.Background(), "team", "x", ListReposOptions{}); err == nil {
		t.Error("unknown kind accepted")
	}
	if _, err := c.ListRepos(context.Background(), OwnerOrg, "a/b", ListReposOptions{}); err == nil {
		t.Error("org name with a slash accepted")
	}
}

func TestGetRepo(t *testing.T) {
	f := newFake(t)
	f.handle("GET /repos/acme/one", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, http.StatusOK, fakeRepos("acme", 1)[0], 0, 0)
	})
	got, err := f.client().GetRepo(context.Background(), Repo{"acme", "one"})
	if err != nil {
		t.Fatal(err)
	}
	if got.FullName != "acme/repo-000" || got.CloneURL == "" {
		t.Errorf("got %+v", got)
	}
}
