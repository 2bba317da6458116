package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/coverage"
	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/reporters/jsonreport"
)

const (
	c1 = "1111111111111111111111111111111111111111"
	c2 = "2222222222222222222222222222222222222222"
)

func occ(path string, line int, sha string) finding.Occurrence {
	o := finding.Occurrence{Location: finding.Location{Path: path, StartLine: line}}
	if sha != "" {
		o.Commit = &finding.Commit{SHA: sha}
	}
	return o
}

// cgf is a channelguard finding of rule with the secret hash, at its
// occurrences (the first is its location).
func cgf(rule, hash string, occs ...finding.Occurrence) finding.Finding {
	f := finding.Finding{RuleID: rule, Severity: finding.High, SecretSHA256: hash, Occurrences: occs, SecretPreview: "(test)"}
	if len(occs) > 0 {
		f.Location, f.Commit = occs[0].Location, occs[0].Commit
	}
	return f
}

func also(f finding.Finding, rules ...string) finding.Finding {
	f.AlsoMatched = rules
	return f
}

func gl(rule, file string, start, end int, sha, hash string) GLFinding {
	return GLFinding{Ref: coverage.Ref{Rule: rule, File: file, StartLine: start, EndLine: end, Commit: sha, Hash: hash}}
}

func TestClassify(t *testing.T) {
	h1, h2 := finding.SecretHash(fakecred.Hex("s1", 16)), finding.SecretHash(fakecred.Hex("s2", 16))
	tests := []struct {
		name     string
		level    Level
		cg       []finding.Finding
		gl       GLFinding
		want     coverage.How
		wantBy   int
		wantNote string // prefix of the note, for misses
	}{
		{
			name: "same rule, commit, file, line and secret",
			cg:   []finding.Finding{cgf("aws-access-token", h1, occ("a/b.go", 3, c1))},
			gl:   gl("aws-access-token", "a/b.go", 3, 3, c1, h1), want: coverage.SameRule, wantBy: 0,
		},
		{
			// the old rule wanted gitleaks' start line exactly
			name: "context rule: channelguard on the secret's line, inside gitleaks' match",
			cg:   []finding.Finding{cgf("curl-auth-header", h1, occ("run.sh", 105, c1))},
			gl:   gl("curl-auth-header", "run.sh", 102, 105, c1, h1), want: coverage.SameRule, wantBy: 0,
		},
		{
			name: "a line after gitleaks' match: missing",
			cg:   []finding.Finding{cgf("curl-auth-header", h1, occ("run.sh", 106, c1))},
			gl:   gl("curl-auth-header", "run.sh", 102, 105, c1, h1), want: coverage.None, wantBy: -1,
			wantNote: "different line: in that commit and file at line 106, not 102-105 (rule curl-auth-header)",
		},
		{
			name: "a line before gitleaks' match: missing",
			cg:   []finding.Finding{cgf("curl-auth-header", h1, occ("run.sh", 101, c1))},
			gl:   gl("curl-auth-header", "run.sh", 102, 105, c1, h1), want: coverage.None, wantBy: -1,
			wantNote: "different line",
		},
		{
			// the old rule hashed the empty value gitleaks reports
			name: "a whole file (pkcs12-file): no secret hash on either side",
			cg:   []finding.Finding{cgf("pkcs12-file", "", occ("certs/client.p12", 1, c1))},
			gl:   gl("pkcs12-file", "certs/client.p12", 1, 1, c1, ""), want: coverage.SameRule, wantBy: 0,
		},
		{
			name: "other commit: missing",
			cg:   []finding.Finding{cgf("aws-access-token", h1, occ("a/b.go", 3, c1))},
			gl:   gl("aws-access-token", "a/b.go", 3, 3, c2, h1), want: coverage.None, wantBy: -1,
			wantNote: "not in that commit: this secret in this file is listed in 1 other commit(s) (rule aws-access-token)",
		},
		{
			name:  "other commit and line: covered at file level",
			level: ByFile,
			cg:    []finding.Finding{cgf("aws-access-token", h1, occ("a/b.go", 3, c1))},
			gl:    gl("aws-access-token", "a/b.go", 40, 40, c2, h1), want: coverage.SameRule, wantBy: 0,
		},
		{
			name: "abbreviated commit in channelguard's occurrence",
			cg:   []finding.Finding{cgf("aws-access-token", h1, occ("a/b.go", 3, c1[:8]))},
			gl:   gl("aws-access-token", "a/b.go", 3, 3, c1, h1), want: coverage.SameRule, wantBy: 0,
		},
		{
			name: "working-tree occurrence does not cover a commit",
			cg:   []finding.Finding{cgf("aws-access-token", h1, occ("a/b.go", 3, ""))},
			gl:   gl("aws-access-token", "a/b.go", 3, 3, c1, h1), want: coverage.None, wantBy: -1,
			wantNote: "not in that commit: this secret in this file is listed in 0 other commit(s)",
		},
		{
			name: "gitleaks rule in also_matched",
			cg:   []finding.Finding{also(cgf("slack-bot-token", h1, occ("x.env", 1, c1)), "generic-api-key", "jwt")},
			gl:   gl("jwt", "x.env", 1, 1, c1, h1), want: coverage.AlsoMatched, wantBy: 0,
		},
		{
			name: "LINE rule covers generic-api-key",
			cg:   []finding.Finding{cgf("line-channel-secret", h1, occ("bot/config.py", 7, c1))},
			gl:   gl("generic-api-key", "bot/config.py", 7, 7, c1, h1), want: coverage.LineForGeneric, wantBy: 0,
		},
		{
			name: "LINE rule does not cover a specific gitleaks rule",
			cg:   []finding.Finding{cgf("line-channel-access-token", h1, occ("bot/config.py", 7, c1))},
			gl:   gl("aws-access-token", "bot/config.py", 7, 7, c1, h1), want: coverage.None, wantBy: -1,
			wantNote: "same secret in same file under other rule(s): line-channel-access-token",
		},
		{
			name: "same secret, other file",
			cg:   []finding.Finding{cgf("aws-access-token", h1, occ("other.go", 3, c1))},
			gl:   gl("aws-access-token", "a/b.go", 3, 3, c1, h1), want: coverage.None, wantBy: -1,
			wantNote: "same secret only in other file(s) (1, e.g. other.go)",
		},
		{
			name: "found through an occurrence (file renamed later)",
			cg:   []finding.Finding{cgf("github-pat", h1, occ("new/name.go", 9, c2), occ("old/name.go", 9, c1))},
			gl:   gl("github-pat", "old/name.go", 9, 9, c1, h1), want: coverage.SameRule, wantBy: 0,
		},
		{
			name: "different secret at the same place",
			cg:   []finding.Finding{cgf("generic-api-key", h2, occ("a.txt", 6, c1))},
			gl:   gl("generic-api-key", "a.txt", 5, 6, c1, h1), want: coverage.None, wantBy: -1,
			wantNote: "different secret hash at the same file:line/commit under rule(s): generic-api-key",
		},
		{
			name: "empty channelguard report",
			gl:   gl("generic-api-key", "a.txt", 5, 5, c1, h1), want: coverage.None, wantBy: -1,
			wantNote: "no channelguard finding with this secret",
		},
		{
			name: "same rule preferred over also_matched",
			cg: []finding.Finding{
				also(cgf("line-channel-secret", h1, occ("a.py", 2, c1)), "generic-api-key"),
				cgf("generic-api-key", h1, occ("a.py", 2, c1)),
			},
			gl: gl("generic-api-key", "a.py", 2, 2, c1, h1), want: coverage.SameRule, wantBy: 1,
		},
		{
			name: "same rule at another line does not beat also_matched at the place",
			cg: []finding.Finding{
				also(cgf("line-channel-secret", h1, occ("a.py", 2, c1)), "generic-api-key"),
				cgf("generic-api-key", h1, occ("a.py", 3, c1)),
			},
			gl: gl("generic-api-key", "a.py", 2, 2, c1, h1), want: coverage.AlsoMatched, wantBy: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewIndex(tt.cg).Classify(tt.gl, tt.level)
			if m.How != tt.want || m.By != tt.wantBy {
				t.Errorf("Classify = %v by %d, want %v by %d (note %q)", m.How, m.By, tt.want, tt.wantBy, m.Note)
			}
			if tt.want == coverage.None && !strings.HasPrefix(m.Note, tt.wantNote) {
				t.Errorf("note = %q, want prefix %q", m.Note, tt.wantNote)
			}
			if tt.want != coverage.None && m.Note != "" {
				t.Errorf("a covered finding has a note: %q", m.Note)
			}
		})
	}
}

