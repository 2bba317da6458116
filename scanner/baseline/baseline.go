// Package baseline reads a previous channelguard report (JSON or SARIF) and
// answers whether a finding was already in it, by fingerprint.
package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/channelguard/channelguard/internal/pathless"
)

// Set is the fingerprints of a previous report.
type Set map[string]struct{}

// Has reports whether fp was in the baseline.
func (s Set) Has(fp string) bool {
	_, ok := s[fp]
	return ok
}

// PartialFingerprintKey is the key channelguard writes in SARIF
// partialFingerprints.
const PartialFingerprintKey = "channelguard/v1"

// Load reads a channelguard JSON or SARIF report.
func Load(path string) (Set, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, pathless.Err(err))
	}
	s, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	return s, nil
}

func parse(data []byte) (Set, error) {
	var doc struct {
		Findings *[]struct {
			Fingerprint string `json:"fingerprint"`
		} `json:"findings"`
		Runs *[]struct {
			Results []struct {
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
			return nil, fmt.Errorf("not valid JSON (line %d: %v)", line, err)
		}
		return nil, fmt.Errorf("not a channelguard JSON or SARIF report: %v", err)
	}
	s := Set{}
	switch {
	case doc.Findings != nil:
		for _, f := range *doc.Findings {
			if f.Fingerprint != "" {
				s[f.Fingerprint] = struct{}{}
			}
		}
	case doc.Runs != nil:
		for _, run := range *doc.Runs {
			for _, r := range run.Results {
				if fp := r.PartialFingerprints[PartialFingerprintKey]; fp != "" {
					s[fp] = struct{}{}
				}
			}
		}
	default:
		return nil, errors.New(`not a channelguard report: it has neither "findings" (JSON) nor "runs" (SARIF)`)
	}
	return s, nil
}
