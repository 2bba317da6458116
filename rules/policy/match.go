package policy

import (
	"fmt"
	"path"
	"strings"
)

// compilePath splits a path pattern into its alternatives ("|") and their
// segments and checks every segment. An empty pattern (nil result) matches
// any path.
func compilePath(pattern string) ([][]string, error) {
	if pattern == "" {
		return nil, nil
	}
	var alts [][]string
	for _, alt := range strings.Split(pattern, "|") {
		alt = strings.TrimSpace(alt)
		if alt == "" {
			return nil, fmt.Errorf("bad path pattern %q: empty alternative", pattern)
		}
		segs := splitPath(alt)
		for _, s := range segs {
			if isParam(s) || s == "**" {
				continue
			}
			if strings.Contains(s, "**") {
				return nil, fmt.Errorf("bad path pattern %q: \"**\" must be a whole segment", pattern)
			}
			if _, err := path.Match(s, ""); err != nil {
				return nil, fmt.Errorf("bad path pattern %q: segment %q: %v", pattern, s, err)
			}
		}
		alts = append(alts, segs)
	}
	return alts, nil
}

// splitPath splits a URL path into segments, ignoring one leading and one
// trailing slash: "/a/b/" → [a b], "/" and "" → [].
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return []string{}
	}
	return strings.Split(p, "/")
}

// isParam reports whether s is a "{name}" segment.
func isParam(s string) bool {
	return len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' && !strings.ContainsAny(s[1:len(s)-1], "{}")
}

// matchPath reports whether urlPath (a raw path; a query string is cut off)
// matches one of the compiled alternatives; nil alts match everything.
func matchPath(alts [][]string, urlPath string) bool {
	if alts == nil {
		return true
	}
	if i := strings.IndexAny(urlPath, "?#"); i >= 0 {
		urlPath = urlPath[:i]
	}
	segs := splitPath(urlPath)
	for _, pat := range alts {
		if matchSegments(pat, segs) {
			return true
		}
	}
	return false
}

// matchSegments matches path segments against segment patterns, "**"
// matching zero or more segments. Dynamic programming: O(len(pat)·len(segs)).
func matchSegments(pat, segs []string) bool {
	// ok[j]: pat[:i] matches segs[:j].
	ok := make([]bool, len(segs)+1)
	next := make([]bool, len(segs)+1)
	ok[0] = true
	for _, p := range pat {
		if p == "**" {
			seen := false
			for j := range ok {
				seen = seen || ok[j]
				next[j] = seen
			}
		} else {
			next[0] = false
			for j := 1; j <= len(segs); j++ {
				next[j] = ok[j-1] && matchSegment(p, segs[j-1])
			}
		}
		ok, next = next, ok
	}
	return ok[len(segs)]
}

func matchSegment(p, s string) bool {
	if isParam(p) {
		return s != ""
	}
	m, err := path.Match(p, s)
	return err == nil && m
}

// Template replaces the id-like segments of a URL path with "{id}":
// "/api/v1/channels/1656789012/roles" → "/api/v1/channels/{id}/roles".
// Id-like: all digits, a UUID, 16 or more hex digits, a ULID, or a LINE
// user/group/room id (U, C or R and 32 hex digits). Everything else,
// including a trailing slash, is kept.
func Template(urlPath string) string {
	segs := strings.Split(urlPath, "/")
	changed := false
	for i, s := range segs {
		if isID(s) {
			segs[i] = "{id}"
			changed = true
		}
	}
	if !changed {
		return urlPath
	}
	return strings.Join(segs, "/")
}

func isID(s string) bool {
	switch {
	case s == "":
		return false
	case allOf(s, isDigit):
		return true
	case isUUID(s):
		return true
	case len(s) >= 16 && allOf(s, isHex):
		return true
	case isULID(s):
		return true
	case len(s) == 33 && (s[0] == 'U' || s[0] == 'C' || s[0] == 'R') && allOf(s[1:], isHex):
		return true
	}
	return false
}

func allOf(s string, f func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !f(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return false
			}
		} else if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// isULID: 26 characters of Crockford base32 in one case, the first at most
// '7' (48-bit timestamp), with at least one digit so that a 26-letter word
// is not taken for an id.
func isULID(s string) bool {
	if len(s) != 26 || s[0] < '0' || s[0] > '7' {
		return false
	}
	upper, lower := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
		case 'A' <= c && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U':
			upper = true
		case 'a' <= c && c <= 'z' && c != 'i' && c != 'l' && c != 'o' && c != 'u':
			lower = true
		default:
			return false
		}
	}
	return !(upper && lower)
}
