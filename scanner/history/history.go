// Package history is a gitleaks source over a repository's commits: it
// yields the lines each commit added, as gitleaks' own git source does, but
// it reports git's failures instead of logging them, numbers commits so
// "newest" and "oldest" are known, and can also hand back deleted lines so
// the commit that removed a secret can be named.
package history

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fatih/semgroup"
	"github.com/gitleaks/go-gitdiff/gitdiff"
	"github.com/zricethezav/gitleaks/v8/cmd/scm"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/scanner/gitrepo"
)

// noRemote tells gitleaks not to build web links (it needs a remote, and
// reports here carry commit SHAs instead).
var noRemote = &sources.RemoteInfo{Platform: scm.NoPlatform}

// Source yields one fragment per added hunk of every commit in Revs.
type Source struct {
	Repo *gitrepo.Repo
	// Revs selects commits: {"--all"} for every ref, {"BASE..HEAD"} for a range.
	Revs []string
	// Sema bounds the goroutines that run the detector (the detector's own).
	Sema *semgroup.Group
	// Seen, when set, counts commits as they are read (for progress).
	Seen *atomic.Int64
	// Jobs is how many git processes may produce patches at once (see
	// Fragments); 0 or 1 means one.
	Jobs int
	// Total, when set with Jobs > 1, gets the number of commits listed
	// (for progress).
	Total *atomic.Int64
	// Early, when set, is the read of Revs started earlier (see
	// StartEarly); otherwise Fragments starts it.
	Early *Early

	// Omit, when set, names the paths git need not print (see Omit).
	Omit *Omit

	attrs   *attributes // the file git log is given; removed when done
	mu      sync.Mutex
	order   map[string]int // commit SHA → position in git log (0 = newest)
	listed  map[string]int // commit SHA → position in rev-list, with Jobs > 1
	commits int
	// removers lists, per path, the commits that deleted lines from it or
	// deleted it: the only commits that can have removed a secret from it.
	// Recording them costs a map entry per change and spares a second pass
	// over the whole history.
	removers map[string][]string

	// gaps are what git could not read (see recover), each once;
	// partial names a partial clone's promisor remotes, looked up after
	// the first failure.
	gaps        []finding.Gap
	gapSeen     map[finding.Gap]bool
	partialOnce sync.Once
	partial     []string
}

// logArgs mirrors gitleaks' `git log -p -U0 --full-history --all
// --diff-filter=tuxdb` so the same lines are scanned, without external diff
// or textconv programs from the repository's config. Deleted files are let
// through as a header only (--irreversible-delete): their content costs
// nothing, and the commit that deleted a file is known.
func logArgs(repo *gitrepo.Repo, revs []string, extra ...string) []string {
	args := []string{"log", "-p", "-U0", "--full-history", "--no-ext-diff", "--no-textconv", "--no-color", "--format=medium"}
	args = append(args, extra...)
	args = append(args, revs...)
	return append(args, repo.Pathspec()...)
}

// walkArgs is the one-stream read: git walks revs itself.
func walkArgs(repo *gitrepo.Repo, revs []string) []string {
	return logArgs(repo, revs, "--diff-filter=tuxb", "--irreversible-delete")
}

// DefaultStreams is how many git log processes read a long history when
// the caller does not say: one for every two cores. One git process turns
// out patches at about the speed one core scans them, so a stream per
// core leaves the detector half the machine; and on two cores a second
// stream costs more CPU than it saves time (bench/README.md: croc and
// gitleaks' own history, one stream against two).
func DefaultStreams() int { return max(1, runtime.NumCPU()/2) }

// minCommitsPerStream is the least history worth a git process of its
// own: below it, starting processes and listing commits costs more than
// one stream loses.
const minCommitsPerStream = 250

// Fragments implements sources.Source. With Jobs > 1 and a long history,
// the commits are listed first and shared out among Jobs `git log`
// processes: one git process turns out patches at about the speed one
// core scans them, so on more cores a single stream starves the detector.
func (s *Source) Fragments(ctx context.Context, yield sources.FragmentsFunc) error {
	s.order = map[string]int{}
	s.removers = map[string][]string{}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	streams, stop, err := s.start(ctx)
	defer s.attrs.remove()
	if err != nil {
		return err
	}
	if stop != nil {
		// early streams run under their own context: stopping this scan
		// (a yield error, ctx cancelled) must stop them too
		defer stop()
		go func() {
			<-ctx.Done()
			stop()
		}()
	}
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		yieldErr error
		readers  sync.WaitGroup
		waitErrs = make([]error, len(streams))
	)
	fail := func(err error) { errOnce.Do(func() { yieldErr = err; cancel() }) }
	for i, log := range streams {
		readers.Add(1)
		go func() {
			defer readers.Done()
			last := s.read(ctx, log.files, &wg, yield, fail, nil)
			err := log.wait()
			if err != nil && ctx.Err() == nil && gitrepo.MissingObject(log.stderr.String()) {
				// git could not read an object: the rest of this
				// stream's commits are read around it, while the other
				// streams go on
				err = s.recover(ctx, log, last, err, &wg, yield, fail)
			}
			waitErrs[i] = err
		}()
	}
	readers.Wait()
	wg.Wait()
	if yieldErr != nil {
		return yieldErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(waitErrs...)
}

