package differential

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/scanner"
)

// project is a repository configured for gitleaks only, and the values it
// holds (raw: only ever hashed in messages).
type project struct {
	repo   *gittest.Repo
	values map[string]string // name → value
}

// newProject commits, in three commits, secrets of gitleaks' default rules,
// of a rule the project adds, of a rule its config turns off, in a path
// one rule's allowlist skips and in a path every rule skips, and LINE
// credentials (which gitleaks has no rule for).
func newProject(t *testing.T, seed uint64) project {
	t.Helper()
	c := NewCorpus(seed)
	v := map[string]string{
		"aws": c.awsKey(), "aws2": c.awsKey(), "ghp": c.githubPAT(), "ghp2": c.githubPAT(), "ghp3": c.githubPAT(),
		"stripe": c.stripe(), "generic": c.genericValue(), "generic2": c.genericValue(),
		"internal": "INTKEY_" + c.pick(upper27, 24), "zebra": "ZEBRA-" + strings.ToUpper(c.pick(hexDigits, 16)),
		"lineSecret": c.channelSecret(), "notify": c.notifyToken(),
	}
	r := gittest.New(t)
	app := fmt.Sprintf(`AWS_ACCESS_KEY_ID = "%s"
GITHUB_TOKEN = "%s"
STRIPE_KEY = "%s"
api_key = "%s"
INTERNAL = "%s"
zebra = "%s"
LINE_CHANNEL_SECRET = "%s"
LINE_NOTIFY_TOKEN = "%s"
`, v["aws"], v["ghp"], v["stripe"], v["generic"], v["internal"], v["zebra"], v["lineSecret"], v["notify"])
	r.Commit("app", map[string]string{"app/config.py": app})
	r.Commit("fixtures and vendored code", map[string]string{
		"tests/fixtures/data.env": "api_key=" + v["generic2"] + "\nAWS_KEY=" + v["aws2"] + "\n",
		"vendor/lib.js":           "const token = \"" + v["ghp2"] + "\";\n",
	})
	app = strings.Replace(app, "AWS_ACCESS_KEY_ID = \""+v["aws"]+"\"\n", "", 1) + "GITHUB_TOKEN_2 = \"" + v["ghp3"] + "\"\n"
	r.Commit("rotate", map[string]string{"app/config.py": app})
	return project{repo: r, values: v}
}

// has: some finding of rule (or naming it in also_matched) is of value.
func has(fs []finding.Finding, rule, value string) bool {
	h := finding.SecretHash(value)
	for _, f := range fs {
		if f.SecretSHA256 == h && (rule == "" || f.RuleID == rule || slices.Contains(f.AlsoMatched, rule)) {
			return true
		}
	}
	return false
}

func glHas(gl []report.Finding, rule, value string) bool {
	for _, f := range gl {
		if f.Secret == value && (rule == "" || f.RuleID == rule) {
			return true
		}
	}
	return false
}

// againstGitleaks runs the gitleaks CLI (`gitleaks git`, in the repository,
// env set) and channelguard as `channelguard scan` does (the same
// environment) on the repository, and fails on any gitleaks finding
// channelguard does not report, and on any channelguard finding gitleaks
// did not report other than a LINE rule's (onlyLINEExtra). Every gitleaks
// fingerprint must be an occurrence's gitleaks_fingerprint in
// channelguard's report, except for a secret an allow marker silenced.
func againstGitleaks(t *testing.T, repo string, env map[string]string, onlyLINEExtra bool) ([]report.Finding, *scanner.Result) {
	t.Helper()
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		kv = append(kv, k+"="+env[k])
	}
	gl := runGitleaksCLI(t, repo, kv, "git", ".")
	res, set, err := ScanAsCLI(context.Background(), repo, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cmp := Compare(Input{Path: repo}, gl, res, set)
	for _, m := range cmp.Missing {
		t.Errorf("gitleaks finding not reported: %s: %s", m.Ref, m.Note)
	}
	for rule, n := range cmp.Extra {
		if onlyLINEExtra && !strings.HasPrefix(rule, "line-") {
			t.Errorf("%d channelguard findings of rule %s that gitleaks did not report", n, rule)
		}
	}
	fps := map[string]bool{}
	for _, f := range res.Report.Findings {
		for _, o := range f.Occurrences {
			fps[o.GitleaksFingerprint] = true
		}
	}
	allowed := map[[2]string]bool{} // file, secret hash: an allow marker silenced it
	for _, f := range res.AllowedFindings {
		for _, o := range f.Occurrences {
			allowed[[2]string{o.Path, f.SecretSHA256}] = true
		}
	}
	for _, g := range gl {
		if allowed[[2]string{g.File, finding.SecretHash(g.Secret)}] {
			continue
		}
		if !fps[g.Fingerprint] {
			t.Errorf("gitleaks fingerprint %s is no occurrence's gitleaks_fingerprint", g.Fingerprint)
		}
	}
	t.Logf("%s; %d occurrences dropped by .gitleaksignore", cmp.Summary(), res.IgnoredOccurrences)
	return gl, res
}

