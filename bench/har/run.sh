#!/usr/bin/env bash
# bench/har/run.sh [SIZE] — does capture scanning stream?
#
# Generates a realistic Chrome-style HAR of SIZE (default 1GB; bench/cmd/genhar)
# under ${BENCH_DIR:-/tmp} (reused when present), then, alternating for
# ${BENCH_ROUNDS:-3} rounds, times under bench/cmd/measure:
#
#   json-floor    bench/cmd/jsonfloor FILE   (a bare json.Decoder.Token pass:
#                 issue 19's floor; the ratio column is against it)
#   jsontext-floor  bench/cmd/jsonfloor -jsontext FILE  (a bare pass of the
#                 jsontext tokenizer scanner/har reads captures with)
#   channelguard  channelguard scan FILE --role member --format json --output R.json -q
#
# prints wall s, MB/s, CPU s, peak RSS MB and the ratio to the floor
# (bench/har/harbench), and checks the last report against what genhar
# planted. Exit 0: peak RSS < 256 MB and the report matches; 1 otherwise;
# 2 usage or build error. Needs Go only (no GNU time, no jq).
#
# Environment:
#   BENCH_DIR=/tmp          where the HAR is generated and kept
#   BENCH_ROUNDS=3          rounds
#   GENHAR_FLAGS="-escapes=false"   extra genhar flags (the file name includes them)
#   BENCH_OUT=DIR           keep results.tsv, table.md, the report, the profile
#   BENCH_PROFILE=1         one more, untimed, run with --cpuprofile; prints pprof -top
#   BENCH_CLEAN=1           delete the generated HAR at the end
#   CHANNELGUARD_BIN=PATH   use this binary instead of building ./cmd/channelguard
set -euo pipefail

size=${1:-1GB}
rounds=${BENCH_ROUNDS:-3}
dir=${BENCH_DIR:-/tmp}
genflags=${GENHAR_FLAGS:-}
limit_mb=256
root=$(cd "$(dirname "$0")/../.." && pwd)

tmp=$(mktemp -d)
chmod 700 "$tmp"
trap 'rm -rf "$tmp"' EXIT

echo "building (go $(go env GOVERSION), -tags gore2regex)…" >&2
(
	cd "$root"
	if [ -n "${CHANNELGUARD_BIN:-}" ]; then
		cp "$CHANNELGUARD_BIN" "$tmp/channelguard"
	else
		go build -tags gore2regex -o "$tmp/channelguard" ./cmd/channelguard
	fi
	go build -o "$tmp/genhar" ./bench/cmd/genhar
	go build -o "$tmp/jsonfloor" ./bench/cmd/jsonfloor
	go build -o "$tmp/measure" ./bench/cmd/measure
	go build -o "$tmp/harbench" ./bench/har/harbench
) || exit 2

suffix=$(printf '%s' "$genflags" | tr -c 'A-Za-z0-9=.-' '_' | tr '=' '-' | sed 's/^-*//')
har="$dir/channelguard-bench-$size${suffix:+-$suffix}.har"
if [ -s "$har" ] && [ -s "$har.planted.json" ]; then
	echo "reusing $har" >&2
else
	echo "generating $har ($size)…" >&2
	# shellcheck disable=SC2086
	"$tmp/genhar" -size "$size" $genflags -o "$har" || exit 2
fi
bytes=$(stat -c %s "$har")
echo "$har: $bytes bytes, $(sed -n 's/.*"entries": \([0-9]*\).*/\1/p' "$har.planted.json") entries, $(sed -n 's/.*"planted_total": \([0-9]*\).*/\1/p' "$har.planted.json") planted" >&2
cat "$har" >/dev/null # warm the page cache

results="$tmp/results.tsv"
floor() {
	"$tmp/measure" run -label json-floor -round "$1" -results "$results" \
		-stdout "$tmp/floor.out" -stderr "$tmp/floor.err" -- "$tmp/jsonfloor" "$har"
}
textfloor() {
	"$tmp/measure" run -label jsontext-floor -round "$1" -results "$results" \
		-stdout "$tmp/floor.out" -stderr "$tmp/floor.err" -- "$tmp/jsonfloor" -jsontext "$har"
}
scan() {
	"$tmp/measure" run -label channelguard -round "$1" -results "$results" -ok 0,1 \
		-stderr "$tmp/scan.err" -- "$tmp/channelguard" scan "$har" --role member \
		--format json --output "$tmp/report.json" -q || { cat "$tmp/scan.err" >&2; exit 2; }
}
for r in $(seq 1 "$rounds"); do
	if [ $((r % 2)) -eq 1 ]; then floor "$r"; textfloor "$r"; scan "$r"; else scan "$r"; textfloor "$r"; floor "$r"; fi
done

status=0
echo
echo "## $size capture ($bytes bytes), $rounds rounds, $(nproc) cores"
echo
"$tmp/harbench" table -markdown -bytes "$bytes" -limit-mb "$limit_mb" "$results" || status=1
echo
"$tmp/harbench" check -planted "$har.planted.json" "$tmp/report.json" || status=1

if [ -n "${BENCH_PROFILE:-}" ]; then
	"$tmp/channelguard" scan "$har" --role member --format json --output "$tmp/report.json" -q \
		--cpuprofile "$tmp/cpu.pprof" || [ $? -eq 1 ]
	echo
	go tool pprof -top -nodecount=10 "$tmp/channelguard" "$tmp/cpu.pprof" 2>/dev/null | sed -n '/flat%/,$p'
	echo
	go tool pprof -top -cum -nodecount=25 "$tmp/channelguard" "$tmp/cpu.pprof" 2>/dev/null | sed -n '/flat%/,$p'
fi

if [ -n "${BENCH_OUT:-}" ]; then
	mkdir -p "$BENCH_OUT"
	cp "$results" "$tmp/report.json" "$BENCH_OUT/"
	"$tmp/harbench" table -markdown -bytes "$bytes" "$results" >"$BENCH_OUT/table.md" 2>/dev/null || true
	[ -f "$tmp/cpu.pprof" ] && cp "$tmp/cpu.pprof" "$tmp/channelguard" "$BENCH_OUT/"
fi
if [ -n "${BENCH_CLEAN:-}" ]; then
	rm -f "$har" "$har.planted.json"
fi
exit "$status"
