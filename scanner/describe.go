package scanner

import (
	"context"
	"path/filepath"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/scanner/cache"
)

// kind is what the plan reads, as the report's Stats.Kind says it.
func (p *plan) kind(opts Options) string {
	switch {
	case p.mode == ModeDir:
		return finding.KindDirectory
	case p.mode == ModeFile:
		return finding.KindFile
	case p.ranged:
		return finding.KindRange
	case opts.NoHistory:
		return finding.KindWorktree
	case p.work == nil:
		return finding.KindHistory // bare: no working tree
	}
	return finding.KindRepository
}

// cachedKind is the kind of a full scan of the repository the cache looked
// at (a remembered result carries counts, not the kind).
func cachedKind(now *cache.Repo) string {
	if now != nil && now.Git != nil && now.Git.Bare {
		return finding.KindHistory
	}
	return finding.KindRepository
}

// name is what the scanned target is called (finding.Report.Name): the
// repository's name, else the directory's or file's base name, never ".".
func (p *plan) name(ctx context.Context, target string) string {
	if p.repo != nil {
		if n := p.repo.Name(ctx); n != "" {
			return n
		}
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		return ""
	}
	if b := filepath.Base(abs); b != "." && b != string(filepath.Separator) {
		return b
	}
	return ""
}
