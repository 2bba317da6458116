package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"

	"github.com/gitleaks/go-gitdiff/gitdiff"
	"github.com/zricethezav/gitleaks/v8/config"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/coverage"
)

// InGap: channelguard could not read the commit (or the file in it) the
// gitleaks finding is in, and its report names that as a coverage gap.
const InGap coverage.Reason = "in a coverage gap channelguard's report names"

// Evidence is where compare may look, beyond the two reports' findings,
// to tell a chosen difference from a miss.
type Evidence struct {
	// GitleaksReport is gitleaks' report, read again for the raw values
	// of the findings channelguard does not cover (held only while each
	// is checked).
	GitleaksReport string
	// Repo is the repository both tools scanned, "" when not given: allow
	// markers are read from its history and working tree.
	Repo string
	// Allowlists returns the allowlists channelguard puts on gitleaks'
	// rules beyond gitleaks' default config, by rule id; called once, and
	// only when a miss is left to explain.
	Allowlists func() (map[string][]*config.Allowlist, error)
}

// explain sorts the misses Compare left into those a chosen difference
// or a gap accounts for (Explained) and the rest (Missing). The chosen
// differences are internal/coverage's, decided here from what the reports
// and the repository hold:
//
//   - allow marker: channelguard reports nothing of the secret in the file
//     under a rule that stands for gitleaks', and a line of that file (an
//     added line of any commit, or the working tree) holds both the
//     secret's start and an allow marker. channelguard then drops the
//     secret in the whole file. (A value gitleaks found decoded is
//     checked on its own line only: where else it stands, encoded, is not
//     known here.)
//   - channelguard allowlist: one of the allowlists channelguard adds to
//     gitleaks' rule allows the finding, judged on gitleaks' secret and
//     match (and its line, read from the repository, for an allowlist on
//     lines).
func (r *Result) explain(ctx context.Context, ev Evidence) error {
	if len(r.Missing) == 0 {
		return nil
	}
	var left []Missed
	for _, m := range r.Missing {
		if inGap(m.GLFinding, r.Gaps) {
			r.Explained = append(r.Explained, Explained{m.GLFinding, InGap})
			continue
		}
		left = append(left, m)
	}
	r.Missing = left
	defer func() {
		sort.SliceStable(r.Explained, func(i, j int) bool { return glLess(r.Explained[i].GLFinding, r.Explained[j].GLFinding) })
		r.countMissingGroups()
	}()
	if len(left) == 0 || ev.GitleaksReport == "" {
		return nil
	}

	missed := map[int]int{} // gitleaks index → position in left
	dropped := false        // some miss has no finding of its secret in its file under its rule
	for i, m := range left {
		missed[m.Index] = i
		if !r.ix.Reported(m.GLFinding) {
			dropped = true
		}
	}
	var marked marks
	if dropped {
		if ev.Repo == "" {
			r.Unchecked = append(r.Unchecked, "allow markers (no repository given: -repo)")
		} else {
			var err error
			marked, err = readMarks(ctx, ev.Repo)
			if err != nil {
				if marked == nil {
					return err
				}
				r.Unchecked = append(r.Unchecked, "allow markers past what git could read: "+err.Error())
			}
		}
	}
	var lists map[string][]*config.Allowlist
	if ev.Allowlists != nil {
		var err error
		if lists, err = ev.Allowlists(); err != nil {
			return fmt.Errorf("channelguard's allowlists: %w", err)
		}
	}

	reason := make([]coverage.Reason, len(left))
	f, err := os.Open(ev.GitleaksReport)
	if err != nil {
		return err
	}
	defer f.Close()
	err = eachGitleaks(bufio.NewReader(f), func(i int, g *glRaw) error {
		at, ok := missed[i]
		if !ok {
			return nil
		}
		m := left[at]
		if m.Ref != g.ref() {
			return fmt.Errorf("%s changed since it was read (finding %d)", ev.GitleaksReport, i+1)
		}
		var line *string // gitleaks' line, read from the repository once needed
		lineText := func() *string {
			if line == nil && ev.Repo != "" && g.Commit != "" {
				if l, err := lineAt(ctx, ev.Repo, g.Commit, m.File, g.StartLine, g.EndLine); err == nil {
					line = &l
				}
			}
			return line
		}
		if !r.ix.Reported(m.GLFinding) && g.Secret != "" {
			switch {
			case g.decoded():
				if l := lineText(); l != nil && coverage.HasAllowMarker(firstLine(*l)) {
					reason[at] = coverage.AllowMarker
				}
			case !strings.Contains(g.Match, "\n") && coverage.HasAllowMarker(g.Match),
				marked.holds(m.File, g.Secret):
				reason[at] = coverage.AllowMarker
			}
		}
		if reason[at] == "" && len(lists[g.RuleID]) > 0 {
			found := coverage.Found{File: m.File, Secret: g.Secret, Match: g.Match}
			if onLines(lists[g.RuleID]) {
				if l := lineText(); l != nil {
					found.Line, found.LineKnown = *l, true
				}
			}
			if coverage.AllowedBy(lists[g.RuleID], found) {
				reason[at] = coverage.Allowlisted
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", ev.GitleaksReport, err)
	}
	r.Missing = nil
	for i, m := range left {
		if reason[i] != "" {
			r.Explained = append(r.Explained, Explained{m.GLFinding, reason[i]})
		} else {
			r.Missing = append(r.Missing, m)
		}
	}
	return nil
}

// inGap says whether channelguard's report names g's commit, or g's file
// in it, as something it could not read.
func inGap(g GLFinding, gaps []finding.Gap) bool {
	for _, gap := range gaps {
		if gap.Commit == "" || !coverage.SameCommit(&finding.Commit{SHA: gap.Commit}, g.Commit) {
			continue
		}
		if gap.Kind == finding.GapUnreadableCommit || gap.Path == g.File {
			return true
		}
	}
	return false
}

// onLines says whether one of lists looks at a finding's line.
func onLines(lists []*config.Allowlist) bool {
	for _, a := range lists {
		if a.RegexTarget == "line" && len(a.Regexes) > 0 {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(strings.TrimPrefix(s, "\n"), "\n")
	return first
}

// marks holds, per file, each line that holds an allow marker followed by
// the rest of its hunk (a secret over several lines starts on the marked
// line and goes on after it). The text is the repository's: it may hold
// secrets, and never leaves this process.
type marks map[string][]string

// markedTail bounds how much of a hunk after a marked line is kept: more
// than any secret spans.
const markedTail = 64 << 10

// holds says whether a marked line of file is where secret starts.
func (m marks) holds(file, secret string) bool {
	for _, text := range m[file] {
		end := strings.IndexByte(text, '\n')
		if end < 0 {
			end = len(text)
		}
		if i := strings.Index(text, secret); i >= 0 && i < end {
			return true
		}
	}
	return false
}

// add records the marked lines among lines (one hunk, or one file).
func (m marks) add(file string, lines []string) {
	for i, l := range lines {
		if !coverage.HasAllowMarker(l) {
			continue
		}
		var b strings.Builder
		for _, next := range lines[i:] {
			if b.Len() >= markedTail {
				break
			}
			b.WriteString(next)
		}
		m[file] = append(m[file], b.String())
	}
}

// gitCmd is git in repo, as channelguard runs it: no pager, no prompt, no
// colour, no fetch of a partial clone's missing objects.
func gitCmd(ctx context.Context, repo string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", repo, "-c", "core.quotepath=false", "-c", "color.ui=false"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_PAGER=cat", "LC_ALL=C", "GIT_NO_LAZY_FETCH=1")
	return cmd
}

// readMarks collects the lines holding an allow marker that channelguard
// reads in repo: the lines every commit of every ref added (the patches
// both scanners read, kept to the files whose added or removed lines
// match a marker) and, in a working tree, every file git does not ignore.
// When git fails part way, what was read is returned with the error.
func readMarks(ctx context.Context, repo string) (marks, error) {
	m := marks{}
	cmd := gitCmd(ctx, repo, "log", "-p", "-U0", "--full-history", "--all", "--no-ext-diff", "--no-textconv",
		"--format=medium", "--diff-filter=tuxb", "--irreversible-delete", "-G", `gitleaks:allow|channelguard:allow`)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git log in %s: %w", repo, err)
	}
	files, err := gitdiff.Parse(bufio.NewReaderSize(out, 256<<10))
	if err != nil {
		_ = cmd.Wait()
		return nil, fmt.Errorf("git log in %s: %w", repo, err)
	}
	for f := range files {
		if f.IsBinary || f.IsDelete {
			continue
		}
		for _, tf := range f.TextFragments {
			var added []string
			for _, l := range tf.Lines {
				if l.Op == gitdiff.OpAdd {
					added = append(added, l.Line)
				}
			}
			m.add(f.NewName, added)
		}
	}
	if err := cmd.Wait(); err != nil {
		return m, fmt.Errorf("git log -G in %s: %s", repo, firstNonEmpty(stderr.String(), err.Error()))
	}
	return m, worktreeMarks(ctx, repo, m)
}

// worktreeMarks adds the marked lines of a working tree's files (tracked
// or untracked, not ignored: the files channelguard scans there).
func worktreeMarks(ctx context.Context, repo string, m marks) error {
	bare, err := gitCmd(ctx, repo, "rev-parse", "--is-bare-repository").Output()
	if err != nil {
		return fmt.Errorf("git rev-parse in %s: %w", repo, err)
	}
	if strings.TrimSpace(string(bare)) == "true" {
		return nil
	}
	top, err := gitCmd(ctx, repo, "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return fmt.Errorf("git rev-parse in %s: %w", repo, err)
	}
	root := strings.TrimSpace(string(top))
	cmd := gitCmd(ctx, root, "grep", "-l", "-z", "-I", "--untracked", "--no-color", "-F", "-e", "gitleaks:allow", "-e", "channelguard:allow")
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		return nil // no file holds a marker
	}
	if err != nil {
		return fmt.Errorf("git grep in %s: %w", root, err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		data, err := os.ReadFile(root + "/" + name)
		if err != nil {
			continue // gone since git listed it
		}
		m.add(name, strings.SplitAfter(string(data), "\n"))
	}
	return nil
}

// lineAt is the text of lines start to end of file at commit, as gitleaks
// gives a finding's Line (which its JSON report leaves out).
func lineAt(ctx context.Context, repo, commit, file string, start, end int) (string, error) {
	out, err := gitCmd(ctx, repo, "cat-file", "blob", commit+":"+file).Output()
	if err != nil {
		return "", err
	}
	ls := strings.Split(string(out), "\n")
	if start < 1 || start > len(ls) {
		return "", fmt.Errorf("line %d beyond the file", start)
	}
	return strings.Join(ls[start-1:min(max(end, start), len(ls))], "\n"), nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x = strings.TrimSpace(x); x != "" {
			x, _, _ = strings.Cut(x, "\n")
			return x
		}
	}
	return ""
}
