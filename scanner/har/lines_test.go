package har

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestLinesManyEntries checks entry and value lines far into a file, past
// the newline queue's compaction and skipped multi-line values.
func TestLinesManyEntries(t *testing.T) {
	var b strings.Builder
	b.WriteString("{\n\"log\": {\n\"entries\": [\n") // entries start on line 4
	const n = 3000
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		// 6 lines per entry: the { on line 4+6i, the value on 4+6i+5.
		fmt.Fprintf(&b, "{\n\"_skip\": [\n1,\n2],\n\"request\": {\"headers\": [\n{\"name\": \"n\", \"value\": \"v%d\"}]}}", i)
	}
	b.WriteString("\n]}}\n")
	r, err := NewReader(strings.NewReader(b.String()), "lines.har")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		e, err := r.Next()
		if err == io.EOF {
			if i != n {
				t.Fatalf("%d entries, want %d", i, n)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if want := 4 + 6*i; e.Line != want {
			t.Fatalf("entry %d: line %d, want %d", i, e.Line, want)
		}
		h := e.Request.Headers
		if len(h) != 1 || h[0].Value != fmt.Sprint("v", i) || h[0].Line != 4+6*i+5 {
			t.Fatalf("entry %d: headers %+v", i, h)
		}
	}
	// The queue holds the newlines of the decoder's read-ahead, not of the
	// file (18,000 lines).
	if c := cap(r.lc.nl); c > 4096 {
		t.Errorf("newline queue grew to %d offsets", c)
	}
}

func TestDeepNesting(t *testing.T) {
	in := `{"log": {"entries": [{"x": ` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}]}}`
	r, _ := NewReader(strings.NewReader(in), "deep.har")
	_, err := r.Next()
	if err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("err = %v", err)
	}
}
