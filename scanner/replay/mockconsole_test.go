package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/mockconsole"
	"github.com/channelguard/channelguard/reporters/jsonreport"
	"github.com/channelguard/channelguard/reporters/text"
	"github.com/channelguard/channelguard/scanner/capture"
	"github.com/channelguard/channelguard/scanner/har"
)

var capturesDir = filepath.Join("..", "..", "testdata", "captures")

// console serves a mock console for one test and returns its URL and log.
func console(t *testing.T, opts mockconsole.Options) (string, *mockconsole.RequestLog) {
	t.Helper()
	if opts.Log == nil {
		opts.Log = &mockconsole.RequestLog{}
	}
	srv := httptest.NewServer(mockconsole.New(opts))
	t.Cleanup(srv.Close)
	return srv.URL, opts.Log
}

// session signs in as email on a console of its own (sessions are the same
// on every mock console), so that the console under test logs only what a
// replay sends. It returns the Cookie header value.
func session(t *testing.T, email string) string {
	t.Helper()
	base, _ := console(t, mockconsole.Options{})
	resp, err := http.Post(base+"/api/login", "application/json", strings.NewReader(`{"email":"`+email+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == mockconsole.CookieName {
			return c.Name + "=" + c.Value
		}
	}
	t.Fatalf("login %s: no session cookie", email)
	return ""
}

// adminCapture is console-admin.har with the two requests an admin's
// "Show secret" button would add (GET /api/v1/channels/{id}/secret, one per
// channel), made from a copy of the capture's own Roles request with the
// mock's answer to the admin. No member page calls that endpoint.
func adminCapture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(capturesDir, "console-admin.har"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	log := doc["log"].(map[string]any)
	entries := log["entries"].([]any)
	var tmpl map[string]any
	for _, e := range entries {
		req := e.(map[string]any)["request"].(map[string]any)
		if strings.HasSuffix(req["url"].(string), "/"+mockconsole.MessagingChannelID+"/roles") {
			tmpl = e.(map[string]any)
		}
	}
	if tmpl == nil {
		t.Fatal("console-admin.har: no Roles request to copy")
	}
	base, _ := console(t, mockconsole.Options{})
	alice := session(t, "alice@example.com")
	for _, id := range []string{mockconsole.MessagingChannelID, mockconsole.LoginChannelID} {
		req, _ := http.NewRequest("GET", base+"/api/v1/channels/"+id+"/secret", nil)
		req.Header.Set("Cookie", alice)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("admin GET secret: %d", resp.StatusCode)
		}
		var e map[string]any
		c, _ := json.Marshal(tmpl)
		d := json.NewDecoder(bytes.NewReader(c))
		d.UseNumber()
		if err := d.Decode(&e); err != nil {
			t.Fatal(err)
		}
		req2 := e["request"].(map[string]any)
		u := req2["url"].(string)
		req2["url"] = u[:strings.Index(u, "/api/")] + "/api/v1/channels/" + id + "/secret"
		content := e["response"].(map[string]any)["content"].(map[string]any)
		content["text"] = string(body)
		content["size"] = len(body)
		entries = append(entries, e)
	}
	log["entries"] = entries
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "console-admin-show-secret.har")
	if err := os.WriteFile(p, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type roleField struct{ path, field string }

func roleFindings(fs []finding.Finding) []roleField {
	var out []roleField
	for _, f := range fs {
		if f.RuleID == capture.RuleRoleField {
			out = append(out, roleField{f.Capture.Path, f.Capture.Field})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].field < out[j].path+out[j].field })
	return out
}

const (
	msgCh   = "/api/v1/channels/" + mockconsole.MessagingChannelID
	loginCh = "/api/v1/channels/" + mockconsole.LoginChannelID
)

// Every admin-only field of the buggy console, the endpoint no member page
// calls included.
var adminOnly = []roleField{
	{msgCh, "$['channelSecret']"},
	{msgCh + "/messaging-api", "$['channelAccessToken']"},
	{msgCh + "/roles", "$['roles'][*]['email']"},
	{msgCh + "/secret", "$['channelSecret']"},
	{loginCh, "$['channelSecret']"},
	{loginCh + "/roles", "$['roles'][*]['email']"},
	{loginCh + "/secret", "$['channelSecret']"},
}