// start runs the git processes whose patches are read: one `git log`, or
// with Jobs > 1 and enough commits, Jobs of them each given its share of
// the commits on stdin. Commits are numbered by their place in the list,
// so "newest" means the same either way.
func (s *Source) start(ctx context.Context) ([]*patches, context.CancelFunc, error) {
	args := walkArgs(s.Repo, s.Revs)
	var omit []string
	if s.Omit != nil {
		omit = s.Omit.Regexes
	}
	early := s.Early
	if early != nil && !early.omitsOnly(omit) {
		// started before the rules were known, omitting a path this
		// rule set reads (a config without gitleaks' default allowlist)
		early.Close()
		early = nil
	}
	if s.Jobs <= 1 || (early != nil && early.walk) {
		if early != nil && early.walk {
			_, streams, attrs, stop, err := early.take()
			s.attrs = attrs
			if err != nil {
				stop()
				return nil, nil, err
			}
			if len(streams) == 1 {
				return streams, stop, nil
			}
			stop() // read already by another scan: start a fresh one
		}
		if s.attrs == nil {
			s.attrs = writeAttributes(ctx, s.Repo, omit)
		}
		log, err := startPatches(ctx, s.Repo, args, nil, s.attrs)
		if err != nil {
			return nil, nil, err
		}
		return []*patches{log}, nil, nil
	}
	if early == nil {
		early = StartEarly(ctx, s.Repo, s.Revs, s.Jobs, omit)
	}
	commits, streams, attrs, stop, err := early.take()
	s.attrs = attrs
	if err != nil {
		stop()
		return nil, nil, err
	}
	if s.Total != nil {
		s.Total.Store(int64(len(commits)))
	}
	s.listed = make(map[string]int, len(commits))
	for i, c := range commits {
		s.listed[c] = i
	}
	if len(streams) == 0 { // a short history: one stream
		stop()
		log, err := startPatches(ctx, s.Repo, args, nil, s.attrs)
		if err != nil {
			return nil, nil, err
		}
		return []*patches{log}, nil, nil
	}
	return streams, stop, nil
}

// Early is a history read started before the scan needs it: the commits
// listed and, for a long history, the git log streams already running
// (each parses up to ReadAhead files, then waits). A scan starts it as
// soon as it knows the
// repository, so the history is flowing by the time the rules are
// compiled.
type Early struct {
	cancel  context.CancelFunc
	done    chan struct{}
	commits []string
	streams []*patches
	// walk: one git log walking revs itself, no list (jobs <= 1)
	walk bool
	// omit are the regexes the streams were told to omit (see Omit),
	// attrs the file that says so; the scan that takes them removes it
	omit  []string
	attrs *attributes
	err   error
	taken atomic.Bool
}

// StartEarly starts reading the commits revs select, in the background:
// with jobs <= 1 one git log that walks them, otherwise the commits are
// listed and, for a long history, jobs git log streams started over
// them. git is told to omit the paths omit's regexes match (see Omit); a
// scan whose rule set does not skip all of them starts its own read.
// Close it when the scan is over.
func StartEarly(ctx context.Context, repo *gitrepo.Repo, revs []string, jobs int, omit []string) *Early {
	ctx, cancel := context.WithCancel(ctx)
	e := &Early{cancel: cancel, done: make(chan struct{}), walk: jobs <= 1, omit: omit}
	if e.walk {
		go func() {
			defer close(e.done)
			e.attrs = writeAttributes(ctx, repo, omit)
			log, err := startPatches(ctx, repo, walkArgs(repo, revs), nil, e.attrs)
			if err != nil {
				e.err = err
				return
			}
			e.streams = []*patches{log}
		}()
		return e
	}
	go func() {
		defer close(e.done)
		e.attrs = writeAttributes(ctx, repo, omit)
		args := append([]string{"rev-list", "--full-history"}, revs...)
		out, err := repo.Run(ctx, append(args, repo.Pathspec()...)...)
		if err != nil {
			e.err = err
			return
		}
		e.commits = strings.Fields(string(out))
		if n := min(jobs, len(e.commits)/minCommitsPerStream); n > 1 {
			e.streams, e.err = startStreams(ctx, repo, e.commits, n, e.attrs)
		}
	}()
	return e
}

