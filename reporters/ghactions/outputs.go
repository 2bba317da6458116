package ghactions

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/channelguard/channelguard/internal/pathless"
)

// AppendOutputs appends step outputs to the GITHUB_OUTPUT file at path: a
// "name=value" line each, or, for a value with a line break, GitHub's
// multi-line form
//
//	name<<DELIM
//	value
//	DELIM
//
// with a random DELIM that does not occur in the value. All outputs are
// written in one append. An empty path (not in GitHub Actions) does nothing.
func AppendOutputs(path string, kv [][2]string) error {
	if path == "" || len(kv) == 0 {
		return nil
	}
	var b strings.Builder
	for _, p := range kv {
		name, val := p[0], p[1]
		if name == "" || strings.ContainsAny(name, "=\r\n") || strings.Contains(name, "<<") {
			return fmt.Errorf("output name %q: must be non-empty, without '=', '<<' or a line break", name)
		}
		if !strings.ContainsAny(val, "\r\n") {
			fmt.Fprintf(&b, "%s=%s\n", name, val)
			continue
		}
		delim, err := delimiter(val)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", name, delim, val, delim)
	}
	return appendTo(path, b.String())
}

// delimiter is a random heredoc delimiter that is not in val.
func delimiter(val string) (string, error) {
	for {
		var buf [16]byte
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("output delimiter: %w", err)
		}
		d := "ghadelimiter_" + hex.EncodeToString(buf[:])
		if !strings.Contains(val, d) {
			return d, nil
		}
	}
}

// AppendFile appends text to the file at path (GITHUB_STEP_SUMMARY),
// adding a final newline when text lacks one. An empty path does nothing.
func AppendFile(path, text string) error {
	if path == "" || text == "" {
		return nil
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return appendTo(path, text)
}

func appendTo(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("append to %s: %w", path, pathless.Err(err))
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("append to %s: %w", path, pathless.Err(err))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("append to %s: %w", path, pathless.Err(err))
	}
	return nil
}
