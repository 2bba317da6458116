package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// A JSON tree that keeps object key order, so the variants read like the
// capture they come from. Values: *object, []any, string, json.Number,
// bool, nil.

type member struct {
	key string
	val any
}

type object struct{ m []member }

func (o *object) get(k string) any {
	for _, m := range o.m {
		if m.key == k {
			return m.val
		}
	}
	return nil
}

func (o *object) obj(k string) *object {
	v, _ := o.get(k).(*object)
	return v
}

func (o *object) arr(k string) []any {
	v, _ := o.get(k).([]any)
	return v
}

func (o *object) str(k string) string {
	v, _ := o.get(k).(string)
	return v
}

// set replaces k's value in place, or appends k.
func (o *object) set(k string, v any) {
	for i := range o.m {
		if o.m[i].key == k {
			o.m[i].val = v
			return
		}
	}
	o.m = append(o.m, member{k, v})
}

func (o *object) del(k string) {
	out := o.m[:0]
	for _, m := range o.m {
		if m.key != k {
			out = append(out, m)
		}
	}
	o.m = out
}

func obj(kv ...any) *object {
	o := &object{}
	for i := 0; i+1 < len(kv); i += 2 {
		o.m = append(o.m, member{kv[i].(string), kv[i+1]})
	}
	return o
}

func parse(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

func parseValue(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &object{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				o.m = append(o.m, member{k.(string), v})
			}
			_, err := dec.Token()
			return o, err
		case '[':
			a := []any{}
			for dec.More() {
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token()
			return a, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil
	}
}

// render writes v as JSON indented by two spaces (as Firefox and Fiddler
// export), without HTML escaping, with a final newline.
func render(v any) []byte {
	var b bytes.Buffer
	write(&b, v, 0)
	b.WriteByte('\n')
	return b.Bytes()
}

func write(b *bytes.Buffer, v any, depth int) {
	nl := func(d int) {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat("  ", d))
	}
	switch v := v.(type) {
	case *object:
		if len(v.m) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteByte('{')
		for i, m := range v.m {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(depth + 1)
			writeString(b, m.key)
			b.WriteString(": ")
			write(b, m.val, depth+1)
		}
		nl(depth)
		b.WriteByte('}')
	case []any:
		if len(v) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(depth + 1)
			write(b, x, depth+1)
		}
		nl(depth)
		b.WriteByte(']')
	case string:
		writeString(b, v)
	case json.Number:
		b.WriteString(v.String())
	case bool:
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case nil:
		b.WriteString("null")
	case int:
		fmt.Fprint(b, v)
	case int64:
		fmt.Fprint(b, v)
	default:
		panic(fmt.Sprintf("render: unexpected %T", v))
	}
}

func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}

// clone copies a tree deeply.
func clone(v any) any {
	switch v := v.(type) {
	case *object:
		o := &object{m: make([]member, len(v.m))}
		for i, m := range v.m {
			o.m[i] = member{m.key, clone(m.val)}
		}
		return o
	case []any:
		a := make([]any, len(v))
		for i, x := range v {
			a[i] = clone(x)
		}
		return a
	}
	return v
}

// walk calls fn on every object of the tree, parents first.
func walk(v any, fn func(o *object)) {
	switch v := v.(type) {
	case *object:
		fn(v)
		for _, m := range v.m {
			walk(m.val, fn)
		}
	case []any:
		for _, x := range v {
			walk(x, fn)
		}
	}
}
