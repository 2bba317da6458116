// Package history is a gitleaks source over a repository's commits: it
// yields the lines each commit added, as gitleaks' own git source does, but
// it reports git's failures instead of logging them, numbers commits so
// "newest" and "oldest" are known, and can also hand back deleted lines so
// the commit that removed a secret can be named.
package history

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fatih/semgroup"
	"github.com/gitleaks/go-gitdiff/gitdiff"
	"github.com/zricethezav/gitleaks/v8/cmd/scm"
	"github.com/zricethezav/gitleaks/v8/sources"

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

	mu      sync.Mutex
	order   map[string]int // commit SHA → position in git log (0 = newest)
	commits int
	// removers lists, per path, the commits that deleted lines from it or
	// deleted it: the only commits that can have removed a secret from it.
	// Recording them costs a map entry per change and spares a second pass
	// over the whole history.
	removers map[string][]string
}

// logArgs mirrors gitleaks' `git log -p -U0 --full-history --all
// --diff-filter=tuxdb` so the same lines are scanned, without external diff
// or textconv programs from the repository's config. Deleted files are let
// through as a header only (--irreversible-delete): their content costs
// nothing, and the commit that deleted a file is known.
func (s *Source) logArgs(extra ...string) []string {
	args := []string{"log", "-p", "-U0", "--full-history", "--no-ext-diff", "--no-textconv", "--no-color", "--format=medium"}
	args = append(args, extra...)
	args = append(args, s.Revs...)
	return append(args, s.Repo.Pathspec()...)
}

// Fragments implements sources.Source.
func (s *Source) Fragments(ctx context.Context, yield sources.FragmentsFunc) error {
	s.order = map[string]int{}
	s.removers = map[string][]string{}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	log, err := s.startPatches(ctx, s.logArgs("--diff-filter=tuxb", "--irreversible-delete"), nil)
	if err != nil {
		return err
	}

	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		yieldErr error
	)
	lastSHA := ""
	for file := range log.files {
		if ctx.Err() != nil {
			continue // drain: the parser goroutine must not block on send
		}
		var info *sources.CommitInfo
		sha := ""
		if file.PatchHeader != nil {
			sha = file.PatchHeader.SHA
			if sha != lastSHA {
				s.mu.Lock()
				s.order[sha] = s.commits
				s.commits++
				s.mu.Unlock()
				if s.Seen != nil {
					s.Seen.Add(1)
				}
				lastSHA = sha
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
			continue
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
					Raw:        tf.Raw(gitdiff.OpAdd),
					StartLine:  int(tf.NewPosition),
					CommitInfo: info,
				}
				if err := yield(fragment, nil); err != nil {
					errOnce.Do(func() { yieldErr = err; cancel() })
					return nil
				}
			}
			return nil
		})
	}
	waitErr := log.wait()
	wg.Wait()
	if yieldErr != nil {
		return yieldErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return waitErr
}

// patches is a running git command whose output is parsed as patches.
type patches struct {
	root   string
	args   []string
	cmd    *exec.Cmd
	stdout io.ReadCloser
	stderr *bytes.Buffer
	files  <-chan *gitdiff.File
}

func (s *Source) startPatches(ctx context.Context, args []string, stdin io.Reader) (*patches, error) {
	cmd, stderr := s.Repo.Command(ctx, args...)
	cmd.Stdin = stdin
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git log in %s: %w", s.Repo.Root, err)
	}
	files, err := gitdiff.Parse(stdout)
	if err != nil {
		_ = cmd.Wait()
		return nil, gitrepo.CommandError(s.Repo.Root, args, err, stderr.Bytes())
	}
	return &patches{root: s.Repo.Root, args: args, cmd: cmd, stdout: stdout, stderr: stderr, files: files}, nil
}

// wait is called once the files channel is drained: the parser has stopped
// (at the end, or early on a malformed patch), so the pipe is drained for
// git to exit, and git's failure becomes one line.
func (p *patches) wait() error {
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
	log, err := s.startPatches(ctx, args, strings.NewReader(strings.Join(commits, "\n")+"\n"))
	if err != nil {
		return err
	}
	stopped := false
	for file := range log.files {
		if stopped || file.PatchHeader == nil || file.IsBinary {
			continue
		}
		var deleted []byte
		for _, tf := range file.TextFragments {
			deleted = append(deleted, tf.Raw(gitdiff.OpDelete)...)
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
			stopped = true
			cancel()
		}
	}
	waitErr := log.wait()
	if stopped {
		return nil // git was stopped on purpose
	}
	return waitErr
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
