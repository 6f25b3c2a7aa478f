#!/usr/bin/env bash
# Profiles one server process of a load-generator run with perf (Debian: linux-perf).
#
#   benchmarks/tools/perf-server.sh <Switchboard|SignalR> <log line that starts the window> <seconds> [load generator args...]
#   e.g. benchmarks/tools/perf-server.sh Switchboard "idle:" 8 --connections 10000 --scenarios fixed --no-ingest --no-micro
#
# JIT frames resolve because the servers inherit DOTNET_PerfMapEnabled=1 (perf map files in /tmp) and
# DOTNET_EnableWriteXorExecute=0 (otherwise JIT code lives in a double-mapped region perf cannot attribute).
# Writes artifacts/perf/perf.data and a folded summary (artifacts/perf/summary.txt) by benchmarks/tools/fold-perf.py.
set -euo pipefail
system=$1; marker=$2; seconds=$3; shift 3
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/artifacts/perf
mkdir -p "$out"
dotnet build -c Release "$root/benchmarks/Switchboard.LoadGen" > /dev/null
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
dotnet "$root/benchmarks/Switchboard.LoadGen/bin/Release/net10.0/Switchboard.LoadGen.dll" --systems "$system" --output artifacts/perf/run.md "$@" > "$out/run.log" 2>&1 &
run=$!
pid=""
for _ in $(seq 1 120); do
  pid=$(grep -o "$system: started pid [0-9]*" "$out/run.log" | head -1 | awk '{print $4}' || true)
  [ -n "$pid" ] && break
  sleep 1
done
[ -n "$pid" ] || { echo "the $system server did not start; see $out/run.log"; kill $run; exit 1; }
until grep -qE "$marker" "$out/run.log"; do
  kill -0 $run 2> /dev/null || { echo "the run ended before '$marker'; see $out/run.log"; exit 1; }
  sleep 0.2
done
perf record -F "${FREQ:-2999}" -g -p "$pid" -o "$out/perf.data" -- sleep "$seconds" > /dev/null 2>&1
wait $run || true
perf script -i "$out/perf.data" 2> /dev/null > "$out/perf.txt"
python3 "$root/benchmarks/tools/fold-perf.py" "$out/perf.txt" > "$out/summary.txt"
grep -E "$system: (fixed|saturated|mixed|idle)" "$out/run.log" | cut -c1-200
head -80 "$out/summary.txt"
