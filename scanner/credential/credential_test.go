package credential

import (
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
)

func TestChannelIDIn(t *testing.T) {
	for text, want := range map[string]string{
		"LINE_CHANNEL_ID=1656789012":           "1656789012",
		`{"channelId": "1656789012", "x": 1}`:  "1656789012",
		"client_id=1656789012&client_secret=x": "1656789012",
		"'channel_id' => '1656789012'":         "1656789012",
		"order id 1656789012":                  "",
		"LINE_CHANNEL_ID=12345":                "",
		"channelId: 16567890123":               "",
	} {
		if got := ChannelIDIn(text); got != want {
			t.Errorf("ChannelIDIn(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestApply(t *testing.T) {
	f := finding.Finding{Severity: finding.High, Message: "LINE channel secret in a.env:1 (committed …): reissue it.", Action: "reissue it."}
	Apply(&f, finding.Verification{Status: finding.VerifiedLive, CheckedAt: "2026-11-25T10:00:00Z", BotName: "Shop bot"})
	if want := "LINE channel secret in a.env:1 (committed …) — LIVE: LINE accepted it on 2026-11-25 (bot Shop bot): reissue it."; f.Severity != finding.Critical || f.Message != want || f.Action != "reissue it." {
		t.Errorf("live: %s %q", f.Severity, f.Message)
	}
	g := finding.Finding{Severity: finding.High, Message: "x in y: do z", Action: "do z"}
	Apply(&g, finding.Verification{Status: finding.VerifiedRevoked, CheckedAt: "2026-11-25T10:00:00Z"})
	if g.Severity != finding.Low || !strings.Contains(g.Message, "already rotated") {
		t.Errorf("revoked: %s %q", g.Severity, g.Message)
	}
	h := finding.Finding{Severity: finding.High, Message: "m"}
	Apply(&h, finding.Verification{Status: finding.VerifiedError, Detail: "timeout"})
	if h.Severity != finding.High || h.Verification.Status != "error" || h.Message != "m" {
		t.Errorf("error: %+v", h)
	}
}
