// Package har is a streaming, lenient reader of HTTP Archive (HAR 1.2)
// captures, as Chrome, Firefox, Fiddler, mitmproxy and others write them.
//
// Entries of log.entries are decoded one at a time with json.Decoder's token
// API, so memory grows with the largest entry, not with the file. Every
// entry, header, cookie, query parameter and body carries the line where its
// value stands in the file, for findings that point into the capture.
//
// Leniency (real exports disagree with the spec and with each other):
//   - unknown fields, including Chrome's "_"-prefixed ones, are skipped
//     anywhere; numbers may be floats or strings ("200", "200.0"), booleans
//     strings (Fiddler);
//   - headers, cookies, queryString and postData.params may be arrays of
//     {"name","value"} objects, arrays of [name, value] pairs, a plain
//     {"name": "value"} object, null or absent; HTTP/2 pseudo-headers
//     (":authority", ":path") are kept as ordinary fields;
//   - a body (request.postData, response.content) with no text is Missing
//     (Firefox writes content.comment instead; a tool may drop it), unless
//     its size is 0; a body whose size is larger than its decoded text, or
//     whose comment says "truncated", is Truncated (Firefox cuts bodies over
//     1 MiB) — unless the text is evidently whole (complete JSON, an HTML
//     page ending in </html>: tools count size differently) or short by a
//     few bytes only (countingSlack), not at a KiB limit. Missing and
//     Truncated bodies are coverage gaps to report, unless the response has
//     no body by definition (Entry.Bodiless: HEAD, 1xx, 204, 304, an empty
//     redirect, no response);
//   - Chrome's and mitmproxy's _webSocketMessages become Entry.Frames
//     (binary frames base64-decoded), in batches for long sessions;
//   - postData.params become Body.Params (name and value; fileName and
//     contentType are dropped); postData.text stays in Body.Text;
//   - base64 bodies (encoding "base64") are decoded, tolerating missing
//     padding, URL-safe alphabet and embedded whitespace; text that is not
//     base64 is kept as is and BadBase64 is set; base64 cut short (a
//     truncated export: size larger than what decodes) is decoded as far as
//     it goes and Truncated;
//   - a UTF-8 byte order mark before the JSON is skipped; gzip (.har.gz) and
//     zlib (.zhar, mitmproxy) are recognised by their magic bytes.
//
// Whatever is not a HAR (not JSON, no log, log.entries not an array, an
// entry that is not an object, a file cut short) is an *Error naming the
// file, line, byte offset and JSON path. For compressed captures the offset
// counts bytes of the decompressed JSON; a byte order mark counts.
//
// See README.md for throughput and memory figures.
package har

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/channelguard/channelguard/internal/pathless"
)

// Entry is one element of log.entries.
type Entry struct {
	Index    int    // position in log.entries, 0-based
	Line     int    // 1-based line of the file where this entry's '{' stands
	Started  string // startedDateTime as written (ISO 8601 in HAR 1.2)
	Request  Request
	Response Response
	// Frames are the entry's WebSocket messages (Chrome's and mitmproxy's
	// _webSocketMessages). A long session's frames come in batches of
	// about FrameBatchBytes of data each, so that memory does not grow
	// with the session: every batch but the last is an Entry of its own
	// with FramesOnly set, the same Index and Line, and Request, Response
	// and Started as far as the file had given them by then (Chrome and
	// mitmproxy write _webSocketMessages last, so in full); the last batch
	// comes with the entry itself.
	Frames     []Frame
	FramesOnly bool
}

// FrameBatchBytes bounds the frame data one Entry carries (see
// Entry.Frames); a single larger frame is one batch of its own.
const FrameBatchBytes = 4 << 20

// frameOverhead is what a frame costs beside its data, counted against
// FrameBatchBytes, so that a million empty frames are batched too.
const frameOverhead = 64

// Frame is one WebSocket message: {"type", "time", "opcode", "data"}.
type Frame struct {
	Index  int    // position in _webSocketMessages, 0-based
	Type   string // "send" or "receive", lower-cased
	Opcode int    // 1 text, 2 binary, 8-10 control; 0 when absent
	// Data is the message: text as written, binary (opcode 2, which
	// Chrome and mitmproxy write in base64) decoded.
	Data      string
	Line      int  // 1-based line of the "data" value; 0 without data
	Column    int  // byte column of its opening quote
	Binary    bool // Data was decoded from base64
	BadBase64 bool // opcode 2 but the data is not base64: Data is kept as is
}

