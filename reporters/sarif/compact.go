package sarif

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// go-sarif's structs write every optional array as [] and every "unset"
// sentinel (index, rank, id, byteOffset, charOffset = -1) literally, plus
// some of the spec's defaults (contents, kind, enabled, isComprehensive). All of that is
// equivalent to omitting the property, and the multitool's SARIF2004
// (OptimizeFileSize) warns about it. compact removes those properties and
// puts the keys a reader looks for first, so the output stays small,
// readable and deterministic.

// keepEmpty lists the arrays written even when empty: GitHub wants results
// present, and an empty rule list says "nothing was needed" explicitly.
var keepEmpty = map[string]bool{"results": true, "rules": true}

// sentinels are integer properties whose -1 means "absent" (SARIF §3.4 etc.).
var sentinels = map[string]bool{"index": true, "parentIndex": true, "rank": true, "id": true, "byteOffset": true, "charOffset": true}

// defaults are properties whose value equals the spec's default.
var defaults = map[string]string{
	"kind":            `"fail"`,
	"isComprehensive": `false`,
	"enabled":         `true`,
	"contents":        `["localizedData","nonLocalizedData"]`,
	// "language" ("en-US") and run.newlineSequences are kept although they
	// are defaults: go-sarif's FromBytes+Validate turns their absence into
	// "" and [], which its schema check then rejects.
}

type member struct {
	key string
	val *node
}

type node struct {
	obj    []member // when isObj
	arr    []*node  // when isArr
	isObj  bool
	isArr  bool
	scalar json.RawMessage // compact JSON of a scalar
}

// compact rewrites the compact JSON in src without the redundant properties
// and returns it indented by two spaces.
func compact(src []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	root, err := decodeNode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after SARIF document")
	}
	prune(root)
	var flat bytes.Buffer
	if err := encodeNode(&flat, root); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, flat.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func decodeNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{isObj: true}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key is %T", kt)
				}
				v, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				n.obj = append(n.obj, member{key, v})
			}
			_, err := dec.Token() // '}'
			return n, err
		case '[':
			n := &node{isArr: true, arr: []*node{}}
			for dec.More() {
				v, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
			_, err := dec.Token() // ']'
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		return &node{scalar: json.RawMessage(t.String())}, nil
	default: // string, bool, nil
		b, err := marshal(t)
		return &node{scalar: b}, err
	}
}

// prune drops redundant members below n. Property bags ("properties") are
// channelguard's own data and are left exactly as written.
func prune(n *node) {
	switch {
	case n.isArr:
		for _, c := range n.arr {
			prune(c)
		}
	case n.isObj:
		kept := n.obj[:0]
		for _, m := range n.obj {
			if m.key != "properties" {
				prune(m.val)
			}
			if m.key != "properties" && redundant(m) {
				continue
			}
			kept = append(kept, m)
		}
		n.obj = kept
		sort.SliceStable(n.obj, func(i, j int) bool {
			return keyRank(n.obj[i].key) < keyRank(n.obj[j].key)
		})
	}
}

// leading lists the keys written first, in this order, so a person reading
// the log sees what matters at the top of each object (the tool before the
// results, the rule id before its fingerprints, ...). Other keys keep
// go-sarif's order after them; property bags are never reordered.
var leading = []string{
	"$schema", "tool", "driver", "id", "name", "version", "semanticVersion",
	"informationUri", "ruleId", "ruleIndex", "level", "message",
	"shortDescription", "fullDescription", "help", "helpUri", "text", "markdown",
	"defaultConfiguration", "locations", "physicalLocation", "artifactLocation",
	"uri", "uriBaseId", "region", "startLine", "startColumn", "endLine",
	"endColumn", "partialFingerprints", "originalUriBaseIds", "results",
}

var leadingRank = func() map[string]int {
	m := make(map[string]int, len(leading))
	for i, k := range leading {
		m[k] = i
	}
	return m
}()

func keyRank(k string) int {
	if r, ok := leadingRank[k]; ok {
		return r
	}
	return len(leading)
}

func redundant(m member) bool {
	v := m.val
	if v.isArr && len(v.arr) == 0 {
		return !keepEmpty[m.key]
	}
	if sentinels[m.key] && string(v.scalar) == "-1" {
		return true
	}
	if def, ok := defaults[m.key]; ok {
		var b bytes.Buffer
		if err := encodeNode(&b, v); err == nil && b.String() == def {
			return true
		}
	}
	return false
}

func encodeNode(w *bytes.Buffer, n *node) error {
	switch {
	case n.isObj:
		w.WriteByte('{')
		for i, m := range n.obj {
			if i > 0 {
				w.WriteByte(',')
			}
			k, err := marshal(m.key)
			if err != nil {
				return err
			}
			w.Write(k)
			w.WriteByte(':')
			if err := encodeNode(w, m.val); err != nil {
				return err
			}
		}
		w.WriteByte('}')
	case n.isArr:
		w.WriteByte('[')
		for i, c := range n.arr {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := encodeNode(w, c); err != nil {
				return err
			}
		}
		w.WriteByte(']')
	default:
		w.Write(n.scalar)
	}
	return nil
}

// marshal encodes a scalar without HTML escaping, so "<", ">" and "&" in
// Markdown help stay readable.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
