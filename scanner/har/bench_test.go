package har

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// writeBenchHAR writes a Chrome-style, pretty-printed HAR of about mb
// megabytes: small API entries, and every 100th a 1 MiB body (base64 every
// other time).
func writeBenchHAR(tb testing.TB, mb int) (string, int64) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "bench.har")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	big := strings.Repeat(`{\"k\":\"vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\"},`, 1<<20/96)
	big64 := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("binary\x00\x01\x02", 1<<20/9)))
	fmt.Fprint(w, "{\n  \"log\": {\n    \"version\": \"1.2\",\n    \"creator\": {\"name\": \"WebInspector\", \"version\": \"537.36\"},\n    \"entries\": [\n")
	var n int64
	for i := 0; n < int64(mb)<<20; i++ {
		if i > 0 {
			w.WriteString(",\n")
		}
		body, enc := `{\"id\":`+strconv.Itoa(i)+`,\"token\":\"FAKE-TOKEN-FOR-TESTS-bench\"}`, ""
		if i%100 == 99 {
			if i%200 == 199 {
				body, enc = big64, `,
            "encoding": "base64"`
			} else {
				body = big
			}
		}
		bodySize := len(body) - strings.Count(body, `\"`)
		if enc != "" {
			bodySize = base64.StdEncoding.DecodedLen(len(body)) - strings.Count(body[len(body)-2:], "=")
		}
		s := fmt.Sprintf(`      {
        "_initiator": {"type": "script", "stack": {"callFrames": [{"functionName": "f", "lineNumber": 12, "columnNumber": 7}]}},
        "_priority": "High",
        "_resourceType": "fetch",
        "request": {
          "method": "GET",
          "url": "https://api.example.test/v2/items/%d?page=2",
          "httpVersion": "http/2.0",
          "headers": [
            {"name": ":authority", "value": "api.example.test"},
            {"name": ":path", "value": "/v2/items/%d?page=2"},
            {"name": "authorization", "value": "Bearer FAKE-TOKEN-FOR-TESTS-bench"},
            {"name": "accept", "value": "application/json"},
            {"name": "user-agent", "value": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"}
          ],
          "queryString": [{"name": "page", "value": "2"}],
          "cookies": [{"name": "session", "value": "FAKE-TOKEN-FOR-TESTS-bench", "httpOnly": true, "secure": true}],
          "headersSize": -1,
          "bodySize": 0
        },
        "response": {
          "status": 200,
          "statusText": "",
          "httpVersion": "http/2.0",
          "headers": [
            {"name": "content-type", "value": "application/json"},
            {"name": "cache-control", "value": "no-store"}
          ],
          "cookies": [],
          "content": {
            "size": %d,
            "mimeType": "application/json",
            "text": "%s"%s
          },
          "redirectURL": "",
          "_transferSize": 1234
        },
        "time": 87.66900002956390,
        "timings": {"blocked": 1.2840000324249268, "dns": -1, "send": 0.141, "wait": 85.02200000190735, "receive": 1.2219999684393406, "_blocked_queueing": 0.911}
      }`, i, i, bodySize, body, enc)
		w.WriteString(s)
		n += int64(len(s)) + 2
	}
	w.WriteString("\n    ]\n  }\n}\n")
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return path, st.Size()
}

// peak samples the live heap every few calls.
type peak struct {
	n   int
	max uint64
}

func (p *peak) sample(force bool) {
	p.n++
	if !force && p.n%200 != 0 {
		return
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapInuse > p.max {
		p.max = ms.HeapInuse
	}
}

func BenchmarkReader(b *testing.B) {
	sizes := []int{20, 200}
	if s := os.Getenv("HAR_BENCH_MB"); s != "" {
		n, _ := strconv.Atoi(s)
		sizes = []int{n}
	}
	for _, mb := range sizes {
		path, size := writeBenchHAR(b, mb)
		b.Run(fmt.Sprintf("har/%dMB", mb), func(b *testing.B) {
			b.SetBytes(size)
			var p peak
			runtime.GC()
			p.sample(true)
			base := p.max
			p.max = 0
			entries := 0
			for b.Loop() {
				r, err := Open(path)
				if err != nil {
					b.Fatal(err)
				}
				for {
					e, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					if e.Response.Body == nil || e.Response.Body.Missing || e.Response.Body.Truncated || e.Response.Body.BadBase64 {
						b.Fatalf("entry %d: %+v", e.Index, e.Response.Body)
					}
					entries++
					p.sample(e.Response.Body.Size > 1<<19)
				}
				r.Close()
			}
			b.ReportMetric(float64(entries)/float64(b.N), "entries/op")
			b.ReportMetric(float64(p.max)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(base)/(1<<20), "base-heap-MB")
		})
		b.Run(fmt.Sprintf("json-tokens/%dMB", mb), func(b *testing.B) {
			b.SetBytes(size)
			var p peak
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				dec := json.NewDecoder(bufio.NewReaderSize(f, 64<<10))
				dec.UseNumber()
				for {
					_, err := dec.Token()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					p.sample(false)
				}
				f.Close()
			}
			b.ReportMetric(float64(p.max)/(1<<20), "peak-heap-MB")
		})
	}
}
