package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/coverage"
)

// group is gitleaks' unit of comparison: one rule, one file, one secret.
type group struct{ rule, file, hash string }

// Missed is a gitleaks finding channelguard does not cover.
type Missed struct {
	GLFinding
	Note string
}

// Explained is a gitleaks finding channelguard does not report for a
// reason that is not a failure: a difference channelguard chooses on
// purpose, or a coverage gap its report names.
type Explained struct {
	GLFinding
	Reason coverage.Reason
}

// Result is everything compare prints.
type Result struct {
	// Level is what a covering channelguard finding had to match.
	Level Level

	GitleaksFindings     int
	GitleaksGroups       int
	ChannelguardFindings int
	ChannelguardOccs     int
	// Gaps are what channelguard's scan could not read (a partial scan).
	Gaps []finding.Gap

	Covered, CoveredGroups int
	ByHow                  map[coverage.How]int
	// Pairs counts, for findings covered by another rule, "cg-rule ← gl-rule".
	Pairs map[string]int

	// SameCommit / SameLine count covered gitleaks findings whose commit
	// (and a line of the match) channelguard lists for the secret in the
	// file (at ByOccurrence, every covered one).
	SameCommit, SameLine int

	// Explained are the misses a chosen difference or a gap accounts for
	// (see explain); Missing the rest: each one is a failure.
	Explained     []Explained
	Missing       []Missed
	MissingGroups int
	// Unchecked says what compare could not look at to explain misses
	// (no repository given, a history git could not read whole).
	Unchecked []string

	// OnlyChannelguard counts channelguard findings that cover no gitleaks
	// finding, by rule; Only lists them with a note on what gitleaks has.
	OnlyChannelguard map[string]int
	Only             []Extra

	ix *Index
}

// Extra is a channelguard finding that covers no gitleaks finding.
type Extra struct {
	RuleID    string
	Path      string
	StartLine int
	Commit    string
	Hash      string
	Note      string
}

// Compare checks every gitleaks finding against channelguard's report at
// the given level. Misses are not explained yet (see explain).
func Compare(gl []GLFinding, rep *finding.Report, level Level) Result {
	cg := rep.Findings
	ix := NewIndex(cg)
	res := Result{
		Level:                level,
		GitleaksFindings:     len(gl),
		ChannelguardFindings: len(cg),
		Gaps:                 rep.Gaps,
		ix:                   ix,
		ByHow:                map[coverage.How]int{},
		Pairs:                map[string]int{},
		OnlyChannelguard:     map[string]int{},
	}
	for _, f := range cg {
		res.ChannelguardOccs += len(f.Occurrences)
	}
	used := make([]bool, len(cg))
	groups := map[group]bool{}      // every group
	coverGroups := map[group]bool{} // groups with a covered finding
	for _, g := range gl {
		k := group{g.Rule, g.File, g.Hash}
		groups[k] = true
		m := ix.Classify(g, level)
		if m.How == coverage.None {
			res.Missing = append(res.Missing, Missed{g, m.Note})
			continue
		}
		res.Covered++
		coverGroups[k] = true
		res.ByHow[m.How]++
		used[m.By] = true
		if m.How != coverage.SameRule {
			res.Pairs[cg[m.By].RuleID+" ← "+g.Rule]++
		}
		c, l := ix.SameCommit(g)
		if c {
			res.SameCommit++
		}
		if l {
			res.SameLine++
		}
	}
	res.GitleaksGroups = len(groups)
	res.CoveredGroups = len(coverGroups)
	res.countMissingGroups()
	glFileHash := map[fileHash]map[string]bool{}
	glHashFiles := map[string]map[string]bool{}
	for _, g := range gl {
		k := fileHash{g.File, g.Hash}
		if glFileHash[k] == nil {
			glFileHash[k] = map[string]bool{}
		}
		glFileHash[k][g.Rule] = true
		if glHashFiles[g.Hash] == nil {
			glHashFiles[g.Hash] = map[string]bool{}
		}
		glHashFiles[g.Hash][g.File] = true
	}
	for i, f := range cg {
		if used[i] {
			continue
		}
		res.OnlyChannelguard[f.RuleID]++
		e := Extra{RuleID: f.RuleID, Path: f.Location.Path, StartLine: f.Location.StartLine, Hash: f.SecretSHA256,
			Note: "gitleaks has no finding with this secret"}
		if f.Commit != nil {
			e.Commit = f.Commit.SHA
		}
		paths := []string{f.Location.Path}
		for _, o := range f.Occurrences {
			paths = append(paths, o.Path)
		}
		for _, p := range paths {
			if rules := glFileHash[fileHash{p, f.SecretSHA256}]; len(rules) > 0 {
				e.Note = "gitleaks has this secret in this file under rule(s): " + strings.Join(sortedSet(rules), ",")
				break
			}
		}
		if strings.HasPrefix(e.Note, "gitleaks has no") && len(glHashFiles[f.SecretSHA256]) > 0 {
			e.Note = fmt.Sprintf("gitleaks has this secret only in other file(s) (%d, e.g. %s)",
				len(glHashFiles[f.SecretSHA256]), sortedSet(glHashFiles[f.SecretSHA256])[0])
		}
		res.Only = append(res.Only, e)
	}
	sort.Slice(res.Only, func(i, j int) bool {
		a, b := res.Only[i], res.Only[j]
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.StartLine < b.StartLine
	})
	sort.Slice(res.Missing, func(i, j int) bool { return glLess(res.Missing[i].GLFinding, res.Missing[j].GLFinding) })
	return res
}

