package differential

import (
	"context"
	"fmt"
	"os"
	"testing"
)

func TestDbg(t *testing.T) {
	p := os.Getenv("DBGPATH")
	if p == "" {
		t.Skip()
	}
	fs, err := Gitleaks(context.Background(), Input{Path: p, Dir: os.Getenv("DBGDIR") != ""})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		fmt.Printf("%s start=%d end=%d sc=%d ec=%d line=%q secret=%q\n", f.RuleID, f.StartLine, f.EndLine, f.StartColumn, f.EndColumn, f.Line, f.Secret)
	}
}
