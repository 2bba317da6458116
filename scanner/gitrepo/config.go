package gitrepo

import (
	"bytes"
	"context"
	"strings"
)

// repoConfig is the configuration a scan reads, asked in one git run: a
// rescan with nothing new is mostly waiting for git runs.
type repoConfig struct {
	urls      map[string]string // remote name → url
	promisors []string          // partial clone's promisor remotes
	// core.ignorecase and core.attributesFile (see AttributesConfig)
	ignoreCase     bool
	attributesFile string
}

// configKeys are the keys repoConfig holds.
const configKeys = `^(remote\..+\.(url|promisor)|extensions\.partialclone|core\.(ignorecase|attributesfile))$`

// config reads repoConfig once. git config only reads: nothing the
// repository configures runs. A failure (exit 1: none of the keys) is an
// empty configuration, as each key alone would have been.
func (r *Repo) config(ctx context.Context) *repoConfig {
	r.configOnce.Do(func() {
		c := &repoConfig{urls: map[string]string{}}
		r.cfg = c
		out, err := r.Run(ctx, "config", "-z", "--get-regexp", configKeys)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		promisor := func(name string) {
			if name != "" && !seen[name] {
				seen[name] = true
				c.promisors = append(c.promisors, name)
			}
		}
		for _, entry := range bytes.Split(out, []byte{0}) {
			key, val, _ := strings.Cut(string(entry), "\n")
			lower := strings.ToLower(key)
			switch {
			case lower == "extensions.partialclone":
				promisor(val)
			case lower == "core.ignorecase":
				c.ignoreCase = isTrue(val)
			case lower == "core.attributesfile":
				c.attributesFile = val
			case strings.HasPrefix(lower, "remote.") && strings.HasSuffix(lower, ".promisor"):
				if isTrue(val) {
					promisor(key[len("remote.") : len(key)-len(".promisor")])
				}
			case strings.HasPrefix(lower, "remote.") && strings.HasSuffix(lower, ".url"):
				// the last, as git config --get gives
				c.urls[key[len("remote."):len(key)-len(".url")]] = val
			}
		}
	})
	return r.cfg
}

// AttributesConfig is core.ignorecase (git then matches attribute
// patterns without regard to case) and core.attributesFile as configured
// ("" when not set; not expanded).
func (r *Repo) AttributesConfig(ctx context.Context) (ignoreCase bool, attributesFile string) {
	c := r.config(ctx)
	return c.ignoreCase, c.attributesFile
}
