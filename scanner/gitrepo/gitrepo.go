// Package gitrepo runs the git commands channelguard needs and turns their
// failures into one-line errors that name the repository and the problem.
//
// Every command runs with --no-ext-diff/--no-textconv where it diffs and
// never executes repository-provided programs: the repositories scanned may
// be hostile.
package gitrepo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// ErrNotRepository is returned by Open for a path outside any git repository.
var ErrNotRepository = errors.New("not a git repository")

// Repo is a git repository (or a directory inside one's work tree).
type Repo struct {
	// Root is the top of the work tree, or the git dir of a bare repository.
	Root string
	// Bare is true for a repository without a work tree.
	Bare bool
	// Prefix is the scanned directory relative to Root ("" for the root):
	// history and files are limited to it.
	Prefix string
}

// Open finds the repository that holds dir.
func Open(ctx context.Context, dir string) (*Repo, error) {
	out, err := run(ctx, dir, "rev-parse", "--is-bare-repository", "--is-inside-work-tree", "--show-prefix")
	if err != nil {
		if strings.Contains(err.Error(), "not a git repository") {
			return nil, ErrNotRepository
		}
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) < 2 {
		return nil, fmt.Errorf("git rev-parse in %s: unexpected output", dir)
	}
	r := &Repo{Bare: lines[0] == "true"}
	if r.Bare {
		gitDir, err := run(ctx, dir, "rev-parse", "--absolute-git-dir")
		if err != nil {
			return nil, err
		}
		r.Root = strings.TrimSpace(string(gitDir))
		return r, nil
	}
	if lines[1] != "true" {
		// Inside a .git directory of a non-bare repository.
		return nil, ErrNotRepository
	}
	if len(lines) > 2 {
		r.Prefix = strings.TrimSuffix(lines[2], "/")
	}
	top, err := run(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, err
	}
	r.Root = strings.TrimSpace(string(top))
	return r, nil
}

// Pathspec limits a command to the scanned directory.
func (r *Repo) Pathspec() []string {
	if r.Prefix == "" {
		return nil
	}
	return []string{"--", r.Prefix}
}

// Run runs a git command in the repository and returns its stdout.
func (r *Repo) Run(ctx context.Context, args ...string) ([]byte, error) {
	return run(ctx, r.Root, args...)
}

// Shallow says whether the repository is a shallow clone.
func (r *Repo) Shallow(ctx context.Context) bool {
	out, err := r.Run(ctx, "rev-parse", "--is-shallow-repository")
	return err == nil && strings.TrimSpace(string(out)) == "true"
}

