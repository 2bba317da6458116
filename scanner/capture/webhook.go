package capture

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/scanner/har"
)

// maxWebhookBytes bounds the webhook bodies kept for signature checks.
const maxWebhookBytes = 64 << 20

// webhook is a captured LINE Platform webhook delivery: the signature the
// platform computed with the channel secret, and the raw body it signed.
type webhook struct {
	sig   []byte
	body  string
	line  int
	col   int
	where finding.Occurrence
}

// webhookOf finds an X-Line-Signature request header with a body held in
// full; HTTP/2 captures write header names in lower case.
func webhookOf(e *har.Entry) (webhook, bool) {
	b := e.Request.Body
	if b == nil || b.Missing || b.Truncated || b.BadBase64 || b.Text == "" {
		return webhook{}, false
	}
	for _, h := range e.Request.Headers {
		if !strings.EqualFold(h.Name, "x-line-signature") {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h.Value))
		if err != nil || len(sig) != sha256.Size {
			continue
		}
		return webhook{sig: sig, body: b.Text, line: h.Line, col: h.Column}, true
	}
	return webhook{}, false
}

var channelSecretShape = regexp.MustCompile(`^[0-9a-f]{32}$`)

// confirm checks every channel-secret candidate of the run against every
// captured webhook signature: HMAC-SHA256(secret, body) equal to the
// signature proves the value is the channel's secret (as of that
// delivery). Offline: nothing is sent anywhere.
func (st *state) confirm() map[string]string {
	if len(st.webhooks) == 0 {
		return nil
	}
	cands := map[string]bool{}
	add := func(s string) {
		if channelSecretShape.MatchString(s) {
			cands[s] = true
		}
	}
	for _, c := range st.opts.Candidates {
		add(c)
	}
	for k := range st.secrets {
		add(k.secret)
	}
	for _, g := range st.roles {
		for _, o := range g.occs.list {
			add(o.raw)
		}
	}
	out := map[string]string{}
	for c := range cands {
		for _, w := range st.webhooks {
			m := hmac.New(sha256.New, []byte(c))
			m.Write([]byte(w.body))
			if hmac.Equal(m.Sum(nil), w.sig) {
				wc := w.where.Capture
				when := ""
				if wc.Time != "" {
					when = " on " + wc.Time
				}
				out[finding.SecretHash(c)] = fmt.Sprintf("the X-Line-Signature of the webhook delivery at %s:%d (entry %d, %s%s) verifies with this value: it was the channel's secret then",
					w.where.Path, w.where.StartLine, wc.Entry, wc.Endpoint(), when)
				break
			}
		}
	}
	return out
}
