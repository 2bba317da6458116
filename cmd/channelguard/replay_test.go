package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/mockconsole"
)

var adminCapture = filepath.Join("..", "..", "testdata", "captures", "console-admin.har")

// mockConsole serves the mock console and returns its URL and log.
func mockConsole(t *testing.T, opts mockconsole.Options) (string, *mockconsole.RequestLog) {
	t.Helper()
	opts.Log = &mockconsole.RequestLog{}
	srv := httptest.NewServer(mockconsole.New(opts))
	t.Cleanup(srv.Close)
	return srv.URL, opts.Log
}

// memberHeaders signs bob (Member) in on a console of its own and writes
// his session to a header file, as a user would keep it. It returns the
// file and the session value.
func memberHeaders(t *testing.T) (string, string) {
	t.Helper()
	base, _ := mockConsole(t, mockconsole.Options{})
	resp, err := http.Post(base+"/api/login", "application/json", strings.NewReader(`{"email":"bob@example.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var value string
	for _, c := range resp.Cookies() {
		if c.Name == mockconsole.CookieName {
			value = c.Value
		}
	}
	if value == "" {
		t.Fatal("no session cookie")
	}
	p := filepath.Join(t.TempDir(), "member.headers")
	if err := os.WriteFile(p, []byte("# bob, Member\nCookie: "+mockconsole.CookieName+"="+value+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, value
}

type replayDoc struct {
	Findings []finding.Finding `json:"findings"`
	Replay   *finding.Replay   `json:"replay"`
}

func readDoc(t *testing.T, path string) replayDoc {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d replayDoc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

type where struct{ rule, fingerprint, path string }

func placesOf(fs []finding.Finding, role string) []where {
	var out []where
	for _, f := range fs {
		if f.Capture != nil && f.Capture.Role == role {
			out = append(out, where{f.RuleID, f.Fingerprint, f.Location.String()})
		}
	}
	slices.SortFunc(out, func(a, b where) int { return strings.Compare(a.fingerprint+a.path, b.fingerprint+b.path) })
	return out
}

// The recorded HAR is what the replay scanned: scanning it again with the
// capture (offline) gives the same findings at the same places.
func TestReplayRecordRescans(t *testing.T) {
	if testing.Short() {
		t.Skip("replays through the whole engine")
	}
	base, reqLog := mockConsole(t, mockconsole.Options{})
	headers, session := memberHeaders(t)
	dir := t.TempDir()
	rec, rep := filepath.Join(dir, "member-replay.har"), filepath.Join(dir, "replay.json")
	res := runCLI(t, "replay", adminCapture, "--role", "admin", "--as", "member", "--header-file", headers,
		"--target", base, "--record", rec, "--rate", "50", "--format", "json", "--output", rep)
	if res.code != exitFindings {
		t.Fatalf("replay of the buggy console: exit %d, want 1: %s", res.code, res.stderr)
	}
	d := readDoc(t, rep)
	if d.Replay == nil || d.Replay.Sent != len(reqLog.Requests()) || d.Replay.Recorded != rec {
		t.Fatalf("replay section: %+v", d.Replay)
	}
	scanOut := filepath.Join(dir, "scan.json")
	res2 := runCLI(t, "scan", "--capture", adminCapture+":admin", "--capture", rec+":member", "--format", "json", "--output", scanOut)
	if res2.code != exitFindings {
		t.Fatalf("rescan: exit %d: %s", res2.code, res2.stderr)
	}
	got, want := placesOf(readDoc(t, scanOut).Findings, "member"), placesOf(d.Findings, "member")
	if len(want) < 7 || !slices.Equal(got, want) {
		t.Errorf("rescan of the recording:\n got %v\nwant %v", got, want)
	}
	if len(placesOf(d.Findings, "admin")) != 0 {
		t.Error("the replay reports the capture's own (admin) findings")
	}
	rb, _ := os.ReadFile(rec)
	rp, _ := os.ReadFile(rep)
	for name, s := range map[string]string{"stdout": res.stdout, "stderr": res.stderr, "record": string(rb), "report": string(rp)} {
		if strings.Contains(s, session) {
			t.Errorf("the member's session value is in the %s", name)
		}
	}
}

func TestReplayFixedConsoleIsClean(t *testing.T) {
	if testing.Short() {
		t.Skip("replays through the whole engine")
	}
	base, _ := mockConsole(t, mockconsole.Options{Fixed: true})
	headers, _ := memberHeaders(t)
	res := runCLI(t, "replay", adminCapture, "--role", "admin", "--as", "member", "--header-file", headers, "--target", base, "--rate", "50")
	if res.code != exitOK {
		t.Fatalf("fixed console: exit %d, want 0:\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"No findings", "enforced     GET " + base + "/api/v1/channels/1656789012/roles  403 (admin: 200)", "removed: $['channelSecret']"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, res.stdout)
		}
	}
}

func TestReplayDryRun(t *testing.T) {
	base, reqLog := mockConsole(t, mockconsole.Options{})
	headers, session := memberHeaders(t)
	res := runCLI(t, "replay", adminCapture, "--role", "admin", "--as", "member", "--header-file", headers, "--target", base, "--dry-run")
	if res.code != exitOK || !strings.Contains(res.stdout, "Dry run: nothing was sent") {
		t.Fatalf("exit %d:\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if n := len(reqLog.Requests()); n != 0 {
		t.Errorf("--dry-run sent %d requests", n)
	}
	if strings.Contains(res.stdout+res.stderr, session) {
		t.Error("--dry-run shows the session value")
	}
}

func TestReplayOutageStops(t *testing.T) {
	if testing.Short() {
		t.Skip("replays through the whole engine")
	}
	base, reqLog := mockConsole(t, mockconsole.Options{OutageAfter: 2})
	headers, _ := memberHeaders(t)
	res := runCLI(t, "replay", adminCapture, "--role", "admin", "--as", "member", "--header-file", headers, "--target", base, "--rate", "50", "--jobs", "1")
	if res.code != exitError || !strings.Contains(res.stderr, "replay stopped: 5 answers in a row were server errors") {
		t.Fatalf("exit %d, stderr %s", res.code, res.stderr)
	}
	if n := len(reqLog.Requests()); n != 7 {
		t.Errorf("console got %d requests; want 2 served + 5 errors", n)
	}
	if !strings.Contains(res.stdout, "STOPPED:") || !strings.Contains(res.stdout, "not-sent") {
		t.Errorf("the report does not say the replay stopped:\n%s", res.stdout)
	}
}

func TestReplayBadInput(t *testing.T) {
	const value = "s3ss10n-v4lue-do-not-print"
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.headers")
	os.WriteFile(bad, []byte("Cookie: a=b\nthis is not a header "+value+"\n"), 0o600)
	good := filepath.Join(dir, "good.headers")
	os.WriteFile(good, []byte("Cookie: sid="+value+"\n"), 0o600)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no --as", []string{"--role", "admin", "--header-file", good}, "--as"},
		{"as ranks higher", []string{"--role", "member", "--as", "admin", "--header-file", good}, "must rank below"},
		{"unknown role", []string{"--role", "admin", "--as", "intern", "--header-file", good}, "unknown role"},
		{"no credentials", []string{"--role", "admin", "--as", "member"}, "credentials are required"},
		{"bad header file", []string{"--role", "admin", "--as", "member", "--header-file", bad}, bad + ": line 2"},
		{"bad header", []string{"--role", "admin", "--as", "member", "--header", "Cookie " + value}, `want "Name: value"`},
		{"target with a path", []string{"--role", "admin", "--as", "member", "--header-file", good, "--target", "http://127.0.0.1:1/console"}, "want an origin"},
		{"record over the capture", []string{"--role", "admin", "--as", "member", "--header-file", good, "--record", adminCapture}, "overwrite the capture"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runCLI(t, append([]string{"replay", adminCapture}, tc.args...)...)
			if res.code != exitError || !strings.Contains(res.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", res.code, res.stderr, tc.want)
			}
			if strings.Contains(res.stdout+res.stderr, value) {
				t.Error("the output shows the header value")
			}
			if strings.Count(strings.TrimSpace(res.stderr), "\n") > 0 {
				t.Errorf("error is not one line: %q", res.stderr)
			}
		})
	}
	res := runCLI(t, "replay", filepath.Join(dir, "missing.har"), "--role", "admin", "--as", "member", "--header-file", good)
	if res.code != exitError || !strings.Contains(res.stderr, "missing.har") {
		t.Errorf("missing capture: exit %d %q", res.code, res.stderr)
	}
}