// countMissingGroups counts the (rule, file, secret) groups with a miss.
func (r *Result) countMissingGroups() {
	gs := map[group]bool{}
	for _, m := range r.Missing {
		gs[group{m.Rule, m.File, m.Hash}] = true
	}
	r.MissingGroups = len(gs)
}

// Print writes the counts, the explained misses by reason, then up to
// maxList missing findings (rule, file:lines, commit, secret hash, note)
// and the misses summarised by rule and by note. It prints hashes only,
// never a secret. Its "coverage:" line is the one bench/run.sh reads.
func (r Result) Print(w io.Writer, maxList int) {
	pct := func(a, b int) string {
		if b == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
	}
	fmt.Fprintf(w, "covered means the same:               %s\n", r.Level)
	fmt.Fprintf(w, "gitleaks findings:                    %d\n", r.GitleaksFindings)
	fmt.Fprintf(w, "gitleaks groups (rule, file, secret): %d\n", r.GitleaksGroups)
	fmt.Fprintf(w, "channelguard findings:                %d (%d occurrences)\n", r.ChannelguardFindings, r.ChannelguardOccs)
	if len(r.Gaps) > 0 {
		fmt.Fprintf(w, "channelguard coverage gaps:           %d (a partial scan: what it could not read)\n", len(r.Gaps))
		for i, g := range r.Gaps {
			if maxList >= 0 && i >= maxList {
				fmt.Fprintf(w, "    … %d more\n", len(r.Gaps)-maxList)
				break
			}
			fmt.Fprintf(w, "    %s\n", gapLine(g))
		}
	}
	fmt.Fprintf(w, "covered gitleaks findings:            %d of %d (%s); groups %d of %d\n",
		r.Covered, r.GitleaksFindings, pct(r.Covered, r.GitleaksFindings), r.CoveredGroups, r.GitleaksGroups)
	for _, h := range []coverage.How{coverage.SameRule, coverage.AlsoMatched, coverage.LineForGeneric} {
		fmt.Fprintf(w, "  %-34s  %d\n", h.String()+":", r.ByHow[h])
	}
	for _, p := range slices.Sorted(maps.Keys(r.Pairs)) {
		fmt.Fprintf(w, "    %-50s  %d\n", p, r.Pairs[p])
	}
	if r.Level == ByFile {
		fmt.Fprintf(w, "  same commit listed in occurrences:   %d of %d (same line too: %d)\n", r.SameCommit, r.Covered, r.SameLine)
	}
	fmt.Fprintf(w, "explained gitleaks findings:          %d (not reported by channelguard on purpose, or in a gap its report names)\n", len(r.Explained))
	if len(r.Explained) > 0 {
		byReason := map[string]int{}
		for _, e := range r.Explained {
			byReason[string(e.Reason)]++
		}
		for _, k := range sortedByCount(byReason) {
			fmt.Fprintf(w, "    %-60s %d\n", k, byReason[k])
		}
		fmt.Fprintln(w, "  explained findings (rule  file:lines  commit  secret-sha256[:12]  reason):")
		for i, e := range r.Explained {
			if maxList >= 0 && i >= maxList {
				fmt.Fprintf(w, "    … %d more (raise -max to list them)\n", len(r.Explained)-maxList)
				break
			}
			fmt.Fprintf(w, "    %s  %s:%s  %s  %s  %s\n", e.Rule, e.File, lines(e.StartLine, e.EndLine), short(e.Commit), e.Hash, e.Reason)
		}
	}
	fmt.Fprintf(w, "missing gitleaks findings:            %d; groups %d\n", len(r.Missing), r.MissingGroups)
	for _, u := range r.Unchecked {
		fmt.Fprintf(w, "  not checked: %s\n", u)
	}
	if len(r.Missing) > 0 {
		byRule, byNote := map[string]int{}, map[string]int{}
		for _, m := range r.Missing {
			byRule[m.Rule]++
			byNote[noteKind(m.Note)]++
		}
		fmt.Fprintln(w, "  missing by rule:")
		for _, k := range sortedByCount(byRule) {
			fmt.Fprintf(w, "    %-40s %d\n", k, byRule[k])
		}
		fmt.Fprintln(w, "  missing by what channelguard has instead:")
		for _, k := range sortedByCount(byNote) {
			fmt.Fprintf(w, "    %-60s %d\n", k, byNote[k])
		}
		fmt.Fprintln(w, "  missing findings (rule  file:lines  commit  secret-sha256[:12]  note):")
		for i, m := range r.Missing {
			if maxList >= 0 && i >= maxList {
				fmt.Fprintf(w, "    … %d more (raise -max to list them)\n", len(r.Missing)-maxList)
				break
			}
			fmt.Fprintf(w, "    %s  %s:%s  %s  %s  %s\n", m.Rule, m.File, lines(m.StartLine, m.EndLine), short(m.Commit), m.Hash, m.Note)
		}
	}
	total := 0
	for _, n := range r.OnlyChannelguard {
		total += n
	}
	fmt.Fprintf(w, "channelguard-only findings:           %d\n", total)
	for _, k := range sortedByCount(r.OnlyChannelguard) {
		fmt.Fprintf(w, "    %-40s %d\n", k, r.OnlyChannelguard[k])
	}
	if len(r.Only) > 0 {
		byNote := map[string]int{}
		for _, e := range r.Only {
			byNote[noteKind(e.Note)]++
		}
		fmt.Fprintln(w, "  channelguard-only by what gitleaks has instead:")
		for _, k := range sortedByCount(byNote) {
			fmt.Fprintf(w, "    %-60s %d\n", k, byNote[k])
		}
		fmt.Fprintln(w, "  channelguard-only findings (rule  file:line  commit  secret-sha256[:12]  note):")
		for i, e := range r.Only {
			if maxList >= 0 && i >= maxList {
				fmt.Fprintf(w, "    … %d more (raise -max to list them)\n", len(r.Only)-maxList)
				break
			}
			fmt.Fprintf(w, "    %s  %s:%d  %s  %s  %s\n", e.RuleID, e.Path, e.StartLine, short(e.Commit), e.Hash, e.Note)
		}
	}
	fmt.Fprintf(w, "coverage: %d gitleaks findings: %d covered, %d explained, %d missing; channelguard gaps %d\n",
		r.GitleaksFindings, r.Covered, len(r.Explained), len(r.Missing), len(r.Gaps))
}

