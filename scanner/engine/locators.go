package engine

import (
	"bytes"
	"context"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/detect/codec"
	"github.com/zricethezav/gitleaks/v8/regexp"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"
)

// semiGenericPrefix opens about a hundred gitleaks rules (gitleaks'
// semi-generic template: up to 50 identifier characters, then the
// service's name, an assignment and the value). For RE2 this prefix is the
// expensive part: the lazy DFA has to track every count from 0 to 50 at
// every identifier character of every fragment, and building those states
// costs more than the scan itself. Without it (the locator) the regex
// reaches only a handful of states until the service's name appears.
const semiGenericPrefix = `(?i)[\w.-]{0,50}?`

// locatorRule is a rule the engine first looks for with its locator: any
// match of the rule holds a match of the locator (the rule is the prefix
// followed by the locator, and the prefix only widens where a match
// starts), so a fragment whose text never matches the locator holds no
// match of the rule. Only fragments where it does match are given to the
// rule's own detector, which then finds exactly what gitleaks finds.
type locatorRule struct {
	locator  *regexp.Regexp
	keywords []string // lower-case
	// reach is how many newlines a match of the rule can span, or -1 when
	// the rule cannot be run on windows (see windowReach).
	reach int
	ctx   context.Context
	cfg   config.Config // the rule alone
	// det runs the rule as gitleaks does; plain is det without decoding,
	// for fragments with nothing to decode. Each is made the first time a
	// fragment needs it: most locator rules never match, and a detector
	// holds a keyword trie of ~130 kB.
	detOnce, plainOnce sync.Once
	det, plain         *detect.Detector
}

// detector returns the rule's detector, decoding or not.
func (lr *locatorRule) detector(decoding bool) *detect.Detector {
	if decoding {
		lr.detOnce.Do(func() { lr.det = newDetector(lr.ctx, lr.cfg) })
		return lr.det
	}
	lr.plainOnce.Do(func() {
		lr.plain = newDetector(lr.ctx, lr.cfg)
		lr.plain.MaxDecodeDepth = 0
	})
	return lr.plain
}

// locatorRules picks the rules cfg can run through locators and returns
// them with the rest of cfg's rule ids.
func locatorRules(ctx context.Context, cfg config.Config, enabled bool) (locators []*locatorRule, rest func(id string) bool) {
	byID := map[string]bool{}
	for _, id := range cfg.OrderedRules {
		r := cfg.Rules[id]
		if !enabled || r.Regex == nil || r.Path != nil || len(r.RequiredRules) > 0 || r.SkipReport || len(r.Keywords) == 0 {
			continue
		}
		src := r.Regex.String()
		if !strings.HasPrefix(src, semiGenericPrefix) {
			continue
		}
		loc := compileLocator("(?i)" + strings.TrimPrefix(src, semiGenericPrefix))
		if loc == nil {
			continue
		}
		lr := &locatorRule{locator: loc, reach: windowReach(src), ctx: ctx, cfg: subset(cfg, func(x string) bool { return x == id })}
		if !linesAllowWindows(append(slices.Clone(cfg.Allowlists), r.Allowlists...)) {
			lr.reach = -1
		}
		for _, k := range r.Keywords {
			lr.keywords = append(lr.keywords, strings.ToLower(k))
		}
		locators = append(locators, lr)
		byID[id] = true
	}
	return locators, func(id string) bool { return !byID[id] }
}

// keywordIndex is one Aho-Corasick trie over the keywords of the locator
// rules and of the main detector's rules, so one walk over a fragment's
// lower-cased text tells which of either gitleaks would run on it.
type keywordIndex struct {
	trie      *ahocorasick.Trie
	nLocators int
	locators  [][]int // keyword → indices of the locator rules it belongs to
	// mainRules[k] are the rules of main (indices into regexes) keyword k
	// belongs to; regexes are their regexes.
	mainRules [][]int
	regexes   []*regexp.Regexp
}

