package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/reporters/jsonreport"
	"github.com/channelguard/channelguard/teamreport/teamreporttest"
)

// writeJSONReport saves r as a JSON report in dir and returns its path.
func writeJSONReport(t *testing.T, dir, name string, r *finding.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := jsonreport.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func jsonOf(t *testing.T, r *finding.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := jsonreport.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestReportFrom(t *testing.T) {
	dir := t.TempDir()
	from := writeJSONReport(t, dir, "findings.json", teamreporttest.Report())
	tests := []struct {
		format string
		want   []string
	}{
		{"text", []string{"CRITICAL (1)", "5 findings"}},
		{"json", []string{`"schema_version": 1`, `"repository": "acme/bot"`, `"changes"`}},
		{"sarif", []string{`"version": "2.1.0"`, `"helpUri": "https://`}},
		{"csv", []string{"repository,severity,rule_id", `'=HYPERLINK(`}},
		{"markdown", []string{"## Repositories", "## Changes since reports/2025-11-18.json", "### acme/bot (3)", "](https://"}},
		{"md", []string{"## Repositories"}},
		{"html", []string{"<!DOCTYPE html>", `rel="noopener noreferrer">rule help</a>`, "Repositories not scanned", "Fixed since the last report"}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			res := runCLI(t, "report", "--from", from, "--format", tt.format)
			if res.code != exitOK {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			for _, s := range tt.want {
				if !strings.Contains(res.stdout, s) {
					t.Errorf("no %q in the %s output", s, tt.format)
				}
			}
			if again := runCLI(t, "report", "--from", from, "--format", tt.format); again.stdout != res.stdout {
				t.Error("two renderings of one report differ")
			}
			// --output writes the same bytes, atomically, and says so.
			out := filepath.Join(dir, "out."+tt.format)
			res2 := runCLI(t, "report", "--from", from, "--format", tt.format, "--output", out)
			data, err := os.ReadFile(out)
			if res2.code != exitOK || err != nil || string(data) != res.stdout {
				t.Errorf("--output: exit %d, %v, same bytes %v", res2.code, err, string(data) == res.stdout)
			}
			if !strings.Contains(res2.stderr, "report written to "+out) {
				t.Errorf("stderr %q", res2.stderr)
			}
		})
	}
	// The extension of --output chooses the format.
	for ext, marker := range map[string]string{".html": "<!DOCTYPE html>", ".md": "# channelguard report", ".csv": "repository,severity", ".sarif": `"runs"`} {
		out := filepath.Join(dir, "report"+ext)
		if res := runCLI(t, "report", "--from", from, "--output", out, "-q"); res.code != exitOK || res.stderr != "" {
			t.Fatalf("%s: exit %d, stderr %q", ext, res.code, res.stderr)
		}
		if data, _ := os.ReadFile(out); !strings.Contains(string(data), marker) {
			t.Errorf("%s: no %q", ext, marker)
		}
	}
}

// A real scan, saved as JSON and rendered later: no format shows a raw
// secret.
func TestReportFromScan(t *testing.T) {
	r := leakyRepo(t)
	saved := filepath.Join(t.TempDir(), "findings.json")
	if res := runCLI(t, "scan", r.Dir, "--format", "json", "--output", saved, "-q"); res.code != exitFindings {
		t.Fatalf("scan: exit %d: %s", res.code, res.stderr)
	}
	for _, format := range []string{"text", "json", "sarif", "csv", "markdown", "html"} {
		res := runCLI(t, "report", "--from", saved, "--format", format)
		if res.code != exitOK {
			t.Fatalf("%s: exit %d: %s", format, res.code, res.stderr)
		}
		assertNoSecret(t, format, res.stdout)
	}
	// json → json is the identity.
	data, _ := os.ReadFile(saved)
	if res := runCLI(t, "report", "--from", saved, "--format", "json"); res.stdout != string(data) {
		t.Error("report --from X --format json is not X")
	}
}

func TestReportErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeJSONReport(t, dir, "good.json", teamreporttest.Report())
	sarifFile := filepath.Join(dir, "scan.sarif")
	os.WriteFile(sarifFile, []byte(`{"version":"2.1.0","runs":[]}`), 0o644)
	v2 := filepath.Join(dir, "v2.json")
	os.WriteFile(v2, []byte(`{"schema_version":2,"findings":[]}`), 0o644)
	missing := filepath.Join(dir, "missing.json")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no --from", []string{"report"}, "--from FILE is required"},
		{"sarif", []string{"report", "--from", sarifFile}, sarifFile + ": this is a SARIF log"},
		{"schema 2", []string{"report", "--from", v2}, v2 + ": schema_version 2"},
		{"missing", []string{"report", "--from", missing}, missing + ": no such file"},
		{"bad format", []string{"report", "--from", good, "--format", "xml"}, `unknown format "xml"`},
		{"stray argument", []string{"report", good}, "unknown command"},
		{"output dir missing", []string{"report", "--from", good, "--output", filepath.Join(dir, "no", "r.html")}, filepath.Join(dir, "no", "r.html")},
		{"merge sarif", []string{"report", "merge", good, sarifFile}, sarifFile},
		{"merge nothing", []string{"report", "merge"}, "requires at least 1 arg"},
		{"diff one", []string{"report", "diff", good}, "accepts 2 arg"},
		{"diff v2", []string{"report", "diff", v2, good}, v2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, tt.args...)
			if res.code != exitError {
				t.Fatalf("exit %d, want %d; stderr %q", res.code, exitError, res.stderr)
			}
			first := strings.SplitN(strings.TrimSpace(res.stderr), "\n", 2)[0]
			if !strings.HasPrefix(first, "channelguard: ") || !strings.Contains(first, tt.want) {
				t.Errorf("stderr %q, want one line with %q", res.stderr, tt.want)
			}
			if res.stdout != "" {
				t.Errorf("an error must not print a report: %q", res.stdout)
			}
		})
	}
}