// gapLine is a gap on one line, commit and object shortened.
func gapLine(g finding.Gap) string {
	g.Commit, g.Object = short(g.Commit), short(g.Object)
	g.Detail = ""
	return g.String()
}

// noteKind strips the specifics from a miss note so misses can be counted
// by pattern.
func noteKind(note string) string {
	if i := strings.Index(note, ":"); i >= 0 {
		note = note[:i]
	}
	if i := strings.Index(note, " ("); i >= 0 {
		note = note[:i]
	}
	return note
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	if sha == "" {
		return "-"
	}
	return sha
}

func sortedByCount(m map[string]int) []string {
	keys := slices.Sorted(maps.Keys(m))
	sort.SliceStable(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] })
	return keys
}

// DiffGitleaks returns the findings of a that b does not have and those of
// b that a does not have, as multisets of (commit, file, rule, start and
// end line, secret hash), sorted.
func DiffGitleaks(a, b []GLFinding) (onlyA, onlyB []GLFinding) {
	type key struct {
		commit, file, rule, hash string
		start, end               int
	}
	k := func(g GLFinding) key {
		return key{strings.ToLower(g.Commit), g.File, g.Rule, g.Hash, g.StartLine, g.EndLine}
	}
	count := map[key]int{}
	for _, g := range b {
		count[k(g)]++
	}
	for _, g := range a {
		if count[k(g)] > 0 {
			count[k(g)]--
			continue
		}
		onlyA = append(onlyA, g)
	}
	for _, g := range b {
		if count[k(g)] > 0 {
			count[k(g)]--
			onlyB = append(onlyB, g)
		}
	}
	sort.Slice(onlyA, func(i, j int) bool { return glLess(onlyA[i], onlyA[j]) })
	sort.Slice(onlyB, func(i, j int) bool { return glLess(onlyB[i], onlyB[j]) })
	return onlyA, onlyB
}

// glLess orders gitleaks findings by rule, file, line and commit.
func glLess(x, y GLFinding) bool {
	if x.Rule != y.Rule {
		return x.Rule < y.Rule
	}
	if x.File != y.File {
		return x.File < y.File
	}
	if x.StartLine != y.StartLine {
		return x.StartLine < y.StartLine
	}
	return x.Commit < y.Commit
}
