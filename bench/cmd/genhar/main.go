// Command genhar writes a large, realistic, pretty-printed Chrome-style HAR
// for the capture benchmark (bench/har/run.sh):
//
//	genhar -size 1GB -o big.har [-seed 1]
//
// The capture is a LINE Developers console session recorded as a Member:
// mostly small console API JSON responses, some 50–500 KB JSON arrays,
// every 200th entry a 1 MiB body (JSON and base64 binary in turn), HTML, JS,
// CSS and base64 images, with the request headers Chrome records (cookies,
// user agent, sec-ch-ua, an authorization header whose value is an obvious
// fake, "Bearer FAKE-TOKEN-…"). Some message texts hold JSON escapes (\n,
// \u0026) as real API responses do (-escapes=false: none).
//
// Planted, so that findings exist but stay bounded: every 1000th entry is a
// `GET /api/v1/channels/{10-digit id}` whose response holds "channelSecret"
// with a fake secret (internal/fakecred) of one of 20 channels. Everything
// else that could look like a credential is one constant per session.
//
// Output is streamed (memory does not grow with -size) and deterministic for
// a given -size and -seed. Next to the HAR, genhar writes OUT.planted.json:
// the number of entries and, per planted channel, the secret's
// secret_sha256 and how many entries hold it — what `harbench check` expects
// in the report. Sizes: 100MB, 1GB (decimal), 1GiB (binary) or bytes.
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
)

// Planted is the manifest written next to the HAR.
type Planted struct {
	Size     int64     `json:"size"`
	Entries  int       `json:"entries"`
	Role     string    `json:"role"`
	Every    int       `json:"every"`
	Total    int       `json:"planted_total"`
	Template string    `json:"template"`
	Field    string    `json:"field"`
	Channels []Channel `json:"channels"`
}

// Channel is one planted channel.
type Channel struct {
	ID     string `json:"channel_id"`
	SHA256 string `json:"secret_sha256"`
	Count  int    `json:"count"`
	secret string
}

// escapes: see -escapes.
var escapes = true

const (
	plantEvery = 1000
	bigEvery   = 200
	nChannels  = 20
)

func main() {
	sizeFlag := flag.String("size", "1GB", "approximate file size: 100MB, 1GB, 1GiB or bytes")
	out := flag.String("o", "", "output `FILE` (required)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.BoolVar(&escapes, "escapes", true, "let some message texts hold JSON escapes (\\n, \\u0026) as real APIs write them; false: none in any body")
	flag.Parse()
	size, err := parseSize(*sizeFlag)
	if err != nil || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: genhar -size 1GB -o FILE [-seed N]")
		if err != nil {
			fmt.Fprintln(os.Stderr, "genhar:", err)
		}
		os.Exit(2)
	}
	if err := run(*out, size, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "genhar:", err)
		os.Exit(1)
	}
}

func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}} {
		if strings.HasSuffix(strings.ToUpper(s), strings.ToUpper(u.suf)) {
			s, mult = s[:len(s)-len(u.suf)], u.m
			break
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(f * float64(mult)), nil
}

// allowlisted mirrors line-channel-secret's allowlist (placeholder runs and
// sequences): a planted secret must not be one.
var allowlisted = regexp.MustCompile(`0{6}|1{6}|2{6}|3{6}|4{6}|5{6}|6{6}|7{6}|8{6}|9{6}|a{6}|b{6}|c{6}|d{6}|e{6}|f{6}|012345|123456|234567|345678|456789|56789a|6789ab|789abc|89abcd|9abcde|abcdef|fedcba|edcba9|dcba98|cba987|ba9876|a98765|987654|876543|765432|654321|543210`)

func channels() []Channel {
	var out []Channel
	for k := 0; len(out) < nChannels; k++ {
		s := fakecred.ChannelSecret("bench-channel-" + strconv.Itoa(k))
		if allowlisted.MatchString(s) {
			continue
		}
		out = append(out, Channel{ID: strconv.Itoa(1656000100 + len(out)*37), SHA256: finding.SecretHash(s), secret: s})
	}
	return out
}

// countingWriter counts what goes through the buffered writer.
type countingWriter struct {
	*bufio.Writer
	n int64
}

func (w *countingWriter) WriteString(s string) {
	n, _ := w.Writer.WriteString(s)
	w.n += int64(n)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	n, err := w.Writer.Write(b)
	w.n += int64(n)
	return n, err
}

func run(path string, size int64, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := &countingWriter{Writer: bufio.NewWriterSize(f, 1<<20)}
	g := newGen(seed)
	man := Planted{Role: "member", Every: plantEvery, Template: "/api/v1/channels/{id}", Field: "$['channelSecret']", Channels: channels()}

	w.WriteString(`{
  "log": {
    "version": "1.2",
    "creator": {
      "name": "WebInspector",
      "version": "537.36"
    },
    "pages": [
      {
        "startedDateTime": "2026-11-25T09:00:00.000Z",
        "id": "page_1",
        "title": "https://developers.line.biz/console/",
        "pageTimings": {
          "onContentLoad": 812.4,
          "onLoad": 1403.9
        }
      }
    ],
    "entries": [
`)
	i := 0
	for ; w.n < size; i++ {
		if i > 0 {
			w.WriteString(",\n")
		}
		g.entry(w, i, &man)
	}
	w.WriteString("\n    ]\n  }\n}\n")
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	man.Size, man.Entries = w.n, i
	b, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path+".planted.json", append(b, '\n'), 0o644)
}

