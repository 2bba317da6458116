package rules

import (
	"strings"
	"testing"
)

// Found by FuzzConfig (seed testdata/fuzz/rules/FuzzConfig/crash-newline-in-toml-error):
// go-toml quotes the offending character raw, so "[\n" gave an error
// message ending in a line break. Config errors are one line.
func TestConfigErrorOneLine(t *testing.T) {
	for _, in := range []string{"[\n", "[\r\n", "a = \"\u2028", "[[rules]]\nid = \"a\nb\"\n", "[[rules]]\nid = \"a\\nb\"\n"} {
		_, err := LoadData("c.toml", []byte(in))
		if err == nil {
			t.Errorf("%q: no error", in)
			continue
		}
		if msg := err.Error(); strings.ContainsAny(msg, "\n\r\u2028") || !strings.HasPrefix(msg, "c.toml: ") && !strings.HasPrefix(msg, "config c.toml: ") {
			t.Errorf("%q: error %q is not one line naming the file", in, msg)
		}
	}
	if got := oneLineError(errString("a\nb\tc")).Error(); got != `a\nb\tc` {
		t.Errorf("oneLineError = %q", got)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// Found by FuzzConfig (seed testdata/fuzz/rules/FuzzConfig/crash-array-table-without-parent):
// go-toml v2.2.3 panics decoding an array of tables below a key that holds
// no table yet; a rule's allowlist before any [[rules]] crashed Load.
func TestConfigArrayTableWithoutParent(t *testing.T) {
	for _, in := range []string{"[[rules.0]]0", "[[rules.allowlists]]\nregexes = ['''abc''']\n", "[[allowlists]]\npaths = ['''x''']\n[[rules.allowlists]]\n"} {
		_, err := LoadData("c.toml", []byte(in))
		if err == nil || !strings.HasPrefix(err.Error(), "config c.toml: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v", in, err)
		}
	}
}