// Request is an entry's request.
type Request struct {
	Method      string
	URL         string
	URLLine     int // 1-based line of the "url" value
	URLColumn   int // 1-based byte column where the "url" value starts
	HTTPVersion string
	Headers     []Field
	Cookies     []Field
	Query       []Field // queryString
	Body        *Body   // postData; nil when absent or null
}

// Response is an entry's response.
type Response struct {
	Status     int // 0 when absent or not a number
	StatusText string
	Headers    []Field
	Cookies    []Field
	Body       *Body // content; nil when absent or null
}

// Field is a header, cookie, query or form parameter.
type Field struct {
	Name   string
	Value  string
	Line   int // 1-based line of the value (of the name if there is no value)
	Column int // 1-based byte column where that value (or name) starts
}

// Body is a request's postData or a response's content.
type Body struct {
	MimeType  string
	Text      string  // decoded when the encoding is base64
	Params    []Field // postData.params (requests only)
	Line      int     // line of the "text" value; 0 without text
	Column    int     // byte column of the opening quote of the "text" value
	Size      int64   // content.size; -1 when absent
	Encoding  string
	Missing   bool // no text at all, though the body is not known to be empty
	Truncated bool // size > len(Text), or the comment says "truncated"
	BadBase64 bool // encoding is base64 but text is not: Text is kept as is
	Comment   string
	// File is content._file: Playwright's content: "attach" keeps the body
	// in a file beside the capture instead (not read).
	File string
}

// Error is a capture that cannot be read as a HAR.
type Error struct {
	File   string
	Line   int   // 1-based
	Offset int64 // byte offset in the (decompressed) file
	Path   string
	Err    error
	// NotHAR: the file is not a HAR at all (not JSON, or JSON without
	// log.entries), as opposed to a HAR that is broken or cut short.
	NotHAR bool
}

func (e *Error) Error() string {
	if e.NotHAR {
		// "capture.har: not a HAR capture (not JSON: invalid character '#'
		// looking for beginning of value; line 1, byte 0)": what the user
		// gave is the wrong file, not a damaged one.
		return fmt.Sprintf("%s: not a HAR capture (%s; line %d, byte %d)", e.File, e.Err, e.Line, e.Offset)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: line %d (byte %d)", e.File, e.Line, e.Offset)
	if e.Path != "" {
		b.WriteString(": ")
		b.WriteString(e.Path)
	}
	b.WriteString(": ")
	b.WriteString(strings.Replace(e.Err.Error(), "unexpected EOF", "unexpected end of file", 1))
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// maxDepth bounds the nesting of skipped values.
const maxDepth = 1000

type seg struct {
	key string
	idx int // -1: none
}

const (
	stStart = iota
	stEntries
	stDone
)

// Reader reads the entries of one HAR capture.
type Reader struct {
	name    string
	closers []io.Closer
	lc      *lineCounter
	dec     tokens
	bom     int64
	state   int
	index   int
	err     error
	path    []seg
	// cur is the entry being read when a batch of its frames was returned
	// before its end; inFrames says its _webSocketMessages array is open.
	cur       *Entry
	inFrames  bool
	frameNext int // index of the next frame in that array
}

// Open opens the capture at path: JSON (.har), gzip (.har.gz) or zlib
// (.zhar), told apart by their first bytes. Errors name path.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, pathless.Err(err))
	}
	r, err := NewReader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closers = append(r.closers, f)
	return r, nil
}

// NewReader reads a capture from rd, which may be gzip or zlib compressed;
// name is used in errors. Close does not close rd.
func NewReader(rd io.Reader, name string) (*Reader, error) {
	r := &Reader{name: name}
	br := bufio.NewReaderSize(rd, 64<<10)
	magic, _ := br.Peek(2)
	var src io.Reader = br
	switch {
	case len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &Error{File: name, Line: 1, Err: fmt.Errorf("gzip: %w", err)}
		}
		r.closers = append(r.closers, zr)
		src = bufio.NewReaderSize(zr, 64<<10)
	case len(magic) == 2 && magic[0]&0x0f == 8 && magic[0]>>4 <= 7 && (uint(magic[0])<<8|uint(magic[1]))%31 == 0:
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, &Error{File: name, Line: 1, Err: fmt.Errorf("zlib: %w", err)}
		}
		r.closers = append(r.closers, zr)
		src = bufio.NewReaderSize(zr, 64<<10)
	}
	sbr, ok := src.(*bufio.Reader)
	if !ok {
		sbr = bufio.NewReader(src)
	}
	if b, _ := sbr.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		sbr.Discard(3)
		r.bom = 3
	}
	r.lc = newLineCounter(sbr)
	r.dec = newTextTokens(r.lc)
	return r, nil
}

