package scanner

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/scanner/cache"
	"github.com/channelguard/channelguard/scanner/engine"
	"github.com/channelguard/channelguard/scanner/history"
)

// historyStream is a fast-import stream of a long, untidy history: n
// commits on main touching a dozen files, LINE and other credentials
// added, moved, removed and re-added (the same text in several commits,
// for the memo), renames, deletions, a binary file, a feature branch
// merged back, a tag on an old commit and a branch never merged.
func historyStream(n int) string {
	var s strings.Builder
	mark := 0
	paths := []string{"app/config.env", "app/main.go", "deploy/values.yaml", "docs/setup.md", "bot/handler.js", "bot/keys.json",
		"web/settings.py", "ops/secret.yaml", "lib/util.go", "scripts/run.sh", "README.md", "test/fixtures.txt"}
	secret := func(i int) string {
		switch i % 8 {
		case 5:
			// semi-generic rules (locator rules): a service name, an assignment, a value
			return `nytimes_api_key = "` + fakecred.Hex(fmt.Sprintf("nyt-%d", i%9), 16) + "\"\n" +
				"snyk_token: " + fakecred.Hex("snyk-a", 4) + "-" + fakecred.Hex("snyk-b", 2) + "-" + fakecred.Hex("snyk-c", 2) + "-" + fakecred.Hex("snyk-d", 2) + "-" + fakecred.Hex(fmt.Sprintf("snyk-%d", i%3), 6) + "\n" +
				"\u212Aey_password = '" + fakecred.Hex(fmt.Sprintf("kelvin-%d", i%4), 12) + "'\n"
		case 6:
			// a generic assignment only decoding reveals
			return "blob: " + base64.StdEncoding.EncodeToString([]byte(`api_key = "`+fakecred.Hex(fmt.Sprintf("b64-%d", i%5), 14)+`"`)) + "\n"
		case 7:
			return "password = \"" + fakecred.Hex(fmt.Sprintf("pw-%d", i%6), 10) + "\" # generic\ntoken: " + fakecred.Hex(fmt.Sprintf("tok-%d", i%6), 12) + "\n"
		case 0:
			return "LINE_CHANNEL_SECRET=" + fakecred.ChannelSecret(fmt.Sprintf("par-%d", i%17)) + "\n"
		case 1:
			return `channelAccessToken: "` + fakecred.AccessToken(fmt.Sprintf("par-%d", i%13)) + "\"\n"
		case 2:
			var key strings.Builder
			for _, b := range fakecred.Bytes(fmt.Sprintf("aws-%d", i%7), 16) {
				key.WriteByte("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[b%32])
			}
			return "aws_access_key_id = AKIA" + key.String() + "\n"
		case 3:
			return `api_key = "` + fakecred.Hex(fmt.Sprintf("generic-%d", i%11), 20) + "\"\n"
		default:
			return "kind: Secret\ndata:\n  token: " + fakecred.AccessToken(fmt.Sprintf("k8s-%d", i%5))[:60] + "\n"
		}
	}
	commit := func(branch string, i int, from int, merge int, body func()) int {
		mark++
		fmt.Fprintf(&s, "commit refs/heads/%s\nmark :%d\nauthor Dev %d <dev%d@example.com> %d +0000\ncommitter Dev <dev@example.com> %d +0000\ndata <<EOT\nchange %d on %s\nEOT\n",
			branch, mark, i%4, i%4, 1700000000+i*3600, 1700000000+i*3600, i, branch)
		if from > 0 {
			fmt.Fprintf(&s, "from :%d\n", from)
		}
		if merge > 0 {
			fmt.Fprintf(&s, "merge :%d\n", merge)
		}
		body()
		return mark
	}
	file := func(path, content string) {
		fmt.Fprintf(&s, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
	}
	content := func(i, f int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "# %s revision %d\n", paths[f], i)
		for l := range 6 + i%9 {
			fmt.Fprintf(&b, "line %d of revision %d: ordinary text, a key word or two\n", l, i/3)
		}
		if (i+f)%6 == 0 {
			b.WriteString(secret(i + f))
		}
		return b.String()
	}
	var mainTip, forkPoint, featureTip, tagAt int
	for i := range n {
		mainTip = commit("main", i, mainTip, 0, func() {
			for k := range 2 + i%2 {
				f := (i*7 + k*5) % len(paths)
				switch {
				case i%97 == 50 && k == 0:
					fmt.Fprintf(&s, "R %s moved/%d-%s\n", paths[f], i, strings.ReplaceAll(paths[f], "/", "-"))
				case i%71 == 30 && k == 0:
					fmt.Fprintf(&s, "D %s\n", paths[f])
				case i%89 == 10 && k == 0:
					file(fmt.Sprintf("bin/blob%d.bin", i), "\x00\x01binary\x00"+secret(i))
				case i%10 == 9:
					// a revert: the text of ten commits ago again
					file(paths[f], content(i-10, f))
				default:
					file(paths[f], content(i, f))
				}
			}
		})
		switch i {
		case n / 3:
			forkPoint = mainTip
		case n / 4:
			tagAt = mainTip
		}
	}
	featureTip = forkPoint
	for i := range 60 {
		featureTip = commit("feature", n+i, featureTip, 0, func() { file("feature/new.env", content(n+i, i%len(paths))+secret(i)) })
	}
	commit("main", 2*n, mainTip, featureTip, func() { file("MERGED", "merged\n") })
	stray := forkPoint
	for i := range 30 {
		stray = commit("stray", 3*n+i, stray, 0, func() { file("stray/notes.txt", secret(i+2)) })
	}
	fmt.Fprintf(&s, "reset refs/tags/v1\nfrom :%d\n\n", tagAt)
	return s.String()
}

// The fast path (several git processes, the memo, locator rules) must
// report exactly what the plain sequential path (one git log, every
// fragment given to every rule as gitleaks does) reports: the same
// findings, occurrences, first commits, removals and order.
func TestParallelHistoryMatchesSequential(t *testing.T) {
	r := gittest.FastImport(t, historyStream(900))
	if got := r.Git("rev-list", "--all", "--count"); got != "991" {
		t.Fatalf("the test history has %s commits, want 991", got)
	}
	report := func(jobs int, fast bool) string {
		opts := Options{Path: r.Dir, Jobs: jobs}
		if !fast {
			opts.engine = []engine.Option{engine.WithoutMemo(), engine.WithoutLocators()}
		}
		res := scan(t, opts)
		rep := *res.Report
		out, err := json.MarshalIndent(rep, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	sequential := report(1, false)
	if n := strings.Count(sequential, `"rule_id"`); n < 20 {
		t.Fatalf("the test history should give many findings, got %d", n)
	}
	for _, rule := range []string{"nytimes-access-token", "snyk-api-token", "generic-api-key", "aws-access-token", "line-channel-secret"} {
		if !strings.Contains(sequential, `"rule_id": "`+rule+`"`) {
			t.Errorf("the test history should give %s findings", rule)
		}
	}
	for _, removed := range []string{`"removed_in"`, `"still_at_head": false`} {
		if !strings.Contains(sequential, removed) {
			t.Errorf("the test history should hold removed secrets (%s)", removed)
		}
	}
	for _, jobs := range []int{2, 3} {
		if fast := report(jobs, true); fast != sequential {
			t.Errorf("jobs %d with the memo and locators differs from the sequential path:\n%s", jobs, firstDifference(sequential, fast))
		}
	}
}

// firstDifference shows where two reports part, a few lines either side
// (reports hold previews and hashes, never raw values).
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			lo, hi := max(0, i-5), min(i+5, len(al), len(bl))
			return fmt.Sprintf("sequential:\n%s\nfast:\n%s", strings.Join(al[lo:hi], "\n"), strings.Join(bl[lo:hi], "\n"))
		}
	}
	return fmt.Sprintf("lengths differ: %d and %d lines", len(al), len(bl))
}

