// Package gitleaksignore reads gitleaks' .gitleaksignore files: one
// finding fingerprint a line, as gitleaks v8.30.1 writes and reads them
// (detect.Detector.AddGitleaksIgnore and AddFinding):
//
//	commit:file:rule-id:start-line   one finding in one commit
//	file:rule-id:start-line          that finding wherever it is (any
//	                                 commit, or a scan without git)
//
// Lines are trimmed; empty lines and lines starting with # are skipped; a
// backslash in the file part becomes a slash. start-line is where gitleaks'
// match starts (for a rule with context before the secret, that can be a
// line above the secret's own).
package gitleaksignore

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/channelguard/channelguard/internal/pathless"
)

// Name is the file gitleaks reads from the top of what it scans.
const Name = ".gitleaksignore"

// Set is the fingerprints of one or more .gitleaksignore files. The zero
// value (and nil) ignores nothing.
type Set struct {
	entries map[string]struct{}
	// Files are the files read, in order.
	Files []string
	// Warnings are entries gitleaks would warn about (one line each).
	Warnings []string
	digest   []byte
}

// Find lists the .gitleaksignore files a scan of dir reads, as gitleaks
// does: dir/.gitleaksignore, and the file --gitleaks-ignore-path names
// (flag: a file, or a directory holding one). A flag that names neither is
// an error: gitleaks would silently ignore nothing. dir "" looks in no
// scanned directory (a scan of captures alone).
func Find(dir, flag string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		key := p
		if abs, err := filepath.Abs(p); err == nil {
			key = abs
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	if flag != "" {
		info, err := os.Stat(flag)
		switch {
		case err != nil:
			return nil, fmt.Errorf("--gitleaks-ignore-path %s: %w", flag, pathless.Err(err))
		case info.Mode().IsRegular():
			add(flag)
		case info.IsDir() && isRegular(filepath.Join(flag, Name)):
			add(filepath.Join(flag, Name))
		default:
			return nil, fmt.Errorf("--gitleaks-ignore-path %s: no %s there", flag, Name)
		}
	}
	if dir != "" {
		if info, err := os.Stat(dir); err == nil && info.IsDir() && isRegular(filepath.Join(dir, Name)) {
			add(filepath.Join(dir, Name))
		}
	}
	return out, nil
}

func isRegular(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

// Load reads the files. An unreadable file is an error naming it; an
// entry gitleaks would warn about is a warning, and kept as gitleaks keeps
// it (it matches a fingerprint written the same way).
func Load(files ...string) (*Set, error) {
	s := &Set{entries: map[string]struct{}{}}
	h := sha256.New()
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, pathless.Err(err))
		}
		fmt.Fprintf(h, "%s\n%d\n%s", name, len(data), data)
		s.Files = append(s.Files, name)
		s.add(name, data)
	}
	s.digest = h.Sum(nil)
	return s, nil
}

func (s *Set) add(name string, data []byte) {
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 0, 64<<10), len(data)+1)
	slash := strings.NewReplacer(`\`, "/")
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, ":")
		switch len(parts) {
		case 3:
			parts[0] = slash.Replace(parts[0])
		case 4:
			parts[1] = slash.Replace(parts[1])
		default:
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s line %d: not a gitleaks fingerprint (commit:file:rule-id:line or file:rule-id:line); kept as written, as gitleaks keeps it", name, n))
		}
		s.entries[strings.Join(parts, ":")] = struct{}{}
	}
}

// Len is how many fingerprints the set holds.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.entries)
}

// Digest identifies the files' names and contents ("" for none).
func (s *Set) Digest() string {
	if s == nil || len(s.digest) == 0 {
		return ""
	}
	return hex.EncodeToString(s.digest)[:16]
}

// Fingerprint is gitleaks' fingerprint of a finding: commit, file, rule
// and the line its match starts on (no commit: file, rule, line).
func Fingerprint(commit, file, rule string, line int) string {
	fp := file + ":" + rule + ":" + strconv.Itoa(line)
	if commit != "" {
		return commit + ":" + fp
	}
	return fp
}

// Ignores says whether gitleaks would drop the finding of rule at line of
// file (in commit, "" outside history): its file:rule:line is listed, or,
// with a commit, its commit:file:rule:line. Other names are other ways the
// same file is written (gitleaks names a file of `gitleaks dir PATH`
// PATH/file); each is tried.
func (s *Set) Ignores(commit, file, rule string, line int, other ...string) bool {
	if s.Len() == 0 {
		return false
	}
	for _, f := range append([]string{file}, other...) {
		if _, ok := s.entries[Fingerprint("", f, rule, line)]; ok {
			return true
		}
		if commit != "" {
			if _, ok := s.entries[Fingerprint(commit, f, rule, line)]; ok {
				return true
			}
		}
	}
	return false
}
