#!/usr/bin/env bash
# bench/run.sh REPO_PATH... [RUNS]
#
# Compares `channelguard scan` with gitleaks v8.30.1 on the full history of
# each repository given, one after the other, alternating the tools for RUNS
# rounds (default 3) on each: one table per repository, then a summary of
# every repository's ratios. The last argument is RUNS when it is a number
# (give a repository named like a number as ./5).
#
# Rows (BENCH_TOOLS picks some; every row's description, with its regex
# runtime, is printed above each table):
#   git-log-gitleaks  the git command gitleaks runs (git log -p -U0
#                     --full-history --all --diff-filter=tuxdb), its output
#                     read and discarded (bench/cmd/gitfloor): gitleaks' floor
#   git-log-cg        the git commands channelguard runs (rev-list, then
#                     --jobs git log streams with --diff-filter=tuxb
#                     --irreversible-delete …, its git environment), output
#                     read and discarded: channelguard's floor
#   gitleaks          gitleaks v8.30.1 as released (go install -tags
#                     gore2regex: go-re2 v1.9.0, RE2 in WebAssembly run by wazero)
#   gitleaks-samere2  gitleaks v8.30.1 built with -tags gore2regex against the
#                     go-re2 version channelguard's build uses (read from the
#                     channelguard binary, else its go.mod): the same regex
#                     runtime as channelguard, nothing else of gitleaks changed
#   gitleaks-quiet    gitleaks with --log-level error (only when asked for)
#   channelguard      channelguard scan --no-cache: a full scan every round
#   channelguard-re2  the same, built with -tags gore2regex,re2_cgo (native
#                     RE2 through cgo; when libre2-dev is installed)
#   channelguard-rescan, channelguard-re2-rescan
#                     a rescan of the unchanged repository through the cache
#   channelguard-pr100
#                     channelguard pr on a pull request of HEAD's last 100 commits
# Prints wall time, CPU time (user+sys, children included) and peak memory
# as medians with ratios, then checks with bench/compare that every
# gitleaks finding is an occurrence in channelguard's report (same commit,
# file, secret hash and rule, on a line of gitleaks' match:
# internal/coverage's rule, the one internal/differential applies) or one
# of the differences channelguard chooses (an allow marker on another line
# of the file holding the secret; a channelguard allowlist), that
# gitleaks-samere2 found exactly what gitleaks found, and that every
# channelguard row found what the full scan found.
#
# A history git cannot read whole (a damaged clone, a snapshot without its
# large blobs) is benchmarked as partial, not refused: the floors and
# gitleaks stop at the first missing object, channelguard reads around it,
# writes its report with the object as a coverage gap and exits 2. Such a
# row is recorded with a note (below its table and in the summary's
# "partial reads" column) and its findings are still compared; only a
# channelguard exit 2 without a report naming gaps is an error.
#
# Environment:
#   BENCH_TOOLS        rows to run, default "git-log-gitleaks git-log-cg
#                      gitleaks gitleaks-samere2 channelguard channelguard-re2
#                      channelguard-rescan channelguard-re2-rescan
#                      channelguard-pr100" (the -re2 rows are left out when
#                      libre2-dev is missing)
#   CHANNELGUARD_BIN   use this binary instead of building ./cmd/channelguard
#   BENCH_REV          build channelguard (and read its go-re2 version) from
#                      this commit (git archive) instead of the work tree,
#                      e.g. BENCH_REV=HEAD to leave out uncommitted changes
#   BENCH_JOBS         channelguard scan --jobs (default as scan's: one per
#                      two CPUs);
#                      git-log-cg runs as many git log streams
#   BENCH_OUT          directory to keep, per repository, results.tsv,
#                      table.md, rows.txt, ratios.txt and compare.txt, and
#                      summary.txt for all (never the reports: gitleaks'
#                      report holds raw secrets)
#   XDG_CACHE_HOME     both gitleaks builds are cached under
#                      $XDG_CACHE_HOME/channelguard-bench
#
# Exit status: 0 done and, on every repository, every gitleaks finding
# covered or explained and every cross-check equal (partial reads
# included); 1 some gitleaks finding missing from channelguard's report
# (or a cross-check differs); 2 error (a tool failed: for channelguard, an
# exit 2 without a report naming gaps).
set -euo pipefail
umask 077

GITLEAKS_MODULE=github.com/zricethezav/gitleaks/v8
GITLEAKS_VERSION=v8.30.1
GORE2_MODULE=github.com/wasilibs/go-re2
TAGS=gore2regex

die() {
	echo "run.sh: $*" >&2
	exit 2
}
usage() {
	echo "usage: bench/run.sh REPO_PATH... [RUNS]" >&2
	exit 2
}

