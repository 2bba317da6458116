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
	"slices"
	"strings"
	"sync"
	"time"
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

	// asked once: a scan wants them early (in parallel with its other
	// questions) and again for its report
	nameOnce, shallowOnce, configOnce, headOnce sync.Once
	name                                        string
	shallow                                     bool
	cfg                                         *repoConfig
	head                                        string
	headErr                                     error
}

// Open finds the repository that holds dir.
func Open(ctx context.Context, dir string) (*Repo, error) {
	// One git run answers everything for a work tree, the common case (a
	// rescan with nothing new is mostly waiting for git runs), HEAD's
	// commit included: every scan asks it next. Where HEAD is not a
	// commit (a new repository) the run fails and is asked again without
	// it; a bare repository makes --show-toplevel fail before HEAD is
	// read, and is asked again without either.
	ask := []string{"rev-parse", "--is-bare-repository", "--is-inside-work-tree", "--show-prefix"}
	out, err := run(ctx, dir, append(ask, "--show-toplevel", "--verify", "--quiet", "--end-of-options", "HEAD^{commit}")...)
	withHead := err == nil
	if err != nil && !workTreeOnly(err) && !strings.Contains(err.Error(), "not a git repository") && ctx.Err() == nil {
		out, err = run(ctx, dir, append(ask, "--show-toplevel")...)
	}
	if err != nil && workTreeOnly(err) {
		out, err = run(ctx, dir, ask...)
	}
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
	// --show-prefix prints an empty line at the top, --show-toplevel an
	// absolute path, then comes HEAD's commit when it was asked.
	if len(lines) < 4 || !filepath.IsAbs(lines[3]) {
		return nil, fmt.Errorf("git rev-parse in %s: unexpected output", dir)
	}
	r.Prefix = strings.TrimSuffix(lines[2], "/")
	r.Root = lines[3]
	if head := lines[len(lines)-1]; withHead && len(lines) > 4 && isObjectID(head) {
		r.headOnce.Do(func() { r.head = head })
	}
	return r, nil
}

// isObjectID says whether s is a full object id (SHA-1 or SHA-256, hex).
func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// workTreeOnly says whether git refused an operation for want of a work
// tree (--show-toplevel in a bare repository).
func workTreeOnly(err error) bool {
	return strings.Contains(err.Error(), "must be run in a work tree")
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
	r.shallowOnce.Do(func() {
		out, err := r.Run(ctx, "rev-parse", "--is-shallow-repository")
		r.shallow = err == nil && strings.TrimSpace(string(out)) == "true"
	})
	return r.shallow
}

// HasCommits says whether HEAD points at a commit (false in a new repository).
func (r *Repo) HasCommits(ctx context.Context) bool {
	_, err := r.ResolveCommit(ctx, "HEAD")
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
	if rev == "HEAD" {
		// asked by several steps of one scan, some at once
		r.headOnce.Do(func() { r.head, r.headErr = r.resolve(ctx, rev) })
		return r.head, r.headErr
	}
	return r.resolve(ctx, rev)
}

func (r *Repo) resolve(ctx context.Context, rev string) (string, error) {
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
	// The untracked files do not depend on HEAD: listing them while HEAD
	// is checked keeps one git run off an unchanged rescan's path.
	var untracked []byte
	var untrackedErr error
	untrackedDone := make(chan struct{})
	go func() {
		defer close(untrackedDone)
		untracked, untrackedErr = r.Run(ctx, append([]string{"ls-files", "-z", "--others", "--exclude-standard"}, r.pathspecOrAll()...)...)
	}()
	if !r.HasCommits(ctx) {
		<-untrackedDone
		return r.TrackedAndUntracked(ctx)
	}
	changed, changedErr := r.Run(ctx, append([]string{"diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", "HEAD"}, r.pathspecOrAll()...)...)
	<-untrackedDone
	if changedErr != nil && ctx.Err() == nil {
		// A damaged repository: git diff reads HEAD's blobs when the
		// index's file times are stale (a copied checkout), and dies (or
		// crashes) on a missing one. The index against HEAD (trees only)
		// and the files against the index (their own hashes) say nearly
		// the same without reading a blob: a file staged and then changed
		// back is listed too, and scanned as it is.
		changed, changedErr = r.changedWithoutBlobs(ctx)
	}
	if changedErr != nil {
		return nil, changedErr
	}
	if untrackedErr != nil {
		return nil, untrackedErr
	}
	return splitZ(changed, untracked), nil
}

func (r *Repo) changedWithoutBlobs(ctx context.Context) ([]byte, error) {
	staged, err := r.Run(ctx, append([]string{"diff", "--cached", "--name-only", "-z", "--no-renames", "HEAD"}, r.pathspecOrAll()...)...)
	if err != nil {
		return nil, err
	}
	modified, err := r.Run(ctx, append([]string{"ls-files", "-z", "--modified"}, r.pathspecOrAll()...)...)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []byte
	for _, p := range splitZ(staged, modified) {
		if !seen[p] {
			seen[p] = true
			out = append(append(out, p...), 0)
		}
	}
	return out, nil
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
	ctx    context.Context
	root   string
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *bytes.Buffer
}