// ---------------------------------------------------------------------------

type gen struct {
	r     *rand.Rand
	body  []byte // reused body buffer
	bin   []byte // reused binary buffer
	b64   []byte
	t0    time.Time
	chans []string // channel ids of the session
}

func newGen(seed uint64) *gen {
	g := &gen{r: rand.New(rand.NewPCG(seed, 0x6861722d62656e63)), t0: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	for k := range 40 {
		g.chans = append(g.chans, strconv.Itoa(1655000000+k*7919))
	}
	return g
}

const (
	apiHost = "developers.line.biz"
	cdnHost = "static.line-scdn.net"
	session = "FAKE-TOKEN-bench-console-session-not-a-secret"
	xsrf    = "FAKE-TOKEN-bench-xsrf-not-a-secret"
	ua      = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)

// resp is one generated exchange.
type resp struct {
	method, url, mime, encoding string
	body                        []byte // response content (binary for base64)
	reqBody                     []byte // request postData text, or nil
	api                         bool   // console API call (authorization header, JSON)
	resource                    string // _resourceType
	status                      int
}

func (g *gen) entry(w *countingWriter, i int, man *Planted) {
	var x resp
	switch {
	case i%plantEvery == plantEvery-1:
		ch := &man.Channels[(i/plantEvery)%len(man.Channels)]
		ch.Count++
		man.Total++
		x = g.planted(ch)
	case i%bigEvery == bigEvery-1:
		if (i/bigEvery)%2 == 0 {
			x = g.apiLarge(1 << 20)
		} else {
			x = g.binary("https://"+cdnHost+"/console/assets/bundle-"+g.hex(8)+".woff2", "font/woff2", 1<<20)
		}
	default:
		p := g.r.IntN(1000)
		switch {
		case p < 15:
			x = g.apiLarge(50<<10 + g.r.IntN(450<<10))
		case p < 40:
			x = g.html()
		case p < 70:
			x = g.js()
		case p < 110:
			x = g.css()
		case p < 170:
			x = g.binary("https://"+cdnHost+"/console/img/"+g.hex(6)+".png", "image/png", 1<<10+g.r.IntN(40<<10))
		default:
			x = g.apiSmall()
		}
	}
	g.write(w, i, &x)
}

func (g *gen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.r.IntN(16)]
	}
	return string(b)
}

func (g *gen) channel() string { return g.chans[g.r.IntN(len(g.chans))] }

var words = strings.Fields(`message delivery broadcast narrowcast audience friend follower block reach
impression click unique rich menu template flex bubble carousel quick reply coupon reward card shop
campaign greeting autoresponse keyword schedule account profile picture status insight statistics
sticker image video audio location postback datetime picker liff login webhook endpoint redelivery
provider channel admin member tester console setting basic official verified premium plan quota usage
友だち 配信 メッセージ 予約 クーポン 応答 リッチメニュー あいさつ`)

