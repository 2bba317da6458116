package finding

import (
	"fmt"
	"strings"
)

// Severity orders findings for --fail-on and maps to SARIF.
type Severity int

const (
	// Info is not a finding to act on but something to know: a coverage
	// gap (a capture body that was missing or cut short). It never fails a
	// run unless --fail-on info asks for it.
	Info Severity = iota + 1
	Low
	Medium
	High
	Critical
)

var severityNames = map[Severity]string{Info: "info", Low: "low", Medium: "medium", High: "high", Critical: "critical"}

// Severities lists every severity, most severe first.
var Severities = []Severity{Critical, High, Medium, Low, Info}

func (s Severity) String() string {
	if n, ok := severityNames[s]; ok {
		return n
	}
	return "unknown"
}

// ParseSeverity accepts the lower-case names used on the command line and in
// config files.
func ParseSeverity(s string) (Severity, error) {
	for sev, name := range severityNames {
		if strings.EqualFold(strings.TrimSpace(s), name) {
			return sev, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want critical, high, medium, low or info)", s)
}

// Score is GitHub's security-severity: ≥9 critical, 7–8.9 high, 4–6.9
// medium, below 4 low.
func (s Severity) Score() string {
	switch s {
	case Critical:
		return "9.5"
	case High:
		return "8.0"
	case Medium:
		return "5.5"
	case Low:
		return "3.0"
	default:
		return "" // not a security problem: no security-severity
	}
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
