package capture

import "testing"

// decodeJSON against encoding/json on the test captures' JSON bodies
// (2026-12-04, 2 cores: 83 MB/s against 51 MB/s).
func BenchmarkDecodeJSON(b *testing.B) {
	var texts []string
	for _, s := range bodies(b) {
		if _, ok := stdDecodeJSON(s); ok {
			texts = append(texts, s)
		}
	}
	n := 0
	for _, s := range texts {
		n += len(s)
	}
	for _, c := range []struct {
		name string
		f    func(string) (any, bool)
	}{{"jsontext", decodeJSON}, {"encoding-json", stdDecodeJSON}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				for _, s := range texts {
					c.f(s)
				}
			}
		})
	}
}
