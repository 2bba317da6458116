package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pelletier/go-toml/v2"
	"github.com/zricethezav/gitleaks/v8/config"

	"github.com/channelguard/channelguard/internal/pathless"
)

// GitleaksConfigName is the config gitleaks reads from the top of what it
// scans when no other is given.
const GitleaksConfigName = ".gitleaks.toml"

// Environment variables gitleaks reads its config from (a file's path, a
// file's content), after --config and before PATH/.gitleaks.toml.
const (
	EnvGitleaksConfig     = "GITLEAKS_CONFIG"
	EnvGitleaksConfigTOML = "GITLEAKS_CONFIG_TOML"
)

// maxExtendDepth is gitleaks' own limit (config.maxExtendDepth): a config
// may extend one that extends another; the third file's [extend] is not
// followed.
const maxExtendDepth = 2

// Kind says what a config file's rules are added to.
type Kind int

const (
	// KindChannelguard is a .channelguard.toml: gitleaks' default rules
	// and the LINE rules are always its base, as if it said
	// [extend] useDefault = true.
	KindChannelguard Kind = iota
	// KindGitleaks is read as gitleaks reads it: gitleaks' default rules
	// only when [extend] useDefault = true says so (in it or in a file its
	// [extend] path names); otherwise its own rules alone. The LINE rules
	// are always added.
	KindGitleaks
)

// KindOf is how a config named path is read: a file whose name says
// gitleaks (.gitleaks.toml, gitleaks.toml, ci-gitleaks.toml) as gitleaks
// reads it, any other as a .channelguard.toml.
func KindOf(path string) Kind {
	if strings.Contains(strings.ToLower(filepath.Base(path)), "gitleaks") {
		return KindGitleaks
	}
	return KindChannelguard
}

// File is a config to load.
type File struct {
	// Name is how messages name it: its path, or GITLEAKS_CONFIG_TOML.
	Name string
	// Path is the file to read; when "", Data holds the config.
	Path string
	Data []byte
	Kind Kind
	// From says how it was chosen when that is not its name: "--config",
	// "GITLEAKS_CONFIG"; "" for a file found in the scanned directory.
	From string
	// Root, when set, confines [extend] path to files inside it: a config
	// that came with the scanned repository may not read other files of
	// the machine.
	Root string
	// NoExtendPath refuses [extend] path (a config read from a commit:
	// the file it names would come from the working tree).
	NoExtendPath bool
}

// Discover picks the config of a scan of path when --config (flag) is
// not given: the first of PATH/.channelguard.toml, the file
// GITLEAKS_CONFIG names, the config in GITLEAKS_CONFIG_TOML and
// PATH/.gitleaks.toml — gitleaks' own order (which has no
// .channelguard.toml) with channelguard's file first. PATH is the
// directory scanned, or the working directory when neither a path nor
// captures are given (see FindConfig). nil means the built-in rules.
// shadowed names a .gitleaks.toml that is not read because a config
// before it in that order was found.
func Discover(flag, path string, captures bool, getenv func(string) string) (f *File, shadowed string, err error) {
	if flag != "" {
		return &File{Name: flag, Path: flag, Kind: KindOf(flag), From: "--config"}, "", nil
	}
	dir, scanned := configDir(path, captures)
	gl := ""
	if scanned && isRegular(filepath.Join(dir, GitleaksConfigName)) {
		gl = filepath.Join(dir, GitleaksConfigName)
	}
	if p := FindConfig(path, captures); p != "" {
		return &File{Name: p, Path: p, Kind: KindChannelguard, Root: dir}, gl, nil
	}
	if env := getenv(EnvGitleaksConfig); env != "" {
		return &File{Name: env, Path: env, Kind: KindGitleaks, From: EnvGitleaksConfig}, gl, nil
	}
	if env := getenv(EnvGitleaksConfigTOML); env != "" {
		return &File{Name: EnvGitleaksConfigTOML, Data: []byte(env), Kind: KindGitleaks, From: EnvGitleaksConfigTOML}, gl, nil
	}
	if gl != "" {
		return &File{Name: gl, Path: gl, Kind: KindGitleaks, Root: dir}, "", nil
	}
	return nil, "", nil
}

// configDir is the directory a scan of path looks for its config in.
func configDir(path string, captures bool) (string, bool) {
	switch {
	case path != "":
		return path, true
	case !captures:
		return ".", true
	}
	return "", false
}

