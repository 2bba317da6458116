// Package policy is the role policy for API-capture scanning: which JSON
// response fields a console role must not receive.
//
// A capture (HAR file) is made by one user role. For every response, Check
// returns the fields the policy reserves for higher roles, e.g. the channel
// secret that the LINE Developers console's API returned to "Member" users in
// 2017–2019 although the page hid it (OWASP API3:2023 Broken Object Property
// Level Authorization, CWE-213).
//
// The built-in policy (line-console.toml, embedded) describes the LINE
// Developers console; a user file given to Load extends or overrides it. See
// README.md for the file format.
package policy

import (
	"cmp"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/theory/jsonpath"
	"github.com/theory/jsonpath/spec"

	"github.com/channelguard/channelguard/internal/pathless"
	"github.com/channelguard/channelguard/internal/wording"
)

//go:embed line-console.toml
var builtinTOML []byte

// BuiltinName is the name the embedded policy file is reported under.
const BuiltinName = "built-in"

// Severity levels a rule may have.
const (
	SeverityCritical = "critical"
	SeverityHigh     = "high"
	SeverityMedium   = "medium"
	SeverityLow      = "low"
)

// Policy: roles by rank and the rules for fields a role must not receive.
type Policy struct {
	Roles  []Role // highest rank first
	Rules  []Rule // in file order, built-in first
	Source string // "built-in" or "built-in + FILE"
}

// Role is a console role. A higher Rank means more privilege.
type Role struct {
	Name        string
	Rank        int
	Description string
}

// Rule names fields that roles ranked below MinRole must not receive.
//
// The matching state is compiled by Parse, Load and Builtin; changing the
// exported fields of a parsed rule afterwards does not change what it
// matches. A Rule built by hand (without Parse) is compiled on each Check.
type Rule struct {
	ID          string   // e.g. "channel-secret"
	Title       string   // one line: "Channel secret sent to a role below admin"
	Description string   // a paragraph (what and why)
	Severity    string   // "critical"|"high"|"medium"|"low"; default "high"
	Method      string   // "" = any method; else e.g. "GET" (case-insensitive match)
	Path        string   // "" = any path; else a path pattern, alternatives separated by "|"
	Fields      []string // RFC 9535 JSONPath expressions, e.g. "$..channelSecret", "$.roles[*].email"
	Names       []string // field names matched at any depth, case- and separator-insensitive
	// Words are words or phrases ("secret", "private key"): a member at any
	// depth whose name ends in one of them ("webhook.secretToken",
	// "client_secret", "rsaPrivateKey") matches, unless LookAlikeName says
	// it only looks like a credential or ExceptNames names it. See words.go.
	Words       []string
	ExceptNames []string // names the Words never match, case- and separator-insensitive
	// Values is which values of the matched nodes are reported: ValuesAny
	// ("" too), ValuesString or ValuesSecret (SecretValue). With string or
	// secret, an array's elements are each checked and reported.
	Values string
	// SecretRules are secret-rule ids (e.g. "line-channel-secret"): a
	// response to a role below MinRole that holds a value one of them
	// detects breaks this rule whatever the field is called, JSON or not.
	// The capture scanner applies them; Check does not.
	SecretRules []string
	MinRole     string // roles ranked below this one must not receive these fields
	Remediation string // Markdown, rule-specific steps
	HelpURI     string

	c *compiled
}

// compiled is the immutable matching state of a rule; copies of a Rule share
// it.
type compiled struct {
	fields []field
	names  map[string]struct{}
	words  []phrase
	except map[string]struct{} // normalizeName of ExceptNames
	values string              // ValuesAny, ValuesString or ValuesSecret
	paths  [][]string          // alternatives, each a list of segment patterns; nil = any path
}

// field is a compiled JSONPath and the member names it cannot select
// anything without: for each of its segments made of name selectors only
// ($..channel, ['roles','members']), those names. A body that has no member
// of one of a segment's names anywhere gets nothing from the path, so the
// path is not run on it: most responses hold none of the names a policy
// looks for, and running a descendant query walks the whole body.
type field struct {
	path  *jsonpath.Path
	needs [][]string
}

