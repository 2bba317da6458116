//go:build linux

package main

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// widenPipe gives the pipe from git 1 MiB, as scanner/history does on
// Linux.
func widenPipe(r io.Reader) {
	if f, ok := r.(*os.File); ok {
		_, _ = unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, 1<<20)
	}
}