// Close releases the file and decompressor opened for the reader.
func (r *Reader) Close() error {
	var first error
	for i := len(r.closers) - 1; i >= 0; i-- {
		if err := r.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	r.closers = nil
	return first
}

// Next returns the next entry of log.entries, or io.EOF after the last one
// (once the rest of the file has been checked). Errors are *Error and
// sticky.
func (r *Reader) Next() (*Entry, error) {
	if r.err != nil {
		return nil, r.err
	}
	e, err := r.next()
	if err != nil {
		r.err = err
	}
	return e, err
}

func (r *Reader) next() (*Entry, error) {
	switch r.state {
	case stStart:
		if err := r.start(); err != nil {
			return nil, err
		}
		r.state = stEntries
		fallthrough
	case stEntries:
		if r.cur != nil || r.dec.More() {
			if r.cur == nil {
				r.path = append(r.path[:0], seg{"log", -1}, seg{"entries", r.index})
			}
			e, err := r.entry()
			if err != nil {
				return nil, err
			}
			if !e.FramesOnly {
				r.index++
			}
			return e, nil
		}
		r.path = append(r.path[:0], seg{"log", -1}, seg{"entries", -1})
		if err := r.finish(); err != nil {
			return nil, err
		}
		r.state = stDone
	}
	return nil, io.EOF
}

// start moves to the '[' of log.entries.
func (r *Reader) start() error {
	r.path = r.path[:0]
	at := r.nextStart()
	t, err := r.dec.Token()
	if err == io.EOF {
		return r.notHAR(at, errors.New("the file is empty"))
	}
	if err != nil {
		if _, msg, ok := r.dec.SyntaxOffset(err); ok {
			err = msg
		}
		return r.notHAR(at, fmt.Errorf("not JSON: %w", err))
	}
	if t != json.Delim('{') {
		return r.notHAR(at, fmt.Errorf("the file is %s, not an object", kind(t)))
	}
	for r.dec.More() {
		k, err := r.key()
		if err != nil {
			return err
		}
		if k != "log" {
			if err := r.skip(); err != nil {
				return err
			}
			continue
		}
		r.path = append(r.path, seg{"log", -1})
		at := r.nextStart()
		t, err := r.token()
		if err != nil {
			return err
		}
		if t != json.Delim('{') {
			return r.notHAR(at, fmt.Errorf("log is %s, not an object", kind(t)))
		}
		for r.dec.More() {
			k, err := r.key()
			if err != nil {
				return err
			}
			if k != "entries" {
				if err := r.skip(); err != nil {
					return err
				}
				continue
			}
			r.path = append(r.path, seg{"entries", -1})
			at := r.nextStart()
			t, err := r.token()
			if err != nil {
				return err
			}
			if t != json.Delim('[') {
				return r.notHAR(at, fmt.Errorf("log.entries is %s, not an array", kind(t)))
			}
			return nil
		}
		return r.notHAR(r.dec.InputOffset(), errors.New("log has no entries"))
	}
	return r.notHAR(r.dec.InputOffset(), errors.New("no log"))
}

// notHAR is the error for a file that is not a HAR at all, found at off.
func (r *Reader) notHAR(off int64, err error) error {
	e := r.failAt(off, err).(*Error)
	e.NotHAR = true
	return e
}

// finish reads from the ']' of log.entries to the end of the file.
func (r *Reader) finish() error {
	// ']' of log.entries, then the rest of log; '}' of log, then the rest of
	// the top object.
	for range 2 {
		if _, err := r.token(); err != nil {
			return err
		}
		r.pop()
		for r.dec.More() {
			if _, err := r.key(); err != nil {
				return err
			}
			if err := r.skip(); err != nil {
				return err
			}
		}
	}
	if _, err := r.token(); err != nil { // '}' of the top object
		return err
	}
	at := r.nextStart()
	t, err := r.dec.Token()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return r.fail(err)
	}
	return r.failfAt(at, "unexpected %s after the HAR", kind(t))
}

