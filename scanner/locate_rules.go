package scanner

import (
	"context"
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

// locatorsEnabled lets tests compare the located rules with running every
// rule as gitleaks does.
var locatorsEnabled = true

// semiGenericPrefix opens about a hundred gitleaks rules (gitleaks'
// semi-generic template: up to 50 identifier characters, then the
// service's name, an assignment and the value). For RE2 this prefix is the
// expensive part: the lazy DFA has to track every count from 0 to 50 at
// every identifier character of every fragment, and building those states
// costs more than the scan itself. Without it (the locator) the regex
// reaches only a handful of states until the service's name appears.
const semiGenericPrefix = `(?i)[\w.-]{0,50}?`

// locatedRule is a rule the engine first looks for with its locator: any
// match of the rule holds a match of the locator (the rule is the prefix
// followed by the locator, and the prefix only widens where a match
// starts), so a fragment whose text never matches the locator holds no
// match of the rule. Only fragments where it does match are given to the
// rule's own detector, which then finds exactly what gitleaks finds.
type locatedRule struct {
	locator *regexp.Regexp
	ctx     context.Context
	cfg     config.Config // the rule alone
	// det runs the rule as gitleaks does; plain is det without decoding,
	// for fragments with nothing to decode. Each is made the first time a
	// fragment needs it: most located rules never match, and a detector
	// holds a keyword trie of ~130 kB.
	detOnce, plainOnce sync.Once
	det, plain         *detect.Detector
}

// detector returns the rule's detector, decoding or not.
func (lr *locatedRule) detector(decoding bool) *detect.Detector {
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

// locatedRules picks the rules cfg can run through locators and returns
// them with the rest of cfg's rule ids.
func locatedRules(ctx context.Context, cfg config.Config) (located []*locatedRule, keywordRules [][]int, trie *ahocorasick.Trie, rest func(id string) bool) {
	byID := map[string]bool{}
	var keywords []string
	kwIndex := map[string]int{}
	for _, id := range cfg.OrderedRules {
		r := cfg.Rules[id]
		if !locatorsEnabled || r.Regex == nil || r.Path != nil || len(r.RequiredRules) > 0 || r.SkipReport || len(r.Keywords) == 0 {
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
		i := len(located)
		located = append(located, &locatedRule{locator: loc, ctx: ctx, cfg: subset(cfg, func(x string) bool { return x == id })})
		byID[id] = true
		for _, k := range r.Keywords {
			k = strings.ToLower(k)
			j, ok := kwIndex[k]
			if !ok {
				j = len(keywords)
				kwIndex[k] = j
				keywords = append(keywords, k)
				keywordRules = append(keywordRules, nil)
			}
			keywordRules[j] = append(keywordRules[j], i)
		}
	}
	if len(located) > 0 {
		trie = ahocorasick.NewTrieBuilder().AddStrings(keywords).Build()
	}
	return located, keywordRules, trie, func(id string) bool { return !byID[id] }
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
	decoder := codec.NewDecoder()
	var segments []*codec.EncodedSegment
	current := raw
	for depth := 1; depth <= maxDepth; depth++ {
		current, segments = decoder.Decode(current, segments)
		if len(segments) == 0 {
			break
		}
		passes = append(passes, current)
	}
	return passes
}

// runLocated runs every located rule that may match fr: a keyword of the
// rule is in a pass's text (as gitleaks requires before it runs a rule)
// and its locator matches that text.
func (e *engine) runLocated(ctx context.Context, fr sources.Fragment, passes []string) []report.Finding {
	if len(e.located) == 0 {
		return nil
	}
	var (
		found []report.Finding
		done  = make([]bool, len(e.located))
		buf   = lowerBufs.Get().(*[]byte)
	)
	defer lowerBufs.Put(buf)
	for _, text := range passes {
		lower := lowerText((*buf)[:0], text)
		*buf = lower
		var candidates []int
		e.locTrie.Walk(lower, func(end, n, pattern int64) bool {
			for _, i := range e.locKeywords[pattern] {
				if !done[i] {
					done[i] = true
					candidates = append(candidates, i)
				}
			}
			return true
		})
		for _, i := range candidates {
			if lr := e.located[i]; lr.locator.MatchString(text) {
				found = append(found, lr.detector(len(passes) > 1).DetectContext(ctx, detect.Fragment(fr))...)
			} else {
				done[i] = false // its keyword may come back decoded
			}
		}
	}
	return found
}

// lowerText lowers text as gitleaks' keyword check does (strings.ToLower),
// into dst; ASCII text, the usual case, without allocating.
func lowerText(dst []byte, text string) []byte {
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			return append(dst, strings.ToLower(text)...)
		}
	}
	return asciiLower(dst, text)
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
