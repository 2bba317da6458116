package scanner

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
)

var stdinSecret = fakecred.ChannelSecret("stdin-pasted")

func TestStdinIsOneFile(t *testing.T) {
	tests := []struct {
		name, input, stdinName string
		wantAt                 string // "" for no finding
	}{
		{"pasted config", "# app\nLINE_CHANNEL_SECRET=" + stdinSecret + "\n", "", "stdin:2"},
		{"named", "LINE_CHANNEL_SECRET=" + stdinSecret + "\n", "config/app.env", "config/app.env:1"},
		{"a diff", "diff --git a/x.env b/x.env\n--- a/x.env\n+++ b/x.env\n@@ -1 +1 @@\n-PORT=1\n+LINE_CHANNEL_SECRET=" + stdinSecret + "\n", "", "stdin:6"},
		{"empty", "", "", ""},
		{"no newline at the end", "LINE_CHANNEL_SECRET=" + stdinSecret, "", "stdin:1"},
		{"named like an archive", "LINE_CHANNEL_SECRET=" + stdinSecret + "\n", "dump.zip", "dump.zip:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan(t, Options{Stdin: strings.NewReader(tt.input), StdinName: tt.stdinName})
			got := secretIndex(t, res.Report.Findings, stdinSecret)
			f, ok := got[0]
			switch {
			case tt.wantAt == "" && ok:
				t.Errorf("want no finding, got one at %s", f.Location)
			case tt.wantAt != "" && !ok:
				t.Errorf("want a finding at %s, got %s", tt.wantAt, summarize(res.Report.Findings))
			case ok && f.Location.String() != tt.wantAt:
				t.Errorf("finding at %s, want %s", f.Location, tt.wantAt)
			case ok && (f.Exposure.InWorkingTree || f.Exposure.Staged):
				t.Errorf("exposure = %+v: standard input is in no tree", f.Exposure)
			}
			if res.Report.Stats.Kind != finding.KindStdin || res.Report.Scanned() != "standard input" {
				t.Errorf("stats = %+v, scanned %q", res.Report.Stats, res.Report.Scanned())
			}
		})
	}
}

func TestStdinErrors(t *testing.T) {
	_, err := Scan(context.Background(), Options{Stdin: strings.NewReader("x"), Staged: true})
	if err == nil || !strings.Contains(err.Error(), "standard input") {
		t.Errorf("stdin with staged: err = %v", err)
	}
	_, err = Scan(context.Background(), Options{Stdin: io.MultiReader(strings.NewReader("A=1\n"), failingReader{})})
	if err == nil || !strings.Contains(err.Error(), "stdin") || !strings.Contains(err.Error(), "pipe broke") {
		t.Errorf("failed read: err = %v, want one naming stdin and the cause", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("pipe broke") }

// lines streams n filler lines and then one secret, never holding more
// than one line: the input is as large as asked, its generator is not.
type lines struct {
	n, i int
	tail string
	buf  []byte
}

func (l *lines) Read(p []byte) (int, error) {
	for len(l.buf) == 0 {
		switch {
		case l.i < l.n:
			l.buf = []byte("some_setting_number_" + strings.Repeat("x", 40) + " = the quick brown fox jumps over the lazy dog\n")
		case l.i == l.n:
			l.buf = []byte(l.tail)
		default:
			return 0, io.EOF
		}
		l.i++
	}
	n := copy(p, l.buf)
	l.buf = l.buf[n:]
	return n, nil
}

// TestHugeStdinIsStreamed reads 96 MiB of standard input and finds the
// secret on its last line, while the heap stays far below the input's size:
// standard input is read in chunks, never whole.
func TestHugeStdinIsStreamed(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 96 MiB")
	}
	const lineLen = 106
	n := 96 << 20 / lineLen
	var peak uint64
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	in := &peakReader{r: &lines{n: n, tail: "LINE_CHANNEL_SECRET=" + stdinSecret + "\n"}, peak: &peak}
	res := scan(t, Options{Stdin: in})
	got := secretIndex(t, res.Report.Findings, stdinSecret)
	if f, ok := got[0]; !ok || f.Location.StartLine != n+1 {
		t.Fatalf("want the secret at stdin:%d, got %s", n+1, summarize(res.Report.Findings))
	}
	if res.Report.Stats.Bytes < 96<<20-lineLen {
		t.Errorf("read %d bytes, want 96 MiB", res.Report.Stats.Bytes)
	}
	if grew := peak - min(peak, before.HeapInuse); grew > 32<<20 {
		t.Errorf("heap in use grew by %d MiB reading 96 MiB: standard input is not streamed", grew>>20)
	}
}

// peakReader samples the heap in use every 4 MiB read.
type peakReader struct {
	r     io.Reader
	n     int
	peak  *uint64
	stats runtime.MemStats
}

func (p *peakReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += n
	if p.n >= 4<<20 {
		p.n = 0
		runtime.ReadMemStats(&p.stats)
		*p.peak = max(*p.peak, p.stats.HeapInuse)
	}
	return n, err
}

func TestBinaryStdinIsNamedUnscanned(t *testing.T) {
	gz := "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + strings.Repeat("\x00", 20)
	res := scan(t, Options{Stdin: strings.NewReader(gz)})
	if strings.Join(res.Unscanned, ",") != DefaultStdinName {
		t.Errorf("unscanned = %v, want stdin", res.Unscanned)
	}
}
