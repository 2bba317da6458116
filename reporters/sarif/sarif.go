// Package sarif writes a channelguard report as SARIF 2.1.0 for GitHub code
// scanning (github/codeql-action/upload-sarif).
//
// The output is shaped by GitHub's ingestion rules rather than by the bare
// SARIF schema, and every run is checked with Microsoft's SARIF multitool
// (`validate --rule-kind "Sarif;Gh"`, see .ci/validate-sarif):
//
//   - every rule a result uses carries id, a PascalCase name,
//     shortDescription, fullDescription (ending with a period), help.text and
//     help.markdown, helpUri, a default level, and the properties GitHub reads:
//     tags (security, secret, external/cwe/cwe-N), precision and
//     security-severity as a string;
//   - every result has message.text, one physical location with a URI
//     relative to the repository root (%SRCROOT%, percent-encoded) and a
//     1-based region, and partialFingerprints. GitHub deduplicates alerts on
//     primaryLocationLineHash only, so it is derived from the finding's own
//     fingerprint (rule, file, secret hash): moving a line does not reopen an
//     alert, and the same secret in another commit does not open a new one;
//   - at most MaxResults (25,000) results: GitHub rejects a run with more;
//   - there is no snippet, no region.snippet and no contextRegion. GitHub
//     would display a snippet to everyone with read access to the alerts, and
//     SARIF files are kept as workflow artifacts: a secret scanner must never
//     copy the value it found into them. The finding model holds only a
//     redacted preview and a short hash, and this package writes only those.
//
// Output is deterministic: the same report gives byte-identical SARIF (no
// timestamps, GUIDs or map-order dependence); findings are written in the
// order the caller sorted them.
package sarif

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/channelguard/channelguard/finding"
)

const (
	// SchemaURI is the $schema written into every log: the address GitHub's
	// documentation and the multitool expect for SARIF 2.1.0.
	SchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
	// SrcRoot is the uriBaseId of every result location: the root of the
	// scanned repository, which GitHub resolves to the checkout.
	SrcRoot = "%SRCROOT%"
	// FingerprintKey is channelguard's own key in partialFingerprints.
	FingerprintKey = "channelguard/v1"
	// LineHashKey is the only partialFingerprints key GitHub deduplicates on.
	LineHashKey = "primaryLocationLineHash"

	// MaxResults is GitHub's hard limit of results per run: a log with more
	// is rejected whole. Write keeps the first MaxResults findings (callers
	// sort them most severe first) and records the total in the run's
	// properties; callers should warn when len(r.Findings) > MaxResults.
	MaxResults = 25000

	defaultToolName = "channelguard"
	defaultToolURI  = "https://github.com/channelguard/channelguard"
	defaultVersion  = "0.0.0-dev"
)

// Write writes r to w as one SARIF 2.1.0 log with a single run. Findings
// are written in the order given (callers sort them with Report.Sort), at
// most MaxResults of them; the
// rule list holds, in r.Rules order, only the rules a finding uses, followed
// by a minimal descriptor for any finding whose rule is not catalogued. A
// report without findings gives a valid log with an empty results array,
// which GitHub reads as "nothing open".
func Write(w io.Writer, r *finding.Report) error { return WriteWith(w, r, Options{}) }

// Options are what a SARIF consumer may need beside the report.
type Options struct {
	// Category sets runs[0].automationDetails.id to "CATEGORY/": GitHub
	// keeps one set of alerts per category (codeql-action's "category").
	Category string
}

// WriteWith is Write with options.
func WriteWith(w io.Writer, r *finding.Report, opt Options) error {
	if r == nil {
		return fmt.Errorf("sarif: nil report")
	}
	log, err := build(r)
	if err != nil {
		return err
	}
	if c := strings.Trim(opt.Category, "/ "); c != "" && len(log.Runs) > 0 {
		log.Runs[0].WithAutomationDetails(gosarif.NewRunAutomationDetails().WithID(c + "/"))
	}
	var buf bytes.Buffer
	if err := log.Write(&buf); err != nil {
		return fmt.Errorf("sarif: encode: %w", err)
	}
	out, err := compact(buf.Bytes())
	if err != nil {
		return fmt.Errorf("sarif: compact: %w", err)
	}
	out = append(out, '\n')
	_, err = w.Write(out)
	return err
}

