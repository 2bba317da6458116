package replay

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/channelguard/channelguard/rules/policy"
	"github.com/channelguard/channelguard/scanner/capture"
)

// authSegments are path segments (their words joined) that make an
// endpoint a sign-in, sign-out, OAuth, session or token endpoint: replaying
// one could swap, end or mint a session. A segment only counts when it is
// made of these words alone, so /channels/{id}/line-login and
// /channels/{id}/channel-access-token are replayed while /login,
// /users/sign_in, /oauth2/v2.1/token and /api/sessions are not.
var authSegments = map[string]bool{
	"login": true, "logon": true, "logout": true, "logoff": true,
	"signin": true, "signout": true, "signoff": true, "signup": true,
	"auth": true, "reauth": true, "authorize": true, "authenticate": true,
	"authentication": true, "authorization": true,
	"token": true, "tokens": true, "accesstoken": true, "refreshtoken": true,
	"refresh": true, "revoke": true, "introspect": true,
	"session": true, "sessions": true, "password": true, "mfa": true,
	"2fa": true, "otp": true, "webauthn": true, "impersonate": true,
	"sudo": true,
}

// protocolWords make any segment holding them an authentication
// protocol's: /v2/oauth/accessToken, /.well-known/openid-configuration,
// /saml2/acs.
var protocolWords = map[string]bool{
	"oauth": true, "oauth2": true, "openid": true, "oidc": true,
	"saml": true, "saml2": true, "sso": true,
}

// authQueryWords are query names or values that turn a request into a
// sign-in or sign-out (?action=logout), and OAuth parameters.
var authQueryWords = map[string]bool{
	"login": true, "logout": true, "signin": true, "signout": true,
	"logoff": true, "signoff": true, "redirecturi": true,
	"responsetype": true, "idtokenhint": true, "postlogoutredirecturi": true,
}

// authPath says why a path is a sign-in, sign-out, OAuth or token
// endpoint, or "" when it is not one.
func authPath(path string) string {
	for _, seg := range strings.Split(path, "/") {
		ws := words(seg)
		if len(ws) == 0 {
			continue
		}
		if authSegments[strings.Join(ws, "")] {
			return fmt.Sprintf("a sign-in, sign-out, session or token endpoint (path segment %q)", seg)
		}
		for _, w := range ws {
			if protocolWords[w] {
				return fmt.Sprintf("an OAuth/OpenID/SAML/SSO endpoint (path segment %q)", seg)
			}
		}
	}
	return ""
}

// authQuery says why a query makes a request a sign-in, sign-out or OAuth
// step, or "" when it does not.
func authQuery(q url.Values) string {
	for name, vs := range q {
		if authQueryWords[strings.Join(words(name), "")] {
			return fmt.Sprintf("a sign-in, sign-out or OAuth step (query parameter %q)", name)
		}
		for _, v := range vs {
			if authQueryWords[strings.Join(words(v), "")] && len(v) < 32 {
				return fmt.Sprintf("a sign-in or sign-out step (query parameter %q)", name)
			}
		}
	}
	if q.Has("code") && q.Has("state") {
		return `an OAuth callback (query parameters "code" and "state")`
	}
	return ""
}

// credentialQuery names a query parameter that carries a credential (by
// its name or its value), or "".
func credentialQuery(q url.Values) string {
	for name, vs := range q {
		n := strings.Join(words(name), "")
		if policy.SensitiveName(name) || credentialWords[n] || n == "sig" || n == "apikey" || n == "key" || strings.HasSuffix(n, "signature") || strings.HasSuffix(n, "token") {
			return name
		}
		for _, v := range vs {
			if credentialValue(v) {
				return name
			}
		}
	}
	return ""
}

// credentialSegment is a path segment that looks like a credential (a
// signed link, a token in the path), or "".
func credentialSegment(path string) bool {
	return capture.RedactPath(path) != path
}

// sessionCookieName is a cookie name that says it holds a session or a
// credential: ldc_session, JSESSIONID, connect.sid, auth_token, remember_me.
func sessionCookieName(name string) bool {
	l := strings.ToLower(name)
	for _, s := range []string{"session", "sess", "token", "login", "remember", "identity", "oauth", "saml"} {
		if strings.Contains(l, s) {
			return true
		}
	}
	for _, w := range words(name) {
		switch w {
		case "sid", "auth", "jwt", "sso":
			return true
		}
	}
	return policy.SensitiveName(name)
}

// sessionChange says how a captured response changed the session: it set
// a session cookie the request did not carry (a sign-in) or cleared one
// (a sign-out). A session cookie re-set with a new value on an ordinary
// request (a sliding session) is not a change of who is signed in. sent
// maps the cookie names the request carried to their values.
func sessionChange(setCookies []string, sent map[string]string, at time.Time) string {
	for _, sc := range setCookies {
		c, err := http.ParseSetCookie(sc)
		if err != nil || !sessionCookieName(c.Name) {
			continue
		}
		cleared := c.MaxAge < 0 || c.Value == "" || !c.Expires.IsZero() && c.Expires.Before(at)
		_, carried := sent[c.Name]
		switch {
		case cleared:
			return fmt.Sprintf("its captured response clears session cookie %s (a sign-out)", c.Name)
		case !carried:
			return fmt.Sprintf("its captured response sets session cookie %s the request did not carry (a sign-in)", c.Name)
		}
	}
	return ""
}