// entry reads log.entries[r.index], or goes on reading it after a batch
// of its frames was returned (a FramesOnly part; see Entry.Frames).
func (r *Reader) entry() (*Entry, error) {
	e := r.cur
	if e == nil {
		at := r.nextStart()
		t, err := r.token()
		if err != nil {
			return nil, err
		}
		if t != json.Delim('{') {
			return nil, r.failfAt(at, "entry is %s, not an object", kind(t))
		}
		e = &Entry{Index: r.index, Line: r.line()}
		r.cur = e
	} else if r.inFrames {
		if part, err := r.frames(e); err != nil || part != nil {
			return part, err
		}
	}
	for r.dec.More() {
		k, err := r.key()
		if err != nil {
			return nil, err
		}
		switch k {
		case "startedDateTime":
			e.Started, _, err = r.str()
		case "request":
			err = r.request(&e.Request)
		case "response":
			err = r.response(&e.Response)
		case "_webSocketMessages":
			var ok bool
			if ok, err = r.openArray(k); ok {
				r.inFrames, r.frameNext = true, 0
				var part *Entry
				if part, err = r.frames(e); part != nil {
					return part, nil
				}
			}
		default:
			err = r.skip()
		}
		if err != nil {
			return nil, err
		}
	}
	if _, err := r.token(); err != nil { // '}'
		return nil, err
	}
	r.cur = nil
	return e, nil
}

// frames reads the frames of the open _webSocketMessages array into
// e.Frames. When they reach FrameBatchBytes and more follow, it returns
// them as a FramesOnly copy of e, and the array stays open; at its end it
// returns nil.
func (r *Reader) frames(e *Entry) (*Entry, error) {
	top := len(r.path) - 1
	size := 0
	for r.dec.More() {
		if size >= FrameBatchBytes {
			part := *e
			part.FramesOnly = true
			e.Frames = nil
			return &part, nil
		}
		r.path[top].idx = r.frameNext
		f, ok, err := r.frame(r.frameNext)
		if err != nil {
			return nil, err
		}
		r.frameNext++
		if ok {
			e.Frames = append(e.Frames, f)
			size += len(f.Data) + frameOverhead
		}
	}
	r.path[top].idx = -1
	if _, err := r.token(); err != nil { // ']'
		return nil, err
	}
	r.pop()
	r.inFrames = false
	return nil, nil
}

// frame reads one element of _webSocketMessages; ok is false for one
// that is not an object (skipped).
func (r *Reader) frame(i int) (f Frame, ok bool, err error) {
	f.Index = i
	t, err := r.token()
	if err != nil {
		return f, false, err
	}
	if t != json.Delim('{') {
		return f, false, r.skipRest(t)
	}
	err = r.object(func(k string) error {
		var err error
		switch k {
		case "type":
			f.Type, _, err = r.str()
			f.Type = strings.ToLower(f.Type)
		case "opcode":
			var n int64
			var ok bool
			n, ok, err = r.num()
			if ok && n >= 0 && n < 1<<16 {
				f.Opcode = int(n)
			}
		case "data":
			var null bool
			line, col := r.startPos()
			f.Data, null, err = r.str()
			if !null {
				f.Line, f.Column = line, col
			}
		default:
			err = r.skip()
		}
		return err
	})
	if err != nil {
		return f, false, err
	}
	if f.Opcode == 2 && f.Data != "" {
		if d, ok := decodeBase64(f.Data); ok {
			f.Data, f.Binary = d, true
		} else {
			f.BadBase64 = true
		}
	}
	return f, true, nil
}

// openArray reads the next value and reports whether it is an array (its
// '[' consumed, name pushed on the path); anything else is skipped.
func (r *Reader) openArray(name string) (bool, error) { return r.openDelim(name, '[') }

func (r *Reader) request(q *Request) error {
	ok, err := r.open("request")
	if !ok || err != nil {
		return err
	}
	err = r.object(func(k string) error {
		var err error
		switch k {
		case "method":
			q.Method, _, err = r.str()
		case "url":
			q.URLLine, q.URLColumn = r.startPos()
			q.URL, _, err = r.str()
		case "httpVersion":
			q.HTTPVersion, _, err = r.str()
		case "headers":
			q.Headers, err = r.fields(k)
		case "cookies":
			q.Cookies, err = r.fields(k)
		case "queryString":
			q.Query, err = r.fields(k)
		case "postData":
			q.Body, err = r.body(k)
		default:
			err = r.skip()
		}
		return err
	})
	r.pop()
	return err
}

