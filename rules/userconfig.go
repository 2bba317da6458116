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
	"github.com/channelguard/channelguard/internal/pathless"
	"github.com/channelguard/channelguard/internal/wording"
)

// DefaultConfigName is looked for in the scanned root when --config is not
// given.
const DefaultConfigName = ".channelguard.toml"

// userFile is the whole shape of a .channelguard.toml. The gitleaks parts
// are parsed by gitleaks; this struct exists so that a typo in a key is an
// error with a line number instead of a silently ignored setting.
type userFile struct {
	Title       string           `toml:"title"`
	Description string           `toml:"description"`
	MinVersion  string           `toml:"minVersion"`
	Extend      map[string]any   `toml:"extend"`
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

// Load returns the built-in rules extended by the channelguard config at
// path: extra gitleaks-format [[rules]] and [[allowlists]], and a
// [channelguard] table with disabled_rules and severity overrides. An empty
// path means the built-in rules alone. Errors name the file and, where the
// TOML parser knows it, the line.
func Load(path string) (*Set, error) {
	s, err := Builtin()
	if err != nil || path == "" {
		return s, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, pathless.Err(err))
	}
	if err := s.apply(path, data); err != nil {
		return nil, err
	}
	return s, nil
}

// LoadData is Load of a config's bytes, named as the user knows them (a
// file of a commit, say "1a2b3c4d:.channelguard.toml") in every error.
func LoadData(name string, data []byte) (*Set, error) {
	s, err := Builtin()
	if err != nil {
		return nil, err
	}
	if err := s.apply(name, data); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Set) apply(path string, data []byte) (err error) {
	defer func() {
		if err != nil {
			err = oneLineError(err)
		}
	}()
	fail := func(format string, a ...any) error {
		return fmt.Errorf("config %s: %s", path, fmt.Sprintf(format, a...))
	}
	var uf userFile
	if err := decodeUserFile(data, &uf); err != nil {
		return fail("%s", describeTOMLError(err))
	}
	if uf.Extend != nil {
		return fail("[extend] is not supported: channelguard always runs gitleaks' default rules and its LINE rules; turn rules off with [channelguard] disabled_rules")
	}

	vc, err := viperConfig(path, string(data))
	if err != nil {
		return err
	}
	// gitleaks resolves an allowlist's targetRules only against the rules of
	// the same file; here they may name built-in rules, so they are resolved
	// after the merge.
	if vc.AllowList != nil {
		vc.Allowlists = append(vc.Allowlists, vc.AllowList)
		vc.AllowList = nil
	}
	var global, targeted []int
	for i, a := range vc.Allowlists {
		if len(a.TargetRules) > 0 {
			targeted = append(targeted, i)
		} else {
			global = append(global, i)
		}
	}
	all := vc.Allowlists
	vc.Allowlists = nil
	for _, i := range global {
		vc.Allowlists = append(vc.Allowlists, all[i])
	}
	// Likewise a composite rule's [[rules.required]]: it may require a
	// built-in rule (a LINE rule, a gitleaks default one).
	own := map[string]bool{}
	for _, r := range vc.Rules {
		own[r.ID] = true
	}
	outside := map[string][]config.Required{} // rule id → required built-in rules
	for i := range vc.Rules {
		r := &vc.Rules[i]
		kept := r.Required[:0]
		for _, rr := range r.Required {
			if rr == nil || own[rr.ID] || rr.ID == "" {
				kept = append(kept, rr)
				continue
			}
			outside[r.ID] = append(outside[r.ID], config.Required{RuleID: rr.ID, WithinLines: rr.WithinLines, WithinColumns: rr.WithinColumns})
		}
		r.Required = kept
	}
	user, err := translateViper("config "+path, vc)
	if err != nil {
		return err
	}
	mergeRules(&s.Config, user)
	for _, id := range slices.Sorted(maps.Keys(outside)) {
		r := s.Config.Rules[id]
		for _, rr := range outside[id] {
			if _, ok := s.Config.Rules[rr.RuleID]; !ok {
				return fail("%s: [[rules.required]] names unknown rule %q (see `channelguard rules`)", id, rr.RuleID)
			}
			r.RequiredRules = append(r.RequiredRules, &rr)
		}
		s.Config.Rules[id] = r
	}
	for id, r := range user.Rules {
		if _, builtin := s.meta[id]; builtin {
			// A user rule that replaces a built-in one keeps its words.
			continue
		}
		s.meta[id] = describe(r, OriginConfig, *s.cat)
	}
	for _, i := range targeted {
		ids := all[i].TargetRules
		all[i].TargetRules = nil
		one := config.ViperConfig{}
		one.Allowlists = all[i : i+1]
		parsed, err := translateViper("config "+path, one)
		if err != nil {
			return err
		}
		for _, id := range ids {
			r, ok := s.Config.Rules[id]
			if !ok {
				return fail("[[allowlists]] targetRules names unknown rule %q", id)
			}
			r.Allowlists = append(r.Allowlists, parsed.Allowlists...)
			s.Config.Rules[id] = r
		}
	}

	for _, id := range uf.Channel.DisabledRules {
		if _, ok := s.Config.Rules[id]; !ok {
			return fail("disabled_rules names unknown rule %q (see `channelguard rules`)", id)
		}
		delete(s.Config.Rules, id)
		delete(s.meta, id)
	}
	for _, id := range slices.Sorted(maps.Keys(s.Config.Rules)) {
		for _, rr := range s.Config.Rules[id].RequiredRules {
			if _, ok := s.Config.Rules[rr.RuleID]; !ok {
				return fail("disabled_rules turns off %q, which rule %q requires", rr.RuleID, id)
			}
		}
	}
	if len(uf.Channel.DisabledRules) > 0 {
		kept := s.Config.OrderedRules[:0:0]
		for _, id := range s.Config.OrderedRules {
			if _, ok := s.Config.Rules[id]; ok {
				kept = append(kept, id)
			}
		}
		s.Config.OrderedRules = kept
	}
	ids := make([]string, 0, len(uf.Channel.Severity))
	for id := range uf.Channel.Severity {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		m, ok := s.meta[id]
		if !ok {
			return fail("[channelguard.severity] names unknown rule %q (see `channelguard rules`)", id)
		}
		sev, err := finding.ParseSeverity(uf.Channel.Severity[id])
		if err != nil {
			return fail("[channelguard.severity] %s: %v", id, err)
		}
		m.Severity = sev
		s.meta[id] = m
	}
	return nil
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