// build converts r into a go-sarif report. Write then strips go-sarif's
// redundant defaults (see compact.go).
func build(r *finding.Report) (*gosarif.Report, error) {
	if r == nil {
		return nil, fmt.Errorf("sarif: nil report")
	}
	run := gosarif.NewRun()
	run.Tool = gosarif.NewTool()
	run.Tool.Driver = driver(r.Tool)
	run.OriginalUriBaseIds = map[string]gosarif.ArtifactLocation{
		SrcRoot: {
			Index:       -1,
			Description: gosarif.NewTextMessage("The root of the scanned repository; result URIs are relative to it."),
		},
	}
	findings := r.Findings
	run.Properties = gosarif.NewPropertyBag()
	run.Properties.Add("commits_scanned", r.Stats.Commits)
	run.Properties.Add("files_scanned", r.Stats.Files)
	run.Properties.Add("bytes_scanned", r.Stats.Bytes)
	if len(findings) > MaxResults {
		run.Properties.Add("findings_total", len(findings))
		run.Properties.Add("findings_truncated", true)
		findings = findings[:MaxResults]
	}

	index := map[string]int{}
	addRule := func(rule finding.Rule) {
		index[rule.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, descriptor(rule, r.Tool))
	}
	used := map[string]bool{}
	for _, f := range findings {
		used[f.RuleID] = true
	}
	for _, rule := range r.Rules {
		if used[rule.ID] {
			if _, dup := index[rule.ID]; !dup {
				addRule(rule)
			}
		}
	}
	for _, f := range findings {
		if _, ok := index[f.RuleID]; !ok {
			addRule(uncatalogued(f))
		}
	}

	for i := range findings {
		f := &findings[i]
		res, err := result(f, index[f.RuleID])
		if err != nil {
			return nil, fmt.Errorf("sarif: finding %d (%s): %w", i, f.RuleID, err)
		}
		run.AddResult(res)
	}

	if inv := invocation(r); inv != nil {
		run.AddInvocation(inv)
		if len(r.Gaps) > 0 {
			run.Properties.Add("gaps", len(r.Gaps))
			run.Properties.Add("objects_unreadable", finding.Unreadable(r.Gaps))
		}
	}

	log := gosarif.NewReport()
	log.Schema = SchemaURI
	log.AddRun(run)
	return log, nil
}

// MaxGapNotifications bounds the notifications one run lists, one per gap
// (a partial clone of a long history can miss thousands of blobs); one
// more says how many were left out, and the JSON report lists them all.
const MaxGapNotifications = 1000

// invocation tells what a scan could not read, when it could not, as the
// run's toolExecutionNotifications: a note per report note (a partial
// clone) and an error per gap, each naming the object, the commit and the
// file (at its repository-relative URI). A run with gaps has
// executionSuccessful false: its results are complete but for what the
// gaps name, and the scan exited 2. Nil when there is nothing to say, so
// a complete scan's log is as it always was.
func invocation(r *finding.Report) *gosarif.Invocation {
	if len(r.Gaps) == 0 && len(r.Notes) == 0 {
		return nil
	}
	inv := gosarif.NewInvocation().WithExecutionSuccessful(len(r.Gaps) == 0)
	for _, n := range r.Notes {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			gosarif.NewNotification().WithLevel("note").WithMessage(gosarif.NewTextMessage(sentence(n))))
	}
	gaps := r.Gaps
	if len(gaps) > MaxGapNotifications {
		gaps = gaps[:MaxGapNotifications]
	}
	for _, g := range gaps {
		note := gosarif.NewNotification().WithLevel("error").
			WithMessage(gosarif.NewTextMessage(sentence(g.String())))
		if g.Path != "" {
			if uri, base, err := artifactURI(g.Path); err == nil {
				art := gosarif.NewArtifactLocation().WithURI(uri)
				if base != "" {
					art.WithURIBaseID(base)
				}
				note.AddLocation(gosarif.NewLocationWithPhysicalLocation(gosarif.NewPhysicalLocation().WithArtifactLocation(art)))
			}
		}
		props := gosarif.NewPropertyBag()
		props.Add("kind", g.Kind)
		for _, kv := range [][2]string{{"repository", g.Repository}, {"object", g.Object}, {"commit", g.Commit}, {"path", g.Path}} {
			if kv[1] != "" {
				props.Add(kv[0], kv[1])
			}
		}
		note.WithProperties(props)
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, note)
	}
	if more := len(r.Gaps) - len(gaps); more > 0 {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, gosarif.NewNotification().WithLevel("error").
			WithMessage(gosarif.NewTextMessage(fmt.Sprintf("%d more gaps are not listed here; the JSON report (--format json) lists every one.", more))))
	}
	return inv
}