func (g *gen) words(b []byte, n int) []byte {
	for k := range n {
		if k > 0 {
			b = append(b, ' ')
		}
		b = append(b, words[g.r.IntN(len(words))]...)
	}
	return b
}

// text is a message text as console APIs return it: words, sometimes with
// a line break or an ampersand the server escaped (\n, \u0026).
func (g *gen) text(b []byte) []byte {
	b = g.words(b, 3+g.r.IntN(12))
	k := g.r.IntN(8)
	if !escapes {
		k = 7
	}
	switch k {
	case 0:
		b = append(b, `\n`...)
		b = g.words(b, 2+g.r.IntN(6))
	case 1:
		b = append(b, ` \u0026 `...)
		b = g.words(b, 2)
	}
	return b
}

func (g *gen) date(b []byte, day int) []byte {
	return g.t0.AddDate(0, 0, -day).AppendFormat(b, "20060102")
}

func (g *gen) apiSmall() resp {
	ch := g.channel()
	b := g.body[:0]
	var x resp
	x.method, x.api, x.mime, x.resource, x.status = "GET", true, "application/json", "xhr", 200
	switch g.r.IntN(8) {
	case 0:
		n := 7 + g.r.IntN(24)
		x.url = "https://" + apiHost + "/api/v1/channels/" + ch + "/insight/followers?from=" + string(g.date(nil, n)) + "&to=" + string(g.date(nil, 0))
		b = append(b, `{"status":"ready","items":[`...)
		for d := range n {
			if d > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"date":"`...)
			b = g.date(b, n-d)
			b = fmt.Appendf(b, `","followers":%d,"targetedReaches":%d,"blocks":%d}`, 1000+g.r.IntN(90000), 800+g.r.IntN(80000), g.r.IntN(3000))
		}
		b = append(b, "]}"...)
	case 1:
		x.url = "https://" + apiHost + "/api/v1/providers?page=1&limit=20"
		b = append(b, `{"providers":[`...)
		for k := range 1 + g.r.IntN(12) {
			if k > 0 {
				b = append(b, ',')
			}
			b = fmt.Appendf(b, `{"id":"%d","name":"Provider %d","channelCount":%d,"createdAt":"2024-0%d-1%dT0%d:12:00Z","role":"member"}`,
				1600000000+g.r.IntN(99999999), g.r.IntN(500), 1+g.r.IntN(9), 1+g.r.IntN(9), g.r.IntN(9), g.r.IntN(9))
		}
		b = append(b, `],"next":null}`...)
	case 2:
		x.url = "https://" + apiHost + "/api/v1/channels/" + ch + "/webhook"
		b = fmt.Appendf(b, `{"endpoint":"https://bot.example.test/callback/%d","active":%t,"redelivery":false,"errorStatisticsEnabled":true}`, g.r.IntN(100), g.r.IntN(2) == 0)
	case 3:
		x.url = "https://" + apiHost + "/api/v1/channels/" + ch + "/message/quota"
		b = fmt.Appendf(b, `{"type":"limited","value":%d,"totalUsage":%d}`, 200+g.r.IntN(30000), g.r.IntN(20000))
	case 4:
		x.method = "POST"
		x.url = "https://" + apiHost + "/api/v1/channels/" + ch + "/richmenu/validate"
		rq := fmt.Appendf(nil, `{"size":{"width":2500,"height":1686},"selected":false,"name":"menu %d","chatBarText":"`, g.r.IntN(99))
		rq = g.words(rq, 2)
		rq = append(rq, `","areas":[{"bounds":{"x":0,"y":0,"width":1250,"height":1686},"action":{"type":"postback","data":"action=buy&itemid=1"}}]}`...)
		x.reqBody = rq
		b = append(b, `{}`...)
	case 5:
		x.url = "https://" + apiHost + "/api/v1/me"
		b = fmt.Appendf(b, `{"userId":"U%s","displayName":"Bench Member","pictureUrl":"https://profile.line-scdn.net/0h%s","language":"ja","timezone":"Asia/Tokyo"}`, g.hex(32), g.hex(20))
	default:
		x.url = "https://" + apiHost + "/api/v1/channels/" + ch + "/messages?limit=20"
		b = append(b, `{"messages":[`...)
		for k := range 3 + g.r.IntN(20) {
			if k > 0 {
				b = append(b, ',')
			}
			b = fmt.Appendf(b, `{"id":"%d","type":"text","status":"sent","sentAt":%d,"recipients":%d,"text":"`, 400000000000000000+g.r.Int64N(99999999999999999), 1764000000000+g.r.Int64N(9999999999), g.r.IntN(50000))
			b = g.text(b)
			b = append(b, `"}`...)
		}
		b = append(b, `]}`...)
	}
	g.body, x.body = b, b
	return x
}