func TestMockConsole(t *testing.T) {
	if testing.Short() {
		t.Skip("sends a replay through the whole engine")
	}
	// The member's own capture never asks for the secret endpoint: only a
	// replay can find it.
	r, err := har.Open(filepath.Join(capturesDir, "console-member.har"))
	if err != nil {
		t.Fatal(err)
	}
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(e.Request.URL, "/secret") {
			t.Fatalf("console-member.har calls %s: the test needs an endpoint the member's page never calls", e.Request.URL)
		}
	}
	r.Close()

	adminHar := adminCapture(t)
	bob := session(t, "bob@example.com")
	secrets := []string{mockconsole.MessagingChannelSecret, mockconsole.LoginChannelSecret, mockconsole.MessagingAccessToken}
	for _, tc := range []struct {
		fixed bool
		want  []roleField
	}{
		{false, adminOnly},
		{true, nil},
	} {
		t.Run(fmt.Sprintf("fixed=%v", tc.fixed), func(t *testing.T) {
			base, reqLog := console(t, mockconsole.Options{Fixed: tc.fixed, VisitCookie: true})
			var logBuf bytes.Buffer
			var logMu sync.Mutex
			res, err := Run(context.Background(), Options{
				Capture: adminHar, Role: "admin", As: "member",
				Headers: []Header{{"Cookie", bob}},
				Target:  base, Rate: 50, Jobs: 2,
				RecordName: "member-replay.har", Recorded: true,
				Logf: func(f string, a ...any) {
					logMu.Lock()
					fmt.Fprintf(&logBuf, f+"\n", a...)
					logMu.Unlock()
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			rep := res.Report
			if got := roleFindings(rep.Findings); !slices.Equal(got, tc.want) {
				t.Errorf("role-inappropriate fields:\n got %v\nwant %v", got, tc.want)
			}
			if tc.fixed && len(rep.Findings) != 0 {
				for _, f := range rep.Findings {
					t.Errorf("fixed console: finding %s at %s %s", f.RuleID, f.Capture.Path, f.Capture.Field)
				}
			}
			if res.Stopped != "" {
				t.Errorf("stopped: %s", res.Stopped)
			}

			// Access results.
			results := map[string]finding.Access{}
			for _, a := range rep.Replay.Endpoints {
				u, _ := url.Parse(a.URL)
				if a.Result != finding.AccessSkipped {
					results[u.Path] = a
				}
			}
			for _, p := range []string{msgCh + "/insight/followers", msgCh + "/insight/demographic", msgCh + "/insight/message/delivery"} {
				if a := results[p]; a.Result != finding.AccessSame || len(a.Removed) > 0 {
					t.Errorf("%s: statistics are a member's to see: got %s %v", p, a.Result, a.Removed)
				}
			}
			if tc.fixed {
				for p, want := range map[string]string{
					msgCh + "/roles": finding.AccessEnforced, loginCh + "/roles": finding.AccessEnforced,
					msgCh + "/secret": finding.AccessEnforced, loginCh + "/secret": finding.AccessEnforced,
					msgCh: finding.AccessFiltered, loginCh: finding.AccessFiltered, msgCh + "/messaging-api": finding.AccessFiltered,
				} {
					if got := results[p].Result; got != want {
						t.Errorf("fixed %s: %s, want %s", p, got, want)
					}
				}
				if a := results[msgCh+"/messaging-api"]; !slices.Contains(a.Removed, "$['channelAccessToken']") {
					t.Errorf("messaging-api: removed %v, want the token", a.Removed)
				}
				if a := results[loginCh]; !slices.Equal(a.Removed, []string{"$['channelSecret']"}) {
					t.Errorf("LINE Login channel: removed %v, want the secret (null for a member)", a.Removed)
				}
			} else {
				for p, a := range results {
					if a.Result != finding.AccessSame {
						t.Errorf("buggy %s: %s, want same (the bug: the member gets what the admin gets)", p, a.Result)
					}
				}
			}

			// What the console saw: GET and HEAD only, no sign-in or
			// sign-out, the member's session alone, no cookie it set.
			seen := reqLog.Requests()
			if len(seen) != rep.Replay.Sent || len(seen) < 16 {
				t.Errorf("console got %d requests, the replay says %d sent", len(seen), rep.Replay.Sent)
			}
			for _, q := range seen {
				if q.Method != "GET" && q.Method != "HEAD" {
					t.Errorf("console got %s %s", q.Method, q.URI)
				}
				if strings.Contains(q.URI, "/login") || strings.Contains(q.URI, "/logout") {
					t.Errorf("console got a sign-in/out request %s", q.URI)
				}
				if q.User != "bob@example.com" || !slices.Equal(q.Cookies, []string{mockconsole.CookieName}) || q.Authorization {
					t.Errorf("%s %s: user %q cookies %v authorization %v; want the member's session alone", q.Method, q.URI, q.User, q.Cookies, q.Authorization)
				}
			}
			skippedLogin := false
			for _, a := range rep.Replay.Endpoints {
				if a.Result == finding.AccessSkipped && strings.HasSuffix(a.URL, "/api/login") {
					skippedLogin = strings.Contains(a.Detail, "sign-in")
				}
			}
			if !skippedLogin {
				t.Error("the sign-in request is not listed as skipped with its reason")
			}

			// No raw value anywhere: not the member's session, not a served
			// secret, in the report, the log or the recording's headers.
			var out bytes.Buffer
			if err := jsonreport.Write(&out, rep); err != nil {
				t.Fatal(err)
			}
			if err := text.Write(&out, rep, text.Options{}); err != nil {
				t.Fatal(err)
			}
			out.Write(logBuf.Bytes())
			sessionValue := strings.TrimPrefix(bob, mockconsole.CookieName+"=")
			for _, s := range append([]string{sessionValue}, secrets...) {
				if bytes.Contains(out.Bytes(), []byte(s)) {
					t.Errorf("a raw value (%d chars) is in the report or log", len(s))
				}
			}
			if bytes.Contains(res.Record, []byte(sessionValue)) {
				t.Error("the member's session value is in the recorded HAR")
			}
			checkRecordHeaders(t, res.Record, append([]string{sessionValue}, secrets...))
		})
	}
}

// checkRecordHeaders fails when a value stands in any header or cookie of
// the recorded HAR.
func checkRecordHeaders(t *testing.T, rec []byte, values []string) {
	t.Helper()
	r, err := har.NewReader(bytes.NewReader(rec), "record")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the recorded HAR does not read: %v", err)
		}
		n++
		for _, fs := range [][]har.Field{e.Request.Headers, e.Request.Cookies, e.Response.Headers, e.Response.Cookies} {
			for _, f := range fs {
				for _, v := range values {
					if strings.Contains(f.Value, v) {
						t.Errorf("entry %d: header or cookie %s holds a raw value", e.Index, f.Name)
					}
				}
				if strings.EqualFold(f.Name, "Set-Cookie") && !strings.Contains(f.Value, redacted) {
					t.Errorf("entry %d: Set-Cookie not redacted", e.Index)
				}
			}
		}
	}
	if n == 0 {
		t.Error("the recorded HAR has no entry")
	}
}

func TestOutageStopsReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("sends a replay through the whole engine")
	}
	base, reqLog := console(t, mockconsole.Options{OutageAfter: 3})
	res, err := Run(context.Background(), Options{
		Capture: filepath.Join(capturesDir, "console-admin.har"), Role: "admin", As: "member",
		Headers: []Header{{"Cookie", session(t, "bob@example.com")}},
		Target:  base, Rate: 50, Jobs: 2, StopAfter: 4,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Stopped, "4 answers in a row were server errors") {
		t.Errorf("stopped = %q", res.Stopped)
	}
	r := res.Report.Replay
	// 3 served, 4 errors, at most one more in flight per other worker.
	if n := len(reqLog.Requests()); n < 7 || n > 3+4+1 {
		t.Errorf("console got %d requests during an outage; want 7 or 8", n)
	}
	if r.NotSent == 0 || r.Sent != len(reqLog.Requests()) {
		t.Errorf("sent %d, not sent %d; console got %d", r.Sent, r.NotSent, len(reqLog.Requests()))
	}
	gaps := 0
	for _, a := range r.Endpoints {
		if a.Result == finding.AccessServerError {
			gaps++
		}
	}
	if gaps < 4 {
		t.Errorf("%d server errors listed as gaps, want at least 4", gaps)
	}
	for _, f := range res.Report.Findings {
		if f.RuleID == capture.RuleRoleField {
			t.Errorf("a 5xx answer gave a role finding: %s", f.Capture.Path)
		}
	}
}

func TestDryRunSendsNothing(t *testing.T) {
	base, reqLog := console(t, mockconsole.Options{})
	bob := session(t, "bob@example.com")
	opts := Options{
		Capture: filepath.Join(capturesDir, "console-admin.har"), Role: "admin", As: "member",
		Headers: []Header{{"Cookie", bob}}, Target: base, DryRun: true,
	}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Report != nil || res.Record != nil {
		t.Error("a dry run made a report or a recording")
	}
	var out bytes.Buffer
	if err := res.Plan.Write(&out, opts); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(reqLog.Requests()); n != 0 {
		t.Errorf("a dry run sent %d requests", n)
	}
	s := out.String()
	if strings.Contains(s, strings.TrimPrefix(bob, mockconsole.CookieName+"=")) {
		t.Error("the dry run listing shows the session value")
	}
	for _, want := range []string{"Dry run: nothing was sent", "Would send 14 requests to " + base, "GET " + base + msgCh + "/roles", "POST http://127.0.0.1:40405/api/login — a sign-in", "Cookie: ldc_session=[redacted]"} {
		if !strings.Contains(s, want) {
			t.Errorf("dry run listing lacks %q:\n%s", want, s)
		}
	}
}
