package hostile

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
)

type jsonReport struct {
	Findings []struct {
		RuleID   string `json:"rule_id"`
		Hash     string `json:"secret_sha256"`
		Location struct {
			Path string `json:"path"`
		} `json:"location"`
	} `json:"findings"`
	Stats struct {
		Commits int `json:"commits"`
		Files   int `json:"files"`
	} `json:"stats"`
}

func parseReport(t *testing.T, r result) jsonReport {
	t.Helper()
	var rep jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\nstdout: %.500s\nstderr: %s", err, r.stdout, r.stderr)
	}
	return rep
}

// paths lists "rule path" for each finding of the secret s.
func found(rep jsonReport, s string) []string {
	var out []string
	for _, f := range rep.Findings {
		if f.Hash == finding.SecretHash(s) {
			out = append(out, f.RuleID+" "+f.Location.Path)
		}
	}
	return out
}

// 1. A missing path.
func TestMissingPath(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no such dir")
	wantError(t, run(t, runOpts{}, "scan", missing), missing, "no such file or directory")
	wantError(t, run(t, runOpts{}, "scan", missing+".har", "--role", "member"), missing+".har", "no such file or directory")
}

// 2. A file and a directory the scan may not read.
func TestPermissionDenied(t *testing.T) {
	dir := t.TempDir()
	var o runOpts
	if os.Geteuid() == 0 {
		// Root reads whatever the mode: run a copy of the binary as
		// nobody, from a directory nobody can reach.
		var err error
		if dir, err = os.MkdirTemp("", "channelguard-perm-*"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(filepath.Join(dir, "closed"), 0o755); os.RemoveAll(dir) })
		os.Chmod(dir, 0o755)
		data, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		o = runOpts{dir: dir, bin: filepath.Join(dir, "channelguard-copy"), uid: &syscall.Credential{Uid: 65534, Gid: 65534}}
		if err := os.WriteFile(o.bin, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(dir, "ok.env"), []byte(secretLine(secret)))
	write(t, filepath.Join(dir, "locked.env"), []byte(secretLine(fakecred.ChannelSecret("locked"))))
	write(t, filepath.Join(dir, "closed", "inside.env"), []byte(secretLine(fakecred.ChannelSecret("closed"))))
	os.Chmod(filepath.Join(dir, "locked.env"), 0)
	os.Chmod(filepath.Join(dir, "closed"), 0)
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "closed"), 0o755) })

	// The directory: the readable file is found, the others are skipped with a note.
	r := run(t, o, "scan", dir, "-v", "-f", "json")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	if got := found(parseReport(t, r), secret); len(got) != 1 {
		t.Errorf("readable secret: %v", got)
	}
	for _, w := range []string{"skipped locked.env: permission denied", "skipped closed: permission denied"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr does not say %q:\n%s", w, r.stderr)
		}
	}
	// The file itself: exit 2, naming it.
	locked := filepath.Join(dir, "locked.env")
	wantError(t, run(t, o, "scan", locked), "locked.env", "permission denied")
}

// 3. A binary file with a secret inside: skipped (gitleaks skips files
// whose content type is application/*), no crash.
func TestBinaryFile(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 100_000)
	rand.Read(data)
	data = append([]byte("\x7fELF\x02\x01\x01\x00"), data...) // an ELF header: application/x-executable
	data = append(data, "\x00\x01"+secretLine(secret)+"\x00"...)
	write(t, filepath.Join(dir, "tool"), data) // no extension: gitleaks' path allowlist would drop a .bin unread
	r := run(t, runOpts{}, "scan", dir, "-v", "-f", "json")
	if r.code != 0 {
		t.Errorf("exit %d, want 0 (binary skipped)\nstderr: %s", r.code, r.stderr)
	}
	if got := found(parseReport(t, r), secret); len(got) != 0 {
		t.Errorf("binary file scanned as text: %v", got)
	}
	if !strings.Contains(r.stderr, "not scanned (binary or archive): tool") {
		t.Errorf("-v does not say the binary was not scanned:\n%s", r.stderr)
	}
	if r := run(t, runOpts{}, "scan", dir); !strings.Contains(r.stderr, "1 binary files or archives were not scanned") {
		t.Errorf("no note without -v:\n%s", r.stderr)
	}
}

