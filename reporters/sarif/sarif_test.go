package sarif

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/rules"
)

// Raw values used only to derive previews and hashes; none may appear in
// the output.
const (
	rawLineSecret = "0123456789abcdef0123456789abcdef"
	rawLineToken  = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8xMjM0NTY3OA=="
	rawGeneric    = "sk_live_9f8e7d6c5b4a39281706f5e4"
	rawCustom     = "cgtok-ABCDEFGHIJKLMNOP"
)

var tool = finding.Tool{
	Name:           "channelguard",
	Version:        "1.2.3",
	InformationURI: "https://github.com/channelguard/channelguard",
}

var (
	ruleLineSecret = finding.Rule{
		ID:        "line-channel-secret",
		Name:      "line-channel-secret",
		Title:     "LINE channel secret",
		Summary:   "A LINE Messaging API channel secret lets anyone verify and forge webhook signatures for the channel",
		Severity:  finding.Critical,
		CWE:       798,
		Precision: "high",
		HelpURI:   "https://github.com/channelguard/channelguard/blob/main/docs/rules/line-channel-secret.md",
		Remediation: "## Fix\n\n1. **Reissue** the channel secret in the [LINE Developers console](https://developers.line.biz/console/).\n" +
			"2. Update the bot's configuration from a secret store, not the repository.\n" +
			"3. Remove the value from history with `git filter-repo` and force-push.",
		Origin: "line",
	}
	ruleLineToken = finding.Rule{
		ID:          "line-channel-access-token",
		Name:        "LINE channel access token",
		Title:       "LINE long-lived channel access token",
		Summary:     "A long-lived channel access token lets anyone send messages as the LINE Official Account.",
		Severity:    finding.High,
		CWE:         798,
		Precision:   "very-high",
		HelpURI:     "https://github.com/channelguard/channelguard/blob/main/docs/rules/line-channel-access-token.md",
		Remediation: "Revoke the token in the LINE Developers console and issue a short-lived one with `/oauth2/v3/token`.",
		Origin:      "line",
	}
	ruleUnused = finding.Rule{
		ID:          "slack-webhook-url",
		Name:        "slack_webhook_url",
		Title:       "Slack incoming webhook URL",
		Summary:     "A Slack incoming webhook URL lets anyone post into the channel.",
		Severity:    finding.Medium,
		CWE:         798,
		Precision:   "high",
		HelpURI:     "https://api.slack.com/messaging/webhooks",
		Remediation: "Delete the webhook in Slack and create a new one.",
		Origin:      "gitleaks",
	}
	ruleGeneric = finding.Rule{
		ID:          "generic-api-key",
		Name:        "generic-api-key",
		Title:       "Generic API key",
		Summary:     "A string that looks like an API key was assigned to a key-like variable.",
		Severity:    finding.Medium,
		CWE:         798,
		Precision:   "medium",
		HelpURI:     "", // falls back to the tool's informationUri
		Remediation: "",
		Origin:      "gitleaks",
	}
	ruleLow = finding.Rule{
		ID:          "private-key-header",
		Name:        "private key header",
		Title:       "Private key header",
		Summary:     "A PEM private key header was found; the key itself may follow.",
		Severity:    finding.Low,
		CWE:         321,
		Precision:   "low",
		HelpURI:     "https://github.com/channelguard/channelguard/blob/main/docs/rules/private-key-header.md",
		Remediation: "Check whether the file holds a real key; if so, rotate it.",
		Origin:      "config",
	}
)

func commit(sha, author, date string) *finding.Commit {
	return &finding.Commit{SHA: sha, Author: author, Email: author + "@example.com", Date: date}
}

func mk(rule finding.Rule, raw, p string, line, col, endCol int, c *finding.Commit, exp finding.Exposure, n int, msg string) finding.Finding {
	h := finding.SecretHash(raw)
	occ := make([]finding.Occurrence, n)
	for i := range occ {
		occ[i] = finding.Occurrence{Location: finding.Location{Path: p, StartLine: line + i}, Commit: c}
	}
	return finding.Finding{
		RuleID:        rule.ID,
		Severity:      rule.Severity,
		Title:         rule.Title,
		Message:       msg,
		Location:      finding.Location{Path: p, StartLine: line, StartColumn: col, EndLine: line, EndColumn: endCol},
		Commit:        c,
		SecretPreview: finding.Preview(raw),
		SecretSHA256:  h,
		Fingerprint:   finding.Fingerprint(rule.ID, p, h),
		Exposure:      exp,
		Occurrences:   occ,
	}
}

