package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
)

func detectLINE(t *testing.T, text string) []report.Finding {
	t.Helper()
	set, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	d := detect.NewDetector(set.Config)
	d.MaxDecodeDepth = 5 // the gitleaks CLI's default: base64 values are decoded
	var out []report.Finding
	for _, f := range d.DetectString(text) {
		if strings.HasPrefix(f.RuleID, "line-") {
			out = append(out, f)
		}
	}
	return out
}

// describeFindings says what matched without printing a secret.
func describeFindings(fs []report.Finding) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, fmt.Sprintf("%s line %d secret %s", f.RuleID, f.StartLine, finding.Preview(f.Secret)))
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

func TestLINERulesFind(t *testing.T) {
	for i, tt := range fakecred.Positives() {
		t.Run(fmt.Sprintf("%02d-%s", i, tt.Rule), func(t *testing.T) {
			got := detectLINE(t, tt.Text)
			for _, f := range got {
				if f.RuleID == tt.Rule && f.Secret == tt.Secret {
					return
				}
			}
			t.Errorf("sample %d (%d chars): want %s with secret %s, got %s", i, len(tt.Text), tt.Rule, finding.Preview(tt.Secret), describeFindings(got))
		})
	}
}

func TestLINERulesIgnore(t *testing.T) {
	for i, s := range fakecred.Negatives() {
		t.Run(fmt.Sprintf("%02d", i), func(t *testing.T) {
			if got := detectLINE(t, s); len(got) > 0 {
				t.Errorf("sample %d (%d chars) must not match a LINE rule, got %s", i, len(s), describeFindings(got))
			}
		})
	}
}

// rules/allowlists.toml: a LINE webhook's replyToken is not a credential,
// a token under any other name still is.
func TestBuiltinAllowlists(t *testing.T) {
	set, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	d := detect.NewDetector(set.Config)
	value := "Zx81kQ2vL0pT7sYw3nB6mC9dR4fH1jG5"
	for text, want := range map[string]int{
		`{"replyToken":"` + value + `","type":"message"}`: 0,
		`{"quoteToken": "` + value + `"}`:                 0,
		`{"apiToken": "` + value + `"}`:                   1,
	} {
		if got := len(d.DetectString(text)); got != want {
			t.Errorf("%.20s…: %d findings, want %d", text, got, want)
		}
	}
}

// Every rule says what to do in one sentence, and its remediation opens
// with that sentence in bold: reports quote the one beside each finding
// and print the other under it.
func TestEveryRuleHasAnAction(t *testing.T) {
	set, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range set.Rules() {
		if r.Action == "" || !strings.HasSuffix(r.Action, ".") || strings.Contains(r.Action, "{title}") {
			t.Errorf("%s: action %q", r.ID, r.Action)
		}
		if !strings.HasPrefix(r.Remediation, "**"+r.Action+"** ") {
			t.Errorf("%s: the remediation does not open with the action in bold", r.ID)
		}
	}
	if got := (finding.Rule{Action: "LINE Notify ended."}).Todo(); got != "LINE Notify ended." {
		t.Errorf("an acronym lost its capitals: %q", got)
	}
	if got := (finding.Rule{Action: "Reissue the token."}).Todo(); got != "reissue the token." {
		t.Errorf("Todo() = %q", got)
	}
}
