package replay

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/channelguard/channelguard/rules/policy"
	"github.com/channelguard/channelguard/scanner/capture"
)

// Header is one header every replayed request carries: the lower role's
// credentials (a Cookie, an Authorization header, a CSRF token).
type Header struct {
	Name, Value string
}

// redacted stands for every credential value in listings and recordings.
const redacted = "[redacted]"

// notSettable are headers the HTTP client sets itself from the URL and
// body; a user-given one would be ignored or break the request.
var notSettable = map[string]bool{
	"host": true, "content-length": true, "transfer-encoding": true,
	"connection": true, "te": true, "trailer": true, "upgrade": true,
}

// ParseHeader reads one "Name: value" header. The error never holds the
// value.
func ParseHeader(s string) (Header, error) {
	name, value, ok := strings.Cut(s, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	switch {
	case !ok:
		return Header{}, errors.New(`want "Name: value"`)
	case !validName(name):
		return Header{}, fmt.Errorf("%q is not a header name", name)
	case notSettable[strings.ToLower(name)]:
		return Header{}, fmt.Errorf("header %s is set by the client, not by --header", name)
	case value == "":
		return Header{}, fmt.Errorf("header %s has no value", name)
	case strings.ContainsAny(value, "\r\n\x00"):
		return Header{}, fmt.Errorf("header %s: the value holds a line break", name)
	}
	return Header{Name: http.CanonicalHeaderKey(name), Value: value}, nil
}

// ReadHeaders reads a header file: one "Name: value" a line; blank lines
// and lines starting with # are ignored. Errors name the file and line,
// never a value.
func ReadHeaders(r io.Reader, name string) ([]Header, error) {
	var out []Header
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		h, err := ParseHeader(line)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", name, n, err)
		}
		out = append(out, h)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no header in it (want \"Name: value\" lines)", name)
	}
	return out, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// neverCopied are capture headers a replay never sends: transport headers
// the client sets itself, conditional and range headers (a 304 or a part
// has no body to compare), the Referer (it can carry a token in its query)
// and the capture's own credentials.
var neverCopied = map[string]bool{
	"host": true, "connection": true, "keep-alive": true, "proxy-connection": true,
	"te": true, "trailer": true, "transfer-encoding": true, "upgrade": true,
	"content-length": true, "accept-encoding": true, "expect": true,
	"if-none-match": true, "if-modified-since": true, "if-match": true,
	"if-unmodified-since": true, "if-range": true, "range": true,
	"referer": true, "cookie": true, "authorization": true,
	"proxy-authorization": true,
}

// credentialWords are words that make a header name a credential's:
// X-CSRF-Token, X-XSRF-TOKEN, X-Api-Key, X-Auth-Token, X-Session-Id,
// X-Amz-Security-Token, X-Hub-Signature.
var credentialWords = map[string]bool{
	"csrf": true, "xsrf": true, "csrftoken": true, "xsrftoken": true,
	"token": true, "auth": true, "authorization": true, "authentication": true,
	"session": true, "sessionid": true, "sid": true, "secret": true,
	"password": true, "passwd": true, "jwt": true, "bearer": true,
	"credential": true, "credentials": true, "signature": true,
	"ticket": true, "apikey": true, "otp": true, "cookie": true,
	"nonce": true, "key": true,
}

// credentialHeader reports whether a header carries a credential, by its
// name or by its value.
func credentialHeader(name, value string) bool {
	n := strings.ToLower(name)
	if n == "cookie" || n == "set-cookie" || n == "authorization" || n == "proxy-authorization" {
		return true
	}
	if policy.SensitiveName(name) {
		return true
	}
	for _, w := range words(name) {
		if credentialWords[w] {
			return true
		}
	}
	return credentialValue(value)
}

var jwtLike = regexp.MustCompile(`^eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.`)

// credentialValue reports whether a value looks like a credential: an
// authorization scheme and its token, a JWT, or a long random token.
func credentialValue(v string) bool {
	v = strings.TrimSpace(v)
	l := strings.ToLower(v)
	for _, p := range []string{"bearer ", "basic ", "token ", "digest ", "negotiate ", "ntlm ", "hmac ", "aws4-hmac", "sharedkey ", "apikey "} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return jwtLike.MatchString(v) || capture.SecretShaped(v)
}

// words splits a name into lower-case words at separators and camelCase
// boundaries: "X-CSRFToken" → x, csrf, token; "sessionId" → session, id.
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum {
			flush()
			continue
		}
		upper := r >= 'A' && r <= 'Z'
		if upper && len(cur) > 0 {
			prev := cur[len(cur)-1]
			prevLower := prev >= 'a' && prev <= 'z' || prev >= '0' && prev <= '9'
			nextLower := i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z'
			prevUpper := prev >= 'A' && prev <= 'Z'
			if prevLower || prevUpper && nextLower {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

// redactSetCookie keeps a Set-Cookie's name and attributes and drops its
// value.
func redactSetCookie(v string) string {
	first, attrs, _ := strings.Cut(v, ";")
	name, _, _ := strings.Cut(first, "=")
	out := strings.TrimSpace(name) + "=" + redacted
	if attrs != "" {
		out += ";" + attrs
	}
	return out
}

// redactCookieHeader keeps a Cookie header's names and drops its values.
func redactCookieHeader(v string) string {
	var parts []string
	for _, c := range strings.Split(v, ";") {
		name, _, _ := strings.Cut(strings.TrimSpace(c), "=")
		if name != "" {
			parts = append(parts, name+"="+redacted)
		}
	}
	return strings.Join(parts, "; ")
}

// secretValues are the values of the lower role's headers, as they may
// appear elsewhere (a body that echoes the session): whole values, cookie
// values, the token after an authorization scheme. Short values are left
// out: replacing them would mangle unrelated text.
func secretValues(hs []Header) []string {
	var out []string
	add := func(v string) {
		if v = strings.TrimSpace(v); len(v) >= 8 {
			out = append(out, v)
		}
	}
	for _, h := range hs {
		add(h.Value)
		switch strings.ToLower(h.Name) {
		case "cookie":
			for _, c := range strings.Split(h.Value, ";") {
				_, v, _ := strings.Cut(c, "=")
				add(v)
			}
		default:
			if _, tok, ok := strings.Cut(h.Value, " "); ok {
				add(tok)
			}
		}
	}
	return out
}

// scrub replaces every secret value in s.
func scrub(s string, secrets []string) string {
	for _, v := range secrets {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	return s
}
