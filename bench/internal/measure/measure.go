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
	err := cmd.Wait()
	wall := time.Since(start)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return Result{}, fmt.Errorf("wait for %s: %w", name, err)
	}
	st := cmd.ProcessState
	return Result{
		Wall:     wall,
		User:     st.UserTime(),
		Sys:      st.SystemTime(),
		MaxRSSKB: maxRSSKB(st),
		ExitCode: st.ExitCode(),
	}, nil
}
