package engine

import (
	"hash/maphash"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"
)

// memo remembers what the detectors found in each fragment's text, so the
// same added text seen again (a revert, a cherry-pick, a branch merged
// twice, a file copied) is not scanned again. What gitleaks finds depends
// on the text and, for a handful of rules, on the file's path (rules with a
// path, allowlists with paths); the memo key is the text plus which of those
// path conditions the path meets. Commit allowlists would make findings
// depend on the commit too: with any, the memo is off.
//
// The key is 128 bits: two 64-bit maphash sums with independent random
// seeds. A collision would hand one text another's findings; with at most
// maxMemoEntries (2^21) entries the odds of any are below 2^42/2^129 =
// 2^-87 per scan, where one 64-bit sum left them near 2^-23.
type memo struct {
	seeds [2]maphash.Seed
	conds []func(path string) bool // path conditions, at most 64

	mu      sync.Mutex
	entries map[memoKey]memoEntry
	classes map[string]uint64 // path → which conditions it meets
}

type memoKey [2]uint64

type memoEntry struct {
	startLine int
	found     []report.Finding
}

// maxMemoEntries bounds the memory: ~50 bytes an entry.
const maxMemoEntries = 2 << 20

// newMemo returns nil (no memo) when findings could depend on more than
// text and path.
func newMemo(cfgs ...config.Config) *memo {
	m := &memo{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, entries: map[memoKey]memoEntry{}, classes: map[string]uint64{}}
	for _, cfg := range cfgs {
		for _, a := range cfg.Allowlists {
			if len(a.Commits) > 0 {
				return nil
			}
			if len(a.Paths) > 0 {
				m.conds = append(m.conds, a.PathAllowed)
			}
		}
		for _, id := range cfg.OrderedRules {
			r := cfg.Rules[id]
			if r.Path != nil {
				m.conds = append(m.conds, r.Path.MatchString)
			}
			for _, a := range r.Allowlists {
				if len(a.Commits) > 0 {
					return nil
				}
				if len(a.Paths) > 0 {
					m.conds = append(m.conds, a.PathAllowed)
				}
			}
		}
	}
	if len(m.conds) > 64 {
		return nil
	}
	return m
}

func (m *memo) key(fr sources.Fragment) memoKey {
	m.mu.Lock()
	class, ok := m.classes[fr.FilePath]
	m.mu.Unlock()
	if !ok {
		for i, cond := range m.conds {
			if cond(fr.FilePath) {
				class |= 1 << i
			}
		}
		m.mu.Lock()
		m.classes[fr.FilePath] = class
		m.mu.Unlock()
	}
	var b [8]byte
	for i := range b {
		b[i] = byte(class >> (8 * i))
	}
	var k memoKey
	for i, seed := range m.seeds {
		var h maphash.Hash
		h.SetSeed(seed)
		h.Write(b[:])
		h.WriteString(fr.Raw)
		k[i] = h.Sum64()
	}
	return k
}

// lookup returns what was found the last time this text was scanned under
// an equivalent path, moved to this fragment's file, commit and lines.
func (m *memo) lookup(key memoKey, fr sources.Fragment) ([]report.Finding, bool) {
	m.mu.Lock()
	e, ok := m.entries[key]
	m.mu.Unlock()
	if !ok {
		return nil, false
	}
	out := make([]report.Finding, len(e.found))
	shift := fr.StartLine - e.startLine
	for i, f := range e.found {
		f.File, f.SymlinkFile, f.Commit = fr.FilePath, fr.SymlinkFile, fr.CommitSHA
		// a finding by path alone has no line: gitleaks says 0 wherever
		// the hunk starts, and its fingerprint uses it
		if !ByPathAlone(f) {
			f.StartLine += shift
			f.EndLine += shift
		}
		f.Author, f.Email, f.Date, f.Message, f.Link = "", "", "", "", ""
		if c := fr.CommitInfo; c != nil {
			f.Author, f.Email, f.Date, f.Message = c.AuthorName, c.AuthorEmail, c.Date, c.Message
		}
		out[i] = f
	}
	return out, true
}

func (m *memo) store(key memoKey, fr sources.Fragment, found []report.Finding) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.entries) < maxMemoEntries {
		m.entries[key] = memoEntry{startLine: fr.StartLine, found: found}
	}
}

// ByPathAlone: gitleaks found f by its file's path alone (a rule with a
// path and no regex, such as pkcs12-file). It names no value and no line.
func ByPathAlone(f report.Finding) bool {
	return f.Secret == "" && strings.HasPrefix(f.Match, "file detected: ")
}
