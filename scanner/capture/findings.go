package capture

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/scanner/credential"
	"github.com/channelguard/channelguard/scanner/har"
)

// Rule ids of what captures find beside the secret rules.
const (
	RuleRoleField   = "role-inappropriate-field"
	RuleSharedField = "role-shared-sensitive-field"
	RuleCoverageGap = "capture-coverage-gap"
)

const owaspAPI3 = "https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/"

// Rules describes the capture rules for reports and `channelguard rules`.
func Rules() []finding.Rule {
	return []finding.Rule{
		{
			ID:        RuleRoleField,
			Name:      "RoleInappropriateField",
			Title:     "API response sends a field to a role that must not receive it",
			Summary:   "An API response delivered to a lower role (a LINE Developers console Member, say) holds a field the role policy reserves for a higher role, such as the channel secret. Hiding the field in the page is not access control: every user of that role can read it from the API. This is OWASP API3:2023 Broken Object Property Level Authorization (CWE-213); from 2017-09-21 to 2019-07-17 the API behind the LINE Developers console's settings tab did exactly this.",
			Severity:  finding.High,
			CWE:       213,
			Precision: "high",
			HelpURI:   owaspAPI3,
			Remediation: "**Remove the field from the endpoint's response for that role on the server.** Build the response per role (an allow-list of fields for each role), not one object for everyone with the page hiding what a role should not see.\n\n" +
				"Then **rotate the value**: every user of that role could read it from the API since the earliest capture that shows it, and before. The finding's own remediation names the reissue steps for the kind of secret it is.\n\n" +
				"Add a test that requests the endpoint as that role and asserts the field is absent.",
			Origin: rules.OriginCapture,
		},
		{
			ID:          RuleSharedField,
			Name:        "RoleSharedSensitiveField",
			Title:       "Lower role receives a sensitive-looking field with the same value as a higher role",
			Summary:     "Comparing captures of two roles, a lower role received a field whose name or value looks sensitive (secret, token, password, key, or a secret-shaped value) with exactly the value a higher role received at the same endpoint. The role policy does not name the field, so this may be intended; check it.",
			Severity:    finding.Medium,
			CWE:         213,
			Precision:   "low",
			HelpURI:     owaspAPI3,
			Remediation: "**Check whether the lower role may see this field.** If not, remove it from the endpoint's response for that role on the server and rotate the value; then add the field to the role policy (`--policy`) so channelguard reports it from a single capture. If it may, add an allow-list entry to the policy or accept the finding in the baseline.",
			Origin:      rules.OriginCapture,
		},
		{
			ID:          RuleCoverageGap,
			Name:        "CaptureCoverageGap",
			Title:       "Capture body missing or cut short: a coverage gap",
			Summary:     "A request or response body is not in the capture, or only in part (Firefox replaces bodies with a comment and cuts them at 1 MiB; a sanitized export drops them). What the capture holds was checked; what it does not hold was not checked for secrets or role-inappropriate fields: this is a gap in coverage, not a clean result. Responses that have no body by definition (204, 304, 1xx, HEAD, an empty redirect) are no gap, and a whole JSON document or HTML page is not cut short because the capture's size differs (tools count size differently).",
			Severity:    finding.Info,
			Precision:   "very-high",
			HelpURI:     "https://w3c.github.io/web-performance/specs/HAR/Overview.html",
			Remediation: "**Record the capture again with bodies.** Chrome: DevTools → Network → \"Export HAR (with sensitive data)\" or \"Save all as HAR with content\"; Playwright: `recordHar: {content: 'embed'}`; mitmproxy: `save_stream_file`. Firefox writes at most 1 MiB of a body.",
			Origin:      rules.OriginCapture,
		},
	}
}

func (st *state) ruleMeta(id string) finding.Rule {
	if r, ok := st.opts.Rules.Rule(id); ok {
		return r
	}
	for _, r := range Rules() {
		if r.ID == id {
			return r
		}
	}
	return finding.Rule{ID: id, Title: id, Severity: finding.High}
}