// writeGitleaks writes a gitleaks-style report (raw Secret and Match
// included, as gitleaks writes them) and returns its path.
func writeGitleaks(t *testing.T, findings []map[string]any) string {
	t.Helper()
	if findings == nil {
		findings = []map[string]any{}
	}
	b, err := json.Marshal(findings)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "gitleaks.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeChannelguard writes a channelguard report with channelguard's own
// JSON writer and returns its path.
func writeChannelguard(t *testing.T, fs []finding.Finding, gaps []finding.Gap) string {
	t.Helper()
	var buf bytes.Buffer
	rep := &finding.Report{Tool: finding.Tool{Name: "channelguard"}, Target: "repo", Findings: fs, Gaps: gaps}
	if err := jsonreport.Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "channelguard.json")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// glf is a gitleaks JSON finding.
func glf(rule, file string, start, end int, sha, secret, match string, tags ...string) map[string]any {
	if tags == nil {
		tags = []string{}
	}
	return map[string]any{"RuleID": rule, "File": file, "StartLine": start, "EndLine": end, "Commit": sha,
		"Secret": secret, "Match": match, "Tags": tags, "Description": "test", "Fingerprint": sha + ":" + file + ":" + rule}
}

// outcome is what compare made of one gitleaks finding.
func outcome(res Result) string {
	switch {
	case len(res.Missing) > 0:
		return "missing"
	case len(res.Explained) > 0:
		return string(res.Explained[0].Reason)
	case res.Covered > 0:
		return "covered"
	}
	return "nothing"
}

// One gitleaks finding at a time, read from the two JSON reports as
// bench/run.sh hands them over: covered under internal/coverage's rule, or
// explained by a chosen difference or a gap (with a real repository where
// the reason needs one), or missing. Before compare shared the rule with
// internal/differential, every case not "missing" here was a miss.
func TestOneGitleaksFinding(t *testing.T) {
	ctx := context.Background()
	s, other := fakecred.Hex("explain-s", 16), fakecred.Hex("explain-other", 16)
	key := "-----BEGIN RSA PRIVATE KEY-----\n" + fakecred.AccessToken("explain-key")[:64] + "\n" + fakecred.AccessToken("explain-key2")[:64] + "\n-----END RSA PRIVATE KEY-----"

	// repo builds a history: f.py first holds s on line 1; then each
	// later file state given is a commit. It returns the repository and
	// the first commit.
	repo := func(t *testing.T, later ...map[string]string) (*gittest.Repo, string) {
		r := gittest.New(t)
		first := r.Commit("one", map[string]string{"f.py": "api_key = \"" + s + "\"\n"})
		for i, files := range later {
			r.Commit(fmt.Sprint("later ", i), files)
		}
		return r, first
	}
	genericAtOne := func(sha string) map[string]any {
		return glf("generic-api-key", "f.py", 1, 1, sha, s, "api_key = \""+s+"\"")
	}
	tests := []struct {
		name string
		// setup makes the repository (nil: none given) and the two reports
		setup func(t *testing.T) (repo string, gl []map[string]any, cg []finding.Finding, gaps []finding.Gap)
		want  string
	}{
		{
			name: "a context rule: channelguard on the secret's line, gitleaks on the match's first",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				gl := []map[string]any{glf("curl-auth-header", "run.sh", 7, 8, c1, s, "curl \\\n  -H 'Authorization: Bearer "+s+"'")}
				return "", gl, []finding.Finding{cgf("curl-auth-header", finding.SecretHash(s), occ("run.sh", 8, c1))}, nil
			},
			want: "covered",
		},
		{
			name: "a whole file (pkcs12-file): gitleaks reports no secret, channelguard no hash",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				gl := []map[string]any{glf("pkcs12-file", "certs/client.p12", 0, 0, c1, "", "file detected: certs/client.p12")}
				return "", gl, []finding.Finding{cgf("pkcs12-file", "", occ("certs/client.p12", 1, c1))}, nil
			},
			want: "covered",
		},
		{
			name: "allow marker on a later line of the file holding the secret",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				r, first := repo(t, map[string]string{"f.py": "api_key = \"" + s + "\"\ntoken = \"" + s + "\"  # gitleaks:allow\n"})
				return r.Dir, []map[string]any{genericAtOne(first)}, nil, nil
			},
			want: string(coverage.AllowMarker),
		},
		{
			name: "channelguard:allow on the finding's own line (gitleaks does not know that marker)",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				r := gittest.New(t)
				sha := r.Commit("one", map[string]string{"f.py": "api_key = \"" + s + "\"  # channelguard:allow\n"})
				return r.Dir, []map[string]any{genericAtOne(sha)}, nil, nil
			},
			want: string(coverage.AllowMarker),
		},
		{
			name: "marker in the working tree only (not committed)",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				r, first := repo(t)
				r.Write(map[string]string{"f.py": "api_key = \"" + s + "\"  # channelguard:allow\n"})
				return r.Dir, []map[string]any{genericAtOne(first)}, nil, nil
			},
			want: string(coverage.AllowMarker),
		},
		{
			name: "a private key, the marker on the line it starts on",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				r := gittest.New(t)
				one := r.Commit("one", map[string]string{"k.pem": key + "\n"})
				r.Commit("two", map[string]string{"test/k.txt": "# gitleaks:allow " + key + "\n"})
				r.Commit("three", map[string]string{"k.pem": "# gitleaks:allow " + key + "\n"})
				return r.Dir, []map[string]any{glf("private-key", "k.pem", 1, 4, one, key, key)}, nil, nil
			},
			want: string(coverage.AllowMarker),
		},
		{
			name: "a private key, the marker on a line after it",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				r := gittest.New(t)
				one := r.Commit("one", map[string]string{"k.pem": key + "\n"})
				r.Commit("two", map[string]string{"k.pem": key + "\n# gitleaks:allow\n"})
				return r.Dir, []map[string]any{glf("private-key", "k.pem", 1, 4, one, key, key)}, nil, nil
			},
			want: "missing",
		},
		{
			name: "marker on a line holding another secret",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				r, first := repo(t, map[string]string{"f.py": "api_key = \"" + s + "\"\ntoken = \"" + other + "\"  # gitleaks:allow\n"})
				return r.Dir, []map[string]any{genericAtOne(first)}, nil, nil
			},
			want: "missing",
		},
		{
			name: "marker on the line before the secret's, in one hunk",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				r, first := repo(t, map[string]string{"f.py": "api_key = \"" + s + "\"\n# gitleaks:allow\ntoken = \"" + s + "\"\n"})
				return r.Dir, []map[string]any{genericAtOne(first)}, nil, nil
			},
			want: "missing",
		},
		{
			name: "marker on the secret in another file",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				r, first := repo(t, map[string]string{"g.py": "token = \"" + s + "\"  # gitleaks:allow\n"})
				return r.Dir, []map[string]any{genericAtOne(first)}, nil, nil
			},
			want: "missing",
		},
		{
			name: "marker, but channelguard reports the secret in the file (elsewhere): a real miss",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				r, first := repo(t, map[string]string{"f.py": "api_key = \"" + s + "\"\ntoken = \"" + s + "\"  # gitleaks:allow\n"})
				cg := []finding.Finding{cgf("generic-api-key", finding.SecretHash(s), occ("f.py", 1, c2))}
				return r.Dir, []map[string]any{genericAtOne(first)}, cg, nil
			},
			want: "missing",
		},
		{
			name: "marker, but no repository given",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				_, first := repo(t, map[string]string{"f.py": "api_key = \"" + s + "\"\ntoken = \"" + s + "\"  # gitleaks:allow\n"})
				return "", []map[string]any{genericAtOne(first)}, nil, nil
			},
			want: "missing",
		},
		{
			name: "marker inside gitleaks' one-line match: no repository needed",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				return "", []map[string]any{glf("generic-api-key", "f.py", 1, 1, c1, s, "api_key = "+s+" // channelguard:allow")}, nil, nil
			},
			want: string(coverage.AllowMarker),
		},
		{
			name: "a decoded value on a marked line",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				r := gittest.New(t)
				sha := r.Commit("one", map[string]string{"v.yaml": "data: ZW5jb2RlZA==  # channelguard:allow\n"})
				return r.Dir, []map[string]any{glf("generic-api-key", "v.yaml", 1, 1, sha, s, "api_key="+s, "decode-depth:1")}, nil, nil
			},
			want: string(coverage.AllowMarker),
		},
		{
			name: "a decoded value on an unmarked line",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				r := gittest.New(t)
				sha := r.Commit("one", map[string]string{"v.yaml": "data: ZW5jb2RlZA==\nnote: channelguard:allow\n"})
				return r.Dir, []map[string]any{glf("generic-api-key", "v.yaml", 1, 1, sha, s, "api_key="+s, "decode-depth:1")}, nil, nil
			},
			want: "missing",
		},
		{
			name: "channelguard allowlist: a LINE webhook reply token",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				return "", []map[string]any{glf("generic-api-key", "bot.py", 3, 3, c1, s, "replyToken = \""+s+"\"")}, nil, nil
			},
			want: string(coverage.Allowlisted),
		},
		{
			name: "in a missing-blob gap the report names",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				gaps := []finding.Gap{{Kind: finding.GapMissingBlob, Object: fakecred.Hex("blob", 20), Commit: c1, Path: "f.py"}}
				return "", []map[string]any{genericAtOne(c1)}, nil, gaps
			},
			want: string(InGap),
		},
		{
			name: "in an unreadable commit",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				gaps := []finding.Gap{{Kind: finding.GapUnreadableCommit, Commit: c1}}
				return "", []map[string]any{genericAtOne(c1)}, nil, gaps
			},
			want: string(InGap),
		},
		{
			name: "a gap elsewhere explains nothing",
			setup: func(t *testing.T) (string, []map[string]any, []finding.Finding, []finding.Gap) {
				gaps := []finding.Gap{{Kind: finding.GapMissingBlob, Object: fakecred.Hex("blob", 20), Commit: c1, Path: "g.py"},
					{Kind: finding.GapMissingBlob, Object: fakecred.Hex("blob", 20), Commit: c2, Path: "f.py"}}
				return "", []map[string]any{genericAtOne(c1)}, nil, gaps
			},
			want: "missing",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo, glFindings, cg, gaps := tt.setup(t)
			glPath, cgPath := writeGitleaks(t, glFindings), writeChannelguard(t, cg, gaps)
			res, err := run(ctx, glPath, cgPath, repo, ByOccurrence)
			if err != nil {
				t.Fatal(err)
			}
			if got := outcome(res); got != tt.want {
				t.Errorf("%s, want %s (covered %d, explained %v, missing %v)", got, tt.want, res.Covered, res.Explained, res.Missing)
			}
			var out bytes.Buffer
			res.Print(&out, -1)
			for _, secret := range []string{s, other, key, strings.Split(key, "\n")[1]} {
				if strings.Contains(out.String(), secret) {
					t.Fatalf("output holds a raw secret:\n%s", out.String())
				}
			}
		})
	}
}