// TestGitleaksProject: a repository configured for gitleaks alone — a
// .gitleaks.toml that extends another file of the repository, which
// extends gitleaks' default rules, adds rules, turns one off, allowlists
// a path for one rule and a path for all, and a .gitleaksignore of
// fingerprints gitleaks itself reported — gives in channelguard what it
// gives in gitleaks (the gitleaks CLI, run on it), plus the LINE
// findings.
func TestGitleaksProject(t *testing.T) {
	p := newProject(t, 18)
	v := p.values
	p.repo.Commit("gitleaks config", map[string]string{
		".gitleaks.toml": `title = "project"

[extend]
path = "ci/base-gitleaks.toml"
disabledRules = ["stripe-access-token"]

[[rules]]
id = "internal-api-key"
description = "Internal API key"
regex = '''INTKEY_[A-Z0-9]{24}'''
keywords = ["intkey_"]

# adds an allowlist to gitleaks' default generic-api-key rule
[[rules]]
id = "generic-api-key"
[[rules.allowlists]]
description = "test fixtures"
paths = ['''^tests/fixtures/''']

[[allowlists]]
description = "vendored code"
paths = ['''^vendor/''']
`,
		"ci/base-gitleaks.toml": `[extend]
useDefault = true

[[rules]]
id = "zebra-key"
regex = '''ZEBRA-[0-9A-F]{16}'''
keywords = ["zebra-"]
`,
	})
	gl, res := againstGitleaks(t, p.repo.Dir, nil, true)
	fs := res.Report.Findings
	// what the config says, seen on both sides
	for _, c := range []struct {
		rule, value string
		want        bool
	}{
		{"aws-access-token", v["aws"], true},
		{"aws-access-token", v["aws2"], true},                        // the fixtures allowlist is generic-api-key's only
		{"generic-api-key", v["generic"], true},                      // the rule changed by the project still runs
		{"generic-api-key", v["generic2"], false},                    // …with the project's allowlist
		{"github-pat", v["ghp2"], false},                             // vendor/ is allowlisted for every rule
		{"internal-api-key", v["internal"], true},                    // the project's own rule
		{"zebra-key", v["zebra"], true},                              // a rule of the extended file
		{"stripe-access-token", v["stripe"], false},                  // disabled
		{"line-notify-token", v["notify"], true},                     // LINE rules are added
		{"line-channel-secret", v["lineSecret"], true},               //
		{"", v["lineSecret"] + "never", false},                       // (the check can fail)
		{"github-pat", v["ghp3"], true},                              //
		{"github-pat", v["ghp"], true},                               //
		{"generic-api-key", v["stripe"], glHas(gl, "", v["stripe"])}, // gitleaks' generic rule may take it, disabled stripe rule or not
	} {
		if got := has(fs, c.rule, c.value); got != c.want {
			t.Errorf("%s sha256:%s: reported %v, want %v", c.rule, finding.SecretHash(c.value), got, c.want)
		}
		if c.rule != "" && !strings.HasPrefix(c.rule, "line-") && glHas(gl, c.rule, c.value) != c.want {
			t.Errorf("the test's premise: gitleaks reports %s sha256:%s: %v", c.rule, finding.SecretHash(c.value), !c.want)
		}
	}

	// Now the project accepts some of gitleaks' findings in .gitleaksignore:
	// one by its commit fingerprint, one by its global one, and the
	// generic-api-key finding gitleaks made of the LINE channel secret.
	var lines []string
	var accepted []string
	for _, g := range gl {
		switch {
		case g.Secret == v["aws"]:
			lines = append(lines, g.Fingerprint)
			accepted = append(accepted, v["aws"])
		case g.Secret == v["ghp3"]:
			lines = append(lines, fmt.Sprintf("%s:%s:%d", g.File, g.RuleID, g.StartLine))
			accepted = append(accepted, v["ghp3"])
		case g.Secret == v["lineSecret"]:
			lines = append(lines, g.Fingerprint)
			accepted = append(accepted, v["lineSecret"])
		}
	}
	if len(accepted) < 2 {
		t.Fatalf("gitleaks reported %d of the findings to ignore", len(accepted))
	}
	p.repo.Commit("accept findings", map[string]string{".gitleaksignore": "# accepted after review\n\n" + strings.Join(lines, "\n") + "\n"})
	gl2, res2 := againstGitleaks(t, p.repo.Dir, nil, true)
	for _, a := range accepted {
		if glHas(gl2, "", a) {
			t.Errorf("the test's premise: gitleaks still reports sha256:%s", finding.SecretHash(a))
		}
		if has(res2.Report.Findings, "", a) {
			t.Errorf("sha256:%s is in .gitleaksignore but still reported", finding.SecretHash(a))
		}
	}
	if len(gl2) != len(gl)-len(accepted) || len(res2.Report.Findings) != len(fs)-len(accepted) || res2.Ignored != len(accepted) {
		t.Errorf("gitleaks %d → %d findings, channelguard %d → %d (%d ignored); want %d fewer each", len(gl), len(gl2), len(fs), len(res2.Report.Findings), res2.Ignored, len(accepted))
	}
}

