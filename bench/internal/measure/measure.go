// Package measure runs one command and reports what it cost: wall time,
// user and system CPU time (including the children it waited for, such as
// the `git log` a scanner starts) and peak resident memory.
//
// It replaces GNU time so the benchmark runs the same way on any machine
// with Go, and it summarises repeated runs as medians.
package measure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"
)

// Result is the cost of one run of one command.
type Result struct {
	Wall time.Duration
	User time.Duration
	Sys  time.Duration
	// MaxRSSKB is the peak resident set size in KiB of the largest single
	// process (the command or one of the children it waited for), as the
	// kernel reports it in rusage; it is not the sum over the process tree.
	// Zero where the platform does not report it.
	MaxRSSKB int64
	// TreeRSSKB is the largest total resident memory of the command and all
	// its descendants at once (gitleaks plus its git log, say), sampled from
	// /proc every 20 ms. Linux only; zero elsewhere.
	TreeRSSKB int64
	// ExitCode is the command's exit status; -1 when killed by a signal.
	ExitCode int
}

// CPU is user plus system time.
func (r Result) CPU() time.Duration { return r.User + r.Sys }

// Run starts name with args, connects its output to stdout and stderr (nil
// discards), waits for it and returns its cost. A non-zero exit is not an
// error: it is reported in Result.ExitCode so the caller decides which codes
// are acceptable. The error is only for a command that could not run.
func Run(ctx context.Context, stdout, stderr io.Writer, name string, args ...string) (Result, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("start %s: %w", name, err)
	}
	stop, peak := make(chan struct{}), make(chan int64, 1)
	go sampleTree(cmd.Process.Pid, stop, peak)
	err := cmd.Wait()
	wall := time.Since(start)
	close(stop)
	tree := <-peak
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return Result{}, fmt.Errorf("wait for %s: %w", name, err)
	}
	st := cmd.ProcessState
	rss := maxRSSKB(st)
	if tree > 0 && tree < rss {
		// A sample can miss the moment of the peak; the tree held at least
		// as much as its largest process did.
		tree = rss
	}
	return Result{
		Wall:      wall,
		User:      st.UserTime(),
		Sys:       st.SystemTime(),
		MaxRSSKB:  rss,
		TreeRSSKB: tree,
		ExitCode:  st.ExitCode(),
	}, nil
}
