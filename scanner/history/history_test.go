package history

import (
	"testing"

	"github.com/gitleaks/go-gitdiff/gitdiff"
)

// joined must be what gitdiff's Raw returns, for each op.
func TestJoinedIsRaw(t *testing.T) {
	add, del, ctx := gitdiff.OpAdd, gitdiff.OpDelete, gitdiff.OpContext
	tests := map[string][]gitdiff.Line{
		"none":          nil,
		"one added":     {{Op: add, Line: "a = 1\n"}},
		"one deleted":   {{Op: del, Line: "a = 0\n"}},
		"mixed":         {{Op: del, Line: "a = 0\n"}, {Op: add, Line: "a = 1\n"}, {Op: ctx, Line: "b\n"}, {Op: add, Line: "c = 2"}},
		"empty lines":   {{Op: add, Line: ""}, {Op: add, Line: "\n"}, {Op: del, Line: ""}},
		"only context":  {{Op: ctx, Line: "x\n"}},
		"many added":    {{Op: add, Line: "1\n"}, {Op: add, Line: "2\n"}, {Op: add, Line: "3\n"}},
		"no final line": {{Op: add, Line: "x"}, {Op: del, Line: "y"}, {Op: add, Line: "z"}},
	}
	for name, lines := range tests {
		tf := &gitdiff.TextFragment{Lines: lines}
		for _, op := range []gitdiff.LineOp{add, del, ctx} {
			if got, want := joined(tf, op), tf.Raw(op); got != want {
				t.Errorf("%s, op %v: joined %q, Raw %q", name, op, got, want)
			}
		}
	}
}
