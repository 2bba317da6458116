package policy

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// README.md documents every built-in rule, and its example user file loads.
func TestREADME(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	p := builtinT(t)
	for _, r := range p.Rules {
		if !strings.Contains(readme, "| `"+r.ID+"` |") {
			t.Errorf("README table lacks rule %s", r.ID)
		}
		for _, n := range r.Names {
			if !strings.Contains(readme, "`"+n+"`") {
				t.Errorf("README table lacks name %s of rule %s", n, r.ID)
			}
		}
		for _, w := range r.Words {
			if !strings.Contains(readme, "`"+w+"`") {
				t.Errorf("README table lacks word %s of rule %s", w, r.ID)
			}
		}
	}
	blocks := regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllStringSubmatch(readme, -1)
	if len(blocks) < 2 {
		t.Fatalf("README has %d toml blocks", len(blocks))
	}
	example := blocks[len(blocks)-1][1]
	q, err := Load(writeFile(t, "example.toml", example))
	if err != nil {
		t.Fatalf("README example: %v", err)
	}
	if _, ok := q.Rule("insight-for-members"); !ok {
		t.Error("README example rule not loaded")
	}
}

func BenchmarkCheck(b *testing.B) {
	p := builtinT(b)
	var items []string
	for i := 0; i < 5000; i++ {
		items = append(items, fmt.Sprintf(`{"id":%d,"name":"n%d","stats":{"followers":%d,"blocks":[1,2,3]},"email":"u%d@example.com"}`, i, i, i, i))
	}
	raw := `{"members":[` + strings.Join(items, ",") + `]}`
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var body any
	if err := dec.Decode(&body); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for range b.N {
		p.Check("GET", "/api/v1/channels/1656789012/members", "member", body)
	}
}

// The Words tables of README.md are what the code does.
func TestREADMEWords(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile("`([^`]*)`")
	names := func(cell string) []string {
		var out []string
		for _, m := range code.FindAllStringSubmatch(cell, -1) {
			out = append(out, m[1])
		}
		return out
	}
	section := string(data)
	start, end := strings.Index(section, "\n### Words\n"), strings.Index(section, "\n### Path patterns\n")
	if start < 0 || end < start {
		t.Fatal("README has no Words section before Path patterns")
	}
	section = section[start:end]
	split, match := 0, 0
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, " | ")
		if len(cells) < 2 || !strings.HasPrefix(line, "| `") {
			continue
		}
		switch len(cells) {
		case 2: // | name | words |
			want := strings.Split(strings.TrimSuffix(cells[1], " |"), "; ")
			ns := names(cells[0])
			for i, n := range ns {
				w := want[min(i, len(want)-1)]
				if j := strings.Index(w, " ("); j >= 0 {
					w = w[:j]
				}
				if got := strings.Join(Words(n), " "); got != w {
					t.Errorf("README: Words(%q) = %q, the table says %q", n, got, w)
				}
				split++
			}
		case 3: // | words | matches | does not match |
			ws := names(cells[0])
			if len(ws) != 1 {
				continue
			}
			p, err := compilePhrase(ws[0])
			if err != nil {
				t.Errorf("README words %q: %v", ws[0], err)
				continue
			}
			for _, n := range names(cells[1]) {
				if !matchWords(n, []phrase{p}) {
					t.Errorf("README: %q does not match words %q", n, ws[0])
				}
				match++
			}
			for _, n := range names(strings.TrimSuffix(cells[2], " |")) {
				if matchWords(n, []phrase{p}) {
					t.Errorf("README: %q matches words %q", n, ws[0])
				}
				match++
			}
		}
	}
	if split < 7 || match < 20 {
		t.Errorf("README word tables: %d split and %d match examples checked", split, match)
	}
}