// apiLarge is a JSON array of message events, about n bytes.
func (g *gen) apiLarge(n int) resp {
	ch := g.channel()
	x := resp{method: "GET", api: true, mime: "application/json", resource: "xhr", status: 200,
		url: "https://" + apiHost + "/api/v1/channels/" + ch + "/insight/message/events?from=" + string(g.date(nil, 30)) + "&limit=5000"}
	b := append(g.body[:0], `{"overview":{"requestId":"`...)
	b = append(b, g.hex(8)+"-"+g.hex(4)+"-"+g.hex(4)+"-"+g.hex(4)+"-"+g.hex(12)...)
	b = fmt.Appendf(b, `","timestamp":%d,"delivered":%d,"uniqueImpression":%d,"uniqueClick":%d},"messages":[`, 1764000000+g.r.IntN(999999), g.r.IntN(900000), g.r.IntN(500000), g.r.IntN(90000))
	for k := 0; len(b) < n; k++ {
		if k > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"seq":%d,"messageId":"%d","impression":%d,"mediaPlayed":null,"clicks":[{"seq":1,"url":"https://shop.example.test/item/%d?utm_source=line","click":%d,"uniqueClick":%d}],"text":"`,
			k+1, 400000000000000000+g.r.Int64N(99999999999999999), g.r.IntN(100000), g.r.IntN(1000), g.r.IntN(5000), g.r.IntN(4000))
		b = g.text(b)
		b = append(b, `"}`...)
	}
	b = append(b, "]}"...)
	g.body, x.body = b, b
	return x
}

// planted is a channel's basic settings as the console API returned them
// to Members from 2017 to 2019: with the channel secret.
func (g *gen) planted(ch *Channel) resp {
	x := resp{method: "GET", api: true, mime: "application/json", resource: "xhr", status: 200,
		url: "https://" + apiHost + "/api/v1/channels/" + ch.ID}
	b := fmt.Appendf(g.body[:0], `{"channelId":"%s","name":"Bench Bot %s","type":"MESSAGING_API","description":"`, ch.ID, ch.ID[len(ch.ID)-3:])
	b = g.words(b, 6)
	b = fmt.Appendf(b, `","channelSecret":"%s","iconUrl":"https://profile.line-scdn.net/0h%s","email":null,"privacyPolicyUrl":"https://bot.example.test/privacy","termsOfUseUrl":"","createdAt":"2019-05-0%dT10:00:00Z","permissions":["PROFILE","OPENID_CONNECT"]}`,
		ch.secret, g.hex(20), 1+g.r.IntN(9))
	g.body, x.body = b, b
	return x
}

var jsSnippets = []string{
	`function(e,t,n){"use strict";var r=n(%d),o=n.n(r),i=n(%d);t.a=function(e){return o.a.createElement(i.a,{className:"console-%s",onClick:e.onClick},e.children)}}`,
	`,%d:function(e,t,n){e.exports=function(e){var t=[];return t.toString=function(){return this.map(function(t){return"%s"+t})},t}}`,
	`var %s=Object.assign||function(e){for(var t=1;t<arguments.length;t++){var n=arguments[t];for(var r in n)Object.prototype.hasOwnProperty.call(n,r)&&(e[r]=n[r])}return e};`,
	`case %d:return fetch("/api/v1/channels/"+e.channelId+"/%s",{credentials:"include",headers:{"Content-Type":"application/json"}}).then(function(e){return e.json()});`,
	`/* %s %d */ if(e.keyCode===13&&!e.shiftKey){e.preventDefault();this.submit()}`,
	"\n//# sourceURL=webpack:///./src/%s/index.js?%d\n",
	`i18n.set("%s",{ja:"%s",en:"%s"});`,
}

