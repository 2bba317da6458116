#!/usr/bin/env bash
# Regenerates the captures in this directory: records the mock LINE
# Developers console (internal/mockconsole) with headless Chromium, once
# with the 2019 bug and once fixed, one HAR per role, then writes the
# hand-made variants in quirks/ from the recorded member capture.
# Every credential involved is fake (internal/fakecred, fixed seeds).
#
# Needs: Go, Node.js 20+, npm (registry reachable for `npm ci`), and
# Debian's chromium (installed here with apt-get when missing: needs root).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
chromium="${CHROMIUM:-/usr/bin/chromium}"

if [[ ! -x "$chromium" ]]; then
	echo "record.sh: installing Debian's chromium" >&2
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi

(cd "$here/record" && npm ci --no-audit --no-fund --loglevel=error)

work="$(mktemp -d)"
server_pid=""
cleanup() {
	if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

(cd "$root" && go build -o "$work/mockconsole" ./internal/mockconsole/cmd/mockconsole)

# record MODE-FLAG SUFFIX: start the console on a free loopback port, record
# the three roles, stop it.
record() {
	local flag="$1" suffix="$2"
	: >"$work/url"
	"$work/mockconsole" -addr 127.0.0.1:0 $flag >"$work/url" &
	server_pid=$!
	for _ in $(seq 50); do
		[[ -s "$work/url" ]] && break
		sleep 0.1
	done
	local url
	url="$(head -n1 "$work/url")"
	[[ -n "$url" ]] || { echo "record.sh: mock console did not start" >&2; exit 1; }
	echo "record.sh: recording ${flag:-buggy} console at $url" >&2
	(cd "$here/record" && node record.mjs --url "$url" --out "$here" "--suffix=$suffix" --chromium "$chromium")
	kill "$server_pid"
	wait "$server_pid" 2>/dev/null || true
	server_pid=""
}

record "" ""
record "-fixed" "-fixed"

(cd "$root" && go run ./internal/mockconsole/cmd/quirks -in "$here/console-member.har" -out "$here/quirks")
echo "record.sh: done" >&2
