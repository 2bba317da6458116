package policy

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/internal/fuzzcorpus"
	"github.com/theory/jsonpath"
	"github.com/theory/jsonpath/spec"
)

func FuzzParse(f *testing.F) {
	fuzzcorpus.Add(f, "policy") // testdata/fuzz/policy/FuzzParse/
	f.Add(builtinTOML)
	f.Add([]byte(""))
	f.Add([]byte("[[roles]]\nname = \"a\"\nrank = 2\n[[roles]]\nname = \"b\"\nrank = 1\n[[rules]]\nid = \"x\"\nmin_role = \"a\"\nfields = [\"$..s\", \"$.l[*].email\"]\nnames = [\"tok_en\"]\npath = \"/api/**|**/channel*/{id}\"\nmethod = \"GET\"\n"))
	f.Add([]byte("[[rules]]\nid = \"x\"\nmin_role = \"a\"\nfields = [\"$[?search(@, 'a.*b')]\", \"$..[?length(@) > 2]\"]\n[[roles]]\nname = \"a\"\nrank = 1\n"))
	f.Add([]byte("[policy]\ndisabled_rules = [\"x\"]\n"))
	f.Add([]byte("[[roles]]\nname = \"a\"\nrank = 2\n[[rules]]\nid = \"w\"\nmin_role = \"a\"\nwords = [\"secret\", \"private key\", \"API_KEY\"]\nexcept_names = [\"demoSecret\"]\nvalues = \"secret\"\n"))
	f.Add([]byte("roles = [{name = \"a\", rank = 1}]\nrules = [{id = \"r\", min_role = \"a\", names = [\"x\"]}]\n"))
	f.Add([]byte("[[rules]]\nid = \"x\"\nseverity = \"LOW\"\nmin_role = \"a\"\nnames = [\"s\"]\npath = \"/a/[b\"\n"))
	body := map[string]any{
		"s": "v", "l": []any{map[string]any{"email": "a@b.c", "tok-en": json.Number("1")}},
		"channel": map[string]any{"channelSecret": "abcdef0123", "nested": []any{"x", nil, true}},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.toml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "policy fuzz.toml: ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error not one line naming the file: %q", err)
			}
			return
		}
		for i := 1; i < len(p.Roles); i++ {
			if p.Roles[i].Rank >= p.Roles[i-1].Rank {
				t.Fatalf("roles not strictly ordered by rank")
			}
		}
		for _, r := range p.Rules {
			if r.ID == "" || len(r.Fields)+len(r.Names)+len(r.Words)+len(r.SecretRules) == 0 || r.c == nil {
				t.Fatalf("invalid rule accepted: %q", r.ID)
			}
			if _, ok := p.Role(r.MinRole); !ok {
				t.Fatalf("rule %q: unknown min role accepted", r.ID)
			}
		}
		for _, role := range append(p.RoleNames(), "nobody") {
			checkInvariants(t, p, "GET", "/api/channels/1/x", role, body)
		}
	})
}

func FuzzCheck(f *testing.F) {
	fuzzcorpus.Add(f, "policy") // testdata/fuzz/policy/FuzzCheck/
	f.Add([]byte(consoleChannel), "/api/v1/channels/1656789012", "member")
	f.Add([]byte(`{"followers":1,"blocks":2}`), "/v2/bot/insight/followers", "tester")
	f.Add([]byte(`{"a\u0001'\\":{"channelSecret":"abc123"},"roles":[{"email":"x@y.z"}]}`), "/channels/1/roles", "member")
	f.Add([]byte(`[[[{"token":"t"}]]]`), "/bot/", "member")
	f.Add([]byte(`{"webhook":{"secretToken":"wst_0f3c9a7e5b1d","tokenType":"Bearer","apiKeys":["ak_5d7f9a1c3e5b7d9f",3,null,"ENABLED"]}}`), "/api/webhooks/1", "member")
	f.Add([]byte(`"scalar"`), "", "admin")
	f.Add([]byte(`{"members":["a@b.cd",{"mail":"q@r.st"}],"secret":"s"}`), "//channel//x?y=1", "tester")
	p, err := Builtin()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, urlPath, role string) {
		_ = Template(urlPath)
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		var body any
		if err := dec.Decode(&body); err != nil {
			return
		}
		checkInvariants(t, p, "GET", urlPath, role, body)
		prefilterExact(t, p, body)
		for _, l := range Flatten(body) {
			selectsOne(t, l.Path, body)
			if l.Name != "" && !strings.HasSuffix(l.Path, "']") {
				t.Fatalf("leaf %q has name but path ends in an index", l.Path)
			}
			if isContainer(l.Value) {
				t.Fatalf("leaf %q is not a scalar", l.Path)
			}
		}
		for _, lv := range []string{"admin", "member", "tester"} {
			checkInvariants(t, p, "POST", "/api/channels/1/roles", lv, body)
		}
	})
}