// NewBlobReader starts the reader; Close it when done.
func (r *Repo) NewBlobReader(ctx context.Context) (*BlobReader, error) {
	b := &BlobReader{ctx: ctx, root: r.Root}
	if err := b.start(); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *BlobReader) start() error {
	cmd := exec.CommandContext(b.ctx, "git", "-C", b.root, "cat-file", "--batch")
	cmd.Env = gitEnv()
	cmd.WaitDelay = waitDelay
	b.stderr = &bytes.Buffer{}
	cmd.Stderr = &limitedWriter{w: b.stderr, n: 64 << 10}
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git cat-file in %s: %w", b.root, err)
	}
	b.cmd, b.in, b.out = cmd, in, bufio.NewReader(out)
	return nil
}

// Read returns the content of path at rev, or ok=false when it does not
// exist there (or is not a blob). An object git cannot read is absent too:
// a damaged repository answers "missing", and git dies on an object a
// partial clone left out (it must not fetch it), so the reader starts
// again.
func (b *BlobReader) Read(rev, path string) (content []byte, ok bool, err error) {
	if strings.ContainsAny(path, "\n") {
		return nil, false, nil
	}
	if _, err := fmt.Fprintf(b.in, "%s:%s\n", rev, path); err != nil {
		return b.died(fmt.Errorf("git cat-file: %w", err))
	}
	header, err := b.out.ReadString('\n')
	if err != nil {
		return b.died(fmt.Errorf("git cat-file: %w", err))
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

// died handles a cat-file that stopped answering: when git says it could
// not read an object, the object is absent and a new process takes the
// next question; anything else is the error.
func (b *BlobReader) died(err error) ([]byte, bool, error) {
	b.in.Close()
	_, _ = io.Copy(io.Discard, b.out)
	waitErr := b.cmd.Wait()
	if b.ctx.Err() != nil {
		return nil, false, b.ctx.Err()
	}
	if waitErr == nil || !MissingObject(b.stderr.String()) {
		if msg := firstLine(b.stderr.Bytes()); msg != "" {
			err = fmt.Errorf("git cat-file in %s: %s", b.root, msg)
		}
		b.cmd = nil
		return nil, false, err
	}
	if err := b.start(); err != nil {
		b.cmd = nil
		return nil, false, err
	}
	return nil, false, nil
}

// Close stops the process.
func (b *BlobReader) Close() error {
	if b.cmd == nil {
		return nil
	}
	b.in.Close()
	_, _ = io.Copy(io.Discard, b.out)
	return b.cmd.Wait()
}

// MissingObject says whether git's stderr is about an object it could not
// read: missing from a damaged repository, or left out of a partial clone
// and not fetched.
func MissingObject(stderr string) bool {
	for _, s := range []string{"unable to read", "could not fetch", "bad object", "missing blob", "missing tree", "is corrupt", "bad tree object", "lazy fetching disabled", "not allowed"} {
		if strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}

// FilesContaining lists the files at rev that contain any of the fixed
// strings. The strings go to git on stdin, never on its command line,
// where other users of the machine could read them.
func (r *Repo) FilesContaining(ctx context.Context, rev string, fixed []string) ([]string, error) {
	if len(fixed) == 0 {
		return nil, nil
	}
	// one secret is often many findings (rules, files): git grep's time
	// grows with the number of patterns
	fixed = slices.Compact(slices.Sorted(slices.Values(fixed)))
	files, stderr, err := r.grep(ctx, rev, fixed, nil)
	if err != nil && MissingObject(stderr) {
		// a file at rev git cannot read (a damaged clone, a partial
		// clone's missing blob): search the others, without it
		missing, lerr := r.MissingAt(ctx, rev)
		if lerr == nil && len(missing) > 0 {
			files, _, err = r.grep(ctx, rev, fixed, missing)
		}
	}
	return files, err
}

func (r *Repo) grep(ctx context.Context, rev string, fixed, without []string) (files []string, stderrText string, err error) {
	args := []string{"grep", "-F", "-l", "-z", "-I", "--no-color", "-f", "/dev/stdin", rev}
	if len(without) > 0 {
		args = append(args, "--")
		for _, p := range without {
			args = append(args, ":(exclude,literal)"+p)
		}
	}
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", r.Root}, args...)...)
	cmd.Env = gitEnv()
	cmd.WaitDelay = waitDelay
	cmd.Stdin = strings.NewReader(strings.Join(fixed, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 && stderr.Len() == 0 {
			return nil, "", nil // nothing found
		}
		// Not git's message: it could quote a pattern, and the patterns
		// are secrets.
		return nil, stderr.String(), fmt.Errorf("git grep in %s failed: %v", r.Root, err)
	}
	for _, p := range splitZ(out) {
		files = append(files, strings.TrimPrefix(p, rev+":"))
	}
	return files, "", nil
}

// Lacks returns the objects of ids the repository does not hold: git lists
// every object it holds (packed, loose, in alternates; not a partial
// clone's promised ones) without reading any, and only ids are kept.
func (r *Repo) Lacks(ctx context.Context, ids map[string]bool) (map[string]bool, error) {
	cmd, stderr := r.Command(ctx, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)", "--unordered")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git cat-file in %s: %w", r.Root, err)
	}
	lacks := make(map[string]bool, len(ids))
	for id := range ids {
		lacks[id] = true
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && len(lacks) > 0 {
		delete(lacks, string(sc.Bytes()))
	}
	_, _ = io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		return nil, CommandError(r.Root, []string{"cat-file"}, err, stderr.Bytes())
	}
	return lacks, nil
}

// MissingAt lists the files at rev whose blobs the repository lacks
// (without fetching any).
func (r *Repo) MissingAt(ctx context.Context, rev string) ([]string, error) {
	missing, err := r.MissingObjects(ctx, []string{"--no-walk", rev})
	if err != nil || len(missing) == 0 {
		return nil, err
	}
	out, err := r.Run(ctx, "ls-tree", "-r", "-z", "--full-tree", rev)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, e := range bytes.Split(out, []byte{0}) {
		meta, path, ok := bytes.Cut(e, []byte{'\t'})
		if f := strings.Fields(string(meta)); ok && len(f) == 3 && missing[f[2]] {
			paths = append(paths, string(path))
		}
	}
	return paths, nil
}

// Command builds a git command in the repository for streaming use; the
// caller starts it and reads stdout. Stderr is collected for the error.
func (r *Repo) Command(ctx context.Context, args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", r.Root}, args...)...)
	cmd.Env = gitEnv()
	cmd.WaitDelay = waitDelay
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
	cmd.WaitDelay = waitDelay
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
		// diff.interHunkContext: a user's setting would join nearby hunks
		// of `git log -p -U0` with context lines between them, and the
		// added lines after them would be reported on the wrong line.
		"GIT_CONFIG_PARAMETERS='core.quotepath=false' 'color.ui=false' 'log.showSignature=false' 'core.deltaBaseCacheLimit=16m' 'diff.interHunkContext=0'",
		// A partial clone's missing objects are never fetched, one by one,
		// in the middle of a scan: git reports them missing instead, and
		// the scan names them as gaps. GIT_NO_LAZY_FETCH is git's own
		// switch (2.44, and the 2.39.4+ maintenance releases); where git
		// does not know it, the lazy fetch it starts may use no transport
		// at all, so it fails at once instead of going to the network.
		// channelguard's scans never fetch (org's mirror runs its own git).
		"GIT_NO_LAZY_FETCH=1",
		"GIT_ALLOW_PROTOCOL="+noProtocol,
	)
}

// waitDelay bounds how long a git command that has exited or been
// stopped may keep its output pipes open: a process git started and left
// behind (a hook, a lazy fetch with an older git) must not hang the scan.
const waitDelay = 10 * time.Second

// noProtocol is a transport no git has: allowing only it allows none.
const noProtocol = "channelguard-no-fetch"

// PartialClone names the promisor remotes of a partial clone (git clone
// --filter: objects it left out are on those remotes), nil for a complete
// repository.
func (r *Repo) PartialClone(ctx context.Context) []string {
	return r.config(ctx).promisors
}

func isTrue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "on", "1", "":
		return true
	}
	return false
}

