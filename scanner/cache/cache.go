// Package cache remembers full-history scans of a repository, so a rescan
// reads only what changed: where a repository's state file lives, the key
// that says whether it may be reused, the state itself (the ref tips the
// last scan read and what it found: previews and hashes, never a raw
// value), the rule list kept beside it, and the decision a rescan makes
// (nothing to read, only new commits, or everything). Anything that could
// change an earlier finding (a branch deleted or rewritten, a file of a
// secret still at HEAD changed, a known secret added again) gets a full
// scan, so a result through the cache is always what a full scan reports.
// The scanner runs the scans the decision asks for; `scan` and `org` share
// one format, so scanning an org mirror reuses the org's scans.
package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/atomicfile"
	"github.com/channelguard/channelguard/internal/pathless"
)

// MirrorStateFile is the state file inside each org mirror.
const MirrorStateFile = "channelguard-state.json"

// Cache is where one repository's scans are remembered, and under which key.
type Cache struct {
	// State is the file that remembers the last scan of this repository.
	State string
	// Key identifies the rules and settings (see Key): a state written
	// under another key is not reused.
	Key string
	// Off scans in full and writes the state afresh (--no-cache).
	Off bool
}

// Use says what a scan took from its cache.
type Use struct {
	// Incremental: earlier findings were reused and only new commits read
	// (none at all when the refs had not moved).
	Incremental bool
	// Since is when the reused scan ran (RFC 3339).
	Since string
	// Reason is why the cache could not be used, when it could not.
	Reason string
	// Read is what this run read itself; the report's stats cover the
	// whole history, the remembered part included.
	Read finding.Stats
	// Warning is set when this scan could not be remembered.
	Warning string
}

// KeyParts is what a remembered scan depends on besides the commits.
type KeyParts struct {
	// Version and Revision name the program (the commit it was built
	// from); RulesDigest its built-in rules.
	Version, Revision, RulesDigest string
	// Verify, LineAPIURL and ChannelID are the --verify settings.
	Verify                bool
	LineAPIURL, ChannelID string
	// Config is the config file's path, "" for none: its bytes count.
	Config string
	// Inputs is a digest of what else the findings depend on, "" for
	// nothing: the files a config's [extend] path names, a gitleaks config
	// from the environment, .gitleaksignore files.
	Inputs string
}

// Key is the cache key of p: scan and org compute it alike, so they share
// a mirror's state.
func Key(p KeyParts) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "channelguard %s %s rules %s\nverify %v %s %s\n", p.Version, p.Revision, p.RulesDigest, p.Verify, p.LineAPIURL, p.ChannelID)
	if p.Config != "" {
		b, err := os.ReadFile(p.Config)
		if err != nil {
			return "", fmt.Errorf("config %s: %w", p.Config, err)
		}
		h.Write(b)
	}
	if p.Inputs != "" {
		fmt.Fprintf(h, "\ninputs %s\n", p.Inputs)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// InMirror is the cache of an org mirror: the state file inside it.
func InMirror(mirror, key string, off bool) *Cache {
	return &Cache{State: filepath.Join(mirror, MirrorStateFile), Key: key, Off: off}
}

// For is where scans of the repository at path are remembered: the
// mirror's own state when path is an org mirror, else a file in dir named
// for path's real location (dir "" is <user cache dir>/channelguard/scans).
// When no directory can be had, the scan is not remembered: c is nil and
// warning says why (a cache that cannot be written costs speed, not the
// scan).
func For(path, dir, key string, off bool) (c *Cache, warning string, err error) {
	if info, err := os.Stat(filepath.Join(path, MirrorStateFile)); err == nil && info.Mode().IsRegular() {
		return InMirror(path, key, off), "", nil
	}
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Sprintf("no user cache directory (%v): scans are not remembered (give --cache DIR)", err), nil
		}
		dir = filepath.Join(base, "channelguard", "scans")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Sprintf("cache %s: %v: scans are not remembered", dir, pathless.Err(err)), nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	sum := sha256.Sum256([]byte(abs))
	return &Cache{State: filepath.Join(dir, hex.EncodeToString(sum[:8])+".json"), Key: key, Off: off}, "", nil
}

// ruleListPath is where the rule list of the cache's key is kept, beside
// the state: a remembered scan's report lists every rule, as a full
// scan's does, without compiling one.
func (c *Cache) ruleListPath() string {
	return filepath.Join(filepath.Dir(c.State), "rules-"+c.Key+".json")
}

// Rules is the rule list a scan under this key saved; ok is false when
// there is none (the rules must be compiled).
func (c *Cache) Rules() (list []finding.Rule, ok bool) {
	b, err := os.ReadFile(c.ruleListPath())
	if err != nil {
		return nil, false
	}
	if json.Unmarshal(b, &list) != nil || len(list) == 0 {
		return nil, false
	}
	return list, true
}

// SaveRules keeps the rule list of this key, once. A list that cannot be
// written costs the next rescan a rule compile, nothing else.
func (c *Cache) SaveRules(list []finding.Rule) {
	if _, err := os.Stat(c.ruleListPath()); err == nil {
		return
	}
	if b, err := json.Marshal(list); err == nil {
		_ = atomicfile.Write(c.ruleListPath(), b)
	}
}
