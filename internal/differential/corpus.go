package differential

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
)

// Corpus generates adversarial files and edits for the differential check:
// secrets of gitleaks' and the LINE rules in the shapes that have broken
// scanners before. Every value is made from the seed at run time; none is
// a real credential.
type Corpus struct {
	r *rand.Rand
	// Planted are the LINE credentials written so far, with the rule that
	// must report them.
	Planted []Plant
}

// Plant is one LINE credential the corpus wrote.
type Plant struct {
	Rule  string
	Value string
	// Written is how it stands in the file (encoded, escaped, in context).
	Written string
	// Allowed: its line carries an allow marker.
	Allowed bool
}

// plant records a LINE credential written as written (the value itself
// when empty) and returns written.
func (c *Corpus) plant(rule, value, written string) string {
	if written == "" {
		written = value
	}
	c.Planted = append(c.Planted, Plant{Rule: rule, Value: value, Written: written})
	return written
}

const (
	ruleSecret = "line-channel-secret"
	ruleToken  = "line-channel-access-token"
	ruleNotify = "line-notify-token"
)

// NewCorpus starts a corpus from a seed; the same seed gives the same files.
func NewCorpus(seed uint64) *Corpus {
	return &Corpus{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

const (
	hexDigits = "0123456789abcdef"
	alnum     = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b64chars  = alnum + "+/"
	upper27   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

func (c *Corpus) pick(set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[c.r.IntN(len(set))]
	}
	return string(b)
}

func (c *Corpus) one(xs ...string) string { return xs[c.r.IntN(len(xs))] }

// placeholder is what the LINE rules' allowlists take for a sample value
// (rules/line.toml): random values must not look like one.
var placeholder = regexp.MustCompile(`0{6}|1{6}|2{6}|3{6}|4{6}|5{6}|6{6}|7{6}|8{6}|9{6}|a{6}|b{6}|c{6}|d{6}|e{6}|f{6}|012345|123456|234567|345678|456789|56789a|6789ab|789abc|89abcd|9abcde|abcdef|fedcba|edcba9|dcba98|cba987|ba9876|a98765|987654|876543|765432|654321|543210`)

// Values of each kind, fresh each call.
func (c *Corpus) channelSecret() string {
	for {
		if v := c.pick(hexDigits, 32); !placeholder.MatchString(v) && v != "d41d8cd98f00b204e9800998ecf8427e" {
			return v
		}
	}
}
func (c *Corpus) accessToken() string  { return c.pick(b64chars, 171) + "=" }
func (c *Corpus) notifyToken() string  { return c.pick(alnum, 43) }
func (c *Corpus) awsKey() string       { return "AKIA" + c.pick(upper27, 16) }
func (c *Corpus) githubPAT() string    { return "ghp_" + c.pick(alnum, 36) }
func (c *Corpus) stripe() string       { return "sk_live_" + c.pick(alnum, 24) }
func (c *Corpus) genericValue() string { return c.pick(alnum, 20+c.r.IntN(20)) }
func (c *Corpus) twilio() string       { return "SK" + c.pick(hexDigits, 32) }
func (c *Corpus) heroku() string {
	return c.pick(hexDigits, 8) + "-" + c.pick(hexDigits, 4) + "-" + c.pick(hexDigits, 4) + "-" + c.pick(hexDigits, 4) + "-" + c.pick(hexDigits, 12)
}
func (c *Corpus) jwt() string {
	return "eyJ" + c.pick(alnum, 20) + ".eyJ" + c.pick(alnum, 30) + "." + c.pick(alnum+"_-", 43)
}

// filler is text that holds no secret: code, prose in several scripts,
// emoji (four-byte UTF-8), so byte and character counts differ.
func (c *Corpus) filler(chars int) string {
	words := []string{
		"return", "value", "config", "handler", "if err != nil {", "}", "# note:",
		"チャネル", "設定を読み込む", "メッセージを送信します", "中文注释", "配置文件", "한국어 설명",
		"ñandú", "Ελληνικά", "🙂", "🚀", "→", "データ", "ユーザー", "x := 1", "def main():",
	}
	var b strings.Builder
	for n := 0; n < chars; {
		w := c.one(words...)
		b.WriteString(w)
		b.WriteByte(' ')
		n += len([]rune(w)) + 1
	}
	return b.String()
}

// encode writes v in one of the encodings gitleaks' decoder reveals.
func (c *Corpus) encode(v string) string {
	switch c.r.IntN(5) {
	case 0:
		return base64.StdEncoding.EncodeToString([]byte(v))
	case 1:
		return base64.RawStdEncoding.EncodeToString([]byte(v))
	case 2:
		return hex.EncodeToString([]byte(v))
	case 3:
		var b strings.Builder
		for i := 0; i < len(v); i++ {
			fmt.Fprintf(&b, "%%%02X", v[i])
		}
		return b.String()
	default:
		var b strings.Builder
		for _, r := range v {
			fmt.Fprintf(&b, "\\u%04x", r)
		}
		return b.String()
	}
}

// secretSnippet is one secret in one of many contexts.
func (c *Corpus) secretSnippet() string {
	switch c.r.IntN(30) {
	case 0:
		return "LINE_CHANNEL_SECRET=" + c.plant(ruleSecret, c.channelSecret(), "")
	case 1:
		return fmt.Sprintf("    channelSecret: %q,", c.plant(ruleSecret, c.channelSecret(), ""))
	case 2:
		return fmt.Sprintf("handler = WebhookHandler('%s')", c.plant(ruleSecret, c.channelSecret(), ""))
	case 3:
		// as a Jupyter notebook stores code: inside a JSON string
		return fmt.Sprintf(`    "handler = WebhookHandler(\"%s\")\n",`, c.plant(ruleSecret, c.channelSecret(), ""))
	case 4:
		return fmt.Sprintf(`    "line_bot_api = LineBotApi(\"%s\")\n",`, c.plant(ruleToken, c.accessToken(), ""))
	case 5:
		// multi-byte text between the LINE context and the value
		return "# api.line.me " + c.filler(20+c.r.IntN(230)) + "\nclient_secret: " + c.plant(ruleSecret, c.channelSecret(), "")
	case 6:
		return "# チャネルシークレット: " + c.plant(ruleSecret, c.channelSecret(), "") + " " + c.filler(5)
	case 7:
		return "LINE_CHANNEL_ACCESS_TOKEN=" + c.plant(ruleToken, c.accessToken(), "")
	case 8:
		return "Authorization: Bearer " + c.plant(ruleToken, c.accessToken(), "")
	case 9:
		return "LINE_NOTIFY_TOKEN=" + c.plant(ruleNotify, c.notifyToken(), "")
	case 10:
		// a Kubernetes Secret: the value base64-encoded
		v := c.channelSecret()
		return "data:\n  LINE_CHANNEL_SECRET: " + c.plant(ruleSecret, v, base64.StdEncoding.EncodeToString([]byte(v)))
	case 11:
		v := c.accessToken()
		return "  channel_access_token: " + c.plant(ruleToken, v, base64.StdEncoding.EncodeToString([]byte(v)))
	case 12:
		v := c.channelSecret()
		return "LINE_CHANNEL_SECRET=" + c.plant(ruleSecret, v, c.encode(v))
	case 13:
		v := c.channelSecret()
		return "config = " + c.plant(ruleSecret, v, c.encode("LINE_CHANNEL_SECRET="+v))
	case 14:
		return "aws_access_key_id = " + c.awsKey()
	case 15:
		return "token := \"" + c.githubPAT() + "\""
	case 16:
		return "STRIPE_KEY=" + c.stripe()
	case 17:
		return fmt.Sprintf("api_key = \"%s\"", c.genericValue())
	case 18:
		return fmt.Sprintf("heroku_api_key = \"%s\"", c.heroku())
	case 19:
		return "twilio = " + c.twilio()
	case 20:
		return "jwt: " + c.jwt()
	case 21:
		return c.privateKey()
	case 22:
		// an encoded value of gitleaks' rules, of every length
		return "blob: " + c.encode(c.one(c.awsKey(), c.githubPAT(), "api_key="+c.genericValue(), c.pick(alnum, 8)))
	case 23:
		return fmt.Sprintf(`{"reply": {"replyToken": "%s", "secret": "%s"}}`, c.pick(hexDigits, 32), c.genericValue())
	case 24:
		return "zebra-key: ZEBRA-" + strings.ToUpper(c.pick(hexDigits, 16))
	case 25:
		user := fmt.Sprintf("username = \"%s\"", c.pick("abcdefghij", 8))
		return user + "\n" + c.one(
			"zebra-key: ZEBRA-"+strings.ToUpper(c.pick(hexDigits, 16)),
			"zebra_token = \""+c.pick(hexDigits+"xyz", 16)+"\"",
			"AUX-"+c.pick("0123456789", 6))
	case 26:
		return fmt.Sprintf("password = \"%s\" # ALLOWLINE", c.genericValue())
	case 27:
		return fmt.Sprintf("secret_token = \"allowmatch%s\"", c.genericValue())
	case 28:
		return fmt.Sprintf("\"line\": {\"secret\": \"%s\"}", c.plant(ruleSecret, c.channelSecret(), ""))
	default:
		return fmt.Sprintf("const lineSecret = `%s`; %s", c.plant(ruleSecret, c.channelSecret(), ""), c.filler(3))
	}
}

func (c *Corpus) privateKey() string {
	var b strings.Builder
	b.WriteString("-----BEGIN RSA PRIVATE KEY-----\n")
	for i := 0; i < 2+c.r.IntN(4); i++ {
		b.WriteString(c.pick(b64chars, 64) + "\n")
	}
	b.WriteString(c.pick(b64chars, 12) + "==\n-----END RSA PRIVATE KEY-----")
	return b.String()
}

// line is one line of a file: filler, a secret, or a secret with an allow
// marker.
func (c *Corpus) line() string {
	switch n := c.r.IntN(10); {
	case n < 5:
		return c.filler(c.r.IntN(60))
	case n == 5:
		before := len(c.Planted)
		text := c.secretSnippet() + c.one(" # gitleaks:allow", " // channelguard:allow")
		for i := before; i < len(c.Planted); i++ {
			c.Planted[i].Allowed = true
		}
		return text
	default:
		return c.secretSnippet()
	}
}

// File is a generated file: its lines and how they are written.
type File struct {
	Lines []string
	CRLF  bool
	// NoFinalNewline leaves the last line without a line break.
	NoFinalNewline bool
}

// NewFile makes a file of n lines.
func (c *Corpus) NewFile(n int) *File {
	f := &File{CRLF: c.r.IntN(4) == 0, NoFinalNewline: c.r.IntN(3) == 0}
	for i := 0; i < n; i++ {
		f.Lines = append(f.Lines, c.line())
	}
	return f
}

// Edit changes a file the way commits do: lines added at the top, the
// bottom or inside, lines removed, a line replaced.
func (c *Corpus) Edit(f *File) {
	switch c.r.IntN(5) {
	case 0:
		f.Lines = append([]string{c.line()}, f.Lines...)
	case 1:
		f.Lines = append(f.Lines, c.line())
	case 2:
		if len(f.Lines) > 0 {
			i := c.r.IntN(len(f.Lines))
			f.Lines = append(f.Lines[:i], f.Lines[i+1:]...)
		}
	case 3:
		if len(f.Lines) > 0 {
			f.Lines[c.r.IntN(len(f.Lines))] = c.line()
		}
	default:
		i := c.r.IntN(len(f.Lines) + 1)
		f.Lines = append(f.Lines[:i], append([]string{c.line(), c.line()}, f.Lines[i:]...)...)
	}
	if c.r.IntN(6) == 0 {
		f.NoFinalNewline = !f.NoFinalNewline
	}
}

// Content is the file's bytes.
func (f *File) Content() string {
	nl := "\n"
	if f.CRLF {
		nl = "\r\n"
	}
	text := strings.Join(f.Lines, "\n")
	text = strings.ReplaceAll(text, "\n", nl)
	if !f.NoFinalNewline && len(f.Lines) > 0 {
		text += nl
	}
	return text
}

// Name is a fresh file name with an extension the rules treat alike or
// not (notebooks, env files, a PKCS#12 bundle for the path-only rule, a
// file only a user rule's path matches), some in directories gitleaks'
// global allowlist skips (git is told to omit them: see history.Omit).
func (c *Corpus) Name(i int) string {
	dir := c.one("", "app/", "config/", "notebooks/", "deploy/k8s/", "src/ライン/", "vendor/github.com/acme/", "node_modules/lib/")
	ext := c.one(".py", ".env", ".yaml", ".ipynb", ".go", ".ts", ".txt", ".json", ".md", ".p12", ".secretsfile")
	return fmt.Sprintf("%sfile%d%s", dir, i, ext)
}

// UserConfig is a channelguard config (gitleaks format, no [extend]) whose
// rules exercise what the keyword gate and the rule split can lose: a rule
// with a path and keywords but no regex, a composite rule whose required
// rule is one of gitleaks' located (semi-generic) rules, a plain user
// rule, and allowlists on the line and on the match.
const UserConfig = `
[[rules]]
id = "user-path-keyword"
description = "a secrets file that names a zebra"
path = '''\.secretsfile$'''
keywords = ["zebra"]

[[rules]]
id = "user-zebra-key"
description = "a zebra key"
regex = '''ZEBRA-[0-9A-F]{16}'''
keywords = ["zebra-"]

[[rules]]
id = "user-semi-generic"
description = "a zebra token, written like gitleaks' semi-generic rules"
regex = '''(?i)[\w.-]{0,50}?(?:zebra_token)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([a-z0-9]{12,20})(?:[\x60'"\s;]|\\[nr]|$)'''
keywords = ["zebra_token"]

[[rules]]
id = "user-aux"
description = "an auxiliary value, reported only beside a user name"
regex = '''AUX-[0-9]{6}'''
keywords = ["aux-"]
skipReport = true

[[rules]]
id = "user-composite"
description = "a user name near a zebra key"
regex = '''username = "([a-j]{8})"'''
keywords = ["username"]
[[rules.required]]
id = "user-zebra-key"
withinLines = 2

[[rules]]
id = "user-composite-located"
description = "a user name near a zebra token"
regex = '''username = "([a-j]{8})"'''
keywords = ["username"]
[[rules.required]]
id = "user-semi-generic"
withinLines = 3

[[rules]]
id = "user-composite-aux"
description = "a user name near an auxiliary value"
regex = '''username = "([a-j]{8})"'''
keywords = ["username"]
[[rules.required]]
id = "user-aux"
withinLines = 3

[[allowlists]]
description = "lines marked ALLOWLINE"
regexTarget = "line"
regexes = ['''ALLOWLINE''']

[[allowlists]]
description = "matches holding allowmatch"
regexTarget = "match"
regexes = ['''allowmatch''']
`
