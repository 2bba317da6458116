package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"sync"

	"github.com/gitleaks/go-gitdiff/gitdiff"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/scanner/gitrepo"
)

// One unreadable object must not lose the whole scan. When git cannot
// read an object in the middle of a stream (a damaged clone, a snapshot
// that left large files out, a partial clone whose objects are never
// fetched), the stream stops there; the commits it had not finished are
// read again around what is missing:
//
//   - each commit's changed files are listed with their blobs (git
//     diff-tree, which reads trees, not blobs), and the blobs the
//     repository lacks are found among them (git cat-file
//     --batch-all-objects lists what it holds, without reading any);
//   - the commits none of whose files needs a missing blob are read again
//     as before, by as many git processes as the history's streams;
//   - each commit that needs one is read alone, without the files whose
//     blobs are missing; each such file is a gap (object, commit, path);
//   - a commit git still cannot read (a missing tree) is a gap too.
//
// None of this runs unless git failed: a complete repository is read
// exactly as before.

// reread is what a reader needs when commits are read again: the files
// read before git stopped (skipped) and the commits this read reached.
type reread struct {
	skip map[string]map[string]bool // commit → fileKey → read already
	mu   sync.Mutex
	seen map[string]bool
}

// reached marks sha as reached by this read and says whether the scan
// sees it for the first time (a commit git stopped in the middle of was
// counted already).
func (r *reread) reached(s *Source, sha string) bool {
	r.mu.Lock()
	r.seen[sha] = true
	r.mu.Unlock()
	_, counted := s.Order(sha)
	return !counted
}

func (r *reread) wasReached(sha string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[sha]
}

// fileKey names a file of a commit's patch.
func fileKey(f *gitdiff.File) string { return f.OldName + "\x00" + f.NewName }

// Gaps lists what the scan could not read, sorted.
func (s *Source) Gaps() []finding.Gap {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]finding.Gap(nil), s.gaps...)
	finding.SortGaps(out)
	return out
}

func (s *Source) gap(g finding.Gap) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gapSeen[g] {
		return
	}
	if s.gapSeen == nil {
		s.gapSeen = map[finding.Gap]bool{}
	}
	s.gapSeen[g] = true
	s.gaps = append(s.gaps, g)
}

// recover reads again, around what git could not read, the commits of a
// stream that git did not finish: those it never reached, and the one it
// stopped in (without the files read already). cause is the stream's
// error, returned when nothing can be done.
func (s *Source) recover(ctx context.Context, log *patches, last lastCommit, cause error, wg *sync.WaitGroup, yield sources.FragmentsFunc, fail func(error)) error {
	todo := log.commits
	if todo == nil {
		// one git log walked the history itself: list it as it did
		out, err := s.Repo.Run(ctx, append(append([]string{"rev-list", "--full-history"}, s.Revs...), s.Repo.Pathspec()...)...)
		if err != nil {
			return errors.Join(cause, err)
		}
		todo = strings.Fields(string(out))
	}
	skip := map[string]map[string]bool{}
	if last.sha != "" {
		skip[last.sha] = keySet(last.files)
	}
	var rest []string
	for _, c := range todo {
		if _, seen := s.Order(c); !seen || skip[c] != nil {
			rest = append(rest, c)
		}
	}
	s.partialOnce.Do(func() { s.partial = s.Repo.PartialClone(ctx) })
	if err := s.readAround(ctx, rest, skip, wg, yield, fail); err != nil {
		return errors.Join(cause, err)
	}
	return nil
}

// keySet is keys as a set.
func keySet(keys []string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// change is one file of a commit as git diff-tree lists it.
type change struct {
	status           byte
	oldMode, newMode string
	old, new         string // object ids; all zeros when absent
	path             string
}

// blobs says whether the change's ids are blobs of this repository (a
// submodule's are commits of another).
func (c change) blobs() bool { return c.oldMode != "160000" && c.newMode != "160000" }

// readAround reads commits again: those that need no missing blob as the
// history did (in order with one git process, or shared out among Jobs
// when commits are numbered by a list), each other commit alone without
// the files whose blobs are missing.
func (s *Source) readAround(ctx context.Context, commits []string, skip map[string]map[string]bool, wg *sync.WaitGroup, yield sources.FragmentsFunc, fail func(error)) error {
	changes, err := s.changes(ctx, commits)
	if err != nil {
		return err
	}
	missing, err := s.lacking(ctx, changes)
	if err != nil {
		return err
	}
	shared := s.listed != nil && s.Jobs > 1 // the order commits are read in does not number them
	var run []string
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		defer func() { run = nil }()
		if !shared {
			return s.readRun(ctx, run, skip, wg, yield, fail)
		}
		shares := deal(run, min(s.Jobs, max(1, len(run)/dealRun)))
		errs := make([]error, len(shares))
		var readers sync.WaitGroup
		for i, share := range shares {
			readers.Go(func() { errs[i] = s.readRun(ctx, share, skip, wg, yield, fail) })
		}
		readers.Wait()
		return errors.Join(errs...)
	}
	for _, c := range commits {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		cs, ok := changes[c]
		if !ok {
			continue // unreadable: a gap already
		}
		exclude := s.around(c, cs, missing)
		if len(exclude) == 0 {
			run = append(run, c)
			continue
		}
		if !shared {
			if err := flush(); err != nil { // keep the order
				return err
			}
		}
		read, err := s.readOne(ctx, c, exclude, skip[c], wg, yield, fail)
		if err != nil {
			return err
		}
		if _, counted := s.Order(c); read && !counted {
			s.seen(c) // read, though all it changed was missing
		}
	}
	return flush()
}

