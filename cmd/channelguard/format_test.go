package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/internal/mockconsole"
)

// sniffFormat says which format a written report is in, from its first
// bytes.
func sniffFormat(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	s := string(b)
	switch {
	case strings.Contains(s, `"$schema"`) && strings.Contains(s, `"runs"`):
		return "sarif"
	case strings.HasPrefix(s, "{") && strings.Contains(s, `"schema_version"`):
		return "json"
	case strings.HasPrefix(s, "<!DOCTYPE html>"):
		return "html"
	case strings.HasPrefix(s, "# channelguard report"):
		return "markdown"
	case strings.HasPrefix(s, "repository,severity,rule_id"):
		return "csv"
	case strings.Contains(s, "finding") && !strings.Contains(s, "|"):
		return "text"
	}
	return "unknown: " + s[:min(len(s), 60)]
}

// assertConflict checks a refused contradiction: exit 2, one line naming
// both, and no file written.
func assertConflict(t *testing.T, res result, output string, names ...string) {
	t.Helper()
	if res.code != exitError {
		t.Errorf("exit %d, want 2: %s", res.code, res.stderr)
	}
	if n := strings.Count(strings.TrimSpace(res.stderr), "\n"); n != 0 {
		t.Errorf("error is %d lines, want 1:\n%s", n+1, res.stderr)
	}
	for _, s := range names {
		if !strings.Contains(res.stderr, s) {
			t.Errorf("error does not name %q: %s", s, res.stderr)
		}
	}
	if _, err := os.Stat(output); err == nil {
		t.Errorf("%s was written", filepath.Base(output))
	}
}

func TestScanFormatFromOutputExtension(t *testing.T) {
	r := leakyRepo(t)
	dir := t.TempDir()
	for ext, want := range map[string]string{".sarif": "sarif", ".md": "markdown", ".out": "text"} {
		out := filepath.Join(dir, "scan"+ext)
		res := runCLI(t, "scan", r.Dir, "--no-cache", "--output", out)
		if res.code != exitFindings {
			t.Fatalf("scan -o %s: exit %d: %s", filepath.Base(out), res.code, res.stderr)
		}
		if got := sniffFormat(t, out); got != want {
			t.Errorf("scan -o %s wrote %s, want %s", filepath.Base(out), got, want)
		}
	}
	out := filepath.Join(dir, "x.sarif")
	res := runCLI(t, "scan", r.Dir, "--no-cache", "--format", "text", "--output", out)
	assertConflict(t, res, out, "--format text", "--output "+out, "SARIF")
}

func TestReportFormatFromOutputExtension(t *testing.T) {
	r := leakyRepo(t)
	dir := t.TempDir()
	from := filepath.Join(dir, "findings.json")
	if res := runCLI(t, "scan", r.Dir, "--no-cache", "--format", "json", "--output", from); res.code != exitFindings {
		t.Fatalf("scan: exit %d: %s", res.code, res.stderr)
	}
	for ext, want := range map[string]string{
		".sarif": "sarif", ".json": "json", ".csv": "csv", ".md": "markdown", ".html": "html", ".txt": "text", ".report": "text",
	} {
		out := filepath.Join(dir, "report"+ext)
		if res := runCLI(t, "report", "--from", from, "--output", out); res.code != exitOK {
			t.Fatalf("report -o %s: exit %d: %s", filepath.Base(out), res.code, res.stderr)
		}
		if got := sniffFormat(t, out); got != want {
			t.Errorf("report -o %s wrote %s, want %s", filepath.Base(out), got, want)
		}
	}
	out := filepath.Join(dir, "conflict.html")
	assertConflict(t, runCLI(t, "report", "--from", from, "--format", "md", "--output", out), out, "--format md", "--output "+out)
	out = filepath.Join(dir, "diff.csv")
	assertConflict(t, runCLI(t, "report", "diff", from, from, "--format", "json", "--output", out), out, "--format json", "--output "+out)
	out = filepath.Join(dir, "merged.sarif")
	assertConflict(t, runCLI(t, "report", "merge", from, "--output", out), out, "--output "+out, "JSON")
}

func TestReplayFormatFromOutputExtension(t *testing.T) {
	if testing.Short() {
		t.Skip("replays through the whole engine")
	}
	base, reqLog := mockConsole(t, mockconsole.Options{})
	headers, _ := memberHeaders(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "replay.txt")
	res := runCLI(t, "replay", adminCapture, "--role", "admin", "--as", "member", "--header-file", headers,
		"--target", base, "--rate", "50", "--format", "json", "--output", out)
	assertConflict(t, res, out, "--format json", "--output "+out)
	if n := len(reqLog.Requests()); n != 0 {
		t.Errorf("%d requests sent before the flags were checked", n)
	}
	out = filepath.Join(dir, "replay.json")
	res = runCLI(t, "replay", adminCapture, "--role", "admin", "--as", "member", "--header-file", headers,
		"--target", base, "--rate", "50", "--output", out)
	if res.code != exitFindings {
		t.Fatalf("replay: exit %d: %s", res.code, res.stderr)
	}
	if got := sniffFormat(t, out); got != "json" {
		t.Errorf("replay -o replay.json wrote %s", got)
	}
}

func TestOrgFormatFromOutputExtension(t *testing.T) {
	o := newFakeOrg(t)
	hookGit(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "team.csv")
	res := runCLI(t, "org", "--repos", "acme/app", "--format", "html", "--output", out, "--cache", t.TempDir())
	assertConflict(t, res, out, "--format html", "--output "+out)
	if n := len(o.requests()); n != 0 {
		t.Errorf("%d API requests before the flags were checked", n)
	}
	out = filepath.Join(dir, "team.md")
	res = runCLI(t, "org", "--repos", "acme/app", "--output", out, "--cache", t.TempDir())
	if res.code != exitFindings {
		t.Fatalf("org: exit %d: %s", res.code, res.stderr)
	}
	if got := sniffFormat(t, out); got != "markdown" {
		t.Errorf("org -o team.md wrote %s", got)
	}
	if res.stdout != "" {
		t.Errorf("org -o FILE printed the report too:\n%s", res.stdout)
	}
}

func TestPRSARIFNameMustBeSARIF(t *testing.T) {
	r, _, _ := prRepo(t, 0)
	t.Setenv("GITHUB_EVENT_NAME", "schedule")
	t.Setenv("GITHUB_EVENT_PATH", "")
	t.Setenv("GITHUB_WORKSPACE", r.Dir)
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	t.Setenv("GITHUB_OUTPUT", "")
	t.Setenv("GITHUB_TOKEN", "")
	out := filepath.Join(t.TempDir(), "report.html")
	assertConflict(t, runCLI(t, "pr", "--sarif", out), out, "--sarif "+out, "HTML")
}

// Every command that writes a report lists every format in its help.
func TestHelpListsEveryFormat(t *testing.T) {
	for _, cmd := range [][]string{{"scan"}, {"report"}, {"report", "diff"}, {"replay"}, {"org"}} {
		res := runCLI(t, append(cmd, "--help")...)
		for _, f := range []string{"text", "json", "sarif", "csv", "markdown", "html", ".sarif", ".md"} {
			if !strings.Contains(res.stdout, f) {
				t.Errorf("%s --help does not name %s", strings.Join(cmd, " "), f)
			}
		}
	}
}