// Locator rules find exactly what running every rule on every fragment
// finds, on the repository's own test data (LINE bots, decoys, captures'
// bodies, fuzz corpora: many shapes of text) scanned as a directory.
func TestLocatorRulesChangeNothing(t *testing.T) {
	report := func(locators bool) string {
		opts := Options{Path: "../testdata"}
		if !locators {
			opts.engine = []engine.Option{engine.WithoutLocators()}
		}
		res := scan(t, opts)
		rep := *res.Report
		out, err := json.MarshalIndent(rep, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	all, withLocators := report(false), report(true)
	if strings.Count(all, `"rule_id"`) < 10 {
		t.Fatalf("testdata should give many findings")
	}
	if all != withLocators {
		t.Errorf("locator rules differ from every rule on every fragment:\n%s", firstDifference(all, withLocators))
	}
}

// A scan that fails after git started reading early (here: the rules do
// not load) leaves no git process behind.
func TestEarlyReadStoppedOnError(t *testing.T) {
	// more files per stream than it reads ahead
	r := gittest.FastImport(t, historyStream(2*history.ReadAhead+500))
	before := runtime.NumGoroutine()
	_, err := Scan(context.Background(), Options{
		Path:  r.Dir,
		Jobs:  2,
		Cache: &cache.Cache{State: filepath.Join(t.TempDir(), "state.json"), Key: "k"},
		LoadRules: func() (*rules.Set, error) {
			time.Sleep(300 * time.Millisecond) // the streams fill their read-ahead
			return nil, errors.New("config x.toml: bad rule")
		},
	})
	if err == nil || err.Error() != "config x.toml: bad rule" {
		t.Fatalf("error = %v, want the rules' error", err)
	}
	if kids := childProcesses(t); len(kids) > 0 {
		t.Errorf("git processes left running: %v", kids)
	}
	// nor a parser or read-ahead blocked on a stream no one reads
	for i := 0; runtime.NumGoroutine() > before && i < 100; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left running (%d before the scan)", n, before)
	}
}

// childProcesses lists this process's children (Linux /proc).
func childProcesses(t *testing.T) []string {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", os.Getpid()))
	if err != nil || len(tasks) == 0 {
		t.Skip("no /proc children lists here")
	}
	var kids []string
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, pid := range strings.Fields(string(b)) {
			cmd, _ := os.ReadFile("/proc/" + pid + "/cmdline")
			kids = append(kids, pid+" "+strings.ReplaceAll(string(cmd), "\x00", " "))
		}
	}
	return kids
}
