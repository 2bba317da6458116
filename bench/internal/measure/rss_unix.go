//go:build unix

package measure

import (
	"os"
	"runtime"
	"syscall"
)

// maxRSSKB reads ru_maxrss from the rusage wait4 returned. Linux and the
// BSDs report KiB; macOS reports bytes.
func maxRSSKB(st *os.ProcessState) int64 {
	ru, ok := st.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0
	}
	rss := int64(ru.Maxrss)
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		rss /= 1024
	}
	return rss
}
