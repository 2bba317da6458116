// Package rules holds channelguard's detection rules and what it says about
// them: gitleaks' default rule set, extended by the LINE rules in line.toml,
// optionally extended again by a user's .channelguard.toml, plus the
// catalogue (severity, CWE, remediation) that reporters print.
//
// Rules are data: everything here is embedded with go:embed and parsed with
// gitleaks' own config code, so a LINE rule is a gitleaks rule.
package rules

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pelletier/go-toml/v2"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/wording"
)

var (
	//go:embed line.toml
	lineTOML string
	//go:embed allowlists.toml
	allowlistsTOML []byte
	//go:embed catalogue.toml
	catalogueTOML string
)

// Set is a loaded rule set: the gitleaks config the detector runs and the
// catalogue entry of every rule in it.
type Set struct {
	// Config is handed to gitleaks' detector as is.
	Config config.Config
	meta   map[string]finding.Rule
	cat    *catalogue
}

// Rule returns the catalogue entry of a rule id.
func (s *Set) Rule(id string) (finding.Rule, bool) {
	r, ok := s.meta[id]
	return r, ok
}

// Rules lists every active rule: LINE rules first, then the others by id.
func (s *Set) Rules() []finding.Rule {
	out := make([]finding.Rule, 0, len(s.meta))
	for _, r := range s.meta {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		li, lj := out[i].Origin == OriginLINE, out[j].Origin == OriginLINE
		if li != lj {
			return li
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Where a rule came from.
const (
	OriginLINE     = "line"
	OriginGitleaks = "gitleaks"
	OriginConfig   = "config"
	// OriginCapture: what API captures find beside secrets (role policy,
	// role comparison, coverage gaps).
	OriginCapture = "capture"
)

type catalogueEntry struct {
	Name        string `toml:"name"`
	Title       string `toml:"title"`
	Severity    string `toml:"severity"`
	CWE         int    `toml:"cwe"`
	Precision   string `toml:"precision"`
	HelpURI     string `toml:"help_uri"`
	Action      string `toml:"action"`
	Remediation string `toml:"remediation"`
}

type catalogue struct {
	Default catalogueEntry            `toml:"default"`
	Rules   map[string]catalogueEntry `toml:"rules"`
}

// builtinParts are what every rule set is made of, built once: compiling
// 220 regexes is the slowest part of start-up. def and line are gitleaks'
// default config and the LINE rules alone (never changed: a config is
// merged over copies of their rules); extra are the allowlists
// rules/allowlists.toml puts on gitleaks' rules; set is all three merged.
type builtinParts struct {
	set       *Set
	def, line config.Config
	extra     []targetedAllowlist
}

var builtins = sync.OnceValues(func() (*builtinParts, error) {
	b := &builtinParts{}
	var err error
	if b.def, err = translate("gitleaks default config", config.DefaultConfig); err != nil {
		return nil, err
	}
	if b.line, err = translate("rules/line.toml", lineTOML); err != nil {
		return nil, err
	}
	var cat catalogue
	if err := toml.Unmarshal([]byte(catalogueTOML), &cat); err != nil {
		return nil, fmt.Errorf("rules/catalogue.toml: %w", err)
	}
	s := &Set{Config: cloneConfig(b.def), meta: map[string]finding.Rule{}, cat: &cat}
	for id, r := range b.def.Rules {
		s.meta[id] = describe(r, OriginGitleaks, cat)
	}
	mergeRules(&s.Config, b.line)
	for id, r := range b.line.Rules {
		s.meta[id] = describe(r, OriginLINE, cat)
	}
	// allowlists.toml is in the format of a .channelguard.toml
	l := &layer{name: "rules/allowlists.toml", data: allowlistsTOML}
	if l.vc, err = viperConfig(l.name, string(allowlistsTOML)); err != nil {
		return nil, err
	}
	t, err := l.translate()
	if err != nil {
		return nil, err
	}
	b.extra = t.targeted
	for _, ta := range b.extra {
		for _, id := range ta.rules {
			r, ok := s.Config.Rules[id]
			if !ok {
				return nil, fmt.Errorf("rules/allowlists.toml: targetRules names unknown rule %q", id)
			}
			r.Allowlists = append(slices.Clip(r.Allowlists), ta.allowlists...)
			s.Config.Rules[id] = r
		}
	}
	b.set = s
	return b, nil
})

func builtin() (*Set, error) {
	b, err := builtins()
	if err != nil {
		return nil, err
	}
	return b.set, nil
}

// Specificity ranks rules that found the same value: a LINE rule knows the
// most (and carries the LINE remediation), a generic rule the least, which
// is gitleaks' own notion of a generic rule yielding to a specific one.
func Specificity(ruleID string) int {
	switch {
	case strings.HasPrefix(ruleID, "line-"):
		return 2
	case strings.Contains(strings.ToLower(ruleID), "generic"):
		return 0
	default:
		return 1
	}
}

// Builtin returns gitleaks' default rules plus the LINE rules.
func Builtin() (*Set, error) {
	s, err := builtin()
	if err != nil {
		return nil, err
	}
	return s.clone(), nil
}

// clone copies everything a user config may change, so the shared built-in
// set is never modified.
func (s *Set) clone() *Set {
	c := &Set{Config: cloneConfig(s.Config), meta: make(map[string]finding.Rule, len(s.meta)), cat: s.cat}
	for id, m := range s.meta {
		c.meta[id] = m
	}
	return c
}

// cloneConfig copies cfg's maps and clips its slices: appending to a copy
// never writes into cfg.
func cloneConfig(cfg config.Config) config.Config {
	c := cfg
	c.Rules = make(map[string]config.Rule, len(cfg.Rules))
	for id, r := range cfg.Rules {
		r.Allowlists = slices.Clip(r.Allowlists)
		r.Keywords = slices.Clip(r.Keywords)
		r.Tags = slices.Clip(r.Tags)
		c.Rules[id] = r
	}
	c.Keywords = make(map[string]struct{}, len(cfg.Keywords))
	for k := range cfg.Keywords {
		c.Keywords[k] = struct{}{}
	}
	c.OrderedRules = slices.Clone(cfg.OrderedRules)
	c.Allowlists = slices.Clip(cfg.Allowlists)
	return c
}

// translate parses gitleaks-format TOML with gitleaks' own code. gitleaks
// panics on an invalid regex (regexp.MustCompile); that becomes an error.
func translate(name, text string) (cfg config.Config, err error) {
	vc, err := viperConfig(name, text)
	if err != nil {
		return config.Config{}, err
	}
	return translateViper(name, vc)
}

func viperConfig(name, text string) (config.ViperConfig, error) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(text)); err != nil {
		return config.ViperConfig{}, fmt.Errorf("%s: %w", name, err)
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return config.ViperConfig{}, fmt.Errorf("%s: %w", name, err)
	}
	return vc, nil
}

func translateViper(name string, vc config.ViperConfig) (cfg config.Config, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: %v", name, wording.FirstLine(fmt.Sprint(p)))
		}
	}()
	cfg, err = vc.Translate()
	if err != nil {
		return config.Config{}, fmt.Errorf("%s: %w", name, err)
	}
	return cfg, nil
}

