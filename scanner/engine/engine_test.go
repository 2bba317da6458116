package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/rules"
)

// oneFragment is a source of a single file's text.
type oneFragment string

func (s oneFragment) Fragments(ctx context.Context, yield sources.FragmentsFunc) error {
	return yield(sources.Fragment{Raw: string(s), FilePath: "sample.txt", StartLine: 1}, nil)
}

func testEngine(t *testing.T) *Engine {
	t.Helper()
	set, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return New(context.Background(), set)
}

func engineFind(t *testing.T, text string) []string {
	t.Helper()
	e := testEngine(t)
	if err := e.Scan(context.Background(), oneFragment(text), nil); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range e.Findings() {
		if strings.HasPrefix(f.RuleID, "line-") {
			got = append(got, f.RuleID+":"+finding.SecretHash(f.Secret))
		}
	}
	return got
}

// The engine only hands fragments to the LINE rules past a cheap gate; no
// sample a LINE rule finds on its own may be lost at that gate.
func TestEngineGateKeepsEveryLINESample(t *testing.T) {
	for i, s := range fakecred.Positives() {
		t.Run(fmt.Sprintf("%02d-%s", i, s.Rule), func(t *testing.T) {
			want := s.Rule + ":" + finding.SecretHash(s.Secret)
			got := engineFind(t, s.Text)
			for _, g := range got {
				if g == want {
					return
				}
			}
			t.Errorf("sample %d: want %s, got %v", i, want, got)
		})
	}
}

func TestEngineIgnoresDecoys(t *testing.T) {
	for i, s := range fakecred.Negatives() {
		if got := engineFind(t, s); len(got) > 0 {
			t.Errorf("decoy %d: got %v", i, got)
		}
	}
}

func TestGate(t *testing.T) {
	set, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	e := New(context.Background(), set)
	secret := fakecred.ChannelSecret("gate")
	tests := []struct {
		text string
		want bool
	}{
		{"LINE_CHANNEL_SECRET=" + secret, true},
		{"value=" + secret, false}, // a hex run, but no keyword of the rule
		{"LINE_CHANNEL_SECRET=" + secret[:31], false},
		{fakecred.AccessToken("gate"), true},
		{fakecred.AccessToken("gate")[:170], false},
		{"notify " + fakecred.NotifyToken("gate"), true},
		{"notify " + fakecred.NotifyToken("gate")[:42], false},
		{"channel_secret: " + secret, true},
		{"nothing to see here", false},
	}
	for i, tt := range tests {
		if got := len(e.lineFragments(sources.Fragment{Raw: tt.text}, decodePasses(tt.text, 5))) > 0; got != tt.want {
			t.Errorf("case %d (%d chars): a LINE rule may match = %v, want %v", i, len(tt.text), got, tt.want)
		}
	}
}

func TestWindowsKeepLineNumbers(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 300; i++ {
		switch i {
		case 120:
			b.WriteString("LINE_CHANNEL_SECRET=" + fakecred.ChannelSecret("w1") + "\n")
		case 147:
			b.WriteString("TOKEN_URL = 'https://api.line.me/oauth2/v2.1/token'\n")
		case 150:
			b.WriteString("CLIENT_SECRET = '" + fakecred.ChannelSecret("w2") + "'\n")
		case 290:
			b.WriteString("token: " + fakecred.AccessToken("w3") + "\n")
		default:
			fmt.Fprintf(&b, "filler line %d with nothing in it\n", i)
		}
	}
	text := b.String()
	lines := strings.SplitAfter(text, "\n")
	set, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	e := New(context.Background(), set)
	ws := e.lineFragments(sources.Fragment{Raw: text, StartLine: 1, FilePath: "f"}, decodePasses(text, 5))
	if len(ws) != 3 {
		t.Fatalf("windows = %d, want 3 (around lines 120, 150 and 290)", len(ws))
	}
	for _, w := range ws {
		n := strings.Count(w.Raw, "\n")
		if w.decode {
			t.Errorf("window at line %d: nothing encoded in it", w.StartLine)
		}
		if want := strings.Join(lines[w.StartLine-1:w.StartLine-1+n], ""); w.Raw != want {
			t.Errorf("window at line %d does not hold the fragment's lines %d-%d", w.StartLine, w.StartLine, w.StartLine+n-1)
		}
	}

	if err := e.Scan(context.Background(), oneFragment(text), nil); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, f := range e.Findings() {
		if strings.HasPrefix(f.RuleID, "line-") {
			// the secret's own line: a match with its context spans lines
			before := strings.TrimPrefix(f.Line[:strings.Index(f.Line, f.Secret)], "\n")
			got[f.RuleID+":"+finding.SecretHash(f.Secret)] = f.StartLine + strings.Count(before, "\n")
		}
	}
	want := map[string]int{
		"line-channel-secret:" + finding.SecretHash(fakecred.ChannelSecret("w1")):     120,
		"line-channel-secret:" + finding.SecretHash(fakecred.ChannelSecret("w2")):     150,
		"line-channel-access-token:" + finding.SecretHash(fakecred.AccessToken("w3")): 290,
	}
	for k, line := range want {
		if got[k] != line {
			t.Errorf("%s at line %d, want %d (all: %v)", k, got[k], line, got)
		}
	}
}

// TestSemaRunsEveryFunctionAfterCancel: the sources pair each Sema.Go with
// a WaitGroup of their own, so a function must run even when the scan's
// context was cancelled before it got a slot (semgroup's own behaviour is
// to drop it, which hung an interrupted history scan).
func TestSemaRunsEveryFunctionAfterCancel(t *testing.T) {
	set, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := New(ctx, set)
	cancel()
	var wg sync.WaitGroup
	var ran atomic.Int32
	for range 100 {
		wg.Add(1)
		e.Sema().Go(func() error {
			defer wg.Done()
			ran.Add(1)
			return nil
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%d of 100 functions ran after the cancel; the rest were dropped", ran.Load())
	}
}
