package scanner

import (
	"context"
	"sync"

	"github.com/channelguard/channelguard/scanner/gitrepo"
)

// headChecker answers "does the scanned tip still hold this secret in this
// file, and where?" while the history scan is still running: findings
// arrive long before the scan ends, and the second core has time to spare
// then, not after.
type headChecker struct {
	rev   string
	blobs *gitrepo.BlobReader

	mu      sync.Mutex
	queue   []headKey
	seen    map[headKey]bool
	results map[headKey]*located // nil: not in that file at rev
	wake    chan struct{}
	done    chan struct{}
	closed  bool
	err     error
}

type headKey struct{ path, secret string }

func newHeadChecker(ctx context.Context, repo *gitrepo.Repo, rev string) (*headChecker, error) {
	blobs, err := repo.NewBlobReader(ctx)
	if err != nil {
		return nil, err
	}
	h := &headChecker{
		rev: rev, blobs: blobs,
		seen: map[headKey]bool{}, results: map[headKey]*located{},
		wake: make(chan struct{}, 1), done: make(chan struct{}),
	}
	go h.work()
	return h, nil
}

// offer queues a (path, secret) pair; repeats are ignored.
func (h *headChecker) offer(path, secret string) {
	k := headKey{path, secret}
	h.mu.Lock()
	if h.seen[k] || h.closed {
		h.mu.Unlock()
		return
	}
	h.seen[k] = true
	h.queue = append(h.queue, k)
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *headChecker) work() {
	defer close(h.done)
	contents := map[string]*string{}
	for {
		h.mu.Lock()
		batch := h.queue
		h.queue = nil
		closed := h.closed
		h.mu.Unlock()
		for _, k := range batch {
			c, ok := contents[k.path]
			if !ok {
				data, found, err := h.blobs.Read(h.rev, k.path)
				if err != nil {
					h.mu.Lock()
					h.err = err
					h.mu.Unlock()
					return
				}
				if found {
					s := string(data)
					c = &s
				}
				contents[k.path] = c
			}
			var res *located
			if c != nil {
				if l, ok := locateIn(k.path, *c, k.secret); ok {
					res = &l
				}
			}
			h.mu.Lock()
			h.results[k] = res
			h.mu.Unlock()
		}
		if closed && len(batch) == 0 {
			return
		}
		if len(batch) == 0 {
			<-h.wake
		}
	}
}

// finish waits for every offered pair and returns the answers; the blob
// reader stays open for the caller (read more, then close).
func (h *headChecker) finish() (map[headKey]*located, error) {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
	<-h.done
	return h.results, h.err
}
