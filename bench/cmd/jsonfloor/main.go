// Command jsonfloor is the floor of the capture benchmark (bench/har/run.sh):
// one bare pass of encoding/json's token API over a file, the same API
// scanner/har reads captures with, doing nothing with the tokens.
//
//	jsonfloor FILE
//
// It prints the tokens, bytes and throughput (MB = 10^6 bytes) to stdout.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: jsonfloor FILE")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "jsonfloor:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 64<<10))
	dec.UseNumber() // as scanner/har does
	tokens := 0
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
	el := time.Since(start)
	n := dec.InputOffset()
	fmt.Printf("%d tokens, %d bytes in %.2f s: %.1f MB/s\n", tokens, n, el.Seconds(), float64(n)/1e6/el.Seconds())
	return nil
}