func newKeywordIndex(locators []*locatorRule, main config.Config) *keywordIndex {
	ki := &keywordIndex{nLocators: len(locators)}
	var keywords []string
	index := map[string]int{}
	add := func(k string) int {
		k = strings.ToLower(k)
		j, ok := index[k]
		if !ok {
			j = len(keywords)
			index[k] = j
			keywords = append(keywords, k)
			ki.locators = append(ki.locators, nil)
			ki.mainRules = append(ki.mainRules, nil)
		}
		return j
	}
	for i, lr := range locators {
		for _, k := range lr.keywords {
			j := add(k)
			ki.locators[j] = append(ki.locators[j], i)
		}
	}
	for _, id := range main.OrderedRules {
		r := main.Rules[id]
		for _, k := range r.Keywords {
			j := add(k)
			if r.Regex != nil {
				ki.mainRules[j] = append(ki.mainRules[j], len(ki.regexes))
			}
		}
		if r.Regex != nil && len(r.Keywords) > 0 {
			ki.regexes = append(ki.regexes, r.Regex)
		}
	}
	if len(keywords) > 0 {
		ki.trie = ahocorasick.NewTrieBuilder().AddStrings(keywords).Build()
	}
	return ki
}

// keywordHits is what the keywords in a fragment's decoding passes call
// for: locators[p] the locator rules with a keyword in pass p, mainRules[p]
// the rules of main with a keyword in pass p.
type keywordHits struct {
	locators, mainRules [][]int
}

// mainMatches: in some pass, the regex of a rule of main whose keyword is
// in that pass matches it. gitleaks' detector runs a rule on a pass only
// when its keyword is there, and finds something only where the rule's
// regex matches the pass's text (detectRule starts from its matches): when
// no such regex matches, main finds nothing, and need not lower-case and
// search the passes for keywords again to say so. Most fragments with one
// of main's keywords (a "s." of a Vault token, an "ey" of a JWT) hold no
// match of its rule.
func (ki *keywordIndex) mainMatches(h keywordHits, passes []string) bool {
	for p, rules := range h.mainRules {
		for _, i := range rules {
			if ki.regexes[i].MatchString(passes[p]) {
				return true
			}
		}
	}
	return false
}

// hits finds the keywords in each pass, lower-cased as gitleaks does.
func (ki *keywordIndex) hits(passes []string) keywordHits {
	h := keywordHits{locators: make([][]int, len(passes)), mainRules: make([][]int, len(passes))}
	if ki.trie == nil {
		return h
	}
	buf := lowerBufs.Get().(*[]byte)
	defer lowerBufs.Put(buf)
	seen := make([]bool, ki.nLocators)
	var seenMain []bool
	for p, text := range passes {
		lower := lowerText((*buf)[:0], text)
		*buf = lower
		clear(seen)
		clear(seenMain)
		ki.trie.Walk(lower, func(end, n, pattern int64) bool {
			for _, i := range ki.mainRules[pattern] {
				if seenMain == nil {
					seenMain = make([]bool, len(ki.regexes))
				}
				if !seenMain[i] {
					seenMain[i] = true
					h.mainRules[p] = append(h.mainRules[p], i)
				}
			}
			for _, i := range ki.locators[pattern] {
				if !seen[i] {
					seen[i] = true
					h.locators[p] = append(h.locators[p], i)
				}
			}
			return true
		})
	}
	return h
}

// compiledLocators keeps each locator compiled once per process: every
// scan makes an engine, and a pull request scan should not pay for a
// hundred compilations each time.
var compiledLocators sync.Map // expression → *regexp.Regexp (nil: does not compile)

// compileLocator compiles with gitleaks' regexp package (RE2 under the
// gore2regex tag, as the rules are); nil if it does not compile.
func compileLocator(expr string) *regexp.Regexp {
	if re, ok := compiledLocators.Load(expr); ok {
		return re.(*regexp.Regexp)
	}
	re := func() (re *regexp.Regexp) {
		defer func() {
			if recover() != nil {
				re = nil
			}
		}()
		return regexp.MustCompile(expr)
	}()
	compiledLocators.Store(expr, re)
	return re
}

// decodePasses is the text of every pass gitleaks' detector makes over a
// fragment: the raw text, then each decoding of it (base64, hex, percent
// encoding) up to maxDepth, exactly as DetectContext computes them.
func decodePasses(raw string, maxDepth int) []string {
	passes := []string{raw}
	if maxDepth == 0 {
		return passes
	}
	decoder := codec.NewDecoder()
	current := raw
	for depth := 1; depth <= maxDepth; depth++ {
		next, ok := decodeOnce(decoder, current)
		if !ok {
			break
		}
		passes = append(passes, next)
		current = next
	}
	return passes
}