// HasCommits says whether HEAD points at a commit (false in a new repository).
func (r *Repo) HasCommits(ctx context.Context) bool {
	_, err := r.Run(ctx, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
	return err == nil
}

// CountCommits counts the commits revs select (for progress).
func (r *Repo) CountCommits(ctx context.Context, revs []string) (int, error) {
	out, err := r.Run(ctx, append(append([]string{"rev-list", "--count"}, revs...), r.Pathspec()...)...)
	if err != nil {
		return 0, err
	}
	var n int
	_, err = fmt.Sscanf(strings.TrimSpace(string(out)), "%d", &n)
	return n, err
}

// ResolveCommit returns the full SHA of rev, or an error naming rev.
func (r *Repo) ResolveCommit(ctx context.Context, rev string) (string, error) {
	if strings.HasPrefix(rev, "-") {
		return "", fmt.Errorf("invalid revision %q", rev)
	}
	out, err := r.Run(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("unknown revision %q in %s", rev, r.Root)
	}
	return strings.TrimSpace(string(out)), nil
}

// ResolveCommits resolves many revisions to commits in one git process;
// the error names the first that is not a commit here.
func (r *Repo) ResolveCommits(ctx context.Context, revs []string) ([]string, error) {
	args := []string{"rev-parse"}
	for _, rev := range revs {
		if strings.HasPrefix(rev, "-") {
			return nil, fmt.Errorf("invalid revision %q", rev)
		}
		args = append(args, rev+"^{commit}")
	}
	out, err := r.Run(ctx, args...)
	shas := strings.Fields(string(out))
	if err == nil && len(shas) == len(revs) {
		return shas, nil
	}
	for _, rev := range revs {
		if _, err := r.ResolveCommit(ctx, rev); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("cannot resolve %d revisions in %s", len(revs), r.Root)
}

// Range is a BASE..HEAD commit range, both ends resolved.
type Range struct {
	Base, Head string
}

// ParseRange resolves "BASE..HEAD" (HEAD defaults to HEAD).
func (r *Repo) ParseRange(ctx context.Context, spec string) (Range, error) {
	base, head, ok := strings.Cut(spec, "..")
	if !ok || base == "" || strings.HasPrefix(head, ".") {
		return Range{}, fmt.Errorf("invalid range %q: want BASE..HEAD", spec)
	}
	if head == "" {
		head = "HEAD"
	}
	b, err := r.ResolveCommit(ctx, base)
	if err != nil {
		return Range{}, fmt.Errorf("range %q: %w", spec, err)
	}
	h, err := r.ResolveCommit(ctx, head)
	if err != nil {
		return Range{}, fmt.Errorf("range %q: %w", spec, err)
	}
	return Range{Base: b, Head: h}, nil
}

// WorktreeChanges lists files (relative to Root) whose working-tree content
// differs from HEAD, plus untracked files that are not ignored: what the
// history does not already hold. Without commits, every non-ignored file.
func (r *Repo) WorktreeChanges(ctx context.Context) ([]string, error) {
	if !r.HasCommits(ctx) {
		return r.TrackedAndUntracked(ctx)
	}
	// changed and untracked files are two independent git runs
	var changed, untracked []byte
	var changedErr, untrackedErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		changed, changedErr = r.Run(ctx, append([]string{"diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", "HEAD"}, r.pathspecOrAll()...)...)
	})
	wg.Go(func() {
		untracked, untrackedErr = r.Run(ctx, append([]string{"ls-files", "-z", "--others", "--exclude-standard"}, r.pathspecOrAll()...)...)
	})
	wg.Wait()
	if changedErr != nil {
		return nil, changedErr
	}
	if untrackedErr != nil {
		return nil, untrackedErr
	}
	return splitZ(changed, untracked), nil
}

// TrackedAndUntracked lists every tracked file and every untracked file that
// is not ignored.
func (r *Repo) TrackedAndUntracked(ctx context.Context) ([]string, error) {
	out, err := r.Run(ctx, append([]string{"ls-files", "-z", "--cached", "--others", "--exclude-standard"}, r.pathspecOrAll()...)...)
	if err != nil {
		return nil, err
	}
	return splitZ(out), nil
}

func (r *Repo) pathspecOrAll() []string {
	if r.Prefix == "" {
		return []string{"--", "."}
	}
	return r.Pathspec()
}

func splitZ(lists ...[]byte) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, p := range bytes.Split(l, []byte{0}) {
			if len(p) == 0 || seen[string(p)] {
				continue
			}
			seen[string(p)] = true
			out = append(out, string(p))
		}
	}
	return out
}

// BlobReader reads file contents at a revision through one long-running
// `git cat-file --batch`, so looking up many files costs one process.
type BlobReader struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// NewBlobReader starts the reader; Close it when done.
func (r *Repo) NewBlobReader(ctx context.Context) (*BlobReader, error) {
	cmd := exec.CommandContext(ctx, "git", "-C", r.Root, "cat-file", "--batch")
	cmd.Env = gitEnv()
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git cat-file in %s: %w", r.Root, err)
	}
	return &BlobReader{cmd: cmd, in: in, out: bufio.NewReader(out)}, nil
}