func (r *Reader) response(p *Response) error {
	ok, err := r.open("response")
	if !ok || err != nil {
		return err
	}
	err = r.object(func(k string) error {
		var err error
		switch k {
		case "status":
			var n int64
			n, _, err = r.num()
			if n > 0 && n < 1000 {
				p.Status = int(n)
			}
		case "statusText":
			p.StatusText, _, err = r.str()
		case "headers":
			p.Headers, err = r.fields(k)
		case "cookies":
			p.Cookies, err = r.fields(k)
		case "content":
			p.Body, err = r.body(k)
		default:
			err = r.skip()
		}
		return err
	})
	r.pop()
	return err
}

func (r *Reader) body(name string) (*Body, error) {
	ok, err := r.open(name)
	if !ok || err != nil {
		return nil, err
	}
	b := &Body{Size: -1}
	hasText := false
	err = r.object(func(k string) error {
		var err error
		switch k {
		case "mimeType":
			b.MimeType, _, err = r.str()
		case "text":
			var null bool
			line, col := r.startPos()
			b.Text, null, err = r.str()
			if !null {
				hasText = true
				b.Line, b.Column = line, col
			}
		case "encoding":
			b.Encoding, _, err = r.str()
		case "comment":
			b.Comment, _, err = r.str()
		case "_file":
			b.File, _, err = r.str()
		case "size":
			var n int64
			var ok bool
			n, ok, err = r.num()
			if ok && n >= 0 {
				b.Size = n
			}
		case "params":
			b.Params, err = r.fields(k)
		default:
			err = r.skip()
		}
		return err
	})
	r.pop()
	if err != nil {
		return nil, err
	}
	cut := false
	if hasText && strings.EqualFold(strings.TrimSpace(b.Encoding), "base64") {
		if d, ok := decodeBase64(b.Text); ok {
			b.Text = d
		} else if d, ok := decodeBase64Prefix(b.Text); ok && b.Size > int64(len(d)) {
			b.Text, cut = d, true // base64 cut short: keep what decodes
		} else {
			b.BadBase64 = true
		}
	}
	switch {
	case !hasText && b.Size != 0 && len(b.Params) == 0,
		hasText && b.Text == "" && b.Size > 0:
		b.Missing = true
	case cut, hasText && b.Size > int64(len(b.Text)) && !complete(b.Text) && shortBeyondCounting(b.Size, len(b.Text)),
		strings.Contains(strings.ToLower(b.Comment), "truncat"):
		b.Truncated = true
	}
	return b, nil
}

// countingSlack is how many bytes a size may exceed a text by through
// counting alone: Fiddler's and IE's exports give a size 12 to 26 bytes
// larger than a complete script or page (harviewer's issue-61 fixture),
// while a tool that cuts a body cuts at a limit, far from its end.
const countingSlack = 64

// shortBeyondCounting reports whether a text of n bytes is shorter than
// size by more than counting differences explain: by more than
// countingSlack, or at all when n is a whole number of KiB (a cut at a
// limit: Firefox's is 1 MiB).
func shortBeyondCounting(size int64, n int) bool {
	return size-int64(n) > countingSlack || n >= 1024 && n%1024 == 0
}

// complete reports whether text is evidently a whole document although
// the capture's size says it is larger. Tools count size differently
// (decoded or compressed bytes, CRLF line ends, whitespace Fiddler drops),
// so size alone does not prove a cut: one whole JSON object or array (an
// anti-XSSI prefix allowed) or an HTML page ending in </html> is whole.
// Only bodies whose size exceeds their text get here, so the JSON check
// costs nothing on the usual path.
func complete(text string) bool {
	t := strings.TrimSpace(text)
	for _, p := range []string{")]}'", "while(1);", "for(;;);"} {
		if rest, ok := strings.CutPrefix(t, p); ok {
			t = strings.TrimSpace(rest)
			break
		}
	}
	if t == "" {
		return false
	}
	if t[0] == '{' || t[0] == '[' {
		return json.Valid([]byte(t))
	}
	const end = "</html>"
	return len(t) >= len(end) && strings.EqualFold(t[len(t)-len(end):], end)
}

