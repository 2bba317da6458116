// Package differential checks channelguard's promise against gitleaks
// itself: it runs gitleaks v8.30.1's own detector and source, untouched and
// as the gitleaks CLI configures them, and channelguard's scanner over the
// same repository or directory, and lists every gitleaks finding
// channelguard does not report.
//
// The comparison is at the level gitleaks reports: commit, file, rule,
// secret (by hash) and line. A gitleaks finding is covered when a
// channelguard finding for the same file and secret, under the same rule
// (or with that rule in also_matched, or a LINE rule where gitleaks used a
// generic one), lists an occurrence in the same commit on a line of the
// gitleaks match (channelguard points at the secret's own line, gitleaks at
// where its match starts; for a context rule those differ). The only misses
// that are not failures are the differences channelguard chooses on
// purpose (see Reason and the README's table).
//
// Raw secrets exist here only in memory, between gitleaks' finding and its
// hash: nothing this package returns or prints holds one.
package differential

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/cmd/scm"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/coverage"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/scanner"
	"github.com/channelguard/channelguard/scanner/gitleaksignore"
)

// Input is one thing to compare on.
type Input struct {
	// Path is a git repository (its whole history is compared) or, with
	// Dir, a directory (every file under it).
	Path string
	Dir  bool
	// Config is a channelguard config file (gitleaks-format rules and
	// allowlists, no [extend]); "" means the built-in rules. gitleaks gets
	// its default config extended by the same file.
	Config string
}

// Reason says why a gitleaks finding channelguard does not report is not
// a failure. Each is a difference the README's table documents.
type Reason = coverage.Reason

const (
	// AllowMarker: channelguard:allow or gitleaks:allow on any line that
	// holds a secret suppresses that secret in that file, history
	// included; gitleaks only drops the marked line's own finding.
	AllowMarker = coverage.AllowMarker
	// Allowlisted: an allowlist channelguard adds to gitleaks' default
	// rules (rules/allowlists.toml), e.g. LINE webhook reply tokens.
	Allowlisted = coverage.Allowlisted
)

// Ref is one gitleaks finding, hashed.
type Ref = coverage.Ref

// Miss is a gitleaks finding channelguard does not report.
type Miss struct {
	Ref
	// Note says what channelguard has nearby, without a secret.
	Note string
}

// Result is one comparison.
type Result struct {
	Input Input
	// Gitleaks counts gitleaks' findings; Channelguard channelguard's
	// findings (one per rule, file and secret) and Occurrences theirs.
	Gitleaks, Channelguard, Occurrences int
	Covered                             int
	// Explained counts the misses each chosen difference accounts for.
	Explained map[Reason]int
	// Missing are the misses nothing explains: each one is a failure.
	Missing []Miss
	// Extra counts channelguard findings whose rule, file and secret
	// gitleaks never reported, by rule (LINE rules are expected here).
	Extra map[string]int
	// Report is channelguard's report (previews and hashes only).
	Report *finding.Report
}

// OK is true when every gitleaks finding is covered or explained.
func (r *Result) OK() bool { return len(r.Missing) == 0 }

// Summary is one line: the counts, never a secret.
func (r *Result) Summary() string {
	var expl []string
	for _, k := range slices.Sorted(maps.Keys(r.Explained)) {
		expl = append(expl, fmt.Sprintf("%d %s", r.Explained[k], k))
	}
	extra := 0
	for _, n := range r.Extra {
		extra += n
	}
	s := fmt.Sprintf("%s: gitleaks %d findings; channelguard %d findings (%d occurrences); covered %d, missing %d",
		r.Input.Path, r.Gitleaks, r.Channelguard, r.Occurrences, r.Covered, len(r.Missing))
	if len(expl) > 0 {
		s += "; explained: " + strings.Join(expl, ", ")
	}
	return s + fmt.Sprintf("; channelguard-only findings %d", extra)
}

// Run compares gitleaks and channelguard on in.
func Run(ctx context.Context, in Input) (*Result, error) {
	glFindings, err := Gitleaks(ctx, in)
	if err != nil {
		return nil, err
	}
	load := func() (*rules.Set, error) { return rules.Load(in.Config) }
	res, err := scanner.Scan(ctx, scanner.Options{Path: in.Path, LoadRules: load})
	if err != nil {
		return nil, fmt.Errorf("channelguard on %s: %w", in.Path, err)
	}
	set, err := load()
	if err != nil {
		return nil, err
	}
	return compare(in, glFindings, res, addedAllowlists(set)), nil
}

// viperMu guards gitleaks' config loading: [extend] reads the default
// config through viper's global instance, and counts its depth in a
// package variable it never resets, so a second load in one process
// would silently skip the default rules. Each config text is loaded once.
var (
	viperMu sync.Mutex
	loaded  = map[string]config.Config{}
)

