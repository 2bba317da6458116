// Command channelguard finds leaked LINE Platform credentials (and every
// secret gitleaks' default rules find) in git history, working trees and
// files, and reports them with the steps that fix them.
//
// Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/channelguard/channelguard/internal/wording"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

const (
	exitOK       = 0
	exitFindings = 1
	exitError    = 2
)

// exitCode carries a process exit code through cobra's error path.
type exitCode struct {
	code int
	err  error // printed when set
}

func (e *exitCode) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("exit %d", e.code)
}

func main() {
	// The first SIGINT or SIGTERM stops the work and writes no report;
	// a second one, from a user who will not wait for git to be reaped
	// and temporary files removed, exits at once.
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, "channelguard: interrupted again; exiting now, no report written")
		os.Exit(exitError)
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	signal.Stop(sigs)
	os.Exit(code)
}

// run is main without the process: tests call it directly. Commands read
// stdin through cobra's InOrStdin (scan -).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetIn(stdin)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ec *exitCode
	if errors.As(err, &ec) {
		if ec.err != nil {
			fmt.Fprintf(stderr, "channelguard: %s\n", wording.FirstLine(ec.err.Error()))
		}
		return ec.code
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "channelguard: interrupted; no report written")
		return exitError
	}
	// Flag and argument errors from cobra, and anything else.
	msg := wording.FirstLine(err.Error())
	fmt.Fprintf(stderr, "channelguard: %s\n", msg)
	if isUsageError(msg) {
		fmt.Fprintln(stderr, "Run 'channelguard --help' for usage.")
	}
	return exitError
}

func isUsageError(msg string) bool {
	for _, s := range []string{"unknown flag", "unknown shorthand", "unknown command", "accepts ", "requires ", "invalid argument", "flag needs"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "channelguard",
		Short: "Find leaked LINE channel secrets and access tokens, and say how to fix them",
		Long: `channelguard scans git history, working trees and files for leaked LINE
Platform credentials (channel secrets, channel access tokens, LINE Notify
tokens) and every secret gitleaks' default rules find, and API captures (HAR
files) for secrets in traffic and for fields an API sends to a console role
that must not receive them. Each finding says where the secret is, since
when it has been exposed and how to rotate it.

  channelguard scan     a repository, directory, file or API capture
  channelguard pr       a pull request or push, in GitHub Actions
  channelguard org      every repository of a GitHub organisation, user or list
  channelguard replay   replay an API capture as a lower role: what is it served?
  channelguard report   render, merge or compare saved JSON reports
  channelguard rules    the rules and the role policy

Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 error.`,
		Version:       version + "\nregex engine: " + regexEngine,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitCode{code: exitError, err: fmt.Errorf("%w (see 'channelguard %s --help')", err, c.Name())}
	})
	root.AddCommand(newScanCmd(stdout, stderr), newPRCmd(stdout, stderr), newRulesCmd(stdout), newOrgCmd(stdout, stderr), newReportCmd(stdout, stderr))
	root.AddCommand(newReplayCmd(stdout, stderr))
	root.CompletionOptions.HiddenDefaultCmd = true
	return root
}
