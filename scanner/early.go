package scanner

import (
	"context"
	"os"

	"github.com/channelguard/channelguard/scanner/gitrepo"
	"github.com/channelguard/channelguard/scanner/staged"
)

// earlyStaged is a --staged scan's git work, started while the rules
// compile: for a pre-commit hook that wait is most of the run (measured
// in README, Before the commit).
type earlyStaged struct {
	src  *staged.Source
	name chan string // the repository's name, for the report
}

// startStaged opens the repository and starts its staged diff, or returns
// nil when the target is anything else: the scan then plans as usual and
// says what is wrong, so this adds no error of its own.
func startStaged(ctx context.Context, opts Options) *earlyStaged {
	if !opts.Staged || opts.Stdin != nil || opts.Range != "" || opts.NoHistory {
		return nil
	}
	target := opts.Path
	if target == "" {
		target = "."
	}
	if info, err := os.Stat(target); err != nil || !info.IsDir() {
		return nil
	}
	repo, err := gitrepo.Open(ctx, target)
	if err != nil || repo.Bare {
		return nil
	}
	src := &staged.Source{Repo: repo}
	if err := src.Start(ctx); err != nil {
		return nil
	}
	e := &earlyStaged{src: src, name: make(chan string, 1)}
	go func() { e.name <- repo.Name(ctx) }()
	return e
}

// close stops git if the scan ended before reading it (the name lookup
// ends by itself: its channel has room for its answer).
func (e *earlyStaged) close() {
	if e != nil {
		e.src.Close()
	}
}