func namesNeeded(jp *jsonpath.Path) [][]string {
	var needs [][]string
	for _, seg := range jp.Query().Segments() {
		var names []string
		for _, sel := range seg.Selectors() {
			n, ok := sel.(spec.Name)
			if !ok {
				names = nil
				break
			}
			names = append(names, string(n))
		}
		if len(names) > 0 {
			needs = append(needs, names)
		}
	}
	return needs
}

// possible reports whether f can select anything in a body whose member
// names (at any depth) are keys.
func (f field) possible(keys map[string]struct{}) bool {
	for _, names := range f.needs {
		if !slices.ContainsFunc(names, func(n string) bool { _, ok := keys[n]; return ok }) {
			return false
		}
	}
	return true
}

// accepts reports whether a matched value is reported under c.values.
func (c *compiled) accepts(v any) bool {
	switch c.values {
	case ValuesString:
		_, ok := v.(string)
		return ok
	case ValuesSecret:
		return SecretValue(v)
	}
	return true
}

// Violation is one field of a response body that the requesting role must
// not receive.
type Violation struct {
	Rule  *Rule
	Path  string // RFC 9535 normalized path of the node, e.g. "$['channel']['channelSecret']"
	Name  string // the member name (last key) of the node, "" for array elements
	Value any    // the value as decoded (string, json.Number, bool, map, slice)
}

var builtin = sync.OnceValues(func() (*Policy, error) {
	f, err := decode(BuiltinName, builtinTOML)
	if err != nil {
		return nil, err
	}
	p, err := merge(nil, f)
	if err != nil {
		return nil, err
	}
	p.Source = BuiltinName
	return p, nil
})

// Builtin returns the embedded LINE Developers console policy. The file is
// parsed once; every call returns a fresh copy that the caller may change.
func Builtin() (*Policy, error) {
	p, err := builtin()
	if err != nil {
		return nil, err
	}
	return p.clone(), nil
}

// Load returns the built-in policy merged with the policy file at path: a
// role with an existing name replaces its rank/description, a new role is
// added; a rule with an existing id replaces the built-in rule wholesale (in
// its place), a new id is appended; [policy] disabled_rules removes rules.
// An empty path returns the built-in policy.
func Load(path string) (p *Policy, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("policy %s: internal error: %v", path, r)
		}
	}()
	base, err := Builtin()
	if err != nil || path == "" {
		return base, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, pathless.Err(err))
	}
	f, err := decode(path, data)
	if err != nil {
		return nil, err
	}
	p, err = merge(base, f)
	if err != nil {
		return nil, err
	}
	p.Source = BuiltinName + " + " + path
	return p, nil
}

// Parse parses one policy file on its own (no built-in policy under it);
// name is used in errors and as Source.
func Parse(name string, data []byte) (p *Policy, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("policy %s: internal error: %v", name, r)
		}
	}()
	f, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	p, err = merge(nil, f)
	if err != nil {
		return nil, err
	}
	p.Source = name
	return p, nil
}

// Role returns the role called name, compared case-insensitively.
func (p *Policy) Role(name string) (Role, bool) {
	for _, r := range p.Roles {
		if strings.EqualFold(r.Name, name) {
			return r, true
		}
	}
	return Role{}, false
}

// RoleNames returns the role names, highest rank first.
func (p *Policy) RoleNames() []string {
	names := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		names[i] = r.Name
	}
	return names
}

// Rule returns the rule with the given id.
func (p *Policy) Rule(id string) (*Rule, bool) {
	for i := range p.Rules {
		if p.Rules[i].ID == id {
			return &p.Rules[i], true
		}
	}
	return nil, false
}

// rank returns the rank of role, or math.MinInt for an unknown role (which
// then ranks below every role: everything reserved is reported).
func (p *Policy) rank(role string) (int, bool) {
	if r, ok := p.Role(role); ok {
		return r.Rank, true
	}
	return math.MinInt, false
}