func (g *gen) js() resp {
	x := resp{method: "GET", mime: "application/javascript", resource: "script", status: 200,
		url: "https://" + cdnHost + "/console/js/chunk-" + g.hex(8) + ".js"}
	n := 20<<10 + g.r.IntN(300<<10)
	b := append(g.body[:0], `!function(e){var t={};function n(r){if(t[r])return t[r].exports}}([`...)
	for len(b) < n {
		s := jsSnippets[g.r.IntN(len(jsSnippets))]
		w := words[g.r.IntN(len(words))]
		switch strings.Count(s, "%") {
		case 1:
			if strings.Contains(s, "%d") {
				b = fmt.Appendf(b, s, g.r.IntN(9999))
			} else {
				b = fmt.Appendf(b, s, w)
			}
		case 2:
			if strings.HasPrefix(s, "function") {
				b = fmt.Appendf(b, s, g.r.IntN(999), g.r.IntN(999), w)
			} else if strings.Index(s, "%d") < strings.Index(s, "%s") {
				b = fmt.Appendf(b, s, g.r.IntN(999), w)
			} else {
				b = fmt.Appendf(b, s, w, g.r.IntN(999))
			}
		case 3:
			b = fmt.Appendf(b, s, w, words[g.r.IntN(len(words))], w)
		}
	}
	b = append(b, "]);"...)
	g.body, x.body = b, b
	return x
}

func (g *gen) css() resp {
	x := resp{method: "GET", mime: "text/css", resource: "stylesheet", status: 200,
		url: "https://" + cdnHost + "/console/css/app-" + g.hex(8) + ".css"}
	n := 5<<10 + g.r.IntN(80<<10)
	b := append(g.body[:0], "@charset \"UTF-8\";\n"...)
	for len(b) < n {
		b = fmt.Appendf(b, ".c-%s-%s__%d{display:flex;margin:%dpx %dpx;color:#%s;font-size:%.1frem}\n",
			words[g.r.IntN(60)], words[g.r.IntN(60)], g.r.IntN(99), g.r.IntN(32), g.r.IntN(32), g.hex(6), 0.75+float64(g.r.IntN(8))/8)
	}
	g.body, x.body = b, b
	return x
}

func (g *gen) html() resp {
	x := resp{method: "GET", mime: "text/html", resource: "document", status: 200,
		url: "https://" + apiHost + "/console/channel/" + g.channel() + "/basics"}
	n := 10<<10 + g.r.IntN(70<<10)
	b := append(g.body[:0], "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>LINE Developers</title>\n<link rel=\"stylesheet\" href=\"https://"+cdnHost+"/console/css/app.css\">\n</head>\n<body>\n<div id=\"app\">\n"...)
	for len(b) < n {
		b = fmt.Appendf(b, "  <div class=\"c-%s\"><a href=\"/console/channel/%s/%s\">", words[g.r.IntN(60)], g.channel(), words[g.r.IntN(60)])
		b = g.words(b, 2+g.r.IntN(8))
		b = append(b, "</a></div>\n"...)
	}
	b = append(b, "</div>\n<script src=\"https://"+cdnHost+"/console/js/main.js\"></script>\n</body>\n</html>\n"...)
	g.body, x.body = b, b
	return x
}

func (g *gen) binary(url, mime string, n int) resp {
	if cap(g.bin) < n {
		g.bin = make([]byte, n)
	}
	b := g.bin[:n]
	for i := 0; i+8 <= n; i += 8 {
		v := g.r.Uint64()
		for k := range 8 {
			b[i+k] = byte(v >> (8 * k))
		}
	}
	copy(b, "\x89PNG\r\n\x1a\n")
	res := "image"
	if strings.HasPrefix(mime, "font") {
		copy(b, "wOF2")
		res = "font"
	}
	return resp{method: "GET", url: url, mime: mime, encoding: "base64", body: b, resource: res, status: 200}
}

// ---------------------------------------------------------------------------