// Read returns the content of path at rev, or ok=false when it does not
// exist there (or is not a blob).
func (b *BlobReader) Read(rev, path string) (content []byte, ok bool, err error) {
	if strings.ContainsAny(path, "\n") {
		return nil, false, nil
	}
	if _, err := fmt.Fprintf(b.in, "%s:%s\n", rev, path); err != nil {
		return nil, false, fmt.Errorf("git cat-file: %w", err)
	}
	header, err := b.out.ReadString('\n')
	if err != nil {
		return nil, false, fmt.Errorf("git cat-file: %w", err)
	}
	fields := strings.Fields(header)
	if len(fields) == 2 && fields[1] == "missing" || len(fields) < 3 {
		return nil, false, nil
	}
	var size int
	if _, err := fmt.Sscanf(fields[2], "%d", &size); err != nil {
		return nil, false, fmt.Errorf("git cat-file: bad header %q", strings.TrimSpace(header))
	}
	buf := make([]byte, size+1) // content and the trailing newline
	if _, err := io.ReadFull(b.out, buf); err != nil {
		return nil, false, fmt.Errorf("git cat-file: %w", err)
	}
	if fields[1] != "blob" {
		return nil, false, nil
	}
	return buf[:size], true, nil
}

// Close stops the process.
func (b *BlobReader) Close() error {
	b.in.Close()
	_, _ = io.Copy(io.Discard, b.out)
	return b.cmd.Wait()
}

// FilesContaining lists the files at rev that contain any of the fixed
// strings. The strings go to git on stdin, never on its command line,
// where other users of the machine could read them.
func (r *Repo) FilesContaining(ctx context.Context, rev string, fixed []string) ([]string, error) {
	if len(fixed) == 0 {
		return nil, nil
	}
	args := []string{"grep", "-F", "-l", "-z", "-I", "--no-color", "-f", "/dev/stdin", rev}
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", r.Root}, args...)...)
	cmd.Env = gitEnv()
	cmd.Stdin = strings.NewReader(strings.Join(fixed, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 && stderr.Len() == 0 {
			return nil, nil // nothing found
		}
		// Not git's message: it could quote a pattern, and the patterns
		// are secrets.
		return nil, fmt.Errorf("git grep in %s failed: %v", r.Root, err)
	}
	var files []string
	for _, p := range splitZ(out) {
		files = append(files, strings.TrimPrefix(p, rev+":"))
	}
	return files, nil
}

// Command builds a git command in the repository for streaming use; the
// caller starts it and reads stdout. Stderr is collected for the error.
func (r *Repo) Command(ctx context.Context, args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", r.Root}, args...)...)
	cmd.Env = gitEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &limitedWriter{w: &stderr, n: 64 << 10}
	return cmd, &stderr
}

// CommandError turns a failed git command into one line: the git message,
// not Go's "exit status 128".
func CommandError(root string, args []string, err error, stderr []byte) error {
	msg := firstLine(stderr)
	if msg == "" {
		msg = err.Error()
	}
	sub := "git"
	if len(args) > 0 {
		sub += " " + args[0]
	}
	return fmt.Errorf("%s in %s: %s", sub, root, msg)
}

func run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Env = gitEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, fmt.Errorf("git is not installed or not on PATH")
		}
		return nil, CommandError(dir, args, err, stderr.Bytes())
	}
	return out, nil
}

// gitEnv keeps the user's environment but makes output predictable and
// never prompts (a scan must not hang on a credential prompt).
func gitEnv() []string {
	return append(os.Environ(),
		"GIT_TERMINAL_PROMPT=0",
		"GIT_PAGER=cat",
		"LC_ALL=C",
		// core.deltaBaseCacheLimit: git's default of 96 MiB makes each
		// `git log -p` over a long history hold ~140 MB, and a scan runs
		// one per core; 16 MiB halves that at no cost in speed (measured on
		// trufflehog's and croc's histories, see bench/README.md).
		"GIT_CONFIG_PARAMETERS='core.quotepath=false' 'color.ui=false' 'log.showSignature=false' 'core.deltaBaseCacheLimit=16m'",
	)
}

func firstLine(b []byte) string {
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		l = strings.TrimPrefix(l, "fatal: ")
		l = strings.TrimPrefix(l, "error: ")
		if l != "" && !strings.HasPrefix(l, "hint:") {
			return l
		}
	}
	return ""
}

type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n <= 0 {
		return len(p), nil
	}
	q := p
	if len(q) > l.n {
		q = q[:l.n]
	}
	l.n -= len(q)
	_, err := l.w.Write(q)
	return len(p), err
}

// Abs makes a path absolute for messages.
func Abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
