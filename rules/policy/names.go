package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// normalizeName folds a field name for Names matching: lower case, without
// '_', '-', '.' and white space ("channel_secret" == "ChannelSecret").
func normalizeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '_' || r == '-' || r == '.' || unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Words splits a field name into lower-case words at '_', '-', '.',
// white space and other punctuation, at lower→upper case changes
// ("secretToken" → secret token), at the end of an upper-case run
// ("APIKey" → api key, "clientSECRET" → client secret; an acronym's plural
// stays one word: "tokenIDs" → token ids) and between letters and digits
// ("oauth2Token" → oauth 2 token). "LINE_CHANNEL_SECRET" → line channel
// secret.
func Words(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 {
			prev := cur[len(cur)-1]
			switch {
			case unicode.IsUpper(r) && unicode.IsLower(prev):
				flush()
			case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && !acronymPlural(rs, i):
				flush() // "APIKey": split before the K
			case unicode.IsDigit(r) != unicode.IsDigit(prev):
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// acronymPlural: rs[i] ends an upper-case run and is followed by a lone
// "s" that ends the word ("IDs", "URLs"), which is the acronym's plural,
// not the start of a new word.
func acronymPlural(rs []rune, i int) bool {
	return i+1 < len(rs) && rs[i+1] == 's' && (i+2 == len(rs) || !unicode.IsLower(rs[i+2]))
}

// sensitiveWords are words that make a name sensitive when they are its
// head (last word, after trailing neutral words).
var sensitiveWords = map[string]bool{
	"secret": true, "secrets": true,
	"token": true, "tokens": true,
	"password": true, "passwords": true, "passwd": true, "pwd": true,
	"passphrase": true, "passcode": true,
	"credential": true, "credentials": true,
	"authorization": true, "cookie": true, "cookies": true,
	"apikey": true, "privatekey": true, "secretkey": true,
	"jwt": true, "bearer": true,
}

// sensitivePairs are two-word heads: "api key", "private key", ….
var sensitivePairs = map[[2]string]bool{
	{"api", "key"}: true, {"api", "keys"}: true,
	{"private", "key"}: true, {"secret", "key"}: true,
	{"access", "key"}: true, {"signing", "key"}: true,
	{"encryption", "key"}: true, {"master", "key"}: true,
	{"session", "id"}: true, {"session", "key"}: true,
	{"code", "verifier"}: true, {"saml", "response"}: true,
	{"client", "assertion"}: true,
}

// sensitiveCompounds are names written as one lower-case word.
var sensitiveCompounds = map[string]bool{
	"apikey": true, "xapikey": true, "privatekey": true, "secretkey": true,
	"accesskey": true, "signingkey": true, "sessionid": true, "sessionkey": true,
	"session": true, "setcookie": true, "codeverifier": true, "samlresponse": true,
}

// sensitiveSuffixes make a one-word lower-case name sensitive
// ("accesstoken", "clientsecret", "channelaccesstoken").
var sensitiveSuffixes = []string{"token", "secret", "password", "passwd", "apikey", "privatekey", "secretkey", "credentials"}

// neutralTails may follow the head word without changing what the field
// holds ("tokenValue", "passwordHash", "secret_b64").
var neutralTails = map[string]bool{
	"value": true, "values": true, "string": true, "str": true, "text": true,
	"raw": true, "plain": true, "plaintext": true, "data": true, "b64": true,
	"base64": true, "hex": true, "encoded": true, "enc": true, "hash": true,
	"pem": true, "header": true, "confirmation": true, "confirm": true,
	"1": true, "2": true,
}

// SensitiveName reports whether a field name names a credential: secret,
// token, password, passwd, API key, private key, credential, client secret,
// authorization, cookie, session id…. It works on words (camelCase,
// snake_case, kebab-case split), and the sensitive word must be the head of
// the name: "accessToken", "channel_secret", "webhookSecret", "apiKey",
// "Set-Cookie" are sensitive; "keyword", "monkey", "tokenizer", "blocks",
// "tokenType", "passwordPolicy", "sessionCount" are not.
func SensitiveName(name string) bool {
	words := head(Words(name))
	if len(words) == 0 {
		return false
	}
	last := words[len(words)-1]
	if sensitiveWords[last] {
		return true
	}
	if len(words) >= 2 && sensitivePairs[[2]string{words[len(words)-2], last}] {
		return true
	}
	if len(words) == 1 {
		if sensitiveCompounds[last] {
			return true
		}
		for _, s := range sensitiveSuffixes {
			if strings.HasSuffix(last, s) {
				return true
			}
		}
	}
	return false
}

// maskWords are placeholder values that stand for a removed value, compared
// case-insensitively after brackets and mask characters are trimmed.
var maskWords = map[string]bool{
	"redacted": true, "masked": true, "hidden": true, "filtered": true,
	"removed": true, "omitted": true, "censored": true, "sanitized": true,
	"secret": true, "private": true, "protected": true, "not shown": true,
	"not available": true, "n/a": true, "none": true, "null": true,
	"undefined": true,
}

func isMaskRune(r rune) bool {
	switch r {
	case '*', 'x', 'X', '•', '●', '·', '∙', '◦', '○', '◉', '⬤', '∗', '＊', '×', '#', '…':
		return true
	}
	return false
}

// Masked reports whether a value was not really received: nil, "", a string
// of only white space or mask characters ("****", "••••", "xxxx-xxxx"), a
// placeholder ("<redacted>", "[REDACTED]", "***HIDDEN***"), a partial mask
// showing a few characters ("****1234", "abcd••••••••"), or an empty object
// or array. Numbers and booleans are never masked.
func Masked(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return maskedString(x)
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

func maskedString(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return true
	}
	if !utf8.ValidString(s) {
		return false
	}
	word := strings.TrimFunc(s, func(r rune) bool {
		return strings.ContainsRune("<>[](){}*_-#•●. ", r)
	})
	if maskWords[strings.ToLower(word)] {
		return true
	}
	mask, visible := 0, 0
	for _, r := range s {
		switch {
		case isMaskRune(r):
			mask++
		case unicode.IsSpace(r) || strings.ContainsRune("-_:/.", r):
		default:
			visible++
		}
	}
	// Only mask characters, or a run of them with a few characters shown.
	if visible == 0 {
		return mask > 0
	}
	return mask >= 3 && visible <= 6 && mask >= visible
}
