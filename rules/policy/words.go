package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Word matching. A rule's Words reserve every field whose name *ends* in
// one of its phrases, so that consoles which name things freely are still
// covered: with words = ["secret", "token", "private key"], "secretToken",
// "personalAccessToken", "client_secret", "LINE_CHANNEL_SECRET",
// "rsaPrivateKey" and "apiKEYS"… match. The end of a name is its head, what
// the field holds: "secretIssuedAt" holds a time, "tokenType" a type, so
// neither matches; look-alike names (LookAlikeName: "nextPageToken",
// "publicKey", "hasSecret") never match.

// Values a rule's Values may take: which matched values it reports.
const (
	ValuesAny    = "any"    // every value that is not Masked (the default)
	ValuesString = "string" // string values only
	ValuesSecret = "secret" // strings that could be a secret (SecretValue)
)

// minGlued is the length from which a phrase also matches at the end of a
// name written in one piece ("accesstoken", "xapikey"): shorter phrases end
// ordinary words ("key": monkey, turkey).
const minGlued = 5

// phrase is a compiled Words entry.
type phrase struct {
	words []string // "private key" → [private key]
	glued string   // "privatekey"
}

// compilePhrase splits a Words entry into words the way names are split
// ("private key", "privateKey" and "private_key" are one phrase).
func compilePhrase(s string) (phrase, error) {
	w := Words(s)
	if len(w) == 0 {
		return phrase{}, fmt.Errorf("words entry %q has no word (letters or digits)", s)
	}
	return phrase{words: w, glued: strings.Join(w, "")}, nil
}

// head is a name's words without trailing words that do not change what
// the field holds ("secretValue", "token_b64", "apiKeyV2" → secret, token,
// api key). At least one word is kept.
func head(words []string) []string {
	for len(words) > 1 {
		last := words[len(words)-1]
		switch {
		case allDigits(last):
			// "base64" and "b64" split as base 64, b 64: one neutral word.
			if prev := words[len(words)-2]; neutralTails[prev+last] || prev == "v" {
				words = words[:len(words)-2]
			} else {
				words = words[:len(words)-1]
			}
		case neutralTails[last]:
			words = words[:len(words)-1]
		default:
			return words
		}
	}
	return words
}

func allDigits(s string) bool {
	return s != "" && strings.TrimFunc(s, unicode.IsDigit) == ""
}

