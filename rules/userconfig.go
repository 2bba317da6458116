package rules

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/pelletier/go-toml/v2"
	"github.com/zricethezav/gitleaks/v8/config"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/wording"
)

// DefaultConfigName is looked for in the scanned root when --config is not
// given.
const DefaultConfigName = ".channelguard.toml"

// userFile is the whole shape of a config file. The gitleaks parts are
// parsed by gitleaks; this struct exists so that a typo in a key is an
// error with a line number instead of a silently ignored setting (in a
// .channelguard.toml; a gitleaks config gets a warning, as gitleaks reads
// it without one).
type userFile struct {
	Title       string           `toml:"title"`
	Description string           `toml:"description"`
	MinVersion  string           `toml:"minVersion"`
	Extend      extendTable      `toml:"extend"`
	Rules       []map[string]any `toml:"rules"`
	Allowlist   map[string]any   `toml:"allowlist"`
	Allowlists  []map[string]any `toml:"allowlists"`
	Channel     struct {
		// DisabledRules are rule ids that are not run at all.
		DisabledRules []string `toml:"disabled_rules"`
		// Severity overrides a rule's severity: rule id → level.
		Severity map[string]string `toml:"severity"`
	} `toml:"channelguard"`
}

// extendTable is gitleaks' [extend] (config.Extend); what it means is
// read from gitleaks' own parse of it.
type extendTable struct {
	Path          string   `toml:"path"`
	URL           string   `toml:"url"`
	UseDefault    bool     `toml:"useDefault"`
	DisabledRules []string `toml:"disabledRules"`
}

// Load returns the rules a config file gives (see LoadFile); its name says
// how it is read (KindOf). An empty path means the built-in rules. Errors
// name the file and, where the TOML parser knows it, the line.
func Load(path string) (*Set, error) {
	if path == "" {
		return Builtin()
	}
	return LoadFile(File{Name: path, Path: path, Kind: KindOf(path)})
}

// LoadData is Load of a config's bytes, named as the user knows them (a
// file of a commit, say "1a2b3c4d:.channelguard.toml") in every error. Its
// [extend] may not name a file.
func LoadData(name string, data []byte) (*Set, error) {
	return LoadFile(File{Name: name, Data: data, Kind: KindOf(name), NoExtendPath: true})
}

// LoadFile reads f, and the files its [extend] path names, and builds its
// rules: gitleaks-format [[rules]] and allowlists merged as gitleaks merges
// an [extend], gitleaks' default rules beneath them when f's kind or its
// [extend] useDefault says so, the LINE rules always, and a [channelguard]
// table with disabled_rules and severity overrides.
func LoadFile(f File) (*Set, error) {
	p, err := Prepare(f)
	if err != nil {
		return nil, err
	}
	return p.Load()
}

// translated is one file's own rules, with what can only be resolved once
// the whole chain is merged: allowlists with targetRules, and required
// rules defined elsewhere (gitleaks resolves neither across files; here
// both may name any rule of the result, a LINE rule or a default one).
type translated struct {
	name     string
	cfg      config.Config
	targeted []targetedAllowlist
	required map[string][]config.Required // rule id → required rules it does not define
}

type targetedAllowlist struct {
	rules      []string
	allowlists []*config.Allowlist
}

// placeholderPath stands in for the path of a rule that has neither regex
// nor path while gitleaks translates the file alone: such a rule changes a
// rule of the config it extends (its allowlists, keywords), and gitleaks
// validates it only after the merge. Removed right after translation.
const placeholderPath = "^$"

// translate parses the layer's own rules with gitleaks' Translate, without
// its [extend]: gitleaks follows that through viper's global instance and
// a package counter it never resets, so a second config loaded in one
// process would silently lose its targeted allowlists. The chain is merged
// by extendConfig instead, which does what gitleaks' Config.extend does.
func (l *layer) translate() (translated, error) {
	out := translated{name: l.name, required: map[string][]config.Required{}}
	vc := l.vc
	vc.Extend = config.Extend{}
	vc.Rules = slices.Clone(vc.Rules)
	vc.Allowlists = slices.Clip(vc.Allowlists)
	if vc.AllowList != nil {
		vc.Allowlists = append(vc.Allowlists, vc.AllowList)
		vc.AllowList = nil
	}
	all := vc.Allowlists
	vc.Allowlists = nil
	for _, a := range all {
		if len(a.TargetRules) == 0 {
			vc.Allowlists = append(vc.Allowlists, a)
			continue
		}
		one := config.ViperConfig{}
		untargeted := *a
		untargeted.TargetRules = nil
		one.Allowlists = append(one.Allowlists, &untargeted)
		parsed, err := translateViper("config "+l.name, one)
		if err != nil {
			return out, err
		}
		out.targeted = append(out.targeted, targetedAllowlist{rules: a.TargetRules, allowlists: parsed.Allowlists})
	}
	own := map[string]bool{}
	for _, r := range vc.Rules {
		own[r.ID] = true
	}
	var placeholders []string
	for i := range vc.Rules {
		r := &vc.Rules[i]
		kept := r.Required[:0:0]
		for _, rr := range r.Required {
			if rr == nil || own[rr.ID] || rr.ID == "" {
				kept = append(kept, rr)
				continue
			}
			out.required[r.ID] = append(out.required[r.ID], config.Required{RuleID: rr.ID, WithinLines: rr.WithinLines, WithinColumns: rr.WithinColumns})
		}
		r.Required = kept
		if r.Regex == "" && r.Path == "" {
			r.Path = placeholderPath
			placeholders = append(placeholders, r.ID)
		}
	}
	cfg, err := translateViper("config "+l.name, vc)
	if err != nil {
		return out, err
	}
	for _, id := range placeholders {
		r := cfg.Rules[id]
		r.Path = nil
		cfg.Rules[id] = r
	}
	// a rule id given twice is one rule (the last), listed once
	seen := map[string]bool{}
	ordered := cfg.OrderedRules[:0:0]
	for _, id := range cfg.OrderedRules {
		if !seen[id] {
			seen[id] = true
			ordered = append(ordered, id)
		}
	}
	cfg.OrderedRules = ordered
	out.cfg = cfg
	return out, nil
}