// decodeOnce is the text of decoder.Decode(text), and whether it found
// a segment. The decoder runs its regex, with submatches, over the whole
// text and tries every base64-looking run (in JSON and code, most
// identifiers of 16 characters); eachEncoding finds the same matches with
// byte loops, and only the ones that may decode go to the decoder, each
// alone: the decoder replaces each match with its decoding, which depends
// on the match's text only, and the regex matches a match's text alone as
// the whole of it (TestDecodePassesMatchDecoder). Like the decoder, a
// match that touches one of a kind that takes precedence is left as it
// is. Text that is not UTF-8 (a percent decoding can make it) goes to the
// decoder whole.
func decodeOnce(decoder *codec.Decoder, text string) (string, bool) {
	if !utf8.ValidString(text) {
		decoded, segments := decoder.Decode(text, nil)
		return decoded, len(segments) > 0
	}
	type match struct {
		kind       encoding
		start, end int
	}
	var matches []match
	eachEncoding(text, func(kind encoding, start, end int) bool {
		matches = append(matches, match{kind, start, end})
		return true
	})
	var out []byte
	last := 0
	for i, m := range matches {
		// codec's precedence: percent, unicode, hex, base64 (the order
		// of the encoding constants); touching counts as overlapping
		if i > 0 && matches[i-1].end == m.start && matches[i-1].kind < m.kind ||
			i+1 < len(matches) && matches[i+1].start == m.end && matches[i+1].kind < m.kind {
			continue
		}
		span := text[m.start:m.end]
		switch m.kind {
		case encHex:
			if !hexDecodes(span) {
				continue
			}
		case encBase64:
			if !base64Decodes(span) {
				continue
			}
		}
		decoded, segments := decoder.Decode(span, nil)
		if len(segments) > 0 {
			if out == nil {
				out = make([]byte, 0, len(text))
			}
			out = append(append(out, text[last:m.start]...), decoded...)
			last = m.end
		}
	}
	if out == nil {
		return text, false
	}
	return string(append(out, text[last:]...)), true
}

// runLocators runs every locator rule that may match fr: a keyword of the
// rule is in a pass's text (as gitleaks requires before it runs a rule;
// hits has them by pass) and its locator matches that text.
func (e *Engine) runLocators(ctx context.Context, fr sources.Fragment, passes []string, hits [][]int) []report.Finding {
	var (
		found []report.Finding
		done  []bool
	)
	for p, text := range passes {
		for _, i := range hits[p] {
			if done == nil {
				done = make([]bool, len(e.locators))
			}
			if done[i] {
				continue
			}
			lr := e.locators[i]
			if len(passes) == 1 && lr.reach >= 0 {
				found = append(found, lr.runWindows(ctx, fr)...)
				done[i] = true
				continue
			}
			// otherwise its keyword may come back decoded, and its
			// locator match with it
			if lr.locator.MatchString(text) {
				found = append(found, lr.detector(len(passes) > 1).DetectContext(ctx, detect.Fragment(fr))...)
				done[i] = true
			}
		}
	}
	return found
}

