package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
)

var (
	cliStaged   = fakecred.ChannelSecret("cli-staged")
	cliUnstaged = fakecred.ChannelSecret("cli-unstaged")
)

func runCLIStdin(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, stdin, &out, &errb)
	return result{code, out.String(), errb.String()}
}

// reportAt runs a JSON scan and returns its exit code and the findings'
// "path:line", failing if any output holds a planted value.
func reportAt(t *testing.T, stdin io.Reader, args ...string) (int, []string) {
	t.Helper()
	res := runCLIStdin(t, stdin, append(args, "--format", "json")...)
	for i, s := range []string{cliStaged, cliUnstaged} {
		if strings.Contains(res.stdout+res.stderr, s) {
			t.Fatalf("output holds planted value #%d (%d chars)", i, len(s))
		}
	}
	if res.code == exitError {
		t.Fatalf("exit 2: %s", res.stderr)
	}
	var doc struct {
		Findings []struct {
			Location struct {
				Path      string
				StartLine int `json:"start_line"`
			}
		}
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	var at []string
	for _, f := range doc.Findings {
		at = append(at, fmt.Sprintf("%s:%d", f.Location.Path, f.Location.StartLine))
	}
	return res.code, at
}

func TestScanStaged(t *testing.T) {
	env := func(s string) string { return "LINE_CHANNEL_SECRET=" + s + "\n" }
	r := gittest.New(t)
	r.Commit("init", map[string]string{"README.md": "hi\n", "app.env": "PORT=1\n"})
	r.Write(map[string]string{"staged.env": env(cliStaged), "app.env": "PORT=1\n" + env(cliUnstaged), "new.env": env(cliUnstaged)})
	r.Git("add", "staged.env")

	code, at := reportAt(t, nil, "scan", "--staged", r.Dir)
	if code != exitFindings || strings.Join(at, ",") != "staged.env:1" {
		t.Errorf("--staged: exit %d, findings %v; want exit 1 and only staged.env:1", code, at)
	}
	// the same repository scanned whole sees the unstaged ones too: the
	// test would pass for the wrong reason if they were not findings
	if _, all := reportAt(t, nil, "scan", r.Dir, "--no-cache"); len(all) < 3 {
		t.Errorf("a full scan finds %v, want the unstaged values too", all)
	}
	res := runCLI(t, "scan", "--staged", r.Dir)
	if !strings.Contains(res.stdout, "staged for the next commit") || !strings.Contains(res.stdout, "in 1 staged file") {
		t.Errorf("text report does not say what was read:\n%s", res.stdout)
	}

	r.Git("commit", "-q", "-m", "oops")
	if code, at := reportAt(t, nil, "scan", "--staged", r.Dir); code != exitOK || len(at) != 0 {
		t.Errorf("after the commit nothing is staged: exit %d, findings %v", code, at)
	}

	fresh := gittest.New(t)
	fresh.Write(map[string]string{"first.env": env(cliStaged)})
	fresh.Git("add", "first.env")
	if code, at := reportAt(t, nil, "scan", "--staged", fresh.Dir); code != exitFindings || strings.Join(at, ",") != "first.env:1" {
		t.Errorf("no HEAD yet: exit %d, findings %v", code, at)
	}
}

func TestScanStdin(t *testing.T) {
	pasted := "# pasted\nLINE_CHANNEL_SECRET=" + cliStaged + "\n"
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		wantAt string
	}{
		{"pasted config", pasted, []string{"scan", "-"}, exitFindings, "stdin:2"},
		{"named", pasted, []string{"scan", "-", "--stdin-name", "config/app.env"}, exitFindings, "config/app.env:2"},
		{"empty", "", []string{"scan", "-"}, exitOK, ""},
		{"a diff", "+++ b/x.env\n@@ -0,0 +1 @@\n+LINE_CHANNEL_SECRET=" + cliStaged + "\n", []string{"scan", "-"}, exitFindings, "stdin:3"},
		{"below --fail-on", pasted, []string{"scan", "-", "--fail-on", "critical"}, exitOK, "stdin:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, at := reportAt(t, strings.NewReader(tt.stdin), tt.args...)
			if code != tt.code || strings.Join(at, ",") != tt.wantAt {
				t.Errorf("exit %d, findings %v; want exit %d at %q", code, at, tt.code, tt.wantAt)
			}
		})
	}
	res := runCLIStdin(t, strings.NewReader(pasted), "scan", "-")
	if !strings.Contains(res.stdout, "in standard input") {
		t.Errorf("text summary does not name standard input:\n%s", res.stdout)
	}
}

func TestInputFlagErrors(t *testing.T) {
	r := gittest.New(t)
	r.Commit("init", map[string]string{"a": "1\n"})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"stdin-name without -", []string{"scan", r.Dir, "--stdin-name", "x"}, "--stdin-name"},
		{"- and --staged", []string{"scan", "-", "--staged"}, "--staged"},
		{"- and --range", []string{"scan", "-", "--range", "a..b"}, "--range"},
		{"--staged and --no-history", []string{"scan", r.Dir, "--staged", "--no-history"}, "--staged"},
		{"--staged outside git", []string{"scan", t.TempDir(), "--staged"}, "needs a git repository"},
		{"--staged on a file", []string{"scan", filepath.Join(r.Dir, "a"), "--staged"}, "needs a git repository"},
		{"--staged with captures alone", []string{"scan", "--staged", "--capture", "x.har:admin"}, "--staged with --capture"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLIStdin(t, strings.NewReader("x"), tt.args...)
			first := strings.SplitN(strings.TrimSpace(res.stderr), "\n", 2)[0]
			if res.code != exitError || !strings.HasPrefix(first, "channelguard: ") || !strings.Contains(first, tt.want) || res.stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit 2 and one line naming %s", res.code, res.stderr, res.stdout, tt.want)
			}
		})
	}
}
