package capture

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/rules/policy"
	"github.com/channelguard/channelguard/scanner/credential"
	"github.com/channelguard/channelguard/scanner/har"
)

// Parts for WebSocket frames (Chrome's and mitmproxy's
// _webSocketMessages): what the page sent and what it received. A frame's
// Field is "frame N" (N its index in _webSocketMessages), followed by the
// JSONPath of the value in a JSON frame.
const (
	PartWebSocketSend    = "websocket-send"
	PartWebSocketReceive = "websocket-receive"
)

// framePart is a frame's part: "send" is what the page sent; anything
// else (Chrome and mitmproxy write "receive") is taken as received, which
// is what the role policy looks at.
func framePart(f *har.Frame) string {
	if f.Type == "send" {
		return PartWebSocketSend
	}
	return PartWebSocketReceive
}

// frames scans an entry's WebSocket frames as bodies: every frame's data
// for secrets (a binary frame decoded), and a received JSON frame's fields
// against the role policy. Frames come in batches of bounded size (see
// har.Entry.Frames), so one detector call reads at most a batch.
func (st *state) frames(ctx context.Context, file, role string, ep endpoint, base finding.Capture, e *har.Entry, out *entryResult) {
	if len(e.Frames) == 0 {
		return
	}
	// A JSON frame's document, and its leaves when a finding needs them.
	type jsonFrame struct {
		f      *har.Frame
		doc    any
		leaves func() []policy.Leaf
	}
	var docs []jsonFrame
	byName := map[string]*jsonFrame{}
	all := &fragment{}
	frags := []*fragment{all}
	for i := range e.Frames {
		f := &e.Frames[i]
		out.bytes += int64(len(f.Data))
		if f.Data == "" {
			continue
		}
		part, name := framePart(f), frameName(f)
		// The column of a value inside a decoded binary frame is not a
		// place in the file: point at the frame's data.
		valueAt := 0
		if f.Binary {
			valueAt = math.MaxInt
		}
		all.add(unit{part: part, name: name, line: f.Line, col: f.Column, valueAt: valueAt}, f.Data)
		b := &har.Body{Text: f.Data, Line: f.Line, Column: f.Column}
		if !looksJSON(b) {
			continue
		}
		if doc, ok := decodeJSON(f.Data); ok {
			docs = append(docs, jsonFrame{f: f, doc: doc, leaves: sync.OnceValue(func() []policy.Leaf { return policy.Flatten(doc) })})
		}
		if !f.Binary {
			if d := decodedFragment(b, part); d != nil {
				for j := range d.units {
					d.units[j].name = name
				}
				frags = append(frags, d)
			}
		}
	}
	for i := range docs {
		byName[frameName(docs[i].f)] = &docs[i]
	}
	// Secrets, in what was sent and what was received.
	received := map[string]string{} // raw value in a received frame → rule
	for _, fr := range frags {
		if len(fr.units) == 0 {
			continue
		}
		for _, f := range st.opts.Detect(ctx, sources.Fragment{Raw: fr.text(), FilePath: file}) {
			if f.Secret == "" {
				continue
			}
			u := fr.at(f.StartLine)
			c := base
			c.Part, c.Field = u.part, u.name
			if d := byName[u.name]; d != nil {
				if p := pathOf(d.leaves(), f.Secret); p != "" {
					c.Field += " " + p
				}
			}
			if u.part == PartWebSocketReceive {
				if cur, ok := received[f.Secret]; !ok || rules.Specificity(f.RuleID) > rules.Specificity(cur) {
					received[f.Secret] = f.RuleID
				}
			}
			hit := secretHit{rule: f.RuleID, secret: f.Secret, occ: occurrence(c, u.line, u.column(strings.Index(u.text, f.Secret)))}
			if st.opts.Verify != nil && credential.Verifiable(f.RuleID) {
				hit.channelID = channelIDOf(e, u)
			}
			out.secrets = append(out.secrets, hit)
		}
	}
	// Fields a role must not receive, in received JSON frames.
	if role == "" {
		return
	}
	for _, d := range docs {
		part := framePart(d.f)
		if part != PartWebSocketReceive {
			continue
		}
		for _, v := range st.opts.Policy.Check(ep.method, ep.path, role, d.doc) {
			c := base
			c.Part, c.Field = part, frameName(d.f)+" "+v.Path
			raw := valueText(v.Value)
			col := d.f.Column
			if !d.f.Binary {
				col = unit{col: d.f.Column, text: d.f.Data}.column(valueIndex(d.f.Data, v.Name, v.Value))
			}
			out.roles = append(out.roles, roleHit{
				policyRule: v.Rule,
				path:       wildcard(v.Path),
				name:       v.Name,
				raw:        raw,
				secret:     secretIn(raw, received),
				occ:        occurrence(c, d.f.Line, col),
			})
		}
	}
}

func frameName(f *har.Frame) string { return fmt.Sprintf("frame %d", f.Index) }

// fieldPath is a finding's field without the frame it stands in: the
// JSONPath that groups the same field across frames.
func fieldPath(c *finding.Capture) string {
	if c.Part != PartWebSocketSend && c.Part != PartWebSocketReceive {
		return c.Field
	}
	if _, rest, ok := strings.Cut(c.Field, " "); ok && strings.HasPrefix(c.Field, "frame ") {
		if _, p, ok := strings.Cut(rest, " "); ok {
			return p
		}
		return ""
	}
	return c.Field
}