[[ $# -ge 1 ]] || usage
ARGS=("$@")
RUNS=3
if [[ ${ARGS[-1]} =~ ^[0-9]+$ ]]; then
	RUNS=${ARGS[-1]}
	unset 'ARGS[-1]'
fi
[[ ${#ARGS[@]} -ge 1 ]] || usage
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
command -v git >/dev/null || die "git not found in PATH"
command -v go >/dev/null || die "go not found in PATH"

# --- the targets -------------------------------------------------------------
REPOS=()
for arg in "${ARGS[@]}"; do
	[[ -d $arg ]] || die "$arg: no such directory"
	repo=$(cd "$arg" && pwd -P)
	git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 || die "$arg is not a git repository"
	if [[ $(git -C "$repo" rev-parse --is-bare-repository) == false ]]; then
		top=$(git -C "$repo" rev-parse --show-toplevel)
		if [[ $top != "$repo" ]]; then
			echo "run.sh: $arg is inside a repository; scanning its top level $top" >&2
			repo=$top
		fi
	fi
	git -C "$repo" rev-parse --verify --quiet HEAD >/dev/null || die "$repo has no commits"
	REPOS+=("$repo")
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/channelguard-bench
RE2_HEADER=/usr/include/re2/re2.h
JOBS=${BENCH_JOBS:-$(( $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1) / 2 ))}
(( JOBS >= 1 )) || JOBS=1
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "BENCH_JOBS must be a positive integer, got '$JOBS'"
all_tools="git-log-gitleaks git-log-cg gitleaks gitleaks-samere2 gitleaks-quiet channelguard channelguard-re2 channelguard-rescan channelguard-re2-rescan channelguard-pr100"
default_tools="git-log-gitleaks git-log-cg gitleaks gitleaks-samere2 channelguard channelguard-re2 channelguard-rescan channelguard-re2-rescan channelguard-pr100"
if [[ -z ${BENCH_TOOLS:-} && ! -f $RE2_HEADER ]]; then
	echo "run.sh: $RE2_HEADER not found (apt-get install libre2-dev): no channelguard-re2 rows" >&2
	default_tools="git-log-gitleaks git-log-cg gitleaks gitleaks-samere2 channelguard channelguard-rescan channelguard-pr100"
fi
read -r -a TOOLS <<<"${BENCH_TOOLS:-$default_tools}"
[[ ${#TOOLS[@]} -ge 1 ]] || die "BENCH_TOOLS is empty"
want() {
	local t
	for t in "${TOOLS[@]}"; do [[ $t == "$1" ]] && return 0; done
	return 1
}
for t in "${TOOLS[@]}"; do
	[[ " $all_tools " == *" $t "* ]] || die "unknown tool '$t' in BENCH_TOOLS (known: $all_tools)"
done
wants_cg() { want channelguard || want channelguard-rescan || want channelguard-re2 || want channelguard-re2-rescan || want channelguard-pr100; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/channelguard-bench.XXXXXX")
# The reports hold secrets (gitleaks writes them raw): they live only here.
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

# --- build -------------------------------------------------------------------
echo "== building" >&2
for cmd in measure gitfloor; do
	(cd "$ROOT" && go build -o "$WORK/$cmd" "./bench/cmd/$cmd") || die "cannot build bench/cmd/$cmd"
done
(cd "$ROOT" && go build -tags "$TAGS" -o "$WORK/compare" ./bench/compare) || die "cannot build bench/compare"
MEASURE=$WORK/measure
GITFLOOR=$WORK/gitfloor

# channelguard's source: the work tree, or BENCH_REV
SRC=$ROOT
CG_DESC="work tree at $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
if [[ -n ${BENCH_REV:-} && -z ${CHANNELGUARD_BIN:-} ]]; then
	rev=$(git -C "$ROOT" rev-parse --verify --quiet "${BENCH_REV}^{commit}") || die "BENCH_REV=$BENCH_REV is not a commit"
	SRC=$WORK/src
	mkdir -p "$SRC"
	git -C "$ROOT" archive "$rev" | tar -x -C "$SRC"
	CG_DESC="commit $(git -C "$ROOT" rev-parse --short "$rev")"
fi

CG=
CG_RE2=
if wants_cg; then
	if [[ -n ${CHANNELGUARD_BIN:-} ]]; then
		[[ -x $CHANNELGUARD_BIN ]] || die "CHANNELGUARD_BIN=$CHANNELGUARD_BIN is not executable"
		CG=$CHANNELGUARD_BIN
		CG_DESC=$CG
		echo "channelguard: $CG (from CHANNELGUARD_BIN)" >&2
		{ want channelguard-re2 || want channelguard-re2-rescan; } && die "the -re2 rows are built from source: unset CHANNELGUARD_BIN or leave them out of BENCH_TOOLS"
	else
		CG=$WORK/channelguard
		(cd "$SRC" && go build -tags "$TAGS" -o "$CG" ./cmd/channelguard) ||
			die "cannot build ./cmd/channelguard (set BENCH_TOOLS=\"git-log-gitleaks gitleaks\" to benchmark without it)"
		echo "channelguard: built from $CG_DESC" >&2
		if want channelguard-re2 || want channelguard-re2-rescan; then
			[[ -f $RE2_HEADER ]] || die "channelguard-re2 needs libre2-dev ($RE2_HEADER not found)"
			CG_RE2=$WORK/channelguard-re2
			(cd "$SRC" && go build -tags "$TAGS,re2_cgo" -o "$CG_RE2" ./cmd/channelguard 2>"$WORK/re2-build.log") || {
				cat "$WORK/re2-build.log" >&2
				die "cannot build ./cmd/channelguard with -tags $TAGS,re2_cgo"
			}
			echo "channelguard-re2: built from $CG_DESC with -tags $TAGS,re2_cgo (native RE2)" >&2
		fi
	fi
fi

# dep_version BINARY MODULE: the module's version in the binary's build info
dep_version() {
	go version -m "$1" 2>/dev/null | awk -v m="$2" '($1 == "dep" || $1 == "mod") && $2 == m { print $3; exit }'
}

# regex_runtime BINARY: which RE2 the binary runs, from its build info
regex_runtime() {
	local info ver wz libre2
	info=$(go version -m "$1" 2>/dev/null) || {
		echo "unknown (no Go build info)"
		return
	}
	ver=$(dep_version "$1" "$GORE2_MODULE")
	if [[ -z $ver ]]; then
		echo "Go's regexp (no go-re2)"
	elif [[ $info == *re2_cgo* ]]; then
		libre2=$(dpkg-query -W -f '${Package} ${Version}' 'libre2-[0-9]*' 2>/dev/null | head -n 1 || true)
		echo "native RE2 through cgo (go-re2 $ver -tags re2_cgo${libre2:+, $libre2})"
	elif wz=$(dep_version "$1" github.com/tetratelabs/wazero) && [[ -n $wz ]]; then
		echo "go-re2 $ver: RE2 compiled to WebAssembly, run by wazero $wz (compiled when the program starts)"
	else
		echo "go-re2 $ver: RE2's WebAssembly translated to Go ahead of time (wasm2go)"
	fi
}

# the go-re2 version channelguard's build uses: its binary's, else its go.mod's
CG_GORE2=
if [[ -n $CG ]]; then
	CG_GORE2=$(dep_version "$CG" "$GORE2_MODULE")
fi
if [[ -z $CG_GORE2 ]]; then
	CG_GORE2=$(cd "$SRC" && go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' "$GORE2_MODULE" 2>/dev/null) || true
fi

# gitleaks_ok BINARY [GO_RE2_VERSION]: a cached gitleaks is the one wanted
gitleaks_ok() {
	local info
	[[ -x $1 ]] || return 1
	info=$(go version -m "$1" 2>/dev/null) || return 1
	[[ $info == *"$GITLEAKS_MODULE"$'\t'"$GITLEAKS_VERSION"$'\t'* && $info == *"-tags=$TAGS"* ]] || return 1
	[[ -z ${2:-} || $(dep_version "$1" "$GORE2_MODULE") == "$2" ]]
}

GL=
if want gitleaks || want gitleaks-quiet; then
	dir=$CACHE/gitleaks-$GITLEAKS_VERSION-$TAGS
	GL=$dir/gitleaks
	if gitleaks_ok "$GL"; then
		echo "gitleaks: $GL (cached)" >&2
	else
		echo "gitleaks: installing $GITLEAKS_MODULE@$GITLEAKS_VERSION -tags $TAGS into $dir" >&2
		mkdir -p "$dir"
		# Outside any module, so this repository's go.mod plays no part.
		(cd "$WORK" && GOBIN=$dir go install -tags "$TAGS" "$GITLEAKS_MODULE@$GITLEAKS_VERSION") ||
			die "cannot install gitleaks"
		gitleaks_ok "$GL" || die "$GL is not gitleaks $GITLEAKS_VERSION built with -tags $TAGS"
	fi
fi

GL2=
GL2_DIFFS=
if want gitleaks-samere2; then
	[[ $CG_GORE2 =~ ^v[0-9] ]] || die "cannot tell which go-re2 channelguard uses (got '$CG_GORE2')"
	dir=$CACHE/gitleaks-$GITLEAKS_VERSION-$TAGS-go-re2-$CG_GORE2
	GL2=$dir/gitleaks
	if gitleaks_ok "$GL2" "$CG_GORE2"; then
		echo "gitleaks-samere2: $GL2 (cached)" >&2
	else
		echo "gitleaks-samere2: building $GITLEAKS_MODULE@$GITLEAKS_VERSION -tags $TAGS with $GORE2_MODULE@$CG_GORE2 into $dir" >&2
		mkdir -p "$dir"
		# A module of its own, outside this repository: gitleaks as released,
		# go-re2 raised to channelguard's version (and what that version
		# requires raised with it, by minimal version selection).
		mod=$WORK/gitleaks-samere2-module
		mkdir -p "$mod"
		(
			cd "$mod" &&
				go mod init channelguard-bench/gitleaks-samere2 >/dev/null 2>&1 &&
				go get "$GITLEAKS_MODULE@$GITLEAKS_VERSION" "$GORE2_MODULE@$CG_GORE2" >/dev/null 2>&1 &&
				go build -mod=mod -tags "$TAGS" -o "$GL2" "$GITLEAKS_MODULE"
		) || die "cannot build gitleaks with $GORE2_MODULE@$CG_GORE2"
		gitleaks_ok "$GL2" "$CG_GORE2" || die "$GL2 is not gitleaks $GITLEAKS_VERSION built with -tags $TAGS and go-re2 $CG_GORE2"
	fi
	if [[ -n $GL ]]; then
		# what differs from the released build: go-re2 and what it pulled in
		diffs=$(join -t $'\t' -a1 -a2 -e '(none)' -o 0,1.2,2.2 \
			<(go version -m "$GL" | awk '$1 == "dep" {print $2 "\t" $3}' | sort) \
			<(go version -m "$GL2" | awk '$1 == "dep" {print $2 "\t" $3}' | sort) |
			awk -F'\t' '$2 != $3 {printf "%s%s %s -> %s", sep, $1, $2, $3; sep = "; "}')
		echo "gitleaks-samere2 differs from gitleaks as released in: ${diffs:-nothing}" >&2
		GL2_DIFFS=$diffs
	fi
fi

# row descriptions, with the regex runtime of every scanner
describe() { # describe TOOL REPO
	case $1 in
	git-log-gitleaks) echo "gitleaks' git command, output read and discarded: $("$GITFLOOR" -as gitleaks -print "$2")" ;;
	git-log-cg) echo "channelguard's git commands (--jobs $JOBS) and environment (core.deltaBaseCacheLimit=16m …), output read and discarded: $("$GITFLOOR" -as channelguard -jobs "$JOBS" -print "$2" | sed 's/^GIT_CONFIG_PARAMETERS="[^"]*" //' | paste -sd ';' - | sed 's/;/; /g')" ;;
	gitleaks) echo "gitleaks $GITLEAKS_VERSION as released, go install -tags $TAGS; regex: $(regex_runtime "$GL")" ;;
	gitleaks-quiet) echo "gitleaks as released with --log-level error; regex: $(regex_runtime "$GL")" ;;
	gitleaks-samere2) echo "gitleaks $GITLEAKS_VERSION built -tags $TAGS against channelguard's go-re2${GL2_DIFFS:+ (differs from the release in: $GL2_DIFFS)}; regex: $(regex_runtime "$GL2")" ;;
	channelguard) echo "channelguard scan --no-cache (a full scan), $CG_DESC; regex: $(regex_runtime "$CG")" ;;
	channelguard-re2) echo "channelguard scan --no-cache, -tags $TAGS,re2_cgo; regex: $(regex_runtime "$CG_RE2")" ;;
	channelguard-rescan) echo "channelguard scan through the cache of an untimed first scan (nothing new); regex: $(regex_runtime "$CG")" ;;
	channelguard-re2-rescan) echo "the same with the native-RE2 build; regex: $(regex_runtime "$CG_RE2")" ;;
	channelguard-pr100) echo "channelguard pr, pull_request event of HEAD~100..HEAD, SARIF, summary, annotations (no token, no API); regex: $(regex_runtime "$CG")" ;;
	esac
}

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1 || true)
mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo 2>/dev/null || true)
cat <<EOF
date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)
machine:  $(uname -sm), $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cores${cpu_model:+, $cpu_model}${mem:+, $mem}
tools:    $(go version | cut -d' ' -f3-), $(git --version)${GL:+, gitleaks $GITLEAKS_VERSION -tags $TAGS (go-re2 $(dep_version "$GL" "$GORE2_MODULE"))}${GL2:+, gitleaks-samere2 (go-re2 $CG_GORE2)}${CG:+, channelguard $CG_DESC (go-re2 $CG_GORE2)}
targets:  ${REPOS[*]}
runs:     $RUNS rounds per repository of: ${TOOLS[*]} (order rotates each round)
EOF