// MissingObjects lists the objects revs reach that the repository does not
// hold (without fetching any): `git rev-list --objects --missing=print`.
// It costs a walk of every tree, so it is asked only after git failed to
// read something.
func (r *Repo) MissingObjects(ctx context.Context, revs []string) (map[string]bool, error) {
	cmd, stderr := r.Command(ctx, append([]string{"rev-list", "--objects", "--missing=print"}, revs...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git rev-list in %s: %w", r.Root, err)
	}
	missing := map[string]bool{}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if l := sc.Bytes(); len(l) > 1 && l[0] == '?' {
			missing[string(l[1:])] = true
		}
	}
	_, _ = io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		return nil, CommandError(r.Root, []string{"rev-list"}, err, stderr.Bytes())
	}
	return missing, nil
}

// Message is what git's stderr says went wrong, on one line.
func Message(stderr []byte) string { return firstLine(stderr) }

// firstLine is git's message: its first fatal or error line, else its
// first line that is not a hint (a warning such as "lazy fetching
// disabled" comes before the fatal line that says what failed).
func firstLine(b []byte) string {
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if m, ok := strings.CutPrefix(l, "fatal: "); ok && m != "" {
			return m
		}
		if m, ok := strings.CutPrefix(l, "error: "); ok && m != "" {
			return m
		}
	}
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
