// Command measure is the benchmark's stopwatch: it runs one command and
// records its wall time, CPU time (user+sys, including waited-for children)
// and peak RSS, and it prints the median table of a results file.
//
//	measure run -label gitleaks -round 1 -results R.tsv [-ok 0,1] [-stdout F] [-stderr F] -- CMD ARGS...
//	measure summary [-markdown] [-base gitleaks,git-log] [-focus channelguard,…] [-ratios A/B,…] R.tsv
//
// summary's table has ratio columns against each -base label present.
// After it come lines "LABEL ÷ BASE: wall x, CPU y, memory z": for each
// -focus label against each -base, and for each LABEL/BASE pair of -ratios
// (pairs whose labels did not run are left out).
//
// run exits 0 when the command's exit code is in -ok, 3 when it is not, and 2
// on a usage or I/O error. It never prints the command's output.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/channelguard/channelguard/bench/internal/measure"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = run(os.Args[2:])
	case "summary":
		err = summary(os.Args[2:])
	default:
		usage()
	}
	var ce codeError
	if errors.As(err, &ce) {
		fmt.Fprintln(os.Stderr, "measure:", ce.msg)
		os.Exit(ce.code)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(2)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage:
  measure run -label NAME -results FILE [-round N] [-ok 0,1] [-stdout F] [-stderr F] -- CMD [ARGS...]
  measure summary [-markdown] [-base gitleaks,git-log] [-focus channelguard,…] [-ratios A/B,…] FILE`)
	os.Exit(2)
}

type codeError struct {
	code int
	msg  string
}

func (e codeError) Error() string { return e.msg }

func run(args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	label := fs.String("label", "", "name of the tool in the table")
	round := fs.Int("round", 0, "round number")
	results := fs.String("results", "", "results file to append to (TSV)")
	okCodes := fs.String("ok", "0", "comma-separated exit codes that count as success")
	stdoutPath := fs.String("stdout", os.DevNull, "where the command's standard output goes")
	stderrPath := fs.String("stderr", os.DevNull, "where the command's standard error goes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *label == "" || *results == "" || fs.NArg() == 0 {
		usage()
	}
	ok := map[int]bool{}
	for _, s := range strings.Split(*okCodes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("-ok %q: %w", *okCodes, err)
		}
		ok[n] = true
	}
	stdout, err := openOut(*stdoutPath)
	if err != nil {
		return err
	}
	defer stdout.Close()
	stderr, err := openOut(*stderrPath)
	if err != nil {
		return err
	}
	defer stderr.Close()

	res, err := measure.Run(context.Background(), stdout, stderr, fs.Arg(0), fs.Args()[1:]...)
	if err != nil {
		return err
	}
	_, statErr := os.Stat(*results)
	f, err := os.OpenFile(*results, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	rec := measure.Record{Label: *label, Round: *round, Result: res}
	if err := measure.WriteTSV(f, rec, errors.Is(statErr, os.ErrNotExist)); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "  round %d  %-16s wall %7.2f s  CPU %7.2f s  RSS %5.0f MiB  tree RSS %5.0f MiB  exit %d\n",
		*round, *label, res.Wall.Seconds(), res.CPU().Seconds(), float64(res.MaxRSSKB)/1024,
		float64(res.TreeRSSKB)/1024, res.ExitCode)
	if !ok[res.ExitCode] {
		return codeError{3, fmt.Sprintf("%s exited %d (accepted: %s)", *label, res.ExitCode, *okCodes)}
	}
	return nil
}

func openOut(path string) (io.WriteCloser, error) {
	return os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
}

func summary(args []string) error {
	fs := flag.NewFlagSet("summary", flag.ContinueOnError)
	markdown := fs.Bool("markdown", false, "print a Markdown table")
	bases := fs.String("base", "gitleaks,git-log", "labels to compute ratios against")
	focus := fs.String("focus", "", "after the table, print these labels' ratios (comma-separated) to each base")
	pairs := fs.String("ratios", "", "after the table, print these ratios: comma-separated LABEL/BASE pairs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		usage()
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := measure.ReadTSV(f)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	if len(recs) == 0 {
		return fmt.Errorf("%s: no results", fs.Arg(0))
	}
	var baseList []string
	for _, b := range strings.Split(*bases, ",") {
		if b = strings.TrimSpace(b); b != "" {
			baseList = append(baseList, b)
		}
	}
	rows := measure.Summarize(recs)
	if err := measure.PrintTable(os.Stdout, measure.Table(rows, baseList...), *markdown); err != nil {
		return err
	}
	var lines []string
	for _, label := range strings.Split(*focus, ",") {
		lines = append(lines, measure.Ratios(rows, strings.TrimSpace(label), baseList...)...)
	}
	for _, pair := range strings.Split(*pairs, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		label, base, ok := strings.Cut(pair, "/")
		if !ok {
			return fmt.Errorf("-ratios: %q is not LABEL/BASE", pair)
		}
		lines = append(lines, measure.Ratios(rows, label, base)...)
	}
	if len(lines) > 0 {
		fmt.Println()
	}
	for _, l := range lines {
		fmt.Println(l)
	}
	return nil
}
