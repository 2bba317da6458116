// Package capture scans API captures (HAR files), each recorded as one
// role, for four things: secrets travelling in the traffic (the same rules
// as repository scanning), response fields the role must not receive (the
// role policy: OWASP API3:2023, CWE-213), fields a lower role receives with
// the same value as a higher one, and bodies the capture did not hold in
// full (coverage gaps). A captured LINE webhook's X-Line-Signature confirms
// a channel secret offline.
//
// WebSocket messages (Chrome's and mitmproxy's _webSocketMessages) are
// scanned like bodies: every frame for secrets, received JSON frames
// against the role policy; findings name the frame (websocket.go).
// Protocol nonces, entity tags and request or trace ids (Sec-WebSocket-Key,
// ETag, X-Request-Id, traceparent, CF-Ray, …: nonSecretHeaders in
// units.go) are random by design, so only rules for a known kind of
// credential are believed in them, never a generic one. A response that has
// no body by definition (har.Entry.Bodiless) is no coverage gap, and a gap
// says what was checked: nothing of a missing body, the part held of one
// cut short.
//
// Entries are read one at a time (scanner/har) and handed to workers, so
// memory grows with the largest entry and with what is found, not with the
// file.
package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/rules/policy"
	"github.com/channelguard/channelguard/scanner/credential"
	"github.com/channelguard/channelguard/scanner/har"
)

// maxJobs caps the default number of workers.
const maxJobs = 8

// Input is one capture file and the role it was recorded as.
type Input struct {
	Path string
	// Role is a role of the policy; "" scans for secrets only.
	Role string
	// Data, when set, is the capture itself (a replay's exchanges, built in
	// memory): Path only names it in findings and is not opened.
	Data []byte
}

// Detector runs the secret rules over one fragment.
type Detector func(ctx context.Context, fr sources.Fragment) []report.Finding

// Options configure a capture scan.
type Options struct {
	Rules  *rules.Set
	Policy *policy.Policy
	Detect Detector
	// Candidates are channel-secret values found elsewhere in the same run
	// (a repository) to check against captured webhook signatures. They
	// stay in memory.
	Candidates []string
	// Logf receives progress lines (never a value); nil discards them.
	Logf func(format string, args ...any)
	// Jobs is how many entries are scanned at once (default: every core, at
	// most 8).
	Jobs int
	// Entries, when set, counts entries read, for a progress display.
	Entries interface{ Add(int64) int64 }
	// Verify, when set, is asked whether each distinct LINE credential in
	// the traffic is live; ChannelID is the channel id for channel secrets
	// with none near them.
	Verify    credential.VerifyFunc
	ChannelID string
}

// Result is what a capture scan found.
type Result struct {
	Findings []finding.Finding
	Entries  int
	Bytes    int64
	// Confirmed maps the secret_sha256 of values that a captured webhook
	// signature proved to be a channel's real secret to how it was proven.
	Confirmed map[string]string
}

// Scan reads every input in turn. An input that is not a HAR stops the
// scan with an error naming the file, line and byte offset.
func Scan(ctx context.Context, inputs []Input, opts Options) (*Result, error) {
	if opts.Detect == nil || opts.Rules == nil || opts.Policy == nil {
		return nil, errors.New("capture.Scan: Detect, Rules and Policy are required")
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if opts.Jobs <= 0 {
		// Each worker holds an entry, its decoded body and JSON tree: memory
		// grows with workers, so a large machine does not get one per core.
		opts.Jobs = min(runtime.GOMAXPROCS(0), maxJobs)
	}
	for _, p := range opts.Policy.Rules {
		for _, id := range p.SecretRules {
			if _, ok := opts.Rules.Rule(id); !ok {
				return nil, fmt.Errorf("policy %s: rule %q: secret_rules names unknown rule %q (see 'channelguard rules')", opts.Policy.Source, p.ID, id)
			}
		}
	}
	roles := map[string]bool{}
	for i, in := range inputs {
		if in.Role == "" {
			continue
		}
		r, ok := opts.Policy.Role(in.Role)
		if !ok {
			return nil, fmt.Errorf("%s: unknown role %q (the policy's roles: %s)", in.Path, in.Role, strings.Join(opts.Policy.RoleNames(), ", "))
		}
		inputs[i].Role = r.Name
		roles[r.Name] = true
	}
	st := newState(opts, len(roles) > 1)
	for _, in := range inputs {
		if err := st.file(ctx, in); err != nil {
			return nil, err
		}
	}
	st.compare()
	st.confirmed = st.confirm()
	st.verify(ctx)
	res := &Result{Entries: st.entries, Bytes: st.bytes, Confirmed: st.confirmed}
	res.Findings = st.findings()
	return res, nil
}

// displayPath is how reports name a capture: relative to the current
// directory when it is below it (SARIF's %SRCROOT%), absolute otherwise.
func displayPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	if cwd, err := os.Getwd(); err == nil {
		if r, err := filepath.Rel(cwd, abs); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(r)
		}
	}
	return filepath.ToSlash(abs)
}