// dealRun is how many commits go to one git process in turn: a commit and
// its parent mostly in one git, which then reads their trees and blobs
// once.
const dealRun = 64

// deal shares commits out among n lists in runs of dealRun.
func deal(commits []string, n int) [][]string {
	shares := make([][]string, n)
	for i, c := range commits {
		shares[i/dealRun%n] = append(shares[i/dealRun%n], c)
	}
	return shares
}

// lacking is the blobs changes need that the repository does not hold:
// git lists what it holds (packed, loose, alternates; a partial clone's
// promised objects are not among them) without reading any object, and
// only the blobs asked about are kept in memory.
func (s *Source) lacking(ctx context.Context, changes map[string][]change) (map[string]bool, error) {
	need := map[string]bool{}
	for _, cs := range changes {
		for _, ch := range cs {
			if ch.blobs() {
				for _, id := range []string{ch.old, ch.new} {
					if !zeroID(id) {
						need[id] = true
					}
				}
			}
		}
	}
	if len(need) == 0 {
		return nil, nil
	}
	return s.Repo.Lacks(ctx, need)
}

// changes lists each commit's changed files with their blobs (merges list
// none, as git log -p shows none), with up to Jobs git processes. A
// commit whose changes git cannot list is a gap and left out of the map.
func (s *Source) changes(ctx context.Context, commits []string) (map[string][]change, error) {
	shares := deal(commits, min(max(1, s.Jobs), max(1, len(commits)/(4*dealRun))))
	parts := make([]map[string][]change, len(shares))
	errs := make([]error, len(shares))
	var wg sync.WaitGroup
	for i, share := range shares {
		wg.Go(func() { parts[i], errs[i] = s.changesOf(ctx, share) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	all := parts[0]
	for _, p := range parts[1:] {
		maps.Copy(all, p)
	}
	return all, nil
}

func (s *Source) changesOf(ctx context.Context, commits []string) (map[string][]change, error) {
	out, stderr, err := s.diffTree(ctx, commits)
	if err == nil {
		return parseDiffTree(out, commits), nil
	}
	if ctx.Err() != nil || !gitrepo.MissingObject(stderr) {
		return nil, err
	}
	// a tree is missing: ask commit by commit
	all := map[string][]change{}
	for _, c := range commits {
		out, stderr, err := s.diffTree(ctx, []string{c})
		switch {
		case err == nil:
			all[c] = parseDiffTree(out, []string{c})[c]
		case ctx.Err() != nil || !gitrepo.MissingObject(stderr):
			return nil, err
		default:
			s.unreadable(c, stderr)
		}
	}
	return all, nil
}

func (s *Source) diffTree(ctx context.Context, commits []string) (out []byte, stderr string, err error) {
	args := append([]string{"diff-tree", "--stdin", "-r", "--root", "--raw", "-z", "--no-renames", "--no-ext-diff", "--no-textconv"}, s.Repo.Pathspec()...)
	cmd, errBuf := s.Repo.Command(ctx, args...)
	cmd.Stdin = strings.NewReader(strings.Join(commits, "\n") + "\n")
	var buf bytes.Buffer
	cmd.Stdout = &buf
	if err := cmd.Run(); err != nil {
		return nil, errBuf.String(), gitrepo.CommandError(s.Repo.Root, args, err, errBuf.Bytes())
	}
	return buf.Bytes(), "", nil
}

// parseDiffTree reads `git diff-tree --stdin -r --raw -z` output: a commit
// id, then ":modes ids status" and a path per changed file. Every commit
// asked about is in the map, with no changes when it listed none.
func parseDiffTree(out []byte, commits []string) map[string][]change {
	m := make(map[string][]change, len(commits))
	for _, c := range commits {
		m[c] = nil
	}
	tokens := strings.Split(string(out), "\x00")
	commit := ""
	for i := 0; i < len(tokens); i++ {
		t := tokens[i]
		if t == "" {
			continue
		}
		if t[0] != ':' {
			commit = strings.TrimSpace(t)
			continue
		}
		f := strings.Fields(t[1:]) // old mode, new mode, old id, new id, status
		if len(f) < 5 || i+1 >= len(tokens) {
			continue
		}
		i++
		m[commit] = append(m[commit], change{status: f[4][0], oldMode: f[0], newMode: f[1], old: f[2], new: f[3], path: tokens[i]})
	}
	return m
}

// around returns the paths of commit c that cannot be read, each needing a
// blob the repository lacks, and records a gap for each whose content the
// scan loses (a deleted file's lines are never scanned: no gap).
func (s *Source) around(c string, cs []change, missing map[string]bool) []string {
	var exclude []string
	for _, ch := range cs {
		if !ch.blobs() {
			continue
		}
		oldMissing := !zeroID(ch.old) && missing[ch.old]
		newMissing := !zeroID(ch.new) && missing[ch.new]
		if !oldMissing && !newMissing {
			continue
		}
		exclude = append(exclude, ch.path)
		switch {
		case ch.status == 'D':
		case newMissing:
			s.gap(finding.Gap{Kind: finding.GapMissingBlob, Object: ch.new, Commit: c, Path: ch.path,
				Detail: s.absent("this version of the file") + ": it was not scanned"})
		default:
			s.gap(finding.Gap{Kind: finding.GapMissingBlob, Object: ch.old, Commit: c, Path: ch.path,
				Detail: s.absent("the version before this commit") + ": the lines this commit added to the file were not scanned"})
		}
	}
	return exclude
}

// absent says why what is named is not there.
func (s *Source) absent(what string) string {
	if len(s.partial) > 0 {
		return fmt.Sprintf("%s is not in this partial clone (left out by its filter, on promisor remote %s; not fetched)", what, strings.Join(s.partial, ", "))
	}
	return what + " is missing from the repository"
}

func zeroID(id string) bool { return strings.Trim(id, "0") == "" }

// readRun reads commits again in one git log. When git fails again, the
// commits it did not finish are read one at a time.
func (s *Source) readRun(ctx context.Context, commits []string, skip map[string]map[string]bool, wg *sync.WaitGroup, yield sources.FragmentsFunc, fail func(error)) error {
	args := append(listedArgs(), s.Repo.Pathspec()...)
	log, err := startPatches(ctx, s.Repo, args, strings.NewReader(strings.Join(commits, "\n")+"\n"), s.attrs)
	if err != nil {
		return err
	}
	rd := &reread{skip: skip, seen: map[string]bool{}}
	last := s.read(ctx, log.files, wg, yield, fail, rd)
	err = log.wait()
	if err == nil || ctx.Err() != nil || !gitrepo.MissingObject(log.stderr.String()) {
		return err
	}
	// skip is shared with the runs read at the same time: not written
	done := map[string]bool{}
	if last.sha != "" {
		maps.Copy(done, skip[last.sha])
		maps.Copy(done, keySet(last.files))
	}
	for _, c := range commits {
		if !rd.wasReached(c) || c == last.sha {
			already := skip[c]
			if c == last.sha {
				already = done
			}
			if _, err := s.readOne(ctx, c, nil, already, wg, yield, fail); err != nil {
				return err
			}
		}
	}
	return nil
}

// readOne reads one commit, without the paths in exclude and the files in
// done; when git still cannot read it, the commit is a gap (read false).
func (s *Source) readOne(ctx context.Context, c string, exclude []string, done map[string]bool, wg *sync.WaitGroup, yield sources.FragmentsFunc, fail func(error)) (read bool, err error) {
	args := listedArgs()
	spec := s.Repo.Pathspec()
	if len(exclude) > 0 {
		if len(spec) == 0 {
			spec = []string{"--"}
		}
		spec = append([]string(nil), spec...)
		for _, p := range exclude {
			spec = append(spec, ":(exclude,literal)"+p)
		}
	}
	args = append(args, spec...)
	log, err := startPatches(ctx, s.Repo, args, strings.NewReader(c+"\n"), s.attrs)
	if err != nil {
		return false, err
	}
	rd := &reread{skip: map[string]map[string]bool{c: done}, seen: map[string]bool{}}
	s.read(ctx, log.files, wg, yield, fail, rd)
	err = log.wait()
	if err == nil || ctx.Err() != nil {
		return err == nil, err
	}
	if !gitrepo.MissingObject(log.stderr.String()) {
		return false, err
	}
	s.unreadable(c, log.stderr.String())
	return false, nil
}

var objectID = regexp.MustCompile(`\b[0-9a-f]{40}([0-9a-f]{24})?\b`)

// unreadable records a commit git could not read, with git's words (they
// name objects and paths, never content). The object is looked for in all
// git said: for a corrupt object the first line is zlib's ("inflate: data
// stream error"), and the id comes after ("unable to read <id>").
func (s *Source) unreadable(c, stderr string) {
	msg := gitrepo.Message([]byte(stderr))
	g := finding.Gap{Kind: finding.GapUnreadableCommit, Commit: c, Detail: "git could not read this commit's changes (" + msg + "): what it could not read was not scanned"}
	for _, id := range objectID.FindAllString(msg+"\n"+stderr, -1) {
		if id != c {
			g.Object = id
			break
		}
	}
	s.gap(g)
}
