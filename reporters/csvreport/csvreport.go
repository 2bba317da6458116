// Package csvreport writes a report as CSV for spreadsheets: one row per
// finding, then one per finding fixed since the previous report (change
// "fixed"), then one per coverage gap (change "gap": an object the scan
// could not read, named in rule_id, path, commit and message), with a
// header row. Every cell that a spreadsheet would read as
// a formula (starting with = + - @, a tab or a carriage return) gets a
// leading apostrophe (OWASP "CSV injection"): paths, repository names and
// previews come from the scanned repositories and must never run in the
// reader's spreadsheet. Like every reporter it holds no raw secret: only the
// redacted preview and the short hash.
package csvreport

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/channelguard/channelguard/finding"
)

// Header is the first row.
var Header = []string{
	"repository", "severity", "rule_id", "path", "line", "commit", "first_seen",
	"still_at_head", "removed_in", "secret_preview", "secret_sha256",
	"fingerprint", "change", "verification", "message",
}

// Write writes r as CSV (RFC 4180 quoting, LF line ends). The same report
// gives the same bytes: rows are in the report's order.
func Write(w io.Writer, r *finding.Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return err
	}
	rows := r.Findings
	if r.Changes != nil {
		rows = append(rows[:len(rows):len(rows)], r.Changes.Fixed...)
	}
	for i := range rows {
		if err := cw.Write(Row(&rows[i])); err != nil {
			return err
		}
	}
	for _, g := range r.Gaps {
		if err := cw.Write(GapRow(g)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Row is the cells of one finding, made safe for spreadsheets.
func Row(f *finding.Finding) []string {
	line := ""
	if f.Location.StartLine > 0 {
		line = strconv.Itoa(f.Location.StartLine)
	}
	commit, firstSeen, removed := "", "", ""
	if f.Commit != nil {
		commit = f.Commit.SHA
	}
	if c := f.Exposure.FirstCommit; c != nil {
		firstSeen = c.Date
	}
	if c := f.Exposure.RemovedIn; c != nil {
		removed = c.SHA
	}
	verification := ""
	if f.Verification != nil {
		verification = f.Verification.Status
	}
	row := []string{
		f.Repository, f.Severity.String(), f.RuleID, f.Location.Path, line, commit, firstSeen,
		strconv.FormatBool(f.Exposure.StillAtHead), removed, f.SecretPreview, f.SecretSHA256,
		f.Fingerprint, f.Change, verification, f.Message,
	}
	for i, cell := range row {
		row[i] = Safe(cell)
	}
	return row
}

// ChangeGap marks a row that is a coverage gap, not a finding.
const ChangeGap = "gap"

// GapRow is the cells of a coverage gap: its kind as the rule, its file,
// its commit, change "gap" and the whole gap (with the object id) as the
// message; no severity, preview or fingerprint.
func GapRow(g finding.Gap) []string {
	row := make([]string, len(Header))
	row[0], row[2], row[3], row[5], row[12], row[14] = g.Repository, g.Kind, g.Path, g.Commit, ChangeGap, "not scanned: "+g.String()
	for i, cell := range row {
		row[i] = Safe(cell)
	}
	return row
}

// Safe neutralises a cell a spreadsheet would evaluate: one starting with
// = + - @ (a formula or a DDE call), a tab or a carriage return gets a
// leading apostrophe, which spreadsheets show as text and do not evaluate.
func Safe(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
