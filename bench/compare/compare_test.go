package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
		level    Level
		cg       []CGFinding
		gl       GLFinding
		want     How
		wantBy   int
		wantNote string // prefix of the note, for misses
	}{
		{
			name:   "same rule, commit, file, line and secret",
			cg:     []CGFinding{cgf("aws-access-token", "a/b.go", 3, c1, h1)},
			gl:     gl("aws-access-token", "a/b.go", 3, c1, h1),
			want:   SameRule,
			wantBy: 0,
		},
		{
			name:     "other commit: missing",
			cg:       []CGFinding{cgf("aws-access-token", "a/b.go", 3, c1, h1)},
			gl:       gl("aws-access-token", "a/b.go", 3, c2, h1),
			want:     Missing,
			wantBy:   -1,
			wantNote: "not in that commit: this secret in this file is listed in 1 other commit(s) (rule aws-access-token)",
		},
		{
			name:     "other line in the same commit: missing",
			cg:       []CGFinding{cgf("aws-access-token", "a/b.go", 3, c1, h1)},
			gl:       gl("aws-access-token", "a/b.go", 40, c1, h1),
			want:     Missing,
			wantBy:   -1,
			wantNote: "different line: in that commit and file at line 3, not 40 (rule aws-access-token)",
		},
		{
			name:   "other commit and line: covered at file level",
			level:  ByFile,
			cg:     []CGFinding{cgf("aws-access-token", "a/b.go", 3, c1, h1)},
			gl:     gl("aws-access-token", "a/b.go", 40, c2, h1),
			want:   SameRule,
			wantBy: 0,
		},
		{
			name:   "abbreviated commit in channelguard's occurrence",
			cg:     []CGFinding{cgf("aws-access-token", "a/b.go", 3, c1[:8], h1)},
			gl:     gl("aws-access-token", "a/b.go", 3, c1, h1),
			want:   SameRule,
			wantBy: 0,
		},
		{
			name:     "a commit id shorter than 7 characters matches nothing",
			cg:       []CGFinding{cgf("aws-access-token", "a/b.go", 3, c1[:6], h1)},
			gl:       gl("aws-access-token", "a/b.go", 3, c1, h1),
			want:     Missing,
			wantBy:   -1,
			wantNote: "not in that commit",
		},
		{
			name: "working-tree occurrence does not cover a commit",
			cg: []CGFinding{{
				RuleID: "aws-access-token", Location: CGLocation{Path: "a/b.go", StartLine: 3}, SecretSHA256: h1,
				Occurrences: []CGOccurrence{{CGLocation{"a/b.go", 3}, nil}},
			}},
			gl:       gl("aws-access-token", "a/b.go", 3, c1, h1),
			want:     Missing,
			wantBy:   -1,
			wantNote: "not in that commit: this secret in this file is listed in 0 other commit(s)",
		},
		{
			name:   "gitleaks rule in also_matched",
			cg:     []CGFinding{cgf("slack-bot-token", "x.env", 1, c1, h1, "generic-api-key", "jwt")},
			gl:     gl("jwt", "x.env", 1, c1, h1),
			want:   AlsoMatched,
			wantBy: 0,
		},
		{
			name:     "also_matched at another line",
			cg:       []CGFinding{cgf("slack-bot-token", "x.env", 1, c1, h1, "jwt")},
			gl:       gl("jwt", "x.env", 2, c1, h1),
			want:     Missing,
			wantBy:   -1,
			wantNote: "different line: in that commit and file at line 1, not 2 (rule slack-bot-token)",
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
			name: "right place under a wrong rule, right rule elsewhere: the place is the reason",
			cg: []CGFinding{
				cgf("jwt", "a.txt", 1, c1, h1),
				cgf("generic-api-key", "a.txt", 9, c2, h1),
			},
			gl:       gl("generic-api-key", "a.txt", 1, c1, h1),
			want:     Missing,
			wantBy:   -1,
			wantNote: "not in that commit: this secret in this file is listed in 1 other commit(s) (rule generic-api-key)",
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
			name: "occurrence of the old name in the new name's commit: missing",
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
			gl:       gl("github-pat", "old/name.go", 9, c2, h1),
			want:     Missing,
			wantBy:   -1,
			wantNote: "not in that commit",
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
			name: "same rule at another line does not beat also_matched at the place",
			cg: []CGFinding{
				cgf("line-channel-secret", "a.py", 2, c1, h1, "generic-api-key"),
				cgf("generic-api-key", "a.py", 3, c1, h1),
			},
			gl:     gl("generic-api-key", "a.py", 2, c1, h1),
			want:   AlsoMatched,
			wantBy: 0,
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
			m := NewIndex(tt.cg).Classify(tt.gl, tt.level)
			if m.How != tt.want || m.By != tt.wantBy {
				t.Errorf("Classify = %v by %d, want %v by %d (note %q)", m.How, m.By, tt.want, tt.wantBy, m.Note)
			}
			if tt.want == Missing && !strings.HasPrefix(m.Note, tt.wantNote) {
				t.Errorf("note = %q, want prefix %q", m.Note, tt.wantNote)
			}
			if tt.want != Missing && m.Note != "" {
				t.Errorf("a covered finding has a note: %q", m.Note)
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
	const c3 = "cccccccccccccccccccccccccccccccccccccccc"
	aws := fakeSecret(t, "AKIA")
	line := fakeSecret(t, "")
	gone := fakeSecret(t, "ghp_")
	extra := fakeSecret(t, "")
	secrets := []string{aws, line, gone, extra}

	gl := glJSON(t, []map[string]any{
		{"RuleID": "aws-access-token", "File": "cfg/aws.go", "StartLine": 3, "Commit": c1, "Secret": aws, "Match": "key = " + aws},
		{"RuleID": "aws-access-token", "File": "cfg/aws.go", "StartLine": 4, "Commit": c2, "Secret": aws, "Match": "key = " + aws},
		// channelguard has the secret in this file, at line 4 of c2 only
		{"RuleID": "aws-access-token", "File": "cfg/aws.go", "StartLine": 9, "Commit": c2, "Secret": aws, "Match": "key = " + aws},
		// and in no commit c3
		{"RuleID": "aws-access-token", "File": "cfg/aws.go", "StartLine": 4, "Commit": c3, "Secret": aws, "Match": "key = " + aws},
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
				"covered means the same:               commit, file, start line, secret hash, rule",
				"missing gitleaks findings:            3; groups 2",
				"aws-access-token  cfg/aws.go:9  bbbbbbbbbbbb  " + secretHash(aws) + "  different line: in that commit and file at line 4, not 9",
				"aws-access-token  cfg/aws.go:4  cccccccccccc  " + secretHash(aws) + "  not in that commit: this secret in this file is listed in 2 other commit(s)",
				"github-pat  ci.yml:1  bbbbbbbbbbbb  " + secretHash(gone) + "  no channelguard finding with this secret",
				"    different line  ",
				"    not in that commit  ",
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
			res := Compare(glf, cgf, tt.level)
			if res.GitleaksFindings != 6 || res.GitleaksGroups != 3 || res.ChannelguardFindings != 3 {
				t.Errorf("counts: gl %d groups %d cg %d, want 6 3 3", res.GitleaksFindings, res.GitleaksGroups, res.ChannelguardFindings)
			}
			if res.Covered != tt.covered || res.ByHow[SameRule] != tt.sameRule || res.ByHow[LineCoversGeneric] != 1 {
				t.Errorf("covered %d (%v), want %d: %d same rule, 1 LINE covers generic", res.Covered, res.ByHow, tt.covered, tt.sameRule)
			}
			if res.SameCommit != tt.sameCommit || res.SameLine != tt.sameLine {
				t.Errorf("same commit %d, same line %d, want %d and %d", res.SameCommit, res.SameLine, tt.sameCommit, tt.sameLine)
			}
			var missing []string
			for _, m := range res.Missing {
				missing = append(missing, fmt.Sprintf("%s %s:%d", m.RuleID, m.File, m.StartLine))
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

func TestDiffGitleaks(t *testing.T) {
	const c1 = "1111111111111111111111111111111111111111"
	f := func(rule, file string, line int, hash string) GLFinding {
		return GLFinding{RuleID: rule, File: file, StartLine: line, Commit: c1, Hash: hash}
	}
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
		{"other secret", []GLFinding{a1}, []GLFinding{f("jwt", "a", 1, "h9")}, 1, 1},
		{"other commit", []GLFinding{a1}, []GLFinding{{RuleID: "jwt", File: "a", StartLine: 1, Commit: "2222222222222222222222222222222222222222", Hash: "h1"}}, 1, 1},
		{"commit case", []GLFinding{a1}, []GLFinding{{RuleID: "jwt", File: "a", StartLine: 1, Commit: strings.ToUpper(c1), Hash: "h1"}}, 0, 0},
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
