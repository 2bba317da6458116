package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCommitted: the committed quirk files are what this program makes of
// the committed member capture, byte for byte, and it makes the same twice.
func TestCommitted(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "testdata", "captures")
	raw, err := os.ReadFile(filepath.Join(dir, "console-member.har"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := variants(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := variants(raw)
	for i, f := range a {
		if !bytes.Equal(f.data, b[i].data) {
			t.Errorf("%s: not deterministic", f.name)
		}
		got, err := os.ReadFile(filepath.Join(dir, "quirks", f.name))
		if err != nil {
			t.Errorf("%s: %v", f.name, err)
			continue
		}
		if !bytes.Equal(got, f.data) {
			t.Errorf("quirks/%s is stale: run testdata/captures/record.sh (or go run ./internal/mockconsole/cmd/quirks)", f.name)
		}
	}
}