// In a history git cannot read whole, allow markers are read up to the
// object git stops at: a miss a marker past it would explain stays
// missing, and compare says what it could not check.
func TestAllowMarkersPastAMissingObject(t *testing.T) {
	s := fakecred.Hex("past-missing", 16)
	r := gittest.New(t)
	first := r.Commit("one", map[string]string{"f.py": "api_key = \"" + s + "\"\n"})
	r.Commit("two", map[string]string{"f.py": "api_key = \"" + s + "\"\ntoken = \"" + s + "\"  # gitleaks:allow\n"})
	r.Commit("three", map[string]string{"lost.txt": "a version git will not find\n"})
	blob := r.Git("rev-parse", "HEAD:lost.txt")
	r.Remove("lost.txt") // git would read it from the work tree
	r.Commit("four", nil)
	r.RemoveObject(blob)

	glPath := writeGitleaks(t, []map[string]any{glf("generic-api-key", "f.py", 1, 1, first, s, "api_key = \""+s+"\"")})
	res, err := run(context.Background(), glPath, writeChannelguard(t, nil, nil), r.Dir, ByOccurrence)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Missing) != 1 || len(res.Unchecked) != 1 || !strings.Contains(res.Unchecked[0], "allow markers past what git could read") ||
		!strings.Contains(res.Unchecked[0], blob) {
		t.Errorf("missing %v, not checked %q: want the miss, and a note naming the object git could not read", res.Missing, res.Unchecked)
	}
}

