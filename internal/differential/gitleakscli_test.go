package differential

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	gitleakscmd "github.com/zricethezav/gitleaks/v8/cmd"
	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/channelguard/channelguard/internal/wording"
)

// asGitleaks makes this test binary the gitleaks CLI (v8.30.1, its own
// cmd package, unmodified) when set: its value is the arguments, joined
// by the unit separator (0x1f). The CLI keeps its config in viper's global instance and in
// package variables it never resets, so each run is a process of its own.
const asGitleaks = "CHANNELGUARD_TEST_AS_GITLEAKS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(asGitleaks); ok {
		os.Args = append([]string{"gitleaks"}, strings.Split(args, "\x1f")...)
		gitleakscmd.Execute() // exits with --exit-code on findings
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// gitleaksExit is the exit code the runs below ask gitleaks for on
// findings, to tell them from a failure (1).
const gitleaksExit = 3

// runGitleaksCLI runs `gitleaks ARGS` in dir, with env added to an
// environment free of GITLEAKS_* variables, and returns its JSON report's
// findings (raw secrets: hash them, never print them).
func runGitleaksCLI(t *testing.T, dir string, env []string, args ...string) []report.Finding {
	t.Helper()
	out := filepath.Join(t.TempDir(), "gitleaks.json")
	args = append(args, "--report-format", "json", "--report-path", out, "--no-banner", "--log-level", "error", "--exit-code", "3")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GITLEAKS_") && !strings.HasPrefix(kv, asGitleaks+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, asGitleaks+"="+strings.Join(args, "\x1f")), env...)
	stderr, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == gitleaksExit) {
		// gitleaks logs no secret at error level; one line of it is enough
		t.Fatalf("gitleaks %s: %v: %s", args[0], err, wording.OneLine(string(stderr), 300))
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("gitleaks wrote no report: %v", err)
	}
	var found []report.Finding
	if err := json.Unmarshal(data, &found); err != nil {
		t.Fatalf("gitleaks report: %v", err)
	}
	// gitleaks reports in the order its goroutines finish
	sort.Slice(found, func(i, j int) bool { return found[i].Fingerprint < found[j].Fingerprint })
	return found
}
