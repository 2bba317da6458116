// Package jsonreport writes channelguard's JSON report: a stable, documented
// schema (README "JSON report") that scripts, baselines and the team report
// read back. Field names never change within a schema version; new fields
// may be added.
package jsonreport

import (
	"encoding/json"
	"io"

	"github.com/channelguard/channelguard/finding"
)

// SchemaVersion is bumped only when a field changes meaning or goes away.
const SchemaVersion = 1

// Document is the top-level JSON object.
type Document struct {
	SchemaVersion int          `json:"schema_version"`
	Tool          finding.Tool `json:"tool"`
	Target        string       `json:"target"`
	// Name is what the target is called, for titles (see finding.Report).
	Name     string            `json:"name,omitempty"`
	Summary  Summary           `json:"summary"`
	Findings []finding.Finding `json:"findings"`
	// Notes say what the reader should know about what was scanned (a
	// partial clone); Gaps list what could not be read: a report with
	// gaps is not a clean result where they are.
	Notes []string      `json:"notes,omitempty"`
	Gaps  []finding.Gap `json:"gaps,omitempty"`
	Stats finding.Stats `json:"stats"`
	// Replay: channelguard replay only.
	Replay *finding.Replay `json:"replay,omitempty"`
	// Team reports (channelguard org) only.
	Repositories []finding.RepoScan `json:"repositories,omitempty"`
	Changes      *finding.Changes   `json:"changes,omitempty"`
}

// Summary counts findings by severity.
type Summary struct {
	Total    int `json:"total"`
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
}

// New builds the document for a report.
func New(r *finding.Report) Document {
	by := r.CountBySeverity()
	doc := Document{
		SchemaVersion: SchemaVersion,
		Tool:          r.Tool,
		Target:        r.Target,
		Name:          r.Name,
		Summary: Summary{
			Total:    len(r.Findings),
			Critical: by[finding.Critical],
			High:     by[finding.High],
			Medium:   by[finding.Medium],
			Low:      by[finding.Low],
			Info:     by[finding.Info],
		},
		Findings:     r.Findings,
		Notes:        r.Notes,
		Gaps:         r.Gaps,
		Stats:        r.Stats,
		Repositories: r.Repositories,
		Changes:      r.Changes,
		Replay:       r.Replay,
	}
	if doc.Findings == nil {
		doc.Findings = []finding.Finding{}
	}
	return doc
}

// Write writes the report as indented JSON. The same report always gives
// the same bytes: findings are sorted by the caller and nothing here adds a
// timestamp.
func Write(w io.Writer, r *finding.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(New(r))
}
