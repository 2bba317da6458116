// Package hostile runs the real channelguard binary against hostile inputs
// (missing, unreadable, binary, huge, malformed, recursive, hidden, signalled)
// and holds what it does: exit 2 with one clear line, or a skip, never a
// panic, a hang or unbounded memory; and never a raw secret in any output.
package hostile

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/channelguard/channelguard/internal/fakecred"
)

// bin is the channelguard binary TestMain builds.
var bin string

// repoRoot is the module root (testdata lives there).
var repoRoot string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "channelguard-hostile-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer os.RemoveAll(dir)
		_, here, _, _ := runtime.Caller(0)
		repoRoot = filepath.Clean(filepath.Join(filepath.Dir(here), "..", ".."))
		bin = filepath.Join(dir, "channelguard")
		build := exec.Command("go", "build", "-tags", "gore2regex", "-o", bin, "./cmd/channelguard")
		build.Dir = repoRoot
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build channelguard: %v\n%s", err, out)
			return 2
		}
		return m.Run()
	}())
}

// runTimeout bounds every run: a run past it is killed and fails the test
// as a hang.
const runTimeout = 60 * time.Second

// maxRSS bounds every run's peak resident memory.
const maxRSS = 512 << 20

// secret is the fake channel secret planted in hostile inputs.
var secret = fakecred.ChannelSecret("hostile")

type result struct {
	stdout, stderr string
	code           int
	rss            int64 // peak RSS, bytes
	dur            time.Duration
}

type runOpts struct {
	dir   string   // working directory (default: a temp dir)
	env   []string // added to the environment
	stdin string
	// bin runs another copy of the binary; uid, when set, runs it as that
	// user (the test runs as root, which file modes do not stop).
	bin string
	uid *syscall.Credential
}

// run runs channelguard with args and checks what every run must hold: it
// ends within runTimeout, with an exit code of 0, 1 or 2, without a panic,
// under maxRSS.
func run(t *testing.T, o runOpts, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	exe := bin
	if o.bin != "" {
		exe = o.bin
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	if o.uid != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: o.uid}
	}
	cmd.Dir = o.dir
	if cmd.Dir == "" {
		cmd.Dir = t.TempDir()
	}
	cmd.Env = append(baseEnv(), o.env...)
	cmd.Stdin = strings.NewReader(o.stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	resetPeakRSS()
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), dur: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("channelguard %s: still running after %s (killed): a hang\nstderr: %s", strings.Join(args, " "), runTimeout, r.stderr)
	}
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("channelguard %s: %v", strings.Join(args, " "), err)
		}
	}
	r.code = cmd.ProcessState.ExitCode()
	r.rss = peakRSS(cmd.ProcessState)
	checkSane(t, args, r)
	return r
}

func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GITHUB_") || strings.HasPrefix(kv, "GIT_") {
			continue // the runner's Actions or git environment is not the test's
		}
		env = append(env, kv)
	}
	return append(env, "NO_COLOR=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
}

// resetPeakRSS makes the child's peak RSS its own. On Linux a child starts
// as a clone sharing the test process's memory, and exec carries that
// memory's high-water mark into the child's ru_maxrss: after a test that
// built 100 MB of input, every child would report the test's peak. Freeing
// the heap and resetting the test process's high-water mark
// (/proc/self/clear_refs 5) leaves the test's current RSS, a few tens of
// MB, as the floor of what a child reports.
func resetPeakRSS() {
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func peakRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss) // bytes
	}
	return int64(ru.Maxrss) * 1024 // KiB on Linux
}

func checkSane(t *testing.T, args []string, r result) {
	t.Helper()
	name := "channelguard " + strings.Join(args, " ")
	if r.code < 0 || r.code > 2 {
		t.Errorf("%s: exit %d, want 0, 1 or 2\nstderr: %s", name, r.code, r.stderr)
	}
	for _, s := range []string{"panic:", "goroutine ", "runtime error", "fatal error:"} {
		if strings.Contains(r.stderr, s) || strings.Contains(r.stdout, s) {
			t.Errorf("%s: output holds %q (a crash)\nstderr: %s", name, s, r.stderr)
		}
	}
	if r.rss > maxRSS {
		t.Errorf("%s: peak RSS %d MB, want < %d MB", name, r.rss>>20, maxRSS>>20)
	}
	t.Logf("%s: exit %d in %s, peak RSS %.0f MB", name, r.code, r.dur.Round(time.Millisecond), float64(r.rss)/(1<<20))
}

// wantError checks an exit 2 with exactly one line on stderr holding every
// one of want.
func wantError(t *testing.T, r result, want ...string) {
	t.Helper()
	if r.code != 2 {
		t.Errorf("exit %d, want 2\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) != 1 || lines[0] == "" {
		t.Errorf("stderr has %d lines, want one:\n%s", len(lines), r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q does not name %q", strings.TrimSpace(r.stderr), w)
		}
	}
	if r.stdout != "" {
		t.Errorf("an error wrote a report to stdout:\n%s", r.stdout)
	}
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// secretLine is a line the LINE channel secret rule finds.
func secretLine(s string) string { return "LINE_CHANNEL_SECRET=" + s + "\n" }

// git runs git in dir with a fixed identity.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(baseEnv(),
		"GIT_AUTHOR_NAME=Alice Example", "GIT_AUTHOR_EMAIL=alice@example.com",
		"GIT_COMMITTER_NAME=Alice Example", "GIT_COMMITTER_EMAIL=alice@example.com",
		"GIT_AUTHOR_DATE=2024-01-01T12:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T12:00:00Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}