// shards splits the sample by repository into three JSON reports, as
// `org --shard I/3` would write them.
func shards(t *testing.T, dir string) []string {
	t.Helper()
	whole := teamreporttest.Report()
	var paths []string
	for i, repo := range whole.Repositories {
		p := &finding.Report{Tool: whole.Tool, Target: whole.Target, Findings: []finding.Finding{}, Repositories: []finding.RepoScan{repo},
			Changes: &finding.Changes{Previous: whole.Changes.Previous, Fixed: []finding.Finding{}}}
		for _, f := range whole.Findings {
			if f.Repository == repo.Name {
				p.Findings = append(p.Findings, f)
			}
		}
		for _, f := range whole.Changes.Fixed {
			if f.Repository == repo.Name {
				p.Changes.Fixed = append(p.Changes.Fixed, f)
			}
		}
		if i == 0 {
			p.Stats = whole.Stats
		}
		paths = append(paths, writeJSONReport(t, dir, "shard-"+string(rune('1'+i))+".json", p))
	}
	return paths
}

func TestReportMerge(t *testing.T) {
	dir := t.TempDir()
	parts := shards(t, dir)
	want := jsonOf(t, teamreporttest.Report())
	out := filepath.Join(dir, "findings.json")
	res := runCLI(t, "report", "merge", parts[2], parts[0], parts[1], "--output", out)
	if res.code != exitOK {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if got, _ := os.ReadFile(out); string(got) != want {
		t.Errorf("merged report differs from the one-piece report:\n%s\nwant\n%s", got, want)
	}
	if res := runCLI(t, append([]string{"report", "merge"}, parts...)...); res.code != exitOK || res.stdout != want {
		t.Errorf("merge to stdout: exit %d, same %v", res.code, res.stdout == want)
	}

	// A shard that disagrees about a repository is named.
	bad := teamreporttest.Report()
	bad.Repositories = bad.Repositories[:1]
	bad.Repositories[0].Commits = 999
	bad.Findings, bad.Changes = nil, nil
	badPath := writeJSONReport(t, dir, "bad.json", bad)
	res = runCLI(t, "report", "merge", parts[0], parts[1], badPath, "--output", filepath.Join(dir, "never.json"))
	if res.code != exitError || !strings.Contains(res.stderr, "report "+badPath+": ") || !strings.Contains(res.stderr, "disagree about repository") {
		t.Errorf("exit %d, stderr %q", res.code, res.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "never.json")); err == nil {
		t.Error("a failed merge wrote a report")
	}
}

// A shard given twice — the same file, or a copy of it (an artifact
// downloaded twice, a re-uploaded job) — changes nothing, statistics
// included: the merged report is byte for byte the one-piece report. The
// duplicated shard is shards()[0], the one that carries the stats.
func TestReportMergeShardTwice(t *testing.T) {
	dir := t.TempDir()
	parts := shards(t, dir)
	want := jsonOf(t, teamreporttest.Report())
	data, err := os.ReadFile(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var stats struct {
		Stats finding.Stats `json:"stats"`
	}
	if err := json.Unmarshal(data, &stats); err != nil || stats.Stats == (finding.Stats{}) {
		t.Fatalf("shard %s carries no stats (%v): the test would prove nothing", parts[0], err)
	}
	copyPath := filepath.Join(dir, "shard-1-copy.json")
	if err := os.WriteFile(copyPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"same path twice", []string{parts[0], parts[1], parts[2], parts[0]}},
		{"a copy", []string{copyPath, parts[2], parts[0], parts[1]}},
		{"every shard twice", []string{parts[2], parts[1], parts[0], parts[0], parts[1], parts[2]}},
		{"three times", []string{parts[0], parts[0], parts[1], parts[0], parts[2]}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "findings.json")
			res := runCLI(t, append(append([]string{"report", "merge"}, tt.args...), "--output", out)...)
			if res.code != exitOK {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				var g, w struct {
					Stats finding.Stats `json:"stats"`
				}
				_ = json.Unmarshal(got, &g)
				_ = json.Unmarshal([]byte(want), &w)
				t.Errorf("merged report differs from the one-piece report (stats %+v, want %+v)", g.Stats, w.Stats)
			}
		})
	}
}

