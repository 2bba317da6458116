package scanner

import (
	"context"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/rules"
)

// engine runs gitleaks' detector over a source. The LINE rules get a
// detector of their own that only sees fragments where one of them can
// match at all: a channel access token has no keyword for gitleaks'
// prefilter, so as a plain rule its regex would run over every fragment of
// the history, and "secret" is in a great many fragments that hold no
// 32-hex value. A byte loop that measures hex and base64 runs, plus the
// rule's own keywords, rejects nearly all fragments for a fraction of the
// cost. Every other rule runs exactly as gitleaks runs it.
type engine struct {
	main, line *detect.Detector
	gates      []gate

	mu    sync.Mutex
	found []report.Finding
}

// gate is what a fragment must hold for one LINE rule to have a chance:
// a run of characters long enough for its credential (or for the
// credential base64- or percent-encoded, which gitleaks' decoder reveals),
// and one of its keywords when it has any.
type gate struct {
	hexRun, b64Run int // 0: not a way in
	keywords       []string
}

// shapes of the LINE credentials: channel secret 32 hex (44 chars once
// base64-encoded); Notify token 43 alphanumerics; access token 171 base64
// characters and "=".
var shapes = map[string]gate{
	"line-channel-secret":       {hexRun: 32, b64Run: 44},
	"line-notify-token":         {b64Run: 43},
	"line-channel-access-token": {b64Run: 171},
}

func newEngine(ctx context.Context, set *rules.Set) *engine {
	isLINE := func(id string) bool {
		r, ok := set.Rule(id)
		return ok && r.Origin == rules.OriginLINE
	}
	e := &engine{
		main: newDetector(ctx, subset(set.Config, func(id string) bool { return !isLINE(id) })),
		line: newDetector(ctx, subset(set.Config, isLINE)),
	}
	for _, id := range e.line.Config.OrderedRules {
		g, ok := shapes[id]
		if !ok {
			g = gate{hexRun: 1, b64Run: 1} // a rule we know nothing of: always
		}
		g.keywords = e.line.Config.Rules[id].Keywords
		e.gates = append(e.gates, g)
	}
	return e
}

func newDetector(ctx context.Context, cfg config.Config) *detect.Detector {
	d := detect.NewDetectorContext(ctx, cfg)
	// The gitleaks CLI's default, so the same secrets are found.
	d.MaxDecodeDepth = 5
	// Allow markers are applied per finding, on the secret's own line and
	// for every occurrence of it at once (see aggregate.go).
	d.IgnoreGitleaksAllow = true
	return d
}

// subset is cfg with only the rules keep accepts (and their keywords).
func subset(cfg config.Config, keep func(id string) bool) config.Config {
	out := cfg
	out.Rules = map[string]config.Rule{}
	out.Keywords = map[string]struct{}{}
	out.OrderedRules = nil
	for _, id := range cfg.OrderedRules {
		r, ok := cfg.Rules[id]
		if !ok || !keep(id) {
			continue
		}
		out.Rules[id] = r
		out.OrderedRules = append(out.OrderedRules, id)
		for _, k := range r.Keywords {
			out.Keywords[k] = struct{}{}
		}
	}
	return out
}

// scan feeds every fragment of src to the detectors and keeps what they find.
func (e *engine) scan(ctx context.Context, src sources.Source) error {
	return src.Fragments(ctx, func(fr sources.Fragment, err error) error {
		if err != nil {
			return err
		}
		if fr.Raw == "" && fr.FilePath == "" {
			return nil
		}
		found := e.main.DetectContext(ctx, detect.Fragment(fr))
		if e.mayMatchLINE(fr.Raw) {
			for _, w := range windows(fr) {
				found = append(found, e.line.DetectContext(ctx, detect.Fragment(w))...)
			}
		}
		if len(found) > 0 {
			e.mu.Lock()
			e.found = append(e.found, found...)
			e.mu.Unlock()
		}
		return nil
	})
}

func (e *engine) findings() []report.Finding { return e.found }

func (e *engine) bytes() int { return int(e.main.TotalBytes.Load()) }

