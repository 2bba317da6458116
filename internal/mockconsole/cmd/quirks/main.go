// Command quirks writes testdata/captures/quirks/: variants of the recorded
// member capture in the shapes other tools write (Firefox, Fiddler, arrays
// of pairs, base64 bodies, BOM, HTTP/2, gzip, zlib), a signed LINE webhook
// delivery, a JSON file that is not a HAR and a capture cut short. The
// output depends on the input only.
//
//	quirks -in testdata/captures/console-member.har -out testdata/captures/quirks
package main

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/mockconsole"
)

func main() {
	in := flag.String("in", "testdata/captures/console-member.har", "the recorded member capture (buggy console)")
	out := flag.String("out", "testdata/captures/quirks", "output directory")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("quirks: ")
	raw, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	files, err := variants(raw)
	if err != nil {
		log.Fatalf("%s: %v", *in, err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(*out, f.name), f.data, 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("wrote %s (%d bytes)\n", filepath.Join(*out, f.name), len(f.data))
	}
}

type file struct {
	name string
	data []byte
}

// Paths of the entries the variants single out.
var (
	loginBasicPath = "/api/v1/channels/" + mockconsole.LoginChannelID
	rolesPath      = "/api/v1/channels/" + mockconsole.MessagingChannelID + "/roles"
)

func variants(raw []byte) ([]file, error) {
	tree, err := parse(raw)
	if err != nil {
		return nil, err
	}
	root, ok := tree.(*object)
	if !ok || root.obj("log") == nil || root.obj("log").arr("entries") == nil {
		return nil, errors.New("not a HAR")
	}
	cut, err := cutShort(raw)
	if err != nil {
		return nil, err
	}
	return []file{
		{"firefox-member.har", render(firefox(clone(root).(*object)))},
		{"fiddler-member.har", render(fiddler(clone(root).(*object)))},
		{"arrays-member.har", render(pairs(clone(root).(*object)))},
		{"base64-member.har", render(base64Bodies(clone(root).(*object)))},
		{"bom-member.har", append([]byte("\xef\xbb\xbf"), raw...)},
		{"h2-member.har", render(http2(clone(root).(*object)))},
		{"member.har.gz", gz(raw)},
		{"member.zhar", zl(raw)},
		{"webhook.har", render(webhook())},
		{"not-a-har.json", render(notHAR())},
		{"cut-member.har", cut},
	}, nil
}

func entries(root *object) []*object {
	var out []*object
	for _, e := range root.obj("log").arr("entries") {
		if o, ok := e.(*object); ok {
			out = append(out, o)
		}
	}
	return out
}

func urlPath(e *object) string {
	u, err := url.Parse(e.obj("request").str("url"))
	if err != nil {
		return ""
	}
	return u.Path
}

func dropUnderscore(v any) {
	walk(v, func(o *object) {
		out := o.m[:0]
		for _, m := range o.m {
			if !strings.HasPrefix(m.key, "_") {
				out = append(out, m)
			}
		}
		o.m = out
	})
}

// firefox: Firefox's export. No "_" fields; the LINE Login channel's Basic
// settings body is not included (content.comment, no text: a coverage
// gap); a 1.5 MiB script whose body Firefox cut at 1 MiB (size > text).
func firefox(root *object) *object {
	dropUnderscore(root)
	lg := root.obj("log")
	lg.set("creator", obj("name", "Firefox", "version", "145.0"))
	lg.set("browser", obj("name", "Firefox", "version", "145.0"))
	var es []any
	for i, e := range entries(root) {
		if urlPath(e) == loginBasicPath {
			c := e.obj("response").obj("content")
			c.del("text")
			c.del("encoding")
			c.set("comment", "Response bodies are not included.")
		}
		es = append(es, e)
		if i == 2 { // after the page's own script
			es = append(es, vendorScript(e))
		}
	}
	lg.set("entries", es)
	return root
}

const mib = 1 << 20

// vendorScript is a GET of a 1.5 MiB script, its body cut at 1 MiB as
// Firefox does (devtools.netmonitor.responseBodyLimit).
func vendorScript(like *object) *object {
	e := clone(like).(*object)
	req := e.obj("request")
	u, _ := url.Parse(req.str("url"))
	u.Path = "/static/vendor.js"
	req.set("url", u.String())
	var b strings.Builder
	for i := 0; b.Len() < mib+mib/2; i++ {
		fmt.Fprintf(&b, "/*! chunk %05d */ function v%05d(a, b) { return (a << 3) ^ (b >>> 1) ^ 0x%04x; }\n", i, i, i&0xffff)
	}
	full := b.String()
	size := len(full)
	resp := e.obj("response")
	for _, h := range resp.arr("headers") {
		if h, ok := h.(*object); ok && strings.EqualFold(h.str("name"), "Content-Length") {
			h.set("value", strconv.Itoa(size))
		}
	}
	c := resp.obj("content")
	c.set("size", size)
	c.set("mimeType", "text/javascript; charset=utf-8")
	c.set("text", full[:mib])
	resp.set("bodySize", size)
	return e
}

// fiddler: Fiddler's export: numbers and booleans as strings; requests
// without a body have bodySize "-1".
func fiddler(root *object) *object {
	dropUnderscore(root)
	root.obj("log").set("creator", obj("name", "Fiddler", "version", "5.0.20253.3311", "comment", "http://www.telerik.com/fiddler"))
	root.obj("log").del("browser")
	for _, e := range entries(root) {
		req := e.obj("request")
		if req.get("postData") == nil {
			req.set("bodySize", json.Number("-1"))
		}
	}
	walk(root, func(o *object) {
		for i, m := range o.m {
			switch v := m.val.(type) {
			case json.Number:
				o.m[i].val = v.String()
			case int:
				o.m[i].val = strconv.Itoa(v)
			case bool:
				o.m[i].val = strconv.FormatBool(v)
			}
		}
	})
	return root
}

// pairs: headers, cookies, queryString and postData.params as arrays of
// [name, value].
func pairs(root *object) *object {
	conv := func(o *object, k string) {
		list := o.arr(k)
		if list == nil {
			return
		}
		out := []any{}
		for _, f := range list {
			if f, ok := f.(*object); ok {
				out = append(out, []any{f.str("name"), f.str("value")})
			}
		}
		o.set(k, out)
	}
	for _, e := range entries(root) {
		for _, part := range []*object{e.obj("request"), e.obj("response")} {
			for _, k := range []string{"headers", "cookies", "queryString"} {
				conv(part, k)
			}
		}
		if pd := e.obj("request").obj("postData"); pd != nil {
			conv(pd, "params")
		}
	}
	return root
}

// base64Bodies: every response body with text as base64.
func base64Bodies(root *object) *object {
	for _, e := range entries(root) {
		c := e.obj("response").obj("content")
		if c == nil || c.get("text") == nil {
			continue
		}
		c.set("text", base64.StdEncoding.EncodeToString([]byte(c.str("text"))))
		c.set("encoding", "base64")
	}
	return root
}

// http2: the same traffic over HTTP/2 (and so over TLS): https URLs,
// httpVersion "h2", request pseudo-headers first, header names in lower
// case, no Host or Connection.
func http2(root *object) *object {
	for _, e := range entries(root) {
		req, resp := e.obj("request"), e.obj("response")
		u, _ := url.Parse(req.str("url"))
		origin := u.Scheme + "://" + u.Host
		u.Scheme = "https" // browsers speak HTTP/2 over TLS only
		req.set("url", u.String())
		hs := []any{
			obj("name", ":authority", "value", u.Host),
			obj("name", ":method", "value", req.str("method")),
			obj("name", ":path", "value", u.RequestURI()),
			obj("name", ":scheme", "value", u.Scheme),
		}
		for _, part := range []*object{req, resp} {
			part.set("httpVersion", "h2")
			var kept []any
			for _, h := range part.arr("headers") {
				h, ok := h.(*object)
				if !ok {
					continue
				}
				name := strings.ToLower(h.str("name"))
				if name == "host" || name == "connection" || name == "keep-alive" {
					continue
				}
				h.set("name", name)
				h.set("value", strings.ReplaceAll(h.str("value"), origin, "https://"+u.Host))
				kept = append(kept, h)
			}
			if part == req {
				kept = append(hs, kept...)
			}
			if kept == nil {
				kept = []any{}
			}
			part.set("headers", kept)
		}
	}
	return root
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // no name, zero mtime: deterministic
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zl(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, zlib.DefaultCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// cutShort is the raw capture cut off in the middle of the Messaging API
// channel's Roles entry: inside its response text, just after the first
// e-mail address's '@'.
func cutShort(raw []byte) ([]byte, error) {
	i := bytes.Index(raw, []byte(rolesPath+`"`))
	if i < 0 {
		return nil, fmt.Errorf("no %s entry to cut", rolesPath)
	}
	j := bytes.Index(raw[i:], []byte(`\"email\":\"`))
	if j < 0 {
		return nil, fmt.Errorf("%s: no email to cut at", rolesPath)
	}
	at := i + j
	k := bytes.IndexByte(raw[at:], '@')
	if k < 0 {
		return nil, fmt.Errorf("%s: no '@' to cut at", rolesPath)
	}
	return append([]byte(nil), raw[:at+k+1]...), nil
}

// Webhook fixture values.
var (
	webhookUserID     = "U" + fakecred.Hex("mockconsole/webhook/source-user", 16)
	webhookReplyToken = fakecred.Hex("mockconsole/webhook/reply-token", 16)
	webhookQuoteToken = base64.RawURLEncoding.EncodeToString(fakecred.Bytes("mockconsole/webhook/quote-token", 60))
)

// WebhookBody is the raw body of the captured webhook delivery, as the
// LINE Platform sends it (compact JSON).
func webhookBody() string {
	return `{"destination":"` + mockconsole.BotUserID + `","events":[{"type":"message","message":{"type":"text","id":"543210987654321098","quoteToken":"` + webhookQuoteToken + `","text":"Can I order a flat white for 9:30?"},"webhookEventId":"01JDQ3Y9V0Q6ZC1T7M5S4P2N8K","deliveryContext":{"isRedelivery":false},"timestamp":1764061200000,"source":{"type":"user","userId":"` + webhookUserID + `"},"replyToken":"` + webhookReplyToken + `","mode":"active"}]}`
}

// webhook: one LINE Platform webhook delivery to the bot's webhook URL,
// signed with the Messaging API channel's (fake) channel secret.
func webhook() *object {
	body := webhookBody()
	mac := hmac.New(sha256.New, []byte(mockconsole.MessagingChannelSecret))
	mac.Write([]byte(body))
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	h := func(n, v string) *object { return obj("name", n, "value", v) }
	return obj("log", obj(
		"version", "1.2",
		"creator", obj("name", "mitmproxy", "version", "11.0.2", "comment", "exported with mitmproxy's savehar"),
		"pages", []any{},
		"entries", []any{obj(
			"startedDateTime", "2026-11-25T09:00:00.412000+00:00",
			"time", 38,
			"request", obj(
				"method", "POST",
				"url", "https://bot.example.test/callback",
				"httpVersion", "HTTP/1.1",
				"cookies", []any{},
				"headers", []any{
					h("Host", "bot.example.test"),
					h("Content-Type", "application/json; charset=utf-8"),
					h("Content-Length", strconv.Itoa(len(body))),
					h("User-Agent", "LineBotWebhook/2.0"),
					h("X-Line-Signature", sig),
					h("Accept-Encoding", "gzip"),
				},
				"queryString", []any{},
				"headersSize", -1,
				"bodySize", len(body),
				"postData", obj("mimeType", "application/json; charset=utf-8", "text", body),
			),
			"response", obj(
				"status", 200,
				"statusText", "OK",
				"httpVersion", "HTTP/1.1",
				"cookies", []any{},
				"headers", []any{
					h("Content-Type", "text/plain; charset=utf-8"),
					h("Content-Length", "2"),
					h("Date", "Wed, 25 Nov 2026 09:00:00 GMT"),
				},
				"content", obj("size", 2, "compression", 0, "mimeType", "text/plain; charset=utf-8", "text", "OK"),
				"redirectURL", "",
				"headersSize", -1,
				"bodySize", 2,
			),
			"cache", obj(),
			"timings", obj("send", 0, "receive", 1, "wait", 37),
			"serverIPAddress", "192.0.2.10",
		)},
	))
}

// notHAR: valid JSON, not a HAR (a Postman collection of the console API).
func notHAR() *object {
	req := func(name, path string) *object {
		return obj("name", name, "request", obj(
			"method", "GET",
			"header", []any{obj("key", "Accept", "value", "application/json")},
			"url", obj("raw", "{{baseUrl}}"+path, "host", []any{"{{baseUrl}}"}, "path", segments(path)),
		))
	}
	return obj(
		"info", obj(
			"_postman_id", "5b0f1d2e-6c3a-4e8b-9f71-2a4c6d8e0b13",
			"name", "Mock LINE Developers console",
			"schema", "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
		),
		"item", []any{
			req("me", "/api/v1/me"),
			req("channel", "/api/v1/channels/"+mockconsole.MessagingChannelID),
			req("roles", "/api/v1/channels/"+mockconsole.MessagingChannelID+"/roles"),
		},
		"variable", []any{obj("key", "baseUrl", "value", "http://127.0.0.1:8080")},
	)
}

func segments(path string) []any {
	var out []any
	for _, s := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		out = append(out, s)
	}
	return out
}
