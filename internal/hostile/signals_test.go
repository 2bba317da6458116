package hostile

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bigHistory makes a repository of n commits, each rewriting a 90 KB file,
// with git fast-import (seconds, where one git commit per step takes minutes).
func bigHistory(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	var stream bytes.Buffer
	for i := 1; i <= n; i++ {
		var data bytes.Buffer
		for j := 0; j < 1500; j++ {
			fmt.Fprintf(&data, "line %d of commit %d abcdefghijklmnopqrstuvwxyz0123456789\n", j, i)
		}
		fmt.Fprintf(&stream, "commit refs/heads/main\ncommitter A <a@example.com> %d +0000\ndata 2\nc\n", 1700000000+i)
		fmt.Fprintf(&stream, "M 644 inline f%d.txt\ndata %d\n%s\n", i%50, data.Len(), data.Bytes())
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir, cmd.Stdin = dir, &stream
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}
	git(t, dir, "checkout", "-q", "main")
	return dir
}

// SIGINT and SIGTERM during a long scan: exit 2 soon, no report at
// --output, no temporary file next to it or in TMPDIR, no child left.
func TestInterruptDuringScan(t *testing.T) {
	repo := bigHistory(t, 1000)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			outDir, tmp := t.TempDir(), t.TempDir()
			output := filepath.Join(outDir, "report.json")
			ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "scan", repo, "--no-cache", "-v", "-f", "json", "-o", output)
			cmd.Env = append(baseEnv(), "TMPDIR="+tmp)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			resetPeakRSS()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var log strings.Builder
			lines := bufio.NewScanner(stderr)
			for lines.Scan() {
				log.WriteString(lines.Text() + "\n")
				if strings.Contains(lines.Text(), "scanning ") {
					break
				}
			}
			time.Sleep(500 * time.Millisecond) // well inside the scan (it takes a few seconds)
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			for lines.Scan() {
				log.WriteString(lines.Text() + "\n")
			}
			cmd.Wait()
			took := time.Since(sent)
			if ctx.Err() != nil {
				t.Fatalf("still running %s after %s", runTimeout, sig)
			}
			r := result{stderr: log.String(), code: cmd.ProcessState.ExitCode(), rss: peakRSS(cmd.ProcessState), dur: took}
			checkSane(t, []string{"scan", "(" + sig.String() + ")"}, r)
			if r.code != 2 {
				t.Errorf("exit %d after %s, want 2\nstderr: %s", r.code, sig, r.stderr)
			}
			if !strings.Contains(r.stderr, "channelguard: interrupted; no report written\n") {
				t.Errorf("stderr does not say it was interrupted:\n%s", r.stderr)
			}
			if took > 5*time.Second {
				t.Errorf("exited %s after %s", took, sig)
			}
			t.Logf("%s: exit %d %s after the signal", sig, r.code, took.Round(time.Millisecond))
			for _, d := range []string{outDir, tmp} {
				if left, _ := os.ReadDir(d); len(left) > 0 {
					t.Errorf("%s left files in %s: %v", sig, d, left)
				}
			}
			if err := syscall.Kill(-cmd.Process.Pid, 0); err != syscall.ESRCH {
				t.Errorf("a process of channelguard's group outlived it (kill -0: %v)", err)
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			}
		})
	}
}