// findings turns every group into the public model, without raw values.
func (st *state) findings() []finding.Finding {
	var out []finding.Finding
	st.mergeOverlaps()
	for _, g := range st.secrets {
		out = append(out, st.secretFinding(g))
	}
	for _, g := range st.roles {
		out = append(out, st.roleFinding(g))
	}
	for _, g := range st.shared {
		out = append(out, st.sharedFinding(g))
	}
	for _, g := range st.gaps {
		out = append(out, st.gapFinding(g))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Fingerprint < out[j].Fingerprint })
	return out
}

// mergeOverlaps folds a less specific rule's finding of the same value in
// the same capture into the more specific one, as repository scans do.
func (st *state) mergeOverlaps() {
	for k, g := range st.secrets {
		var best *secretGroup
		for k2, h := range st.secrets {
			if k2.file == k.file && k2.secret == k.secret && rules.Specificity(k2.rule) > rules.Specificity(k.rule) &&
				(best == nil || rules.Specificity(k2.rule) > rules.Specificity(best.key.rule) ||
					rules.Specificity(k2.rule) == rules.Specificity(best.key.rule) && k2.rule < best.key.rule) {
				best = h
			}
		}
		if best == nil {
			continue
		}
		best.also[k.rule] = true
		for r := range g.also {
			best.also[r] = true
		}
		// Only the listed occurrences move: a less specific rule's match of
		// the same value is nearly always at the same places, which would
		// otherwise count twice.
		for _, o := range g.occs.list {
			best.occs.add(o)
		}
		delete(st.secrets, k)
	}
}

// fill sets what every capture finding shares: location, occurrences.
func fill(f *finding.Finding, o *occs) {
	o.trim()
	for _, x := range o.list {
		f.Occurrences = append(f.Occurrences, x.Occurrence)
	}
	if len(f.Occurrences) > 0 {
		f.Location = f.Occurrences[0].Location
		f.Capture = f.Occurrences[0].Capture
	}
	f.MoreOccurrences = o.total - len(o.list)
}

func (st *state) secretFinding(g *secretGroup) finding.Finding {
	meta := st.ruleMeta(g.key.rule)
	f := finding.ForSecret(meta, g.key.file, g.key.secret, g.also)
	hash := f.SecretSHA256
	fill(&f, &g.occs)
	if how, ok := st.confirmed[hash]; ok {
		f.Confirmed = how
		f.Severity = finding.Critical
	}
	c := f.Capture
	where := c.Part
	if c.Field != "" {
		where += " " + c.Field
	}
	f.Action = meta.Todo()
	f.Message = fmt.Sprintf("%s in %s (%s of %s%s)%s: %s", meta.Title, f.Location, where, c.Endpoint(), asRole(c.Role), confirmedNote(f.Confirmed), f.Action)
	if g.verified != nil {
		credential.Apply(&f, *g.verified)
	}
	return f
}

func asRole(role string) string {
	if role == "" {
		return ""
	}
	return ", captured as " + role
}

func confirmedNote(how string) string {
	if how == "" {
		return ""
	}
	return ", confirmed by a captured webhook signature"
}

