package rules

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/scanner/finding"
)

var (
	testSecret = fakecred.ChannelSecret("secret")
	testToken  = fakecred.AccessToken("token")
	testNotify = fakecred.NotifyToken("notify")
)

func expand(s string) string {
	return strings.NewReplacer("{S}", testSecret, "{T}", testToken, "{N}", testNotify).Replace(s)
}

func detectLINE(t *testing.T, text string) []report.Finding {
	t.Helper()
	set, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	d := detect.NewDetector(set.Config)
	var out []report.Finding
	for _, f := range d.DetectString(text) {
		if strings.HasPrefix(f.RuleID, "line-") {
			out = append(out, f)
		}
	}
	return out
}

// describeFindings says what matched without printing a secret.
func describeFindings(fs []report.Finding) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, fmt.Sprintf("%s line %d secret %s", f.RuleID, f.StartLine, finding.Preview(f.Secret)))
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

func TestLINERulesFind(t *testing.T) {
	tests := []struct {
		rule, want, sample string
	}{
		// line-channel-secret: names and assignment forms
		{"line-channel-secret", "{S}", "LINE_CHANNEL_SECRET={S}"},
		{"line-channel-secret", "{S}", `LINE_CHANNEL_SECRET="{S}"`},
		{"line-channel-secret", "{S}", "export LINE_CHANNEL_SECRET='{S}'"},
		{"line-channel-secret", "{S}", "LINE_LOGIN_CHANNEL_SECRET={S} # login"},
		{"line-channel-secret", "{S}", `channel_secret = "{S}"`},
		{"line-channel-secret", "{S}", `channel_secret = b"{S}"`},
		{"line-channel-secret", "{S}", `LINE_SECRET = '{S}'`},
		{"line-channel-secret", "{S}", `$channelSecret = '{S}';`},
		{"line-channel-secret", "{S}", "line.bot.channel-secret={S}"},
		{"line-channel-secret", "{S}", "line:\n  bot:\n    channel-secret: \"{S}\"\n    channel-token: x\n"},
		{"line-channel-secret", "{S}", `{"channelSecret": "{S}", "channelAccessToken": "x"}`},
		{"line-channel-secret", "{S}", `{"LINE_CHANNEL_SECRET":"{S}"}`},
		{"line-channel-secret", "{S}", "FROM node:20\nENV LINE_CHANNEL_SECRET {S}\n"},
		{"line-channel-secret", "{S}", "FROM node:20\nENV LINE_CHANNEL_SECRET={S}\n"},
		{"line-channel-secret", "{S}", "jobs:\n  deploy:\n    env:\n      LINE_CHANNEL_SECRET: {S}\n"},
		{"line-channel-secret", "{S}", "services:\n  bot:\n    environment:\n      - LINE_CHANNEL_SECRET={S}\n"},
		{"line-channel-secret", "{S}", `const config = { channelAccessToken: process.env.TOKEN, channelSecret: '{S}' };`},
		{"line-channel-secret", "{S}", `private static final String CHANNEL_SECRET = "{S}";`},
		{"line-channel-secret", "{S}", `define('LINE_MESSAGE_CHANNEL_SECRET', '{S}');`},
		{"line-channel-secret", "{S}", `$bot = new LINEBot($httpClient, ['channelSecret' => '{S}']);`},
		{"line-channel-secret", "{S}", `  config.channel_secret = "{S}"`},
		{"line-channel-secret", "{S}", `    ChannelSecret = "{S}",`},
		{"line-channel-secret", "{S}", `val channelSecret = "{S}"`},
		{"line-channel-secret", "{S}", `channelSecret := "{S}"`},
		{"line-channel-secret", "{S}", `lineChannelSecret: "{S}"`},
		{"line-channel-secret", "{S}", `secret = os.environ.get("LINE_CHANNEL_SECRET", "{S}")`},
		{"line-channel-secret", "{S}", "heroku config:set LINE_CHANNEL_SECRET={S} --app bot"},
		// line-channel-secret: passed to a LINE SDK
		{"line-channel-secret", "{S}", `handler = WebhookHandler('{S}')`},
		{"line-channel-secret", "{S}", `handler = WebhookHandler(channel_secret='{S}')`},
		{"line-channel-secret", "{S}", `parser = WebhookParser("{S}")`},
		{"line-channel-secret", "{S}", `bot, err := linebot.New("{S}", os.Getenv("LINE_CHANNEL_TOKEN"))`},
		{"line-channel-secret", "{S}", `cb, err := webhook.ParseRequest("{S}", req)`},
		{"line-channel-secret", "{S}", `new LineSignatureValidator("{S}".getBytes(StandardCharsets.UTF_8));`},
		{"line-channel-secret", "{S}", `if (!line.validateSignature(JSON.stringify(req.body), '{S}', sig)) {`},
		{"line-channel-secret", "{S}", `var events = await req.GetWebhookEventsAsync(log, "{S}");`},
		// line-channel-secret: OAuth client_secret with LINE context
		{"line-channel-secret", "{S}", `r = requests.post("https://api.line.me/oauth2/v2.1/token", data={"grant_type": "authorization_code", "client_id": "1657000000", "client_secret": "{S}"})`},
		{"line-channel-secret", "{S}", "CLIENT_SECRET = \"{S}\"\nTOKEN_URL = \"https://api.line.me/oauth2/v2.1/token\"\n"},
		{"line-channel-secret", "{S}", "# LINE Login\nclient_id: 1657000000\nclient_secret: {S}\n"},

		// line-channel-access-token
		{"line-channel-access-token", "{T}", "LINE_CHANNEL_ACCESS_TOKEN={T}"},
		{"line-channel-access-token", "{T}", "  channelAccessToken: '{T}',"},
		{"line-channel-access-token", "{T}", "line_bot_api = LineBotApi('{T}')"},
		{"line-channel-access-token", "{T}", "curl -H 'Authorization: Bearer {T}' https://api.line.me/v2/bot/info"},
		{"line-channel-access-token", "{T}", "$httpClient = new CurlHTTPClient('{T}');"},
		{"line-channel-access-token", "{T}", `{"token":"{T}"}`},
		{"line-channel-access-token", "{T}", "{T}\n"},
		{"line-channel-access-token", "{T}", "bot, _ := linebot.New(secret, \"{T}\")"},

		// line-notify-token
		{"line-notify-token", "{N}", "LINE_NOTIFY_TOKEN={N}"},
		{"line-notify-token", "{N}", `line_notify_token = "{N}"`},
		{"line-notify-token", "{N}", `const notifyToken = '{N}';`},
		{"line-notify-token", "{N}", "curl -X POST -H 'Authorization: Bearer {N}' -F 'message=hi' https://notify-api.line.me/api/notify"},
		{"line-notify-token", "{N}", "url = 'https://notify-api.line.me/api/notify'\nheaders = {'Authorization': 'Bearer {N}'}\n"},
		{"line-notify-token", "{N}", "TOKEN = '{N}'\napi_url = 'https://notify-api.line.me/api/notify'\nheaders = {'Authorization': f'Bearer {TOKEN}'}\n"},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%02d-%s", i, tt.rule), func(t *testing.T) {
			got := detectLINE(t, expand(tt.sample))
			want := expand(tt.want)
			for _, f := range got {
				if f.RuleID == tt.rule && f.Secret == want {
					return
				}
			}
			t.Errorf("sample %q: want %s with secret %s, got %s", tt.sample, tt.rule, finding.Preview(want), describeFindings(got))
		})
	}
}

