package policy

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/channelguard/channelguard/internal/wording"
)

// file is the whole shape of a policy file; it is decoded strictly, so a
// misspelt key is an error with a line number.
type file struct {
	Roles  []fileRole `toml:"roles"`
	Rules  []fileRule `toml:"rules"`
	Policy struct {
		DisabledRules []string `toml:"disabled_rules"`
	} `toml:"policy"`

	name       string
	roleLines  []int // line of each [[roles]] header, if known
	ruleLines  []int // line of each [[rules]] header, if known
	policyLine int   // line of [policy], 0 if unknown
}

type fileRole struct {
	Name        string `toml:"name"`
	Rank        *int   `toml:"rank"`
	Description string `toml:"description"`
}

type fileRule struct {
	ID          string   `toml:"id"`
	Title       string   `toml:"title"`
	Description string   `toml:"description"`
	Severity    string   `toml:"severity"`
	MinRole     string   `toml:"min_role"`
	Method      string   `toml:"method"`
	Path        string   `toml:"path"`
	Fields      []string `toml:"fields"`
	Names       []string `toml:"names"`
	Words       []string `toml:"words"`
	ExceptNames []string `toml:"except_names"`
	Values      string   `toml:"values"`
	SecretRules []string `toml:"secret_rules"`
	Remediation string   `toml:"remediation"`
	HelpURI     string   `toml:"help_uri"`
}

// decode parses a policy file strictly. Errors are one line: "policy NAME:
// line N: problem".
func decode(name string, data []byte) (f *file, err error) {
	f = &file{name: name}
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, f.fail(0, "cannot parse: %v", r)
		}
	}()
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return nil, fmt.Errorf("policy %s: %s", name, describeTOMLError(err))
	}
	f.findLines(data)
	return f, nil
}

// findLines records where the [[roles]], [[rules]] and [policy] headers are,
// so that errors found after decoding can name a line.
func (f *file) findLines(data []byte) {
	var p unstable.Parser
	p.Reset(data)
	var roles, rules []int
	policy := 0
	for p.NextExpression() {
		e := p.Expression()
		if e.Kind != unstable.ArrayTable && e.Kind != unstable.Table {
			continue
		}
		var key []string
		line := 0
		for it := e.Key(); it.Next(); {
			n := it.Node()
			key = append(key, string(n.Data))
			if line == 0 && n.Raw.Length > 0 {
				line = p.Shape(n.Raw).Start.Line
			}
		}
		switch k := strings.Join(key, "."); {
		case e.Kind == unstable.ArrayTable && k == "roles":
			roles = append(roles, line)
		case e.Kind == unstable.ArrayTable && k == "rules":
			rules = append(rules, line)
		case e.Kind == unstable.Table && k == "policy":
			policy = line
		}
	}
	if p.Error() != nil {
		return
	}
	// Inline arrays (rules = [{...}]) have no headers: then no lines.
	if len(roles) == len(f.Roles) {
		f.roleLines = roles
	}
	if len(rules) == len(f.Rules) {
		f.ruleLines = rules
	}
	f.policyLine = policy
}

func (f *file) roleLine(i int) int {
	if i < len(f.roleLines) {
		return f.roleLines[i]
	}
	return 0
}

func (f *file) ruleLine(i int) int {
	if i < len(f.ruleLines) {
		return f.ruleLines[i]
	}
	return 0
}

// lineOfRole returns the line of the first of these roles defined in f, 0
// if none is.
func (f *file) lineOfRole(names ...string) int {
	for i := range f.Roles {
		for _, n := range names {
			if strings.EqualFold(strings.TrimSpace(f.Roles[i].Name), n) {
				return f.roleLine(i)
			}
		}
	}
	return 0
}

// lineOfRule returns the line of the rule with this id in f, 0 if the rule
// is not from f.
func (f *file) lineOfRule(id string) int {
	for i := range f.Rules {
		if strings.TrimSpace(f.Rules[i].ID) == id {
			return f.ruleLine(i)
		}
	}
	return 0
}

// fail formats an error naming the file and, when line > 0, the line.
func (f *file) fail(line int, format string, a ...any) error {
	msg := wording.OneLine(fmt.Sprintf(format, a...), 0)
	if line > 0 {
		return fmt.Errorf("policy %s: line %d: %s", f.name, line, msg)
	}
	return fmt.Errorf("policy %s: %s", f.name, msg)
}

// describeTOMLError turns go-toml's errors into "line N: problem".
func describeTOMLError(err error) string {
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		return fmt.Sprintf("line %d, column %d: %s", row, col, wording.OneLine(de.Error(), 0))
	}
	var se *toml.StrictMissingError
	if errors.As(err, &se) && len(se.Errors) > 0 {
		e := se.Errors[0]
		row, _ := e.Position()
		return fmt.Sprintf("line %d: unknown key %q", row, strings.Join(e.Key(), "."))
	}
	return wording.OneLine(err.Error(), 0)
}