// file scans one capture: one goroutine reads entries in order, workers
// scan them.
func (st *state) file(ctx context.Context, in Input) error {
	var r *har.Reader
	var err error
	if in.Data != nil {
		r, err = har.NewReader(bytes.NewReader(in.Data), in.Path)
	} else {
		r, err = har.Open(in.Path)
	}
	if err != nil {
		return err
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	name := displayPath(in.Path)
	st.mu.Lock()
	if _, ok := st.files[name]; !ok {
		st.files[name] = len(st.files)
	}
	st.mu.Unlock()
	st.opts.Logf("reading capture %s (role: %s)", name, orNone(in.Role))

	work := make(chan *har.Entry, st.opts.Jobs)
	var wg sync.WaitGroup
	for range st.opts.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				if ctx.Err() == nil {
					st.entry(ctx, name, in.Role, e)
				}
			}
		}()
	}
	n := 0
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			close(work)
			wg.Wait()
			return err
		}
		if !e.FramesOnly { // a batch of frames is part of an entry
			n++
			if st.opts.Entries != nil {
				st.opts.Entries.Add(1)
			}
		}
		select {
		case work <- e:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	st.opts.Logf("capture %s: %d entries", name, n)
	return nil
}

func orNone(role string) string {
	if role == "" {
		return "none given, secrets only"
	}
	return role
}