func isRegular(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

// Plan is a config read and checked, with every file its [extend] path
// names, and no regex compiled yet: what it says can be told, and it can
// be part of a cache key, before the rules are built.
type Plan struct {
	file File
	// layers[0] is the file itself; each extends the next.
	layers []*layer
	// Warnings are things gitleaks accepts silently or with a warning
	// (an unknown key, an [extend] too deep): one line each.
	Warnings []string
}

// layer is one file of an [extend] chain.
type layer struct {
	name string
	path string // "" for GITLEAKS_CONFIG_TOML
	data []byte
	uf   userFile
	vc   config.ViperConfig
	// extends says what the layer extends: gitleaks' default rules, the
	// next layer, or nothing (a third file's [extend] is not followed).
	useDefault bool
}

// Prepare reads f and every file its [extend] path chain names. Errors are
// one line and name the file.
func Prepare(f File) (plan *Plan, err error) {
	defer func() {
		if err != nil {
			err = oneLineError(err)
		}
	}()
	p := &Plan{file: f}
	data := f.Data
	if f.Path != "" {
		if data, err = os.ReadFile(f.Path); err != nil {
			return nil, fmt.Errorf("config %s: %w", f.Name, pathless.Err(err))
		}
	}
	top, err := p.parse(f.Name, f.Path, data, f.Kind == KindChannelguard)
	if err != nil {
		return nil, err
	}
	p.layers = append(p.layers, top)
	for depth := 0; ; depth++ {
		cur := p.layers[len(p.layers)-1]
		ext := cur.vc.Extend
		if ext.Path != "" && ext.UseDefault {
			return nil, fmt.Errorf("config %s: [extend] sets both path and useDefault (gitleaks refuses that too): extend one file, and let it extend the default rules", cur.name)
		}
		if ext.URL != "" {
			p.Warnings = append(p.Warnings, fmt.Sprintf("config %s: [extend] url is ignored (gitleaks v8 ignores it too)", cur.name))
		}
		if depth == maxExtendDepth {
			if ext.Path != "" || ext.UseDefault {
				p.Warnings = append(p.Warnings, fmt.Sprintf("config %s: its [extend] is not followed: gitleaks follows [extend] only %d files deep", cur.name, maxExtendDepth))
			}
			break
		}
		cur.useDefault = ext.UseDefault
		if ext.Path == "" {
			break
		}
		if f.NoExtendPath {
			return nil, fmt.Errorf("config %s: [extend] path is not supported in a config read from a commit (the file it names would come from the working tree)", cur.name)
		}
		next, err := p.resolve(cur, ext.Path)
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(next)
		if err != nil {
			return nil, fmt.Errorf("config %s: [extend] path %s: %w", cur.name, ext.Path, pathless.Err(err))
		}
		// A file reached by [extend] path is a gitleaks config whatever
		// its name: gitleaks reads it so.
		l, err := p.parse(next, next, data, false)
		if err != nil {
			return nil, err
		}
		p.layers = append(p.layers, l)
	}
	p.checkDisabled()
	return p, nil
}

// builtinIDs are the ids of gitleaks' default rules and of the LINE
// rules, read without compiling them.
var builtinIDs = sync.OnceValue(func() [2]map[string]bool {
	var out [2]map[string]bool
	for i, text := range []string{config.DefaultConfig, lineTOML} {
		out[i] = map[string]bool{}
		if vc, err := viperConfig("", text); err == nil {
			for _, r := range vc.Rules {
				out[i][r.ID] = true
			}
		}
	}
	return out
})

// checkDisabled warns of an [extend] disabledRules id that no rule has,
// as gitleaks warns.
func (p *Plan) checkDisabled() {
	ids := builtinIDs()
	known := maps.Clone(ids[1])
	if p.defaults() >= 0 {
		maps.Copy(known, ids[0])
	}
	for _, l := range p.layers {
		for _, r := range l.vc.Rules {
			known[r.ID] = true
		}
	}
	for _, l := range p.layers {
		for _, id := range l.vc.Extend.DisabledRules {
			if !known[id] {
				p.Warnings = append(p.Warnings, fmt.Sprintf("config %s: [extend] disabledRules names %q, which is no rule of the configs it extends (gitleaks warns too)", l.name, id))
			}
		}
	}
}

// parse decodes one file of the chain. A .channelguard.toml is decoded
// strictly (a typo in a key is an error); a gitleaks config as gitleaks
// does, which ignores keys it does not know: each is a warning.
func (p *Plan) parse(name, path string, data []byte, strict bool) (*layer, error) {
	l := &layer{name: name, path: path, data: data}
	if err := decodeUserFile(data, &l.uf); err != nil {
		var se *toml.StrictMissingError
		if strict || !errors.As(err, &se) {
			return nil, fmt.Errorf("config %s: %s", name, describeTOMLError(err))
		}
		for _, e := range se.Errors {
			row, _ := e.Position()
			p.Warnings = append(p.Warnings, fmt.Sprintf("config %s: line %d: unknown key %q is ignored (gitleaks ignores it too)", name, row, strings.Join(e.Key(), ".")))
		}
	}
	vc, err := viperConfig("config "+name, string(data))
	if err != nil {
		return nil, err
	}
	l.vc = vc
	return l, nil
}

// resolve finds the file an [extend] path names. gitleaks opens it
// relative to the working directory; when nothing is there, channelguard
// also looks beside the file that names it (gitleaks would fail). A config
// with a Root may only extend files inside it.
func (p *Plan) resolve(from *layer, target string) (string, error) {
	cands := []string{target}
	if !filepath.IsAbs(target) && from.path != "" {
		if beside := filepath.Join(filepath.Dir(from.path), target); beside != filepath.Clean(target) {
			cands = append(cands, beside)
		}
	}
	outside := ""
	for _, c := range cands {
		info, err := os.Stat(c)
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		if p.file.Root != "" && !inside(p.file.Root, c) {
			outside = c
			continue
		}
		return c, nil
	}
	if outside != "" {
		return "", fmt.Errorf("config %s: [extend] path %s is outside %s: a config found in the scanned directory may only extend files inside it (give the config with --config to allow it)", from.name, target, p.file.Root)
	}
	where := "in the working directory, as gitleaks looks"
	if len(cands) > 1 {
		where += ", or beside " + from.name
	}
	return "", fmt.Errorf("config %s: [extend] path %s: %w (looked %s)", from.name, target, fs.ErrNotExist, where)
}

// inside: path, symlinks resolved, is root or under it.
func inside(root, path string) bool {
	r, err1 := filepath.EvalSymlinks(root)
	p, err2 := filepath.EvalSymlinks(path)
	if err1 != nil || err2 != nil {
		return false
	}
	if r, err1 = filepath.Abs(r); err1 != nil {
		return false
	}
	if p, err2 = filepath.Abs(p); err2 != nil {
		return false
	}
	rel, err := filepath.Rel(r, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Name is the config's name, as messages give it.
func (p *Plan) Name() string { return p.file.Name }

// Kind is how the config is read.
func (p *Plan) Kind() Kind { return p.file.Kind }

// Files are the files the config was read from, the config's own first
// ("" for GITLEAKS_CONFIG_TOML).
func (p *Plan) Files() []string {
	var out []string
	for _, l := range p.layers {
		out = append(out, l.path)
	}
	return out
}

// defaults says which layer extends gitleaks' default rules: its index,
// len(layers) for a .channelguard.toml whose chain never says so (the
// default rules are its base anyway), -1 for none.
func (p *Plan) defaults() int {
	for i, l := range p.layers {
		if l.useDefault {
			return i
		}
	}
	if p.file.Kind == KindChannelguard {
		return len(p.layers)
	}
	return -1
}

// Summary says in a few words which config is used and what it means, for
// one line on stderr: "gitleaks config .gitleaks.toml (extends gitleaks'
// default rules; LINE rules added)".
func (p *Plan) Summary() string {
	var b strings.Builder
	if p.file.Kind == KindGitleaks {
		b.WriteString("gitleaks config ")
	} else {
		b.WriteString("config ")
	}
	switch p.file.From {
	case EnvGitleaksConfigTOML:
		b.WriteString("from " + EnvGitleaksConfigTOML)
	case "":
		b.WriteString(p.file.Name)
	default:
		b.WriteString(p.file.Name + " (from " + p.file.From + ")")
	}
	var chain []string
	for _, l := range p.layers[1:] {
		chain = append(chain, l.name)
	}
	d := p.defaults()
	switch {
	case d == len(p.layers) && len(chain) > 0:
		fmt.Fprintf(&b, " (extends %s, on gitleaks' default rules as a .channelguard.toml always is; LINE rules added)", strings.Join(chain, ", which extends "))
	case d == len(p.layers):
		b.WriteString(" (on gitleaks' default rules; LINE rules added)")
	case d >= 0 && len(chain) > 0:
		fmt.Fprintf(&b, " (extends %s, which extends gitleaks' default rules; LINE rules added)", strings.Join(chain, ", which extends "))
	case d >= 0:
		b.WriteString(" (extends gitleaks' default rules; LINE rules added)")
	case len(chain) > 0:
		fmt.Fprintf(&b, " (extends %s; without gitleaks' default rules, as gitleaks reads it; LINE rules added)", strings.Join(chain, ", which extends "))
	default:
		b.WriteString(" (its own rules only, without gitleaks' default rules, as gitleaks reads it; LINE rules added)")
	}
	return b.String()
}

// Digest identifies what the config says: the bytes of every file of the
// chain, and how it is read. A remembered scan made under another config
// is not reused.
func (p *Plan) Digest() string {
	h := sha256.New()
	fmt.Fprintf(h, "kind %d\n", p.file.Kind)
	for _, l := range p.layers {
		fmt.Fprintf(h, "%s\n%d\n%s", l.name, len(l.data), l.data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