func driver(t finding.Tool) *gosarif.ToolComponent {
	d := gosarif.NewToolComponent()
	name := strings.TrimSpace(t.Name)
	if name == "" {
		name = defaultToolName
	}
	version := strings.TrimSpace(t.Version)
	if version == "" {
		version = defaultVersion
	}
	uri := strings.TrimSpace(t.InformationURI)
	if !isAbsoluteURI(uri) {
		uri = defaultToolURI
	}
	d.WithName(name).WithVersion(version).WithInformationURI(uri)
	if sv, ok := semanticVersion(version); ok {
		d.WithSemanticVersion(sv)
	}
	return d
}

// semanticVersion returns v without a leading "v" when it looks like a
// semantic version (major.minor.patch with optional suffixes).
func semanticVersion(v string) (string, bool) {
	v = strings.TrimPrefix(v, "v")
	core := v
	if i := strings.IndexAny(core, "-+"); i >= 0 {
		core = core[:i]
	}
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return "", false
	}
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil || p == "" {
			return "", false
		}
	}
	return v, true
}

func descriptor(rule finding.Rule, tool finding.Tool) *gosarif.ReportingDescriptor {
	d := gosarif.NewRule(rule.ID)
	d.WithName(friendlyName(rule))

	short := strings.TrimSpace(rule.Title)
	if short == "" {
		short = rule.ID
	}
	d.WithShortDescription(gosarif.NewMultiformatMessageString().WithText(short))

	full := strings.TrimSpace(rule.Summary)
	if full == "" {
		full = short
	}
	d.WithFullDescription(gosarif.NewMultiformatMessageString().WithText(sentence(full)))

	helpURI := strings.TrimSpace(rule.HelpURI)
	if !isAbsoluteURI(helpURI) {
		helpURI = strings.TrimSpace(tool.InformationURI)
		if !isAbsoluteURI(helpURI) {
			helpURI = defaultToolURI
		}
	}
	d.WithHelpURI(helpURI)

	md := strings.TrimSpace(rule.Remediation)
	if md == "" {
		md = sentence(full) + "\n\nSee " + helpURI + " for how to fix it."
	}
	d.WithHelp(gosarif.NewMultiformatMessageString().
		WithText(plainText(md)).
		WithMarkdown(md))

	d.WithDefaultConfiguration(gosarif.NewReportingConfiguration().WithLevel(level(rule.Severity)))

	props := gosarif.NewPropertyBag()
	props.Tags = []string{"security", "secret"}
	if rule.CWE > 0 {
		props.Tags = append(props.Tags, fmt.Sprintf("external/cwe/cwe-%d", rule.CWE))
	}
	if p := precision(rule.Precision); p != "" {
		props.Add("precision", p)
	}
	if score := rule.Severity.Score(); score != "" {
		props.Add("security-severity", score)
	}
	props.Add("problem.severity", problemSeverity(rule.Severity))
	d.WithProperties(props)
	return d
}

