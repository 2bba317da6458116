package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
)

// hashLen is how many hex characters of SHA-256 channelguard reports.
const hashLen = 12

// secretHash is channelguard's short secret hash: the first 12 hex
// characters of SHA-256 of the raw value.
func secretHash(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])[:hashLen]
}

// GLFinding is what compare keeps of one gitleaks finding. It holds the
// secret's hash only: the raw value is dropped as soon as it is hashed.
type GLFinding struct {
	RuleID    string
	File      string
	StartLine int
	Commit    string
	Hash      string
}

// glRaw is the part of a gitleaks JSON finding compare decodes. Match, which
// also holds the secret, is deliberately not decoded.
type glRaw struct {
	RuleID    string
	File      string
	StartLine int
	Commit    string
	Secret    string
}

// ReadGitleaks decodes a gitleaks JSON report (an array of findings) one
// finding at a time, hashing each secret and discarding the raw value.
func ReadGitleaks(r io.Reader) ([]GLFinding, error) {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("gitleaks report: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("gitleaks report: want a JSON array, got %v", tok)
	}
	var out []GLFinding
	for dec.More() {
		var raw glRaw
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("gitleaks report: finding %d: %w", len(out)+1, err)
		}
		out = append(out, GLFinding{
			RuleID:    raw.RuleID,
			File:      normPath(raw.File),
			StartLine: raw.StartLine,
			Commit:    raw.Commit,
			Hash:      secretHash(raw.Secret),
		})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("gitleaks report: %w", err)
	}
	return out, nil
}

// CGCommit, CGLocation, CGOccurrence and CGFinding are the parts of a
// channelguard JSON report compare reads.
type CGCommit struct {
	SHA string `json:"sha"`
}

type CGLocation struct {
	Path      string `json:"path"`
	StartLine int    `json:"start_line"`
}

type CGOccurrence struct {
	CGLocation
	Commit *CGCommit `json:"commit,omitempty"`
}

type CGFinding struct {
	RuleID       string         `json:"rule_id"`
	Location     CGLocation     `json:"location"`
	Commit       *CGCommit      `json:"commit,omitempty"`
	SecretSHA256 string         `json:"secret_sha256"`
	Occurrences  []CGOccurrence `json:"occurrences"`
	AlsoMatched  []string       `json:"also_matched,omitempty"`
}

type cgReport struct {
	Findings []CGFinding `json:"findings"`
}

// ReadChannelguard decodes a channelguard JSON report.
func ReadChannelguard(r io.Reader) ([]CGFinding, error) {
	var rep cgReport
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return nil, fmt.Errorf("channelguard report: %w", err)
	}
	for i := range rep.Findings {
		f := &rep.Findings[i]
		f.SecretSHA256 = normHash(f.SecretSHA256)
		f.Location.Path = normPath(f.Location.Path)
		for j := range f.Occurrences {
			f.Occurrences[j].Path = normPath(f.Occurrences[j].Path)
		}
	}
	return rep.Findings, nil
}

func normPath(p string) string {
	if p == "" {
		return p
	}
	p = strings.ReplaceAll(p, "\\", "/")
	return strings.TrimPrefix(path.Clean(p), "./")
}

func normHash(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if len(h) > hashLen {
		h = h[:hashLen]
	}
	return h
}

// shaKey shortens a commit id to git's shortest abbreviation (7) so full
// and abbreviated ids compare equal. It is only used for the commit-level
// statistics and miss notes, where a rare collision is harmless.
func shaKey(s string) string {
	s = strings.ToLower(s)
	if len(s) > 7 {
		s = s[:7]
	}
	return s
}

// Level is how closely a channelguard finding must match a gitleaks
// finding to cover it.
type Level int

const (
	// ByOccurrence (the default): the gitleaks finding's commit, file and
	// start line are an occurrence of a channelguard finding with the same
	// secret hash under an acceptable rule.
	ByOccurrence Level = iota
	// ByFile (-file-level): the same secret hash in the same file under an
	// acceptable rule, in any commit, at any line.
	ByFile
)