// matches reports whether a name's head ends in the phrase: its last words
// are the phrase's words (the last one may be plural: "apiKeys"), or, for
// a phrase of minGlued letters or more, its last word ends with the phrase
// glued together ("accesstoken", "clientsecrets").
func (p phrase) matches(h []string) bool {
	if len(h) == 0 {
		return false
	}
	if n := len(p.words); len(h) >= n {
		ok := true
		for i, w := range p.words {
			got := h[len(h)-n+i]
			if got != w && (i < n-1 || got != w+"s") {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	last := h[len(h)-1]
	return len(p.glued) >= minGlued && (strings.HasSuffix(last, p.glued) || strings.HasSuffix(last, p.glued+"s"))
}

// matchWords reports whether a field name matches one of the phrases and is
// not a look-alike.
func matchWords(name string, phrases []phrase) bool {
	h := head(Words(name))
	for _, p := range phrases {
		if p.matches(h) {
			return !LookAlikeName(name)
		}
	}
	return false
}

// credentialWords are the words (or word endings, for names written in one
// piece) that make a name look like a credential's.
var credentialWords = []string{
	"secret", "token", "password", "passwd", "pwd", "passphrase", "passcode",
	"credential", "key", "apikey", "cookie", "session", "jwt", "jwk", "bearer", "auth",
}

// mentionsCredential: one of the name's words is, or ends with, a
// credential word (plurals included).
func mentionsCredential(words []string) bool {
	for _, w := range words {
		w = strings.TrimSuffix(w, "s")
		for _, c := range credentialWords {
			if strings.HasSuffix(w, c) || strings.HasPrefix(w, c) && len(words) == 1 {
				return true
			}
		}
	}
	return false
}

// lookAlikeTails end a name that says something about a credential rather
// than holding it: its type, id, name, count, time, where to get it, its
// state or its rules.
var lookAlikeTails = map[string]bool{
	"type": true, "types": true, "kind": true, "id": true, "ids": true, "kid": true,
	"name": true, "names": true, "label": true, "count": true, "counts": true, "total": true, "num": true,
	"length": true, "len": true, "size": true,
	"at": true, "on": true, "date": true, "time": true, "timestamp": true, "ts": true,
	"url": true, "urls": true, "uri": true, "uris": true, "endpoint": true, "endpoints": true,
	"link": true, "href": true, "path": true,
	"status": true, "state": true, "enabled": true, "required": true, "policy": true,
	"format": true, "algorithm": true, "alg": true, "scope": true, "scopes": true,
	"version": true, "mode": true,
}

// lookAlikeFirst start a name that holds a yes/no ("hasSecret",
// "isTokenValid", "useToken") or a number ("numTokens", "maxTokens").
var lookAlikeFirst = map[string]bool{
	"has": true, "is": true, "was": true, "are": true, "should": true, "can": true,
	"allow": true, "allows": true, "use": true, "uses": true, "enable": true,
	"require": true, "requires": true, "needs": true, "show": true,
	"num": true, "number": true, "count": true, "total": true, "max": true, "min": true,
}

// lifetimeWords: a name with one of them holds how long something lives
// ("expiresIn", "tokenExpiresAt", "secretTtl").
var lifetimeWords = map[string]bool{
	"expires": true, "expire": true, "expired": true, "expiry": true, "expiration": true,
	"ttl": true, "lifetime": true, "validity": true,
}

// notSecretTokens: a token named by one of these words before it is a
// page cursor or the caller's own anti-forgery token, not a credential of
// the resource ("nextPageToken", "continuationToken", "csrfToken").
var notSecretTokens = []string{
	"page", "next", "prev", "previous", "continuation", "cursor", "pagination",
	"sync", "resume", "csrf", "xsrf",
}

// publicKeyWords: "public key", "publishable key", "public cert".
var publicKeyWords = map[string]bool{"public": true, "publishable": true}

// LookAlikeName reports whether a field name, although it mentions a
// credential word (secret, token, password, key, …), names something that is
// not a credential:
//
//   - its type, id, name, count, size, time, URL, state or rules: the name
//     ends in type, kind, id, kid, name, label, count, total, length, size,
//     at, on, date, time, timestamp, url, uri, endpoint, link, path, status,
//     state, enabled, required, policy, format, algorithm, scope, version or
//     mode ("tokenType", "keyId", "csrfTokenName", "secretsCount",
//     "secretIssuedAt", "tokenEndpoint", "passwordPolicy"; not "sessionId",
//     which is a credential);
//   - its lifetime: expires, expiry, expiration, ttl, lifetime, validity
//     anywhere ("expiresIn", "tokenExpiresAt", "refreshTokenExpiry");
//   - a yes/no or a number: it starts with has, is, was, should, can,
//     allow, use, enable, require, needs, show, num, number, count, total,
//     max or min ("hasSecret", "isTokenValid", "maxTokens");
//   - a page cursor or the caller's own anti-forgery token: a token after
//     page, next, prev, continuation, cursor, pagination, sync, resume,
//     csrf or xsrf ("nextPageToken", "pageToken", "continuationToken",
//     "csrfToken");
//   - a public key: "publicKey", "public_key_pem", "publishableKey".
//
// Names written in one piece are recognised too ("tokentype", "expiresin",
// "nextpagetoken", "hassecret", "publickey").
func LookAlikeName(name string) bool {
	words := Words(name)
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		if lifetimeWords[w] || len(words) == 1 && strings.Contains(w, "expir") {
			return true
		}
	}
	if len(words) == 1 && words[0] == "kid" {
		return true // a JSON Web Key's id
	}
	if !mentionsCredential(words) {
		return false
	}
	if len(words) == 1 {
		return lookAlikeGlued(words[0])
	}
	if lookAlikeFirst[words[0]] {
		return true
	}
	last := words[len(words)-1]
	if lookAlikeTails[last] && !sensitivePairs[[2]string{words[len(words)-2], last}] {
		return true
	}
	for i := 1; i < len(words); i++ {
		w := strings.TrimSuffix(words[i], "s")
		if (w == "token" || strings.HasSuffix(w, "token")) && slices.Contains(notSecretTokens, words[i-1]) {
			return true
		}
		if publicKeyWords[words[i-1]] && (w == "key" || w == "cert" || w == "certificate") {
			return true
		}
	}
	for _, w := range words {
		if lookAlikeGlued(w) && !sensitiveCompounds[w] {
			return true
		}
	}
	return false
}

// lookAlikeGlued is LookAlikeName for one word written in one piece
// ("tokentype", "nextpagetoken", "hassecret").
func lookAlikeGlued(w string) bool {
	if sensitiveCompounds[w] {
		return false // "sessionid"
	}
	for _, l := range []string{"publickey", "publishablekey"} {
		if strings.Contains(w, l) {
			return true
		}
	}
	for _, t := range notSecretTokens {
		if strings.HasSuffix(w, t+"token") || strings.HasSuffix(w, t+"tokens") {
			return true
		}
	}
	for _, p := range []string{"has", "is"} {
		if rest, ok := strings.CutPrefix(w, p); ok && sensitiveWords[rest] {
			return true
		}
	}
	for _, c := range credentialWords {
		i := strings.LastIndex(w, c)
		if i < 0 {
			continue
		}
		if rest := w[i+len(c):]; lookAlikeTails[strings.TrimPrefix(rest, "s")] {
			return true // "tokentype", "secretscount", "keyid"
		}
	}
	return false
}

// SecretValue reports whether a value could be a secret: a string that is
// not Masked, not a date or timestamp ("2026-11-25T18:17:26Z",
// "2026-11-25", "Wed, 25 Nov 2026 18:17:26 GMT") and not a short enum-like
// word ("Bearer", "ENABLED", "hmac-sha256", "RS256", "long_lived", "v2.1",
// "true"). Booleans, numbers, nulls, objects and arrays never are.
//
// Enum-like: at most 32 characters in at most 4 parts separated by - _ . :
// or /, each part letters then digits or digits then letters (at most one
// change, at most 4 digits in a row, at most 16 characters), all in one case
// or each part Capitalized. So "abc123def", "Zx9kQ2", "482913" and any
// longer token are secret values; a short lower-case password with digits
// at its end ("hunter2") is not — a console does not return passwords; the
// secret rules still see every value.
func SecretValue(v any) bool {
	s, ok := v.(string)
	if !ok || Masked(s) {
		return false
	}
	s = strings.TrimSpace(s)
	return !dateLike(s) && !enumLike(s)
}

// dateLayouts are the date and timestamp formats JSON APIs write.
var dateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999", "2006-01-02", "2006/01/02", "20060102T150405Z0700",
	time.RFC1123, time.RFC1123Z, time.RFC850, time.ANSIC, time.UnixDate,
}

func dateLike(s string) bool {
	if len(s) < 8 || len(s) > 40 {
		return false
	}
	for _, l := range dateLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return true
		}
	}
	return false
}

func enumLike(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("-_.:/", r) })
	if len(parts) == 0 || len(parts) > 4 {
		return false
	}
	upper, lower, capitalized := false, false, true
	for _, p := range parts {
		if len(p) > 16 {
			return false
		}
		changes, run := 0, 0
		for i := 0; i < len(p); i++ {
			c := p[i]
			switch {
			case 'a' <= c && c <= 'z':
				lower = true
				run = 0
			case 'A' <= c && c <= 'Z':
				upper = true
				run = 0
				if i > 0 {
					capitalized = false
				}
			case '0' <= c && c <= '9':
				if run++; run > 4 {
					return false
				}
			default:
				return false
			}
			if i > 0 && isDigit(c) != isDigit(p[i-1]) {
				changes++
			}
		}
		if changes > 1 {
			return false
		}
	}
	return !(upper && lower) || capitalized
}