// richReport has rules with and without findings, an uncatalogued rule,
// findings in the working tree and only in history, paths with spaces,
// non-ASCII and URI-reserved characters, and a long message.
func richReport() *finding.Report {
	first := commit("1111111111111111111111111111111111111111", "Alice Example", "2024-01-02T03:04:05Z")
	newer := commit("2222222222222222222222222222222222222222", "Bob Example", "2024-06-07T08:09:10Z")
	removed := commit("3333333333333333333333333333333333333333", "Carol Example", "2024-07-01T00:00:00Z")

	long := "LINE channel secret " + finding.Preview(rawLineSecret) + " is committed in config/app settings/本番.env line 12 and still in the working tree: " +
		"reissue it in the LINE Developers console now, move it to a secret store and purge it from history. " +
		"It was first committed in 11111111 on 2024-01-02 by Alice Example and has been readable by everyone with access to the repository since then; " +
		strings.Repeat("every fork and clone made since then also holds it, so rotating it is the only real fix. ", 6)

	r := &finding.Report{
		Tool:   tool,
		Target: "/home/ci/work/repo",
		Rules:  []finding.Rule{ruleLineSecret, ruleUnused, ruleLineToken, ruleGeneric, ruleLow},
		Findings: []finding.Finding{
			mk(ruleLineSecret, rawLineSecret, "config/app settings/本番.env", 12, 15, 47, nil,
				finding.Exposure{FirstCommit: first, StillAtHead: true, InWorkingTree: true}, 3, long),
			mk(ruleLineToken, rawLineToken, "src/bot/main.go", 40, 9, 73, newer,
				finding.Exposure{FirstCommit: newer, RemovedIn: removed}, 1,
				"LINE long-lived channel access token "+finding.Preview(rawLineToken)+" was committed to src/bot/main.go line 40 in 22222222 and removed in 33333333: revoke it in the LINE Developers console, it is still in history."),
			mk(ruleGeneric, rawGeneric, "docs/set up#1/README (copy).md", 3, 0, 0, first,
				finding.Exposure{FirstCommit: first, StillAtHead: true}, 2,
				"Generic API key "+finding.Preview(rawGeneric)+" is committed in docs/set up#1/README (copy).md line 3: revoke it and load it from the environment"),
			mk(finding.Rule{ID: "custom-token", Title: "Custom token", Severity: finding.Medium}, rawCustom, "deploy/k8s:prod/values.yaml", 7, 3, 25, nil,
				finding.Exposure{InWorkingTree: true}, 1,
				"Custom token "+finding.Preview(rawCustom)+" is in the working tree at deploy/k8s:prod/values.yaml line 7: remove it before committing."),
			mk(ruleLow, "-----BEGIN PRIVATE KEY-----", "keys/Ünïcödé dir/id_rsa", 1, 1, 28, newer,
				finding.Exposure{FirstCommit: newer, StillAtHead: true, InWorkingTree: true}, 1,
				"Private key header "+finding.Preview("-----BEGIN PRIVATE KEY-----")+" is committed in keys/Ünïcödé dir/id_rsa line 1: check the key and rotate it if it is real."),
		},
		Stats: finding.Stats{Commits: 42, Files: 310, Bytes: 1 << 20},
	}
	r.Findings[1].AlsoMatched = []string{"generic-api-key"}
	r.Findings[3].Occurrences = nil // an empty list still counts as one occurrence
	r.Sort()
	return r
}

