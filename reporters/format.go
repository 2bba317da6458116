package reporters

import (
	"fmt"
	"path/filepath"
	"strings"
)

// extensions maps a file name's extension (lower case) to the format it
// names. An extension not listed names none: such a file gets the format
// asked for, or the command's default.
var extensions = map[string]string{
	".sarif":    "sarif",
	".json":     "json",
	".csv":      "csv",
	".md":       "markdown",
	".markdown": "markdown",
	".html":     "html",
	".htm":      "html",
	".txt":      "text",
}

// displayNames are the formats as a sentence names them.
var displayNames = map[string]string{
	"text": "text", "json": "JSON", "sarif": "SARIF", "csv": "CSV", "markdown": "Markdown", "html": "HTML",
}

// Canonical is format's own name: an alias ("md") becomes the format it
// stands for ("markdown"); anything else is returned as it is.
func Canonical(format string) string {
	if f, ok := aliases[format]; ok {
		return f
	}
	return format
}

// FormatOfName is the format the extension of the file name path names
// (".sarif" → "sarif"; "x.sarif.json" is SARIF too, as code scanning
// tools often name it), or "" when it names none.
func FormatOfName(path string) string {
	base := strings.ToLower(filepath.Base(path))
	if strings.HasSuffix(base, ".sarif.json") {
		return "sarif"
	}
	return extensions[filepath.Ext(base)]
}

// FormatConflict is a format asked for and a file name whose extension
// names another.
type FormatConflict struct {
	Format string // asked for (canonical)
	Path   string // the file name
	Named  string // the format its extension names
}

func (e *FormatConflict) Error() string {
	return fmt.Sprintf("a %s file is a %s report, not %s", extOf(e.Path), displayNames[e.Named], displayNames[e.Format])
}

func extOf(path string) string {
	base := strings.ToLower(filepath.Base(path))
	if strings.HasSuffix(base, ".sarif.json") {
		return ".sarif.json"
	}
	return filepath.Ext(base)
}

// ChooseFormat is the format of a report written to path: format when it
// was given, otherwise the one path's extension names, otherwise def. A
// given format that path's extension contradicts is a *FormatConflict
// (asking for text and naming the file x.sarif is a mistake one of the two
// makes, and guessing which would hide it); the one pair that agrees
// across names is SARIF in a .json file, since a SARIF log is JSON. An
// unknown format is an error too. The result is canonical ("md" →
// "markdown").
func ChooseFormat(format string, given bool, path, def string) (string, error) {
	named := ""
	if path != "" && path != "-" {
		named = FormatOfName(path)
	}
	if !given {
		format = def
		if named != "" {
			format = named
		}
	}
	if err := CheckFormat(format); err != nil {
		return "", err
	}
	format = Canonical(format)
	if given && named != "" && named != format && !(format == "sarif" && named == "json") {
		return "", &FormatConflict{Format: format, Path: path, Named: named}
	}
	return format, nil
}

// FormatHelp lists every format for a --format flag's help.
func FormatHelp() string {
	return strings.Join(Formats, ", ") + " (md for markdown)"
}
