package capture

import (
	"context"
	"crypto/sha256"
	"sort"
	"strings"
	"sync"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/rules/policy"
	"github.com/channelguard/channelguard/scanner/credential"
	"github.com/channelguard/channelguard/scanner/har"
)

// maxOccurrences bounds what one finding lists: a token in the
// Authorization header of every request of a 1 GB capture is one finding,
// not a million lines. The earliest ones (file order, entry order) are kept.
const maxOccurrences = 50

// What one entry yields; merged into the state under its lock.
type entryResult struct {
	part    bool // a batch of an entry's WebSocket frames, not an entry
	bytes   int64
	secrets []secretHit
	roles   []roleHit
	obs     []observation
	gaps    []gapHit
	webhook *webhook
}

type secretHit struct {
	rule, secret string
	channelID    string // for verification: a channel id near it
	occ          finding.Occurrence
}

type roleHit struct {
	policyRule *policy.Rule
	path, name string // path with array indices as [*]
	raw        string
	secret     string // rule id when the value holds a detected secret
	occ        finding.Occurrence
}

type cmpKey struct{ method, template, path string }

type observation struct {
	key       cmpKey
	role      string
	name, raw string
	sensitive bool
	occ       finding.Occurrence
}

type gapHit struct {
	kind string
	body *har.Body
	occ  finding.Occurrence
}

// occ is an occurrence with the value it saw (in memory only).
type occ struct {
	finding.Occurrence
	raw string
}

// occs keeps the earliest maxOccurrences occurrences and counts the rest.
type occs struct {
	list  []occ
	total int
	order func(a, b *finding.Occurrence) int
}

func (o *occs) add(x occ) {
	o.total++
	o.list = append(o.list, x)
	if len(o.list) > 2*maxOccurrences {
		o.trim()
	}
}

func (o *occs) trim() {
	sort.SliceStable(o.list, func(i, j int) bool { return o.order(&o.list[i].Occurrence, &o.list[j].Occurrence) < 0 })
	n := len(o.list)
	o.list = dedupeOccs(o.list)
	o.total -= n - len(o.list) // the same place found twice counts once
	if len(o.list) > maxOccurrences {
		o.list = o.list[:maxOccurrences]
	}
}

func dedupeOccs(l []occ) []occ {
	out := l[:0]
	for i, x := range l {
		if i > 0 && sameOcc(&l[i-1].Occurrence, &x.Occurrence) {
			continue
		}
		out = append(out, x)
	}
	return out
}

func sameOcc(a, b *finding.Occurrence) bool {
	return a.Path == b.Path && a.StartLine == b.StartLine && *a.Capture == *b.Capture
}

type secretKey struct{ rule, file, secret string }

type secretGroup struct {
	key       secretKey
	occs      occs
	also      map[string]bool
	channelID string
	verified  *finding.Verification
}

// roleKey is one field of one resource's response received by one role:
// the secrets of two channels are two findings (two values to rotate), the
// e-mail addresses of one role list one. A field several policy rules name
// is one finding, under the rule that comes first in the policy.
type roleKey struct {
	role, method, resource, template, path string
}

type roleGroup struct {
	key    roleKey
	rule   *policy.Rule
	occs   occs
	secret string // rule id of a secret detected in the value
	sameAs map[string]bool
}

type gapKey struct {
	file, role, method, template, part, kind string
}

type gapGroup struct {
	key  gapKey
	occs occs
	note string // the capture's own comment, when it gave one
	// attached: the capture keeps the body in a file of its own
	// (Playwright's content._file).
	attached bool
}

type observed struct {
	hash      [32]byte
	raw, name string
	sensitive bool
	occ       finding.Occurrence
}

type sharedGroup struct {
	key    cmpKey
	role   string
	obs    observed
	sameAs []string
}

type state struct {
	opts      Options
	comparing bool
	ruleOrder map[string]int // policy rule id → position in the policy
	lowest    string         // the policy's lowest role, for "reserved" fields

	mu       sync.Mutex
	files    map[string]int // display name → input order
	entries  int
	bytes    int64
	secrets  map[secretKey]*secretGroup
	roles    map[roleKey]*roleGroup
	gaps     map[gapKey]*gapGroup
	seen     map[cmpKey]map[string][]observed // key → role → distinct values
	shared   []*sharedGroup
	webhooks []webhook
	hookSize int
	// confirmed: secret_sha256 → how a webhook signature proved it.
	confirmed map[string]string
}

