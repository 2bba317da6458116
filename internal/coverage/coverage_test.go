package coverage

import (
	"strings"
	"testing"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/regexp"

	"github.com/channelguard/channelguard/finding"
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

func TestNewRef(t *testing.T) {
	r := NewRef("aws-access-token", "a/b.go", c1, "AKIAFAKEFAKEFAKEFAKE", 3, 4)
	if r.Hash != finding.SecretHash("AKIAFAKEFAKEFAKEFAKE") || r.StartLine != 3 || r.EndLine != 4 || r.File != "a/b.go" {
		t.Errorf("NewRef = %+v", r)
	}
	// a rule on a path alone: no value, so no hash, and the file's first
	// line, where channelguard reports a whole file
	w := NewRef("pkcs12-file", "certs/client.p12", c1, "", 0, 0)
	if w.Hash != "" || w.StartLine != 1 || w.EndLine != 1 {
		t.Errorf("whole-file NewRef = %+v, want no hash, line 1-1", w)
	}
	if s := r.String(); strings.Contains(s, "AKIAFAKE") || !strings.Contains(s, r.Hash) {
		t.Errorf("String() = %q: want the hash, never the value", s)
	}
}

func TestSameCommit(t *testing.T) {
	tests := []struct {
		name string
		c    *finding.Commit
		sha  string
		want bool
	}{
		{"equal", &finding.Commit{SHA: c1}, c1, true},
		{"other", &finding.Commit{SHA: c1}, c2, false},
		{"abbreviated to 7", &finding.Commit{SHA: c1[:7]}, c1, true},
		{"abbreviated gitleaks side", &finding.Commit{SHA: c1}, c1[:8], true},
		{"too short to tell", &finding.Commit{SHA: c1[:6]}, c1, false},
		{"upper case", &finding.Commit{SHA: strings.ToUpper("abcdef1234567")}, "abcdef1234567", true},
		{"working tree and directory", nil, "", true},
		{"working tree is no commit", nil, c1, false},
		{"a commit is not the working tree", &finding.Commit{SHA: c1}, "", false},
	}
	for _, tt := range tests {
		if got := SameCommit(tt.c, tt.sha); got != tt.want {
			t.Errorf("%s: SameCommit = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// gitleaks gives the line its match starts on, channelguard the secret's
// own line: any line of the match is the place.
func TestAtLineOfTheMatch(t *testing.T) {
	r := Ref{Rule: "curl-auth-header", File: "a.sh", Commit: c1, Hash: "h", StartLine: 10, EndLine: 12}
	tests := []struct {
		o    finding.Occurrence
		want bool
	}{
		{occ("a.sh", 10, c1), true},
		{occ("a.sh", 12, c1), true},
		{occ("a.sh", 9, c1), false},
		{occ("a.sh", 13, c1), false},
		{occ("b.sh", 11, c1), false},
		{occ("a.sh", 11, c2), false},
		{occ("a.sh", 11, ""), false},
	}
	for _, tt := range tests {
		if got := r.At(tt.o); got != tt.want {
			t.Errorf("At(%s:%d %v) = %v, want %v", tt.o.Path, tt.o.StartLine, tt.o.Commit, got, tt.want)
		}
	}
	// EndLine before StartLine (a match to the end of a file without a
	// newline): the start line alone
	one := Ref{File: "k.pem", Commit: c1, StartLine: 5, EndLine: 5}
	if !one.At(occ("k.pem", 5, c1)) || one.At(occ("k.pem", 6, c1)) {
		t.Error("a one-line match is on its start line only")
	}
}

func TestBestPrefersTheClosestRule(t *testing.T) {
	f := func(rule string, line int, also ...string) *finding.Finding {
		return &finding.Finding{RuleID: rule, AlsoMatched: also, Occurrences: []finding.Occurrence{occ("a.py", line, c1)}}
	}
	r := Ref{Rule: "generic-api-key", File: "a.py", Commit: c1, StartLine: 2, EndLine: 2}
	tests := []struct {
		name string
		fs   []*finding.Finding
		how  How
		by   int
	}{
		{"same rule", []*finding.Finding{f("generic-api-key", 2)}, SameRule, 0},
		{"also matched", []*finding.Finding{f("slack-bot-token", 2, "generic-api-key")}, AlsoMatched, 0},
		{"LINE for generic", []*finding.Finding{f("line-channel-secret", 2)}, LineForGeneric, 0},
		{"not a LINE rule", []*finding.Finding{f("jwt", 2)}, None, -1},
		{"same rule beats also_matched", []*finding.Finding{f("line-channel-secret", 2, "generic-api-key"), f("generic-api-key", 2)}, SameRule, 1},
		{"same rule on another line does not cover", []*finding.Finding{f("generic-api-key", 3), f("line-channel-secret", 2)}, LineForGeneric, 1},
		{"none", nil, None, -1},
	}
	for _, tt := range tests {
		how, by := Best(tt.fs, r)
		if how != tt.how || by != tt.by {
			t.Errorf("%s: Best = %v by %d, want %v by %d", tt.name, how, by, tt.how, tt.by)
		}
	}
	// a LINE rule never stands for a vendor rule
	if RuleHow(f("line-channel-access-token", 2), "aws-access-token") != None {
		t.Error("a LINE rule covers aws-access-token")
	}
}

func TestAllowedBy(t *testing.T) {
	onMatch := &config.Allowlist{RegexTarget: "match"}
	onLine := &config.Allowlist{RegexTarget: "line"}
	for _, a := range []*config.Allowlist{onMatch, onLine} {
		a.Regexes = append(a.Regexes, regexp.MustCompile(`(?i)\breply[_-]?token\b`))
		if err := a.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	g := Found{File: "bot.py", Secret: "s3cr3tvalue", Match: `reply_token = "s3cr3tvalue"`}
	if !AllowedBy([]*config.Allowlist{onMatch}, g) {
		t.Error("a match allowlist does not allow its match")
	}
	if AllowedBy([]*config.Allowlist{onLine}, g) {
		t.Error("a line allowlist allowed a finding whose line is unknown")
	}
	g.Line, g.LineKnown = `    reply_token = "s3cr3tvalue"  # webhook`, true
	if !AllowedBy([]*config.Allowlist{onLine}, g) {
		t.Error("a line allowlist does not allow its line")
	}
	if AllowedBy([]*config.Allowlist{onMatch}, Found{Secret: "x", Match: `api_key = "x"`}) {
		t.Error("allowed an unrelated match")
	}
}

func TestHasAllowMarker(t *testing.T) {
	for s, want := range map[string]bool{
		`key = "x" # gitleaks:allow`:      true,
		`key = "x" // channelguard:allow`: true,
		`key = "x" # gitleaks: allow`:     false,
		`key = "x"`:                       false,
	} {
		if HasAllowMarker(s) != want {
			t.Errorf("HasAllowMarker(%q) = %v", s, !want)
		}
	}
}
