package cache

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/atomicfile"
)

const stateVersion = 1

// State is what the state file remembers of the last scan.
type State struct {
	Version   int               `json:"version"`
	Key       string            `json:"key"`
	Tips      map[string]string `json:"tips"`
	HeadSHA   string            `json:"head_sha,omitempty"`
	ScannedAt string            `json:"scanned_at"`
	// Stats of the history the findings cover (commits and bytes read by
	// every scan that built them).
	Stats    finding.Stats     `json:"stats"`
	Findings []finding.Finding `json:"findings"`
}

// Load is the remembered state, or nil when there is none under this key
// (a missing, damaged or older state is a full scan, not an error).
func (c *Cache) Load() *State {
	b, err := os.ReadFile(c.State)
	if err != nil {
		return nil
	}
	var s State
	if json.Unmarshal(b, &s) != nil || s.Version != stateVersion || s.Key != c.Key || s.Tips == nil {
		return nil
	}
	return &s
}

// Save remembers s (under the cache's key, findings cleaned of what
// belongs to one report) and returns a warning when it cannot: a cache
// that cannot be written costs the next scan its speed, not this scan its
// result.
func (c *Cache) Save(s *State) (warning string) {
	if err := c.save(s); err != nil {
		return fmt.Sprintf("this scan is not remembered for the next: %v", err)
	}
	return ""
}

func (c *Cache) save(s *State) error {
	s.Version, s.Key = stateVersion, c.Key
	s.Findings = CleanFindings(s.Findings)
	s.Stats = finding.Stats{Commits: s.Stats.Commits, Bytes: s.Stats.Bytes} // the history alone: a clean tree adds no files
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("cache state %s: %w", c.State, err)
	}
	if err := atomicfile.Write(c.State, append(b, '\n')); err != nil {
		return fmt.Errorf("cache state: %w", err)
	}
	return nil
}

// CleanFindings drops what belongs to one report, not to the repository.
// Never nil, so a state without findings says [] in its file.
func CleanFindings(fs []finding.Finding) []finding.Finding {
	out := make([]finding.Finding, len(fs))
	copy(out, fs)
	for i := range out {
		out[i].Repository = ""
		out[i].Change = ""
	}
	return out
}
