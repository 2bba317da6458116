// Package coverage is the one rule by which a gitleaks finding counts as
// reported by channelguard, and the differences channelguard chooses on
// purpose. internal/differential applies it to gitleaks' detector and
// channelguard's scanner run in one process; bench/compare applies it to
// the two tools' JSON reports. Both use this package so that the two
// checks cannot drift apart.
//
// A gitleaks finding (rule, file, commit, secret, lines StartLine to
// EndLine) is covered when a channelguard finding for the same file and
// secret hash, under the same rule (or with that rule in also_matched, or
// a LINE rule where gitleaks used a generic one), lists an occurrence in
// the same commit on a line of the gitleaks match: channelguard points at
// the secret's own line, gitleaks at the line its match starts on, which
// for a context rule (curl-auth-header, a private key) is lines before.
package coverage

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/zricethezav/gitleaks/v8/config"

	"github.com/channelguard/channelguard/finding"
)

// Ref is one gitleaks finding, its secret hashed.
type Ref struct {
	Rule, File, Commit string
	// Hash is channelguard's secret_sha256 of the value gitleaks reports;
	// "" for a rule that matches a path alone (pkcs12-file).
	Hash               string
	StartLine, EndLine int
}

// NewRef is the Ref of a gitleaks finding. The raw secret is only hashed.
// A finding without a secret is a rule that matched the file's path alone:
// channelguard reports the whole file, at its first line, with no value
// and so no hash.
func NewRef(rule, file, commit, secret string, startLine, endLine int) Ref {
	r := Ref{Rule: rule, File: filepath.ToSlash(file), Commit: commit, StartLine: startLine, EndLine: endLine}
	if secret == "" {
		r.StartLine, r.EndLine = 1, 1
	} else {
		r.Hash = finding.SecretHash(secret)
	}
	return r
}

// NormPath writes a path from a report the way another report's can be
// compared with it: forward slashes, no "./" or doubled separators. (A
// backslash is a separator here, though git allows one in a name: apply
// it to both sides or to neither.)
func NormPath(p string) string {
	if p == "" {
		return p
	}
	p = strings.ReplaceAll(p, "\\", "/")
	return strings.TrimPrefix(path.Clean(p), "./")
}

func (r Ref) String() string {
	c := r.Commit
	if len(c) > 8 {
		c = c[:8]
	}
	if c == "" {
		c = "-"
	}
	return fmt.Sprintf("%s %s:%d-%d %s sha256:%s", c, r.File, r.StartLine, r.EndLine, r.Rule, r.Hash)
}

// How says how a channelguard finding's rule stands for a gitleaks rule.
// Lower is closer.
type How int

const (
	// None: the finding does not stand for the gitleaks rule.
	None How = iota
	// SameRule: the same rule id.
	SameRule
	// AlsoMatched: the gitleaks rule is in the finding's also_matched
	// (gitleaks reports one value twice when two rules match it;
	// channelguard once, under the more specific rule).
	AlsoMatched
	// LineForGeneric: a LINE rule (line-*) reports a value gitleaks found
	// with a generic rule: the same value, named for what it is.
	LineForGeneric
)

func (h How) String() string {
	switch h {
	case SameRule:
		return "same rule"
	case AlsoMatched:
		return "via also_matched"
	case LineForGeneric:
		return "LINE rule covers generic"
	}
	return "none"
}

// RuleHow says whether f's rule stands for gitleaks rule rule, and how.
func RuleHow(f *finding.Finding, rule string) How {
	switch {
	case f.RuleID == rule:
		return SameRule
	case contains(f.AlsoMatched, rule):
		return AlsoMatched
	case strings.HasPrefix(f.RuleID, "line-") && strings.HasPrefix(rule, "generic-"):
		return LineForGeneric
	}
	return None
}

// SameCommit says whether an occurrence's commit is the gitleaks
// finding's: both absent (a working tree or a directory), or the same id,
// full or abbreviated to at least 7 characters.
func SameCommit(c *finding.Commit, sha string) bool {
	if c == nil || c.SHA == "" || sha == "" {
		return (c == nil || c.SHA == "") && sha == ""
	}
	a, b := strings.ToLower(c.SHA), strings.ToLower(sha)
	n := min(len(a), len(b))
	return n >= 7 && a[:n] == b[:n]
}

// At says whether o is r's place: the same file and commit, on a line of
// r's match.
func (r Ref) At(o finding.Occurrence) bool {
	return o.Path == r.File && SameCommit(o.Commit, r.Commit) &&
		o.StartLine >= r.StartLine && o.StartLine <= max(r.EndLine, r.StartLine)
}

// Best is how the closest of fs covers r, and its index in fs; None and
// -1 when none does. fs are channelguard's findings of r's file and
// secret hash.
func Best(fs []*finding.Finding, r Ref) (How, int) {
	best, by := None, -1
	for i, f := range fs {
		how := RuleHow(f, r.Rule)
		if how == None || best != None && how >= best {
			continue
		}
		for _, o := range f.Occurrences {
			if r.At(o) {
				best, by = how, i
				break
			}
		}
	}
	return best, by
}

// Reason says why a gitleaks finding channelguard does not report is not
// a failure. Each is a difference the README's table documents.
type Reason string

const (
	// AllowMarker: channelguard:allow or gitleaks:allow on any line that
	// holds a secret suppresses that secret in that file, history
	// included; gitleaks only drops the marked line's own finding.
	AllowMarker Reason = "allow marker on another occurrence of the secret in the file"
	// Allowlisted: an allowlist channelguard adds to gitleaks' default
	// rules (rules/allowlists.toml), e.g. LINE webhook reply tokens.
	Allowlisted Reason = "channelguard allowlist"
)

// AllowMarkers are the markers that make channelguard drop a secret.
var AllowMarkers = []string{"channelguard:allow", "gitleaks:allow"}

// HasAllowMarker says whether s holds an allow marker.
func HasAllowMarker(s string) bool {
	for _, m := range AllowMarkers {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// Found is what an allowlist looks at in a gitleaks finding. The values
// are raw: callers hold them only while asking.
type Found struct {
	File, Secret, Match string
	// Line is the finding's line text; LineKnown is false when the
	// caller does not have it (gitleaks' JSON report leaves it out).
	Line      string
	LineKnown bool
}

// AllowedBy says whether one of lists allows g the way gitleaks' detector
// would (regexes on its regexTarget, stop words on the secret, paths on
// the file). An allowlist whose regexes look at a line the caller does
// not know allows nothing by its regexes.
func AllowedBy(lists []*config.Allowlist, g Found) bool {
	for _, a := range lists {
		target, known := g.Secret, true
		switch a.RegexTarget {
		case "match":
			target = g.Match
		case "line":
			target, known = g.Line, g.LineKnown
		}
		regex := known && len(a.Regexes) > 0 && a.RegexAllowed(target)
		stop := false
		if len(a.StopWords) > 0 {
			stop, _ = a.ContainsStopWord(g.Secret)
		}
		path := len(a.Paths) > 0 && a.PathAllowed(g.File)
		if a.MatchCondition == config.AllowlistMatchAnd {
			if (len(a.Regexes) == 0 || regex) && (len(a.StopWords) == 0 || stop) && (len(a.Paths) == 0 || path) &&
				len(a.Regexes)+len(a.StopWords)+len(a.Paths) > 0 {
				return true
			}
			continue
		}
		if regex || stop || path {
			return true
		}
	}
	return false
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