// uncatalogued makes a rule entry for a finding whose rule is missing from
// Report.Rules, so the log still satisfies GitHub's per-rule requirements.
func uncatalogued(f finding.Finding) finding.Rule {
	title := strings.TrimSpace(f.Title)
	if title == "" {
		title = f.RuleID
	}
	return finding.Rule{
		ID:        f.RuleID,
		Title:     title,
		Summary:   title + " found by channelguard",
		Severity:  f.Severity,
		CWE:       798,
		Precision: "medium",
	}
}

func result(f *finding.Finding, ruleIndex int) (*gosarif.Result, error) {
	if strings.TrimSpace(f.RuleID) == "" {
		return nil, fmt.Errorf("finding has no rule id")
	}
	uri, base, err := artifactURI(f.Location.Path)
	if err != nil {
		return nil, err
	}
	res := gosarif.NewRuleResult(f.RuleID).
		WithRuleIndex(ruleIndex).
		WithLevel(level(f.Severity)).
		WithMessage(gosarif.NewTextMessage(message(f)))

	art := gosarif.NewArtifactLocation().WithURI(uri)
	if base != "" {
		art.WithURIBaseID(base)
	}
	phys := gosarif.NewPhysicalLocation().WithArtifactLocation(art)
	if reg := region(f.Location); reg != nil {
		phys.WithRegion(reg)
	}
	loc := gosarif.NewLocationWithPhysicalLocation(phys)
	if c := f.Capture; c != nil {
		loc.AddLogicalLocation(logical(c))
	}
	res.AddLocation(loc)

	fp := strings.TrimSpace(f.Fingerprint)
	if fp == "" {
		fp = finding.Fingerprint(f.RuleID, f.Location.Path, f.SecretSHA256)
	}
	res.WithPartialFingerprints(map[string]string{
		FingerprintKey: fp,
		LineHashKey:    fp + ":1",
	})

	props := gosarif.NewPropertyBag()
	props.Add("severity", f.Severity.String())
	props.Add("secret_preview", f.SecretPreview)
	props.Add("secret_sha256", f.SecretSHA256)
	if f.Commit != nil {
		props.Add("commit", commitProps(f.Commit, true))
	}
	if f.Capture != nil {
		props.Add("capture", captureProps(f.Capture))
	} else {
		exp := map[string]any{
			"still_at_head":   f.Exposure.StillAtHead,
			"in_working_tree": f.Exposure.InWorkingTree,
		}
		if f.Exposure.Staged {
			exp["staged"] = true
		}
		if c := f.Exposure.FirstCommit; c != nil {
			exp["first_commit"] = commitProps(c, false)
		}
		if c := f.Exposure.RemovedIn; c != nil {
			exp["removed_in"] = commitProps(c, false)
		}
		props.Add("exposure", exp)
	}
	if f.PolicyRule != "" {
		props.Add("policy_rule", f.PolicyRule)
	}
	if len(f.SameAs) > 0 {
		props.Add("same_value_as", append([]string(nil), f.SameAs...))
	}
	if f.Confirmed != "" {
		props.Add("confirmed", f.Confirmed)
	}
	if f.Remediation != "" {
		props.Add("remediation", f.Remediation)
	}
	if v := f.Verification; v != nil {
		m := map[string]any{"status": v.Status}
		for k, s := range map[string]string{"checked_at": v.CheckedAt, "channel_id": v.ChannelID, "bot_name": v.BotName, "basic_id": v.BasicID, "detail": v.Detail} {
			if s != "" {
				m[k] = s
			}
		}
		props.Add("verification", m)
	}
	n := len(f.Occurrences) + f.MoreOccurrences
	if n == 0 {
		n = 1
	}
	props.Add("occurrences", n)
	if len(f.AlsoMatched) > 0 {
		props.Add("also_matched", append([]string(nil), f.AlsoMatched...))
	}
	res.WithProperties(props)
	return res, nil
}