// Byte classes for runs.
const (
	classHex    = 1 << iota // 0-9 a-f
	classBase64             // A-Z a-z 0-9 + / = %
)

var byteClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = classHex | classBase64
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = classBase64
		if c <= 'f' {
			t[c] |= classHex
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = classBase64
	}
	for _, c := range "+/=%" {
		t[c] = classBase64
	}
	return t
}()

// longestRuns measures the longest runs of hex and of base64 characters.
func longestRuns(text string) (hexMax, b64Max int) {
	hex, b64 := 0, 0
	for i := 0; i < len(text); i++ {
		c := byteClass[text[i]]
		if c&classHex != 0 {
			hex++
			hexMax = max(hexMax, hex)
		} else {
			hex = 0
		}
		if c&classBase64 != 0 {
			b64++
			b64Max = max(b64Max, b64)
		} else {
			b64 = 0
		}
	}
	return hexMax, b64Max
}

// mayMatchLINE says whether any LINE rule can match text.
func (e *engine) mayMatchLINE(text string) bool {
	hexMax, b64Max := longestRuns(text)
	var lower string
	for _, g := range e.gates {
		if !(g.hexRun > 0 && hexMax >= g.hexRun || g.b64Run > 0 && b64Max >= g.b64Run) {
			continue
		}
		if len(g.keywords) == 0 {
			return true
		}
		if lower == "" {
			lower = strings.ToLower(text)
		}
		for _, k := range g.keywords {
			if strings.Contains(lower, k) {
				return true
			}
		}
	}
	return false
}

// windowMargin is how far around a candidate run a LINE rule may look: the
// rules' widest context (a client_secret ~300 characters from api.line.me)
// plus the longest name before a value.
const windowMargin = 400

// windows cuts a fragment down to whole lines around every run long enough
// to be a LINE credential (32 hex or 43 base64 characters), with
// windowMargin bytes on each side; overlapping windows are joined. Each
// window keeps the fragment's file and commit and its own first line number,
// so findings point where they would in the whole fragment. A large file
// with one candidate costs a few lines of regex work instead of all of it.
func windows(fr sources.Fragment) []sources.Fragment {
	text := fr.Raw
	var out []sources.Fragment
	lineOf, counted := fr.StartLine, 0 // line number at byte counted
	emit := func(start, end int) {
		lineOf += strings.Count(text[counted:start], "\n")
		counted = start
		w := fr
		w.Raw, w.Bytes, w.StartLine = text[start:end], nil, lineOf
		out = append(out, w)
	}
	winStart, winEnd := -1, -1
	hexRun, b64Run := 0, 0
	for i := 0; i <= len(text); i++ {
		var c uint8
		if i < len(text) {
			c = byteClass[text[i]]
		}
		if c&classHex != 0 {
			hexRun++
		}
		if c&classBase64 != 0 {
			b64Run++
		}
		if c&classHex == 0 || c&classBase64 == 0 || i == len(text) {
			// a run may have ended at i
			runStart := -1
			if c&classHex == 0 && hexRun >= 32 {
				runStart = i - hexRun
			}
			if c&classBase64 == 0 && b64Run >= 43 {
				runStart = i - b64Run
			}
			if runStart >= 0 {
				ws := lineStart(text, max(runStart-windowMargin, 0))
				we := lineEnd(text, min(i+windowMargin, len(text)))
				if winEnd >= 0 && ws <= winEnd {
					winEnd = max(winEnd, we)
				} else {
					if winEnd >= 0 {
						emit(winStart, winEnd)
					}
					winStart, winEnd = ws, we
				}
			}
			if c&classHex == 0 {
				hexRun = 0
			}
			if c&classBase64 == 0 {
				b64Run = 0
			}
		}
	}
	if winEnd >= 0 {
		emit(winStart, winEnd)
	}
	return out
}

// lineStart is the start of the line holding text[i].
func lineStart(text string, i int) int { return strings.LastIndexByte(text[:i], '\n') + 1 }

// lineEnd is the end of the line holding text[i-1], its newline included.
func lineEnd(text string, i int) int {
	if j := strings.IndexByte(text[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(text)
}
