#!/usr/bin/env bash
# bench/edgecases.sh
#
# Builds a small synthetic repository in which each hard-to-reach place in a
# git history (a deleted file, a type change, an evil merge, a tag-only
# commit, the stash, a git note, the uncommitted working tree…) holds its own
# freshly generated fake AWS key in a file named after the case, then runs
# gitleaks and channelguard on it and prints which tool found which case.
# The keys are random and exist only in a temp dir removed on exit; nothing
# prints them.
#
# Environment: CHANNELGUARD_BIN (else ./cmd/channelguard is built), and the
# gitleaks cache of run.sh (${XDG_CACHE_HOME:-$HOME/.cache}/channelguard-bench).
set -euo pipefail
umask 077

GITLEAKS_MODULE=github.com/zricethezav/gitleaks/v8
GITLEAKS_VERSION=v8.30.1
TAGS=gore2regex
die() {
	echo "edgecases.sh: $*" >&2
	exit 2
}
command -v git >/dev/null || die "git not found"
command -v go >/dev/null || die "go not found"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
GL_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/channelguard-bench/gitleaks-$GITLEAKS_VERSION-$TAGS
GL=$GL_DIR/gitleaks
WORK=$(mktemp -d "${TMPDIR:-/tmp}/channelguard-edge.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

if [[ ! -x $GL ]]; then
	mkdir -p "$GL_DIR"
	(cd "$WORK" && GOBIN=$GL_DIR go install -tags "$TAGS" "$GITLEAKS_MODULE@$GITLEAKS_VERSION") || die "cannot install gitleaks"
fi
CG=${CHANNELGUARD_BIN:-}
if [[ -z $CG ]]; then
	CG=$WORK/channelguard
	(cd "$ROOT" && go build -tags "$TAGS" -o "$CG" ./cmd/channelguard) || die "cannot build ./cmd/channelguard"
fi

# A fake AWS access key id: AKIA + 16 random base32 characters (what
# gitleaks' aws-access-token rule matches, high entropy, no EXAMPLE suffix).
fake_key() {
	local alphabet=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567 k=AKIA i b
	for ((i = 0; i < 16; i++)); do
		b=$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')
		k+=${alphabet:$((b % 32)):1}
	done
	printf '%s' "$k"
}
secret_line() { printf 'aws_access_key_id = "%s"\n' "$(fake_key)"; }

REPO=$WORK/repo
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
g() { git -C "$REPO" -c init.defaultBranch=main -c advice.detachedHead=false "$@"; }
mkdir -p "$REPO"
g init -q
echo "edge cases" >"$REPO/README"
g add README
g commit -qm init

# deleted: added in one commit, deleted in the next.
secret_line >"$REPO/deleted.txt"
g add deleted.txt && g commit -qm "add deleted.txt"
g rm -q deleted.txt && g commit -qm "remove deleted.txt"

# renamed: added, then renamed without change (HEAD holds it under the new name).
secret_line >"$REPO/renamed-old.txt"
g add renamed-old.txt && g commit -qm "add renamed-old.txt"
g mv renamed-old.txt renamed-new.txt && g commit -qm "rename"

# typechange: a symlink replaced by a regular file holding a key.
ln -s README "$REPO/typechange.txt"
g add typechange.txt && g commit -qm "symlink"
rm "$REPO/typechange.txt"
secret_line >"$REPO/typechange.txt"
g add typechange.txt && g commit -qm "symlink becomes a file"

# evilmerge: a file only the merge commit adds (no parent has it).
g checkout -qb side
echo side >"$REPO/side.txt"
g add side.txt && g commit -qm side
g checkout -q main
echo main >"$REPO/main.txt"
g add main.txt && g commit -qm main
g merge -q --no-ff --no-commit side >/dev/null 2>&1
secret_line >"$REPO/evilmerge.txt"
g add evilmerge.txt && g commit -qm "merge side"
g branch -qD side

# tagonly: a commit reachable only from a tag.
g checkout -q --detach
secret_line >"$REPO/tagonly.txt"
g add tagonly.txt && g commit -qm "tag only"
g tag tagonly
g checkout -q main

# note: a key in a git note (refs/notes/commits); the note's file is named
# after the annotated commit.
note_file=$(g rev-parse HEAD)
g notes add -m "$(secret_line)" HEAD

# stash: staged new file, unstaged change to a tracked file, untracked file.
echo "tracked" >"$REPO/stash-unstaged.txt"
g add stash-unstaged.txt && g commit -qm "add stash-unstaged.txt"
secret_line >"$REPO/stash-staged.txt"
g add stash-staged.txt
secret_line >>"$REPO/stash-unstaged.txt"
secret_line >"$REPO/stash-untracked.txt"
g stash push -q -u -m edge

# worktree: uncommitted staged, modified and untracked files.
echo "tracked" >"$REPO/worktree-modified.txt"
g add worktree-modified.txt && g commit -qm "add worktree-modified.txt"
secret_line >>"$REPO/worktree-modified.txt"
secret_line >"$REPO/worktree-staged.txt"
g add worktree-staged.txt
secret_line >"$REPO/worktree-untracked.txt"

cd "$WORK"
env -u GITLEAKS_CONFIG -u GITLEAKS_CONFIG_TOML "$GL" git "$REPO" --report-format json \
	--report-path "$WORK/gitleaks.json" --no-banner --exit-code 0 --log-level error ||
	die "gitleaks failed"
rc=0
"$CG" scan "$REPO" --format json --output "$WORK/channelguard.json" -q || rc=$?
[[ $rc -le 1 ]] || die "channelguard scan failed (exit $rc)"

# found REPORT KEY FILE: does the report name FILE as a finding's path?
found() {
	if grep -Fq "\"$3\"" "$1" && grep -Eq "\"$2\": *\"$3\"" "$1"; then echo found; else echo missed; fi
}
printf '%-22s %-34s %-9s %s\n' case file gitleaks channelguard
while read -r name file; do
	printf '%-22s %-34s %-9s %s\n' "$name" "${file:0:34}" \
		"$(found "$WORK/gitleaks.json" File "$file")" \
		"$(found "$WORK/channelguard.json" path "$file")"
done <<EOF
deleted-file           deleted.txt
renamed-file(old)      renamed-old.txt
renamed-file(new)      renamed-new.txt
type-change            typechange.txt
evil-merge             evilmerge.txt
tag-only-commit        tagonly.txt
git-note               $note_file
stash-staged           stash-staged.txt
stash-unstaged         stash-unstaged.txt
stash-untracked        stash-untracked.txt
worktree-staged        worktree-staged.txt
worktree-modified      worktree-modified.txt
worktree-untracked     worktree-untracked.txt
EOF
echo "renamed-file(new), type-change and evil-merge files are committed and still in HEAD's tree;"
echo "a pure rename adds no lines, so finding it under its old name is enough."
