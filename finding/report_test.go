package finding

import "testing"

func TestScanned(t *testing.T) {
	tests := []struct {
		name  string
		stats Stats
		repos int
		want  string
	}{
		{"repository, clean tree", Stats{Kind: KindRepository, Commits: 7}, 0, "7 commits (history) and the working tree (no changes)"},
		{"repository, changes", Stats{Kind: KindRepository, Commits: 1, Files: 2}, 0, "1 commit (history) and the working tree (2 changed files)"},
		{"repository, no commits", Stats{Kind: KindRepository, Files: 3}, 0, "the working tree (3 files; no commits yet)"},
		{"bare", Stats{Kind: KindHistory, Commits: 40}, 0, "40 commits (history; no working tree)"},
		{"range", Stats{Kind: KindRange, Commits: 3}, 0, "3 commits (the range)"},
		{"no history", Stats{Kind: KindWorktree, Files: 9}, 0, "9 files (the working tree; history not scanned)"},
		{"directory", Stats{Kind: KindDirectory, Files: 12}, 0, "12 files"},
		{"file", Stats{Kind: KindFile, Files: 1}, 0, "1 file"},
		{"captures", Stats{Captures: 3, Entries: 41}, 0, "3 captures (41 requests)"},
		{"repository and captures", Stats{Kind: KindRepository, Commits: 7, Captures: 2, Entries: 30}, 0,
			"7 commits (history), the working tree (no changes) and 2 captures (30 requests)"},
		{"team", Stats{Commits: 40, Files: 12}, 3, "3 repositories (40 commits)"},
		// reports written before Kind: the counts that are not zero
		{"old repository", Stats{Commits: 7}, 0, "7 commits"},
		{"old directory", Stats{Files: 4}, 0, "4 files"},
		{"old empty", Stats{}, 0, "0 files"},
		{"old captures", Stats{Entries: 5}, 0, "5 capture entries"},
	}
	for _, tt := range tests {
		r := &Report{Stats: tt.stats, Repositories: make([]RepoScan, tt.repos)}
		if got := r.Scanned(); got != tt.want {
			t.Errorf("%s: Scanned() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
