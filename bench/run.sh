#!/usr/bin/env bash
# bench/run.sh REPO_PATH [RUNS]
#
# Compares `channelguard scan` with gitleaks v8.30.1 (both built with
# -tags gore2regex) and a bare `git log -p` on the full history of one
# repository, in one run, alternating the tools for RUNS rounds (default 3).
# channelguard runs three ways: a full scan (--no-cache), a full scan by the
# native-RE2 build (-tags gore2regex,re2_cgo; when libre2-dev is installed)
# a rescan of the unchanged repository through the cache, and `channelguard
# pr` on a pull request of the last 100 commits of HEAD. Prints wall
# time, CPU time (user+sys, children included) and peak RSS as medians with
# ratios, then checks with bench/compare that every gitleaks finding is in
# channelguard's report.
#
# Environment:
#   BENCH_TOOLS        tools to run, default "git-log gitleaks channelguard
#                      channelguard-re2 channelguard-rescan channelguard-re2-rescan
#                      channelguard-pr100"
#                      (also: gitleaks-quiet; the -re2 rows are left out when
#                      libre2-dev is missing)
#   CHANNELGUARD_BIN   use this binary instead of building ./cmd/channelguard
#   BENCH_REV          build channelguard from this commit (git archive) instead
#                      of the work tree, e.g. BENCH_REV=HEAD to leave out
#                      uncommitted changes
#   BENCH_OUT          directory to keep results.tsv, table.md and compare.txt in
#                      (never the reports: gitleaks' report holds raw secrets)
#   XDG_CACHE_HOME     gitleaks is cached under $XDG_CACHE_HOME/channelguard-bench
#
# Exit status: 0 done and every gitleaks finding covered, 1 some gitleaks
# finding missing from channelguard's report, 2 error.
set -euo pipefail
umask 077

GITLEAKS_MODULE=github.com/zricethezav/gitleaks/v8
GITLEAKS_VERSION=v8.30.1
TAGS=gore2regex

die() {
	echo "run.sh: $*" >&2
	exit 2
}
usage() {
	echo "usage: bench/run.sh REPO_PATH [RUNS]" >&2
	exit 2
}

[[ $# -ge 1 && $# -le 2 ]] || usage
REPO_ARG=$1
RUNS=${2:-3}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
command -v git >/dev/null || die "git not found in PATH"
command -v go >/dev/null || die "go not found in PATH"
[[ -d $REPO_ARG ]] || die "$REPO_ARG: no such directory"
REPO=$(cd "$REPO_ARG" && pwd -P)
if ! git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
	die "$REPO_ARG is not a git repository"
fi
if [[ $(git -C "$REPO" rev-parse --is-bare-repository) == false ]]; then
	top=$(git -C "$REPO" rev-parse --show-toplevel)
	if [[ $top != "$REPO" ]]; then
		echo "run.sh: $REPO_ARG is inside a repository; scanning its top level $top" >&2
		REPO=$top
	fi
fi
if ! git -C "$REPO" rev-parse --verify --quiet HEAD >/dev/null; then
	die "$REPO has no commits"
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/channelguard-bench
GL_DIR=$CACHE/gitleaks-$GITLEAKS_VERSION-$TAGS
GL=$GL_DIR/gitleaks
RE2_HEADER=/usr/include/re2/re2.h
default_tools="git-log gitleaks channelguard channelguard-re2 channelguard-rescan channelguard-re2-rescan channelguard-pr100"
if [[ -z ${BENCH_TOOLS:-} && ! -f $RE2_HEADER ]]; then
	echo "run.sh: $RE2_HEADER not found (apt-get install libre2-dev): no channelguard-re2 row" >&2
	default_tools="git-log gitleaks channelguard channelguard-rescan channelguard-pr100"
fi
read -r -a TOOLS <<<"${BENCH_TOOLS:-$default_tools}"
want() {
	local t
	for t in "${TOOLS[@]}"; do [[ $t == "$1" ]] && return 0; done
	return 1
}
for t in "${TOOLS[@]}"; do
	case $t in git-log | gitleaks | gitleaks-quiet | channelguard | channelguard-re2 | channelguard-rescan | channelguard-re2-rescan | channelguard-pr100) ;; *) die "unknown tool '$t' in BENCH_TOOLS" ;; esac
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/channelguard-bench.XXXXXX")
# The reports hold secrets (gitleaks writes them raw): they live only here.
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
RESULTS=$WORK/results.tsv

