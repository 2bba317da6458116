package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The machine formats hold dates, never ages: the same scan written on two
// days (by --as-of, or by the clock) is the same bytes. The human formats
// count ages to that day.
func TestReportsOnDifferentDays(t *testing.T) {
	r := leakyRepo(t)
	r.Git("remote", "add", "origin", "https://github.com/acme/line-bot.git")
	dir := t.TempDir()
	// Day 1 by --as-of, day 2 by --as-of, day 3 by the clock alone.
	days := []struct {
		name  string
		args  []string
		clock time.Time
	}{
		{"a", []string{"--as-of", "2026-01-01"}, time.Date(2030, 5, 5, 12, 0, 0, 0, time.Local)},
		{"b", []string{"--as-of", "2031-06-30"}, time.Date(2030, 5, 5, 12, 0, 0, 0, time.Local)},
		{"c", nil, time.Date(2028, 2, 29, 23, 30, 0, 0, time.Local)},
	}
	t.Cleanup(func() { now = time.Now })
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, d := range days {
		now = func() time.Time { return d.clock }
		for _, ext := range []string{"json", "sarif", "csv", "txt", "html", "md"} {
			args := append([]string{"scan", r.Dir, "--no-cache", "-q", "--output", filepath.Join(dir, d.name+"."+ext)}, d.args...)
			if res := runCLI(t, args...); res.code != exitFindings {
				t.Fatalf("scan -o %s.%s: exit %d: %s", d.name, ext, res.code, res.stderr)
			}
		}
	}
	for _, ext := range []string{"json", "sarif", "csv", "txt"} {
		a := read("a." + ext)
		for _, other := range []string{"b", "c"} {
			if !bytes.Equal(a, read(other+"."+ext)) {
				t.Errorf("%s written on two days differs (a and %s)", ext, other)
			}
		}
	}
	// The human formats: the title names the repository; ages are counted
	// to the day, and the introducer is named.
	for _, tt := range []struct{ file, asOf string }{{"a", "2026-01-01"}, {"b", "2031-06-30"}, {"c", "2028-02-29"}} {
		html, md := string(read(tt.file+".html")), string(read(tt.file+".md"))
		for _, want := range []string{"<title>channelguard report: acme/line-bot</title>", "Exposure ages as of <span class=\"date\">" + tt.asOf + "</span>.", "Introduced by", "</code> Alice Example</td>"} {
			if !strings.Contains(html, want) {
				t.Errorf("%s.html lacks %q", tt.file, want)
			}
		}
		for _, want := range []string{"# channelguard report: acme/line-bot\n", "Exposure ages as of " + tt.asOf + ".", "Introduced by"} {
			if !strings.Contains(md, want) {
				t.Errorf("%s.md lacks %q", tt.file, want)
			}
		}
		if strings.Contains(html+md, "alice@example.com") {
			t.Errorf("%s: the author's e-mail address is in a human report", tt.file)
		}
		assertNoSecret(t, tt.file+".html", html)
		assertNoSecret(t, tt.file+".md", md)
	}
	if bytes.Equal(read("a.html"), read("b.html")) {
		t.Error("the HTML report is the same five years later: ages are not counted to the day")
	}
}

func TestAsOfFlagErrors(t *testing.T) {
	for _, cmd := range [][]string{{"scan", "."}, {"report", "--from", "x.json"}, {"org", "acme"}} {
		res := runCLI(t, append(cmd, "--as-of", "05/01/2026")...)
		if res.code != exitError || !strings.Contains(res.stderr, "--as-of") || !strings.Contains(res.stderr, "YYYY-MM-DD") {
			t.Errorf("%s --as-of 05/01/2026: exit %d: %s", cmd[0], res.code, res.stderr)
		}
	}
}

// A scan of "." without a remote is titled with the directory's name,
// never ".".
func TestTitleOfCurrentDirectory(t *testing.T) {
	r := leakyRepo(t)
	out := filepath.Join(t.TempDir(), "report.html")
	t.Chdir(r.Dir)
	if res := runCLI(t, "scan", "--no-cache", "-q", "-o", out); res.code != exitFindings {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	b, _ := os.ReadFile(out)
	want := "<title>channelguard report: " + filepath.Base(r.Dir) + "</title>"
	if !strings.Contains(string(b), want) {
		t.Errorf("no %q in the page", want)
	}
	if strings.Contains(string(b), "report: .<") {
		t.Error(`the page is titled "."`)
	}
}
