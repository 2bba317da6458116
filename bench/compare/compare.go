package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/coverage"
	"github.com/channelguard/channelguard/reporters/jsonreport"
)

// GLFinding is what compare keeps of one gitleaks finding: its place and
// its secret's hash. The raw value is dropped as soon as it is hashed.
type GLFinding struct {
	coverage.Ref
	// Index is the finding's position in gitleaks' report, so the report
	// can be read again for the few findings that need their raw values
	// (see explain).
	Index int
}

// glRaw is the part of a gitleaks JSON finding compare decodes. Line is
// not in gitleaks' JSON (json:"-").
type glRaw struct {
	RuleID             string
	File               string
	StartLine, EndLine int
	Commit             string
	Secret             string
	Match              string
	Tags               []string
}

// decoded says gitleaks found the value in decoded text (base64, hex…):
// it tags such findings decode-depth:N.
func (g *glRaw) decoded() bool {
	for _, t := range g.Tags {
		if strings.HasPrefix(t, "decode-depth:") {
			return true
		}
	}
	return false
}

func (g *glRaw) ref() coverage.Ref {
	return coverage.NewRef(g.RuleID, coverage.NormPath(g.File), g.Commit, g.Secret, g.StartLine, g.EndLine)
}

// eachGitleaks decodes a gitleaks JSON report (an array of findings) one
// finding at a time and hands each to visit with its index. The raw values
// live only until visit returns.
func eachGitleaks(r io.Reader, visit func(i int, g *glRaw) error) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("gitleaks report: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("gitleaks report: want a JSON array, got %v", tok)
	}
	for i := 0; dec.More(); i++ {
		var raw glRaw
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("gitleaks report: finding %d: %w", i+1, err)
		}
		if err := visit(i, &raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("gitleaks report: %w", err)
	}
	return nil
}

// ReadGitleaks decodes a gitleaks JSON report, hashing each secret and
// discarding the raw value.
func ReadGitleaks(r io.Reader) ([]GLFinding, error) {
	var out []GLFinding
	err := eachGitleaks(r, func(i int, g *glRaw) error {
		out = append(out, GLFinding{Ref: g.ref(), Index: i})
		return nil
	})
	return out, err
}

// ReadChannelguard decodes a channelguard JSON report (through the reader
// channelguard's own report commands use), with paths and hashes written
// the way gitleaks' are compared with them.
func ReadChannelguard(r io.Reader) (*finding.Report, error) {
	rep, err := jsonreport.Read(r)
	if err != nil {
		return nil, fmt.Errorf("channelguard report: %w", err)
	}
	for i := range rep.Findings {
		f := &rep.Findings[i]
		f.SecretSHA256 = normHash(f.SecretSHA256)
		f.Location.Path = coverage.NormPath(f.Location.Path)
		for j := range f.Occurrences {
			f.Occurrences[j].Path = coverage.NormPath(f.Occurrences[j].Path)
		}
	}
	for i := range rep.Gaps {
		rep.Gaps[i].Path = coverage.NormPath(rep.Gaps[i].Path)
	}
	return rep, nil
}

// normHash is channelguard's short hash as finding.SecretHash writes it:
// 12 lower-case hex characters ("" for a whole-file finding).
func normHash(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if len(h) > 12 {
		h = h[:12]
	}
	return h
}

// shaKey shortens a commit id to git's shortest abbreviation (7) so full
// and abbreviated ids compare equal. It is only used for statistics and
// miss notes, where a rare collision is harmless.
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
	// ByOccurrence (the default): internal/coverage's rule, the one
	// internal/differential applies — an occurrence of a channelguard
	// finding with the same secret hash under an acceptable rule, in the
	// same commit and file, on a line of gitleaks' match.
	ByOccurrence Level = iota
	// ByFile (-file-level): the same secret hash in the same file under an
	// acceptable rule, in any commit, at any line.
	ByFile
)

func (l Level) String() string {
	if l == ByFile {
		return "file, secret hash, rule (any commit, any line)"
	}
	return "commit, file, line within gitleaks' match, secret hash, rule"
}

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
	findings []*finding.Finding
	byFile   map[fileHash][]int
	byHash   map[string][]int
	byPlace  map[place][]int
	// commitLines holds, per (path, hash, commit), the lines listed.
	commitLines map[[3]string]map[int]bool
}

// NewIndex indexes findings by every path they occur in.
func NewIndex(findings []finding.Finding) *Index {
	ix := &Index{
		byFile:      map[fileHash][]int{},
		byHash:      map[string][]int{},
		byPlace:     map[place][]int{},
		commitLines: map[[3]string]map[int]bool{},
	}
	for i := range findings {
		f := &findings[i]
		ix.findings = append(ix.findings, f)
		seen := map[string]bool{}
		for _, o := range f.Occurrences {
			if !seen[o.Path] {
				seen[o.Path] = true
				k := fileHash{o.Path, f.SecretSHA256}
				ix.byFile[k] = append(ix.byFile[k], i)
			}
			sha := ""
			if o.Commit != nil {
				sha = shaKey(o.Commit.SHA)
			}
			p := place{o.Path, o.StartLine, sha}
			ix.byPlace[p] = append(ix.byPlace[p], i)
			ck := [3]string{o.Path, f.SecretSHA256, sha}
			if ix.commitLines[ck] == nil {
				ix.commitLines[ck] = map[int]bool{}
			}
			ix.commitLines[ck][o.StartLine] = true
		}
		ix.byHash[f.SecretSHA256] = append(ix.byHash[f.SecretSHA256], i)
	}
	return ix
}