func (l Level) String() string {
	if l == ByFile {
		return "file, secret hash, rule (any commit, any line)"
	}
	return "commit, file, start line, secret hash, rule"
}

// How says why a gitleaks finding counts as covered, or that it does not.
type How int

const (
	Missing           How = iota
	SameRule              // channelguard reports it under the same rule id
	AlsoMatched           // the gitleaks rule is in the finding's also_matched
	LineCoversGeneric     // a line-* rule reports a secret gitleaks found with a generic rule
)

func (h How) String() string {
	switch h {
	case SameRule:
		return "same rule"
	case AlsoMatched:
		return "via also_matched"
	case LineCoversGeneric:
		return "LINE rule covers generic"
	}
	return "missing"
}

// isGeneric reports whether a gitleaks rule is one of its catch-all rules
// (generic-api-key), which a specific LINE rule is allowed to replace.
func isGeneric(ruleID string) bool {
	return ruleID == "generic-api-key" || strings.HasPrefix(ruleID, "generic-")
}

func isLineRule(ruleID string) bool { return strings.HasPrefix(ruleID, "line-") }

// fileHash keys channelguard findings by a path they occur in and the hash.
type fileHash struct{ path, hash string }

// place is a line in a file in a commit.
type place struct {
	path   string
	line   int
	commit string
}

// Index answers "does channelguard have this secret in this file".
type Index struct {
	findings []CGFinding
	byFile   map[fileHash][]int
	byHash   map[string][]int
	byPlace  map[place][]int
	// commits holds (path, hash, commit) triples and (path, hash, commit, line).
	commits     map[[3]string]bool
	commitLines map[[3]string]map[int]bool
}

// NewIndex indexes findings by every path they were seen in.
func NewIndex(findings []CGFinding) *Index {
	ix := &Index{
		findings:    findings,
		byFile:      map[fileHash][]int{},
		byHash:      map[string][]int{},
		byPlace:     map[place][]int{},
		commits:     map[[3]string]bool{},
		commitLines: map[[3]string]map[int]bool{},
	}
	for i, f := range findings {
		seen := map[string]bool{}
		add := func(loc CGLocation, c *CGCommit) {
			if !seen[loc.Path] {
				seen[loc.Path] = true
				k := fileHash{loc.Path, f.SecretSHA256}
				ix.byFile[k] = append(ix.byFile[k], i)
			}
			sha := ""
			if c != nil {
				sha = shaKey(c.SHA)
			}
			p := place{loc.Path, loc.StartLine, sha}
			ix.byPlace[p] = append(ix.byPlace[p], i)
			ck := [3]string{loc.Path, f.SecretSHA256, sha}
			ix.commits[ck] = true
			if ix.commitLines[ck] == nil {
				ix.commitLines[ck] = map[int]bool{}
			}
			ix.commitLines[ck][loc.StartLine] = true
		}
		add(f.Location, f.Commit)
		for _, o := range f.Occurrences {
			add(o.CGLocation, o.Commit)
		}
		ix.byHash[f.SecretSHA256] = append(ix.byHash[f.SecretSHA256], i)
	}
	return ix
}

// Match is the verdict on one gitleaks finding.
type Match struct {
	How How
	// By is the index of the channelguard finding that covers it (-1 when
	// missing).
	By int
	// Note explains a miss (what channelguard has nearby), never a secret.
	Note string
}

// ruleHow says whether channelguard finding f's rule may stand for
// gitleaks rule glRule, and how.
func ruleHow(f *CGFinding, glRule string) How {
	switch {
	case f.RuleID == glRule:
		return SameRule
	case contains(f.AlsoMatched, glRule):
		return AlsoMatched
	case isLineRule(f.RuleID) && isGeneric(glRule):
		return LineCoversGeneric
	}
	return Missing
}

// sameCommit compares commit ids, full or abbreviated (at least 7
// characters): equal when the shorter is a prefix of the longer.
func sameCommit(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	n := min(len(a), len(b))
	return n >= 7 && a[:n] == b[:n]
}

// occurrences returns f's places: its location and every occurrence.
func occurrences(f *CGFinding) []CGOccurrence {
	return append([]CGOccurrence{{CGLocation: f.Location, Commit: f.Commit}}, f.Occurrences...)
}

