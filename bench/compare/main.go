// Command compare checks that every gitleaks finding is in a channelguard
// report.
//
//	go run ./bench/compare [-max N] GITLEAKS.json CHANNELGUARD.json
//
// A gitleaks finding (rule, file, secret) is covered when channelguard has a
// finding, or an occurrence of one, in the same file with the same secret
// hash (first 12 hex characters of SHA-256) and either the same rule id, the
// gitleaks rule among also_matched, or a LINE rule (line-*) where gitleaks
// used a generic rule. gitleaks reports raw secrets: compare hashes each one
// as it decodes it and prints hashes only.
//
// Exit status: 0 all covered, 1 some gitleaks finding missing, 2 error.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	maxList := flag.Int("max", 200, "list at most this many missing findings (-1: all)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: compare [-max N] GITLEAKS.json CHANNELGUARD.json")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	res, err := run(flag.Arg(0), flag.Arg(1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(2)
	}
	res.Print(os.Stdout, *maxList)
	if len(res.Missing) > 0 {
		os.Exit(1)
	}
}

func run(glPath, cgPath string) (Result, error) {
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
	return Compare(gl, cg), nil
}
