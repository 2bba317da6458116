package engine

import "encoding/base64"

// The byte loops here find the matches of gitleaks' decoder (detect/codec)
// regex,
//
//	(?P<percent>%[0-9A-Fa-f]{2}(?:.*%[0-9A-Fa-f]{2})?)
//	|(?P<unicode>(?:(?:U\+[a-fA-F0-9]{4}(?:\s|$))+|(?i)(?:\\{1,2}u[a-fA-F0-9]{4})+))
//	|(?P<hex>[0-9A-Fa-f]{32,})
//	|(?P<base64>[\w\/+-]{16,}={0,2})
//
// and tell which hex and base64 matches the decoder would keep. In source
// code and JSON nearly every fragment has a match (any identifier or path
// of 16 characters is a base64 candidate) and almost none decode to
// printable text; running that regex with its submatches cost more than a
// tenth of a scan. decodeOnce hands the decoder only the matches these
// say may decode. TestEachEncodingMatchesRegex holds the loops to the
// regex, TestDecodePassesMatchDecoder the passes to the decoder.
//
// Texts must be valid UTF-8 (the regex's "." stops at an invalid byte under
// RE2 but not under Go's regexp).

type encoding int

const (
	encPercent encoding = iota
	encUnicode
	encHex
	encBase64
)

// eachEncoding calls f with every match of the decoder's regex in s, in
// order, until f returns false.
func eachEncoding(s string, f func(kind encoding, start, end int) bool) {
	for p := 0; p < len(s); {
		kind, end, next := encodingAt(s, p)
		if end < 0 {
			p = next
			continue
		}
		if !f(kind, p, end) {
			return
		}
		p = end
	}
}

// encodingAt is the match of the regex starting at p: the first
// alternative that matches there, as long as it prefers. With none, end
// is -1 and next is the first position after p where one may start.
func encodingAt(s string, p int) (kind encoding, end, next int) {
	switch c := s[p]; {
	case c == '%' && isHex2(s, p+1):
		// `.*` is greedy and stops at a line break: the last %XX of the line.
		end := p + 3
		for q := p + 3; q < len(s) && s[q] != '\n'; q++ {
			if s[q] == '%' && isHex2(s, q+1) {
				end = q + 3
			}
		}
		return encPercent, end, 0
	case c == 'U' && unicodeCodePoint(s, p) > 0:
		return encUnicode, repeated(s, p, unicodeCodePoint), 0
	case c == '\\' && unicodeEscape(s, p) > 0:
		return encUnicode, repeated(s, p, unicodeEscape), 0
	case !base64Chars[c]:
		return 0, -1, p + 1
	}
	n := runLen(s, p, &base64Chars)
	if n < 16 {
		// Neither hex (a hex run is a base64 run) nor base64 can start
		// inside this run; only a "U+" code point can.
		for q := p + 1; q < p+n; q++ {
			if s[q] == 'U' && unicodeCodePoint(s, q) > 0 {
				return 0, -1, q
			}
		}
		return 0, -1, p + n
	}
	if h := runLen(s, p, &hexChars); h >= 32 {
		return encHex, p + h, 0
	}
	end = p + n
	for k := 0; k < 2 && end < len(s) && s[end] == '='; k++ {
		end++
	}
	return encBase64, end, 0
}

// repeated is where a run of units that unit (a length, 0 for none)
// finds from p ends.
func repeated(s string, p int, unit func(string, int) int) int {
	for n := unit(s, p); n > 0; n = unit(s, p) {
		p += n
	}
	return p
}

// The decoder regex's classes (hex of either case; \w, "/", "+", "-"),
// and codec's "likely" characters; not engine's byteClass, which serves
// the LINE rules' gate.
var hexChars, base64Chars, likelyBase64, likelyHex [256]bool

func init() {
	for c := 0; c < 256; c++ {
		hexChars[c] = '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
		base64Chars[c] = hexChars[c] || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '/' || c == '+' || c == '-'
		likelyHex[c] = '0' <= c && c <= '9'
		likelyBase64[c] = likelyHex[c] || c == '+' || c == '/' || c == '-' || c == '_'
	}
}

func runLen(s string, p int, set *[256]bool) int {
	n := 0
	for p+n < len(s) && set[s[p+n]] {
		n++
	}
	return n
}

func isHex2(s string, p int) bool {
	return p+1 < len(s) && hexChars[s[p]] && hexChars[s[p+1]]
}

func isHex4(s string, p int) bool { return isHex2(s, p) && isHex2(s, p+2) }

// unicodeCodePoint is the length of `U\+[a-fA-F0-9]{4}(?:\s|$)` at p, 0
// if none.
func unicodeCodePoint(s string, p int) int {
	if p+6 > len(s) || s[p] != 'U' || s[p+1] != '+' || !isHex4(s, p+2) {
		return 0
	}
	if p+6 == len(s) {
		return 6
	}
	switch s[p+6] {
	case ' ', '\t', '\n', '\f', '\r':
		return 7
	}
	return 0
}

// unicodeEscape is the length of `(?i)\\{1,2}u[a-fA-F0-9]{4}` at p, 0 if none.
func unicodeEscape(s string, p int) int {
	for n := 2; n >= 1; n-- {
		if p+n+5 > len(s) {
			continue
		}
		if s[p] == '\\' && (n == 1 || s[p+1] == '\\') && (s[p+n] == 'u' || s[p+n] == 'U') && isHex4(s, p+n+1) {
			return n + 5
		}
	}
	return 0
}

// hexDecodes mirrors codec's decodeHex: a non-empty result needs an even
// length, a digit, and every byte printable ASCII.
func hexDecodes(v string) bool {
	if len(v)%2 != 0 || !hasAny(v, &likelyHex) {
		return false
	}
	for i := 0; i < len(v); i += 2 {
		if !printable(unhex(v[i])<<4 | unhex(v[i+1])) {
			return false
		}
	}
	return true
}

// base64Decodes mirrors codec's decodeBase64: one of its likely characters,
// then standard or raw URL base64 that decodes to printable ASCII.
func base64Decodes(v string) bool {
	if !hasAny(v, &likelyBase64) {
		return false
	}
	var buf [512]byte
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
		dst := buf[:0]
		if n := enc.DecodedLen(len(v)); n > len(buf) {
			dst = make([]byte, 0, n)
		}
		n, err := enc.Decode(dst[:cap(dst)], []byte(v))
		if err == nil && allPrintable(dst[:n]) {
			return true
		}
	}
	return false
}

func hasAny(v string, set *[256]bool) bool {
	for i := 0; i < len(v); i++ {
		if set[v[i]] {
			return true
		}
	}
	return false
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// printable is codec's printableASCII: tab to tilde.
func printable(b byte) bool { return '\x08' < b && b < '\x7f' }

func allPrintable(b []byte) bool {
	for _, c := range b {
		if !printable(c) {
			return false
		}
	}
	return true
}
