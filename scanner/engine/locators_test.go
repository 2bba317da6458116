package engine

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/rules"
)

// Located rules, run on windows of a fragment, find exactly what every rule
// run on the whole fragment finds, on thousands of generated fragments
// made of the pieces those rules look at: service names and generic key
// words, assignments, quotes, values, line breaks and blank lines in
// between (a match may span several lines), and text ending right after a
// value (where the rules' $ matters).
func TestLocatedRulesRandomText(t *testing.T) {
	seedA, fragments := uint64(8), 3000
	if os.Getenv("CHANNELGUARD_LONG") != "" {
		seedA, fragments = uint64(time.Now().UnixNano()), 40000
		t.Logf("seed %d", seedA)
	}
	set, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	engineWith := func(locators bool) *Engine {
		if locators {
			return New(context.Background(), set, WithoutMemo())
		}
		return New(context.Background(), set, WithoutMemo(), WithoutLocators())
	}
	fast, plain := engineWith(true), engineWith(false)
	words := []string{"api_key", "API_KEY", "token", "Secret", "client_secret", "password", "passwd", "auth", "access", "nytimes", "snyk_token",
		"okta", "heroku_api_key", "sentry_token", "lob_api_key", "mailchimp", "twitter_secret", "KEY", "creds", "x", "value", "ok"}
	ops := []string{" = ", "=", ": ", ":", " => ", " := ", "?=", ",", " "}
	quotes := []string{"\"", "'", "`", ""}
	breaks := []string{"\n", "\n\n", "\n  ", " ", "\t", "\\n", ";", ""}
	r := rand.New(rand.NewPCG(seedA, 8))
	runs, matched := 0, 0
	for n := range fragments {
		var b strings.Builder
		for range 1 + r.IntN(40) {
			switch r.IntN(6) {
			case 5:
				// values of rules that stay in the main detector, behind
				// its keyword gate
				v := mainRuleValue(r, fmt.Sprintf("main-%d-%d", n, b.Len()))
				if r.IntN(3) == 0 {
					v = base64.StdEncoding.EncodeToString([]byte(v)) // found once decoded
				}
				b.WriteString(v)
			case 0, 1:
				b.WriteString(words[r.IntN(len(words))])
			case 2:
				b.WriteString(ops[r.IntN(len(ops))])
			case 3:
				q := quotes[r.IntN(len(quotes))]
				v := fakecred.Hex(fmt.Sprintf("rand-%d-%d", n, b.Len()), 4+r.IntN(24))
				if r.IntN(3) == 0 {
					v = fakecred.AccessToken(fmt.Sprintf("rand-%d", n))[:10+r.IntN(40)]
				}
				b.WriteString(q + v + q)
			default:
				b.WriteString(breaks[r.IntN(len(breaks))])
			}
		}
		path := "app/config.env"
		if r.IntN(20) == 0 {
			path = "certs/client.p12" // a rule of main matches this path alone
		}
		fr := sources.Fragment{Raw: b.String(), FilePath: path, StartLine: 1 + r.IntN(50), CommitSHA: "c0ffee"}
		got, want := summary(fast.Detect(context.Background(), fr)), summary(plain.Detect(context.Background(), fr))
		runs++
		if want != "" {
			matched++
		}
		if got != want {
			t.Fatalf("fragment %d: locator rules found\n%s\nevery rule on the whole fragment found\n%s", n, got, want)
		}
	}
	if matched < runs/10 {
		t.Fatalf("only %d of %d generated fragments hold a finding: the generator does not exercise the rules", matched, runs)
	}
}

// summary lists findings by rule, gitleaks' place and tags, and hashes of
// the secret, the match and the line (never a value): everything the
// scanner places a finding by.
func summary(found []report.Finding) string {
	var lines []string
	for _, f := range found {
		lines = append(lines, fmt.Sprintf("%s %d:%d-%d:%d %v secret %s match %s line %s", f.RuleID, f.StartLine, f.StartColumn, f.EndLine, f.EndColumn, f.Tags,
			finding.SecretHash(f.Secret), finding.SecretHash(f.Match), finding.SecretHash(f.Line)))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// mainRuleValue is a value shaped for one of the rules the main detector
// runs (AWS access key id, Vault token, JWT, Twilio key), made from seed.
func mainRuleValue(r *rand.Rand, seed string) string {
	const base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	pick := func(alphabet string, n int) string {
		out := make([]byte, n)
		for i, b := range fakecred.Bytes(seed, n) {
			out[i] = alphabet[int(b)%len(alphabet)]
		}
		return string(out)
	}
	switch r.IntN(4) {
	case 0:
		return "AKIA" + pick(base32, 16)
	case 1:
		return "hvs." + pick(alnum, 95)
	case 2:
		return "eyJ" + pick(alnum, 20) + ".eyJ" + pick(alnum, 30) + "." + pick(alnum, 20)
	default:
		return "SK" + fakecred.Hex(seed, 16)
	}
}