// gitleaksConfig is gitleaks' default config, extended by the user file
// when there is one, loaded the way the gitleaks CLI loads it.
func gitleaksConfig(userConfig string) (config.Config, error) {
	text := config.DefaultConfig
	if userConfig != "" {
		data, err := os.ReadFile(userConfig)
		if err != nil {
			return config.Config{}, err
		}
		text = "[extend]\nuseDefault = true\n\n" + string(data)
	}
	viperMu.Lock()
	defer viperMu.Unlock()
	if cfg, ok := loaded[text]; ok {
		return cfg, nil
	}
	cfg, err := translateGitleaks(text)
	if err != nil {
		return config.Config{}, err
	}
	loaded[text] = cfg
	return cfg, nil
}

func translateGitleaks(text string) (config.Config, error) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(text)); err != nil {
		return config.Config{}, fmt.Errorf("gitleaks config: %w", err)
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return config.Config{}, fmt.Errorf("gitleaks config: %w", err)
	}
	return vc.Translate()
}

var quiet sync.Once

// Gitleaks runs gitleaks' unmodified detector over in as `gitleaks git`
// (or `gitleaks dir`) would with its default flags. The findings hold raw
// secrets: callers hash them and drop them.
func Gitleaks(ctx context.Context, in Input) ([]report.Finding, error) {
	// gitleaks logs raw secrets at debug level.
	quiet.Do(func() { logging.Logger = zerolog.Nop() })
	cfg, err := gitleaksConfig(in.Config)
	if err != nil {
		return nil, err
	}
	d := detect.NewDetectorContext(ctx, cfg)
	d.MaxDecodeDepth = 5 // the CLI's defaults
	d.MaxArchiveDepth = 0
	var src sources.Source
	if in.Dir {
		src = &sources.Files{Path: in.Path, Config: &d.Config, Sema: d.Sema, MaxArchiveDepth: d.MaxArchiveDepth}
	} else {
		cmd, err := sources.NewGitLogCmdContext(ctx, in.Path, "")
		if err != nil {
			return nil, fmt.Errorf("gitleaks on %s: %w", in.Path, err)
		}
		// no platform: findings carry no link (as `gitleaks git --platform none`)
		remote := &sources.RemoteInfo{Platform: scm.NoPlatform}
		src = &sources.Git{Cmd: cmd, Config: &d.Config, Remote: remote, Sema: d.Sema, MaxArchiveDepth: d.MaxArchiveDepth}
	}
	found, err := d.DetectSource(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("gitleaks on %s: %w", in.Path, err)
	}
	if in.Dir {
		// gitleaks names files by the path it walked; channelguard by the
		// path under the directory.
		for i := range found {
			if rel, err := filepath.Rel(in.Path, found[i].File); err == nil {
				found[i].File = filepath.ToSlash(rel)
			}
		}
	}
	return found, nil
}

// addedAllowlists are the allowlists channelguard's rule set puts on a
// rule beyond those gitleaks' default config gives it.
func addedAllowlists(set *rules.Set) map[string][]*config.Allowlist {
	def, err := gitleaksConfig("")
	if err != nil {
		return nil
	}
	out := map[string][]*config.Allowlist{}
	for id, r := range set.Config.Rules {
		d, ok := def.Rules[id]
		if !ok || len(r.Allowlists) <= len(d.Allowlists) {
			continue
		}
		out[id] = r.Allowlists[len(d.Allowlists):]
	}
	return out
}

// AddedAllowlists are the allowlists channelguard's rule set (built-in,
// or extended by the config file userConfig) puts on a rule beyond those
// gitleaks' default config gives it, by rule id.
func AddedAllowlists(userConfig string) (map[string][]*config.Allowlist, error) {
	set, err := rules.Load(userConfig)
	if err != nil {
		return nil, err
	}
	return addedAllowlists(set), nil
}

// key is a secret in a file.
type key struct{ file, hash string }