// entry scans one HAR entry.
func (st *state) entry(ctx context.Context, file, role string, e *har.Entry) {
	ep := parseEndpoint(&e.Request)
	base := finding.Capture{
		File:     file,
		Entry:    e.Index,
		Role:     role,
		Method:   ep.method,
		URL:      ep.origin + policy.Template(ep.path),
		Template: policy.Template(ep.path),
		Path:     ep.resource(),
		Status:   e.Response.Status,
		Time:     e.Started,
	}
	var out entryResult
	if e.FramesOnly {
		// A batch of a long WebSocket session's frames: the exchange
		// itself comes, and is scanned, with the last batch.
		out.part = true
		st.frames(ctx, file, role, ep, base, e, &out)
		if role != "" {
			out.roles = append(out.roles, st.secretRuleHits(role, out.roles, out.secrets)...)
		}
		st.merge(out)
		return
	}
	out.bytes = entrySize(e)

	// The response body as JSON, when it is JSON.
	var doc any
	if b := e.Response.Body; b != nil && !b.Missing && looksJSON(b) {
		if v, ok := decodeJSON(b.Text); ok {
			doc = v
		}
	}
	// Every leaf with its path, only when something needs it: a finding
	// in the body, or a comparison of roles.
	leaves := sync.OnceValue(func() []policy.Leaf { return policy.Flatten(doc) })

	// 1. Secrets in every part of the exchange.
	frags := fragments(e)
	for _, x := range []struct {
		part string
		body *har.Body
	}{{PartRequestBody, e.Request.Body}, {PartResponseBody, e.Response.Body}} {
		if x.body != nil && looksJSON(x.body) {
			if f := decodedFragment(x.body, x.part); f != nil {
				frags = append(frags, f)
			}
		}
	}
	respSecrets := map[string]string{} // raw value found in the response body → rule
	for _, fr := range frags {
		text := fr.text()
		for _, f := range st.opts.Detect(ctx, sources.Fragment{Raw: text, FilePath: file}) {
			if f.Secret == "" || fr.nonces && rules.Specificity(f.RuleID) == 0 {
				// A protocol nonce or trace id is random by design: only
				// a rule for a known kind of credential is believed there.
				continue
			}
			u := fr.at(f.StartLine)
			c := base
			c.Part, c.Field = u.part, u.name
			col := u.column(strings.Index(u.text, f.Secret))
			if u.body != nil && u.part == PartResponseBody {
				if cur, ok := respSecrets[f.Secret]; !ok || rules.Specificity(f.RuleID) > rules.Specificity(cur) {
					respSecrets[f.Secret] = f.RuleID
				}
				if doc != nil && c.Field == "" {
					c.Field = pathOf(leaves(), f.Secret)
				}
			}
			hit := secretHit{rule: f.RuleID, secret: f.Secret, occ: occurrence(c, u.line, col)}
			if st.opts.Verify != nil && credential.Verifiable(f.RuleID) {
				hit.channelID = channelIDOf(e, u)
			}
			out.secrets = append(out.secrets, hit)
		}
	}

	// 2. Fields this role must not receive.
	if doc != nil && role != "" {
		body := e.Response.Body
		for _, v := range st.opts.Policy.Check(ep.method, ep.path, role, doc) {
			c := base
			c.Part, c.Field = PartResponseBody, v.Path
			raw := valueText(v.Value)
			out.roles = append(out.roles, roleHit{
				policyRule: v.Rule,
				path:       wildcard(v.Path),
				name:       v.Name,
				raw:        raw,
				secret:     secretIn(raw, respSecrets),
				occ:        occurrence(c, body.Line, bodyColumn(body, valueIndex(body.Text, v.Name, v.Value))),
			})
		}
	}
	// WebSocket frames, like bodies: secrets, and received JSON fields.
	st.frames(ctx, file, role, ep, base, e, &out)
	if role != "" {
		out.roles = append(out.roles, st.secretRuleHits(role, out.roles, out.secrets)...)
	}

	// 3. What a comparison of roles needs: sensitive-looking and reserved
	// fields, by value hash.
	if st.comparing && doc != nil && role != "" {
		reserved := map[string]bool{}
		if low := st.lowest; low != "" {
			for _, v := range st.opts.Policy.Check(ep.method, ep.path, low, doc) {
				reserved[v.Path] = true
			}
		}
		for _, l := range leaves() {
			s, ok := l.Value.(string)
			if !ok || policy.Masked(l.Value) {
				continue
			}
			// A look-alike name (nextPageToken, tokenType) or a value that
			// cannot be a secret (a date, "Bearer") is not sensitive-looking.
			sensitive := policy.SecretValue(s) && !policy.LookAlikeName(l.Name) &&
				(policy.SensitiveName(l.Name) || secretShaped(s) && !identifierName(l.Name))
			if !sensitive && !reserved[l.Path] {
				continue
			}
			c := base
			c.Part, c.Field = PartResponseBody, l.Path
			out.obs = append(out.obs, observation{
				key:       cmpKey{method: ep.method, template: base.Template, path: wildcard(l.Path)},
				role:      role,
				name:      l.Name,
				raw:       s,
				sensitive: sensitive,
				occ:       occurrence(c, e.Response.Body.Line, bodyColumn(e.Response.Body, valueIndex(e.Response.Body.Text, l.Name, l.Value))),
			})
		}
	}

	// 4. Bodies the capture does not hold in full. A response that has no
	// body by definition (204, 304, 1xx, HEAD, an empty redirect) lacks
	// nothing.
	resp := e.Response.Body
	if e.Bodiless() {
		resp = nil
	}
	for _, g := range []struct {
		part string
		body *har.Body
	}{{PartRequestBody, e.Request.Body}, {PartResponseBody, resp}} {
		if kind := gapKind(g.body); kind != "" {
			c := base
			c.Part = g.part
			line, col := g.body.Line, g.body.Column
			if line == 0 {
				line, col = e.Line, 0
			}
			out.gaps = append(out.gaps, gapHit{kind: kind, body: g.body, occ: occurrence(c, line, col)})
		}
	}

	// 5. A LINE webhook delivery, to confirm channel secrets offline.
	if w, ok := webhookOf(e); ok {
		c := base
		c.Part = PartRequestHeader
		c.Field = "X-Line-Signature"
		w.where = occurrence(c, w.line, w.col)
		out.webhook = &w
	}
	st.merge(out)
}

