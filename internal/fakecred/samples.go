package fakecred

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Sample is text that holds one LINE credential a rule must find.
type Sample struct {
	Rule   string // rule id
	Secret string // the value the rule must report
	Text   string
}

// Fixed values the samples use.
var (
	SampleSecret = ChannelSecret("secret")
	SampleToken  = AccessToken("token")
	SampleNotify = NotifyToken("notify")
)

func expand(s string) string {
	return strings.NewReplacer("{S}", SampleSecret, "{T}", SampleToken, "{N}", SampleNotify).Replace(s)
}

// Positives are the forms LINE credentials take in real code and config:
// each must be found by its rule, with exactly its value.
func Positives() []Sample {
	raw := []struct{ rule, want, text string }{
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
		{"line-channel-secret", "{S}", `CHANNEL_SECRET = os.getenv("LINE_CHANNEL_SECRET") or "{S}"`},
		{"line-channel-secret", "{S}", `    <add key="LineChannelSecret" value="{S}" />`},
		{"line-channel-secret", "{S}", `@Value("${line.bot.channel-secret:{S}}")`},
		{"line-channel-secret", "{S}", "| Channel ID | 1657000000 |\n| Channel secret | {S} |\n"},
		{"line-channel-secret", "{S}", "Channel secret: {S}\n"},
		{"line-channel-secret", "{S}", "# チャネルシークレット\nチャネルシークレット: {S}\n"},
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
		{"line-channel-secret", "{S}", `{"line": {"channelId": "1657000000", "secret": "{S}", "token": "x"}}`},
		{"line-channel-secret", "{S}", "[line]\nchannel_id = 1657000000\nsecret = \"{S}\"\n"},
		{"line-channel-secret", "{S}", "line:\n  id: 1657000000\n  secret: {S}\n"},
		{"line-channel-secret", "{S}", "LINE_CHANNEL_ID=1657000000\nSECRET={S}\n"},
		{"line-channel-secret", "{S}", "const line = require('@line/bot-sdk');\nconst SECRET = '{S}';\n"},

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
		{"line-notify-token", "{N}", "LINE_TOKEN={N}"},
		{"line-notify-token", "{N}", `line_notify_token = "{N}"`},
		{"line-notify-token", "{N}", `const notifyToken = '{N}';`},
		{"line-notify-token", "{N}", "curl -X POST -H 'Authorization: Bearer {N}' -F 'message=hi' https://notify-api.line.me/api/notify"},
		{"line-notify-token", "{N}", "url = 'https://notify-api.line.me/api/notify'\nheaders = {'Authorization': 'Bearer {N}'}\n"},
		{"line-notify-token", "{N}", "TOKEN = '{N}'\napi_url = 'https://notify-api.line.me/api/notify'\nheaders = {'Authorization': f'Bearer {TOKEN}'}\n"},
	}
	out := make([]Sample, len(raw))
	for i, r := range raw {
		out[i] = Sample{Rule: r.rule, Secret: expand(r.want), Text: expand(r.text)}
	}
	// Kubernetes Secrets keep values base64-encoded; gitleaks' decoder
	// reveals them.
	b64 := base64.StdEncoding.EncodeToString
	k8s := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: line-bot\ndata:\n" +
		"  LINE_CHANNEL_SECRET: " + b64([]byte(SampleSecret)) + "\n" +
		"  LINE_CHANNEL_ACCESS_TOKEN: " + b64([]byte(SampleToken)) + "\n"
	out = append(out,
		Sample{Rule: "line-channel-secret", Secret: SampleSecret, Text: k8s},
		Sample{Rule: "line-channel-access-token", Secret: SampleToken, Text: k8s},
	)
	return out
}

// Negatives look like LINE credentials but are not: public ids, hashes,
// placeholders. No LINE rule may report anything in them.
func Negatives() []string {
	userID := "U" + ChannelSecret("user")
	groupID := "C" + ChannelSecret("group")
	roomID := "R" + ChannelSecret("room")
	sha1 := hex.EncodeToString(Bytes("commit", 20))
	sha256hex := hex.EncodeToString(Bytes("checksum", 32))
	longB64 := base64.StdEncoding.EncodeToString(Bytes("blob", 200))
	return []string{
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
		`"integrity": "sha512-` + base64.StdEncoding.EncodeToString(Bytes("integrity", 64)) + `"`,
		`resolved "https://registry.yarnpkg.com/line-bot/-/line-bot-1.0.0.tgz#` + sha1 + `"`,
		"github.com/line/line-bot-sdk-go/v8 v8.0.0 h1:" + base64.StdEncoding.EncodeToString(Bytes("gosum", 32)),
		// UUIDs in unrelated keys
		`request_id = "` + ChannelSecret("uuid") + `"`,
		`"uuid": "550e8400-e29b-41d4-a716-446655440000"`,
		`pipeline_secret = "` + SampleSecret + `"`,
		`online_secret_id = "` + SampleSecret + `"`,
		`client_secret = "` + SampleSecret + `" # spotify`,
		"LINE_CHANNEL_ID=1657000000\nSESSION_SECRET=" + SampleSecret + "\n",
		`{"session": {"secret": "` + SampleSecret + `"}, "pipeline": "x"}`,
		"# deadline for the next line\nsecret: " + SampleSecret + "\n",
		"The channel list is public; the secret sauce is 42.\n",
		`<add key="SessionSecret" value="` + SampleSecret + `" />`,
		`LINE_CHANNEL_SECRET=` + strings.ToUpper(SampleSecret),
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
		`LINE_CHANNEL_SECRET=d41d8cd98f00b204e9800998ecf8427e`,
		"handler = WebhookHandler('YOUR_CHANNEL_SECRET')",
		// channel access token look-alikes
		longB64,
		longB64[:170] + "==",
		SampleToken[:171],
		"LINE_CHANNEL_ACCESS_TOKEN=" + strings.Repeat("A", 171) + "=",
		"LINE_CHANNEL_ACCESS_TOKEN={channel access token}",
		"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
		// notify look-alikes
		"LINE_NOTIFY_TOKEN=${LINE_NOTIFY_TOKEN}",
		`notify_token = "your_token_here"`,
		"LINE_NOTIFY_TOKEN=" + strings.Repeat("x", 43),
		`api_token = "` + SampleNotify + `"`,
		"Authorization: Bearer " + SampleNotify,
		"LINE_TOKEN=" + SampleToken[:42],
		"GITHUB_TOKEN=" + SampleNotify,
	}
}
