// Package staged is a gitleaks source over what a commit would add: the
// lines the index (the staging area) adds against HEAD, or everything
// staged in a repository without commits. It reads one `git diff
// --cached`, which compares the index with HEAD's tree and never walks the
// history or the working tree, so it is quick enough for a pre-commit hook
// on a large repository. Changes that are not staged are not read.
package staged

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/fatih/semgroup"
	"github.com/gitleaks/go-gitdiff/gitdiff"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/scanner/gitrepo"
)

// Source yields one fragment per added hunk of the staged diff: the file's
// path in the index and the hunk's first line in the staged version, so
// findings point at the file as it will be committed.
type Source struct {
	Repo *gitrepo.Repo
	// Sema bounds the goroutines that run the detector (the detector's own).
	Sema *semgroup.Group
	// Seen, when set, counts files as they are read (for progress).
	Seen *atomic.Int64

	files     atomic.Int64
	mu        sync.Mutex
	unscanned []string
}

// Args is the diff the source reads. `git diff --cached` compares the index
// with HEAD, or with the empty tree when HEAD has no commit yet. Renames are
// not detected (a renamed file is all new, so none of its lines escapes),
// deletions carry nothing to scan, and no program the repository's config
// names runs (external diff, textconv, fsmonitor): the scanned repository
// may be hostile. The user's diff settings cannot change the patch's shape
// either: diff.interHunkContext would join hunks with context lines
// between them (shifting line numbers), diff.noprefix and
// diff.mnemonicPrefix would change the file names' prefixes.
func Args(pathspec []string) []string {
	args := []string{"-c", "core.fsmonitor=false", "diff", "--cached", "-p", "-U0", "--inter-hunk-context=0",
		"--src-prefix=a/", "--dst-prefix=b/", "--no-renames",
		"--no-ext-diff", "--no-textconv", "--no-color", "--diff-filter=d", "--ignore-submodules"}
	return append(args, pathspec...)
}

// Files is the number of staged files read (deleted ones are not).
func (s *Source) Files() int { return int(s.files.Load()) }

// Unscanned lists staged binary files, which git's diff does not show and
// gitleaks would not scan either, sorted by path.
func (s *Source) Unscanned() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]string(nil), s.unscanned...)
	sort.Strings(out)
	return out
}

// Fragments implements sources.Source.
func (s *Source) Fragments(ctx context.Context, yield sources.FragmentsFunc) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	args := Args(s.Repo.Pathspec())
	cmd, stderr := s.Repo.Command(ctx, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git diff --cached in %s: %w", s.Repo.Root, err)
	}
	files, err := gitdiff.Parse(bufio.NewReaderSize(stdout, 64<<10))
	if err != nil {
		cancel()
		_ = cmd.Wait()
		return gitrepo.CommandError(s.Repo.Root, []string{"diff"}, err, stderr.Bytes())
	}
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		yieldErr error
	)
	for file := range files {
		if ctx.Err() != nil {
			continue // drain: the parser must not block on its send
		}
		if file.IsDelete {
			continue
		}
		s.files.Add(1)
		if s.Seen != nil {
			s.Seen.Add(1)
		}
		if file.IsBinary {
			s.mu.Lock()
			s.unscanned = append(s.unscanned, file.NewName)
			s.mu.Unlock()
			continue
		}
		wg.Add(1)
		s.Sema.Go(func() error {
			defer wg.Done()
			for _, tf := range file.TextFragments {
				if tf == nil || tf.LinesAdded == 0 {
					continue
				}
				// With -U0 a hunk's added lines are one run starting at
				// NewPosition in the staged file.
				fr := sources.Fragment{FilePath: file.NewName, Raw: tf.Raw(gitdiff.OpAdd), StartLine: int(tf.NewPosition)}
				if err := yield(fr, nil); err != nil {
					errOnce.Do(func() { yieldErr = err; cancel() })
					return nil
				}
			}
			return nil
		})
	}
	_, _ = io.Copy(io.Discard, stdout)
	waitErr := cmd.Wait()
	wg.Wait()
	if yieldErr != nil {
		return yieldErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if waitErr != nil {
		return gitrepo.CommandError(s.Repo.Root, []string{"diff"}, waitErr, stderr.Bytes())
	}
	return nil
}