# --- build -----------------------------------------------------------------
echo "== building" >&2
(cd "$ROOT" && go build -o "$WORK/measure" ./bench/cmd/measure) || die "cannot build bench/cmd/measure"
(cd "$ROOT" && go build -o "$WORK/compare" ./bench/compare) || die "cannot build bench/compare"
MEASURE=$WORK/measure

CG=
CG_RE2=
CG_DESC=
if want channelguard || want channelguard-rescan || want channelguard-re2 || want channelguard-re2-rescan || want channelguard-pr100; then
	if [[ -n ${CHANNELGUARD_BIN:-} ]]; then
		[[ -x $CHANNELGUARD_BIN ]] || die "CHANNELGUARD_BIN=$CHANNELGUARD_BIN is not executable"
		CG=$CHANNELGUARD_BIN
		CG_DESC=$CG
		echo "channelguard: $CG (from CHANNELGUARD_BIN)" >&2
		{ want channelguard-re2 || want channelguard-re2-rescan; } && die "the -re2 rows are built from source: unset CHANNELGUARD_BIN or leave them out of BENCH_TOOLS"
	else
		CG=$WORK/channelguard
		src=$ROOT
		if [[ -n ${BENCH_REV:-} ]]; then
			rev=$(git -C "$ROOT" rev-parse --verify --quiet "${BENCH_REV}^{commit}") || die "BENCH_REV=$BENCH_REV is not a commit"
			src=$WORK/src
			mkdir -p "$src"
			git -C "$ROOT" archive "$rev" | tar -x -C "$src"
			CG_DESC="commit $(git -C "$ROOT" rev-parse --short "$rev")"
		else
			CG_DESC="work tree at $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
		fi
		(cd "$src" && go build -tags "$TAGS" -o "$CG" ./cmd/channelguard) ||
			die "cannot build ./cmd/channelguard (set BENCH_TOOLS=\"git-log gitleaks\" to benchmark without it)"
		echo "channelguard: built from $CG_DESC" >&2
		if want channelguard-re2 || want channelguard-re2-rescan; then
			[[ -f $RE2_HEADER ]] || die "channelguard-re2 needs libre2-dev ($RE2_HEADER not found)"
			CG_RE2=$WORK/channelguard-re2
			(cd "$src" && go build -tags "$TAGS,re2_cgo" -o "$CG_RE2" ./cmd/channelguard 2>"$WORK/re2-build.log") || {
				cat "$WORK/re2-build.log" >&2
				die "cannot build ./cmd/channelguard with -tags $TAGS,re2_cgo"
			}
			echo "channelguard-re2: built from $CG_DESC with -tags $TAGS,re2_cgo (native RE2)" >&2
		fi
	fi
fi

gitleaks_ok() {
	local info
	[[ -x $GL ]] || return 1
	info=$(go version -m "$GL" 2>/dev/null) || return 1
	[[ $info == *"$GITLEAKS_MODULE"$'\t'"$GITLEAKS_VERSION"$'\t'* && $info == *"-tags=$TAGS"* ]]
}
if want gitleaks || want gitleaks-quiet; then
	if gitleaks_ok; then
		echo "gitleaks: $GL (cached)" >&2
	else
		echo "gitleaks: installing $GITLEAKS_MODULE@$GITLEAKS_VERSION -tags $TAGS into $GL_DIR" >&2
		mkdir -p "$GL_DIR"
		# Outside any module, so this repository's go.mod plays no part.
		(cd "$WORK" && GOBIN=$GL_DIR go install -tags "$TAGS" "$GITLEAKS_MODULE@$GITLEAKS_VERSION") ||
			die "cannot install gitleaks"
		gitleaks_ok || die "$GL is not gitleaks $GITLEAKS_VERSION built with -tags $TAGS"
	fi
	for f in .gitleaks.toml .gitleaksignore; do
		if [[ -e $REPO/$f ]]; then
			echo "run.sh: warning: $REPO/$f exists; gitleaks will use it" >&2
		fi
	done
fi

