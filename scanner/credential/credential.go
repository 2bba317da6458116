// Package credential is what a scan hands a verifier: a detected LINE
// credential with the channel id found near it. Values live in memory
// only; the finding model never holds them.
package credential

import (
	"context"
	"regexp"
	"strings"

	"github.com/channelguard/channelguard/finding"
)

// Credential is one distinct detected value.
type Credential struct {
	Rule      string
	Value     string
	ChannelID string // a channel id found near a channel secret, or given
}

// VerifyFunc asks whether credentials are live; results in input order.
type VerifyFunc func(ctx context.Context, cs []Credential) []finding.Verification

// Verifiable is true for the rules a verifier knows (LINE credentials).
func Verifiable(rule string) bool {
	switch rule {
	case finding.RuleChannelAccessToken, finding.RuleChannelSecret, finding.RuleNotifyToken:
		return true
	}
	return false
}

// channelID matches a 10-digit channel id next to a name that says so:
// LINE_CHANNEL_ID=1656789012, "channelId": "1656789012", client_id=….
var channelID = regexp.MustCompile(`(?i)(?:channel|client|login)[_\-. ]?id["'\s]{0,3}(?:=>|[:=])?\s{0,3}["']?(\d{10})\b`)

// ChannelIDIn is the first channel id named in texts, "" when none is.
func ChannelIDIn(texts ...string) string {
	for _, t := range texts {
		if m := channelID.FindStringSubmatch(t); m != nil {
			return m[1]
		}
	}
	return ""
}

// Apply records v on f and says what it means: a live credential is
// critical; a revoked one stays reported (history still holds it) at low
// severity, as already rotated.
func Apply(f *finding.Finding, v finding.Verification) {
	f.Verification = &v
	switch v.Status {
	case finding.VerifiedLive:
		f.Severity = finding.Critical
		who := ""
		if v.BotName != "" {
			who = " (bot " + v.BotName + ")"
		} else if v.ChannelID != "" {
			who = " (channel " + v.ChannelID + ")"
		}
		insertNote(f, "LIVE: LINE accepted it on "+day(v.CheckedAt)+who)
	case finding.VerifiedRevoked:
		f.Severity = finding.Low
		insertNote(f, "already rotated: LINE rejected it on "+day(v.CheckedAt)+", but history still holds it")
	}
}

// insertNote puts note before the message's action, so the first
// sentence still says what and where.
func insertNote(f *finding.Finding, note string) {
	if what, ok := strings.CutSuffix(f.Message, ": "+f.Action); ok && f.Action != "" {
		f.Message = what + " — " + note + ": " + f.Action
		return
	}
	f.Message += " — " + note
}

func day(rfc3339 string) string {
	if len(rfc3339) >= 10 {
		return rfc3339[:10]
	}
	return rfc3339
}
