package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// fakeSecret returns a random value shaped like a token. It is generated
// per test run and never a real credential.
func fakeSecret(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}

func commit(sha string) *CGCommit { return &CGCommit{SHA: sha} }

func TestClassify(t *testing.T) {
	s1, s2 := fakeSecret(t, "s1"), fakeSecret(t, "s2")
	h1, h2 := secretHash(s1), secretHash(s2)
	const c1 = "1111111111111111111111111111111111111111"
	const c2 = "2222222222222222222222222222222222222222"

	cgf := func(rule, path string, line int, sha, hash string, also ...string) CGFinding {
		return CGFinding{
			RuleID:       rule,
			Location:     CGLocation{Path: path, StartLine: line},
			Commit:       commit(sha),
			SecretSHA256: hash,
			Occurrences:  []CGOccurrence{{CGLocation{path, line}, commit(sha)}},
			AlsoMatched:  also,
		}
	}
	gl := func(rule, file string, line int, sha, hash string) GLFinding {
		return GLFinding{RuleID: rule, File: file, StartLine: line, Commit: sha, Hash: hash}
	}

	tests := []struct {
		name     string
		cg       []CGFinding
		gl       GLFinding
		want     How
		wantBy   int
		wantNote string // prefix of the note, for misses
	}{
		{
			name:   "same rule, file and secret",
			cg:     []CGFinding{cgf("aws-access-token", "a/b.go", 3, c1, h1)},
			gl:     gl("aws-access-token", "a/b.go", 3, c1, h1),
			want:   SameRule,
			wantBy: 0,
		},
		{
			name:   "other commit and line still covered (one finding per rule, file, secret)",
			cg:     []CGFinding{cgf("aws-access-token", "a/b.go", 3, c1, h1)},
			gl:     gl("aws-access-token", "a/b.go", 40, c2, h1),
			want:   SameRule,
			wantBy: 0,
		},
		{
			name:   "gitleaks rule in also_matched",
			cg:     []CGFinding{cgf("slack-bot-token", "x.env", 1, c1, h1, "generic-api-key", "jwt")},
			gl:     gl("jwt", "x.env", 1, c1, h1),
			want:   AlsoMatched,
			wantBy: 0,
		},
		{
			name:   "LINE rule covers generic-api-key",
			cg:     []CGFinding{cgf("line-channel-secret", "bot/config.py", 7, c1, h1)},
			gl:     gl("generic-api-key", "bot/config.py", 7, c1, h1),
			want:   LineCoversGeneric,
			wantBy: 0,
		},
		{
			name:     "LINE rule does not cover a specific gitleaks rule",
			cg:       []CGFinding{cgf("line-channel-access-token", "bot/config.py", 7, c1, h1)},
			gl:       gl("aws-access-token", "bot/config.py", 7, c1, h1),
			want:     Missing,
			wantBy:   -1,
			wantNote: "same secret in same file under other rule(s): line-channel-access-token",
		},
		{
			name:     "non-LINE rule does not cover generic",
			cg:       []CGFinding{cgf("jwt", "a.txt", 1, c1, h1)},
			gl:       gl("generic-api-key", "a.txt", 1, c1, h1),
			want:     Missing,
			wantBy:   -1,
			wantNote: "same secret in same file under other rule(s): jwt",
		},
		{
			name:     "same secret, other file",
			cg:       []CGFinding{cgf("aws-access-token", "other.go", 3, c1, h1)},
			gl:       gl("aws-access-token", "a/b.go", 3, c1, h1),
			want:     Missing,
			wantBy:   -1,
			wantNote: "same secret only in other file(s) (1, e.g. other.go)",
		},
		{
			name: "found through an occurrence (file renamed later)",
			cg: []CGFinding{{
				RuleID:       "github-pat",
				Location:     CGLocation{Path: "new/name.go", StartLine: 9},
				Commit:       commit(c2),
				SecretSHA256: h1,
				Occurrences: []CGOccurrence{
					{CGLocation{"new/name.go", 9}, commit(c2)},
					{CGLocation{"old/name.go", 9}, commit(c1)},
				},
			}},
			gl:     gl("github-pat", "old/name.go", 9, c1, h1),
			want:   SameRule,
			wantBy: 0,
		},
		{
			name:     "different secret at the same place",
			cg:       []CGFinding{cgf("generic-api-key", "a.txt", 5, c1, h2)},
			gl:       gl("generic-api-key", "a.txt", 5, c1, h1),
			want:     Missing,
			wantBy:   -1,
			wantNote: "different secret hash at the same file:line/commit under rule(s): generic-api-key",
		},
		{
			name:     "nothing at all",
			cg:       []CGFinding{cgf("generic-api-key", "z.txt", 5, c1, h2)},
			gl:       gl("generic-api-key", "a.txt", 5, c1, h1),
			want:     Missing,
			wantBy:   -1,
			wantNote: "no channelguard finding with this secret",
		},
		{
			name:     "empty channelguard report",
			gl:       gl("generic-api-key", "a.txt", 5, c1, h1),
			want:     Missing,
			wantBy:   -1,
			wantNote: "no channelguard finding",
		},
		{
			name: "same rule preferred over also_matched",
			cg: []CGFinding{
				cgf("line-channel-secret", "a.py", 2, c1, h1, "generic-api-key"),
				cgf("generic-api-key", "a.py", 2, c1, h1),
			},
			gl:     gl("generic-api-key", "a.py", 2, c1, h1),
			want:   SameRule,
			wantBy: 1,
		},
		{
			name: "also_matched preferred over LINE-covers-generic",
			cg: []CGFinding{
				cgf("line-channel-secret", "a.py", 2, c1, h1),
				cgf("line-channel-access-token", "a.py", 2, c1, h1, "generic-api-key"),
			},
			gl:     gl("generic-api-key", "a.py", 2, c1, h1),
			want:   AlsoMatched,
			wantBy: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewIndex(tt.cg).Classify(tt.gl)
			if m.How != tt.want || m.By != tt.wantBy {
				t.Errorf("Classify = %v by %d, want %v by %d (note %q)", m.How, m.By, tt.want, tt.wantBy, m.Note)
			}
			if tt.want == Missing && !strings.HasPrefix(m.Note, tt.wantNote) {
				t.Errorf("note = %q, want prefix %q", m.Note, tt.wantNote)
			}
		})
	}
}