// Bodiless reports whether the entry's response has no body by
// definition, so that a body the capture does not hold is not a gap in
// it: the response to a HEAD request; a 1xx (101 Switching Protocols
// opens a WebSocket), 204 or 304 response (RFC 9110 §6.4.1); a redirect
// (3xx) whose content size is -1 or 0, which tools write for "none"; no
// response at all (status 0: Chrome and mitmproxy write it for a request
// that failed or was still pending when the capture was saved); and a
// data: URL, whose content is the URL itself.
func (e *Entry) Bodiless() bool {
	p := &e.Response
	switch {
	case strings.EqualFold(e.Request.Method, "HEAD"),
		p.Status < 200, // 0 and 1xx
		p.Status == 204, p.Status == 304,
		p.Status >= 300 && p.Status < 400 && (p.Body == nil || p.Body.Size <= 0),
		len(e.Request.URL) >= 5 && strings.EqualFold(e.Request.URL[:5], "data:"):
		return true
	}
	return false
}

// decodeBase64 decodes s in standard or URL-safe base64, padded or not,
// ignoring whitespace.
func decodeBase64(s string) (string, bool) {
	if strings.ContainsAny(s, " \t\r\n") {
		s = strings.Map(func(c rune) rune {
			switch c {
			case ' ', '\t', '\r', '\n':
				return -1
			}
			return c
		}, s)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if d, err := enc.DecodeString(s); err == nil {
			return string(d), true
		}
	}
	return "", false
}

// decodeBase64Prefix decodes standard base64 cut short, at any length: the
// whole groups of four and what decodes of the last.
func decodeBase64Prefix(s string) (string, bool) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if len(s) < 8 {
		return "", false
	}
	n := len(s) / 4 * 4
	d, err := base64.StdEncoding.DecodeString(s[:n])
	if err != nil {
		return "", false
	}
	if rest := s[n:]; len(rest) >= 2 {
		if t, err := base64.RawStdEncoding.DecodeString(rest); err == nil {
			d = append(d, t...)
		}
	}
	return string(d), true
}

// fields reads a list of name/value pairs in any of the shapes tools write.
func (r *Reader) fields(name string) ([]Field, error) {
	r.path = append(r.path, seg{name, -1})
	defer r.pop()
	t, err := r.token()
	if err != nil {
		return nil, err
	}
	var out []Field
	switch t {
	case json.Delim('{'): // {"Name": "value", ...}
		err = r.object(func(k string) error {
			line, col := r.startPos()
			v, _, err := r.str()
			if err == nil {
				out = append(out, Field{Name: k, Value: v, Line: line, Column: col})
			}
			return err
		})
		return out, err
	case json.Delim('['):
	default:
		return nil, r.skipRest(t)
	}
	top := len(r.path) - 1
	for i := 0; r.dec.More(); i++ {
		r.path[top].idx = i
		t, err := r.token()
		if err != nil {
			return nil, err
		}
		switch t {
		case json.Delim('{'):
			var f Field
			seen := false
			err = r.object(func(k string) error {
				var err error
				switch k {
				case "name":
					line, col := r.startPos()
					f.Name, _, err = r.str()
					if !seen {
						f.Line, f.Column = line, col
					}
				case "value":
					line, col := r.startPos()
					f.Value, _, err = r.str()
					f.Line, f.Column, seen = line, col, true
				default:
					err = r.skip()
				}
				return err
			})
			if err != nil {
				return nil, err
			}
			out = append(out, f)
		case json.Delim('['): // [name, value]
			var f Field
			for j := 0; r.dec.More(); j++ {
				var err error
				switch j {
				case 0:
					f.Line, f.Column = r.startPos()
					f.Name, _, err = r.str()
				case 1:
					f.Line, f.Column = r.startPos()
					f.Value, _, err = r.str()
				default:
					err = r.skip()
				}
				if err != nil {
					return nil, err
				}
			}
			if _, err := r.token(); err != nil {
				return nil, err
			}
			out = append(out, f)
		default: // a scalar: nothing to keep
		}
	}
	r.path[top].idx = -1
	_, err = r.token()
	return out, err
}

// open reads the next value and reports whether it is an object (its '{'
// consumed, name pushed on the path); anything else is skipped.
func (r *Reader) open(name string) (bool, error) { return r.openDelim(name, '{') }

func (r *Reader) openDelim(name string, d json.Delim) (bool, error) {
	r.path = append(r.path, seg{name, -1})
	t, err := r.token()
	if err != nil {
		return false, err
	}
	if t == d {
		return true, nil
	}
	r.pop()
	return false, r.skipRest(t)
}

