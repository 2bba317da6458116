package pathglob

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
	"github.com/zricethezav/gitleaks/v8/config"
)

// defaultPaths is gitleaks' own global path allowlist, from the default
// config this build embeds.
func defaultPaths(t *testing.T) []string {
	t.Helper()
	var c struct {
		Allowlist struct{ Paths []string }
	}
	if err := toml.Unmarshal([]byte(config.DefaultConfig), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Allowlist.Paths) == 0 {
		t.Fatal("gitleaks' default config has no global path allowlist")
	}
	return c.Allowlist.Paths
}

func TestPatterns(t *testing.T) {
	tests := []struct {
		expr       string
		ignoreCase bool
		want       []string // nil: not translated
	}{
		{`go\.(?:mod|sum)$`, false, []string{"*go.mod", "*go.sum"}},
		{`go\.(?:mod|sum)$`, true, nil}, // case-sensitive regex, case-blind git
		{`(?i)\.(?:png|jpe?g)$`, true, []string{"*.png", "*.jpg", "*.jpeg"}},
		{`(?:^|/)node_modules(?:/.*)?$`, false, []string{"**/node_modules", "**/node_modules/**"}},
		{`(?:^|/)vendor/(?:bundle|ruby)(?:/.*?)?$`, false, []string{"**/vendor/bundle", "**/vendor/bundle/**", "**/vendor/ruby", "**/vendor/ruby/**"}},
		{`^docs/secret\.md$`, false, []string{"/docs/secret.md"}},
		{`^third_party(?:/.*)?$`, false, []string{"/third_party", "/third_party/**"}},
		{`gitleaks\.toml`, false, []string{"*gitleaks.toml*", "**/*gitleaks.toml/**"}},
		{`fixtures/`, false, []string{"**/*fixtures/**"}},
		{`(?:^|/)\.git$`, false, []string{"**/.git"}},
		{`[ot]tf$`, false, []string{"*otf", "*ttf"}},
		// not of a shape translated here
		{`Database.refactorlog`, false, nil},
		{`(?:^|/)jquery[a-zA-Z0-9.-]*\.js$`, false, nil},
		{`(?:^|/)lib/python[23](?:\.\d{1,2})+`, false, nil},
		{`(?m)^a$`, false, nil},
		{`a b$`, false, nil},
		{`/leading$`, false, nil},
		{`(a|b$)`, false, nil},
		{`[^/]*\.key$`, false, nil},
		{`x(`, false, nil},
		{`x{`, false, []string{"*x{*", "**/*x{/**"}}, // a literal brace; git has no brace expansion
	}
	for _, tt := range tests {
		got := Patterns(tt.expr, tt.ignoreCase)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Patterns(%q, %v) = %q, want %q", tt.expr, tt.ignoreCase, got, tt.want)
		}
	}
}

// The default allowlist's heavy entries (vendored Go code, node_modules,
// lock files) must translate: they are what makes the difference.
func TestDefaultAllowlistTranslates(t *testing.T) {
	var all []string
	for _, p := range defaultPaths(t) {
		all = append(all, Patterns(p, false)...)
	}
	for _, want := range []string{"**/vendor/github.com/**", "**/vendor/golang.org/x/**", "**/node_modules/**", "**/package-lock.json", "**/yarn.lock", "*go.sum"} {
		if !slices.Contains(all, want) {
			t.Errorf("default allowlist gives no %q (got %q)", want, all)
		}
	}
}

// No pattern matches a path its regex does not: git itself (check-attr)
// says which paths the patterns unset diff for, on paths made from the
// regexes' own pieces, and each must match the regex.
func TestPatternsNeverMatchMore(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	exprs := append(defaultPaths(t),
		`^docs/secret\.md$`, `^third_party(?:/.*)?$`, `gitleaks\.toml`, `fixtures/`,
		`[ot]tf$`, `(?:^|/)a(?:b|c)?d(?:/.+)?$`, `x/y$`, `(?i)(?:^|/)Cache(?:/.*)?$`,
		`(?i)\.PEM$`, `(?:^|/)e$`, `^f`, `g\.h`)
	rng := rand.New(rand.NewPCG(1, uint64(len(exprs))))
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	for _, ignoreCase := range []bool{false, true} {
		for _, expr := range exprs {
			pats := Patterns(expr, ignoreCase)
			if len(pats) == 0 {
				continue
			}
			re := regexp.MustCompile(expr)
			attrs := filepath.Join(dir, "attributes")
			var b strings.Builder
			for _, p := range pats {
				b.WriteString(p + " -diff\n")
			}
			if err := os.WriteFile(attrs, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			paths := samplePaths(rng, expr, pats, 400)
			cmd := exec.Command("git", "-C", repo, "-c", "core.attributesFile="+attrs,
				"-c", fmt.Sprintf("core.ignorecase=%v", ignoreCase), "check-attr", "--stdin", "-z", "diff")
			cmd.Stdin = strings.NewReader(strings.Join(paths, "\x00") + "\x00")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("git check-attr: %v", err)
			}
			unset := 0
			for path, value := range checkAttr(out) {
				if value != "unset" {
					continue
				}
				unset++
				if !re.MatchString(path) {
					t.Errorf("%q (ignorecase %v): git matches %q to %q, the regex does not", expr, ignoreCase, path, pats)
				}
			}
			if unset == 0 {
				t.Errorf("%q (ignorecase %v): no sample path matched %q: the test checks nothing", expr, ignoreCase, pats)
			}
		}
	}
}

// checkAttr reads `git check-attr -z` output: path, attribute, value.
func checkAttr(out []byte) map[string]string {
	f := bytes.Split(bytes.TrimSuffix(out, []byte{0}), []byte{0})
	m := map[string]string{}
	for i := 0; i+2 < len(f); i += 3 {
		m[string(f[i])] = string(f[i+2])
	}
	return m
}

// samplePaths makes paths from the literal pieces of expr and of its
// patterns, varied in case,
// with directories and names around them, so that most come close to a
// match and many just miss it.
func samplePaths(rng *rand.Rand, expr string, pats []string, n int) []string {
	var pieces []string
	sc := bufio.NewScanner(strings.NewReader(regexp.MustCompile(`[^A-Za-z0-9._/-]+`).ReplaceAllString(strings.ReplaceAll(expr, `\.`, "."), "\n")))
	for sc.Scan() {
		if s := strings.Trim(sc.Text(), "|"); s != "" {
			pieces = append(pieces, s)
		}
	}
	for _, p := range pats {
		// the patterns' own words, so that many paths do match
		pieces = append(pieces, strings.Trim(strings.ReplaceAll(p, "*", ""), "/"))
	}
	pieces = append(pieces, "a", "x", "src", ".", "/", "-1.2", "lib", "64")
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		var b strings.Builder
		for k := 1 + rng.IntN(4); k > 0; k-- {
			p := pieces[rng.IntN(len(pieces))]
			switch rng.IntN(5) {
			case 0:
				p = strings.ToUpper(p)
			case 1:
				p = strings.ToLower(p)
			case 2:
				b.WriteString("/")
			}
			b.WriteString(p)
		}
		path := strings.Trim(filepath.Clean("/"+b.String()), "/")
		if path == "" || path == "." || seen[path] {
			continue
		}
		seen[path] = true
		out = append(out, path)
	}
	return out
}