// 4. A 50 MB file of one line, the secret at its end.
func TestHugeSingleLine(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	for b.Len() < 50<<20 {
		b.WriteString("abcdefghij klmnopqrstuvwxyz0123456789 ")
	}
	b.WriteString(" " + secretLine(secret))
	write(t, filepath.Join(dir, "one-line.txt"), b.Bytes())
	// and one without a space to split at: a single 50 MB run of base64 characters
	write(t, filepath.Join(dir, "one-run.txt"), append(bytes.Repeat([]byte("x"), 50<<20), " "+secretLine(fakecred.ChannelSecret("run"))...))
	r := run(t, runOpts{}, "scan", dir, "-f", "json")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	rep := parseReport(t, r)
	if got := found(rep, secret); strings.Join(got, ",") != "line-channel-secret one-line.txt" {
		t.Errorf("secret at the end of 50 MB: %v", got)
	}
	if got := found(rep, fakecred.ChannelSecret("run")); strings.Join(got, ",") != "line-channel-secret one-run.txt" {
		t.Errorf("secret after a 50 MB run: %v", got)
	}
	if r.dur > 30*time.Second {
		t.Errorf("took %s", r.dur)
	}
}

// 5. Bytes that are not UTF-8 around a secret (a regression: under
// gore2regex RE2 matched nothing at such a byte).
func TestInvalidUTF8AroundSecret(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"after.env":  "LINE_CHANNEL_SECRET=" + fakecred.ChannelSecret("after") + "\xff\n",
		"around.env": "\xff\xfe\xc3(LINE_CHANNEL_SECRET=" + fakecred.ChannelSecret("around") + "\xc3\xff\n",
		"lines.env":  "\x80\x81\n" + secretLine(fakecred.ChannelSecret("lines")) + "\xfe\n",
	}
	for name, text := range cases {
		write(t, filepath.Join(dir, name), []byte(text))
	}
	rep := parseReport(t, run(t, runOpts{}, "scan", dir, "-f", "json"))
	for name := range cases {
		seed := strings.TrimSuffix(name, ".env")
		if got := found(rep, fakecred.ChannelSecret(seed)); strings.Join(got, ",") != "line-channel-secret "+name {
			t.Errorf("%s: %v", name, got)
		}
	}
}

func consoleHAR(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "captures", "console-member.har"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// 6. A HAR cut off in the middle of an entry: exit 2 with line and byte.
func TestTruncatedHAR(t *testing.T) {
	dir := t.TempDir()
	data := consoleHAR(t)
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, data, "", "  "); err != nil {
		t.Fatal(err)
	}
	for name, whole := range map[string][]byte{"compact.har": data, "pretty.har": pretty.Bytes()} {
		i := bytes.Index(whole, []byte(`"request"`))
		i += bytes.Index(whole[i+1:], []byte(`"request"`)) + 1 // the second entry's request
		cut := i + 200
		path := filepath.Join(dir, name)
		write(t, path, whole[:cut])
		r := run(t, runOpts{}, "scan", path, "--role", "member", "-o", filepath.Join(dir, name+".json"))
		line := 1 + bytes.Count(whole[:cut], []byte("\n"))
		wantError(t, r, path+": line "+fmt.Sprint(line)+" (byte ", "log.entries[1]", "unexpected end of file")
		if _, err := os.Stat(filepath.Join(dir, name+".json")); err == nil {
			t.Errorf("%s: a report was written", name)
		}
	}
}