func newState(opts Options, comparing bool) *state {
	st := &state{
		opts:      opts,
		comparing: comparing,
		files:     map[string]int{},
		secrets:   map[secretKey]*secretGroup{},
		roles:     map[roleKey]*roleGroup{},
		gaps:      map[gapKey]*gapGroup{},
		seen:      map[cmpKey]map[string][]observed{},
	}
	st.ruleOrder = map[string]int{}
	for i, r := range opts.Policy.Rules {
		st.ruleOrder[r.ID] = i
	}
	if rs := opts.Policy.Roles; len(rs) > 0 {
		st.lowest = rs[len(rs)-1].Name
	}
	return st
}

// order sorts occurrences by input file, entry, line, part and field.
func (st *state) order(a, b *finding.Occurrence) int {
	ca, cb := a.Capture, b.Capture
	if d := st.files[ca.File] - st.files[cb.File]; d != 0 {
		return d
	}
	if d := ca.Entry - cb.Entry; d != 0 {
		return d
	}
	if d := a.StartLine - b.StartLine; d != 0 {
		return d
	}
	if d := strings.Compare(ca.Part, cb.Part); d != 0 {
		return d
	}
	return strings.Compare(ca.Field, cb.Field)
}

func (st *state) newOccs() occs { return occs{order: st.order} }

func (st *state) merge(r entryResult) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !r.part {
		st.entries++
	}
	st.bytes += r.bytes
	for _, h := range r.secrets {
		k := secretKey{rule: h.rule, file: h.occ.Capture.File, secret: h.secret}
		g := st.secrets[k]
		if g == nil {
			g = &secretGroup{key: k, occs: st.newOccs(), also: map[string]bool{}}
			st.secrets[k] = g
		}
		g.occs.add(occ{Occurrence: h.occ, raw: h.secret})
		if g.channelID == "" {
			g.channelID = h.channelID
		}
	}
	for _, h := range r.roles {
		c := h.occ.Capture
		k := roleKey{role: c.Role, method: c.Method, resource: c.URL[:len(c.URL)-len(c.Template)] + c.Path, template: c.Template, path: h.path}
		g := st.roles[k]
		if g == nil {
			g = &roleGroup{key: k, rule: h.policyRule, occs: st.newOccs(), sameAs: map[string]bool{}}
			st.roles[k] = g
		}
		if st.ruleOrder[h.policyRule.ID] < st.ruleOrder[g.rule.ID] {
			g.rule = h.policyRule
		}
		if h.secret != "" && g.secret == "" {
			g.secret = h.secret
		}
		g.occs.add(occ{Occurrence: h.occ, raw: h.raw})
	}
	for _, o := range r.obs {
		byRole := st.seen[o.key]
		if byRole == nil {
			byRole = map[string][]observed{}
			st.seen[o.key] = byRole
		}
		h := sha256.Sum256([]byte(o.raw))
		known := false
		for i, x := range byRole[o.role] {
			if x.hash == h {
				known = true
				if st.order(&o.occ, &x.occ) < 0 {
					byRole[o.role][i].occ = o.occ
				}
			}
		}
		if !known && len(byRole[o.role]) < maxOccurrences {
			byRole[o.role] = append(byRole[o.role], observed{hash: h, raw: o.raw, name: o.name, sensitive: o.sensitive, occ: o.occ})
		}
	}
	for _, h := range r.gaps {
		c := h.occ.Capture
		k := gapKey{file: c.File, role: c.Role, method: c.Method, template: c.Template, part: c.Part, kind: h.kind}
		g := st.gaps[k]
		if g == nil {
			g = &gapGroup{key: k, occs: st.newOccs(), note: h.body.Comment, attached: h.body.File != ""}
			st.gaps[k] = g
		}
		g.occs.add(occ{Occurrence: h.occ})
	}
	if w := r.webhook; w != nil && st.hookSize+len(w.body) <= maxWebhookBytes {
		st.hookSize += len(w.body)
		st.webhooks = append(st.webhooks, *w)
	}
}

