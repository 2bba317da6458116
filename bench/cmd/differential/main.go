// Command differential compares channelguard with gitleaks v8.30.1's own,
// unmodified detector on real histories (internal/differential):
//
//	go run -tags gore2regex ./bench/cmd/differential [-dir] [-config FILE] [-max N] PATH...
//
// For each PATH (a git repository; with -dir a plain directory) it runs
// gitleaks' git source and detector with its default config, as `gitleaks
// git PATH` does, and channelguard's scanner with its built-in rules (both
// in this process, on the same regex engine), then prints one line of
// counts and every gitleaks finding channelguard does not report beyond
// the differences the README documents. Output holds hashes, never a
// secret. Build it with the same tags as channelguard (-tags gore2regex):
// both sides then use the same RE2.
//
// Exit status: 0 every gitleaks finding covered or explained, 1 some
// missing, 2 error.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/channelguard/channelguard/internal/differential"
)

func main() {
	dir := flag.Bool("dir", false, "compare on plain directories (gitleaks dir) instead of git histories")
	cfg := flag.String("config", "", "a channelguard config `FILE` (gitleaks-format rules, no [extend]); gitleaks gets its default config extended by it")
	maxList := flag.Int("max", 50, "list at most this many missing findings per path (-1: all)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: differential [-dir] [-config FILE] [-max N] PATH...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	status := 0
	for _, path := range flag.Args() {
		start := time.Now()
		res, err := differential.Run(ctx, differential.Input{Path: path, Dir: *dir, Config: *cfg})
		if err != nil {
			fmt.Fprintln(os.Stderr, "differential:", err)
			os.Exit(2)
		}
		fmt.Printf("%s (%.1f s)\n", res.Summary(), time.Since(start).Seconds())
		for rule, n := range res.Extra {
			fmt.Printf("  channelguard only: %s %d\n", rule, n)
		}
		for i, m := range res.Missing {
			if *maxList >= 0 && i >= *maxList {
				fmt.Printf("  ... and %d more\n", len(res.Missing)-i)
				break
			}
			fmt.Printf("  MISSING %s: %s\n", m.Ref, m.Note)
		}
		if !res.OK() {
			status = 1
		}
	}
	os.Exit(status)
}