# --- the target ------------------------------------------------------------
echo "== target" >&2
commits_all=$(git -C "$REPO" rev-list --all --count)
commits_head=$(git -C "$REPO" rev-list --count HEAD)
refs=$(git -C "$REPO" for-each-ref | wc -l | tr -d ' ')
# Untimed warm-up: fills the page cache for every tool and sizes the history.
log_bytes=$(git -C "$REPO" log -p -U0 --full-history --all | wc -c | tr -d ' ') ||
	die "git log -p --all failed on $REPO (missing objects? a partial clone cannot be scanned)"

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1 || true)
mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo 2>/dev/null || true)
cat <<EOF
date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)
machine:  $(uname -sm), $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cores${cpu_model:+, $cpu_model}${mem:+, $mem}
tools:    $(go version | cut -d' ' -f3-), $(git --version), gitleaks $GITLEAKS_VERSION -tags $TAGS${CG_DESC:+, channelguard $CG_DESC}
target:   $REPO at $(git -C "$REPO" rev-parse --short HEAD)
history:  $commits_all commits from $refs refs ($commits_head from HEAD); git log -p -U0 --all = $(awk -v b="$log_bytes" 'BEGIN {printf "%.1f MB", b/1e6}')
runs:     $RUNS rounds of: ${TOOLS[*]} (order rotates each round)
EOF

# --- measure ---------------------------------------------------------------
# Every tool runs from the empty work dir so no stray .gitleaksignore in the
# caller's directory applies, and without gitleaks' config variables.
cd "$WORK"
run_tool() { # run_tool TOOL ROUND
	local tool=$1 round=$2 rc=0
	local log=$WORK/$tool.log
	case $tool in
	git-log)
		"$MEASURE" run -label git-log -round "$round" -results "$RESULTS" -stderr "$log" -- \
			git -C "$REPO" log -p -U0 --full-history --all || rc=$?
		;;
	gitleaks)
		"$MEASURE" run -label gitleaks -round "$round" -results "$RESULTS" -stderr "$log" -- \
			env -u GITLEAKS_CONFIG -u GITLEAKS_CONFIG_TOML \
			"$GL" git "$REPO" --report-format json --report-path "$WORK/gitleaks.json" \
			--no-banner --exit-code 0 || rc=$?
		;;
	gitleaks-quiet)
		"$MEASURE" run -label gitleaks-quiet -round "$round" -results "$RESULTS" -stderr "$log" -- \
			env -u GITLEAKS_CONFIG -u GITLEAKS_CONFIG_TOML \
			"$GL" git "$REPO" --report-format json --report-path "$WORK/gitleaks-quiet.json" \
			--no-banner --exit-code 0 --log-level error || rc=$?
		;;
	channelguard)
		# --no-cache: a full scan every round (it still writes the state,
		# as a real first scan does)
		"$MEASURE" run -label channelguard -round "$round" -results "$RESULTS" -ok 0,1 -stderr "$log" -- \
			"$CG" scan "$REPO" --format json --output "$WORK/channelguard.json" -q --no-cache --cache "$WORK/cache-full" || rc=$?
		;;
	channelguard-re2)
		"$MEASURE" run -label channelguard-re2 -round "$round" -results "$RESULTS" -ok 0,1 -stderr "$log" -- \
			"$CG_RE2" scan "$REPO" --format json --output "$WORK/channelguard-re2.json" -q --no-cache --cache "$WORK/cache-re2" || rc=$?
		;;
	channelguard-pr100)
		# end to end as in GitHub Actions: event payload, range, base's
		# secrets dropped, SARIF, summary and annotations (no token: no API)
		"$MEASURE" run -label channelguard-pr100 -round "$round" -results "$RESULTS" -ok 0,1 -stderr "$log" -- \
			env GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH="$WORK/pr-event.json" GITHUB_STEP_SUMMARY="$WORK/pr-summary.md" \
			"$CG" pr --path "$REPO" --sarif "$WORK/pr.sarif" || rc=$?
		;;
	channelguard-re2-rescan)
		"$MEASURE" run -label channelguard-re2-rescan -round "$round" -results "$RESULTS" -ok 0,1 -stderr "$log" -- \
			"$CG_RE2" scan "$REPO" --format json --output "$WORK/channelguard-re2-rescan.json" -q --cache "$WORK/cache-re2-rescan" || rc=$?
		;;
	channelguard-rescan)
		# the repository has not changed since the untimed first scan
		"$MEASURE" run -label channelguard-rescan -round "$round" -results "$RESULTS" -ok 0,1 -stderr "$log" -- \
			"$CG" scan "$REPO" --format json --output "$WORK/channelguard-rescan.json" -q --cache "$WORK/cache-rescan" || rc=$?
		;;
	esac
	if [[ $rc -ne 0 ]]; then
		# Error messages only: without -v neither scanner logs findings.
		echo "run.sh: $tool failed in round $round; last lines of its stderr:" >&2
		tail -n 5 "$log" | sed 's/\x1b\[[0-9;]*m//g; s/^/    /' >&2
		exit 2
	fi
	if [[ $tool == gitleaks* ]] && grep -q '\[git\]' "$log"; then
		# gitleaks logs git's stderr and carries on: its report may be partial.
		echo "run.sh: warning: git reported errors to $tool (report may be partial):" >&2
		grep '\[git\]' "$log" | sed 's/\x1b\[[0-9;]*m//g' | head -n 3 | sed 's/^/    /' >&2
	fi
}