func compare(in Input, gl []report.Finding, res *scanner.Result, added map[string][]*config.Allowlist) *Result {
	rep := res.Report
	out := &Result{Input: in, Gitleaks: len(gl), Explained: map[Reason]int{}, Extra: map[string]int{}, Report: rep}
	byKey := map[key][]*finding.Finding{}
	for i := range rep.Findings {
		f := &rep.Findings[i]
		byKey[key{f.Location.Path, f.SecretSHA256}] = append(byKey[key{f.Location.Path, f.SecretSHA256}], f)
		for _, o := range f.Occurrences {
			if o.Path != f.Location.Path {
				byKey[key{o.Path, f.SecretSHA256}] = append(byKey[key{o.Path, f.SecretSHA256}], f)
			}
		}
		out.Occurrences += len(f.Occurrences)
	}
	out.Channelguard = len(rep.Findings)
	allowed := map[key][]*finding.Finding{}
	for i := range res.AllowedFindings {
		f := &res.AllowedFindings[i]
		allowed[key{f.Location.Path, f.SecretSHA256}] = append(allowed[key{f.Location.Path, f.SecretSHA256}], f)
		for _, o := range f.Occurrences {
			// a file the secret was in before it moved (a rename)
			if o.Path != f.Location.Path {
				allowed[key{o.Path, f.SecretSHA256}] = append(allowed[key{o.Path, f.SecretSHA256}], f)
			}
		}
	}
	reported := map[[3]string]bool{} // rule, file, hash gitleaks reported
	for _, g := range gl {
		ref := coverage.NewRef(g.RuleID, g.File, g.Commit, g.Secret, g.StartLine, g.EndLine)
		reported[[3]string{ref.Rule, ref.File, ref.Hash}] = true
		cands := byKey[key{ref.File, ref.Hash}]
		if covers(cands, ref) {
			out.Covered++
			continue
		}
		if len(filterRule(allowed[key{ref.File, ref.Hash}], ref.Rule)) > 0 {
			out.Explained[AllowMarker]++
			continue
		}
		if coverage.AllowedBy(added[g.RuleID], coverage.Found{File: g.File, Secret: g.Secret, Match: g.Match, Line: g.Line, LineKnown: true}) {
			out.Explained[Allowlisted]++
			continue
		}
		out.Missing = append(out.Missing, Miss{Ref: ref, Note: explain(cands, ref)})
	}
	for _, f := range rep.Findings {
		rs := append([]string{f.RuleID}, f.AlsoMatched...)
		seen := false
		for _, r := range rs {
			seen = seen || reported[[3]string{r, f.Location.Path, f.SecretSHA256}]
		}
		for _, o := range f.Occurrences {
			for _, r := range rs {
				seen = seen || reported[[3]string{r, o.Path, f.SecretSHA256}]
			}
		}
		if !seen {
			out.Extra[f.RuleID]++
		}
	}
	sort.Slice(out.Missing, func(i, j int) bool { return out.Missing[i].String() < out.Missing[j].String() })
	return out
}

func filterRule(fs []*finding.Finding, rule string) []*finding.Finding {
	var out []*finding.Finding
	for _, f := range fs {
		if coverage.RuleHow(f, rule) != coverage.None {
			out = append(out, f)
		}
	}
	return out
}

func covers(cands []*finding.Finding, ref Ref) bool {
	how, _ := coverage.Best(cands, ref)
	return how != coverage.None
}

// explain says what channelguard has for a missed finding's secret in its
// file: rules, commits and lines, never the value.
func explain(cands []*finding.Finding, ref Ref) string {
	if len(cands) == 0 {
		return "channelguard has no finding of this secret in this file"
	}
	same := filterRule(cands, ref.Rule)
	if len(same) == 0 {
		var rs []string
		for _, f := range cands {
			rs = append(rs, f.RuleID)
		}
		return "reported under other rule(s) only: " + strings.Join(rs, ",")
	}
	var lines []string
	for _, f := range same {
		for _, o := range f.Occurrences {
			if coverage.SameCommit(o.Commit, ref.Commit) {
				lines = append(lines, fmt.Sprint(o.StartLine))
			}
		}
	}
	if len(lines) > 0 {
		return "in this commit on other line(s): " + strings.Join(lines, ",")
	}
	return "reported, but not in this commit"
}

// ScanAsCLI scans path as `channelguard scan PATH` does without flags: with
// the config rules.Discover finds there (a .channelguard.toml, a gitleaks
// config from getenv, a .gitleaks.toml) and PATH/.gitleaksignore. It
// returns the result and the rules it ran.
func ScanAsCLI(ctx context.Context, path string, getenv func(string) string) (*scanner.Result, *rules.Set, error) {
	f, _, err := rules.Discover("", path, false, getenv)
	if err != nil {
		return nil, nil, err
	}
	var set *rules.Set
	if f != nil {
		set, err = rules.LoadFile(*f)
	} else {
		set, err = rules.Builtin()
	}
	if err != nil {
		return nil, nil, err
	}
	files, err := gitleaksignore.Find(path, "")
	if err != nil {
		return nil, nil, err
	}
	ignore, err := gitleaksignore.Load(files...)
	if err != nil {
		return nil, nil, err
	}
	res, err := scanner.Scan(ctx, scanner.Options{Path: path, Rules: set, GitleaksIgnore: ignore})
	if err != nil {
		return nil, nil, fmt.Errorf("channelguard on %s: %w", path, err)
	}
	return res, set, nil
}

// Compare lists the findings of gitleaks (gl, from any run of it on
// in.Path) that channelguard's result does not cover, as Run does.
func Compare(in Input, gl []report.Finding, res *scanner.Result, set *rules.Set) *Result {
	return compare(in, gl, res, addedAllowlists(set))
}