// channelIDOf is the channel id an entry names near a credential: in the
// same body or header block, or as a 10-digit segment of the URL path
// (/channels/1656789012).
func channelIDOf(e *har.Entry, u unit) string {
	if id := credential.ChannelIDIn(u.text); id != "" {
		return id
	}
	for _, b := range []*har.Body{e.Request.Body, e.Response.Body} {
		if b != nil {
			if id := credential.ChannelIDIn(b.Text); id != "" {
				return id
			}
		}
	}
	for _, seg := range strings.Split(parseEndpoint(&e.Request).path, "/") {
		if len(seg) == 10 && strings.Trim(seg, "0123456789") == "" {
			return seg
		}
	}
	return ""
}

// secretRuleHits are the policy's secret_rules at work: a response that
// hands a role a value a secret rule detects (a LINE channel secret, say)
// breaks the policy rule that names that secret rule, whatever the field is
// called and whether or not the body is JSON, unless a field rule already
// reported the value.
func (st *state) secretRuleHits(role string, found []roleHit, secrets []secretHit) []roleHit {
	r, _ := st.opts.Policy.Role(role)
	var out []roleHit
	for _, s := range secrets {
		switch s.occ.Capture.Part {
		case PartResponseBody, PartResponseHeader, PartSetCookie, PartWebSocketReceive:
		default:
			continue // what the role sent, not what it received
		}
		covered := false
		for _, h := range found {
			covered = covered || strings.Contains(h.raw, s.secret)
		}
		if covered {
			continue
		}
		for i := range st.opts.Policy.Rules {
			p := &st.opts.Policy.Rules[i]
			min, ok := st.opts.Policy.Role(p.MinRole)
			if !ok || r.Rank >= min.Rank || !slices.Contains(p.SecretRules, s.rule) {
				continue
			}
			c := *s.occ.Capture
			out = append(out, roleHit{
				policyRule: p,
				path:       wildcard(fieldPath(&c)),
				raw:        s.secret,
				secret:     s.rule,
				occ:        finding.Occurrence{Location: s.occ.Location, Capture: &c},
			})
			found = append(found, out[len(out)-1])
			break
		}
	}
	return out
}

func occurrence(c finding.Capture, line, col int) finding.Occurrence {
	return finding.Occurrence{Location: finding.Location{Path: c.File, StartLine: max(line, 1), StartColumn: col}, Capture: &c}
}

// bodyColumn is the HAR column of body.Text[i:].
func bodyColumn(b *har.Body, i int) int {
	return unit{part: PartResponseBody, col: b.Column, body: b, text: b.Text}.column(i)
}

// valueIndex is where a field's value stands in a JSON body's text: its
// encoding for a string, else its member name; -1 when neither is found.
func valueIndex(text, name string, v any) int {
	if s, ok := v.(string); ok {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if enc.Encode(s) == nil {
			if i := strings.Index(text, strings.TrimSuffix(buf.String(), "\n")); i >= 0 {
				return i
			}
		}
	}
	if name != "" {
		return strings.Index(text, `"`+name+`"`)
	}
	return -1
}

func entrySize(e *har.Entry) int64 {
	n := len(e.Request.URL)
	for _, fs := range [][]har.Field{e.Request.Headers, e.Request.Cookies, e.Response.Headers, e.Response.Cookies} {
		for _, f := range fs {
			n += len(f.Name) + len(f.Value)
		}
	}
	if b := e.Request.Body; b != nil {
		n += len(b.Text)
	}
	if b := e.Response.Body; b != nil {
		n += len(b.Text)
	}
	return int64(n)
}