func (g *gen) write(w *countingWriter, i int, x *resp) {
	started := g.t0.Add(time.Duration(i) * 137 * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
	u := x.url
	host, path := u[len("https://"):], "/"
	if k := strings.IndexByte(host, '/'); k >= 0 {
		host, path = host[:k], host[k:]
	}
	fmt.Fprintf(w, `      {
        "_initiator": {
          "type": "script",
          "stack": {
            "callFrames": [
              {
                "functionName": "",
                "scriptId": "%d",
                "url": "https://%s/console/js/main.js",
                "lineNumber": 0,
                "columnNumber": %d
              }
            ]
          }
        },
        "_priority": "High",
        "_resourceType": "%s",
        "cache": {},
        "connection": "443",
        "pageref": "page_1",
        "request": {
          "method": "%s",
          "url": %s,
          "httpVersion": "http/2.0",
          "headers": [
            {
              "name": ":authority",
              "value": "%s"
            },
            {
              "name": ":method",
              "value": "%s"
            },
            {
              "name": ":path",
              "value": %s
            },
            {
              "name": ":scheme",
              "value": "https"
            },
            {
              "name": "accept",
              "value": "%s"
            },
            {
              "name": "accept-encoding",
              "value": "gzip, deflate, br, zstd"
            },
            {
              "name": "accept-language",
              "value": "ja,en-US;q=0.9,en;q=0.8"
            },
`, 40+i%90, apiHost, 1000+i%50000, x.resource, x.method, quote(u), host, x.method, quote(path), accept(x))
	if x.api {
		w.WriteString(`            {
              "name": "authorization",
              "value": "Bearer ` + session + `"
            },
`)
	}
	if host == apiHost {
		w.WriteString(`            {
              "name": "cookie",
              "value": "SESSION=` + session + `; XSRF-TOKEN=` + xsrf + `; _ga=GA1.1.1234567890.1764000000; lang=ja"
            },
`)
	}
	fmt.Fprintf(w, `            {
              "name": "referer",
              "value": "https://%s/console/channel/%s/basics"
            },
            {
              "name": "sec-ch-ua",
              "value": "\"Google Chrome\";v=\"131\", \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\""
            },
            {
              "name": "sec-ch-ua-mobile",
              "value": "?0"
            },
            {
              "name": "sec-ch-ua-platform",
              "value": "\"Linux\""
            },
            {
              "name": "sec-fetch-dest",
              "value": "%s"
            },
            {
              "name": "sec-fetch-mode",
              "value": "cors"
            },
            {
              "name": "sec-fetch-site",
              "value": "same-origin"
            },
            {
              "name": "user-agent",
              "value": "%s"
            }
          ],
`, apiHost, g.chans[i%len(g.chans)], dest(x.resource), ua)
	if host == apiHost {
		w.WriteString(`          "cookies": [
            {
              "name": "SESSION",
              "value": "` + session + `",
              "path": "/",
              "domain": "developers.line.biz",
              "expires": "1969-12-31T23:59:59.000Z",
              "httpOnly": true,
              "secure": true
            },
            {
              "name": "XSRF-TOKEN",
              "value": "` + xsrf + `",
              "path": "/",
              "domain": "developers.line.biz",
              "expires": "1969-12-31T23:59:59.000Z",
              "httpOnly": false,
              "secure": true
            }
          ],
`)
	} else {
		w.WriteString("          \"cookies\": [],\n")
	}
	w.WriteString("          \"queryString\": [")
	if k := strings.IndexByte(u, '?'); k >= 0 {
		for j, kv := range strings.Split(u[k+1:], "&") {
			name, val, _ := strings.Cut(kv, "=")
			if j > 0 {
				w.WriteString(",")
			}
			fmt.Fprintf(w, "\n            {\n              \"name\": %s,\n              \"value\": %s\n            }", quote(name), quote(val))
		}
		w.WriteString("\n          ")
	}
	w.WriteString("],\n          \"headersSize\": -1,\n")
	if x.reqBody != nil {
		fmt.Fprintf(w, "          \"bodySize\": %d,\n          \"postData\": {\n            \"mimeType\": \"application/json\",\n            \"text\": ", len(x.reqBody))
		writeString(w, x.reqBody)
		w.WriteString("\n          }\n")
	} else {
		w.WriteString("          \"bodySize\": 0\n")
	}
	fmt.Fprintf(w, `        },
        "response": {
          "status": %d,
          "statusText": "",
          "httpVersion": "http/2.0",
          "headers": [
            {
              "name": "cache-control",
              "value": "%s"
            },
            {
              "name": "content-encoding",
              "value": "gzip"
            },
            {
              "name": "content-type",
              "value": "%s"
            },
            {
              "name": "date",
              "value": "%s"
            },
            {
              "name": "server",
              "value": "legy"
            },
            {
              "name": "strict-transport-security",
              "value": "max-age=31536000; includeSubDomains"
            },
            {
              "name": "vary",
              "value": "Accept-Encoding"
            },
            {
              "name": "x-content-type-options",
              "value": "nosniff"
            },
            {
              "name": "x-frame-options",
              "value": "DENY"
            }
          ],
          "cookies": [],
          "content": {
            "size": %d,
            "mimeType": "%s",
`, x.status, cacheControl(x), contentType(x.mime), g.t0.Add(time.Duration(i)*137*time.Millisecond).Format(time.RFC1123), len(x.body), x.mime)
	w.WriteString("            \"text\": ")
	if x.encoding == "base64" {
		n := base64.StdEncoding.EncodedLen(len(x.body))
		if cap(g.b64) < n {
			g.b64 = make([]byte, n)
		}
		b := g.b64[:n]
		base64.StdEncoding.Encode(b, x.body)
		w.WriteString(`"`)
		w.Write(b)
		w.WriteString("\",\n            \"encoding\": \"base64\"\n")
	} else {
		writeString(w, x.body)
		w.WriteString("\n")
	}
	fmt.Fprintf(w, `          },
          "redirectURL": "",
          "headersSize": -1,
          "bodySize": -1,
          "_transferSize": %d,
          "_error": null,
          "_fetchedViaServiceWorker": false
        },
        "serverIPAddress": "203.104.153.%d",
        "startedDateTime": "%s",
        "time": %d.%03d,
        "timings": {
          "blocked": 1.%03d,
          "dns": -1,
          "ssl": -1,
          "connect": -1,
          "send": 0.1%02d,
          "wait": %d.%03d,
          "receive": %d.%03d,
          "_blocked_queueing": 0.%03d,
          "_workerStart": -1,
          "_workerReady": -1,
          "_workerFetchStart": -1,
          "_workerRespondWithSettled": -1
        }
      }`, len(x.body)/3+300, 1+i%250, started, 20+g.r.IntN(400), g.r.IntN(1000), g.r.IntN(1000), g.r.IntN(100),
		15+g.r.IntN(300), g.r.IntN(1000), g.r.IntN(80), g.r.IntN(1000), g.r.IntN(1000))
}

func accept(x *resp) string {
	switch x.resource {
	case "xhr":
		return "application/json, text/plain, */*"
	case "document":
		return "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
	case "stylesheet":
		return "text/css,*/*;q=0.1"
	case "image":
		return "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
	}
	return "*/*"
}

func dest(resource string) string {
	switch resource {
	case "xhr":
		return "empty"
	case "stylesheet":
		return "style"
	}
	return resource
}

func cacheControl(x *resp) string {
	if x.api {
		return "no-cache, no-store, max-age=0, must-revalidate"
	}
	return "public, max-age=31536000, immutable"
}

func contentType(mime string) string {
	if strings.HasPrefix(mime, "text/") || strings.HasSuffix(mime, "json") || strings.HasSuffix(mime, "javascript") {
		return mime + "; charset=utf-8"
	}
	return mime
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// writeString writes b as a JSON string, escaping what JSON requires (and
// nothing else: non-ASCII UTF-8 stays as it is, as Chrome writes it).
func writeString(w *countingWriter, b []byte) {
	const hexd = "0123456789abcdef"
	w.WriteString(`"`)
	start := 0
	for i, c := range b {
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		w.Write(b[start:i])
		switch c {
		case '"':
			w.WriteString(`\"`)
		case '\\':
			w.WriteString(`\\`)
		case '\n':
			w.WriteString(`\n`)
		case '\r':
			w.WriteString(`\r`)
		case '\t':
			w.WriteString(`\t`)
		default:
			w.Write([]byte{'\\', 'u', '0', '0', hexd[c>>4], hexd[c&15]})
		}
		start = i + 1
	}
	w.Write(b[start:])
	w.WriteString(`"`)
}
