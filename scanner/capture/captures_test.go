package capture

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
)

// The committed captures of testdata/captures: recorded in headless
// Chromium from internal/mockconsole (the 2019 bug and the fixed API, as
// admin, member and tester), and hand-made variants of the member capture
// in every shape real exports take (testdata/captures/README.md).
const captures = "../../testdata/captures/"

// What the buggy API hands a member or tester that only an admin may see.
var bugFields = []string{
	"GET /api/v1/channels/1656789012 $['channelSecret']",
	"GET /api/v1/channels/1656789012/messaging-api $['channelAccessToken']",
	"GET /api/v1/channels/1656789012/roles $['roles'][*]['email']",
	"GET /api/v1/channels/1657890123 $['channelSecret']",
	"GET /api/v1/channels/1657890123/roles $['roles'][*]['email']",
}

func without(all []string, drop ...string) []string {
	var out []string
	for _, s := range all {
		keep := true
		for _, d := range drop {
			keep = keep && s != d
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

func roleFields(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		if f.RuleID == RuleRoleField {
			out = append(out, f.Capture.Method+" "+f.Capture.Path+" "+f.Capture.Field)
		}
	}
	sort.Strings(out)
	return out
}

func TestRecordedCaptures(t *testing.T) {
	tests := []struct {
		file, role string
		want       []string
		gaps       int
	}{
		{"console-member.har", "member", bugFields, 0},
		{"console-tester.har", "tester", bugFields, 0},
		{"console-admin.har", "admin", nil, 0},
		{"console-member-fixed.har", "member", nil, 0},
		{"console-tester-fixed.har", "tester", nil, 0},
		{"console-admin-fixed.har", "admin", nil, 0},
		{"quirks/arrays-member.har", "member", bugFields, 0},
		{"quirks/base64-member.har", "member", bugFields, 0},
		{"quirks/bom-member.har", "member", bugFields, 0},
		{"quirks/fiddler-member.har", "member", bugFields, 0},
		{"quirks/h2-member.har", "member", bugFields, 0},
		{"quirks/member.har.gz", "member", bugFields, 0},
		{"quirks/member.zhar", "member", bugFields, 0},
		// Firefox left one settings body out: a gap, not a clean result;
		// and cut a script at 1 MiB.
		{"quirks/firefox-member.har", "member", without(bugFields, "GET /api/v1/channels/1657890123 $['channelSecret']"), 2},
		{"quirks/webhook.har", "admin", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res := scan(t, []Input{{Path: captures + tc.file, Role: tc.role}})
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if got := roleFields(res.Findings); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("role findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			gaps := 0
			for _, f := range res.Findings {
				switch {
				case f.RuleID == RuleCoverageGap:
					gaps++
				case strings.Contains(f.Capture.Template, "/insight/"):
					t.Errorf("statistics: %s at %s %s", f.RuleID, f.Capture.Path, f.Capture.Field)
				case f.RuleID == RuleSharedField:
					t.Errorf("one role cannot share a value: %s", f.Capture.Field)
				}
				if f.Location.StartLine < 1 || f.Location.StartColumn < 1 && f.RuleID != RuleCoverageGap {
					t.Errorf("%s %s: location %+v", f.RuleID, f.Capture.Field, f.Location)
				}
			}
			if gaps != tc.gaps {
				t.Errorf("%d coverage gaps, want %d", gaps, tc.gaps)
			}
		})
	}
}

func TestBrokenCaptures(t *testing.T) {
	for file, want := range map[string]string{
		"quirks/not-a-har.json": "not-a-har.json: not a HAR capture (no log; line ",
		"quirks/cut-member.har": "unexpected end of file",
	} {
		set, pol, detect := engineForTest(t)
		_, err := Scan(t.Context(), []Input{{Path: captures + file, Role: "member"}}, Options{Rules: set, Policy: pol, Detect: detect})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "byte ") {
			t.Errorf("%s: err = %v, want %q with line and byte offset", file, err, want)
		}
	}
}

// Admin and member captures of the buggy API, and a webhook delivery signed
// with the Messaging API channel's secret, in one run.
func TestRecordedRolesComparedAndConfirmed(t *testing.T) {
	res := scan(t, []Input{
		{Path: captures + "console-admin.har", Role: "admin"},
		{Path: captures + "console-member.har", Role: "member"},
		{Path: captures + "quirks/webhook.har", Role: "admin"},
	})
	secret := finding.SecretHash(fakecred.ChannelSecret("mockconsole/messaging/channel-secret"))
	confirmed := 0
	for _, f := range res.Findings {
		if f.RuleID == RuleRoleField && (len(f.SameAs) != 1 || f.SameAs[0] != "admin") {
			t.Errorf("%s %s: same_value_as %v, want admin", f.Capture.Path, f.Capture.Field, f.SameAs)
		}
		if f.RuleID == RuleSharedField {
			t.Errorf("shared-field finding beyond the policy: %s %s", f.Capture.Path, f.Capture.Field)
		}
		if f.SecretSHA256 == secret {
			if f.Confirmed == "" || f.Severity != finding.Critical {
				t.Errorf("%s on %s: not confirmed critical", f.RuleID, f.Capture.File)
			}
			confirmed++
		}
	}
	// the member's role finding and the secret in each of the two captures
	if confirmed != 3 {
		t.Errorf("%d findings of the signing secret confirmed, want 3", confirmed)
	}
}

// A finding's line and column point at the value in the capture file, in
// a one-line recorded HAR and in pretty-printed and compressed ones.
func TestCaptureColumnsPointAtTheValue(t *testing.T) {
	secret := fakecred.ChannelSecret("mockconsole/messaging/channel-secret")
	for _, file := range []string{"console-member.har", "quirks/h2-member.har", "quirks/member.zhar", "quirks/bom-member.har"} {
		res := scan(t, []Input{{Path: captures + file, Role: "member"}})
		text := readCapture(t, captures+file)
		n := 0
		for _, f := range res.Findings {
			if f.SecretSHA256 != finding.SecretHash(secret) {
				continue
			}
			n++
			lines := strings.Split(text, "\n")
			l := f.Location
			if l.StartLine > len(lines) || l.StartColumn < 1 || l.StartColumn > len(lines[l.StartLine-1]) {
				t.Fatalf("%s: %s location %d:%d outside the file", file, f.RuleID, l.StartLine, l.StartColumn)
			}
			at := lines[l.StartLine-1][l.StartColumn-1:]
			// the secret rule points at the value, the role rule at its
			// opening (escaped) quote
			if !strings.HasPrefix(at, secret) && !strings.HasPrefix(at, `\"`+secret) {
				t.Errorf("%s: %s at %d:%d does not point at the value", file, f.RuleID, l.StartLine, l.StartColumn)
			}
		}
		if n != 2 {
			t.Errorf("%s: %d findings of the secret, want 2 (secret rule, role rule)", file, n)
		}
	}
}

// readCapture is a capture's JSON text as the scanner reads it.
func readCapture(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader = bytes.NewReader(raw)
	switch {
	case filepath.Ext(path) == ".gz":
		if r, err = gzip.NewReader(r); err != nil {
			t.Fatal(err)
		}
	case filepath.Ext(path) == ".zhar":
		if r, err = zlib.NewReader(r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(string(b), "\xef\xbb\xbf")
}
