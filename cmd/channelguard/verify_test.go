package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
)

// A stand-in for api.line.me: the token is live, the secret is not (for
// channel 1656789012), and the Notify token must never reach it.
func TestScanVerify(t *testing.T) {
	token := fakecred.AccessToken("cli-verify-token")
	secret := fakecred.ChannelSecret("cli-verify-secret")
	notify := fakecred.NotifyToken("cli-verify-notify")
	var mu sync.Mutex
	var calls []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, r.Method+" "+r.URL.Path)
		mu.Unlock()
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v2/oauth/verify" && r.PostForm.Get("access_token") == token:
			w.Write([]byte(`{"client_id":"1656789012","expires_in":2591659,"scope":"profile chat_message.write"}`))
		case r.URL.Path == "/v2/bot/info" && r.Header.Get("Authorization") == "Bearer "+token:
			w.Write([]byte(`{"userId":"U00000000000000000000000000000000","basicId":"@123abcde","displayName":"Shop bot","chatMode":"bot","markAsReadMode":"auto"}`))
		case r.URL.Path == "/oauth2/v3/token" && r.PostForm.Get("client_id") == "1656789012" && r.PostForm.Get("client_secret") == secret:
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid_client","error_description":"invalid client_secret"}`))
		default:
			t.Errorf("unexpected LINE API call %s %s", r.Method, r.URL.Path)
			w.WriteHeader(http.StatusTeapot)
		}
	}))
	defer srv.Close()

	r := gittest.New(t)
	r.Commit("bot", map[string]string{
		"bot.env":  "LINE_CHANNEL_ID=1656789012\nLINE_CHANNEL_SECRET=" + secret + "\nLINE_CHANNEL_ACCESS_TOKEN=" + token + "\n",
		"token.py": "line_bot_api = LineBotApi('" + token + "')\n",
		"n.sh":     "curl -H 'Authorization: Bearer " + notify + "' https://notify-api.line.me/api/notify\n",
	})
	res := runCLI(t, "scan", r.Dir, "--verify", "--line-api-url", srv.URL, "-f", "json")
	if res.code != exitFindings {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, s := range []string{token, secret, notify} {
		if strings.Contains(res.stdout, s) || strings.Contains(res.stderr, s) {
			t.Fatal("a raw credential is in the output")
		}
	}
	var doc struct {
		Findings []struct {
			RuleID       string `json:"rule_id"`
			Severity     string
			Verification *struct{ Status, CheckedAt, BotName string } `json:"verification"`
		}
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"line-channel-access-token": "live critical", "line-channel-secret": "revoked low", "line-notify-token": "unverified low"}
	for _, f := range doc.Findings {
		if f.Verification == nil {
			t.Errorf("%s: no verification", f.RuleID)
			continue
		}
		if got := f.Verification.Status + " " + f.Severity; got != want[f.RuleID] {
			t.Errorf("%s: %s, want %s", f.RuleID, got, want[f.RuleID])
		}
	}
	// two files hold the token: still one verify and one bot info call
	if got := strings.Join(calls, ", "); strings.Count(got, "/v2/oauth/verify") != 1 || strings.Count(got, "/oauth2/v3/token") != 1 || len(calls) != 3 {
		t.Errorf("LINE API calls: %s", got)
	}

	if res := runCLI(t, "scan", r.Dir, "--channel-id", "1656789012"); res.code != exitError || !strings.Contains(res.stderr, "need --verify") {
		t.Errorf("--channel-id without --verify: exit %d, %q", res.code, res.stderr)
	}
}