// logical names where in the API exchange a capture finding stands: the
// endpoint, the part and the field (an RFC 9535 JSONPath in a JSON body).
func logical(c *finding.Capture) *gosarif.LogicalLocation {
	name := c.Field
	if name == "" {
		name = c.Part
	}
	kind := "parameter"
	switch {
	case strings.HasPrefix(c.Field, "$"):
		kind = "property"
	case c.Field == "":
		kind = "object"
	}
	fq := c.Endpoint() + " " + c.Part
	if c.Path != "" {
		fq = c.Method + " " + c.Path + " " + c.Part
	}
	if c.Field != "" {
		fq += " " + c.Field
	}
	return gosarif.NewLogicalLocation().WithName(name).WithFullyQualifiedName(fq).WithKind(kind)
}

func captureProps(c *finding.Capture) map[string]any {
	m := map[string]any{
		"file":     c.File,
		"entry":    c.Entry,
		"method":   c.Method,
		"url":      c.URL,
		"template": c.Template,
		"path":     c.Path,
		"part":     c.Part,
	}
	for k, v := range map[string]string{"role": c.Role, "field": c.Field, "time": c.Time} {
		if v != "" {
			m[k] = v
		}
	}
	if c.Status != 0 {
		m["status"] = c.Status
	}
	return m
}

func commitProps(c *finding.Commit, withAuthor bool) map[string]any {
	m := map[string]any{"sha": c.SHA}
	if withAuthor && c.Author != "" {
		m["author"] = c.Author
	}
	if c.Date != "" {
		m["date"] = c.Date
	}
	return m
}

// message is the result's text: the finding's own sentence (what leaked,
// where, what to do), always ending with a period as SARIF asks.
func message(f *finding.Finding) string {
	msg := strings.TrimSpace(f.Message)
	if msg == "" {
		title := strings.TrimSpace(f.Title)
		if title == "" {
			title = "Secret"
		}
		where := f.Location.String()
		if f.Commit != nil {
			where += " in commit " + f.Commit.Short()
		}
		msg = fmt.Sprintf("%s found in %s: revoke it and remove it from the repository", title, where)
	}
	return sentence(msg)
}

func region(l finding.Location) *gosarif.Region {
	if l.StartLine <= 0 {
		return nil
	}
	r := gosarif.NewRegion().WithStartLine(l.StartLine)
	startCol := 0
	if l.StartColumn > 0 {
		startCol = l.StartColumn
		r.WithStartColumn(startCol)
	}
	endLine := l.StartLine
	if l.EndLine > l.StartLine {
		endLine = l.EndLine
		r.WithEndLine(endLine)
	} else if l.EndLine == l.StartLine {
		r.WithEndLine(endLine)
	}
	if l.EndColumn > 0 {
		// On one line the end must lie after the start (SARIF §3.30.2).
		if endLine > l.StartLine || startCol == 0 || l.EndColumn > startCol {
			r.WithEndColumn(l.EndColumn)
		}
	}
	// go-sarif writes byteOffset/charOffset -1 (their "absent" value)
	// unless told otherwise; that is what the schema's defaults say too.
	return r
}

// artifactURI turns a repository path into a URI reference relative to
// %SRCROOT%: forward slashes, no leading "./", every segment percent-encoded
// (spaces, non-ASCII, "%", "#", "?", ":" ...). An absolute path becomes a
// file:// URI without a base.
func artifactURI(p string) (uri, base string, err error) {
	p = strings.TrimSpace(strings.ReplaceAll(p, "\\", "/"))
	if p == "" {
		return "", "", fmt.Errorf("location has no path")
	}
	abs := strings.HasPrefix(p, "/")
	p = path.Clean(p)
	if !abs {
		p = strings.TrimPrefix(p, "./")
		if p == "." || p == ".." || strings.HasPrefix(p, "../") {
			return "", "", fmt.Errorf("path %q is outside the repository", p)
		}
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = escapeSegment(s)
	}
	enc := strings.Join(segs, "/")
	if abs {
		return "file://" + enc, "", nil
	}
	return enc, SrcRoot, nil
}

