package scanner

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/internal/pathless"
)

// DefaultStdinName is the path findings in standard input are reported at.
const DefaultStdinName = "stdin"

// readerSource is one file that is not on disk: standard input (`scan -`).
// gitleaks reads it in chunks of about 100 kB, split where lines end, so
// memory does not grow with its size.
type readerSource struct {
	name string
	r    io.Reader

	bytes   atomic.Int64
	yielded atomic.Bool
}

func (s *readerSource) Fragments(ctx context.Context, yield sources.FragmentsFunc) error {
	// No Path: gitleaks would take a name like x.zip for an archive and
	// skip the input unread. Standard input is text, or binary (then named
	// unscanned); its fragments get the name here.
	file := sources.File{Content: countingReader{s.r, &s.bytes}}
	return file.Fragments(ctx, func(fr sources.Fragment, err error) error {
		fr.FilePath = s.name
		if err != nil {
			// a read that failed half way: no report, as for a file that
			// cannot be read
			return fmt.Errorf("%s: %w", s.name, pathless.Err(err))
		}
		s.yielded.Store(true)
		return yield(fr, nil)
	})
}

// unscanned names the input when gitleaks read it and yielded nothing: it
// took the content for binary or an archive.
func (s *readerSource) unscanned() []string {
	if s.bytes.Load() > 0 && !s.yielded.Load() {
		return []string{s.name}
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