func (st *state) roleFinding(g *roleGroup) finding.Finding {
	meta := st.ruleMeta(RuleRoleField)
	fill(&finding.Finding{}, &g.occs) // sorts and trims
	raw := ""
	if len(g.occs.list) > 0 {
		raw = g.occs.list[0].raw
	}
	hash := finding.SecretHash(raw)
	f := finding.Finding{
		RuleID:        RuleRoleField,
		Severity:      severityOf(g.rule.Severity, finding.High),
		Title:         meta.Title,
		SecretPreview: finding.Preview(raw),
		SecretSHA256:  hash,
		PolicyRule:    g.rule.ID,
		Fingerprint:   fingerprintOf(RuleRoleField, g.key.role, g.key.method, g.key.resource, g.key.path),
		SameAs:        describeSame(g.sameAs),
	}
	fill(&f, &g.occs)
	if f.Capture != nil {
		c := *f.Capture
		c.Field = g.key.path // every element of a list, not the first
		f.Capture = &c
	}
	var secretMeta *finding.Rule
	if g.secret != "" {
		m := st.ruleMeta(g.secret)
		secretMeta = &m
		f.Severity = finding.Critical
	}
	if how, ok := st.confirmed[hash]; ok {
		f.Confirmed = how
		f.Severity = finding.Critical
	}
	k := g.key
	var extra []string
	if len(f.SameAs) > 0 {
		extra = append(extra, strings.Join(f.SameAs, " and ")+" received the same value")
	}
	if secretMeta != nil {
		extra = append(extra, "the value is a "+secretMeta.Title)
	}
	if f.Confirmed != "" {
		extra = append(extra, "a captured webhook signature confirms it")
	}
	note := ""
	if len(extra) > 0 {
		note = " (" + strings.Join(extra, "; ") + ")"
	}
	since := "the earliest capture that shows it"
	if t := firstTime(f.Occurrences); t != "" {
		since = "at least " + t + " (the earliest capture that shows it)"
	}
	// A credential is rotated; personal data (e-mail addresses) cannot be,
	// it has been disclosed.
	credential := secretMeta != nil || f.Confirmed != "" || secretShaped(raw)
	then, step := "rotate the value", fmt.Sprintf("2. Rotate the value: every %s could read it from the API since %s.\n", k.role, since)
	if !credential {
		then = "treat the values as disclosed to every " + k.role
		step = fmt.Sprintf("2. Treat the values as disclosed: every %s could read them from the API since %s.\n", k.role, since)
	}
	what, from := k.path, "this response"
	switch {
	case f.Capture.Part == PartWebSocketReceive:
		// The first frame that carried it, from the occurrence (the
		// finding's field is the JSONPath alone, for every frame).
		frame := f.Occurrences[0].Capture.Field
		if i := strings.Index(frame, " $"); i >= 0 {
			frame = frame[:i]
		}
		if what == "" {
			what = "a value in a WebSocket message (" + frame + ")"
		} else {
			what = what + " in a WebSocket message (" + frame + ")"
		}
		from = "the WebSocket messages"
	case what == "":
		what = "a value in its " + strings.Replace(f.Capture.Part, "-", " ", 1)
	case f.Capture.Part != PartResponseBody:
		what = strings.Replace(f.Capture.Part, "-", " ", 1) + " " + what
	}
	f.Action = fmt.Sprintf("remove it from %s for %s on the server (hiding it in the page is not access control) and %s.", from, k.role, then)
	f.Message = fmt.Sprintf("%s sends %s to %s, which policy rule %s reserves for %s%s, at %s: %s",
		k.request(), what, k.role, g.rule.ID, g.rule.MinRole, note, f.Location, f.Action)
	var rem strings.Builder
	fmt.Fprintf(&rem, "1. Remove %s from the response of `%s` for **%s** on the server: shape the response per role. Hiding the field in the page is not access control.\n", what, k.endpoint(), k.role)
	rem.WriteString(step)
	if r := strings.TrimSpace(g.rule.Remediation); r != "" {
		rem.WriteString("\n" + r + "\n")
	}
	if secretMeta != nil && secretMeta.Remediation != "" {
		rem.WriteString("\n" + strings.TrimSpace(secretMeta.Remediation) + "\n")
	}
	f.Remediation = rem.String()
	return f
}

func (st *state) sharedFinding(g *sharedGroup) finding.Finding {
	meta := st.ruleMeta(RuleSharedField)
	raw := g.obs.raw
	hash := finding.SecretHash(raw)
	f := finding.Finding{
		RuleID:        RuleSharedField,
		Severity:      meta.Severity,
		Title:         meta.Title,
		SecretPreview: finding.Preview(raw),
		SecretSHA256:  hash,
		Fingerprint:   fingerprintOf(RuleSharedField, g.role, g.key.method+" "+g.key.template, g.key.path),
		SameAs:        g.sameAs,
		Occurrences:   []finding.Occurrence{g.obs.occ},
		Location:      g.obs.occ.Location,
		Capture:       g.obs.occ.Capture,
	}
	if how, ok := st.confirmed[hash]; ok {
		f.Confirmed = how
		f.Severity = finding.Critical
	}
	f.Action = fmt.Sprintf("check whether %s may see it; if not, remove it from this response for %s on the server and rotate the value.", g.role, g.role)
	f.Message = fmt.Sprintf("%s %s sends %s to %s with the same value %s received, at %s: %s",
		g.key.method, g.key.template, g.key.path, g.role, strings.Join(g.sameAs, " and "), f.Location, f.Action)
	return f
}

