package scanner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
	"github.com/channelguard/channelguard/scanner/baseline"
	"github.com/channelguard/channelguard/scanner/credential"
	"github.com/channelguard/channelguard/scanner/engine"
)

var (
	secretA = fakecred.ChannelSecret("scanner-a")
	secretB = fakecred.ChannelSecret("scanner-b")
	tokenA  = fakecred.AccessToken("scanner-token")
)

func scan(t *testing.T, opts Options) *Result {
	t.Helper()
	res, err := Scan(context.Background(), opts)
	if err != nil {
		t.Fatalf("Scan(%s): %v", opts.Path, err)
	}
	return res
}

// only returns the single finding for path, failing otherwise.
func only(t *testing.T, res *Result, path string) finding.Finding {
	t.Helper()
	var got []finding.Finding
	for _, f := range res.Report.Findings {
		if f.Location.Path == path {
			got = append(got, f)
		}
	}
	if len(got) != 1 {
		t.Fatalf("want 1 finding in %s, got %d: %s", path, len(got), summarize(res.Report.Findings))
	}
	return got[0]
}

func summarize(fs []finding.Finding) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, f.RuleID+"@"+f.Location.String())
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func short(sha string) string { return sha[:8] }

func TestHistoryOnlySecretIsFoundWithItsWindow(t *testing.T) {
	r := gittest.New(t)
	added := r.Commit("add config", map[string]string{"config/app.env": "PORT=8080\nLINE_CHANNEL_SECRET=" + secretA + "\n"})
	r.Commit("unrelated", map[string]string{"README.md": "hello\n"})
	removed := r.Commit("remove secret", map[string]string{"config/app.env": "PORT=8080\nLINE_CHANNEL_SECRET=${LINE_CHANNEL_SECRET}\n"})

	res := scan(t, Options{Path: r.Dir})
	f := only(t, res, "config/app.env")
	if f.RuleID != "line-channel-secret" {
		t.Errorf("rule = %s", f.RuleID)
	}
	if f.Location.StartLine != 2 || f.Location.StartColumn != 21 || f.Location.EndColumn != 53 {
		t.Errorf("location = %+v, want line 2 columns 21-53", f.Location)
	}
	if f.Commit == nil || f.Commit.SHA != added {
		t.Errorf("commit = %+v, want %s", f.Commit, short(added))
	}
	e := f.Exposure
	if e.FirstCommit == nil || e.FirstCommit.SHA != added || e.FirstCommit.Date != "2024-01-01T12:00:00Z" {
		t.Errorf("first commit = %+v", e.FirstCommit)
	}
	if e.StillAtHead || e.InWorkingTree {
		t.Errorf("exposure = %+v, want removed", e)
	}
	if e.RemovedIn == nil || e.RemovedIn.SHA != removed {
		t.Errorf("removed in = %+v, want %s", e.RemovedIn, short(removed))
	}
	if !strings.Contains(f.Message, "removed in "+short(removed)) || !strings.Contains(f.Message, "reissue") {
		t.Errorf("message = %q", f.Message)
	}
	if f.SecretSHA256 != finding.SecretHash(secretA) || f.SecretPreview != secretA[:4]+"… (32 chars)" {
		t.Errorf("preview/hash = %q %q", f.SecretPreview, f.SecretSHA256)
	}
}

func TestDeletedFileNamesTheDeletingCommit(t *testing.T) {
	r := gittest.New(t)
	r.Commit("add token", map[string]string{"token.txt": "LINE_CHANNEL_ACCESS_TOKEN=" + tokenA + "\n", "keep.txt": "x\n"})
	r.Remove("token.txt")
	deleted := r.Commit("delete token", nil)
	f := only(t, scan(t, Options{Path: r.Dir}), "token.txt")
	if f.RuleID != "line-channel-access-token" || f.Exposure.RemovedIn == nil || f.Exposure.RemovedIn.SHA != deleted {
		t.Errorf("got %s removed in %+v, want line-channel-access-token removed in %s", f.RuleID, f.Exposure.RemovedIn, short(deleted))
	}
}

