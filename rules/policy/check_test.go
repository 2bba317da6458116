package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/theory/jsonpath"
)

// Fake credentials in the shapes LINE uses; they are never printed.
const (
	fakeSecret = "8c3fe2a4b7d91e0f6a5b4c3d2e1f0a9b"
	fakeToken  = "Zk9vQmFyQmF6UXV4MTIzNDU2Nzg5MEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY3ODkwQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejEyMzQ1Njc4OTA/1O/w1cDnyilFU="
)

func decodeJSON(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("bad test JSON: %v", err)
	}
	return v
}

func builtinT(t testing.TB) *Policy {
	t.Helper()
	p, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// summary renders violations as "ruleID path" lines: no values.
func summary(vs []Violation) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Rule.ID + " " + v.Path
	}
	return out
}

func TestFlatten(t *testing.T) {
	body := decodeJSON(t, `{"a":[{"b":1},{"b":"x"}],"empty":{},"none":[],"n":null,"t":true,
		"it's":"q","back\\slash":1,"ctl\u0001\u001f\b\f\n\r\t":2,"日本":"v","":"e","deep":{"x":[[3]]}}`)
	got := Flatten(body)
	want := []Leaf{
		{Path: "$['']", Name: ""},
		{Path: "$['a'][0]['b']", Name: "b"},
		{Path: "$['a'][1]['b']", Name: "b"},
		{Path: `$['back\\slash']`, Name: `back\slash`},
		{Path: `$['ctl\u0001\u001f\b\f\n\r\t']`, Name: "ctl\x01\x1f\b\f\n\r\t"},
		{Path: "$['deep']['x'][0][0]", Name: ""},
		{Path: `$['it\'s']`, Name: "it's"},
		{Path: "$['n']", Name: "n"},
		{Path: "$['t']", Name: "t"},
		{Path: "$['日本']", Name: "日本"},
	}
	if len(got) != len(want) {
		t.Fatalf("Flatten: %d leaves, want %d: %q", len(got), len(want), leafPaths(got))
	}
	for i := range want {
		if got[i].Path != want[i].Path || got[i].Name != want[i].Name {
			t.Errorf("leaf %d = %q (name %q), want %q (name %q)", i, got[i].Path, got[i].Name, want[i].Path, want[i].Name)
		}
		// A normalized path is a JSONPath query selecting exactly that node.
		jp, err := jsonpath.Parse(got[i].Path)
		if err != nil {
			t.Errorf("leaf path %q does not parse: %v", got[i].Path, err)
			continue
		}
		if n := len(jp.Select(body)); n != 1 {
			t.Errorf("leaf path %q selects %d nodes", got[i].Path, n)
		}
	}
	if _, ok := got[5].Value.(json.Number); !ok {
		t.Errorf("deep leaf value type %T, want json.Number", got[5].Value)
	}
	if got[7].Value != nil {
		t.Errorf("null leaf not nil")
	}
	for _, scalar := range []any{"x", json.Number("1"), true, nil} {
		if l := Flatten(scalar); len(l) != 1 || l[0].Path != "$" {
			t.Errorf("Flatten(scalar %T) = %q", scalar, leafPaths(l))
		}
	}
	if l := Flatten(map[string]any{}); len(l) != 0 {
		t.Errorf("Flatten({}) = %q", leafPaths(l))
	}
}

func leafPaths(ls []Leaf) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Path)
	}
	return out
}

// consoleChannel is a settings-tab response of a console-like API: what the
// 2019 console sent to every role.
var consoleChannel = fmt.Sprintf(`{
  "channel": {
    "channelId": "1656789012",
    "name": "Cafe Bot",
    "description": "Orders and coupons",
    "iconUrl": "https://profile.line-scdn.net/0h...",
    "providerName": "Example Cafe",
    "channelSecret": %[1]q,
    "channelAccessToken": {"token": %[2]q, "issuedAt": 1563321600},
    "webhook": {"endpoint": "https://example.com/callback", "active": true, "webhookSecret": %[1]q},
    "assertionSigningKey": {"kid": "a1b2c3", "privateKey": {"kty": "RSA", "d": "xyz"}},
    "email": "cafe-support@example.com",
    "userId": "U4af4980629a0123456789abcdef01234"
  },
  "roles": [
    {"role": "admin", "displayName": "Alice", "email": "alice@example.com"},
    {"role": "member", "displayName": "Bob", "mailAddress": "bob@example.com"},
    {"role": "tester", "displayName": "Carol", "user": {"emailAddress": "carol@example.com"}}
  ],
  "admins": ["alice@example.com"]
}`, fakeSecret, fakeToken)