func (p *Policy) clone() *Policy {
	q := &Policy{Source: p.Source, Roles: slices.Clone(p.Roles), Rules: slices.Clone(p.Rules)}
	for i := range q.Rules {
		q.Rules[i].Fields = slices.Clone(q.Rules[i].Fields)
		q.Rules[i].Names = slices.Clone(q.Rules[i].Names)
		q.Rules[i].Words = slices.Clone(q.Rules[i].Words)
		q.Rules[i].ExceptNames = slices.Clone(q.Rules[i].ExceptNames)
		q.Rules[i].SecretRules = slices.Clone(q.Rules[i].SecretRules)
	}
	return q
}

// merge builds a policy from base (nil for none) and the decoded file f, and
// validates the result.
func merge(base *Policy, f *file) (*Policy, error) {
	fail := f.fail
	p := &Policy{}
	if base != nil {
		p = base.clone()
	}
	seenRole := map[string]bool{}
	for i, fr := range f.Roles {
		at := f.roleLine(i)
		name := strings.TrimSpace(fr.Name)
		if name == "" {
			return nil, fail(at, "[[roles]] entry %d has no name", i+1)
		}
		if strings.ContainsAny(name, " \t\r\n") {
			return nil, fail(at, "role %q: the name must not contain white space", name)
		}
		key := strings.ToLower(name)
		if seenRole[key] {
			return nil, fail(at, "role %q is defined twice", name)
		}
		seenRole[key] = true
		j := slices.IndexFunc(p.Roles, func(r Role) bool { return strings.EqualFold(r.Name, name) })
		if j < 0 {
			if fr.Rank == nil {
				return nil, fail(at, "role %q has no rank", name)
			}
			p.Roles = append(p.Roles, Role{Name: name, Rank: *fr.Rank, Description: fr.Description})
			continue
		}
		if fr.Rank != nil {
			p.Roles[j].Rank = *fr.Rank
		}
		if fr.Description != "" {
			p.Roles[j].Description = fr.Description
		}
	}
	// cmp.Compare, not b.Rank-a.Rank: that overflows for far-apart ranks.
	slices.SortStableFunc(p.Roles, func(a, b Role) int { return cmp.Compare(b.Rank, a.Rank) })
	for i := 1; i < len(p.Roles); i++ {
		if p.Roles[i].Rank == p.Roles[i-1].Rank {
			return nil, fail(f.lineOfRole(p.Roles[i-1].Name, p.Roles[i].Name), "roles %q and %q have the same rank %d; ranks must differ", p.Roles[i-1].Name, p.Roles[i].Name, p.Roles[i].Rank)
		}
	}

	seenRule := map[string]bool{}
	for i, fr := range f.Rules {
		at := f.ruleLine(i)
		r, err := fr.rule()
		if err != nil {
			return nil, fail(at, "%s", err)
		}
		if seenRule[r.ID] {
			return nil, fail(at, "rule %q is defined twice", r.ID)
		}
		seenRule[r.ID] = true
		if j := slices.IndexFunc(p.Rules, func(x Rule) bool { return x.ID == r.ID }); j >= 0 {
			p.Rules[j] = r
		} else {
			p.Rules = append(p.Rules, r)
		}
	}
	for _, id := range f.Policy.DisabledRules {
		j := slices.IndexFunc(p.Rules, func(x Rule) bool { return x.ID == id })
		if j < 0 {
			return nil, fail(f.policyLine, "[policy] disabled_rules names unknown rule %q", id)
		}
		p.Rules = slices.Delete(p.Rules, j, j+1)
	}
	// min_role is checked after the merge: a user rule may name a built-in
	// role, and a role may have been re-ranked.
	for i := range p.Rules {
		r := &p.Rules[i]
		role, ok := p.Role(r.MinRole)
		if !ok {
			return nil, fail(f.lineOfRule(r.ID), "rule %q: unknown min_role %q (roles: %s)", r.ID, r.MinRole, strings.Join(p.RoleNames(), ", "))
		}
		r.MinRole = role.Name
	}
	return p, nil
}