// 7. JSON nested 100,000 deep, as the HAR itself and as a response body.
func TestDeeplyNestedJSON(t *testing.T) {
	dir := t.TempDir()
	const n = 100_000
	deep := func(open, close, leaf string) string {
		return strings.Repeat(open, n) + leaf + strings.Repeat(close, n)
	}
	write(t, filepath.Join(dir, "array.har"), []byte(deep("[", "]", "")))
	write(t, filepath.Join(dir, "object.har"), []byte(`{"log":`+deep(`{"a":`, "}", "1")+"}"))
	write(t, filepath.Join(dir, "entry.har"), []byte(`{"log":{"version":"1.2","entries":[{"request":`+deep(`{"a":`, "}", "1")+"}]}}"))
	wantError(t, run(t, runOpts{}, "scan", filepath.Join(dir, "array.har"), "--role", "member"), "array.har: not a HAR capture (the file is an array, not an object; line 1, byte 0)")
	wantError(t, run(t, runOpts{}, "scan", filepath.Join(dir, "object.har"), "--role", "member"), "object.har: line 1 (byte ", "log: values nested more than 1000 deep")
	wantError(t, run(t, runOpts{}, "scan", filepath.Join(dir, "entry.har"), "--role", "member"), "entry.har: line 1 (byte ", "log.entries[0].request: values nested more than 1000 deep")

	// A response body is a string in the HAR: the body is scanned as text.
	body := deep("[", "]", `"`+secret+`"`)
	body = strings.Replace(body, `"`+secret+`"`, `{"channelSecret":"`+secret+`"}`, 1)
	har := map[string]any{"log": map[string]any{"version": "1.2", "creator": map[string]any{"name": "t", "version": "1"}, "entries": []any{
		map[string]any{
			"startedDateTime": "2024-01-01T00:00:00Z", "time": 1,
			"request":  map[string]any{"method": "GET", "url": "https://developers.line.biz/api/v1/channels/1", "httpVersion": "HTTP/1.1", "headers": []any{}, "queryString": []any{}, "cookies": []any{}, "headersSize": -1, "bodySize": 0},
			"response": map[string]any{"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": []any{}, "cookies": []any{}, "content": map[string]any{"size": len(body), "mimeType": "application/json", "text": body}, "redirectURL": "", "headersSize": -1, "bodySize": -1},
			"cache":    map[string]any{}, "timings": map[string]any{"send": 0, "wait": 0, "receive": 0},
		}}}}
	data, _ := json.Marshal(har)
	write(t, filepath.Join(dir, "body.har"), data)
	r := run(t, runOpts{}, "scan", filepath.Join(dir, "body.har"), "--role", "member", "-f", "json")
	if r.code == 2 {
		t.Fatalf("deep body: exit 2: %s", r.stderr)
	}
	if got := found(parseReport(t, r), secret); len(got) == 0 {
		t.Errorf("the secret inside a 100,000-deep body was not found (exit %d)", r.code)
	}
}

// 8. A 1 GB HAR (bench/har/run.sh measures it in detail).
func TestHugeHAR(t *testing.T) {
	if testing.Short() || os.Getenv("CHANNELGUARD_HOSTILE_BIG") != "1" {
		t.Skip("a 1 GB HAR: set CHANNELGUARD_HOSTILE_BIG=1 (and no -short); bench/har/run.sh measures it")
	}
	dir := t.TempDir()
	har := filepath.Join(dir, "big.har")
	gen := execIn(t, repoRoot, "go", "run", "./bench/cmd/genhar", "-size", "1GB", "-o", har)
	if gen != nil {
		t.Fatal(gen)
	}
	r := run(t, runOpts{}, "scan", har, "--role", "member", "-f", "json", "-o", filepath.Join(dir, "r.json"), "-q")
	if r.code == 2 {
		t.Fatalf("exit 2: %s", r.stderr)
	}
	if r.rss > 256<<20 {
		t.Errorf("peak RSS %d MB, want < 256 MB (streaming)", r.rss>>20)
	}
}

// 9. A zip bomb (and a gzip bomb) inside a repository: channelguard does
// not open archives (gitleaks' archive scanning is off: MaxArchiveDepth 0),
// so they are skipped, fast and in bounded memory.
func TestZipBombInRepository(t *testing.T) {
	repo := gittest.New(t)
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	w, _ := zw.Create("zeros.txt")
	zeros := make([]byte, 1<<20)
	for i := 0; i < 1024; i++ { // 1 GiB uncompressed
		w.Write(zeros)
	}
	w, _ = zw.Create("inner.env")
	w.Write([]byte(secretLine(fakecred.ChannelSecret("in-zip"))))
	zw.Close()
	var g bytes.Buffer
	gw := gzip.NewWriter(&g)
	for i := 0; i < 512; i++ {
		gw.Write(zeros)
	}
	gw.Close()
	repo.Commit("archives", map[string]string{"bomb.zip": z.String(), "bomb.gz": g.String(), "app.env": secretLine(secret)})
	repo.Write(map[string]string{"untracked.zip": z.String()})

	r := run(t, runOpts{}, "scan", repo.Dir, "-f", "json", "-v")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	rep := parseReport(t, r)
	if got := found(rep, secret); len(got) != 1 {
		t.Errorf("app.env: %v", got)
	}
	if got := found(rep, fakecred.ChannelSecret("in-zip")); len(got) != 0 {
		t.Errorf("the archive was opened: %v", got)
	}
	if !strings.Contains(r.stderr, "not scanned (binary or archive): untracked.zip") {
		t.Errorf("-v does not say the untracked archive was not scanned:\n%s", r.stderr)
	}
	if r.dur > 20*time.Second || r.rss > 256<<20 {
		t.Errorf("zip bomb: %s, %d MB", r.dur, r.rss>>20)
	}
}