// TestGitleaksConfigWithoutDefaults: a .gitleaks.toml without useDefault
// is its own rules alone, in gitleaks and in channelguard (plus the LINE
// rules); a config from GITLEAKS_CONFIG_TOML is read as the gitleaks CLI
// reads it.
func TestGitleaksConfigWithoutDefaults(t *testing.T) {
	p := newProject(t, 1818)
	p.repo.Commit("gitleaks config", map[string]string{".gitleaks.toml": `
[[rules]]
id = "internal-api-key"
regex = '''INTKEY_[A-Z0-9]{24}'''
keywords = ["intkey_"]
`})
	gl, res := againstGitleaks(t, p.repo.Dir, nil, true)
	if len(gl) != 1 || gl[0].RuleID != "internal-api-key" {
		t.Errorf("the test's premise: gitleaks reported %d findings", len(gl))
	}
	for _, f := range res.Report.Findings {
		if f.RuleID != "internal-api-key" && !strings.HasPrefix(f.RuleID, "line-") {
			t.Errorf("rule %s ran: the config has no default rules", f.RuleID)
		}
	}
	if !has(res.Report.Findings, "line-channel-secret", p.values["lineSecret"]) {
		t.Error("LINE rules not added")
	}

	env := map[string]string{"GITLEAKS_CONFIG_TOML": "[extend]\nuseDefault = true\ndisabledRules = [\"github-pat\"]\n"}
	q := newProject(t, 181818)
	gl, res = againstGitleaks(t, q.repo.Dir, env, true)
	if glHas(gl, "github-pat", q.values["ghp"]) || has(res.Report.Findings, "github-pat", q.values["ghp"]) || !has(res.Report.Findings, "aws-access-token", q.values["aws"]) {
		t.Error("GITLEAKS_CONFIG_TOML not applied alike")
	}
}

// TestGeneratedGitleaksProjects: generated repositories (see
// TestGeneratedCorpus) given a .gitleaks.toml — the default rules, the
// user rules of UserConfig, a path allowlist and a disabled rule — and
// then a .gitleaksignore of a random half of gitleaks' own fingerprints,
// in both forms. Every finding the gitleaks CLI reports is reported by
// channelguard, and no occurrence .gitleaksignore names is. A new seed
// each run (CHANNELGUARD_DIFF_SEED replays one); CHANNELGUARD_DIFF_SECONDS
// runs more rounds.
func TestGeneratedGitleaksProjects(t *testing.T) {
	seed, replay, budget := diffSeed(t)
	start := time.Now()
	for round := 0; round == 0 || replay == "" && time.Since(start) < budget/2; round++ {
		s := seed + uint64(round)
		g := generate(t, s)
		r := gittest.Open(t, g.repo)
		c := NewCorpus(s)
		r.Commit("gitleaks config", map[string]string{".gitleaks.toml": "[extend]\nuseDefault = true\ndisabledRules = [\"" +
			c.one("jwt", "github-pat", "stripe-access-token", "aws-access-token") + "\"]\n\n" + UserConfig +
			"\n[[allowlists]]\npaths = ['''^" + c.one("app", "config", "notebooks") + "/''']\n"})
		gl := runGitleaksCLI(t, g.repo, nil, "git", ".")
		var lines []string
		ignored := map[string]bool{}
		for _, f := range gl {
			if c.r.IntN(2) == 0 {
				continue
			}
			fp := f.Fingerprint
			if c.r.IntN(2) == 0 {
				fp = fmt.Sprintf("%s:%s:%d", f.File, f.RuleID, f.StartLine)
			}
			lines = append(lines, fp)
			ignored[fp] = true
		}
		r.Commit("accept", map[string]string{".gitleaksignore": strings.Join(lines, "\n") + "\n"})
		_, res := againstGitleaks(t, g.repo, nil, false)
		for _, f := range res.Report.Findings {
			for _, o := range f.Occurrences {
				global := o.GitleaksFingerprint
				if o.Commit != nil {
					global = strings.TrimPrefix(global, o.Commit.SHA+":")
				}
				if ignored[o.GitleaksFingerprint] || ignored[global] {
					t.Errorf("seed %d: occurrence %s is in .gitleaksignore but reported", s, o.GitleaksFingerprint)
				}
			}
		}
		if t.Failed() {
			t.Fatalf("seed %d failed (replay with CHANNELGUARD_DIFF_SEED=%d)", s, s)
		}
	}
}
