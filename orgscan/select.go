package orgscan

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
)

// Shard is --shard I/N: the I-th (1-based) of N disjoint parts.
type Shard struct{ I, N int }

// ParseShard reads "I/N" (1 ≤ I ≤ N); "" is the whole set (1/1).
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{1, 1}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("shard %q: want I/N with 1 ≤ I ≤ N, e.g. 2/4", s)
	}
	return Shard{i, n}, nil
}

// Has says whether the repository full name belongs to the shard: the
// FNV-1a (32-bit) hash of the lower-cased name mod N is I-1. It depends on
// the name only, so every runner of a matrix agrees without talking.
func (s Shard) Has(fullName string) bool {
	if s.N <= 1 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(fullName)))
	return int(h.Sum32()%uint32(s.N)) == s.I-1
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.I, s.N) }

// Filter selects repositories from a listing.
type Filter struct {
	IncludeForks, IncludeArchived bool
	Exclude                       *regexp.Regexp // on the full name
	Shard                         Shard
}

// Skip says why a repository is left out, or "" when it is kept.
func (f Filter) Skip(fullName string, fork, archived bool) string {
	switch {
	case fork && !f.IncludeForks:
		return "fork"
	case archived && !f.IncludeArchived:
		return "archived"
	case f.Exclude != nil && f.Exclude.MatchString(fullName):
		return "excluded"
	case !f.Shard.Has(fullName):
		return "other shard"
	}
	return ""
}
