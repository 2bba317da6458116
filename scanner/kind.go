package scanner

import (
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