// rule validates and compiles one [[rules]] entry.
func (fr *fileRule) rule() (Rule, error) {
	r := Rule{
		ID:          strings.TrimSpace(fr.ID),
		Title:       strings.TrimSpace(fr.Title),
		Description: strings.TrimSpace(fr.Description),
		Severity:    strings.ToLower(strings.TrimSpace(fr.Severity)),
		Method:      strings.ToUpper(strings.TrimSpace(fr.Method)),
		Path:        strings.TrimSpace(fr.Path),
		Fields:      slices.Clone(fr.Fields),
		Names:       slices.Clone(fr.Names),
		Words:       slices.Clone(fr.Words),
		ExceptNames: slices.Clone(fr.ExceptNames),
		Values:      strings.ToLower(strings.TrimSpace(fr.Values)),
		SecretRules: slices.Clone(fr.SecretRules),
		MinRole:     strings.TrimSpace(fr.MinRole),
		Remediation: strings.TrimSpace(fr.Remediation),
		HelpURI:     strings.TrimSpace(fr.HelpURI),
	}
	if r.ID == "" {
		return r, errors.New("a [[rules]] entry has an empty id")
	}
	if strings.ContainsAny(r.ID, " \t\r\n") {
		return r, fmt.Errorf("rule %q: the id must not contain white space", r.ID)
	}
	switch r.Severity {
	case "":
		r.Severity = SeverityHigh
	case SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow:
	default:
		return r, fmt.Errorf("rule %q: bad severity %q (want critical, high, medium or low)", r.ID, fr.Severity)
	}
	if r.MinRole == "" {
		return r, fmt.Errorf("rule %q: min_role is missing", r.ID)
	}
	if r.Method == "*" {
		r.Method = ""
	}
	if strings.ContainsFunc(r.Method, func(c rune) bool { return !isTokenChar(c) }) {
		return r, fmt.Errorf("rule %q: bad method %q", r.ID, fr.Method)
	}
	if len(r.Fields) == 0 && len(r.Names) == 0 && len(r.Words) == 0 && len(r.SecretRules) == 0 {
		return r, fmt.Errorf("rule %q: has neither fields, names, words nor secret_rules", r.ID)
	}
	if len(r.ExceptNames) > 0 && len(r.Words) == 0 {
		return r, fmt.Errorf("rule %q: except_names only applies to words, and the rule has none", r.ID)
	}
	for _, id := range r.SecretRules {
		if strings.TrimSpace(id) == "" || strings.ContainsAny(id, " \t\r\n") {
			return r, fmt.Errorf("rule %q: bad secret_rules entry %q", r.ID, id)
		}
	}
	c, err := compile(&r)
	if err != nil {
		return r, fmt.Errorf("rule %q: %w", r.ID, err)
	}
	r.c = c
	return r, nil
}

func isTokenChar(c rune) bool {
	return c < 0x7f && c > ' ' && !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c)
}

// compile builds the matching state of r.
func compile(r *Rule) (c *compiled, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			c, err = nil, fmt.Errorf("cannot compile: %v", rec)
		}
	}()
	c = &compiled{names: map[string]struct{}{}, except: map[string]struct{}{}}
	switch c.values = r.Values; c.values {
	case "":
		c.values = ValuesAny
	case ValuesAny, ValuesString, ValuesSecret:
	default:
		return nil, fmt.Errorf("values = %q: want \"any\", \"string\" or \"secret\"", r.Values)
	}
	for _, expr := range r.Fields {
		jp, err := jsonpath.Parse(expr)
		if err != nil {
			return nil, fmt.Errorf("bad JSONPath %q: %s", expr, wording.OneLine(strings.TrimPrefix(err.Error(), "jsonpath: "), 0))
		}
		c.fields = append(c.fields, field{jp, namesNeeded(jp)})
	}
	for _, n := range r.Names {
		k := normalizeName(n)
		if k == "" {
			return nil, fmt.Errorf("empty name %q in names", n)
		}
		c.names[k] = struct{}{}
	}
	for _, w := range r.Words {
		p, err := compilePhrase(w)
		if err != nil {
			return nil, err
		}
		c.words = append(c.words, p)
	}
	for _, n := range r.ExceptNames {
		k := normalizeName(n)
		if k == "" {
			return nil, fmt.Errorf("empty name %q in except_names", n)
		}
		c.except[k] = struct{}{}
	}
	c.paths, err = compilePath(r.Path)
	if err != nil {
		return nil, err
	}
	return c, nil
}
