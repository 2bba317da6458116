package reporters

import (
	"errors"
	"testing"
)

func TestChooseFormat(t *testing.T) {
	tests := []struct {
		format string
		given  bool
		path   string
		def    string
		want   string
		err    string
	}{
		// no --format: the extension chooses, else the default
		{"text", false, "out/x.sarif", "text", "sarif", ""},
		{"text", false, "x.JSON", "text", "json", ""},
		{"text", false, "x.csv", "text", "csv", ""},
		{"text", false, "report.md", "text", "markdown", ""},
		{"text", false, "report.markdown", "text", "markdown", ""},
		{"text", false, "report.html", "text", "html", ""},
		{"text", false, "report.htm", "text", "html", ""},
		{"markdown", false, "report.txt", "markdown", "text", ""},
		{"text", false, "results.sarif.json", "text", "sarif", ""},
		{"text", false, "report.out", "text", "text", ""},
		{"text", false, "report", "text", "text", ""},
		{"markdown", false, "report.log", "markdown", "markdown", ""},
		{"text", false, "", "text", "text", ""},
		{"text", false, "-", "text", "text", ""},
		// --format given: the extension must agree
		{"sarif", true, "x.sarif", "text", "sarif", ""},
		{"md", true, "x.md", "text", "markdown", ""},
		{"json", true, "x.out", "text", "json", ""},
		{"sarif", true, "results.json", "text", "sarif", ""}, // SARIF is JSON
		{"text", true, "x.sarif", "text", "", "a .sarif file is a SARIF report, not text"},
		{"json", true, "x.sarif", "text", "", "a .sarif file is a SARIF report, not JSON"},
		{"html", true, "report.md", "text", "", "a .md file is a Markdown report, not HTML"},
		{"csv", true, "x.txt", "text", "", "a .txt file is a text report, not CSV"},
		{"json", true, "x.sarif.json", "text", "", "a .sarif.json file is a SARIF report, not JSON"},
		{"yaml", true, "x.out", "text", "", `unknown format "yaml"`},
	}
	for _, tt := range tests {
		got, err := ChooseFormat(tt.format, tt.given, tt.path, tt.def)
		if tt.err != "" {
			if err == nil || err.Error()[:min(len(err.Error()), len(tt.err))] != tt.err {
				t.Errorf("ChooseFormat(%q, %v, %q) = %q, %v; want error %q", tt.format, tt.given, tt.path, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ChooseFormat(%q, %v, %q) = %q, %v; want %q", tt.format, tt.given, tt.path, got, err, tt.want)
		}
	}
	_, err := ChooseFormat("text", true, "x.sarif", "text")
	var c *FormatConflict
	if !errors.As(err, &c) || c.Format != "text" || c.Named != "sarif" || c.Path != "x.sarif" {
		t.Errorf("conflict = %#v", err)
	}
}

// Every extension names a format Write knows.
func TestExtensionsNameFormats(t *testing.T) {
	for ext, f := range extensions {
		if err := CheckFormat(f); err != nil {
			t.Errorf("%s: %v", ext, err)
		}
		if displayNames[f] == "" {
			t.Errorf("%s: no display name for %s", ext, f)
		}
	}
}
