package gitrepo

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
)

// Name is what people call the repository, for a report's title: the
// path of its remote's URL (owner/name on GitHub; the remote is origin,
// or the only one), else the base name of its directory (without ".git"
// for a bare one). It never holds a URL's host or credentials, and is ""
// only when neither says anything.
func (r *Repo) Name(ctx context.Context) string {
	r.nameOnce.Do(func() { r.name = r.askName(ctx) })
	return r.name
}

func (r *Repo) askName(ctx context.Context) string {
	if n := NameFromURL(r.remoteURL(ctx)); n != "" {
		return n
	}
	base := filepath.Base(r.Root)
	if r.Bare {
		base = strings.TrimSuffix(base, ".git")
	}
	if base == "." || base == string(filepath.Separator) || base == "" {
		return ""
	}
	return base
}

// remoteURL is the URL of origin, or of the only remote ("" for none).
func (r *Repo) remoteURL(ctx context.Context) string {
	urls := r.config(ctx).urls
	if u := urls["origin"]; u != "" {
		return u
	}
	if len(urls) == 1 {
		for _, u := range urls {
			return strings.TrimSpace(u)
		}
	}
	return ""
}

// NameFromURL is the repository path of a remote URL, without host,
// credentials, query or ".git": "acme/api" for https://github.com/acme/api.git,
// git@github.com:acme/api.git and ssh://git@github.com/acme/api; "" for a
// local path or file:// URL (a directory's name says as much) and for
// anything it cannot read.
func NameFromURL(raw string) string {
	raw = strings.TrimSpace(raw)
	var path string
	switch i := strings.Index(raw, ":"); {
	case raw == "" || strings.ContainsAny(raw, "\n\r\t "):
		return ""
	case strings.Contains(raw, "://"):
		u, err := url.Parse(raw)
		if err != nil || u.Scheme == "file" || u.Host == "" {
			return ""
		}
		path = u.Path
	case i > 1 && !strings.Contains(raw[:i], "/"):
		// scp-like: [user@]host:path (a one-letter "host" is a Windows drive)
		path = raw[i+1:]
	default:
		return ""
	}
	path = strings.Trim(path, "/")
	path = strings.TrimSuffix(path, ".git")
	path = strings.Trim(path, "/")
	if path == "" || strings.Contains(path, "..") {
		return ""
	}
	return path
}