// mergeRules adds (or replaces) the rules of ext in cfg.
func mergeRules(cfg *config.Config, ext config.Config) {
	for _, id := range ext.OrderedRules {
		if _, exists := cfg.Rules[id]; !exists {
			cfg.OrderedRules = append(cfg.OrderedRules, id)
		}
		cfg.Rules[id] = ext.Rules[id]
	}
	for k := range ext.Keywords {
		cfg.Keywords[k] = struct{}{}
	}
	cfg.Allowlists = append(cfg.Allowlists, ext.Allowlists...)
}

// describe builds the catalogue entry of a rule: its own entry when the
// catalogue has one, the default otherwise, with the gitleaks description as
// the full description.
func describe(r config.Rule, origin string, cat catalogue) finding.Rule {
	e, ok := cat.Rules[r.RuleID]
	d := cat.Default
	pick := func(v, def string) string {
		if ok && v != "" {
			return v
		}
		return def
	}
	title := pick(e.Title, titleFromID(r.RuleID))
	sev, err := finding.ParseSeverity(pick(e.Severity, d.Severity))
	if err != nil {
		sev = finding.High
	}
	cwe := d.CWE
	if ok && e.CWE != 0 {
		cwe = e.CWE
	}
	action, remediation := d.Action, d.Remediation
	if ok && e.Remediation != "" {
		action, remediation = e.Action, e.Remediation
	}
	action = strings.TrimSpace(strings.ReplaceAll(action, "{title}", title))
	if action != "" {
		remediation = "**" + action + "** " + strings.TrimSpace(remediation)
	}
	remediation = strings.TrimSpace(strings.ReplaceAll(remediation, "{title}", title))
	summary := strings.TrimSpace(r.Description)
	if summary == "" {
		summary = title
	}
	if !strings.HasSuffix(summary, ".") {
		summary += "."
	}
	return finding.Rule{
		ID:          r.RuleID,
		Name:        pick(e.Name, nameFromID(r.RuleID)),
		Title:       title,
		Summary:     summary,
		Severity:    sev,
		CWE:         cwe,
		Precision:   pick(e.Precision, d.Precision),
		HelpURI:     pick(e.HelpURI, d.HelpURI),
		Action:      action,
		Remediation: remediation,
		Origin:      origin,
	}
}

// Words that read better in capitals in a title made from a rule id.
var acronyms = map[string]bool{
	"api": true, "aws": true, "gcp": true, "jwt": true, "pat": true, "ssh": true,
	"npm": true, "sql": true, "url": true, "id": true, "sdk": true, "ai": true,
	"pgp": true, "gpg": true, "ibm": true, "iam": true, "sas": true, "oauth": true,
	"pypi": true, "mcp": true, "cli": true, "dsn": true, "rsa": true, "scm": true,
	"line": true,
}

// titleFromID turns "aws-access-token" into "AWS access token".
func titleFromID(id string) string {
	words := strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' })
	for i, w := range words {
		switch {
		case acronyms[w]:
			words[i] = strings.ToUpper(w)
		case i == 0 && w != "":
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// nameFromID turns "aws-access-token" into "AwsAccessToken" (SARIF's name).
func nameFromID(id string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// Digest identifies the built-in rules: gitleaks' default config and the
// embedded LINE rules, allowlists and catalogue. Remembered scans made
// under other rules are not reused (a development build keeps its version
// string while its rules change).
func Digest() string {
	h := sha256.New()
	for _, part := range []string{config.DefaultConfig, lineTOML, string(allowlistsTOML), catalogueTOML} {
		fmt.Fprintf(h, "%d\n%s", len(part), part)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// DefaultSkippedPaths are the path regexes of gitleaks' default global
// allowlist, read from its text without compiling a rule: a history read
// started before the rules are (see history.StartEarly) omits them, and
// the scan checks its rule set skips each. nil when the text has none.
var DefaultSkippedPaths = sync.OnceValue(func() []string {
	var c struct {
		Allowlist struct {
			Paths     []string
			Condition string
		}
	}
	if err := toml.Unmarshal([]byte(config.DefaultConfig), &c); err != nil {
		return nil
	}
	if c.Allowlist.Condition != "" && !strings.EqualFold(c.Allowlist.Condition, "OR") {
		return nil // every condition must hold: not a list of skipped paths
	}
	return c.Allowlist.Paths
})
