// Command gitfloor runs the git commands a history scanner runs, with the
// same options and environment, reads their output through pipes as the
// scanner does and throws it away: what git alone costs to produce the
// patches the scanner parses. It is the floor row of bench/run.sh.
//
//	gitfloor -as gitleaks REPO               # gitleaks v8.30.1's git log
//	gitfloor -as channelguard [-jobs N] REPO # channelguard's rev-list and git log streams
//	gitfloor -as channelguard -print REPO    # print the commands, run nothing
//
// -as gitleaks runs what gitleaks' sources.NewGitLogCmdContext runs without
// --log-opts:
//
//	git -C REPO log -p -U0 --full-history --all --diff-filter=tuxdb
//
// -as channelguard runs what scanner/history runs for `channelguard scan`
// (--jobs N, default one per two CPUs, as scan's): with N = 1 one `git
// log -p -U0 --full-history … --all`; else `git rev-list --full-history
// --all`, then, when the history has at least 250 commits
// per stream, N `git log --no-walk=unsorted --stdin -p -U0 --no-ext-diff
// --no-textconv --no-color --format=medium --diff-filter=tuxb
// --irreversible-delete` processes, each given runs of 64 commits in turn
// on stdin, read through 1 MiB pipes (Linux); on a shorter history one
// `git log -p -U0 --full-history … --all`. Its environment adds what
// channelguard's gitrepo adds (core.deltaBaseCacheLimit=16m among others)
// and, for git log, the attributes file that tells git to omit the paths
// of gitleaks' default global path allowlist (scanner/history Omit).
// The test holds these arguments to scanner/history's and gitleaks'
// sources, so the floor follows them.
//
// It prints the bytes read to stderr. Exit status: 0 done, 2 error.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/scanner/gitrepo"
	"github.com/channelguard/channelguard/scanner/history"
)

// Mirrors of the scanners' git commands (see the test).
var (
	// gitleaks: sources.NewGitLogCmdContext, no --log-opts
	gitleaksLog = []string{"log", "-p", "-U0", "--full-history", "--all", "--diff-filter=tuxdb"}

	// channelguard: scanner/history logArgs + start (one stream) and
	// startStreams (Jobs streams), Revs = {"--all"}, no pathspec
	cgSingle  = []string{"log", "-p", "-U0", "--full-history", "--no-ext-diff", "--no-textconv", "--no-color", "--format=medium", "--diff-filter=tuxb", "--irreversible-delete", "--all"}
	cgStream  = []string{"log", "--no-walk=unsorted", "--stdin", "-p", "-U0", "--no-ext-diff", "--no-textconv", "--no-color", "--format=medium", "--diff-filter=tuxb", "--irreversible-delete"}
	cgRevList = []string{"rev-list", "--full-history", "--all"}
	// scanner/gitrepo gitEnv
	cgEnv = []string{
		"GIT_TERMINAL_PROMPT=0",
		"GIT_PAGER=cat",
		"LC_ALL=C",
		"GIT_CONFIG_PARAMETERS='core.quotepath=false' 'color.ui=false' 'log.showSignature=false' 'core.deltaBaseCacheLimit=16m' 'diff.interHunkContext=0'",
		"GIT_NO_LAZY_FETCH=1",
		"GIT_ALLOW_PROTOCOL=channelguard-no-fetch",
	}
)

const (
	minCommitsPerStream = 250       // scanner/history
	dealRun             = 64        // scanner/history startStreams
	readBuffer          = 256 << 10 // scanner/history startPatches
)

func main() {
	as := flag.String("as", "", "whose git commands to run: gitleaks or channelguard")
	jobs := flag.Int("jobs", max(1, runtime.NumCPU()/2), "with -as channelguard: channelguard scan's --jobs (default as scan's: one per two cores)")
	print := flag.Bool("print", false, "print the commands (for the history in REPO) and run nothing")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: gitfloor -as gitleaks|channelguard [-jobs N] [-print] REPO")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || (*as != "gitleaks" && *as != "channelguard") || *jobs < 1 {
		flag.Usage()
		os.Exit(2)
	}
	repo := flag.Arg(0)
	var (
		n   int64
		err error
	)
	ctx := context.Background()
	if *as == "gitleaks" {
		if *print {
			fmt.Println(command(repo, gitleaksLog, "", nil))
			return
		}
		n, err = readAll(ctx, repo, gitleaksLog, nil, nil, false)
	} else {
		n, err = channelguard(ctx, repo, *jobs, *print)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gitfloor:", err)
		os.Exit(2)
	}
	if !*print {
		fmt.Fprintf(os.Stderr, "gitfloor: %d bytes of patches\n", n)
	}
}

