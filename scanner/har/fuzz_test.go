package har

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/internal/fuzzcorpus"
)

func FuzzReader(f *testing.F) {
	fuzzcorpus.Add(f, "har") // testdata/fuzz/har/FuzzReader/
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, p := range files {
		if strings.HasSuffix(p, ".md") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"log":{"entries":[{"request":{"headers":[["a","b"]]},"response":{"status":"200","content":{"text":"QQ","encoding":"base64","size":"9"}}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(strings.NewReader(string(data)), "fuzz.har")
		if err != nil {
			return
		}
		defer r.Close()
		for i := 0; i < 1e5; i++ {
			e, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("%T is not *Error: %v", err, err)
				}
				if e != nil {
					t.Fatal("entry with error")
				}
				return
			}
			if e.Index != i || e.Line < 1 {
				t.Fatalf("entry %d: index %d line %d", i, e.Index, e.Line)
			}
		}
	})
}
