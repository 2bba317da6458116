package gitrepo

import (
	"context"
	"strings"
)

// FilePatch is one file's part of a diff: its hunks, each from its "@@"
// line, in the shape of the GitHub pull request files API's patches.
type FilePatch struct {
	Path  string
	Patch string
}

// Patches is the diff of base...head (what head adds since the merge base,
// as GitHub shows a pull request), one patch per file that still exists in
// head. Renames are a deletion and an addition; binary files have no hunks
// and are left out.
func (r *Repo) Patches(ctx context.Context, base, head string) ([]FilePatch, error) {
	out, err := r.Run(ctx, "-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", base+"..."+head)
	if err != nil {
		return nil, err
	}
	return parsePatches(string(out)), nil
}

// parsePatches splits `git diff` output by file. A hunk line that reads
// like a header ("+++ x": an added line that starts with "++") stays hunk
// content.
func parsePatches(out string) []FilePatch {
	var patches []FilePatch
	path, inHunks := "", false
	var patch strings.Builder
	flush := func() {
		if path != "" && patch.Len() > 0 {
			patches = append(patches, FilePatch{Path: path, Patch: patch.String()})
		}
		patch.Reset()
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "diff --git "):
			flush()
			path, inHunks = "", false
		case inHunks:
			patch.WriteString(line + "\n")
		case strings.HasPrefix(line, "+++ "):
			path = strings.TrimPrefix(strings.TrimPrefix(line, "+++ "), "b/")
			if path == "/dev/null" {
				path = ""
			}
		case strings.HasPrefix(line, "@@"):
			inHunks = true
			patch.WriteString(line + "\n")
		}
	}
	flush()
	return patches
}
