// Command compare checks that every gitleaks finding is in a channelguard
// report.
//
//	go run ./bench/compare [-max N] [-file-level] GITLEAKS.json CHANNELGUARD.json
//
// A gitleaks finding (commit, file, rule, secret, start line) is covered
// when it is an occurrence of a channelguard finding: the finding has the
// same secret hash (first 12 hex characters of SHA-256) and either the same
// rule id, the gitleaks rule among also_matched, or a LINE rule (line-*)
// where gitleaks used a generic rule; and one of its occurrences (or its
// location) is in the same commit (full or abbreviated id), the same file
// and at the same start line. With -file-level the same file is enough (any
// commit, any line): the looser check the bench used before.
//
// Each miss is listed with its reason (not in that commit, a different
// line, the same secret under another rule or in another file, nothing).
// gitleaks reports raw secrets: compare hashes each one as it decodes it
// and prints hashes only.
//
// With -same it compares two channelguard reports instead (a full scan and
// a rescan through the cache, or two builds): their findings must be
// identical.
//
//	go run ./bench/compare -same A.json B.json
//
// With -same-gitleaks it compares two gitleaks reports (gitleaks as
// released and gitleaks rebuilt with another go-re2): the same findings,
// each (commit, file, rule, start line, secret hash) as many times.
//
//	go run ./bench/compare -same-gitleaks A.json B.json
//
// Exit status: 0 all covered (or identical), 1 some gitleaks finding
// missing (or the findings differ), 2 error.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/channelguard/channelguard/reporters/jsonreport"
)

func main() {
	maxList := flag.Int("max", 200, "list at most this many missing findings (-1: all)")
	same := flag.Bool("same", false, "compare two channelguard reports: identical findings")
	sameGL := flag.Bool("same-gitleaks", false, "compare two gitleaks reports: the same findings (commit, file, rule, line, secret hash)")
	fileLevel := flag.Bool("file-level", false, "covered when channelguard has the secret in the file under an acceptable rule, in any commit at any line (default: at the finding's commit, file and start line)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: compare [-max N] [-file-level] GITLEAKS.json CHANNELGUARD.json\n       compare -same A.json B.json\n       compare -same-gitleaks A.json B.json")
		flag.PrintDefaults()
	}
	flag.Parse()
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
	res, err := run(flag.Arg(0), flag.Arg(1), level)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(2)
	}
	res.Print(os.Stdout, *maxList)
	if len(res.Missing) > 0 {
		os.Exit(1)
	}
}

func run(glPath, cgPath string, level Level) (Result, error) {
	glf, err := os.Open(glPath)
	if err != nil {
		return Result{}, err
	}
	defer glf.Close()
	gl, err := ReadGitleaks(glf)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", glPath, err)
	}
	cgf, err := os.Open(cgPath)
	if err != nil {
		return Result{}, err
	}
	defer cgf.Close()
	cg, err := ReadChannelguard(cgf)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", cgPath, err)
	}
	return Compare(gl, cg, level), nil
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
			fmt.Printf("    only in %s: %s  %s:%d  %s  %s\n", side.name, g.RuleID, g.File, g.StartLine, short(g.Commit), g.Hash)
		}
	}
	return 1
}
