package csvreport

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/teamreport/teamreporttest"
)

func write(t *testing.T, r *finding.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name string
		rep  *finding.Report
		rows int // without the header
	}{
		{"empty", &finding.Report{}, 0},
		{"team report with changes", teamreporttest.Report(), 5 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := write(t, tt.rep)
			if !bytes.Equal(out, write(t, tt.rep)) {
				t.Error("two writes of one report differ")
			}
			recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1+tt.rows {
				t.Fatalf("%d rows, want header + %d", len(recs), tt.rows)
			}
			if strings.Join(recs[0], ",") != strings.Join(Header, ",") {
				t.Errorf("header %v", recs[0])
			}
			for _, rec := range recs[1:] {
				if len(rec) != len(Header) {
					t.Errorf("row has %d cells, want %d", len(rec), len(Header))
				}
			}
		})
	}
}

func TestRowContent(t *testing.T) {
	out := write(t, teamreporttest.Report())
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var first []string
	for _, rec := range recs[1:] {
		if rec[col["path"]] == "bot/app.py" {
			first = rec
		}
	}
	want := map[string]string{
		"repository": "acme/bot", "severity": "critical", "rule_id": "line-channel-secret",
		"path": "bot/app.py", "line": "7", "commit": "1a2b3c4d5e6f", "first_seen": "2024-05-01T10:00:00Z",
		"still_at_head": "true", "secret_preview": "c3d7… (32 chars)", "secret_sha256": "869a194bd246",
		"change": "open", "verification": "live",
	}
	for k, v := range want {
		if first[col[k]] != v {
			t.Errorf("%s = %q, want %q", k, first[col[k]], v)
		}
	}
	last := recs[len(recs)-1]
	if last[col["change"]] != "fixed" || last[col["path"]] != "old.env" {
		t.Errorf("last row should be the fixed finding: %v", last)
	}
}

func TestFormulaInjection(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"},
		{"+1", "'+1"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"a=b", "a=b"},
		{"", ""},
		{"7", "7"},
	}
	for _, tt := range tests {
		if got := Safe(tt.in); got != tt.want {
			t.Errorf("Safe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	recs, err := csv.NewReader(bytes.NewReader(write(t, teamreporttest.Report()))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q would be evaluated by a spreadsheet", cell)
			}
		}
	}
	if !bytes.Contains(write(t, teamreporttest.Report()), []byte(`'=HYPERLINK(`)) {
		t.Error("the formula-like path is not in the CSV, neutralised")
	}
}