func TestCheckConsole(t *testing.T) {
	p := builtinT(t)
	body := decodeJSON(t, consoleChannel)
	const path = "/api/v1/channels/1656789012"

	if vs := p.Check("GET", path, "admin", body); len(vs) != 0 {
		t.Errorf("admin: %q, want nothing", summary(vs))
	}
	if vs := p.Check("GET", path, "Admin", body); len(vs) != 0 {
		t.Errorf("Admin (case): %q, want nothing", summary(vs))
	}
	want := []string{
		"role-member-emails $['admins'][0]",
		"channel-secret $['channel']['channelSecret']",
		"channel-access-token $['channel']['channelAccessToken']",
		"channel-access-token-in-channel-api $['channel']['channelAccessToken']['token']",
		"webhook-signing-secret $['channel']['webhook']['webhookSecret']",
		"webhook-signing-secret $['channel']['assertionSigningKey']",
		"webhook-signing-secret $['channel']['assertionSigningKey']['privateKey']",
		"role-member-emails $['roles'][0]['email']",
		"role-member-emails $['roles'][1]['mailAddress']",
		"role-member-emails $['roles'][2]['user']['emailAddress']",
	}
	for _, role := range []string{"member", "tester", "MEMBER"} {
		vs := p.Check("GET", path, role, body)
		got := summary(vs)
		if !sameSet(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", role, got, want)
		}
		checkSorted(t, vs)
		for _, v := range vs {
			if v.Rule.MinRole != "admin" {
				t.Errorf("%s: rule %s min role %q", role, v.Rule.ID, v.Rule.MinRole)
			}
			if v.Path == "$['channel']['channelSecret']" {
				if v.Name != "channelSecret" || v.Value != fakeSecret {
					t.Errorf("channelSecret violation: name %q, value not the decoded value", v.Name)
				}
			}
			if v.Path == "$['admins'][0]" && v.Name != "" {
				t.Errorf("array element name %q, want empty", v.Name)
			}
		}
	}
	// POST to a different, non-channel path: only the path-free rules apply.
	vs := p.Check("POST", "/api/v1/export", "member", body)
	for _, v := range vs {
		if v.Rule.Path != "" {
			t.Errorf("rule %s (path %q) applied to /api/v1/export", v.Rule.ID, v.Rule.Path)
		}
	}
	// An unknown role ranks below every role: everything is reported.
	if got := summary(p.Check("GET", path, "nobody", body)); !sameSet(got, want) {
		t.Errorf("unknown role: %q", got)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func checkSorted(t *testing.T, vs []Violation) {
	t.Helper()
	type key struct{ path, id string }
	seen := map[key]bool{}
	for i, v := range vs {
		k := key{v.Path, v.Rule.ID}
		if seen[k] {
			t.Errorf("duplicate violation %s %s", v.Rule.ID, v.Path)
		}
		seen[k] = true
		if i > 0 && vs[i-1].Path == v.Path && vs[i-1].Rule.ID > v.Rule.ID {
			t.Errorf("not sorted by rule id at %d", i)
		}
	}
}

func TestCheckSortedNumerically(t *testing.T) {
	p := builtinT(t)
	var items []string
	for i := 0; i < 12; i++ {
		items = append(items, fmt.Sprintf(`{"email":"u%d@example.com"}`, i))
	}
	body := decodeJSON(t, `{"members":[`+strings.Join(items, ",")+`]}`)
	vs := p.Check("GET", "/api/v1/channels/1656789012/members", "member", body)
	var got []string
	for _, v := range vs {
		got = append(got, v.Path+" "+v.Rule.ID)
	}
	if len(got) != 24 {
		t.Fatalf("got %d violations: %q", len(got), got)
	}
	if got[0] != "$['members'][0]['email'] role-endpoint-emails" || got[1] != "$['members'][0]['email'] role-member-emails" ||
		got[4] != "$['members'][2]['email'] role-endpoint-emails" || got[23] != "$['members'][11]['email'] role-member-emails" {
		t.Errorf("order: %q", got)
	}
}

// Friend statistics are basic information every role below admin MAY see.
func TestCheckStatisticsAllowed(t *testing.T) {
	p := builtinT(t)
	tests := []struct{ name, method, path, body string }{
		{"followers", "GET", "/v2/bot/insight/followers",
			`{"status":"ready","followers":7620,"targetedReaches":5848,"blocks":237}`},
		{"demographic", "GET", "/v2/bot/insight/demographic", `{
			"available": true,
			"genders": [{"gender":"unknown","percentage":37.6},{"gender":"male","percentage":31.8},{"gender":"female","percentage":30.6}],
			"ages": [{"age":"unknown","percentage":37.6},{"age":"from50","percentage":17.3}],
			"areas": [{"area":"unknown","percentage":42.9},{"area":"徳島","percentage":0.4}],
			"appTypes": [{"appType":"ios","percentage":62.4},{"appType":"android","percentage":27.7},{"appType":"others","percentage":9.9}],
			"subscriptionPeriods": [{"subscriptionPeriod":"over365days","percentage":96.4},{"subscriptionPeriod":"within365days","percentage":1.9},{"subscriptionPeriod":"within180days","percentage":1.2},{"subscriptionPeriod":"within90days","percentage":0.5},{"subscriptionPeriod":"within30days","percentage":0.1},{"subscriptionPeriod":"within7days","percentage":0}]
		}`},
		{"delivery", "GET", "/v2/bot/insight/message/delivery", `{
			"status":"ready","broadcast":5385,"targeting":522,"autoResponse":19,"welcomeResponse":1,
			"chat":4,"apiBroadcast":0,"apiPush":123,"apiMulticast":45,"apiNarrowcast":6,"apiReply":7890,
			"stepMessage":3}`},
		{"message event", "GET", "/v2/bot/insight/message/event", `{
			"overview":{"requestId":"f70dd685-499a-4231-a441-f24b8d4fba21","timestamp":1568214000,"delivered":32,"uniqueImpression":4,"uniqueClick":null,"uniqueMediaPlayed":2,"uniqueMediaPlayed100Percent":-1},
			"messages":[{"seq":1,"impression":18,"mediaPlayed":11}],
			"clicks":[{"seq":1,"url":"https://developers.line.biz/","click":-1,"uniqueClick":-1}]}`},
		{"console followers", "GET", "/api/v1/channels/1656789012/insight/followers",
			`{"date":"20190418","followers":7620,"targetedReaches":5848,"blocks":237}`},
		{"console overview", "GET", "/api/v1/channels/1656789012",
			`{"channelId":"1656789012","name":"Cafe Bot","description":"Orders","iconUrl":"https://example.com/i.png","channelSecret":null,"channelAccessToken":"","secret":"********************************","roles":[]}`},
		{"bot info", "GET", "/v2/bot/info",
			`{"userId":"Ub9952f8f7f7fc2e4fbbd24f1d6d45a0e","basicId":"@216ru...","displayName":"Example name","pictureUrl":"https://obs.line-apps.com/...","chatMode":"chat","markAsReadMode":"manual"}`},
		{"webhook endpoint", "GET", "/v2/bot/channel/webhook/endpoint",
			`{"endpoint":"https://example.com/test","active":true}`},
		{"quota", "GET", "/v2/bot/message/quota/consumption", `{"totalUsage":500}`},
	}
	for _, tt := range tests {
		body := decodeJSON(t, tt.body)
		for _, role := range []string{"member", "tester"} {
			if vs := p.Check(tt.method, tt.path, role, body); len(vs) != 0 {
				t.Errorf("%s as %s: %q, want nothing", tt.name, role, summary(vs))
			}
		}
	}
}

// A user's own data and login responses are not channel data.
func TestCheckOwnDataAllowed(t *testing.T) {
	p := builtinT(t)
	tests := []struct{ name, method, path, body string }{
		{"own profile", "GET", "/api/me", `{"userId":"U4af4980629a0123456789abcdef01234","name":"Bob","email":"bob@example.com","locale":"ja"}`},
		{"own profile nested", "GET", "/api/v1/users/me", `{"user":{"name":"Bob","email":"bob@example.com","mailAddress":"bob@example.com"}}`},
		{"login", "POST", "/api/auth/login", fmt.Sprintf(`{"accessToken":%q,"refreshToken":"r1","token_type":"Bearer","expires_in":2592000,"user":{"email":"bob@example.com"}}`, fakeToken)},
		{"oauth token", "POST", "/oauth2/v2.1/token", `{"access_token":"eyJhbGciOiJIUzI1NiJ9.e30.abc","id_token":"eyJ.e30.x","token_type":"Bearer","refresh_token":"r","scope":"profile openid"}`},
		{"session", "GET", "/api/session", `{"token":"abcdef","csrfToken":"xyz"}`},
	}
	for _, tt := range tests {
		body := decodeJSON(t, tt.body)
		for _, role := range []string{"member", "tester"} {
			if vs := p.Check(tt.method, tt.path, role, body); len(vs) != 0 {
				t.Errorf("%s as %s: %q, want nothing", tt.name, role, summary(vs))
			}
		}
	}
}

func TestCheckMaskedAndNull(t *testing.T) {
	p := builtinT(t)
	body := decodeJSON(t, `{
		"channelSecret": null,
		"channel_secret": "",
		"channelAccessToken": "****************************************",
		"longLivedAccessToken": "••••••••••••1O/w",
		"webhookSecret": "[REDACTED]",
		"privateKey": {},
		"token": "<redacted>",
		"secret": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"roles": [{"email": null}, {"email": ""}, {"email": "****"}]
	}`)
	for _, path := range []string{"/api/v1/channels/1656789012", "/api/v1/channels/1656789012/roles"} {
		if vs := p.Check("GET", path, "member", body); len(vs) != 0 {
			t.Errorf("%s: %q, want nothing for masked fields", path, summary(vs))
		}
	}
}

func TestCheckGenericNamesOnlyUnderChannel(t *testing.T) {
	p := builtinT(t)
	body := decodeJSON(t, fmt.Sprintf(`{"secret":%q,"accessToken":%q,"access_token":%q,"clientSecret":%q}`, fakeSecret, fakeToken, fakeToken, fakeSecret))
	tests := []struct {
		path string
		want []string
	}{
		{"/api/v1/channels/1656789012/basic", []string{
			"channel-access-token-in-channel-api $['accessToken']",
			"channel-access-token-in-channel-api $['access_token']",
			"channel-secret-in-channel-api $['clientSecret']",
			"channel-secret-in-channel-api $['secret']",
		}},
		{"/v2/bot/channel/settings", []string{
			"channel-access-token-in-channel-api $['accessToken']",
			"channel-access-token-in-channel-api $['access_token']",
			"channel-secret-in-channel-api $['clientSecret']",
			"channel-secret-in-channel-api $['secret']",
		}},
		// Under a provider the names are caught by their words instead.
		{"/api/providers/1/apps", []string{
			"secret-named-field $['accessToken']",
			"secret-named-field $['access_token']",
			"secret-named-field $['clientSecret']",
			"secret-named-field $['secret']",
		}},
		{"/api/login", nil},
		{"/api/v1/me/apps", nil},
	}
	for _, tt := range tests {
		got := summary(p.Check("GET", tt.path, "member", body))
		if !sameSet(got, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.path, got, tt.want)
		}
	}
}

func TestCheckRoleEndpoint(t *testing.T) {
	p := builtinT(t)
	body := decodeJSON(t, `{"items":[{"name":"Alice","email":"alice@example.com","role":"ADMIN"},{"name":"Bob","email":"bob@example.com","role":"MEMBER"}],"total":2}`)
	got := summary(p.Check("GET", "/api/v1/channels/1656789012/roles", "member", body))
	want := []string{"role-endpoint-emails $['items'][0]['email']", "role-endpoint-emails $['items'][1]['email']"}
	if !sameSet(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if vs := p.Check("GET", "/api/v1/channels/1656789012/roles", "admin", body); len(vs) != 0 {
		t.Errorf("admin: %q", summary(vs))
	}
}

// One violation per (rule, node), one per rule for a node several rules match.
func TestCheckDedup(t *testing.T) {
	p, err := Parse("dedup.toml", []byte(`
[[roles]]
name = "admin"
rank = 2
[[roles]]
name = "user"
rank = 1
[[rules]]
id = "a"
min_role = "admin"
fields = ["$..s", "$.x.s", "$..[?@.s]"]
names = ["s", "S"]
[[rules]]
id = "b"
min_role = "admin"
names = ["s"]
`))
	if err != nil {
		t.Fatal(err)
	}
	body := decodeJSON(t, `{"x":{"s":"v1"}}`)
	got := summary(p.Check("GET", "/", "user", body))
	want := []string{"a $['x']", "a $['x']['s']", "b $['x']['s']"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCheckRanks(t *testing.T) {
	p, err := Parse("ranks.toml", []byte(`
[[roles]]
name = "admin"
rank = 30
[[roles]]
name = "member"
rank = 20
[[roles]]
name = "tester"
rank = 10
[[rules]]
id = "stats"
min_role = "member"
method = "get"
path = "/v2/bot/insight/**"
fields = ["$.followers"]
`))
	if err != nil {
		t.Fatal(err)
	}
	body := decodeJSON(t, `{"followers":7620}`)
	for _, tt := range []struct {
		method, path, role string
		n                  int
	}{
		{"GET", "/v2/bot/insight/followers", "tester", 1},
		{"get", "/v2/bot/insight/followers", "tester", 1},
		{"GET", "/v2/bot/insight/followers", "member", 0},
		{"GET", "/v2/bot/insight/followers", "admin", 0},
		{"POST", "/v2/bot/insight/followers", "tester", 0},
		{"GET", "/v2/bot/info", "tester", 0},
	} {
		vs := p.Check(tt.method, tt.path, tt.role, body)
		if len(vs) != tt.n {
			t.Errorf("%s %s as %s: %q, want %d", tt.method, tt.path, tt.role, summary(vs), tt.n)
		}
		for _, v := range vs {
			if _, ok := v.Value.(json.Number); !ok || v.Name != "followers" {
				t.Errorf("value type %T name %q", v.Value, v.Name)
			}
		}
	}
	if vs := p.Check("GET", "/", "tester", nil); vs != nil {
		t.Errorf("nil body: %q", summary(vs))
	}
	var nilPolicy *Policy
	if vs := nilPolicy.Check("GET", "/", "tester", body); vs != nil {
		t.Errorf("nil policy: %q", summary(vs))
	}
}

// A Rule built by hand, without Parse, still works.
func TestCheckHandBuiltRule(t *testing.T) {
	p := &Policy{
		Roles: []Role{{Name: "admin", Rank: 2}, {Name: "user", Rank: 1}},
		Rules: []Rule{{ID: "h", MinRole: "admin", Fields: []string{"$.a"}, Names: []string{"b_c"}}},
	}
	got := summary(p.Check("GET", "/", "user", decodeJSON(t, `{"a":"1","x":{"BC":"2"}}`)))
	if want := []string{"h $['a']", "h $['x']['BC']"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestFieldPrefilter: what a path needs, and that a body without those
// names is skipped while one with them is not.
func TestFieldPrefilter(t *testing.T) {
	for _, c := range []struct {
		path string
		body string
		want bool // possible
	}{
		{"$..channel['secret','clientSecret']", `{"channel":{"secret":"s"}}`, true},
		{"$..channel['secret','clientSecret']", `{"channel":{"name":"n"}}`, false},
		{"$..channel['secret','clientSecret']", `{"data":[{"x":{"clientSecret":"s"}}],"channel":1}`, true},
		{"$..channel['secret','clientSecret']", `{"followers":3}`, false},
		{"$..['roles','members'][*]..email", `{"members":[{"email":"a@b.c"}]}`, true},
		{"$..['roles','members'][*]..email", `{"members":[{"mail":"a@b.c"}]}`, false},
		{"$..['roles','members'][?search(@, '@')]", `{"roles":["a@b.c"]}`, true},
		{"$..['roles','members'][?search(@, '@')]", `["a@b.c"]`, false},
		{"$..*", `{"a":1}`, true},
		{"$[0]", `[1]`, true},
	} {
		jp, err := jsonpath.Parse(c.path)
		if err != nil {
			t.Fatal(err)
		}
		var body any
		if err := json.Unmarshal([]byte(c.body), &body); err != nil {
			t.Fatal(err)
		}
		f := field{jp, namesNeeded(jp)}
		if got := f.possible(memberNames(body)); got != c.want {
			t.Errorf("%s on %s: possible = %v, want %v (needs %q)", c.path, c.body, got, c.want, f.needs)
		}
		if !f.possible(memberNames(body)) && len(jp.SelectLocated(body)) > 0 {
			t.Errorf("%s on %s: skipped but selects something", c.path, c.body)
		}
	}
}
