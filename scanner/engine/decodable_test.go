package engine

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/zricethezav/gitleaks/v8/detect/codec"
	"github.com/zricethezav/gitleaks/v8/regexp"

	"github.com/channelguard/channelguard/finding"
)

// decoderPattern is the regex of gitleaks v8.30.1's detect/codec
// (encodingsRe), written out: the package does not export it.
const decoderPattern = `(?P<percent>%[0-9A-Fa-f]{2}(?:.*%[0-9A-Fa-f]{2})?)` +
	`|(?P<unicode>(?:(?:U\+[a-fA-F0-9]{4}(?:\s|$))+|(?i)(?:\\{1,2}u[a-fA-F0-9]{4})+))` +
	`|(?P<hex>[0-9A-Fa-f]{32,})` +
	`|(?P<base64>[\w\/+-]{16,}={0,2})`

// encodedText makes text where the decoder's regex has plenty to match,
// much of it decodable: base64 and hex of printable text, of random
// bytes, percent and unicode escapes, identifiers, paths and non-ASCII.
func encodedText(r *rand.Rand) string {
	printable := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(0x20 + r.IntN(0x5f))
		}
		return b
	}
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	}
	pieces := []func() string{
		func() string { return base64.StdEncoding.EncodeToString(printable(8 + r.IntN(40))) },
		func() string { return base64.RawURLEncoding.EncodeToString(printable(8 + r.IntN(40))) },
		func() string { return base64.StdEncoding.EncodeToString(random(8 + r.IntN(40))) },
		func() string { return hex.EncodeToString(printable(12 + r.IntN(30))) },
		func() string { return strings.ToUpper(hex.EncodeToString(printable(16 + r.IntN(8)))) },
		func() string { return hex.EncodeToString(random(12 + r.IntN(30))) },
		func() string { return "%" + hex.EncodeToString(printable(1)) },
		func() string { return "%" + hex.EncodeToString(random(1)) },
		func() string { return "U+00" + hex.EncodeToString(printable(1)) },
		func() string { return `\u00` + hex.EncodeToString(printable(1)) },
		func() string { return `\\U00` + strings.ToUpper(hex.EncodeToString(printable(1))) },
		func() string { return "TestSomethingRatherLong" },
		func() string { return "github.com/org/repo/v3/pkg/detectors" },
		func() string { return "deadbeef0123" },
		func() string { return "=" },
		func() string { return "==" },
		func() string { return "%" },
		func() string { return "U+" },
		func() string { return `\` },
		func() string { return " " },
		func() string { return "\n" },
		func() string { return "\t" },
		func() string { return "\v" },
		func() string { return "é" },
		func() string { return "日本" },
		func() string { return `"` },
		func() string { return "." },
		func() string { return string(printable(1 + r.IntN(6))) },
	}
	var b strings.Builder
	for n := 1 + r.IntN(12); n > 0; n-- {
		b.WriteString(pieces[r.IntN(len(pieces))]())
	}
	return b.String()
}

func encodingCases(t *testing.T) []string {
	n := 20000
	seed := uint64(8)
	if os.Getenv("CHANNELGUARD_LONG") != "" {
		n, seed = 400000, rand.Uint64()
	}
	t.Logf("%d texts, seed %d", n, seed)
	r := rand.New(rand.NewPCG(seed, seed))
	cases := []string{"", "%41", "%4", "U+0041", "U+0041\nU+0042 x", `\\\u0041`, `\u0041\U0042`,
		strings.Repeat("a", 15), strings.Repeat("a", 16) + "===", strings.Repeat("0", 31), strings.Repeat("0", 32) + "g"}
	for range n {
		cases = append(cases, encodedText(r))
	}
	return cases
}

// TestEachEncodingMatchesRegex: the byte loops find exactly the matches
// of the decoder's regex, with the same alternative.
func TestEachEncodingMatchesRegex(t *testing.T) {
	re := regexp.MustCompile(decoderPattern)
	for n, s := range encodingCases(t) {
		var want, got [][3]int
		for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
			for g := 1; g < len(m)/2; g++ {
				if m[2*g] >= 0 {
					want = append(want, [3]int{g - 1, m[2*g], m[2*g+1]})
					break
				}
			}
		}
		eachEncoding(s, func(kind encoding, start, end int) bool {
			got = append(got, [3]int{int(kind), start, end})
			return true
		})
		if fmt.Sprint(got) != fmt.Sprint(want) {
			// the text by number and hash: it holds generated values
			t.Fatalf("text %d (%s): matches %v, regex %v", n, finding.SecretHash(s), got, want)
		}
	}
}

// decoderPasses is what gitleaks' detector computes: Decode on the whole
// text, pass after pass.
func decoderPasses(raw string, maxDepth int) []string {
	passes := []string{raw}
	decoder := codec.NewDecoder()
	var segments []*codec.EncodedSegment
	current := raw
	for depth := 1; depth <= maxDepth; depth++ {
		current, segments = decoder.Decode(current, segments)
		if len(segments) == 0 {
			break
		}
		passes = append(passes, current)
	}
	return passes
}

// TestDecodePassesMatchDecoder: the passes decodePasses splices together
// are the decoder's own, to the byte, on texts full of matches that touch
// (a hex run running on as base64, a percent escape against a unicode
// one), that decode to more encoded text (base64 of base64, percent of
// hex) and that percent-decode to bytes that are not UTF-8.
func TestDecodePassesMatchDecoder(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	nested := func(s string) string {
		switch r.IntN(4) {
		case 0:
			return base64.StdEncoding.EncodeToString([]byte(s))
		case 1:
			return hex.EncodeToString([]byte(s))
		case 2:
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				fmt.Fprintf(&b, "%%%02X", s[i])
			}
			return b.String()
		}
		return s
	}
	cases := encodingCases(t)
	for i := range 5000 {
		s := cases[i]
		for range 1 + r.IntN(3) {
			s = nested(s)
		}
		cases = append(cases, s, "key="+s+"%ff%fe"+nested(s), `\u0041`+s+"%41")
	}
	multi := 0
	for n, s := range cases {
		want := decoderPasses(s, 5)
		got := decodePasses(s, 5)
		if len(want) > 2 {
			multi++
		}
		if len(got) != len(want) {
			t.Fatalf("text %d (%s): %d passes, the decoder %d", n, finding.SecretHash(s), len(got), len(want))
		}
		for p := range want {
			if got[p] != want[p] {
				t.Fatalf("text %d (%s): pass %d differs from the decoder's (%s, want %s)", n, finding.SecretHash(s), p, finding.SecretHash(got[p]), finding.SecretHash(want[p]))
			}
		}
	}
	t.Logf("%d texts, %d with two or more decoded passes", len(cases), multi)
	if multi < 500 {
		t.Fatalf("only %d texts decode twice", multi)
	}
}

func FuzzDecodePasses(f *testing.F) {
	for _, s := range []string{"%41", `\u0041`, "U+0041", strings.Repeat("ab", 20), "deadbeefdeadbeefdeadbeefdeadbeefXYZXYZXYZXYZXYZXYZ", "JTQxJTQy"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\x1a") // as Detect hands texts over
		}
		want, got := decoderPasses(s, 5), decodePasses(s, 5)
		if fmt.Sprint(len(got)) != fmt.Sprint(len(want)) {
			t.Fatalf("%d passes, the decoder %d", len(got), len(want))
		}
		for p := range want {
			if got[p] != want[p] {
				t.Fatalf("pass %d differs from the decoder's (%s, want %s)", p, finding.SecretHash(got[p]), finding.SecretHash(want[p]))
			}
		}
	})
}
