package csvreport

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/teamreport/teamreporttest"
)

// Each gap is a row after the findings: change "gap", the kind as the
// rule, its file and commit, and the object in the message; cells made
// safe like any other.
func TestGapRows(t *testing.T) {
	r := teamreporttest.Report()
	r.Gaps = []finding.Gap{
		{Repository: "acme/bot", Kind: finding.GapMissingBlob, Object: "6f33101bb4d8ad09a1447d2b1ee3de455dded1e6", Commit: "4f713801df8c32062bd0815a81111d64322f71b0", Path: "bin/tool", Detail: "not scanned"},
		{Repository: "acme/web", Kind: finding.GapMissingBlob, Object: "1111111111111111111111111111111111111111", Commit: "2222222222222222222222222222222222222222", Path: teamreporttest.FormulaPath},
	}
	recs, err := csv.NewReader(bytes.NewReader(write(t, r))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows := recs[len(recs)-2:]
	got := rows[0]
	for i, want := range map[int]string{0: "acme/bot", 1: "", 2: "missing-blob", 3: "bin/tool", 5: "4f713801df8c32062bd0815a81111d64322f71b0", 12: "gap"} {
		if got[i] != want {
			t.Errorf("gap row cell %s = %q, want %q", Header[i], got[i], want)
		}
	}
	if !strings.Contains(got[14], "6f33101bb4d8ad09a1447d2b1ee3de455dded1e6") {
		t.Errorf("the message does not name the object: %q", got[14])
	}
	if rows[1][3] != "'"+teamreporttest.FormulaPath {
		t.Errorf("a gap's path is not made safe: %q", rows[1][3])
	}
}
