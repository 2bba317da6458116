package capture

import (
	"io"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/channelguard/channelguard/scanner/har"
)

// decodeJSON decodes exactly one JSON object or array; ok is false for
// anything else (including a body cut short). The tree is the one
// encoding/json's Decoder.Decode into any with UseNumber makes (a
// repeated name keeps its last value; invalid UTF-8 and lone surrogates
// become U+FFFD), read with jsontext, 1.6x as fast on the test captures'
// bodies (jsonbody_test.go holds it to encoding/json).
func decodeJSON(text string) (any, bool) {
	d := decoders.Get().(*jsontext.Decoder)
	defer decoders.Put(d)
	d.Reset(strings.NewReader(withoutXSSIPrefix(text)), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	v, err := readAny(d)
	if err != nil {
		return nil, false
	}
	if _, err := d.ReadToken(); err != io.EOF {
		return nil, false
	}
	switch v.(type) {
	case map[string]any, []any:
		return v, true
	}
	return nil, false
}

// withoutXSSIPrefix is text without an anti-XSSI prefix some APIs put
// before their JSON (Angular's ")]}'", "while(1);").
func withoutXSSIPrefix(text string) string {
	t := strings.TrimLeft(text, " \t\r\n")
	for _, p := range []string{")]}'", "while(1);", "for(;;);"} {
		if rest, ok := strings.CutPrefix(t, p); ok {
			return rest
		}
	}
	return text
}

// decoders keeps decoders and their buffers between bodies.
var decoders = sync.Pool{New: func() any { return jsontext.NewDecoder(strings.NewReader("")) }}

// readAny reads the next value as encoding/json decodes it into any.
// jsontext bounds the nesting (10,000), so the recursion is bounded too.
func readAny(d *jsontext.Decoder) (any, error) {
	tok, err := d.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case '{':
		m := map[string]any{}
		for d.PeekKind() != '}' {
			tok, err := d.ReadToken() // a bad one: PeekKind's error
			if err != nil {
				return nil, err
			}
			name := tok.String() // before the next read voids tok
			v, err := readAny(d)
			if err != nil {
				return nil, err
			}
			m[name] = v
		}
		_, err := d.ReadToken()
		return m, err
	case '[':
		a := []any{}
		for d.PeekKind() != ']' {
			v, err := readAny(d)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := d.ReadToken()
		return a, err
	default:
		return har.TokenValue(tok)
	}
}