// glJSON writes a gitleaks-style report, Match and Secret included, as
// gitleaks does.
func glJSON(t *testing.T, findings []map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(findings)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEndToEndNeverPrintsSecrets(t *testing.T) {
	const c1 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	const c2 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	aws := fakeSecret(t, "AKIA")
	line := fakeSecret(t, "")
	gone := fakeSecret(t, "ghp_")
	extra := fakeSecret(t, "")
	secrets := []string{aws, line, gone, extra}

	gl := glJSON(t, []map[string]any{
		{"RuleID": "aws-access-token", "File": "cfg/aws.go", "StartLine": 3, "Commit": c1, "Secret": aws, "Match": "key = " + aws},
		{"RuleID": "aws-access-token", "File": "cfg/aws.go", "StartLine": 4, "Commit": c2, "Secret": aws, "Match": "key = " + aws},
		{"RuleID": "generic-api-key", "File": "./bot/app.py", "StartLine": 10, "Commit": c1, "Secret": line, "Match": "secret=" + line},
		{"RuleID": "github-pat", "File": "ci.yml", "StartLine": 1, "Commit": c2, "Secret": gone, "Match": gone},
	})
	cg, err := json.Marshal(map[string]any{
		"tool":   map[string]any{"name": "channelguard"},
		"target": "repo",
		"findings": []map[string]any{
			{
				"rule_id": "aws-access-token", "severity": "high",
				"location":      map[string]any{"path": "cfg/aws.go", "start_line": 4},
				"commit":        map[string]any{"sha": c2},
				"secret_sha256": strings.ToUpper(secretHash(aws)),
				"occurrences": []map[string]any{
					{"path": "cfg/aws.go", "start_line": 4, "commit": map[string]any{"sha": c2}},
					{"path": "cfg/aws.go", "start_line": 3, "commit": map[string]any{"sha": c1[:8]}},
				},
			},
			{
				"rule_id": "line-channel-secret", "severity": "critical",
				"location":      map[string]any{"path": "bot/app.py", "start_line": 10},
				"commit":        map[string]any{"sha": c1},
				"secret_sha256": secretHash(line),
				"occurrences": []map[string]any{
					{"path": "bot/app.py", "start_line": 10, "commit": map[string]any{"sha": c1}},
				},
			},
			{
				"rule_id": "line-channel-access-token", "severity": "critical",
				"location":      map[string]any{"path": "bot/app.py", "start_line": 11},
				"secret_sha256": secretHash(extra),
				"occurrences":   []map[string]any{{"path": "bot/app.py", "start_line": 11}},
			},
		},
		"stats": map[string]any{},
	})
	if err != nil {
		t.Fatal(err)
	}

	glf, err := ReadGitleaks(bytes.NewReader(gl))
	if err != nil {
		t.Fatal(err)
	}
	cgf, err := ReadChannelguard(bytes.NewReader(cg))
	if err != nil {
		t.Fatal(err)
	}
	res := Compare(glf, cgf)

	if res.GitleaksFindings != 4 || res.GitleaksGroups != 3 || res.ChannelguardFindings != 3 {
		t.Errorf("counts: gl %d groups %d cg %d, want 4 3 3", res.GitleaksFindings, res.GitleaksGroups, res.ChannelguardFindings)
	}
	if res.Covered != 3 || res.ByHow[SameRule] != 2 || res.ByHow[LineCoversGeneric] != 1 {
		t.Errorf("covered %d (%v), want 3: 2 same rule, 1 LINE covers generic", res.Covered, res.ByHow)
	}
	if res.SameCommit != 3 || res.SameLine != 3 {
		t.Errorf("same commit %d, same line %d, want 3 and 3", res.SameCommit, res.SameLine)
	}
	if len(res.Missing) != 1 || res.Missing[0].RuleID != "github-pat" || res.Missing[0].Hash != secretHash(gone) {
		t.Fatalf("missing = %+v, want the github-pat finding", res.Missing)
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
	for _, want := range []string{
		"gitleaks findings:                    4",
		"missing gitleaks findings:            1; groups 1",
		"github-pat  ci.yml:1  bbbbbbbbbbbb  " + secretHash(gone) + "  no channelguard finding with this secret",
		"line-channel-secret ← generic-api-key",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
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

func TestSecretHashMatchesChannelguard(t *testing.T) {
	// sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
	if got := secretHash("abc"); got != "ba7816bf8f01" {
		t.Fatalf("secretHash(abc) = %s", got)
	}
}

func TestNormPath(t *testing.T) {
	for in, want := range map[string]string{
		"./a/b.go": "a/b.go",
		"a//b.go":  "a/b.go",
		`a\b.go`:   "a/b.go",
		"":         "",
	} {
		if got := normPath(in); got != want {
			t.Errorf("normPath(%q) = %q, want %q", in, got, want)
		}
	}
}