// hasOccurrence reports whether f lists g's commit, file and start line.
func hasOccurrence(f *CGFinding, g GLFinding) bool {
	for _, o := range occurrences(f) {
		if o.Path == g.File && o.StartLine == g.StartLine && o.Commit != nil && sameCommit(o.Commit.SHA, g.Commit) {
			return true
		}
	}
	return false
}

// Classify decides whether channelguard covers g at the given level.
// Preference: same rule, then also_matched, then a LINE rule standing in
// for a generic one.
func (ix *Index) Classify(g GLFinding, level Level) Match {
	cands := ix.byFile[fileHash{g.File, g.Hash}]
	best := Match{How: Missing, By: -1}
	var ruleOK []int // same file and secret, acceptable rule, other commit or line
	for _, i := range cands {
		f := &ix.findings[i]
		how := ruleHow(f, g.RuleID)
		if how == Missing {
			continue
		}
		if level == ByOccurrence && !hasOccurrence(f, g) {
			ruleOK = append(ruleOK, i)
			continue
		}
		if best.How == Missing || how < best.How {
			best = Match{How: how, By: i}
		}
	}
	if best.How != Missing {
		return best
	}
	if len(ruleOK) > 0 {
		best.Note = ix.explainPlace(g, ruleOK)
	} else {
		best.Note = ix.explainMiss(g, cands)
	}
	return best
}

// explainPlace describes a miss where channelguard has the secret in the
// file under an acceptable rule, but not at g's commit and line: which
// lines it lists in g's commit, or how many other commits it lists.
func (ix *Index) explainPlace(g GLFinding, idx []int) string {
	lines := map[int]bool{}
	commits := map[string]bool{}
	for _, i := range idx {
		for _, o := range occurrences(&ix.findings[i]) {
			if o.Path != g.File || o.Commit == nil {
				continue
			}
			if sameCommit(o.Commit.SHA, g.Commit) {
				lines[o.StartLine] = true
			} else {
				commits[shaKey(o.Commit.SHA)] = true
			}
		}
	}
	if len(lines) > 0 {
		var ls []string
		for _, l := range slices.Sorted(maps.Keys(lines)) {
			ls = append(ls, fmt.Sprint(l))
		}
		return fmt.Sprintf("different line: in that commit and file at line %s, not %d (rule %s)", strings.Join(ls, ","), g.StartLine, ix.rules(idx))
	}
	return fmt.Sprintf("not in that commit: this secret in this file is listed in %d other commit(s) (rule %s)", len(commits), ix.rules(idx))
}

// explainMiss describes what channelguard has near a missed finding, so a
// pattern in the misses is visible. It names rules, paths and counts only.
func (ix *Index) explainMiss(g GLFinding, sameFile []int) string {
	if len(sameFile) > 0 {
		return "same secret in same file under other rule(s): " + ix.rules(sameFile)
	}
	if others := ix.byHash[g.Hash]; len(others) > 0 {
		paths := map[string]bool{}
		for _, i := range others {
			paths[ix.findings[i].Location.Path] = true
		}
		return fmt.Sprintf("same secret only in other file(s) (%d, e.g. %s) under rule(s): %s",
			len(paths), firstKey(paths), ix.rules(others))
	}
	if at := ix.byPlace[place{g.File, g.StartLine, shaKey(g.Commit)}]; len(at) > 0 {
		return "different secret hash at the same file:line/commit under rule(s): " + ix.rules(at)
	}
	return "no channelguard finding with this secret"
}

func (ix *Index) rules(idx []int) string {
	set := map[string]bool{}
	for _, i := range idx {
		set[ix.findings[i].RuleID] = true
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// SameCommit reports whether channelguard lists g's secret in g's file in
// g's commit, and whether also on g's line.
func (ix *Index) SameCommit(g GLFinding) (commit, line bool) {
	k := [3]string{g.File, g.Hash, shaKey(g.Commit)}
	return ix.commits[k], ix.commitLines[k][g.StartLine]
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func firstKey(m map[string]bool) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}
