package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A path that is a device or a pipe (-o /dev/null, -o /dev/stdout) is
// written to, not replaced by a file: run as root, a rename over
// /dev/null would leave the machine a /dev/null that holds a report.
func TestAtomicWriteKeepsDevicesAndPipes(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := Write(fifo, []byte("report\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "report\n" {
			t.Errorf("the pipe's reader got %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Error("nothing reached the pipe's reader")
	}
	info, err := os.Lstat(fifo)
	if err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced: %v %v", info.Mode(), err)
	}

	// a regular file is still replaced whole
	file := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(file, []byte("old and longer\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(file, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); string(b) != "new\n" {
		t.Errorf("file holds %q", b)
	}
}