func TestSecretStillAtHeadIsLocatedWhereItIsNow(t *testing.T) {
	r := gittest.New(t)
	first := r.Commit("add", map[string]string{"bot.py": "handler = WebhookHandler('" + secretA + "')\n"})
	r.Commit("grow", map[string]string{"bot.py": "import os\nimport sys\n\n\nhandler = WebhookHandler('" + secretA + "')\n"})
	res := scan(t, Options{Path: r.Dir})
	f := only(t, res, "bot.py")
	if f.Location.StartLine != 5 {
		t.Errorf("location line = %d, want 5 (where HEAD has it)", f.Location.StartLine)
	}
	if !f.Exposure.StillAtHead || !f.Exposure.InWorkingTree || f.Exposure.RemovedIn != nil {
		t.Errorf("exposure = %+v", f.Exposure)
	}
	if f.Exposure.FirstCommit.SHA != first || len(f.Occurrences) != 1 {
		t.Errorf("first = %s, occurrences = %d (the line was not re-added)", f.Exposure.FirstCommit.SHA, len(f.Occurrences))
	}
}

func TestSameSecretAcrossCommitsIsOneFinding(t *testing.T) {
	r := gittest.New(t)
	c1 := r.Commit("v1", map[string]string{"app.js": "const config = { channelSecret: '" + secretA + "' };\n"})
	r.Commit("v2", map[string]string{"app.js": "const config = { channelSecret: '" + secretA + "', port: 1 };\n"})
	c3 := r.Commit("v3", map[string]string{"app.js": "// bot\nconst config = { channelSecret: '" + secretA + "', port: 2 };\n"})
	res := scan(t, Options{Path: r.Dir})
	f := only(t, res, "app.js")
	if len(f.Occurrences) != 3 {
		t.Fatalf("occurrences = %d, want 3", len(f.Occurrences))
	}
	if f.Occurrences[0].Commit.SHA != c3 || f.Occurrences[2].Commit.SHA != c1 {
		t.Errorf("occurrences not newest first")
	}
	if f.Exposure.FirstCommit.SHA != c1 || f.Location.StartLine != 2 {
		t.Errorf("first = %s, location = %v", short(f.Exposure.FirstCommit.SHA), f.Location)
	}
}

func TestUncommittedAndModifiedFiles(t *testing.T) {
	r := gittest.New(t)
	r.Commit("init", map[string]string{"tracked.env": "A=1\n", ".gitignore": "ignored.env\n"})
	r.Write(map[string]string{
		"tracked.env":   "A=1\nLINE_CHANNEL_SECRET=" + secretA + "\n",
		"untracked.yml": "line:\n  channel-secret: " + secretB + "\n",
		"ignored.env":   "LINE_CHANNEL_SECRET=" + fakecred.ChannelSecret("ignored") + "\n",
	})
	res := scan(t, Options{Path: r.Dir})
	if len(res.Report.Findings) != 2 {
		t.Fatalf("findings = %s, want tracked.env and untracked.yml (ignored files are not scanned)", summarize(res.Report.Findings))
	}
	for _, p := range []string{"tracked.env", "untracked.yml"} {
		f := only(t, res, p)
		if f.Commit != nil || f.Exposure.FirstCommit != nil || !f.Exposure.InWorkingTree {
			t.Errorf("%s: %+v, want uncommitted", p, f.Exposure)
		}
		if !strings.Contains(f.Message, "(uncommitted)") {
			t.Errorf("%s: message %q", p, f.Message)
		}
	}
}

func TestRangeScansOnlyThoseCommits(t *testing.T) {
	r := gittest.New(t)
	base := r.Commit("base", map[string]string{"old.env": "LINE_CHANNEL_SECRET=" + secretA + "\n"})
	head := r.Commit("pr", map[string]string{"new.env": "LINE_CHANNEL_SECRET=" + secretB + "\n"})
	res := scan(t, Options{Path: r.Dir, Range: base + ".." + head})
	f := only(t, res, "new.env")
	if len(res.Report.Findings) != 1 || f.Commit.SHA != head || !f.Exposure.StillAtHead {
		t.Errorf("findings = %s", summarize(res.Report.Findings))
	}
	if _, err := Scan(context.Background(), Options{Path: r.Dir, Range: "nope..HEAD"}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("bad range error = %v", err)
	}
}

func TestNoHistoryReadsTheWorkingTreeOnly(t *testing.T) {
	r := gittest.New(t)
	r.Commit("old", map[string]string{"gone.env": "LINE_CHANNEL_SECRET=" + secretA + "\n"})
	r.Remove("gone.env")
	r.Commit("rm", nil)
	r.Commit("current", map[string]string{"here.env": "LINE_CHANNEL_SECRET=" + secretB + "\n"})
	res := scan(t, Options{Path: r.Dir, NoHistory: true})
	f := only(t, res, "here.env")
	if len(res.Report.Findings) != 1 || f.Commit != nil {
		t.Errorf("findings = %s", summarize(res.Report.Findings))
	}
}