func write(t *testing.T, r *finding.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

// parse reads the log back with go-sarif, validates it against the SARIF
// 2.1.0 schema and returns it with a generic JSON view for raw checks.
func parse(t *testing.T, out []byte) (*gosarif.Report, map[string]any) {
	t.Helper()
	log, err := gosarif.FromBytes(out)
	if err != nil {
		t.Fatalf("FromBytes: %v\n%s", err, out)
	}
	if err := log.Validate(); err != nil {
		t.Fatalf("schema validation: %v", err)
	}
	var raw map[string]any
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("json: %v", err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("runs = %d, want 1", len(log.Runs))
	}
	return log, raw
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func num(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func TestWrite(t *testing.T) {
	rich := richReport()
	worktreeOnly := &finding.Report{
		Tool:  finding.Tool{Name: "channelguard"}, // no version, no URI: defaults
		Rules: []finding.Rule{ruleLineSecret},
		Findings: []finding.Finding{
			mk(ruleLineSecret, rawLineSecret, "./.env", 2, 0, 0, nil, finding.Exposure{InWorkingTree: true}, 1,
				"LINE channel secret "+finding.Preview(rawLineSecret)+" is in the working tree at .env line 2, not committed: keep it out of git and rotate it if it was shared"),
		},
	}
	noLine := &finding.Report{
		Tool:  tool,
		Rules: []finding.Rule{ruleGeneric},
		Findings: []finding.Finding{
			mk(ruleGeneric, rawGeneric, "bin/blob.dat", 0, 0, 0, nil, finding.Exposure{InWorkingTree: true}, 1, ""),
		},
	}

	type want struct {
		version   string
		infoURI   string
		rules     []string // rule ids, in order
		results   int
		uris      []string // per result
		levels    []string // per result
		lines     []int    // per result startLine (0 = no region)
		cols      [][2]int // per result startColumn, endColumn (0 = absent)
		commitSHA []string // per result properties.commit.sha ("" = absent)
	}
	cases := []struct {
		name string
		r    *finding.Report
		want want
	}{
		{
			name: "rich",
			r:    rich,
			want: want{
				version: "1.2.3",
				infoURI: "https://github.com/channelguard/channelguard",
				rules:   []string{"line-channel-secret", "line-channel-access-token", "generic-api-key", "private-key-header", "custom-token"},
				results: 5,
				uris: []string{
					"config/app%20settings/%E6%9C%AC%E7%95%AA.env",
					"src/bot/main.go",
					"deploy/k8s%3Aprod/values.yaml",
					"docs/set%20up%231/README%20(copy).md",
					"keys/%C3%9Cn%C3%AFc%C3%B6d%C3%A9%20dir/id_rsa",
				},
				levels:    []string{"error", "error", "warning", "warning", "note"},
				lines:     []int{12, 40, 7, 3, 1},
				cols:      [][2]int{{15, 47}, {9, 73}, {3, 25}, {0, 0}, {1, 28}},
				commitSHA: []string{"", "2222222222222222222222222222222222222222", "", "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"},
			},
		},
		{
			name: "worktree only, tool defaults",
			r:    worktreeOnly,
			want: want{
				version:   "0.0.0-dev",
				infoURI:   "https://github.com/channelguard/channelguard",
				rules:     []string{"line-channel-secret"},
				results:   1,
				uris:      []string{".env"},
				levels:    []string{"error"},
				lines:     []int{2},
				cols:      [][2]int{{0, 0}},
				commitSHA: []string{""},
			},
		},
		{
			name: "no line, no message",
			r:    noLine,
			want: want{
				version:   "1.2.3",
				infoURI:   "https://github.com/channelguard/channelguard",
				rules:     []string{"generic-api-key"},
				results:   1,
				uris:      []string{"bin/blob.dat"},
				levels:    []string{"warning"},
				lines:     []int{0},
				cols:      [][2]int{{0, 0}},
				commitSHA: []string{""},
			},
		},
		{
			name: "zero findings",
			r:    &finding.Report{Tool: tool, Rules: []finding.Rule{ruleLineSecret, ruleUnused}},
			want: want{version: "1.2.3", infoURI: "https://github.com/channelguard/channelguard"},
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := write(t, tc.r)
			log, raw := parse(t, out)
			run := log.Runs[0]

			if raw["$schema"] != SchemaURI || raw["version"] != "2.1.0" {
				t.Errorf("$schema/version = %v/%v", raw["$schema"], raw["version"])
			}
			d := run.Tool.Driver
			if str(d.Name) != "channelguard" || str(d.Version) != tc.want.version || str(d.InformationURI) != tc.want.infoURI {
				t.Errorf("driver = %s %s %s", str(d.Name), str(d.Version), str(d.InformationURI))
			}
			if _, ok := run.OriginalUriBaseIds[SrcRoot]; !ok {
				t.Errorf("originalUriBaseIds lacks %s", SrcRoot)
			}

			// results must be present even when empty.
			rawRun := raw["runs"].([]any)[0].(map[string]any)
			if res, ok := rawRun["results"].([]any); !ok || len(res) != tc.want.results {
				t.Fatalf("raw results = %#v, want %d entries", rawRun["results"], tc.want.results)
			}

			var ids []string
			for _, rd := range d.Rules {
				ids = append(ids, str(rd.ID))
				checkRule(t, tc.r, rd)
			}
			if strings.Join(ids, ",") != strings.Join(tc.want.rules, ",") {
				t.Errorf("rules = %v, want %v", ids, tc.want.rules)
			}

			for i, res := range run.Results {
				f := tc.r.Findings[i]
				if str(res.RuleID) != f.RuleID {
					t.Errorf("result %d ruleId = %s, want %s", i, str(res.RuleID), f.RuleID)
				}
				if res.RuleIndex < 0 || res.RuleIndex >= len(d.Rules) || str(d.Rules[res.RuleIndex].ID) != f.RuleID {
					t.Errorf("result %d ruleIndex %d does not point at %s", i, res.RuleIndex, f.RuleID)
				}
				if res.Level != tc.want.levels[i] || res.Level != level(f.Severity) {
					t.Errorf("result %d level = %s, want %s", i, res.Level, tc.want.levels[i])
				}
				msg := str(res.Message.Text)
				if f.Message != "" && !strings.HasPrefix(msg, strings.TrimSpace(f.Message)) {
					t.Errorf("result %d message = %q, want the finding's message first", i, msg)
				}
				if !strings.HasSuffix(msg, ".") {
					t.Errorf("result %d message does not end with a period: %q", i, msg)
				}

				if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation == nil {
					t.Fatalf("result %d locations = %d", i, len(res.Locations))
				}
				pl := res.Locations[0].PhysicalLocation
				if got := str(pl.ArtifactLocation.URI); got != tc.want.uris[i] {
					t.Errorf("result %d uri = %s, want %s", i, got, tc.want.uris[i])
				}
				if str(pl.ArtifactLocation.URIBaseID) != SrcRoot {
					t.Errorf("result %d uriBaseId = %s", i, str(pl.ArtifactLocation.URIBaseID))
				}
				if tc.want.lines[i] == 0 {
					if pl.Region != nil {
						t.Errorf("result %d has a region without a line", i)
					}
				} else {
					reg := pl.Region
					if reg == nil || num(reg.StartLine) != tc.want.lines[i] {
						t.Fatalf("result %d region = %+v, want startLine %d", i, reg, tc.want.lines[i])
					}
					if num(reg.StartColumn) != tc.want.cols[i][0] || num(reg.EndColumn) != tc.want.cols[i][1] {
						t.Errorf("result %d columns = %d..%d, want %v", i, num(reg.StartColumn), num(reg.EndColumn), tc.want.cols[i])
					}
					if reg.Snippet != nil {
						t.Errorf("result %d has a region snippet", i)
					}
				}
				if pl.ContextRegion != nil {
					t.Errorf("result %d has a context region", i)
				}

				fp := res.PartialFingerprints
				if fp[FingerprintKey] != f.Fingerprint || fp[LineHashKey] != f.Fingerprint+":1" {
					t.Errorf("result %d partialFingerprints = %v", i, fp)
				}

				props := res.Properties.Properties
				if props["secret_preview"] != f.SecretPreview || props["secret_sha256"] != f.SecretSHA256 || props["severity"] != f.Severity.String() {
					t.Errorf("result %d properties = %v", i, props)
				}
				wantOcc := len(f.Occurrences)
				if wantOcc == 0 {
					wantOcc = 1
				}
				if props["occurrences"] != float64(wantOcc) {
					t.Errorf("result %d occurrences = %v, want %d", i, props["occurrences"], wantOcc)
				}
				commitProp, _ := props["commit"].(map[string]any)
				if got, _ := commitProp["sha"].(string); got != tc.want.commitSHA[i] {
					t.Errorf("result %d commit sha = %q, want %q", i, got, tc.want.commitSHA[i])
				}
				if f.Commit != nil && (commitProp["author"] != f.Commit.Author || commitProp["date"] != f.Commit.Date) {
					t.Errorf("result %d commit = %v", i, commitProp)
				}
				if _, ok := commitProp["email"]; ok {
					t.Errorf("result %d commit carries an email", i)
				}
				exp, _ := props["exposure"].(map[string]any)
				if exp["still_at_head"] != f.Exposure.StillAtHead || exp["in_working_tree"] != f.Exposure.InWorkingTree {
					t.Errorf("result %d exposure = %v", i, exp)
				}
				if c := f.Exposure.FirstCommit; c != nil {
					fc, _ := exp["first_commit"].(map[string]any)
					if fc["sha"] != c.SHA || fc["date"] != c.Date {
						t.Errorf("result %d first_commit = %v", i, fc)
					}
				} else if _, ok := exp["first_commit"]; ok {
					t.Errorf("result %d has a first_commit it should not", i)
				}
				if c := f.Exposure.RemovedIn; c != nil {
					ri, _ := exp["removed_in"].(map[string]any)
					if ri["sha"] != c.SHA {
						t.Errorf("result %d removed_in = %v", i, ri)
					}
				}
			}

			checkNoSecrets(t, out)
		})
	}
}

func checkRule(t *testing.T, r *finding.Report, rd *gosarif.ReportingDescriptor) {
	t.Helper()
	id := str(rd.ID)
	rule, catalogued := r.RuleByID(id)
	name := str(rd.Name)
	if name == "" || name == id || strings.ContainsAny(name, " -_") || name[:1] != strings.ToUpper(name[:1]) {
		t.Errorf("rule %s name %q is not a PascalCase friendly name", id, name)
	}
	if rd.ShortDescription == nil || str(rd.ShortDescription.Text) == "" {
		t.Errorf("rule %s has no shortDescription", id)
	} else if catalogued && str(rd.ShortDescription.Text) != rule.Title {
		t.Errorf("rule %s shortDescription = %q", id, str(rd.ShortDescription.Text))
	}
	if rd.FullDescription == nil || !strings.HasSuffix(str(rd.FullDescription.Text), ".") {
		t.Errorf("rule %s fullDescription must end with a period: %v", id, rd.FullDescription)
	} else if catalogued && strings.TrimSuffix(str(rd.FullDescription.Text), ".") != strings.TrimSuffix(rule.Summary, ".") {
		t.Errorf("rule %s fullDescription = %q", id, str(rd.FullDescription.Text))
	}
	if rd.Help == nil || str(rd.Help.Text) == "" || str(rd.Help.Markdown) == "" {
		t.Fatalf("rule %s lacks help text or markdown", id)
	}
	if catalogued && rule.Remediation != "" {
		if str(rd.Help.Markdown) != rule.Remediation {
			t.Errorf("rule %s help.markdown = %q", id, str(rd.Help.Markdown))
		}
		if strings.ContainsAny(str(rd.Help.Text), "*`#") {
			t.Errorf("rule %s help.text still has Markdown: %q", id, str(rd.Help.Text))
		}
	}
	if !isAbsoluteURI(str(rd.HelpURI)) {
		t.Errorf("rule %s helpUri = %q", id, str(rd.HelpURI))
	}
	if rd.DefaultConfiguration == nil || rd.DefaultConfiguration.Level != level(rule.Severity) && catalogued {
		t.Errorf("rule %s defaultConfiguration = %+v", id, rd.DefaultConfiguration)
	}
	p := rd.Properties
	if p == nil {
		t.Fatalf("rule %s has no properties", id)
	}
	if len(p.Tags) > 10 || p.Tags[0] != "security" || p.Tags[1] != "secret" {
		t.Errorf("rule %s tags = %v", id, p.Tags)
	}
	if catalogued {
		if want := "external/cwe/cwe-" + itoa(rule.CWE); p.Tags[len(p.Tags)-1] != want {
			t.Errorf("rule %s tags = %v, want %s", id, p.Tags, want)
		}
		if p.Properties["precision"] != rule.Precision {
			t.Errorf("rule %s precision = %v", id, p.Properties["precision"])
		}
		if p.Properties["security-severity"] != rule.Severity.Score() {
			t.Errorf("rule %s security-severity = %#v, want the string %q", id, p.Properties["security-severity"], rule.Severity.Score())
		}
	} else if s, ok := p.Properties["security-severity"].(string); !ok || s == "" {
		t.Errorf("rule %s security-severity = %#v", id, p.Properties["security-severity"])
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// checkNoSecrets fails when the log carries a snippet or any raw value.
func checkNoSecrets(t *testing.T, out []byte) {
	t.Helper()
	for _, bad := range []string{`"snippet"`, `"contextRegion"`, rawLineSecret, rawLineToken, rawGeneric, rawCustom, "-----BEGIN PRIVATE KEY-----"} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("output contains %q", bad)
		}
	}
	for _, bad := range []string{`"guid"`, `"startTimeUtc"`, `"endTimeUtc"`, `"correlationGuid"`} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("output contains non-deterministic field %s", bad)
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, r := range []*finding.Report{richReport(), {Tool: tool}} {
		a := write(t, r)
		for i := 0; i < 5; i++ {
			if b := write(t, richCopy(r)); !bytes.Equal(a, b) {
				t.Fatalf("run %d differs:\n%s\n---\n%s", i, a, b)
			}
		}
	}
}

// richCopy rebuilds r through JSON so no pointer or slice is shared.
func richCopy(r *finding.Report) *finding.Report {
	b, _ := json.Marshal(r)
	var c finding.Report
	_ = json.Unmarshal(b, &c)
	c.Rules = append([]finding.Rule(nil), r.Rules...)
	return &c
}

func TestZeroFindings(t *testing.T) {
	out := write(t, &finding.Report{Tool: tool, Rules: []finding.Rule{ruleLineSecret, ruleUnused}})
	_, raw := parse(t, out)
	run := raw["runs"].([]any)[0].(map[string]any)
	if res, ok := run["results"].([]any); !ok || len(res) != 0 {
		t.Errorf(`results = %#v, want []`, run["results"])
	}
	rules := run["tool"].(map[string]any)["driver"].(map[string]any)["rules"]
	if r, ok := rules.([]any); !ok || len(r) != 0 {
		t.Errorf("rules = %#v, want [] (only rules with findings are listed)", rules)
	}
	if !bytes.HasSuffix(out, []byte("}\n")) {
		t.Errorf("output does not end with a newline")
	}
}

func TestTruncate(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 25,001 results")
	}
	r := &finding.Report{Tool: tool, Rules: []finding.Rule{ruleLineSecret, ruleLow}}
	for i := 0; i < MaxResults; i++ {
		p := "dir/f" + itoa(i) + ".env"
		r.Findings = append(r.Findings, mk(ruleLineSecret, "value-"+p, p, 1, 1, 10, nil, finding.Exposure{InWorkingTree: true}, 1, "Secret: rotate it."))
	}
	// The one finding past the limit is the least severe, and its rule
	// must not be listed.
	r.Findings = append(r.Findings, mk(ruleLow, "zzz-low", "z.pem", 1, 0, 0, nil, finding.Exposure{InWorkingTree: true}, 1, "Low: check it."))
	log, err := gosarif.FromBytes(write(t, r))
	if err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Results) != MaxResults {
		t.Errorf("results = %d, want %d", len(run.Results), MaxResults)
	}
	if len(run.Tool.Driver.Rules) != 1 {
		t.Errorf("rules = %d, want 1", len(run.Tool.Driver.Rules))
	}
	p := run.Properties.Properties
	if p["findings_total"] != float64(MaxResults+1) || p["findings_truncated"] != true {
		t.Errorf("run properties = %v", p)
	}
}