// take hands the list, the streams (none for a short history) and their
// attributes file to the one scan that reads them (and removes the file),
// with the function that stops them.
func (e *Early) take() ([]string, []*patches, *attributes, context.CancelFunc, error) {
	<-e.done
	if !e.taken.CompareAndSwap(false, true) {
		// read already: the list is still right, the streams are spent
		return e.commits, nil, nil, func() {}, e.err
	}
	return e.commits, e.streams, e.attrs, e.cancel, e.err
}

// omitsOnly reports whether the early read omits only paths a scan that
// skips the paths of regexes would skip.
func (e *Early) omitsOnly(regexes []string) bool {
	have := map[string]bool{}
	for _, r := range regexes {
		have[r] = true
	}
	for _, r := range e.omit {
		if !have[r] {
			return false
		}
	}
	return true
}

// Close stops streams no scan took (the scan failed before reading, or
// needed another read).
func (e *Early) Close() {
	if e == nil || !e.taken.CompareAndSwap(false, true) {
		return
	}
	e.cancel()
	<-e.done
	for _, p := range e.streams {
		_ = p.wait()
	}
	e.attrs.remove()
}

// startStreams starts jobs git log processes over commits. They are dealt
// out in turn in runs of dealRun, so each stream gets old and new, big and
// small commits alike, while a commit and its parent mostly go to the same
// git, which then reads their trees and blobs once (git's CPU time drops
// by a few percent); the order within a stream does not matter.
func startStreams(ctx context.Context, repo *gitrepo.Repo, commits []string, jobs int, attrs *attributes) ([]*patches, error) {
	const dealRun = 64
	shares := make([]strings.Builder, jobs)
	for i, c := range commits {
		share := &shares[i/dealRun%jobs]
		share.WriteString(c)
		share.WriteByte('\n')
	}
	args := append(listedArgs(), repo.Pathspec()...)
	var streams []*patches
	for i := range shares {
		share := shares[i].String()
		log, err := startPatches(ctx, repo, args, strings.NewReader(share), attrs)
		if err != nil {
			for _, l := range streams {
				_ = l.wait()
			}
			return nil, err
		}
		log.commits = strings.Fields(share)
		streams = append(streams, log)
	}
	return streams, nil
}

// listedArgs is git log over commits given on stdin, in the order given,
// with the diff options of the history's own log.
func listedArgs() []string {
	return []string{"log", "--no-walk=unsorted", "--stdin", "-p", "-U0", "--no-ext-diff", "--no-textconv", "--no-color", "--format=medium", "--diff-filter=tuxb", "--irreversible-delete"}
}

// lastCommit is the commit a stream read last and the files of it that
// it read (their fileKey: a commit's whole patch text must not stay
// alive until the next commit): when git stopped, that commit may not be
// finished.
type lastCommit struct {
	sha   string
	files []string
}

// read turns one stream's files into fragments for the detector. rd is
// nil but when commits are read again after git failed (see recover).
func (s *Source) read(ctx context.Context, files <-chan *gitdiff.File, wg *sync.WaitGroup, yield sources.FragmentsFunc, fail func(error), rd *reread) lastCommit {
	lastSHA := ""
	var lastFiles []string
	for file := range files {
		if ctx.Err() != nil {
			continue // drain: the parser goroutine must not block on send
		}
		var info *sources.CommitInfo
		sha := ""
		if file.PatchHeader != nil {
			sha = file.PatchHeader.SHA
			if sha != lastSHA {
				lastSHA, lastFiles = sha, lastFiles[:0]
				if rd == nil {
					s.seen(sha)
				} else if rd.reached(s, sha) {
					s.seen(sha)
				}
			}
			lastFiles = append(lastFiles, fileKey(file))
			if rd != nil && rd.skip[sha][fileKey(file)] {
				continue // read before git stopped
			}
			info = &sources.CommitInfo{
				Remote:  noRemote,
				SHA:     sha,
				Date:    file.PatchHeader.AuthorDate.UTC().Format(time.RFC3339),
				Message: file.PatchHeader.Message(),
			}
			if a := file.PatchHeader.Author; a != nil {
				info.AuthorName, info.AuthorEmail = a.Name, a.Email
			}
		}
		// Deleted files add nothing; binary files are skipped as gitleaks'
		// git source does with its default archive depth of 0.
		if file.IsDelete {
			s.removed(file.OldName, sha)
			continue
		}
		if file.IsRename {
			// The old path lost everything it held (the verification pass
			// reads the commit without rename detection).
			s.removed(file.OldName, sha)
		}
		if file.IsBinary {
			if !s.omittedRename(file) {
				continue
			}
			text, err := s.reread(ctx, sha, file)
			if err != nil {
				fail(err)
				continue
			}
			if text == nil {
				continue // binary after all
			}
			file = text
		}
		for _, tf := range file.TextFragments {
			if tf != nil && tf.LinesDeleted > 0 {
				s.removed(file.OldName, sha)
				break
			}
		}
		wg.Add(1)
		s.Sema.Go(func() error {
			defer wg.Done()
			for _, tf := range file.TextFragments {
				if tf == nil {
					return nil
				}
				fragment := sources.Fragment{
					CommitSHA:  sha,
					FilePath:   file.NewName,
					Raw:        joined(tf, gitdiff.OpAdd),
					StartLine:  int(tf.NewPosition),
					CommitInfo: info,
				}
				if err := yield(fragment, nil); err != nil {
					fail(err)
					return nil
				}
			}
			return nil
		})
	}
	return lastCommit{lastSHA, lastFiles}
}

