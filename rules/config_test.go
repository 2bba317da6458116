package rules

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zricethezav/gitleaks/v8/regexp"
)

func write(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func loadFile(t *testing.T, f File) (*Set, *Plan) {
	t.Helper()
	p, err := Prepare(f)
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Load()
	if err != nil {
		t.Fatal(err)
	}
	return s, p
}

func re(r *regexp.Regexp) string {
	if r == nil {
		return ""
	}
	return r.String()
}

func ids(s *Set) []string {
	var out []string
	for id := range s.Config.Rules {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// An empty .channelguard.toml, one that says [extend] useDefault = true
// and the built-in rules are the same rule set: same rules, same
// allowlists, same keywords.
func TestChannelguardConfigIsTheBuiltinRules(t *testing.T) {
	b, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, text := range []string{"", "[extend]\nuseDefault = true\n"} {
		s, _ := loadFile(t, File{Name: "c.toml", Path: write(t, filepath.Join(dir, "c.toml"), text), Kind: KindChannelguard})
		if !slices.Equal(ids(s), ids(b)) || !slices.Equal(s.Config.OrderedRules, func() []string { o := slices.Clone(b.Config.OrderedRules); slices.Sort(o); return o }()) {
			t.Fatalf("%q: %d rules, built-in %d", text, len(s.Config.Rules), len(b.Config.Rules))
		}
		for id, r := range b.Config.Rules {
			got := s.Config.Rules[id]
			if len(got.Allowlists) != len(r.Allowlists) || !slices.Equal(got.Keywords, r.Keywords) || re(got.Regex) != re(r.Regex) {
				t.Errorf("%q: rule %s differs: %d allowlists (want %d), keywords %v (want %v)", text, id, len(got.Allowlists), len(r.Allowlists), got.Keywords, r.Keywords)
			}
			if m, _ := s.Rule(id); m.Origin != func() string { m, _ := b.Rule(id); return m.Origin }() {
				t.Errorf("%q: rule %s origin %s", text, id, m.Origin)
			}
		}
		if len(s.Config.Allowlists) != len(b.Config.Allowlists) || len(s.Config.Keywords) != len(b.Config.Keywords) {
			t.Errorf("%q: %d global allowlists, %d keywords; built-in %d, %d", text, len(s.Config.Allowlists), len(s.Config.Keywords), len(b.Config.Allowlists), len(b.Config.Keywords))
		}
	}
}

const customRule = `
[[rules]]
id = "internal-api-key"
description = "Internal API key"
regex = '''INTKEY_[A-Z0-9]{24}'''
keywords = ["intkey_"]
`

// A gitleaks config means what it means to gitleaks: without useDefault,
// its own rules alone (and the LINE rules); with it, the default rules
// too; a rule of a default rule's id adds to that rule (gitleaks merges,
// it does not replace).
func TestGitleaksConfigUseDefault(t *testing.T) {
	dir := t.TempDir()
	alone, p := loadFile(t, File{Name: "g", Path: write(t, filepath.Join(dir, GitleaksConfigName), customRule), Kind: KindGitleaks})
	if got := ids(alone); !slices.Equal(got, []string{"internal-api-key", "line-channel-access-token", "line-channel-secret", "line-notify-token"}) {
		t.Errorf("without useDefault: rules %v", got)
	}
	if !strings.Contains(p.Summary(), "without gitleaks' default rules") {
		t.Errorf("summary %q", p.Summary())
	}
	b, _ := Builtin()
	def := b.Config.Rules["generic-api-key"]
	text := "[extend]\nuseDefault = true\ndisabledRules = [\"aws-access-token\", \"no-such-rule\"]\n" + customRule + `
[[rules]]
id = "generic-api-key"
keywords = ["extra_kw"]
[[rules.allowlists]]
paths = ['''^fixtures/''']
`
	full, p := loadFile(t, File{Name: "g", Path: write(t, filepath.Join(dir, "g2", GitleaksConfigName), text), Kind: KindGitleaks})
	if _, ok := full.Config.Rules["aws-access-token"]; ok {
		t.Error("disabledRules did not turn off aws-access-token")
	}
	if len(full.Config.Rules) != len(b.Config.Rules) { // one disabled, one added
		t.Errorf("%d rules, want %d", len(full.Config.Rules), len(b.Config.Rules))
	}
	g := full.Config.Rules["generic-api-key"]
	if g.Regex.String() != def.Regex.String() || len(g.Allowlists) != len(def.Allowlists)+1 || !slices.Contains(g.Keywords, "extra_kw") || len(g.Keywords) != len(def.Keywords)+1 {
		t.Errorf("generic-api-key not merged as gitleaks merges: %d allowlists (default %d), keywords %v", len(g.Allowlists), len(def.Allowlists), g.Keywords)
	}
	if _, ok := full.Config.Keywords["extra_kw"]; !ok {
		t.Error("merged keyword not in the config's keywords")
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], `"no-such-rule"`) {
		t.Errorf("warnings %q, want one about no-such-rule", p.Warnings)
	}
	if !strings.Contains(p.Summary(), "(extends gitleaks' default rules; LINE rules added)") {
		t.Errorf("summary %q", p.Summary())
	}
	// the same file as a .channelguard.toml: the same rules
	cg, _ := loadFile(t, File{Name: "c", Path: write(t, filepath.Join(dir, "g3", DefaultConfigName), text), Kind: KindChannelguard})
	if !slices.Equal(ids(cg), ids(full)) || len(cg.Config.Rules["generic-api-key"].Allowlists) != len(g.Allowlists) {
		t.Error("a .gitleaks.toml copied to .channelguard.toml gives other rules")
	}
	// loading a plan twice changes nothing shared
	again, err := p.Load()
	if err != nil || len(again.Config.Rules["generic-api-key"].Allowlists) != len(g.Allowlists) {
		t.Errorf("second load: %v, %d allowlists", err, len(again.Config.Rules["generic-api-key"].Allowlists))
	}
	if b2, _ := Builtin(); len(b2.Config.Rules["generic-api-key"].Allowlists) != len(def.Allowlists) || len(b2.Config.Rules["generic-api-key"].Keywords) != len(def.Keywords) {
		t.Error("loading a config changed the built-in rules")
	}
}

// [extend] path: found where gitleaks looks (the working directory), or
// beside the file naming it; its rules, allowlists and useDefault count;
// targetRules may name any rule of the result; a chain stops where
// gitleaks stops.
func TestGitleaksConfigExtendPath(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "base", "base.toml"), "[extend]\nuseDefault = true\n"+customRule+`
[[allowlists]]
targetRules = ["line-channel-secret", "internal-api-key"]
paths = ['''^vendor/''']
`)
	top := write(t, filepath.Join(dir, GitleaksConfigName), `
[extend]
path = "base/base.toml"
disabledRules = ["generic-api-key"]

[allowlist]
paths = ['''^docs/''']
`)
	s, p := loadFile(t, File{Name: top, Path: top, Kind: KindGitleaks, Root: dir})
	if _, ok := s.Config.Rules["generic-api-key"]; ok {
		t.Error("generic-api-key not disabled")
	}
	for _, id := range []string{"internal-api-key", "aws-access-token", "line-channel-secret"} {
		if _, ok := s.Config.Rules[id]; !ok {
			t.Errorf("rule %s missing", id)
		}
	}
	b, _ := Builtin()
	if n, want := len(s.Config.Rules["line-channel-secret"].Allowlists), len(b.Config.Rules["line-channel-secret"].Allowlists)+1; n != want {
		t.Errorf("line-channel-secret: %d allowlists, want %d (targetRules)", n, want)
	}
	if len(s.Config.Allowlists) != len(b.Config.Allowlists)+1 {
		t.Errorf("%d global allowlists, want %d", len(s.Config.Allowlists), len(b.Config.Allowlists)+1)
	}
	if got := p.Summary(); !strings.Contains(got, "extends "+filepath.Join(dir, "base", "base.toml")+", which extends gitleaks' default rules") {
		t.Errorf("summary %q", got)
	}
	if f := p.Files(); len(f) != 2 || f[1] != filepath.Join(dir, "base", "base.toml") {
		t.Errorf("files %v", f)
	}
	d1 := p.Digest()
	write(t, filepath.Join(dir, "base", "base.toml"), "[extend]\nuseDefault = true\n")
	if p2, err := Prepare(File{Name: top, Path: top, Kind: KindGitleaks, Root: dir}); err != nil || p2.Digest() == d1 {
		t.Errorf("digest does not change with the extended file: %v", err)
	}

	// three files deep: the third one's [extend] is not followed
	write(t, filepath.Join(dir, "c.toml"), "[extend]\nuseDefault = true\n")
	write(t, filepath.Join(dir, "b.toml"), "[extend]\npath = \"c.toml\"\n")
	deep := write(t, filepath.Join(dir, "a-gitleaks.toml"), "[extend]\npath = \"b.toml\"\n"+customRule)
	s, p = loadFile(t, File{Name: deep, Path: deep, Kind: KindGitleaks})
	if _, ok := s.Config.Rules["aws-access-token"]; ok || len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "not followed") {
		t.Errorf("depth: default rules loaded %v, warnings %q", ok, p.Warnings)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	outside := write(t, filepath.Join(t.TempDir(), "other.toml"), customRule)
	repo := filepath.Join(dir, "repo")
	for name, tt := range map[string]struct {
		text string
		file File
		want string
	}{
		"both":         {"[extend]\nuseDefault = true\npath = \"x.toml\"\n", File{Kind: KindGitleaks}, "[extend] sets both path and useDefault"},
		"missing":      {"[extend]\npath = \"nowhere.toml\"\n", File{Kind: KindGitleaks}, "[extend] path nowhere.toml: file does not exist"},
		"outside":      {"[extend]\npath = \"" + outside + "\"\n", File{Kind: KindGitleaks, Root: repo}, "is outside"},
		"commit":       {"[extend]\npath = \"x.toml\"\n", File{Kind: KindChannelguard, NoExtendPath: true}, "not supported in a config read from a commit"},
		"typo":         {"[extend]\nuseDefaults = true\n", File{Kind: KindChannelguard}, `unknown key "extend.useDefaults"`},
		"empty rule":   {"[[rules]]\nid = \"mine\"\n", File{Kind: KindGitleaks}, "mine: both |regex| and |path| are empty"},
		"target":       {"[[allowlists]]\ntargetRules = [\"aws-access-token\"]\npaths = ['''x''']\n", File{Kind: KindGitleaks}, `targetRules names unknown rule "aws-access-token"`},
		"bad regex":    {"[extend]\nuseDefault = true\n[[rules]]\nid = \"x\"\nregex = '''(x'''\n", File{Kind: KindGitleaks}, "x"},
		"bad severity": {"[channelguard.severity]\n\"line-notify-token\" = \"severe\"\n", File{Kind: KindGitleaks}, "severe"},
	} {
		path := write(t, filepath.Join(repo, name, "cfg.toml"), tt.text)
		f := tt.file
		f.Name, f.Path = path, path
		_, err := LoadFile(f)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "config "+path) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line naming %s and %q", name, err, path, tt.want)
		}
	}
	// a gitleaks config's unknown key is a warning, as gitleaks ignores it
	path := write(t, filepath.Join(dir, "w.toml"), "[extend]\nuseDefault = true\nfoo = 1\n")
	p, err := Prepare(File{Name: path, Path: path, Kind: KindGitleaks})
	if err != nil || len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], `unknown key "extend.foo"`) {
		t.Errorf("unknown key in a gitleaks config: %v, warnings %q", err, p.Warnings)
	}
}

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	check := func(what string, flag string, wantName string, wantKind Kind, wantShadowed string) {
		t.Helper()
		f, shadowed, err := Discover(flag, dir, false, getenv)
		if err != nil {
			t.Fatal(err)
		}
		name := ""
		if f != nil {
			name = f.Name
		}
		if name != wantName || f != nil && f.Kind != wantKind || shadowed != wantShadowed {
			t.Errorf("%s: %+v shadowed %q; want %s kind %d shadowed %q", what, f, shadowed, wantName, wantKind, wantShadowed)
		}
	}
	check("nothing", "", "", 0, "")
	gl := write(t, filepath.Join(dir, GitleaksConfigName), customRule)
	check(".gitleaks.toml", "", gl, KindGitleaks, "")
	env[EnvGitleaksConfigTOML] = customRule
	check("GITLEAKS_CONFIG_TOML", "", EnvGitleaksConfigTOML, KindGitleaks, gl)
	env[EnvGitleaksConfig] = "/ci/gitleaks.toml"
	check("GITLEAKS_CONFIG", "", "/ci/gitleaks.toml", KindGitleaks, gl)
	cg := write(t, filepath.Join(dir, DefaultConfigName), "")
	check(".channelguard.toml", "", cg, KindChannelguard, gl)
	check("--config", "my-gitleaks.toml", "my-gitleaks.toml", KindGitleaks, "")
	check("--config", "ci.toml", "ci.toml", KindChannelguard, "")
}
