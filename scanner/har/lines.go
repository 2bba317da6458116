package har

import (
	"bytes"
	"io"
)

// lineCounter wraps the reader the json.Decoder reads from and remembers
// the offsets of the newlines it has handed out but the caller has not yet
// asked about. lineAt only moves forward, and drops what it passes, so the
// queue holds at most the newlines of the decoder's read-ahead: memory stays
// flat whatever the file size.
type lineCounter struct {
	r    io.Reader
	n    int64   // bytes read so far
	nl   []int64 // offsets of newlines not yet passed, from head
	head int
	line int   // 1-based line at the last offset passed to lineAt
	bol  int64 // offset where that line begins
}

func newLineCounter(r io.Reader) *lineCounter {
	return &lineCounter{r: r, line: 1}
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	b, off := p[:n], c.n
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			break
		}
		c.nl = append(c.nl, off+int64(i))
		off += int64(i) + 1
		b = b[i+1:]
	}
	c.n += int64(n)
	return n, err
}

// lineAt returns the 1-based line of byte off (0-based). Offsets must not
// go backwards between calls; an earlier offset gets the current line.
func (c *lineCounter) lineAt(off int64) int {
	for c.head < len(c.nl) && c.nl[c.head] < off {
		c.bol = c.nl[c.head] + 1
		c.head++
		c.line++
	}
	if c.head == len(c.nl) {
		c.nl, c.head = c.nl[:0], 0
	} else if c.head > 1024 && c.head > len(c.nl)/2 {
		k := copy(c.nl, c.nl[c.head:])
		c.nl, c.head = c.nl[:k], 0
	}
	return c.line
}

// posAt is lineAt plus the 1-based column of off, counted in bytes.
func (c *lineCounter) posAt(off int64) (line, col int) {
	line = c.lineAt(off)
	return line, int(max(off-c.bol, 0)) + 1
}
