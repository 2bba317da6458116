// Package finding holds the one model every channelguard source produces and
// every reporter consumes. It never holds a raw secret: only a redacted
// preview and a short hash, so nothing downstream can leak one by accident.
//
// It also owns the names other packages act on: the LINE rule ids
// (rules.go), repository statuses of a team report (RepoOK, RepoPartial,
// RepoFailed) and gap kinds.
package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Location is a place in a file. Lines and columns are 1-based; EndColumn is
// one past the last character, as SARIF wants.
type Location struct {
	Path        string `json:"path"`
	StartLine   int    `json:"start_line"`
	StartColumn int    `json:"start_column"`
	EndLine     int    `json:"end_line"`
	EndColumn   int    `json:"end_column"`
}

func (l Location) String() string {
	if l.StartLine == 0 {
		return l.Path
	}
	return fmt.Sprintf("%s:%d", l.Path, l.StartLine)
}

// Commit identifies the commit an occurrence was found in.
type Commit struct {
	SHA    string `json:"sha"`
	Author string `json:"author,omitempty"`
	Email  string `json:"email,omitempty"`
	// Date is the author date in RFC 3339, UTC.
	Date string `json:"date,omitempty"`
}

// Short returns the abbreviated SHA used in messages.
func (c *Commit) Short() string {
	if c == nil {
		return ""
	}
	if len(c.SHA) > 8 {
		return c.SHA[:8]
	}
	return c.SHA
}

// Day is the commit's date without the time (YYYY-MM-DD), for messages.
func (c *Commit) Day() string {
	if c == nil {
		return ""
	}
	if len(c.Date) >= 10 {
		return c.Date[:10]
	}
	return c.Date
}

// Occurrence is one place one secret was seen: a line in a commit's diff, or
// a line in the working tree (Commit nil).
type Occurrence struct {
	Location
	Commit  *Commit  `json:"commit,omitempty"`
	Capture *Capture `json:"capture,omitempty"`
	// GitleaksFingerprint is gitleaks' fingerprint of the finding at this
	// place ("commit:file:rule-id:line", "file:rule-id:line" outside
	// history; the line is where the rule's match starts): a line of
	// .gitleaksignore that drops this occurrence, in channelguard and in
	// gitleaks alike.
	GitleaksFingerprint string `json:"gitleaks_fingerprint,omitempty"`
}

// Capture is where in an API capture (a HAR file) something was found:
// the logical location beside the file and line.
type Capture struct {
	File  string `json:"file"`
	Entry int    `json:"entry"` // index in log.entries, 0-based
	// Role is the role the capture was recorded as ("" when not given).
	Role   string `json:"role,omitempty"`
	Method string `json:"method"`
	// URL is scheme, host and Template: no query string, whose values may
	// be secrets.
	URL string `json:"url"`
	// Template is the URL path with ids (numbers, UUIDs, long hex, ULIDs,
	// LINE user ids) replaced by {id}.
	Template string `json:"template"`
	// Path is the request path (no query), with any segment that looks
	// like a credential replaced by {redacted}: the resource, e.g. which
	// channel.
	Path   string `json:"path"`
	Status int    `json:"status,omitempty"`
	// Part is url, query, request-header, cookie, request-body,
	// response-header, set-cookie, response-body, or websocket-send or
	// websocket-receive (a WebSocket message the page sent or received).
	Part string `json:"part"`
	// Field names the header, cookie or parameter, or is the RFC 9535
	// JSONPath of a body's field ("" when the whole body is meant). In a
	// WebSocket message it is "frame N" (its index in the entry's
	// _webSocketMessages), then the JSONPath in a JSON message.
	Field string `json:"field,omitempty"`
	// Time is the entry's startedDateTime: when this was captured.
	Time string `json:"time,omitempty"`
}

// Endpoint is "METHOD template", e.g. "GET /api/v1/channels/{id}".
func (c *Capture) Endpoint() string { return c.Method + " " + c.Template }

// Exposure says how long a secret has been readable by anyone with the
// repository and whether it still is.
type Exposure struct {
	// FirstCommit is the oldest commit that added the secret (nil when it
	// was only seen in the working tree).
	FirstCommit *Commit `json:"first_commit,omitempty"`
	// StillAtHead is true when the scanned tip commit still holds it.
	StillAtHead bool `json:"still_at_head"`
	// InWorkingTree is true when the working tree holds it (committed or not).
	InWorkingTree bool `json:"in_working_tree"`
	// Staged is true when the index adds it: staged for the next commit
	// (scan --staged, which reads neither history nor the working tree).
	Staged bool `json:"staged,omitempty"`
	// RemovedIn is the commit that deleted the last copy, when known.
	RemovedIn *Commit `json:"removed_in,omitempty"`
}