// joined is tf.Raw(op), the text of tf's lines of op, built in one
// allocation (Raw grows its builder step by step: a fifth of a scan's
// allocations), and none for a single line.
func joined(tf *gitdiff.TextFragment, op gitdiff.LineOp) string {
	n, count, last := 0, 0, ""
	for _, l := range tf.Lines {
		if l.Op == op {
			n += len(l.Line)
			count++
			last = l.Line
		}
	}
	if count <= 1 {
		return last
	}
	var b strings.Builder
	b.Grow(n)
	for _, l := range tf.Lines {
		if l.Op == op {
			b.WriteString(l.Line)
		}
	}
	return b.String()
}

// seen records a commit the moment its first change is read.
func (s *Source) seen(sha string) {
	s.mu.Lock()
	if i, ok := s.listed[sha]; ok {
		s.order[sha] = i
	} else {
		s.order[sha] = s.commits
	}
	s.commits++
	s.mu.Unlock()
	if s.Seen != nil {
		s.Seen.Add(1)
	}
}

// patches is a running git command whose output is parsed as patches.
type patches struct {
	root   string
	args   []string
	cmd    *exec.Cmd
	stdout io.ReadCloser
	stderr *bytes.Buffer
	files  <-chan *gitdiff.File
	// commits are the commits given on stdin, in order; nil when git
	// walks the history itself.
	commits []string
}

func startPatches(ctx context.Context, repo *gitrepo.Repo, args []string, stdin io.Reader, attrs *attributes) (*patches, error) {
	cmd, stderr := repo.Command(ctx, args...)
	cmd.Env = append(cmd.Env, attrs.env()...)
	cmd.Stdin = stdin
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	widenPipe(stdout)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git log in %s: %w", repo.Root, err)
	}
	// A large buffer: the parser reads line by line, and git log -p
	// writes a hundred megabytes on a long history.
	files, err := gitdiff.Parse(bufio.NewReaderSize(stdout, 256<<10))
	if err != nil {
		_ = cmd.Wait()
		return nil, gitrepo.CommandError(repo.Root, args, err, stderr.Bytes())
	}
	return &patches{root: repo.Root, args: args, cmd: cmd, stdout: stdout, stderr: stderr, files: ahead(files, ReadAhead)}, nil
}

// ReadAhead is how many parsed files a stream may hold before the detector
// takes them: git and the parser keep working while the rules compile at
// the start (an early stream would otherwise stop at a full pipe) and when
// the detector is busy with a large commit.
const ReadAhead = 1024

// ahead passes files on through a buffer of n.
func ahead(files <-chan *gitdiff.File, n int) <-chan *gitdiff.File {
	out := make(chan *gitdiff.File, n)
	go func() {
		defer close(out)
		for f := range files {
			out <- f
		}
	}()
	return out
}

// wait is called once the reader is done with the files channel: what it
// left there (a stream no scan took, stopped) is drained so the parser and
// the read-ahead end, then the pipe for git to exit; git's failure becomes
// one line.
func (p *patches) wait() error {
	for range p.files {
	}
	_, _ = io.Copy(io.Discard, p.stdout)
	if err := p.cmd.Wait(); err != nil {
		return gitrepo.CommandError(p.root, p.args, err, p.stderr.Bytes())
	}
	return nil
}

func (s *Source) removed(path, sha string) {
	s.mu.Lock()
	s.removers[path] = append(s.removers[path], sha)
	s.mu.Unlock()
}