func TestLINERulesIgnore(t *testing.T) {
	userID := "U" + fakecred.ChannelSecret("user")
	groupID := "C" + fakecred.ChannelSecret("group")
	roomID := "R" + fakecred.ChannelSecret("room")
	sha1 := hex.EncodeToString(fakecred.Bytes("commit", 20))
	sha256hex := hex.EncodeToString(fakecred.Bytes("checksum", 32))
	longB64 := base64.StdEncoding.EncodeToString(fakecred.Bytes("blob", 200))
	samples := []string{
		// public LINE identifiers
		"LINE_USER_ID=" + userID,
		`{"type":"message","source":{"type":"user","userId":"` + userID + `"}}`,
		`{"groupId":"` + groupID + `","roomId":"` + roomID + `"}`,
		"channel_secret = \"" + userID + "\"",
		"LIFF_ID=1657000000-AbCdEfGh",
		"LINE_CHANNEL_ID=1657000000",
		"channel_id: 1657000000",
		// hashes and checksums
		"commit " + sha1,
		"LINE_CHANNEL_SECRET_SHA=" + sha1[:32],
		"LINE_CHANNEL_SECRET=" + sha256hex,
		`checksum = "` + sha256hex + `"`,
		`"integrity": "sha512-` + base64.StdEncoding.EncodeToString(fakecred.Bytes("integrity", 64)) + `"`,
		`resolved "https://registry.yarnpkg.com/line-bot/-/line-bot-1.0.0.tgz#` + sha1 + `"`,
		"github.com/line/line-bot-sdk-go/v8 v8.0.0 h1:" + base64.StdEncoding.EncodeToString(fakecred.Bytes("gosum", 32)),
		// UUIDs in unrelated keys
		`request_id = "` + fakecred.ChannelSecret("uuid") + `"`,
		`"uuid": "550e8400-e29b-41d4-a716-446655440000"`,
		`pipeline_secret = "` + testSecret + `"`,
		`online_secret_id = "` + testSecret + `"`,
		`client_secret = "` + testSecret + `" # spotify`,
		`LINE_CHANNEL_SECRET=` + strings.ToUpper(testSecret),
		// placeholders
		`channel_secret = "your_channel_secret_here"`,
		"LINE_CHANNEL_SECRET=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"channelSecret: '<CHANNEL_SECRET>'",
		"LINE_CHANNEL_SECRET=${LINE_CHANNEL_SECRET}",
		`channelSecret := os.Getenv("LINE_CHANNEL_SECRET")`,
		"channelSecret: process.env.LINE_CHANNEL_SECRET,",
		"LINE_CHANNEL_SECRET: ${{ secrets.LINE_CHANNEL_SECRET }}",
		`channel_secret = "00000000000000000000000000000000"`,
		`channel_secret = "0123456789abcdef0123456789abcdef"`,
		`channel_secret = "abcdefabcdefabcdefabcdefabcdefab"`,
		`channel_secret = "deadbeefdeadbeefdeadbeefdeadbeef"`,
		"handler = WebhookHandler('YOUR_CHANNEL_SECRET')",
		// channel access token look-alikes
		longB64,
		longB64[:170] + "==",
		testToken[:171],
		"LINE_CHANNEL_ACCESS_TOKEN=" + strings.Repeat("A", 171) + "=",
		"LINE_CHANNEL_ACCESS_TOKEN={channel access token}",
		"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
		// notify look-alikes
		"LINE_NOTIFY_TOKEN=${LINE_NOTIFY_TOKEN}",
		`notify_token = "your_token_here"`,
		"LINE_NOTIFY_TOKEN=" + strings.Repeat("x", 43),
		`api_token = "` + testNotify + `"`,
		"Authorization: Bearer " + testNotify,
	}
	for i, s := range samples {
		t.Run(fmt.Sprintf("%02d", i), func(t *testing.T) {
			if got := detectLINE(t, s); len(got) > 0 {
				t.Errorf("sample %d (%d chars) must not match a LINE rule, got %s", i, len(s), describeFindings(got))
			}
		})
	}
}