// runWindows runs the rule on the lines where its matches can start, in a
// fragment with nothing to decode. Why that finds exactly what the rule
// finds over the whole fragment:
//
//   - A match of the rule is the prefix (identifier characters, never a
//     newline) then a match of the locator starting at some k: k is on the
//     line the match starts on. The locator's non-overlapping matches, as
//     FindAll reports them, cover every such k (a search from p finds the
//     leftmost start at or before k, and that match ends after k, or
//     starts at k). So every match of the rule starts on a line some
//     reported locator match covers.
//   - A match spans at most reach newlines, so the lines a locator match
//     covers plus reach+1 more hold every match starting on them, whole,
//     and windows that overlap are joined. Gaps between windows hold no
//     match start, so FindAll over a window meets the matches FindAll over
//     the fragment meets there, in the same order.
//   - A window starts at a line start (the character before is a newline,
//     which \b and (?m)^ see as the start of text does; rules with ^ or \A
//     are not windowed). Its end can let $ match where the fragment's text
//     goes on, but a match reaching it would span more than reach
//     newlines from any covered line: such matches start after the last
//     covered line, and findings that start there are dropped.
func (lr *locatorRule) runWindows(ctx context.Context, fr sources.Fragment) []report.Finding {
	ms := lr.locator.FindAllStringIndex(fr.Raw, -1)
	if len(ms) == 0 {
		return nil
	}
	text := fr.Raw
	det := lr.detector(false)
	// the fragment's last line when it has no newline at its end (gitleaks
	// places matches there differently); -1 otherwise
	finalLine := -1
	if !strings.HasSuffix(text, "\n") {
		finalLine = fr.StartLine + strings.Count(text, "\n")
	}
	var found []report.Finding
	line, counted := fr.StartLine, 0
	for i := 0; i < len(ms); {
		// a window: the lines locator matches cover, joined while the next
		// match starts within reach+1 lines of the last one's
		start := lineStart(text, ms[i][0])
		lastCovered := lineEnd(text, ms[i][1])
		end := extendLines(text, lastCovered, lr.reach+1)
		for i++; i < len(ms) && ms[i][0] < end; i++ {
			lastCovered = lineEnd(text, ms[i][1])
			end = extendLines(text, lastCovered, lr.reach+1)
		}
		line += strings.Count(text[counted:start], "\n")
		counted = start
		lastLine := line + strings.Count(text[start:lastCovered], "\n")
		if lastCovered > start && text[lastCovered-1] == '\n' {
			lastLine--
		}
		sub := fr
		sub.Raw, sub.Bytes, sub.StartLine = text[start:end], nil, line
		if !lr.hasKeyword(sub.Raw) {
			// gitleaks would run the rule here (a keyword is elsewhere in
			// the fragment), the window alone would not: the whole fragment
			return det.DetectContext(ctx, detect.Fragment(fr))
		}
		for _, f := range det.DetectContext(ctx, detect.Fragment(sub)) {
			if f.StartLine > lastLine {
				continue
			}
			if start > 0 {
				gitleaksPlace(&f, text[:start], line, f.StartLine == finalLine)
			}
			found = append(found, f)
		}
	}
	return found
}

// hasKeyword: text holds one of the rule's keywords, as gitleaks checks
// before it runs a rule.
func (lr *locatorRule) hasKeyword(text string) bool {
	buf := lowerBufs.Get().(*[]byte)
	defer lowerBufs.Put(buf)
	lower := lowerText((*buf)[:0], text)
	*buf = lower
	for _, k := range lr.keywords {
		if bytes.Contains(lower, []byte(k)) {
			return true
		}
	}
	return false
}

// gitleaksPlace gives a finding made in a window that starts after the
// fragment's start (before is the text before the window; first, the
// window's first line) the line text and columns gitleaks gives it in the
// whole fragment: a match on a later line of a fragment has that line
// with the newline before it as its line, and columns counted from that
// newline; a match on a last line without a newline has everything from
// the fragment's start as its line (see gitleaks' location).
func gitleaksPlace(f *report.Finding, before string, first int, onFinalLine bool) {
	onFirst := f.StartLine == first
	if onFinalLine {
		f.Line = before + f.Line
	} else if onFirst {
		f.Line = "\n" + f.Line
	}
	if onFirst {
		f.StartColumn++
		if f.EndLine == first && f.EndColumn > 0 { // 0: gitleaks found no end
			f.EndColumn++
		}
	}
}

// extendLines moves end (a line end, or the text's end) on by n more
// whole lines.
func extendLines(text string, end, n int) int {
	for ; n > 0 && end < len(text); n-- {
		end = lineEnd(text, end+1)
	}
	return end
}

