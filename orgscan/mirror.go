package orgscan

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// git runs the git commands that talk to the remote (clone, fetch) and the
// few local ones orgscan needs. The token reaches git only through the
// environment, as an HTTP header scoped to the clone URL's scheme and host:
//
//	GIT_CONFIG_COUNT=1
//	GIT_CONFIG_KEY_0=http.https://github.com/.extraHeader
//	GIT_CONFIG_VALUE_0=Authorization: Basic base64(x-access-token:TOKEN)
//
// never in a URL, an argument, a log line or an error; git's stderr is
// scrubbed of it before it goes into an error, as a backstop.
type git struct {
	token  string
	url    *url.URL // the clone URL, checked
	local  bool     // file:// or a path (tests only)
	onGit  func(args, env []string)
	scrubs []string
}

// envPrefixes are the variables of the caller's environment that would
// change what git does with our commands: dropped before ours are added.
var envPrefixes = []string{
	"GIT_DIR=", "GIT_WORK_TREE=", "GIT_INDEX_FILE=", "GIT_OBJECT_DIRECTORY=", "GIT_ALTERNATE_OBJECT_DIRECTORIES=",
	"GIT_CONFIG_COUNT=", "GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "GIT_CONFIG_PARAMETERS=",
	"GIT_TERMINAL_PROMPT=", "GIT_ALLOW_PROTOCOL=", "GIT_ASKPASS=", "SSH_ASKPASS=",
}

// checkCloneURL accepts an https URL without userinfo, query or fragment;
// with allowLocal (tests) also file:// URLs and absolute paths.
func checkCloneURL(raw string, allowLocal bool) (*url.URL, bool, error) {
	if raw == "" {
		return nil, false, errors.New("no clone URL")
	}
	if allowLocal && filepath.IsAbs(raw) {
		return &url.URL{Scheme: "file", Path: filepath.ToSlash(raw)}, true, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, false, errors.New("clone URL is not a URL")
	}
	switch {
	case u.Scheme == "https" && u.Host != "":
	case allowLocal && u.Scheme == "file" && u.User == nil:
		return u, true, nil
	case u.User != nil:
		return nil, false, fmt.Errorf("clone URL %s://%s/… carries credentials; refused", u.Scheme, u.Hostname())
	default:
		return nil, false, fmt.Errorf("clone URL scheme %q is not https", u.Scheme)
	}
	if u.User != nil {
		return nil, false, fmt.Errorf("clone URL %s://%s/… carries credentials; refused", u.Scheme, u.Hostname())
	}
	if u.RawQuery != "" || u.Fragment != "" || strings.HasPrefix(u.Path, "-") {
		return nil, false, errors.New("clone URL has a query or fragment; refused")
	}
	return u, false, nil
}

func newGit(cloneURL, token string, allowLocal bool, onGit func(args, env []string)) (*git, error) {
	u, local, err := checkCloneURL(cloneURL, allowLocal)
	if err != nil {
		return nil, err
	}
	g := &git{token: token, url: u, local: local, onGit: onGit}
	if token != "" {
		g.scrubs = []string{authValue(token), basicCreds(token), token}
	}
	return g, nil
}

func basicCreds(token string) string {
	return base64.StdEncoding.EncodeToString([]byte("x-access-token:" + token))
}

// authValue is the header git sends: Basic with x-access-token, which
// github.com and GHES accept for personal, OAuth and app installation tokens.
func authValue(token string) string { return "Authorization: Basic " + basicCreds(token) }

// Env is the environment this package adds to every git command it runs
// (the rest is the caller's, minus the variables in envPrefixes).
func (g *git) Env() []string {
	env := []string{"GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=", "SSH_ASKPASS=", "LC_ALL=C", "GIT_PAGER=cat"}
	if g.local {
		env = append(env, "GIT_ALLOW_PROTOCOL=file")
	} else {
		env = append(env, "GIT_ALLOW_PROTOCOL=https")
	}
	if g.token != "" && !g.local {
		env = append(env,
			"GIT_CONFIG_COUNT=1",
			"GIT_CONFIG_KEY_0=http."+g.url.Scheme+"://"+g.url.Host+"/.extraHeader",
			"GIT_CONFIG_VALUE_0="+authValue(g.token),
		)
	}
	return env
}

