package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/internal/fuzzcorpus"
)

// FuzzConfig feeds arbitrary bytes to the .channelguard.toml loader
// (LoadData, what Load runs on the file's contents). It must give a
// usable Set or an error that names the file on one line, never panic:
// in `channelguard pr` the config comes from the repository under scan.
//
// Seeds: testdata/fuzz/rules/FuzzConfig/ at the repository root.
func FuzzConfig(f *testing.F) {
	fuzzcorpus.Add(f, "rules")
	f.Add([]byte("[channelguard]\ndisabled_rules = [\"generic-api-key\"]\n[channelguard.severity]\nline-channel-secret = \"low\"\n"))
	// Load itself, once, on a file: the fuzzed inputs go to LoadData.
	if _, err := Load(filepath.Join(f.TempDir(), "missing.toml")); err == nil || strings.Contains(err.Error(), "\n") {
		f.Fatalf("Load of a missing file: %v", err)
	}
	p := filepath.Join(f.TempDir(), DefaultConfigName)
	if err := os.WriteFile(p, []byte("[[rules]]\nid = \"x\"\nregex = '''x'''\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	if s, err := Load(p); err != nil {
		f.Fatalf("Load: %v", err)
	} else if _, ok := s.Rule("x"); !ok {
		f.Fatal("Load: rule x missing")
	}
	const name = "fuzz/.channelguard.toml"
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := LoadData(name, data)
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error on more than one line: %q", msg)
			}
			if !strings.Contains(msg, name) {
				t.Fatalf("error does not name the file: %q", msg)
			}
			return
		}
		// Every rule the detector runs has a catalogue entry and is listed once.
		seen := map[string]bool{}
		for _, id := range s.Config.OrderedRules {
			if seen[id] {
				t.Fatalf("rule %q listed twice", id)
			}
			seen[id] = true
			if _, ok := s.Config.Rules[id]; !ok {
				t.Fatalf("ordered rule %q not in the config", id)
			}
			if _, ok := s.Rule(id); !ok {
				t.Fatalf("rule %q has no catalogue entry", id)
			}
		}
		if len(seen) != len(s.Config.Rules) || len(s.Rules()) != len(s.Config.Rules) {
			t.Fatalf("%d ordered, %d rules, %d catalogued", len(seen), len(s.Config.Rules), len(s.Rules()))
		}
		for _, r := range s.Rules() {
			if r.Severity.String() == "unknown" {
				t.Fatalf("rule %q: severity %d", r.ID, r.Severity)
			}
		}
	})
}
