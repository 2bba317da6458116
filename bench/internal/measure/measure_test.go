package measure

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestHelperProcess is not a test: Run starts the test binary itself with
// MEASURE_HELPER set, so the tests need no external command.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("MEASURE_HELPER") != "1" {
		return
	}
	buf := make([]byte, 32<<20) // touch 32 MiB so max RSS is visible
	for i := range buf {
		buf[i] = byte(i)
	}
	if os.Getenv("MEASURE_HELPER_CHILD") == "1" {
		// Start one more helper and hold the memory while it runs, so the
		// tree holds two 32 MiB processes at once.
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
		cmd.Env = append(os.Environ(), "MEASURE_HELPER_CHILD=0", "MEASURE_HELPER_SLEEP=1")
		_ = cmd.Run()
	}
	if os.Getenv("MEASURE_HELPER_SLEEP") == "1" {
		time.Sleep(500 * time.Millisecond)
	}
	os.Stdout.WriteString("hello\n")
	runtime.KeepAlive(buf)
	os.Exit(3)
}

func TestRun(t *testing.T) {
	t.Setenv("MEASURE_HELPER", "1")
	var out bytes.Buffer
	res, err := Run(context.Background(), &out, nil, os.Args[0], "-test.run=^TestHelperProcess$")
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 3 {
		t.Errorf("exit code %d, want 3", res.ExitCode)
	}
	if !strings.Contains(out.String(), "hello") {
		t.Errorf("stdout %q", out.String())
	}
	if res.Wall <= 0 || res.CPU() <= 0 {
		t.Errorf("wall %v CPU %v, want > 0", res.Wall, res.CPU())
	}
	if res.MaxRSSKB != 0 && res.MaxRSSKB < 32<<10 {
		t.Errorf("max RSS %d KiB, want ≥ 32 MiB", res.MaxRSSKB)
	}
	if res.TreeRSSKB != 0 && res.TreeRSSKB < res.MaxRSSKB {
		t.Errorf("tree RSS %d KiB < max RSS %d KiB", res.TreeRSSKB, res.MaxRSSKB)
	}
}

func TestRunTreeRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("tree sampling reads /proc")
	}
	t.Setenv("MEASURE_HELPER", "1")
	t.Setenv("MEASURE_HELPER_CHILD", "1")
	res, err := Run(context.Background(), nil, nil, os.Args[0], "-test.run=^TestHelperProcess$")
	if err != nil {
		t.Fatal(err)
	}
	// Parent and child each hold ≥ 32 MiB at once; rusage reports only the
	// larger one, the tree sample both.
	if res.TreeRSSKB < res.MaxRSSKB+24<<10 {
		t.Errorf("tree RSS %d KiB, max RSS %d KiB: want the tree ≥ max + 24 MiB", res.TreeRSSKB, res.MaxRSSKB)
	}
}

func TestRunMissingCommand(t *testing.T) {
	if _, err := Run(context.Background(), nil, nil, "/nonexistent/measure-test-cmd"); err == nil {
		t.Fatal("want an error for a command that does not exist")
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{5}, 5},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := Median(tt.in); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestTSVRoundTripAndTable(t *testing.T) {
	recs := []Record{
		{"git-log", 1, Result{Wall: 2 * time.Second, User: 1900 * time.Millisecond, Sys: 100 * time.Millisecond, MaxRSSKB: 50 << 10, TreeRSSKB: 50 << 10}},
		{"gitleaks", 1, Result{Wall: 4 * time.Second, User: 7 * time.Second, Sys: time.Second, MaxRSSKB: 50 << 10, TreeRSSKB: 100 << 10}},
		{"channelguard", 1, Result{Wall: 5 * time.Second, User: 9 * time.Second, Sys: time.Second, MaxRSSKB: 150 << 10, TreeRSSKB: 150 << 10, ExitCode: 1}},
		{"git-log", 2, Result{Wall: 3 * time.Second, User: 2900 * time.Millisecond, Sys: 100 * time.Millisecond, MaxRSSKB: 50 << 10, TreeRSSKB: 50 << 10}},
		{"gitleaks", 2, Result{Wall: 6 * time.Second, User: 9 * time.Second, Sys: time.Second, MaxRSSKB: 50 << 10, TreeRSSKB: 100 << 10}},
		{"channelguard", 2, Result{Wall: 7 * time.Second, User: 11 * time.Second, Sys: time.Second, MaxRSSKB: 150 << 10, TreeRSSKB: 150 << 10, ExitCode: 1}},
	}
	var buf bytes.Buffer
	for i, r := range recs {
		if err := WriteTSV(&buf, r, i == 0); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadTSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(recs) {
		t.Fatalf("read %d records, want %d", len(got), len(recs))
	}
	if got[2].Result.ExitCode != 1 || got[2].Result.Wall != 5*time.Second {
		t.Errorf("record 3 = %+v", got[2])
	}

	rows := Summarize(got)
	if len(rows) != 3 || rows[0].Label != "git-log" || rows[2].Label != "channelguard" {
		t.Fatalf("rows = %+v", rows)
	}
	cg := rows[2]
	if cg.Wall != 6*time.Second || cg.CPU != 11*time.Second || cg.WallMin != 5*time.Second || cg.WallMax != 7*time.Second {
		t.Errorf("channelguard row = %+v", cg)
	}

	cells := Table(rows, "gitleaks", "git-log", "absent")
	if n := len(cells[0]); n != 7+2*3 {
		t.Fatalf("header has %d columns: %v", n, cells[0])
	}
	// channelguard: wall 6 s vs 5 s and 2.5 s; CPU 11 s vs 9 s and 2.5 s.
	want := []string{"channelguard", "2", "6.00", "5.00–7.00", "11.00", "150", "150", "1.20", "1.22", "1.50", "2.40", "4.40", "3.00"}
	if strings.Join(cells[3], " ") != strings.Join(want, " ") {
		t.Errorf("channelguard cells = %v, want %v", cells[3], want)
	}

	var md bytes.Buffer
	if err := PrintTable(&md, cells, true); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(md.String()), "\n"); len(lines) != 5 || !strings.HasPrefix(lines[1], "|---|") {
		t.Errorf("markdown table:\n%s", md.String())
	}
	var txt bytes.Buffer
	if err := PrintTable(&txt, cells, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), "channelguard") {
		t.Errorf("text table:\n%s", txt.String())
	}
}

func TestReadTSVBadLine(t *testing.T) {
	if _, err := ReadTSV(strings.NewReader("x\t1\t2\n")); err == nil {
		t.Fatal("want an error for a short line")
	}
}

func TestRatios(t *testing.T) {
	rows := []Row{
		{Label: "git-log", Wall: 2 * time.Second, CPU: 2 * time.Second, MaxRSSKB: 100},
		{Label: "gitleaks", Wall: 4 * time.Second, CPU: 8 * time.Second, MaxRSSKB: 200},
		{Label: "channelguard", Wall: 3 * time.Second, CPU: 6 * time.Second, MaxRSSKB: 300},
	}
	got := Ratios(rows, "channelguard", "gitleaks", "git-log", "missing")
	want := []string{
		"channelguard ÷ gitleaks: wall 0.75, CPU 0.75, memory 1.50",
		"channelguard ÷ git-log: wall 1.50, CPU 3.00, memory 3.00",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Ratios = %q, want %q", got, want)
	}
	if got := Ratios(rows, "absent", "gitleaks"); got != nil {
		t.Errorf("Ratios for an absent label = %q", got)
	}
}