// 10. A symlink loop in a scanned directory.
func TestSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a", "s.env"), []byte(secretLine(secret)))
	os.Symlink("..", filepath.Join(dir, "a", "up"))
	os.Symlink("self", filepath.Join(dir, "self"))
	os.Symlink("b", filepath.Join(dir, "c"))
	os.Symlink("c", filepath.Join(dir, "b"))
	r := run(t, runOpts{}, "scan", dir, "-f", "json")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	if got := found(parseReport(t, r), secret); strings.Join(got, ",") != "line-channel-secret a/s.env" {
		t.Errorf("findings %v, want a/s.env once", got)
	}
	if r.dur > 10*time.Second {
		t.Errorf("took %s", r.dur)
	}
}

// 11. Symlinks out of the scanned root to a secret are not followed, in a
// directory and in a repository's working tree.
func TestSymlinkOutsideRootNotFollowed(t *testing.T) {
	outside := t.TempDir()
	outSecret := fakecred.ChannelSecret("outside")
	write(t, filepath.Join(outside, "s.env"), []byte(secretLine(outSecret)))

	dir := t.TempDir()
	write(t, filepath.Join(dir, "README"), []byte("nothing\n"))
	os.Symlink(filepath.Join(outside, "s.env"), filepath.Join(dir, "link.env"))
	os.Symlink(outside, filepath.Join(dir, "linkdir"))

	repo := gittest.New(t)
	repo.Commit("first", map[string]string{"README": "x\n"})
	os.Symlink(filepath.Join(outside, "s.env"), filepath.Join(repo.Dir, "untracked.env"))
	os.Symlink(outside, filepath.Join(repo.Dir, "untracked-dir"))
	os.Symlink(filepath.Join(outside, "s.env"), filepath.Join(repo.Dir, "tracked.env"))
	repo.Git("add", "tracked.env")
	repo.Git("commit", "-q", "-m", "a symlink")

	for _, root := range []string{dir, repo.Dir} {
		r := run(t, runOpts{}, "scan", root, "-f", "json")
		if r.code != 0 {
			t.Errorf("%s: exit %d, want 0\nstderr: %s", root, r.code, r.stderr)
		}
		if got := found(parseReport(t, r), outSecret); len(got) != 0 {
			t.Errorf("%s: a link out of the root was followed: %v", root, got)
		}
	}
}

