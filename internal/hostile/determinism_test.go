package hostile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/channelguard/channelguard/internal/fakecred"
	"github.com/channelguard/channelguard/internal/gittest"
)

// plantedRepo is a repository with fake secrets in history, at HEAD, in
// several files and uncommitted.
func plantedRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	r.Commit("bot", map[string]string{
		"bot/app.py":  "handler = WebhookHandler('" + planted["secret-a"] + "')\nLINE_CHANNEL_ACCESS_TOKEN = '" + planted["token"] + "'\n",
		"config/.env": secretLine(planted["secret-b"]),
	})
	r.Commit("notify", map[string]string{"n.sh": "curl -H 'Authorization: Bearer " + planted["notify"] + "' https://notify-api.line.me/api/notify\n"})
	r.Commit("remove", map[string]string{"config/.env": "LINE_CHANNEL_SECRET=${FROM_VAULT}\n"})
	r.Git("checkout", "-q", "-b", "feature")
	r.Commit("feature", map[string]string{"feature.env": secretLine(planted["secret-a"])})
	r.Git("checkout", "-q", "main")
	r.Write(map[string]string{"local.env": secretLine(planted["uncommitted"])})
	return r
}

var planted = map[string]string{
	"secret-a":    fakecred.ChannelSecret("hostile-a"),
	"secret-b":    fakecred.ChannelSecret("hostile-b"),
	"uncommitted": fakecred.ChannelSecret("hostile-uncommitted"),
	"token":       fakecred.AccessToken("hostile-token"),
	"notify":      fakecred.NotifyToken("hostile-notify"),
}

// The same input twice: byte-identical JSON and SARIF.
func TestReportsAreDeterministic(t *testing.T) {
	repo := plantedRepo(t)
	har := filepath.Join(repoRoot, "testdata", "captures", "console-member.har")
	inputs := map[string][]string{
		"repo": {repo.Dir},
		"har":  {har, "--role", "member"},
	}
	for name, in := range inputs {
		for _, format := range []string{"json", "sarif"} {
			var first []byte
			for i := 0; i < 2; i++ {
				out := filepath.Join(t.TempDir(), "r."+format)
				r := run(t, runOpts{}, append(append([]string{"scan"}, in...), "-f", format, "-o", out)...)
				if r.code != 1 {
					t.Fatalf("%s %s: exit %d: %s", name, format, r.code, r.stderr)
				}
				data, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					first = data
				} else if !bytes.Equal(first, data) {
					t.Errorf("%s %s: two runs differ", name, format)
				}
			}
		}
	}
}