func TestAllowMarkersSuppressEveryOccurrence(t *testing.T) {
	r := gittest.New(t)
	r.Commit("fixture", map[string]string{"fixture.env": "LINE_CHANNEL_SECRET=" + secretA + "\n"})
	r.Commit("mark", map[string]string{"fixture.env": "LINE_CHANNEL_SECRET=" + secretA + " # channelguard:allow test fixture\n"})
	r.Commit("other", map[string]string{"other.py": "secret = WebhookParser('" + secretB + "')  # gitleaks:allow\n"})
	res := scan(t, Options{Path: r.Dir})
	if len(res.Report.Findings) != 0 || res.Allowed != 2 {
		t.Errorf("findings = %s, allowed = %d; want none, 2 allowed", summarize(res.Report.Findings), res.Allowed)
	}
}

func TestBaselineHidesKnownFindings(t *testing.T) {
	r := gittest.New(t)
	r.Commit("one", map[string]string{"a.env": "LINE_CHANNEL_SECRET=" + secretA + "\n"})
	first := scan(t, Options{Path: r.Dir})
	known := baseline.Set{}
	for _, f := range first.Report.Findings {
		known[f.Fingerprint] = struct{}{}
	}
	// Moving the line must not bring the finding back; a new secret must show.
	r.Commit("two", map[string]string{
		"a.env": "# moved\n\nLINE_CHANNEL_SECRET=" + secretA + "\n",
		"b.env": "LINE_CHANNEL_SECRET=" + secretB + "\n",
	})
	res := scan(t, Options{Path: r.Dir, Baseline: known})
	f := only(t, res, "b.env")
	if len(res.Report.Findings) != 1 || res.Baselined != 1 || f.RuleID != "line-channel-secret" {
		t.Errorf("findings = %s, baselined = %d", summarize(res.Report.Findings), res.Baselined)
	}
}

func TestSubdirectoryLimitsTheScan(t *testing.T) {
	r := gittest.New(t)
	r.Commit("two apps", map[string]string{
		"apps/bot/.env": "LINE_CHANNEL_SECRET=" + secretA + "\n",
		"apps/web/.env": "LINE_CHANNEL_SECRET=" + secretB + "\n",
	})
	res := scan(t, Options{Path: filepath.Join(r.Dir, "apps", "bot")})
	f := only(t, res, "apps/bot/.env")
	if len(res.Report.Findings) != 1 || f.Commit == nil {
		t.Errorf("findings = %s", summarize(res.Report.Findings))
	}
}