// extendConfig merges ext beneath c as gitleaks' Config.extend (v8.30.1)
// does: a rule of ext that c lacks is added; one c also has keeps c's
// description, entropy, secret group, regex and path where c sets them,
// and gets c's tags, keywords and allowlists after its own; ext's global
// allowlists follow c's. Rules in disabled are left out. ext is not
// changed.
func extendConfig(c *config.Config, ext config.Config, disabled []string) {
	off := map[string]bool{}
	for _, id := range disabled {
		off[id] = true
	}
	for id, base := range ext.Rules {
		if off[id] {
			continue
		}
		base.Tags = slices.Clip(base.Tags)
		base.Keywords = slices.Clip(base.Keywords)
		base.Allowlists = slices.Clip(base.Allowlists)
		cur, ok := c.Rules[id]
		if !ok {
			c.Rules[id] = base
			for _, k := range base.Keywords {
				c.Keywords[k] = struct{}{}
			}
			c.OrderedRules = append(c.OrderedRules, id)
			continue
		}
		if cur.Description != "" {
			base.Description = cur.Description
		}
		if cur.Entropy != 0 {
			base.Entropy = cur.Entropy
		}
		if cur.SecretGroup != 0 {
			base.SecretGroup = cur.SecretGroup
		}
		if cur.Regex != nil {
			base.Regex = cur.Regex
		}
		if cur.Path != nil {
			base.Path = cur.Path
		}
		base.Tags = append(base.Tags, cur.Tags...)
		base.Keywords = append(base.Keywords, cur.Keywords...)
		base.Allowlists = append(base.Allowlists, cur.Allowlists...)
		for _, k := range base.Keywords {
			c.Keywords[k] = struct{}{}
		}
		c.Rules[id] = base
	}
	c.Allowlists = append(slices.Clip(c.Allowlists), ext.Allowlists...)
	sort.Strings(c.OrderedRules)
}

