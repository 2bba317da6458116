package engine

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Every rune, alone and between ASCII text, lowers to the bytes
// strings.ToLower gives (gitleaks' keyword check searches those): the
// runes that lower to ASCII (KELVIN SIGN to "k", İ to "i") included.
func TestLowerTextEveryRune(t *testing.T) {
	bad := 0
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		s := string(r)
		for _, text := range []string{s, "Ab" + s + "Cd"} {
			if got, want := lowerString(text), strings.ToLower(text); got != want {
				if bad++; bad <= 10 {
					t.Errorf("U+%04X in %q: lowerText %q, strings.ToLower %q", r, text, got, want)
				}
			}
		}
	}
	if bad > 10 {
		t.Errorf("%d more runes differ", bad-10)
	}
}

func TestLowerText(t *testing.T) {
	for _, text := range []string{
		"",
		"PLAIN ASCII Text",
		"チャネルシークレット CHANNEL_SECRET=ABC",
		"\u212Aey İD ÅNGSTRÖM",
		"bad \xff\xfe bytes \xc3( and \xe2\x82 cut",
		"\xef\xbf\xbd real U+FFFD",
		"𝐀𐐀 astral Deseret 𐐀",
		strings.Repeat("Ünïcödé ", 100),
	} {
		if got, want := lowerString(text), strings.ToLower(text); got != want {
			t.Errorf("%q: lowerText %q, strings.ToLower %q", text, got, want)
		}
		// appends to what dst holds
		if got := string(lowerText([]byte("KEEP"), text)); got != "KEEP"+strings.ToLower(text) {
			t.Errorf("%q: lowerText after a prefix: %q", text, got)
		}
	}
}

func FuzzLowerText(f *testing.F) {
	for _, s := range []string{"ABC", "İ\u212A", "\xff", "日本語ABC", "Σσς"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := lowerString(text), strings.ToLower(text); got != want {
			t.Errorf("lowerText %q, strings.ToLower %q", got, want)
		}
	})
}

func lowerString(text string) string { return string(lowerText(nil, text)) }