// Order returns a commit's position in the log (0 = newest) and whether the
// scan saw it.
func (s *Source) Order(sha string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.order[sha]
	return i, ok
}

// Commits is the number of commits with changes the scan read.
func (s *Source) Commits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commits
}

// Deletion is a commit that deleted lines from a file.
type Deletion struct {
	Commit sources.CommitInfo
	Path   string
	// Lines are the deleted lines, joined.
	Lines string
}

// Deletions calls fn, newest commit first, with the lines each commit that
// could have removed something from paths deleted there: the commits the
// scan saw delete lines from them or delete them outright. Only those few
// commits are read again (git matches many pathspecs slowly over a whole
// history), so naming the commit that removed a secret costs little.
func (s *Source) Deletions(ctx context.Context, paths []string, fn func(Deletion) bool) error {
	if len(paths) == 0 {
		return nil
	}
	commits := s.candidates(paths)
	if len(commits) == 0 {
		return nil
	}
	args := []string{"log", "--no-walk=sorted", "--stdin", "-p", "-U0", "--no-ext-diff", "--no-textconv", "--no-color", "--no-renames", "--format=medium", "--"}
	args = append(args, paths...)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := s.deletions(ctx, cancel, args, commits, nil, fn)
	if r.stopped {
		return nil // git was stopped on purpose
	}
	if r.err == nil || ctx.Err() != nil || !gitrepo.MissingObject(r.stderr) {
		return r.err
	}
	// git could not read an object: the commits it did not finish, one at
	// a time and in the same order, each left out when git cannot read it
	// (the history scan names what is missing; here it only costs the
	// name of a removing commit)
	cmd, _ := s.Repo.Command(ctx, "rev-list", "--no-walk=sorted", "--stdin")
	cmd.Stdin = strings.NewReader(strings.Join(commits, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		return r.err
	}
	for _, c := range strings.Fields(string(out)) {
		if r.reached[c] && c != r.last.sha {
			continue
		}
		var skip map[string]bool
		if c == r.last.sha {
			skip = keySet(r.last.files)
		}
		one := s.deletions(ctx, cancel, args, []string{c}, skip, fn)
		switch {
		case one.stopped:
			return nil
		case one.err != nil && (ctx.Err() != nil || !gitrepo.MissingObject(one.stderr)):
			return one.err
		}
	}
	return nil
}

// deletionsRun is one git log of Deletions: whether fn stopped it, what it
// reached, and git's failure.
type deletionsRun struct {
	stopped bool
	reached map[string]bool
	last    lastCommit
	err     error
	stderr  string
}

// deletions runs one git log over commits and hands fn each file's
// deleted lines, but the files in skip.
func (s *Source) deletions(ctx context.Context, stop context.CancelFunc, args, commits []string, skip map[string]bool, fn func(Deletion) bool) deletionsRun {
	r := deletionsRun{reached: map[string]bool{}}
	log, err := startPatches(ctx, s.Repo, args, strings.NewReader(strings.Join(commits, "\n")+"\n"), nil)
	if err != nil {
		r.err = err
		return r
	}
	for file := range log.files {
		if r.stopped || file.PatchHeader == nil {
			continue
		}
		if sha := file.PatchHeader.SHA; sha != r.last.sha {
			r.last = lastCommit{sha: sha}
			r.reached[sha] = true
		}
		r.last.files = append(r.last.files, fileKey(file))
		if file.IsBinary || skip[fileKey(file)] {
			continue
		}
		var deleted []byte
		for _, tf := range file.TextFragments {
			deleted = append(deleted, joined(tf, gitdiff.OpDelete)...)
		}
		if len(deleted) == 0 {
			continue
		}
		d := Deletion{
			Commit: sources.CommitInfo{SHA: file.PatchHeader.SHA, Date: file.PatchHeader.AuthorDate.UTC().Format(time.RFC3339)},
			Path:   file.OldName,
			Lines:  string(deleted),
		}
		if a := file.PatchHeader.Author; a != nil {
			d.Commit.AuthorName, d.Commit.AuthorEmail = a.Name, a.Email
		}
		if !fn(d) {
			r.stopped = true
			stop()
		}
	}
	r.err = log.wait()
	r.stderr = log.stderr.String()
	return r
}

// candidates lists the commits the scan saw delete lines from paths or
// delete them.
func (s *Source) candidates(paths []string) []string {
	seen := map[string]bool{}
	var out []string
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range paths {
		for _, sha := range s.removers[p] {
			if !seen[sha] {
				seen[sha] = true
				out = append(out, sha)
			}
		}
	}
	return out
}
