package history

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// widenPipe asks Linux for a 1 MiB pipe between git and the parser (64
// KiB by default): git then writes, and the parser reads, in larger steps,
// with fewer switches between the two. Refused (a lower
// /proc/sys/fs/pipe-max-size) is harmless.
func widenPipe(r io.Reader) {
	if f, ok := r.(*os.File); ok {
		_, _ = unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, 1<<20)
	}
}
