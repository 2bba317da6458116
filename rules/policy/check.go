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
// by its Fields, the members named by its Names and the members whose names
// match its Words, except Masked values and values its Values filter out
// (then an array's elements are each checked). Words catch what the exact
// Fields and Names miss: a node some rule's Fields or Names report (or one
// inside it) is not reported again by any rule's Words. An unknown role
// ranks below every role. The result is sorted by Path (in normalized-path
// order: array indexes numerically) then rule ID, with one Violation per
// (rule, node).
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
	var members []member // every object member, collected once for all rules
	// Every member name, and its normalizeName: most bodies hold no name a
	// rule looks for, and are then not walked with paths at all.
	var keys map[string]struct{}
	var norms map[string]string
	names := func() map[string]struct{} {
		if keys == nil {
			keys = memberNames(body)
			norms = make(map[string]string, len(keys))
			for k := range keys {
				norms[k] = normalizeName(k)
			}
		}
		return keys
	}
	type applicable struct {
		r    *Rule
		c    *compiled
		seen map[string]bool // paths reported for r
	}
	var rules []applicable
	for i := range p.Rules {
		r := &p.Rules[i]
		min, ok := p.rank(r.MinRole)
		if !ok || rank >= min || !r.Applies(method, urlPath) {
			continue
		}
		if c := r.compiled(); c != nil {
			rules = append(rules, applicable{r, c, map[string]bool{}})
		}
	}
	exact := map[string]bool{} // paths reported by Fields or Names
	// report adds node under the rule's Values filter; an array that is not
	// reported whole has its elements checked one by one.
	report := func(a applicable, np spec.NormalizedPath, node any) {
		add := func(np spec.NormalizedPath, node any) {
			if Masked(node) || !a.c.accepts(node) {
				return
			}
			s := formatPath(np)
			if a.seen[s] {
				return
			}
			a.seen[s] = true
			name := ""
			if len(np) > 0 {
				if n, ok := np[len(np)-1].(spec.Name); ok {
					name = string(n)
				}
			}
			out = append(out, located{Violation{Rule: a.r, Path: s, Name: name, Value: node}, slices.Clone(np)})
		}
		if arr, ok := node.([]any); ok && a.c.values != ValuesAny {
			for i, e := range arr {
				add(append(np[:len(np):len(np)], spec.Index(i)), e)
			}
			return
		}
		add(np, node)
	}
	for _, a := range rules {
		for _, f := range a.c.fields {
			if !f.possible(names()) {
				continue
			}
			for _, ln := range f.path.SelectLocated(body) {
				report(a, ln.Path, ln.Node)
			}
		}
		if len(a.c.names) > 0 && anyName(names(), func(k string) bool { _, ok := a.c.names[norms[k]]; return ok }) {
			if members == nil {
				members = collectMembers(body)
			}
			for _, m := range members {
				if _, ok := a.c.names[m.norm]; ok {
					report(a, m.np, m.node)
				}
			}
		}
		for s := range a.seen {
			exact[s] = true
		}
	}
	// Words, after every rule's Fields and Names.
	var words map[string]bool // member name → it is no look-alike and its head words are in wordsOf
	wordsOf := map[string][]string{}
	for _, a := range rules {
		if len(a.c.words) == 0 {
			continue
		}
		if words == nil {
			words = map[string]bool{}
			for k := range names() {
				words[k] = !LookAlikeName(k)
				wordsOf[k] = head(Words(k))
			}
		}
		matched := map[string]bool{} // member name → the rule's words match it, once per name
		for k := range keys {
			_, except := a.c.except[norms[k]]
			matched[k] = words[k] && !except && slices.ContainsFunc(a.c.words, func(p phrase) bool { return p.matches(wordsOf[k]) })
		}
		if !anyName(keys, func(k string) bool { return matched[k] }) {
			continue
		}
		if members == nil {
			members = collectMembers(body)
		}
		for _, m := range members {
			hit := matched[m.key]
			if !hit {
				continue
			}
			if s := formatPath(m.np); exact[s] || underAny(s, exact) {
				continue
			}
			report(a, m.np, m.node)
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
	key  string // its name
	norm string // normalizeName of its name
	node any
}

// underAny reports whether the normalized path s is inside one of the
// paths in set ("$['a'][0]" is inside "$['a']").
func underAny(s string, set map[string]bool) bool {
	if len(set) == 0 {
		return false
	}
	for i := len(s) - 1; i > 0; i-- {
		// A selector starts with '[' right after the previous one's ']'.
		if s[i] == '[' && s[i-1] == ']' && set[s[:i]] {
			return true
		}
	}
	return set["$"] && s != "$"
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
		out = append(out, member{np, key, n, node})
	})
	return out
}

// anyName reports whether f holds for one of keys.
func anyName(keys map[string]struct{}, f func(string) bool) bool {
	for k := range keys {
		if f(k) {
			return true
		}
	}
	return false
}

// memberNames returns the name of every object member of body at any
// depth.
func memberNames(body any) map[string]struct{} {
	keys := map[string]struct{}{}
	var visit func(node any)
	visit = func(node any) {
		switch v := node.(type) {
		case map[string]any:
			for k, e := range v {
				keys[k] = struct{}{}
				visit(e)
			}
		case []any:
			for _, e := range v {
				visit(e)
			}
		}
	}
	visit(body)
	return keys
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
