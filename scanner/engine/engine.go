// Package engine runs gitleaks' detector with channelguard's rules over
// the fragments a source yields: it finds exactly what gitleaks' detector
// finds with those rules, and skips, by cheap tests, the work that could
// find nothing (see Engine). Sources (scanner/history, scanner/worktree,
// the capture scanner) yield fragments; the scanner turns what the engine
// found into findings.
package engine

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/fatih/semgroup"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/rules"
)

// Option changes how an Engine works, never what it finds: the equivalence
// tests turn the fast paths off to compare.
type Option func(*settings)

type settings struct{ noMemo, noLocators bool }

// WithoutMemo scans every fragment, even one whose text was scanned
// before.
func WithoutMemo() Option { return func(s *settings) { s.noMemo = true } }

// WithoutLocators gives every rule every fragment, as gitleaks does,
// instead of looking for a locator rule's match first (see locatorRule).
func WithoutLocators() Option { return func(s *settings) { s.noLocators = true } }

// Engine runs gitleaks' detector over a source. The LINE rules get a
// detector of their own that only sees the few lines where one of them can
// match at all: a channel access token has no keyword for gitleaks'
// prefilter, so as a plain rule its regex would run over every fragment of
// the history, and "secret" is in a great many fragments that hold no
// 32-hex value. A byte loop that finds long hex and base64 runs, plus the
// rule's own keywords, rejects nearly everything for a fraction of the
// cost (see candidateWindows). Every other rule runs exactly as gitleaks
// runs it.
type Engine struct {
	// main runs the rules that are neither LINE rules nor locator rules; plain
	// is main without decoding, for fragments with nothing to decode
	// (decodePasses already looked, so the detector need not look again).
	main, plain *detect.Detector
	// locators are the rules looked for with a locator first (see
	// locatorRule).
	locators []*locatorRule
	// keywords finds the keywords of the locator rules and of main's in
	// one walk. With gated set, main only gets fragments where gitleaks'
	// own keyword prefilter would let at least one of its rules run on a
	// pass, and the regex of one of those rules matches that pass: it
	// would find nothing in the others, yet lower-case and search them
	// first (over half of the fragments of a history have no keyword of
	// main's, and most of the rest no match; see mainMatches).
	keywords *keywordIndex
	gated    bool
	// pathRules are main's rules without keywords that match a file's
	// path alone; main runs on every fragment of a path one matches.
	pathRules []config.Rule
	pathRun   sync.Map // path → bool
	// line runs the LINE rules on plain text; lineDecoding also decodes
	// what gitleaks' decoder decodes first, which costs more than the
	// rules themselves, so it only gets fragments whose decoded text holds
	// a candidate (see lineFragments).
	line, lineDecoding *detect.Detector
	gates              []gate
	// skipPaths are the global path allowlists (lock files, vendored
	// code…), checked once per path instead of once per fragment: gitleaks
	// matches them for every hunk of every commit, and on a long history
	// that regex work costs as much as a rule.
	skipPaths []*config.Allowlist
	skipped   sync.Map // path → bool
	memo      *memo    // nil: every fragment is scanned
	// scanned counts the bytes of every fragment looked at, remembered
	// ones included, so the report's figure does not depend on which of
	// two identical fragments the memo happened to see first.
	scanned atomic.Int64

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

// shapes of the LINE credentials: channel secret 32 hex; Notify token 43
// alphanumerics; access token 171 base64 characters and "=". (Encoded
// ones are looked for in gitleaks' decoded text: see lineFragments.)
var shapes = map[string]gate{
	finding.RuleChannelSecret:      {hexRun: 32},
	finding.RuleNotifyToken:        {b64Run: 43},
	finding.RuleChannelAccessToken: {b64Run: 171},
}

// New builds an engine for a rule set. An engine keeps what it finds:
// one per scan.
func New(ctx context.Context, set *rules.Set, opts ...Option) *Engine {
	var st settings
	for _, o := range opts {
		o(&st)
	}
	isLINE := func(id string) bool {
		r, ok := set.Rule(id)
		return ok && r.Origin == rules.OriginLINE
	}
	cfg := set.Config
	var skip []*config.Allowlist
	cfg.Allowlists, skip = splitPathAllowlists(cfg.Allowlists)
	lineCfg := subset(cfg, isLINE)
	// A rule another rule requires runs where that rule runs: gitleaks
	// looks a composite rule's required rules up in its detector's config.
	// So a required rule never gets a locator (it stays in main), and a LINE
	// rule a main rule requires runs in main too (its findings there are
	// the LINE detector's, which the aggregator takes once).
	required, lineInMain := map[string]bool{}, map[string]bool{}
	for id, r := range cfg.Rules {
		for _, rr := range r.RequiredRules {
			required[rr.RuleID] = true
			lineInMain[rr.RuleID] = !isLINE(id) && isLINE(rr.RuleID) || lineInMain[rr.RuleID]
		}
	}
	locators, notLocated := locatorRules(ctx, subset(cfg, func(id string) bool { return !isLINE(id) && !required[id] }), !st.noLocators)
	mainCfg := subset(cfg, func(id string) bool { return !isLINE(id) && notLocated(id) || lineInMain[id] })
	e := &Engine{
		main:         newDetector(ctx, mainCfg),
		plain:        newDetector(ctx, mainCfg),
		locators:     locators,
		keywords:     newKeywordIndex(locators, mainCfg),
		gated:        !st.noLocators,
		line:         newDetector(ctx, lineCfg),
		lineDecoding: newDetector(ctx, lineCfg),
		skipPaths:    skip,
	}
	e.plain.MaxDecodeDepth = 0
	for _, id := range mainCfg.OrderedRules {
		switch r := mainCfg.Rules[id]; {
		case r.Regex == nil && r.Path != nil:
			// matches by path alone (gitleaks checks its keywords itself)
			e.pathRules = append(e.pathRules, r)
		case len(r.Keywords) > 0:
		default:
			e.gated = false // a rule gitleaks runs on every fragment
		}
	}
	e.line.MaxDecodeDepth = 0
	if !st.noMemo {
		e.memo = newMemo(cfg) // every rule, locator rules included
	}
	for _, id := range e.line.Config.OrderedRules {
		g, ok := shapes[id]
		if !ok {
			g = gate{hexRun: 1, b64Run: 1} // no known shape: any candidate window
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
	// The sources pair every Sema.Go with a WaitGroup of their own. Under
	// a cancelled context semgroup drops the function without running it
	// (its semaphore refuses the slot), and that WaitGroup would never be
	// done: an interrupted scan hung in the history source's Wait. A slot
	// is always granted instead; a function that gets one after the
	// cancel finds the context done and returns at once.
	d.Sema = semgroup.NewGroup(context.WithoutCancel(ctx), 40)
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

// Scan feeds every fragment of src to the detectors and keeps what they
// find (see Findings). onFound, when not nil, sees each finding as soon as
// it is made, from the source's goroutines.
func (e *Engine) Scan(ctx context.Context, src sources.Source, onFound func(report.Finding)) error {
	record := func(found []report.Finding) {
		e.record(found)
		if onFound != nil {
			for _, f := range found {
				onFound(f)
			}
		}
	}
	return src.Fragments(ctx, func(fr sources.Fragment, err error) error {
		if err != nil {
			return err
		}
		if fr.Raw == "" && fr.FilePath == "" || e.pathSkipped(fr.FilePath) {
			return nil
		}
		if fr.Bytes != nil {
			e.scanned.Add(int64(len(fr.Bytes)))
		} else {
			e.scanned.Add(int64(len(fr.Raw)))
		}
		record(e.DetectOnce(ctx, fr))
		return nil
	})
}

// DetectOnce is Detect, except that a text it has seen under an
// equivalent path gets what was found in it then (see memo), without its
// rules running again: a history's reverts and cherry-picks, a capture's
// response headers and bodies that come back the same.
func (e *Engine) DetectOnce(ctx context.Context, fr sources.Fragment) []report.Finding {
	if e.memo == nil {
		return e.Detect(ctx, fr)
	}
	key := e.memo.key(fr)
	if found, ok := e.memo.lookup(key, fr); ok {
		return found
	}
	found := e.Detect(ctx, fr)
	e.memo.store(key, fr, found)
	return found
}

// Detect runs every rule over one fragment. It keeps nothing: Scan and
// the capture scanner decide what to do with what it finds.
func (e *Engine) Detect(ctx context.Context, fr sources.Fragment) []report.Finding {
	fr = validUTF8(fr)
	passes := decodePasses(fr.Raw, e.main.MaxDecodeDepth)
	hits := e.keywords.hits(passes)
	var found []report.Finding
	if !e.gated || e.pathRuns(fr) || e.keywords.mainMatches(hits, passes) {
		main := e.main
		if len(passes) == 1 {
			main = e.plain
		}
		found = main.DetectContext(ctx, detect.Fragment(fr))
	}
	if loc := e.runLocators(ctx, fr, passes, hits.locators); len(loc) > 0 {
		found = filterGeneric(append(found, loc...))
	}
	for _, w := range e.lineFragments(fr, passes) {
		d := e.line
		if w.decode {
			d = e.lineDecoding
		}
		found = append(found, d.DetectContext(ctx, detect.Fragment(w.Fragment))...)
	}
	for i := range found {
		if Decoded(found[i]) {
			// gitleaks' line text of a decoded finding is the raw text cut
			// at decoded offsets: give it the raw line it points at, which
			// allow markers are looked for on.
			found[i].Line = lineAt(fr.Raw, found[i].StartLine-fr.StartLine)
		}
	}
	return found
}

// lineAt is line n (0-based) of text, without its newline.
func lineAt(text string, n int) string {
	for ; n > 0; n-- {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			return ""
		}
		text = text[i+1:]
	}
	line, _, _ := strings.Cut(text, "\n")
	return line
}

// pathRuns: a rule of main that matches paths alone matches fr's (as
// gitleaks' detectRule matches them).
func (e *Engine) pathRuns(fr sources.Fragment) bool {
	if len(e.pathRules) == 0 {
		return false
	}
	key := fr.FilePath
	if fr.WindowsFilePath != "" {
		key += "\x00" + fr.WindowsFilePath
	}
	if v, ok := e.pathRun.Load(key); ok {
		return v.(bool)
	}
	run := false
	for _, r := range e.pathRules {
		if r.Path.MatchString(fr.FilePath) || fr.WindowsFilePath != "" && r.Path.MatchString(fr.WindowsFilePath) {
			run = true
			break
		}
	}
	e.pathRun.Store(key, run)
	return run
}

func (e *Engine) record(found []report.Finding) {
	if len(found) > 0 {
		e.mu.Lock()
		e.found = append(e.found, found...)
		e.mu.Unlock()
	}
}

// Findings are gitleaks' findings of every Scan so far, in no fixed order.
func (e *Engine) Findings() []report.Finding { return e.found }

// SkippedPaths are the regexes of the global path allowlists: a fragment
// of a path one matches is thrown away unread (see Skipped).
func (e *Engine) SkippedPaths() []string {
	var out []string
	for _, a := range e.skipPaths {
		for _, re := range a.Paths {
			out = append(out, re.String())
		}
	}
	return out
}

// Skipped reports whether the fragments of path are thrown away unread.
func (e *Engine) Skipped(path string) bool { return e.pathSkipped(path) }

func (e *Engine) pathSkipped(path string) bool {
	if path == "" || len(e.skipPaths) == 0 {
		return false
	}
	if v, ok := e.skipped.Load(path); ok {
		return v.(bool)
	}
	skip := false
	for _, a := range e.skipPaths {
		if a.PathAllowed(path) {
			skip = true
			break
		}
	}
	e.skipped.Store(path, skip)
	return skip
}

// splitPathAllowlists takes the paths out of "any of these" global
// allowlists (for pathSkipped) and leaves the detector the rest: commits,
// regexes and stopwords. An allowlist whose conditions must all hold stays
// whole.
func splitPathAllowlists(all []*config.Allowlist) (kept, paths []*config.Allowlist) {
	for _, a := range all {
		if a.MatchCondition != config.AllowlistMatchOr || len(a.Paths) == 0 {
			kept = append(kept, a)
			continue
		}
		p := &config.Allowlist{Description: a.Description, Paths: a.Paths}
		if err := p.Validate(); err != nil {
			kept = append(kept, a)
			continue
		}
		paths = append(paths, p)
		if len(a.Commits)+len(a.Regexes)+len(a.StopWords) == 0 {
			continue
		}
		rest := &config.Allowlist{
			Description: a.Description,
			Commits:     a.Commits,
			RegexTarget: a.RegexTarget,
			Regexes:     a.Regexes,
			StopWords:   a.StopWords,
		}
		if err := rest.Validate(); err != nil {
			kept = append(kept, a)
			continue
		}
		kept = append(kept, rest)
	}
	return kept, paths
}

// Sema bounds how many goroutines the sources feeding this engine run at
// once: gitleaks' sources take their detector's.
func (e *Engine) Sema() *semgroup.Group { return e.main.Sema }

// Bytes counts the bytes of every fragment Scan looked at, those the memo
// remembered included.
func (e *Engine) Bytes() int { return int(e.scanned.Load()) }

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

// Shortest runs that open a window: a channel secret (32 hex) and a LINE
// Notify token (43 base64-class characters); an access token is longer.
const (
	minHexRun = 32
	minB64Run = 43
)

// windowMargin is how many characters around a candidate run a LINE rule
// may look: the rules' widest context (a client_secret up to 300
// characters from api.line.me) plus the longest name before a value.
const windowMargin = 400

// window is a span of whole lines around candidate runs, with the longest
// hex and base64 runs inside it.
type window struct {
	start, end     int
	hexMax, b64Max int
}

// candidateWindows finds every run of base64-class characters long enough
// to be (or to hold) a LINE credential, and returns the lines around them,
// windowMargin characters on each side (the rules' reach is counted in
// characters: in Japanese text 400 of them are 1,200 bytes), overlapping
// windows joined.
//
// It reads one byte in 32 where text holds no long run: any run of 32 or
// more covers one of the sampled positions, and only runs met there are
// measured. Hex characters are base64-class too, so a 32-hex run lies in a
// base64-class run.
func candidateWindows(text string) []window {
	var out []window
	for i := minHexRun - 1; i < len(text); {
		if byteClass[text[i]]&classBase64 == 0 {
			i += minHexRun
			continue
		}
		s, e := i, i+1
		for s > 0 && byteClass[text[s-1]]&classBase64 != 0 {
			s--
		}
		for e < len(text) && byteClass[text[e]]&classBase64 != 0 {
			e++
		}
		i = e + minHexRun
		if e-s < minHexRun {
			continue
		}
		hexMax, run := 0, 0
		for j := s; j < e; j++ {
			if byteClass[text[j]]&classHex != 0 {
				run++
				hexMax = max(hexMax, run)
			} else {
				run = 0
			}
		}
		if e-s < minB64Run && hexMax < minHexRun {
			continue
		}
		w := window{
			start:  lineStart(text, runesBack(text, s, windowMargin)),
			end:    lineEnd(text, runesForward(text, e, windowMargin)),
			hexMax: hexMax,
			b64Max: e - s,
		}
		if n := len(out); n > 0 && w.start <= out[n-1].end {
			last := &out[n-1]
			last.end = max(last.end, w.end)
			last.hexMax = max(last.hexMax, w.hexMax)
			last.b64Max = max(last.b64Max, w.b64Max)
			continue
		}
		out = append(out, w)
	}
	return out
}

// runesBack is the index n characters before i in text (or 0).
func runesBack(text string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(text[:i])
		i -= size
	}
	return i
}

// runesForward is the index n characters after i in text (or its end).
func runesForward(text string, i, n int) int {
	for ; n > 0 && i < len(text); n-- {
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	return i
}

// lineFragments cuts a fragment down to the windows where a LINE rule can
// match: the window holds a run of the rule's shape and, when the rule has
// keywords, one of them. Each keeps the fragment's file and commit and its
// own first line number, so findings point where they would in the whole
// fragment; a large file with one candidate costs a few lines of regex work
// instead of all of it.
//
// When gitleaks' decoder reveals something (passes beyond the raw text), a
// LINE credential may only exist decoded: base64 in a Kubernetes Secret, a
// \u-escaped or percent-encoded value, a whole "NAME=value" line encoded.
// The same test then runs on each decoded text, and if any of it holds a
// candidate, the whole fragment goes to the decoding detector, which finds
// what gitleaks' own detector would, named by the LINE rule.
func (e *Engine) lineFragments(fr sources.Fragment, passes []string) []lineFragment {
	for _, text := range passes[min(1, len(passes)):] {
		for _, w := range candidateWindows(text) {
			if e.mayMatch(w, text[w.start:w.end]) {
				return []lineFragment{{Fragment: fr, decode: true}}
			}
		}
	}
	var out []lineFragment
	line, counted := fr.StartLine, 0
	for _, w := range candidateWindows(fr.Raw) {
		text := fr.Raw[w.start:w.end]
		if !e.mayMatch(w, text) {
			continue
		}
		line += strings.Count(fr.Raw[counted:w.start], "\n")
		counted = w.start
		sub := fr
		sub.Raw, sub.Bytes, sub.StartLine = text, nil, line
		out = append(out, lineFragment{Fragment: sub})
	}
	return out
}

// lineFragment is a window cut out of a fragment for the LINE rules, or the
// whole fragment to decode.
type lineFragment struct {
	sources.Fragment
	decode bool
}

func (e *Engine) mayMatch(w window, text string) bool {
	var lower []byte
	for _, g := range e.gates {
		if !(g.hexRun > 0 && w.hexMax >= g.hexRun || g.b64Run > 0 && w.b64Max >= g.b64Run) {
			continue
		}
		if len(g.keywords) == 0 {
			return true
		}
		if lower == nil {
			buf := lowerBufs.Get().(*[]byte)
			defer lowerBufs.Put(buf)
			lower = asciiLower((*buf)[:0], text)
			*buf = lower
		}
		for _, k := range g.keywords {
			if bytes.Contains(lower, []byte(k)) {
				return true
			}
		}
	}
	return false
}

// gitleaks keywords are lower-case; windows are lowered into pooled buffers
// (strings.ToLower allocates and handles Unicode, which keywords never need).
var lowerBufs = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

func asciiLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
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

// Decoded: gitleaks found f in a decoding pass (it tags those findings
// "decode-depth:N").
func Decoded(f report.Finding) bool {
	for _, t := range f.Tags {
		if strings.HasPrefix(t, "decode-depth:") {
			return true
		}
	}
	return false
}