func TestEndToEndNeverPrintsSecrets(t *testing.T) {
	const c3 = "cccccccccccccccccccccccccccccccccccccccc"
	aws := "AKIA" + strings.ToUpper(fakecred.Hex("e2e-aws", 8))
	line := fakecred.ChannelSecret("e2e-line")
	gone := "ghp_" + fakecred.Hex("e2e-gone", 18)
	extra := fakecred.ChannelSecret("e2e-extra")
	secrets := []string{aws, line, gone, extra}

	glPath := writeGitleaks(t, []map[string]any{
		glf("aws-access-token", "cfg/aws.go", 3, 3, c1, aws, "key = "+aws),
		glf("aws-access-token", "cfg/aws.go", 4, 4, c2, aws, "key = "+aws),
		// channelguard has the secret in this file, at line 4 of c2 only
		glf("aws-access-token", "cfg/aws.go", 9, 9, c2, aws, "key = "+aws),
		// and in no commit c3
		glf("aws-access-token", "cfg/aws.go", 4, 4, c3, aws, "key = "+aws),
		glf("generic-api-key", "./bot/app.py", 10, 10, c1, line, "secret="+line),
		glf("github-pat", "ci.yml", 1, 1, c2, gone, gone),
	})
	awsF := cgf("aws-access-token", strings.ToUpper(finding.SecretHash(aws)), occ("cfg/aws.go", 4, c2), occ("cfg/aws.go", 3, c1[:8]))
	cgPath := writeChannelguard(t, []finding.Finding{
		awsF,
		cgf("line-channel-secret", finding.SecretHash(line), occ("bot/app.py", 10, c1)),
		cgf("line-channel-access-token", finding.SecretHash(extra), occ("bot/app.py", 11, "")),
	}, nil)

	tests := []struct {
		level                Level
		covered, sameRule    int
		sameCommit, sameLine int
		missing              []string // rule file:line of each miss, in order
		missingGroups        int
		wantOut              []string
	}{
		{
			level: ByOccurrence, covered: 3, sameRule: 2, sameCommit: 3, sameLine: 3,
			missing:       []string{"aws-access-token cfg/aws.go:4", "aws-access-token cfg/aws.go:9", "github-pat ci.yml:1"},
			missingGroups: 2,
			wantOut: []string{
				"covered means the same:               commit, file, line within gitleaks' match, secret hash, rule",
				"missing gitleaks findings:            3; groups 2",
				"aws-access-token  cfg/aws.go:9  222222222222  " + finding.SecretHash(aws) + "  different line: in that commit and file at line 4, not 9",
				"aws-access-token  cfg/aws.go:4  cccccccccccc  " + finding.SecretHash(aws) + "  not in that commit: this secret in this file is listed in 2 other commit(s)",
				"github-pat  ci.yml:1  222222222222  " + finding.SecretHash(gone) + "  no channelguard finding with this secret",
				"coverage: 6 gitleaks findings: 3 covered, 0 explained, 3 missing; channelguard gaps 0",
			},
		},
		{
			level: ByFile, covered: 5, sameRule: 4, sameCommit: 4, sameLine: 3,
			missing:       []string{"github-pat ci.yml:1"},
			missingGroups: 1,
			wantOut: []string{
				"covered means the same:               file, secret hash, rule (any commit, any line)",
				"missing gitleaks findings:            1; groups 1",
				"same commit listed in occurrences:   4 of 5 (same line too: 3)",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			res, err := run(context.Background(), glPath, cgPath, "", tt.level)
			if err != nil {
				t.Fatal(err)
			}
			if res.GitleaksFindings != 6 || res.GitleaksGroups != 3 || res.ChannelguardFindings != 3 {
				t.Errorf("counts: gl %d groups %d cg %d, want 6 3 3", res.GitleaksFindings, res.GitleaksGroups, res.ChannelguardFindings)
			}
			if res.Covered != tt.covered || res.ByHow[coverage.SameRule] != tt.sameRule || res.ByHow[coverage.LineForGeneric] != 1 {
				t.Errorf("covered %d (%v), want %d: %d same rule, 1 LINE covers generic", res.Covered, res.ByHow, tt.covered, tt.sameRule)
			}
			if res.SameCommit != tt.sameCommit || res.SameLine != tt.sameLine {
				t.Errorf("same commit %d, same line %d, want %d and %d", res.SameCommit, res.SameLine, tt.sameCommit, tt.sameLine)
			}
			var missing []string
			for _, m := range res.Missing {
				missing = append(missing, fmt.Sprintf("%s %s:%d", m.Rule, m.File, m.StartLine))
			}
			if strings.Join(missing, "; ") != strings.Join(tt.missing, "; ") {
				t.Errorf("missing = %q, want %q", missing, tt.missing)
			}
			if res.MissingGroups != tt.missingGroups {
				t.Errorf("missing groups %d, want %d", res.MissingGroups, tt.missingGroups)
			}
			if res.OnlyChannelguard["line-channel-access-token"] != 1 || len(res.OnlyChannelguard) != 1 {
				t.Errorf("channelguard-only = %v", res.OnlyChannelguard)
			}
			if got := res.Pairs["line-channel-secret ← generic-api-key"]; got != 1 {
				t.Errorf("pairs = %v", res.Pairs)
			}
			var out bytes.Buffer
			res.Print(&out, -1)
			text := out.String()
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Fatalf("output contains a raw secret:\n%s", text)
				}
			}
			for _, want := range append([]string{"gitleaks findings:                    6", "line-channel-secret ← generic-api-key"}, tt.wantOut...) {
				if !strings.Contains(text, want) {
					t.Errorf("output lacks %q:\n%s", want, text)
				}
			}
		})
	}
}

