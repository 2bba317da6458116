package jsonreport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/pathless"
)

// Read loads a channelguard JSON report (schema version 1) back into a
// Report, so that a saved result can be re-rendered, merged or compared
// without scanning again. The summary is not read: it is derived from the
// findings. Rules are not part of the JSON report, so the Report's Rules are
// nil; callers that want help links load the rule catalogue themselves.
//
// Anything else is an error: a SARIF log, a report of another schema
// version, a document that is not a channelguard report.
func Read(r io.Reader) (*finding.Report, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var head struct {
		SchemaVersion *int             `json:"schema_version"`
		Findings      *json.RawMessage `json:"findings"`
		Runs          *json.RawMessage `json:"runs"`
		Version       string           `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, describeJSONError(data, err)
	}
	switch {
	case head.Runs != nil:
		return nil, errors.New("this is a SARIF log, not a channelguard JSON report (write one with --format json)")
	case head.SchemaVersion == nil || head.Findings == nil:
		return nil, errors.New(`not a channelguard JSON report: no "schema_version" or "findings"`)
	case *head.SchemaVersion != SchemaVersion:
		return nil, fmt.Errorf("schema_version %d is not supported (this channelguard reads schema_version %d; use the channelguard that wrote it)", *head.SchemaVersion, SchemaVersion)
	}
	var doc Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, describeJSONError(data, err)
	}
	rep := &finding.Report{
		Tool:         doc.Tool,
		Target:       doc.Target,
		Name:         doc.Name,
		Findings:     doc.Findings,
		Notes:        doc.Notes,
		Gaps:         doc.Gaps,
		Stats:        doc.Stats,
		Repositories: doc.Repositories,
		Changes:      doc.Changes,
		Replay:       doc.Replay,
	}
	if rep.Findings == nil {
		rep.Findings = []finding.Finding{}
	}
	for i := range rep.Findings {
		// reports written before findings carried their action: the
		// message ends with it, after the first ": "
		if f := &rep.Findings[i]; f.Action == "" {
			if _, todo, ok := strings.Cut(f.Message, ": "); ok {
				f.Action = todo
			}
		}
	}
	return rep, nil
}

// ReadFile is Read of the file at path; errors name the file.
func ReadFile(path string) (*finding.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", path, pathless.Err(err))
	}
	defer f.Close()
	rep, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", path, pathless.Err(err))
	}
	return rep, nil
}

// describeJSONError says where a document stops being valid JSON, or which
// field has the wrong type, in one line.
func describeJSONError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Errorf("not valid JSON (line %d: %v)", line, err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fmt.Errorf("not a channelguard JSON report: the document is a JSON %s, not an object", te.Value)
		}
		return fmt.Errorf("not a channelguard JSON report: %q has the wrong type (%s)", te.Field, te.Value)
	}
	return fmt.Errorf("not a channelguard JSON report: %v", err)
}
