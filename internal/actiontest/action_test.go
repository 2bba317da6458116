// Package actiontest checks the repository's action.yml: statically (every
// run step is bash and reads inputs from env only, every reference resolves)
// and by running its scripts, in order, under bash with a fake GitHub
// Actions environment against a real pull request in a temporary git
// repository. `uses:` steps (setup-go, upload-sarif) are not run.
package actiontest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
)

type action struct {
	Name    string
	Inputs  map[string]struct{ Default string }
	Outputs map[string]struct{ Value string }
	Runs    struct {
		Using string
		Steps []step
	}
}

type step struct {
	Name            string
	ID              string
	If              string
	Uses            string
	With            map[string]string
	Shell           string
	Run             string
	Env             map[string]string
	WorkingDir      string `yaml:"working-directory"`
	ContinueOnError bool   `yaml:"continue-on-error"`
}

func (s step) label() string { return fmt.Sprintf("step %q", s.Name) }

// root is the repository root: the action path.
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "action.yml")); err != nil {
		t.Fatalf("no action.yml at the repository root: %v", err)
	}
	return dir
}

func load(t *testing.T) (*action, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return &a, string(data)
}

var (
	exprRe  = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)
	inputRe = regexp.MustCompile(`\binputs\.([A-Za-z0-9_-]+)`)
	stepRe  = regexp.MustCompile(`\bsteps\.([A-Za-z0-9_-]+)\.(outputs|outcome|conclusion)\b`)
	pinRe   = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@v[0-9]+$`)
)

func TestActionStatic(t *testing.T) {
	a, text := load(t)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", a.Runs.Using)
	}
	for _, want := range []string{"token", "fail-on", "config", "baseline", "comment", "review-comments", "upload-sarif", "sarif-file"} {
		if _, ok := a.Inputs[want]; !ok {
			t.Errorf("input %q missing", want)
		}
	}
	for name, want := range map[string]string{"token": "${{ github.token }}", "fail-on": "low", "comment": "true", "review-comments": "true", "upload-sarif": "true", "sarif-file": "channelguard.sarif"} {
		if got := a.Inputs[name].Default; got != want {
			t.Errorf("input %s defaults to %q, want %q", name, got, want)
		}
	}

	// every input referenced exists, and every input is used
	used := map[string]bool{}
	for _, m := range inputRe.FindAllStringSubmatch(text, -1) {
		used[m[1]] = true
		if _, ok := a.Inputs[m[1]]; !ok {
			t.Errorf("inputs.%s is referenced but not declared", m[1])
		}
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %q is declared but never used", name)
		}
	}

	ids := map[string]int{}
	for i, s := range a.Runs.Steps {
		if s.ID != "" {
			if _, dup := ids[s.ID]; dup {
				t.Errorf("step id %q twice", s.ID)
			}
			ids[s.ID] = i
		}
	}
	// steps.X references: an earlier step with that id
	for i, s := range a.Runs.Steps {
		var exprs []string
		exprs = append(exprs, s.If, s.WorkingDir)
		for _, v := range s.Env {
			exprs = append(exprs, v)
		}
		for _, v := range s.With {
			exprs = append(exprs, v)
		}
		for _, e := range exprs {
			for _, m := range stepRe.FindAllStringSubmatch(e, -1) {
				if j, ok := ids[m[1]]; !ok || j >= i {
					t.Errorf("%s refers to steps.%s, which is not an earlier step", s.label(), m[1])
				}
			}
		}
	}
	for name, out := range a.Outputs {
		ms := stepRe.FindAllStringSubmatch(out.Value, -1)
		if len(ms) == 0 {
			t.Errorf("output %s = %q does not come from a step", name, out.Value)
		}
		for _, m := range ms {
			if _, ok := ids[m[1]]; !ok {
				t.Errorf("output %s refers to step %q, which does not exist", name, m[1])
			}
		}
	}
	for _, want := range []string{"findings", "sarif-file"} {
		if !strings.Contains(a.Outputs[want].Value, "steps.pr.outputs."+want) {
			t.Errorf("output %s = %q, want it from steps.pr.outputs.%s", want, a.Outputs[want].Value, want)
		}
	}

	var sawPR, sawUpload bool
	for _, s := range a.Runs.Steps {
		switch {
		case s.Run != "" && s.Uses != "":
			t.Errorf("%s has both run and uses", s.label())
		case s.Run != "":
			if s.Shell != "bash" {
				t.Errorf("%s: shell %q, want bash", s.label(), s.Shell)
			}
			// script injection: expressions go through env, never into the script
			if strings.Contains(s.Run, "${{") {
				t.Errorf("%s interpolates an expression into its script:\n%s", s.label(), s.Run)
			}
		case s.Uses != "":
			if !pinRe.MatchString(s.Uses) {
				t.Errorf("%s uses %q: pin a major version (owner/repo@vN)", s.label(), s.Uses)
			}
		default:
			t.Errorf("%s has neither run nor uses", s.label())
		}
		if s.ID == "pr" {
			sawPR = true
			if s.Env["GITHUB_TOKEN"] != "${{ inputs.token }}" {
				t.Errorf("the pr step gets GITHUB_TOKEN %q, want ${{ inputs.token }}", s.Env["GITHUB_TOKEN"])
			}
		}
		if strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") {
			sawUpload = true
			if !strings.Contains(s.If, "always()") || !strings.Contains(s.If, "inputs.upload-sarif == 'true'") {
				t.Errorf("upload-sarif step if: %q, want always() and the upload-sarif input", s.If)
			}
			if s.With["category"] != "channelguard" || s.With["sarif_file"] != "${{ inputs.sarif-file }}" {
				t.Errorf("upload-sarif with: %v", s.With)
			}
		}
		if strings.HasPrefix(s.Uses, "actions/setup-go@") {
			if s.With["go-version-file"] != "${{ github.action_path }}/go.mod" || s.With["cache-dependency-path"] != "${{ github.action_path }}/go.sum" {
				t.Errorf("setup-go with: %v", s.With)
			}
		}
	}
	if !sawPR || !sawUpload {
		t.Errorf("pr step: %v, upload-sarif step: %v", sawPR, sawUpload)
	}
	last := a.Runs.Steps[len(a.Runs.Steps)-1]
	if last.Run == "" || !strings.Contains(last.If, "always()") || !strings.Contains(last.Env["CODE"], "steps.pr.outputs.exit-code") {
		t.Errorf("the last step must fail the job with the scan's exit code (if: always()): %+v", last)
	}
}

// env is the fake GitHub Actions environment of one run.
type env struct {
	t         *testing.T
	a         *action
	root      string
	workspace string
	temp      string
	summary   string
	vars      []string
	inputs    map[string]string
	outputs   map[string]map[string]string // step id → outputs
}

// result is what one run step did.
type result struct {
	code           int
	stdout, stderr string
	output         string // its GITHUB_OUTPUT file
}

var envPrefixes = []string{"GITHUB_", "RUNNER_", "INPUT_", "ACTIONS_", "CHANNELGUARD"}

func newEnv(t *testing.T, a *action, workspace, eventPath, apiURL string, inputs map[string]string) *env {
	t.Helper()
	e := &env{t: t, a: a, root: root(t), workspace: workspace, temp: t.TempDir(), outputs: map[string]map[string]string{}}
	e.summary = filepath.Join(e.temp, "step_summary.md")
	for _, kv := range os.Environ() {
		if !slices.ContainsFunc(envPrefixes, func(p string) bool { return strings.HasPrefix(kv, p) }) {
			e.vars = append(e.vars, kv)
		}
	}
	e.vars = append(e.vars,
		"CI=true", "GITHUB_ACTIONS=true",
		"RUNNER_TEMP="+filepath.Join(e.temp, "runner"),
		"GITHUB_ACTION_PATH="+e.root,
		"GITHUB_WORKSPACE="+workspace,
		"GITHUB_STEP_SUMMARY="+e.summary,
		"GITHUB_EVENT_NAME=pull_request",
		"GITHUB_EVENT_PATH="+eventPath,
		"GITHUB_API_URL="+apiURL,
		"GITHUB_SERVER_URL=https://github.com",
		"GITHUB_REPOSITORY=acme/bot",
	)
	if err := os.MkdirAll(filepath.Join(e.temp, "runner"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.inputs = map[string]string{}
	for name, in := range a.Inputs {
		e.inputs[name] = in.Default
	}
	for k, v := range inputs {
		e.inputs[k] = v
	}
	for k, v := range e.inputs {
		e.inputs[k] = e.expand(v)
	}
	return e
}

// expand resolves the expressions the action uses; any other is an error.
func (e *env) expand(s string) string {
	return exprRe.ReplaceAllStringFunc(s, func(m string) string {
		x := exprRe.FindStringSubmatch(m)[1]
		switch {
		case x == "github.action_path":
			return e.root
		case x == "github.token":
			return "actiontest-token"
		case strings.HasPrefix(x, "inputs."):
			v, ok := e.inputs[strings.TrimPrefix(x, "inputs.")]
			if !ok {
				e.t.Fatalf("unknown input in %s", m)
			}
			return v
		case strings.HasPrefix(x, "steps."):
			parts := strings.Split(x, ".")
			if len(parts) == 4 && parts[2] == "outputs" {
				return e.outputs[parts[1]][parts[3]]
			}
		}
		e.t.Fatalf("the test does not know the expression %s", m)
		return ""
	})
}

// run runs the action's run steps in order and returns their results by
// step id (or name).
func (e *env) run(stop func(id string, r result) bool) map[string]result {
	e.t.Helper()
	results := map[string]result{}
	for i, s := range e.a.Runs.Steps {
		if s.Uses != "" {
			e.t.Logf("skipping %s (uses %s)", s.label(), s.Uses)
			continue
		}
		if s.If != "" && s.If != "always()" {
			e.t.Fatalf("%s: the test cannot evaluate if: %s", s.label(), s.If)
		}
		key := s.ID
		if key == "" {
			key = s.Name
		}
		r := e.runStep(i, s)
		results[key] = r
		e.t.Logf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", s.label(), r.code, r.stdout, r.stderr)
		if stop != nil && stop(key, r) {
			return results
		}
	}
	return results
}

func (e *env) runStep(i int, s step) result {
	e.t.Helper()
	dir := filepath.Join(e.temp, fmt.Sprintf("step%d", i))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		e.t.Fatal(err)
	}
	script := filepath.Join(dir, "script.sh")
	if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
		e.t.Fatal(err)
	}
	outFile := filepath.Join(dir, "output")
	if err := os.WriteFile(outFile, nil, 0o644); err != nil {
		e.t.Fatal(err)
	}
	// what GitHub runs for shell: bash
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir = e.workspace
	if s.WorkingDir != "" {
		cmd.Dir = e.expand(s.WorkingDir)
	}
	cmd.Env = append(slices.Clone(e.vars), "GITHUB_OUTPUT="+outFile)
	for k, v := range s.Env {
		cmd.Env = append(cmd.Env, k+"="+e.expand(v))
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			e.t.Fatalf("%s: %v", s.label(), err)
		}
		r.code = ee.ExitCode()
	}
	data, err := os.ReadFile(outFile)
	if err != nil {
		e.t.Fatal(err)
	}
	r.output = string(data)
	if s.ID != "" {
		e.outputs[s.ID] = parseOutputs(e.t, r.output)
	}
	return r
}

// parseOutputs reads a GITHUB_OUTPUT file: name=value and name<<DELIM.
func parseOutputs(t *testing.T, data string) map[string]string {
	t.Helper()
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			closed := false
			for sc.Scan() {
				if sc.Text() == delim {
					closed = true
					break
				}
				val = append(val, sc.Text())
			}
			if !closed {
				t.Fatalf("GITHUB_OUTPUT: heredoc %s not closed:\n%s", delim, data)
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("GITHUB_OUTPUT: malformed line %q", line)
		}
		out[name] = val
	}
	return out
}

// api answers every GitHub API call with 404 (reads) or 403 (writes): the
// token of a fork's pull request.
func api(t *testing.T) (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var calls []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, r.Method+" "+r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Not Found"}`)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Resource not accessible by integration"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(calls) }
}

