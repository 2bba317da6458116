package policy

import (
	"cmp"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/theory/jsonpath/spec"
)

// Applies reports whether the rule applies to a request: its Method matches
// (or is empty) and its Path matches urlPath (or is empty).
func (r *Rule) Applies(method, urlPath string) bool {
	if r.Method != "" && !strings.EqualFold(r.Method, strings.TrimSpace(method)) {
		return false
	}
	c := r.compiled()
	return c != nil && matchPath(c.paths, urlPath)
}

// compiled returns r's matching state, compiling it when r was built by
// hand. Nil when the rule does not compile.
func (r *Rule) compiled() *compiled {
	if r.c != nil {
		return r.c
	}
	c, err := compile(r)
	if err != nil {
		return nil
	}
	return c
}

// Check returns the fields of body (decoded with json.Decoder.UseNumber into
// any) that role must not receive on this request: for every rule whose
// Method and Path match and whose MinRole outranks role, the nodes selected
// by its Fields and the members named by its Names, except Masked values.
// An unknown role ranks below every role. The result is sorted by Path (in
// normalized-path order: array indexes numerically) then rule ID, with one
// Violation per (rule, node).
func (p *Policy) Check(method, urlPath, role string, body any) []Violation {
	if p == nil || body == nil {
		return nil
	}
	rank, _ := p.rank(role)
	type located struct {
		v  Violation
		np spec.NormalizedPath
	}
	var out []located
	var members []member // every object member, collected once for all Names rules
	for i := range p.Rules {
		r := &p.Rules[i]
		min, ok := p.rank(r.MinRole)
		if !ok || rank >= min || !r.Applies(method, urlPath) {
			continue
		}
		c := r.compiled()
		seen := map[string]bool{}
		add := func(np spec.NormalizedPath, node any) {
			if Masked(node) {
				return
			}
			s := formatPath(np)
			if seen[s] {
				return
			}
			seen[s] = true
			name := ""
			if len(np) > 0 {
				if n, ok := np[len(np)-1].(spec.Name); ok {
					name = string(n)
				}
			}
			out = append(out, located{Violation{Rule: r, Path: s, Name: name, Value: node}, slices.Clone(np)})
		}
		for _, jp := range c.fields {
			for _, ln := range jp.SelectLocated(body) {
				add(ln.Path, ln.Node)
			}
		}
		if len(c.names) > 0 {
			if members == nil {
				members = collectMembers(body)
			}
			for _, m := range members {
				if _, ok := c.names[m.norm]; ok {
					add(m.np, m.node)
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b located) int {
		if c := a.np.Compare(b.np); c != 0 {
			return c
		}
		if c := cmp.Compare(a.v.Path, b.v.Path); c != 0 {
			return c
		}
		return cmp.Compare(a.v.Rule.ID, b.v.Rule.ID)
	})
	vs := make([]Violation, len(out))
	for i := range out {
		vs[i] = out[i].v
	}
	return vs
}

// member is an object member found by walking a body.
type member struct {
	np   spec.NormalizedPath
	norm string // normalizeName of its name
	node any
}

// collectMembers returns every object member of body at any depth, with its
// normalized path and folded name (never nil).
func collectMembers(body any) []member {
	out := []member{}
	norm := map[string]string{}
	walk(body, nil, func(np spec.NormalizedPath, key string, node any) {
		n, ok := norm[key]
		if !ok {
			n = normalizeName(key)
			norm[key] = n
		}
		out = append(out, member{np, n, node})
	})
	return out
}

// walk calls f for every object member at any depth (key is its name),
// parents before children, keys in sorted order.
func walk(node any, np spec.NormalizedPath, f func(np spec.NormalizedPath, key string, node any)) {
	switch v := node.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			child := append(np[:len(np):len(np)], spec.Name(k))
			f(child, k, v[k])
			walk(v[k], child, f)
		}
	case []any:
		for i, e := range v {
			walk(e, append(np[:len(np):len(np)], spec.Index(i)), f)
		}
	}
}

// Leaf is a scalar of a JSON document with its normalized path.
type Leaf struct {
	Path  string
	Name  string // the member name (last key), "" for array elements
	Value any    // string, json.Number, bool or nil (or float64 without UseNumber)
}

// Flatten returns every scalar leaf of body with its RFC 9535 normalized
// path. Arrays are in index order; object members in sorted key order (a
// decoded map does not keep the document's order). Empty objects and arrays
// have no leaves.
func Flatten(body any) []Leaf {
	var out []Leaf
	var rec func(node any, np spec.NormalizedPath, name string)
	rec = func(node any, np spec.NormalizedPath, name string) {
		switch v := node.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				rec(v[k], append(np[:len(np):len(np)], spec.Name(k)), k)
			}
		case []any:
			for i, e := range v {
				rec(e, append(np[:len(np):len(np)], spec.Index(i)), "")
			}
		default:
			if isContainer(node) {
				return // other map or slice types are not decoded JSON
			}
			out = append(out, Leaf{Path: formatPath(np), Name: name, Value: node})
		}
	}
	rec(body, nil, "")
	return out
}

func isContainer(v any) bool {
	if v == nil {
		return false
	}
	switch v.(type) {
	case string, json.Number, bool, float64:
		return false
	}
	k := reflect.TypeOf(v).Kind()
	return k == reflect.Map || k == reflect.Slice || k == reflect.Array || k == reflect.Struct || k == reflect.Pointer
}

// formatPath writes a normalized path as RFC 9535 §2.7 prescribes: names in
// single quotes with only the normal-escapable characters escaped.
func formatPath(np spec.NormalizedPath) string {
	var b strings.Builder
	b.WriteByte('$')
	for _, sel := range np {
		switch s := sel.(type) {
		case spec.Name:
			b.WriteString("['")
			writeNormalName(&b, string(s))
			b.WriteString("']")
		case spec.Index:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(int(s)))
			b.WriteByte(']')
		}
	}
	return b.String()
}

const lowerHex = "0123456789abcdef"

// writeNormalName escapes a member name per RFC 9535 §2.7 (normal-escapable):
// \b \f \n \r \t \' \\ and \u00XX (lowercase hex) for the other characters
// below U+0020; everything else, including non-ASCII, is written as is.
func writeNormalName(b *strings.Builder, s string) {
	for _, r := range s {
		switch r {
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\'':
			b.WriteString(`\'`)
		case '\\':
			b.WriteString(`\\`)
		default:
			if r < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(lowerHex[r>>4])
				b.WriteByte(lowerHex[r&0xf])
			} else {
				b.WriteRune(r)
			}
		}
	}
}
