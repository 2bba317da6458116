package text

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
)

// The text report ends with its notes and what could not be read: the
// objects, commits and files of the gaps, at most maxGapLines of them.
func TestGapsEndTheReport(t *testing.T) {
	r := report()
	r.Notes = []string{"repo is a partial clone (promisor remote origin)"}
	blob, commit := "6f33101bb4d8ad09a1447d2b1ee3de455dded1e6", "4f713801df8c32062bd0815a81111d64322f71b0"
	r.Gaps = []finding.Gap{{Kind: finding.GapMissingBlob, Object: blob, Commit: commit, Path: "bin/tool", Detail: "this version of the file is missing from the repository: it was not scanned"}}
	var buf bytes.Buffer
	if err := Write(&buf, r, Options{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	summary := strings.Index(out, "2 findings")
	gaps := strings.Index(out, "NOT SCANNED: 1 object could not be read (1 gap)")
	if summary < 0 || gaps < summary {
		t.Fatalf("the gaps do not follow the summary:\n%s", out)
	}
	for _, want := range []string{"Note: repo is a partial clone", "missing blob " + blob + " (bin/tool) in commit " + commit + ": this version"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}

	for i := range maxGapLines + 3 {
		r.Gaps = append(r.Gaps, finding.Gap{Kind: finding.GapMissingBlob, Object: fmt.Sprintf("%040x", i), Commit: commit, Path: fmt.Sprintf("f%d", i)})
	}
	buf.Reset()
	if err := Write(&buf, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "… and 4 more (--format json lists every one)") {
		t.Errorf("a long list is not cut:\n%s", buf.String())
	}
}
