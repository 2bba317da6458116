package hostile

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
			cmd := exec.Command(bin, "scan", repo, "--no-cache", "-v", "-f", "json", "-o", output)
			// GOTRACEBACK=all: a hang is shown as every goroutine's stack
			cmd.Env = append(baseEnv(), "TMPDIR="+tmp, "GOTRACEBACK=all")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			resetPeakRSS()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			// stderr is read apart from the process: a git child that
			// kept the pipe open must not look like channelguard hanging
			var (
				mu       sync.Mutex
				log      strings.Builder
				scanning = make(chan struct{})
				once     sync.Once
				readDone = make(chan struct{})
			)
			go func() {
				defer close(readDone)
				lines := bufio.NewScanner(stderr)
				for lines.Scan() {
					mu.Lock()
					log.WriteString(lines.Text() + "\n")
					mu.Unlock()
					if strings.Contains(lines.Text(), "scanning ") {
						once.Do(func() { close(scanning) })
					}
				}
			}()
			stderrText := func() string {
				mu.Lock()
				defer mu.Unlock()
				return log.String()
			}
			exited := make(chan *os.ProcessState, 1)
			go func() {
				ps, _ := cmd.Process.Wait()
				exited <- ps
			}()
			select {
			case <-scanning:
			case ps := <-exited:
				t.Fatalf("exited (%s) before it said it was scanning:\n%s", ps, stderrText())
			case <-time.After(runTimeout):
				t.Fatalf("did not start scanning in %s:\n%s", runTimeout, stderrText())
			}
			time.Sleep(500 * time.Millisecond) // well inside the scan (it takes a few seconds)
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var ps *os.ProcessState
			select {
			case ps = <-exited:
			case <-time.After(runTimeout / 2):
				// every goroutine's stack, to see what did not stop
				_ = cmd.Process.Signal(syscall.SIGQUIT)
				select {
				case <-exited:
				case <-time.After(5 * time.Second):
				}
				time.Sleep(200 * time.Millisecond)
				out, _ := exec.Command("ps", "-o", "pid,ppid,stat,etime,args", "-g", fmt.Sprint(cmd.Process.Pid)).CombinedOutput()
				t.Fatalf("still running %s after %s; its process group:\n%s\nstderr, with the goroutines SIGQUIT printed:\n%s", runTimeout/2, sig, out, stderrText())
			}
			took := time.Since(sent)
			// the rest of stderr: the pipe ends when every writer is gone
			select {
			case <-readDone:
			case <-time.After(10 * time.Second):
				t.Errorf("stderr still open 10 s after channelguard exited: a child kept it")
			}
			r := result{stderr: stderrText(), code: ps.ExitCode(), rss: peakRSS(ps), dur: took}
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
