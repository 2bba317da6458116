package history

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gitleaks/go-gitdiff/gitdiff"

	"github.com/channelguard/channelguard/scanner/gitrepo"
	"github.com/channelguard/channelguard/scanner/pathglob"
)

// Omit names what git need not print: paths whose patches the scan throws
// away unread (the rule set's global path allowlists: vendored code, lock
// files). git log is given them as `-diff` in a gitattributes file of its
// own (core.attributesFile), so it prints "Binary files differ" for them
// instead of diffing and printing them, and they are skipped as every
// binary file is. On croc, which vendors its Go dependencies, that is 95 %
// of the bytes `git log -p` prints (bench/README.md).
type Omit struct {
	// Regexes are the path regexes of the allowlists; only those
	// pathglob translates are given to git, as patterns that match no
	// path a regex does not.
	Regexes []string
	// Skipped reports whether the scan throws away a path's patches.
	// A renamed file is printed as binary when either of its names is
	// omitted: one whose new name is not skipped is read again without
	// the attributes (see reread).
	Skipped func(path string) bool
}

// attributes is the gitattributes file a scan gives git log, and how
// many patterns it marks.
type attributes struct {
	path     string
	patterns int
}

// env is how git is told to use it: git 2.31's GIT_CONFIG_COUNT, which
// leaves gitrepo's GIT_CONFIG_PARAMETERS alone, added after any entries
// the environment holds already (a CI runner's safe.directory, say); an
// older git ignores it and prints everything. Nothing without a file, or
// when the environment's count is not a number (git would refuse it).
func (a *attributes) env() []string {
	if a == nil {
		return nil
	}
	n := 0
	if v, ok := os.LookupEnv("GIT_CONFIG_COUNT"); ok && v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 0 {
			return nil
		}
	}
	return []string{
		fmt.Sprintf("GIT_CONFIG_COUNT=%d", n+1),
		fmt.Sprintf("GIT_CONFIG_KEY_%d=core.attributesFile", n),
		fmt.Sprintf("GIT_CONFIG_VALUE_%d=%s", n, a.path),
	}
}

func (a *attributes) remove() {
	if a != nil {
		_ = os.Remove(a.path)
	}
}

// writeAttributes makes the attributes file for regexes: the user's own
// global attributes file first (core.attributesFile replaces it, and its
// settings apply to gitleaks' git too), then a `-diff` line per pattern.
// It returns nil, and git runs as it would have (printing everything),
// when no regex translates, the user's file cannot be read or the file
// cannot be written: the omission saves time, it is never needed.
func writeAttributes(ctx context.Context, repo *gitrepo.Repo, regexes []string) *attributes {
	if len(regexes) == 0 {
		return nil
	}
	ignoreCase, userFile, err := attributeConfig(ctx, repo)
	if err != nil {
		// not ours to guess at: git reads what it would have read, and
		// prints everything (a git that cannot read its config fails
		// the log itself, with its own message)
		return nil
	}
	var lines strings.Builder
	patterns := 0
	for _, re := range regexes {
		for _, p := range pathglob.Patterns(re, ignoreCase) {
			lines.WriteString(p + " -diff\n")
			patterns++
		}
	}
	if patterns == 0 {
		return nil
	}
	var user []byte
	if userFile != "" {
		user, err = os.ReadFile(userFile)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil // not ours to guess at: git reads it as before
		}
	}
	f, err := os.CreateTemp("", "channelguard-attributes-*")
	if err != nil {
		return nil // no temp dir to write to: git prints everything
	}
	text := string(user)
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	text += "# channelguard: paths the scan skips (global path allowlists)\n" + lines.String()
	_, werr := f.WriteString(text)
	if cerr := f.Close(); werr != nil || cerr != nil {
		_ = os.Remove(f.Name())
		return nil // a full disk, say: git prints everything
	}
	return &attributes{path: f.Name(), patterns: patterns}
}

// attributeConfig is the repository's core.ignorecase (git then matches
// attribute patterns without regard to case) and the global attributes
// file git would read: core.attributesFile, else
// $XDG_CONFIG_HOME/git/attributes or ~/.config/git/attributes.
func attributeConfig(ctx context.Context, repo *gitrepo.Repo) (ignoreCase bool, file string, err error) {
	ignoreCase, file = repo.AttributesConfig(ctx)
	home, _ := os.UserHomeDir()
	switch {
	case file == "":
		if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
			file = filepath.Join(x, "git", "attributes")
		} else if home != "" {
			file = filepath.Join(home, ".config", "git", "attributes")
		}
	case file == "~" || strings.HasPrefix(file, "~/"):
		file = filepath.Join(home, file[1:])
	case !filepath.IsAbs(file):
		// ~user/ or a relative path: not worth resolving as git would
		return ignoreCase, "", errors.New("global attributes file not resolved")
	}
	return ignoreCase, file, nil
}

// omittedRename reports whether git may have printed file as binary only
// because of the attributes: a rename (or copy) is binary when either
// name is, so a file moved out of an omitted directory, to a path the
// scan reads, comes out binary too.
func (s *Source) omittedRename(file *gitdiff.File) bool {
	return s.attrs != nil && (file.IsRename || file.IsCopy) && !(s.Omit != nil && s.Omit.Skipped != nil && s.Omit.Skipped(file.NewName))
}

// reread is file's patch in commit sha as git prints it without the
// attributes (rename detection among its two names finds the same pair),
// or nil when it is binary after all.
func (s *Source) reread(ctx context.Context, sha string, file *gitdiff.File) (*gitdiff.File, error) {
	args := append(listedArgs(), "--", ":(literal)"+file.OldName, ":(literal)"+file.NewName)
	log, err := startPatches(ctx, s.Repo, args, strings.NewReader(sha+"\n"), nil)
	if err != nil {
		return nil, err
	}
	var text *gitdiff.File
	for f := range log.files {
		if text == nil && f.NewName == file.NewName && f.OldName == file.OldName && !f.IsBinary {
			text = f
		}
	}
	if err := log.wait(); err != nil {
		if stderr := log.stderr.String(); gitrepo.MissingObject(stderr) {
			// the omitted name's blob was never read in the first pass
			s.unreadable(sha, stderr)
			return nil, nil
		}
		return nil, fmt.Errorf("reading %s in commit %s again: %w", file.NewName, sha, err)
	}
	return text, nil
}

// OmitEnv is what a history scan adds to git log's environment to omit
// the paths of regexes in repo (see Omit), with the function that removes
// the file it names; none when nothing is omitted. bench/cmd/gitfloor
// runs git with it, so its floor is the git work a scan asks for.
func OmitEnv(ctx context.Context, repo *gitrepo.Repo, regexes []string) (env []string, patterns int, remove func(), err error) {
	a := writeAttributes(ctx, repo, regexes)
	if a == nil {
		return nil, 0, func() {}, nil
	}
	return a.env(), a.patterns, a.remove, nil
}
