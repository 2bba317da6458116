// Command jsonfloor is the floor of the capture benchmark (bench/har/run.sh):
// one bare pass of a JSON tokenizer over a file, doing nothing with the
// tokens. By default encoding/json's token API (issue 19's floor, and what
// scanner/har read captures with until 2026-12-04); with -jsontext, the
// jsontext tokenizer scanner/har reads them with now, strings unquoted as
// the reader unquotes them.
//
//	jsonfloor [-jsontext] FILE
//
// It prints the tokens, bytes and throughput (MB = 10^6 bytes) to stdout.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

func main() {
	text := flag.Bool("jsontext", false, "tokenize with jsontext instead of encoding/json")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: jsonfloor [-jsontext] FILE")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *text); err != nil {
		fmt.Fprintln(os.Stderr, "jsonfloor:", err)
		os.Exit(1)
	}
}

func run(path string, text bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	br := bufio.NewReaderSize(f, 64<<10)
	tokens := 0
	var n int64
	if text {
		dec := jsontext.NewDecoder(br, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
		for {
			tok, err := dec.ReadToken()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if tok.Kind() == '"' {
				_ = tok.String() // the reader takes every string
			}
			tokens++
		}
		n = dec.InputOffset()
	} else {
		dec := json.NewDecoder(br)
		dec.UseNumber() // as scanner/har did
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("%s: byte %d: %w", path, dec.InputOffset(), err)
			}
			tokens++
		}
		n = dec.InputOffset()
	}
	el := time.Since(start)
	fmt.Printf("%d tokens, %d bytes in %.2f s: %.1f MB/s\n", tokens, n, el.Seconds(), float64(n)/1e6/el.Seconds())
	return nil
}