// Finding is one secret in one file, however many commits it appears in.
type Finding struct {
	// Repository is owner/name in a team report (channelguard org).
	Repository string `json:"repository,omitempty"`
	// Change is "new" or "open" when the report was compared with a
	// previous one (team reports).
	Change string `json:"change,omitempty"`

	RuleID   string   `json:"rule_id"`
	Severity Severity `json:"severity"`
	// Title is the rule's short description ("LINE channel secret").
	Title string `json:"title"`
	// Message is the finding's own sentence: what leaked, where, what to do.
	Message string `json:"message"`
	// Action is what to do, as the message ends with it ("reissue the
	// channel secret in the LINE Developers console."): reports quote it
	// beside the finding.
	Action string `json:"action,omitempty"`
	// Location is the newest occurrence: the working tree when the secret is
	// still there, otherwise the newest commit that added it.
	Location Location `json:"location"`
	// Commit of the newest occurrence; nil when Location is the working tree.
	Commit *Commit `json:"commit,omitempty"`
	// SecretPreview is redacted: first four characters and the length.
	SecretPreview string `json:"secret_preview"`
	// SecretSHA256 is the first 12 hex characters of the SHA-256 of the raw
	// value, so the same secret can be matched across reports and tools.
	SecretSHA256 string `json:"secret_sha256"`
	// Fingerprint is stable when lines move: rule, file and secret hash.
	Fingerprint string       `json:"fingerprint"`
	Exposure    Exposure     `json:"exposure"`
	Occurrences []Occurrence `json:"occurrences"`
	// MoreOccurrences counts occurrences left out of Occurrences (a
	// capture finding lists its earliest 50).
	MoreOccurrences int `json:"more_occurrences,omitempty"`
	// AlsoMatched lists other rules that matched the same secret here.
	AlsoMatched []string `json:"also_matched,omitempty"`

	// Capture is set for findings in API captures: where the first
	// occurrence stands, logically.
	Capture *Capture `json:"capture,omitempty"`
	// PolicyRule is the role-policy rule a role finding breaks.
	PolicyRule string `json:"policy_rule,omitempty"`
	// Roles compared: for a role finding, the higher roles whose captures
	// received the same value (evidence the value is the real one).
	SameAs []string `json:"same_value_as,omitempty"`
	// Confirmed says how the value was proven real offline, e.g. a captured
	// webhook's X-Line-Signature that verifies with this channel secret.
	Confirmed string `json:"confirmed,omitempty"`
	// Remediation holds finding-specific steps before the rule's own.
	Remediation string `json:"remediation,omitempty"`
	// Verification is what LINE said of the credential (--verify only).
	Verification *Verification `json:"verification,omitempty"`
}

// Verification statuses.
const (
	VerifiedLive       = "live"
	VerifiedRevoked    = "revoked"
	VerifiedUnverified = "unverified"
	VerifiedError      = "error"
)

// Verification is the result of asking LINE whether a credential works,
// with calls that change nothing on the channel.
type Verification struct {
	Status    string `json:"status"` // live, revoked, unverified or error
	CheckedAt string `json:"checked_at,omitempty"`
	ChannelID string `json:"channel_id,omitempty"`
	BotName   string `json:"bot_name,omitempty"`
	BasicID   string `json:"basic_id,omitempty"`
	ExpiresIn int64  `json:"expires_in,omitempty"`
	Detail    string `json:"detail,omitempty"`
}

// ForSecret starts the finding of one secret found by rule meta in path:
// rule, severity, title, preview, hash, fingerprint and the other rules
// that found the same value. The raw value is only read, never kept.
func ForSecret(meta Rule, path, secret string, also map[string]bool) Finding {
	hash := SecretHash(secret)
	f := Finding{
		RuleID:        meta.ID,
		Severity:      meta.Severity,
		Title:         meta.Title,
		SecretPreview: Preview(secret),
		SecretSHA256:  hash,
		Fingerprint:   Fingerprint(meta.ID, path, hash),
	}
	for r := range also {
		f.AlsoMatched = append(f.AlsoMatched, r)
	}
	sort.Strings(f.AlsoMatched)
	return f
}

// WholeFile is the preview of a finding about a file as a whole: a rule
// that matches a path alone (gitleaks' pkcs12-file), with no value to show.
const WholeFile = "(whole file)"

// ForFile starts the finding of a file that rule meta reports by its path
// alone (a PKCS#12 bundle): no value, so no hash; the fingerprint is the
// rule and the path, stable for as long as the file keeps its name.
func ForFile(meta Rule, path string) Finding {
	return Finding{
		RuleID:        meta.ID,
		Severity:      meta.Severity,
		Title:         meta.Title,
		SecretPreview: WholeFile,
		Fingerprint:   Fingerprint(meta.ID, path, ""),
	}
}

// SecretHash is the short SHA-256 used in reports (first 12 hex chars).
func SecretHash(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])[:12]
}

// Preview redacts a secret: its first four characters, an ellipsis and its
// length. Secrets shorter than 12 characters show only the first two, so a
// preview never reveals a meaningful share of the value.
func Preview(raw string) string {
	n := utf8.RuneCountInString(raw)
	keep := 4
	if n < 12 {
		keep = 2
	}
	if n <= keep {
		return fmt.Sprintf("… (%d chars)", n)
	}
	var b strings.Builder
	for i, r := range raw {
		if utf8.RuneCountInString(raw[:i]) >= keep {
			break
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s… (%d chars)", b.String(), n)
}

// Fingerprint is the stable key of a finding: it depends on the rule, the
// file and the secret's hash, never on the line, so moving a line does not
// reopen an alert. It never contains the secret.
func Fingerprint(ruleID, path, secretHash string) string {
	sum := sha256.Sum256([]byte(ruleID + "\x00" + path + "\x00" + secretHash))
	return hex.EncodeToString(sum[:])[:32]
}
