package engine

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// lowerText appends to dst text lowered exactly as strings.ToLower lowers
// it, which is what gitleaks' keyword check searches: ASCII text, the usual
// case, with a byte loop; other text without strings.Map's per-rune calls,
// which cost more than the keyword walk itself on bodies with Japanese or
// other non-ASCII text.
func lowerText(dst []byte, text string) []byte {
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			return lowerFrom(asciiLower(dst, text[:i]), text[i:])
		}
	}
	return asciiLower(dst, text)
}

func lowerFrom(dst []byte, text string) []byte {
	same := bmpUnchanged()
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			// strings.Map writes a byte that is not UTF-8 as U+FFFD
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		case r <= 0xFFFF && same[r>>6]&(1<<(r&63)) != 0:
			dst = append(dst, text[i:i+n]...)
		default:
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
		i += n
	}
	return dst
}

// bmpUnchanged is a bit per rune of the Basic Multilingual Plane: set
// when unicode.ToLower leaves the rune as it is (most of it: CJK, kana,
// symbols), so those runes are copied without a case-table search.
var bmpUnchanged = sync.OnceValue(func() *[1 << 10]uint64 {
	var bits [1 << 10]uint64
	for r := rune(0); r <= 0xFFFF; r++ {
		if unicode.ToLower(r) == r && utf8.ValidRune(r) {
			bits[r>>6] |= 1 << (r & 63)
		}
	}
	return &bits
})
