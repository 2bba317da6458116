package finding

// Access results of a replayed request (channelguard replay): what the
// lower role got compared with what the capture's role got.
const (
	// AccessEnforced: the lower role was refused (401, 403 or 404, or
	// sent to a sign-in page) where the capture's role was served.
	AccessEnforced = "enforced"
	// AccessSame: served with the same fields (values may differ).
	AccessSame = "same"
	// AccessFiltered: served, with fields the capture's role received
	// removed, emptied or masked.
	AccessFiltered = "filtered"
	// AccessChanged: another status, or a body that cannot be compared
	// field by field and differs.
	AccessChanged = "changed"
	// AccessServerError: a 5xx answer; a coverage gap, not a result.
	AccessServerError = "server-error"
	// AccessFailed: no answer (timeout, connection refused); a coverage gap.
	AccessFailed = "failed"
	// AccessSkipped: not sent, for safety (Detail says why).
	AccessSkipped = "skipped"
	// AccessNotSent: not sent because the replay stopped first.
	AccessNotSent = "not-sent"
)

// Replay is what an active role replay sent and how each endpoint answered
// the lower role. It holds no header value, cookie value or field value:
// only methods, URLs with credential-like parts redacted, statuses and
// field paths.
type Replay struct {
	Capture string `json:"capture"`
	Role    string `json:"role"` // the role the capture was recorded as
	As      string `json:"as"`   // the lower role replayed
	// Target is the origin requests were sent to when --target rebased
	// the capture.
	Target string `json:"target,omitempty"`
	// Recorded is the HAR file the replayed exchanges were written to.
	Recorded string `json:"recorded,omitempty"`
	Sent     int    `json:"sent"`
	Skipped  int    `json:"skipped"`
	NotSent  int    `json:"not_sent,omitempty"`
	// Duplicates counts capture entries that repeat an earlier request
	// (same method and URL): sent once.
	Duplicates int `json:"duplicates,omitempty"`
	// Stopped says why the replay stopped before the end ("" when it did
	// not).
	Stopped   string   `json:"stopped,omitempty"`
	Endpoints []Access `json:"endpoints"`
}

// Access is one replayed (or skipped) request.
type Access struct {
	Entry  int    `json:"entry"` // index of the entry in the capture, 0-based
	Method string `json:"method"`
	URL    string `json:"url"`
	// Template is the path with ids as {id}, as findings name endpoints.
	Template       string `json:"template"`
	CapturedStatus int    `json:"captured_status"`
	Status         int    `json:"status,omitempty"` // 0 when not answered
	Result         string `json:"result"`
	Detail         string `json:"detail,omitempty"`
	// Removed are fields (JSONPaths, list indices as [*]) the capture's
	// role received with a value and the lower role did not, or got empty
	// or masked; Added the reverse; Differ fields both got with other
	// values.
	Removed []string `json:"removed,omitempty"`
	Added   []string `json:"added,omitempty"`
	Differ  []string `json:"differ,omitempty"`
}

// Gap is true for results that say nothing about access control.
func (a Access) Gap() bool {
	return a.Result == AccessServerError || a.Result == AccessFailed
}
