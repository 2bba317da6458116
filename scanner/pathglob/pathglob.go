// Package pathglob turns a path regex (a gitleaks allowlist's `paths`)
// into gitattributes patterns that match no path the regex does not
// match. A history scan gives them to git as `-diff`, so git neither
// diffs nor prints files whose patches the scan would throw away unread
// (vendored code, lock files): on a repository that vendors its
// dependencies that is most of what `git log -p` prints.
//
// The patterns are a subset, never a superset: a regex is translated only
// when it is a chain of literal strings (with small alternations, optional
// parts and character classes) between an optional start anchor
// (`^`, `(?:^|/)`) and an optional end (`$`, `(?:/.*)?$`); anything else
// (a `.`, a repetition inside the name, a large class) gives no pattern,
// and that path is printed and skipped by the scanner as before.
package pathglob

import (
	"regexp/syntax"
	"strings"
	"unicode"
)

// maxStrings bounds the strings one regex may expand to.
const maxStrings = 64

// anchor is where a match must start.
type anchor int

const (
	anywhere  anchor = iota // unanchored: inside any path component
	root                    // ^
	component               // (?:^|/): at the start of a path component
)

// ending is what may follow the literal part.
type ending int

const (
	open     ending = iota // no $: anything
	end                    // $
	dirOrEnd               // (?:/.*)?$: the end, or a directory's contents
)

// Patterns returns gitattributes patterns for the path regex expr, each
// matching only paths expr matches, or nil when expr is not of a shape
// translated here. With ignoreCase (the repository's core.ignorecase: git
// then matches patterns without regard to case) only a regex that is
// itself case-insensitive throughout is translated.
func Patterns(expr string, ignoreCase bool) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	items := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		items = re.Sub
	}
	at := anywhere
	if len(items) > 0 {
		switch {
		case items[0].Op == syntax.OpBeginText:
			at, items = root, items[1:]
		case isStartOrSlash(items[0]):
			at, items = component, items[1:]
		}
	}
	tail := open
	if n := len(items); n > 0 && items[n-1].Op == syntax.OpEndText {
		tail, items = end, items[:n-1]
		if n := len(items); n > 0 && isDirSuffix(items[n-1]) {
			tail, items = dirOrEnd, items[:n-1]
		}
	}
	if len(items) == 0 {
		return nil
	}
	if ignoreCase && !foldsCase(items) {
		return nil
	}
	strs, ok := expand(&syntax.Regexp{Op: syntax.OpConcat, Sub: items})
	if !ok {
		return nil
	}
	var out []string
	for _, s := range strs {
		if !plain(s) {
			continue
		}
		out = append(out, globs(s, at, tail)...)
	}
	return out
}

// globs are the patterns for the literal s at a start and with a tail.
func globs(s string, at anchor, tail ending) []string {
	var base string
	switch {
	case at == root:
		base = "/" + s
	case at == component:
		base = "**/" + s
	case !strings.Contains(s, "/"):
		base = "*" + s // no slash: git matches it against the file's name
	default:
		base = "**/*" + s
	}
	switch tail {
	case end:
		return []string{base}
	case dirOrEnd:
		return []string{base, dirContents(base)}
	default:
		if strings.HasSuffix(s, "/") {
			return []string{base + "**"}
		}
		return []string{base + "*", dirContents(base)}
	}
}

// dirContents is the pattern for everything under the directory p names.
// A pattern without a slash matches a name at any depth; with one added
// it would be tied to the top directory, so it gets a leading **/.
func dirContents(p string) string {
	if !strings.Contains(p, "/") {
		return "**/" + p + "/**"
	}
	return p + "/**"
}

// plain reports whether s can stand in a pattern as itself: no glob or
// escape characters, no whitespace (it ends a pattern), no quote, no
// leading ! or # (negation, comment), and no leading slash (no path
// has one; a pattern's would tie it to the top directory instead).
func plain(s string) bool {
	if s == "" || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "!") || strings.HasPrefix(s, "#") {
		return false
	}
	if strings.Contains(s, "//") {
		return false // no path has an empty component
	}
	for _, r := range s {
		if strings.ContainsRune(`*?[]\"`, r) || unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// isStartOrSlash matches (?:^|/) (either order).
func isStartOrSlash(re *syntax.Regexp) bool {
	if re.Op != syntax.OpAlternate || len(re.Sub) != 2 {
		return false
	}
	a, b := re.Sub[0], re.Sub[1]
	slash := func(r *syntax.Regexp) bool {
		return r.Op == syntax.OpLiteral && string(r.Rune) == "/"
	}
	return a.Op == syntax.OpBeginText && slash(b) || b.Op == syntax.OpBeginText && slash(a)
}

// isDirSuffix matches (?:/.*)? and (?:/.+)? (greedy or not): a directory's
// contents, or nothing.
func isDirSuffix(re *syntax.Regexp) bool {
	if re.Op == syntax.OpCapture && len(re.Sub) == 1 {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpQuest || len(re.Sub) != 1 {
		return false
	}
	c := re.Sub[0]
	if c.Op == syntax.OpCapture && len(c.Sub) == 1 {
		c = c.Sub[0]
	}
	if c.Op != syntax.OpConcat || len(c.Sub) != 2 {
		return false
	}
	slash, rest := c.Sub[0], c.Sub[1]
	if slash.Op != syntax.OpLiteral || string(slash.Rune) != "/" {
		return false
	}
	if rest.Op != syntax.OpStar && rest.Op != syntax.OpPlus || len(rest.Sub) != 1 {
		return false
	}
	any := rest.Sub[0].Op
	return any == syntax.OpAnyCharNotNL || any == syntax.OpAnyChar
}

// foldsCase reports whether every letter in items is matched without
// regard to case.
func foldsCase(items []*syntax.Regexp) bool {
	for _, re := range items {
		switch re.Op {
		case syntax.OpLiteral:
			if re.Flags&syntax.FoldCase == 0 {
				for _, r := range re.Rune {
					if unicode.ToUpper(r) != unicode.ToLower(r) {
						return false
					}
				}
			}
		case syntax.OpCharClass:
			return false // a class lists its cases itself: not worth reading
		}
		if !foldsCase(re.Sub) {
			return false
		}
	}
	return true
}

// expand lists the strings re matches, or reports false when re matches
// more than a few literal strings.
func expand(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			// the parser keeps a case-blind literal in upper case; names
			// are mostly written in lower case, and it matches that too
			return []string{strings.ToLower(string(re.Rune))}, true
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(out) == 8 {
					return nil, false
				}
				out = append(out, string(r))
			}
		}
		return out, true
	case syntax.OpCapture:
		return expand(re.Sub[0])
	case syntax.OpQuest:
		sub, ok := expand(re.Sub[0])
		if !ok || len(sub)+1 > maxStrings {
			return nil, false
		}
		return append([]string{""}, sub...), true
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			sub, ok := expand(s)
			if !ok || len(out)+len(sub) > maxStrings {
				return nil, false
			}
			out = append(out, sub...)
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, s := range re.Sub {
			sub, ok := expand(s)
			if !ok || len(out)*len(sub) > maxStrings {
				return nil, false
			}
			next := make([]string, 0, len(out)*len(sub))
			for _, a := range out {
				for _, b := range sub {
					next = append(next, a+b)
				}
			}
			out = next
		}
		return out, true
	}
	return nil, false
}