// compare matches what different roles received at the same endpoint and
// field. A policy finding gains the higher roles that received the same
// value (evidence it is the real one). Beyond the policy, a lower role
// receiving a sensitive-looking field with the same value as a higher role
// is reported at lower precision.
func (st *state) compare() {
	rank := func(role string) int {
		r, _ := st.opts.Policy.Role(role)
		return r.Rank
	}
	keys := make([]cmpKey, 0, len(st.seen))
	for k := range st.seen {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		return a.method+" "+a.template+" "+a.path < b.method+" "+b.template+" "+b.path
	})
	for _, k := range keys {
		byRole := st.seen[k]
		for low, lowObs := range byRole {
			for _, o := range lowObs {
				var same []string
				for high, highObs := range byRole {
					if rank(high) <= rank(low) {
						continue
					}
					for _, h := range highObs {
						if h.hash == o.hash {
							same = append(same, high)
							break
						}
					}
				}
				if len(same) == 0 {
					continue
				}
				sort.Slice(same, func(i, j int) bool { return rank(same[i]) > rank(same[j]) })
				flagged := false
				for rk, g := range st.roles {
					if rk.role == low && rk.method == k.method && rk.template == k.template && rk.path == k.path {
						flagged = true
						for _, s := range same {
							g.sameAs[s] = true
						}
					}
				}
				if !flagged && o.sensitive {
					st.shared = append(st.shared, &sharedGroup{key: k, role: low, obs: o, sameAs: same})
				}
			}
		}
	}
}

// wildcard turns a normalized path's array indices into [*], so every
// element of a list is one field: $['roles'][3]['email'] →
// $['roles'][*]['email'].
func wildcard(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\'' {
			// copy the quoted name, escapes included
			j := i + 1
			for j < len(p) && p[j] != '\'' {
				if p[j] == '\\' {
					j++
				}
				j++
			}
			b.WriteString(p[i:min(j+1, len(p))])
			i = j
			continue
		}
		if c == '[' && i+1 < len(p) && p[i+1] >= '0' && p[i+1] <= '9' {
			j := i + 1
			for j < len(p) && p[j] >= '0' && p[j] <= '9' {
				j++
			}
			if j < len(p) && p[j] == ']' {
				b.WriteString("[*]")
				i = j
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// fingerprintOf hashes parts into a finding fingerprint.
func fingerprintOf(rule string, parts ...string) string {
	return finding.Fingerprint(rule, strings.Join(parts, " "), "")
}

func (k roleKey) endpoint() string { return k.method + " " + k.template }

func (k roleKey) request() string {
	if i := strings.Index(k.resource, "://"); i >= 0 {
		if j := strings.IndexByte(k.resource[i+3:], '/'); j >= 0 {
			return k.method + " " + k.resource[i+3+j:]
		}
	}
	return k.method + " " + k.resource
}

func describeSame(same map[string]bool) []string {
	out := make([]string, 0, len(same))
	for s := range same {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// verify asks, once per distinct credential, whether the LINE credentials
// found in the traffic are live.
func (st *state) verify(ctx context.Context) {
	if st.opts.Verify == nil {
		return
	}
	type key struct{ rule, value string }
	index := map[key]int{}
	var creds []credential.Credential
	var groups [][]*secretGroup
	for _, g := range st.secrets {
		if !credential.Verifiable(g.key.rule) {
			continue
		}
		k := key{g.key.rule, g.key.secret}
		i, ok := index[k]
		if !ok {
			i = len(creds)
			index[k] = i
			id := g.channelID
			if id == "" {
				id = st.opts.ChannelID
			}
			creds = append(creds, credential.Credential{Rule: g.key.rule, Value: g.key.secret, ChannelID: id})
			groups = append(groups, nil)
		} else if creds[i].ChannelID == "" || creds[i].ChannelID == st.opts.ChannelID {
			if g.channelID != "" {
				creds[i].ChannelID = g.channelID
			}
		}
		groups[i] = append(groups[i], g)
	}
	if len(creds) == 0 {
		return
	}
	st.opts.Logf("verifying %d distinct LINE credentials from captures with LINE's API", len(creds))
	for i, v := range st.opts.Verify(ctx, creds) {
		for _, g := range groups[i] {
			g.verified = &v
		}
	}
}
