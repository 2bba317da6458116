package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/orgscan"
)

var cliLost = fakecred.ChannelSecret("cli-lost")

// damagedRepo is leakyRepo with one more commit whose blob is then
// deleted from .git/objects: it returns the repository, the blob and the
// commit.
func damagedRepo(t *testing.T) (*gittest.Repo, string, string) {
	t.Helper()
	r := leakyRepo(t)
	commit := r.Commit("lost", map[string]string{"lost/keys.env": "LINE_CHANNEL_SECRET=" + cliLost + "\n"})
	blob := r.Git("rev-parse", "HEAD:lost/keys.env")
	r.Commit("after", map[string]string{"later.txt": "more\n"})
	r.RemoveObject(blob)
	return r, blob, commit
}

type gapDoc struct {
	Findings []finding.Finding `json:"findings"`
	Gaps     []finding.Gap     `json:"gaps"`
	Notes    []string          `json:"notes"`
}

// One unreadable blob does not lose the scan: every format is written
// with every other finding and names the blob, its commit and its file;
// then scan exits 2 with one line naming the repository and the count.
// The scan is not remembered: the next one says the same.
func TestScanWritesTheReportAndExits2OnAMissingObject(t *testing.T) {
	intact := leakyRepo(t)
	res := runCLI(t, "scan", intact.Dir, "--format", "json", "-q")
	var want gapDoc
	if err := json.Unmarshal([]byte(res.stdout), &want); err != nil || len(want.Findings) == 0 {
		t.Fatalf("intact repository: exit %d, %v", res.code, err)
	}

	r, blob, commit := damagedRepo(t)
	wantLine := "channelguard: " + r.Dir + ": 1 object could not be read (1 gap); the report"
	for _, format := range []string{"json", "sarif", "text", "csv", "markdown", "html"} {
		out := filepath.Join(t.TempDir(), "report."+format)
		res := runCLI(t, "scan", r.Dir, "--format", format, "-o", out)
		if res.code != exitError {
			t.Fatalf("%s: exit %d, want 2\nstderr: %s", format, res.code, res.stderr)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("%s: no report written: %v\nstderr: %s", format, err, res.stderr)
		}
		last := strings.TrimSpace(res.stderr)
		last = last[strings.LastIndex(last, "\n")+1:]
		if !strings.HasPrefix(last, wantLine) {
			t.Errorf("%s: the last stderr line is %q, want it to start %q", format, last, wantLine)
		}
		for _, id := range []string{blob, commit, "lost/keys.env"} {
			if !strings.Contains(string(data), id) && !strings.Contains(string(data), strings.ReplaceAll(id, "/", "%2F")) {
				t.Errorf("%s report does not name %s", format, id)
			}
		}
		assertNoSecret(t, format+" report", string(data))
		assertNoSecret(t, format+" stderr", res.stderr)
		if strings.Contains(string(data), cliLost) || strings.Contains(res.stderr, cliLost) {
			t.Errorf("%s: the lost secret's value is in the output", format)
		}
		switch format {
		case "json":
			var got gapDoc
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Findings) != len(want.Findings) {
				t.Errorf("json: %d findings, want the intact repository's %d", len(got.Findings), len(want.Findings))
			}
			if len(got.Gaps) != 1 || got.Gaps[0].Object != blob || got.Gaps[0].Commit != commit || got.Gaps[0].Path != "lost/keys.env" || got.Gaps[0].Kind != finding.GapMissingBlob {
				t.Errorf("json gaps %+v", got.Gaps)
			}
		case "sarif":
			var log struct {
				Runs []struct {
					Results     []any `json:"results"`
					Invocations []struct {
						ExecutionSuccessful bool `json:"executionSuccessful"`
						Notifications       []struct {
							Level      string            `json:"level"`
							Properties map[string]string `json:"properties"`
						} `json:"toolExecutionNotifications"`
					} `json:"invocations"`
				} `json:"runs"`
			}
			if err := json.Unmarshal(data, &log); err != nil {
				t.Fatal(err)
			}
			run := log.Runs[0]
			if len(run.Results) != len(want.Findings) || len(run.Invocations) != 1 || run.Invocations[0].ExecutionSuccessful {
				t.Fatalf("sarif: %d results, invocations %+v", len(run.Results), run.Invocations)
			}
			n := run.Invocations[0].Notifications
			if len(n) != 1 || n[0].Level != "error" || n[0].Properties["object"] != blob || n[0].Properties["commit"] != commit || n[0].Properties["path"] != "lost/keys.env" {
				t.Errorf("sarif notifications %+v", n)
			}
			if v := os.Getenv("CHANNELGUARD_SARIF_VALIDATOR"); v != "" {
				validateSARIF(t, v, out)
			}
		case "text":
			if !strings.Contains(string(data), "NOT SCANNED: 1 object could not be read (1 gap)") {
				t.Errorf("text report:\n%s", data)
			}
		}
	}

	// on stdout too, and again: a scan with gaps is never remembered
	for i := range 2 {
		res := runCLI(t, "scan", r.Dir)
		if res.code != exitError || !strings.Contains(res.stdout, "missing blob "+blob) || strings.Contains(res.stderr, "from the cache") {
			t.Errorf("text scan %d: exit %d\nstdout: %s\nstderr: %s", i+1, res.code, res.stdout, res.stderr)
		}
	}
}