func writeEvent(t *testing.T, base, head string) string {
	t.Helper()
	ev := map[string]any{
		"action": "synchronize",
		"number": 7,
		"pull_request": map[string]any{
			"number": 7,
			"base":   map[string]any{"sha": base, "ref": "main", "repo": map[string]any{"full_name": "acme/bot"}},
			"head":   map[string]any{"sha": head, "ref": "feature", "repo": map[string]any{"full_name": "acme/bot"}},
		},
		"repository": map[string]any{"full_name": "acme/bot", "html_url": "https://github.com/acme/bot", "default_branch": "main"},
	}
	data, _ := json.Marshal(ev)
	p := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkBuild checks the build step's binary, and says whether a failed
// build is the tree's fault or the script's.
func checkBuild(t *testing.T, e *env, r result) string {
	t.Helper()
	if r.code != 0 {
		cmd := exec.Command("go", "build", "-tags", "gore2regex", "-o", os.DevNull, "./cmd/channelguard")
		cmd.Dir = e.root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("cmd/channelguard does not compile, so the action cannot be run:\n%s", out)
		}
		t.Fatalf("the build step failed (exit %d) although cmd/channelguard compiles:\n%s%s", r.code, r.stdout, r.stderr)
	}
	bin := e.outputs["build"]["bin"]
	if bin == "" {
		t.Fatalf("the build step set no bin output: %q", r.output)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("the build step's binary: %v", err)
	}
	if !strings.HasPrefix(bin, filepath.Join(e.temp, "runner")+string(filepath.Separator)) {
		t.Errorf("binary %s is not under RUNNER_TEMP", bin)
	}
	// the action passes these flags to the pr command
	out, err := exec.Command(bin, "pr", "--help").CombinedOutput()
	for _, flag := range []string{"--sarif", "--fail-on", "--config", "--baseline", "--no-comment", "--no-review-comments"} {
		if err != nil || !strings.Contains(string(out), flag) {
			t.Fatalf("channelguard pr has no %s flag, which action.yml passes: %v", flag, err)
		}
	}
	return bin
}

func TestActionRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds channelguard and runs the action's scripts: skipped with -short")
	}
	for _, tool := range []string{"bash", "git", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: %v", tool, err)
		}
	}
	a, _ := load(t)
	secret := fakecred.ChannelSecret("actiontest")

	t.Run("leaked secret", func(t *testing.T) {
		repo := gittest.New(t)
		base := repo.Commit("base", map[string]string{"README.md": "# bot\n"})
		head := repo.Commit("configure the bot", map[string]string{"app/config.env": "LINE_CHANNEL_SECRET=" + secret + "\n"})
		srv, calls := api(t)
		e := newEnv(t, a, repo.Dir, writeEvent(t, base, head), srv.URL, nil)
		res := e.run(func(id string, r result) bool {
			if id == "build" {
				checkBuild(t, e, r)
			}
			return false
		})

		pr := res["pr"]
		if pr.code != 0 {
			t.Fatalf("the pr step must not fail (exit %d): the upload runs after it", pr.code)
		}
		outs := e.outputs["pr"]
		if outs["exit-code"] != "1" {
			t.Errorf("exit-code output %q, want 1 (findings)", outs["exit-code"])
		}
		if n, err := strconv.Atoi(outs["findings"]); err != nil || n < 1 {
			t.Errorf("findings output %q, want 1 or more", outs["findings"])
		}
		if outs["sarif-file"] != "channelguard.sarif" {
			t.Errorf("sarif-file output %q", outs["sarif-file"])
		}
		for name, o := range a.Outputs {
			if v := e.expand(o.Value); v == "" {
				t.Errorf("action output %s is empty", name)
			}
		}
		sarif, err := os.ReadFile(filepath.Join(repo.Dir, "channelguard.sarif"))
		if err != nil || len(sarif) == 0 {
			t.Errorf("SARIF in the workspace: %v (%d bytes)", err, len(sarif))
		}
		summary, _ := os.ReadFile(e.summary)
		if len(strings.TrimSpace(string(summary))) == 0 {
			t.Error("the job summary is empty")
		}
		if !strings.Contains(pr.stdout, "::error file=app/config.env,line=1") {
			t.Errorf("no annotation for app/config.env:1 in:\n%s", pr.stdout)
		}
		if !strings.Contains(pr.stdout, "::warning") {
			t.Errorf("API refusals (403/404) gave no warning:\n%s", pr.stdout)
		}
		if len(calls()) == 0 {
			t.Error("the pr step made no API call (comment, review)")
		}
		for what, s := range map[string]string{"stdout": pr.stdout, "stderr": pr.stderr, "summary": string(summary), "GITHUB_OUTPUT": pr.output, "SARIF": string(sarif)} {
			if strings.Contains(s, secret) {
				t.Errorf("%s holds the raw secret", what)
			}
		}
		if last := res["Fail on findings"]; last.code != 1 {
			t.Errorf("the last step exits %d, want 1", last.code)
		}
	})

	t.Run("clean pull request", func(t *testing.T) {
		repo := gittest.New(t)
		base := repo.Commit("base", map[string]string{"README.md": "# bot\n"})
		head := repo.Commit("docs", map[string]string{"README.md": "# bot\n\nSet LINE_CHANNEL_SECRET in the environment.\n"})
		srv, _ := api(t)
		e := newEnv(t, a, repo.Dir, writeEvent(t, base, head), srv.URL, map[string]string{"comment": "false", "review-comments": "false"})
		res := e.run(func(id string, r result) bool {
			if id == "build" {
				checkBuild(t, e, r)
			}
			return false
		})
		if got := e.outputs["pr"]; got["exit-code"] != "0" || got["findings"] != "0" {
			t.Errorf("pr outputs %v, want exit-code 0 and findings 0", got)
		}
		if last := res["Fail on findings"]; last.code != 0 {
			t.Errorf("the last step exits %d, want 0", last.code)
		}
	})

	t.Run("base commit missing (no fetch-depth: 0)", func(t *testing.T) {
		repo := gittest.New(t)
		head := repo.Commit("only", map[string]string{"README.md": "# bot\n"})
		srv, _ := api(t)
		e := newEnv(t, a, repo.Dir, writeEvent(t, fakecred.Hex("missing-base", 20), head), srv.URL, nil)
		res := e.run(func(id string, r result) bool {
			if id == "build" {
				checkBuild(t, e, r)
			}
			return false
		})
		if got := e.outputs["pr"]["exit-code"]; got != "2" {
			t.Errorf("exit-code %q, want 2", got)
		}
		if !strings.Contains(res["pr"].stderr, "fetch-depth: 0") {
			t.Errorf("the error does not say fetch-depth: 0:\n%s", res["pr"].stderr)
		}
		if last := res["Fail on findings"]; last.code != 2 {
			t.Errorf("the last step exits %d, want 2", last.code)
		}
	})
}
