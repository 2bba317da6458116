package orgscan

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/channelguard/channelguard/reporters"
	"github.com/channelguard/channelguard/scanner/finding"
)

// StateFile is the file, inside each mirror, that remembers the last scan.
const StateFile = "channelguard-state.json"

const stateVersion = 1

// state is what the cache remembers of a repository's last successful
// scan: the ref tips it read and what it found. Findings are the report
// model, which never holds a raw secret.
type state struct {
	Version int `json:"version"`
	// Key identifies the rules and settings of the scan (Options.Key): a
	// state written under another key is not reused.
	Key       string            `json:"key"`
	Tips      map[string]string `json:"tips"`
	HeadSHA   string            `json:"head_sha,omitempty"`
	ScannedAt string            `json:"scanned_at"`
	Findings  []finding.Finding `json:"findings"`
}

// loadState reads dir's state; a missing, unreadable or foreign one is nil.
func loadState(dir, key string) *state {
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	if err != nil {
		return nil
	}
	var s state
	if json.Unmarshal(b, &s) != nil || s.Version != stateVersion || s.Key != key || s.Tips == nil {
		return nil
	}
	return &s
}

func saveState(dir string, s *state) error {
	s.Version = stateVersion
	if s.Findings == nil {
		s.Findings = []finding.Finding{}
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("cache state: %w", err)
	}
	return reporters.AtomicWrite(filepath.Join(dir, StateFile), append(b, '\n'))
}

func sameTips(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for ref, sha := range a {
		if b[ref] != sha {
			return false
		}
	}
	return true
}

// mergeable says whether findings of the new commits can simply be added
// to the previous findings: no previous finding still at HEAD lies in a
// file that changed between the two HEADs (its exposure would have to be
// judged again), and no new finding is an old one found again (its window
// and message would have to be recomputed). Otherwise a full scan is
// needed.
func mergeable(prev []finding.Finding, changed map[string]bool, found []finding.Finding) bool {
	fps := map[string]bool{}
	for _, f := range prev {
		fps[f.Fingerprint] = true
		if f.Exposure.StillAtHead && changed[f.Location.Path] {
			return false
		}
		for _, o := range f.Occurrences {
			if o.Commit != nil && o.Location.Path != "" && changed[o.Location.Path] && f.Exposure.StillAtHead {
				return false
			}
		}
	}
	for _, f := range found {
		if fps[f.Fingerprint] {
			return false
		}
	}
	return true
}
