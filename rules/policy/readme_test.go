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
