package scanner

import (
	"testing"

	"github.com/channelguard/channelguard/internal/gittest"
)

// A repository's (or user's) diff.interHunkContext joins nearby hunks of
// `git log -p -U0` with context lines between them; the commit's
// occurrence must still be on the line that holds the secret.
func TestUserDiffConfigKeepsHistoryLines(t *testing.T) {
	r := gittest.New(t)
	r.Git("config", "diff.interHunkContext", "5")
	r.Commit("init", map[string]string{"app.env": "A=1\nB=2\nC=3\nD=4\n"})
	sha := r.Commit("leak", map[string]string{"app.env": "A=1\nX=9\nB=2\nC=3\nLINE_CHANNEL_SECRET=" + secretA + "\nD=4\n"})
	r.Commit("drop", map[string]string{"app.env": "A=1\n"})
	f := only(t, scan(t, Options{Path: r.Dir}), "app.env")
	if f.Commit == nil || f.Commit.SHA != sha || f.Location.StartLine != 5 {
		t.Errorf("finding at line %d of commit %+v, want line 5 of %s", f.Location.StartLine, f.Commit, short(sha))
	}
}