# mb BYTES: "12.3 MB", or "? MB" when git could not say (a partial history)
mb() {
	if [[ -n $1 ]]; then awk -v b="$1" 'BEGIN {printf "%.1f MB", b/1e6}'; else echo "? MB"; fi
}

# --- one repository ------------------------------------------------------------
# bench_repo INDEX REPO: measures REPO, prints its table and checks; sets
# REPO_RC (0 or 1) and leaves rows.txt, ratios.txt, coverage.txt in its dir.
bench_repo() {
	local idx=$1 repo=$2
	local dir=$WORK/repo-$idx
	mkdir -p "$dir"
	local results=$dir/results.tsv
	REPO_RC=0

	echo >&2
	echo "== target $idx: $repo" >&2
	# gitleaks reads the target's .gitleaks.toml and .gitleaksignore (and
	# cannot be told not to read the latter); channelguard reads neither.
	# To compare both on gitleaks' default rules, every row of such a
	# target scans a bare mirror of it: the same refs and objects
	# (hard-linked), no working tree, so no such file.
	local shown=$repo note=
	if [[ -e $repo/.gitleaks.toml || -e $repo/.gitleaksignore ]]; then
		git clone -q --mirror "$repo" "$dir/mirror.git" 2>"$dir/mirror.log" || {
			cat "$dir/mirror.log" >&2
			die "cannot make a bare mirror of $repo"
		}
		note=" (every row scans a bare mirror of it: its .gitleaks.toml / .gitleaksignore would change gitleaks' rules and channelguard reads neither)"
		echo "run.sh: $repo has .gitleaks.toml or .gitleaksignore: scanning a bare mirror of it instead" >&2
		repo=$dir/mirror.git
	fi
	local commits_all commits_head refs gl_bytes cg_bytes
	commits_all=$(git -C "$repo" rev-list --all --count)
	commits_head=$(git -C "$repo" rev-list --count HEAD)
	refs=$(git -C "$repo" for-each-ref | wc -l | tr -d ' ')
	# Untimed warm-up: fills the page cache for every tool and sizes the
	# history each scanner reads. A history git cannot read whole (a
	# damaged clone, a snapshot without its large blobs) is still
	# benchmarked, as partial: git log stops at the first missing object,
	# so the floors and gitleaks read only part of it, while channelguard
	# reads around it and names what it could not read (gaps).
	local as
	DAMAGED=
	: >"$dir/partial.txt"
	for as in gitleaks channelguard; do
		"$GITFLOOR" -as "$as" -jobs "$JOBS" "$repo" >/dev/null 2>"$dir/warm-$as.log" || {
			tail -n 3 "$dir/warm-$as.log" | sed 's/^/    /' >&2
			missing_object "$dir/warm-$as.log" ||
				die "git log -p --all, as $as runs it, failed on $shown"
			DAMAGED=$(grep -m1 -E "$MISSING_OBJECT" "$dir/warm-$as.log" | sed 's/\x1b\[[0-9;]*m//g; s/^gitfloor: //')
		}
	done
	if [[ -n $DAMAGED ]]; then
		echo "run.sh: $shown cannot be read whole by git log ($DAMAGED): benchmarking it as a partial history (see bench/README.md, Targets)" >&2
		partial "$dir" "history: git log stops at a missing object ($DAMAGED): the floors and gitleaks read only part of it, so no ratio is comparable"
	fi
	gl_bytes=$(sed -n 's/^gitfloor: \([0-9]*\) bytes.*/\1/p' "$dir/warm-gitleaks.log")
	cg_bytes=$(sed -n 's/^gitfloor: \([0-9]*\) bytes.*/\1/p' "$dir/warm-channelguard.log")

	echo
	echo "### $shown"
	echo
	cat <<EOF
target:   $shown at $(git -C "$repo" rev-parse --short HEAD)$note
history:  $commits_all commits from $refs refs ($commits_head from HEAD); patches read: $(mb "$gl_bytes") by gitleaks' git log, $(mb "$cg_bytes") by channelguard's
rows:
EOF
	local t
	for t in "${TOOLS[@]}"; do
		printf '  %-24s %s\n' "$t" "$(describe "$t" "$repo")"
	done | tee "$dir/rows.txt"
	[[ -z $DAMAGED ]] || echo "partial:  git log cannot read this history whole ($DAMAGED); see the notes below the table"

	if want channelguard-rescan; then
		echo "== first scan for channelguard-rescan (untimed)" >&2
		first_scan "$CG" "$dir/cache-channelguard-rescan" "$repo" "$dir"
	fi
	if want channelguard-re2-rescan; then
		echo "== first scan for channelguard-re2-rescan (untimed)" >&2
		first_scan "$CG_RE2" "$dir/cache-channelguard-re2-rescan" "$repo" "$dir"
	fi
	if want channelguard-pr100; then
		# a pull request of the last 100 commits on HEAD's first-parent line
		local pr_base pr_head pr_commits
		pr_base=$(git -C "$repo" rev-parse --verify --quiet "HEAD~100^{commit}") ||
			pr_base=$(git -C "$repo" rev-list --max-parents=0 HEAD | tail -n 1)
		pr_head=$(git -C "$repo" rev-parse HEAD)
		pr_commits=$(git -C "$repo" rev-list --count "$pr_base..$pr_head")
		printf '{"number": 1, "pull_request": {"number": 1, "base": {"sha": "%s", "ref": "main"}, "head": {"sha": "%s", "ref": "pr"}}, "repository": {"full_name": "bench/repo", "default_branch": "main"}}\n' \
			"$pr_base" "$pr_head" >"$dir/pr-event.json"
		echo "channelguard-pr100: pull request $pr_base..$pr_head ($pr_commits commits)" >&2
	fi

	echo "== measuring $repo" >&2
	local n=${#TOOLS[@]} round i
	for ((round = 1; round <= RUNS; round++)); do
		for ((i = 0; i < n; i++)); do
			run_tool "${TOOLS[$(((round - 1 + i) % n))]}" "$round" "$repo" "$dir"
		done
	done

	echo
	echo "medians of $RUNS runs (CPU = user+sys incl. children such as git; RSS = largest single process (rusage);"
	echo "tree RSS = peak sum over the tool and its children, sampled every 20 ms; mem ratios use tree RSS):"
	"$MEASURE" summary "${SUMMARY_ARGS[@]}" "$results" | tee "$dir/summary.txt"
	"$MEASURE" summary -markdown "${SUMMARY_ARGS[@]}" "$results" >"$dir/table.md"
	sed -n '/ ÷ .*: wall /p' "$dir/summary.txt" >"$dir/ratios.txt"
	if [[ -s $dir/partial.txt ]]; then
		echo
		echo "partial reads (recorded, not failures):"
		sed 's/^/  /' "$dir/partial.txt"
	fi
	printf '%s\t%s\t%s\t%s\n' "$commits_all" "$refs" "$gl_bytes" "$cg_bytes" >"$dir/meta.tsv"

	# --- coverage and cross-checks
	local ref=
	if want gitleaks; then
		ref=gitleaks
	elif want gitleaks-samere2; then
		ref=gitleaks-samere2
	fi
	local rc=0
	: >"$dir/compare.txt"
	if want channelguard && [[ -n $ref ]]; then
		echo
		echo "coverage of the findings of $ref by channelguard's (bench/compare, last round's reports):"
		"$WORK/compare" -repo "$repo" "$dir/$ref.json" "$dir/channelguard.json" | tee -a "$dir/compare.txt" || rc=$?
		[[ $rc -le 1 ]] || die "compare failed"
		if [[ $rc -eq 1 ]]; then
			echo "run.sh: $repo: some $ref findings are neither occurrences in channelguard's report nor explained (listed above)" >&2
			REPO_RC=1
		fi
		# "1625 covered + 64 explained of 1689, 0 missing" from
		# "coverage: 1689 gitleaks findings: 1625 covered, 64 explained, 0 missing; channelguard gaps 0"
		sed -n 's/^coverage: \([0-9]*\) gitleaks findings: \([0-9]*\) covered, \([0-9]*\) explained, \([0-9]*\) missing.*/\2 covered + \3 explained of \1, \4 missing/p' \
			"$dir/compare.txt" >"$dir/coverage.txt"
	fi
	local checks=()
	if want gitleaks && want gitleaks-samere2; then
		if "$WORK/compare" -same-gitleaks "$dir/gitleaks.json" "$dir/gitleaks-samere2.json" | tee -a "$dir/compare.txt"; then
			checks+=("gitleaks-samere2 = gitleaks")
		else
			echo "run.sh: $repo: gitleaks-samere2 reported other findings than gitleaks" >&2
			checks+=("gitleaks-samere2 DIFFERS from gitleaks")
			REPO_RC=1
		fi
	fi
	local other
	for other in channelguard-re2 channelguard-rescan channelguard-re2-rescan; do
		if want channelguard && want "$other"; then
			if "$WORK/compare" -same "$dir/channelguard.json" "$dir/$other.json" | tee -a "$dir/compare.txt"; then
				checks+=("$other = channelguard")
			else
				echo "run.sh: $repo: $other reported other findings than channelguard's full scan" >&2
				checks+=("$other DIFFERS from channelguard")
				REPO_RC=1
			fi
		fi
	done
	(IFS=';' && echo "${checks[*]:-}") | sed 's/;/; /g' >"$dir/checks.txt"
	# the reports hold secrets: gone before the next repository
	rm -f "$dir"/*.json "$dir"/*.sarif
}

first_scan() { # first_scan BINARY CACHE_DIR REPO DIR: the untimed scan a rescan row repeats
	local rc=0
	rm -f "$4/channelguard-first.json"
	"$1" scan "$3" --format json --output "$4/channelguard-first.json" -q --cache "$2" --jobs "$JOBS" 2>"$4/first.log" || rc=$?
	[[ $rc -le 1 ]] || scan_gaps "$4/channelguard-first.json" >/dev/null || {
		tail -n 5 "$4/first.log" >&2
		die "channelguard's first scan of $3 failed"
	}
}

# MISSING_OBJECT: git's words for an object it could not read (those
# scanner/gitrepo.MissingObject looks for)
MISSING_OBJECT='unable to read|could not fetch|bad object|missing blob|missing tree|is corrupt|bad tree object|lazy fetching disabled|not allowed'
missing_object() { # missing_object LOG: git said it could not read an object
	grep -qE "$MISSING_OBJECT" "$1"
}

partial() { # partial DIR NOTE: a partial read, noted once per repository
	grep -qxF -- "$2" "$1/partial.txt" 2>/dev/null || echo "$2" >>"$1/partial.txt"
}

# scan_gaps REPORT: "N gaps (M objects unreadable)" when REPORT is a channelguard
# report naming gaps, which is what a scan that exits 2 must leave; fails
# otherwise (no report, not a report, or no gaps: a real error)
scan_gaps() {
	local g
	[[ -s $1 ]] && g=$("$WORK/compare" -gaps "$1" 2>/dev/null) && [[ $g != "0 gaps "* ]] && echo "$g"
}

exit_code() { # exit_code DIR TOOL ROUND: the tool's exit status, from results.tsv
	awk -F'\t' -v l="$2" -v r="$3" '$1 == l && $2 == r { c = $8 } END { print c }' "$1/results.tsv"
}

run_tool() { # run_tool TOOL ROUND REPO DIR
	local tool=$1 round=$2 repo=$3 dir=$4 rc=0
	local log=$dir/$tool.log
	local m=("$MEASURE" run -label "$tool" -round "$round" -results "$dir/results.tsv" -stderr "$log")
	# Every tool runs from the empty dir so no stray .gitleaksignore in the
	# caller's directory applies, and without gitleaks' config variables.
	# a history git cannot read whole: the floors stop at the missing
	# object (exit 2), as in the warm-up
	local floor_ok=0
	[[ -z $DAMAGED ]] || floor_ok=0,2
	case $tool in
	git-log-gitleaks)
		(cd "$dir" && "${m[@]}" -ok "$floor_ok" -- "$GITFLOOR" -as gitleaks "$repo") || rc=$?
		;;
	git-log-cg)
		(cd "$dir" && "${m[@]}" -ok "$floor_ok" -- "$GITFLOOR" -as channelguard -jobs "$JOBS" "$repo") || rc=$?
		;;
	gitleaks | gitleaks-samere2 | gitleaks-quiet)
		local bin=$GL extra=()
		[[ $tool == gitleaks-samere2 ]] && bin=$GL2
		[[ $tool == gitleaks-quiet ]] && extra=(--log-level error)
		(cd "$dir" && "${m[@]}" -- env -u GITLEAKS_CONFIG -u GITLEAKS_CONFIG_TOML \
			"$bin" git "$repo" --report-format json --report-path "$dir/$tool.json" \
			--no-banner --exit-code 0 "${extra[@]}") || rc=$?
		;;
	channelguard | channelguard-re2)
		# --no-cache: a full scan every round (it still writes the state,
		# as a real first scan does). Exit 2 is accepted here and judged
		# below: a partial scan (report written, gaps) or an error.
		local bin=$CG
		[[ $tool == channelguard-re2 ]] && bin=$CG_RE2
		rm -f "$dir/$tool.json"
		(cd "$dir" && "${m[@]}" -ok 0,1,2 -- \
			"$bin" scan "$repo" --format json --output "$dir/$tool.json" -q --no-cache --cache "$dir/cache-$tool" --jobs "$JOBS") || rc=$?
		;;
	channelguard-rescan | channelguard-re2-rescan)
		# the repository has not changed since the untimed first scan
		local bin=$CG
		[[ $tool == channelguard-re2-rescan ]] && bin=$CG_RE2
		rm -f "$dir/$tool.json"
		(cd "$dir" && "${m[@]}" -ok 0,1,2 -- \
			"$bin" scan "$repo" --format json --output "$dir/$tool.json" -q --cache "$dir/cache-$tool" --jobs "$JOBS") || rc=$?
		;;
	channelguard-pr100)
		# end to end as in GitHub Actions: event payload, range, base's
		# secrets dropped, SARIF, summary and annotations (no token: no API)
		rm -f "$dir/pr.sarif"
		(cd "$dir" && "${m[@]}" -ok 0,1,2 -- \
			env GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH="$dir/pr-event.json" GITHUB_STEP_SUMMARY="$dir/pr-summary.md" \
			"$CG" pr --path "$repo" --sarif "$dir/pr.sarif") || rc=$?
		;;
	esac
	if [[ $rc -eq 0 && $tool == channelguard* ]] && [[ $(exit_code "$dir" "$tool" "$round") == 2 ]]; then
		# channelguard exits 2 after writing a report with coverage gaps (a
		# missing object): a partial scan, recorded; exit 2 without such a
		# report is an error
		local gaps=
		if [[ $tool == channelguard-pr100 ]]; then
			[[ -s $dir/pr.sarif ]] && grep -q 'could not be read' "$log" && gaps="gaps (its SARIF's notifications)"
		else
			gaps=$(scan_gaps "$dir/$tool.json") || gaps=
		fi
		if [[ -n $gaps ]]; then
			partial "$dir" "$tool: partial scan: exit 2 after writing its report, which names $gaps; every other commit and file scanned"
		else
			rc=2
		fi
	fi
	if [[ $rc -ne 0 ]]; then
		# Error messages only: without -v neither scanner logs findings.
		echo "run.sh: $tool failed in round $round on $repo; last lines of its stderr:" >&2
		tail -n 5 "$log" | sed 's/\x1b\[[0-9;]*m//g; s/^/    /' >&2
		exit 2
	fi
	if [[ $tool == gitleaks* ]] && grep -q '\[git\]' "$log"; then
		# gitleaks logs git's stderr and carries on: its report may be partial.
		echo "run.sh: warning: git reported errors to $tool (report may be partial):" >&2
		grep '\[git\]' "$log" | sed 's/\x1b\[[0-9;]*m//g' | head -n 3 | sed 's/^/    /' >&2
		partial "$dir" "$tool: git reported errors ($(grep -m1 '\[git\]' "$log" | sed 's/\x1b\[[0-9;]*m//g; s/.*\[git\] *//')); gitleaks stopped reading the history there and wrote what it had"
	fi
	if [[ $tool == git-log-* ]] && [[ $(exit_code "$dir" "$tool" "$round") == 2 ]]; then
		partial "$dir" "$tool: git log stopped at the missing object; it timed part of the history"
	fi
}

# the table's ratio columns, and the ratio lines under it
SUMMARY_ARGS=(-base gitleaks,gitleaks-samere2,git-log-gitleaks
	-ratios "channelguard/gitleaks,channelguard/gitleaks-samere2,channelguard/git-log-gitleaks,channelguard/git-log-cg,channelguard-re2/gitleaks,channelguard-re2/gitleaks-samere2,channelguard-re2/channelguard,gitleaks-samere2/gitleaks,gitleaks/git-log-gitleaks,gitleaks-samere2/git-log-gitleaks,git-log-cg/git-log-gitleaks,channelguard-rescan/channelguard,channelguard-re2-rescan/channelguard,channelguard-pr100/channelguard")

# ratio_of DIR "A ÷ B": "wall / CPU / mem" from the repository's ratio lines
ratio_of() {
	awk -v p="$2: " 'index($0, p) == 1 {
		$0 = substr($0, length(p) + 1); gsub(/(wall|CPU|memory) /, ""); gsub(/, /, " / "); print; found = 1; exit
	} END { if (!found) print "–" }' "$1/ratios.txt"
}

