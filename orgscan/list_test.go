package orgscan

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/ghapi"
)

func TestWebHost(t *testing.T) {
	for in, want := range map[string]string{
		"":                                "github.com",
		"https://api.github.com":          "github.com",
		"https://api.ghe.example/api/v3/": "ghe.example",
		"https://ghe.example/api/v3":      "ghe.example",
		"::not a url":                     "github.com",
	} {
		if got := WebHost(in); got != want {
			t.Errorf("WebHost(%q) = %q, want %q", in, got, want)
		}
	}
}

// Select keeps what the filter keeps, counts what it leaves out and why,
// asks the API only for named repositories it will scan, and reports a
// named repository the API cannot give as failed, not as an error.
func TestSelect(t *testing.T) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Path)
		repo := func(name string, fork, archived bool) map[string]any {
			return map[string]any{"full_name": name, "fork": fork, "archived": archived, "html_url": "https://github.com/" + name, "clone_url": "https://github.com/" + name + ".git", "default_branch": "main"}
		}
		switch {
		case r.URL.Path == "/orgs/acme/repos":
			_ = json.NewEncoder(w).Encode([]any{repo("acme/a", false, false), repo("acme/fork", true, false), repo("acme/old", false, true), repo("acme/skip-me", false, false)})
		case r.URL.Path == "/repos/acme/a":
			_ = json.NewEncoder(w).Encode(repo("acme/a", true, true))
		default:
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		}
	}))
	defer srv.Close()
	c, err := ghapi.New(ghapi.Options{BaseURL: srv.URL + "/", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	f := Filter{Exclude: regexp.MustCompile(`skip-me`), Shard: Shard{1, 1}}

	s, err := Select(context.Background(), c, "", Owner{Org: "acme"}, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Targets) != 1 || s.Targets[0].Name != "acme/a" || s.Listed != 4 {
		t.Errorf("targets %+v of %d listed", s.Targets, s.Listed)
	}
	if got := s.Describe(); got != "github.com/acme: 1 repositories to scan (left out: 1 forks, 1 archived, 1 excluded)" {
		t.Errorf("Describe() = %q", got)
	}

	asked = nil
	a, _ := ghapi.ParseRepo("acme/a")
	gone, _ := ghapi.ParseRepo("acme/gone")
	skip, _ := ghapi.ParseRepo("acme/skip-me")
	s, err = Select(context.Background(), c, "", Owner{Repos: []ghapi.Repo{a, gone, skip}}, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Targets) != 1 || s.Targets[0].Name != "acme/a" {
		t.Errorf("named: targets %+v (a named fork is wanted)", s.Targets)
	}
	if len(s.Failed) != 1 || s.Failed[0].Name != "acme/gone" || s.Failed[0].Status != "failed" || s.Failed[0].Error == "" {
		t.Errorf("named: failed %+v", s.Failed)
	}
	if strings.Contains(strings.Join(asked, " "), "skip-me") {
		t.Errorf("an excluded repository was asked for: %v", asked)
	}
	if s.Target != "github.com: acme/a, acme/gone, acme/skip-me" || s.Total() != 2 {
		t.Errorf("target %q, total %d", s.Target, s.Total())
	}
}
