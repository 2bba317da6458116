package capture

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/scanner/har"
)

// stdDecodeJSON is decodeJSON with encoding/json, as it was written
// before jsontext: the tree decodeJSON must make.
func stdDecodeJSON(text string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(withoutXSSIPrefix(text)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	switch v.(type) {
	case map[string]any, []any:
		return v, true
	}
	return nil, false
}

// randomJSON is JSON, or nearly: repeated names, escapes of every kind,
// lone surrogates, bytes that are not UTF-8, numbers as written, deep
// nesting, and now and then a byte out of place.
func randomJSON(r *rand.Rand, depth int) string {
	str := func() string {
		parts := []string{"a", "name", `\"`, `\\`, `\/`, `\n`, `\u00e9`, `\ud800`, `\udc00`, `\ud83d\ude00`, `\u0000`, "\xff", "\xc3", "é", "日本", " ", "tok\\u0065n"}
		var b strings.Builder
		b.WriteByte('"')
		for range r.IntN(5) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		b.WriteByte('"')
		return b.String()
	}
	if depth > 6 {
		return str()
	}
	switch r.IntN(9) {
	case 0, 1:
		var b strings.Builder
		b.WriteByte('{')
		for i := range r.IntN(5) {
			if i > 0 {
				b.WriteString(", ")
			}
			if r.IntN(3) == 0 {
				b.WriteString(`"dup"`)
			} else {
				b.WriteString(str())
			}
			b.WriteString(": ")
			b.WriteString(randomJSON(r, depth+1))
		}
		b.WriteByte('}')
		return b.String()
	case 2, 3:
		var b strings.Builder
		b.WriteByte('[')
		for i := range r.IntN(5) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(randomJSON(r, depth+1))
		}
		b.WriteByte(']')
		return b.String()
	case 4:
		return []string{"0", "-0", "1.50", "1e400", "-12.5E-3", "12345678901234567890", "01", "1.", "-"}[r.IntN(9)]
	case 5:
		return []string{"true", "false", "null", "nul", "tru"}[r.IntN(5)]
	}
	return str()
}

func bodies(t testing.TB) []string {
	var out []string
	for _, pattern := range []string{"../../testdata/captures/*.har", "../../testdata/captures/*/*.har", "../../testdata/har/*.har"} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			r, err := har.NewReader(f, p)
			if err != nil {
				f.Close()
				continue
			}
			for {
				e, err := r.Next()
				if err != nil {
					break
				}
				for _, b := range []*har.Body{e.Request.Body, e.Response.Body} {
					if b != nil && b.Text != "" {
						out = append(out, b.Text)
					}
				}
			}
			r.Close()
			f.Close()
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d bodies in the test captures", len(out))
	}
	return out
}

// decodeJSON makes encoding/json's tree, or fails where it failed, on
// every body of the test captures, on each of them damaged, and on
// generated JSON full of what decoders disagree on.
func TestDecodeJSONSameAsEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 21))
	texts := bodies(t)
	for _, s := range texts[:len(texts):len(texts)] {
		for range 5 {
			b := []byte(s)
			for range 1 + r.IntN(2) {
				const chars = `{}[],:"\ 0-e.tfn` + "\xff"
				b[r.IntN(len(b))] = chars[r.IntN(len(chars))]
			}
			texts = append(texts, string(b), s[:r.IntN(len(s))])
		}
	}
	for range 20000 {
		s := randomJSON(r, 0)
		if r.IntN(10) == 0 {
			s = ")]}'\n" + s
		}
		if r.IntN(10) == 0 {
			s += []string{" ", "\n", " x", "{}", ","}[r.IntN(5)]
		}
		texts = append(texts, s)
	}
	texts = append(texts, strings.Repeat("[", 10001)+strings.Repeat("]", 10001), strings.Repeat("[", 9000)+strings.Repeat("]", 9000))
	ok, notOK := 0, 0
	for n, s := range texts {
		got, gotOK := decodeJSON(s)
		want, wantOK := stdDecodeJSON(s)
		if gotOK != wantOK || !reflect.DeepEqual(got, want) {
			// the text by number and hash: bodies hold (fake) credentials
			t.Fatalf("text %d (%s, %d bytes): decodeJSON ok %v, encoding/json ok %v, same tree %v", n, finding.SecretHash(s), len(s), gotOK, wantOK, reflect.DeepEqual(got, want))
		}
		if gotOK {
			ok++
		} else {
			notOK++
		}
	}
	t.Logf("%d texts: %d decoded, %d not JSON", len(texts), ok, notOK)
	if ok < 1000 || notOK < 1000 {
		t.Fatalf("one side too small: %d decoded, %d not", ok, notOK)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[1,"\ud800",{"a":{"a":2}}]`, "{\"\xff\":[]}", `)]}'` + "\n[]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, gotOK := decodeJSON(s)
		want, wantOK := stdDecodeJSON(s)
		if gotOK != wantOK || !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeJSON ok %v, encoding/json ok %v, same tree %v", gotOK, wantOK, reflect.DeepEqual(got, want))
		}
	})
}
