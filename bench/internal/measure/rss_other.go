//go:build !unix

package measure

import "os"

// maxRSSKB is not available here: report zero rather than guess.
func maxRSSKB(*os.ProcessState) int64 { return 0 }