// Load builds the rules: each file of the chain merged over the one it
// extends (the deepest over gitleaks' default rules when it says
// useDefault, or, for a .channelguard.toml, the whole chain over them),
// then over the LINE rules, then what only the merged result can resolve,
// then the [channelguard] table.
func (p *Plan) Load() (set *Set, err error) {
	defer func() {
		if err != nil {
			err = oneLineError(err)
		}
	}()
	b, err := builtins()
	if err != nil {
		return nil, err
	}
	top := p.layers[0]
	fail := func(format string, a ...any) error {
		return fmt.Errorf("config %s: %s", top.name, fmt.Sprintf(format, a...))
	}
	d := p.defaults()
	var acc *config.Config
	var parts []translated
	for i := len(p.layers) - 1; i >= 0; i-- {
		l := p.layers[i]
		t, err := l.translate()
		if err != nil {
			return nil, err
		}
		switch {
		case acc != nil:
			extendConfig(&t.cfg, *acc, l.vc.Extend.DisabledRules)
		case i == d:
			extendConfig(&t.cfg, b.def, l.vc.Extend.DisabledRules)
		}
		parts = append(parts, t)
		acc = &t.cfg
	}
	cfg := *acc
	if d == len(p.layers) {
		extendConfig(&cfg, b.def, top.vc.Extend.DisabledRules)
	}
	// The LINE rules lie beneath everything: a file may change them
	// (a rule of the same id adds allowlists) or turn them off with its
	// [extend] disabledRules.
	extendConfig(&cfg, b.line, top.vc.Extend.DisabledRules)
	for _, t := range b.extra {
		for _, id := range t.rules {
			if r, ok := cfg.Rules[id]; ok {
				r.Allowlists = append(slices.Clip(r.Allowlists), t.allowlists...)
				cfg.Rules[id] = r
			}
		}
	}
	for _, t := range parts {
		for _, id := range slices.Sorted(maps.Keys(t.required)) {
			r, ok := cfg.Rules[id]
			if !ok {
				continue // turned off by the file that extends this one
			}
			for _, rr := range t.required[id] {
				if _, ok := cfg.Rules[rr.RuleID]; !ok {
					return nil, fmt.Errorf("config %s: %s: [[rules.required]] names unknown rule %q (see `channelguard rules`)", t.name, id, rr.RuleID)
				}
				r.RequiredRules = append(slices.Clip(r.RequiredRules), &rr)
			}
			cfg.Rules[id] = r
		}
		for _, ta := range t.targeted {
			for _, id := range ta.rules {
				r, ok := cfg.Rules[id]
				if !ok {
					return nil, fmt.Errorf("config %s: [[allowlists]] targetRules names unknown rule %q", t.name, id)
				}
				r.Allowlists = append(slices.Clip(r.Allowlists), ta.allowlists...)
				cfg.Rules[id] = r
			}
		}
	}
	// gitleaks validates rules once the chain is merged: a rule that only
	// adds allowlists to another must have found it.
	for _, id := range slices.Sorted(maps.Keys(cfg.Rules)) {
		r := cfg.Rules[id]
		if err := r.Validate(); err != nil {
			return nil, fail("%v", err)
		}
		cfg.Rules[id] = r
	}

	s := &Set{Config: cfg, meta: make(map[string]finding.Rule, len(cfg.Rules)), cat: b.set.cat}
	for id, r := range cfg.Rules {
		if m, ok := b.set.meta[id]; ok {
			// a rule that changes a built-in one keeps its words
			s.meta[id] = m
		} else {
			s.meta[id] = describe(r, OriginConfig, *b.set.cat)
		}
	}
	uf := top.uf
	for _, id := range uf.Channel.DisabledRules {
		if _, ok := s.Config.Rules[id]; !ok {
			return nil, fail("disabled_rules names unknown rule %q (see `channelguard rules`)", id)
		}
		delete(s.Config.Rules, id)
		delete(s.meta, id)
	}
	for _, id := range slices.Sorted(maps.Keys(s.Config.Rules)) {
		for _, rr := range s.Config.Rules[id].RequiredRules {
			if _, ok := s.Config.Rules[rr.RuleID]; !ok {
				return nil, fail("disabled_rules turns off %q, which rule %q requires", rr.RuleID, id)
			}
		}
	}
	kept := s.Config.OrderedRules[:0:0]
	for _, id := range s.Config.OrderedRules {
		if _, ok := s.Config.Rules[id]; ok {
			kept = append(kept, id)
		}
	}
	s.Config.OrderedRules = kept
	for _, id := range slices.Sorted(maps.Keys(uf.Channel.Severity)) {
		m, ok := s.meta[id]
		if !ok {
			return nil, fail("[channelguard.severity] names unknown rule %q (see `channelguard rules`)", id)
		}
		sev, err := finding.ParseSeverity(uf.Channel.Severity[id])
		if err != nil {
			return nil, fail("[channelguard.severity] %s: %v", id, err)
		}
		m.Severity = sev
		s.meta[id] = m
	}
	return s, nil
}

// decodeUserFile decodes data strictly into uf. go-toml v2.2.3 panics on an
// array of tables below a key that holds no table yet, e.g.
// [[rules.allowlists]] before any [[rules]] (pelletier/go-toml#839, #995):
// that becomes an error.
func decodeUserFile(data []byte, uf *userFile) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("unsupported table layout (%v): an array of tables such as [[rules.allowlists]] must follow the [[rules]] it belongs to", p)
		}
	}()
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(uf)
}

// lineError is an error whose text was made one line; it unwraps to the
// original.
type lineError struct {
	msg string
	err error
}

func (e *lineError) Error() string { return e.msg }
func (e *lineError) Unwrap() error { return e.err }

// oneLineError keeps err's message on one line: parser messages quote the
// offending input (a newline, a key or rule id from the file), so line
// breaks and other control characters are written as Go escapes.
func oneLineError(err error) error {
	msg := err.Error()
	if !strings.ContainsFunc(msg, isBreak) {
		return err
	}
	var b strings.Builder
	for _, r := range msg {
		if isBreak(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
	}
	return &lineError{msg: b.String(), err: err}
}

func isBreak(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }

// describeTOMLError turns go-toml's errors into "line N: problem".
func describeTOMLError(err error) string {
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		return fmt.Sprintf("line %d, column %d: %s", row, col, de.Error())
	}
	var se *toml.StrictMissingError
	if errors.As(err, &se) && len(se.Errors) > 0 {
		e := se.Errors[0]
		row, _ := e.Position()
		return fmt.Sprintf("line %d: unknown key %q", row, strings.Join(e.Key(), "."))
	}
	return wording.FirstLine(err.Error())
}

// FindConfig is the config a scan of path uses when none is given: the
// DefaultConfigName file at the top of path (a directory), or in the
// working directory for a scan of captures alone; "" for none.
func FindConfig(path string, captures bool) string {
	candidate := ""
	switch {
	case path != "":
		candidate = filepath.Join(path, DefaultConfigName)
	case !captures:
		candidate = DefaultConfigName
	}
	if info, err := os.Stat(candidate); candidate != "" && err == nil && info.Mode().IsRegular() {
		return candidate
	}
	return ""
}