// checkInvariants runs Check and verifies its contract without printing
// values: sorted, one violation per (rule, path), every path a normalized
// path selecting one node, no masked values, no rule at or below the role.
func checkInvariants(t *testing.T, p *Policy, method, urlPath, role string, body any) {
	t.Helper()
	vs := p.Check(method, urlPath, role, body)
	rank, known := p.rank(role)
	var prev spec.NormalizedPath
	seen := map[string]bool{}
	for i, v := range vs {
		if v.Rule == nil {
			t.Fatalf("violation %d without rule", i)
		}
		if min, _ := p.rank(v.Rule.MinRole); known && rank >= min {
			t.Fatalf("rule %s reported for role %q ranked at or above %q", v.Rule.ID, role, v.Rule.MinRole)
		}
		if Masked(v.Value) {
			t.Fatalf("masked value reported at %q", v.Path)
		}
		k := v.Rule.ID + "\x00" + v.Path
		if seen[k] {
			t.Fatalf("duplicate violation %s %q", v.Rule.ID, v.Path)
		}
		seen[k] = true
		np := selectsOne(t, v.Path, body)
		if i > 0 {
			c := prev.Compare(np)
			if c > 0 || c == 0 && vs[i-1].Rule.ID > v.Rule.ID {
				t.Fatalf("not sorted at %d: %q after %q", i, v.Path, vs[i-1].Path)
			}
		}
		prev = np
		if name := lastName(np); name != v.Name {
			t.Fatalf("violation %q: name %q, want %q", v.Path, v.Name, name)
		}
	}
}

func lastName(np spec.NormalizedPath) string {
	if len(np) == 0 {
		return ""
	}
	if n, ok := np[len(np)-1].(spec.Name); ok {
		return string(n)
	}
	return ""
}

// selectsOne parses a normalized path as a JSONPath query and checks that it
// selects exactly one node, the one it names, and formats back the same.
func selectsOne(t *testing.T, path string, body any) spec.NormalizedPath {
	t.Helper()
	jp, err := jsonpath.Parse(path)
	if err != nil {
		t.Fatalf("path %q does not parse: %v", path, err)
	}
	nodes := jp.SelectLocated(body)
	if len(nodes) != 1 {
		t.Fatalf("path %q selects %d nodes", path, len(nodes))
	}
	if got := formatPath(nodes[0].Path); got != path {
		t.Fatalf("path %q formats back as %q", path, got)
	}
	return nodes[0].Path
}

// prefilterExact: a field path the member-name prefilter skips on body
// selects nothing from it (the prefilter only saves work).
func prefilterExact(t *testing.T, p *Policy, body any) {
	t.Helper()
	keys := memberNames(body)
	for i := range p.Rules {
		c := p.Rules[i].compiled()
		if c == nil {
			continue
		}
		for _, f := range c.fields {
			if !f.possible(keys) && len(f.path.SelectLocated(body)) > 0 {
				t.Fatalf("rule %s: the prefilter skips %s, which selects %d nodes", p.Rules[i].ID, f.path, len(f.path.SelectLocated(body)))
			}
		}
	}
}
