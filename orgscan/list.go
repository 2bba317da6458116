package orgscan

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/ghapi"
	"github.com/channelguard/channelguard/internal/wording"
)

// Owner is whose repositories a run scans: exactly one of an organisation,
// a user, or repositories named one by one.
type Owner struct {
	Org, User string
	Repos     []ghapi.Repo
}

// Selection is the repositories one run scans.
type Selection struct {
	// Target names them in the report: "github.com/acme", or
	// "github.com: acme/a, acme/b" for named repositories.
	Target  string
	Targets []Target
	// Failed are named repositories the API could not give: each is in
	// the report as failed.
	Failed []finding.RepoScan
	// Listed counts what the API listed; LeftOut why some of it is not
	// scanned ("fork", "archived", "excluded", "other shard" → count).
	Listed  int
	LeftOut map[string]int
}

// Select lists the owner's repositories through the API (on apiURL's
// host) and keeps those the filter keeps. Named repositories are wanted
// even when forks or archived; one in another shard or excluded is not
// even asked for.
func Select(ctx context.Context, c *ghapi.Client, apiURL string, owner Owner, f Filter) (*Selection, error) {
	host := WebHost(apiURL)
	s := &Selection{LeftOut: map[string]int{}}
	var listed []ghapi.RepoInfo
	if owner.Org != "" || owner.User != "" {
		kind, name := ghapi.OwnerOrg, owner.Org
		if owner.User != "" {
			kind, name = ghapi.OwnerUser, owner.User
		}
		s.Target = host + "/" + name
		var err error
		if listed, err = c.ListRepos(ctx, kind, name, ghapi.ListReposOptions{}); err != nil {
			return nil, err
		}
	} else {
		var names []string
		for _, r := range owner.Repos {
			names = append(names, r.String())
			if !f.Shard.Has(r.String()) || (f.Exclude != nil && f.Exclude.MatchString(r.String())) {
				continue
			}
			info, err := c.GetRepo(ctx, r)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				s.Failed = append(s.Failed, finding.RepoScan{Name: r.String(), Status: finding.RepoFailed, Error: wording.FirstLine(err.Error())})
				continue
			}
			if info.FullName == "" {
				info.FullName = r.String()
			}
			info.Fork, info.Archived = false, false // named explicitly: wanted
			listed = append(listed, info)
		}
		s.Target = host + ": " + strings.Join(names, ", ")
	}
	if h := htmlHost(listed); h != "" && h != host {
		s.Target = h + strings.TrimPrefix(s.Target, host)
	}
	s.Listed = len(listed)
	for _, r := range listed {
		if why := f.Skip(r.FullName, r.Fork, r.Archived); why != "" {
			s.LeftOut[why]++
			continue
		}
		s.Targets = append(s.Targets, Target{Name: r.FullName, CloneURL: r.CloneURL, URL: r.HTMLURL, DefaultBranch: r.DefaultBranch})
	}
	return s, nil
}

// Total counts the repositories the report will list: those to scan and
// those that failed before a scan.
func (s *Selection) Total() int { return len(s.Targets) + len(s.Failed) }

// Describe says it in one line: "github.com/acme: 12 repositories to scan
// (left out: 3 forks, 1 archived)".
func (s *Selection) Describe() string {
	msg := fmt.Sprintf("%s: %d repositories to scan", s.Target, s.Total())
	var parts []string
	for _, why := range []struct{ key, words string }{{"fork", "forks"}, {"archived", "archived"}, {"excluded", "excluded"}, {"other shard", "in other shards"}} {
		if n := s.LeftOut[why.key]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, why.words))
		}
	}
	if len(parts) > 0 {
		msg += " (left out: " + strings.Join(parts, ", ") + ")"
	}
	return msg
}

// WebHost is the host the repositories live on, for the report's target:
// github.com for the public API, the server's host for GHES.
func WebHost(apiURL string) string {
	u, err := url.Parse(strings.TrimSpace(apiURL))
	if apiURL == "" || err != nil || u.Host == "" || strings.EqualFold(u.Host, "api.github.com") {
		return "github.com"
	}
	return strings.TrimPrefix(u.Host, "api.")
}

// htmlHost is the web host of the listed repositories (their html_url),
// when the API names one: the host people know the repositories by.
func htmlHost(listed []ghapi.RepoInfo) string {
	for _, r := range listed {
		if u, err := url.Parse(r.HTMLURL); err == nil && u.Host != "" {
			return u.Host
		}
	}
	return ""
}