func TestReportDiff(t *testing.T) {
	dir := t.TempDir()
	// Last week: the bot's channel secret and a token since removed from
	// the bot; a secret in acme/web (which fails to scan this week).
	old := teamreporttest.Report()
	byPath := map[string]finding.Finding{}
	for _, f := range old.Findings {
		byPath[f.Location.Path] = f
	}
	gone := byPath["bot/note.sh"]
	gone.Fingerprint = "fixedfingerprint"
	gone.Location.Path = "bot/gone.sh"
	webSecret := byPath["bot/app.py"]
	webSecret.Repository = "acme/web"
	old.Findings = []finding.Finding{byPath["bot/app.py"], gone, webSecret}
	old.Changes = nil
	oldPath := writeJSONReport(t, dir, "old.json", old)
	cur := teamreporttest.Report()
	cur.Changes = nil
	for i := range cur.Findings {
		cur.Findings[i].Change = ""
	}
	curPath := writeJSONReport(t, dir, "new.json", cur)

	res := runCLI(t, "report", "diff", oldPath, curPath, "--format", "json")
	if res.code != exitOK {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "compared with "+oldPath+": 4 new, 1 still open, 1 fixed") {
		t.Errorf("stderr %q", res.stderr)
	}
	var doc jsonreport.Document
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Changes == nil || doc.Changes.Previous != oldPath || doc.Changes.New != 4 || doc.Changes.Open != 1 || len(doc.Changes.Fixed) != 1 {
		t.Fatalf("changes %+v", doc.Changes)
	}
	if f := doc.Changes.Fixed[0]; f.Location.Path != "bot/gone.sh" || f.Change != "fixed" {
		t.Errorf("fixed %+v; the failed acme/web's finding must not be fixed", f)
	}
	for _, f := range doc.Findings {
		want := "new"
		if f.Repository == "acme/bot" && f.Location.Path == "bot/app.py" {
			want = "open"
		}
		if f.Change != want {
			t.Errorf("%s %s: change %q, want %q", f.Repository, f.Location, f.Change, want)
		}
	}

	// Default format markdown, rendered with the comparison; deterministic.
	md := runCLI(t, "report", "diff", oldPath, curPath, "-q")
	if md.code != exitOK || md.stderr != "" || !strings.Contains(md.stdout, "## Changes since "+oldPath) || !strings.Contains(md.stdout, "bot/gone.sh:1") {
		t.Errorf("markdown diff: exit %d, stderr %q\n%s", md.code, md.stderr, md.stdout)
	}
	if again := runCLI(t, "report", "diff", oldPath, curPath, "-q"); again.stdout != md.stdout {
		t.Error("two diffs differ")
	}
	out := filepath.Join(dir, "changes.html")
	if res := runCLI(t, "report", "diff", oldPath, curPath, "--output", out, "-q"); res.code != exitOK {
		t.Fatalf("html: exit %d: %s", res.code, res.stderr)
	}
	if data, _ := os.ReadFile(out); !strings.Contains(string(data), "Fixed since the last report") {
		t.Error("html diff has no fixed table")
	}
}