func TestReadGitleaksRejectsNonArray(t *testing.T) {
	if _, err := ReadGitleaks(strings.NewReader(`{"findings": []}`)); err == nil {
		t.Fatal("want an error for a JSON object")
	}
	got, err := ReadGitleaks(strings.NewReader(`[]`))
	if err != nil || len(got) != 0 {
		t.Fatalf("empty report: %v %v", got, err)
	}
}

// compare reads channelguard's report with channelguard's own reader: a
// SARIF log or a gitleaks report in its place is an error, not "0
// findings".
func TestReadChannelguardRejectsOtherDocuments(t *testing.T) {
	for name, doc := range map[string]string{
		"gitleaks report": `[]`,
		"SARIF":           `{"version": "2.1.0", "runs": []}`,
		"no schema":       `{"findings": []}`,
	} {
		if _, err := ReadChannelguard(strings.NewReader(doc)); err == nil {
			t.Errorf("%s: read as a channelguard report", name)
		}
	}
}

func TestDiffGitleaks(t *testing.T) {
	f := func(rule, file string, line int, hash string) GLFinding { return gl(rule, file, line, line, c1, hash) }
	a1, a2, b1 := f("jwt", "a", 1, "h1"), f("jwt", "a", 2, "h1"), f("aws", "b", 1, "h2")
	tests := []struct {
		name         string
		a, b         []GLFinding
		onlyA, onlyB int
	}{
		{"same, other order", []GLFinding{a1, a2, b1}, []GLFinding{b1, a2, a1}, 0, 0},
		{"one more in b", []GLFinding{a1}, []GLFinding{a1, a2}, 0, 1},
		{"one more in a", []GLFinding{a1, b1}, []GLFinding{b1}, 1, 0},
		{"a duplicate counts", []GLFinding{a1, a1}, []GLFinding{a1}, 1, 0},
		{"other line", []GLFinding{a1}, []GLFinding{f("jwt", "a", 3, "h1")}, 1, 1},
		{"other end line", []GLFinding{a1}, []GLFinding{gl("jwt", "a", 1, 2, c1, "h1")}, 1, 1},
		{"other secret", []GLFinding{a1}, []GLFinding{f("jwt", "a", 1, "h9")}, 1, 1},
		{"other commit", []GLFinding{a1}, []GLFinding{gl("jwt", "a", 1, 1, c2, "h1")}, 1, 1},
		{"commit case", []GLFinding{a1}, []GLFinding{gl("jwt", "a", 1, 1, strings.ToUpper(c1), "h1")}, 0, 0},
		{"both empty", nil, nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			onlyA, onlyB := DiffGitleaks(tt.a, tt.b)
			if len(onlyA) != tt.onlyA || len(onlyB) != tt.onlyB {
				t.Errorf("only in a %d, only in b %d; want %d and %d", len(onlyA), len(onlyB), tt.onlyA, tt.onlyB)
			}
		})
	}
}

func TestPrintGaps(t *testing.T) {
	p := writeChannelguard(t, nil, []finding.Gap{
		{Kind: finding.GapMissingBlob, Object: fakecred.Hex("b1", 20), Commit: c1, Path: "a"},
		{Kind: finding.GapMissingBlob, Object: fakecred.Hex("b1", 20), Commit: c2, Path: "a"},
	})
	var out, errOut bytes.Buffer
	if code := printGaps(&out, &errOut, p); code != 0 || out.String() != "2 gaps (1 object unreadable)\n" {
		t.Errorf("printGaps on a report = %d, %q", code, out.String())
	}
	if code := printGaps(&out, &errOut, writeGitleaks(t, nil)); code != 2 || !strings.Contains(errOut.String(), "not a channelguard JSON report") {
		t.Errorf("printGaps on a gitleaks report = %d (%q), want 2", code, errOut.String())
	}
}
