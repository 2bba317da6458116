// Package worktree is a gitleaks source over files on disk: a list of files
// relative to a root (what git says changed), or every file under the root.
// Paths it yields are relative to the root with forward slashes, so reports
// can use them as repository-relative URIs. Symbolic links are never
// followed: a link can point outside the scanned tree.
package worktree

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/fatih/semgroup"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/internal/pathless"
)

// Source yields the content of files under Root.
type Source struct {
	// Root is the directory paths are relative to.
	Root string
	// Paths lists the files to read, relative to Root.
	Paths []string
	// Walk reads every file under Root instead of Paths.
	Walk bool
	// Config supplies gitleaks' global path allowlists (node_modules, …),
	// which prune the walk early.
	Config *config.Config
	Sema   *semgroup.Group
	// Seen, when set, counts files as they are read (for progress).
	Seen *atomic.Int64

	files     atomic.Int64
	mu        sync.Mutex
	skipped   []Skipped
	unscanned []string
}

// Skipped is a file the scan could not read.
type Skipped struct {
	Path   string
	Reason string
}

// Files is the number of files read.
func (s *Source) Files() int { return int(s.files.Load()) }

// SkippedFiles lists files that could not be read, sorted by path.
func (s *Source) SkippedFiles() []Skipped {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]Skipped(nil), s.skipped...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func (s *Source) skip(path, reason string) {
	s.mu.Lock()
	s.skipped = append(s.skipped, Skipped{Path: path, Reason: reason})
	s.mu.Unlock()
}

// Fragments implements sources.Source.
func (s *Source) Fragments(ctx context.Context, yield sources.FragmentsFunc) error {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	scan := func(rel string) {
		wg.Add(1)
		s.Sema.Go(func() error {
			defer wg.Done()
			if err := s.scanFile(ctx, rel, yield); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
			return nil
		})
	}
	var err error
	if !s.Walk {
		for _, p := range s.Paths {
			if ctx.Err() != nil {
				break
			}
			if !s.allowed(p) {
				scan(p)
			}
		}
	} else {
		err = s.walk(ctx, scan)
	}
	wg.Wait()
	if err == nil {
		err = firstErr
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

func (s *Source) walk(ctx context.Context, scan func(string)) error {
	return filepath.WalkDir(s.Root, func(path string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		rel, relErr := filepath.Rel(s.Root, path)
		if relErr != nil {
			return relErr
		}
		rel = filepath.ToSlash(rel)
		if err != nil {
			if path == s.Root {
				return err
			}
			s.skip(rel, reason(err))
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path != s.Root && (d.Name() == ".git" || s.allowed(rel)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || s.allowed(rel) {
			return nil
		}
		scan(rel)
		return nil
	})
}

// allowed reports whether a global allowlist excludes the path.
func (s *Source) allowed(rel string) bool {
	if s.Config == nil {
		return false
	}
	for _, a := range s.Config.Allowlists {
		if a.PathAllowed(rel) {
			return true
		}
	}
	return false
}

func (s *Source) scanFile(ctx context.Context, rel string, yield sources.FragmentsFunc) error {
	full := filepath.Join(s.Root, filepath.FromSlash(rel))
	info, err := os.Lstat(full)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted in the working tree: nothing to read
		}
		s.skip(rel, reason(err))
		return nil
	}
	if !info.Mode().IsRegular() || info.Size() == 0 {
		return nil // symlinks, devices, sockets and empty files
	}
	f, err := os.Open(full)
	if err != nil {
		s.skip(rel, reason(err))
		return nil
	}
	defer f.Close()
	s.files.Add(1)
	if s.Seen != nil {
		s.Seen.Add(1)
	}
	file := sources.File{Content: f, Path: rel, Config: s.Config}
	yielded := false
	err = file.Fragments(ctx, func(fr sources.Fragment, err error) error {
		if err != nil {
			s.skip(rel, reason(err))
			return nil
		}
		yielded = true
		return yield(fr, nil)
	})
	if err == nil && !yielded {
		// gitleaks yields nothing for a file it takes for binary or for an
		// archive (which it does not open): say so rather than call it clean
		s.mu.Lock()
		s.unscanned = append(s.unscanned, rel)
		s.mu.Unlock()
	}
	return err
}

// Unscanned lists files that were read but not scanned, being binary or
// archives, sorted by path.
func (s *Source) Unscanned() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]string(nil), s.unscanned...)
	sort.Strings(out)
	return out
}

func reason(err error) string { return pathless.Err(err).Error() }
