#!/usr/bin/env bash
# Durable Streams benchmark: Switchboard (SQLite, durable) and the reference server (@durable-streams/server 0.3.7, in
# memory), the same workloads in the same run, one server at a time. Prints one JSON line per server and their ratios.
#   dotnet build -c Release src/Switchboard && npm ci --prefix benchmarks/streams
#   benchmarks/streams/run.sh [--seconds 10] [--producers 100] [--readers 1000] [--catchup-mib 100]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dll="$repo/src/Switchboard/bin/Release/net10.0/switchboard.dll"
[[ -f "$dll" ]] || { echo "build it first: dotnet build -c Release src/Switchboard" >&2; exit 1; }
data="$(mktemp -d)"
port="${SWITCHBOARD_BENCH_PORT:-5391}"
dotnet "$dll" serve --urls "http://127.0.0.1:$port" --data-dir "$data" > "$data/server.log" 2>&1 &
switchboard=$!
node "$here/reference-server.mjs" > "$data/reference.log" 2>&1 &
reference=$!
trap 'kill $switchboard $reference 2>/dev/null; wait $switchboard $reference 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/readyz" > /dev/null 2>&1 && grep -q LISTENING "$data/reference.log" && break
  sleep 0.2
done
ref_url="$(grep -o 'LISTENING .*' "$data/reference.log" | cut -d' ' -f2)"
ours="$(node "$here/bench.mjs" --base "http://127.0.0.1:$port/v1/stream" "$@")"
theirs="$(node "$here/bench.mjs" --base "${ref_url%/}" "$@")"
echo "switchboard: $ours"
echo "reference:   $theirs"
node -e '
const [a, b] = process.argv.slice(1).map(JSON.parse);
const r = (x, y) => (x / y).toFixed(2) + "x";
console.log(`ratios (switchboard / reference): append ${r(a.append.appendsPerSecond, b.append.appendsPerSecond)}, ` +
  `fan-out delivered ${r(a.fanout.deliveredBytesPerSecond, b.fanout.deliveredBytesPerSecond)}, ` +
  `catch-up ${r(a.catchup.bytesPerSecond, b.catchup.bytesPerSecond)}`);' "$ours" "$theirs"
