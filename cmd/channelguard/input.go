package main

import (
	"errors"
	"io"

	"github.com/spf13/pflag"

	"github.com/channelguard/channelguard/scanner"
)

// inputFlags are scan's inputs besides PATH: the staged changes of a
// repository (--staged, for a pre-commit hook) and standard input (PATH
// "-", e.g. `git diff | channelguard scan -`).
type inputFlags struct {
	staged    bool
	stdinName string
	// stdin is set by resolve when PATH is "-".
	stdin bool
}

func (in *inputFlags) register(f *pflag.FlagSet) {
	f.BoolVar(&in.staged, "staged", false, "scan only the staged changes (the index against HEAD): what the next commit adds, for a pre-commit hook")
	f.StringVar(&in.stdinName, "stdin-name", "", "with PATH -, report standard input as the file `NAME` (default \"stdin\"; path rules and allowlists see NAME)")
}

// resolve checks the input flags against PATH and the other flags. For
// PATH "-" it returns "": the options are built as for a scan of the
// current directory (its .channelguard.toml applies), and apply then
// swaps in standard input.
func (in *inputFlags) resolve(path string, fl scanFlags) (string, error) {
	in.stdin = path == "-"
	switch {
	case in.stdinName != "" && !in.stdin:
		return "", errors.New("--stdin-name needs - (standard input) as PATH")
	case in.stdin && in.staged:
		return "", errors.New("--staged reads a repository's staging area; it cannot be used with - (standard input)")
	case in.stdin && fl.role != "":
		return "", errors.New("--role: an API capture is not read from standard input; give its file")
	case in.stdin && (fl.rangeSpec != "" || fl.noHistory):
		return "", errors.New("standard input is one file: --range and --no-history need a git repository")
	case in.staged && (fl.rangeSpec != "" || fl.noHistory):
		return "", errors.New("--staged cannot be used with --range or --no-history")
	case in.staged && fl.role != "":
		return "", errors.New("--staged needs a git repository as PATH, not an API capture (--role)")
	case in.staged && path == "" && len(fl.captures) > 0:
		// with captures alone no repository is read: --staged would be ignored
		return "", errors.New("--staged with --capture: give the repository's PATH too (e.g. scan . --staged --capture FILE:ROLE)")
	}
	if in.stdin {
		return "", nil
	}
	return path, nil
}

// apply puts the inputs into the scanner's options.
func (in *inputFlags) apply(opts *scanner.Options, stdin io.Reader) {
	opts.Staged = in.staged
	if in.stdin {
		opts.Path = ""
		opts.Stdin = stdin
		opts.StdinName = in.stdinName
	}
}

// remembered says whether a scan with these inputs may use the cache: not
// one of the index or of standard input.
func (in *inputFlags) remembered() bool { return !in.staged && !in.stdin }