first_scan() { # first_scan BINARY CACHE_DIR: the untimed scan a rescan row repeats
	local rc=0
	"$1" scan "$REPO" --format json --output "$WORK/channelguard-first.json" -q --cache "$2" 2>"$WORK/first.log" || rc=$?
	[[ $rc -le 1 ]] || {
		tail -n 5 "$WORK/first.log" >&2
		die "channelguard's first scan failed"
	}
}
if want channelguard-rescan; then
	echo "== first scan for channelguard-rescan (untimed)" >&2
	first_scan "$CG" "$WORK/cache-rescan"
fi
if want channelguard-re2-rescan; then
	echo "== first scan for channelguard-re2-rescan (untimed)" >&2
	first_scan "$CG_RE2" "$WORK/cache-re2-rescan"
fi

if want channelguard-pr100; then
	# a pull request of the last 100 commits on HEAD's first-parent line
	pr_base=$(git -C "$REPO" rev-parse --verify --quiet "HEAD~100^{commit}") ||
		pr_base=$(git -C "$REPO" rev-list --max-parents=0 HEAD | tail -n 1)
	pr_head=$(git -C "$REPO" rev-parse HEAD)
	pr_commits=$(git -C "$REPO" rev-list --count "$pr_base..$pr_head")
	printf '{"number": 1, "pull_request": {"number": 1, "base": {"sha": "%s", "ref": "main"}, "head": {"sha": "%s", "ref": "pr"}}, "repository": {"full_name": "bench/repo", "default_branch": "main"}}\n' \
		"$pr_base" "$pr_head" >"$WORK/pr-event.json"
	echo "channelguard-pr100: pull request $pr_base..$pr_head ($pr_commits commits)" >&2
fi

echo "== measuring" >&2
n=${#TOOLS[@]}
for ((round = 1; round <= RUNS; round++)); do
	for ((i = 0; i < n; i++)); do
		run_tool "${TOOLS[$(((round - 1 + i) % n))]}" "$round"
	done
done

echo
echo "medians of $RUNS runs (CPU = user+sys incl. children such as git; RSS = largest single process (rusage);"
echo "tree RSS = peak sum over the tool and its children, sampled every 20 ms; mem ratios use tree RSS):"
"$MEASURE" summary -base gitleaks,git-log,channelguard -focus channelguard,channelguard-re2,channelguard-rescan,channelguard-re2-rescan,channelguard-pr100 "$RESULTS"

# --- coverage --------------------------------------------------------------
rc=0
if want channelguard && want gitleaks; then
	echo
	echo "coverage (bench/compare, last round's reports):"
	"$WORK/compare" "$WORK/gitleaks.json" "$WORK/channelguard.json" | tee "$WORK/compare.txt" || rc=$?
	[[ $rc -le 1 ]] || die "compare failed"
fi

for other in channelguard-re2 channelguard-rescan channelguard-re2-rescan; do
	if want channelguard && want "$other"; then
		"$WORK/compare" -same "$WORK/channelguard.json" "$WORK/$other.json" | tee -a "$WORK/compare.txt" || {
			echo "run.sh: $other reported other findings than channelguard's full scan" >&2
			rc=1
		}
	fi
done

if [[ -n ${BENCH_OUT:-} ]]; then
	mkdir -p "$BENCH_OUT"
	cp "$RESULTS" "$BENCH_OUT/results.tsv"
	"$MEASURE" summary -markdown -base gitleaks,git-log,channelguard -focus channelguard,channelguard-re2,channelguard-rescan,channelguard-re2-rescan,channelguard-pr100 "$RESULTS" >"$BENCH_OUT/table.md"
	[[ -f $WORK/compare.txt ]] && cp "$WORK/compare.txt" "$BENCH_OUT/compare.txt"
	echo "results kept in $BENCH_OUT (timings and counts only, no reports)" >&2
fi
exit "$rc"
