package rules

import (
	"strings"
	"testing"
)

// A user rule may require a built-in rule (a LINE rule, a gitleaks default
// one); an unknown or disabled one is a clear error naming both.
func TestUserRuleRequiresABuiltinRule(t *testing.T) {
	const composite = `
[[rules]]
id = "bot-config"
regex = '''bot_name = (\w+)'''
keywords = ["bot_name"]
[[rules.required]]
id = "%s"
withinLines = 2
`
	set, err := LoadData("a.toml", []byte(strings.Replace(composite, "%s", "line-channel-secret", 1)))
	if err != nil {
		t.Fatal(err)
	}
	r := set.Config.Rules["bot-config"]
	if len(r.RequiredRules) != 1 || r.RequiredRules[0].RuleID != "line-channel-secret" || *r.RequiredRules[0].WithinLines != 2 {
		t.Fatalf("required rules: %+v", r.RequiredRules)
	}
	for name, tt := range map[string]struct{ text, want string }{
		"unknown":  {strings.Replace(composite, "%s", "no-such-rule", 1), `config b.toml: bot-config: [[rules.required]] names unknown rule "no-such-rule"`},
		"disabled": {strings.Replace(composite, "%s", "line-channel-secret", 1) + "\n[channelguard]\ndisabled_rules = [\"line-channel-secret\"]\n", `config b.toml: disabled_rules turns off "line-channel-secret", which rule "bot-config" requires`},
	} {
		if _, err := LoadData("b.toml", []byte(tt.text)); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", name, err, tt.want)
		}
	}
}
