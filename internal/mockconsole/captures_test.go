package mockconsole

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/scanner/har"
)

// Fixture integrity of testdata/captures (recorded by record.sh from this
// package's console). Failure messages name files, paths and keys only,
// never a credential value.

var capturesDir = filepath.Join("..", "..", "testdata", "captures")

func readAll(t *testing.T, name string) ([]*har.Entry, error) {
	t.Helper()
	r, err := har.Open(filepath.Join(capturesDir, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer r.Close()
	var out []*har.Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
}

func mustRead(t *testing.T, name string) []*har.Entry {
	t.Helper()
	es, err := readAll(t, name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return es
}

func pathOf(e *har.Entry) string {
	u, err := url.Parse(e.Request.URL)
	if err != nil {
		return ""
	}
	return u.Path
}

func jsonBody(e *har.Entry) map[string]any {
	if e.Response.Body == nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal([]byte(e.Response.Body.Text), &m) != nil {
		return nil
	}
	return m
}

// exposed lists the role-sensitive fields a capture holds, as
// "METHOD path $.jsonpath", checking each value is the fake credential
// the console serves.
func exposed(t *testing.T, name string, es []*har.Entry) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	secrets := map[string]string{"/api/v1/channels/" + MessagingChannelID: MessagingChannelSecret, "/api/v1/channels/" + LoginChannelID: LoginChannelSecret}
	for _, e := range es {
		p := pathOf(e)
		b := jsonBody(e)
		if b == nil {
			continue
		}
		key := e.Request.Method + " " + p + " "
		if v, ok := b["channelSecret"]; ok && v != nil {
			if v != secrets[p] {
				t.Errorf("%s: entry %d %s: $.channelSecret is not the channel's fake secret", name, e.Index, p)
			}
			out[key+"$.channelSecret"] = true
		}
		if v, ok := b["channelAccessToken"]; ok && v != nil {
			if v != MessagingAccessToken {
				t.Errorf("%s: entry %d %s: $.channelAccessToken is not the fake token", name, e.Index, p)
			}
			out[key+"$.channelAccessToken"] = true
		}
		if roles, ok := b["roles"].([]any); ok {
			for _, r := range roles {
				if r, ok := r.(map[string]any); ok && r["email"] != nil {
					out[key+"$.roles[*].email"] = true
				}
			}
		}
	}
	return out
}

var (
	msgBasic  = "GET /api/v1/channels/" + MessagingChannelID + " $.channelSecret"
	loginBase = "GET /api/v1/channels/" + LoginChannelID + " $.channelSecret"
	msgToken  = "GET /api/v1/channels/" + MessagingChannelID + "/messaging-api $.channelAccessToken"
	msgRoles  = "GET /api/v1/channels/" + MessagingChannelID + "/roles $.roles[*].email"
	loginRole = "GET /api/v1/channels/" + LoginChannelID + "/roles $.roles[*].email"
	buggy     = []string{msgBasic, loginBase, msgToken, msgRoles, loginRole}
)

func TestCapturesFields(t *testing.T) {
	for _, c := range []struct {
		file string
		want []string
	}{
		{"console-admin.har", buggy}, // present, and allowed: admin
		{"console-member.har", buggy},
		{"console-tester.har", buggy},
		{"console-admin-fixed.har", buggy}, // allowed: admin
		{"console-member-fixed.har", nil},
		{"console-tester-fixed.har", nil},
		{"quirks/fiddler-member.har", buggy},
		{"quirks/arrays-member.har", buggy},
		{"quirks/base64-member.har", buggy},
		{"quirks/bom-member.har", buggy},
		{"quirks/h2-member.har", buggy},
		{"quirks/member.har.gz", buggy},
		{"quirks/member.zhar", buggy},
		{"quirks/firefox-member.har", []string{msgBasic, msgToken, msgRoles, loginRole}}, // login basic body not included
	} {
		es := mustRead(t, c.file)
		got := slices.Sorted(maps.Keys(exposed(t, c.file, es)))
		want := slices.Sorted(slices.Values(c.want))
		if !slices.Equal(got, want) {
			t.Errorf("%s: sensitive fields\n got %q\nwant %q", c.file, got, want)
		}
	}
}

// TestCapturesMayReceive: own profile and statistics are in the captures
// of every role that may see them.
func TestCapturesMayReceive(t *testing.T) {
	stats := []string{"/insight/followers", "/insight/demographic", "/insight/message/delivery"}
	for _, c := range []struct {
		file, email string
		stats       int
	}{
		{"console-admin.har", "alice@example.com", 200},
		{"console-member.har", "bob@example.com", 200},
		{"console-tester.har", "carol@example.com", 403},
		{"console-admin-fixed.har", "alice@example.com", 200},
		{"console-member-fixed.har", "bob@example.com", 200},
		{"console-tester-fixed.har", "carol@example.com", 403},
	} {
		es := mustRead(t, c.file)
		seen := map[string]bool{}
		for _, e := range es {
			p := pathOf(e)
			if b := e.Response.Body; b != nil && (b.Missing || b.Truncated) {
				t.Errorf("%s: entry %d %s: body missing or truncated", c.file, e.Index, p)
			}
			if p == "/api/v1/me" {
				if b := jsonBody(e); b == nil || b["email"] != c.email {
					t.Errorf("%s: /api/v1/me has not the user's own email", c.file)
				}
				seen["me"] = true
			}
			for _, s := range stats {
				if p != "/api/v1/channels/"+MessagingChannelID+s {
					continue
				}
				seen[s] = true
				if e.Response.Status != c.stats {
					t.Errorf("%s: %s: status %d, want %d", c.file, p, e.Response.Status, c.stats)
				}
				if c.stats == 200 {
					if b := jsonBody(e); b == nil || (b["status"] != "ready" && b["available"] != true) {
						t.Errorf("%s: %s: not a ready statistics response", c.file, p)
					}
				}
			}
		}
		for _, k := range append([]string{"me"}, stats...) {
			if !seen[k] {
				t.Errorf("%s: no %s entry", c.file, k)
			}
		}
	}
}

func TestCapturesFixedShapes(t *testing.T) {
	es := mustRead(t, "console-member-fixed.har")
	for _, e := range es {
		switch pathOf(e) {
		case "/api/v1/channels/" + MessagingChannelID:
			if _, ok := jsonBody(e)["channelSecret"]; ok {
				t.Errorf("console-member-fixed.har: messaging channel settings have a channelSecret key")
			}
		case "/api/v1/channels/" + LoginChannelID:
			if v, ok := jsonBody(e)["channelSecret"]; !ok || v != nil {
				t.Errorf("console-member-fixed.har: login channel settings: channelSecret is not null")
			}
		case "/api/v1/channels/" + MessagingChannelID + "/roles", "/api/v1/channels/" + LoginChannelID + "/roles":
			if e.Response.Status != 403 {
				t.Errorf("console-member-fixed.har: %s: status %d, want 403", pathOf(e), e.Response.Status)
			}
		}
	}
}

func TestQuirkShapes(t *testing.T) {
	es := mustRead(t, "quirks/firefox-member.har")
	var missing, truncated []string
	for _, e := range es {
		if b := e.Response.Body; b != nil {
			if b.Missing {
				missing = append(missing, pathOf(e))
			}
			if b.Truncated {
				truncated = append(truncated, pathOf(e))
				if len(b.Text) != 1<<20 || b.Size <= int64(len(b.Text)) {
					t.Errorf("firefox-member.har: %s: truncated body is %d bytes of %d, want 1 MiB of more", pathOf(e), len(b.Text), b.Size)
				}
			}
		}
	}
	if !slices.Equal(missing, []string{"/api/v1/channels/" + LoginChannelID}) {
		t.Errorf("firefox-member.har: bodies without text: %q", missing)
	}
	if !slices.Equal(truncated, []string{"/static/vendor.js"}) {
		t.Errorf("firefox-member.har: truncated bodies: %q", truncated)
	}

	for _, e := range mustRead(t, "quirks/h2-member.har") {
		if e.Request.HTTPVersion != "h2" || len(e.Request.Headers) < 4 || e.Request.Headers[0].Name != ":authority" || e.Request.Headers[2].Value != strings.TrimPrefix(e.Request.URL, "https://"+e.Request.Headers[0].Value) {
			t.Errorf("h2-member.har: entry %d: not an HTTP/2 request with pseudo-headers", e.Index)
		}
	}

	member := mustRead(t, "console-member.har")
	for _, f := range []string{"fiddler-member.har", "arrays-member.har", "base64-member.har", "bom-member.har", "h2-member.har", "member.har.gz", "member.zhar"} {
		es := mustRead(t, "quirks/"+f)
		if len(es) != len(member) {
			t.Errorf("%s: %d entries, want %d as console-member.har", f, len(es), len(member))
			continue
		}
		for i, e := range es {
			m := member[i]
			if pathOf(e) != pathOf(m) || e.Response.Status != m.Response.Status || len(e.Request.Headers) == 0 {
				t.Errorf("%s: entry %d differs from console-member.har in path, status or headers", f, i)
			}
			if (e.Response.Body == nil) != (m.Response.Body == nil) || e.Response.Body != nil && e.Response.Body.Text != m.Response.Body.Text {
				t.Errorf("%s: entry %d: response body differs from console-member.har", f, i)
			}
		}
	}
}

func TestQuirkWebhook(t *testing.T) {
	es := mustRead(t, "quirks/webhook.har")
	if len(es) != 1 {
		t.Fatalf("webhook.har: %d entries, want 1", len(es))
	}
	e := es[0]
	if e.Request.Method != "POST" || e.Request.URL != "https://bot.example.test/callback" || e.Request.Body == nil {
		t.Fatalf("webhook.har: not a POST to the webhook URL with a body")
	}
	var sig string
	for _, h := range e.Request.Headers {
		if strings.EqualFold(h.Name, "X-Line-Signature") {
			sig = h.Value
		}
	}
	verify := func(secret string) bool {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(e.Request.Body.Text))
		got, err := base64.StdEncoding.DecodeString(sig)
		return err == nil && hmac.Equal(got, mac.Sum(nil))
	}
	if !verify(MessagingChannelSecret) {
		t.Errorf("webhook.har: X-Line-Signature does not verify with the messaging channel's fake secret")
	}
	if verify(LoginChannelSecret) {
		t.Errorf("webhook.har: X-Line-Signature verifies with the login channel's secret")
	}
	var body struct {
		Destination string `json:"destination"`
		Events      []struct {
			Type       string `json:"type"`
			ReplyToken string `json:"replyToken"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(e.Request.Body.Text), &body); err != nil || body.Destination != BotUserID || len(body.Events) != 1 || body.Events[0].Type != "message" {
		t.Errorf("webhook.har: body is not a message event to the bot")
	}
}

func TestQuirkBroken(t *testing.T) {
	var herr *har.Error
	es, err := readAll(t, "quirks/not-a-har.json")
	if !errors.As(err, &herr) || len(es) != 0 {
		t.Errorf("not-a-har.json: got %d entries and error %v, want a *har.Error at once", len(es), err)
	}
	es, err = readAll(t, "quirks/cut-member.har")
	if !errors.As(err, &herr) {
		t.Errorf("cut-member.har: error %v, want a *har.Error", err)
	}
	got := slices.Sorted(maps.Keys(exposed(t, "cut-member.har", es)))
	if want := slices.Sorted(slices.Values([]string{msgBasic, msgToken})); !slices.Equal(got, want) {
		t.Errorf("cut-member.har: sensitive fields before the cut\n got %q\nwant %q", got, want)
	}
	member := mustRead(t, "console-member.har")
	if len(es) == 0 || len(es) >= len(member) || pathOf(member[len(es)]) != "/api/v1/channels/"+MessagingChannelID+"/roles" {
		t.Errorf("cut-member.har: %d whole entries; want all those before the messaging channel's roles entry", len(es))
	}
}