// 12. A repository with an object missing: the report is written with
// every finding and the object as a gap, then exit 2 naming the repository.
func TestRepositoryWithMissingObject(t *testing.T) {
	repo := gittest.New(t)
	repo.Commit("one", map[string]string{"app.env": secretLine(secret)})
	repo.Commit("two", map[string]string{"b.txt": "more\n"})
	blob := repo.Git("rev-parse", "HEAD:b.txt")
	if err := os.Remove(filepath.Join(repo.Dir, ".git", "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	// Everything else is still scanned: the report is written with the
	// finding and the missing blob as a gap, then the scan exits 2.
	out := filepath.Join(t.TempDir(), "r.json")
	r := run(t, runOpts{}, "scan", repo.Dir, "-f", "json", "-o", out)
	if r.code != 2 {
		t.Errorf("exit %d, want 2\nstderr: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, repo.Dir) || !strings.Contains(r.stderr, "could not be read") {
		t.Errorf("stderr does not name the repository and what could not be read:\n%s", r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no report written: %v", err)
	}
	rep := parseReport(t, result{stdout: string(data)})
	if got := found(rep, secret); strings.Join(got, ",") != "line-channel-secret app.env" {
		t.Errorf("findings %v, want the secret in app.env", got)
	}
	if !strings.Contains(string(data), blob) {
		t.Errorf("the report does not name the missing object %s as a gap", blob)
	}
}

// 13. A shallow clone: scanned, the report says how many commits.
func TestShallowClone(t *testing.T) {
	repo := gittest.New(t)
	repo.Commit("one", map[string]string{"app.env": secretLine(secret)})
	repo.Commit("two", map[string]string{"b.txt": "two\n"})
	repo.Commit("three", map[string]string{"c.txt": "three\n"})
	clone := filepath.Join(t.TempDir(), "shallow")
	git(t, repoRoot, "clone", "-q", "--depth", "1", "file://"+repo.Dir, clone)
	r := run(t, runOpts{}, "scan", clone, "-f", "json", "-v")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	rep := parseReport(t, r)
	if got := found(rep, secret); strings.Join(got, ",") != "line-channel-secret app.env" {
		t.Errorf("findings %v", got)
	}
	if rep.Stats.Commits != 1 {
		t.Errorf("stats.commits = %d, want 1 (the one commit a depth-1 clone has)", rep.Stats.Commits)
	}
	if !strings.Contains(r.stderr, "scanning "+clone+" (git history") {
		t.Errorf("-v does not say what it scans:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "is a shallow clone") || !strings.Contains(r.stderr, "fetch-depth: 0") {
		t.Errorf("no note that the clone is shallow:\n%s", r.stderr)
	}
	text := run(t, runOpts{}, "scan", clone)
	if !strings.Contains(text.stdout, "in 1 commit (history) and") {
		t.Errorf("text report does not say 1 commit:\n%s", text.stdout)
	}
}

// 14. Paths with spaces and non-ASCII names, in a directory and in git
// history (where git quotes such names unless told not to).
func TestSpacesAndNonASCIINames(t *testing.T) {
	name := "my dir/サブ ディレクトリ/秘密 file é.env"
	dir := filepath.Join(t.TempDir(), "scan root ü")
	write(t, filepath.Join(dir, filepath.FromSlash(name)), []byte(secretLine(secret)))
	r := run(t, runOpts{}, "scan", dir, "-f", "json")
	if got := found(parseReport(t, r), secret); strings.Join(got, ",") != "line-channel-secret "+name {
		t.Errorf("directory: %q", got)
	}

	repo := gittest.New(t)
	repo.Commit("one", map[string]string{name: secretLine(secret)})
	repo.Commit("two", map[string]string{name: "gone\n"}) // history only
	repo.Write(map[string]string{"new ü/ä b.env": secretLine(fakecred.ChannelSecret("untracked"))})
	rep := parseReport(t, run(t, runOpts{}, "scan", repo.Dir, "-f", "json"))
	if got := found(rep, secret); strings.Join(got, ",") != "line-channel-secret "+name {
		t.Errorf("history: %q", got)
	}
	if got := found(rep, fakecred.ChannelSecret("untracked")); strings.Join(got, ",") != "line-channel-secret new ü/ä b.env" {
		t.Errorf("untracked: %q", got)
	}
}

// 15. File names that look like flags, and a PATH that starts with "-".
func TestFlagLikeNames(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "d")
	write(t, filepath.Join(dir, "-rf"), []byte(secretLine(secret)))
	write(t, filepath.Join(dir, "--output=x"), []byte(secretLine(fakecred.ChannelSecret("output"))))
	r := run(t, runOpts{dir: parent}, "scan", "d", "-f", "json")
	rep := parseReport(t, r)
	if got := found(rep, secret); strings.Join(got, ",") != "line-channel-secret -rf" {
		t.Errorf("-rf: %q", got)
	}
	if got := found(rep, fakecred.ChannelSecret("output")); strings.Join(got, ",") != "line-channel-secret --output=x" {
		t.Errorf("--output=x: %q", got)
	}
	for _, p := range []string{filepath.Join(parent, "x"), filepath.Join(dir, "x")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("a file name was taken as --output: %s exists", p)
		}
	}
	// In a repository too (git log and status get the names as data).
	repo := gittest.New(t)
	repo.Commit("flags", map[string]string{"-rf": secretLine(secret), "--output=x": "x\n"})
	if got := found(parseReport(t, run(t, runOpts{}, "scan", repo.Dir, "-f", "json")), secret); strings.Join(got, ",") != "line-channel-secret -rf" {
		t.Errorf("repository -rf: %q", got)
	}

	// PATH "-dash" after "--" is a path; without "--" it is a flag error.
	write(t, filepath.Join(parent, "-dash", "a.env"), []byte(secretLine(fakecred.ChannelSecret("dash"))))
	r = run(t, runOpts{dir: parent}, "scan", "-f", "json", "--", "-dash")
	if got := found(parseReport(t, r), fakecred.ChannelSecret("dash")); strings.Join(got, ",") != "line-channel-secret a.env" {
		t.Errorf("scan -- -dash: %q", got)
	}
	r = run(t, runOpts{dir: parent}, "scan", "-dash")
	if r.code != 2 || !regexp.MustCompile(`unknown shorthand flag: 'd' in -dash`).MatchString(r.stderr) {
		t.Errorf("scan -dash: exit %d, %s", r.code, r.stderr)
	}
}

func execIn(t *testing.T, dir, name string, args ...string) error {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return nil
}
