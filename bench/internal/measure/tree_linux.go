//go:build linux

package measure

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// sampleInterval is how often the process tree's memory is read. A peak
// shorter than this can be missed; scans run for seconds.
const sampleInterval = 20 * time.Millisecond

// sampleTree reads the resident memory of pid and all its descendants every
// sampleInterval until stop is closed, and sends the largest sum it saw
// (KiB). It reads /proc only, so it costs the measured command nothing.
func sampleTree(pid int, stop <-chan struct{}, peak chan<- int64) {
	page := int64(os.Getpagesize()) / 1024
	var max int64
	t := time.NewTicker(sampleInterval)
	defer t.Stop()
	for {
		if kb := treeRSSKB(pid, page); kb > max {
			max = kb
		}
		select {
		case <-stop:
			peak <- max
			return
		case <-t.C:
		}
	}
}

func treeRSSKB(root int, pageKB int64) int64 {
	var sum int64
	seen := map[int]bool{}
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		if seen[pid] {
			continue
		}
		seen[pid] = true
		sum += rssPages(pid) * pageKB
		queue = append(queue, children(pid)...)
	}
	return sum
}

func rssPages(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.ParseInt(f[1], 10, 64)
	return n
}

// children lists pid's child processes from every thread's children file.
func children(pid int) []int {
	files, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	var out []int
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, s := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(s); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}