// Match is the verdict on one gitleaks finding.
type Match struct {
	How coverage.How
	// By is the index of the channelguard finding that covers it (-1 when
	// none does).
	By int
	// Note explains a miss (what channelguard has nearby), never a secret.
	Note string
}

// candidates are the findings of g's file and secret.
func (ix *Index) candidates(g GLFinding) ([]*finding.Finding, []int) {
	idx := ix.byFile[fileHash{g.File, g.Hash}]
	fs := make([]*finding.Finding, len(idx))
	for i, j := range idx {
		fs[i] = ix.findings[j]
	}
	return fs, idx
}

// Classify decides whether channelguard covers g at the given level.
// Preference: same rule, then also_matched, then a LINE rule standing in
// for a generic one.
func (ix *Index) Classify(g GLFinding, level Level) Match {
	fs, idx := ix.candidates(g)
	if level == ByOccurrence {
		if how, i := coverage.Best(fs, g.Ref); how != coverage.None {
			return Match{How: how, By: idx[i]}
		}
	} else {
		best := Match{How: coverage.None, By: -1}
		for i, f := range fs {
			if how := coverage.RuleHow(f, g.Rule); how != coverage.None && (best.How == coverage.None || how < best.How) {
				best = Match{How: how, By: idx[i]}
			}
		}
		if best.How != coverage.None {
			return best
		}
	}
	var ruleOK []int // same file and secret, acceptable rule: other commit or line
	for i, f := range fs {
		if coverage.RuleHow(f, g.Rule) != coverage.None {
			ruleOK = append(ruleOK, idx[i])
		}
	}
	m := Match{How: coverage.None, By: -1}
	if len(ruleOK) > 0 {
		m.Note = ix.explainPlace(g, ruleOK)
	} else {
		m.Note = ix.explainMiss(g, idx)
	}
	return m
}

// Reported says whether channelguard reports g's secret in g's file under
// a rule that stands for g's, in any commit at any line.
func (ix *Index) Reported(g GLFinding) bool {
	fs, _ := ix.candidates(g)
	for _, f := range fs {
		if coverage.RuleHow(f, g.Rule) != coverage.None {
			return true
		}
	}
	return false
}

// lines writes gitleaks' line span: "12" or "12-15".
func lines(start, end int) string {
	if end <= start {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d-%d", start, end)
}

// explainPlace describes a miss where channelguard has the secret in the
// file under an acceptable rule, but not at g's commit and lines: which
// lines it lists in g's commit, or how many other commits it lists.
func (ix *Index) explainPlace(g GLFinding, idx []int) string {
	at := map[int]bool{}
	commits := map[string]bool{}
	for _, i := range idx {
		for _, o := range ix.findings[i].Occurrences {
			if o.Path != g.File || o.Commit == nil {
				continue
			}
			if coverage.SameCommit(o.Commit, g.Commit) {
				at[o.StartLine] = true
			} else {
				commits[shaKey(o.Commit.SHA)] = true
			}
		}
	}
	if len(at) > 0 {
		var ls []string
		for _, l := range slices.Sorted(maps.Keys(at)) {
			ls = append(ls, fmt.Sprint(l))
		}
		return fmt.Sprintf("different line: in that commit and file at line %s, not %s (rule %s)", strings.Join(ls, ","), lines(g.StartLine, g.EndLine), ix.rules(idx))
	}
	return fmt.Sprintf("not in that commit: this secret in this file is listed in %d other commit(s) (rule %s)", len(commits), ix.rules(idx))
}

// explainMiss describes what channelguard has near a missed finding, so a
// pattern in the misses is visible. It names rules, paths and counts only.
func (ix *Index) explainMiss(g GLFinding, sameFile []int) string {
	for _, i := range ix.byHash[g.Hash] {
		// a secret that moved with its file stands at its new path
		if ix.findings[i].Location.Path == g.File && !slices.Contains(sameFile, i) {
			sameFile = append(sameFile, i)
		}
	}
	if len(sameFile) > 0 {
		return "same secret in same file under other rule(s): " + ix.rules(sameFile)
	}
	if others := ix.byHash[g.Hash]; len(others) > 0 {
		paths := map[string]bool{}
		for _, i := range others {
			paths[ix.findings[i].Location.Path] = true
		}
		return fmt.Sprintf("same secret only in other file(s) (%d, e.g. %s) under rule(s): %s",
			len(paths), sortedSet(paths)[0], ix.rules(others))
	}
	for l := g.StartLine; l <= max(g.EndLine, g.StartLine); l++ {
		if at := ix.byPlace[place{g.File, l, shaKey(g.Commit)}]; len(at) > 0 {
			return "different secret hash at the same file:line/commit under rule(s): " + ix.rules(at)
		}
	}
	return "no channelguard finding with this secret"
}

func (ix *Index) rules(idx []int) string {
	set := map[string]bool{}
	for _, i := range idx {
		set[ix.findings[i].RuleID] = true
	}
	return strings.Join(sortedSet(set), ",")
}

// SameCommit reports whether channelguard lists g's secret in g's file in
// g's commit, and whether also on a line of g's match.
func (ix *Index) SameCommit(g GLFinding) (commit, line bool) {
	ls, ok := ix.commitLines[[3]string{g.File, g.Hash, shaKey(g.Commit)}]
	for l := g.StartLine; l <= max(g.EndLine, g.StartLine); l++ {
		line = line || ls[l]
	}
	return ok, line
}

func sortedSet(m map[string]bool) []string {
	keys := slices.Collect(maps.Keys(m))
	sort.Strings(keys)
	return keys
}
