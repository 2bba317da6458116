package engine

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/rules"
)

func BenchmarkLINEGate(b *testing.B) {
	data, err := os.ReadFile(os.Getenv("CG_GATE_CORPUS"))
	if err != nil {
		b.Skip("CG_GATE_CORPUS not set")
	}
	frags := strings.Split(string(data), "\n@@")
	set, _ := rules.Builtin()
	e := New(context.Background(), set)
	b.Run("gate", func(b *testing.B) {
		for b.Loop() {
			for _, f := range frags {
				candidateWindows(f)
			}
		}
	})
	b.Run("gate+windows+detect", func(b *testing.B) {
		for b.Loop() {
			for _, f := range frags {
				for _, w := range e.lineFragments(sourcesFragment(f), decodePasses(f, 5)) {
					d := e.line
					if w.decode {
						d = e.lineDecoding
					}
					d.DetectContext(context.Background(), detect.Fragment(w.Fragment))
				}
			}
		}
	})
}

func sourcesFragment(s string) sources.Fragment { return sources.Fragment{Raw: s, StartLine: 1} }