// linesAllowWindows: no allowlist regex that gitleaks matches against a
// finding's line can tell a window's line from the fragment's. gitleaks
// gives a match on a fragment's later line the newline before it as the
// line's first character, a window's first line does not have it; a regex
// that cannot start at a newline and asserts no start or word boundary
// matches both alike.
func linesAllowWindows(lists []*config.Allowlist) bool {
	for _, a := range lists {
		if a.RegexTarget != "line" {
			continue
		}
		for _, re := range a.Regexes {
			parsed, err := syntax.Parse(re.String(), syntax.Perl)
			if err != nil || hasBoundary(parsed) {
				return false
			}
			if first, _ := mayStartWithNewline(parsed); first {
				return false
			}
		}
	}
	return true
}

func hasBoundary(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginText, syntax.OpBeginLine, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	for _, sub := range re.Sub {
		if hasBoundary(sub) {
			return true
		}
	}
	return false
}

// mayStartWithNewline says whether a match of re can begin with a newline,
// and whether it can be empty.
func mayStartWithNewline(re *syntax.Regexp) (newline, empty bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune) > 0 && re.Rune[0] == '\n', len(re.Rune) == 0
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= '\n' && '\n' <= re.Rune[i+1] {
				return true, false
			}
		}
		return false, false
	case syntax.OpAnyChar:
		return true, false
	case syntax.OpAnyCharNotNL:
		return false, false
	case syntax.OpCapture, syntax.OpPlus:
		return mayStartWithNewline(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		nl, _ := mayStartWithNewline(re.Sub[0])
		return nl, true
	case syntax.OpRepeat:
		nl, e := mayStartWithNewline(re.Sub[0])
		return nl, e || re.Min == 0
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			nl, e := mayStartWithNewline(sub)
			if nl {
				return true, false
			}
			if !e {
				return false, false
			}
		}
		return false, true
	case syntax.OpAlternate:
		empty := false
		for _, sub := range re.Sub {
			nl, e := mayStartWithNewline(sub)
			if nl {
				return true, false
			}
			empty = empty || e
		}
		return false, empty
	}
	return false, true // empty and assertions
}

// windowReach is how many newlines a match of expr can span, or -1 when
// that is unbounded, expr does not parse, or it asserts the start of the
// text (which a window's start would fake).
func windowReach(expr string) int {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return -1
	}
	n := newlines(re)
	if n > 1000 {
		return -1
	}
	return n
}

// newlines bounds the newlines a match of re can hold; 1<<30 for
// unbounded or a start-of-text assertion.
func newlines(re *syntax.Regexp) int {
	const unbounded = 1 << 30
	switch re.Op {
	case syntax.OpBeginText:
		return unbounded
	case syntax.OpLiteral:
		return strings.Count(string(re.Rune), "\n")
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= '\n' && '\n' <= re.Rune[i+1] {
				return 1
			}
		}
		return 0
	case syntax.OpAnyChar:
		return 1
	case syntax.OpCapture, syntax.OpQuest:
		return newlines(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		if newlines(re.Sub[0]) > 0 {
			return unbounded
		}
		return 0
	case syntax.OpRepeat:
		n := newlines(re.Sub[0])
		if n == 0 {
			return 0
		}
		if re.Max < 0 || n >= unbounded {
			return unbounded
		}
		return min(n*re.Max, unbounded)
	case syntax.OpConcat:
		total := 0
		for _, sub := range re.Sub {
			total = min(total+newlines(sub), unbounded)
		}
		return total
	case syntax.OpAlternate:
		most := 0
		for _, sub := range re.Sub {
			most = max(most, newlines(sub))
		}
		return most
	}
	return 0 // empty, any char but newline, line and word assertions
}

// filterGeneric drops a generic rule's finding where a specific rule found
// the same secret on the same line, as gitleaks' detector does within one
// run: the rules now run in several detectors, so the rule is applied
// again across all of them (applying it twice changes nothing).
func filterGeneric(found []report.Finding) []report.Finding {
	out := found[:0:0]
	for _, f := range found {
		keep := true
		if strings.Contains(strings.ToLower(f.RuleID), "generic") {
			for _, g := range found {
				if f.StartLine == g.StartLine && f.Commit == g.Commit && f.RuleID != g.RuleID &&
					strings.Contains(g.Secret, f.Secret) && !strings.Contains(strings.ToLower(g.RuleID), "generic") {
					keep = false
					break
				}
			}
		}
		if keep {
			out = append(out, f)
		}
	}
	return out
}