// looksJSON is true for bodies declared as JSON or that start like JSON.
func looksJSON(b *har.Body) bool {
	if strings.Contains(strings.ToLower(b.MimeType), "json") {
		return true
	}
	t := strings.TrimLeft(b.Text, " \t\r\n")
	return strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") || strings.HasPrefix(t, ")]}'")
}

// decodedFragment holds the string values of a JSON body that its text
// escapes (\", \/, \u002f…: PHP escapes every slash of a base64 token),
// decoded, one per line as `name: "value"` after the nearest member name, so
// a secret the escaping hid from the rules is found. One pass over the text:
// only literals with a backslash are decoded.
func decodedFragment(b *har.Body, part string) *fragment {
	text := b.Text
	if !strings.Contains(text, `\`) {
		return nil
	}
	f := &fragment{}
	key := "value"
	enc, encTo := 0, 0 // encodedLen(text[:encTo]), advanced as literals are met
	for i := 0; i < len(text); i++ {
		if text[i] != '"' {
			continue
		}
		// esc: an escape that changes what a rule sees (\/, \uXXXX, \");
		// \n, \t and the like only split text no secret spans.
		j, esc, anyEsc := i+1, false, false
		for j < len(text) && text[j] != '"' {
			if text[j] == '\\' {
				anyEsc = true
				if j+1 < len(text) && (text[j+1] == '/' || text[j+1] == 'u' || text[j+1] == '"') {
					esc = true
				}
				j++
			}
			j++
		}
		if j >= len(text) {
			break
		}
		lit := text[i : j+1]
		k := j + 1
		for k < len(text) && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r' || text[k] == '\n') {
			k++
		}
		switch {
		case k < len(text) && text[k] == ':':
			key = lit[1 : len(lit)-1]
			if anyEsc {
				_ = json.Unmarshal([]byte(lit), &key)
			}
		case esc:
			var v string
			if json.Unmarshal([]byte(lit), &v) == nil && v != "" {
				// valueAt past the end: every match here is at this literal
				enc += encodedLen(text[encTo:i])
				encTo = i
				col := b.Column + 1 + enc
				f.add(unit{part: part, line: b.Line, col: col, body: b, valueAt: math.MaxInt}, key+`: "`+v+`"`)
			}
		}
		i = j
	}
	if len(f.units) == 0 {
		return nil
	}
	return f
}

// identifierName is a member name that says its value is an identifier or
// a checksum, which are as random-looking as secrets and as harmless:
// requestId, etag, sha, contentHash, kid, version.
func identifierName(name string) bool {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "", ".", "").Replace(name))
	for _, suffix := range []string{"id", "ids", "uuid", "guid", "hash", "etag", "sha", "sha1", "sha256", "digest", "checksum", "version", "revision", "kid", "fingerprint", "cursor", "key"} {
		if strings.HasSuffix(n, suffix) && !policy.SensitiveName(name) {
			return true
		}
	}
	return false
}

// pathOf is the JSONPath of the first string field holding secret.
func pathOf(leaves []policy.Leaf, secret string) string {
	for _, l := range leaves {
		if s, ok := l.Value.(string); ok && strings.Contains(s, secret) {
			return l.Path
		}
	}
	for _, l := range leaves {
		if strings.Contains(l.Name, secret) {
			return l.Path
		}
	}
	return ""
}

// valueText is a value as reports count it: strings as they are, anything
// else as its JSON.
func valueText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// secretIn is the rule of the most specific detected secret that s holds.
func secretIn(s string, found map[string]string) string {
	best := ""
	for v, rule := range found {
		if strings.Contains(s, v) && (best == "" || rules.Specificity(rule) > rules.Specificity(best) ||
			rules.Specificity(rule) == rules.Specificity(best) && rule < best) {
			best = rule
		}
	}
	return best
}
