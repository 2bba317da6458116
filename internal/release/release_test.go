package release

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
)

// root is the repository's top directory (tests run in their package's).
const root = "../.."

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// buildTags are the tags of the README's build line, the one the whole
// project is built and tested with.
func buildTags(t *testing.T) []string {
	t.Helper()
	m := regexp.MustCompile("(?m)^go build -tags (\\S+) -o channelguard ./cmd/channelguard").FindStringSubmatch(read(t, "README.md"))
	if m == nil {
		t.Fatal("README has no `go build -tags … -o channelguard ./cmd/channelguard` line")
	}
	return strings.Split(m[1], ",")
}

type goreleaser struct {
	Version int
	Builds  []struct {
		Main    string
		Binary  string
		Env     []string
		Tags    []string
		Flags   []string
		Ldflags []string
		Goos    []string
		Goarch  []string
	}
	Archives []struct {
		Files []string
	}
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string
	}
}

func TestGoreleaserConfig(t *testing.T) {
	var c goreleaser
	if err := yaml.Unmarshal([]byte(read(t, ".goreleaser.yaml")), &c); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if c.Version != 2 {
		t.Errorf("version = %d, want 2", c.Version)
	}
	if len(c.Builds) != 1 {
		t.Fatalf("want one build, got %d", len(c.Builds))
	}
	b := c.Builds[0]
	tags := buildTags(t)
	if b.Main != "./cmd/channelguard" || b.Binary != "channelguard" {
		t.Errorf("build main %q binary %q", b.Main, b.Binary)
	}
	if !slices.Equal(b.Tags, tags) {
		t.Errorf("build tags %v, the README builds with %v", b.Tags, tags)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("env %v lacks CGO_ENABLED=0 (a static binary)", b.Env)
	}
	if !strings.Contains(strings.Join(b.Ldflags, " "), "-X main.version={{.Version}}") {
		t.Errorf("ldflags %v do not set main.version", b.Ldflags)
	}
	for _, os := range []string{"linux", "darwin", "windows"} {
		if !slices.Contains(b.Goos, os) {
			t.Errorf("goos %v lacks %s", b.Goos, os)
		}
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if !slices.Contains(b.Goarch, arch) {
			t.Errorf("goarch %v lacks %s", b.Goarch, arch)
		}
	}
	if c.Checksum.NameTemplate == "" || c.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum = %+v, want a sha256 checksums file", c.Checksum)
	}
	for _, a := range c.Archives {
		for _, f := range a.Files {
			if _, err := os.Stat(filepath.Join(root, f)); err != nil {
				t.Errorf("archive file %s: %v", f, err)
			}
		}
	}
}

// TestGoreleaserCheck runs `goreleaser check` where goreleaser is
// installed (.ci/run installs it): the schema is goreleaser's, not ours.
func TestGoreleaserCheck(t *testing.T) {
	bin, err := exec.LookPath("goreleaser")
	if err != nil {
		home, _ := os.UserHomeDir()
		bin = filepath.Join(home, "go", "bin", "goreleaser")
		if _, err := os.Stat(bin); err != nil {
			t.Skip("goreleaser is not installed (go install github.com/goreleaser/goreleaser/v2@v2.17.0); .ci/run installs it")
		}
	}
	cmd := exec.Command(bin, "check")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("goreleaser check: %v\n%s", err, out)
	}
}

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	stage int
	cmd   string
	args  string
}

func dockerfile(t *testing.T) []instruction {
	t.Helper()
	var out []instruction
	stage := -1
	var cur string
	for _, line := range strings.Split(read(t, "Dockerfile"), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur += strings.TrimSuffix(trimmed, "\\") + " "
			continue
		}
		cur += trimmed
		cmd, args, _ := strings.Cut(cur, " ")
		cmd = strings.ToUpper(cmd)
		if cmd == "FROM" {
			stage++
		}
		out = append(out, instruction{stage, cmd, strings.TrimSpace(args)})
		cur = ""
	}
	return out
}

