// Command harbench is the capture benchmark's table and report check
// (bench/har/run.sh):
//
//	harbench table -bytes N [-markdown] [-focus channelguard] [-floor json-floor] [-limit-mb 256] R.tsv
//	harbench check -planted BIG.har.planted.json REPORT.json
//
// table reads the results file bench/cmd/measure writes and prints, per
// tool, the median wall time, throughput (MB = 10^6 bytes of the file per
// second of wall time), median CPU time, the largest peak RSS of any round
// (ru_maxrss, MB = 10^6 bytes) and the wall time's ratio to the floor. It
// exits 1 when the focus tool's peak RSS reached -limit-mb.
//
// check compares a channelguard JSON report of a genhar capture with what
// genhar planted: role-inappropriate-field findings (policy rule
// channel-secret) at the planted endpoint and field, one per channel (or one
// in all), counting every planted entry; one line-channel-secret finding per planted channel, with its
// secret_sha256 and its entries; the entry count. It exits 1 on a mismatch.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/channelguard/channelguard/bench/internal/measure"
	"github.com/channelguard/channelguard/finding"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "table":
		err = table(os.Args[2:])
	case "check":
		err = check(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "harbench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage:
  harbench table -bytes N [-markdown] [-focus LABEL] [-floor LABEL] [-limit-mb 256] R.tsv
  harbench check -planted BIG.har.planted.json REPORT.json`)
	os.Exit(2)
}

func table(args []string) error {
	fs := flag.NewFlagSet("table", flag.ExitOnError)
	size := fs.Int64("bytes", 0, "size of the scanned file in bytes")
	markdown := fs.Bool("markdown", false, "print a Markdown table")
	focus := fs.String("focus", "channelguard", "tool whose peak RSS is checked")
	floor := fs.String("floor", "json-floor", "tool the ratios are against")
	limit := fs.Float64("limit-mb", 256, "peak RSS limit for -focus, MB (10^6 bytes)")
	fs.Parse(args)
	if fs.NArg() != 1 || *size <= 0 {
		usage()
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	recs, err := measure.ReadTSV(f)
	f.Close()
	if err != nil {
		return err
	}
	rows := measure.Summarize(recs)
	peak := map[string]int64{}
	for _, r := range recs {
		peak[r.Label] = max(peak[r.Label], r.Result.MaxRSSKB)
	}
	var floorWall float64
	for _, r := range rows {
		if r.Label == *floor {
			floorWall = r.Wall.Seconds()
		}
	}
	mb := float64(*size) / 1e6
	cells := [][]string{{"tool", "runs", "wall s", "wall min–max", "MB/s", "CPU s", "peak RSS MB", "wall ÷ floor"}}
	for _, r := range rows {
		ratio := "–"
		if floorWall > 0 {
			ratio = fmt.Sprintf("%.2f", r.Wall.Seconds()/floorWall)
		}
		cells = append(cells, []string{r.Label, fmt.Sprint(r.Runs),
			fmt.Sprintf("%.2f", r.Wall.Seconds()),
			fmt.Sprintf("%.2f–%.2f", r.WallMin.Seconds(), r.WallMax.Seconds()),
			fmt.Sprintf("%.1f", mb/r.Wall.Seconds()),
			fmt.Sprintf("%.2f", r.CPU.Seconds()),
			fmt.Sprintf("%.0f", float64(peak[r.Label])*1024/1e6),
			ratio})
	}
	if err := measure.PrintTable(os.Stdout, cells, *markdown); err != nil {
		return err
	}
	got, ok := peak[*focus]
	if !ok {
		return fmt.Errorf("no %s rows in %s", *focus, fs.Arg(0))
	}
	if p := float64(got) * 1024 / 1e6; p >= *limit {
		return fmt.Errorf("%s peak RSS %.0f MB ≥ %.0f MB: capture scanning does not stream", *focus, p, *limit)
	}
	fmt.Printf("\n%s peak RSS %.0f MB < %.0f MB: ok\n", *focus, float64(got)*1024/1e6, *limit)
	return nil
}

// planted mirrors bench/cmd/genhar's manifest.
type planted struct {
	Size     int64  `json:"size"`
	Entries  int    `json:"entries"`
	Role     string `json:"role"`
	Total    int    `json:"planted_total"`
	Template string `json:"template"`
	Field    string `json:"field"`
	Channels []struct {
		ID     string `json:"channel_id"`
		SHA256 string `json:"secret_sha256"`
		Count  int    `json:"count"`
	} `json:"channels"`
}

func check(args []string) error {
	fs := flag.NewFlagSet("check", flag.ExitOnError)
	manPath := fs.String("planted", "", "genhar's FILE.planted.json")
	fs.Parse(args)
	if fs.NArg() != 1 || *manPath == "" {
		usage()
	}
	var man planted
	if err := readJSON(*manPath, &man); err != nil {
		return err
	}
	var rep finding.Report
	if err := readJSON(fs.Arg(0), &rep); err != nil {
		return err
	}
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }

	if rep.Stats.Entries != man.Entries {
		bad("stats.entries %d, genhar wrote %d", rep.Stats.Entries, man.Entries)
	}
	byRule := map[string]int{}
	for _, f := range rep.Findings {
		byRule[f.RuleID]++
	}
	var rules []string
	for r, n := range byRule {
		rules = append(rules, fmt.Sprintf("%s %d", r, n))
	}
	sort.Strings(rules)
	fmt.Printf("report: %d entries, %d findings (%s)\n", rep.Stats.Entries, len(rep.Findings), strings.Join(rules, ", "))

	// The role findings: every planted entry, in one finding per resource
	// (channel) — or per endpoint template, as older versions grouped.
	roleFound, roleTotal := 0, 0
	for _, f := range rep.Findings {
		if f.RuleID != "role-inappropriate-field" || f.PolicyRule != "channel-secret" {
			continue
		}
		roleFound++
		c := f.Capture
		roleTotal += len(f.Occurrences) + f.MoreOccurrences
		if c.Template != man.Template || c.Field != man.Field || c.Role != man.Role {
			bad("role finding at %s %s as %s, planted at %s %s as %s", c.Template, c.Field, c.Role, man.Template, man.Field, man.Role)
		}
	}
	channelsPlanted := 0
	for _, ch := range man.Channels {
		if ch.Count > 0 {
			channelsPlanted++
		}
	}
	fmt.Printf("role findings (channel-secret, %s %s as %s): %d, counting %d entries (planted %d in %d channels)\n",
		man.Template, man.Field, man.Role, roleFound, roleTotal, man.Total, channelsPlanted)
	if roleTotal != man.Total {
		bad("role findings count %d entries, %d planted", roleTotal, man.Total)
	}
	if man.Total > 0 && roleFound != 1 && roleFound != channelsPlanted {
		bad("%d role findings for policy rule channel-secret, want 1 per endpoint or %d (one per channel)", roleFound, channelsPlanted)
	}

	// The secret findings: one per planted channel.
	secrets := map[string]finding.Finding{}
	for _, f := range rep.Findings {
		if f.RuleID == "line-channel-secret" {
			secrets[f.SecretSHA256] = f
		}
	}
	want, listed, reported := 0, 0, 0
	var overcount []string
	for _, ch := range man.Channels {
		if ch.Count == 0 {
			continue
		}
		want++
		f, ok := secrets[ch.SHA256]
		if !ok {
			bad("channel %s: no line-channel-secret finding with secret_sha256 %s", ch.ID, ch.SHA256)
			continue
		}
		entries := map[int]bool{}
		for _, o := range f.Occurrences {
			if o.Capture != nil {
				entries[o.Capture.Entry] = true
			}
		}
		listed += len(entries)
		reported += len(f.Occurrences) + f.MoreOccurrences
		if len(entries) != min(ch.Count, 50) {
			bad("channel %s: %d distinct entries listed, planted in %d", ch.ID, len(entries), ch.Count)
		}
		if n := len(f.Occurrences) + f.MoreOccurrences; n != ch.Count {
			overcount = append(overcount, fmt.Sprintf("%s: %d reported, %d planted (also_matched %v)", ch.SHA256, n, ch.Count, f.AlsoMatched))
		}
	}
	fmt.Printf("secret findings: %d of %d planted channels found; %d entries listed, %d occurrences reported, %d planted\n",
		len(secrets), want, listed, reported, man.Total)
	if len(secrets) != want {
		bad("%d line-channel-secret findings, %d channels planted", len(secrets), want)
	}
	for _, s := range overcount {
		// Not fatal: scanner/capture counts an occurrence a merged
		// generic-api-key match shares with line-channel-secret twice.
		fmt.Println("WARN occurrence count off:", s)
	}
	if len(problems) > 0 {
		return fmt.Errorf("report does not match what genhar planted:\n  %s", strings.Join(problems, "\n  "))
	}
	fmt.Println("report matches what was planted: ok")
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