// A partial clone is said up front on stderr, once, and in the report.
func TestScanSaysPartialClone(t *testing.T) {
	src := leakyRepo(t)
	bare := filepath.Join(t.TempDir(), "remote.git")
	src.Git("clone", "-q", "--bare", src.Dir, bare)
	src.Git("-C", bare, "config", "uploadpack.allowFilter", "true")
	src.Git("-C", bare, "config", "uploadpack.allowAnySHA1InWant", "true")
	dir := filepath.Join(t.TempDir(), "partial")
	src.Git("clone", "-q", "--filter=blob:none", "file://"+bare, dir)
	src.Git("-C", dir, "remote", "set-url", "origin", "file://"+filepath.Join(t.TempDir(), "gone.git"))

	res := runCLI(t, "scan", dir, "--format", "json")
	if res.code != exitError {
		t.Fatalf("exit %d, want 2 (the old blobs are not in the clone)\nstderr: %s", res.code, res.stderr)
	}
	note := "channelguard: note: " + dir + " is a partial clone (promisor remote origin)"
	if strings.Count(res.stderr, note) != 1 || !strings.HasPrefix(res.stderr, note) {
		t.Errorf("stderr does not start with the note, once:\n%s", res.stderr)
	}
	var doc gapDoc
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Notes) != 1 || !strings.Contains(doc.Notes[0], "is a partial clone") || len(doc.Gaps) == 0 {
		t.Errorf("notes %q, %d gaps", doc.Notes, len(doc.Gaps))
	}
	for _, g := range doc.Gaps {
		if !strings.Contains(g.Detail, "partial clone") {
			t.Errorf("gap %+v", g)
		}
	}
	assertNoSecret(t, "stdout", res.stdout)
	assertNoSecret(t, "stderr", res.stderr)
}

// org marks a repository whose mirror lost an object partial, keeps its
// findings and names the gaps in every report; the run exits 2.
func TestOrgMarksPartial(t *testing.T) {
	o := newFakeOrg(t)
	hookGit(t)
	o.push(t, "acme/app", map[string]string{"lost.env": "LINE_CHANNEL_SECRET=" + cliLost + "\n"})
	o.push(t, "acme/app", map[string]string{"later.txt": "more\n"})
	cache, out := t.TempDir(), t.TempDir()
	args := []string{"org", "--repos", "acme/app,acme/lib", "--token", orgToken, "--cache", cache, "--out", out}
	if res := runCLI(t, args...); res.code != exitFindings {
		t.Fatalf("intact: exit %d\n%s", res.code, res.stderr)
	}
	dir, err := orgscan.CachePath(cache, orgscan.Target{Name: "acme/app", CloneURL: "file://" + o.bare["acme/app"]}, true)
	if err != nil {
		t.Fatal(err)
	}
	mirror := gittest.Open(t, dir)
	blob := mirror.Git("rev-parse", "main~1:lost.env")
	mirror.Loosen()
	mirror.RemoveObject(blob)

	res := runCLI(t, append(args, "--no-cache")...)
	if res.code != exitError {
		t.Fatalf("exit %d, want 2\nstderr: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "channelguard: 1 of 2 repositories were scanned in part: 1 object could not be read") ||
		!strings.Contains(res.stderr, "] acme/app: 1 findings, partial: 1 object could not be read (1 gap)") {
		t.Errorf("stderr:\n%s", res.stderr)
	}
	d := readOrgDoc(t, out)
	if r := repoByName(d)["acme/app"]; r.Status != "partial" || r.Findings != 1 || r.Gaps != 1 {
		t.Errorf("acme/app: %+v", r)
	}
	if len(d.Findings) != 1 || d.Findings[0].Repository != "acme/app" {
		t.Errorf("findings %+v", d.Findings)
	}
	for _, name := range []string{"findings.json", "channelguard.sarif", "findings.csv", "report.md", "report.html"} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), blob) {
			t.Errorf("%s does not name the missing blob", name)
		}
		if name == "report.md" && !strings.Contains(string(b), "| acme/app | **partial** |") {
			t.Errorf("report.md does not show acme/app partial")
		}
	}
	assertClean(t, res, out)
}

// validateSARIF runs Microsoft's SARIF multitool (.ci/validate-sarif).
func validateSARIF(t *testing.T, script, file string) {
	t.Helper()
	out, err := exec.Command(script, file).CombinedOutput()
	if err != nil {
		t.Errorf("%s %s: %v\n%s", script, file, err, out)
	}
}