func TestBareCloneAndPlainDirectoryAndFile(t *testing.T) {
	r := gittest.New(t)
	r.Commit("add", map[string]string{"dir with space/日本.env": "LINE_CHANNEL_SECRET=" + secretA})
	bare := filepath.Join(t.TempDir(), "mirror.git")
	r.Git("clone", "-q", "--bare", r.Dir, bare)
	f := only(t, scan(t, Options{Path: bare}), "dir with space/日本.env")
	if !f.Exposure.StillAtHead || f.Exposure.InWorkingTree || f.Location.StartLine != 1 {
		t.Errorf("bare: %+v %+v", f.Location, f.Exposure)
	}

	plain := t.TempDir()
	if err := os.WriteFile(filepath.Join(plain, "settings.json"), []byte(`{"channelSecret": "`+secretB+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(plain, "link")); err != nil {
		t.Fatal(err)
	}
	res := scan(t, Options{Path: plain})
	if res.Mode != ModeDir || len(res.Report.Findings) != 1 || res.Report.Stats.Files != 1 {
		t.Errorf("dir: mode %s, findings %s, files %d (symlinks are not followed)", res.Mode, summarize(res.Report.Findings), res.Report.Stats.Files)
	}
	res = scan(t, Options{Path: filepath.Join(plain, "settings.json")})
	if res.Mode != ModeFile || len(res.Report.Findings) != 1 {
		t.Errorf("file: mode %s, findings %s", res.Mode, summarize(res.Report.Findings))
	}
}

func TestMultiLineContextLocatesTheSecretLine(t *testing.T) {
	r := gittest.New(t)
	r.Commit("login", map[string]string{"login.py": "import requests\n\nTOKEN_URL = 'https://api.line.me/oauth2/v2.1/token'\nCLIENT_ID = '1650000000'\nCLIENT_SECRET = '" + secretA + "'\n"})
	f := only(t, scan(t, Options{Path: r.Dir}), "login.py")
	if f.Location.StartLine != 5 || f.Location.StartColumn != 18 {
		t.Errorf("location = %+v, want line 5 column 18 (the secret, not the context)", f.Location)
	}
	// The commit's occurrence is located the same way.
	if len(f.Occurrences) != 1 || f.Occurrences[0].StartLine != 5 || f.Occurrences[0].StartColumn != 18 {
		t.Errorf("occurrences = %+v, want one at line 5 column 18", f.Occurrences)
	}
}

func TestOneSecretTwoRulesIsOneFinding(t *testing.T) {
	r := gittest.New(t)
	notify := fakecred.NotifyToken("scanner-notify")
	r.Commit("notify", map[string]string{"deploy.sh": "curl -X POST -H 'Authorization: Bearer " + notify + "' -F 'message=ok' https://notify-api.line.me/api/notify\n"})
	f := only(t, scan(t, Options{Path: r.Dir}), "deploy.sh")
	if f.RuleID != "line-notify-token" || len(f.AlsoMatched) != 1 || f.AlsoMatched[0] != "curl-auth-header" || len(f.Occurrences) != 1 {
		t.Errorf("got %s also %v with %d occurrences, want line-notify-token also [curl-auth-header], 1 occurrence", f.RuleID, f.AlsoMatched, len(f.Occurrences))
	}
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		opts Options
		want string
	}{
		{Options{Path: filepath.Join(dir, "missing")}, "no such file or directory"},
		{Options{Path: dir, Range: "a..b"}, "needs a git repository"},
	}
	for _, tt := range tests {
		_, err := Scan(context.Background(), tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Scan(%+v) error = %v, want one line containing %q", tt.opts, err, tt.want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	r := gittest.New(t)
	r.Commit("a", map[string]string{"a.env": "LINE_CHANNEL_SECRET=" + secretA + "\n", "b.env": "LINE_CHANNEL_SECRET=" + secretB + "\n"})
	r.Commit("b", map[string]string{"c.env": "LINE_CHANNEL_ACCESS_TOKEN=" + tokenA + "\n"})
	first := summarize(scan(t, Options{Path: r.Dir}).Report.Findings)
	for i := 0; i < 3; i++ {
		if again := summarize(scan(t, Options{Path: r.Dir}).Report.Findings); again != first {
			t.Fatalf("scan %d: %s, first %s", i, again, first)
		}
	}
}

// gitleaks' global path allowlist (vendored code, lock files) holds in
// history as it does on disk, though channelguard checks it once per path.
func TestGlobalPathAllowlistInHistory(t *testing.T) {
	r := gittest.New(t)
	r.Commit("deps", map[string]string{
		"node_modules/line-bot/config.js": "const channelSecret = '" + secretA + "';\n",
		"src/config.js":                   "const channelSecret = '" + secretB + "';\n",
	})
	res := scan(t, Options{Path: r.Dir})
	if f := only(t, res, "src/config.js"); len(res.Report.Findings) != 1 || f.SecretSHA256 != finding.SecretHash(secretB) {
		t.Errorf("findings = %s, want src/config.js only", summarize(res.Report.Findings))
	}
}

func TestMovedFileIsStillAtHead(t *testing.T) {
	r := gittest.New(t)
	r.Commit("add", map[string]string{"config/bot.env": "LINE_CHANNEL_SECRET=" + secretA + "\n"})
	r.Git("mv", "config/bot.env", "bot.env")
	r.Commit("move", nil)
	f := only(t, scan(t, Options{Path: r.Dir}), "bot.env")
	if !f.Exposure.StillAtHead || f.Exposure.RemovedIn != nil || !f.Exposure.InWorkingTree {
		t.Errorf("exposure = %+v, want still at HEAD in the moved file", f.Exposure)
	}
	if f.Occurrences[0].Path != "config/bot.env" {
		t.Errorf("the commit that added it is in config/bot.env, got %s", f.Occurrences[0].Path)
	}
}

// A secret removed with its file and added again in another: its
// finding there carries both histories, and no second alert points at the
// same line.
func TestMovedAndReaddedIsOneFinding(t *testing.T) {
	r := gittest.New(t)
	first := r.Commit("add", map[string]string{"old.env": "LINE_CHANNEL_SECRET=" + secretA + "\n"})
	r.Remove("old.env")
	// Different enough that git sees a new file, not a rename.
	readded := r.Commit("rewrite", map[string]string{"new.env": strings.Repeat("SOME_OTHER_SETTING=some other value\n", 20) + "LINE_CHANNEL_SECRET=" + secretA + "\n"})
	res := scan(t, Options{Path: r.Dir})
	f := only(t, res, "new.env")
	if len(res.Report.Findings) != 1 || len(f.Occurrences) != 2 {
		t.Fatalf("findings = %s, occurrences = %d; want one finding with both commits", summarize(res.Report.Findings), len(f.Occurrences))
	}
	if f.Exposure.FirstCommit.SHA != first || f.Commit.SHA != readded || !f.Exposure.StillAtHead {
		t.Errorf("first %s, commit %s, exposure %+v", short(f.Exposure.FirstCommit.SHA), short(f.Commit.SHA), f.Exposure)
	}
}

// The memo (same text scanned once) must not change a single finding:
// repeated hunks in several commits and files, a path-only rule
// (kubernetes-secret-yaml looks at the path) and a path allowlist.
func TestMemoChangesNothing(t *testing.T) {
	r := gittest.New(t)
	var awsKey strings.Builder
	for _, c := range fakecred.Bytes("memo-aws", 16) {
		awsKey.WriteByte("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[c%32])
	}
	body := "LINE_CHANNEL_SECRET=" + secretA + "\nAWS_ACCESS_KEY_ID=AKIA" + awsKey.String() + "\n"
	r.Commit("one", map[string]string{"a/app.env": body, "b/app.env": body, "e/app.env": "x=1\ny=2\n"})
	r.Commit("revert", map[string]string{"a/app.env": "x=1\n"})
	// Newest first: this commit is scanned before "one", and its text for
	// e/app.env (two lines further down) is the text "one" adds at line 1.
	r.Commit("again", map[string]string{"e/app.env": "x=1\ny=2\n" + body})
	r.Commit("more", map[string]string{"a/app.env": body, "c/secret.yaml": "kind: Secret\n" + body, "node_modules/x/app.env": body, "d/app.env": "# copy\n" + body})
	run := func(memo bool) string {
		opts := Options{Path: r.Dir}
		if !memo {
			opts.engine = []engine.Option{engine.WithoutMemo()}
		}
		res := scan(t, opts)
		var b strings.Builder
		for _, f := range res.Report.Findings {
			e := f.Exposure
			fmt.Fprintf(&b, "%s %s %+v first=%s head=%v tree=%v removed=%s\n", f.RuleID, f.Fingerprint, f.Location,
				e.FirstCommit.Short(), e.StillAtHead, e.InWorkingTree, e.RemovedIn.Short())
			for _, o := range f.Occurrences {
				fmt.Fprintf(&b, "  %+v %+v\n", o.Location, o.Commit)
			}
		}
		return b.String()
	}
	with, without := run(true), run(false)
	if with != without {
		t.Errorf("with the memo:\n%s\nwithout:\n%s", with, without)
	}
	if strings.Count(without, "\n  ") < 10 {
		t.Errorf("the repository should give several occurrences, got:\n%s", without)
	}
}

// A pull request that touches the line of a secret its base already held
// is not blamed for that secret; a secret it adds is reported.
func TestNotInDropsWhatTheBaseHeld(t *testing.T) {
	r := gittest.New(t)
	old, added := fakecred.ChannelSecret("notin-old"), fakecred.ChannelSecret("notin-new")
	base := r.Commit("base", map[string]string{"a.env": "LINE_CHANNEL_SECRET=" + old + "\n"})
	head := r.Commit("pr", map[string]string{
		"a.env": "LINE_CHANNEL_SECRET=" + old + " # touched\n",
		"b.env": "LINE_CHANNEL_SECRET=" + added + "\n",
	})
	res := scan(t, Options{Path: r.Dir, Range: base + ".." + head, NotIn: base})
	if got := summarize(res.Report.Findings); got != "[line-channel-secret@b.env:1]" || res.PreExisting != 1 {
		t.Errorf("findings %q, pre-existing %d; want b.env only and 1 dropped", got, res.PreExisting)
	}
	if res := scan(t, Options{Path: r.Dir, Range: base + ".." + head}); len(res.Report.Findings) != 2 {
		t.Errorf("without NotIn: %d findings, want 2", len(res.Report.Findings))
	}
}

// --verify: each distinct LINE credential is offered once, a channel
// secret with the channel id named in its file; live ones become critical,
// revoked ones low.
func TestVerifyHook(t *testing.T) {
	r := gittest.New(t)
	token := fakecred.AccessToken("verify-token")
	r.Commit("bot", map[string]string{
		"bot.env":  "LINE_CHANNEL_ID=1656789012\nLINE_CHANNEL_SECRET=" + secretA + "\nLINE_CHANNEL_ACCESS_TOKEN=" + token + "\n",
		"copy.env": "LINE_CHANNEL_SECRET=" + secretA + "\n",
	})
	var got []credential.Credential
	res := scan(t, Options{Path: r.Dir, Verify: func(_ context.Context, cs []credential.Credential) []finding.Verification {
		got = append(got, cs...)
		out := make([]finding.Verification, len(cs))
		for i, c := range cs {
			out[i] = finding.Verification{Status: finding.VerifiedRevoked, CheckedAt: "2026-11-25T00:00:00Z"}
			if c.Value == token {
				out[i] = finding.Verification{Status: finding.VerifiedLive, CheckedAt: "2026-11-25T00:00:00Z", BotName: "Test bot"}
			}
		}
		return out
	}})
	ids := map[string]string{}
	for _, c := range got {
		ids[c.Rule+" "+finding.SecretHash(c.Value)] = c.ChannelID
	}
	if ids["line-channel-secret "+finding.SecretHash(secretA)] != "1656789012" {
		t.Errorf("credentials offered: %v (want the secret with channel id 1656789012)", ids)
	}
	for _, f := range res.Report.Findings {
		switch {
		case f.Verification == nil:
			t.Errorf("%s in %s not verified", f.RuleID, f.Location.Path)
		case f.RuleID == "line-channel-access-token" && (f.Severity != finding.Critical || !strings.Contains(f.Message, "LIVE")):
			t.Errorf("live token: %s %q", f.Severity, f.Message)
		case f.RuleID == "line-channel-secret" && f.Severity != finding.Low:
			t.Errorf("revoked secret in %s: %s", f.Location.Path, f.Severity)
		}
	}
}

// An incremental rescan reads only the new commits, and brings the earlier
// findings up to date without their raw values.
func TestIncrementalRescan(t *testing.T) {
	r := gittest.New(t)
	first := r.Commit("one", map[string]string{"a.env": "LINE_CHANNEL_SECRET=" + secretA + "\n", "keep.env": "LINE_CHANNEL_SECRET=" + secretB + "\n"})
	before := scan(t, Options{Path: r.Dir})
	if len(before.Report.Findings) != 2 {
		t.Fatalf("first scan: %s", summarize(before.Report.Findings))
	}
	r.Commit("two", map[string]string{"a.env": "LINE_CHANNEL_SECRET=${LINE_CHANNEL_SECRET}\n", "keep.env": "# moved down\nLINE_CHANNEL_SECRET=" + secretB + "\n", "c.env": "LINE_NOTIFY_TOKEN=" + fakecred.NotifyToken("incremental") + "\n"})
	res := scan(t, Options{Path: r.Dir, Exclude: []string{first}, Recheck: before.Report.Findings})
	if res.Report.Stats.Commits != 1 {
		t.Errorf("rescan read %d commits, want only the new one", res.Report.Stats.Commits)
	}
	// keep.env's secret line is untouched (a line above it was added): only
	// the Notify token is new.
	if got := summarize(res.Report.Findings); got != "[line-notify-token@c.env:1]" {
		t.Errorf("new commits' findings: %s", got)
	}
	state := map[string]string{}
	for _, f := range res.Rechecked {
		state[f.Location.Path] = fmt.Sprintf("%v:%d", f.Exposure.StillAtHead, f.Location.StartLine)
	}
	if state["a.env"] != "false:1" || state["keep.env"] != "true:2" {
		t.Errorf("rechecked: %v, want a.env removed, keep.env still at HEAD on line 2", state)
	}
	if _, err := Scan(context.Background(), Options{Path: r.Dir, Exclude: []string{strings.Repeat("ab", 20)}}); err == nil {
		t.Error("an unknown excluded commit must be an error")
	}
}