# --- every repository ------------------------------------------------------------
RC=0
for i in "${!REPOS[@]}"; do
	bench_repo "$((i + 1))" "${REPOS[$i]}"
	[[ $REPO_RC -eq 0 ]] || RC=1
done

# one summary: every repository's ratios (wall / CPU / tree memory), its
# coverage and cross-checks
{
	echo
	echo "## summary: ${#REPOS[@]} repositories, medians of $RUNS runs; ratios are wall / CPU / memory"
	echo
	echo "| repository | commits | MB of patches (gitleaks / channelguard) | channelguard ÷ gitleaks | ÷ gitleaks-samere2 | ÷ git-log-gitleaks | ÷ git-log-cg | gitleaks-samere2 ÷ gitleaks | gitleaks findings: channelguard occurrences + chosen differences | cross-checks | partial reads |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
	for i in "${!REPOS[@]}"; do
		dir=$WORK/repo-$((i + 1))
		IFS=$'\t' read -r commits refs glb cgb <"$dir/meta.tsv"
		cov=$(cat "$dir/coverage.txt" 2>/dev/null || true)
		partial_notes=$(sed 's/:.*//' "$dir/partial.txt" 2>/dev/null | paste -sd ';' - | sed 's/;/; /g')
		printf '| %s | %s (%s refs) | %s / %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
			"$(basename "${REPOS[$i]}")" "$commits" "$refs" \
			"$(mb "$glb" | sed 's/ MB//')" "$(mb "$cgb" | sed 's/ MB//')" \
			"$(ratio_of "$dir" "channelguard ÷ gitleaks")" "$(ratio_of "$dir" "channelguard ÷ gitleaks-samere2")" \
			"$(ratio_of "$dir" "channelguard ÷ git-log-gitleaks")" "$(ratio_of "$dir" "channelguard ÷ git-log-cg")" \
			"$(ratio_of "$dir" "gitleaks-samere2 ÷ gitleaks")" "${cov:-–}" "$(cat "$dir/checks.txt")" "${partial_notes:-–}"
	done
} | tee "$WORK/summary-all.txt"

if [[ -n ${BENCH_OUT:-} ]]; then
	mkdir -p "$BENCH_OUT"
	for i in "${!REPOS[@]}"; do
		dir=$WORK/repo-$((i + 1))
		name=$(basename "${REPOS[$i]}")
		out=$BENCH_OUT/$((i + 1))-${name%.git}
		mkdir -p "$out"
		for f in results.tsv table.md rows.txt ratios.txt compare.txt summary.txt partial.txt; do
			[[ -f $dir/$f ]] && cp "$dir/$f" "$out/$f"
		done
	done
	cp "$WORK/summary-all.txt" "$BENCH_OUT/summary.txt"
	echo "results kept in $BENCH_OUT (timings, counts and hashes only, no reports)" >&2
fi
exit "$RC"
