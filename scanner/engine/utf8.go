package engine

import (
	"unicode/utf8"

	"github.com/zricethezav/gitleaks/v8/sources"
)

// invalidByte stands in for a byte that is not UTF-8. Built with gore2regex,
// the rules run on RE2, where such a byte matches nothing, not even a negated
// class, so a secret followed by one (`LINE_CHANNEL_SECRET=…\xff`) was lost;
// Go's regexp reads it as U+FFFD. ASCII SUB is what U+FFFD is to the rules
// (not \w, not \s, matched by . and [^…]) and keeps every byte offset.
const invalidByte = 0x1a

// validUTF8 returns fr with each byte that is not UTF-8 replaced by
// invalidByte (fr itself when it is valid UTF-8).
func validUTF8(fr sources.Fragment) sources.Fragment {
	if utf8.ValidString(fr.Raw) {
		return fr
	}
	b := []byte(fr.Raw)
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			b[i] = invalidByte
		}
		i += n
	}
	fr.Raw = string(b)
	if fr.Bytes != nil {
		fr.Bytes = b
	}
	return fr
}