func (g *git) fullEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		keep := true
		for _, p := range envPrefixes {
			if strings.HasPrefix(kv, p) {
				keep = false
				break
			}
		}
		if keep {
			env = append(env, kv)
		}
	}
	return append(env, g.Env()...)
}

// scrub removes the token (and the header built from it) from s.
func (g *git) scrub(s string) string {
	for _, x := range g.scrubs {
		s = strings.ReplaceAll(s, x, "[REDACTED]")
	}
	return s
}

// run runs git with args (the first ones may be -C DIR) and returns stdout.
// Errors are one line: "git fetch: <git's message>", scrubbed.
func (g *git) run(ctx context.Context, args ...string) ([]byte, error) {
	env := g.Env()
	if g.onGit != nil {
		g.onGit(append([]string(nil), args...), append([]string(nil), env...))
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Env = g.fullEnv()
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, errors.New("git is not installed or not on PATH")
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		sub := "git"
		for _, a := range args {
			if !strings.HasPrefix(a, "-") && !filepath.IsAbs(a) {
				sub += " " + a
				break
			}
		}
		msg := gitMessage(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("%s: %s", sub, g.scrub(msg))
	}
	return out, nil
}

// gitMessage is the first meaningful line of git's stderr.
func gitMessage(s string) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		l = strings.TrimPrefix(l, "fatal: ")
		l = strings.TrimPrefix(l, "error: ")
		if l != "" && !strings.HasPrefix(l, "hint:") && !strings.HasPrefix(l, "warning:") {
			return l
		}
	}
	return ""
}

// cloneSource is what git is told to clone: the URL as checked.
func (g *git) cloneSource() string {
	if g.url.Scheme == "file" && g.url.Host == "" {
		return "file://" + g.url.Path
	}
	return g.url.String()
}

// mirror makes dir an up-to-date bare mirror of the clone URL: a new one is
// cloned into a temporary directory beside dir and renamed into place (an
// interrupted clone never looks like a mirror); an existing one is fetched
// with --prune. defaultBranch, when known, becomes HEAD.
func (g *git) mirror(ctx context.Context, dir, defaultBranch string) (fresh bool, err error) {
	if isBareRepo(dir) {
		src := g.cloneSource()
		if cur, err := g.run(ctx, "-C", dir, "config", "--get", "remote.origin.url"); err != nil || strings.TrimSpace(string(cur)) != src {
			// the repository moved (renamed, transferred): follow it
			if _, err := g.run(ctx, "-C", dir, "remote", "set-url", "origin", src); err != nil {
				return false, err
			}
		}
		if _, err := g.run(ctx, "-C", dir, "fetch", "--prune", "--quiet", "origin"); err != nil {
			return false, err
		}
	} else {
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return false, fmt.Errorf("cache: %w", err)
		}
		if _, err := os.Stat(dir); err == nil {
			return false, fmt.Errorf("cache: %s exists but is not a bare git repository", dir)
		}
		var rnd [6]byte
		_, _ = rand.Read(rnd[:])
		tmp := dir + ".tmp-" + hex.EncodeToString(rnd[:])
		defer os.RemoveAll(tmp) // a no-op after the rename
		if _, err := g.run(ctx, "clone", "--mirror", "--quiet", "--", g.cloneSource(), tmp); err != nil {
			return false, err
		}
		if err := os.Rename(tmp, dir); err != nil {
			return false, fmt.Errorf("cache: %w", err)
		}
		fresh = true
	}
	if defaultBranch != "" && !strings.ContainsAny(defaultBranch, " \t\n~^:?*[\\") {
		ref := "refs/heads/" + defaultBranch
		if _, err := g.run(ctx, "-C", dir, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err == nil {
			_, _ = g.run(ctx, "-C", dir, "symbolic-ref", "HEAD", ref)
		}
	}
	return fresh, nil
}

func isBareRepo(dir string) bool {
	for _, p := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return false
		}
	}
	_, err := os.Stat(filepath.Join(dir, ".git"))
	return err != nil
}

// head is the commit HEAD points at, or "" (an empty repository).
func (g *git) head(ctx context.Context, dir string) string {
	out, err := g.run(ctx, "-C", dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