// object calls fn for every key of the object whose '{' was just read; fn
// must consume the value. It consumes the '}'.
func (r *Reader) object(fn func(key string) error) error {
	for r.dec.More() {
		k, err := r.key()
		if err != nil {
			return err
		}
		if err := fn(k); err != nil {
			return err
		}
	}
	_, err := r.token()
	return err
}

func (r *Reader) key() (string, error) {
	t, err := r.token()
	if err != nil {
		return "", err
	}
	k, ok := t.(string)
	if !ok {
		return "", r.failf("unexpected %s", kind(t))
	}
	return k, nil
}

// str reads a scalar as a string; null is "" with null set, a number or
// boolean its JSON text; an object or array is skipped and read as "".
func (r *Reader) str() (s string, null bool, err error) {
	t, err := r.token()
	if err != nil {
		return "", false, err
	}
	switch v := t.(type) {
	case string:
		return v, false, nil
	case json.Number:
		return string(v), false, nil
	case bool:
		return strconv.FormatBool(v), false, nil
	case nil:
		return "", true, nil
	}
	return "", false, r.skipRest(t)
}

// num reads a number, or a string holding one ("200", "1.5e3"); ok is false
// for anything else.
func (r *Reader) num() (n int64, ok bool, err error) {
	t, err := r.token()
	if err != nil {
		return 0, false, err
	}
	var s string
	switch v := t.(type) {
	case string:
		s = strings.TrimSpace(v)
	case json.Number:
		s = string(v)
	default:
		return 0, false, r.skipRest(t)
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, false, nil
	}
	return int64(f), true, nil
}

// skip skips the next value, whole.
func (r *Reader) skip() error {
	t, err := r.token()
	if err != nil {
		return err
	}
	return r.skipRest(t)
}

// skipRest skips the rest of the value whose first token t was just read.
func (r *Reader) skipRest(t json.Token) error {
	if t != json.Delim('{') && t != json.Delim('[') {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := r.token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
			if depth > maxDepth {
				return r.failf("values nested more than %d deep", maxDepth)
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		r.line() // keep the newline queue short
	}
	return nil
}

func (r *Reader) pop() {
	if len(r.path) > 0 {
		r.path = r.path[:len(r.path)-1]
	}
}

func (r *Reader) token() (json.Token, error) {
	t, err := r.dec.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, r.fail(err)
	}
	return t, nil
}

// line returns the line of the last token read.
// startPos is the line and column where the next value starts.
func (r *Reader) startPos() (line, col int) {
	return r.lc.posAt(r.nextStart())
}

func (r *Reader) line() int {
	return r.lc.lineAt(r.dec.InputOffset())
}

func (r *Reader) failf(format string, args ...any) error {
	return r.fail(fmt.Errorf(format, args...))
}

// failfAt is failf for a value that starts at off.
func (r *Reader) failfAt(off int64, format string, args ...any) error {
	return r.failAt(off, fmt.Errorf(format, args...))
}

func (r *Reader) fail(err error) error {
	var he *Error
	if errors.As(err, &he) {
		return err
	}
	var off int64
	switch at, msg, syntax := r.dec.SyntaxOffset(err); {
	case errors.Is(err, io.ErrUnexpectedEOF):
		off, err = r.lc.n, io.ErrUnexpectedEOF
	case syntax:
		// the message without the tokenizer's own offset: the error
		// gives line, byte and path
		off, err = at, msg
	default:
		off = r.dec.InputOffset()
	}
	return r.failAt(off, err)
}

func (r *Reader) failAt(off int64, err error) error {
	return &Error{
		File:   r.name,
		Line:   r.lc.lineAt(off),
		Offset: off + r.bom,
		Path:   r.pathString(),
		Err:    err,
	}
}

// nextStart returns the offset where the next token starts, as far as the
// decoder's buffer tells.
func (r *Reader) nextStart() int64 {
	off := r.dec.InputOffset()
	for _, c := range r.dec.Unread() {
		switch c {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

func (r *Reader) pathString() string {
	var b strings.Builder
	for i, s := range r.path {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
		if s.idx >= 0 {
			fmt.Fprintf(&b, "[%d]", s.idx)
		}
	}
	return b.String()
}

func kind(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return fmt.Sprintf("%q", string(v))
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", t)
}
