package scanner

import (
	"strings"
	"unicode/utf8"

	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/scanner/engine"
)

// located is where a secret itself stands, and the text of its line.
type located struct {
	loc  finding.Location
	line string
}

// locate finds the secret inside a gitleaks finding. gitleaks reports where
// the whole regex match starts, which for context rules can be lines before
// the secret, and its columns are off by one after the first line of a
// fragment; SARIF and PR annotations need the secret's own line.
func locate(f report.Finding) located {
	// The line an allow marker is looked for on: the first of the lines
	// gitleaks gives (the match's), not the lines after it.
	first, _, _ := strings.Cut(strings.TrimPrefix(f.Line, "\n"), "\n")
	fallback := located{
		loc:  finding.Location{Path: f.File, StartLine: f.StartLine, StartColumn: max(f.StartColumn, 1), EndLine: f.EndLine, EndColumn: max(f.EndColumn+1, 2)},
		line: first,
	}
	if engine.ByPathAlone(f) {
		return located{loc: fileStart(f.File)}
	}
	if f.Secret == "" || engine.Decoded(f) {
		// Found in decoded (base64, percent…) content: gitleaks' place is
		// the best there is (its line text then comes from the raw text
		// at decoded offsets, and may hold anything).
		return fallback
	}
	from := min(max(f.StartColumn-2, 0), len(f.Line))
	idx := strings.Index(f.Line[from:], f.Secret)
	if idx < 0 {
		from = 0
		if idx = strings.Index(f.Line, f.Secret); idx < 0 {
			return fallback
		}
	}
	pos := from + idx
	end := pos + len(f.Secret)
	// A match on one line is on StartLine. A match over several lines
	// starts on a line after the fragment's first, or on the first: f.Line
	// then starts at the newline before that line, or at the fragment's
	// start, and the secret's line is StartLine plus the line breaks
	// before it. (gitleaks' EndLine cannot be counted back from: it is
	// StartLine when a match runs to the end of a fragment without a final
	// newline, a key as the last thing in a file; and on a last line
	// without a newline f.Line is the whole fragment.)
	startLine := f.StartLine
	if strings.Contains(f.Match, "\n") {
		startLine += strings.Count(strings.TrimPrefix(f.Line[:pos], "\n"), "\n")
	}
	return located{
		loc:  span(f.File, f.Line, pos, end, startLine),
		line: lineAround(f.Line, pos),
	}
}

// fileStart is where a finding about a whole file points: its first line.
func fileStart(path string) finding.Location {
	return finding.Location{Path: path, StartLine: 1, StartColumn: 1, EndLine: 1, EndColumn: 1}
}

// locateIn finds the first occurrence of secret in a whole file's content.
func locateIn(path, content, secret string) (located, bool) {
	pos := strings.Index(content, secret)
	if pos < 0 {
		return located{}, false
	}
	line := 1 + strings.Count(content[:pos], "\n")
	return located{loc: span(path, content, pos, pos+len(secret), line), line: lineAround(content, pos)}, true
}

// span builds a Location for text[pos:end] whose first line is startLine.
// Columns count characters (not bytes), 1-based, EndColumn one past the end.
func span(path, text string, pos, end, startLine int) finding.Location {
	lineStart := strings.LastIndexByte(text[:pos], '\n') + 1
	col := utf8.RuneCountInString(text[lineStart:pos]) + 1
	secret := text[pos:end]
	endLine, endCol := startLine, col+utf8.RuneCountInString(secret)
	if n := strings.Count(secret, "\n"); n > 0 {
		endLine = startLine + n
		endCol = utf8.RuneCountInString(secret[strings.LastIndexByte(secret, '\n')+1:]) + 1
	}
	return finding.Location{Path: path, StartLine: startLine, StartColumn: col, EndLine: endLine, EndColumn: endCol}
}

func lineAround(text string, pos int) string {
	start := strings.LastIndexByte(text[:pos], '\n') + 1
	end := strings.IndexByte(text[pos:], '\n')
	if end < 0 {
		return text[start:]
	}
	return text[start : pos+end]
}