// plan is how channelguard reads a history: the commits, and their shares
// among streams (none: one git log over the revisions).
func plan(commits []string, jobs int) [][]string {
	n := min(jobs, len(commits)/minCommitsPerStream)
	if n <= 1 {
		return nil
	}
	shares := make([][]string, n)
	for i, c := range commits {
		k := i / dealRun % n
		shares[k] = append(shares[k], c)
	}
	return shares
}

func channelguard(ctx context.Context, repo string, jobs int, print bool) (int64, error) {
	// git log is told to omit the paths of gitleaks' default global
	// allowlist, as a scan with the built-in rules does
	r, err := gitrepo.Open(ctx, repo)
	if err != nil {
		return 0, err
	}
	omit, patterns, remove, err := history.OmitEnv(ctx, r, rules.DefaultSkippedPaths())
	if err != nil {
		return 0, err
	}
	defer remove()
	logEnv := append(slices.Clip(cgEnv), omit...)
	note := ""
	if patterns > 0 {
		note = fmt.Sprintf("(with core.attributesFile: %d -diff patterns for gitleaks' default global path allowlist)", patterns)
	}
	if jobs <= 1 { // one git log, no list of commits first
		if print {
			fmt.Println(command(repo, cgSingle, note, cgEnv))
			return 0, nil
		}
		return readAll(ctx, repo, cgSingle, logEnv, nil, true)
	}
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", repo}, cgRevList...)...)
	cmd.Env = append(os.Environ(), cgEnv...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("git rev-list: %w", err)
	}
	shares := plan(strings.Fields(string(out)), jobs)
	if print {
		fmt.Println(command(repo, cgRevList, "", cgEnv))
		if shares == nil {
			fmt.Println(command(repo, cgSingle, note, cgEnv))
		}
		for i, s := range shares {
			fmt.Println(command(repo, cgStream, strings.TrimSpace(fmt.Sprintf("< stream %d of %d: %d commits %s", i+1, len(shares), len(s), note)), cgEnv))
		}
		return 0, nil
	}
	if shares == nil {
		return readAll(ctx, repo, cgSingle, logEnv, nil, true)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int64
		errs  []error
	)
	for _, s := range shares {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := readAll(ctx, repo, cgStream, logEnv, strings.NewReader(strings.Join(s, "\n")+"\n"), true)
			mu.Lock()
			defer mu.Unlock()
			total += n
			errs = append(errs, err)
		}()
	}
	wg.Wait()
	return total, errors.Join(errs...)
}

// readAll runs git -C repo args, reads its stdout to the end and discards
// it; wide widens the pipe as channelguard does.
func readAll(ctx context.Context, repo string, args, env []string, stdin io.Reader, wide bool) (int64, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", repo}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = stdin
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if wide {
		widenPipe(stdout)
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	n, copyErr := io.Copy(io.Discard, bufio.NewReaderSize(stdout, readBuffer))
	if err := cmd.Wait(); err != nil {
		return n, fmt.Errorf("git %s: %w", args[0], err)
	}
	return n, copyErr
}

// command renders a git command line for people (bench/run.sh prints it).
func command(repo string, args []string, note string, env []string) string {
	var b strings.Builder
	for _, e := range env {
		if strings.HasPrefix(e, "GIT_CONFIG_PARAMETERS=") {
			b.WriteString("GIT_CONFIG_PARAMETERS=\"" + strings.TrimPrefix(e, "GIT_CONFIG_PARAMETERS=") + "\" ")
		}
	}
	b.WriteString("git -C " + repo + " " + strings.Join(args, " "))
	if note != "" {
		b.WriteString(" " + note)
	}
	return b.String()
}