func (st *state) gapFinding(g *gapGroup) finding.Finding {
	meta := st.ruleMeta(RuleCoverageGap)
	k := g.key
	f := finding.Finding{
		RuleID:      RuleCoverageGap,
		Severity:    meta.Severity,
		Title:       meta.Title,
		Fingerprint: fingerprintOf(RuleCoverageGap, k.file, k.role, k.method, k.template, k.part, k.kind),
	}
	fill(&f, &g.occs)
	body := strings.Replace(k.part, "-", " ", 1)
	what := map[string]string{
		gapMissing:     "is not in the capture",
		gapTruncated:   "is cut short in the capture",
		gapUndecodable: "is marked base64 but does not decode",
	}[k.kind]
	note := ""
	switch {
	case strings.Contains(strings.ToLower(g.note), "truncat"):
		note = " (the capture's comment says it was truncated)"
	case g.attached && k.kind == gapMissing:
		note = " (the capture names a separate file for it, as Playwright's content: 'attach' does; such files are not read)"
	}
	n := len(f.Occurrences) + f.MoreOccurrences
	times := "once"
	if n > 1 {
		times = fmt.Sprintf("%d times", n)
	}
	// Only what the capture does not hold is "not checked": the part of a
	// body cut short, and the text of one that does not decode, were.
	f.Action = map[string]string{
		gapMissing:     "it was not checked for secrets or role-inappropriate fields; record the capture again with bodies.",
		gapTruncated:   "the part the capture holds was checked for secrets; the rest was not checked, nor the fields of a JSON body cut short; record the capture again with whole bodies.",
		gapUndecodable: "its text was checked as it stands, what it encodes was not; record the capture again.",
	}[k.kind]
	f.Message = fmt.Sprintf("The %s of %s %s%s, %s, first at %s: %s",
		body, k.method+" "+k.template, what, note, times, f.Location, f.Action)
	return f
}

func firstTime(occs []finding.Occurrence) string {
	first := ""
	for _, o := range occs {
		if t := o.Capture.Time; t != "" && (first == "" || t < first) {
			first = t
		}
	}
	return first
}

func severityOf(s string, def finding.Severity) finding.Severity {
	if v, err := finding.ParseSeverity(s); err == nil {
		return v
	}
	return def
}

const (
	gapMissing     = "missing"
	gapTruncated   = "truncated"
	gapUndecodable = "undecodable"
)

// gapKind says whether a body is a coverage gap. Images, fonts and media
// are not: no API field or secret is lost with them.
func gapKind(b *har.Body) string {
	if b == nil {
		return ""
	}
	mime := strings.ToLower(b.MimeType)
	for _, p := range []string{"image/", "font/", "audio/", "video/"} {
		if strings.HasPrefix(mime, p) {
			return ""
		}
	}
	switch {
	case b.Missing:
		return gapMissing
	case b.Truncated:
		return gapTruncated
	case b.BadBase64:
		return gapUndecodable
	}
	return ""
}

var (
	idLike    = regexp.MustCompile(`^(?:[UCR][0-9a-f]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9]+)$`)
	tokenLike = regexp.MustCompile(`^[A-Za-z0-9+/=_.~-]+$`)
)

// secretShaped is a value that looks like a credential whatever its field
// is called: long, from a token alphabet, mixing letters and digits, with
// high entropy, and not a public id (LINE user ids, UUIDs, numbers).
func secretShaped(s string) bool {
	if len(s) < 24 || len(s) > 4096 || !tokenLike.MatchString(s) || idLike.MatchString(s) {
		return false
	}
	if !strings.ContainsAny(s, "0123456789") || strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) < 0 {
		return false
	}
	return entropy(s) >= 3.5
}

func entropy(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	h := 0.0
	n := float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}
