// Command compare checks that every gitleaks finding is in a channelguard
// report.
//
//	go run -tags gore2regex ./bench/compare [-repo REPO] [-max N] [-file-level] GITLEAKS.json CHANNELGUARD.json
//
// A gitleaks finding (commit, file, rule, secret, lines StartLine to
// EndLine) is covered under internal/coverage's rule, the one
// internal/differential applies: a channelguard finding with the same
// secret hash (first 12 hex characters of SHA-256; none for a finding of
// a whole file, such as pkcs12-file) under the same rule id, the gitleaks
// rule among also_matched, or a LINE rule (line-*) where gitleaks used a
// generic rule, lists an occurrence in the same commit (full or
// abbreviated id) and file, on a line of gitleaks' match (channelguard
// points at the secret's own line, gitleaks at where its match starts).
// With -file-level the same file is enough (any commit, any line).
//
// A finding channelguard does not cover is explained, not missing, when
// it is one of the differences channelguard chooses (an allow marker on
// another line of the file that holds the secret, read from REPO's
// history and working tree; an allowlist channelguard adds to gitleaks'
// rules) or in a coverage gap channelguard's report names. Each miss is
// listed with what channelguard has nearby. gitleaks reports raw secrets:
// compare hashes each one as it decodes it and prints hashes only.
//
// With -same it compares two channelguard reports instead (a full scan and
// a rescan through the cache, or two builds): their findings must be
// identical.
//
//	go run ./bench/compare -same A.json B.json
//
// With -same-gitleaks it compares two gitleaks reports (gitleaks as
// released and gitleaks rebuilt with another go-re2): the same findings,
// each (commit, file, rule, lines, secret hash) as many times.
//
//	go run ./bench/compare -same-gitleaks A.json B.json
//
// With -gaps it prints how many coverage gaps a channelguard report names
// ("7 gaps (6 objects unreadable)"): what a scan that exited 2 could not
// read.
//
//	go run ./bench/compare -gaps CHANNELGUARD.json
//
// Exit status: 0 every gitleaks finding covered or explained (or the
// reports identical), 1 some gitleaks finding missing (or the findings
// differ), 2 error.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/zricethezav/gitleaks/v8/config"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/differential"
	"github.com/channelguard/channelguard/reporters/jsonreport"
)

func main() {
	maxList := flag.Int("max", 200, "list at most this many missing findings (-1: all)")
	same := flag.Bool("same", false, "compare two channelguard reports: identical findings")
	sameGL := flag.Bool("same-gitleaks", false, "compare two gitleaks reports: the same findings (commit, file, rule, line, secret hash)")
	fileLevel := flag.Bool("file-level", false, "covered when channelguard has the secret in the file under an acceptable rule, in any commit at any line (default: at the finding's commit and file, on a line of its match)")
	gaps := flag.Bool("gaps", false, "print how many coverage gaps the channelguard report names, and exit 0 (2 when it is not a report)")
	repo := flag.String("repo", "", "the `REPO` both tools scanned: allow markers are read from its history and working tree to explain misses")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: compare [-repo REPO] [-max N] [-file-level] GITLEAKS.json CHANNELGUARD.json\n       compare -same A.json B.json\n       compare -same-gitleaks A.json B.json\n       compare -gaps CHANNELGUARD.json")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *gaps && flag.NArg() == 1 {
		os.Exit(printGaps(os.Stdout, os.Stderr, flag.Arg(0)))
	}
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	if *same {
		os.Exit(sameFindings(flag.Arg(0), flag.Arg(1)))
	}
	if *sameGL {
		os.Exit(sameGitleaks(flag.Arg(0), flag.Arg(1), *maxList))
	}
	level := ByOccurrence
	if *fileLevel {
		level = ByFile
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := run(ctx, flag.Arg(0), flag.Arg(1), *repo, level)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(2)
	}
	res.Print(os.Stdout, *maxList)
	if len(res.Missing) > 0 {
		os.Exit(1)
	}
}

func run(ctx context.Context, glPath, cgPath, repo string, level Level) (Result, error) {
	gl, err := readGitleaksFile(glPath)
	if err != nil {
		return Result{}, err
	}
	cgf, err := os.Open(cgPath)
	if err != nil {
		return Result{}, err
	}
	defer cgf.Close()
	rep, err := ReadChannelguard(cgf)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", cgPath, err)
	}
	res := Compare(gl, rep, level)
	ev := Evidence{
		GitleaksReport: glPath,
		Repo:           repo,
		Allowlists:     func() (map[string][]*config.Allowlist, error) { return differential.AddedAllowlists("") },
	}
	if err := res.explain(ctx, ev); err != nil {
		return Result{}, err
	}
	return res, nil
}

// printGaps prints how many gaps (and unreadable objects) a channelguard
// report names: bench/run.sh tells a partial scan (exit 2, report
// written, gaps) from a failed one with it.
func printGaps(stdout, stderr io.Writer, path string) int {
	rep, err := jsonreport.ReadFile(path)
	if err != nil {
		fmt.Fprintln(stderr, "compare:", err)
		return 2
	}
	fmt.Fprintf(stdout, "%s (%s unreadable)\n", plural(len(rep.Gaps), "gap"), plural(finding.Unreadable(rep.Gaps), "object"))
	return 0
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// sameFindings prints whether two channelguard reports hold the same
// findings and returns the exit status.
func sameFindings(a, b string) int {
	ra, err := jsonreport.ReadFile(a)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		return 2
	}
	rb, err := jsonreport.ReadFile(b)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		return 2
	}
	ja, _ := json.Marshal(ra.Findings)
	jb, _ := json.Marshal(rb.Findings)
	if !bytes.Equal(ja, jb) {
		fmt.Printf("%s and %s: findings differ (%d and %d)\n", filepath.Base(a), filepath.Base(b), len(ra.Findings), len(rb.Findings))
		return 1
	}
	fmt.Printf("%s and %s: the same %d findings\n", filepath.Base(a), filepath.Base(b), len(ra.Findings))
	return 0
}

func readGitleaksFile(path string) ([]GLFinding, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gl, err := ReadGitleaks(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return gl, nil
}

// sameGitleaks prints whether two gitleaks reports hold the same findings
// and returns the exit status.
func sameGitleaks(a, b string, maxList int) int {
	ga, err := readGitleaksFile(a)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		return 2
	}
	gb, err := readGitleaksFile(b)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		return 2
	}
	onlyA, onlyB := DiffGitleaks(ga, gb)
	if len(onlyA) == 0 && len(onlyB) == 0 {
		fmt.Printf("%s and %s: the same %d findings\n", filepath.Base(a), filepath.Base(b), len(ga))
		return 0
	}
	fmt.Printf("%s and %s: findings differ (%d and %d; %d only in the first, %d only in the second)\n",
		filepath.Base(a), filepath.Base(b), len(ga), len(gb), len(onlyA), len(onlyB))
	for _, side := range []struct {
		name string
		fs   []GLFinding
	}{{filepath.Base(a), onlyA}, {filepath.Base(b), onlyB}} {
		for i, g := range side.fs {
			if maxList >= 0 && i >= maxList {
				fmt.Printf("    … %d more\n", len(side.fs)-maxList)
				break
			}
			fmt.Printf("    only in %s: %s  %s:%s  %s  %s\n", side.name, g.Rule, g.File, lines(g.StartLine, g.EndLine), short(g.Commit), g.Hash)
		}
	}
	return 1
}