func TestWriteErrors(t *testing.T) {
	if err := Write(&bytes.Buffer{}, nil); err == nil {
		t.Error("nil report: no error")
	}
	noRule := &finding.Report{Tool: tool, Findings: []finding.Finding{mk(finding.Rule{}, rawGeneric, "a.env", 1, 0, 0, nil, finding.Exposure{}, 1, "x")}}
	if err := Write(&bytes.Buffer{}, noRule); err == nil {
		t.Error("finding without rule id: no error")
	}
	for _, p := range []string{"", "../outside.env", ".."} {
		r := &finding.Report{Tool: tool, Rules: []finding.Rule{ruleGeneric},
			Findings: []finding.Finding{mk(ruleGeneric, rawGeneric, p, 1, 0, 0, nil, finding.Exposure{}, 1, "x")}}
		if err := Write(&bytes.Buffer{}, r); err == nil {
			t.Errorf("path %q: no error", p)
		}
	}
}

func TestCompact(t *testing.T) {
	in := `{"$schema":"s","runs":[{"results":[],"graphs":[],"tool":{"driver":{"name":"n","rules":[],"isComprehensive":false,` +
		`"contents":["localizedData","nonLocalizedData"],"language":"en-US"}},"properties":{"index":-1,"empty":[],"kind":"fail"},` +
		`"x":{"index":-1,"rank":-1,"id":-1,"byteOffset":-1,"charOffset":-1,"kind":"fail","enabled":true,"index2":-1,"rank2":0,"kind2":"pass","s":"<&>"}}]}`
	want := `{"$schema":"s","runs":[{"tool":{"driver":{"name":"n","rules":[],"language":"en-US"}},"results":[],` +
		`"properties":{"index":-1,"empty":[],"kind":"fail"},"x":{"index2":-1,"rank2":0,"kind2":"pass","s":"<&>"}}]}`
	out, err := compact([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := json.Compact(&got, out); err != nil {
		t.Fatal(err)
	}
	if got.String() != want {
		t.Errorf("compact:\n got %s\nwant %s", got.String(), want)
	}
	if _, err := compact([]byte(`{} {}`)); err == nil {
		t.Error("trailing data: no error")
	}
}

func TestArtifactURI(t *testing.T) {
	cases := []struct{ in, uri, base string }{
		{"main.go", "main.go", SrcRoot},
		{"./cmd/x/main.go", "cmd/x/main.go", SrcRoot},
		{`windows\style\path.txt`, "windows/style/path.txt", SrcRoot},
		{"a b/c d.txt", "a%20b/c%20d.txt", SrcRoot},
		{"設定/秘密.json", "%E8%A8%AD%E5%AE%9A/%E7%A7%98%E5%AF%86.json", SrcRoot},
		{"100%/x?y#z", "100%25/x%3Fy%23z", SrcRoot},
		{"c:d/e", "c%3Ad/e", SrcRoot},
		{"a//b/../c", "a/c", SrcRoot},
		{"/abs/path file", "file:///abs/path%20file", ""},
	}
	for _, c := range cases {
		uri, base, err := artifactURI(c.in)
		if err != nil || uri != c.uri || base != c.base {
			t.Errorf("artifactURI(%q) = %q, %q, %v; want %q, %q", c.in, uri, base, err, c.uri, c.base)
		}
	}
}

func TestRegion(t *testing.T) {
	cases := []struct {
		in             finding.Location
		sl, sc, el, ec int
		wantRegion     bool
		name           string
	}{
		{name: "full", in: finding.Location{StartLine: 3, StartColumn: 5, EndLine: 3, EndColumn: 9}, sl: 3, sc: 5, el: 3, ec: 9, wantRegion: true},
		{name: "multi-line", in: finding.Location{StartLine: 3, StartColumn: 5, EndLine: 4, EndColumn: 2}, sl: 3, sc: 5, el: 4, ec: 2, wantRegion: true},
		{name: "line only", in: finding.Location{StartLine: 7}, sl: 7, wantRegion: true},
		{name: "end before start dropped", in: finding.Location{StartLine: 7, StartColumn: 9, EndLine: 2, EndColumn: 4}, sl: 7, sc: 9, wantRegion: true},
		{name: "empty span dropped", in: finding.Location{StartLine: 7, StartColumn: 9, EndLine: 7, EndColumn: 9}, sl: 7, sc: 9, el: 7, wantRegion: true},
		{name: "no line", in: finding.Location{StartColumn: 4}},
	}
	for _, c := range cases {
		r := region(c.in)
		if (r != nil) != c.wantRegion {
			t.Errorf("%s: region = %v", c.name, r)
			continue
		}
		if r == nil {
			continue
		}
		if num(r.StartLine) != c.sl || num(r.StartColumn) != c.sc || num(r.EndLine) != c.el || num(r.EndColumn) != c.ec {
			t.Errorf("%s: got %d:%d-%d:%d, want %d:%d-%d:%d", c.name,
				num(r.StartLine), num(r.StartColumn), num(r.EndLine), num(r.EndColumn), c.sl, c.sc, c.el, c.ec)
		}
	}
}

func TestFriendlyName(t *testing.T) {
	cases := []struct {
		rule finding.Rule
		want string
	}{
		{finding.Rule{ID: "line-channel-secret", Name: "line-channel-secret"}, "LineChannelSecret"},
		{finding.Rule{ID: "x", Name: "LINE channel access token"}, "LineChannelAccessToken"},
		{finding.Rule{ID: "x", Name: "slack_webhook_url"}, "SlackWebhookUrl"},
		{finding.Rule{ID: "x", Title: "AWS key (v2)"}, "AwsKeyV2"},
		{finding.Rule{ID: "x", Name: "1password token"}, "Rule1passwordToken"},
		{finding.Rule{ID: "Token", Name: "token"}, "TokenRule"},
		{finding.Rule{ID: "jwt", Name: "Jwt"}, "JwtRule"},
		{finding.Rule{ID: "airtable-pat", Name: "AirtablePersonalAccessToken"}, "AirtablePersonalAccessToken"},
		{finding.Rule{ID: "only-id"}, "OnlyId"},
	}
	for _, c := range cases {
		if got := friendlyName(c.rule); got != c.want {
			t.Errorf("friendlyName(%+v) = %q, want %q", c.rule, got, c.want)
		}
	}
}

func TestPlainText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Revoke it.", "Revoke it."},
		{"## Fix\n\n1. **Reissue** the [secret](https://example.com/x).", "Fix\n\n1. Reissue the secret (https://example.com/x)."},
		{"Run `git filter-repo`.\n```sh\ngit push --force\n```", "Run git filter-repo.\ngit push --force"},
		{"* one\n  * two <https://example.com>", "- one\n  - two https://example.com"},
		{"[https://a.example](https://a.example) and \\*literal\\*", "https://a.example and *literal*"},
	}
	for _, c := range cases {
		if got := plainText(c.in); got != c.want {
			t.Errorf("plainText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestMultitool runs .ci/validate-sarif (Microsoft's SARIF multitool with
// GitHub's ingestion rules) on the rich sample and on an empty report when
// CHANNELGUARD_SARIF_VALIDATOR points at it.
func TestMultitool(t *testing.T) {
	script := os.Getenv("CHANNELGUARD_SARIF_VALIDATOR")
	if script == "" {
		t.Skip("CHANNELGUARD_SARIF_VALIDATOR not set (point it at .ci/validate-sarif)")
	}
	dir := t.TempDir()
	var files []string
	for name, r := range map[string]*finding.Report{
		"rich.sarif":     richReport(),
		"empty.sarif":    {Tool: tool, Rules: []finding.Rule{ruleLineSecret}},
		"allrules.sarif": everyRuleReport(t),
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, write(t, r), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	if keep := os.Getenv("CHANNELGUARD_SARIF_KEEP"); keep != "" {
		_ = os.WriteFile(keep, write(t, richReport()), 0o644)
	}
	cmd := exec.Command(script, files...)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
}

// everyRuleReport has one finding for every built-in rule, so the validator
// sees the words of all 225 rules, not only the ones a sample happens to hit.
func everyRuleReport(t *testing.T) *finding.Report {
	t.Helper()
	set, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	r := &finding.Report{Tool: tool, Rules: set.Rules()}
	for i, rule := range r.Rules {
		hash := fmt.Sprintf("%012x", i)
		r.Findings = append(r.Findings, finding.Finding{
			RuleID:        rule.ID,
			Severity:      rule.Severity,
			Title:         rule.Title,
			Message:       rule.Title + " in src/file.txt:3: rotate it.",
			Location:      finding.Location{Path: "src/file.txt", StartLine: 3, StartColumn: 5, EndLine: 3, EndColumn: 25},
			SecretPreview: "abcd… (20 chars)",
			SecretSHA256:  hash,
			Fingerprint:   finding.Fingerprint(rule.ID, "src/file.txt", hash),
			Occurrences:   []finding.Occurrence{{Location: finding.Location{Path: "src/file.txt", StartLine: 3, StartColumn: 5, EndLine: 3, EndColumn: 25}}},
		})
	}
	return r
}

func TestCategory(t *testing.T) {
	for cat, want := range map[string]any{"": nil, "channelguard": "channelguard/", "/channelguard/": "channelguard/"} {
		var buf bytes.Buffer
		if err := WriteWith(&buf, &finding.Report{Tool: tool}, Options{Category: cat}); err != nil {
			t.Fatal(err)
		}
		_, raw := parse(t, buf.Bytes())
		run := raw["runs"].([]any)[0].(map[string]any)
		var got any
		if ad, ok := run["automationDetails"].(map[string]any); ok {
			got = ad["id"]
		}
		if got != want {
			t.Errorf("category %q: automationDetails.id = %v, want %v", cat, got, want)
		}
	}
}
