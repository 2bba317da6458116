package cache

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/channelguard/channelguard/finding"
)

func TestKeyDependsOnEverySetting(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), ".channelguard.toml")
	if err := os.WriteFile(cfg, []byte("# one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := KeyParts{Version: "1", Revision: "abc", RulesDigest: "d", Config: cfg}
	key := func(p KeyParts) string {
		t.Helper()
		k, err := Key(p)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	first := key(base)
	if again := key(base); again != first {
		t.Fatalf("the same settings give two keys: %s %s", first, again)
	}
	changes := map[string]func(p *KeyParts){
		"version":    func(p *KeyParts) { p.Version = "2" },
		"revision":   func(p *KeyParts) { p.Revision = "abd" },
		"rules":      func(p *KeyParts) { p.RulesDigest = "e" },
		"verify":     func(p *KeyParts) { p.Verify = true },
		"LINE API":   func(p *KeyParts) { p.LineAPIURL = "http://127.0.0.1:1" },
		"channel id": func(p *KeyParts) { p.ChannelID = "1234567890" },
		"no config":  func(p *KeyParts) { p.Config = "" },
		"inputs":     func(p *KeyParts) { p.Inputs = "0123456789abcdef" },
	}
	for name, change := range changes {
		p := base
		change(&p)
		if key(p) == first {
			t.Errorf("%s: the key did not change", name)
		}
	}
	if err := os.WriteFile(cfg, []byte("# two\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if key(base) == first {
		t.Error("the config file's bytes changed, the key did not")
	}
	if _, err := Key(KeyParts{Config: filepath.Join(t.TempDir(), "missing.toml")}); err == nil {
		t.Error("a missing config file gave a key")
	}
}

func TestForPicksTheStateFile(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(t.TempDir(), "repo")
	if err := os.Mkdir(repo, 0o700); err != nil {
		t.Fatal(err)
	}
	c, warning, err := For(repo, dir, "k", false)
	if err != nil || warning != "" || c == nil {
		t.Fatalf("For: %v %q %v", c, warning, err)
	}
	if filepath.Dir(c.State) != dir || c.Key != "k" {
		t.Errorf("state %s (key %s), want a file in %s", c.State, c.Key, dir)
	}
	// the same repository through a symbolic link is the same state
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(repo, link); err != nil {
		t.Fatal(err)
	}
	if viaLink, _, _ := For(link, dir, "k", false); viaLink.State != c.State {
		t.Errorf("through a link: %s, directly: %s", viaLink.State, c.State)
	}
	// an org mirror keeps its own state
	if err := os.WriteFile(filepath.Join(repo, MirrorStateFile), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if m, _, _ := For(repo, dir, "k", true); m.State != filepath.Join(repo, MirrorStateFile) || !m.Off {
		t.Errorf("mirror: %+v", m)
	}
	// a directory that cannot be made: a warning, no cache, no error
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if c, warning, err := For(t.TempDir(), filepath.Join(blocker, "sub"), "k", false); c != nil || warning == "" || err != nil {
		t.Errorf("unwritable dir: %v %q %v", c, warning, err)
	}
}

func TestStateAndRulesRoundTrip(t *testing.T) {
	c := &Cache{State: filepath.Join(t.TempDir(), "s.json"), Key: "k"}
	if c.Load() != nil {
		t.Fatal("a missing state loaded")
	}
	f := finding.Finding{RuleID: "line-channel-secret", Severity: finding.High, Repository: "o/r", Change: "added"}
	if w := c.Save(&State{Tips: map[string]string{"refs/heads/main": "abc"}, HeadSHA: "abc", Stats: finding.Stats{Commits: 3, Files: 9, Bytes: 10}, Findings: []finding.Finding{f}}); w != "" {
		t.Fatal(w)
	}
	s := c.Load()
	if s == nil || s.HeadSHA != "abc" || s.Stats.Commits != 3 || s.Stats.Files != 0 || len(s.Findings) != 1 {
		t.Fatalf("loaded %+v", s)
	}
	if got := s.Findings[0]; got.Repository != "" || got.Change != "" {
		t.Errorf("a report's own fields were remembered: %+v", got)
	}
	if other := (&Cache{State: c.State, Key: "other"}).Load(); other != nil {
		t.Error("a state written under another key loaded")
	}
	if err := os.WriteFile(c.State, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c.Load() != nil {
		t.Error("a damaged state loaded")
	}

	if _, ok := c.Rules(); ok {
		t.Fatal("a rule list before one was saved")
	}
	c.SaveRules([]finding.Rule{{ID: "line-channel-secret", Severity: finding.High}})
	c.SaveRules([]finding.Rule{{ID: "other", Severity: finding.Low}}) // kept once: the key names the rules
	if list, ok := c.Rules(); !ok || len(list) != 1 || list[0].ID != "line-channel-secret" {
		t.Errorf("rules: %+v %v", list, ok)
	}
}