func TestDockerfile(t *testing.T) {
	ins := dockerfile(t)
	var froms []string
	var buildRun string
	last := map[string]string{} // the final stage's instructions
	final := 0
	for _, in := range ins {
		if in.cmd == "FROM" {
			froms = append(froms, in.args)
			final = in.stage
		}
	}
	for _, in := range ins {
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
			buildRun = in.args
		}
		if in.stage == final && in.cmd != "FROM" {
			last[in.cmd] += in.args + "\n"
		}
	}
	if len(froms) < 2 || !strings.HasPrefix(froms[0], "golang:") || !strings.HasSuffix(froms[0], " AS build") {
		t.Fatalf("want a multi-stage build from a golang image AS build, got FROM %v", froms)
	}
	if !strings.HasPrefix(froms[len(froms)-1], "alpine:") {
		t.Errorf("final image %q: want alpine (small, with a package for git)", froms[len(froms)-1])
	}
	tags := buildTags(t)
	m := regexp.MustCompile(`-tags (\S+)`).FindStringSubmatch(buildRun)
	switch {
	case buildRun == "":
		t.Fatal("no RUN … go build in the Dockerfile")
	case m == nil || !slices.Equal(strings.Split(m[1], ","), tags):
		t.Errorf("the Dockerfile builds with %q, the README with -tags %s", buildRun, strings.Join(tags, ","))
	case !strings.HasPrefix(buildRun, "CGO_ENABLED=0 "):
		t.Errorf("build %q is not CGO_ENABLED=0 (a static binary for alpine)", buildRun)
	case !strings.Contains(buildRun, "./cmd/channelguard") || !strings.Contains(buildRun, "-X main.version="):
		t.Errorf("build %q does not build ./cmd/channelguard with its version", buildRun)
	}
	checks := []struct{ cmd, want, why string }{
		{"RUN", "apk add --no-cache git", "channelguard reads repositories with git"},
		{"RUN", "safe.directory", "git refuses a mounted repository owned by another user"},
		{"COPY", "--from=build", "the binary comes from the build stage"},
		{"WORKDIR", "/repo", "the README mounts the repository at /repo"},
		{"ENTRYPOINT", `["channelguard"]`, "the image runs channelguard"},
	}
	for _, c := range checks {
		if !strings.Contains(last[c.cmd], c.want) {
			t.Errorf("final stage: no %s with %q (%s)", c.cmd, c.want, c.why)
		}
	}
	user := strings.TrimSpace(last["USER"])
	if user == "" || user == "root" || user == "0" || strings.HasPrefix(user, "0:") {
		t.Errorf("final stage runs as %q: want a user that is not root", user)
	}
	// the README's docker lines are the Dockerfile header's
	readme := read(t, "README.md")
	for _, line := range []string{`docker build -t channelguard .`, `docker run --rm -v "$PWD:/repo" channelguard scan`} {
		if !strings.Contains(readme, line) || !strings.Contains(read(t, "Dockerfile"), line) {
			t.Errorf("README and Dockerfile should both show %q", line)
		}
	}
}

// TestDockerImage builds the image and scans a repository mounted as the
// README says, where a Docker daemon answers (.ci/run has none: it skips).
func TestDockerImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an image")
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("docker is not installed: the image is not built (TestDockerfile checks the file)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "docker", "info").CombinedOutput(); err != nil {
		t.Skipf("no Docker daemon answers (%s): the image is not built (TestDockerfile checks the file)", firstLine(out))
	}
	image := "channelguard-release-test:" + time.Now().UTC().Format("20060102150405")
	build := exec.CommandContext(ctx, "docker", "build", "-q", "-t", image, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	defer exec.Command("docker", "rmi", "-f", image).Run()

	secret := fakecred.ChannelSecret("docker-image")
	r := gittest.New(t)
	r.Commit("leak", map[string]string{"app.env": "LINE_CHANNEL_SECRET=" + secret + "\n"})
	run := exec.CommandContext(ctx, "docker", "run", "--rm", "-v", r.Dir+":/repo", image, "scan")
	out, err := run.CombinedOutput()
	if strings.Contains(string(out), secret) {
		t.Fatal("the container's output holds the planted secret")
	}
	var exit *exec.ExitError
	if err == nil || !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "app.env") {
		t.Fatalf("docker run … scan: %v, want exit 1 naming app.env:\n%s", err, out)
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}

type hook struct {
	ID            string
	Entry         string
	Language      string
	PassFilenames *bool `yaml:"pass_filenames"`
}

func TestPreCommitHooks(t *testing.T) {
	var hooks []hook
	if err := yaml.Unmarshal([]byte(read(t, ".pre-commit-hooks.yaml")), &hooks); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml: %v", err)
	}
	langs := map[string]string{}
	for _, h := range hooks {
		langs[h.ID] = h.Language
		if !strings.HasPrefix(h.Entry, "channelguard scan --staged") {
			t.Errorf("hook %s runs %q, want channelguard scan --staged", h.ID, h.Entry)
		}
		if h.PassFilenames == nil || *h.PassFilenames {
			t.Errorf("hook %s: pass_filenames must be false (--staged reads the index, not file names)", h.ID)
		}
	}
	if langs["channelguard"] != "golang" || langs["channelguard-system"] != "system" {
		t.Errorf("hooks %v: want channelguard (golang) and channelguard-system (system)", langs)
	}
	readme := read(t, "README.md")
	for _, id := range []string{"channelguard", "channelguard-system"} {
		if !strings.Contains(readme, "id: "+id+"\n") {
			t.Errorf("README's pre-commit config does not show hook %s", id)
		}
	}
}

func TestLicense(t *testing.T) {
	license := read(t, "LICENSE")
	if !strings.HasPrefix(license, "MIT License\n") {
		t.Errorf("LICENSE is not the MIT licence the README names")
	}
	if !strings.Contains(read(t, "README.md"), "MIT licence ([LICENSE](LICENSE))") {
		t.Errorf("README does not name the licence")
	}
}
