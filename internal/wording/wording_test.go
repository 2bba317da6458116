package wording

import "testing"

func TestOneLine(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"a\nb\r\nc", 0, "a b c"},
		{"  many   spaces\tand tabs \n", 0, "many spaces and tabs"},
		{"abcdef", 3, "abc…"},
		{"abc", 3, "abc"},
		// cut in characters, never inside one
		{"チャネルシークレット", 4, "チャネル…"},
		{"é\né", 2, "é …"},
		{"", 5, ""},
	}
	for _, tt := range tests {
		if got := OneLine(tt.in, tt.max); got != tt.want {
			t.Errorf("OneLine(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestFirstLine(t *testing.T) {
	for in, want := range map[string]string{
		"fatal: bad object\nhint: more\n": "fatal: bad object",
		"\n  only  \n":                    "only",
		"one":                             "one",
		"a \r\nb":                         "a",
	} {
		if got := FirstLine(in); got != want {
			t.Errorf("FirstLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n          int
		noun, want string
	}{
		{1, "commit", "1 commit"},
		{0, "commit", "0 commits"},
		{2, "entry", "2 entries"},
		{2, "key", "2 keys"},
		{3, "repository", "3 repositories"},
		{2, "day", "2 days"},
	} {
		if got := Plural(tt.n, tt.noun); got != tt.want {
			t.Errorf("Plural(%d, %q) = %q, want %q", tt.n, tt.noun, got, tt.want)
		}
	}
}

func TestList(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a and b"},
		{[]string{"a", "b", "c"}, "a, b and c"},
	} {
		if got := List(tt.in); got != tt.want {
			t.Errorf("List(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAge(t *testing.T) {
	for days, want := range map[int]string{
		-3: "< 1 day", 0: "< 1 day", 1: "1 day", 12: "12 days", 59: "59 days",
		60: "2 months", 89: "2 months", 90: "3 months", 364: "11 months", 365: "1 year", 400: "1 year 1 month",
		729: "1 year 11 months", 730: "2 years", 1000: "2 years 9 months",
	} {
		if got := Age(days); got != want {
			t.Errorf("Age(%d) = %q, want %q", days, got, want)
		}
	}
}