// escapeSegment percent-encodes one path segment, keeping only RFC 3986
// unreserved characters and the sub-delimiters that are safe everywhere in
// a relative path.
func escapeSegment(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~',
			c == '!', c == '$', c == '&', c == '\'', c == '(', c == ')',
			c == '*', c == '+', c == ',', c == ';', c == '=', c == '@':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func isAbsoluteURI(s string) bool {
	if s == "" {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.IsAbs() && u.Host != ""
}

// problemSeverity is the property GitHub uses for non-security severities;
// it is written beside security-severity for tools that read only it.
func problemSeverity(s finding.Severity) string {
	switch level(s) {
	case "error":
		return "error"
	case "warning":
		return "warning"
	default:
		return "recommendation"
	}
}

func precision(p string) string {
	switch p = strings.ToLower(strings.TrimSpace(p)); p {
	case "very-high", "high", "medium", "low":
		return p
	default:
		return ""
	}
}

// friendlyName turns a rule's name into the single PascalCase identifier
// SARIF wants in reportingDescriptor.name ("line-channel-secret" →
// "LineChannelSecret"). It never equals the rule id.
func friendlyName(rule finding.Rule) string {
	src := rule.Name
	if strings.TrimSpace(src) == "" {
		src = rule.Title
	}
	if strings.TrimSpace(src) == "" {
		src = rule.ID
	}
	var b strings.Builder
	words := strings.FieldsFunc(src, func(r rune) bool {
		return !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)))
	})
	for _, w := range words {
		b.WriteString(strings.ToUpper(w[:1]))
		if len(words) == 1 {
			b.WriteString(w[1:]) // already an identifier: keep its humps
		} else {
			b.WriteString(strings.ToLower(w[1:]))
		}
	}
	name := b.String()
	if name == "" || !unicode.IsLetter(rune(name[0])) {
		name = "Rule" + name
	}
	// The multitool (SARIF1001) compares name and id without regard to
	// case: "Jwt" for "jwt" is still the same.
	if strings.EqualFold(name, rule.ID) {
		name += "Rule"
	}
	return name
}

// sentence trims s and makes it end with sentence punctuation.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	switch s[len(s)-1] {
	case '.', '!', '?':
		return s
	}
	return s + "."
}

// plainText renders the small Markdown subset used in rule remediation as
// plain text for help.text: headings lose their hashes, links become
// "text (url)", emphasis and code markers are dropped, code fences vanish.
func plainText(md string) string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			continue
		}
		if strings.HasPrefix(trimmed, "#") {
			line = strings.TrimSpace(strings.TrimLeft(trimmed, "#"))
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		rest := line[len(indent):]
		if strings.HasPrefix(rest, "* ") || strings.HasPrefix(rest, "+ ") {
			rest = "- " + rest[2:]
		}
		out = append(out, indent+inline(rest))
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func inline(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case s[i] == '[':
			if text, target, n, ok := link(s[i:]); ok {
				if text == target || text == "" {
					b.WriteString(target)
				} else {
					b.WriteString(text + " (" + target + ")")
				}
				i += n
				continue
			}
		case s[i] == '<':
			if j := strings.IndexByte(s[i:], '>'); j > 0 && isAbsoluteURI(s[i+1:i+j]) {
				b.WriteString(s[i+1 : i+j])
				i += j + 1
				continue
			}
		case strings.HasPrefix(s[i:], "**"), strings.HasPrefix(s[i:], "__"):
			i += 2
			continue
		case s[i] == '`':
			i++
			continue
		case s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\`*_{}[]()#+-.!<>", s[i+1]) >= 0:
			b.WriteByte(s[i+1])
			i += 2
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// link parses "[text](target)" at the start of s.
func link(s string) (text, target string, n int, ok bool) {
	close := strings.Index(s, "](")
	if close < 0 || strings.IndexByte(s[1:close], '[') >= 0 {
		return "", "", 0, false
	}
	end := strings.IndexByte(s[close+2:], ')')
	if end < 0 {
		return "", "", 0, false
	}
	text = inline(s[1:close])
	target = strings.TrimSpace(s[close+2 : close+2+end])
	return text, target, close + 2 + end + 1, true
}

// level maps a severity to a SARIF result level.
func level(s finding.Severity) string {
	switch s {
	case finding.Critical, finding.High:
		return "error"
	case finding.Medium:
		return "warning"
	default:
		return "note"
	}
}
