package har

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// stdTokens is encoding/json's tokenizer (the reader's before jsontext),
// to hold the reader to it. Unread reads the whole text: json.Decoder's
// Buffered may end before the next value starts, and the reader then put
// a value's column a few bytes early.
type stdTokens struct {
	d    *json.Decoder
	text []byte
}

func (t *stdTokens) Token() (json.Token, error) { return t.d.Token() }
func (t *stdTokens) More() bool                 { return t.d.More() }
func (t *stdTokens) InputOffset() int64         { return t.d.InputOffset() }
func (t *stdTokens) Unread() []byte {
	off := min(int(t.d.InputOffset()), len(t.text))
	return t.text[off:min(off+256, len(t.text))]
}
func (t *stdTokens) SyntaxOffset(err error) (int64, error, bool) { return 0, nil, false }

// readWith reads every entry, with encoding/json's tokenizer when std.
func readWith(data []byte, std bool) ([]*Entry, error) {
	r, err := NewReader(bytes.NewReader(data), "x.har")
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if std {
		// the text the tokenizer sees: decompressed, without a BOM
		whole, err := NewReader(bytes.NewReader(data), "x.har")
		if err != nil {
			return nil, err
		}
		text, _ := io.ReadAll(whole.lc)
		whole.Close()
		d := json.NewDecoder(r.lc)
		d.UseNumber()
		r.dec = &stdTokens{d, text}
	}
	var out []*Entry
	for range 100000 {
		e, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, errors.New("too many entries")
}

// sameAsStd: jsontext gives the reader the entries encoding/json gave it,
// field for field (strings with invalid UTF-8, escapes, lone surrogates,
// repeated names, numbers as written), and fails where it failed. Where
// both fail, they name the same entry.
func sameAsStd(t *testing.T, name string, data []byte) (failed bool) {
	t.Helper()
	got, gotErr := readWith(data, false)
	want, wantErr := readWith(data, true)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("%s: jsontext error %v, encoding/json error %v", name, gotErr, wantErr)
	}
	var ge, we *Error
	// (the path in the message may differ by a step: jsontext sees bad
	// syntax when it peeks for the next element, before the reader names
	// it, and the decompressor's errors come at other points)
	if errors.As(gotErr, &ge) && errors.As(wantErr, &we) && ge.NotHAR != we.NotHAR {
		t.Fatalf("%s: jsontext says not a HAR: %v, encoding/json %v (%v; %v)", name, ge.NotHAR, we.NotHAR, ge, we)
	}
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				// where, not the values: captures hold (fake) credentials
				t.Fatalf("%s: entry %d differs at %s", name, i, firstDiff(reflect.ValueOf(got[i]), reflect.ValueOf(want[i]), "entry"))
			}
		}
		t.Fatalf("%s: %d entries, encoding/json %d", name, len(got), len(want))
	}
	return gotErr != nil
}

func captureFiles(t *testing.T) map[string][]byte {
	files := map[string][]byte{}
	for _, pattern := range []string{"../../testdata/har/*", "../../testdata/captures/*.har", "../../testdata/captures/*/*", "../../testdata/fuzz/har/FuzzReader/*"} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			if strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".sh") {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil || len(b) == 0 {
				continue
			}
			if bytes.HasPrefix(b, []byte("go test fuzz v1")) {
				// a fuzz corpus file: the []byte(...) literal on its second line
				var s string
				if _, err := fmt.Sscanf(strings.TrimPrefix(string(bytes.SplitN(b, []byte("\n"), 3)[1]), "[]byte("), "%q", &s); err != nil {
					continue
				}
				b = []byte(s)
			}
			files[p] = b
		}
	}
	if len(files) < 30 {
		t.Fatalf("only %d capture files found", len(files))
	}
	return files
}

func TestTokensSameAsStdOnCaptures(t *testing.T) {
	files := captureFiles(t)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		sameAsStd(t, name, files[name])
	}
}

// Damaged and unusual captures: every file cut short at random places,
// bytes overwritten with JSON's own characters or bytes that are not
// UTF-8, and strings with escapes and repeated names.
func TestTokensSameAsStdOnDamage(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 19))
	files := captureFiles(t)
	files["strings"] = []byte(`{"log":{"entries":[{"request":{"method":"GET","url":"https://x.test/a?b=\ud800\u00e9\"","headers":[{"name":"A","value":"\xff\xfe ok \u0000 \/ \t"},{"name":"A","value":"1e400"}]},` +
		`"response":{"status":200,"status":201,"headers":[],"content":{"size":-0.0e+1,"mimeType":"text/plain","text":"\udc00\ud83d\ude00 line\nbreak"}},"_x":[1,2,{"y":null,"z":true}]}]}}`)
	failed := 0
	n := 0
	for _, name := range slices.Sorted(maps.Keys(files)) {
		data := files[name]
		for range 40 {
			b := bytes.Clone(data)
			if len(b) == 0 {
				continue
			}
			switch r.IntN(3) {
			case 0:
				b = b[:r.IntN(len(b)+1)]
			case 1:
				for range 1 + r.IntN(3) {
					const chars = `{}[],:"\ 0-e.tfn`
					b[r.IntN(len(b))] = chars[r.IntN(len(chars))]
				}
			case 2:
				for range 1 + r.IntN(3) {
					b[r.IntN(len(b))] = byte(0x80 + r.IntN(0x80))
				}
			}
			n++
			if sameAsStd(t, fmt.Sprintf("%s (damaged %d)", name, n), b) {
				failed++
			}
		}
	}
	t.Logf("%d damaged captures, %d of them not readable to the end", n, failed)
	if failed < n/10 || failed == n {
		t.Fatalf("%d of %d damaged captures failed: the damage does not test both sides", failed, n)
	}
}

// firstDiff is the path of the first field where a and b differ.
func firstDiff(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return fmt.Sprintf("%s (nil: %v, %v)", path, a.IsNil(), b.IsNil())
		}
		return firstDiff(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := range a.NumField() {
			if !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
				return firstDiff(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)
			}
		}
	case reflect.Slice:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s (length %d, %d)", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if !reflect.DeepEqual(a.Index(i).Interface(), b.Index(i).Interface()) {
				return firstDiff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		}
	case reflect.String:
		return fmt.Sprintf("%s (%d bytes, %d bytes)", path, a.Len(), b.Len())
	}
	return fmt.Sprintf("%s (%v, %v)", path, a, b)
}
